//! The `user_data` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::field;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::helpers::userdata;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "user_data",
    signature: "user_data(spec)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the user data of a launch configuration or template, decoded",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .flat_map(|v| user_data(ctx, v))
        .collect()
}

/// The user data of a launch configuration or launch template, as text. Holes stay where
/// deploy-time values go.
pub fn user_data<'g>(ctx: &Ctx<'g>, spec: Val<'g>) -> Vals<'g> {
    let data = match &spec.v {
        V::Resource(r) if ctx.graph.resources[*r].rtype == "AWS::EC2::LaunchTemplate" => {
            field(ctx, &spec, "LaunchTemplateData")
                .into_iter()
                .flat_map(|d| field(ctx, &d, "UserData"))
                .collect()
        }
        V::Resource(_) => field(ctx, &spec, "UserData"),
        _ => vec![spec.clone()],
    };
    data.into_iter()
        .map(|d| match &d.v {
            V::Str(s, _) => match userdata::decode_base64_text(s) {
                Some(text) => Val {
                    v: V::Str(Cow::Owned(text), false),
                    ..d
                },
                None => d,
            },
            _ => d,
        })
        .collect()
}
