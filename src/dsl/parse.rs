//! Rule source text → AST, through the pest grammar in `grammar/ecslint.pest`.

use std::sync::Arc;

use pest::Parser as _;
use pest::iterators::Pair;

use crate::dsl::RuleError;
use crate::dsl::ast::*;
use crate::finding::Severity;
use crate::source::{SourceFile, Span};

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/ecslint.pest"]
    pub struct Grammar;
}

/// pest's generated rule enum, renamed so it does not clash with our `Rule`.
use grammar::{Grammar, Rule as G};

/// What one rule file contains.
#[derive(Default)]
pub struct Parsed {
    pub rules: Vec<Rule>,
    pub relations: Vec<Relation>,
}

pub fn parse(source: &Arc<SourceFile>) -> Result<Parsed, RuleError> {
    let mut pairs = Grammar::parse(G::file, &source.text).map_err(|e| {
        let span = match e.location {
            pest::error::InputLocation::Pos(p) => p..p,
            pest::error::InputLocation::Span((a, b)) => a..b,
        };
        RuleError::new(
            source,
            span,
            format!("syntax error: {}", describe(&e.variant)),
        )
    })?;
    let mut out = Parsed::default();
    let Some(file) = pairs.next() else {
        return Ok(out);
    };
    let b = Build { source };
    for item in file.into_inner() {
        match item.as_rule() {
            G::rule => out.rules.push(b.rule(item)?),
            G::relation => out.relations.push(b.relation(item)),
            _ => {}
        }
    }
    Ok(out)
}

fn describe(v: &pest::error::ErrorVariant<G>) -> String {
    match v {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(|r| friendly(*r)).collect();
            names.sort();
            names.dedup();
            if names.is_empty() {
                "unexpected input".to_string()
            } else {
                format!("expected {}", names.join(", "))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    }
}

fn friendly(r: G) -> String {
    match r {
        G::EOI => "end of file".into(),
        G::ident | G::var => "a name".into(),
        G::text | G::string | G::triple => "a quoted string".into(),
        G::type_name | G::type_filter => "a resource type".into(),
        G::expr | G::call | G::postfix => "an expression".into(),
        G::header | G::text_header | G::header_key => {
            "a header (severity, summary, symptom, fix, docs, url)".into()
        }
        G::each => "`each NAME: TYPE`".into(),
        other => format!("{other:?}").replace('_', " "),
    }
}

struct Build<'a> {
    source: &'a Arc<SourceFile>,
}

fn span_of(p: &Pair<G>) -> Span {
    let s = p.as_span();
    s.start()..s.end()
}

