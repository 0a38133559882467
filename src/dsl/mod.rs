//! The rule language: parsing rule files (`parse`), checking them (`check`), and the compiled
//! `Program` the engine runs.

pub mod ast;
pub mod check;
pub mod parse;
pub mod stored;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::source::{SourceFile, Span};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Documentation pages of the built-in rules, one per code (generated into docs/rules/).
pub const DOCS_URL: &str = "https://github.com/ecslint/ecslint/blob/main/docs/rules";

/// An error in a rule file, pointing into it.
#[derive(Clone, Debug)]
pub struct RuleError {
    pub source: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

impl RuleError {
    pub fn new(source: &Arc<SourceFile>, span: Span, message: String) -> RuleError {
        RuleError {
            source: source.clone(),
            span,
            message,
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source.path, self.message)
    }
}

impl std::error::Error for RuleError {}

impl Diagnostic for RuleError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("rule-file"))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source.text)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span.clone()),
        )))
    }
}

/// Every rule and relation, checked and ready to run.
#[derive(Debug, Default)]
pub struct Program {
    pub rules: Vec<ast::Rule>,
    pub relations: HashMap<String, ast::Relation>,
}

impl Program {
    /// The built-in rules plus the `.ecsl` files of each directory in `extra`.
    pub fn load(extra: &[&Path]) -> Result<Program, Vec<RuleError>> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for dir in extra {
            match read_dir(dir) {
                Ok(found) => files.extend(found),
                Err(e) => errors.push(RuleError::new(
                    &SourceFile::new(dir.display().to_string(), String::new()),
                    0..0,
                    format!("cannot read rule directory: {e}"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let builtin = match stored::program() {
            Some(program) => program,
            None => Program::builtin_from_text()?,
        };
        if files.is_empty() {
            return Ok(builtin);
        }
        builtin.with_sources(files)
    }

    /// The built-in rules, parsed and checked from their text.
    pub fn builtin_from_text() -> Result<Program, Vec<RuleError>> {
        let files = BUILTIN
            .iter()
            .map(|(n, t)| (format!("rules/{n}"), t.to_string()))
            .collect();
        let mut program = Program::from_sources(files)?;
        // Built-in rules link to their documentation page; a user's rule only to its own `url`.
        for rule in &mut program.rules {
            if rule.url.is_none() {
                rule.url = Some(format!("{DOCS_URL}/{}.md", rule.code));
            }
        }
        Ok(program)
    }

    /// Parses and checks rule files given as (path, text).
    pub fn from_sources(files: Vec<(String, String)>) -> Result<Program, Vec<RuleError>> {
        Program::default().with_sources(files)
    }

    /// This program and the rule files given as (path, text), checked together: the files may
    /// use this program's relations, and may not reuse its codes or relation names.
    fn with_sources(mut self, files: Vec<(String, String)>) -> Result<Program, Vec<RuleError>> {
        let mut errors = Vec::new();
        for (path, text) in files {
            let source = SourceFile::new(path, text);
            match parse::parse(&source) {
                Ok(parsed) => {
                    errors.extend(check::file_name(&source, &parsed.rules));
                    self.rules.extend(parsed.rules);
                    for r in parsed.relations {
                        if let Some(first) = self.relations.get(&r.name) {
                            errors.push(RuleError::new(
                                &r.source,
                                r.span.clone(),
                                format!(
                                    "relation `{}` is already defined in {}",
                                    r.name, first.source.path
                                ),
                            ));
                        } else {
                            self.relations.insert(r.name.clone(), r);
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        errors.extend(check::program(&self));
        if errors.is_empty() {
            self.rules.sort_by(|a, b| a.code.cmp(&b.code));
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn rule(&self, code: &str) -> Option<&ast::Rule> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
    }
}

fn read_dir(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "ecsl") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path)?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        let files = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        match Program::from_sources(files) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.message).collect(),
        }
    }

    const HEAD: &str = "severity error\n  summary \"s\"\n";

    #[test]
    fn a_correct_rule_loads() {
        let rule = format!(
            "rule TST001 ok {{\n  {HEAD}  each x: AWS::S3::Bucket\n  let n = x.BucketName\n  deny n == \"a\" at n label x \"{{n}}\"\n}}\n"
        );
        assert_eq!(errors(&[("r/TST001-ok.ecsl", &rule)]), Vec::<String>::new());
    }

    #[test]
    fn mistakes_are_found_when_rules_load() {
        let cases = [
            ("each x: T\n  deny y == 1", "`y` is not bound"),
            (
                "each x: T\n  deny nope(x)",
                "no relation or function is called `nope`",
            ),
            (
                "each x: T\n  deny exists(x, x)",
                "`exists` takes 1 argument(s), not 2",
            ),
            (
                "each x: T\n  deny x == 1 message \"{z}\"",
                "`{z}` names nothing bound here",
            ),
            ("each x: T\n  deny x ==", "syntax error"),
            (
                "each x: T\n  deny x.P matches \"[a-\"",
                "invalid regular expression: unclosed character class",
            ),
            (
                "each x: T\n  deny exists(x <= T.Properties.Cluster)",
                "starts inside `Properties`",
            ),
            (
                "each x: T\n  deny exists(x <= T.DependsOn)",
                "`DependsOn` is not a reference",
            ),
        ];
        for (body, want) in cases {
            let rule = format!("rule TST001 bad {{\n  {HEAD}  {body}\n}}\n");
            let got = errors(&[("r/TST001-bad.ecsl", &rule)]);
            assert!(got.iter().any(|e| e.contains(want)), "{body:?}: {got:?}");
        }
    }

    #[test]
    fn file_names_codes_and_relations_are_checked() {
        let rule = |code: &str| format!("rule {code} slug {{\n  {HEAD}  each x: T\n}}\n");
        let wrong_name = errors(&[("r/TST001-other.ecsl", &rule("TST001"))]);
        assert!(
            wrong_name[0].contains("must be named `TST001-slug.ecsl`"),
            "{wrong_name:?}"
        );
        let twice = errors(&[
            ("a/TST001-slug.ecsl", &rule("TST001")),
            ("b/TST001-slug.ecsl", &rule("TST001")),
        ]);
        assert!(
            twice.iter().any(|e| e.contains("is also used")),
            "{twice:?}"
        );
        let recursive = errors(&[(
            "r/_rel.ecsl",
            "relation a(x) = b(x)\nrelation b(x) = a(x)\n",
        )]);
        assert!(
            recursive.iter().any(|e| e.contains("calls itself")),
            "{recursive:?}"
        );
        let no_severity = errors(&[(
            "r/TST001-slug.ecsl",
            "rule TST001 slug {\n  summary \"s\"\n  each x: T\n}\n",
        )]);
        assert!(
            no_severity[0].contains("has no `severity`"),
            "{no_severity:?}"
        );
    }

    #[test]
    fn a_deny_may_be_milder_than_its_rule() {
        let src = "rule TST001 s {\n  severity error\n  summary \"s\"\n  each x: T\n  deny x == 1\n  deny x == 2 severity warning message \"m\"\n}\n";
        let program =
            Program::from_sources(vec![("r/TST001-s.ecsl".into(), src.into())]).expect("loads");
        let levels: Vec<Option<crate::finding::Severity>> = program.rules[0]
            .steps
            .iter()
            .filter_map(|s| match s {
                ast::Step::Deny(d) => Some(d.severity),
                _ => None,
            })
            .collect();
        assert_eq!(levels, [None, Some(crate::finding::Severity::Warning)]);
    }

    #[test]
    fn each_deny_names_one_of_the_rules_symptoms() {
        let rule = |symptoms: &str, denies: &str| {
            format!(
                "rule TST001 s {{\n  severity error\n  summary \"s\"\n{symptoms}  each x: T\n{denies}}}\n"
            )
        };
        let two = "  symptom slow \"it is slow\"\n  symptom down \"it is down\"\n";
        let ok = rule(
            two,
            "  deny x == 1 symptom down at x \"here\"\n  deny x == 2 symptom slow\n",
        );
        let program = Program::from_sources(vec![("r/TST001-s.ecsl".into(), ok)]).expect("loads");
        let r = &program.rules[0];
        let texts: Vec<Option<&str>> = r
            .steps
            .iter()
            .filter_map(|s| match s {
                ast::Step::Deny(d) => Some(r.symptom_of(d)),
                _ => None,
            })
            .collect();
        assert_eq!(texts, [Some("it is down"), Some("it is slow")]);
        assert_eq!(r.symptom.as_deref(), Some("it is slow | it is down"));
        for (symptoms, denies, want) in [
            (two, "  deny x == 1\n", "must name the one it causes"),
            (
                two,
                "  deny x == 1 symptom gone\n",
                "declares no such symptom",
            ),
            (
                "  symptom \"plain\"\n",
                "  deny x == 1 symptom slow\n",
                "no such symptom",
            ),
            (
                "  symptom \"plain\"\n  symptom slow \"s\"\n",
                "  deny x == 1 symptom slow\n",
                "both a plain `symptom` and named ones",
            ),
            (
                "  symptom slow \"a\"\n  symptom slow \"b\"\n",
                "  deny x == 1\n",
                "declared twice",
            ),
            (
                two,
                "  deny x == 1 symptom slow at x \"{nope}\"\n",
                "`{nope}` names nothing",
            ),
        ] {
            let got = errors(&[("r/TST001-s.ecsl", &rule(symptoms, denies))]);
            assert!(got.iter().any(|e| e.contains(want)), "{denies:?}: {got:?}");
        }
    }

    #[test]
    fn syntax_errors_point_into_the_rule_file() {
        let files = vec![(
            "r/TST001-x.ecsl".to_string(),
            "rule TST001 x {\n  severity bad\n}\n".to_string(),
        )];
        let err = Program::from_sources(files).expect_err("bad severity");
        assert_eq!(err[0].source.path, "r/TST001-x.ecsl");
        assert_eq!(err[0].source.line_col(err[0].span.start).0, 2);
    }
}
