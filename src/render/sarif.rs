//! `--format sarif`: one SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::dsl::Program;
use crate::finding::{Finding, Severity};
use crate::render::Report;
use crate::source::{SourceFile, Span};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ecslint/ecslint";
/// GitHub code scanning keeps only this many results of a run.
const GITHUB_RESULT_LIMIT: usize = 5_000;

/// What the log says of a rule, whether it fired or not.
#[derive(Clone, Debug, Default)]
pub struct RuleDoc {
    pub code: String,
    pub slug: String,
    pub summary: String,
    pub fix: Option<String>,
    pub symptom: Option<String>,
    pub url: Option<String>,
    pub severity: Option<Severity>,
    /// The rule's documentation page in Markdown (`help.markdown`).
    pub markdown: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The directory URIs are relative to (`%SRCROOT%`): the repository root. Files outside
    /// it, or every file when it is `None`, get absolute `file://` URIs.
    pub root: Option<PathBuf>,
    /// The directory relative report paths are relative to.
    pub cwd: PathBuf,
    /// Every loaded rule, listed in `tool.driver.rules` whether it fired or not.
    pub rules: Vec<RuleDoc>,
}

impl Options {
    /// For a run of the CLI: URIs relative to `root`, else to the git top level of the
    /// working directory; the rules of `program`, each with its documentation page (for the
    /// built-in rules the text of `docs/rules/<CODE>.md`, which `tests/docs.rs` keeps equal).
    pub fn for_run(program: &Program, root: Option<&Path>) -> Options {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = match root {
            Some(r) => Some(normalize(&cwd.join(r))),
            None => git_top_level(&cwd),
        };
        let rules = program
            .rules
            .iter()
            .map(|r| RuleDoc {
                code: r.code.to_string(),
                slug: r.slug.to_string(),
                summary: r.summary.to_string(),
                fix: r.fix.as_ref().map(|t| t.to_string()),
                symptom: r.symptom.as_ref().map(|t| t.to_string()),
                url: r.url.as_ref().map(|t| t.to_string()),
                severity: Some(r.severity),
                markdown: Some(crate::explain::page(r)),
            })
            .chain(not_rules(program))
            .collect();
        Options { root, cwd, rules }
    }
}

/// The codes that no rule file declares: the suppression report and the loader's problems.
fn not_rules(program: &Program) -> impl Iterator<Item = RuleDoc> + '_ {
    let suppression = (
        crate::suppress::CODE,
        crate::suppress::SLUG,
        crate::suppress::SUMMARY,
    );
    std::iter::once(suppression)
        .chain(crate::load::CODES.iter().copied())
        .map(|(code, slug, summary)| RuleDoc {
            code: code.to_string(),
            slug: slug.to_string(),
            summary: summary.to_string(),
            fix: None,
            symptom: None,
            url: None,
            severity: None,
            markdown: (code == crate::suppress::CODE)
                .then(|| crate::explain::explain(program, code)),
        })
}

