//! The built-in rules, parsed and checked ahead of time and kept in the binary
//! (`builtin.postcard`): a start costs one deserialisation instead of parsing every rule file.
//!
//! The stored program is used only when it was made from exactly the rule files and
//! rule-language sources this binary is built from (build.rs hashes both into
//! `BUILTIN_HASH`); otherwise the rules are parsed from their text, as with no stored program,
//! and a test asks for it to be stored again (`UPDATE_DOCS=1 cargo test --locked --test docs`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{Relation, Rule};
use super::{BUILTIN, BUILTIN_HASH, Program};
use crate::source::SourceFile;

const STORED: &[u8] = include_bytes!("builtin.postcard");

/// The stored built-in program, when it is current.
pub fn program() -> Option<Program> {
    let (hash, body) = STORED.split_at_checked(8)?;
    if u64::from_le_bytes(hash.try_into().ok()?) != BUILTIN_HASH {
        return None;
    }
    let (rules, relations): (Vec<Rule>, Vec<Relation>) = postcard::from_bytes(body).ok()?;
    let relations = relations.into_iter().map(|r| (r.name.clone(), r)).collect();
    Some(Program {
        rules,
        relations,
        warnings: Vec::new(),
    })
}

/// What `program` reads back: the hash, then the rules and the relations by name.
pub fn encode(program: &Program) -> Vec<u8> {
    let mut relations: Vec<&Relation> = program.relations.values().collect();
    relations.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = BUILTIN_HASH.to_le_bytes().to_vec();
    out.extend(
        postcard::to_allocvec(&(&program.rules, relations))
            .expect("a program serialises: every part is a string, number or list"),
    );
    out
}

/// A rule's or relation's source file, stored as its path: the text is in the binary anyway.
pub mod source {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::*;

    pub fn serialize<S: Serializer>(source: &Arc<SourceFile>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&source.path)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<SourceFile>, D::Error> {
        let path = String::deserialize(d)?;
        builtin_source(&path).ok_or_else(|| D::Error::custom(format!("no built-in file {path}")))
    }
}

/// The built-in rule file at `path` (`rules/NAME`), one shared copy per thread.
fn builtin_source(path: &str) -> Option<Arc<SourceFile>> {
    thread_local! {
        static SOURCES: RefCell<HashMap<String, Arc<SourceFile>>> = RefCell::default();
    }
    SOURCES.with(|sources| {
        if let Some(s) = sources.borrow().get(path) {
            return Some(s.clone());
        }
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| path.strip_prefix("rules/") == Some(n))?;
        let source = SourceFile::new(path, text.to_string());
        sources
            .borrow_mut()
            .insert(path.to_string(), source.clone());
        Some(source)
    })
}
