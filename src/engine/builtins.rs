//! Built-in functions of the rule language and the reference operators, over the graph.
//! The AWS knowledge they need lives in `helpers/`; this file only finds the inputs.

use std::borrow::Cow;
use std::rc::Rc;

use crate::engine::helpers::{arch, arn, iam, userdata};
use crate::engine::value::{Ctx, Facts, V, Val};
use crate::graph::{EdgeKind, names};
use crate::node::Node;

type Vals<'g> = Vec<Val<'g>>;

/// `x => Type`: the resources a value refers to (by reference, or by literal name or ARN).
pub fn follow<'g>(ctx: &Ctx<'g>, v: Val<'g>, ty: Option<&str>) -> Vals<'g> {
    let matches = |r: usize| ty.is_none_or(|t| ctx.graph.resources[r].rtype == t);
    match &v.v {
        V::Resource(r) if matches(*r) => vec![v],
        // A nested stack's output, a custom resource's attribute or an unmapped Terraform
        // data source can stand for anything: unknown, not "not a role".
        V::Resource(r) if stands_for_anything(&ctx.graph.resources[*r].rtype) => {
            vec![Val {
                v: V::Unknown("a value handed over by another stack or resource".into()),
                ..v
            }]
        }
        V::Resource(_) => vec![Val::absent()],
        V::Str(s, _) => {
            let name = names::name_in_reference(s);
            let found: Vals<'g> = ctx
                .graph
                .named(name)
                .iter()
                .filter(|&&r| matches(r))
                .filter_map(|&r| {
                    ctx.resource_val(r, ctx.graph.resources[r].id_span.clone(), &v.facts)
                })
                .collect();
            if found.is_empty() {
                // A name or ARN of something outside this file: we cannot see it.
                vec![Val {
                    facts: v.facts.clone(),
                    ..Val::unknown("defined outside this file")
                }]
            } else {
                found
            }
        }
        V::Text(_, holes) => {
            let found: Vals<'g> = holes
                .iter()
                .filter(|h| matches!(h.v, V::Resource(r) if matches(r)))
                .cloned()
                .collect();
            if found.is_empty() {
                vec![Val::unknown("computed at deploy time")]
            } else {
                found
            }
        }
        V::Absent | V::Unknown(_) => vec![v],
        _ => vec![Val::absent()],
    }
}

/// Resource types whose attributes are values of any kind: nested stacks and applications,
/// custom resources, and Terraform types the bindings do not map (data sources above all).
fn stands_for_anything(rtype: &str) -> bool {
    rtype == "AWS::CloudFormation::Stack"
        || rtype.starts_with("AWS::Serverless::")
        || rtype.starts_with("Custom::")
        || rtype == "AWS::CloudFormation::CustomResource"
        || !(rtype.starts_with("AWS::") || rtype.starts_with("Data::"))
}

/// `x <= Type.Path`: the resources of `Type` whose `Path` refers to `x`.
pub fn referrers<'g>(ctx: &Ctx<'g>, v: Val<'g>, ty: Option<&str>, path: Option<&str>) -> Vals<'g> {
    let V::Resource(target) = v.v else {
        return vec![if v.is_unknown() { v } else { Val::absent() }];
    };
    let mut out = Vec::new();
    // Each referrer once; a set, not a scan of `out`, so 1,000 services of one cluster do
    // not cost a million comparisons.
    let mut seen = std::collections::HashSet::new();
    for e in ctx.graph.edges_to(target) {
        if matches!(e.kind, EdgeKind::DependsOn) {
            continue;
        }
        let from = &ctx.graph.resources[e.from];
        if ty.is_some_and(|t| from.rtype != t) || path.is_some_and(|p| !path_matches(p, &e.path)) {
            continue;
        }
        if !seen.insert(e.from) {
            continue;
        }
        if let Some(val) = ctx.resource_val(e.from, from.id_span.clone(), &v.facts) {
            out.push(val);
        }
    }
    out
}

/// Does an edge path (`Strategy[0].CapacityProvider`) match a pattern (`Strategy[*].CapacityProvider`)?
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut s) = (pattern.as_bytes(), path.as_bytes());
    loop {
        match (p.first(), s.first()) {
            (None, None) => return true,
            (Some(b'['), Some(b'[')) if p.starts_with(b"[*]") => {
                let Some(close) = s.iter().position(|&c| c == b']') else {
                    return false;
                };
                p = &p[3..];
                s = &s[close + 1..];
            }
            (Some(a), Some(b)) if a == b => {
                p = &p[1..];
                s = &s[1..];
            }
            _ => return false,
        }
    }
}

