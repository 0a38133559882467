//! Static checks of rule files, so mistakes surface when rules load, not while linting:
//! unbound names, unknown functions and arities, recursive relations, duplicate codes, file
//! names that do not match the rule, resource types that do not exist.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::bindings;
use crate::dsl::ast::*;
use crate::dsl::{Program, RuleError};
use crate::engine::builtins::{self, ArgKind};
use crate::load::types;
use crate::source::{SourceFile, Span};

/// A rule in `rules/ECS001-task-arch-mismatch.ecsl` must be ECS001 task-arch-mismatch, one
/// rule per file; files starting with `_` hold relations only.
pub fn file_name(source: &Arc<SourceFile>, rules: &[Rule]) -> Vec<RuleError> {
    let name = source
        .path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim_end_matches(".ecsl");
    if name.starts_with('_') {
        return rules
            .iter()
            .map(|r| {
                err(
                    &r.source,
                    head(r),
                    "files starting with `_` hold relations, not rules",
                )
            })
            .collect();
    }
    let mut errors = Vec::new();
    if rules.len() > 1 {
        errors.push(err(&rules[1].source, head(&rules[1]), "one rule per file"));
    }
    if let Some(r) = rules.first() {
        let expected = format!("{}-{}", r.code, r.slug);
        if name != expected {
            errors.push(err(
                &r.source,
                head(r),
                &format!(
                    "a file holding rule {} {} must be named `{expected}.ecsl`",
                    r.code, r.slug
                ),
            ));
        }
    }
    errors
}

fn head(r: &Rule) -> Span {
    r.span.start..(r.span.start + 4).min(r.span.end)
}

/// An error in the file `origin` names; a built-in file's text is made only then.
fn err(origin: &Origin, span: Span, msg: &str) -> RuleError {
    RuleError::new(&origin.file(), span, msg.to_string())
}

