//! `--format sarif`: one SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::finding::{Finding, Severity};
use crate::render::{Report, RuleInfo};
use crate::source::{SourceFile, Span};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ecslint/ecslint";

pub fn render(report: &Report, rules: &[RuleInfo]) -> String {
    // Only the rules that produced a finding, ordered by code; results point at them by index.
    let mut first_of: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in &report.findings {
        first_of.entry(f.code.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = first_of.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let descriptors: Vec<Value> = first_of
        .values()
        .map(|f| descriptor(f, rules.iter().find(|r| r.code == f.code)))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.code.as_str()).copied().unwrap_or(0)))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{ "physicalLocation": physical(&e.source, e.span.as_ref()) }],
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ecslint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            // Our columns count characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// The `reportingDescriptor` of a rule. Without a `RuleInfo` (a report built by hand), the
/// finding's own text stands in.
fn descriptor(f: &Finding, info: Option<&RuleInfo>) -> Value {
    let summary = info.map_or(f.message.as_str(), |r| r.summary);
    let fix = info.and_then(|r| r.fix).or(f.help.as_deref());
    let symptom = info.and_then(|r| r.symptom).or(f.symptom.as_deref());
    let mut full = summary.to_string();
    let mut help = Vec::new();
    if let Some(s) = symptom {
        full.push_str("\nProduction symptom: ");
        full.push_str(s);
    }
    if let Some(fix) = fix {
        help.push(format!("Fix: {fix}"));
    }
    if let Some(s) = symptom {
        help.push(format!("Prevents: {s}"));
    }
    if let Some(url) = &f.url {
        help.push(format!("Documentation: {url}"));
    }
    let mut d = Map::new();
    d.insert("id".into(), json!(f.code));
    if let Some(r) = info {
        d.insert("name".into(), json!(r.slug));
    }
    d.insert("shortDescription".into(), json!({ "text": summary }));
    d.insert("fullDescription".into(), json!({ "text": full }));
    if !help.is_empty() {
        d.insert("help".into(), json!({ "text": help.join("\n") }));
    }
    // The schema wants an absolute URI here; a custom rule's `url` header may be anything.
    if let Some(url) = f
        .url
        .as_ref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        d.insert("helpUri".into(), json!(url));
    }
    d.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(f.severity) }),
    );
    Value::Object(d)
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut location = json!({ "physicalLocation": physical(&f.source, Some(&f.span)) });
    if !f.resource.is_empty() {
        location["logicalLocations"] =
            json!([{ "fullyQualifiedName": f.resource, "kind": "resource" }]);
    }
    let related: Vec<Value> = f
        .labels
        .iter()
        .filter(|l| l.span != f.span)
        .enumerate()
        .map(|(i, l)| {
            json!({
                "id": i,
                "physicalLocation": physical(&f.source, Some(&l.span)),
                "message": { "text": l.text },
            })
        })
        .collect();
    json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [location],
        "relatedLocations": related,
        "partialFingerprints": { "ecslint/v1": fingerprint(f) },
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(source: &SourceFile, span: Option<&Span>) -> Value {
    let mut p = json!({ "artifactLocation": artifact_location(&source.path) });
    if let Some(span) = span {
        let (start_line, start_column) = source.line_col(span.start);
        let (end_line, end_column) = source.line_col(span.end);
        p["region"] = json!({
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        });
    }
    p
}

/// A relative path stays relative to the checkout (`%SRCROOT%`), as code scanning expects;
/// an absolute one becomes a `file://` URI.
fn artifact_location(path: &str) -> Value {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let is_drive = cfg!(windows)
        && path.as_bytes().get(1) == Some(&b':')
        && path.as_bytes()[0].is_ascii_alphabetic();
    if path.starts_with('/') {
        return json!({ "uri": format!("file://{}", encode(&path)) });
    }
    if is_drive {
        return json!({ "uri": format!("file:///{}", encode(&path)) });
    }
    // `./infra/a.yaml` (a walk of `.`) names the same file as `infra/a.yaml`.
    let mut rel = path.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let mut uri = encode(rel);
    // A colon before the first slash would read as a URI scheme.
    if uri
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        uri.insert_str(0, "./");
    }
    json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
}

/// Percent-encodes what may not appear in a URI path.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A hash of what identifies a problem independently of where it sits in the file, so code
/// scanning keeps tracking an alert when lines move. FNV-1a: small, and stable across Rust
/// versions, unlike `DefaultHasher`.
fn fingerprint(f: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [f.code.as_str(), f.resource.as_str(), f.message.as_str()] {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_relative_and_are_encoded() {
        assert_eq!(
            artifact_location("./infra/api stack.yaml"),
            json!({ "uri": "infra/api%20stack.yaml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(artifact_location("stack:v2.yaml")["uri"], "./stack:v2.yaml");
        assert_eq!(
            artifact_location("/tmp/運用.yaml")["uri"],
            "file:///tmp/%E9%81%8B%E7%94%A8.yaml"
        );
    }
}
