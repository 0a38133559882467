//! Inputs that used to be skipped or misreported without a word: YAML merge keys, duplicate
//! keys, multi-document files, symlinks, devices and pipes, files that are not templates,
//! misspelt resource types. The built binary is run on the cases in `testdata/load/`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ecslint(args: &[&str]) -> Run {
    ecslint_in(env!("CARGO_MANIFEST_DIR"), args)
}

fn ecslint_in(dir: impl AsRef<Path>, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ecslint binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> (i32, Value) {
    json_in(env!("CARGO_MANIFEST_DIR"), args)
}

fn json_in(dir: impl AsRef<Path>, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = ecslint_in(dir, &all);
    let doc = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, doc)
}

/// (code, resource, line, column) of every finding.
fn findings(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn errors(doc: &Value) -> &Vec<Value> {
    doc["errors"].as_array().expect("errors")
}

/// A scratch directory of the test's own, emptied first.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn f(code: &str, resource: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (code.to_string(), resource.to_string(), line, column)
}

#[test]
fn merged_resources_are_linted_and_the_merge_key_is_a_warning() {
    let (code, doc) = json(&["testdata/load/merge-keys.yaml"]);
    assert_eq!(code, 1, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    // LargeInstances gets its type and properties through `<<`: it is linted, and the finding
    // points where the merged type is written.
    assert_eq!(
        findings(&doc),
        [
            f("ECS004", "LargeInstances", 17, 11),
            f("ECS004", "SmallInstances", 17, 11),
            f("ECS902", "", 28, 5),
            f("ECS902", "", 30, 7),
        ]
    );
    assert_eq!(doc["findings"][2]["severity"], "warning");
    // Warnings never make exit 2: `--fail-level` decides.
    let only_warnings = ["--ignore", "ECS004", "testdata/load/merge-keys.yaml"];
    assert_eq!(json(&only_warnings).0, 1);
    let mut at_error = vec!["--fail-level", "error"];
    at_error.extend(only_warnings);
    assert_eq!(ecslint(&at_error).code, 0);
}

#[test]
fn a_duplicate_key_is_a_located_error_and_the_file_is_still_linted() {
    let file = "testdata/load/duplicate-key.yaml";
    let (code, doc) = json(&[file]);
    assert_eq!(code, 1, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    assert_eq!(
        findings(&doc),
        [f("ECS004", "Instances", 16, 11), f("ECS901", "", 20, 7)]
    );
    let dup = &doc["findings"][1];
    assert_eq!(dup["severity"], "error");
    let message = dup["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("duplicate key `InstanceType`"),
        "{message}"
    );
    assert!(message.contains("line 19"), "{message}");

    let github = ecslint(&["--format", "github", file]);
    assert!(!github.stdout.contains("cannot lint"), "{}", github.stdout);
    assert!(
        github.stdout.contains(&format!(
            "::error file={file},line=20,col=7,endLine=20,endColumn=19,title=ECS901 duplicate-key::"
        )),
        "{}",
        github.stdout
    );
    let sarif: Value =
        serde_json::from_str(&ecslint(&["--format", "sarif", file]).stdout).expect("SARIF");
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true, "{run}");
    let results = run["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "ECS901" && r["level"] == "error"),
        "{run}"
    );
    let human = ecslint(&[file]);
    assert!(human.stdout.contains("ECS901"), "{}", human.stdout);
    assert!(
        human.stdout.contains("Found 2 problems in 1 file(s)."),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("file error"), "{}", human.stdout);
}

#[test]
fn every_template_of_a_multi_document_file_is_linted_and_named() {
    let (code, doc) = json(&["testdata/load/multi-document.yaml"]);
    assert_eq!(code, 1, "{doc}");
    // Document 1 is a Kubernetes object, document 3 a clean template; positions are the file's.
    assert_eq!(findings(&doc), [f("ECS004", "Instances", 25, 11)]);
    let message = doc["findings"][0]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with("(document 2)"), "{message}");
    let human = ecslint(&["testdata/load/multi-document.yaml"]);
    assert!(
        human.stdout.contains("Found 1 problem in 1 file(s)."),
        "{}",
        human.stdout
    );
}
