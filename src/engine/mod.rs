//! Evaluation of the rule program over one graph: rows of bound values, `where` filters, and
//! `deny` statements that turn definitely-true conditions into findings.

pub mod builtins;
pub mod env;
pub mod eval;
pub mod helpers;
pub mod quantify;
pub mod refs;
mod trace;

use std::collections::HashMap;

use typed_arena::Arena;

use crate::dsl::Program;
use crate::dsl::ast::{Deny, Rule, Step, Text, TextPart};
use crate::finding::{Finding, Label};
use crate::graph::Graph;
use crate::graph::resolve::Ctx;
use crate::graph::value::{Facts, V, Val};
use crate::source::Span;
use env::Env;
use eval::Eval;

/// Rows above this for one resource stop a rule from binding more; it keeps linear cost.
const MAX_ROWS: usize = 4096;

/// Runs every rule of the program over the graph.
pub fn run(program: &Program, graph: &Graph) -> Vec<Finding> {
    let arena = Arena::new();
    let ctx = Ctx::new(graph, &arena);
    let eval = Eval::new(&ctx, program);
    // One finding per (rule, location, message), with every set of conditions it holds under.
    let mut findings: Vec<(Finding, Vec<Facts>)> = Vec::new();
    let mut index: HashMap<(String, Span, String), usize> = HashMap::new();
    for rule in &program.rules {
        for ty in &rule.types {
            for &r in graph.of_type(ty) {
                let Some(start) =
                    ctx.resource_val(r, graph.resources[r].id_span.clone(), &Facts::default())
                else {
                    continue;
                };
                run_rule(&eval, rule, start, None, &mut |f, facts| {
                    let key = (f.code.clone(), f.span.clone(), f.message.clone());
                    match index.get(&key) {
                        Some(&i) => findings[i].1.push(facts),
                        None => {
                            index.insert(key, findings.len());
                            findings.push((f, vec![facts]));
                        }
                    }
                });
            }
        }
    }
    findings
        .into_iter()
        .map(|(f, facts)| with_conditions(f, &facts))
        .collect()
}

/// Adds the conditions a finding depends on to its message; none when it holds without any.
fn with_conditions(mut f: Finding, facts: &[Facts]) -> Finding {
    if facts.iter().any(Facts::is_empty) {
        return f;
    }
    let mut whens: Vec<String> = facts.iter().filter_map(Facts::describe).collect();
    whens.dedup();
    let shown = whens.len().min(3);
    let mut when = whens[..shown].join("; or ");
    if whens.len() > shown {
        when.push_str(&format!("; or {} more", whens.len() - shown));
    }
    f.message = format!("{} ({when})", f.message);
    f
}

pub(crate) struct Row<'g> {
    pub(crate) env: Env<'g>,
    pub(crate) facts: Facts,
}

/// What `ecslint --trace CODE FILE` prints: for each resource the rule runs on, what every
/// `let` bound, which rows each `where` kept, and why each `deny` was true, false or unknown.
/// `None` when the program has no such rule.
pub fn trace(program: &Program, graph: &Graph, code: &str) -> Option<String> {
    let rule = program.rule(code)?;
    let arena = Arena::new();
    let ctx = Ctx::new(graph, &arena);
    let eval = Eval::new(&ctx, program);
    let mut out = String::new();
    for ty in &rule.types {
        for &r in graph.of_type(ty) {
            let start = ctx.resource_val(r, graph.resources[r].id_span.clone(), &Facts::default());
            let Some(start) = start else {
                out.push_str(&format!(
                    "{} {} = {}: its Condition can never hold\n\n",
                    rule.code, rule.var, graph.resources[r].id
                ));
                continue;
            };
            out.push_str(&format!(
                "{} {} = {}\n",
                rule.code, rule.var, graph.resources[r].id
            ));
            // Rows that reach the same finding report it once, as `run` does.
            let mut found = std::collections::HashSet::new();
            run_rule(&eval, rule, start, Some(&mut out), &mut |f, _| {
                found.insert((f.span, f.message));
            });
            out.push_str(&format!("  => {} finding(s)\n\n", found.len()));
        }
    }
    if out.is_empty() {
        out = format!(
            "{} runs on {}; the file has none\n",
            rule.code,
            rule.types.join(" | ")
        );
    }
    Some(out)
}

/// Rows shown per step of a trace; the rest are counted.
pub(crate) const TRACE_ROWS: usize = 12;

