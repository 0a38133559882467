//! The same input gives the same bytes, in every format, whatever the number of threads:
//! files are loaded in parallel, and nothing of the order they finish in may show. The
//! built binary is run with `RAYON_NUM_THREADS` 1 and 2 on `testdata/` and on a
//! sample of the shared corpus (`../shared/corpus`) when it is present.

use std::path::PathBuf;
use std::process::Command;

const FORMATS: &[&str] = &["human", "json", "sarif", "github"];

/// (exit code, stdout, stderr) of one run.
fn run(threads: &str, format: &str, paths: &[PathBuf]) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .arg("--format")
        .arg(format)
        .arg("--fail-level")
        .arg("never")
        .args(paths)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RAYON_NUM_THREADS", threads)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ecslint binary runs");
    (out.status.code(), out.stdout, out.stderr)
}

fn assert_same_bytes(what: &str, paths: &[PathBuf]) {
    for format in FORMATS {
        let one = run("1", format, paths);
        assert!(!one.1.is_empty(), "{what} {format}: no output");
        let two = run("2", format, paths);
        assert!(
            one == two,
            "{what}, --format {format}: 1 thread and 2 differ (exit {:?} vs {:?}, {} vs {} bytes)",
            one.0,
            two.0,
            one.1.len(),
            two.1.len()
        );
    }
}

#[test]
fn testdata_gives_the_same_bytes_whatever_the_threads() {
    assert_same_bytes("testdata", &[PathBuf::from("testdata")]);
}

#[test]
#[cfg_attr(
    not(ecslint_corpus),
    ignore = "needs the corpus: ../shared/corpus or ECSLINT_CORPUS=DIR"
)]
fn a_corpus_sample_gives_the_same_bytes_whatever_the_threads() {
    // The corpus build.rs found (`../shared/corpus` or ECSLINT_CORPUS).
    let dir = option_env!("ECSLINT_CORPUS_DIR")
        .map(PathBuf::from)
        .expect("build.rs found the corpus");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (path, ecs) = (col("path"), col("ecs"));
    // Every ECS file, and one in forty of the others: findings and errors of both kinds.
    let sample: Vec<PathBuf> = lines
        .enumerate()
        .filter_map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            let keep = f.get(ecs) == Some(&"yes") || i % 40 == 0;
            f.get(path).filter(|_| keep).map(|p| dir.join(p))
        })
        .collect();
    assert!(sample.len() > 200, "{} files", sample.len());
    assert_same_bytes("the corpus sample", &sample);
}