/// The nearest directory from `dir` up that holds `.git` (a directory, or a file in a
/// worktree), as `git rev-parse --show-toplevel` finds it.
fn git_top_level(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Writes the SARIF log of `report` to `path` (`--sarif-file`).
pub fn write_file(path: &Path, report: &Report, opts: &Options) -> std::io::Result<()> {
    std::fs::write(path, render(report, opts))
}

/// The warning printed (on stderr) when code scanning would drop results.
pub fn too_many_results(report: &Report) -> Option<String> {
    (report.findings.len() > GITHUB_RESULT_LIMIT).then(|| {
        format!(
            "warning: the SARIF log has {} results; GitHub code scanning keeps only {GITHUB_RESULT_LIMIT} of a run",
            report.findings.len()
        )
    })
}

pub fn render(report: &Report, opts: &Options) -> String {
    if let Some(w) = too_many_results(report) {
        eprintln!("{w}");
    }
    // Every loaded rule, then those only findings know of (a report built by hand), by code;
    // results point at them by index.
    let mut docs: BTreeMap<&str, RuleDoc> = opts
        .rules
        .iter()
        .map(|r| (r.code.as_str(), r.clone()))
        .collect();
    for f in &report.findings {
        docs.entry(f.code.as_str()).or_insert_with(|| RuleDoc {
            code: f.code.clone(),
            summary: f.message.clone(),
            fix: f.help.clone(),
            symptom: f.symptom.clone(),
            url: f.url.clone(),
            severity: Some(f.severity),
            ..RuleDoc::default()
        });
    }
    let index: HashMap<&str, usize> = docs.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let descriptors: Vec<Value> = docs.values().map(descriptor).collect();
    let locator = Locator::new(opts);
    let mut line_hashes: HashMap<&str, Option<Vec<String>>> = HashMap::new();
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let hashes = line_hashes
                .entry(f.source.path.as_str())
                .or_insert_with(|| line_hashes_of(&f.source.text));
            let line = f.source.line_col(f.span.start).0;
            // Line 1 is left to the uploader: the loader drops a byte order mark, which
            // GitHub's hash of that line would include.
            let line_hash = hashes
                .as_ref()
                .filter(|_| line > 1)
                .and_then(|h| h.get(line - 1));
            let physical = locator.physical(&f.source, Some(&f.span));
            let uri = physical["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or_default();
            // Findings alike in all but position (two secrets of one container) are told
            // apart by their order in the file, as GitHub's line hashes are.
            let identity = fingerprint(f, uri);
            let n = occurrences.entry(identity.clone()).or_default();
            *n += 1;
            let ids = Fingerprints {
                ecslint: format!("{identity}:{n}"),
                line_hash: line_hash.cloned(),
            };
            let rule_index = index.get(f.code.as_str()).copied().unwrap_or(0);
            result(f, rule_index, physical, &locator, ids)
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{ "physicalLocation": locator.physical(&e.source, e.span.as_ref()) }],
            })
        })
        .collect();
    let mut run = json!({
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
    });
    if let Some(root) = &opts.root {
        let mut uri = file_uri(&root.to_string_lossy());
        if !uri.ends_with('/') {
            uri.push('/');
        }
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": uri } });
    }
    let log = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// The `reportingDescriptor` of a rule.
fn descriptor(r: &RuleDoc) -> Value {
    let mut full = r.summary.clone();
    if let Some(s) = &r.symptom {
        full.push_str("\nProduction symptom: ");
        full.push_str(s);
    }
    let mut help = Vec::new();
    if let Some(fix) = &r.fix {
        help.push(format!("Fix: {fix}"));
    }
    if let Some(s) = &r.symptom {
        help.push(format!("Prevents: {s}"));
    }
    if let Some(url) = &r.url {
        help.push(format!("Documentation: {url}"));
    }
    let mut d = Map::new();
    d.insert("id".into(), json!(r.code));
    if !r.slug.is_empty() {
        d.insert("name".into(), json!(r.slug));
    }
    d.insert("shortDescription".into(), json!({ "text": r.summary }));
    d.insert("fullDescription".into(), json!({ "text": full }));
    if !help.is_empty() || r.markdown.is_some() {
        let mut h = json!({ "text": help.join("\n") });
        if let Some(md) = &r.markdown {
            h["markdown"] = json!(md);
        }
        d.insert("help".into(), h);
    }
    // The schema wants an absolute URI here; a custom rule's `url` header may be anything.
    if let Some(url) = r
        .url
        .as_ref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        d.insert("helpUri".into(), json!(url));
    }
    let severity = r.severity.unwrap_or(Severity::Warning);
    d.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(severity) }),
    );
    // What GitHub code scanning reads to label and filter alerts. Rules are warnings where
    // the behaviour on AWS is less certain, so a warning claims less precision.
    let (precision, problem) = match severity {
        Severity::Error => ("high", "error"),
        Severity::Warning => ("medium", "warning"),
        Severity::Info => ("medium", "recommendation"),
    };
    d.insert(
        "properties".into(),
        json!({
            "tags": ["ecs", "reliability"],
            "precision": precision,
            "problem.severity": problem,
        }),
    );
    Value::Object(d)
}

struct Fingerprints {
    ecslint: String,
    line_hash: Option<String>,
}

