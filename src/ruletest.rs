//! Rule test cases, for the built-in rules (`testdata/<CODE>/`, run by `cargo test`) and for a
//! user's rule directory (`DIR/<CODE>/`, run by `ecslint test DIR`):
//! - `fires/*` must raise the rule (a case may mark each expected line with `# expect: CODE`);
//! - `passes/*` are near misses and must raise nothing at all;
//! - `tfplan/fires/*` and `tfplan/passes/*` are the same for Terraform plans.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::dsl::Program;
use crate::lint::{self, Options};
use crate::render::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Fires,
    Passes,
}

/// The case directories under a rule's directory, and what their cases must do.
pub const CASE_DIRS: &[(&str, Expect)] = &[
    ("fires", Expect::Fires),
    ("tfplan/fires", Expect::Fires),
    ("passes", Expect::Passes),
    ("tfplan/passes", Expect::Passes),
];

/// One case, linted, and what was wrong with the outcome.
pub struct Case {
    pub path: PathBuf,
    pub expect: Expect,
    pub report: Report,
    pub failures: Vec<String>,
}

/// The files of a directory, sorted; none when it does not exist.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Lines (1-based) carrying `# expect: CODE`.
pub fn expected_lines(text: &str, code: &str) -> BTreeSet<usize> {
    let marker = format!("expect: {code}");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&marker))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Lints one case (by the path given, which findings then name) and checks the outcome.
pub fn check_case(program: &Program, code: &str, path: &Path, expect: Expect) -> Case {
    let report = lint::run(&[path.to_path_buf()], program, &Options::default());
    let name = path.display();
    let mut failures = Vec::new();
    if let Some(e) = report.errors.first() {
        failures.push(format!("{name}: load error: {}", e.message));
    }
    match expect {
        Expect::Fires if report.errors.is_empty() => {
            let got: BTreeSet<usize> = report
                .findings
                .iter()
                .filter(|f| f.code == code)
                .map(|f| f.source.line_col(f.span.start).0)
                .collect();
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let want = expected_lines(&text, code);
            if got.is_empty() {
                failures.push(format!("{name}: {code} did not fire"));
            } else if !want.is_empty() && want != got {
                failures.push(format!(
                    "{name}: {code} fired on lines {got:?}, expected {want:?}"
                ));
            }
        }
        Expect::Fires => {}
        Expect::Passes => {
            for f in &report.findings {
                let line = f.source.line_col(f.span.start).0;
                failures.push(format!(
                    "{name}:{line}: near miss raised {}: {}",
                    f.code, f.message
                ));
            }
        }
    }
    Case {
        path: path.to_path_buf(),
        expect,
        report,
        failures,
    }
}

/// Every case of one rule, from its directory (`testdata/ECS001`, `DIR/TST001`).
pub fn run_cases(program: &Program, code: &str, dir: &Path) -> Vec<Case> {
    CASE_DIRS
        .iter()
        .flat_map(|(sub, expect)| files(&dir.join(sub)).into_iter().map(move |p| (p, *expect)))
        .map(|(p, expect)| check_case(program, code, &p, expect))
        .collect()
}

/// `ecslint test DIR`: the cases of every rule defined in `DIR`, in `DIR/<CODE>/`. The text
/// to print, and whether every case passed (a rule without cases fails).
pub fn run_dir(program: &Program, dir: &Path) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    let in_dir = |source: &str| Path::new(source).parent() == Some(dir);
    let rules: Vec<&str> = program
        .rules
        .iter()
        .filter(|r| in_dir(r.source.path()))
        .map(|r| r.code.as_str())
        .collect();
    if rules.is_empty() {
        let _ = writeln!(out, "no rule files (.ecsl) in {}", dir.display());
        return (out, false);
    }
    for code in rules {
        let cases = run_cases(program, code, &dir.join(code));
        if cases.is_empty() {
            ok = false;
            let _ = writeln!(
                out,
                "FAIL  {code}: no cases in {} (fires/, passes/, tfplan/fires/, tfplan/passes/)",
                dir.join(code).display()
            );
            continue;
        }
        let failed = cases.iter().filter(|c| !c.failures.is_empty()).count();
        for c in &cases {
            let what = match c.expect {
                Expect::Fires => "fires ",
                Expect::Passes => "passes",
            };
            if c.failures.is_empty() {
                let _ = writeln!(out, "ok    {code} {what} {}", c.path.display());
            } else {
                for f in &c.failures {
                    let _ = writeln!(out, "FAIL  {code} {what} {f}");
                }
            }
        }
        let _ = writeln!(out, "{code}: {} case(s), {failed} failed", cases.len());
        ok &= failed == 0;
    }
    (out, ok)
}