pub fn call<'g>(ctx: &Ctx<'g>, name: &str, args: Vec<Vals<'g>>) -> Vals<'g> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| vec![Val::absent()]);
    match name {
        "exists" => vec![exists(&arg(0))],
        "known" => arg(0).into_iter().map(known).collect(),
        "count" => {
            let a = arg(0);
            if a.iter().any(Val::is_unknown) {
                return vec![Val::unknown("count of unknown values")];
            }
            let n = a.iter().filter(|v| !v.is_absent()).count();
            vec![Val::new(V::Str(Cow::Owned(n.to_string()), true))]
        }
        "list" => {
            let items: Vals<'g> = args
                .into_iter()
                .flatten()
                .flat_map(flatten)
                .filter(|v| !v.is_absent())
                .collect();
            vec![Val::new(V::List(Rc::new(items)))]
        }
        "minus" => vec![minus(ctx, &arg(0), &arg(1))],
        "join" => {
            let sep = arg(1)
                .first()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let items: Vec<String> = arg(0)
                .iter()
                .flat_map(|v| flatten(v.clone()))
                .map(|v| ctx.display(&v))
                .collect();
            vec![Val::str(items.join(&sep))]
        }
        "lower" | "upper" => map_str(arg(0), |s| {
            if name == "lower" {
                s.to_lowercase()
            } else {
                s.to_uppercase()
            }
        }),
        "json" => arg(0).into_iter().map(|v| json(ctx, v)).collect(),
        "iam_allows" => {
            let action = arg(1)
                .first()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let resource = args
                .get(2)
                .and_then(|r| r.first())
                .and_then(|v| v.as_str().map(String::from));
            arg(0)
                .into_iter()
                .map(|p| iam_allows(ctx, p, &action, resource.as_deref()))
                .collect()
        }
        "instance_arch" => arg(0)
            .into_iter()
            .map(|v| arch_val(v.clone(), v.as_str().and_then(arch::instance_arch)))
            .collect(),
        "image_arch" => arg(0).into_iter().map(|v| image_arch(ctx, v)).collect(),
        "user_data" => arg(0).into_iter().flat_map(|v| user_data(ctx, v)).collect(),
        "ecs_cluster" => arg(0)
            .into_iter()
            .flat_map(|v| ecs_cluster(ctx, v))
            .collect(),
        "subnet_egress" => arg(0)
            .into_iter()
            .flat_map(|v| subnet_egress(ctx, v))
            .collect(),
        "vpc_of" => arg(0)
            .into_iter()
            .flat_map(|v| {
                field(ctx, &v, "VpcId")
                    .into_iter()
                    .flat_map(|x| follow(ctx, x, Some("AWS::EC2::VPC")))
                    .collect::<Vec<_>>()
            })
            .collect(),
        "vpc_endpoints" => arg(0)
            .into_iter()
            .flat_map(|v| vpc_endpoints(ctx, v))
            .collect(),
        "arn_service" => arg(0).into_iter().map(|v| arn_service(ctx, v)).collect(),
        "text" => arg(0).into_iter().map(as_text).collect(),
        "resources" => {
            let ty = arg(0)
                .first()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let graph = ctx.graph;
            graph
                .of_type(&ty)
                .iter()
                .filter_map(|&r| {
                    ctx.resource_val(r, graph.resources[r].id_span.clone(), &Default::default())
                })
                .collect()
        }
        "exported" => arg(0).into_iter().map(|v| exported(ctx, v)).collect(),
        _ => vec![Val::unknown("no such function")],
    }
}