impl Build<'_> {
    fn err(&self, span: Span, msg: impl Into<String>) -> RuleError {
        RuleError::new(self.source, span, msg.into())
    }

    fn relation(&self, p: Pair<G>) -> Relation {
        let span = span_of(&p);
        let mut name = String::new();
        let mut name_span = span.clone();
        let mut params = Vec::new();
        let mut body = None;
        for c in p.into_inner() {
            match c.as_rule() {
                G::ident => {
                    name = c.as_str().to_string();
                    name_span = span_of(&c);
                }
                G::params => params = c.into_inner().map(|i| i.as_str().into()).collect(),
                G::expr => body = Some(self.expr(c)),
                _ => {}
            }
        }
        Relation {
            doc: comment_above(&self.source.text, span.start).into(),
            name: name.into(),
            params: params.into(),
            body: body.unwrap_or(Expr {
                kind: ExprKind::Null,
                span: span.clone(),
            }),
            source: Origin::File(self.source.clone()),
            span,
            name_span,
        }
    }

    fn rule(&self, p: Pair<G>) -> Result<Rule, RuleError> {
        let span = span_of(&p);
        let mut rule = Rule {
            code: Str::default(),
            slug: Str::default(),
            severity: Severity::Error,
            summary: Str::default(),
            symptom: None,
            symptoms: Seq::default(),
            fix: None,
            docs: None,
            url: None,
            source: Origin::File(self.source.clone()),
            span: span.clone(),
            var: Str::default(),
            types: Seq::default(),
            type_spans: Seq::default(),
            steps: Seq::default(),
        };
        let (mut symptoms, mut type_names, mut type_spans, mut steps) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut have_severity = false;
        // Label sets by name, as written: each deny that uses one builds its own copy.
        let mut label_sets: std::collections::HashMap<String, Vec<Pair<G>>> = Default::default();
        for c in p.into_inner() {
            match c.as_rule() {
                G::code => rule.code = c.as_str().into(),
                G::slug => rule.slug = c.as_str().into(),
                G::header => {
                    let Some(h) = c.into_inner().next() else {
                        continue;
                    };
                    if h.as_rule() == G::named_symptom {
                        let mut inner = h.into_inner();
                        if let (Some(name), Some(text)) = (inner.next(), inner.next()) {
                            let name: Str = name.as_str().into();
                            if symptoms.iter().any(|(n, _)| *n == name) {
                                return Err(self.err(
                                    span_of(&text),
                                    format!("symptom `{name}` is declared twice"),
                                ));
                            }
                            symptoms.push((name, unquote(text.as_str()).into()));
                        }
                        continue;
                    }
                    if h.as_rule() == G::severity {
                        have_severity = true;
                        let level = h.into_inner().next().map(|l| l.as_str()).unwrap_or("");
                        rule.severity = Severity::parse(level).unwrap_or(Severity::Error);
                        continue;
                    }
                    let mut inner = h.into_inner();
                    let (Some(key), Some(text)) = (inner.next(), inner.next()) else {
                        continue;
                    };
                    let value = unquote(text.as_str());
                    match key.as_str() {
                        "summary" => rule.summary = value.into(),
                        "symptom" => rule.symptom = Some(value.into()),
                        "fix" => rule.fix = Some(value.into()),
                        "docs" => rule.docs = Some(dedent(&value).into()),
                        "url" => rule.url = Some(value.into()),
                        _ => {}
                    }
                }
                G::each => {
                    let mut inner = c.into_inner();
                    if let Some(v) = inner.next() {
                        rule.var = v.as_str().into();
                    }
                    if let Some(types) = inner.next() {
                        for t in types.into_inner() {
                            type_names.push(t.as_str().into());
                            let span = t.as_span();
                            type_spans.push(span.start()..span.end());
                        }
                    }
                }
                G::let_step => {
                    let mut inner = c.into_inner();
                    let (Some(name), Some(e)) = (inner.next(), inner.next()) else {
                        continue;
                    };
                    steps.push(Step::Let {
                        name: name.as_str().into(),
                        expr: self.expr(e),
                    });
                }
                G::where_step => {
                    if let Some(e) = c.into_inner().next() {
                        steps.push(Step::Where(self.expr(e)));
                    }
                }
                G::labels_step => {
                    let mut inner = c.into_inner();
                    if let Some(name) = inner.next() {
                        label_sets.insert(name.as_str().to_string(), inner.collect());
                    }
                }
                G::deny_step => steps.push(Step::Deny(Ptr::new(self.deny(c, &label_sets)?))),
                _ => {}
            }
        }
        rule.symptoms = symptoms.into();
        rule.types = type_names.into();
        rule.type_spans = type_spans.into();
        rule.steps = steps.into();
        self.check_symptoms(&mut rule)?;
        if !have_severity {
            return Err(self.err(
                span.start..span.start + 4,
                format!("rule {} has no `severity`", rule.code),
            ));
        }
        if rule.summary.is_empty() {
            return Err(self.err(
                span.start..span.start + 4,
                format!("rule {} has no `summary`", rule.code),
            ));
        }
        Ok(rule)
    }

    /// Named symptoms: each `deny` of a rule with several names the one it causes, and only
    /// names declared ones. Their texts together are the rule's `symptom`.
    fn check_symptoms(&self, rule: &mut Rule) -> Result<(), RuleError> {
        if !rule.symptoms.is_empty() && rule.symptom.is_some() {
            return Err(self.err(
                rule.span.start..rule.span.start + 4,
                format!(
                    "rule {} has both a plain `symptom` and named ones",
                    rule.code
                ),
            ));
        }
        for step in &rule.steps {
            let Step::Deny(d) = step else { continue };
            match &d.symptom {
                Some(name) if !rule.symptoms.iter().any(|(n, _)| n == name) => {
                    return Err(self.err(
                        d.span.clone(),
                        format!(
                            "`symptom {name}`: rule {} declares no such symptom",
                            rule.code
                        ),
                    ));
                }
                None if rule.symptoms.len() > 1 => {
                    return Err(self.err(
                        d.span.start..d.span.start + 4,
                        format!(
                            "rule {} declares several symptoms: this `deny` must name the one it causes (`symptom NAME`)",
                            rule.code
                        ),
                    ));
                }
                _ => {}
            }
        }
        if !rule.symptoms.is_empty() {
            let texts: Vec<&str> = rule.symptoms.iter().map(|(_, t)| t.as_str()).collect();
            rule.symptom = Some(texts.join(" | ").into());
        }
        Ok(())
    }

    fn deny(
        &self,
        p: Pair<G>,
        label_sets: &std::collections::HashMap<String, Vec<Pair<G>>>,
    ) -> Result<Deny, RuleError> {
        let span = span_of(&p);
        let mut inner = p.into_inner();
        let cond = match inner.next() {
            Some(c) => self.expr(c),
            None => return Err(self.err(span, "`deny` needs a condition")),
        };
        let mut d = Deny {
            cond,
            message: None,
            at: None,
            at_label: None,
            labels: Seq::default(),
            help: None,
            symptom: None,
            severity: None,
            span,
        };
        let mut labels = Vec::new();
        for c in inner {
            let kind = c.as_rule();
            let mut parts = c.into_inner();
            match kind {
                G::message_clause => d.message = parts.next().map(|t| self.text(t)),
                G::help_clause => d.help = parts.next().map(|t| self.text(t)),
                G::at_clause => {
                    d.at = parts.next().map(|e| self.expr(e));
                    d.at_label = parts.next().map(|t| self.text(t));
                }
                G::symptom_clause => d.symptom = parts.next().map(|n| n.as_str().into()),
                G::severity_clause => {
                    d.severity = parts.next().and_then(|l| Severity::parse(l.as_str()))
                }
                G::label_clause => {
                    if let (Some(e), Some(t)) = (parts.next(), parts.next()) {
                        labels.push((self.expr(e), self.text(t)));
                    }
                }
                G::labels_clause => {
                    let Some(name) = parts.next() else { continue };
                    let Some(set) = label_sets.get(name.as_str()) else {
                        return Err(self.err(
                            span_of(&name),
                            format!("no `labels {} {{ ... }}` before this deny", name.as_str()),
                        ));
                    };
                    for label in set {
                        let mut parts = label.clone().into_inner();
                        if let (Some(e), Some(t)) = (parts.next(), parts.next()) {
                            labels.push((self.expr(e), self.text(t)));
                        }
                    }
                }
                _ => {}
            }
        }
        d.labels = labels.into();
        Ok(d)
    }

    fn text(&self, p: Pair<G>) -> Text {
        let span = span_of(&p);
        Text {
            parts: placeholders(&unquote(p.as_str())).into(),
            span,
        }
    }

    fn expr(&self, p: Pair<G>) -> Expr {
        let span = span_of(&p);
        let kind = p.as_rule();
        let mut children: Vec<Pair<G>> = p.into_inner().collect();
        let mk = |kind| Expr {
            kind,
            span: span.clone(),
        };
        match kind {
            G::expr => match children.pop() {
                Some(c) => self.expr(c),
                None => mk(ExprKind::Null),
            },
            G::alt | G::or_expr | G::and_expr | G::fallback => {
                if children.len() == 1 {
                    return self.expr(children.remove(0));
                }
                let items = children.into_iter().map(|c| self.expr(c)).collect();
                mk(match kind {
                    G::alt => ExprKind::Alt(items),
                    G::or_expr => ExprKind::Or(items),
                    G::and_expr => ExprKind::And(items),
                    _ => ExprKind::Else(items),
                })
            }
            G::guarded => {
                let mut it = children.into_iter();
                let first = it.next().map(|c| self.expr(c));
                match (first, it.next()) {
                    (Some(v), Some(cond)) => {
                        mk(ExprKind::Guard(Ptr::new(v), Ptr::new(self.expr(cond))))
                    }
                    (Some(v), None) => v,
                    _ => mk(ExprKind::Null),
                }
            }
            G::not_expr => {
                let nots = children.iter().filter(|c| c.as_rule() == G::not_op).count();
                let Some(last) = children.pop() else {
                    return mk(ExprKind::Null);
                };
                let mut e = self.expr(last);
                for _ in 0..nots {
                    e = mk(ExprKind::Not(Ptr::new(e)));
                }
                e
            }
            G::cmp => {
                if children.len() < 3 {
                    return match children.pop() {
                        Some(c) => self.expr(c),
                        None => mk(ExprKind::Null),
                    };
                }
                let mut it = children.into_iter();
                let (Some(a), Some(op), Some(b)) = (it.next(), it.next(), it.next()) else {
                    return mk(ExprKind::Null);
                };
                let op = match op.as_str().trim() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "in" => CmpOp::In,
                    _ => CmpOp::Matches,
                };
                mk(ExprKind::Cmp(
                    Ptr::new(self.expr(a)),
                    op,
                    Ptr::new(self.expr(b)),
                ))
            }
            G::follow => {
                let mut it = children.into_iter();
                let Some(first) = it.next() else {
                    return mk(ExprKind::Null);
                };
                let mut e = self.expr(first);
                for arrow in it {
                    let start = e.span.start;
                    let end = arrow.as_span().end();
                    let is_back = arrow.as_rule() == G::back;
                    let mut parts = arrow.into_inner();
                    let ty = parts.next().and_then(|t| {
                        let inner = t.into_inner().next()?;
                        let span = inner.as_span();
                        (inner.as_rule() == G::type_name).then(|| TypeName {
                            name: inner.as_str().into(),
                            span: span.start()..span.end(),
                        })
                    });
                    let kind = if is_back {
                        let path = parts.next().map(|p| p.as_str().into());
                        ExprKind::Back(Ptr::new(e), ty, path)
                    } else {
                        ExprKind::Forward(Ptr::new(e), ty)
                    };
                    e = Expr {
                        kind,
                        span: start..end,
                    };
                }
                e
            }
            G::postfix => {
                let mut it = children.into_iter();
                let Some(first) = it.next() else {
                    return mk(ExprKind::Null);
                };
                let base = self.expr(first);
                let steps: Vec<PathStep> = it.map(path_step).collect();
                if steps.is_empty() {
                    base
                } else {
                    mk(ExprKind::Path(Ptr::new(base), steps.into()))
                }
            }
            G::call => {
                let mut it = children.into_iter();
                let name = it
                    .next()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                let mut args: Vec<Expr> = it.map(|a| self.expr(a)).collect();
                // `all(x in xs, cond)` binds `x`; `all(cond)` is a plain built-in call.
                if let (Some(q), 2) = (Quantifier::from_name(&name), args.len())
                    && let ExprKind::Cmp(var, CmpOp::In, _) = &args[0].kind
                    && let ExprKind::Var(x) = &var.kind
                {
                    let x = x.clone();
                    let cond = args.pop().map(Ptr::new);
                    let over = args.pop().and_then(|mut b| {
                        match std::mem::replace(&mut b.kind, ExprKind::Null) {
                            ExprKind::Cmp(_, _, over) => Some(over),
                            _ => None,
                        }
                    });
                    if let (Some(over), Some(cond)) = (over, cond) {
                        return mk(ExprKind::Quant(q, x, over, cond));
                    }
                    return mk(ExprKind::Null);
                }
                mk(ExprKind::Call(name.into(), args.into()))
            }
            G::var => mk(ExprKind::Var(
                children
                    .first()
                    .map(|c| c.as_str())
                    .unwrap_or_default()
                    .into(),
            )),
            G::list => mk(ExprKind::List(
                children.into_iter().map(|c| self.expr(c)).collect(),
            )),
            G::string => mk(ExprKind::Str(
                unquote(self.source.text.get(span.clone()).unwrap_or_default()).into(),
            )),
            G::number => mk(ExprKind::Num(
                self.source
                    .text
                    .get(span.clone())
                    .unwrap_or_default()
                    .into(),
            )),
            G::boolean => mk(ExprKind::Bool(
                self.source
                    .text
                    .get(span.clone())
                    .unwrap_or_default()
                    .starts_with('t'),
            )),
            _ => mk(ExprKind::Null),
        }
    }
}

