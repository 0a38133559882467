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
    /// Other resources of the chain that no label points at (the rule's own resource, the
    /// resource the primary location names).
    pub chain: Vec<String>,
    pub help: Option<String>,
    /// The error a user meets on AWS when this is deployed.
    pub symptom: Option<String>,
    pub url: Option<String>,
}

impl Finding {
    /// The other resources of the chain: those labels point at, in label order, then the rest
    /// of `chain`, without repeats.
    pub fn related(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let labelled = self.labels.iter().filter_map(|l| l.resource.as_ref());
        for r in labelled.chain(&self.chain) {
            if *r != self.resource && !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }
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
        let text = match (&self.help, &self.symptom) {
            (Some(h), Some(s)) => format!("{h}\nprevents: {s}"),
            (Some(h), None) => h.clone(),
            (None, Some(s)) => format!("prevents: {s}"),
            (None, None) => return None,
        };
        Some(Box::new(text))
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source.text)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
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

impl Diagnostic for FileError {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.span
            .as_ref()
            .map(|_| &self.source.text as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, span),
        )))
    }
}
