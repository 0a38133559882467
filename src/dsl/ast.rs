//! The rule language's syntax tree. Every node keeps its span in the rule file.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;
use crate::source::{SourceFile, Span};

#[derive(Debug, Serialize, Deserialize)]
pub struct Rule {
    pub code: String,
    pub slug: String,
    pub severity: Severity,
    pub summary: String,
    /// Every production error the rule prevents, in one text (`symptom "..."`, or the named
    /// symptoms joined).
    pub symptom: Option<String>,
    /// Named symptoms (`symptom NAME "..."`), of which each `deny` causes one.
    pub symptoms: Vec<(String, String)>,
    pub fix: Option<String>,
    pub docs: Option<String>,
    pub url: Option<String>,
    #[serde(with = "super::stored::source")]
    pub source: Arc<SourceFile>,
    pub span: Span,
    pub var: String,
    pub types: Vec<String>,
    /// Where each of `types` is written.
    pub type_spans: Vec<Span>,
    pub steps: Vec<Step>,
}

impl Rule {
    /// The production error a finding of `deny` causes: its named symptom, else the rule's.
    pub fn symptom_of(&self, deny: &Deny) -> Option<&str> {
        match &deny.symptom {
            Some(name) => self
                .symptoms
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.as_str()),
            None => self.symptom.as_deref(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Relation {
    pub name: String,
    pub params: Vec<String>,
    /// The `#` comment lines right above it, without the `#`.
    pub doc: String,
    pub body: Expr,
    #[serde(with = "super::stored::source")]
    pub source: Arc<SourceFile>,
    pub span: Span,
    /// Where its name is written.
    pub name_span: Span,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Step {
    Let { name: String, expr: Expr },
    Where(Expr),
    Deny(Box<Deny>),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Deny {
    pub cond: Expr,
    pub message: Option<Text>,
    pub at: Option<Expr>,
    /// What is wrong at the primary location (`at EXPR "text"`).
    pub at_label: Option<Text>,
    pub labels: Vec<(Expr, Text)>,
    pub help: Option<Text>,
    /// The named symptom this deny causes (`symptom NAME`).
    pub symptom: Option<String>,
    /// This deny's severity when it differs from the rule's (`severity warning`).
    pub severity: Option<Severity>,
    pub span: Span,
}

/// A message with `{name}` placeholders filled from bound variables.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Text {
    pub parts: Vec<TextPart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TextPart {
    Lit(String),
    Var(String),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// An expression with no value and no place, left where a child was taken out.
    fn hole() -> Expr {
        Expr {
            kind: ExprKind::Null,
            span: 0..0,
        }
    }
}

/// Frees the tree without recursion: a user's rule file may nest 100,000 `not` or `=>`, and
/// the default drop, one call per level, would overflow the stack.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e.kind, &mut stack);
        }
    }
}

/// Moves the expressions directly inside `kind` onto `out`.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    match kind {
        ExprKind::List(items)
        | ExprKind::Else(items)
        | ExprKind::And(items)
        | ExprKind::Or(items)
        | ExprKind::Alt(items)
        | ExprKind::Call(_, items) => out.append(items),
        ExprKind::Path(b, _)
        | ExprKind::Forward(b, _)
        | ExprKind::Back(b, _, _)
        | ExprKind::Not(b) => out.push(std::mem::replace(&mut **b, Expr::hole())),
        ExprKind::Cmp(a, _, b) | ExprKind::Guard(a, b) | ExprKind::Quant(_, _, a, b) => {
            out.push(std::mem::replace(&mut **a, Expr::hole()));
            out.push(std::mem::replace(&mut **b, Expr::hole()));
        }
        ExprKind::Str(_)
        | ExprKind::Num(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Var(_) => {}
    }
}

/// A resource type named after `=>` or `<=`, and where.
#[derive(Debug, Serialize, Deserialize)]
pub struct TypeName {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    In,
    Matches,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum PathStep {
    Field(String),
    Descend(String),
    Values,
    AnyIndex,
    Index(usize),
}

#[derive(Debug, Serialize, Deserialize)]
pub enum ExprKind {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    Var(String),
    Call(String, Vec<Expr>),
    Path(Box<Expr>, Vec<PathStep>),
    /// `x => Type`: the resources `x` refers to (`None` type: any).
    Forward(Box<Expr>, Option<TypeName>),
    /// `x <= Type.Path`: the resources of `Type` that refer to `x` (through `Path`).
    Back(Box<Expr>, Option<TypeName>, Option<String>),
    Else(Vec<Expr>),
    Cmp(Box<Expr>, CmpOp, Box<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Alt(Vec<Expr>),
    /// `x if cond`: the values of `x` when `cond` holds.
    Guard(Box<Expr>, Box<Expr>),
    /// `all(x in xs, cond)`: `cond` for each value of `xs` bound to `x`, quantified.
    Quant(Quantifier, String, Box<Expr>, Box<Expr>),
}

/// How a quantifier combines the truths of its alternatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quantifier {
    /// True when one is true.
    Any,
    /// True when every one is true.
    All,
    /// True when none is true.
    None,
}

impl Quantifier {
    pub fn from_name(name: &str) -> Option<Quantifier> {
        match name {
            "any" => Some(Quantifier::Any),
            "all" => Some(Quantifier::All),
            "none" => Some(Quantifier::None),
            _ => None,
        }
    }
}
