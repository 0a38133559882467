//! The one diagnostic type every rule produces and every renderer consumes.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::source::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location: another hop of the chain that leads to the problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
    /// The resource the label sits in, if any.
    pub resource: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub source: Arc<SourceFile>,
    pub span: Span,
    /// The resource of the primary location (logical ID or Terraform address).
    pub resource: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The error a user meets on AWS when this is deployed.
    pub symptom: Option<String>,
    pub url: Option<String>,
}

impl Finding {
    /// Resources other labels point at, in label order, without repeats.
    pub fn related(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.labels.iter().filter_map(|l| l.resource.as_ref()) {
            if *r != self.resource && !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }
}

impl Finding {
    /// Whether every location can be shown as a snippet (see `SourceFile::snippet_fits`).
    fn snippet_fits(&self) -> bool {
        self.source.snippet_fits(&self.span)
            && self
                .labels
                .iter()
                .all(|l| self.source.snippet_fits(&l.span))
    }
}

/// Where a location is, for one whose line is too long to show.
fn not_shown(source: &SourceFile, byte: usize) -> String {
    format!(
        "at {} (the line is too long to show)",
        source.location(byte)
    )
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut text = match (&self.help, &self.symptom) {
            (Some(h), Some(s)) => format!("{h}\nprevents: {s}"),
            (Some(h), None) => h.clone(),
            (None, Some(s)) => format!("prevents: {s}"),
            (None, None) => String::new(),
        };
        if !self.snippet_fits() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&not_shown(&self.source, self.span.start));
        }
        (!text.is_empty()).then(|| Box::new(text) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet_fits()
            .then_some(&self.source.text as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet_fits() {
            return None;
        }
        let primary = LabeledSpan::new_primary_with_span(None, self.span.clone());
        let others = self
            .labels
            .iter()
            .filter(|l| l.span != self.span)
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), l.span.clone()));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

/// A file that could not be read or loaded, located when possible.
#[derive(Clone, Debug)]
pub struct FileError {
    pub source: Arc<SourceFile>,
    pub message: String,
    pub span: Option<Span>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// The location, when it can be shown as a snippet.
    fn shown_span(&self) -> Option<&Span> {
        self.span.as_ref().filter(|s| self.source.snippet_fits(s))
    }
}

impl Diagnostic for FileError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let span = self
            .span
            .as_ref()
            .filter(|s| !self.source.snippet_fits(s))?;
        Some(Box::new(not_shown(&self.source, span.start)))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.shown_span()
            .map(|_| &self.source.text as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.shown_span()?.clone();
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, span),
        )))
    }
}
