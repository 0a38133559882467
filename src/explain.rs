//! `ecslint rules` and `ecslint explain`: documentation straight from the rule headers.

use std::fmt::Write;

use crate::dsl::Program;
use crate::dsl::ast::Rule;
use crate::engine::builtins::{self, Builtin};

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
    if let Some(b) = builtins::find(query.trim()) {
        return builtin_page(b);
    }
    if let Some(r) = program.relations.get(query.trim()) {
        return format!(
            "relation {}({}) in {}\n\n{}\n",
            r.name,
            r.params.join(", "),
            r.source.path(),
            if r.doc.is_empty() {
                "(no comment)"
            } else {
                &r.doc
            }
        );
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
            (score > 0).then_some((score, &**r))
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

/// What `ecslint explain NAME` prints for a built-in function.
pub fn builtin_page(b: &Builtin) -> String {
    let kind = if b.aws {
        "an AWS-specific"
    } else {
        "a general"
    };
    format!(
        "{}\n\n{}\n\nThis is {kind} built-in function of the rule language (docs/rules.md).\n",
        b.signature, b.doc
    )
}

/// The relation reference of docs/rules.md: every relation of the built-in rule files, with
/// the comment above it.
pub fn relation_reference(program: &Program) -> String {
    let mut relations: Vec<_> = program.relations.values().collect();
    relations.sort_by(|a, b| {
        a.source
            .path()
            .cmp(b.source.path())
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut out = String::from("| relation | in | what it gives |\n|---|---|---|\n");
    for r in relations {
        let file = r.source.path().rsplit('/').next().unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}({})` | {file} | {} |",
            r.name,
            r.params.join(", "),
            r.doc.replace('|', "\\|")
        );
    }
    out
}

/// The function reference of docs/rules.md: every built-in of the registry, general ones
/// first.
pub fn function_reference() -> String {
    let mut out = String::new();
    for (title, aws) in [("General", false), ("AWS-specific", true)] {
        let _ = write!(out, "### {title}\n\n| function | result |\n|---|---|\n");
        for b in builtins::ALL.iter().filter(|b| b.aws == aws) {
            let doc = b.doc.replace('|', "\\|");
            let _ = writeln!(out, "| `{}` | {doc} |", b.signature.replace('|', "\\|"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ecslint rules` lines up code, severity, name and summary in columns.
    #[test]
    fn the_rule_list_is_in_columns() {
        let program = Program::load(&[]).expect("built-in rules load");
        let text = list(&program);
        let ecs001 = text
            .lines()
            .find(|l| l.starts_with("ECS001"))
            .expect("ECS001");
        assert!(
            ecs001.starts_with("ECS001  error    task-arch-mismatch                       A task"),
            "{ecs001}"
        );
        for line in text.lines().filter(|l| l.len() > 58) {
            let slug = line[17..].split(' ').next().unwrap_or_default();
            if slug.len() < 40 {
                assert_eq!(&line[56..58], "  ", "{line}");
            }
        }
    }

    #[test]
    fn explain_prints_a_built_in_and_the_reference_lists_every_one() {
        let page = explain(&Program::default(), "iam_allows");
        assert!(
            page.starts_with("iam_allows(p, \"action\"[, resource])"),
            "{page}"
        );
        assert!(page.contains("explicit `Deny` first"), "{page}");
        let program = Program::load(&[]).expect("built-in rules load");
        let relation = explain(&program, "vpc_of");
        assert!(
            relation.starts_with("relation vpc_of(subnet) in rules/_relations.ecsl"),
            "{relation}"
        );
        assert!(relation.contains("A subnet's VPC."), "{relation}");
        let reference = function_reference();
        for b in builtins::ALL {
            assert!(
                reference.contains(&format!("| `{}` |", b.signature)),
                "{}",
                b.name
            );
        }
    }
}