/// Is a resource handed out through the template's `Outputs` (exported or not: a parent stack
/// reads a nested stack's outputs without an export), or a Terraform plan's root outputs
/// (other states read them)? Unknown for a plan without its configuration.
fn exported<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let V::Resource(r) = v.v else {
        return if v.is_unknown() {
            v
        } else {
            Val {
                v: V::Bool(false),
                ..v
            }
        };
    };
    if ctx.graph.provider == crate::graph::Provider::Terraform && ctx.graph.outputs.is_none() {
        return Val {
            v: V::Unknown("the plan has no configuration".into()),
            ..v
        };
    }
    fn mentions(v: &Val<'_>, r: usize) -> bool {
        match &v.v {
            V::Resource(x) => *x == r,
            V::Text(_, holes) | V::List(holes) => holes.iter().any(|h| mentions(h, r)),
            _ => false,
        }
    }
    let outputs = ctx
        .graph
        .outputs
        .as_ref()
        .map(|o| o.entries())
        .unwrap_or_default();
    let found = outputs
        .iter()
        .filter_map(|o| o.value.get("Value"))
        .any(|value| {
            ctx.resolve(value, None, &Default::default())
                .iter()
                .any(|x| mentions(x, r))
        });
    Val {
        v: V::Bool(found),
        ..v
    }
}

fn flatten(v: Val<'_>) -> Vals<'_> {
    match &v.v {
        V::List(items) => items.iter().cloned().collect(),
        _ => vec![v],
    }
}

fn exists<'g>(vals: &Vals<'g>) -> Val<'g> {
    if vals.iter().any(|v| !v.is_absent() && !v.is_unknown()) {
        let present = vals.iter().filter(|v| !v.is_absent() && !v.is_unknown());
        let facts = Facts::common(present.map(|v| &v.facts)).unwrap_or_default();
        return Val {
            facts,
            ..Val::bool(true)
        };
    }
    if vals.iter().any(Val::is_unknown) {
        Val::unknown("unknown")
    } else {
        Val::bool(false)
    }
}

/// For each alternative: `false` when its value is known only at deploy time (unknown, or
/// text with holes), `true` otherwise, absent included. Never unknown itself, so a rule can
/// fall back to other evidence where one source cannot be known.
fn known(v: Val<'_>) -> Val<'_> {
    let k = !matches!(v.v, V::Unknown(_) | V::Text(..));
    Val { v: V::Bool(k), ..v }
}

/// The items of `a` that are definitely not in `b`; unknown when that cannot be told.
fn minus<'g>(ctx: &Ctx<'g>, a: &Vals<'g>, b: &Vals<'g>) -> Val<'g> {
    let a: Vals<'g> = a
        .iter()
        .cloned()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    let b: Vals<'g> = b
        .iter()
        .cloned()
        .flat_map(flatten)
        .filter(|v| !v.is_absent())
        .collect();
    if a.iter()
        .chain(&b)
        .any(|v| v.is_unknown() || matches!(v.v, V::Text(..)))
    {
        return Val::unknown("a set known only at deploy time");
    }
    let eval = |x: &Val<'g>, y: &Val<'g>| {
        x.as_str().is_some() && x.as_str() == y.as_str() || ctx.display(x) == ctx.display(y)
    };
    let rest: Vals<'g> = a
        .into_iter()
        .filter(|x| !b.iter().any(|y| eval(x, y)))
        .collect();
    Val::new(V::List(Rc::new(rest)))
}

fn map_str<'g>(vals: Vals<'g>, f: impl Fn(&str) -> String) -> Vals<'g> {
    vals.into_iter()
        .map(|v| match &v.v {
            V::Str(s, p) => Val {
                v: V::Str(Cow::Owned(f(s)), *p),
                ..v.clone()
            },
            _ => v,
        })
        .collect()
}

/// A property of a resource value (or of a structured value), resolved.
pub fn field<'g>(ctx: &Ctx<'g>, v: &Val<'g>, key: &str) -> Vals<'g> {
    let node = match &v.v {
        V::Resource(r) => ctx.graph.resources[*r]
            .properties
            .as_ref()
            .and_then(|p| p.get(key)),
        V::Node(n) => n.get(key),
        V::Unknown(_) => return vec![v.clone()],
        _ => None,
    };
    match node {
        Some(n) => ctx.resolve(n, v.owner, &v.facts),
        None => vec![Val::absent()],
    }
}

fn arch_val<'g>(from: Val<'g>, a: Option<arch::Arch>) -> Val<'g> {
    let v = match a {
        Some(a) => V::Str(Cow::Borrowed(a.as_str()), false),
        None if from.is_absent() => V::Absent,
        None => V::Unknown("architecture not known".into()),
    };
    Val { v, ..from }
}

