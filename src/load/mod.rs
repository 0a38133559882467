//! Reading input files: bytes → text → spanned tree → `Graph`.
//!
//! Loading knows nothing of rules. A file is either skipped (it is neither a CloudFormation
//! template nor a Terraform plan), loaded into a graph (possibly with non-fatal problems such
//! as duplicate keys), or refused with located errors.

pub mod cfn;
pub mod detect;
pub mod json;
pub mod tfplan;
pub mod yaml;

use std::sync::Arc;

use crate::graph::Graph;
use crate::node::Node;
use crate::source::{SourceFile, Span};

/// Files larger than this are refused unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// A problem with an input file, located when possible.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
    pub span: Option<Span>,
}

impl LoadError {
    pub fn at(message: String, span: Span) -> LoadError {
        LoadError {
            message,
            span: Some(span),
        }
    }

    pub fn whole_file(message: String) -> LoadError {
        LoadError {
            message,
            span: None,
        }
    }
}

/// What became of one input file.
pub enum Outcome {
    /// Neither a template nor a plan: nothing to say.
    Skipped,
    /// Loaded; `problems` are errors that did not stop linting (duplicate keys).
    Loaded {
        graph: Box<Graph>,
        problems: Vec<LoadError>,
    },
    /// Could not be loaded.
    Failed {
        source: Arc<SourceFile>,
        errors: Vec<LoadError>,
    },
}

/// Loads one file from its bytes. Never panics on any input.
pub fn load(path: &str, bytes: Vec<u8>) -> Outcome {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let source = SourceFile::new(path, prefix);
            return Outcome::Failed {
                source,
                errors: vec![LoadError::at(
                    "the file is not valid UTF-8".to_string(),
                    valid..valid,
                )],
            };
        }
    };
    // A byte-order mark is not part of the document.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let source = SourceFile::new(path, text);
    let parsed = parse_tree(&source);
    let (root, mut problems) = match parsed {
        Ok(p) => p,
        Err(err) => {
            return if detect::might_be_infrastructure(&source.text) {
                Outcome::Failed {
                    source,
                    errors: vec![err],
                }
            } else {
                Outcome::Skipped
            };
        }
    };
    let built = match detect::detect(&root) {
        detect::Kind::Template => cfn::build(source.clone(), &root),
        detect::Kind::Plan => tfplan::build(source.clone(), &root),
        detect::Kind::Malformed(err) => Err(err),
        detect::Kind::Neither => return Outcome::Skipped,
    };
    match built {
        Ok(graph) => Outcome::Loaded {
            graph: Box::new(graph),
            problems,
        },
        Err(e) => {
            problems.push(e);
            Outcome::Failed {
                source,
                errors: problems,
            }
        }
    }
}

/// JSON when the text starts like JSON, otherwise YAML. A `{`-led file that is not strict JSON
/// is retried as YAML (flow-style YAML), except for `.json` files.
fn parse_tree(source: &SourceFile) -> Result<(Node, Vec<LoadError>), LoadError> {
    let first = source.text.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        match json::parse(&source.text) {
            Ok(p) => return Ok((p.root, p.warnings)),
            Err(e) if source.path.ends_with(".json") => return Err(e),
            Err(e) => {
                return yaml::parse(source)
                    .map(|p| (p.root, p.warnings))
                    .map_err(|_| e);
            }
        }
    }
    yaml::parse(source).map(|p| (p.root, p.warnings))
}
