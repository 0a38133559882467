//! Runs every rule over its cases in `testdata/<CODE>/`:
//! - `fires/*` must raise the rule (YAML cases mark each expected line with `# expect: CODE`),
//!   and a snapshot keeps the input, the rendered diagnostic and the JSON finding;
//! - `passes/*` are near misses and must raise nothing at all;
//! - `tfplan/fires/*` and `tfplan/passes/*` are the same for Terraform plans.
//!
//! Adding a rule adds files here, no Rust. The harness is `ecslint::ruletest`, which
//! `ecslint test DIR` runs on a user's rule directory.

use std::path::{Path, PathBuf};

use ecslint::dsl::Program;
use ecslint::lint::{self, Options};
use ecslint::render::{self, Report};
use ecslint::ruletest::{self, Expect, files};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// Lints one case by its path relative to the crate (tests run there), so snapshots do not
/// depend on where the checkout lives.
fn lint_one(program: &Program, path: &Path) -> Report {
    let rel = PathBuf::from(relative(path));
    lint::run(&[rel], program, &Options::default())
}

/// What a reviewer sees: the input, the diagnostic as printed, and the JSON finding.
fn snapshot(path: &Path, report: &Report) -> String {
    let input = std::fs::read_to_string(path).unwrap_or_default();
    let human = render::human::render(report, &render::human::Options::plain(100));
    let json = render::json::render(report);
    format!("---- input ----\n{input}\n---- human ----\n{human}\n---- json ----\n{json}")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or(path)
        .display()
        .to_string()
}

