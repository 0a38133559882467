//! The command line as a user meets it: the built binary run on files in `testdata/`, checking
//! exit codes, the JSON document's shape, the order of results, colour, and the subcommands.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const FINDING: &str = "testdata/ECS002/fires/strategy-launch-template.yaml";
const CLEAN: &str = "testdata/cli/clean.yaml";
const CUSTOM_RULES: &str = "testdata/custom-rules/rules";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs ecslint from the crate root, so paths (and the `file` fields) are relative.
fn ecslint(args: &[&str]) -> Run {
    ecslint_with(args, |_| {})
}

fn ecslint_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecslint"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    setup(&mut cmd);
    let out = cmd.output().expect("the ecslint binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = ecslint(&all);
    let doc = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run.code, doc)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn list<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is an array in {doc}"))
}

/// A file the test writes itself, for inputs that do not belong in the repository.
fn scratch(name: &str, bytes: &[u8]) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).expect("scratch file written");
    path.display().to_string()
}

#[test]
fn clean_template_exits_0() {
    let run = ecslint(&[CLEAN]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No problems found in 1 file\n");
}

#[test]
fn exit_code_follows_fail_level() {
    assert_eq!(
        ecslint(&[FINDING]).code,
        1,
        "ECS002 is a warning, the default --fail-level"
    );
    // Only TST001, a warning, fires on this file.
    for (level, code) in [
        (None, 1),
        (Some("warning"), 1),
        (Some("info"), 1),
        (Some("error"), 0),
        (Some("never"), 0),
    ] {
        let mut args = vec!["--rules", CUSTOM_RULES, "testdata/cli/two-log-groups.yaml"];
        if let Some(l) = level {
            args.extend(["--fail-level", l]);
        }
        let run = ecslint(&args);
        assert_eq!(run.code, code, "--fail-level {level:?}:\n{}", run.stdout);
        assert!(run.stdout.contains("TST001"), "{}", run.stdout);
    }
}

#[test]
fn bad_input_exits_2_and_other_files_are_still_reported() {
    let not_utf8 = scratch("not-utf8.yaml", b"Resources:\n  A:\n    Type: \xff\xfe\n");
    let cases: Vec<(&str, Vec<&str>, (u64, u64))> = vec![
        (
            "malformed YAML",
            vec!["testdata/cli/malformed.yaml"],
            (5, 1),
        ),
        // The object left open is `Resources`.
        ("invalid JSON", vec!["testdata/cli/invalid.json"], (2, 16)),
        ("empty file", vec!["testdata/cli/empty.json"], (1, 1)),
        ("invalid UTF-8", vec![not_utf8.as_str()], (3, 11)),
    ];
    for (what, args, (line, column)) in cases {
        let mut all = vec![FINDING];
        all.extend(args.iter().copied());
        let (code, doc) = json(&all);
        assert_eq!(code, 2, "{what}: {doc}");
        let findings = list(&doc, "findings");
        assert!(
            findings.iter().any(|f| f["code"] == "ECS002"),
            "{what}: the template's finding is still there: {doc}"
        );
        let errors = list(&doc, "errors");
        assert_eq!(errors.len(), 1, "{what}: {doc}");
        assert_eq!(errors[0]["file"], args[0], "{what}");
        assert!(
            !errors[0]["message"].as_str().unwrap_or_default().is_empty(),
            "{what}"
        );
        assert_eq!(
            (&errors[0]["line"], &errors[0]["column"]),
            (&line.into(), &column.into()),
            "{what}: {doc}"
        );
    }
}

#[test]
fn oversized_and_missing_files_exit_2_without_a_position() {
    // The template with a finding is about 3 KB.
    let big = scratch(
        "big.yaml",
        format!("Resources: {{}}\n{}", "#".repeat(10_000)).as_bytes(),
    );
    let missing = "testdata/cli/no-such-file.yaml";
    for (what, args, file, message) in [
        (
            "over --max-file-size",
            vec!["--max-file-size", "8000", &big, FINDING],
            big.as_str(),
            "--max-file-size",
        ),
        (
            "nonexistent path",
            vec![FINDING, missing],
            missing,
            "no such file",
        ),
    ] {
        let (code, doc) = json(&args);
        assert_eq!(code, 2, "{what}: {doc}");
        assert!(
            list(&doc, "findings").iter().any(|f| f["code"] == "ECS002"),
            "{what}: {doc}"
        );
        let errors = list(&doc, "errors");
        assert_eq!(errors.len(), 1, "{what}: {doc}");
        assert_eq!(errors[0]["file"], file, "{what}");
        assert!(
            errors[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{what}: {doc}"
        );
        assert!(
            errors[0]["line"].is_null() && errors[0]["column"].is_null(),
            "{what}: {doc}"
        );
    }
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec![],
        vec!["--format", "xml", CLEAN],
        vec!["--fail-level", "sometimes", CLEAN],
        vec!["--no-such-flag", CLEAN],
    ] {
        let run = ecslint(&args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            !run.stderr.is_empty(),
            "{args:?}: usage errors go to stderr"
        );
    }
}

#[test]
fn json_output_has_the_documented_shape() {
    let (code, doc) = json(&[FINDING, "testdata/cli/malformed.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(keys(&doc), ["errors", "findings", "version"]);
    assert_eq!(doc["version"], 1);
    let f = list(&doc, "findings")
        .iter()
        .find(|f| f["code"] == "ECS002")
        .expect("ECS002 fires");
    assert_eq!(
        keys(f),
        [
            "code",
            "column",
            "end_column",
            "end_line",
            "file",
            "help",
            "line",
            "message",
            "related",
            "resource",
            "severity",
            "symptom"
        ]
    );
    assert_eq!(f["code"], "ECS002");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["file"], FINDING);
    assert_eq!(f["resource"], "Service");
    assert_eq!(
        f["related"],
        serde_json::json!(["CapacityProvider", "Instances"])
    );
    // `EnableExecuteCommand: true # expect: ECS002` is line 111; the span is `true`.
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(111), Some(29))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(111), Some(33))
    );
    assert!(f["message"].as_str().is_some_and(|m| m.contains("Service")));
    assert!(f["help"].is_string() && f["symptom"].is_string());
    let e = &list(&doc, "errors")[0];
    assert_eq!(keys(e), ["column", "file", "line", "message"]);
    assert_eq!(e["file"], "testdata/cli/malformed.yaml");
}