/// The architecture of an image source: an SSM parameter path (directly, as a parameter
/// default or a dynamic reference), a mapping key naming an architecture, or a Terraform
/// data source.
fn image_arch<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let from_keys = v
        .keys
        .as_ref()
        .and_then(|k| k.iter().find_map(|k| arch::arch_word(k)));
    let found = match &v.v {
        V::Str(s, _) => arch::image_arch(s).or(from_keys),
        V::Resource(r) => match ctx.graph.resources[*r].rtype.as_str() {
            "Data::SSM::Parameter" => field(ctx, &v, "Name")
                .first()
                .and_then(|n| n.as_str().and_then(arch::image_arch)),
            "Data::EC2::Image" => ["Architecture", "NameRegex", "Name"]
                .iter()
                .flat_map(|k| field(ctx, &v, k))
                .find_map(|n| {
                    n.as_str()
                        .and_then(|s| arch::arch_word(s).or_else(|| arch::image_name_arch(s)))
                }),
            _ => None,
        },
        _ => from_keys,
    };
    arch_val(v, found)
}

/// Parses JSON text (a `DefinitionString`, a policy written as a string) into a value.
fn json<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let text: String = match &v.v {
        V::Str(s, _) => s.to_string(),
        V::Text(t, _) => t.to_string(),
        V::Node(_) => return v,
        _ => return v,
    };
    match crate::load::json::parse(&text) {
        Ok(parsed) => {
            let span = v.span.clone().unwrap_or_default();
            let node: &'g Node = ctx.arena.alloc(respan(parsed.root, &span));
            Val {
                v: V::Node(node),
                ..v
            }
        }
        Err(_) => Val {
            v: V::Unknown("not JSON until deployed".into()),
            ..v
        },
    }
}

/// Spans inside parsed text point into that text, not the file: use the span of the string.
fn respan(mut node: Node, span: &crate::source::Span) -> Node {
    node.span = span.clone();
    match &mut node.kind {
        crate::node::Kind::Seq(items) => {
            let owned = std::mem::take(items);
            *items = owned.into_iter().map(|n| respan(n, span)).collect();
        }
        crate::node::Kind::Map(entries) => {
            for e in entries.iter_mut() {
                e.key_span = span.clone();
                let value = std::mem::replace(&mut e.value, Node::unknown(0..0, ""));
                e.value = respan(value, span);
            }
        }
        _ => {}
    }
    node
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
            evaluate(&docs, action, resource)
        }
        V::Resource(_) => {
            let docs: Vals<'g> = field(ctx, &principal, "PolicyDocument")
                .into_iter()
                .map(|d| json(ctx, d))
                .collect();
            if docs.iter().all(Val::is_absent) {
                iam::Decision::Allowed // no policy: a VPC endpoint allows everything
            } else {
                evaluate(&docs, action, resource)
            }
        }
        V::Node(_) => evaluate(std::slice::from_ref(&principal), action, resource),
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
                .map(|d| json(ctx, d)),
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
                        .map(|d| json(ctx, d)),
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
                    .map(|d| json(ctx, d)),
            );
        }
    }
    docs
}

/// The items of a list value (a `Node` sequence), each resolved.
fn items<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Vals<'g> {
    match &v.v {
        V::Node(n) if !n.items().is_empty() || matches!(n.kind, crate::node::Kind::Seq(_)) => n
            .items()
            .iter()
            .flat_map(|i| ctx.resolve(i, v.owner, &v.facts))
            .collect(),
        V::Absent => Vec::new(),
        _ => vec![v],
    }
}

