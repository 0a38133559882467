//! The `join` built-in function; what it does is its `doc`.

use crate::engine::builtins::flatten;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::Val;

pub const BUILTIN: Builtin = Builtin {
    name: "join",
    signature: "join(list, sep)",
    args: &[ArgKind::Value, ArgKind::Literal],
    min: 2,
    max: 2,
    aws: false,
    doc: "the items as one string, separated by `sep`",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let sep = arg(&args, 1)
        .first()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let items: Vec<String> = arg(&args, 0)
        .iter()
        .flat_map(|v| flatten(v.clone()))
        .map(|v| ctx.display(&v))
        .collect();
    vec![Val::str(items.join(&sep))]
}
