//! Output formats. Renderers know nothing of rules or file formats: they print a `Report`.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::finding::{FileError, Finding};

/// What a renderer may know of a rule beyond its findings (which carry neither its name nor
/// its summary). The CLI builds these from the loaded rules, so renderers stay rule-agnostic.
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo<'a> {
    pub code: &'a str,
    pub slug: &'a str,
    pub summary: &'a str,
    pub fix: Option<&'a str>,
    pub symptom: Option<&'a str>,
}

impl<'a> RuleInfo<'a> {
    /// The headers of every rule of a program, and of the problems loading reports.
    pub fn all(program: &'a crate::dsl::Program) -> Vec<RuleInfo<'a>> {
        let loading = crate::load::CODES
            .iter()
            .map(|&(code, slug, summary)| RuleInfo {
                code,
                slug,
                summary,
                fix: None,
                symptom: None,
            });
        program
            .rules
            .iter()
            .map(|r| RuleInfo {
                code: &r.code,
                slug: &r.slug,
                summary: &r.summary,
                fix: r.fix.as_deref(),
                symptom: r.symptom.as_deref(),
            })
            .chain(loading)
            .collect()
    }
}

/// Everything one run found, in deterministic order (file, then position).
#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
    /// How many files were linted (not skipped).
    pub files_checked: usize,
    /// How many files were skipped as neither a template nor a plan.
    pub files_skipped: usize,
}

impl Report {
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.source.path, a.span.start, &a.code, &a.message).cmp(&(
                &b.source.path,
                b.span.start,
                &b.code,
                &b.message,
            ))
        });
        self.errors.sort_by(|a, b| {
            (&a.source.path, a.span.as_ref().map(|s| s.start))
                .cmp(&(&b.source.path, b.span.as_ref().map(|s| s.start)))
        });
    }
}

/// 1-based line and column of a byte offset in a file, and of the end of a span.
pub fn position(f: &Finding) -> ((usize, usize), (usize, usize)) {
    (
        f.source.line_col(f.span.start),
        f.source.line_col(f.span.end),
    )
}
