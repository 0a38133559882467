//! One run: find the input files, load them in parallel, evaluate the rules, and collect the
//! results in a deterministic order.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::dsl::Program;
use crate::engine;
use crate::finding::FileError;
use crate::load::{self, Outcome};
use crate::render::Report;
use crate::source::SourceFile;
use crate::suppress::{self, Selection};

pub struct Options {
    pub max_file_size: u64,
    pub selection: Selection,
    /// The path `-` reads this (stdin), under this name.
    pub stdin: Option<(String, Vec<u8>)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: load::DEFAULT_MAX_FILE_SIZE,
            selection: Selection::default(),
            stdin: None,
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

/// Reads and loads one file (`-`: the text of `opts.stdin`).
pub fn load_file(path: &Path, opts: &Options) -> Outcome {
    match &opts.stdin {
        Some((name, bytes)) if path.as_os_str() == "-" => load_stdin(name, bytes, opts),
        _ => load_candidate(path, opts, false),
    }
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
        Ok(bytes) => load_bytes(&name, bytes, explicit),
        Err(e) => fail(format!("cannot read the file: {e}")),
    }
}

fn load_bytes(name: &str, bytes: Vec<u8>, explicit: bool) -> Outcome {
    if explicit && bytes.iter().all(u8::is_ascii_whitespace) {
        return Outcome::Failed {
            source: SourceFile::new(name, String::from_utf8_lossy(&bytes).into_owned()),
            errors: vec![load::LoadError::at("the file is empty".to_string(), 0..0)],
        };
    }
    load::load(name, bytes)
}

/// The text read from stdin (the path `-`), always taken as named explicitly.
fn load_stdin(name: &str, bytes: &[u8], opts: &Options) -> Outcome {
    if bytes.len() as u64 > opts.max_file_size {
        return Outcome::Failed {
            source: SourceFile::new(name, String::new()),
            errors: vec![load::LoadError::whole_file(format!(
                "the input is {} bytes, more than the limit of {} (see --max-file-size)",
                bytes.len(),
                opts.max_file_size
            ))],
        };
    }
    load_bytes(name, bytes.to_vec(), true)
}

/// Evaluates the rules on a loaded file and applies the suppressions.
fn check(outcome: Outcome, program: &Program, opts: &Options) -> (Outcome, suppress::Applied) {
    let applied = match &outcome {
        Outcome::Loaded { graph, .. } => {
            suppress::apply(graph, engine::run(program, graph), &opts.selection)
        }
        _ => suppress::Applied::default(),
    };
    (outcome, applied)
}

/// Lints every file under `paths` with the rules of `program`.
pub fn run(paths: &[PathBuf], program: &Program, opts: &Options) -> Report {
    let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.as_os_str() == "-");
    let (files, mut errors) = discover(&paths);
    let mut outcomes: Vec<(Outcome, suppress::Applied)> = files
        .par_iter()
        .map(|f| check(load_candidate(f, opts, paths.contains(f)), program, opts))
        .collect();
    if !stdin.is_empty() {
        let (name, bytes) = match &opts.stdin {
            Some((name, bytes)) => (name.as_str(), bytes.as_slice()),
            None => ("-", &[][..]),
        };
        outcomes.push(check(load_stdin(name, bytes, opts), program, opts));
    }
    let mut report = Report::default();
    let mut used = std::collections::HashSet::new();
    let mut present = std::collections::HashSet::new();
    for (outcome, applied) in outcomes {
        report.findings.extend(applied.findings);
        errors.extend(applied.errors);
        used.extend(applied.used_addresses);
        present.extend(applied.present_addresses);
        match outcome {
            Outcome::Skipped => {}
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
    let (findings, errs) = suppress::address_reports(&opts.selection, &used, &present);
    report.findings.extend(findings);
    errors.extend(errs);
    report.errors = errors;
    report.sort();
    report
}
