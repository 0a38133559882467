//! Turning findings off: per run (`--select`, `--ignore`, per-file ignores), and where a
//! finding is, with an optional reason:
//!
//! ```yaml
//! # ecslint: ignore-file[ECS007] tasks are started by a scheduler that retries
//! Service:
//!   Type: AWS::ECS::Service
//!   Metadata:
//!     ecslint:
//!       ignore: [ECS002, {rule: ECS005, reason: "the cluster is set by the AMI"}]
//!   Properties:
//!     # ecslint: ignore[ECS002] exec is needed here; tasks were checked to start
//!     EnableExecuteCommand: true
//! ```
//!
//! - a comment `# ecslint: ignore[CODES] reason` silences findings whose primary location is
//!   on its line, or, alone on its line, on the next line with content (YAML only);
//! - `# ecslint: ignore-file[CODES] reason` before the first line of the template, or
//!   `Metadata: {ecslint: {ignore: [...]}}` at the top of the template, silences the file;
//! - `Metadata: {ecslint: {ignore: [...]}}` on a resource silences the findings about it;
//! - `[[ignore]]` tables of `.ecslint.toml` silence a resource by address (Terraform plans).
//!
//! CODES are codes or prefixes, comma-separated; `all` is every rule. A suppression that
//! silenced nothing, names no rule, or cannot be read is itself reported (`ECS000`, at the
//! suppression), so stale ones do not pile up and hide future findings.

use std::collections::HashSet;
use std::sync::Arc;

use crate::comments;
use crate::config::{AddressIgnore, PerFileIgnores};
use crate::finding::{FileError, Finding, Severity};
use crate::graph::{Graph, Provider};
use crate::node::{Kind, Node};
use crate::source::{SourceFile, Span};

/// The code of the findings about suppressions themselves.
pub const CODE: &str = "ECS000";
pub const SLUG: &str = "unused-suppression";
pub const SUMMARY: &str =
    "A suppression silences nothing, names a code that no rule has, or cannot be read";
pub const URL: &str = "https://github.com/ecslint/ecslint/blob/main/docs/rules/ECS000.md";

/// Which codes a run reports, and how suppressions are checked.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Codes ignored in some files (`[per-file-ignores]` of `.ecslint.toml`).
    pub per_file: PerFileIgnores,
    /// Every rule code of the run; a suppression naming none of them is reported. Empty:
    /// the codes are not known, and no suppression is reported for naming an unknown one.
    pub known: Vec<String>,
    /// `--require-reason`: a suppression without a reason is an error.
    pub require_reason: bool,
    /// `[[ignore]]` tables of the settings file.
    pub addresses: Vec<AddressIgnore>,
}

impl Selection {
    pub fn wants(&self, code: &str) -> bool {
        let listed = |list: &[String]| list.iter().any(|c| matches_code(c, code));
        (self.select.is_empty() || listed(&self.select)) && !listed(&self.ignore)
    }

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

    /// Whether `pattern` names a rule that is reported in `path` (so that a suppression of a
    /// rule turned off for the run is not called unused).
    fn enabled(&self, pattern: &str, path: &str) -> bool {
        let in_file = self.per_file.for_path(path);
        self.known.is_empty()
            || self.known.iter().any(|k| {
                matches_code(pattern, k)
                    && self.wants(k)
                    && !in_file.iter().any(|c| matches_code(c, k))
            })
    }

    fn is_known(&self, pattern: &str) -> bool {
        self.known.is_empty() || self.known.iter().any(|k| matches_code(pattern, k))
    }
}

/// `ECS00` selects ECS001..ECS009, like a code prefix in ruff.
pub fn matches_code(pattern: &str, code: &str) -> bool {
    let p = pattern.trim();
    !p.is_empty()
        && (p.eq_ignore_ascii_case("all")
            || code
                .to_ascii_uppercase()
                .starts_with(&p.to_ascii_uppercase()))
}

