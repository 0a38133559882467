//! One run: find the input files, load them in parallel, evaluate the rules, and collect the
//! results in a deterministic order.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Excludes;
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
    /// Paths not to lint below a walked directory (`--exclude`, `exclude` in settings).
    pub exclude: Vec<Excludes>,
    /// The path `-` reads this (stdin), under this name.
    pub stdin: Option<(String, Vec<u8>)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: load::DEFAULT_MAX_FILE_SIZE,
            selection: Selection::default(),
            exclude: Vec::new(),
            stdin: None,
        }
    }
}

/// File extensions looked at when walking a directory.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// Directories of generated or downloaded files, not walked unless named explicitly.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".terraform", "cdk.out"];

/// Expands directories into the candidate files below them (sorted); files named explicitly
/// are kept whatever their extension, `.gitignore` or `--exclude`. Paths that do not exist
/// become errors.
pub fn discover(paths: &[PathBuf], opts: &Options) -> (Vec<PathBuf>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    // The same file named twice (`infra infra/api.yaml`), or reached through a symbolic link,
    // is linted once, under the first path it was found by.
    let mut seen = std::collections::HashSet::new();
    let mut add = |files: &mut Vec<PathBuf>, p: PathBuf| {
        if seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())) {
            files.push(p);
        }
    };
    for p in paths {
        if p.is_dir() {
            for f in walk(p, opts, &mut errors) {
                add(&mut files, f);
            }
        } else if p.exists() {
            add(&mut files, p.clone());
        } else {
            errors.push(path_error(p, "no such file or directory"));
        }
    }
    (files, errors)
}

/// The template candidates below a directory: regular files with a template extension,
/// following symbolic links (to files and directories), honouring `.gitignore` and `.ignore`
/// files (in a git repository or not), skipping hidden entries, `SKIPPED_DIRS` and the
/// excluded paths. Pipes, sockets and devices are not candidates, so a walk never blocks.
fn walk(root: &Path, opts: &Options, errors: &mut Vec<FileError>) -> Vec<PathBuf> {
    let excludes = opts.exclude.clone();
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .follow_links(true)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            let skipped_dir = e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n));
            e.depth() == 0 || !(skipped_dir || excludes.iter().any(|x| x.matches(e.path())))
        });
    let mut files = Vec::new();
    for entry in builder.build() {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) && has_extension(e.path()) => {
                files.push(e.into_path())
            }
            Ok(_) => {}
            Err(err) => {
                if let Some(error) = walk_error(&err) {
                    errors.push(error);
                }
            }
        }
    }
    files
}

/// What a walk error means for the user. A link back to a directory being walked is a loop
/// whose files are found anyway; a mistake in an ignore file concerns no template; a broken
/// link or an unreadable directory may hide a template and is reported.
fn walk_error(err: &ignore::Error) -> Option<FileError> {
    walk_error_at(err, None)
}

fn walk_error_at(err: &ignore::Error, at: Option<&Path>) -> Option<FileError> {
    use ignore::Error;
    match err {
        Error::Loop { .. } | Error::Glob { .. } | Error::UnrecognizedFileType(_) => None,
        Error::InvalidDefinition | Error::Partial(_) | Error::WithLineNumber { .. } => None,
        Error::WithDepth { err, .. } => walk_error_at(err, at),
        Error::WithPath { path, err } => walk_error_at(err, Some(path)),
        Error::Io(io) => {
            let path = at.unwrap_or(Path::new("."));
            if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
                // A dangling link is reported only where a template could have been.
                has_extension(path).then(|| path_error(path, "broken symbolic link"))
            } else {
                Some(path_error(path, &format!("cannot read: {io}")))
            }
        }
    }
}

/// In any letter case: `STACK.YAML` and `Stack.Template` are templates too.
fn has_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
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
    match &opts.stdin {
        Some((name, bytes)) if path.as_os_str() == "-" => load_stdin(name, bytes, opts),
        _ => load_candidate(path, opts, false),
    }
}

