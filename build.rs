//! Embeds every file of `rules/` into the binary, so the built-in rules need no files at run
//! time, with a hash of them and of the rule language's sources (see `language_hash`), and
//! tells the tests whether the real-world corpus is there (see `corpus_dir`).

use std::fmt::Write;
use std::path::Path;

fn main() {
    corpus_dir();
    bindings_json();
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
    // (Each file is watched by `language_hash`, which reads them all.)
    for n in &names {
        let path = dir.join(n);
        let _ = writeln!(
            out,
            "    ({n:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let hash = language_hash(&dir, &names);
    let _ = writeln!(
        out,
        "/// Identifies the rule files and the rule language this binary is built from.\npub const BUILTIN_HASH: u64 = {hash:#018x};"
    );
    stored_program(hash);
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// The stored built-in program, `src/dsl/stored_program.rs`, is compiled in
/// (`cfg(ecslint_stored)`) only when its first line names the hash of this build's rule files
/// and rule language: a stale one may not even compile against a changed syntax tree.
fn stored_program(hash: u64) {
    println!("cargo::rustc-check-cfg=cfg(ecslint_stored)");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dsl/stored_program.rs");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if text.lines().next() == Some(&format!("// BUILTIN_HASH {hash:#018x}")) {
        println!("cargo:rustc-cfg=ecslint_stored");
    }
}

/// The Terraform binding table, `bindings/aws.toml`, as JSON for `src/bindings/table.rs`: the
/// table is read at every start that loads a plan, and JSON parses several times faster than
/// TOML (about 0.2 ms against 1.5 ms). A TOML syntax error stops the build here.
fn bindings_json() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings/aws.toml");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("bindings/aws.toml is readable");
    let value: toml::Value =
        toml::from_str(&text).unwrap_or_else(|e| panic!("bindings/aws.toml: {e}"));
    let json = serde_json::to_string(&value).expect("TOML values are JSON values");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bindings.json");
    std::fs::write(dest, json).expect("OUT_DIR is writable");
}

/// FNV-1a over the built-in rule files and everything that turns them into a program (the
/// grammar, `src/dsl/`, and `src/finding.rs` for severities): the stored program of
/// `src/dsl/stored.rs` is used only when it was made from the same.
fn language_hash(rules: &Path, names: &[String]) -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dsl = root.join("src/dsl");
    println!("cargo:rerun-if-changed={}", dsl.display());
    let mut files: Vec<std::path::PathBuf> = names.iter().map(|n| rules.join(n)).collect();
    let mut sources: Vec<_> = std::fs::read_dir(&dsl)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    // The stored program is made from the rest, not part of it.
    sources
        .retain(|p| p.extension().is_some_and(|x| x == "rs") && !p.ends_with("stored_program.rs"));
    sources.sort();
    files.extend(sources);
    files.push(root.join("grammar/ecslint.pest"));
    files.push(root.join("src/finding.rs"));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        // The line endings of a Rust source (a Windows clone may turn LF into CRLF) change no
        // program; those of a rule file change its spans, so they count.
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        if path.extension().is_some_and(|x| x != "ecsl") {
            text = text.replace("\r\n", "\n");
        }
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
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
