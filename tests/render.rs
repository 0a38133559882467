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

/// SARIF options as the CLI builds them, with URIs relative to the crate root.
fn sarif_options(program: &Program) -> sarif::Options {
    sarif::Options::for_run(program, Some(root()))
}

/// For reports built by hand: a repository at `/repo`, linted from its top level.
fn bare_options() -> sarif::Options {
    sarif::Options {
        root: Some(PathBuf::from("/repo")),
        cwd: PathBuf::from("/repo"),
        rules: Vec::new(),
    }
}

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
        &sarif_options(&program),
    ));
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ecslint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    // Every loaded rule is listed, by code; the result points at ECS002's entry.
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    // Then the codes no rule file declares: the suppression report and the loader's problems.
    let codes: Vec<&str> = program
        .rules
        .iter()
        .map(|r| r.code.as_str())
        .chain(std::iter::once(ecslint::suppress::CODE))
        .chain(ecslint::load::CODES.iter().map(|c| c.0))
        .collect();
    let mut codes = codes;
    codes.sort_unstable();
    assert_eq!(ids, codes);
    let ecs002 = ids
        .iter()
        .position(|c| *c == "ECS002")
        .expect("ECS002 listed");
    let rule = &driver["rules"][ecs002];
    assert_eq!(rule["name"], "exec-on-asg-capacity-provider");
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
        (&"ECS002".into(), &ecs002.into(), &"warning".into())
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
    assert_eq!(related[0]["id"], 1);
    assert!(
        result["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("[capacity provider CapacityProvider](1)"))
    );
    assert!(
        result["partialFingerprints"]["ecslint/v1"]
            .as_str()
            .is_some_and(|h| h.len() == 18 && h.ends_with(":1"))
    );
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .map(|u| u.starts_with("file:///") && u.ends_with('/')),
        Some(true)
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
    let log = assert_valid_sarif(&sarif::render(&clean, &sarif_options(&program)));
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));

    // No rule information, a multi-byte file name, an info finding at offset 0, an error
    // without a position.
    let report = hand_built_report();
    let log = assert_valid_sarif(&sarif::render(&report, &bare_options()));
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
    let a = sarif::render(&report, &bare_options());
    let mut moved = hand_built_report();
    let shift = "# a comment moves everything down\n";
    let text = format!("{shift}{}", moved.findings[0].source.text);
    let source = SourceFile::new(moved.findings[0].source.path.clone(), text);
    moved.findings[0].span = shift.len()..shift.len() + 8;
    moved.findings[0].source = source;
    let b = sarif::render(&moved, &bare_options());
    let fp = |s: &str| {
        serde_json::from_str::<Value>(s).expect("JSON")["runs"][0]["results"][0]["partialFingerprints"]["ecslint/v1"].clone()
    };
    assert_eq!(fp(&a), fp(&b));
    let mut other_file = hand_built_report();
    let source = &other_file.findings[0].source;
    other_file.findings[0].source = SourceFile::new("stacks/copy.yaml", source.text.clone());
    assert_ne!(fp(&a), fp(&sarif::render(&other_file, &bare_options())));
    moved.findings[0].resource = "Other".into();
    assert_ne!(fp(&a), fp(&sarif::render(&moved, &bare_options())));
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
        chain: Vec::new(),
        help: Some("Set it\nto 10".into()),
        symptom: Some("Tasks: stop".into()),
        url: Some("https://example.com/TST009".into()),
        primary_label: None,
        provider: ecslint::graph::Provider::CloudFormation,
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
        files_skipped: 0,
    }
}