fn result(
    f: &Finding,
    rule_index: usize,
    physical: Value,
    locator: &Locator,
    ids: Fingerprints,
) -> Value {
    let related: Vec<(usize, &crate::finding::Label)> = f
        .labels
        .iter()
        .filter(|l| l.span != f.span)
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    let mut text = f.message.clone();
    // `[text](id)` links the message to a related location, as SARIF viewers render it.
    if !related.is_empty() {
        let links: Vec<String> = related
            .iter()
            .map(|(id, l)| format!("[{}]({id})", escape_link_text(&l.text)))
            .collect();
        text.push_str(&format!("\nvia: {}", links.join(", ")));
    }
    if let Some(h) = &f.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut location = json!({ "physicalLocation": physical });
    if !f.resource.is_empty() {
        location["logicalLocations"] =
            json!([{ "fullyQualifiedName": f.resource, "kind": "resource" }]);
    }
    let related: Vec<Value> = related
        .iter()
        .map(|(id, l)| {
            json!({
                "id": id,
                "physicalLocation": locator.physical(&f.source, Some(&l.span)),
                "message": { "text": l.text },
            })
        })
        .collect();
    let mut fingerprints = json!({ "ecslint/v1": ids.ecslint });
    if let Some(h) = ids.line_hash {
        fingerprints["primaryLocationLineHash"] = json!(h);
    }
    json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [location],
        "relatedLocations": related,
        "partialFingerprints": fingerprints,
    })
}

/// Brackets in a link's text would end it early.
fn escape_link_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Turns report paths into artifact locations.
struct Locator<'a> {
    opts: &'a Options,
}

