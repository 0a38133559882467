//! The one diagnostic type every rule produces and every renderer consumes.

use std::fmt;
use std::sync::Arc;

use crate::graph::Provider;
use crate::source::{SourceFile, Span};
use crate::terms;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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
        f.pad(self.as_str())
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
    /// What is wrong at the primary location, shown under it.
    pub primary_label: Option<String>,
    /// The kind of file the finding is in: its texts use that file's property names.
    pub provider: Provider,
}

impl Finding {
    /// The finding with the property paths its rule marked (`[[RuntimePlatform.CpuArchitecture]]`)
    /// written as the file's own language spells them.
    pub fn localized(mut self) -> Finding {
        let p = self.provider;
        self.message = terms::localize(&self.message, p);
        self.help = self.help.map(|h| terms::localize(&h, p));
        self.primary_label = self.primary_label.map(|l| terms::localize(&l, p));
        for l in &mut self.labels {
            l.text = terms::localize(&l.text, p);
        }
        self
    }

    /// Whether the finding is in a Terraform plan, whose JSON is not what a user edits.
    pub fn in_terraform_plan(&self) -> bool {
        self.provider == Provider::Terraform
    }

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
