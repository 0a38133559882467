//! Misspelt resource types. A resource of an unknown type is invisible to every rule, so
//! `AWS::ECS::Servce` would otherwise end as "No problems found". In templates only the
//! namespaces the rules follow are checked, against the list in `resource-types.txt`; a type
//! is reported only when it is close to a known one, so a type newer than the list stays
//! quiet. Rule files are checked against the whole list (`dsl::check`).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::graph::Graph;
use crate::load::{NOT_EXPANDED, Problem, UNKNOWN_TYPE};
use crate::node::Node;

const KNOWN: &str = include_str!("resource-types.txt");

/// The namespaces whose template types are checked.
const NAMESPACES: &[&str] = &[
    "AWS::AutoScaling::",
    "AWS::EC2::",
    "AWS::ECS::",
    "AWS::ElasticLoadBalancingV2::",
    "AWS::IAM::",
];

/// Every CloudFormation resource type of `resource-types.txt`.
pub fn known() -> impl Iterator<Item = &'static str> {
    KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Is `rtype` a CloudFormation resource type (exactly so spelt)?
pub fn is_known(rtype: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| known().collect()).contains(rtype)
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

/// A warning for each resource written without a `Type` key (a `Type` that is a tag or a
/// function, or a resource that is a tag, is some preprocessor's and stays quiet).
pub fn untyped(root: &Node) -> Vec<Problem> {
    let Some(resources) = root.get("Resources") else {
        return Vec::new();
    };
    resources
        .entries()
        .iter()
        .filter(|e| !e.key.starts_with("Fn::ForEach::"))
        // `Name: !Rain::S3 ...`: an unknown tag, some preprocessor's resource.
        .filter(|e| !matches!(e.value.entries(), [tag] if tag.key.starts_with('!')))
        .filter(|e| e.value.get("Type").is_none_or(Node::is_null))
        .map(|e| {
            Problem::warning(
                UNKNOWN_TYPE,
                format!("{} has no `Type`: no rule checks it", e.key),
                e.key_span.clone(),
            )
            .on_resource(&e.key)
            .with_help("Give the resource a `Type` such as `AWS::ECS::Service`; CloudFormation refuses a resource without one.")
        })
        .collect()
}

/// An `info` note for each `Fn::ForEach` loop of `Resources` (CloudFormation's
/// `AWS::LanguageExtensions` transform) that generates resources of a checked namespace:
/// loops are not expanded, so those resources are not linted.
pub fn unexpanded_loops(root: &Node) -> Vec<Problem> {
    let Some(resources) = root.get("Resources") else {
        return Vec::new();
    };
    resources
        .entries()
        .iter()
        .filter(|e| e.key.starts_with("Fn::ForEach::"))
        .filter_map(|e| {
            let generated: Vec<&str> = e
                .value
                .items()
                .get(2)?
                .entries()
                .iter()
                .filter_map(|r| r.value.get("Type")?.as_str())
                .filter(|t| NAMESPACES.iter().any(|ns| t.starts_with(ns)))
                .collect();
            let first = generated.first()?;
            Some(Problem::info(
                NOT_EXPANDED,
                format!(
                    "`{}` is not expanded: the {first} resources it generates are not linted",
                    e.key
                ),
                e.key_span.clone(),
            ))
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
    if is_known(rtype) {
        return None;
    }
    // The namespace's letter case is a mistake of its own, not counted against the name.
    let name = &rtype[namespace.len()..];
    let normalized = format!("{namespace}{name}");
    nearest(&normalized, known().filter(|k| k.starts_with(namespace)))
}

/// The candidate closest to `rtype`, when close enough to be a typo of it: at most a quarter
/// of its last segment (1 to 3 edits) away, letter case not counted.
pub fn nearest<'a>(rtype: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = rtype.rsplit("::").next().unwrap_or(rtype);
    let limit = (name.chars().count() / 4).clamp(1, 3);
    let lower = rtype.to_lowercase();
    candidates
        .map(|k| (distance(&lower, &k.to_lowercase()), k))
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
        assert!(known().count() > 1500);
        assert!(is_known("AWS::S3::Bucket") && is_known("AWS::Serverless::Function"));
        assert!(!is_known("AWS::ECS::Servce") && !is_known("aws::s3::bucket"));
    }

    #[test]
    fn loops_generating_checked_types_are_noted() {
        let text = "Resources:\n  Fn::ForEach::Services:\n    - Name\n    - [a, b]\n    - Service${Name}:\n        Type: AWS::ECS::Service\n  Fn::ForEach::Buckets:\n    - Name\n    - [a]\n    - Bucket${Name}: {Type: AWS::S3::Bucket}\n";
        let src = crate::source::SourceFile::new("t.yaml", text.to_string());
        let root = crate::load::yaml::parse(&src).unwrap().root;
        let notes = unexpanded_loops(&root);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].message.contains("Fn::ForEach::Services"),
            "{}",
            notes[0].message
        );
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("한국", "한국어"), 1);
    }
}
