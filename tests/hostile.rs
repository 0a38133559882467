//! Hostile input: files and rule files built to crash, hang or exhaust a linter. Each must end
//! quickly with a clear, located diagnostic (exit 2) or a quiet result, within a memory limit,
//! and never hide the findings of the other files of the run. Small cases live in
//! `testdata/hostile/`; large ones are generated here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A file with a known finding (ECS004 on `LaunchConfiguration`), linted next to each hostile file.
const GOOD: &str = "testdata/ECS004/fires/launch-configuration-no-profile.yaml";

/// No case may take longer, even in a debug build on a loaded machine (a hang, or work
/// growing with the square of 100,000, takes far longer).
const TIME_LIMIT: Duration = Duration::from_secs(300);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs the binary with a time limit and, on Unix, an address-space limit of 2 GiB.
fn ecslint(args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_ecslint");
    let mut cmd = if cfg!(unix) {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("ulimit -v 2097152 2>/dev/null; exec \"$0\" \"$@\"")
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let mut child = cmd
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ecslint binary runs");
    let start = Instant::now();
    // Read the pipes on their own threads so a large output cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("ecslint {args:?} did not finish in {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let (stdout, stderr) = (out.join().expect("stdout"), err.join().expect("stderr"));
    let code = status
        .code()
        .unwrap_or_else(|| panic!("ecslint {args:?} was killed: {status}\n{stderr}"));
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "ecslint {args:?} crashed:\n{stderr}"
    );
    Run {
        code,
        stdout,
        stderr,
        took,
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

/// A scratch directory of the test's own, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path.display().to_string()
}

/// Lints `file` next to `GOOD`: exit 2, one error for `file` whose message contains `says`
/// (with its line and column when `at` is given), and the good file's finding still there.
fn refused(file: &str, says: &str, at: Option<(u64, u64)>) {
    let (code, doc) = json(&[file, GOOD]);
    assert_eq!(code, 2, "{file}: {doc}");
    let errors = doc["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{file}: {doc}");
    assert_eq!(errors[0]["file"], file, "{doc}");
    let message = errors[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{file}: {message}");
    if let Some((line, column)) = at {
        assert_eq!(
            (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
            (Some(line), Some(column)),
            "{file}: {doc}"
        );
    }
    let good: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"] == GOOD)
        .collect();
    assert!(
        good.iter()
            .any(|f| f["code"] == "ECS004" && f["resource"] == "LaunchConfiguration"),
        "{file} hid the findings of {GOOD}: {doc}"
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused_at_the_alias() {
    refused(
        "testdata/hostile/alias-bomb.yaml",
        "YAML aliases expand to too many nodes",
        Some((9, 22)),
    );
    // Found by the yaml fuzz target (a timeout there, under the sanitizer).
    refused(
        "testdata/hostile/fuzz-yaml-alias-timeout.yaml",
        "YAML aliases expand to too many nodes",
        Some((9, 22)),
    );
}

#[test]
fn nesting_100000_deep_is_refused_in_yaml_flow_yaml_block_and_json() {
    let dir = scratch("deep");
    let n = 100_000;
    let flow = format!("Resources: {}{}\n", "[".repeat(n), "]".repeat(n));
    let flow_map = format!("Resources: {}b{}\n", "{a: ".repeat(n), "}".repeat(n));
    // `- - - x`: block sequences nested on one line, one level per dash.
    let block = format!(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      P:\n        {}x\n",
        "- ".repeat(n)
    );
    let json_text = format!("{{\"Resources\": {}{}}}", "[".repeat(n), "]".repeat(n));
    for (name, text, says) in [
        ("flow.yaml", flow, "recursion limit exceeded"),
        ("flow-map.yaml", flow_map, "recursion limit exceeded"),
        ("block.yaml", block, "nesting deeper than"),
        ("deep.json", json_text, "nesting deeper than"),
    ] {
        let file = write(&dir, name, text);
        refused(&file, says, None);
    }
}

#[test]
fn a_100_mb_file_is_refused_by_its_size_without_being_read() {
    let dir = scratch("big");
    let path = dir.join("big.yaml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        f.write_all(b"Resources:\n").expect("write");
        let line = "  # padding padding padding padding padding padding padding padding\n";
        let mut written = 0;
        while written < 100 * 1024 * 1024 {
            f.write_all(line.as_bytes()).expect("write");
            written += line.len();
        }
    }
    let file = path.display().to_string();
    refused(&file, "more than the limit of 52428800", None);
    // Refused from its size, not after reading 100 MB.
    let run = ecslint(&["--format", "json", &file]);
    assert!(run.took < Duration::from_secs(20), "{:?}", run.took);
}

#[test]
fn text_that_is_not_utf8_is_a_located_error() {
    refused(
        "testdata/hostile/invalid-utf8.json",
        "not valid UTF-8",
        Some((1, 85)),
    );
    refused(
        "testdata/hostile/utf16-bom.yaml",
        "the file is UTF-16",
        Some((1, 1)),
    );
    refused("testdata/hostile/binary.template", "not valid UTF-8", None);
    refused(
        "testdata/hostile/nul-byte.yaml",
        "unprintable character",
        Some((3, 19)),
    );
}

#[test]
fn a_plan_with_null_everywhere_is_linted_as_an_empty_plan() {
    let (code, doc) = json(&["testdata/hostile/plan-nulls.json", GOOD]);
    assert_eq!(code, 1, "{doc}");
    assert!(
        doc["errors"].as_array().expect("errors").is_empty(),
        "{doc}"
    );
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.iter().all(|f| *f == GOOD), "{doc}");
    let human = ecslint(&["testdata/hostile/plan-nulls.json"]);
    assert_eq!(human.code, 0, "{}", human.stdout);
    assert!(
        human.stdout.contains("No problems found in 1 file\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_100000_resource_plan_is_linted_in_bounded_time() {
    let dir = scratch("plan");
    let mut resources = Vec::new();
    for i in 0..100_000 {
        resources.push(format!(
            r#"{{"address":"aws_cloudwatch_log_group.logs[{i}]","mode":"managed","type":"aws_cloudwatch_log_group","name":"logs","index":{i},"values":{{"name":"logs-{i}","retention_in_days":30}}}}"#
        ));
    }
    let plan = format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{}]}}}},"configuration":{{"root_module":{{"resources":[{{"address":"aws_cloudwatch_log_group.logs","mode":"managed","type":"aws_cloudwatch_log_group","name":"logs","count_expression":{{"constant_value":100000}},"expressions":{{"retention_in_days":{{"constant_value":30}}}}}}]}}}}}}"#,
        resources.join(",")
    );
    let file = write(&dir, "plan.json", plan);
    let (code, doc) = json(&[&file, GOOD]);
    assert_eq!(
        code,
        1,
        "{}",
        &doc.to_string()[..500.min(doc.to_string().len())]
    );
    assert!(doc["errors"].as_array().expect("errors").is_empty());
    let findings = doc["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["file"] == GOOD));
    assert!(!findings.is_empty());
}

