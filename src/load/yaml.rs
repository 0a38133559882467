//! YAML events (saphyr-parser) → spanned `Node` tree.
//!
//! saphyr reports character offsets; every span here is converted to bytes through
//! `SourceFile::byte_of_char`. CloudFormation short-form tags become their long form
//! (`!GetAtt A.B` → `{Fn::GetAtt: [A, B]}`) with the tag's span as the key span.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use crate::load::LoadError;
use crate::node::{Entry, Kind, MapBuilder, Node};
use crate::source::{SourceFile, Span};

/// Aliases are expanded by copying; this bounds the copies so an alias bomb cannot exhaust
/// memory.
const MAX_NODES: usize = 2_000_000;

pub struct Parsed {
    pub root: Node,
    /// Problems that do not stop the file from being linted (duplicate keys).
    pub warnings: Vec<LoadError>,
}

pub fn parse(src: &SourceFile) -> Result<Parsed, LoadError> {
    let mut b = Builder {
        src,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        warnings: Vec::new(),
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(&src.text);
    for item in &mut parser {
        let (event, span) = item.map_err(|e| {
            let m = e.marker();
            let at = src.byte_of_char(m.index());
            LoadError::at(format!("invalid YAML: {}", e.info()), at..at)
        })?;
        if b.event(event, span)? {
            break;
        }
    }
    match b.root {
        Some(root) => Ok(Parsed {
            root,
            warnings: b.warnings,
        }),
        None => Err(LoadError::at("the file is empty".to_string(), 0..0)),
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<(String, Span)>,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<(String, Span)>,
        entries: MapBuilder,
        pending_key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    src: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    warnings: Vec<LoadError>,
    nodes: usize,
}

impl Builder<'_> {
    fn span(&self, s: &YSpan) -> Span {
        self.src.byte_of_char(s.start.index())..self.src.byte_of_char(s.end.index())
    }

    /// Handles one event; returns true once the first document is complete.
    fn event(&mut self, event: Event, span: YSpan) -> Result<bool, LoadError> {
        let sp = self.span(&span);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| self.tag_of(&t, sp.start));
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let mut sp = sp;
                if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
                    sp.end = quoted_end(&self.src.text, sp.clone());
                }
                let node = Node::scalar(sp.clone(), text.into_owned(), plain);
                let node = self.apply_tag(node, tag);
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(&sp)?;
                let tag = tag.map(|t| self.tag_of(&t, sp.start));
                self.stack.push(Frame::Seq {
                    start: sp.start,
                    anchor,
                    tag,
                    items: Vec::new(),
                });
                Ok(false)
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(&sp)?;
                let tag = tag.map(|t| self.tag_of(&t, sp.start));
                self.stack.push(Frame::Map {
                    start: sp.start,
                    anchor,
                    tag,
                    entries: MapBuilder::default(),
                    pending_key: None,
                });
                Ok(false)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(false);
                };
                let end = sp.end.max(sp.start);
                let (node, anchor, tag) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        tag,
                        items,
                    } => {
                        let end = items.last().map_or(end, |n| n.span.end.max(start));
                        (
                            Node {
                                span: start..end,
                                kind: Kind::Seq(items),
                            },
                            anchor,
                            tag,
                        )
                    }
                    Frame::Map {
                        start,
                        anchor,
                        tag,
                        entries,
                        ..
                    } => {
                        let entries = entries.entries;
                        let end = entries.last().map_or(end, |e| e.value.span.end.max(start));
                        (Node::map(start..end, entries), anchor, tag)
                    }
                };
                let node = self.apply_tag(node, tag);
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(LoadError::at("alias to an unknown anchor".to_string(), sp));
                };
                self.nodes += count(&node);
                if self.nodes > MAX_NODES {
                    return Err(LoadError::at(
                        "YAML aliases expand to too many nodes".to_string(),
                        sp,
                    ));
                }
                self.finish(node, 0)
            }
            Event::DocumentEnd => Ok(self.root.is_some()),
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {
                Ok(false)
            }
        }
    }

    /// Deep nesting is refused so that no later recursion over the tree can overflow the stack.
    fn check_depth(&self, sp: &Span) -> Result<(), LoadError> {
        if self.stack.len() >= crate::load::json::MAX_DEPTH {
            return Err(LoadError::at(
                format!(
                    "nesting deeper than {} levels",
                    crate::load::json::MAX_DEPTH
                ),
                sp.clone(),
            ));
        }
        Ok(())
    }

    /// The CloudFormation key a tag stands for, with the tag's span.
    fn tag_of(&self, tag: &Tag, node_start: usize) -> (String, Span) {
        let text = format!("{}{}", tag.handle, tag.suffix);
        // The tag is written just before the node; find it in the text to get its span.
        let from = node_start.min(self.src.text.len());
        // Look only just after the node's start: a scan to the end of the file for every
        // tag would make loading quadratic.
        let mut to = (from + 64 + text.len()).min(self.src.text.len());
        while !self.src.text.is_char_boundary(to) {
            to -= 1;
        }
        let span = self.src.text[from..to]
            .find(&text)
            .map(|i| from + i..from + i + text.len())
            .unwrap_or(from..from);
        (text, span)
    }

    fn apply_tag(&mut self, node: Node, tag: Option<(String, Span)>) -> Node {
        let Some((text, tag_span)) = tag else {
            return node;
        };
        let key = match text.as_str() {
            "!Ref" => "Ref".to_string(),
            "!Condition" => "Condition".to_string(),
            t if t.starts_with("!!") || t.starts_with("tag:yaml.org,2002:") => return node,
            t => match t.strip_prefix('!') {
                Some(name) if crate::node::INTRINSICS.contains(&format!("Fn::{name}").as_str()) => {
                    format!("Fn::{name}")
                }
                _ => t.to_string(),
            },
        };
        let mut node = node;
        // saphyr starts a tagged node's span at its tag; the value itself starts after it.
        if node.span.start <= tag_span.start && tag_span.end <= node.span.end {
            let rest = &self.src.text[tag_span.end..node.span.end];
            node.span.start = node.span.end - rest.trim_start().len();
        }
        let value = if key == "Fn::GetAtt" {
            split_getatt(node, &self.src.text)
        } else {
            node
        };
        let span = tag_span.start.min(value.span.start)..value.span.end;
        Node::map(
            span,
            vec![Entry {
                key,
                key_span: tag_span,
                value,
            }],
        )
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<bool, LoadError> {
        self.nodes += 1;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
                Ok(true)
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(false)
            }
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => {
                match pending_key.take() {
                    None => {
                        let key = match &node.kind {
                            Kind::Scalar(s) => s.text.clone(),
                            _ => "<complex key>".to_string(),
                        };
                        *pending_key = Some((key, node.span));
                    }
                    Some((key, key_span)) => {
                        let message = format!("duplicate key `{key}`");
                        let entry = Entry {
                            key,
                            key_span: key_span.clone(),
                            value: node,
                        };
                        if let Some(first) = entries.insert(entry) {
                            let (line, _) = self.src.line_col(first.start);
                            self.warnings.push(LoadError::at(
                                format!(
                                    "{message} (first defined on line {line}); the last one is used"
                                ),
                                key_span,
                            ));
                        }
                    }
                }
                Ok(false)
            }
        }
    }
}

