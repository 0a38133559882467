//! The `vpc_endpoints` built-in function; what it does is its `doc`.

use std::borrow::Cow;

use crate::engine::builtins::field;
use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::refs::referrers;
use crate::engine::value::{Ctx, V, Val};

pub const BUILTIN: Builtin = Builtin {
    name: "vpc_endpoints",
    signature: "vpc_endpoints(vpc)",
    args: &[ArgKind::Value],
    min: 1,
    max: 1,
    aws: true,
    doc: "the service suffixes (`ecr.dkr`, `s3`, ...) of the VPC's endpoints",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    arg(&args, 0)
        .into_iter()
        .flat_map(|v| vpc_endpoints(ctx, v))
        .collect()
}

/// The service suffixes (`ecr.dkr`, `s3`) of the VPC endpoints declared for a VPC.
fn vpc_endpoints<'g>(ctx: &Ctx<'g>, vpc: Val<'g>) -> Vals<'g> {
    if !matches!(vpc.v, V::Resource(_)) {
        return vec![Val {
            v: if vpc.is_absent() {
                V::Absent
            } else {
                V::Unknown("VPC outside this file".into())
            },
            ..vpc
        }];
    }
    let endpoints = referrers(ctx, vpc, Some("AWS::EC2::VPCEndpoint"), Some("VpcId"));
    endpoints
        .into_iter()
        .filter(|e| !e.is_absent())
        .flat_map(|e| {
            field(ctx, &e, "ServiceName").into_iter().map(move |name| {
                let text = match &name.v {
                    V::Str(s, _) => Some(s.to_string()),
                    V::Text(t, _) => Some(t.to_string()),
                    _ => None,
                };
                let v = match text.as_deref().and_then(service_suffix) {
                    Some(s) => V::Str(Cow::Owned(s), false),
                    None => V::Unknown("endpoint service known at deploy time".into()),
                };
                Val {
                    v,
                    span: e.span.clone(),
                    owner: e.owner,
                    site: e.site,
                    facts: e.facts.clone(),
                    keys: None,
                }
            })
        })
        .collect()
}

/// `com.amazonaws.us-east-1.ecr.dkr` (or with the region as a hole) → `ecr.dkr`.
fn service_suffix(name: &str) -> Option<String> {
    let rest = name
        .strip_prefix("cn.")
        .unwrap_or(name)
        .strip_prefix("com.amazonaws.")?;
    let (_, svc) = rest.split_once('.')?;
    Some(svc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_service_suffixes() {
        assert_eq!(
            service_suffix("com.amazonaws.us-east-1.ecr.dkr").as_deref(),
            Some("ecr.dkr")
        );
        assert_eq!(
            service_suffix("com.amazonaws.\u{E000}0\u{E001}.s3").as_deref(),
            Some("s3")
        );
        assert_eq!(
            service_suffix("cn.com.amazonaws.cn-north-1.ecr.api").as_deref(),
            Some("ecr.api")
        );
        assert_eq!(service_suffix("something-else"), None);
    }
}