/// What suppression made of one file's findings.
#[derive(Default)]
pub struct Applied {
    /// The findings left, and the reports about the file's suppressions.
    pub findings: Vec<Finding>,
    /// Suppressions without a reason under `--require-reason`.
    pub errors: Vec<FileError>,
    /// `(table, rule)` indexes of `Selection::addresses` that silenced a finding.
    pub used_addresses: HashSet<(usize, usize)>,
    /// Indexes of `Selection::addresses` whose address is a resource of this file.
    pub present_addresses: HashSet<usize>,
}

/// Where a suppression applies.
#[derive(Debug, PartialEq)]
enum Scope {
    Line(usize),
    File,
    Resource(String),
}

/// One suppression written in the file.
#[derive(Debug)]
struct Directive {
    codes: Vec<String>,
    reason: Option<String>,
    scope: Scope,
    /// Where it is written: the comment, or the Metadata node.
    span: Span,
    used: Vec<bool>,
}

impl Directive {
    fn new(codes: Vec<String>, reason: Option<String>, scope: Scope, span: Span) -> Directive {
        let used = vec![false; codes.len()];
        Directive {
            codes,
            reason: reason.filter(|r| !r.trim().is_empty()),
            scope,
            span,
            used,
        }
    }

    fn covers(&self, line: usize, resource: &str) -> bool {
        match &self.scope {
            Scope::Line(l) => *l == line,
            Scope::File => true,
            Scope::Resource(r) => r == resource,
        }
    }
}

/// Drops the findings that the run's selection or a suppression silences, and reports the
/// file's suppressions that silenced nothing.
pub fn apply(graph: &Graph, findings: Vec<Finding>, selection: &Selection) -> Applied {
    let source = &graph.source;
    let (mut directives, invalid) = directives(graph);
    let mut out = Applied::default();
    for (i, a) in selection.addresses.iter().enumerate() {
        if graph
            .resources
            .iter()
            .any(|r| matches_address(&a.address, &r.id))
        {
            out.present_addresses.insert(i);
        }
    }
    let in_file = selection.per_file.for_path(&source.path);
    for f in findings {
        if !selection.wants(&f.code) || in_file.iter().any(|c| matches_code(c, &f.code)) {
            continue;
        }
        let line = f.source.line_col(f.span.start).0;
        let mut silenced = false;
        for d in directives
            .iter_mut()
            .filter(|d| d.covers(line, &f.resource))
        {
            for (code, used) in d.codes.iter().zip(&mut d.used) {
                if matches_code(code, &f.code) {
                    *used = true;
                    silenced = true;
                }
            }
        }
        for (i, a) in selection.addresses.iter().enumerate() {
            if matches_address(&a.address, &f.resource) {
                for (j, code) in a.rules.iter().enumerate() {
                    if matches_code(code, &f.code) {
                        out.used_addresses.insert((i, j));
                        silenced = true;
                    }
                }
            }
        }
        if !silenced {
            out.findings.push(f);
        }
    }
    let report = selection.wants(CODE) && !in_file.iter().any(|c| matches_code(c, CODE));
    for d in &directives {
        if selection.require_reason && d.reason.is_none() {
            out.errors
                .push(missing_reason(source, d.span.clone(), &d.codes));
        }
        let unknown: Vec<&str> = d
            .codes
            .iter()
            .filter(|c| !selection.is_known(c))
            .map(String::as_str)
            .collect();
        let unused: Vec<&str> = d
            .codes
            .iter()
            .zip(&d.used)
            .filter(|(c, used)| {
                !**used && selection.is_known(c) && selection.enabled(c, &source.path)
            })
            .map(|(c, _)| c.as_str())
            .collect();
        if report && !(unknown.is_empty() && unused.is_empty()) {
            let resource = match &d.scope {
                Scope::Resource(r) => r.clone(),
                _ => String::new(),
            };
            out.findings.push(unused_report(
                source,
                d.span.clone(),
                resource,
                &unused,
                &unknown,
            ));
        }
    }
    if report {
        out.findings.extend(invalid);
    }
    out
}

