//! `--statistics`: how many findings each rule has, most first (as `ruff --statistics`).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::render::{Report, RuleInfo};

struct Row<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    count: usize,
}

fn rows<'a>(report: &'a Report, rules: &[RuleInfo<'a>]) -> Vec<Row<'a>> {
    let mut counts: BTreeMap<&str, (usize, &'static str)> = BTreeMap::new();
    for f in &report.findings {
        let e = counts.entry(&f.code).or_insert((0, f.severity.as_str()));
        e.0 += 1;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(code, (count, severity))| Row {
            code,
            name: rules.iter().find(|r| r.code == code).map_or("", |r| r.slug),
            severity,
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// One line per code: count, code, severity, name.
pub fn text(report: &Report, rules: &[RuleInfo]) -> String {
    let rows = rows(report, rules);
    let count_width = rows.first().map_or(1, |r| r.count.to_string().len());
    let code_width = rows.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in &rows {
        let _ = writeln!(
            out,
            "{:>count_width$}  {:<code_width$}  {:<7}  {}",
            r.count, r.code, r.severity, r.name
        );
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "{} file error(s); run without --statistics to see them.",
            report.errors.len()
        );
    }
    out
}

/// `[{"code", "name", "severity", "count"}]`, most frequent first.
pub fn json(report: &Report, rules: &[RuleInfo]) -> String {
    let rows: Vec<serde_json::Value> = rows(report, rules)
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "count": r.count,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&rows).unwrap_or_default();
    out.push('\n');
    out
}
