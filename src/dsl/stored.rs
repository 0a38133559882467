//! The built-in rules, parsed and checked ahead of time and kept in the binary as Rust data
//! (`stored_program.rs`): the program is a static tree of borrowed strings and lists, so a
//! start builds only the list of rules and the table of relations by name.
//!
//! The stored program is compiled in only when it was made from exactly the rule files and
//! rule-language sources this binary is built from: build.rs hashes both into `BUILTIN_HASH`
//! and compares the hash written on the file's first line (`cfg(ecslint_stored)`). Otherwise
//! the rules are parsed from their text, as with no stored program, and a test asks for it to
//! be stored again (`UPDATE_DOCS=1 cargo test --locked --test docs`). A stale file is left out
//! of the build, so a change to the syntax tree never breaks the build that would remake it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use super::ast::*;
use super::{BUILTIN, BUILTIN_HASH, Program};
use crate::finding::Severity;
use crate::source::{SourceFile, Span};

#[cfg(ecslint_stored)]
// Generated: `&[a..b]` there is a list of one span, as meant.
#[allow(clippy::single_range_in_vec_init)]
mod compiled {
    // Short names the stored program is written with. `L(&[...])` and `P(&...)` are variant
    // constructors, through which a static's borrowed temporaries live as long as it does.
    use super::super::ast::Ptr::Static as P;
    use super::super::ast::Seq::Static as L;
    use super::*;

    /// An expression: a struct literal, since a function's arguments would not keep their
    /// borrowed temporaries alive.
    macro_rules! e {
        ($kind:expr, $start:literal, $end:literal) => {
            Expr {
                kind: $kind,
                span: $start..$end,
            }
        };
    }

    include!("stored_program.rs");
}

/// The stored built-in program, when it is current.
#[cfg(ecslint_stored)]
pub fn program() -> Option<Program> {
    Some(Program {
        rules: compiled::RULES.iter().map(Ptr::Static).collect(),
        relations: compiled::RELATIONS
            .iter()
            .map(|r| (r.name.clone(), Ptr::Static(r)))
            .collect(),
        warnings: Vec::new(),
    })
}

/// The stored built-in program, when it is current: not in this build.
#[cfg(not(ecslint_stored))]
pub fn program() -> Option<Program> {
    None
}

// Constructors the stored program is written with, to keep it short.
#[allow(dead_code)]
const fn s(text: &'static str) -> Str {
    Str::borrowed(text)
}
/// The stored program's file: the hash line that build.rs reads, then the rules and the
/// relations by name, as Rust.
pub fn encode(program: &Program) -> String {
    let mut relations: Vec<&Relation> = program.relations.values().map(|r| &**r).collect();
    relations.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = format!(
        "// BUILTIN_HASH {BUILTIN_HASH:#018x}\n\
         // The built-in program, made from rules/ by `ecslint::dsl::stored::encode`; do not \
         edit.\n\
         // Remake it with `UPDATE_DOCS=1 cargo test --locked --test docs`.\n\n"
    );
    out.push_str("pub static RULES: &[Rule] = &[\n");
    for rule in &program.rules {
        (**rule).emit(&mut out);
        out.push_str(",\n");
    }
    out.push_str("];\n\npub static RELATIONS: &[Relation] = &[\n");
    for relation in relations {
        relation.emit(&mut out);
        out.push_str(",\n");
    }
    out.push_str("];\n");
    out
}

/// Writing a part of the tree as the Rust expression that builds it in a static.
trait Emit {
    fn emit(&self, out: &mut String);
}

impl Emit for Str {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "s({:?})", &**self);
    }
}

impl<T: Emit> Emit for Seq<T> {
    fn emit(&self, out: &mut String) {
        out.push_str("L(&[");
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.emit(out);
        }
        out.push_str("])");
    }
}

impl<T: Emit> Emit for Ptr<T> {
    fn emit(&self, out: &mut String) {
        out.push_str("P(&");
        (**self).emit(out);
        out.push(')');
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, out: &mut String) {
        match self {
            Some(v) => {
                out.push_str("Some(");
                v.emit(out);
                out.push(')');
            }
            None => out.push_str("None"),
        }
    }
}

impl<A: Emit, B: Emit> Emit for (A, B) {
    fn emit(&self, out: &mut String) {
        out.push('(');
        self.0.emit(out);
        out.push(',');
        self.1.emit(out);
        out.push(')');
    }
}

impl Emit for Span {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "{}..{}", self.start, self.end);
    }
}

impl Emit for Severity {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "Severity::{self:?}");
    }
}

impl Emit for Origin {
    fn emit(&self, out: &mut String) {
        let _ = write!(out, "Origin::Builtin({:?})", self.path());
    }
}

/// Writes `Name { field: value, ... }`.
fn fields(out: &mut String, name: &str, fields: &[(&str, &dyn Emit)]) {
    out.push_str(name);
    out.push('{');
    for (i, (field, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(field);
        out.push(':');
        value.emit(out);
    }
    out.push('}');
}

/// Writes `Name(value, ...)`.
fn tuple(out: &mut String, name: &str, items: &[&dyn Emit]) {
    out.push_str(name);
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.emit(out);
    }
    out.push(')');
}

impl Emit for Rule {
    fn emit(&self, out: &mut String) {
        fields(
            out,
            "Rule",
            &[
                ("code", &self.code),
                ("slug", &self.slug),
                ("severity", &self.severity),
                ("summary", &self.summary),
                ("symptom", &self.symptom),
                ("symptoms", &self.symptoms),
                ("fix", &self.fix),
                ("docs", &self.docs),
                ("url", &self.url),
                ("source", &self.source),
                ("span", &self.span),
                ("var", &self.var),
                ("types", &self.types),
                ("type_spans", &self.type_spans),
                ("steps", &self.steps),
            ],
        );
    }
}