/// `!GetAtt Res.Attr` → `[Res, Attr]`, split on the first dot (attribute names may contain
/// dots, `Endpoint.Address`).
fn split_getatt(node: Node, text: &str) -> Node {
    let Kind::Scalar(s) = &node.kind else {
        return node;
    };
    let Some(dot) = s.text.find('.') else {
        return node;
    };
    let (res, attr) = (&s.text[..dot], &s.text[dot + 1..]);
    // Locate the text inside the span (a quote may precede it).
    let written = text.get(node.span.clone()).unwrap_or_default();
    let start = node.span.start + written.find(res).unwrap_or(0);
    let res_span = start..start + res.len();
    let attr_span = start + dot + 1..(start + s.text.len()).min(node.span.end);
    Node {
        span: node.span.clone(),
        kind: Kind::Seq(vec![
            Node::scalar(res_span, res, false),
            Node::scalar(attr_span, attr, false),
        ]),
    }
}

/// The end of a quoted scalar: just after its closing quote. (saphyr's span can run on over
/// a trailing comment.)
fn quoted_end(text: &str, span: Span) -> usize {
    let Some(body) = text.get(span.clone()) else {
        return span.end;
    };
    let Some(open) = body.find(['\'', '"']) else {
        return span.end;
    };
    let quote = body.as_bytes()[open];
    let bytes = body.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return span.start + i + 1,
            _ => i += 1,
        }
    }
    span.end
}

