//! `docs/ecslint.schema.json`, the JSON schema of `.ecslint.toml` for editors (taplo): it
//! accepts the README's example and every settings file of the test data, and rejects what
//! ecslint refuses.

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/ecslint.schema.json"))
        .expect("the schema is in docs/");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn as_json(toml_text: &str) -> Value {
    let value: toml::Value = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

/// The ```toml blocks of the README's "Settings file" and "Silencing a finding" sections.
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut out = Vec::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```toml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("the block is closed");
        // Indented blocks (in lists) are dedented.
        let block: String = body[..end]
            .lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        out.push(block);
        rest = &body[end..];
    }
    out
}

fn settings_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let p = entry.path();
        if p.is_dir() {
            settings_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

#[test]
fn the_schema_accepts_the_documented_and_tested_settings() {
    let v = validator();
    let examples = readme_examples();
    assert!(examples.len() >= 2, "the README has its TOML examples");
    for example in &examples {
        let doc = as_json(example);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "README example:\n{example}\n{errors:?}");
    }
    let mut files = Vec::new();
    settings_files(&root().join("testdata"), &mut files);
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        // Each file is also one ecslint reads.
        ecslint::config::Config::read(&f).unwrap_or_else(|e| panic!("{e}"));
        let doc = as_json(&text);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
}

#[test]
fn the_schema_rejects_what_ecslint_refuses() {
    let v = validator();
    // (text, refused when the file is read; the fail level is checked on use instead)
    for (text, on_read) in [
        ("ignroe = [\"ECS002\"]\n", true),
        ("fail-level = \"sometimes\"\n", false),
        ("[severity]\nECS002 = \"fatal\"\n", true),
        (
            "[[ignore]]\naddress = \"x\"\nrules = []\nreasn = \"\"\n",
            true,
        ),
        ("[[ignore]]\nrules = [\"ECS002\"]\n", true),
    ] {
        assert!(!v.is_valid(&as_json(text)), "accepted: {text}");
        if !on_read {
            continue;
        }
        let path = std::env::temp_dir().join(format!("ecslint-schema-{}.toml", std::process::id()));
        std::fs::write(&path, text).expect("writable");
        assert!(
            ecslint::config::Config::read(&path).is_err(),
            "ecslint refuses it too: {text}"
        );
        let _ = std::fs::remove_file(&path);
    }
}
