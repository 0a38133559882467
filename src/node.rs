//! The spanned document tree that both loaders produce and the graph stores.
//!
//! CloudFormation short forms are already expanded here (`!Ref X` is a one-entry map
//! `{Ref: X}` whose key span is the tag), so later stages see one shape per intrinsic.
//! Terraform plans use the same shapes: a reference found in the plan configuration becomes
//! `{Ref: address}`, a value known only after apply becomes `Kind::Unknown`.

use std::collections::HashMap;

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// A value that cannot be known before deployment, with the reason.
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted) scalars can be YAML 1.1 booleans or nulls; JSON numbers, booleans and
    /// null are plain too, JSON strings are quoted.
    pub plain: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Builds a mapping's entries, keeping the last of duplicate keys (as CloudFormation does)
/// and telling the caller about each duplicate. Small mappings are scanned; a large one (a
/// `Resources` section with thousands of keys) gets a hash index, so loading stays linear.
#[derive(Default)]
pub struct MapBuilder {
    pub entries: Vec<Entry>,
    index: Option<HashMap<String, usize>>,
}

impl MapBuilder {
    /// Adds an entry; returns the key span of the earlier entry it replaces, if any.
    pub fn insert(&mut self, entry: Entry) -> Option<Span> {
        match self.position(&entry.key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i], entry).key_span),
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(entry.key.clone(), self.entries.len());
                }
                self.entries.push(entry);
                None
            }
        }
    }

    fn position(&mut self, key: &str) -> Option<usize> {
        if self.entries.len() < 16 {
            return self.entries.iter().position(|e| e.key == key);
        }
        let entries = &self.entries;
        let index = self.index.get_or_insert_with(|| {
            entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect()
        });
        index.get(key).copied()
    }
}

impl Node {
    pub fn scalar(span: Span, text: impl Into<String>, plain: bool) -> Node {
        Node {
            span,
            kind: Kind::Scalar(Scalar {
                text: text.into(),
                plain,
            }),
        }
    }

    pub fn map(span: Span, entries: Vec<Entry>) -> Node {
        Node {
            span,
            kind: Kind::Map(entries),
        }
    }

    pub fn seq(span: Span, items: Vec<Node>) -> Node {
        Node {
            span,
            kind: Kind::Seq(items),
        }
    }

    pub fn unknown(span: Span, reason: impl Into<String>) -> Node {
        Node {
            span,
            kind: Kind::Unknown(reason.into()),
        }
    }

    /// The entries of a mapping, or an empty slice.
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        }
    }

    /// The items of a sequence, or an empty slice.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    /// The text of a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) if !s.is_null() => Some(&s.text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.is_null())
    }
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        self.plain && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}
