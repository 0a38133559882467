//! Reading input files: bytes → text → spanned tree → `Graph`.
//!
//! Loading knows nothing of rules. A file is either skipped (it is neither a CloudFormation
//! template nor a Terraform plan), loaded into a graph (possibly with non-fatal problems such
//! as duplicate keys), or refused with located errors.

pub mod cfn;
pub mod detect;
pub mod json;
pub mod tfplan;
pub mod types;
pub mod yaml;

use std::sync::Arc;

use crate::finding::Severity;
use crate::graph::Graph;
use crate::node::Node;
use crate::source::{SourceFile, Span};

/// Files larger than this are refused unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// A note about a file that was loaded and linted: it reaches the user as a finding with its
/// own code, so every output format prints it and `--fail-level` decides the exit code (a
/// file that could not be loaded at all is a `LoadError` instead, and exit 2).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// The resource it concerns (a logical ID), or `""`.
    pub resource: String,
    pub help: Option<String>,
}

/// The codes of the problems loading reports: (code, name, summary). `--select`, `--ignore`
/// and the metadata forms accept them like rule codes.
pub const CODES: &[(&str, &str, &str)] = &[
    (
        DUPLICATE_KEY,
        "duplicate-key",
        "A mapping key is written twice; only the last one is used",
    ),
    (
        MERGE_KEY,
        "yaml-merge-key",
        "A YAML merge key (`<<`), which CloudFormation does not accept",
    ),
    (
        UNKNOWN_TYPE,
        "unknown-resource-type",
        "A resource without a type, or with a misspelt one (close to a known type)",
    ),
    (
        NOT_EXPANDED,
        "not-expanded",
        "Resources that ecslint cannot see, such as those an `Fn::ForEach` loop generates",
    ),
];
pub const DUPLICATE_KEY: &str = "ECS901";
pub const MERGE_KEY: &str = "ECS902";
pub const UNKNOWN_TYPE: &str = "ECS903";
pub const NOT_EXPANDED: &str = "ECS904";

impl Problem {
    pub fn error(code: &'static str, message: String, span: Span) -> Problem {
        Problem {
            code,
            severity: Severity::Error,
            message,
            span,
            resource: String::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: String, span: Span) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, message, span)
        }
    }

    pub fn info(code: &'static str, message: String, span: Span) -> Problem {
        Problem {
            severity: Severity::Info,
            ..Problem::error(code, message, span)
        }
    }

    pub fn on_resource(mut self, id: &str) -> Problem {
        self.resource = id.to_string();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// A problem with an input file that stops it from being linted, located when possible.
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
    /// Loaded; `problems` did not stop linting (duplicate keys, merge keys, unknown types).
    Loaded {
        graph: Box<Graph>,
        problems: Vec<Problem>,
    },
    /// Could not be loaded.
    Failed {
        source: Arc<SourceFile>,
        errors: Vec<LoadError>,
    },
    /// A YAML stream of several documents: what became of each one that is a template or
    /// plan, with its number (from 1). Every document shares the file's `SourceFile`.
    Documents(Vec<(usize, Outcome)>),
}

/// Loads one file from its bytes. Never panics on any input.
pub fn load(path: &str, bytes: Vec<u8>) -> Outcome {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let source = SourceFile::new(path, prefix);
            // Editors on Windows save UTF-16 with a byte-order mark; say so, not just "invalid".
            let message = if e.as_bytes().starts_with(&[0xff, 0xfe])
                || e.as_bytes().starts_with(&[0xfe, 0xff])
            {
                "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
            } else {
                "the file is not valid UTF-8"
            };
            return Outcome::Failed {
                source,
                errors: vec![LoadError::at(message.to_string(), valid..valid)],
            };
        }
    };
    // A byte-order mark is not part of the document.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let source = SourceFile::new(path, text);
    let documents = match parse_tree(&source) {
        Ok(d) => d,
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
    // Empty documents (a trailing `---`) do not make a file one of several documents.
    let mut documents: Vec<(usize, Node, Vec<Problem>)> = documents
        .into_iter()
        .enumerate()
        .filter(|(_, (root, _))| !root.is_null())
        .map(|(i, (root, problems))| (i + 1, root, problems))
        .collect();
    if let [(_, root, problems)] = documents.as_mut_slice() {
        return load_document(&source, root, std::mem::take(problems));
    }
    let outcomes: Vec<(usize, Outcome)> = documents
        .into_iter()
        .map(|(n, root, problems)| (n, load_document(&source, &root, problems)))
        .filter(|(_, o)| !matches!(o, Outcome::Skipped))
        .collect();
    if outcomes.is_empty() {
        Outcome::Skipped
    } else {
        Outcome::Documents(outcomes)
    }
}

/// One document's tree → a graph, if it is a template or a plan.
fn load_document(source: &Arc<SourceFile>, root: &Node, mut problems: Vec<Problem>) -> Outcome {
    let built = match detect::detect(root) {
        detect::Kind::Template => cfn::build(source.clone(), root).inspect(|graph| {
            problems.extend(types::check(graph));
            problems.extend(types::untyped(root));
            problems.extend(types::unexpanded_loops(root));
        }),
        detect::Kind::Plan => tfplan::build(source.clone(), root),
        detect::Kind::Malformed(err) => Err(err),
        detect::Kind::Neither => return Outcome::Skipped,
    };
    match built {
        Ok(graph) => Outcome::Loaded {
            graph: Box::new(graph),
            problems,
        },
        Err(e) => {
            // The document is not linted: its errors are reported with the reason.
            let mut errors: Vec<LoadError> = problems
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .map(|p| LoadError::at(p.message, p.span))
                .collect();
            errors.push(e);
            Outcome::Failed {
                source: source.clone(),
                errors,
            }
        }
    }
}

/// JSON when the text starts like JSON, otherwise YAML (every document of the stream). A
/// `{`-led file that is not strict JSON is retried as YAML (flow-style YAML), except for
/// `.json` files.
fn parse_tree(source: &SourceFile) -> Result<Vec<(Node, Vec<Problem>)>, LoadError> {
    let first = source.text.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        match json::parse(&source.text) {
            Ok(p) => return Ok(vec![(p.root, p.warnings)]),
            Err(e) if source.path.ends_with(".json") => return Err(e),
            Err(e) => return yaml_documents(source).map_err(|_| e),
        }
    }
    yaml_documents(source)
}

fn yaml_documents(source: &SourceFile) -> Result<Vec<(Node, Vec<Problem>)>, LoadError> {
    Ok(yaml::parse_stream(source)?
        .into_iter()
        .map(|p| (p.root, p.warnings))
        .collect())
}