#[test]
fn results_are_ordered_by_file_then_position_whatever_the_argument_order() {
    let (_, doc) = json(&[
        "--rules",
        CUSTOM_RULES,
        "testdata/cli/two-log-groups.yaml",
        "testdata/cli/malformed.yaml",
        FINDING,
        "testdata/cli/invalid.json",
    ]);
    let found: Vec<(String, u64, u64, String)> = list(&doc, "findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            let num = |k: &str| f[k].as_u64().unwrap_or(0);
            (text("file"), num("line"), num("column"), text("code"))
        })
        .collect();
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(found, sorted);
    let ours: Vec<(&str, u64)> = found
        .iter()
        .filter(|f| f.3 == "ECS002" || f.3 == "TST001")
        .map(|f| (f.0.as_str(), f.1))
        .collect();
    assert_eq!(
        ours,
        [
            (FINDING, 111),
            ("testdata/cli/two-log-groups.yaml", 6),
            ("testdata/cli/two-log-groups.yaml", 10)
        ]
    );
    let errors: Vec<&str> = list(&doc, "errors")
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert_eq!(
        errors,
        ["testdata/cli/invalid.json", "testdata/cli/malformed.yaml"]
    );
    // And the same bytes on every run, whatever the threads did.
    let (_, again) = json(&[
        "--rules",
        CUSTOM_RULES,
        FINDING,
        "testdata/cli/invalid.json",
        "testdata/cli/two-log-groups.yaml",
        "testdata/cli/malformed.yaml",
    ]);
    assert_eq!(doc, again);
}

#[test]
fn no_colour_when_piped_or_with_no_color() {
    const ESC: char = '\u{1b}';
    let piped = ecslint(&[FINDING]);
    assert!(
        piped.stdout.contains("ECS002") && !piped.stdout.contains(ESC),
        "{}",
        piped.stdout
    );
    let no_color = ecslint_with(
        &["--color", "auto", FINDING, "testdata/cli/malformed.yaml"],
        |c| {
            c.env("NO_COLOR", "1");
        },
    );
    assert!(!no_color.stdout.contains(ESC) && !no_color.stderr.contains(ESC));
    // The check above means something: forced colour does print escapes.
    assert!(
        ecslint(&["--color", "always", FINDING])
            .stdout
            .contains(ESC)
    );
}

#[test]
fn skips_yaml_and_json_that_are_not_templates() {
    // What pre-commit passes with `types_or: [yaml, json]`.
    let run = ecslint(&[
        "testdata/cli/skipped/workflow.yml",
        "testdata/cli/skipped/docker-compose.yml",
        "testdata/cli/skipped/parameters.json",
        "testdata/cli/skipped/stack-config.json",
        "testdata/cli/skipped/tsconfig.json",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning: no CloudFormation template or Terraform plan found among testdata/cli/skipped/workflow.yml, testdata/cli/skipped/docker-compose.yml, and 3 more paths\n"
    );
    let walked = ecslint(&["testdata/cli/skipped"]);
    assert_eq!(
        (walked.code, walked.stdout.as_str(), walked.stderr.as_str()),
        (
            0,
            "",
            "warning: no CloudFormation template or Terraform plan found under testdata/cli/skipped\n"
        )
    );
}

#[test]
fn an_empty_file_is_an_error_when_named_and_skipped_when_walked() {
    let empty = scratch("empty.yaml", b"\n");
    let (code, doc) = json(&[&empty]);
    assert_eq!(code, 2);
    assert_eq!(list(&doc, "errors")[0]["message"], "the file is empty");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("walked");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("empty.yml"), b"").expect("scratch file");
    let (code, doc) = json(&[&dir.display().to_string()]);
    assert_eq!((code, list(&doc, "errors").len()), (0, 0));
}