impl Emit for Relation {
    fn emit(&self, out: &mut String) {
        fields(
            out,
            "Relation",
            &[
                ("name", &self.name),
                ("params", &self.params),
                ("doc", &self.doc),
                ("body", &self.body),
                ("source", &self.source),
                ("span", &self.span),
                ("name_span", &self.name_span),
            ],
        );
    }
}

impl Emit for Step {
    fn emit(&self, out: &mut String) {
        match self {
            Step::Let { name, expr } => {
                fields(out, "Step::Let", &[("name", name), ("expr", expr)]);
            }
            Step::Where(e) => tuple(out, "Step::Where", &[e]),
            Step::Deny(d) => tuple(out, "Step::Deny", &[d]),
        }
    }
}

impl Emit for Deny {
    fn emit(&self, out: &mut String) {
        fields(
            out,
            "Deny",
            &[
                ("cond", &self.cond),
                ("message", &self.message),
                ("at", &self.at),
                ("at_label", &self.at_label),
                ("labels", &self.labels),
                ("help", &self.help),
                ("symptom", &self.symptom),
                ("severity", &self.severity),
                ("span", &self.span),
            ],
        );
    }
}

impl Emit for Text {
    fn emit(&self, out: &mut String) {
        fields(out, "Text", &[("parts", &self.parts), ("span", &self.span)]);
    }
}

impl Emit for TextPart {
    fn emit(&self, out: &mut String) {
        match self {
            TextPart::Lit(t) => tuple(out, "TextPart::Lit", &[t]),
            TextPart::Var(v) => tuple(out, "TextPart::Var", &[v]),
        }
    }
}

impl Emit for TypeName {
    fn emit(&self, out: &mut String) {
        fields(
            out,
            "TypeName",
            &[("name", &self.name), ("span", &self.span)],
        );
    }
}

impl Emit for PathStep {
    fn emit(&self, out: &mut String) {
        match self {
            PathStep::Field(f) => tuple(out, "PathStep::Field", &[f]),
            PathStep::Descend(f) => tuple(out, "PathStep::Descend", &[f]),
            PathStep::Values => out.push_str("PathStep::Values"),
            PathStep::AnyIndex => out.push_str("PathStep::AnyIndex"),
            PathStep::Index(i) => {
                let _ = write!(out, "PathStep::Index({i})");
            }
        }
    }
}

/// Plain words: a comparison, a quantifier, a boolean.
struct Word(String);

impl Emit for Word {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

impl Emit for Expr {
    fn emit(&self, out: &mut String) {
        let kind = |out: &mut String, name: &str, items: &[&dyn Emit]| {
            tuple(out, &format!("ExprKind::{name}"), items)
        };
        out.push_str("e!(");
        match &self.kind {
            ExprKind::Str(v) => kind(out, "Str", &[v]),
            ExprKind::Num(v) => kind(out, "Num", &[v]),
            ExprKind::Bool(b) => kind(out, "Bool", &[&Word(b.to_string())]),
            ExprKind::Null => out.push_str("ExprKind::Null"),
            ExprKind::List(items) => kind(out, "List", &[items]),
            ExprKind::Var(v) => kind(out, "Var", &[v]),
            ExprKind::Call(name, args) => kind(out, "Call", &[name, args]),
            ExprKind::Path(base, steps) => kind(out, "Path", &[base, steps]),
            ExprKind::Forward(base, ty) => kind(out, "Forward", &[base, ty]),
            ExprKind::Back(base, ty, path) => kind(out, "Back", &[base, ty, path]),
            ExprKind::Else(items) => kind(out, "Else", &[items]),
            ExprKind::Cmp(a, op, b) => kind(out, "Cmp", &[a, &Word(format!("CmpOp::{op:?}")), b]),
            ExprKind::Not(a) => kind(out, "Not", &[a]),
            ExprKind::And(items) => kind(out, "And", &[items]),
            ExprKind::Or(items) => kind(out, "Or", &[items]),
            ExprKind::Alt(items) => kind(out, "Alt", &[items]),
            ExprKind::Guard(v, cond) => kind(out, "Guard", &[v, cond]),
            ExprKind::Quant(q, var, xs, cond) => kind(
                out,
                "Quant",
                &[&Word(format!("Quantifier::{q:?}")), var, xs, cond],
            ),
        }
        let _ = write!(out, ",{},{})", self.span.start, self.span.end);
    }
}

/// The built-in rule file at `path` (`rules/NAME`), one shared copy per thread.
pub fn builtin_source(path: &str) -> Arc<SourceFile> {
    thread_local! {
        static SOURCES: RefCell<HashMap<String, Arc<SourceFile>>> = RefCell::default();
    }
    SOURCES.with(|sources| {
        if let Some(s) = sources.borrow().get(path) {
            return s.clone();
        }
        // A built-in rule's origin names one of `BUILTIN`; the empty text only guards a
        // path that is not, which no program holds.
        let text = BUILTIN
            .iter()
            .find(|(n, _)| path.strip_prefix("rules/") == Some(n))
            .map_or("", |(_, t)| t);
        let source = SourceFile::new(path, text.to_string());
        sources
            .borrow_mut()
            .insert(path.to_string(), source.clone());
        source
    })
}