fn run_rule<'g>(
    eval: &Eval<'_, 'g>,
    rule: &Rule,
    start: Val<'g>,
    mut trace: Option<&mut String>,
    emit: &mut dyn FnMut(Finding, Facts),
) {
    let mut rows = vec![Row {
        facts: start.facts.clone(),
        env: Env::default().with(&rule.var, start),
    }];
    for step in &rule.steps {
        if let Some(out) = trace.as_deref_mut() {
            trace::step(eval, rule, step, &rows, out);
        }
        match step {
            Step::Let { name, expr } => {
                let mut next = Vec::new();
                for row in &rows {
                    for v in eval.eval(expr, &row.env) {
                        let Some(facts) = row.facts.merge(&v.facts) else {
                            continue;
                        };
                        let env = row.env.with(name, v);
                        next.push(Row { env, facts });
                        if next.len() >= MAX_ROWS {
                            break;
                        }
                    }
                }
                rows = next;
            }
            Step::Where(cond) => {
                rows = rows
                    .into_iter()
                    .filter_map(|row| {
                        let holds: Vec<Facts> = eval
                            .eval(cond, &row.env)
                            .into_iter()
                            .filter(|v| v.truth() == Some(true))
                            .filter_map(|v| row.facts.merge(&v.facts))
                            .collect();
                        let facts = Facts::common(holds.iter())?;
                        Some(Row {
                            env: row.env,
                            facts,
                        })
                    })
                    .collect();
            }
            Step::Deny(deny) => {
                for row in &rows {
                    for v in eval.eval(&deny.cond, &row.env) {
                        if v.truth() != Some(true) {
                            continue;
                        }
                        let Some(facts) = row.facts.merge(&v.facts) else {
                            continue;
                        };
                        emit(finding(eval, rule, deny, &row.env, &facts), facts);
                    }
                }
            }
        }
        if rows.is_empty() {
            if let Some(out) = trace {
                out.push_str("  (no row left: the rule stops here)\n");
            }
            return;
        }
    }
}

fn finding<'g>(
    eval: &Eval<'_, 'g>,
    rule: &Rule,
    deny: &Deny,
    env: &Env<'g>,
    facts: &Facts,
) -> Finding {
    let ctx = eval.ctx;
    let graph = ctx.graph;
    let primary = deny
        .at
        .as_ref()
        .map(|at| eval.eval(at, env))
        .unwrap_or_default()
        .into_iter()
        .chain(env.get(&rule.var).cloned())
        .filter(|v| v.facts.merge(facts).is_some())
        .find_map(|v| primary_span(ctx, &v).map(|s| (s, v)));
    let (span, owner, named) = match &primary {
        Some((s, v)) => (s.clone(), site(ctx, v), referent(v)),
        None => (0..0, None, None),
    };
    let mut labels = Vec::new();
    for (expr, text) in &deny.labels {
        for v in eval.eval(expr, env) {
            if v.facts.merge(facts).is_none() {
                continue;
            }
            let Some(s) = label_span(ctx, &v) else {
                continue;
            };
            if s == span || labels.iter().any(|l: &Label| l.span == s) {
                continue;
            }
            labels.push(Label {
                span: s,
                text: fill(ctx, text, env),
                // A resource label points at its logical ID: it sits in that resource.
                resource: referent(&v)
                    .or_else(|| site(ctx, &v))
                    .map(|o| graph.resources[o].id.clone()),
            });
        }
    }
    // The chain also holds the rule's own resource and the resource the primary location
    // names (a secret behind `ValueFrom: !Ref Secret`), labelled or not.
    let each = env.get(&rule.var).and_then(referent);
    let chain = [each, named]
        .into_iter()
        .flatten()
        .filter(|&r| Some(r) != owner)
        .map(|r| graph.resources[r].id.clone())
        .filter(|id| !labels.iter().any(|l| l.resource.as_ref() == Some(id)))
        .fold(Vec::new(), |mut out: Vec<String>, id| {
            if !out.contains(&id) {
                out.push(id);
            }
            out
        });
    let message = match &deny.message {
        Some(t) => fill(ctx, t, env),
        None => rule.summary.to_string(),
    };
    Finding {
        code: rule.code.to_string(),
        severity: deny.severity.unwrap_or(rule.severity),
        message,
        source: graph.source.clone(),
        span,
        resource: owner
            .map(|o| graph.resources[o].id.clone())
            .unwrap_or_default(),
        labels,
        chain,
        help: deny
            .help
            .as_ref()
            .map(|t| fill(ctx, t, env))
            .or_else(|| rule.fix.as_ref().map(|f| f.to_string())),
        symptom: rule.symptom_of(deny).map(str::to_string),
        url: rule.url.as_ref().map(|u| u.to_string()),
        primary_label: deny.at_label.as_ref().map(|t| fill(ctx, t, env)),
        provider: graph.provider,
    }
    .localized()
}

