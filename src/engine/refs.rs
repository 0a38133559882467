//! The reference operators of the rule language: `x => Type` follows what a value refers to,
//! `x <= Type.Path` walks back to the resources that refer to it.

use crate::graph::resolve::Ctx;
use crate::graph::value::{V, Val};
use crate::graph::{EdgeKind, names};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