/// Reads and loads one file. A file named on the command line (`explicit`) must have content;
/// an empty file found while walking a directory is skipped like any non-template.
fn load_candidate(path: &Path, opts: &Options, explicit: bool) -> Outcome {
    let name = path.display().to_string();
    match read_limited(path, opts.max_file_size) {
        Ok(bytes) => load_bytes(&name, bytes, explicit),
        Err(message) => Outcome::Failed {
            source: SourceFile::new(name, String::new()),
            errors: vec![load::LoadError::whole_file(message)],
        },
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

/// The bytes of a file, refused beyond `limit`. The limit is enforced while reading: the size
/// of a device (`/dev/zero`) or a pipe is not known beforehand.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let regular = file.metadata().ok().filter(|m| m.is_file());
    if let Some(m) = &regular
        && m.len() > limit
    {
        return Err(format!(
            "the file is {} bytes, more than the limit of {limit} (see --max-file-size)",
            m.len()
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(match regular {
            Some(_) => format!(
                "the file grew beyond the limit of {limit} bytes while it was read (see --max-file-size)"
            ),
            None => format!(
                "more than the limit of {limit} bytes could be read, and this is not a regular file (a device or a pipe?); see --max-file-size"
            ),
        });
    }
    Ok(bytes)
}

/// Lints every file under `paths` with the rules of `program`.
pub fn run(paths: &[PathBuf], program: &Program, opts: &Options) -> Report {
    run_listing_skipped(paths, program, opts).0
}

/// Like `run`, and also lists the files that were read but skipped, being neither a template
/// nor a plan (for `--verbose`).
pub fn run_listing_skipped(
    paths: &[PathBuf],
    program: &Program,
    opts: &Options,
) -> (Report, Vec<PathBuf>) {
    let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.as_os_str() == "-");
    let (mut files, mut errors) = discover(&paths, opts);
    let mut results: Vec<FileResult> = files
        .par_iter()
        .map(|f| FileResult::of(load_candidate(f, opts, paths.contains(f)), program, opts))
        .collect();
    if !stdin.is_empty() {
        let (name, bytes) = match &opts.stdin {
            Some((name, bytes)) => (name.as_str(), bytes.as_slice()),
            None => ("-", &[][..]),
        };
        results.push(FileResult::of(load_stdin(name, bytes, opts), program, opts));
        files.push(PathBuf::from(name));
    }
    let mut report = Report::default();
    let mut skipped = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut present = std::collections::HashSet::new();
    for (result, file) in results.into_iter().zip(files) {
        if !result.checked && result.errors.is_empty() {
            skipped.push(file);
        }
        report.findings.extend(result.findings);
        errors.extend(result.errors);
        used.extend(result.used_addresses);
        present.extend(result.present_addresses);
        report.files_checked += usize::from(result.checked);
        report.files_skipped += usize::from(result.skipped && !result.checked);
    }
    let (findings, errs) = suppress::address_reports(&opts.selection, &used, &present);
    report.findings.extend(findings);
    errors.extend(errs);
    report.errors = errors;
    report.sort();
    (report, skipped)
}

/// What one file gave: findings (of every linted document), errors, and whether any of it
/// was linted.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    errors: Vec<FileError>,
    checked: bool,
    /// Read, and neither a template nor a plan.
    skipped: bool,
    /// `[[ignore]]` tables (and their rules) that silenced a finding, and those whose
    /// resource is in this file (see `suppress::Applied`).
    used_addresses: std::collections::HashSet<(usize, usize)>,
    present_addresses: std::collections::HashSet<usize>,
}

impl FileResult {
    fn of(outcome: Outcome, program: &Program, opts: &Options) -> FileResult {
        let mut result = FileResult::default();
        result.collect(outcome, None, program, opts);
        result
    }

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
            Outcome::Skipped => self.skipped = true,
            Outcome::Loaded { graph, problems } => {
                self.checked = true;
                let mut findings = engine::run(program, &graph);
                findings.extend(problems.into_iter().map(|p| problem_finding(&graph, p)));
                let applied = suppress::apply(&graph, findings, &opts.selection);
                for mut f in applied.findings {
                    f.message = name(f.message);
                    self.findings.push(f);
                }
                self.errors.extend(applied.errors);
                self.used_addresses.extend(applied.used_addresses);
                self.present_addresses.extend(applied.present_addresses);
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
fn problem_finding(graph: &crate::graph::Graph, p: load::Problem) -> Finding {
    Finding {
        code: p.code.to_string(),
        severity: p.severity,
        message: p.message,
        source: graph.source.clone(),
        span: p.span,
        resource: p.resource,
        labels: Vec::new(),
        help: p.help,
        symptom: None,
        url: None,
        primary_label: None,
        chain: Vec::new(),
        provider: graph.provider,
    }
}
