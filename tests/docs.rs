//! The rule documentation pages (`docs/rules/<CODE>.md`, the URL every finding links to) and
//! the README's rule table are generated from the rule headers, the function reference in
//! docs/rules.md from the built-in registry, docs/terraform.md from the Terraform binding table
//! (`bindings/aws.toml`), and the stored built-in program
//! (`src/dsl/stored_program.rs`) from the rule files. These tests fail when they are out of
//! date; `UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use std::path::Path;

use ecslint::dsl::{Program, stored};
use ecslint::explain;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `want` to `path` when updating, else says whether it differs.
fn check(path: &Path, want: &str, stale: &mut Vec<String>) {
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have == want {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, want).expect("docs writable");
    } else {
        stale.push(path.display().to_string());
    }
}

const TABLE_START: &str = "<!-- rules:start -->\n";
const TABLE_END: &str = "<!-- rules:end -->";
const FUNCTIONS_START: &str = "<!-- builtins:start -->\n";
const FUNCTIONS_END: &str = "<!-- builtins:end -->";
const RELATIONS_START: &str = "<!-- relations:start -->\n";
const RELATIONS_END: &str = "<!-- relations:end -->";

fn table(program: &Program) -> String {
    let mut t = String::from("| code | name | severity | prevents |\n|---|---|---|---|\n");
    for r in &program.rules {
        let symptom = r.symptom.as_deref().unwrap_or("").replace('|', "\\|");
        t.push_str(&format!(
            "| [{code}](docs/rules/{code}.md) | {slug} | {sev} | {symptom} |\n",
            code = r.code,
            slug = r.slug,
            sev = r.severity
        ));
    }
    t
}

#[test]
fn rule_docs_and_the_readme_table_are_current() {
    let program = Program::load(&[]).expect("built-in rules load");
    let mut stale = Vec::new();
    let dir = root().join("docs/rules");
    std::fs::create_dir_all(&dir).expect("docs/rules creatable");
    for r in &program.rules {
        check(
            &dir.join(format!("{}.md", r.code)),
            &explain::page(r),
            &mut stale,
        );
    }
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md readable");
    let (Some(start), Some(end)) = (readme.find(TABLE_START), readme.find(TABLE_END)) else {
        panic!("README.md needs the markers {TABLE_START:?} and {TABLE_END:?}");
    };
    let want = format!(
        "{}{TABLE_START}{}{}",
        &readme[..start],
        table(&program),
        &readme[end..]
    );
    check(&readme_path, &want, &mut stale);
    let rules_doc = root().join("docs/rules.md");
    let text = std::fs::read_to_string(&rules_doc).expect("docs/rules.md readable");
    let (Some(start), Some(end)) = (text.find(FUNCTIONS_START), text.find(FUNCTIONS_END)) else {
        panic!("docs/rules.md needs the markers {FUNCTIONS_START:?} and {FUNCTIONS_END:?}");
    };
    let want = format!(
        "{}{FUNCTIONS_START}{}{}",
        &text[..start],
        explain::function_reference(),
        &text[end..]
    );
    check(&rules_doc, &want, &mut stale);
    let text = std::fs::read_to_string(&rules_doc).expect("docs/rules.md readable");
    let (Some(start), Some(end)) = (text.find(RELATIONS_START), text.find(RELATIONS_END)) else {
        panic!("docs/rules.md needs the markers {RELATIONS_START:?} and {RELATIONS_END:?}");
    };
    let want = format!(
        "{}{RELATIONS_START}{}{}",
        &text[..start],
        explain::relation_reference(&program),
        &text[end..]
    );
    check(&rules_doc, &want, &mut stale);
    check(
        &root().join("docs/terraform.md"),
        &ecslint::bindings::reference::page(),
        &mut stale,
    );
    assert!(
        stale.is_empty(),
        "out of date (run UPDATE_DOCS=1 cargo test --test docs): {stale:?}"
    );
}

/// The program a start loads without parsing must be the one the rule files give today.
#[test]
fn the_stored_builtin_program_is_current() {
    let program = Program::builtin_from_text().expect("built-in rules load");
    let want = stored::encode(&program);
    let path = root().join("src/dsl/stored_program.rs");
    // Compared without carriage returns: a Windows clone may turn LF into CRLF.
    let have = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if have != want && std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("src/dsl writable");
        return;
    }
    assert!(
        have == want,
        "{} is out of date (run UPDATE_DOCS=1 cargo test --test docs)",
        path.display()
    );
    // What a start loads is that program: every rule and relation, in the same order.
    let loaded = stored::program().expect("the stored program matches this build");
    assert_eq!(stored::encode(&loaded), want);
    assert_eq!(loaded.rules.len(), program.rules.len());
}