/// A one-line JSON template (as generators write them) whose finding and whose syntax error
/// sit past column 65,535, where miette cannot pad a snippet: both are reported, located,
/// without a panic, in every format.
#[test]
fn findings_and_errors_past_column_65535_are_reported_without_a_panic() {
    let dir = scratch("oneline");
    let text = std::fs::read_to_string("testdata/ECS004/fires/mixed-instances-no-profile.json")
        .expect("testdata");
    let mut template: Value = serde_json::from_str(&text).expect("JSON");
    let resources = template["Resources"].as_object_mut().expect("Resources");
    let real = std::mem::take(resources);
    for i in 0..2000 {
        resources.insert(
            format!("Topic{i:04}"),
            serde_json::json!({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": format!("t{i}")}}),
        );
    }
    resources.extend(real);
    let one_line = serde_json::to_string(&template).expect("JSON");
    assert!(!one_line.contains('\n'));
    let finding = write(&dir, "finding.json", &one_line);
    let padding = "x".repeat(70_000);
    let broken = write(
        &dir,
        "broken.json",
        format!("{{\"Description\": \"{padding}\", \"Resources\": {{}}, @}}"),
    );
    for format in ["human", "json", "sarif", "github"] {
        let run = ecslint(&["--format", format, &finding, &broken]);
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        assert!(run.stdout.contains("ECS004"), "{format}: {}", run.stdout);
        // Neither long line is printed: no long piece of either shows up.
        let middle = one_line.len() / 2;
        let piece = one_line.get(middle..middle + 2_000).unwrap_or_default();
        assert!(
            !run.stdout.contains(&padding[..2_000]) && !run.stdout.contains(piece),
            "{format}: a long line is printed"
        );
    }
    // File errors go to stderr, findings to stdout.
    let run = ecslint(&[&finding, &broken]);
    let human = format!("{}{}", run.stdout, run.stderr);
    assert!(human.contains("broken.json:1:70038"), "{human}");
    assert!(
        human.contains("finding.json:1:"),
        "the finding is not located: {human}"
    );
    let (_, doc) = json(&[&finding, &broken]);
    assert_eq!(doc["errors"][0]["column"], 70_038, "{doc}");
    let column = doc["findings"][0]["column"].as_u64().unwrap_or_default();
    assert!(column > 65_535, "{doc}");
}

/// A rule-file error on a line past column 65,535 is located without a panic.
#[test]
fn a_rule_error_past_column_65535_is_reported_without_a_panic() {
    let dir = scratch("rules-long-line");
    let padding = " ".repeat(70_000);
    write(
        &dir,
        "TST900-hostile.ecsl",
        format!("rule TST900 hostile {{{padding} @ }}\n"),
    );
    let run = ecslint(&["--rules", &dir.display().to_string(), GOOD]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("syntax error"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(":1:70023 (the line is too long to show)"),
        "{}",
        run.stderr
    );
}

/// Runs `rules` (a directory) on a template with log groups; returns the run.
fn with_rules(rules: &str) -> Run {
    ecslint(&["--rules", rules, "testdata/custom-rules/template.yaml"])
}

fn rule_dir(name: &str, text: &str) -> String {
    let dir = scratch(name);
    write(&dir, "TST900-hostile.ecsl", text);
    dir.display().to_string()
}

fn rule(condition: &str) -> String {
    format!(
        "rule TST900 hostile {{\n  severity warning\n  summary \"s\"\n  each logs: AWS::Logs::LogGroup\n  deny {condition}\n    message \"m\"\n}}\n"
    )
}

#[test]
fn recursive_relations_are_located_errors_even_through_a_diamond() {
    let run = with_rules("testdata/hostile/rules-self-recursive");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("relation `retention` calls itself; relations cannot recurse"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 │ relation retention"),
        "{}",
        run.stderr
    );
    // Forty diamonds: 2^40 paths from a0 back to itself, found in bounded work.
    let run = with_rules("testdata/hostile/rules-diamond-cycle");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("relation `a0` calls itself"),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(20), "{:?}", run.took);
}

#[test]
fn a_diamond_of_relations_is_evaluated_in_bounded_work() {
    // 2^40 alternatives if every path were kept: past a bound the answer is unknown, so the
    // rule stays quiet instead of running out of memory.
    let run = with_rules("testdata/hostile/rules-diamond");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("No problems found"), "{}", run.stdout);
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
}

#[test]
fn deep_rules_are_located_errors_not_stack_overflows() {
    let n = 100_000;
    let chain: String = (0..4000)
        .map(|i| format!("relation r{i}(x) = r{}(x)\n", i + 1))
        .chain(["relation r4000(x) = x.RetentionInDays\n".to_string()])
        .collect::<String>()
        + &rule("r0(logs) == \"400\"");
    let cases = [
        (
            "not",
            rule(&format!(
                "{}logs.RetentionInDays == \"400\"",
                "not ".repeat(n)
            )),
            "expression nested more than 200 deep",
            "TST900-hostile.ecsl:5:8 (the line is too long to show)",
        ),
        (
            "arrow",
            rule(&format!("logs{} == \"400\"", " => *".repeat(n))),
            "expression nested more than 200 deep",
            "TST900-hostile.ecsl:5:8 (the line is too long to show)",
        ),
        (
            "chain",
            chain,
            "relation `r0` nests more than 200 expressions and relation calls deep",
            "1 │ relation r0(x)",
        ),
    ];
    for (name, text, says, located) in cases {
        let run = with_rules(&rule_dir(name, &text));
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(located), "{name}: {}", run.stderr);
        // One error, not one per relation of the chain.
        assert_eq!(
            run.stderr.matches("× ").count(),
            1,
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn ten_thousand_alternatives_or_conditions_run_in_bounded_work() {
    let n = 10_000;
    let alternatives: Vec<String> = (0..n).map(|i| format!("logs.P{i}")).collect();
    let conditions: Vec<String> = (0..n).map(|i| format!("logs.P{i} == \"a\"")).collect();
    for (name, condition) in [
        ("alt", format!("{} == \"400\"", alternatives.join(" | "))),
        ("and", conditions.join(" and ")),
        ("or", conditions.join(" or ")),
    ] {
        let run = with_rules(&rule_dir(name, &rule(&condition)));
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert!(run.took < Duration::from_secs(30), "{name}: {:?}", run.took);
    }
    // Ten thousand nested parentheses stop the parser with a located error.
    let parens = rule(&format!(
        "{}logs.RetentionInDays{} == \"400\"",
        "(".repeat(n),
        ")".repeat(n)
    ));
    let run = with_rules(&rule_dir("parens", &parens));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("syntax error"), "{}", run.stderr);
}

/// One `Fn::Sub` with 20,000 holes: joining its parts used to copy every prefix (quadratic:
/// 3,000 holes took 18 s).
#[test]
fn a_sub_with_20000_holes_is_evaluated_in_linear_time() {
    let dir = scratch("sub");
    let holes = "x${Cluster}".repeat(20_000);
    let text = format!(
        r##"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-12345678
        InstanceType: m7g.large
        UserData: !Base64
          Fn::Sub: "#!/bin/bash\necho ECS_CLUSTER={holes} >> /etc/ecs/ecs.config\n"
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '3'
      LaunchTemplate: {{LaunchTemplateId: !Ref Template, Version: '1'}}
"##
    );
    let file = write(&dir, "sub.yaml", text);
    let (code, doc) = json(&[&file, GOOD]);
    assert_eq!(code, 1, "{doc}");
    let run = ecslint(&["--format", "json", &file]);
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
}