/// Where a finding points: the property itself, or a resource's `Type` line.
fn primary_span(ctx: &Ctx<'_>, v: &Val<'_>) -> Option<Span> {
    match v.v {
        V::Resource(r)
            if v.span.as_ref() == Some(&ctx.graph.resources[r].id_span) || v.span.is_none() =>
        {
            Some(ctx.graph.resources[r].type_span.clone())
        }
        V::Absent => None,
        _ => v.span.clone(),
    }
}

/// The resource a value's location sits in: a resource shown at its own `Type` line is
/// itself; anything else is the resource whose property holds it (for a resource reached
/// through a reference, the resource holding the reference, not its target).
fn site(ctx: &Ctx<'_>, v: &Val<'_>) -> Option<usize> {
    match v.v {
        V::Resource(r)
            if v.span.is_none() || v.span.as_ref() == Some(&ctx.graph.resources[r].id_span) =>
        {
            Some(r)
        }
        _ => v.site.or(v.owner),
    }
}

/// The resource a value stands for, if it is one.
fn referent(v: &Val<'_>) -> Option<usize> {
    match v.v {
        V::Resource(r) => Some(r),
        _ => None,
    }
}

/// Where a label points: the property, or a resource's logical ID.
fn label_span(ctx: &Ctx<'_>, v: &Val<'_>) -> Option<Span> {
    match v.v {
        V::Resource(r) => Some(ctx.graph.resources[r].id_span.clone()),
        V::Absent => None,
        _ => v.span.clone(),
    }
}