fn evaluate(docs: &[Val<'_>], action: &str, resource: Option<&str>) -> iam::Decision {
    let sources: Vec<iam::PolicySource> = docs
        .iter()
        .filter(|d| !d.is_absent())
        .map(|d| match &d.v {
            V::Node(n) => iam::PolicySource::Document(n),
            V::Str(s, _) if s.starts_with("arn:") => iam::PolicySource::Managed(s),
            V::Text(t, _) if t.starts_with("arn:") && t.contains(":iam::aws:policy/") => {
                iam::PolicySource::Managed(t)
            }
            _ => iam::PolicySource::Opaque("a policy computed at deploy time".into()),
        })
        .collect();
    iam::evaluate(&sources, action, resource)
}

/// The user data of a launch configuration or launch template, as text. Holes stay where
/// deploy-time values go.
fn user_data<'g>(ctx: &Ctx<'g>, spec: Val<'g>) -> Vals<'g> {
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

/// The cluster instances launched from a launch configuration or template join: what their
/// user data (or `AWS::CloudFormation::Init` metadata) sets as `ECS_CLUSTER`, `default`
/// when nothing does.
fn ecs_cluster<'g>(ctx: &Ctx<'g>, spec: Val<'g>) -> Vals<'g> {
    let mut out = Vec::new();
    for text in user_data(ctx, spec.clone()) {
        let Some((s, holes)) = text_of(&text) else {
            out.push(Val {
                v: V::Unknown("user data known at deploy time".into()),
                ..text
            });
            continue;
        };
        match userdata::ecs_cluster(&s) {
            userdata::ClusterSetting::Set(value) => out.push(cluster_value(&value, &holes, &text)),
            // Nothing runs cfn-init, so no `AWS::CloudFormation::Init` metadata is applied.
            userdata::ClusterSetting::NotSet => out.push(Val {
                v: V::Str(Cow::Borrowed("default"), false),
                ..text
            }),
            // Running cfn-init is the only unknown: its metadata decides, else what the rest sets.
            userdata::ClusterSetting::Unknown(why) => {
                match (without_cfn_init(&s), init_cluster(ctx, &spec, &text)) {
                    (Some(userdata::ClusterSetting::NotSet), Some(from_metadata)) => {
                        out.extend(from_metadata)
                    }
                    (Some(userdata::ClusterSetting::NotSet), None) => out.push(Val {
                        v: V::Str(Cow::Borrowed("default"), false),
                        ..text
                    }),
                    (Some(userdata::ClusterSetting::Set(value)), None) => {
                        out.push(cluster_value(&value, &holes, &text))
                    }
                    _ => out.push(Val {
                        v: V::Unknown(why.into()),
                        ..text
                    }),
                }
            }
        }
    }
    out
}

/// The cluster the user data sets once its cfn-init lines are left out; `None` when it has
/// none (cfn-init is not why the cluster is unknown) or the rest is unknown too.
fn without_cfn_init(text: &str) -> Option<userdata::ClusterSetting> {
    let decoded = userdata::decode_base64_text(text);
    let text = decoded.as_deref().unwrap_or(text);
    let rest: Vec<&str> = text
        .lines()
        .filter(|l| !l.to_ascii_lowercase().contains("cfn-init"))
        .collect();
    if rest.len() == text.lines().count() {
        return None;
    }
    Some(userdata::ecs_cluster(&rest.join("\n")))
        .filter(|c| !matches!(c, userdata::ClusterSetting::Unknown(_)))
}

/// Text and holes of a string-like value; empty for an absent one.
fn text_of<'g>(v: &Val<'g>) -> Option<(String, Rc<Vec<Val<'g>>>)> {
    match &v.v {
        V::Str(s, _) => Some((s.to_string(), Rc::new(Vec::new()))),
        V::Text(t, h) => Some((t.to_string(), h.clone())),
        V::Absent => Some((String::new(), Rc::new(Vec::new()))),
        _ => None,
    }
}

/// The value of `ECS_CLUSTER=value`: a hole is the value that fills it (the cluster
/// resource, typically); literal text is the cluster name.
fn cluster_value<'g>(value: &str, holes: &[Val<'g>], at: &Val<'g>) -> Val<'g> {
    let v = match userdata::is_placeholder(value).and_then(|i| holes.get(i)) {
        Some(h) => {
            return Val {
                span: at.span.clone(),
                owner: at.owner,
                facts: h.facts.merge(&at.facts).unwrap_or_default(),
                ..h.clone()
            };
        }
        None if value.contains('\u{E000}') => {
            V::Unknown("cluster name built at deploy time".into())
        }
        None => V::Str(Cow::Owned(value.to_string()), false),
    };
    Val { v, ..at.clone() }
}