/// Reports the `[[ignore]]` tables of the settings file that silenced nothing in a run,
/// after every file's `apply`. A table is called unused only when some linted file has its
/// resource: a run over other files cannot tell.
pub fn address_reports(
    selection: &Selection,
    used: &HashSet<(usize, usize)>,
    present: &HashSet<usize>,
) -> (Vec<Finding>, Vec<FileError>) {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for (i, a) in selection.addresses.iter().enumerate() {
        let Some(source) = &a.source else { continue };
        if selection.require_reason && a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            errors.push(missing_reason(source, a.span.clone(), &a.rules));
        }
        if !selection.wants(CODE) {
            continue;
        }
        let unknown: Vec<&str> = a
            .rules
            .iter()
            .filter(|c| !selection.is_known(c))
            .map(String::as_str)
            .collect();
        let unused: Vec<&str> = a
            .rules
            .iter()
            .enumerate()
            .filter(|(j, c)| {
                present.contains(&i)
                    && !used.contains(&(i, *j))
                    && selection.is_known(c)
                    && selection
                        .known
                        .iter()
                        .any(|k| matches_code(c, k) && selection.wants(k))
            })
            .map(|(_, c)| c.as_str())
            .collect();
        if !(unknown.is_empty() && unused.is_empty()) {
            findings.push(unused_report(
                source,
                a.span.clone(),
                a.address.clone(),
                &unused,
                &unknown,
            ));
        }
    }
    (findings, errors)
}

/// `module.app.aws_ecs_service.web` names the resource and its instances (`web[0]`,
/// `web["blue"]`).
fn matches_address(pattern: &str, id: &str) -> bool {
    id == pattern
        || id
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('['))
}

/// The file's suppressions, and reports about the ones that cannot be read.
fn directives(graph: &Graph) -> (Vec<Directive>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut invalid = Vec::new();
    let text = &graph.source.text;
    // Every form mentions `ecslint` (or is a `noqa` to point at the right form); most files
    // need no second look.
    if !text.contains("ecslint") && !text.contains("noqa") {
        return (out, invalid);
    }
    for r in &graph.resources {
        if let Some(ignore) = ecslint_ignore(r.metadata.as_ref()) {
            let scope = || Scope::Resource(r.id.clone());
            metadata_directives(graph, ignore, &scope, &r.id, &mut out, &mut invalid);
        }
    }
    if graph.provider == Provider::CloudFormation {
        let root = reparse(&graph.source);
        if let Some(ignore) = ecslint_ignore(root.as_ref().and_then(|r| r.get("Metadata"))) {
            metadata_directives(graph, ignore, &|| Scope::File, "", &mut out, &mut invalid);
        }
        if !looks_like_json(text) {
            comment_directives(graph, &mut out, &mut invalid);
        }
    }
    (out, invalid)
}

fn ecslint_ignore(metadata: Option<&Node>) -> Option<&Node> {
    metadata?.get("ecslint")?.get("ignore")
}

