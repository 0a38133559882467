//! The `trusts` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg, field, json};
use crate::engine::helpers::iam;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::Node;

pub const BUILTIN: Builtin = Builtin {
    name: "trusts",
    signature: "trusts(role, \"service principal\")",
    args: &[ArgKind::Value, ArgKind::Literal],
    min: 2,
    max: 2,
    aws: true,
    doc: "does a role's trust policy (`AssumeRolePolicyDocument`, Terraform `assume_role_policy`) let the service (`ecs-tasks.amazonaws.com`) call `sts:AssumeRole` (`sts:*`, `*`)? `Principal` `*` or `{Service: ...}` (string or list), `NotPrincipal`, explicit `Deny` first; conditions of an Allow (`aws:SourceAccount`, `aws:SourceArn`) count as satisfied. Unknown for a role or document it cannot see",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let service = arg(&args, 1)
        .first()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    arg(&args, 0)
        .into_iter()
        .flat_map(|role| trusts(ctx, role, &service))
        .collect()
}

/// One answer per alternative of the role's trust policy (an `Fn::If` may choose between two).
fn trusts<'g>(ctx: &Ctx<'g>, role: Val<'g>, service: &str) -> Vals<'g> {
    let answer = |from: Val<'g>, v: V<'g>| Val {
        facts: from.facts.clone(),
        ..Val::new(v)
    };
    match &role.v {
        V::Absent => vec![answer(role.clone(), V::Absent)],
        V::Resource(r) if ctx.graph.resources[*r].rtype == "AWS::IAM::Role" => {
            field(ctx, &role, "AssumeRolePolicyDocument")
                .into_iter()
                .map(|d| json::parse(ctx, d))
                .map(|doc| {
                    let decision = match &doc.v {
                        V::Node(n) => {
                            let tree: &'g Node =
                                ctx.arena.alloc(ctx.resolved_tree(n, doc.owner, &doc.facts));
                            iam::trusts(tree, service)
                        }
                        _ => iam::Decision::Unknown,
                    };
                    let v = match decision {
                        iam::Decision::Allowed => V::Bool(true),
                        iam::Decision::NotAllowed | iam::Decision::ExplicitlyDenied => {
                            V::Bool(false)
                        }
                        iam::Decision::Unknown => V::Unknown("trust policy not visible".into()),
                    };
                    answer(doc, v)
                })
                .collect()
        }
        _ => vec![answer(
            role.clone(),
            V::Unknown("not a role of this file".into()),
        )],
    }
}
