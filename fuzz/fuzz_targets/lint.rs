//! One whole lint of an in-memory file: load (as YAML, or as JSON for a leading `{`), every
//! built-in rule, suppressions, and every output format.
#![no_main]

use std::sync::LazyLock;

use ecslint::dsl::Program;
use ecslint::finding::FileError;
use ecslint::load::{self, Outcome};
use ecslint::render::{self, Report};
use ecslint::suppress::{self, Selection};
use libfuzzer_sys::fuzz_target;

static PROGRAM: LazyLock<Program> =
    LazyLock::new(|| Program::load(&[]).expect("built-in rules load"));

/// Made once: finding the repository root for URIs asks git.
static SARIF: LazyLock<render::sarif::Options> =
    LazyLock::new(|| render::sarif::Options::for_run(&PROGRAM, None));

fn collect(outcome: Outcome, report: &mut Report) {
    match outcome {
        Outcome::Skipped => {}
        Outcome::Loaded { graph, .. } => {
            report.files_checked += 1;
            let findings = ecslint::engine::run(&PROGRAM, &graph);
            report
                .findings
                .extend(suppress::apply(&graph, findings, &Selection::default()).findings);
        }
        Outcome::Failed { source, errors } => {
            report.errors.extend(errors.into_iter().map(|e| FileError {
                source: source.clone(),
                message: e.message,
                span: e.span,
            }))
        }
        Outcome::Documents(list) => {
            for (_, o) in list {
                collect(o, report);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let name = if data.first() == Some(&b'{') {
        "fuzz.json"
    } else {
        "fuzz.yaml"
    };
    let mut report = Report::default();
    collect(load::load(name, data.to_vec()), &mut report);
    report.sort();
    let info = render::RuleInfo::all(&PROGRAM);
    let human = render::human::Options::plain(100);
    let _ = render::human::render(&report, &human);
    let _ = render::json::render(&report);
    let _ = render::sarif::render(&report, &SARIF);
    let _ = render::concise::render(&report);
    let _ = render::github::render(&report, &info);
});
