//! The machine-read formats: SARIF must validate against the OASIS schema, and GitHub
//! annotations must survive the runner's parsing of `::command props::message` lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use ecslint::dsl::Program;
use ecslint::finding::{FileError, Finding, Label, Severity};
use ecslint::lint::{self, Options};
use ecslint::render::Report;
use ecslint::render::RuleInfo;
use ecslint::render::github::{self, escape_data, escape_property};
use ecslint::render::sarif;
use ecslint::source::SourceFile;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A finding (ECS002) and a file error, linted with paths relative to the crate root.
fn linted_report(program: &Program) -> Report {
    let paths = [
        "testdata/ECS002/fires/strategy-launch-template.yaml",
        "testdata/cli/malformed.yaml",
    ];
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    // `lint::run` reads paths relative to the working directory, which cargo sets to the root.
    assert_eq!(std::env::current_dir().ok().as_deref(), Some(root()));
    let mut report = lint::run(&paths, program, &Options::default());
    // Other rules may come to fire on this file too; these tests are about ECS002's.
    report.findings.retain(|f| f.code == "ECS002");
    assert_eq!((report.findings.len(), report.errors.len()), (1, 1));
    report
}

fn sarif_validator() -> jsonschema::Validator {
    // Vendored with its licence (tests/schemas/LICENSE-sarif-spec.md), so a clone can test.
    let path = root().join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF output is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "invalid SARIF:\n{}\n{text}",
        errors.join("\n")
    );
    log
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = sarif_validator();
    let ok = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]});
    assert!(validator.is_valid(&ok));
    for bad in [
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "A", "helpUri": "not a uri"}]}}}]}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn sarif_with_a_finding_and_a_file_error_validates_against_the_schema() {
    let program = Program::load(&[]).expect("built-in rules load");
    let log = assert_valid_sarif(&sarif::render(
        &linted_report(&program),
        &RuleInfo::all(&program),
    ));
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ecslint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rule = &driver["rules"][0];
    assert_eq!(
        (&rule["id"], &rule["name"]),
        (&"ECS002".into(), &"exec-on-asg-capacity-provider".into())
    );
    assert_eq!(rule["defaultConfiguration"]["level"], "warning");
    assert!(
        rule["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Fix: ") && t.contains("PROVISIONING"))
    );
    assert!(
        rule["helpUri"]
            .as_str()
            .is_some_and(|u| u.ends_with("ECS002.md"))
    );

    let result = &run["results"][0];
    assert_eq!(
        (&result["ruleId"], &result["ruleIndex"], &result["level"]),
        (&"ECS002".into(), &0.into(), &"warning".into())
    );
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "testdata/ECS002/fires/strategy-launch-template.yaml"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 111, "startColumn": 29, "endLine": 111, "endColumn": 33})
    );
    let related = result["relatedLocations"]
        .as_array()
        .expect("related locations");
    assert_eq!(related.len(), 2);
    assert_eq!(
        related[0]["message"]["text"],
        "capacity provider CapacityProvider"
    );
    assert!(
        result["partialFingerprints"]["ecslint/v1"]
            .as_str()
            .is_some_and(|h| h.len() == 16)
    );

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/cli/malformed.yaml"
    );
    assert_eq!(
        note["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
}

#[test]
fn sarif_of_a_clean_run_and_of_a_hand_built_report_validate() {
    let program = Program::load(&[]).expect("built-in rules load");
    let clean = lint::run(
        &[PathBuf::from("testdata/cli/clean.yaml")],
        &program,
        &Options::default(),
    );
    let log = assert_valid_sarif(&sarif::render(&clean, &RuleInfo::all(&program)));
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));

    // No rule information, a multi-byte file name, an info finding at offset 0, an error
    // without a position.
    let report = hand_built_report();
    let log = assert_valid_sarif(&sarif::render(&report, &[]));
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["level"], "note");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "stacks/%E9%81%8B%E7%94%A8%20api.yaml"
    );
    assert!(log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"].get("region").is_none());
}

#[test]
fn sarif_fingerprints_ignore_position_but_not_the_problem() {
    let report = hand_built_report();
    let a = sarif::render(&report, &[]);
    let mut moved = hand_built_report();
    let shift = "# a comment moves everything down\n";
    let text = format!("{shift}{}", moved.findings[0].source.text);
    let source = SourceFile::new(moved.findings[0].source.path.clone(), text);
    moved.findings[0].span = shift.len()..shift.len() + 8;
    moved.findings[0].source = source;
    let b = sarif::render(&moved, &[]);
    let fp = |s: &str| {
        serde_json::from_str::<Value>(s).expect("JSON")["runs"][0]["results"][0]["partialFingerprints"].clone()
    };
    assert_eq!(fp(&a), fp(&b));
    moved.findings[0].resource = "Other".into();
    assert_ne!(fp(&a), fp(&sarif::render(&moved, &[])));
}

#[test]
fn github_annotations_escape_properties_and_messages() {
    assert_eq!(
        escape_data("100% done\r\nnext: a, b"),
        "100%25 done%0D%0Anext: a, b"
    );
    assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");

    let report = hand_built_report();
    let out = github::render(
        &report,
        &[RuleInfo {
            code: "TST009",
            slug: "odd-names",
            summary: "s",
            fix: None,
            symptom: None,
        }],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=stacks/broken%2C really.yaml,title=ecslint%3A cannot lint this file::cannot read the file: 100%25 gone%0Areally",
            "::notice file=stacks/運用 api.yaml,line=1,col=1,endLine=1,endColumn=9,title=TST009 odd-names::Queue a:b, c is 50%25 full%0Ahelp: Set it%0Ato 10%0Aprevents: Tasks: stop%0Adocs: https://example.com/TST009",
        ]
    );
}

#[test]
fn github_annotations_for_a_linted_file() {
    let program = Program::load(&[]).expect("built-in rules load");
    let out = github::render(&linted_report(&program), &RuleInfo::all(&program));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("::error file=testdata/cli/malformed.yaml,line=5,col=1,title=ecslint%3A cannot lint this file::invalid YAML"), "{}", lines[0]);
    assert!(lines[1].starts_with("::warning file=testdata/ECS002/fires/strategy-launch-template.yaml,line=111,col=29,endLine=111,endColumn=33,title=ECS002 exec-on-asg-capacity-provider::ECS Exec is enabled on Service"), "{}", lines[1]);
    // Everything after the first `::` pair is the message: one line, newlines escaped.
    assert!(
        lines[1].contains("%0Ahelp: ")
            && lines[1].contains("%0Aprevents: Tasks stay in PROVISIONING")
    );
}

/// A report no rule could produce: awkward names and text in every field.
fn hand_built_report() -> Report {
    let text = "Queue: x\nOther: y\n".to_string();
    let source = SourceFile::new("./stacks/運用 api.yaml", text);
    let finding = Finding {
        code: "TST009".into(),
        severity: Severity::Info,
        message: "Queue a:b, c is 50% full".into(),
        source: Arc::clone(&source),
        span: 0..8,
        resource: "Queue".into(),
        labels: vec![Label {
            span: 9..14,
            text: "the other, with: 100%".into(),
            resource: Some("Other".into()),
        }],
        help: Some("Set it\nto 10".into()),
        symptom: Some("Tasks: stop".into()),
        url: Some("https://example.com/TST009".into()),
    };
    let error = FileError {
        source: SourceFile::new("stacks/broken, really.yaml", String::new()),
        message: "cannot read the file: 100% gone\nreally".into(),
        span: None,
    };
    Report {
        findings: vec![finding],
        errors: vec![error],
        files_checked: 1,
    }
}
