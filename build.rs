//! Embeds every file of `rules/` into the binary, so the built-in rules need no files at run
//! time, and tells the tests whether the real-world corpus is there (see `corpus_dir`).

use std::fmt::Write;
use std::path::Path;

fn main() {
    corpus_dir();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".ecsl"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from(
        "/// (file name, text) of every built-in rule file.\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    for n in names {
        let path = dir.join(&n);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({n:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// The corpus tests need the shared real-world corpus, which a clone does not have: they run
/// when `ECSLINT_CORPUS=DIR` names it or `../shared/corpus` holds it, and are otherwise
/// compiled as ignored, so the test harness lists them as skipped. The check runs when this
/// script does; setting or changing `ECSLINT_CORPUS` reruns it.
fn corpus_dir() {
    println!("cargo::rustc-check-cfg=cfg(ecslint_corpus)");
    println!("cargo:rerun-if-env-changed=ECSLINT_CORPUS");
    let dir = match std::env::var_os("ECSLINT_CORPUS") {
        Some(d) => std::path::PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    let manifest = dir.join("MANIFEST.tsv");
    // Watched only when present: a missing path would rerun this script on every build.
    if manifest.is_file() {
        println!("cargo:rerun-if-changed={}", manifest.display());
        println!("cargo:rustc-cfg=ecslint_corpus");
        println!("cargo:rustc-env=ECSLINT_CORPUS_DIR={}", dir.display());
    }
}
