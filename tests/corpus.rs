//! Loads every file of the shared real-world corpus (`../shared/corpus` or `ECSLINT_CORPUS=DIR`,
//! see its README): no file may crash the loader, and no `expect=good` file that cfn-lint
//! parses (no E0000) may fail to load. Without the corpus (a plain clone) the test is ignored,
//! with the reason in the harness output; `ECSLINT_REQUIRE_CORPUS=1` (set by `.ci/run`)
//! turns a missing corpus into a failure.

use std::path::{Path, PathBuf};

use ecslint::finding::Severity;
use ecslint::lint::{self, Options};
use ecslint::load::{Outcome, Problem};

/// Where build.rs found the corpus; `None` when it is absent.
fn corpus_dir() -> Option<PathBuf> {
    option_env!("ECSLINT_CORPUS_DIR").map(PathBuf::from)
}

#[test]
fn the_corpus_is_present_when_required() {
    if std::env::var_os("ECSLINT_REQUIRE_CORPUS").is_some_and(|v| v != "0") {
        assert!(
            corpus_dir().is_some(),
            "ECSLINT_REQUIRE_CORPUS is set, but the build found no corpus: lay it at \
             ../shared/corpus or set ECSLINT_CORPUS=DIR (the build script checks when it runs)"
        );
    }
}

struct Row {
    path: String,
    expect: String,
    cfnlint_errors: String,
}

fn manifest(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (p, e, c) = (col("path"), col("expect"), col("cfnlint_errors"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                path: f[p].to_string(),
                expect: f[e].to_string(),
                cfnlint_errors: f.get(c).copied().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(ecslint_corpus),
    ignore = "needs the corpus: ../shared/corpus or ECSLINT_CORPUS=DIR"
)]
fn every_corpus_file_loads_without_a_crash() {
    let dir = corpus_dir().expect("build.rs found the corpus");
    let rows = manifest(&dir);
    assert!(rows.len() > 4000, "the manifest lists {} files", rows.len());
    let opts = Options::default();
    let mut unexpected = Vec::new();
    let (mut loaded, mut failed, mut skipped, mut warned) = (0, 0, 0, 0);
    for row in &rows {
        let path = dir.join(&row.path);
        let outcome = std::panic::catch_unwind(|| lint::load_file(&path, &opts))
            .unwrap_or_else(|_| panic!("loading {} panicked", row.path));
        let must_load = row.expect == "good" && !row.cfnlint_errors.contains("E0000");
        // A file of several documents counts once, by its worst document.
        let outcomes = match outcome {
            Outcome::Documents(list) => list.into_iter().map(|(_, o)| o).collect(),
            o => vec![o],
        };
        if let Some(Outcome::Failed { errors, .. }) = outcomes
            .iter()
            .find(|o| matches!(o, Outcome::Failed { .. }))
        {
            failed += 1;
            if must_load {
                unexpected.push(format!("{}: {}", row.path, errors[0].message));
            }
            continue;
        }
        let problems: Vec<&Problem> = outcomes
            .iter()
            .flat_map(|o| match o {
                Outcome::Loaded { problems, .. } => problems.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        if outcomes.iter().any(|o| matches!(o, Outcome::Loaded { .. })) {
            loaded += 1;
            warned += usize::from(!problems.is_empty());
            // Warnings (a merge key, a misspelt type) are findings, not load failures.
            let errors: Vec<&&Problem> = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            if must_load && !errors.is_empty() {
                unexpected.push(format!("{}: {}", row.path, errors[0].message));
            }
        } else {
            skipped += 1;
            if must_load && row.path.starts_with("tfplan/") {
                unexpected.push(format!("{}: skipped", row.path));
            }
        }
    }
    eprintln!(
        "corpus: {loaded} loaded ({warned} with loading problems), {failed} failed, {skipped} skipped"
    );
    assert!(
        unexpected.is_empty(),
        "good files failed to load:\n{}",
        unexpected.join("\n")
    );
}
