//! `--format json`: one JSON document with a stable, documented shape (version 1).

use serde::Serialize;

use crate::render::{Report, position};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub code: &'a str,
    pub severity: &'a str,
    pub file: &'a str,
    pub resource: &'a str,
    pub related: Vec<String>,
    pub message: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<&'a str>,
    pub symptom: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
}

pub fn finding(f: &crate::finding::Finding) -> JsonFinding<'_> {
    let ((line, column), (end_line, end_column)) = position(f);
    JsonFinding {
        code: &f.code,
        severity: f.severity.as_str(),
        file: &f.source.path,
        resource: &f.resource,
        related: f.related(),
        message: &f.message,
        line,
        column,
        end_line,
        end_column,
        help: f.help.as_deref(),
        symptom: f.symptom.as_deref(),
    }
}

pub fn render(report: &Report) -> String {
    let doc = Document {
        version: 1,
        findings: report.findings.iter().map(finding).collect(),
        errors: report
            .errors
            .iter()
            .map(|e| {
                let pos = e.span.as_ref().map(|s| e.source.line_col(s.start));
                JsonError {
                    file: &e.source.path,
                    message: &e.message,
                    line: pos.map(|p| p.0),
                    column: pos.map(|p| p.1),
                }
            })
            .collect(),
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
