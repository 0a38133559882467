//! The `any` built-in function; what it does is its `doc`.

use crate::dsl::ast::Quantifier;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::quantify::quantify;
use crate::graph::resolve::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "any",
    signature: "any(cond), any(x in xs, cond)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "true when one alternative of the condition is true, false when all are false, else unknown. `any(x in xs, cond)` binds `x` to each value of `xs` in turn",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    quantify(Quantifier::Any, &arg(&args, 0))
}
