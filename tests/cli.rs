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
    assert_eq!(run.stdout, "No problems found in 1 file(s).\n");
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
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "No problems found in 0 file(s).\n", "")
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
