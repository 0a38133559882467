//! JSON text → spanned `Node` tree (strict JSON: no comments, no trailing commas).

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use crate::load::{LoadError, Problem};
use crate::node::{Entry, Kind, MapBuilder, Node};
use crate::source::Span;

/// Deeper nesting than this is refused before parsing, so no recursion can overflow the stack.
pub const MAX_DEPTH: usize = 256;

pub struct Parsed {
    pub root: Node,
    pub warnings: Vec<Problem>,
}

pub fn parse(text: &str) -> Result<Parsed, LoadError> {
    check_depth(text)?;
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|e| {
        let r = e.range();
        LoadError::at(format!("invalid JSON: {}", e.kind()), r.start..r.end)
    })?;
    let Some(value) = parsed.value else {
        return Err(LoadError::at("the file is empty".to_string(), 0..0));
    };
    let mut warnings = Vec::new();
    let lines = LineIndex::new(text);
    let root = convert(value, &lines, &mut warnings);
    Ok(Parsed { root, warnings })
}

/// Line numbers of byte offsets, for the duplicate-key message.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(text.match_indices('\n').map(|(i, _)| i).collect())
    }

    fn line(&self, byte: usize) -> usize {
        self.0.partition_point(|&nl| nl < byte) + 1
    }
}

fn convert(value: Value, lines: &LineIndex, warnings: &mut Vec<Problem>) -> Node {
    match value {
        Value::StringLit(s) => Node::scalar(span(s.range), s.value.into_owned(), false),
        Value::NumberLit(n) => Node::scalar(span(n.range), n.value, true),
        Value::BooleanLit(b) => Node::scalar(span(b.range), b.value.to_string(), true),
        Value::NullKeyword(n) => Node::scalar(span(n.range), "null", true),
        Value::Array(a) => Node {
            span: span(a.range),
            kind: Kind::Seq(
                a.elements
                    .into_iter()
                    .map(|v| convert(v, lines, warnings))
                    .collect(),
            ),
        },
        Value::Object(o) => {
            let mut entries = MapBuilder::default();
            for prop in o.properties {
                let key_span = match &prop.name {
                    ObjectPropName::String(s) => span(s.range),
                    ObjectPropName::Word(w) => span(w.range),
                };
                let key = prop.name.into_string();
                let entry = Entry {
                    key: key.clone(),
                    key_span: key_span.clone(),
                    value: convert(prop.value, lines, warnings),
                };
                if let Some(first) = entries.insert(entry) {
                    let line = lines.line(first.start);
                    warnings.push(crate::load::yaml::duplicate(&key, line, key_span));
                }
            }
            Node::map(span(o.range), entries.entries)
        }
    }
}

fn span(r: jsonc_parser::common::Range) -> Span {
    r.start..r.end
}

/// Refuses bracket nesting deeper than `MAX_DEPTH` (strings are skipped).
fn check_depth(text: &str) -> Result<(), LoadError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(LoadError::at(
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                        i..i + 1,
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_bytes_after_multibyte_text() {
        let text = r#"{"Description": "日本語の説明", "Resources": {"A": {"Type": "X"}}}"#;
        let root = parse(text).unwrap().root;
        let a = root.get("Resources").unwrap().entry("A").unwrap();
        assert_eq!(&text[a.key_span.clone()], "\"A\"");
        let ty = a.value.get("Type").unwrap();
        assert_eq!(&text[ty.span.clone()], "\"X\"");
    }

    #[test]
    fn duplicate_keys_warn_and_keep_the_last() {
        let parsed = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(parsed.root.get("a").unwrap().as_str(), Some("2"));
    }

    #[test]
    fn rejects_trailing_data_comments_and_deep_nesting() {
        assert!(parse(r#"{"a": 1} trailing"#).is_err());
        assert!(parse("{\"a\": 1 // no\n}").is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
        assert!(parse("").is_err());
    }
}
