//! The `type_of` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "type_of",
    signature: "type_of(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: false,
    doc: "the type of a resource value (`AWS::SSM::Parameter`; for a Terraform resource, the type it is mapped onto); absent for anything else, unknown for an unknown value",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| match v.v {
            V::Resource(r) => Val {
                v: V::Str(Cow::Borrowed(&ctx.graph.resources[r].rtype), false),
                ..v
            },
            V::Unknown(_) => v,
            _ => Val { v: V::Absent, ..v },
        })
        .collect()
}
