//! JSON written as text inside a value (a policy document as a string, a state machine
//! `DefinitionString`), as a node tree. Positions inside the text are not kept: every node
//! gets the span of the string it was written in.

use crate::node::{Entry, Kind, Node};
use crate::source::Span;

/// The tree of JSON text; `None` when the text is not JSON (serde_json refuses nesting deeper
/// than 128 levels, so hostile text cannot overflow the stack).
pub fn parse(text: &str, span: &Span) -> Option<Node> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(node(&value, span))
}

/// Builds a node tree from parsed JSON; every node gets `span` (the span of the JSON text).
pub fn node(value: &serde_json::Value, span: &Span) -> Node {
    use serde_json::Value;
    match value {
        Value::Null => Node::scalar(span.clone(), "null", true),
        Value::Bool(b) => Node::scalar(span.clone(), b.to_string(), true),
        Value::Number(n) => Node::scalar(span.clone(), n.to_string(), true),
        Value::String(s) => Node::scalar(span.clone(), s.as_str(), false),
        Value::Array(items) => Node {
            span: span.clone(),
            kind: Kind::Seq(items.iter().map(|v| node(v, span)).collect()),
        },
        Value::Object(map) => Node::map(
            span.clone(),
            map.iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    key_span: span.clone(),
                    value: node(v, span),
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_becomes_a_tree_at_the_string_span() {
        let n = parse(r#"{"Statement": [{"Effect": "Allow", "Sid": 1}]}"#, &(5..9)).expect("JSON");
        let statement = &n.get("Statement").expect("key").items()[0];
        assert_eq!(
            statement.get("Effect"),
            Some(&Node::scalar(5..9, "Allow", false))
        );
        assert_eq!(statement.get("Sid"), Some(&Node::scalar(5..9, "1", true)));
        assert!(parse("{not json", &(0..0)).is_none());
        assert!(parse(&"[".repeat(1000), &(0..0)).is_none());
    }
}
