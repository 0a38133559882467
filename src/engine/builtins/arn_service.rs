//! The `arn_service` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::helpers::arn;
use crate::engine::value::{Ctx, V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "arn_service",
    signature: "arn_service(x)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the service of an ARN (`secretsmanager`), or of a resource (`AWS::SSM::Parameter` → `ssm`)",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .map(|v| arn_service(ctx, v))
        .collect()
}

fn arn_service<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let service: Option<String> = match &v.v {
        V::Str(s, _) => arn::arn_service(s).map(String::from),
        V::Text(t, _) => arn::arn_service(t)
            .filter(|s| !s.contains('\u{E000}'))
            .map(String::from),
        V::Resource(r) => {
            let rtype = &ctx.graph.resources[*r].rtype;
            rtype
                .strip_prefix("AWS::")
                .and_then(|t| t.split("::").next())
                .map(str::to_lowercase)
        }
        _ => None,
    };
    match service {
        Some(s) => Val {
            v: V::Str(Cow::Owned(s), false),
            ..v
        },
        None if v.is_absent() => v,
        None => Val {
            v: V::Unknown("not an ARN".into()),
            ..v
        },
    }
}