impl<'a> Locator<'a> {
    fn new(opts: &'a Options) -> Locator<'a> {
        Locator { opts }
    }

    fn physical(&self, source: &SourceFile, span: Option<&Span>) -> Value {
        let mut p = json!({ "artifactLocation": self.artifact_location(&source.path) });
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

    /// Relative to the repository root (`%SRCROOT%`), as code scanning resolves URIs against
    /// the checkout whatever directory ecslint ran in; else an absolute `file://` URI.
    fn artifact_location(&self, path: &str) -> Value {
        let abs = normalize(&self.opts.cwd.join(path));
        if let Some(rel) = self
            .opts
            .root
            .as_ref()
            .and_then(|r| abs.strip_prefix(r).ok())
        {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let mut uri = encode(&rel.join("/"));
            // A colon before the first slash would read as a URI scheme.
            if uri
                .split('/')
                .next()
                .is_some_and(|first| first.contains(':'))
            {
                uri.insert_str(0, "./");
            }
            return json!({ "uri": uri, "uriBaseId": "%SRCROOT%" });
        }
        json!({ "uri": file_uri(&abs.to_string_lossy()) })
    }
}

/// `file:///…` for an absolute path, with Windows drive paths and separators handled.
fn file_uri(path: &str) -> String {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    if path.starts_with('/') {
        format!("file://{}", encode(&path))
    } else {
        format!("file:///{}", encode(&path))
    }
}

/// Resolves `.` and `..` without touching the file system (the file may be a symlink, and
/// the report names it as the user did).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
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

/// A hash of what identifies a problem independently of where it sits in its file, so an
/// alert keeps its identity when lines move: the rule, the file (as its URI), the resource
/// and the message (`render` appends the occurrence). FNV-1a: small, and stable across Rust versions, unlike `DefaultHasher`.
fn fingerprint(f: &Finding, uri: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        f.code.as_str(),
        uri,
        f.resource.as_str(),
        f.message.as_str(),
    ] {
        for b in part.bytes().chain([0]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// GitHub code scanning's `primaryLocationLineHash` of every line (index 0 is line 1), as
/// github/codeql-action computes it when a result has none: a polynomial hash (base 37,
/// 64-bit wrapping) of the 100 UTF-16 units from the start of the line, spaces and tabs
/// skipped, line ends normalised to `\n`, the end of the file marked by 0xFFFF and followed
/// by zeros; `:n` counts earlier lines with the same hash. `None` when the file has a lone
/// `\r`, which that hash counts as a line end and our line numbers do not.
fn line_hashes_of(text: &str) -> Option<Vec<String>> {
    const BLOCK: usize = 100;
    if text
        .match_indices('\r')
        .any(|(i, _)| text.as_bytes().get(i + 1) != Some(&b'\n'))
    {
        return None;
    }
    let mut units: Vec<u64> = Vec::with_capacity(text.len() + 1);
    let mut line_starts = Vec::new();
    let (mut line_start, mut prev_cr) = (true, false);
    for unit in text.encode_utf16().chain([0xFFFF]) {
        let mut c = u64::from(unit);
        if c == u64::from(b' ') || c == u64::from(b'\t') || (prev_cr && c == u64::from(b'\n')) {
            prev_cr = false;
            continue;
        }
        prev_cr = c == u64::from(b'\r');
        if prev_cr {
            c = u64::from(b'\n');
        }
        if line_start {
            line_starts.push(units.len());
        }
        line_start = c == u64::from(b'\n');
        units.push(c);
    }
    let mut counts: HashMap<u64, usize> = HashMap::new();
    let hashes = line_starts
        .iter()
        .map(|&start| {
            let hash = (0..BLOCK).fold(0u64, |h, i| {
                h.wrapping_mul(37)
                    .wrapping_add(units.get(start + i).copied().unwrap_or(0))
            });
            let n = counts.entry(hash).or_default();
            *n += 1;
            format!("{hash:x}:{n}")
        })
        .collect();
    Some(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(root: Option<&str>, cwd: &str) -> Options {
        Options {
            root: root.map(PathBuf::from),
            cwd: PathBuf::from(cwd),
            rules: Vec::new(),
        }
    }

    #[test]
    fn paths_are_relative_to_the_root_whatever_the_working_directory() {
        let o = opts(Some("/repo"), "/repo/infra");
        let l = Locator::new(&o);
        assert_eq!(
            l.artifact_location("./api stack.yaml"),
            json!({ "uri": "infra/api%20stack.yaml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(l.artifact_location("../a.yaml")["uri"], "a.yaml");
        assert_eq!(l.artifact_location("/repo/x/y.json")["uri"], "x/y.json");
        assert_eq!(
            l.artifact_location("stack:v2.yaml")["uri"],
            "infra/stack:v2.yaml"
        );
        let top = opts(Some("/repo"), "/repo");
        assert_eq!(
            Locator::new(&top).artifact_location("stack:v2.yaml")["uri"],
            "./stack:v2.yaml"
        );
        // Outside the root, or without one: absolute.
        assert_eq!(
            l.artifact_location("/tmp/運用.yaml"),
            json!({ "uri": "file:///tmp/%E9%81%8B%E7%94%A8.yaml" })
        );
        let none = opts(None, "/work");
        assert_eq!(
            Locator::new(&none).artifact_location("a/../b.yaml"),
            json!({ "uri": "file:///work/b.yaml" })
        );
    }

    #[test]
    fn line_hashes_follow_the_uploaders_algorithm() {
        // Values computed by github/codeql-action's hash (fingerprints.ts) for these texts;
        // the last entry is the line after the final newline, which it hashes too.
        assert_eq!(
            line_hashes_of("a: 1\n\tb:  2\r\na: 1\n").expect("no lone CR"),
            [
                "1701ae835b9a0a87:1",
                "5b1cb5ef6a851671:1",
                "4037987d9a8320d9:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        // Lines whose 100 units are equal are told apart by a count; UTF-16 units, not bytes.
        let text = format!(
            "{}\u{e9}\u{1f600} end\n",
            format!("{}\n", "x".repeat(120)).repeat(3)
        );
        assert_eq!(
            line_hashes_of(&text).expect("no lone CR"),
            [
                "52b56201ffb58620:1",
                "52b56201ffb58620:2",
                "52b56201ffb58620:3",
                "7dd45cec372b539a:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        // Spaces and tabs do not count.
        assert_eq!(line_hashes_of("x\ny\n"), line_hashes_of("  x\n\ty \n"));
        assert_ne!(line_hashes_of("x\ny\n"), line_hashes_of("x\nz\n"));
        assert_eq!(line_hashes_of("a\rb\n"), None);
    }
}
