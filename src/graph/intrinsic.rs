//! CloudFormation's own meaning in the document tree: which one-entry maps are intrinsic
//! functions, how `Fn::Sub` strings split into text and variables, and which scalars are
//! booleans. The loaders produce these shapes; the graph and the rules read them.

use crate::node::Node;

/// Names of the CloudFormation intrinsic functions that a one-entry map can stand for.
pub const INTRINSICS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::FindInMap",
    "Fn::ForEach",
    "Fn::GetAtt",
    "Fn::GetAZs",
    "Fn::GetStackOutput",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Length",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::ToJsonString",
    "Fn::Transform",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
];

impl Node {
    /// `Some((name, argument))` when this node is a one-entry map naming an intrinsic function.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match self.entries() {
            [e] if INTRINSICS.contains(&e.key.as_str()) => Some((&e.key, &e.value)),
            _ => None,
        }
    }
}

/// The boolean a CloudFormation scalar stands for: YAML 1.1 spellings when plain, and the
/// strings "true"/"false" in any case (CloudFormation accepts both).
pub fn truthiness(text: &str, plain: bool) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        "yes" | "on" | "y" if plain => Some(true),
        "no" | "off" | "n" if plain => Some(false),
        _ => None,
    }
}

/// A piece of a `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq)]
pub enum SubPart<'a> {
    Text(std::borrow::Cow<'a, str>),
    /// `${Name}` or `${Res.Attr}`, with its byte offset inside the string.
    Var(&'a str, usize),
}

/// Splits a `Fn::Sub` string into text and `${...}` variables; `${!Literal}` stays text
/// (as `${Literal}`).
pub fn sub_parts(s: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = 0;
    let mut text = String::new();
    while let Some(open) = s[rest..].find("${").map(|i| rest + i) {
        let Some(close) = s[open..].find('}').map(|i| open + i) else {
            break;
        };
        text.push_str(&s[rest..open]);
        let inner = &s[open + 2..close];
        if let Some(lit) = inner.strip_prefix('!') {
            text.push_str("${");
            text.push_str(lit);
            text.push('}');
        } else {
            if !text.is_empty() {
                parts.push(SubPart::Text(std::mem::take(&mut text).into()));
            }
            parts.push(SubPart::Var(inner.trim(), open));
        }
        rest = close + 1;
    }
    text.push_str(&s[rest..]);
    if !text.is_empty() {
        parts.push(SubPart::Text(text.into()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_parts_split_variables_and_keep_escapes() {
        let parts = sub_parts("arn:${AWS::Partition}:s3:::${Bucket.Arn}/${!Literal}");
        assert_eq!(
            parts,
            vec![
                SubPart::Text("arn:".into()),
                SubPart::Var("AWS::Partition", 4),
                SubPart::Text(":s3:::".into()),
                SubPart::Var("Bucket.Arn", 27),
                SubPart::Text("/${Literal}".into()),
            ]
        );
    }

    #[test]
    fn yaml_11_booleans_only_when_plain() {
        assert_eq!(truthiness("yes", true), Some(true));
        assert_eq!(truthiness("yes", false), None);
        assert_eq!(truthiness("False", false), Some(false));
    }
}