/// The comment lines directly above byte `at` (a relation's documentation), `#` removed.
fn comment_above(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or_default();
    let mut lines: Vec<&str> = before
        .lines()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect();
    lines.reverse();
    lines.join(" ")
}

fn path_step(p: Pair<G>) -> PathStep {
    let kind = p.as_rule();
    let text = p.into_inner().next().map(|k| {
        let s = k.as_str();
        if s.starts_with('"') {
            unquote(s)
        } else {
            s.to_string()
        }
    });
    match kind {
        G::descend => PathStep::Descend(text.unwrap_or_default().into()),
        G::values => PathStep::Values,
        G::any_index => PathStep::AnyIndex,
        G::index => PathStep::Index(text.and_then(|t| t.parse().ok()).unwrap_or(0)),
        _ => PathStep::Field(text.unwrap_or_default().into()),
    }
}

/// The value of a quoted string: `"..."` with `\"`, `\\`, `\n` escapes, or `"""..."""` as is.
pub fn unquote(s: &str) -> String {
    if let Some(inner) = s
        .strip_prefix("\"\"\"")
        .and_then(|r| r.strip_suffix("\"\"\""))
    {
        return inner.to_string();
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Removes the common leading indentation of a triple-quoted text.
fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.trim_matches('\n').lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits `"... {name} ..."` into literal text and placeholders; `{{` and `}}` are literal braces.
pub fn placeholders(s: &str) -> Vec<TextPart> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                if !lit.is_empty() {
                    parts.push(TextPart::Lit(std::mem::take(&mut lit).into()));
                }
                parts.push(TextPart::Var(name.trim().into()));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(TextPart::Lit(lit.into()));
    }
    parts
}
