//! `--format concise`: one line per finding, for editors and grep:
//! `file:line:col: error[ECS001] message (Service → CapacityProvider → AutoScalingGroup)`.

use std::fmt::Write;

use crate::render::{Report, position};

/// The findings, one a line: what goes to stdout.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let ((line, col), _) = position(f);
        let _ = write!(
            out,
            "{}:{line}:{col}: {}[{}] {}",
            f.source.path,
            f.severity,
            f.code,
            one_line(&f.message)
        );
        let mut chain = vec![f.resource.clone()];
        chain.extend(f.related());
        chain.retain(|r| !r.is_empty());
        if chain.len() > 1 {
            let _ = write!(out, " ({})", chain.join(" → "));
        }
        out.push('\n');
    }
    out
}

/// Files that could not be linted, in the same form: what goes to stderr.
pub fn errors(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.errors {
        let place = match &e.span {
            Some(s) => {
                let (line, col) = e.source.line_col(s.start);
                format!("{}:{line}:{col}", e.source.path)
            }
            None => e.source.path.clone(),
        };
        let _ = writeln!(out, "{place}: error: {}", one_line(&e.message));
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
