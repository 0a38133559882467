//! Built-in functions of the rule language and the reference operators, over the graph.
//! The AWS knowledge they need lives in `helpers/`; this file only finds the inputs.

use std::borrow::Cow;
use std::rc::Rc;

use crate::engine::helpers::{arch, arn, iam, userdata};
use crate::engine::value::{Ctx, V, Val};
use crate::graph::{EdgeKind, names};
use crate::node::Node;

type Vals<'g> = Vec<Val<'g>>;

/// `x => Type`: the resources a value refers to (by reference, or by literal name or ARN).
pub fn follow<'g>(ctx: &Ctx<'g>, v: Val<'g>, ty: Option<&str>) -> Vals<'g> {
    let matches = |r: usize| ty.is_none_or(|t| ctx.graph.resources[r].rtype == t);
    match &v.v {
        V::Resource(r) => {
            if matches(*r) { vec![v] } else { vec![Val::absent()] }
        }
        V::Str(s, _) => {
            let name = names::name_in_reference(s);
            let found: Vals<'g> = ctx
                .graph
                .named(name)
                .iter()
                .filter(|&&r| matches(r))
                .filter_map(|&r| ctx.resource_val(r, ctx.graph.resources[r].id_span.clone(), &v.facts))
                .collect();
            if found.is_empty() {
                // A name or ARN of something outside this file: we cannot see it.
                vec![Val { facts: v.facts.clone(), ..Val::unknown("defined outside this file") }]
            } else {
                found
            }
        }
        V::Text(_, holes) => {
            let found: Vals<'g> = holes.iter().filter(|h| matches!(h.v, V::Resource(r) if matches(r))).cloned().collect();
            if found.is_empty() { vec![Val::unknown("computed at deploy time")] } else { found }
        }
        V::Absent | V::Unknown(_) => vec![v],
        _ => vec![Val::absent()],
    }
}

/// `x <= Type.Path`: the resources of `Type` whose `Path` refers to `x`.
pub fn referrers<'g>(ctx: &Ctx<'g>, v: Val<'g>, ty: Option<&str>, path: Option<&str>) -> Vals<'g> {
    let V::Resource(target) = v.v else {
        return vec![if v.is_unknown() { v } else { Val::absent() }];
    };
    let mut out = Vec::new();
    for e in ctx.graph.edges_to(target) {
        if matches!(e.kind, EdgeKind::DependsOn) {
            continue;
        }
        let from = &ctx.graph.resources[e.from];
        if ty.is_some_and(|t| from.rtype != t) || path.is_some_and(|p| !path_matches(p, &e.path)) {
            continue;
        }
        if out.iter().any(|x: &Val<'g>| matches!(x.v, V::Resource(r) if r == e.from)) {
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
                let Some(close) = s.iter().position(|&c| c == b']') else { return false };
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
        "count" => {
            let a = arg(0);
            if a.iter().any(Val::is_unknown) {
                return vec![Val::unknown("count of unknown values")];
            }
            let n = a.iter().filter(|v| !v.is_absent()).count();
            vec![Val::new(V::Str(Cow::Owned(n.to_string()), true))]
        }
        "list" => {
            let items: Vals<'g> = args.into_iter().flatten().flat_map(flatten).filter(|v| !v.is_absent()).collect();
            vec![Val::new(V::List(Rc::new(items)))]
        }
        "minus" => vec![minus(ctx, &arg(0), &arg(1))],
        "join" => {
            let sep = arg(1).first().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            let items: Vec<String> = arg(0).iter().flat_map(|v| flatten(v.clone())).map(|v| ctx.display(&v)).collect();
            vec![Val::str(items.join(&sep))]
        }
        "lower" | "upper" => map_str(arg(0), |s| if name == "lower" { s.to_lowercase() } else { s.to_uppercase() }),
        "json" => arg(0).into_iter().map(|v| json(ctx, v)).collect(),
        "iam_allows" => {
            let action = arg(1).first().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            let resource = args.get(2).and_then(|r| r.first()).and_then(|v| v.as_str().map(String::from));
            arg(0).into_iter().map(|p| iam_allows(ctx, p, &action, resource.as_deref())).collect()
        }
        "instance_arch" => arg(0).into_iter().map(|v| arch_val(v.clone(), v.as_str().and_then(arch::instance_arch))).collect(),
        "image_arch" => arg(0).into_iter().map(|v| image_arch(ctx, v)).collect(),
        "user_data" => arg(0).into_iter().flat_map(|v| user_data(ctx, v)).collect(),
        "ecs_cluster" => arg(0).into_iter().flat_map(|v| ecs_cluster(ctx, v)).collect(),
        "subnet_egress" => arg(0).into_iter().flat_map(|v| subnet_egress(ctx, v)).collect(),
        "vpc_of" => arg(0)
            .into_iter()
            .flat_map(|v| field(ctx, &v, "VpcId").into_iter().flat_map(|x| follow(ctx, x, Some("AWS::EC2::VPC"))).collect::<Vec<_>>())
            .collect(),
        "vpc_endpoints" => arg(0).into_iter().flat_map(|v| vpc_endpoints(ctx, v)).collect(),
        "arn_service" => arg(0).into_iter().map(|v| arn_service(ctx, v)).collect(),
        _ => vec![Val::unknown("no such function")],
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
        let facts = vals.iter().find(|v| !v.is_absent() && !v.is_unknown()).map(|v| v.facts.clone()).unwrap_or_default();
        return Val { facts, ..Val::bool(true) };
    }
    if vals.iter().any(Val::is_unknown) { Val::unknown("unknown") } else { Val::bool(false) }
}

/// The items of `a` that are definitely not in `b`; unknown when that cannot be told.
fn minus<'g>(ctx: &Ctx<'g>, a: &Vals<'g>, b: &Vals<'g>) -> Val<'g> {
    let a: Vals<'g> = a.iter().cloned().flat_map(flatten).filter(|v| !v.is_absent()).collect();
    let b: Vals<'g> = b.iter().cloned().flat_map(flatten).filter(|v| !v.is_absent()).collect();
    if a.iter().chain(&b).any(|v| v.is_unknown() || matches!(v.v, V::Text(..))) {
        return Val::unknown("a set known only at deploy time");
    }
    let eval = |x: &Val<'g>, y: &Val<'g>| x.as_str().is_some() && x.as_str() == y.as_str() || ctx.display(x) == ctx.display(y);
    let rest: Vals<'g> = a.into_iter().filter(|x| !b.iter().any(|y| eval(x, y))).collect();
    Val::new(V::List(Rc::new(rest)))
}