/// `ECS_CLUSTER` as the `AWS::CloudFormation::Init` metadata that cfn-init applies sets it: in
/// an ecs.config `files` entry or a `commands` entry (commands run after files; the last one
/// wins). `None` when the metadata sets nothing and unpacks no `sources` archive (which could
/// hold an ecs.config).
fn init_cluster<'g>(ctx: &Ctx<'g>, spec: &Val<'g>, at: &Val<'g>) -> Option<Vals<'g>> {
    let unknown = |why: &str| {
        Some(vec![Val {
            v: V::Unknown(why.into()),
            ..at.clone()
        }])
    };
    let (owner, init) = match spec.v {
        V::Resource(r) => match ctx.graph.resources[r]
            .metadata
            .as_ref()
            .and_then(|m| m.get("AWS::CloudFormation::Init"))
        {
            Some(init) => (r, init),
            None => return unknown("cfn-init runs without metadata in this resource"),
        },
        _ => return unknown("cfn-init runs"),
    };
    let (mut files, mut commands, mut sources) = (Vec::new(), Vec::new(), false);
    collect_init(init, &mut files, &mut commands, &mut sources);
    let mut found = None;
    for content in files.into_iter().chain(commands) {
        for v in ctx.resolve(content, Some(owner), &at.facts) {
            let Some((text, holes)) = text_of(&v) else {
                return unknown("cfn-init content known at deploy time");
            };
            match userdata::ecs_cluster(&text) {
                userdata::ClusterSetting::Set(value) => {
                    found = Some(cluster_value(&value, &holes, at))
                }
                userdata::ClusterSetting::Unknown(why) => return unknown(&why),
                userdata::ClusterSetting::NotSet => {}
            }
        }
    }
    match found {
        Some(v) => Some(vec![v]),
        None if sources => unknown("cfn-init unpacks sources that may hold ecs.config"),
        None => None,
    }
}

/// Under a cfn-init block: the `content` of every ecs.config `files` entry, every `command`
/// (a string or a list of words), and whether any `sources` entry is present.
fn collect_init<'g>(
    node: &'g Node,
    files: &mut Vec<&'g Node>,
    commands: &mut Vec<&'g Node>,
    sources: &mut bool,
) {
    for e in node.entries() {
        match e.key.as_str() {
            "files" => files.extend(
                e.value
                    .entries()
                    .iter()
                    .filter(|f| f.key.ends_with("ecs.config"))
                    .filter_map(|f| f.value.get("content")),
            ),
            "commands" => commands.extend(
                e.value
                    .entries()
                    .iter()
                    .filter_map(|c| c.value.get("command")),
            ),
            "sources" => *sources = *sources || !e.value.entries().is_empty(),
            _ => collect_init(&e.value, files, commands, sources),
        }
    }
}

/// Where a subnet's default route goes: `internet`, `nat` or `none`.
fn subnet_egress<'g>(ctx: &Ctx<'g>, subnet: Val<'g>) -> Vals<'g> {
    let V::Resource(s) = subnet.v else {
        return vec![Val {
            v: if subnet.is_absent() {
                V::Absent
            } else {
                V::Unknown("subnet outside this file".into())
            },
            ..subnet
        }];
    };
    let assocs = referrers(
        ctx,
        subnet.clone(),
        Some("AWS::EC2::SubnetRouteTableAssociation"),
        Some("SubnetId"),
    );
    if assocs.iter().all(Val::is_absent) || assocs.is_empty() {
        // The main route table: not declared in the template, so not known here.
        return vec![Val {
            v: V::Unknown("subnet uses the main route table".into()),
            ..subnet
        }];
    }
    let mut out = Vec::new();
    for a in assocs {
        for table in field(ctx, &a, "RouteTableId")
            .into_iter()
            .flat_map(|t| follow(ctx, t, Some("AWS::EC2::RouteTable")))
        {
            let verdict = match &table.v {
                V::Resource(_) => route_table_egress(ctx, &table),
                _ => V::Unknown("route table outside this file".into()),
            };
            out.push(Val {
                v: verdict,
                span: subnet.span.clone(),
                owner: Some(s),
                facts: table.facts.clone(),
                keys: None,
            });
        }
    }
    out
}

