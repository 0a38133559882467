//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request's diff. One command per line.

use std::fmt::Write;

use crate::finding::Severity;
use crate::render::RuleInfo;
use crate::render::{Report, position};

pub fn render(report: &Report, rules: &[RuleInfo]) -> String {
    let mut out = String::new();
    for e in &report.errors {
        let mut props = vec![("file", file(&e.source.path))];
        if let Some(span) = &e.span {
            let (line, col) = e.source.line_col(span.start);
            props.push(("line", line.to_string()));
            props.push(("col", col.to_string()));
        }
        props.push(("title", "ecslint: cannot lint this file".to_string()));
        command(&mut out, "error", &props, &e.message);
    }
    for f in &report.findings {
        let ((line, col), (end_line, end_col)) = position(f);
        let title = match rules.iter().find(|r| r.code == f.code) {
            Some(r) => format!("{} {}", f.code, r.slug),
            None => f.code.clone(),
        };
        let props = [
            ("file", file(&f.source.path)),
            ("line", line.to_string()),
            ("col", col.to_string()),
            ("endLine", end_line.to_string()),
            ("endColumn", end_col.to_string()),
            ("title", title),
        ];
        let mut message = f.message.clone();
        for (prefix, text) in [
            ("help", &f.help),
            ("prevents", &f.symptom),
            ("docs", &f.url),
        ] {
            if let Some(t) = text {
                let _ = write!(message, "\n{prefix}: {t}");
            }
        }
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        command(&mut out, kind, &props, &message);
    }
    out
}

fn command(out: &mut String, kind: &str, props: &[(&str, String)], message: &str) {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let _ = writeln!(
        out,
        "::{kind} {}::{}",
        props.join(","),
        escape_data(message)
    );
}

/// The path relative to the workspace, as annotations expect: `./a.yaml` (a walk of `.`)
/// is `a.yaml`.
fn file(path: &str) -> String {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut rel = path.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    rel.to_string()
}

/// The escaping of `@actions/core` for a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The escaping of `@actions/core` for a property value, where `:` and `,` are delimiters.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
