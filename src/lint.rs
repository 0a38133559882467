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
    let outcomes: Vec<(Outcome, Vec<Finding>)> = files
        .par_iter()
        .map(|f| {
            let outcome = load_candidate(f, opts, paths.contains(f));
            let findings = match &outcome {
                Outcome::Loaded { graph, .. } => {
                    suppress::apply(graph, engine::run(program, graph), &opts.selection)
                }
                _ => Vec::new(),
            };
            (outcome, findings)
        })
        .collect();
    let mut report = Report::default();
    for (outcome, findings) in outcomes {
        report.findings.extend(findings);
        match outcome {
            Outcome::Skipped => report.files_skipped += 1,
            Outcome::Loaded { graph, problems } => {
                report.files_checked += 1;
                errors.extend(problems.into_iter().map(|p| FileError {
                    source: graph.source.clone(),
                    message: p.message,
                    span: p.span,
                }));
            }
            Outcome::Failed {
                source,
                errors: errs,
            } => {
                errors.extend(errs.into_iter().map(|p| FileError {
                    source: source.clone(),
                    message: p.message,
                    span: p.span,
                }));
            }
        }
    }
    report.errors = errors;
    report.sort();
    report
}