fn map_str<'g>(vals: Vals<'g>, f: impl Fn(&str) -> String) -> Vals<'g> {
    vals.into_iter()
        .map(|v| match &v.v {
            V::Str(s, p) => Val { v: V::Str(Cow::Owned(f(s)), *p), ..v.clone() },
            _ => v,
        })
        .collect()
}

/// A property of a resource value (or of a structured value), resolved.
pub fn field<'g>(ctx: &Ctx<'g>, v: &Val<'g>, key: &str) -> Vals<'g> {
    let node = match &v.v {
        V::Resource(r) => ctx.graph.resources[*r].properties.as_ref().and_then(|p| p.get(key)),
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
    let from_keys = v.keys.as_ref().and_then(|k| k.iter().find_map(|k| arch::arch_word(k)));
    let found = match &v.v {
        V::Str(s, _) => arch::image_arch(s).or(from_keys),
        V::Resource(r) => match ctx.graph.resources[*r].rtype.as_str() {
            "Data::SSM::Parameter" => field(ctx, &v, "Name").first().and_then(|n| n.as_str().and_then(arch::image_arch)),
            "Data::EC2::Image" => ["Architecture", "NameRegex", "Name"]
                .iter()
                .flat_map(|k| field(ctx, &v, k))
                .find_map(|n| n.as_str().and_then(|s| arch::arch_word(s).or_else(|| arch::image_name_arch(s)))),
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
            Val { v: V::Node(node), ..v }
        }
        Err(_) => Val { v: V::Unknown("not JSON until deployed".into()), ..v },
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
fn iam_allows<'g>(ctx: &Ctx<'g>, principal: Val<'g>, action: &str, resource: Option<&str>) -> Val<'g> {
    let facts = principal.facts.clone();
    let decision = match &principal.v {
        V::Absent => iam::Decision::NotAllowed,
        V::Resource(r) if ctx.graph.resources[*r].rtype == "AWS::IAM::Role" => {
            let docs = role_policies(ctx, &principal, *r);
            evaluate(&docs, action, resource)
        }
        V::Resource(_) => {
            let docs: Vals<'g> = field(ctx, &principal, "PolicyDocument").into_iter().map(|d| json(ctx, d)).collect();
            if docs.iter().all(Val::is_absent) {
                iam::Decision::Allowed // no policy: a VPC endpoint allows everything
            } else {
                evaluate(&docs, action, resource)
            }
        }
        V::Node(_) => evaluate(&[principal.clone()], action, resource),
        _ => iam::Decision::Unknown,
    };
    let v = match decision {
        iam::Decision::Allowed => V::Bool(true),
        iam::Decision::NotAllowed | iam::Decision::ExplicitlyDenied => V::Bool(false),
        iam::Decision::Unknown => V::Unknown("policy not visible".into()),
    };
    Val { facts, ..Val::new(v) }
}

fn role_policies<'g>(ctx: &Ctx<'g>, role: &Val<'g>, r: usize) -> Vals<'g> {
    let mut docs: Vals<'g> = Vec::new();
    for p in field(ctx, role, "Policies").into_iter().flat_map(|p| items(ctx, p)) {
        docs.extend(field(ctx, &p, "PolicyDocument").into_iter().map(|d| json(ctx, d)));
    }
    for arn in field(ctx, role, "ManagedPolicyArns").into_iter().flat_map(|m| items(ctx, m)) {
        match &arn.v {
            V::Resource(m) if ctx.graph.resources[*m].rtype == "AWS::IAM::ManagedPolicy" => {
                docs.extend(field(ctx, &arn, "PolicyDocument").into_iter().map(|d| json(ctx, d)));
            }
            _ => docs.push(arn),
        }
    }
    for e in ctx.graph.edges_to(r) {
        let from = &ctx.graph.resources[e.from];
        if matches!(from.rtype.as_str(), "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") && e.path.starts_with("Roles") {
            let p = Val { owner: Some(e.from), ..Val::new(V::Resource(e.from)) };
            docs.extend(field(ctx, &p, "PolicyDocument").into_iter().map(|d| json(ctx, d)));
        }
    }
    docs
}

/// The items of a list value (a `Node` sequence), each resolved.
fn items<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Vals<'g> {
    match &v.v {
        V::Node(n) if !n.items().is_empty() || matches!(n.kind, crate::node::Kind::Seq(_)) => {
            n.items().iter().flat_map(|i| ctx.resolve(i, v.owner, &v.facts)).collect()
        }
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
            V::Text(t, _) if t.starts_with("arn:") && t.contains(":iam::aws:policy/") => iam::PolicySource::Managed(t),
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
            field(ctx, &spec, "LaunchTemplateData").into_iter().flat_map(|d| field(ctx, &d, "UserData")).collect()
        }
        V::Resource(_) => field(ctx, &spec, "UserData"),
        _ => vec![spec.clone()],
    };
    data.into_iter()
        .map(|d| match &d.v {
            V::Str(s, _) => match userdata::decode_base64_text(s) {
                Some(text) => Val { v: V::Str(Cow::Owned(text), false), ..d },
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
            out.push(Val { v: V::Unknown("user data known at deploy time".into()), ..text });
            continue;
        };
        match userdata::ecs_cluster(&s) {
            userdata::ClusterSetting::Set(value) => out.push(cluster_value(&value, &holes, &text)),
            userdata::ClusterSetting::NotSet => out.extend(init_cluster(ctx, &spec, &text)),
            userdata::ClusterSetting::Unknown(why) => out.push(Val { v: V::Unknown(why.into()), ..text }),
        }
    }
    out
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
        Some(h) => return Val { span: at.span.clone(), owner: at.owner, facts: h.facts.merge(&at.facts).unwrap_or_default(), ..h.clone() },
        None if value.contains('\u{E000}') => V::Unknown("cluster name built at deploy time".into()),
        None => V::Str(Cow::Owned(value.to_string()), false),
    };
    Val { v, ..at.clone() }
}

/// `ECS_CLUSTER` written to /etc/ecs/ecs.config by `AWS::CloudFormation::Init` metadata;
/// `default` when there is none.
fn init_cluster<'g>(ctx: &Ctx<'g>, spec: &Val<'g>, at: &Val<'g>) -> Vals<'g> {
    let init = match spec.v {
        V::Resource(r) => ctx.graph.resources[r].metadata.as_ref().and_then(|m| m.get("AWS::CloudFormation::Init")).map(|i| (r, i)),
        _ => None,
    };
    let mut files = Vec::new();
    if let Some((_, init)) = init {
        collect_files(init, &mut files);
    }
    let owner = init.map(|(r, _)| r);
    for content in files {
        for v in ctx.resolve(content, owner, &at.facts) {
            let Some((text, holes)) = text_of(&v) else {
                return vec![Val { v: V::Unknown("ecs.config content known at deploy time".into()), ..at.clone() }];
            };
            match userdata::ecs_cluster(&text) {
                userdata::ClusterSetting::Set(value) => return vec![cluster_value(&value, &holes, at)],
                userdata::ClusterSetting::Unknown(why) => return vec![Val { v: V::Unknown(why.into()), ..at.clone() }],
                userdata::ClusterSetting::NotSet => {}
            }
        }
    }
    vec![Val { v: V::Str(Cow::Borrowed("default"), false), ..at.clone() }]
}

