//! One run: find the input files, load them in parallel, evaluate the rules, and collect the
//! results in a deterministic order.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::dsl::Program;
use crate::engine;
use crate::finding::{FileError, Finding};
use crate::load::{self, Outcome};
use crate::render::Report;
use crate::source::SourceFile;
use crate::suppress::{self, Selection};

pub struct Options {
    pub max_file_size: u64,
    pub selection: Selection,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: load::DEFAULT_MAX_FILE_SIZE,
            selection: Selection::default(),
        }
    }
}

/// File extensions looked at when walking a directory.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// Expands directories into the candidate files below them (sorted); files named explicitly
/// are kept whatever their extension. Paths that do not exist become errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    // The same file named twice (`infra infra/api.yaml`) is linted once.
    let mut seen = std::collections::HashSet::new();
    let mut add = |files: &mut Vec<PathBuf>, p: PathBuf| {
        if seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())) {
            files.push(p);
        }
    };
    for p in paths {
        if p.is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| !is_hidden(e.path(), p));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && has_extension(e.path()) => {
                        add(&mut files, e.into_path())
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(path_error(p, &e.to_string())),
                }
            }
        } else if p.exists() {
            add(&mut files, p.clone());
        } else {
            errors.push(path_error(p, "no such file or directory"));
        }
    }
    (files, errors)
}

fn has_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Hidden directories (`.git`, `.terraform`) below a walked root are not linted.
fn is_hidden(p: &Path, root: &Path) -> bool {
    p != root
        && p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') && n.len() > 1)
}

fn path_error(p: &Path, message: &str) -> FileError {
    FileError {
        source: SourceFile::new(p.display().to_string(), String::new()),
        message: message.to_string(),
        span: None,
    }
}

/// Reads and loads one file.
pub fn load_file(path: &Path, opts: &Options) -> Outcome {
    load_candidate(path, opts, false)
}

/// Reads and loads one file. A file named on the command line (`explicit`) must have content;
/// an empty file found while walking a directory is skipped like any non-template.
fn load_candidate(path: &Path, opts: &Options, explicit: bool) -> Outcome {
    let name = path.display().to_string();
    let fail = |message: String| Outcome::Failed {
        source: SourceFile::new(name.clone(), String::new()),
        errors: vec![load::LoadError::whole_file(message)],
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > opts.max_file_size => {
            return fail(format!(
                "the file is {} bytes, more than the limit of {} (see --max-file-size)",
                m.len(),
                opts.max_file_size
            ));
        }
        Err(e) => return fail(format!("cannot read the file: {e}")),
        Ok(_) => {}
    }
    match std::fs::read(path) {
        Ok(bytes) if explicit && bytes.iter().all(u8::is_ascii_whitespace) => Outcome::Failed {
            source: SourceFile::new(name.clone(), String::from_utf8_lossy(&bytes).into_owned()),
            errors: vec![load::LoadError::at("the file is empty".to_string(), 0..0)],
        },
        Ok(bytes) => load::load(&name, bytes),
        Err(e) => fail(format!("cannot read the file: {e}")),
    }
}

/// Lints every file under `paths` with the rules of `program`.
pub fn run(paths: &[PathBuf], program: &Program, opts: &Options) -> Report {
    let (files, mut errors) = discover(paths);
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|f| {
            let mut result = FileResult::default();
            let outcome = load_candidate(f, opts, paths.contains(f));
            result.collect(outcome, None, program, opts);
            result
        })
        .collect();
    let mut report = Report::default();
    for result in results {
        report.findings.extend(result.findings);
        errors.extend(result.errors);
        report.files_checked += usize::from(result.checked);
    }
    report.errors = errors;
    report.sort();
    report
}

/// What one file gave: findings (of every linted document), errors, and whether any of it
/// was linted.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    errors: Vec<FileError>,
    checked: bool,
}

impl FileResult {
    /// Lints a loaded document; `document` is its number in a stream of several.
    fn collect(
        &mut self,
        outcome: Outcome,
        document: Option<usize>,
        program: &Program,
        opts: &Options,
    ) {
        // In a file of several documents, every message names its document; positions are
        // already exact in the file.
        let name = |message: String| match document {
            Some(n) => format!("{message} (document {n})"),
            None => message,
        };
        match outcome {
            Outcome::Skipped => {}
            Outcome::Loaded { graph, problems } => {
                self.checked = true;
                let mut findings = engine::run(program, &graph);
                findings.extend(
                    problems
                        .into_iter()
                        .map(|p| problem_finding(&graph.source, p)),
                );
                for mut f in suppress::apply(&graph, findings, &opts.selection) {
                    f.message = name(f.message);
                    self.findings.push(f);
                }
            }
            Outcome::Failed { source, errors } => {
                self.errors.extend(errors.into_iter().map(|p| FileError {
                    source: source.clone(),
                    message: name(p.message),
                    span: p.span,
                }));
            }
            Outcome::Documents(list) => {
                for (n, o) in list {
                    self.collect(o, Some(n), program, opts);
                }
            }
        }
    }
}

/// A loading problem as a finding, so that every format prints it with its severity.
fn problem_finding(source: &std::sync::Arc<SourceFile>, p: load::Problem) -> Finding {
    Finding {
        code: p.code.to_string(),
        severity: p.severity,
        message: p.message,
        source: source.clone(),
        span: p.span,
        resource: p.resource,
        labels: Vec::new(),
        help: p.help,
        symptom: None,
        url: None,
    }
}
