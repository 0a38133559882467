//! The `iam_allows` built-in function; what it does is its `doc`.

use crate::engine::builtins::{ArgKind, Builtin, Vals, arg};
use crate::engine::builtins::{field, items, json};
use crate::engine::helpers::iam;
use crate::graph::arn;
use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::node::Node;

pub const BUILTIN: Builtin = Builtin {
    name: "iam_allows",
    signature: "iam_allows(p, \"action\"[, resource])",
    args: &[ArgKind::Value, ArgKind::Literal, ArgKind::Value],
    min: 2,
    max: 3,
    aws: true,
    doc: "does role `p` (inline policies, managed policies incl. AWS managed ones, `AWS::IAM::Policy`/`ManagedPolicy` attached to it) or a resource's `PolicyDocument` (a VPC endpoint) allow the action (on the resource)? The resource is an ARN (text with deploy-time parts too, `!Sub arn:${AWS::Partition}:...`) or a resource of the file, whose ARN is built from its name: a role (`RoleName`, `Path`), a task definition (`Family`, any revision or none), an EventBridge rule (`Name`); a policy's resources that name roles of the file (`!GetAtt Role.Arn`, `${Role}` in `!Sub` or `!Join`) get the same ARNs, and a generated name matches only the same role's; any other part it cannot know matches whatever a policy says there. Wildcards, `NotAction`/`NotResource`, explicit `Deny` first; an Allow with conditions (`iam:PassedToService`) counts. Unknown for policies it cannot see",
    eval,
};

fn eval<'g>(ctx: &Ctx<'g>, args: Vec<Vals<'g>>) -> Vals<'g> {
    let action = arg(&args, 1)
        .first()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let principals = arg(&args, 0);
    let Some(resources) = args.get(2) else {
        return principals
            .into_iter()
            .map(|p| iam_allows(ctx, p, &action, None))
            .collect();
    };
    let mut out = Vec::new();
    for r in resources {
        for p in &principals {
            out.push(match &r.v {
                V::Absent => Val {
                    facts: p.facts.clone(),
                    ..Val::absent()
                },
                _ => {
                    // Any of the ARNs the resource may have: allowed on one is allowed.
                    let answers: Vec<Val<'g>> = resource_arns(ctx, r)
                        .iter()
                        .map(|arn| iam_allows(ctx, p.clone(), &action, Some(arn)))
                        .collect();
                    let allowed = answers.iter().find(|a| matches!(a.v, V::Bool(true)));
                    let denied = !answers.is_empty()
                        && answers.iter().all(|a| matches!(a.v, V::Bool(false)));
                    match (allowed, denied) {
                        (Some(a), _) => a.clone(),
                        (None, true) => answers[0].clone(),
                        _ => Val {
                            facts: p.facts.clone(),
                            ..Val::unknown("resource ARN not known")
                        },
                    }
                }
            });
        }
    }
    out
}

/// The ARNs a resource argument may have, with `${...}` for the parts known only at deploy
/// time; none when it cannot be told.
fn resource_arns(ctx: &Ctx<'_>, r: &Val<'_>) -> Vec<String> {
    match &r.v {
        V::Str(s, _) => vec![s.to_string()],
        V::Text(t, _) => vec![t.to_string()],
        V::Resource(i) => arn::resource_arns(ctx, *i),
        _ => Vec::new(),
    }
}

/// The policy documents that apply to a role (inline, attached managed, and `AWS::IAM::Policy`
/// / `AWS::IAM::ManagedPolicy` resources that name the role), or the policy of anything else
/// that carries a `PolicyDocument` (a VPC endpoint).
fn iam_allows<'g>(
    ctx: &Ctx<'g>,
    principal: Val<'g>,
    action: &str,
    resource: Option<&str>,
) -> Val<'g> {
    let facts = principal.facts.clone();
    let decision = match &principal.v {
        V::Absent => iam::Decision::NotAllowed,
        V::Resource(r) if ctx.graph.resources[*r].rtype == "AWS::IAM::Role" => {
            let docs = role_policies(ctx, &principal, *r);
            evaluate(ctx, &docs, action, resource)
        }
        V::Resource(_) => {
            let docs: Vals<'g> = field(ctx, &principal, "PolicyDocument")
                .into_iter()
                .map(|d| json::parse(ctx, d))
                .collect();
            if docs.iter().all(Val::is_absent) {
                iam::Decision::Allowed // no policy: a VPC endpoint allows everything
            } else {
                evaluate(ctx, &docs, action, resource)
            }
        }
        V::Node(_) => evaluate(ctx, std::slice::from_ref(&principal), action, resource),
        _ => iam::Decision::Unknown,
    };
    let v = match decision {
        iam::Decision::Allowed => V::Bool(true),
        iam::Decision::NotAllowed | iam::Decision::ExplicitlyDenied => V::Bool(false),
        iam::Decision::Unknown => V::Unknown("policy not visible".into()),
    };
    Val {
        facts,
        ..Val::new(v)
    }
}

fn role_policies<'g>(ctx: &Ctx<'g>, role: &Val<'g>, r: usize) -> Vals<'g> {
    let mut docs: Vals<'g> = Vec::new();
    for p in field(ctx, role, "Policies")
        .into_iter()
        .flat_map(|p| items(ctx, p))
    {
        docs.extend(
            field(ctx, &p, "PolicyDocument")
                .into_iter()
                .map(|d| json::parse(ctx, d)),
        );
    }
    for arn in field(ctx, role, "ManagedPolicyArns")
        .into_iter()
        .flat_map(|m| items(ctx, m))
    {
        match &arn.v {
            V::Resource(m) if ctx.graph.resources[*m].rtype == "AWS::IAM::ManagedPolicy" => {
                docs.extend(
                    field(ctx, &arn, "PolicyDocument")
                        .into_iter()
                        .map(|d| json::parse(ctx, d)),
                );
            }
            _ => docs.push(arn),
        }
    }
    for e in ctx.graph.edges_to(r) {
        let from = &ctx.graph.resources[e.from];
        if matches!(
            from.rtype.as_str(),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy"
        ) && e.path.starts_with("Roles")
        {
            let p = Val {
                owner: Some(e.from),
                ..Val::new(V::Resource(e.from))
            };
            docs.extend(
                field(ctx, &p, "PolicyDocument")
                    .into_iter()
                    .map(|d| json::parse(ctx, d)),
            );
        }
    }
    docs
}

/// Evaluates the policies, each document with its intrinsic functions resolved as everywhere
/// else (a `!Ref` to a parameter's default, `!If`, `!Sub`, `AWS::NoValue`).
fn evaluate<'g>(
    ctx: &Ctx<'g>,
    docs: &[Val<'g>],
    action: &str,
    resource: Option<&str>,
) -> iam::Decision {
    let sources: Vec<iam::PolicySource> = docs
        .iter()
        .filter(|d| !d.is_absent())
        .map(|d| match &d.v {
            V::Node(n) => {
                let tree: &'g Node = ctx.arena.alloc(ctx.resolved_tree(n, d.owner, &d.facts));
                iam::PolicySource::Document(tree)
            }
            V::Str(s, _) if s.starts_with("arn:") => iam::PolicySource::Managed(s),
            V::Text(t, _) if t.starts_with("arn:") && t.contains(":iam::aws:policy/") => {
                iam::PolicySource::Managed(t)
            }
            _ => iam::PolicySource::Opaque("a policy computed at deploy time".into()),
        })
        .collect();
    iam::evaluate(&sources, action, resource)
}