/// The `content` of every `files` entry for /etc/ecs/ecs.config under a cfn-init block.
fn collect_files<'g>(node: &'g Node, out: &mut Vec<&'g Node>) {
    for e in node.entries() {
        if e.key == "files" {
            for f in e.value.entries() {
                if f.key.ends_with("ecs.config") {
                    if let Some(c) = f.value.get("content") {
                        out.push(c);
                    }
                }
            }
        } else {
            collect_files(&e.value, out);
        }
    }
}

/// Where a subnet's default route goes: `internet`, `nat` or `none`.
fn subnet_egress<'g>(ctx: &Ctx<'g>, subnet: Val<'g>) -> Vals<'g> {
    let V::Resource(s) = subnet.v else {
        return vec![Val { v: if subnet.is_absent() { V::Absent } else { V::Unknown("subnet outside this file".into()) }, ..subnet }];
    };
    let assocs = referrers(ctx, subnet.clone(), Some("AWS::EC2::SubnetRouteTableAssociation"), Some("SubnetId"));
    if assocs.iter().all(Val::is_absent) || assocs.is_empty() {
        // The main route table: not declared in the template, so not known here.
        return vec![Val { v: V::Unknown("subnet uses the main route table".into()), ..subnet }];
    }
    let mut out = Vec::new();
    for a in assocs {
        for table in field(ctx, &a, "RouteTableId").into_iter().flat_map(|t| follow(ctx, t, Some("AWS::EC2::RouteTable"))) {
            let verdict = match &table.v {
                V::Resource(_) => route_table_egress(ctx, &table),
                _ => V::Unknown("route table outside this file".into()),
            };
            out.push(Val { v: verdict, span: subnet.span.clone(), owner: Some(s), facts: table.facts.clone(), keys: None });
        }
    }
    out
}