/// The loaded graph keeps no template-level `Metadata`: read the tree again (only for files
/// that mention `ecslint`). A file that loaded once parses again.
fn reparse(source: &SourceFile) -> Option<Node> {
    if looks_like_json(&source.text)
        && let Ok(p) = crate::load::json::parse(&source.text)
    {
        return Some(p.root);
    }
    crate::load::yaml::parse(source).ok().map(|p| p.root)
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{') | Some('['))
}

/// `ignore: ECS002`, `ignore: [ECS002, {rule: ECS003, reason: "..."}]`.
fn metadata_directives(
    graph: &Graph,
    ignore: &Node,
    scope: &dyn Fn() -> Scope,
    resource: &str,
    out: &mut Vec<Directive>,
    invalid: &mut Vec<Finding>,
) {
    let items: Vec<&Node> = match &ignore.kind {
        Kind::Seq(items) => items.iter().collect(),
        _ => vec![ignore],
    };
    for item in items {
        let parsed = match (item.as_str(), item.get("rule").and_then(Node::as_str)) {
            (Some(code), _) => Some((code.to_string(), None)),
            (None, Some(rule))
                if item
                    .entries()
                    .iter()
                    .all(|e| e.key == "rule" || e.key == "reason") =>
            {
                let reason = item
                    .get("reason")
                    .and_then(Node::as_str)
                    .map(str::to_string);
                Some((rule.to_string(), reason))
            }
            _ => None,
        };
        match parsed {
            Some((code, reason)) => out.push(Directive::new(
                vec![code],
                reason,
                scope(),
                item.span.clone(),
            )),
            None => invalid.push(report(
                &graph.source,
                item.span.clone(),
                resource.to_string(),
                "Unreadable suppression: expected a rule code or `{rule: CODE, reason: \"...\"}`"
                    .to_string(),
                "Write `ignore: [ECS002]` or `ignore: [{rule: ECS002, reason: \"why\"}]`.",
            )),
        }
    }
}

/// `# ecslint: ignore[ECS002,ECS003] reason` and `# ecslint: ignore-file[ECS007] reason`.
fn comment_directives(graph: &Graph, out: &mut Vec<Directive>, invalid: &mut Vec<Finding>) {
    let scan = comments::scan(&graph.source.text);
    for c in &scan.comments {
        let Some(rest) = c.text.trim_start().strip_prefix("ecslint:") else {
            if is_noqa_for_ecslint(&c.text) {
                invalid.push(report(
                    &graph.source,
                    c.span.clone(),
                    String::new(),
                    "`noqa` comments are not read by ecslint".to_string(),
                    "Write `# ecslint: ignore[ECS002] reason` (the codes in brackets, then why).",
                ));
            }
            continue;
        };
        let before_content = scan.first_content_line.is_none_or(|l| c.line < l);
        match parse_comment(rest) {
            Ok((true, _, _)) if !before_content => invalid.push(report(
                &graph.source,
                c.span.clone(),
                String::new(),
                "`ecslint: ignore-file` is ignored here: it must come before the first line of the template".to_string(),
                "Move the comment to the top of the file, or use `ecslint: ignore[...]` on the line of the finding.",
            )),
            Ok((true, codes, reason)) => out.push(Directive::new(codes, reason, Scope::File, c.span.clone())),
            Ok((false, codes, reason)) => {
                // A comment with nothing after it applies to no line; it stays unused.
                let line = c.target.unwrap_or(0);
                out.push(Directive::new(codes, reason, Scope::Line(line), c.span.clone()));
            }
            Err(()) => invalid.push(report(
                &graph.source,
                c.span.clone(),
                String::new(),
                "Unreadable suppression comment: expected `# ecslint: ignore[CODES] reason` or `# ecslint: ignore-file[CODES] reason`".to_string(),
                "Name the codes in brackets, comma-separated: `# ecslint: ignore[ECS002] why`.",
            )),
        }
    }
}

/// `# noqa: ECS002`, as ruff and flake8 users write: a suppression meant for ecslint (it
/// names an `ECS` code) in a form that ecslint does not read.
fn is_noqa_for_ecslint(text: &str) -> bool {
    let t = text.trim_start();
    t.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("noqa"))
        && t.match_indices("ECS")
            .any(|(i, _)| t[i + 3..].starts_with(|c: char| c.is_ascii_digit()))
}

/// `ignore[ECS002, ECS003] reason` → (whole file?, codes, reason).
fn parse_comment(rest: &str) -> Result<(bool, Vec<String>, Option<String>), ()> {
    let rest = rest.trim_start();
    let (file, rest) = match rest.strip_prefix("ignore-file") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix("ignore").ok_or(())?),
    };
    let inner = rest.trim_start().strip_prefix('[').ok_or(())?;
    let close = inner.find(']').ok_or(())?;
    let codes: Vec<String> = inner[..close]
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    if codes
        .iter()
        .any(|c| c.is_empty() || c.contains(char::is_whitespace))
    {
        return Err(());
    }
    let reason = inner[close + 1..].trim();
    Ok((
        file,
        codes,
        (!reason.is_empty()).then(|| reason.to_string()),
    ))
}

