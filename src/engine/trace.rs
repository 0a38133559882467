//! The trace of one rule over one resource, for `ecslint --trace CODE FILE`: what each step
//! saw, row by row, so a rule author can tell why a `deny` did or did not fire.

use std::fmt::Write;

use crate::dsl::ast::{Expr, ExprKind, Rule, Step};
use crate::engine::env::Env;
use crate::engine::eval::Eval;
use crate::engine::{Row, TRACE_ROWS};
use crate::graph::value::{V, Val};

/// Alternatives shown per value; the rest are counted.
const SHOWN: usize = 6;

/// Writes what `step` does to each row.
pub(super) fn step<'g>(
    eval: &Eval<'_, 'g>,
    rule: &Rule,
    step: &Step,
    rows: &[Row<'g>],
    out: &mut String,
) {
    for (i, row) in rows.iter().enumerate().take(TRACE_ROWS) {
        let tag = if rows.len() > 1 {
            format!("[row {}] ", i + 1)
        } else {
            String::new()
        };
        let _ = match step {
            Step::Let { name, expr } => {
                writeln!(
                    out,
                    "  {tag}let {name} = {}",
                    values(eval, &eval.eval(expr, &row.env))
                )
            }
            Step::Where(cond) => {
                let _ = writeln!(
                    out,
                    "  {tag}where {}: {}",
                    source(rule, cond),
                    truths(&eval.eval(cond, &row.env))
                );
                why(eval, rule, cond, &row.env, 3, out);
                Ok(())
            }
            Step::Deny(d) => {
                let line = rule.source.file().line_col(d.span.start).0;
                let _ = writeln!(
                    out,
                    "  {tag}deny ({}:{line}) {}: {}",
                    rule.source.path(),
                    source(rule, &d.cond),
                    truths(&eval.eval(&d.cond, &row.env))
                );
                why(eval, rule, &d.cond, &row.env, 3, out);
                Ok(())
            }
        };
    }
    if rows.len() > TRACE_ROWS {
        let _ = writeln!(out, "  ... and {} more row(s)", rows.len() - TRACE_ROWS);
    }
}

/// The parts of a condition and what each was: operands of `and`, `or` and `not`, the two
/// sides of a comparison.
fn why<'g>(
    eval: &Eval<'_, 'g>,
    rule: &Rule,
    cond: &Expr,
    env: &Env<'g>,
    depth: usize,
    out: &mut String,
) {
    if depth == 0 {
        return;
    }
    let indent = "  ".repeat(6 - depth);
    match &cond.kind {
        ExprKind::And(items) | ExprKind::Or(items) => {
            for item in items {
                let _ = writeln!(
                    out,
                    "{indent}{}: {}",
                    source(rule, item),
                    truths(&eval.eval(item, env))
                );
                why(eval, rule, item, env, depth - 1, out);
            }
        }
        ExprKind::Not(inner) => {
            let _ = writeln!(
                out,
                "{indent}{}: {}",
                source(rule, inner),
                truths(&eval.eval(inner, env))
            );
            why(eval, rule, inner, env, depth - 1, out);
        }
        ExprKind::Cmp(a, _, b) => {
            for side in [a, b] {
                let _ = writeln!(
                    out,
                    "{indent}{} = {}",
                    source(rule, side),
                    values(eval, &eval.eval(side, env))
                );
            }
        }
        _ => {}
    }
}

/// An expression as written in the rule file, on one line.
fn source(rule: &Rule, e: &Expr) -> String {
    let file = rule.source.file();
    let text = file.text.get(e.span.clone()).unwrap_or_default();
    // A span can run over a comment that follows the expression.
    let code: Vec<&str> = text.lines().map(without_comment).collect();
    let one_line = code
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() > 90 {
        let short: String = one_line.chars().take(87).collect();
        format!("{short}...")
    } else {
        one_line
    }
}

/// A line of rule source up to its `#` comment (a `#` inside a string is not one).
fn without_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The alternatives of a value: `ExecutionRole | (unknown: parameter X is given at deploy time)`.
fn values<'g>(eval: &Eval<'_, 'g>, vals: &[Val<'g>]) -> String {
    let shown: Vec<String> = vals
        .iter()
        .take(SHOWN)
        .map(|v| {
            let what = match &v.v {
                V::Unknown(why) => format!("(unknown: {why})"),
                V::Str(s, _) => format!("{s:?}"),
                V::List(_) => format!("[{}]", eval.ctx.display(v)),
                _ => eval.ctx.display(v),
            };
            with_facts(what, v)
        })
        .collect();
    more(shown, vals.len())
}

/// The truth of each alternative of a condition, without repeats.
fn truths(vals: &[Val<'_>]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for v in vals {
        let t = match v.truth() {
            Some(true) => "true".to_string(),
            Some(false) => "false".to_string(),
            None => match &v.v {
                V::Unknown(why) if why.as_ref() != "unknown" => format!("unknown ({why})"),
                _ => "unknown".to_string(),
            },
        };
        let t = with_facts(t, v);
        if !shown.contains(&t) {
            shown.push(t);
        }
    }
    let n = shown.len();
    more(shown.into_iter().take(SHOWN).collect(), n)
}

fn with_facts(what: String, v: &Val<'_>) -> String {
    match v.facts.describe() {
        Some(when) => format!("{what} ({when})"),
        None => what,
    }
}

fn more(shown: Vec<String>, total: usize) -> String {
    let mut s = shown.join(" | ");
    if total > shown.len() {
        let _ = write!(s, " | ... {} more", total - shown.len());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_cut_but_not_inside_strings() {
        assert_eq!(without_comment("x == \"#a\" # why"), "x == \"#a\" ");
        assert_eq!(without_comment("a \"b\\\"#\" c"), "a \"b\\\"#\" c");
        assert_eq!(without_comment("# all"), "");
    }
}