fn route_table_egress<'g>(ctx: &Ctx<'g>, table: &Val<'g>) -> V<'g> {
    let routes = referrers(
        ctx,
        table.clone(),
        Some("AWS::EC2::Route"),
        Some("RouteTableId"),
    );
    let mut verdict = V::Str(Cow::Borrowed("none"), false);
    for route in routes.iter().filter(|r| !r.is_absent()) {
        let dest = field(ctx, route, "DestinationCidrBlock");
        let is_default = dest.iter().any(|d| d.as_str() == Some("0.0.0.0/0"));
        if !is_default {
            if dest.iter().any(|d| d.is_unknown()) {
                verdict = V::Unknown("route destination known at deploy time".into());
            }
            continue;
        }
        if !field(ctx, route, "NatGatewayId").iter().all(Val::is_absent) {
            let nat = field(ctx, route, "NatGatewayId")
                .into_iter()
                .flat_map(|n| follow(ctx, n, Some("AWS::EC2::NatGateway")))
                .next();
            let private = nat.as_ref().is_some_and(|n| {
                field(ctx, n, "ConnectivityType")
                    .iter()
                    .any(|c| c.as_str() == Some("private"))
            });
            if !private {
                return V::Str(Cow::Borrowed("nat"), false);
            }
            continue;
        }
        let gw = field(ctx, route, "GatewayId");
        let is_igw = gw.iter().any(|g| match &g.v {
            V::Resource(r) => ctx.graph.resources[*r].rtype == "AWS::EC2::InternetGateway",
            V::Str(s, _) => s.starts_with("igw-"),
            _ => false,
        });
        if is_igw {
            return V::Str(Cow::Borrowed("internet"), false);
        }
        // A transit gateway, instance, peering or computed target may well reach out.
        verdict = V::Unknown("default route to a target that may reach the internet".into());
    }
    verdict
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

/// Text with holes as a string, each deploy-time part written `${...}`, so that `matches`
/// can test the literal parts (`${...}.dkr.ecr.${...}.amazonaws.com/app`). Other values are
/// returned unchanged.
fn as_text(v: Val<'_>) -> Val<'_> {
    match &v.v {
        V::Text(t, _) => {
            let s = crate::engine::value::fill_holes(t, |_| "${...}".to_string());
            Val {
                v: V::Str(Cow::Owned(s), false),
                ..v
            }
        }
        _ => v,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::Facts;

    #[test]
    fn known_is_false_only_for_deploy_time_values_and_keeps_facts() {
        let when = Facts::one("IsArm", "true");
        let arm = Val {
            facts: when.clone(),
            ..Val::str("ARM64")
        };
        let k = known(arm);
        assert_eq!(k.truth(), Some(true));
        assert_eq!(k.facts, when);
        assert_eq!(known(Val::absent()).truth(), Some(true));
        assert_eq!(known(Val::unknown("a parameter")).truth(), Some(false));
        let text = Val::new(V::Text(
            "ami-\u{E000}0\u{E001}".into(),
            Rc::new(vec![Val::unknown("x")]),
        ));
        assert_eq!(known(text).truth(), Some(false));
    }

    #[test]
    fn edge_paths_match_patterns_with_wildcards() {
        assert!(path_matches(
            "Strategy[*].CapacityProvider",
            "Strategy[0].CapacityProvider"
        ));
        assert!(path_matches(
            "Strategy[*].CapacityProvider",
            "Strategy[12].CapacityProvider"
        ));
        assert!(!path_matches(
            "Strategy[*].CapacityProvider",
            "Strategy[0].Base"
        ));
        assert!(path_matches("Cluster", "Cluster"));
        assert!(!path_matches("Cluster", "ClusterName"));
    }

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

    #[test]
    fn text_writes_deploy_time_parts_as_placeholders_and_keeps_facts() {
        let when = Facts::one("UseEcr", "true");
        let holes = Rc::new(vec![Val::unknown("account"), Val::unknown("region")]);
        let image = Val {
            facts: when.clone(),
            ..Val::new(V::Text(
                "\u{E000}0\u{E001}.dkr.ecr.\u{E000}1\u{E001}.amazonaws.com/app".into(),
                holes,
            ))
        };
        let t = as_text(image);
        assert_eq!(t.as_str(), Some("${...}.dkr.ecr.${...}.amazonaws.com/app"));
        assert_eq!(t.facts, when);
        assert_eq!(as_text(Val::str("nginx:1")).as_str(), Some("nginx:1"));
        assert!(as_text(Val::unknown("a parameter")).is_unknown());
        assert!(as_text(Val::absent()).is_absent());
    }
}

#[cfg(test)]
mod resource_set_tests {
    use super::*;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = "Resources:
  Shared:
    Type: AWS::ECS::Cluster
  Private:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: !Ref Name
  Other:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: !Sub '${AWS::StackName}-x'
Parameters:
  Name:
    Type: String
    Default: private
Outputs:
  ClusterArn:
    Value: !Join [':', [!GetAtt Shared.Arn, x]]
";

    fn with_graph(test: impl FnOnce(&Ctx<'_>)) {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        test(&Ctx::new(&graph, &arena));
    }

    fn res<'g>(ctx: &Ctx<'g>, id: &str) -> Val<'g> {
        Val::new(V::Resource(ctx.graph.resource(id).expect("resource")))
    }

    #[test]
    fn resources_lists_every_resource_of_a_type() {
        with_graph(|ctx| {
            let all = call(ctx, "resources", vec![vec![Val::str("AWS::ECS::Cluster")]]);
            let ids: Vec<String> = all.iter().map(|v| ctx.display(v)).collect();
            assert_eq!(ids, ["Shared", "Private", "Other"]);
            assert!(call(ctx, "resources", vec![vec![Val::str("AWS::EC2::Instance")]]).is_empty());
        });
    }

    #[test]
    fn exported_means_named_in_an_output_value() {
        with_graph(|ctx| {
            let truth = |id: &str| call(ctx, "exported", vec![vec![res(ctx, id)]])[0].truth();
            assert_eq!(truth("Shared"), Some(true));
            assert_eq!(truth("Private"), Some(false));
            assert_eq!(
                call(ctx, "exported", vec![vec![Val::unknown("param")]])[0].truth(),
                None
            );
        });
    }

    #[test]
    fn a_name_from_a_parameter_default_compares_and_a_computed_one_is_unknown() {
        with_graph(|ctx| {
            let (p, o, s) = (
                ctx.graph.resource("Private").unwrap(),
                ctx.graph.resource("Other").unwrap(),
                ctx.graph.resource("Shared").unwrap(),
            );
            assert_eq!(ctx.resource_named(p, "private"), Some(true));
            assert_eq!(
                ctx.resource_named(p, "arn:aws:ecs:eu-west-1:1:cluster/other"),
                Some(false)
            );
            assert_eq!(ctx.resource_named(o, "anything"), None);
            assert_eq!(ctx.resource_named(s, "default"), Some(false));
        });
    }
}

#[cfg(test)]
mod init_cluster_tests {
    use super::*;
    use crate::load::{Outcome, load};

    const TEMPLATE: &str = r##"Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  RunsInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: !Sub "ECS_CLUSTER=${Cluster}\n"
    Properties:
      UserData:
        Fn::Base64: !Sub "#!/bin/bash\n/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource RunsInit\n"
  NeverRunsInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=prod\n"
    Properties:
      UserData: !Base64 "#!/bin/bash\nyum update -y\n"
  InitCommand:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=first\n"
          commands:
            01_cluster:
              command: echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitCommand\n"
  InitSetsNothing:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {jq: []}}
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitSetsNothing\n"
  InitSources:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          sources: {/etc: "https://example.com/etc.tar.gz"}
    Properties:
      UserData: !Base64 "#!/bin/bash\n/opt/aws/bin/cfn-init -v --resource InitSources\n"
  ScriptThenInit:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          packages: {yum: {jq: []}}
    Properties:
      UserData: !Base64 "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-init -v --resource ScriptThenInit\n"
  BothSet:
    Type: AWS::AutoScaling::LaunchConfiguration
    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /etc/ecs/ecs.config:
              content: "ECS_CLUSTER=other\n"
    Properties:
      UserData: !Base64 "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-init -v --resource BothSet\n"
"##;

    #[test]
    fn cfn_init_metadata_counts_only_when_the_user_data_runs_cfn_init() {
        let Outcome::Loaded { graph, .. } = load("t.yaml", TEMPLATE.as_bytes().to_vec()) else {
            panic!("loads")
        };
        let arena = typed_arena::Arena::new();
        let ctx = Ctx::new(&graph, &arena);
        let joins = |id: &str| {
            let spec = Val::new(V::Resource(graph.resource(id).expect("resource")));
            ecs_cluster(&ctx, spec)
                .iter()
                .map(|v| ctx.display(v))
                .collect::<Vec<_>>()
        };
        assert_eq!(joins("RunsInit"), ["Cluster"]);
        assert_eq!(joins("NeverRunsInit"), ["default"]);
        assert_eq!(joins("InitCommand"), ["prod"]);
        assert_eq!(joins("InitSetsNothing"), ["default"]);
        assert_eq!(joins("InitSources"), ["(unknown)"]);
        assert_eq!(joins("ScriptThenInit"), ["prod"]);
        assert_eq!(joins("BothSet"), ["(unknown)"]);
    }
}
