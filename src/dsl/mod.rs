//! The rule language: parsing rule files (`parse`), checking them (`check`), and the compiled
//! `Program` the engine runs.

pub mod ast;
pub mod check;
pub mod parse;
pub mod stored;

use std::collections::HashSet;
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
    /// How to fix it, when the message does not say.
    pub help: Option<String>,
    /// A warning: the rules load all the same.
    pub warning: bool,
}

impl RuleError {
    pub fn new(source: &Arc<SourceFile>, span: Span, message: String) -> RuleError {
        RuleError {
            source: source.clone(),
            span,
            message,
            help: None,
            warning: false,
        }
    }

    pub fn as_warning(mut self) -> RuleError {
        self.warning = true;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> RuleError {
        self.help = Some(help.into());
        self
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

    fn severity(&self) -> Option<miette::Severity> {
        self.warning.then_some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
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
    pub rules: Vec<ast::Ptr<ast::Rule>>,
    /// Looked up by every call a rule makes (foldhash: see `graph::FastMap`).
    pub relations: foldhash::HashMap<ast::Str, ast::Ptr<ast::Relation>>,
    /// What is doubtful in the user's rules, though they load (`check::unmapped_reads`).
    pub warnings: Vec<RuleError>,
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
        let builtin_codes: HashSet<ast::Str> =
            builtin.rules.iter().map(|r| r.code.clone()).collect();
        let mut program = builtin.with_sources(files)?;
        // The built-in rules' reads are known (see the test `built_in_unmapped_reads`).
        let warnings: Vec<RuleError> = program
            .rules
            .iter()
            .filter(|r| !builtin_codes.contains(&r.code))
            .flat_map(|r| check::unmapped_reads(r))
            .collect();
        program.warnings.extend(warnings);
        Ok(program)
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
            if let ast::Ptr::Owned(rule) = rule
                && rule.url.is_none()
            {
                rule.url = Some(format!("{DOCS_URL}/{}.md", rule.code).into());
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
                    self.rules
                        .extend(parsed.rules.into_iter().map(ast::Ptr::new));
                    for r in parsed.relations {
                        if let Some(problem) = relation_clash(&self, &r) {
                            errors.push(problem);
                        } else {
                            self.relations.insert(r.name.clone(), ast::Ptr::new(r));
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
            .map(|r| &**r)
    }
}

/// Relations of all rule files, built-in ones included, share one namespace, and a call
/// names a relation before a built-in function: a second `relation x` (or one named like a
/// built-in) would quietly change every rule that calls `x`.
fn relation_clash(program: &Program, r: &ast::Relation) -> Option<RuleError> {
    let message = if let Some(first) = program.relations.get(&r.name) {
        let at = first.source.file().location(first.name_span.start);
        format!("relation `{}` is defined twice: here and at {at}", r.name)
    } else if crate::engine::builtins::find(&r.name).is_some() {
        format!("relation `{}` has the name of a built-in function", r.name)
    } else {
        return None;
    };
    let help = "Relations of every rule file, the built-in `rules/_relations.ecsl` included, share \
                one namespace with the built-in functions; rename this one";
    Some(RuleError::new(&r.source.file(), r.name_span.clone(), message).with_help(help))
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
            ("each x: AWS::S3::Bucket\n  deny y == 1", "`y` is not bound"),
            (
                "each x: AWS::S3::Bucket\n  deny nope(x)",
                "no relation or function is called `nope`",
            ),
            (
                "each x: AWS::S3::Bucket\n  deny exists(x, x)",
                "`exists` takes 1 argument(s), not 2",
            ),
            (
                "each x: AWS::S3::Bucket\n  deny x == 1 message \"{z}\"",
                "`{z}` names nothing bound here",
            ),
            ("each x: AWS::S3::Bucket\n  deny x ==", "syntax error"),
            (
                "each x: AWS::S3::Bucket\n  deny x.P matches \"[a-\"",
                "invalid regular expression: unclosed character class",
            ),
            (
                "each x: AWS::S3::Bucket\n  deny exists(x <= AWS::ECS::Service.Properties.Cluster)",
                "starts inside `Properties`",
            ),
            (
                "each x: AWS::S3::Bucket\n  deny exists(x <= AWS::ECS::Service.DependsOn)",
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
        let rule =
            |code: &str| format!("rule {code} slug {{\n  {HEAD}  each x: AWS::S3::Bucket\n}}\n");
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
            "rule TST001 slug {\n  summary \"s\"\n  each x: AWS::S3::Bucket\n}\n",
        )]);
        assert!(
            no_severity[0].contains("has no `severity`"),
            "{no_severity:?}"
        );
    }

    #[test]
    fn a_deny_may_be_milder_than_its_rule() {
        let src = "rule TST001 s {\n  severity error\n  summary \"s\"\n  each x: AWS::S3::Bucket\n  deny x == 1\n  deny x == 2 severity warning message \"m\"\n}\n";
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
                "rule TST001 s {{\n  severity error\n  summary \"s\"\n{symptoms}  each x: AWS::S3::Bucket\n{denies}}}\n"
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
    fn a_relation_name_is_taken_once_across_files_and_built_ins() {
        let files = vec![
            (
                "a/_one.ecsl".to_string(),
                "relation r(x) = x.A\n".to_string(),
            ),
            (
                "b/_two.ecsl".to_string(),
                "# again\nrelation r(x) = x.B\nrelation exists(x) = x\n".to_string(),
            ),
        ];
        let err = Program::from_sources(files).expect_err("clashes");
        let found: Vec<(String, &str)> = err
            .iter()
            .map(|e| (e.source.location(e.span.start), e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "b/_two.ecsl:2:10".to_string(),
                    "relation `r` is defined twice: here and at a/_one.ecsl:1:10"
                ),
                (
                    "b/_two.ecsl:3:10".to_string(),
                    "relation `exists` has the name of a built-in function"
                ),
            ]
        );
    }

    #[test]
    fn resource_types_must_exist() {
        let typo = |ty: &str| check::type_problem(ty).unwrap_or_default();
        assert!(typo("AWS::ECS::Servce").contains("did you mean `AWS::ECS::Service`?"));
        assert!(typo("AWS::Ecs::service").contains("did you mean `AWS::ECS::Service`?"));
        assert!(typo("Data::SSM::Parameterr").contains("did you mean `Data::SSM::Parameter`?"));
        assert!(typo("aws_ecs_service").contains("plans read it as, `AWS::ECS::Service`"));
        assert!(typo("AWS::ECS::Nothing").contains("no CloudFormation type"));
        assert!(typo("T").contains("no CloudFormation type"));
        for ok in [
            "AWS::RDS::DBInstance",
            "AWS::Serverless::Function",
            "Data::EC2::Image",
            "AWS::EC2::SecurityGroupEgress",
            "Custom::CertificateValidator",
            // A CloudFormation registry extension's type: no list holds it.
            "MongoDB::Atlas::Cluster",
        ] {
            assert_eq!(check::type_problem(ok), None, "{ok}");
        }
        let rule = format!(
            "rule TST001 t {{\n  {HEAD}  each x: AWS::ECS::Service | AWS::S3::Buckt\n  deny exists(x => AWS::IAM::Rol)\n  deny exists(x <= AWS::ECS::Servce.Cluster)\n  deny count(resources(\"AWS::EC2::Instanc\")) == 1\n  deny type_of(x) in [\"AWS::ECS::Cluster\", \"AWS::ECS::Clustr\"]\n}}\n"
        );
        let err = Program::from_sources(vec![("r/TST001-t.ecsl".into(), rule)]).expect_err("typos");
        let found: Vec<(usize, usize, &str)> = err
            .iter()
            .map(|e| {
                let (line, col) = e.source.line_col(e.span.start);
                (line, col, e.message.as_str())
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    4,
                    31,
                    "unknown resource type `AWS::S3::Buckt`; did you mean `AWS::S3::Bucket`?"
                ),
                (
                    5,
                    20,
                    "unknown resource type `AWS::IAM::Rol`; did you mean `AWS::IAM::Role`?"
                ),
                (
                    6,
                    20,
                    "unknown resource type `AWS::ECS::Servce`; did you mean `AWS::ECS::Service`?"
                ),
                (
                    7,
                    24,
                    "unknown resource type `AWS::EC2::Instanc`; did you mean `AWS::EC2::Instance`?"
                ),
                (
                    8,
                    44,
                    "unknown resource type `AWS::ECS::Clustr`; did you mean `AWS::ECS::Cluster`?"
                ),
            ]
        );
    }

    /// The built-in rules are not warned of what they read that Terraform plans do not map;
    /// these are the reads. ECS026 runs on several types and reads each one's own properties
    /// of all of them: a task definition has no `VolumeConfigurations` (a service's) or
    /// `ManagedInstancesProvider` (a capacity provider's), but its binding's top level is not
    /// in bindings/cloudformation-properties.txt, so a plan reads every name it does not map
    /// as unknown.
    #[test]
    fn built_in_unmapped_reads() {
        let program = Program::load(&[]).expect("built-in rules load");
        assert!(program.warnings.is_empty());
        let reads: Vec<String> = program
            .rules
            .iter()
            .flat_map(|r| check::unmapped_reads(r))
            .map(|w| w.message)
            .collect();
        let silent = "which Terraform plans do not map; the rule is silent on plans";
        assert_eq!(
            reads,
            [
                format!(
                    "ECS026 reads `VolumeConfigurations` of AWS::ECS::TaskDefinition, {silent}"
                ),
                format!(
                    "ECS026 reads `ManagedInstancesProvider` of AWS::ECS::TaskDefinition, {silent}"
                ),
            ]
        );
    }

    #[test]
    fn reads_of_what_plans_do_not_map_are_warned_of() {
        let rule = format!(
            "rule TST001 t {{\n  {HEAD}  each c: AWS::ECS::Cluster\n  let lt = c <= AWS::EC2::LaunchTemplate\n  let any = c => *\n  deny exists(c.ServiceConnectDefaults.Namespace) and exists(c.ClusterName)\n    at c.Tags \"t\"\n  deny lt.LaunchTemplateData.BlockDeviceMappings[0].Ebs == 1 and any.Whatever == 1\n    label c.ServiceConnectDefaults \"not a condition\"\n  deny all(c in lt.TagSpecifications[*], c.ServiceConnectDefaults == 1)\n  deny lt.LaunchTemplateData.UserData == \"x\" or lt.LaunchTemplateData.* == 1\n}}\n"
        );
        let dir = std::env::temp_dir().join(format!("ecslint-unmapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("TST001-t.ecsl"), rule).unwrap();
        let program = Program::load(&[dir.as_path()]).expect("loads");
        std::fs::remove_dir_all(&dir).unwrap();
        let warned: Vec<(usize, usize, &str)> = program
            .warnings
            .iter()
            .map(|w| {
                let (line, col) = w.source.line_col(w.span.start);
                (line, col, w.message.as_str())
            })
            .collect();
        let silent = "which Terraform plans do not map; the rule is silent on plans";
        assert_eq!(
            warned,
            [
                (
                    7,
                    15,
                    &*format!(
                        "TST001 reads `ServiceConnectDefaults` of AWS::ECS::Cluster, {silent}"
                    )
                ),
                (
                    9,
                    8,
                    &*format!(
                        "TST001 reads `LaunchTemplateData.BlockDeviceMappings` of AWS::EC2::LaunchTemplate, {silent}"
                    )
                ),
                (
                    11,
                    17,
                    &*format!(
                        "TST001 reads `TagSpecifications` of AWS::EC2::LaunchTemplate, {silent}"
                    )
                ),
            ]
        );
        assert!(program.warnings.iter().all(|w| w.warning));
        let help = program.warnings[0].help.as_deref().unwrap_or_default();
        assert!(
            help.contains("binding of `aws_ecs_cluster` does not map"),
            "{help}"
        );
    }

    /// Every type a built-in rule or relation names exists (else they would not load).
    #[test]
    fn the_built_in_rules_name_only_known_types() {
        let program = Program::load(&[]).expect("built-in rules load");
        let mut named: Vec<&str> = program
            .rules
            .iter()
            .flat_map(|r| r.types.iter().map(ast::Str::as_str))
            .collect();
        let bodies = program.relations.values().map(|r| &r.body);
        let rule_exprs = program.rules.iter().flat_map(|r| {
            r.steps.iter().flat_map(|s| match s {
                ast::Step::Let { expr, .. } | ast::Step::Where(expr) => vec![expr],
                ast::Step::Deny(d) => vec![&d.cond],
            })
        });
        for e in bodies.chain(rule_exprs) {
            check::visit(e, &mut |e| match &e.kind {
                ast::ExprKind::Forward(_, Some(t)) | ast::ExprKind::Back(_, Some(t), _) => {
                    named.push(&t.name)
                }
                _ => {}
            });
        }
        assert!(named.len() > 100, "{}", named.len());
        for ty in named {
            assert_eq!(check::type_problem(ty), None, "{ty}");
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
