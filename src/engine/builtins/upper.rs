//! The `upper` built-in function; what it does is its `doc`.

use crate::engine::builtins::map_str;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;

pub const BUILTIN: Builtin = Builtin {
    name: "upper",
    signature: "upper(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "the string in upper case; other values unchanged",
    eval,
};

fn eval<'g>(_ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    map_str(arg(&args, 0), str::to_uppercase)
}
