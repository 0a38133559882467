//! The rule language's syntax tree. Every node keeps its span in the rule file.
//!
//! A tree is either parsed from a user's rule file (owned) or the built-in program, which is
//! Rust data in the binary (`stored`): its strings, lists and children are `'static`
//! borrows, so a start builds no tree to load it. `Str`, `Seq` and `Ptr` hold either.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::finding::Severity;
use crate::source::{SourceFile, Span};

/// A string of the tree: borrowed from the binary, or owned.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(Cow<'static, str>);

impl Str {
    pub const fn borrowed(text: &'static str) -> Str {
        Str(Cow::Borrowed(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as a value: a borrowed string stays borrowed.
    pub fn cow(&self) -> Cow<'static, str> {
        self.0.clone()
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str(Cow::Owned(s))
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str(Cow::Owned(s.to_string()))
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

/// Formats as a `str` does, width and alignment included.
impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl serde::Serialize for Str {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A list of the tree: borrowed from the binary, or owned.
pub enum Seq<T: 'static> {
    Static(&'static [T]),
    Owned(Vec<T>),
}

impl<T> Deref for Seq<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Seq::Static(s) => s,
            Seq::Owned(v) => v,
        }
    }
}

impl<T> Default for Seq<T> {
    fn default() -> Seq<T> {
        Seq::Static(&[])
    }
}

impl<T> From<Vec<T>> for Seq<T> {
    fn from(v: Vec<T>) -> Seq<T> {
        Seq::Owned(v)
    }
}

impl<T> FromIterator<T> for Seq<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Seq<T> {
        Seq::Owned(it.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a Seq<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Clone> Clone for Seq<T> {
    fn clone(&self) -> Seq<T> {
        match self {
            Seq::Static(s) => Seq::Static(s),
            Seq::Owned(v) => Seq::Owned(v.clone()),
        }
    }
}

impl<T: PartialEq> PartialEq for Seq<T> {
    fn eq(&self, other: &Seq<T>) -> bool {
        **self == **other
    }
}

impl<T: fmt::Debug> fmt::Debug for Seq<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// One child of the tree: borrowed from the binary, or owned.
pub enum Ptr<T: 'static> {
    Static(&'static T),
    Owned(Box<T>),
}

impl<T> Ptr<T> {
    pub fn new(value: T) -> Ptr<T> {
        Ptr::Owned(Box::new(value))
    }
}

impl<T> Deref for Ptr<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Ptr::Static(s) => s,
            Ptr::Owned(b) => b,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Ptr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// The file a rule or relation is written in: a built-in rule file, whose text is in the
/// binary (`rules/NAME`), or a file read at run time.
#[derive(Debug)]
pub enum Origin {
    Builtin(&'static str),
    File(Arc<SourceFile>),
}

impl Origin {
    pub fn path(&self) -> &str {
        match self {
            Origin::Builtin(path) => path,
            Origin::File(f) => &f.path,
        }
    }

    /// The file itself; a built-in one is made on first use, once per thread.
    pub fn file(&self) -> Arc<SourceFile> {
        match self {
            Origin::Builtin(path) => super::stored::builtin_source(path),
            Origin::File(f) => f.clone(),
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub code: Str,
    pub slug: Str,
    pub severity: Severity,
    pub summary: Str,
    /// Every production error the rule prevents, in one text (`symptom "..."`, or the named
    /// symptoms joined).
    pub symptom: Option<Str>,
    /// Named symptoms (`symptom NAME "..."`), of which each `deny` causes one.
    pub symptoms: Seq<(Str, Str)>,
    pub fix: Option<Str>,
    pub docs: Option<Str>,
    pub url: Option<Str>,
    pub source: Origin,
    pub span: Span,
    pub var: Str,
    pub types: Seq<Str>,
    /// Where each of `types` is written.
    pub type_spans: Seq<Span>,
    pub steps: Seq<Step>,
}

impl Rule {
    /// The production error a finding of `deny` causes: its named symptom, else the rule's.
    pub fn symptom_of(&self, deny: &Deny) -> Option<&str> {
        match &deny.symptom {
            Some(name) => self
                .symptoms
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| &**t),
            None => self.symptom.as_deref(),
        }
    }
}

#[derive(Debug)]
pub struct Relation {
    pub name: Str,
    pub params: Seq<Str>,
    /// The `#` comment lines right above it, without the `#`.
    pub doc: Str,
    pub body: Expr,
    pub source: Origin,
    pub span: Span,
    /// Where its name is written.
    pub name_span: Span,
}

#[derive(Debug)]
pub enum Step {
    Let { name: Str, expr: Expr },
    Where(Expr),
    Deny(Ptr<Deny>),
}

#[derive(Debug)]
pub struct Deny {
    pub cond: Expr,
    pub message: Option<Text>,
    pub at: Option<Expr>,
    /// What is wrong at the primary location (`at EXPR "text"`).
    pub at_label: Option<Text>,
    pub labels: Seq<(Expr, Text)>,
    pub help: Option<Text>,
    /// The named symptom this deny causes (`symptom NAME`).
    pub symptom: Option<Str>,
    /// This deny's severity when it differs from the rule's (`severity warning`).
    pub severity: Option<Severity>,
    pub span: Span,
}

/// A message with `{name}` placeholders filled from bound variables.
#[derive(Clone, Debug)]
pub struct Text {
    pub parts: Seq<TextPart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    Lit(Str),
    Var(Str),
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// What a child taken out of a tree leaves behind: an expression with no value and no place.
static HOLE: Expr = Expr {
    kind: ExprKind::Null,
    span: 0..0,
};

/// Frees an owned tree without recursion: a user's rule file may nest 100,000 `not` or `=>`,
/// and the default drop, one call per level, would overflow the stack. A borrowed tree is
/// the binary's and is never freed.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e.kind, &mut stack);
        }
    }
}

/// Moves the owned expressions directly inside `kind` onto `out`.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    let mut take = |b: &mut Ptr<Expr>| {
        if let Ptr::Owned(e) = std::mem::replace(b, Ptr::Static(&HOLE)) {
            out.push(*e);
        }
    };
    match kind {
        ExprKind::List(items)
        | ExprKind::Else(items)
        | ExprKind::And(items)
        | ExprKind::Or(items)
        | ExprKind::Alt(items)
        | ExprKind::Call(_, items) => {
            if let Seq::Owned(items) = items {
                out.append(items);
            }
        }
        ExprKind::Path(b, _)
        | ExprKind::Forward(b, _)
        | ExprKind::Back(b, _, _)
        | ExprKind::Not(b) => take(b),
        ExprKind::Cmp(a, _, b) | ExprKind::Guard(a, b) | ExprKind::Quant(_, _, a, b) => {
            take(a);
            take(b);
        }
        ExprKind::Str(_)
        | ExprKind::Num(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Var(_) => {}
    }
}

/// A resource type named after `=>` or `<=`, and where.
#[derive(Debug)]
pub struct TypeName {
    pub name: Str,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    In,
    Matches,
}

#[derive(Debug, PartialEq)]
pub enum PathStep {
    Field(Str),
    Descend(Str),
    Values,
    AnyIndex,
    Index(usize),
}

#[derive(Debug)]
pub enum ExprKind {
    Str(Str),
    Num(Str),
    Bool(bool),
    Null,
    List(Seq<Expr>),
    Var(Str),
    Call(Str, Seq<Expr>),
    Path(Ptr<Expr>, Seq<PathStep>),
    /// `x => Type`: the resources `x` refers to (`None` type: any).
    Forward(Ptr<Expr>, Option<TypeName>),
    /// `x <= Type.Path`: the resources of `Type` that refer to `x` (through `Path`).
    Back(Ptr<Expr>, Option<TypeName>, Option<Str>),
    Else(Seq<Expr>),
    Cmp(Ptr<Expr>, CmpOp, Ptr<Expr>),
    Not(Ptr<Expr>),
    And(Seq<Expr>),
    Or(Seq<Expr>),
    Alt(Seq<Expr>),
    /// `x if cond`: the values of `x` when `cond` holds.
    Guard(Ptr<Expr>, Ptr<Expr>),
    /// `all(x in xs, cond)`: `cond` for each value of `xs` bound to `x`, quantified.
    Quant(Quantifier, Str, Ptr<Expr>, Ptr<Expr>),
}

/// How a quantifier combines the truths of its alternatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
