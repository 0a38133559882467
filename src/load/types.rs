//! Misspelt resource types. A resource of an unknown type is invisible to every rule, so
//! `AWS::ECS::Servce` would otherwise end as "No problems found". Only the namespaces the
//! rules follow are checked, against the list in `resource-types.txt`; a type is reported
//! only when it is close to a known one, so a type newer than the list stays quiet.

use crate::graph::Graph;
use crate::load::{Problem, UNKNOWN_TYPE};

const KNOWN: &str = include_str!("resource-types.txt");

/// The namespaces whose types are all listed in `resource-types.txt`.
const NAMESPACES: &[&str] = &[
    "AWS::AutoScaling::",
    "AWS::EC2::",
    "AWS::ECS::",
    "AWS::ElasticLoadBalancingV2::",
    "AWS::IAM::",
];

fn known() -> impl Iterator<Item = &'static str> {
    KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A warning for each resource whose type is in a checked namespace (in any letter case), is
/// not a known type, and is a few edits from one.
pub fn check(graph: &Graph) -> Vec<Problem> {
    graph
        .resources
        .iter()
        .filter_map(|r| {
            let suggestion = suggest(&r.rtype)?;
            Some(
                Problem::warning(
                    UNKNOWN_TYPE,
                    format!(
                        "unknown resource type `{}` on {}: did you mean `{suggestion}`? No rule checks a resource of an unknown type",
                        r.rtype, r.id
                    ),
                    r.type_span.clone(),
                )
                .on_resource(&r.id)
                .with_help(format!("Write `Type: {suggestion}`; CloudFormation refuses a template with a resource type it does not know.")),
            )
        })
        .collect()
}

/// The known type closest to `rtype`, when `rtype` is unknown, in a checked namespace, and
/// close enough to be a typo: at most a quarter of the name after the namespace (1 to 3
/// edits) away.
pub fn suggest(rtype: &str) -> Option<&'static str> {
    let namespace = NAMESPACES.iter().find(|ns| {
        rtype
            .get(..ns.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(ns))
    })?;
    if known().any(|k| k == rtype) {
        return None;
    }
    // The namespace's letter case is a mistake of its own, not counted against the name.
    let name = &rtype[namespace.len()..];
    let normalized = format!("{namespace}{name}");
    let limit = (name.chars().count() / 4).clamp(1, 3);
    known()
        .map(|k| (distance(&normalized, k), k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_in_checked_namespaces_get_a_suggestion() {
        assert_eq!(suggest("AWS::ECS::Servce"), Some("AWS::ECS::Service"));
        assert_eq!(suggest("AWS::ECS::Clustr"), Some("AWS::ECS::Cluster"));
        assert_eq!(suggest("AWS::Ecs::Service"), Some("AWS::ECS::Service"));
        assert_eq!(
            suggest("AWS::ECS::TaskDefiniton"),
            Some("AWS::ECS::TaskDefinition")
        );
        assert_eq!(
            suggest("AWS::AutoScaling::AutoscalingGroup"),
            Some("AWS::AutoScaling::AutoScalingGroup")
        );
    }

    #[test]
    fn known_far_and_other_namespaces_stay_quiet() {
        for t in [
            "AWS::ECS::Service",
            "AWS::EC2::LaunchTemplate",
            "AWS::ECS::SomethingNew",
            // A real type one edit from AWS::ECS::Cluster, in a namespace not checked.
            "AWS::EKS::Cluster",
            "AWS::S3::Bucket",
            "Custom::Servce",
            "",
        ] {
            assert_eq!(suggest(t), None, "{t}");
        }
    }

    #[test]
    fn the_list_has_its_source_and_every_namespace() {
        assert!(KNOWN.contains("Source: the CloudFormation resource specification"));
        for ns in NAMESPACES {
            assert!(known().filter(|k| k.starts_with(ns)).count() >= 6, "{ns}");
        }
        assert!(known().all(|k| NAMESPACES.iter().any(|ns| k.starts_with(ns))));
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("한국", "한국어"), 1);
    }
}