fn route_table_egress<'g>(ctx: &Ctx<'g>, table: &Val<'g>) -> V<'g> {
    let routes = referrers(ctx, table.clone(), Some("AWS::EC2::Route"), Some("RouteTableId"));
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
            let nat = field(ctx, route, "NatGatewayId").into_iter().flat_map(|n| follow(ctx, n, Some("AWS::EC2::NatGateway"))).next();
            let private = nat.as_ref().is_some_and(|n| field(ctx, n, "ConnectivityType").iter().any(|c| c.as_str() == Some("private")));
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
        return vec![Val { v: if vpc.is_absent() { V::Absent } else { V::Unknown("VPC outside this file".into()) }, ..vpc }];
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
                Val { v, span: e.span.clone(), owner: e.owner, facts: e.facts.clone(), keys: None }
            })
        })
        .collect()
}

/// `com.amazonaws.us-east-1.ecr.dkr` (or with the region as a hole) → `ecr.dkr`.
fn service_suffix(name: &str) -> Option<String> {
    let rest = name.strip_prefix("cn.").unwrap_or(name).strip_prefix("com.amazonaws.")?;
    let (_, svc) = rest.split_once('.')?;
    Some(svc.to_string())
}

fn arn_service<'g>(ctx: &Ctx<'g>, v: Val<'g>) -> Val<'g> {
    let service: Option<String> = match &v.v {
        V::Str(s, _) => arn::arn_service(s).map(String::from),
        V::Text(t, _) => arn::arn_service(t).filter(|s| !s.contains('\u{E000}')).map(String::from),
        V::Resource(r) => {
            let rtype = &ctx.graph.resources[*r].rtype;
            rtype.strip_prefix("AWS::").and_then(|t| t.split("::").next()).map(str::to_lowercase)
        }
        _ => None,
    };
    match service {
        Some(s) => Val { v: V::Str(Cow::Owned(s), false), ..v },
        None if v.is_absent() => v,
        None => Val { v: V::Unknown("not an ARN".into()), ..v },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_paths_match_patterns_with_wildcards() {
        assert!(path_matches("Strategy[*].CapacityProvider", "Strategy[0].CapacityProvider"));
        assert!(path_matches("Strategy[*].CapacityProvider", "Strategy[12].CapacityProvider"));
        assert!(!path_matches("Strategy[*].CapacityProvider", "Strategy[0].Base"));
        assert!(path_matches("Cluster", "Cluster"));
        assert!(!path_matches("Cluster", "ClusterName"));
    }

    #[test]
    fn endpoint_service_suffixes() {
        assert_eq!(service_suffix("com.amazonaws.us-east-1.ecr.dkr").as_deref(), Some("ecr.dkr"));
        assert_eq!(service_suffix("com.amazonaws.\u{E000}0\u{E001}.s3").as_deref(), Some("s3"));
        assert_eq!(service_suffix("cn.com.amazonaws.cn-north-1.ecr.api").as_deref(), Some("ecr.api"));
        assert_eq!(service_suffix("something-else"), None);
    }
}