/// The SARIF of every `fires/` case validates and carries what code scanning reads: every
/// loaded rule with its documentation page, tags, precision and problem severity; results
/// relative to the repository root, linked to their related locations, with fingerprints.
#[test]
fn sarif_of_every_firing_case_validates_and_is_complete_for_code_scanning() {
    let program = Program::load(&[]).expect("built-in rules load");
    let opts = sarif_options(&program);
    let mut cases: Vec<PathBuf> = walkdir::WalkDir::new(root().join("testdata"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().parent().is_some_and(|p| p.ends_with("fires")))
        // The cases of the built-in rules; custom-rules/ holds cases of rules loaded by --rules.
        .filter(|e| !e.path().starts_with(root().join("testdata/custom-rules")))
        .map(|e| {
            e.path()
                .strip_prefix(root())
                .expect("below the root")
                .to_path_buf()
        })
        .collect();
    cases.sort();
    assert!(cases.len() > 40, "only {} fires/ cases", cases.len());
    let mut results = 0;
    for case in &cases {
        let report = lint::run(std::slice::from_ref(case), &program, &Options::default());
        let log = assert_valid_sarif(&sarif::render(&report, &opts));
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let others = 1 + ecslint::load::CODES.len();
        assert_eq!(
            rules.len(),
            program.rules.len() + others,
            "{}",
            case.display()
        );
        for r in &program.rules {
            let rule = rules
                .iter()
                .find(|x| x["id"] == r.code.as_str())
                .expect("every rule listed");
            let page = std::fs::read_to_string(root().join(format!("docs/rules/{}.md", r.code)))
                .expect("documentation page");
            assert_eq!(rule["help"]["markdown"], page, "{}", r.code);
            let props = &rule["properties"];
            assert_eq!(props["tags"], serde_json::json!(["ecs", "reliability"]));
            let (precision, problem) = match r.severity {
                Severity::Error => ("high", "error"),
                Severity::Warning => ("medium", "warning"),
                Severity::Info => ("medium", "recommendation"),
            };
            assert_eq!(
                (&props["precision"], &props["problem.severity"]),
                (&precision.into(), &problem.into())
            );
        }
        let found = run["results"].as_array().expect("results");
        assert!(!found.is_empty(), "{}: no result", case.display());
        let uri = case.to_string_lossy().replace('\\', "/");
        for result in found {
            results += 1;
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], uri.as_str());
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let text = result["message"]["text"].as_str().expect("message");
            for related in result["relatedLocations"].as_array().expect("related") {
                let id = related["id"].as_u64().expect("id");
                assert!(
                    text.contains(&format!("]({id})")),
                    "{uri}: no link to {id}: {text}"
                );
            }
            let fingerprints = &result["partialFingerprints"];
            assert!(fingerprints["ecslint/v1"].is_string());
            let line = location["region"]["startLine"].as_u64().expect("line");
            let hash = fingerprints["primaryLocationLineHash"].as_str();
            if line > 1 {
                let (value, count) = hash.and_then(|h| h.split_once(':')).expect("line hash");
                assert!(u64::from_str_radix(value, 16).is_ok() && count.parse::<u32>().is_ok());
            }
        }
    }
    assert!(results >= cases.len());
}

/// One run of the command line writes annotations and the SARIF log; URIs are relative to
/// the repository root even when ecslint runs in a subdirectory.
#[test]
fn sarif_file_is_written_next_to_the_annotations() {
    let dir = std::env::temp_dir().join(format!("ecslint-sarif-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sarif_path = dir.join("out.sarif");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .current_dir(root().join("testdata/ECS002"))
        .args(["--format", "github", "--sarif-file"])
        .arg(&sarif_path)
        .args(["--sarif-root", "../.."])
        .arg("fires/strategy-launch-template.yaml")
        .output()
        .expect("ecslint runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("::warning file=fires/strategy-launch-template.yaml,"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&sarif_path).expect("SARIF written");
    let log = assert_valid_sarif(&text);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter()
            .all(|u| *u == "testdata/ECS002/fires/strategy-launch-template.yaml")
    );

    // A file that cannot be written is bad usage.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecslint"))
        .args(["--sarif-file"])
        .arg(dir.join("missing/out.sarif"))
        .arg(root().join("testdata/cli/clean.yaml"))
        .output()
        .expect("ecslint runs");
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sarif_warns_past_what_code_scanning_keeps() {
    let mut report = hand_built_report();
    let one = report.findings[0].clone();
    report.findings = vec![one; 5_000];
    assert_eq!(sarif::too_many_results(&report), None);
    report.findings.push(report.findings[0].clone());
    assert!(sarif::too_many_results(&report).is_some_and(|w| w.contains("5001 results")));
}