fn fill<'g>(ctx: &Ctx<'g>, text: &Text, env: &Env<'g>) -> String {
    text.parts
        .iter()
        .map(|p| match p {
            TextPart::Lit(s) => s.to_string(),
            TextPart::Var(name) => env.get(name).map(|v| ctx.display(v)).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Findings of one ad-hoc rule body over one template.
    fn run_on(rule_body: &str, template: &str) -> Vec<Finding> {
        let rule =
            format!("rule TST001 t {{\n  severity error\n  summary \"s\"\n  {rule_body}\n}}\n");
        let program =
            Program::from_sources(vec![("r/TST001-t.ecsl".into(), rule)]).expect("rule loads");
        let source = SourceFile::new("t.yaml", template.to_string());
        let root = crate::load::yaml::parse(&source).expect("parses").root;
        let graph = crate::load::cfn::build(source, &root).expect("builds");
        run(&program, &graph)
    }

    const TEMPLATE: &str = "Parameters:\n  NoDefault: {Type: String}\n  WithDefault: {Type: String, Default: a}\nConditions:\n  C: !Equals [!Ref NoDefault, x]\n  NotC: !Not [!Condition C]\nResources:\n  Known: {Type: Custom::T, Properties: {P: a}}\n  FromDefault: {Type: Custom::T, Properties: {P: !Ref WithDefault}}\n  FromNoDefault: {Type: Custom::T, Properties: {P: !Ref NoDefault}}\n  Switched: {Type: Custom::T, Properties: {P: !If [C, a, b], Q: !If [NotC, a, b]}}\n";

    fn ids(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .map(|f| (f.resource.as_str(), f.message.as_str()))
            .collect()
    }

    #[test]
    fn unknown_values_never_fire_and_conditions_are_named() {
        let found = run_on(
            "each x: Custom::T\n  deny x.P == \"a\" message \"{x}\"",
            TEMPLATE,
        );
        assert_eq!(
            ids(&found),
            [
                ("Known", "Known"),
                ("FromDefault", "FromDefault"),
                ("Switched", "Switched (when C is true and NoDefault is x)")
            ]
        );
        let negated = run_on(
            "each x: Custom::T\n  deny not (x.P == \"a\") message \"{x}\"",
            TEMPLATE,
        );
        assert_eq!(ids(&negated), [("Switched", "Switched (when C is false)")]);
    }

    #[test]
    fn contradicting_alternatives_are_never_combined() {
        // P is `a` when C holds and Q is `a` when C does not: never both.
        let both = run_on(
            "each x: Custom::T\n  deny x.P == \"a\" and x.Q == \"a\"",
            TEMPLATE,
        );
        assert!(both.is_empty(), "{:?}", ids(&both));
        let either = run_on(
            "each x: Custom::T\n  where x.Q == \"b\"\n  deny x.P == \"a\"",
            TEMPLATE,
        );
        assert_eq!(either.len(), 1);
    }

    #[test]
    fn references_are_followed_both_ways() {
        let template = "Resources:\n  Role: {Type: AWS::IAM::Role}\n  Task: {Type: AWS::ECS::TaskDefinition, Properties: {ExecutionRoleArn: !GetAtt Role.Arn}}\n";
        let fwd = run_on(
            "each t: AWS::ECS::TaskDefinition\n  let r = t.ExecutionRoleArn => AWS::IAM::Role\n  deny exists(r) message \"{r}\" label r \"role\"",
            template,
        );
        assert_eq!(ids(&fwd), [("Task", "Role")]);
        assert_eq!(fwd[0].labels[0].resource.as_deref(), Some("Role"));
        let back = run_on(
            "each r: AWS::IAM::Role\n  let t = r <= AWS::ECS::TaskDefinition.ExecutionRoleArn\n  deny exists(t) message \"{t}\"",
            template,
        );
        assert_eq!(ids(&back), [("Role", "Task")]);
    }

    #[test]
    fn cycles_and_exploding_alternatives_end_as_unknown() {
        let mut t = String::from(
            "Parameters:\n  Loop: {Type: String, Default: !Ref Loop}\n  P0: {Type: String, Default: a}\n",
        );
        let mut conditions = String::from("Conditions:\n");
        for i in 1..40 {
            t.push_str(&format!(
                "  P{i}: {{Type: String, Default: !If [C{i}, !Ref P{}, !Ref P{}]}}\n",
                i - 1,
                i - 1
            ));
            conditions.push_str(&format!("  C{i}: !Equals [!Ref P0, !Ref AWS::Region]\n"));
        }
        t.push_str(&conditions);
        t.push_str("Resources:\n  A: {Type: Custom::T, Properties: {P: !Ref Loop, Q: !Ref P39}}\n");
        assert!(run_on("each x: Custom::T\n  deny x.P == \"a\" or x.Q == \"b\"", &t).is_empty());
    }

    #[test]
    fn equals_conditions_on_one_input_exclude_each_other() {
        let template = "Parameters:\n  Arch: {Type: String, AllowedValues: [arm64, x86_64]}\nConditions:\n  IsArm: !Equals [!Ref Arch, arm64]\n  IsX86: !Equals [!Ref Arch, x86_64]\n  Never: !Equals [a, b]\nResources:\n  A: {Type: Custom::T, Properties: {P: !If [IsArm, arm, x86], Q: !If [IsX86, x86, arm], R: !If [Never, x, y]}}\n";
        assert!(run_on("each x: Custom::T\n  deny x.P != x.Q", template).is_empty());
        assert!(run_on("each x: Custom::T\n  deny x.R == \"x\"", template).is_empty());
        assert_eq!(
            run_on(
                "each x: Custom::T\n  deny x.R == \"y\" message \"r\"",
                template
            )[0]
            .message,
            "r"
        );
    }

    #[test]
    fn values_handed_over_by_other_stacks_are_unknown() {
        let template = "Resources:\n  Nested: {Type: AWS::CloudFormation::Stack}\n  Lookup: {Type: Custom::Lookup}\n  Role: {Type: AWS::S3::Bucket}\n  A: {Type: Custom::T, Properties: {N: !GetAtt Nested.Outputs.RoleArn, C: !GetAtt Lookup.Arn, B: !Ref Role}}\n";
        let absent = |prop: &str| {
            run_on(
                &format!("each x: Custom::T\n  deny not exists(x.{prop} => AWS::IAM::Role)"),
                template,
            )
            .len()
        };
        assert_eq!((absent("N"), absent("C"), absent("B")), (0, 0, 1));
    }

    #[test]
    fn quantifiers_bind_each_value_in_turn() {
        let template = "Resources:\n  A: {Type: Custom::T, Properties: {L: [1, 2, 3]}}\n  B: {Type: Custom::T, Properties: {L: [1, 5]}}\n";
        let all_small = run_on(
            "each x: Custom::T\n  deny all(i in x.L[*], i in [1, 2, 3]) message \"{x}\"",
            template,
        );
        assert_eq!(ids(&all_small), [("A", "A")]);
        let none_big = run_on(
            "each x: Custom::T\n  deny none(i in x.L[*], i == 5) message \"{x}\"",
            template,
        );
        assert_eq!(ids(&none_big), [("A", "A")]);
        let any_big = run_on(
            "each x: Custom::T\n  deny any(x.L[*] == 5) message \"{x}\"",
            template,
        );
        assert_eq!(ids(&any_big), [("B", "B")]);
        // A deploy-time item decides nothing unless another one does.
        let unknown = "Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: Custom::T, Properties: {L: [1, !Ref P]}}\n";
        assert!(
            run_on(
                "each x: Custom::T\n  deny all(i in x.L[*], i == 1)",
                unknown
            )
            .is_empty()
        );
        assert_eq!(
            run_on(
                "each x: Custom::T\n  deny not all(i in x.L[*], i == 2)",
                unknown
            )
            .len(),
            1
        );
    }

    #[test]
    fn template_sections_are_queryable_and_label_sets_are_shared() {
        let template = "Parameters:\n  Size: {Type: Number, Default: 3, AllowedValues: [1, 3]}\nResources:\n  A: {Type: Custom::T, Properties: {P: x}}\n  B: {Type: Custom::T, Properties: {P: y}}\nOutputs:\n  Name: {Value: !Sub '${A}-name'}\n";
        let exported = run_on(
            "each x: Custom::T\n  deny x in refs(outputs().Value) message \"{x}\"",
            template,
        );
        assert_eq!(ids(&exported), [("A", "A")]);
        let params = run_on(
            "each x: Custom::T\n  let p = parameters()\n  deny x.P == \"y\" and p.Default == 3 and \"1\" in p.AllowedValues[*] message \"{p}\"",
            template,
        );
        assert_eq!(params.len(), 1);
        let shared = run_on(
            "each x: Custom::T\n  labels both {\n    label x.P \"value {x}\"\n  }\n  deny x.P == \"x\" labels both\n  deny x.P == \"y\" labels both",
            template,
        );
        let texts: Vec<&str> = shared.iter().map(|f| f.labels[0].text.as_str()).collect();
        assert_eq!(texts, ["value A", "value B"]);
        let typed = run_on(
            "each x: Custom::T\n  deny type_of(x) == \"Custom::T\" and capture(type_of(x), \"^(.)\") == \"C\" and not exists(type_of(x.P))",
            template,
        );
        assert_eq!(typed.len(), 2);
        // A resource is no text to capture from: unknown, never a finding.
        assert!(
            run_on(
                "each x: Custom::T\n  deny capture(x, \".*\") == \"A\"",
                template
            )
            .is_empty()
        );
    }

    #[test]
    fn policy_documents_are_resolved_before_iam_reads_them() {
        let role = |name: &str, action: &str| {
            format!(
                "  {name}:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: {action}\n                Resource: !Sub 'arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/app/*'\n"
            )
        };
        let template = format!(
            "Parameters:\n  Act: {{Type: String, Default: ssm:GetParameters}}\nConditions:\n  C: !Equals [!Ref AWS::Region, eu-west-1]\nResources:\n{}{}{}{}",
            role("FromDefault", "!Ref Act"),
            role(
                "SameBothWays",
                "!If [C, ssm:GetParameters, ssm:GetParameters]"
            ),
            role("DependsOnC", "!If [C, ssm:GetParameters, s3:GetObject]"),
            role("NoValue", "[ssm:GetParameters, !Ref AWS::NoValue]"),
        );
        let rule = |cond: &str| {
            format!(
                "each r: AWS::IAM::Role\n  deny {cond}(r, \"ssm:GetParameters\", \"arn:aws:ssm:eu-west-1:1:parameter/app/db\") message \"{{r}}\""
            )
        };
        let allowed = run_on(&rule("iam_allows"), &template);
        assert_eq!(
            ids(&allowed),
            [
                ("FromDefault", "FromDefault"),
                ("SameBothWays", "SameBothWays"),
                ("NoValue", "NoValue")
            ]
        );
        // Under one condition only: neither allowed nor missing.
        assert!(run_on(&rule("not iam_allows"), &template).is_empty());
    }
}