pub fn program(p: &Program) -> Vec<RuleError> {
    // Everything below, and evaluation, recurses over expressions: refuse the ones too deep
    // for the stack first (the depth check itself uses no recursion).
    let too_deep = depth(p);
    if !too_deep.is_empty() {
        return too_deep;
    }
    let mut errors = Vec::new();
    let mut codes: HashMap<&str, &Rule> = HashMap::new();
    for r in &p.rules {
        if let Some(first) = codes.insert(&r.code, r) {
            errors.push(err(
                &r.source,
                head(r),
                &format!(
                    "rule code {} is also used in {}",
                    r.code,
                    first.source.path()
                ),
            ));
        }
        for (ty, span) in r.types.iter().zip(&r.type_spans) {
            type_name(ty, span, &r.source, &mut errors);
        }
        let mut scope: HashSet<Str> = HashSet::from([r.var.clone()]);
        for step in &r.steps {
            match step {
                Step::Let { name, expr } => {
                    names(p, expr, &scope, &r.source, &mut errors);
                    scope.insert(name.clone());
                }
                Step::Where(e) => names(p, e, &scope, &r.source, &mut errors),
                Step::Deny(d) => {
                    names(p, &d.cond, &scope, &r.source, &mut errors);
                    if let Some(at) = &d.at {
                        names(p, at, &scope, &r.source, &mut errors);
                    }
                    let texts = d
                        .labels
                        .iter()
                        .map(|(_, t)| t)
                        .chain(&d.message)
                        .chain(&d.at_label)
                        .chain(&d.help);
                    for (e, _) in &d.labels {
                        names(p, e, &scope, &r.source, &mut errors);
                    }
                    for t in texts {
                        for part in &t.parts {
                            if let TextPart::Var(v) = part
                                && !scope.contains(v)
                            {
                                errors.push(err(
                                    &r.source,
                                    t.span.clone(),
                                    &format!("`{{{v}}}` names nothing bound here"),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    for rel in p.relations.values() {
        let scope: HashSet<Str> = rel.params.iter().cloned().collect();
        names(p, &rel.body, &scope, &rel.source, &mut errors);
        if let Some(span) = recursion(p, rel) {
            errors.push(err(
                &rel.source,
                span,
                &format!(
                    "relation `{}` calls itself; relations cannot recurse",
                    rel.name
                ),
            ));
        }
    }
    errors
}

/// Checks that every variable is bound, every call names a relation or built-in with the
/// right number of arguments, and the literals that must be well-formed are.
fn names(p: &Program, e: &Expr, scope: &HashSet<Str>, src: &Origin, errors: &mut Vec<RuleError>) {
    // A quantifier binds its variable in its condition only.
    if let ExprKind::Quant(_, x, over, cond) = &e.kind {
        names(p, over, scope, src, errors);
        let mut inner = scope.clone();
        inner.insert(x.clone());
        names(p, cond, &inner, src, errors);
        return;
    }
    check_node(p, e, scope, src, errors);
    for c in children(e) {
        names(p, c, scope, src, errors);
    }
}

/// The checks of one expression node, not of the expressions inside it.
fn check_node(
    p: &Program,
    e: &Expr,
    scope: &HashSet<Str>,
    src: &Origin,
    errors: &mut Vec<RuleError>,
) {
    match &e.kind {
        ExprKind::Var(v) if !scope.contains(v) => {
            errors.push(err(
                src,
                e.span.clone(),
                &format!("`{v}` is not bound: bind it with `let` or `each`"),
            ));
        }
        ExprKind::Call(name, args) => {
            let arity = if let Some(rel) = p.relations.get(name) {
                Some((rel.params.len(), rel.params.len()))
            } else {
                builtins::find(name).map(|b| (b.min, b.max))
            };
            match arity {
                None => errors.push(err(
                    src,
                    e.span.clone(),
                    &format!("no relation or function is called `{name}`"),
                )),
                Some((lo, hi)) if args.len() < lo || args.len() > hi => {
                    let want = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo} to {hi}")
                    };
                    errors.push(err(
                        src,
                        e.span.clone(),
                        &format!("`{name}` takes {want} argument(s), not {}", args.len()),
                    ));
                }
                _ => {}
            }
            if let Some(b) = builtins::find(name) {
                for (i, a) in args.iter().enumerate() {
                    match b.arg_kind(i) {
                        ArgKind::Regex => regex_literal(a, src, errors),
                        ArgKind::TypeName => type_literal(a, src, errors),
                        _ => {}
                    }
                }
            }
        }
        ExprKind::Cmp(_, CmpOp::Matches, pattern) => regex_literal(pattern, src, errors),
        // `type_of(x) == "AWS::ECS::Service"`, `type_of(x) in ["AWS::...", ...]`
        ExprKind::Cmp(a, CmpOp::Eq | CmpOp::Ne | CmpOp::In, b) => {
            let is_type_of = |e: &Expr| matches!(&e.kind, ExprKind::Call(n, _) if n == "type_of");
            for (x, y) in [(a, b), (b, a)] {
                if is_type_of(x) {
                    match &y.kind {
                        ExprKind::List(items) => {
                            items.iter().for_each(|i| type_literal(i, src, errors))
                        }
                        _ => type_literal(y, src, errors),
                    }
                }
            }
        }
        ExprKind::Forward(_, Some(ty)) => type_name(&ty.name, &ty.span, src, errors),
        ExprKind::Back(_, ty, path) => {
            if let Some(ty) = ty {
                type_name(&ty.name, &ty.span, src, errors);
            }
            if let Some(why) = path.as_deref().and_then(back_path_problem) {
                errors.push(err(src, e.span.clone(), why));
            }
        }
        _ => {}
    }
}

/// Warnings for the properties rule `r` reads of a type that Terraform plans provide but whose
/// bindings do not map them: a plan reads such a property as unknown, so a `deny` that needs
/// it never fires there. The reads are those that decide (`let`, `where`, a deny's condition;
/// not its `at` or labels) along paths whose type is sure: `x.A.B` (list indices too) where
/// `x` is the `each` variable, a `let` bound to `=> Type` or `<= Type`, or such an expression.
pub fn unmapped_reads(r: &Rule) -> Vec<RuleError> {
    let mut typed: HashMap<&str, Vec<&str>> = HashMap::new();
    typed.insert(&r.var, r.types.iter().map(Str::as_str).collect());
    let mut found: Vec<(&str, String, &'static str, Span)> = Vec::new();
    for step in &r.steps {
        let decides = match step {
            Step::Let { expr, .. } | Step::Where(expr) => expr,
            Step::Deny(d) => &d.cond,
        };
        reads(decides, &typed, &mut found);
        if let Step::Let { name, expr } = step {
            match types_of(expr, &typed) {
                Some(t) => typed.insert(name, t),
                None => typed.remove(name.as_str()),
            };
        }
    }
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|(ty, path, _, _)| seen.insert((*ty, path.clone())))
        .map(|(ty, path, tf, span)| {
            let message = format!(
                "{} reads `{path}` of {ty}, which Terraform plans do not map; the rule is silent on plans",
                r.code
            );
            let help = format!(
                "The Terraform binding of `{tf}` does not map `{path}`: in a plan it is unknown, \
                 and rules do not fire on what they cannot know. Templates are checked as usual"
            );
            RuleError::new(&r.source.file(), span, message)
                .with_help(help)
                .as_warning()
        })
        .collect()
}

/// The resource types `e` surely has values of, when it is a resource of a known type.
fn types_of<'a>(e: &'a Expr, typed: &HashMap<&str, Vec<&'a str>>) -> Option<Vec<&'a str>> {
    match &e.kind {
        ExprKind::Var(v) => typed.get(v.as_str()).cloned(),
        ExprKind::Forward(_, Some(t)) | ExprKind::Back(_, Some(t), _) => Some(vec![&t.name]),
        ExprKind::Guard(x, _) => types_of(x, typed),
        _ => None,
    }
}

/// The unmapped reads inside `e`: (type, path, a Terraform type, where).
fn reads<'a>(
    e: &'a Expr,
    typed: &HashMap<&str, Vec<&'a str>>,
    found: &mut Vec<(&'a str, String, &'static str, Span)>,
) {
    if let ExprKind::Quant(_, x, over, cond) = &e.kind {
        // The quantifier's variable hides a variable of the same name in its condition.
        reads(over, typed, found);
        let mut inner = typed.clone();
        inner.remove(x.as_str());
        reads(cond, &inner, found);
        return;
    }
    if let ExprKind::Path(base, steps) = &e.kind
        && let Some(types) = types_of(base, typed)
    {
        let mut path: Vec<&str> = Vec::new();
        for step in steps {
            match step {
                PathStep::Field(k) => path.push(k),
                PathStep::Index(_) | PathStep::AnyIndex => continue,
                PathStep::Values | PathStep::Descend(_) => break,
            }
        }
        for ty in types {
            // The first segment from which the read is unknown.
            let unmapped = (1..=path.len()).find_map(|n| {
                let tf = bindings::unmapped_by(ty, &path[..n]);
                tf.first().map(|tf| (path[..n].join("."), *tf))
            });
            if let Some((p, tf)) = unmapped {
                found.push((ty, p, tf, e.span.clone()));
            }
        }
    }
    for c in children(e) {
        reads(c, typed, found);
    }
}

/// A resource type written as a string literal must exist (see `type_name`).
fn type_literal(e: &Expr, src: &Origin, errors: &mut Vec<RuleError>) {
    if let ExprKind::Str(ty) = &e.kind {
        type_name(ty, &e.span, src, errors);
    }
}

/// A resource type a rule names must be one a resource can have: a rule sees only resources
/// of the exact types it names, so a misspelt one would make it silent everywhere.
fn type_name(ty: &str, span: &Span, src: &Origin, errors: &mut Vec<RuleError>) {
    if let Some(problem) = type_problem(ty) {
        errors.push(err(src, span.clone(), &problem).with_help(
            "A rule sees only resources of the exact types it names: CloudFormation types, \
             which a Terraform plan's resources are read as (see docs/rules.md)",
        ));
    }
}

/// Why no resource can have type `ty`, if none can. Known are the CloudFormation types of
/// `resource-types.txt`, the types Terraform plans are read as, and `Custom::` ones (any
/// name). A three-part type outside the AWS namespaces is a CloudFormation registry
/// extension's (`MongoDB::Atlas::Cluster`), which no list holds: it passes unless it is a
/// typo of a known type.
pub fn type_problem(ty: &str) -> Option<String> {
    if types::is_known(ty)
        || bindings::cfn_types().any(|t| t == ty)
        || ty
            .strip_prefix("Custom::")
            .is_some_and(|name| !name.is_empty())
    {
        return None;
    }
    if let Some(b) = bindings::binding(ty) {
        return Some(format!(
            "`{ty}` is a Terraform type; rules name the CloudFormation type plans read it as, `{}`",
            b.cfn
        ));
    }
    let namespace = ty.split("::").next().unwrap_or_default();
    let aws = ["AWS", "Alexa", "Data"]
        .iter()
        .any(|ns| ns.eq_ignore_ascii_case(namespace));
    match types::nearest(ty, types::known().chain(bindings::cfn_types())) {
        Some(near) => Some(format!(
            "unknown resource type `{ty}`; did you mean `{near}`?"
        )),
        None if !aws && ty.split("::").count() == 3 => None,
        None => Some(format!(
            "unknown resource type `{ty}`: no CloudFormation type or Terraform binding has this name"
        )),
    }
}

/// A regular expression written as a literal must compile (a computed one is checked when it
/// is used, and does not match when it does not compile).
fn regex_literal(e: &Expr, src: &Origin, errors: &mut Vec<RuleError>) {
    let ExprKind::Str(pattern) = &e.kind else {
        return;
    };
    if let Err(problem) = regex::Regex::new(pattern) {
        // The last line of the regex crate's message says what is wrong; the lines before
        // repeat the pattern.
        let text = problem.to_string();
        let what = text.lines().last().unwrap_or_default();
        let what = what.strip_prefix("error: ").unwrap_or(what);
        errors.push(err(
            src,
            e.span.clone(),
            &format!("invalid regular expression: {what}"),
        ));
    }
}

/// Why a `<=` path can never match a reference, if it cannot. Paths are those of the referring
/// property inside `Properties` (`Cluster`, `Strategy[*].CapacityProvider`), or `Metadata`.
fn back_path_problem(path: &str) -> Option<&'static str> {
    let first = path.split(['.', '[']).next().unwrap_or_default();
    match first {
        "Properties" => Some(
            "a `<=` path starts inside `Properties`: write `Type.Cluster`, not `Type.Properties.Cluster`",
        ),
        "DependsOn" => Some("`DependsOn` is not a reference `<=` follows; name a property"),
        "Type" | "Condition" | "DeletionPolicy" | "UpdateReplacePolicy" => {
            Some("a `<=` path names a property of the referring resource, not a section of it")
        }
        _ => None,
    }
}

/// The span of a call through which a relation reaches itself, if any.
fn recursion(p: &Program, start: &Relation) -> Option<Span> {
    let mut stack = vec![(&start.body, None::<Span>)];
    let mut seen = HashSet::new();
    while let Some((body, via)) = stack.pop() {
        let mut found = None;
        visit(body, &mut |e| {
            if let ExprKind::Call(name, _) = &e.kind {
                let via = via.clone().unwrap_or(e.span.clone());
                if *name == start.name {
                    found.get_or_insert(via);
                } else if let Some(rel) = p.relations.get(name)
                    && seen.insert(name.clone())
                {
                    stack.push((&rel.body, Some(via)));
                }
            }
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Deepest evaluation a rule or relation may need: expressions nested in one another, with
/// the bodies of the relations they call counted in. Checking and evaluation recurse that
/// deep, on threads with small stacks; 10,000 nested `not` or a chain of 4,000 relations
/// would overflow them.
pub const MAX_DEPTH: usize = 200;

/// Errors for the rules and relations whose evaluation would nest deeper than `MAX_DEPTH`.
fn depth(p: &Program) -> Vec<RuleError> {
    let mut errors = Vec::new();
    let depths = relation_depths(p);
    // A chain of relations too deep is reported once, where it starts.
    let mut called: HashSet<&str> = HashSet::new();
    for rel in p.relations.values() {
        children_deep(&rel.body, &mut |e| {
            if let ExprKind::Call(name, _) = &e.kind {
                called.insert(name);
            }
        });
    }
    let mut names: Vec<&Str> = p.relations.keys().collect();
    names.sort();
    for name in names {
        let rel = &p.relations[name.as_str()];
        if depths[name.as_str()] > MAX_DEPTH && !called.contains(name.as_str()) {
            let msg = format!(
                "relation `{}` nests more than {MAX_DEPTH} expressions and relation calls deep",
                rel.name
            );
            errors.push(err(&rel.source, rel.span.clone(), &msg));
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    for r in &p.rules {
        for e in rule_exprs(r) {
            if expr_depth(e, &depths) > MAX_DEPTH {
                let msg =
                    format!("expression nested more than {MAX_DEPTH} deep (relations included)");
                errors.push(err(&r.source, e.span.clone(), &msg));
            }
        }
    }
    errors
}

fn rule_exprs(r: &Rule) -> Vec<&Expr> {
    let mut out = Vec::new();
    for step in &r.steps {
        match step {
            Step::Let { expr, .. } | Step::Where(expr) => out.push(expr),
            Step::Deny(d) => {
                out.push(&d.cond);
                out.extend(&d.at);
                out.extend(d.labels.iter().map(|(e, _)| e));
            }
        }
    }
    out
}

/// Depth of every relation, callees first, without recursion. A call back into a relation
/// still being measured (recursion, reported by `recursion`) counts as depth 0.
fn relation_depths(p: &Program) -> HashMap<&str, usize> {
    let mut done: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = p.relations.keys().map(Str::as_str).collect();
    names.sort();
    for start in names {
        // (relation, callees pushed yet): a relation is measured once its callees are.
        let mut stack = vec![(start, false)];
        let mut open: HashSet<&str> = HashSet::new();
        while let Some((name, expanded)) = stack.pop() {
            if done.contains_key(name) {
                continue;
            }
            let body = &p.relations[name].body;
            if expanded {
                open.remove(name);
                done.insert(name, expr_depth(body, &done));
                continue;
            }
            open.insert(name);
            stack.push((name, true));
            let mut calls = Vec::new();
            children_deep(body, &mut |e| {
                if let ExprKind::Call(callee, _) = &e.kind
                    && let Some((key, _)) = p.relations.get_key_value(callee)
                    && !done.contains_key(key.as_str())
                    && !open.contains(key.as_str())
                {
                    calls.push(key.as_str());
                }
            });
            stack.extend(calls.into_iter().map(|c| (c, false)));
        }
    }
    done
}

/// Nesting depth of an expression, a call counting the depth of its relation (`depths`;
/// relations not there count 0).
fn expr_depth(e: &Expr, depths: &HashMap<&str, usize>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1)];
    while let Some((e, d)) = stack.pop() {
        let called = match &e.kind {
            ExprKind::Call(name, _) => depths.get(name.as_str()).copied().unwrap_or(0),
            _ => 0,
        };
        deepest = deepest.max(d + called);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

/// Calls `f` on every expression inside `e`, at any depth, without recursion.
fn children_deep<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        stack.extend(children(e));
    }
}

/// Calls `f` on `e` and every expression inside it.
pub fn visit<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    for c in children(e) {
        visit(c, f);
    }
}

/// The expressions directly inside `e`.
pub fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::List(items)
        | ExprKind::Else(items)
        | ExprKind::And(items)
        | ExprKind::Or(items)
        | ExprKind::Alt(items)
        | ExprKind::Call(_, items) => items.iter().collect(),
        ExprKind::Path(b, _)
        | ExprKind::Forward(b, _)
        | ExprKind::Back(b, _, _)
        | ExprKind::Not(b) => vec![b],
        ExprKind::Cmp(a, _, b) | ExprKind::Guard(a, b) | ExprKind::Quant(_, _, a, b) => {
            vec![a, b]
        }
        ExprKind::Str(_)
        | ExprKind::Num(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Var(_) => Vec::new(),
    }
}
