//! `ecslint rules` and `ecslint explain`: documentation straight from the rule headers.

use std::fmt::Write;

use crate::dsl::Program;
use crate::dsl::ast::Rule;

/// The page of `ECS000`, which is not a rule file: suppressions are checked in Rust.
const SUPPRESSION_PAGE: &str = include_str!("../docs/rules/ECS000.md");

/// One line per rule.
pub fn list(program: &Program) -> String {
    let mut out = format!(
        "{:<7} {:<8} {:<40} {}\n",
        crate::suppress::CODE,
        "info",
        crate::suppress::SLUG,
        crate::suppress::SUMMARY
    );
    for r in &program.rules {
        let _ = writeln!(
            out,
            "{:<7} {:<8} {:<40} {}",
            r.code, r.severity, r.slug, r.summary
        );
    }
    out
}

/// Every rule as a JSON array of `{code, name, severity, summary, symptom, fix, url}`, the
/// suppression report `ECS000` first.
pub fn list_json(program: &Program) -> String {
    let mut rules = vec![serde_json::json!({
        "code": crate::suppress::CODE,
        "name": crate::suppress::SLUG,
        "severity": "info",
        "summary": crate::suppress::SUMMARY,
        "symptom": null,
        "fix": null,
        "url": crate::suppress::URL,
    })];
    rules.extend(program.rules.iter().map(|r| {
        serde_json::json!({
            "code": r.code,
            "name": r.slug,
            "severity": r.severity.to_string(),
            "summary": r.summary,
            "symptom": r.symptom,
            "fix": r.fix,
            "url": r.url,
        })
    }));
    let mut out = serde_json::to_string_pretty(&rules).unwrap_or_default();
    out.push('\n');
    out
}

/// The full text of the rule named by `query`, or the rules whose symptom, summary or
/// documentation mentions it.
pub fn explain(program: &Program, query: &str) -> String {
    if let Some(rule) = program.rule(query.trim()) {
        return page(rule);
    }
    if query.trim().eq_ignore_ascii_case(crate::suppress::CODE) {
        return SUPPRESSION_PAGE.to_string();
    }
    let hits = search(program, query);
    if hits.is_empty() {
        return format!("No rule mentions {query:?}. `ecslint rules` lists them all.\n");
    }
    let mut out = format!("Rules that prevent {query:?}:\n\n");
    for r in hits {
        let _ = writeln!(
            out,
            "{} {} ({})\n  {}",
            r.code, r.slug, r.severity, r.summary
        );
        if let Some(s) = &r.symptom {
            let _ = writeln!(out, "  symptom: {s}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "`ecslint explain CODE` shows the whole text.");
    out
}

/// Rules whose text mentions the query, best match first: the whole query in the symptom,
/// then in the summary or docs, then most query words in common.
pub fn search<'p>(program: &'p Program, query: &str) -> Vec<&'p Rule> {
    let q = query.to_lowercase();
    let words: Vec<&str> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .collect();
    let mut scored: Vec<(usize, &Rule)> = program
        .rules
        .iter()
        .filter_map(|r| {
            let symptom = r.symptom.clone().unwrap_or_default().to_lowercase();
            let other = format!(
                "{} {} {}",
                r.summary,
                r.docs.clone().unwrap_or_default(),
                r.slug
            )
            .to_lowercase();
            let score = if symptom.contains(&q) {
                1000
            } else if other.contains(&q) {
                500
            } else {
                let hits = words
                    .iter()
                    .filter(|w| symptom.contains(*w) || other.contains(*w))
                    .count();
                // Most of the query's words must appear, not just one common word of two.
                if words.is_empty() || hits * 2 <= words.len() {
                    0
                } else {
                    hits
                }
            };
            (score > 0).then_some((score, r))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    scored.into_iter().map(|(_, r)| r).collect()
}

/// The documentation page of a rule, as printed by `explain` and written to docs/rules/.
pub fn page(r: &Rule) -> String {
    let mut out = format!(
        "# {} {}\n\n{} (severity: {})\n",
        r.code, r.slug, r.summary, r.severity
    );
    if let Some(s) = &r.symptom {
        let _ = write!(out, "\n## Production symptom\n\n```\n{s}\n```\n");
    }
    if let Some(f) = &r.fix {
        let _ = write!(out, "\n## Fix\n\n{f}\n");
    }
    if let Some(d) = &r.docs {
        let _ = write!(out, "\n{d}\n");
    }
    out
}