fn count(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Seq(items) => items.iter().map(count).sum(),
        Kind::Map(entries) => entries.iter().map(|e| count(&e.value)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (std::sync::Arc<SourceFile>, Node) {
        let src = SourceFile::new("t.yaml", text.to_string());
        let root = parse(&src).unwrap().root;
        (src, root)
    }

    #[test]
    fn short_forms_become_long_forms_with_exact_spans() {
        let text = "# 설명: 한국어 코멘트\n# 日本語の説明\nA:\n  B: !GetAtt Role.Arn\n  C: !Ref 'Cluster'\n  D: !Sub [\"${X}\", {X: 1}]\n";
        let (src, root) = load(text);
        let a = root.get("A").unwrap();
        let b = a.get("B").unwrap();
        let (name, arg) = b.intrinsic().unwrap();
        assert_eq!(name, "Fn::GetAtt");
        assert_eq!(&src.text[b.entries()[0].key_span.clone()], "!GetAtt");
        assert_eq!(&src.text[arg.items()[0].span.clone()], "Role");
        assert_eq!(&src.text[arg.items()[1].span.clone()], "Arn");
        let c = a.get("C").unwrap();
        assert_eq!(c.intrinsic().unwrap().0, "Ref");
        assert_eq!(&src.text[c.span.clone()], "!Ref 'Cluster'");
        let (sub, args) = a.get("D").unwrap().intrinsic().unwrap();
        assert_eq!(sub, "Fn::Sub");
        assert_eq!(args.items().len(), 2);
        assert_eq!(src.line_col(b.span.start), (4, 6));
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = "a: 'true' # comment\nb: \"x \\\" y\" # c\nc: 'it''s' # c\n";
        let (src, root) = load(text);
        for (key, want) in [("a", "'true'"), ("b", "\"x \\\" y\""), ("c", "'it''s'")] {
            assert_eq!(&src.text[root.get(key).unwrap().span.clone()], want);
        }
    }

    #[test]
    fn unknown_tags_are_kept() {
        let (_, root) = load("X: !Rain::Embed file.txt\n");
        assert_eq!(root.get("X").unwrap().entries()[0].key, "!Rain::Embed");
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_kept() {
        let src = SourceFile::new("t", "a: 1\nb: 2\na: 3\n".to_string());
        let parsed = parse(&src).unwrap();
        assert_eq!(parsed.warnings.len(), 1);
        assert!(parsed.warnings[0].message.contains("line 1"));
        assert_eq!(parsed.root.get("a").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn malformed_yaml_is_an_error_not_a_panic() {
        for text in [
            "a: [1, 2",
            "a:\n\tb: 1",
            "x: *nope",
            "",
            "key: 'open",
            "- a\nb: c",
        ] {
            let src = SourceFile::new("t", text.to_string());
            assert!(parse(&src).is_err(), "{text:?}");
        }
    }

    #[test]
    fn dedented_flow_closers_load_like_libyaml() {
        let (_, root) = load("A:\n  Action: [\n    \"a\",\n    \"b\"\n  ]\n  Resource: x\n");
        assert_eq!(
            root.get("A").unwrap().get("Action").unwrap().items().len(),
            2
        );
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let src = SourceFile::new("t", text);
        assert!(parse(&src).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = SourceFile::new("t", "[".repeat(100_000));
        assert!(parse(&src).is_err());
    }
}
