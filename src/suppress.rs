//! Turning findings off: per resource in the template, and per run.
//!
//! ```yaml
//! Service:
//!   Type: AWS::ECS::Service
//!   Metadata:
//!     ecslint:
//!       ignore: [ECS002]        # or a single code; `all` silences every rule here
//! ```
//! A finding is silenced by the metadata of the resource it points at.

use crate::config::PerFileIgnores;
use crate::finding::Finding;
use crate::graph::Graph;
use crate::node::Node;

/// Which codes a run reports: `select` (empty: all) minus `ignore`.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Codes ignored in some files (`[per-file-ignores]` of `.ecslint.toml`).
    pub per_file: PerFileIgnores,
}

impl Selection {
    pub fn wants(&self, code: &str) -> bool {
        let listed = |list: &[String]| list.iter().any(|c| matches_code(c, code));
        (self.select.is_empty() || listed(&self.select)) && !listed(&self.ignore)
    }
}

/// `ECS00` selects ECS001..ECS009, like a code prefix in ruff.
fn matches_code(pattern: &str, code: &str) -> bool {
    let p = pattern.trim();
    !p.is_empty()
        && (p.eq_ignore_ascii_case("all")
            || code
                .to_ascii_uppercase()
                .starts_with(&p.to_ascii_uppercase()))
}

impl Selection {
    /// The selectors that name no rule of `codes` (a typo, or an empty one from a trailing
    /// comma): ruff refuses those rather than silently selecting nothing or everything.
    pub fn unknown_selectors<'a>(&'a self, codes: &[&str]) -> Vec<&'a str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|p| !codes.iter().any(|c| matches_code(p, c)))
            .collect()
    }
}

/// Drops the findings that the run's selection or the resources' metadata silence.
pub fn apply(graph: &Graph, findings: Vec<Finding>, selection: &Selection) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| {
            let in_file = selection.per_file.for_path(&f.source.path);
            selection.wants(&f.code)
                && !in_file.iter().any(|c| matches_code(c, &f.code))
                && !silenced_by_metadata(graph, f)
        })
        .collect()
}

fn silenced_by_metadata(graph: &Graph, f: &Finding) -> bool {
    let Some(r) = graph.resource(&f.resource) else {
        return false;
    };
    let Some(ignore) = graph.resources[r]
        .metadata
        .as_ref()
        .and_then(|m| m.get("ecslint"))
        .and_then(|e| e.get("ignore"))
    else {
        return false;
    };
    std::iter::once(ignore)
        .chain(ignore.items())
        .filter_map(Node::as_str)
        .any(|c| matches_code(c, &f.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_code_and_prefix() {
        let s = Selection {
            select: vec!["ECS00".into()],
            ignore: vec!["ECS002".into()],
            ..Selection::default()
        };
        assert!(s.wants("ECS001"));
        assert!(!s.wants("ECS002"));
        assert!(!s.wants("ECS010"));
        assert!(Selection::default().wants("ECS010"));
    }
}
