//! The values a graph node resolves to (see `resolve` for how), which rules compute with.
//!
//! A property resolves to one or more alternatives: a literal, a resource, a structured node,
//! text with holes where deploy-time values go, `Absent`, or `Unknown(reason)`. Alternatives
//! that come from `Fn::If` (or a `Fn::FindInMap` keyed by a deploy-time value) carry the
//! facts they assume, and values whose facts contradict each other are never combined: so
//! conditions are never enumerated as scenarios, yet an ARM64 image chosen under `IsArm` is
//! never compared with an x86 instance type chosen under `!IsArm`.

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use crate::graph::intrinsic::truthiness;
use crate::node::Node;
use crate::source::Span;

/// An assumption a value depends on: (`Condition` name or deploy-time input, value).
pub type Fact = (Rc<str>, Rc<str>);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts(Option<Rc<Vec<Fact>>>);

impl Facts {
    pub fn one(name: &str, value: &str) -> Facts {
        Facts(Some(Rc::new(vec![(name.into(), value.into())])))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Fact> {
        self.0.iter().flat_map(|v| v.iter())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Both sets of facts together, or `None` when they contradict each other.
    pub fn merge(&self, other: &Facts) -> Option<Facts> {
        let (Some(a), Some(b)) = (&self.0, &other.0) else {
            return Some(if self.0.is_some() {
                self.clone()
            } else {
                other.clone()
            });
        };
        let mut out: Vec<Fact> = a.as_ref().clone();
        for (k, v) in b.iter() {
            match out.iter().find(|(k2, _)| k2 == k) {
                Some((_, v2)) if v2 != v => return None,
                Some(_) => {}
                None => out.push((k.clone(), v.clone())),
            }
        }
        Some(Facts(Some(Rc::new(out))))
    }

    /// What a set of alternatives that all hold assumes: the facts of one of them, or none
    /// when two of them contradict each other (it holds under more than one scenario, such
    /// as both branches of an `Fn::If`).
    pub fn common<'a>(mut alternatives: impl Iterator<Item = &'a Facts>) -> Option<Facts> {
        let first = alternatives.next()?.clone();
        if first.is_empty() {
            return Some(first);
        }
        for other in alternatives {
            if other.is_empty() || first.merge(other).is_none() {
                return Some(Facts::default());
            }
        }
        Some(first)
    }

    /// "when IsArm is true and AWS::Region is eu-west-1"
    pub fn describe(&self) -> Option<String> {
        let parts: Vec<String> = self.iter().map(|(k, v)| format!("{k} is {v}")).collect();
        (!parts.is_empty()).then(|| format!("when {}", parts.join(" and ")))
    }
}

#[derive(Clone, Debug)]
pub enum V<'g> {
    Absent,
    Unknown(Rc<str>),
    Str(Cow<'g, str>, bool),
    Bool(bool),
    Node(&'g Node),
    Resource(usize),
    /// Text with holes: each hole is U+E000, its index, U+E001.
    Text(Rc<str>, Rc<Vec<Val<'g>>>),
    List(Rc<Vec<Val<'g>>>),
}

#[derive(Clone, Debug)]
pub struct Val<'g> {
    pub v: V<'g>,
    /// Where the value is written (for labels and the primary span).
    pub span: Option<Span>,
    /// The resource the value was read from (for a resource value: that resource).
    pub owner: Option<usize>,
    /// The resource in whose definition `span` is written: for a resource reached through a
    /// `Ref`, the resource holding the `Ref`, not its target. A finding is attributed to it.
    pub site: Option<usize>,
    pub facts: Facts,
    /// Literal mapping keys a `Fn::FindInMap` used to reach this value (`arm64`, say).
    pub keys: Option<Rc<Vec<String>>>,
}

impl<'g> Val<'g> {
    pub fn new(v: V<'g>) -> Val<'g> {
        Val {
            v,
            span: None,
            owner: None,
            site: None,
            facts: Facts::default(),
            keys: None,
        }
    }

    pub fn absent() -> Val<'g> {
        Val::new(V::Absent)
    }

    pub fn unknown(reason: &str) -> Val<'g> {
        Val::new(V::Unknown(reason.into()))
    }

    pub fn str(s: impl Into<Cow<'g, str>>) -> Val<'g> {
        Val::new(V::Str(s.into(), false))
    }

    pub fn bool(b: bool) -> Val<'g> {
        Val::new(V::Bool(b))
    }

    pub fn at(mut self, span: Span) -> Val<'g> {
        self.span = Some(span);
        self
    }

    pub fn owned_by(mut self, owner: Option<usize>) -> Val<'g> {
        self.owner = self.owner.or(owner);
        self
    }

    /// This value with more facts, or `None` if they contradict.
    pub fn assuming(mut self, facts: &Facts) -> Option<Val<'g>> {
        self.facts = self.facts.merge(facts)?;
        Some(self)
    }

    pub fn is_absent(&self) -> bool {
        matches!(self.v, V::Absent)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.v, V::Unknown(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s, _) => Some(s),
            _ => None,
        }
    }

    /// The truth of a value used as a condition: `None` when unknown.
    pub fn truth(&self) -> Option<bool> {
        match &self.v {
            V::Bool(b) => Some(*b),
            V::Absent => Some(false),
            V::Unknown(_) | V::Text(..) => None,
            V::Str(s, plain) => Some(truthiness(s, *plain).unwrap_or(true)),
            V::List(items) => Some(!items.is_empty()),
            V::Node(_) | V::Resource(_) => Some(true),
        }
    }
}

/// Marks a hole in `V::Text`.
pub fn hole(i: usize) -> String {
    format!("\u{E000}{i}\u{E001}")
}

/// Replaces every hole in `text` by `f(index)`.
pub fn fill_holes(text: &str, mut f: impl FnMut(usize) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('\u{E000}') {
        out.push_str(&rest[..start]);
        let after = &rest[start + '\u{E000}'.len_utf8()..];
        match after.find('\u{E001}') {
            Some(end) => {
                out.push_str(&f(after[..end].parse().unwrap_or(usize::MAX)));
                rest = &after[end + '\u{E001}'.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Facts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe().unwrap_or_default())
    }
}