#[test]
fn rules_lists_the_built_in_rules() {
    let run = ecslint(&["rules"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("ECS002") && l.contains("exec-on-asg-capacity-provider")),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_by_code_and_by_symptom() {
    let run = ecslint(&["explain", "ECS002"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("# ECS002 exec-on-asg-capacity-provider"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("## Production symptom") && run.stdout.contains("## Fix"));
    let run = ecslint(&["explain", "PROVISIONING"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("ECS002 exec-on-asg-capacity-provider"),
        "{}",
        run.stdout
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let run = ecslint(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Exit codes:"), "{}", run.stdout);
    for line in ["0  no finding", "1  at least one finding", "2  bad input"] {
        assert!(run.stdout.contains(line), "--help lacks {line:?}");
    }
}

#[test]
fn rules_flag_adds_a_directory_of_rules() {
    // The subcommand comes first: `ecslint --rules DIR rules` would lint a path named `rules`.
    let run = ecslint(&["rules", "--rules", CUSTOM_RULES]);
    assert!(
        run.stdout.contains("TST001") && run.stdout.contains("ECS002"),
        "{}",
        run.stdout
    );
    let (code, doc) = json(&[
        "--rules",
        CUSTOM_RULES,
        "testdata/custom-rules/template.yaml",
    ]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = list(&doc, "findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["TST001"]);
    // Without the flag the rule does not exist.
    assert_eq!(ecslint(&["testdata/custom-rules/template.yaml"]).code, 0);
}

#[test]
fn sarif_and_github_formats_are_selectable() {
    let sarif = ecslint(&["--format", "sarif", FINDING]);
    assert_eq!(sarif.code, 1);
    let doc: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    assert!(
        list(&doc["runs"][0], "results")
            .iter()
            .any(|r| r["ruleId"] == "ECS002")
    );
    let github = ecslint(&["--format", "github", FINDING, "testdata/cli/malformed.yaml"]);
    assert_eq!(github.code, 2);
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with("::")),
        "one command a line:\n{}",
        github.stdout
    );
    assert!(
        lines[0].starts_with("::error file=testdata/cli/malformed.yaml,line=5,col=1,"),
        "{}",
        lines[0]
    );
    let ecs002 = format!(
        "::warning file={FINDING},line=111,col=29,endLine=111,endColumn=33,title=ECS002 exec-on-asg-capacity-provider::"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&ecs002)),
        "{}",
        github.stdout
    );
}

#[test]
fn settings_come_from_the_nearest_ecslint_toml_and_options_override_them() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("configured");
    std::fs::create_dir_all(dir.join("stacks")).expect("scratch dir");
    let template =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FINDING)).expect("case");
    std::fs::write(dir.join("stacks/api.yaml"), &template).expect("scratch file");
    let run_in = |config: &str, args: &[&str]| {
        std::fs::write(dir.join(".ecslint.toml"), config).expect("config written");
        let mut all = vec!["--format", "json", "stacks"];
        all.extend_from_slice(args);
        let run = ecslint_with(&all, |c| {
            c.current_dir(&dir);
        });
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|_| panic!("{}{}", run.stdout, run.stderr));
        let codes: Vec<String> = list(&doc, "findings")
            .iter()
            .map(|f| f["code"].as_str().unwrap_or("").to_string())
            .collect();
        (run.code, codes)
    };
    let (code, codes) = run_in("select = [\"ECS002\"]\n", &[]);
    assert_eq!((code, codes), (1, vec!["ECS002".to_string()]));
    let (code, codes) = run_in("select = [\"ECS002\"]\nfail-level = \"error\"\n", &[]);
    assert_eq!((code, codes.len()), (0, 1), "ECS002 is a warning");
    let (code, _) = run_in(
        "select = [\"ECS002\"]\nfail-level = \"error\"\n",
        &["--fail-level", "warning"],
    );
    assert_eq!(code, 1);
    let (code, codes) = run_in("[per-file-ignores]\n\"stacks/*.yaml\" = [\"ECS\"]\n", &[]);
    assert_eq!((code, codes), (0, Vec::<String>::new()));
    // Patterns are relative to the settings file, wherever ecslint runs from.
    let from_below = ecslint_with(&["--format", "json", "api.yaml"], |c| {
        c.current_dir(dir.join("stacks"));
    });
    assert_eq!(from_below.code, 0, "{}", from_below.stdout);
    std::fs::write(dir.join(".ecslint.toml"), "ignroe = 1\n").expect("config written");
    let bad = ecslint_with(&["stacks"], |c| {
        c.current_dir(&dir);
    });
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown field `ignroe`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn selectors_that_name_no_rule_are_refused() {
    for args in [["--ignore", "ECS001,"], ["--select", "ECS999"]] {
        let run = ecslint(&[args[0], args[1], CLEAN]);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("no rule matches"), "{}", run.stderr);
    }
    assert_eq!(ecslint(&["--ignore", "ecs00", CLEAN]).code, 0);
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let (_, once) = json(&[FINDING]);
    let (_, twice) = json(&["testdata/ECS002/fires", FINDING]);
    let count = |doc: &Value| {
        list(doc, "findings")
            .iter()
            .filter(|f| {
                f["file"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("strategy-launch-template.yaml"))
            })
            .count()
    };
    assert_eq!(count(&once), count(&twice));
}

/// (code, file, line, message) of every finding.
fn findings_of(doc: &Value) -> Vec<(String, String, u64, String)> {
    list(doc, "findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn comments_and_metadata_silence_a_finding() {
    // Each file is the ECS002 case with one form of suppression.
    for file in [
        "comment-line-before.yaml",
        "comment-same-line.yaml",
        "comment-ignore-file.yaml",
        "metadata-ignore.yaml",
        "metadata-object.yaml",
        "metadata-template.yaml",
        "metadata.json",
    ] {
        let path = format!("testdata/suppress/{file}");
        let (code, doc) = json(&[&path]);
        let found = findings_of(&doc);
        assert!(
            found.iter().all(|f| f.0 == "ECS000"),
            "{file}: silenced: {found:?}"
        );
        assert_eq!(code, 0, "{file}: info findings do not fail: {doc}");
    }
    // Without the suppression, the rule fires.
    let (_, doc) = json(&[FINDING]);
    assert_eq!(findings_of(&doc)[0].0, "ECS002");
    // The same-line comment also names ECS001, which does not fire there.
    let (_, doc) = json(&["testdata/suppress/comment-same-line.yaml"]);
    assert_eq!(
        findings_of(&doc),
        [(
            "ECS000".into(),
            "testdata/suppress/comment-same-line.yaml".into(),
            111,
            "Unused suppression (unused: `ECS001`)".into()
        )]
    );
}

#[test]
fn stale_unknown_and_unreadable_suppressions_are_reported_where_they_are() {
    let file = "testdata/suppress/stale.yaml";
    // ECS001 is turned off for the run: its suppression cannot be called unused.
    let (code, doc) = json(&["--ignore", "ECS001", file]);
    assert_eq!(code, 0, "{doc}");
    let found: Vec<(u64, String)> = findings_of(&doc)
        .into_iter()
        .map(|f| {
            assert_eq!((f.0.as_str(), f.1.as_str()), ("ECS000", file));
            (f.2, f.3)
        })
        .collect();
    let lines: Vec<u64> = found.iter().map(|f| f.0).collect();
    assert_eq!(lines, [13, 112, 113, 114, 122, 123], "{found:?}");
    assert!(
        found[0].1.contains("must come before the first line"),
        "{found:?}"
    );
    assert_eq!(found[1].1, "Unused suppression (unknown: `ECS09`)");
    assert!(
        found[2].1.starts_with("Unreadable suppression comment"),
        "{found:?}"
    );
    assert_eq!(found[3].1, "Unused suppression (unused: `ECS002`)");
    assert_eq!(found[4].1, "Unused suppression (unused: `ECS005`)");
    assert_eq!(found[5].1, "`noqa` comments are not read by ecslint");
    // `--ignore ECS000` turns the reports off, like any rule.
    let (_, doc) = json(&["--ignore", "ECS000,ECS001", file]);
    assert!(findings_of(&doc).is_empty(), "{doc}");
    // --fail-level info fails on them.
    assert_eq!(
        ecslint(&["--fail-level", "info", "--ignore", "ECS001", file]).code,
        1
    );
}

#[test]
fn terraform_resources_are_silenced_by_address_in_the_settings_file() {
    let settings = "testdata/suppress/terraform/ecslint.toml";
    let plan = "testdata/suppress/terraform/plan.json";
    let (code, doc) = json(&[plan]);
    assert_eq!(code, 1);
    assert!(findings_of(&doc).iter().any(|f| f.0 == "ECS002"), "{doc}");
    let (code, doc) = json(&["--config", settings, plan]);
    assert_eq!(code, 0, "{doc}");
    let found: Vec<(String, String, u64, String)> = findings_of(&doc);
    assert_eq!(
        found,
        [
            (
                "ECS000".into(),
                settings.into(),
                7,
                "Unused suppression (unused: `ECS005`)".into()
            ),
            (
                "ECS000".into(),
                settings.into(),
                11,
                "Unused suppression (unknown: `ECS09`)".into()
            ),
        ]
    );
    assert_eq!(
        list(&doc, "findings")[0]["resource"],
        "module.ledger.aws_cloudwatch_log_group.this"
    );
}

#[test]
fn require_reason_makes_a_suppression_without_one_an_error() {
    let (code, doc) = json(&[
        "--require-reason",
        "testdata/suppress/comment-line-before.yaml",
    ]);
    assert_eq!(code, 0, "this comment gives a reason: {doc}");
    for (file, line, extra) in [
        ("testdata/suppress/comment-same-line.yaml", 111, vec![]),
        ("testdata/suppress/metadata-ignore.yaml", 109, vec![]),
        (
            "testdata/suppress/terraform/ecslint.toml",
            7,
            vec!["--config", "testdata/suppress/terraform/ecslint.toml"],
        ),
    ] {
        let target = if file.ends_with(".toml") {
            "testdata/suppress/terraform/plan.json"
        } else {
            file
        };
        let mut args = extra.clone();
        args.extend(["--require-reason", target]);
        let (code, doc) = json(&args);
        assert_eq!(code, 2, "{file}: {doc}");
        let errors = list(&doc, "errors");
        assert_eq!(errors.len(), 1, "{file}: {doc}");
        assert_eq!(errors[0]["file"], file);
        assert_eq!(errors[0]["line"], line, "{file}: {doc}");
        assert!(
            errors[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("--require-reason")),
            "{doc}"
        );
        // The finding stays silenced: the error is about the suppression.
        assert!(findings_of(&doc).iter().all(|f| f.0 != "ECS002"), "{doc}");
    }
}

#[test]
fn the_suppression_report_is_listed_and_explained() {
    let run = ecslint(&["rules"]);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("ECS000") && l.contains("unused-suppression")),
        "{}",
        run.stdout
    );
    let run = ecslint(&["explain", "ECS000"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("# ECS000 unused-suppression"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("RUF100"), "{}", run.stdout);
}

/// Runs ecslint with `file` as its stdin.
fn ecslint_stdin(args: &[&str], file: &str) -> Run {
    let input = std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("stdin file opens");
    ecslint_with(args, |cmd| {
        cmd.stdin(input);
    })
}

#[test]
fn a_dash_reads_the_template_from_stdin() {
    let run = ecslint_stdin(&["--format", "json", "-"], FINDING);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(findings_of(&doc)[0].0, "ECS002");
    assert_eq!(findings_of(&doc)[0].1, "-");
    // --stdin-filename names it, in messages and for per-file settings.
    let run = ecslint_stdin(
        &[
            "--color",
            "never",
            "--stdin-filename",
            "infra/api.yaml",
            "-",
        ],
        FINDING,
    );
    assert!(
        run.stdout.contains("[infra/api.yaml:111:29]"),
        "{}",
        run.stdout
    );
    let settings = ["--config", "testdata/cli/stdin/ecslint.toml"];
    let mut args = settings.to_vec();
    args.extend(["--stdin-filename", "legacy/api.yaml", "-"]);
    assert_eq!(
        ecslint_stdin(&args, FINDING).code,
        0,
        "ignored in legacy/**"
    );
    let mut args = settings.to_vec();
    args.extend(["--stdin-filename", "app/api.yaml", "-"]);
    assert_eq!(ecslint_stdin(&args, FINDING).code, 1);
    // Empty stdin is an error, as an empty file named on the command line is.
    let run = ecslint_stdin(&["--format", "json", "-"], "testdata/cli/empty.json");
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("the file is empty"), "{}", run.stdout);
}

#[test]
fn quiet_prints_the_findings_without_the_summary() {
    let loud = ecslint(&["--color", "never", FINDING]);
    let quiet = ecslint(&["--color", "never", "--quiet", FINDING]);
    assert_eq!(quiet.code, loud.code);
    let summary = "1 warning in 1 file (1 checked)\n";
    assert!(loud.stdout.ends_with(summary), "{}", loud.stdout);
    assert_eq!(format!("{}{summary}", quiet.stdout), loud.stdout);
    assert_eq!(ecslint(&["-q", CLEAN]).stdout, "");
}

#[test]
fn statistics_count_the_findings_per_code() {
    let dirs = ["testdata/ECS002/fires", "testdata/ECS003/fires"];
    let (_, doc) = json(&dirs);
    let count = |code: &str| findings_of(&doc).iter().filter(|f| f.0 == code).count();
    let mut args = vec!["--statistics"];
    args.extend(dirs);
    let run = ecslint(&args);
    assert_eq!(run.code, 1, "the exit code does not change");
    let lines: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(lines.len() >= 2, "{}", run.stdout);
    for l in &lines {
        assert_eq!(l[0].parse::<usize>().ok(), Some(count(l[1])), "{l:?}");
    }
    let ecs002 = count("ECS002").to_string();
    assert!(lines.contains(&vec![
        ecs002.as_str(),
        "ECS002",
        "warning",
        "exec-on-asg-capacity-provider"
    ]));
    let counts: Vec<usize> = lines.iter().filter_map(|l| l[0].parse().ok()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most first: {counts:?}"
    );
    args.extend(["--format", "json"]);
    let doc: Value = serde_json::from_str(&ecslint(&args).stdout).expect("JSON");
    let rows = doc.as_array().expect("an array");
    assert_eq!(rows.len(), lines.len());
    assert_eq!(keys(&rows[0]), ["code", "count", "name", "severity"]);
}

#[test]
fn severity_overrides_apply_before_the_fail_level() {
    let settings = ["--config", "testdata/cli/severity/ecslint.toml"];
    let mut args = settings.to_vec();
    args.extend(["--fail-level", "error", FINDING, "testdata/ECS003/fires"]);
    let (code, doc) = json(&args);
    assert_eq!(code, 1, "ECS002 is an error now: {doc}");
    let severities: std::collections::BTreeSet<(String, String)> = list(&doc, "findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().into(),
                f["severity"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert!(
        severities.contains(&("ECS002".into(), "error".into())),
        "{severities:?}"
    );
    assert!(
        severities.contains(&("ECS003".into(), "info".into())),
        "the prefix: {severities:?}"
    );
    assert!(
        !severities.contains(&("ECS003".into(), "error".into())),
        "{severities:?}"
    );
    let mut args = settings.to_vec();
    args.extend(["--fail-level", "error", "testdata/ECS003/fires"]);
    assert_eq!(json(&args).0, 0, "ECS003 is info now");
}

#[test]
fn bad_settings_are_refused_with_a_location() {
    for (text, want) in [
        ("[severity]\nECS999 = \"error\"\n", "no rule matches"),
        ("[severity]\nECS002 = \"fatal\"\n", "line 2"),
        ("select = []\nseverty = {}\n", "line 2"),
        (
            "[[ignore]]\naddress = \"x\"\nrule = [\"ECS002\"]\n",
            "line 3",
        ),
    ] {
        let path = scratch("bad-settings.toml", text.as_bytes());
        let run = ecslint(&["--config", &path, CLEAN]);
        assert_eq!(run.code, 2, "{text}");
        assert!(run.stderr.contains(want), "{text}: {}", run.stderr);
    }
}

#[test]
fn rules_as_json_match_the_text_list() {
    let text = ecslint(&["rules"]);
    let run = ecslint(&["rules", "--format", "json"]);
    assert_eq!(run.code, 0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let rules = doc.as_array().expect("an array");
    let codes: Vec<&str> = rules.iter().filter_map(|r| r["code"].as_str()).collect();
    let listed: Vec<&str> = text
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(codes, listed);
    assert!(
        codes.contains(&"ECS000") && codes.contains(&"ECS011"),
        "{codes:?}"
    );
    for r in rules {
        assert_eq!(
            keys(r),
            [
                "code", "fix", "name", "severity", "summary", "symptom", "url"
            ]
        );
    }
    let ecs002 = rules
        .iter()
        .find(|r| r["code"] == "ECS002")
        .expect("ECS002");
    assert_eq!(ecs002["name"], "exec-on-asg-capacity-provider");
    assert_eq!(ecs002["severity"], "warning");
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = ecslint(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains("explain") && run.stdout.contains("fail-level"),
            "{shell}"
        );
    }
    let bash = ecslint(&["completions", "bash"]);
    let script = scratch("ecslint.bash", bash.stdout.as_bytes());
    match Command::new("bash").args(["-n", &script]).status() {
        Ok(status) => assert!(status.success(), "bash -n accepts the script"),
        Err(e) => eprintln!("SKIPPED: bash -n ({e})"),
    }
    let man = ecslint(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH ecslint 1"), "{}", man.stdout);
    assert!(man.stdout.contains("fail\\-level"), "{}", man.stdout);
    assert_eq!(ecslint(&["completions", "tcsh"]).code, 2);
}

#[test]
fn a_mistyped_subcommand_is_suggested_unless_it_is_a_file() {
    for (word, meant) in [
        ("rule", "rules"),
        ("exlpain", "explain"),
        ("explian", "explain"),
    ] {
        let run = ecslint(&[word, "ECS001"]);
        assert_eq!(run.code, 2, "{word}");
        assert!(
            run.stderr.contains(&format!("did you mean `{meant}`?")),
            "{word}: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("no such file"), "{}", run.stdout);
    }
    // Not close to any subcommand: a missing file, as before.
    let run = ecslint(&["--format", "json", "templates"]);
    assert!(run.stdout.contains("no such file"), "{}", run.stdout);
    // A file really named `rule` is linted.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("word-named-file");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(CLEAN),
        dir.join("rule"),
    )
    .expect("copied");
    let run = ecslint_with(&["rule"], |cmd| {
        cmd.current_dir(&dir);
    });
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "No problems found in 1 file\n");
}

/// Node labels of a DOT graph as ecslint writes it: `nI [label="..."...];`.
fn dot_labels(dot: &str) -> Vec<String> {
    dot.lines()
        .filter_map(|l| l.trim().split_once(" [label=\""))
        .filter(|(id, _)| !id.contains("->"))
        .map(|(_, rest)| rest.split("\"").next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn graph_draws_the_references_and_marks_the_findings_resources() {
    for file in [
        FINDING,
        "testdata/ECS002/tfplan/fires/exec-cluster-default-strategy.json",
    ] {
        let run = ecslint(&["graph", file, "--format", "dot"]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        assert!(
            run.stdout.starts_with("digraph ecslint {"),
            "{}",
            run.stdout
        );
        let marked: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.contains("fillcolor=\"#ffdddd\""))
            .collect();
        assert!(
            !marked.is_empty() && marked.iter().all(|l| l.contains("ECS002")),
            "{file}: {}",
            run.stdout
        );
        // Graphviz itself accepts it, when it is installed.
        let svg = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        match svg {
            Ok(mut child) => {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(run.stdout.as_bytes())
                    .expect("written");
                let out = child.wait_with_output().expect("dot runs");
                assert!(
                    out.status.success(),
                    "{file}: dot refuses it: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
            }
            Err(e) => {
                eprintln!("SKIPPED: dot -Tsvg ({e}); install graphviz to check the DOT output")
            }
        }
    }
    let (_, doc) = json(&[FINDING]);
    let service = &list(&doc, "findings")[0];
    let run = ecslint(&["graph", FINDING, "--format", "dot"]);
    let labels = dot_labels(&run.stdout);
    assert_eq!(labels.len(), 10, "every resource: {labels:?}");
    assert!(labels.contains(&format!(
        "{}\\nAWS::ECS::Service\\nECS002",
        service["resource"].as_str().unwrap_or_default()
    )));
    // The chain of the finding is marked too: its resources, and the arrows between them.
    let red_arrows = run
        .stdout
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains("#cc0000"))
        .count();
    assert_eq!(
        red_arrows,
        service["related"].as_array().map_or(0, Vec::len),
        "{}",
        run.stdout
    );
    for related in service["related"].as_array().expect("related") {
        let r = related.as_str().unwrap_or_default();
        assert!(
            run.stdout
                .lines()
                .any(|l| l.contains(&format!("label=\"{r}\\n")) && l.contains("fillcolor")),
            "{r}: {}",
            run.stdout
        );
    }
}

#[test]
fn graph_focuses_on_one_resource() {
    let run = ecslint(&[
        "graph",
        FINDING,
        "--resource",
        "TaskDefinition",
        "--format",
        "dot",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = dot_labels(&run.stdout)
        .iter()
        .map(|l| l.split("\\n").next().unwrap_or_default().to_string())
        .collect();
    // What it references (its role; the cluster whose name is its family) and what refers to it.
    assert_eq!(ids, ["Cluster", "TaskDefinition", "TaskRole", "Service"]);
    let run = ecslint(&["graph", FINDING, "--resource", "Servce"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `Service`?"),
        "{}",
        run.stderr
    );
    let from_file = ecslint(&["graph", FINDING, "--format", "dot"]);
    let from_stdin = ecslint_stdin(&["graph", "-", "--format", "dot"], FINDING);
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert_eq!(from_stdin.stdout, from_file.stdout, "`-` reads stdin");
    let run = ecslint(&["graph", "testdata/cli/malformed.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: testdata/cli/malformed.yaml:5:1: invalid YAML"),
        "{}",
        run.stderr
    );
    let run = ecslint(&["graph", "testdata/cli/skipped/workflow.yml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("neither a CloudFormation template"),
        "{}",
        run.stderr
    );
}

#[test]
fn graph_as_mermaid_is_a_flowchart() {
    let run = ecslint(&["graph", FINDING]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let (mut nodes, mut edges, mut styled) = (0, 0, 0);
    for line in lines {
        let l = line.trim_start();
        assert!(line.starts_with("  "), "{line}");
        if let Some(rest) = l.strip_prefix('n').filter(|r| r.contains("[\"")) {
            // n3["Label"]: the label is quoted, closed, and holds no raw quote.
            let (id, label) = rest.split_once("[\"").expect("a label");
            assert!(id.chars().all(|c| c.is_ascii_digit()), "{line}");
            let label = label.strip_suffix("\"]").expect("closed");
            assert!(!label.contains('"'), "{line}");
            nodes += 1;
        } else if l.contains("-->") || l.contains("-.->") {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert!(
                parts[0].starts_with('n') && parts.last().is_some_and(|p| p.starts_with('n')),
                "{line}"
            );
            edges += 1;
        } else if let Some(rest) = l.strip_prefix("linkStyle ") {
            // The chain's arrows, by the index of an arrow written above.
            let index: usize = rest
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an arrow index");
            assert!(index < edges, "{line}");
            styled += 1;
        } else {
            assert!(
                l.starts_with("classDef ") || l.starts_with("class "),
                "{line}"
            );
        }
    }
    assert_eq!(nodes, 10);
    assert!(edges >= 9, "{}", run.stdout);
    assert_eq!(
        styled, 2,
        "the two arrows of the ECS002 chain: {}",
        run.stdout
    );
    assert!(run.stdout.contains("class n9 finding"), "{}", run.stdout);
    match Command::new("mmdc").arg("--version").output() {
        Ok(_) => {
            let input = scratch("graph.mmd", run.stdout.as_bytes());
            let output = format!("{input}.svg");
            let status = Command::new("mmdc")
                .args(["-i", &input, "-o", &output])
                .status();
            assert!(status.is_ok_and(|s| s.success()), "mmdc renders it");
        }
        Err(e) => eprintln!("SKIPPED: mmdc ({e}); the Mermaid syntax was checked line by line"),
    }
}

/// What colour and frames a run gets, with stdout a pipe (as here, and in CI).
fn looks(args: &[&str], env: &[(&str, &str)]) -> (bool, bool) {
    const ESC: char = '\u{1b}';
    let mut all = vec![FINDING];
    all.extend_from_slice(args);
    let run = ecslint_with(&all, |c| {
        for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM"] {
            c.env_remove(var);
        }
        for (k, v) in env {
            c.env(k, v);
        }
    });
    assert!(run.stdout.contains("warning[ECS002]"), "{}", run.stdout);
    (run.stdout.contains(ESC), run.stdout.contains("╭─["))
}

#[test]
fn colour_follows_the_flag_then_the_environment() {
    let (never, always) = (&["--color", "never"][..], &["--color", "always"][..]);
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);
    let cases: &[Case] = &[
        (&[], &[], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("FORCE_COLOR", "0")], false),
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], false),
        // An empty NO_COLOR does not count (no-color.org).
        (&[], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")], true),
        (never, &[("FORCE_COLOR", "1")], false),
        (always, &[("NO_COLOR", "1")], true),
        (always, &[("TERM", "dumb")], true),
    ];
    for (args, env, want) in cases {
        assert_eq!(looks(args, env).0, *want, "{args:?} {env:?}");
    }
}

#[test]
fn a_dumb_terminal_gets_ascii_frames() {
    assert_eq!(looks(&[], &[]), (false, true));
    let (_, unicode) = looks(&[], &[("TERM", "dumb")]);
    assert!(!unicode);
    let run = ecslint_with(&[FINDING], |c| {
        c.env("TERM", "dumb");
    });
    assert!(
        run.stdout
            .contains(",-[testdata/ECS002/fires/strategy-launch-template.yaml:111:29]")
            && run.stdout.is_ascii(),
        "{}",
        run.stdout
    );
}

#[test]
fn human_output_leads_with_severity_and_sends_file_errors_to_stderr() {
    let run = ecslint(&[
        FINDING,
        "testdata/cli/malformed.yaml",
        "testdata/cli/skipped",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .starts_with("warning[ECS002]: ECS Exec is enabled on Service"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "1 warning in 1 file (1 checked, 5 skipped: not templates); 1 file could not be linted\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("malformed"), "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with("error: testdata/cli/malformed.yaml: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[testdata/cli/malformed.yaml:5:1]"),
        "{}",
        run.stderr
    );
}

#[test]
fn concise_format_prints_one_line_per_finding() {
    let run = ecslint(&[
        "--format",
        "concise",
        FINDING,
        "testdata/cli/malformed.yaml",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stdout,
        "testdata/ECS002/fires/strategy-launch-template.yaml:111:29: warning[ECS002] ECS Exec is enabled on Service, whose tasks are placed through the Auto Scaling group capacity provider CapacityProvider (Service → CapacityProvider → Instances)\n"
    );
    assert!(
        run.stderr
            .starts_with("testdata/cli/malformed.yaml:5:1: error: "),
        "{}",
        run.stderr
    );
}

#[test]
fn terraform_findings_name_the_address_and_show_json_only_when_verbose() {
    const PLAN: &str = "testdata/ECS006/tfplan/fires/fargate-public-subnets-no-public-ip.json";
    let run = ecslint(&[PLAN]);
    assert!(
        run.stdout
            .contains("network_configuration.assign_public_ip = true")
            && run
                .stdout
                .contains("│ aws_ecs_service.grafana (assign_public_ip): ")
            && !run.stdout.contains("AssignPublicIp")
            && !run.stdout.contains("\"assign_public_ip\": false"),
        "{}",
        run.stdout
    );
    let verbose = ecslint(&["--verbose", PLAN]);
    assert!(
        verbose.stdout.contains("\"assign_public_ip\": false"),
        "{}",
        verbose.stdout
    );
}

/// Runs ecslint with stdout on a terminal, through util-linux `script`; `None` (and a note)
/// where no terminal can be had.
#[cfg(target_os = "linux")]
fn on_a_terminal(env: &[(&str, &str)]) -> Option<String> {
    let cmd = format!("{} {FINDING}", env!("CARGO_BIN_EXE_ecslint"));
    let mut script = Command::new("script");
    script
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"] {
        script.env_remove(var);
    }
    script.env("TERM", "xterm");
    for (k, v) in env {
        script.env(k, v);
    }
    let text = script
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    // No `script`, or no terminal to open (some containers): nothing ran.
    if text.contains("ECS002") {
        Some(text)
    } else {
        eprintln!("skipped: no terminal could be opened with util-linux `script`");
        None
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_colour_unless_no_color_or_a_dumb_term() {
    const ESC: char = '\u{1b}';
    let Some(plain) = on_a_terminal(&[]) else {
        return;
    };
    assert!(
        plain.contains("warning[ECS002]") && plain.contains(ESC),
        "{plain}"
    );
    let no_color = on_a_terminal(&[("NO_COLOR", "1")]).unwrap_or_default();
    assert!(
        no_color.contains("╭─[") && !no_color.contains(ESC),
        "{no_color}"
    );
    let dumb = on_a_terminal(&[("TERM", "dumb")]).unwrap_or_default();
    assert!(dumb.contains(",-[") && !dumb.contains(ESC), "{dumb}");
}

#[test]
fn a_rule_file_whose_regex_does_not_compile_exits_2_pointing_at_it() {
    let run = ecslint(&[
        "--rules",
        "testdata/custom-rules/bad-regex",
        "testdata/cli/clean.yaml",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("TST002-image-tag-pinned.ecsl: invalid regular expression: unclosed group"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[9:33]"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_rule_naming_a_resource_type_that_does_not_exist_exits_2_pointing_at_it() {
    let run = ecslint(&[
        "--rules",
        "testdata/custom-rules/bad-type",
        "testdata/cli/clean.yaml",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let file = "testdata/custom-rules/bad-type/TST006-service-without-cluster.ecsl";
    for (want, at) in [
        (
            "unknown resource type `AWS::ECS::Servce`; did you mean `AWS::ECS::Service`?",
            "[7:13]",
        ),
        (
            "unknown resource type `AWS::ECS::Clustr`; did you mean `AWS::ECS::Cluster`?",
            "[8:34]",
        ),
        (
            "unknown resource type `aws_appautoscaling_target`: no CloudFormation type or Terraform binding has this name",
            "[10:26]",
        ),
        (
            "`aws_ecs_service` is a Terraform type; rules name the CloudFormation type plans read it as, `AWS::ECS::Service`",
            "[12:26]",
        ),
    ] {
        let error = run
            .stderr
            .split("rule-file")
            .find(|e| e.contains(&format!("{file}: {want}")))
            .unwrap_or_else(|| panic!("{want}: {}", run.stderr));
        assert!(error.contains(at), "{at}: {error}");
        assert!(
            error.contains("help: A rule sees only resources of the exact types it names"),
            "{error}"
        );
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn relations_defined_twice_exit_2_naming_both_places() {
    let run = ecslint(&[
        "--rules",
        "testdata/custom-rules/relation-clash",
        "testdata/cli/clean.yaml",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let builtin = std::fs::read_to_string("rules/_relations.ecsl").unwrap();
    let line = 1 + builtin
        .lines()
        .position(|l| l.starts_with("relation endpoint_service("))
        .expect("a built-in relation endpoint_service");
    let dir = "testdata/custom-rules/relation-clash";
    for (want, at) in [
        (
            format!(
                "{dir}/_mine.ecsl: relation `endpoint_service` is defined twice: here and at rules/_relations.ecsl:{line}:10"
            ),
            "[3:10]",
        ),
        (
            format!(
                "{dir}/_theirs.ecsl: relation `task_role` is defined twice: here and at {dir}/_mine.ecsl:5:10"
            ),
            "[2:10]",
        ),
    ] {
        let error = run
            .stderr
            .split("rule-file")
            .find(|e| e.contains(&want))
            .unwrap_or_else(|| panic!("{want}: {}", run.stderr));
        assert!(error.contains(at), "{at}: {error}");
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_user_rule_reading_what_plans_do_not_map_is_warned_of_when_it_loads() {
    let run = ecslint(&["test", "testdata/custom-rules/unmapped"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let warnings: Vec<&str> = run.stderr.split("rule-file").skip(1).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    let want = "testdata/custom-rules/unmapped/TST004-cluster-without-service-connect-defaults.ecsl: \
                TST004 reads `ServiceConnectDefaults` of AWS::ECS::Cluster, which Terraform plans \
                do not map; the rule is silent on plans";
    // miette wraps long lines; the text is compared without the wrapping.
    let flat = warnings[0]
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains(want), "{}", warnings[0]);
    assert!(warnings[0].contains("[8:19]"), "{}", warnings[0]);
    assert!(
        flat.contains(
            "help: The Terraform binding of `aws_ecs_cluster` does not map `ServiceConnectDefaults`"
        ),
        "{}",
        warnings[0]
    );
    // TST005 above and TST003 here read only what plans map; built-in rules are not warned of.
    let run = ecslint(&[
        "--rules",
        "testdata/custom-rules/endpoints",
        "testdata/cli/clean.yaml",
    ]);
    assert!(
        !run.stderr.contains("Terraform plans do not map"),
        "{}",
        run.stderr
    );
}

#[test]
fn test_runs_the_cases_of_a_rule_directory() {
    let run = ecslint(&["test", "testdata/custom-rules/endpoints"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("TST003: 3 case(s), 0 failed"),
        "{}",
        run.stdout
    );
    // testdata/custom-rules/rules has a rule but no cases: that fails.
    let run = ecslint(&["test", "testdata/custom-rules/rules"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("FAIL  TST001: no cases"),
        "{}",
        run.stdout
    );
}

#[test]
fn trace_shows_what_each_step_of_a_rule_saw() {
    let run = ecslint(&[
        "--trace",
        "ECS003",
        "testdata/ECS003/fires/secret-by-ref-names-the-task-definition.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "ECS003 td = SessionTaskDefinition",
        "  let role = SessionExecutionRole",
        "      exists(role): true",
        "        iam_allows(role, \"secretsmanager:GetValue\"): false",
    ] {
        let line = line.replace("GetValue", "GetSecretValue");
        assert!(run.stdout.contains(&line), "{line:?} in:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("=> 1 finding(s)"), "{}", run.stdout);
    let unknown = ecslint(&["--trace", "NOPE001", "testdata/cli/clean.yaml"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn output_file_takes_the_report_and_stdout_keeps_the_summary() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.json");
    let _ = std::fs::remove_file(&out);
    let path = out.display().to_string();
    let direct = ecslint(&["--format", "json", FINDING]);
    let run = ecslint(&["--format", "json", "--output-file", &path, FINDING]);
    assert_eq!(run.code, direct.code);
    assert_eq!(
        std::fs::read_to_string(&out).expect("written"),
        direct.stdout
    );
    assert_eq!(run.stdout, "1 warning in 1 file (1 checked)\n");
    let quiet = ecslint(&["--format", "json", "-q", "-o", &path, FINDING]);
    assert_eq!(quiet.stdout, "");
    // A report that cannot be written is bad usage, not a silent success.
    let run = ecslint(&["-o", "/nonexistent-dir/report.txt", FINDING]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

/// What a pre-commit hook run passes: every changed YAML and JSON file. Only the broken
/// template fails the run; the AppSpec file and the workflow are skipped without a word.
#[test]
fn a_hook_run_fails_only_on_the_broken_template() {
    let run = ecslint(&[
        "testdata/load/skipped/appspec.yaml",
        "testdata/load/skipped/github-workflow.yml",
        "testdata/cli/malformed.yaml",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with("error: testdata/cli/malformed.yaml: invalid YAML"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[testdata/cli/malformed.yaml:5:1]"),
        "{}",
        run.stderr
    );
    for skipped in ["appspec.yaml", "github-workflow.yml"] {
        assert!(!run.stdout.contains(skipped), "{}", run.stdout);
        assert!(!run.stderr.contains(skipped), "{}", run.stderr);
    }
    let without = ecslint(&[
        "testdata/load/skipped/appspec.yaml",
        "testdata/load/skipped/github-workflow.yml",
    ]);
    assert_eq!(without.code, 0, "{}{}", without.stdout, without.stderr);
}