fn backticked(codes: &[&str]) -> String {
    codes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unused_report(
    source: &Arc<SourceFile>,
    span: Span,
    resource: String,
    unused: &[&str],
    unknown: &[&str],
) -> Finding {
    let mut parts = Vec::new();
    if !unused.is_empty() {
        parts.push(format!("unused: {}", backticked(unused)));
    }
    if !unknown.is_empty() {
        parts.push(format!("unknown: {}", backticked(unknown)));
    }
    let help = if unknown.is_empty() {
        "Remove the suppression (or its unused codes): it silences nothing now, and would hide a new finding of that rule later."
    } else {
        "Correct or remove the unknown codes; `ecslint rules` lists the codes."
    };
    report(
        source,
        span,
        resource,
        format!("Unused suppression ({})", parts.join("; ")),
        help,
    )
}

fn report(
    source: &Arc<SourceFile>,
    span: Span,
    resource: String,
    message: String,
    help: &str,
) -> Finding {
    Finding {
        code: CODE.to_string(),
        severity: Severity::Info,
        message,
        source: source.clone(),
        span,
        resource,
        labels: Vec::new(),
        help: Some(help.to_string()),
        symptom: None,
        url: Some(URL.to_string()),
        primary_label: None,
        chain: Vec::new(),
        // The report's texts name no template property.
        provider: crate::graph::Provider::CloudFormation,
    }
}

fn missing_reason(source: &Arc<SourceFile>, span: Span, codes: &[String]) -> FileError {
    FileError {
        source: source.clone(),
        message: format!(
            "the suppression of {} gives no reason, and --require-reason is set: say why after the codes, e.g. `# ecslint: ignore[ECS002] exec is needed here`",
            codes.join(", ")
        ),
        span: Some(span),
    }
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

    #[test]
    fn comment_syntax() {
        assert_eq!(
            parse_comment(" ignore[ECS002, ECS003] exec is needed"),
            Ok((
                false,
                vec!["ECS002".into(), "ECS003".into()],
                Some("exec is needed".into())
            ))
        );
        assert_eq!(
            parse_comment(" ignore-file[ECS007]"),
            Ok((true, vec!["ECS007".into()], None))
        );
        assert_eq!(parse_comment(" ignore ECS002"), Err(()));
        assert_eq!(parse_comment(" ignore[]"), Err(()));
        assert_eq!(parse_comment(" ignore[ECS002"), Err(()));
    }

    #[test]
    fn noqa_naming_an_ecslint_code_is_recognised() {
        assert!(is_noqa_for_ecslint(" noqa: ECS002"));
        assert!(is_noqa_for_ecslint(" NOQA:ECS002,ECS003"));
        assert!(!is_noqa_for_ecslint(" noqa"));
        assert!(!is_noqa_for_ecslint(" noqa: E501"));
        assert!(!is_noqa_for_ecslint(" see ECS002"));
    }

    #[test]
    fn addresses_cover_their_instances() {
        assert!(matches_address(
            "module.a.aws_ecs_service.web",
            "module.a.aws_ecs_service.web"
        ));
        assert!(matches_address(
            "module.a.aws_ecs_service.web",
            "module.a.aws_ecs_service.web[0]"
        ));
        assert!(!matches_address(
            "module.a.aws_ecs_service.web",
            "module.a.aws_ecs_service.web2"
        ));
    }
}