fn rule_dirs() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(testdata())
        .expect("testdata/ exists")
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| {
            name.len() > 3
                && name[..3].chars().all(|c| c.is_ascii_uppercase())
                && name[3..].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_rule_fires_on_its_cases_and_stays_silent_on_near_misses() {
    let program = Program::load(&[]).expect("built-in rules load");
    let mut failures = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    for (code, dir) in rule_dirs() {
        // The same harness `ecslint test DIR` runs, on paths relative to the crate.
        let dir = PathBuf::from(relative(&dir));
        for case in ruletest::run_cases(&program, &code, &dir) {
            let broken = !case.failures.is_empty();
            failures.extend(case.failures.iter().cloned());
            if case.expect == Expect::Fires && !broken {
                let snap = relative(&case.path).replace(['/', '.'], "_");
                insta::assert_snapshot!(snap, snapshot(&case.path, &case.report));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_has_cases_that_fire_and_near_misses() {
    let program = Program::load(&[]).expect("built-in rules load");
    let mut missing = Vec::new();
    for rule in &program.rules {
        let dir = testdata().join(rule.code.as_str());
        for (sub, least) in [
            ("fires", 2),
            ("passes", 2),
            ("tfplan/fires", 1),
            ("tfplan/passes", 1),
        ] {
            let n = files(&dir.join(sub)).len();
            if n < least {
                missing.push(format!(
                    "{}: testdata/{}/{sub} has {n} case(s), needs {least}",
                    rule.code, rule.code
                ));
            }
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}

#[test]
fn a_user_rule_directory_behaves_like_the_built_in_rules() {
    let dir = testdata().join("custom-rules");
    let program = Program::load(&[dir.join("rules").as_path()]).expect("custom rules load");
    assert!(program.rule("TST001").is_some());
    let report = lint_one(&program, &dir.join("template.yaml"));
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["TST001"], "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.resource, "Logs");
    assert_eq!(f.message, "log group Logs keeps logs for 3653 days");
}

#[test]
fn the_stack_from_field_report_001_is_clean() {
    let program = Program::load(&[]).expect("built-in rules load");
    let report = lint_one(
        &program,
        &testdata().join("seeds/001-ecs-exec-provisioning.yaml"),
    );
    assert!(
        report.errors.is_empty(),
        "{:?}",
        report.errors.first().map(|e| &e.message)
    );
    assert_eq!(report.files_checked, 1);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == ecslint::finding::Severity::Error)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn resource_metadata_and_the_run_selection_silence_rules() {
    let program = Program::load(&[]).expect("built-in rules load");
    let silenced = lint_one(&program, &testdata().join("suppress/metadata-ignore.yaml"));
    assert!(silenced.findings.iter().all(|f| f.code != "ECS002"));
    let case = testdata().join("ECS002/fires/strategy-launch-template.yaml");
    let mut opts = Options::default();
    opts.selection.ignore = vec!["ECS00".into()];
    let ignored = lint::run(&[PathBuf::from(relative(&case))], &program, &opts);
    assert!(
        ignored
            .findings
            .iter()
            .all(|f| !f.code.starts_with("ECS00"))
    );
    assert!(
        lint_one(&program, &case)
            .findings
            .iter()
            .any(|f| f.code == "ECS002")
    );
}

/// Every finding of the rules' own `fires/` cases, with its case's path.
fn fired_findings(program: &Program) -> Vec<(String, Report)> {
    let mut out = Vec::new();
    for (_, dir) in rule_dirs() {
        for sub in ["fires", "tfplan/fires"] {
            for path in files(&dir.join(sub)) {
                out.push((relative(&path), lint_one(program, &path)));
            }
        }
    }
    out
}

#[test]
fn each_finding_renders_in_at_most_40_lines_with_the_primary_location_first() {
    let program = Program::load(&[]).expect("built-in rules load");
    let mut failures = Vec::new();
    let mut findings = 0;
    for (name, report) in fired_findings(&program) {
        for f in &report.findings {
            findings += 1;
            let one = Report {
                findings: vec![f.clone()],
                ..Report::default()
            };
            let text = render::human::render(&one, &render::human::Options::plain(100));
            let lines: Vec<&str> = text.lines().collect();
            if lines.len() > 40 {
                failures.push(format!("{name}: {} renders {} lines", f.code, lines.len()));
            }
            // Only the frame's `[file:line:col]` may be wider: a path is not cut.
            let wide = lines
                .iter()
                .find(|l| l.chars().count() > 100 && !l.contains("─["));
            if let Some(long) = wide {
                failures.push(format!(
                    "{name}: {} has a line wider than 100: {long}",
                    f.code
                ));
            }
            let head = format!("{}[{}]: ", f.severity, f.code);
            if !lines[0].starts_with(&head) {
                failures.push(format!("{name}: headline {:?}", lines[0]));
            }
            // The frame opens at the primary location, and its label is drawn before any hop.
            let (line, col) = f.source.line_col(f.span.start);
            let location = format!("[{}:{line}:{col}]", f.source.path);
            let Some(frame) = lines.iter().position(|l| l.contains(&location)) else {
                failures.push(format!(
                    "{name}: {}: no frame at {location}\n{text}",
                    f.code
                ));
                continue;
            };
            let after = |needle: &str| {
                lines[frame + 1..]
                    .iter()
                    .position(|l| l.contains(needle))
                    .map(|i| i + frame + 1)
            };
            // Its first words: a long label wraps.
            let primary_words = f
                .primary_label
                .as_deref()
                .map(|p| p.split(' ').take(2).collect::<Vec<_>>().join(" "));
            let primary = primary_words.as_deref().and_then(after);
            let first_hop = after("1. ");
            match (primary, first_hop) {
                (Some(p), Some(h)) if p < h => {}
                (Some(_), None) if f.labels.is_empty() => {}
                other => failures.push(format!(
                    "{name}: {}: primary label, first hop at {other:?}\n{text}",
                    f.code
                )),
            }
        }
    }
    assert!(findings > 60, "only {findings} findings");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_finding_at_a_reference_names_the_resource_holding_it() {
    let program = Program::load(&[]).expect("built-in rules load");
    let cases = [
        (
            "ECS003/fires/secret-by-ref-names-the-task-definition.yaml",
            "SessionTaskDefinition",
            ["SessionExecutionRole", "SessionSecret"].as_slice(),
        ),
        (
            "ECS004/fires/launch-configuration-profile-by-ref-names-the-spec.yaml",
            "WorkerLaunchConfiguration",
            ["WorkerRole", "WorkerGroup", "WorkerProfile"].as_slice(),
        ),
    ];
    for (case, resource, related) in cases {
        let report = lint_one(&program, &testdata().join(case));
        assert_eq!(report.findings.len(), 1, "{case}: {:?}", report.findings);
        let f = &report.findings[0];
        assert_eq!(f.resource, resource, "{case}");
        assert_eq!(f.related(), related, "{case}");
    }
    // The same finding, silenced by Metadata on the task definition that holds the reference.
    let silenced = lint_one(
        &program,
        &testdata().join("suppress/metadata-ignore-on-task-definition.yaml"),
    );
    assert!(silenced.errors.is_empty());
    assert_eq!(silenced.files_checked, 1);
    assert!(silenced.findings.is_empty(), "{:?}", silenced.findings);
}

/// Loads the user rule directory `testdata/<name>` and runs its cases with the harness of
/// `ecslint test`, which must pass; returns the directory, the program and the harness output.
fn run_user_rules(name: &str) -> (PathBuf, Program, String) {
    let dir = PathBuf::from(relative(&testdata().join(name)));
    let program = Program::load(&[dir.as_path()]).expect("user rules load");
    let (out, ok) = ruletest::run_dir(&program, &dir);
    assert!(ok, "{out}");
    (dir, program, out)
}

/// In a plan, a property the Terraform binding does not map is unknown (TST004 stays silent),
/// and one it maps but the plan leaves out is absent (TST005 fires).
#[test]
fn properties_a_binding_does_not_map_are_unknown_in_plans() {
    let (dir, program, out) = run_user_rules("custom-rules/unmapped");
    assert!(out.contains("TST004: 3 case(s), 0 failed"), "{out}");
    assert!(out.contains("TST005: 2 case(s), 0 failed"), "{out}");
    // The plan without Service Connect defaults would fire if unmapped meant absent.
    let plan = dir.join("TST004/tfplan/passes/service-connect-defaults-not-mapped.json");
    let wrong = ruletest::check_case(&program, "TST004", &plan, Expect::Fires);
    assert_eq!(wrong.failures.len(), 1, "{:?}", wrong.failures);
}

#[test]
fn a_user_rule_written_with_relations_only_passes_its_own_cases() {
    let (dir, program, out) = run_user_rules("custom-rules/endpoints");
    assert!(out.contains("TST003: 3 case(s), 0 failed"), "{out}");
    // The harness fails a case that does not do what its directory says.
    let fires = dir.join("TST003/fires/ecr-interface-endpoints-only.yaml");
    let wrong = ruletest::check_case(&program, "TST003", &fires, Expect::Passes);
    assert_eq!(wrong.failures.len(), 1, "{:?}", wrong.failures);
}
