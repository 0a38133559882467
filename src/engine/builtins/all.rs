//! The `all` built-in function; what it does is its `doc`.

use crate::dsl::ast::Quantifier;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::quantify::quantify;
use crate::graph::resolve::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "all",
    signature: "all(cond), all(x in xs, cond)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "true when every alternative of the condition is true, false when one is false (under the conditions that one holds under), else unknown. `all(x in xs, cond)` binds `x` to each value of `xs` in turn (true when there is none)",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    quantify(Quantifier::All, &arg(&args, 0))
}
