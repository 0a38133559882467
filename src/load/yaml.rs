//! YAML events (saphyr-parser) → spanned `Node` tree.
//!
//! saphyr reports character offsets; every span here is converted to bytes through
//! `SourceFile::byte_of_char`. CloudFormation short-form tags become their long form
//! (`!GetAtt A.B` → `{Fn::GetAtt: [A, B]}`) with the tag's span as the key span.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use crate::load::{DUPLICATE_KEY, LoadError, MERGE_KEY, Problem};
use crate::node::{Entry, Kind, MapBuilder, Node};
use crate::source::{SourceFile, Span};

/// Aliases are expanded by copying; this bounds the copies so an alias bomb cannot exhaust
/// memory.
const MAX_NODES: usize = 2_000_000;

/// One document of a YAML stream.
pub struct Parsed {
    pub root: Node,
    /// Problems that do not stop the document from being linted (duplicate keys, merge keys).
    pub warnings: Vec<Problem>,
}

/// The first document of a YAML stream.
pub fn parse(src: &SourceFile) -> Result<Parsed, LoadError> {
    parse_stream(src)?
        .into_iter()
        .next()
        .ok_or_else(|| LoadError::at("the file is empty".to_string(), 0..0))
}

/// Every document of a YAML stream (`---` separated), in order. All spans are offsets into
/// the whole file, so positions stay exact whichever document they are in.
pub fn parse_stream(src: &SourceFile) -> Result<Vec<Parsed>, LoadError> {
    let mut b = Builder {
        src,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        warnings: Vec::new(),
        documents: Vec::new(),
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(&src.text);
    for item in &mut parser {
        let (event, span) = item.map_err(|e| {
            let m = e.marker();
            let at = src.byte_of_char(m.index());
            LoadError::at(format!("invalid YAML: {}", e.info()), at..at)
        })?;
        b.event(event, span)?;
    }
    if b.documents.is_empty() {
        return Err(LoadError::at("the file is empty".to_string(), 0..0));
    }
    Ok(b.documents)
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
        /// The keys brought in by `<<` merge keys, which explicit keys override.
        merged: MapBuilder,
        pending_key: Option<PendingKey>,
    },
}

struct PendingKey {
    text: String,
    span: Span,
    /// A plain `<<`: a YAML 1.1 merge key.
    merge: bool,
}

struct Builder<'a> {
    src: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    warnings: Vec<Problem>,
    documents: Vec<Parsed>,
    nodes: usize,
}

impl Builder<'_> {
    fn span(&self, s: &YSpan) -> Span {
        self.src.byte_of_char(s.start.index())..self.src.byte_of_char(s.end.index())
    }

    /// Handles one event.
    fn event(&mut self, event: Event, span: YSpan) -> Result<(), LoadError> {
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
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(&sp)?;
                let tag = tag.map(|t| self.tag_of(&t, sp.start));
                self.stack.push(Frame::Map {
                    start: sp.start,
                    anchor,
                    tag,
                    entries: MapBuilder::default(),
                    merged: MapBuilder::default(),
                    pending_key: None,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
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
                        merged,
                        ..
                    } => {
                        let mut entries = entries.entries;
                        let end = entries.last().map_or(end, |e| e.value.span.end.max(start));
                        add_merged(&mut entries, merged.entries);
                        (Node::map(start..end, entries), anchor, tag)
                    }
                };
                let node = self.apply_tag(node, tag);
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(LoadError::at("alias to an unknown anchor".to_string(), sp));
                };
                // Counted before it is copied: the copy that crosses the limit is never made.
                self.nodes += count(anchored);
                if self.nodes > MAX_NODES {
                    return Err(LoadError::at(
                        "YAML aliases expand to too many nodes".to_string(),
                        sp,
                    ));
                }
                let node = anchored.clone();
                self.finish(node, 0)
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    self.documents.push(Parsed {
                        root,
                        warnings: std::mem::take(&mut self.warnings),
                    });
                }
                // Anchors belong to their document.
                self.anchors.clear();
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {
                Ok(())
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
                Some(name)
                    if crate::graph::intrinsic::INTRINSICS
                        .contains(&format!("Fn::{name}").as_str()) =>
                {
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

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), LoadError> {
        self.nodes += 1;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let src = self.src;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merged,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let (text, merge) = match &node.kind {
                        Kind::Scalar(s) => (s.text.clone(), s.plain && s.text == "<<"),
                        _ => ("<complex key>".to_string(), false),
                    };
                    *pending_key = Some(PendingKey {
                        text,
                        span: node.span,
                        merge,
                    });
                }
                Some(key) if key.merge && mergeable(&node) => {
                    self.warnings.push(merge_warning(key.span));
                    merge_into(merged, node);
                }
                Some(key) => {
                    if key.merge {
                        self.warnings.push(Problem::error(
                            MERGE_KEY,
                            "a merge key `<<` takes a mapping or a list of mappings; this one is kept as a plain key".to_string(),
                            key.span.clone(),
                        ));
                    }
                    let entry = Entry {
                        key: key.text.clone(),
                        key_span: key.span.clone(),
                        value: node,
                    };
                    if let Some(first) = entries.insert(entry) {
                        self.warnings.push(duplicate(
                            &key.text,
                            src.line_col(first.start).0,
                            key.span,
                        ));
                    }
                }
            },
        }
        Ok(())
    }
}

/// A duplicate key: an error, though the file is still linted with the last value.
pub fn duplicate(key: &str, line: usize, again: Span) -> Problem {
    Problem::error(
        DUPLICATE_KEY,
        format!(
            "duplicate key `{key}`: it is already defined on line {line} of this mapping; only this last one is used"
        ),
        again,
    )
    .with_help("Remove or rename one of the two; the AWS CLI (`cloudformation deploy`, `package`) and cfn-lint refuse duplicate keys.")
}

fn merge_warning(span: Span) -> Problem {
    Problem::warning(
        MERGE_KEY,
        "YAML merge key `<<`: CloudFormation does not accept merge keys; ecslint lints the merged mapping".to_string(),
        span,
    )
    .with_help("Write the merged keys out in this mapping (CloudFormation's YAML has no anchors, aliases or merge keys), or expand them before deploying.")
}

/// `<<` merges a mapping or a list of mappings (YAML 1.1 merge key type).
fn mergeable(node: &Node) -> bool {
    match &node.kind {
        Kind::Map(_) => true,
        Kind::Seq(items) => items.iter().all(Node::is_map),
        _ => false,
    }
}

/// Adds one `<<` value to the keys merged so far. As in PyYAML: in a list, an earlier mapping
/// wins over a later one; a later `<<` of the same mapping wins over an earlier one.
fn merge_into(merged: &mut MapBuilder, value: Node) {
    let sources = match value.kind {
        Kind::Map(entries) => vec![entries],
        Kind::Seq(items) => items
            .into_iter()
            .map(|n| match n.kind {
                Kind::Map(entries) => entries,
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut combined = MapBuilder::default();
    for entry in sources.into_iter().rev().flatten() {
        combined.insert(entry);
    }
    for entry in combined.entries {
        merged.insert(entry);
    }
}

/// Explicit keys win over merged ones; the merged keys keep the spans where they are written.
fn add_merged(entries: &mut Vec<Entry>, merged: Vec<Entry>) {
    if merged.is_empty() {
        return;
    }
    let explicit: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    entries.extend(merged.into_iter().filter(|e| !explicit.contains(&e.key)));
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
    use crate::finding::Severity;

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
    fn merge_keys_merge_as_in_yaml_1_1() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\none: {<<: *a, x: 0}\nlist: {<<: [*a, *b]}\nquoted: {'<<': *a}\n";
        let src = SourceFile::new("t", text.to_string());
        let parsed = parse(&src).unwrap();
        let one = parsed.root.get("one").unwrap();
        // Explicit keys win; merged ones keep the span where they are written.
        assert_eq!(one.get("x").unwrap().as_str(), Some("0"));
        let y = one.entry("y").unwrap();
        assert_eq!(
            (y.value.as_str(), src.line_col(y.key_span.start)),
            (Some("1"), (1, 14))
        );
        // In a list, the earlier mapping wins.
        let list = parsed.root.get("list").unwrap();
        let got: Vec<_> = ["x", "y", "z"]
            .iter()
            .map(|k| list.get(k).and_then(Node::as_str))
            .collect();
        assert_eq!(got, [Some("1"), Some("1"), Some("2")]);
        // A quoted `<<` is an ordinary key.
        assert!(parsed.root.get("quoted").unwrap().get("<<").is_some());
        let codes: Vec<_> = parsed
            .warnings
            .iter()
            .map(|w| (w.code, w.severity, src.line_col(w.span.start).0))
            .collect();
        assert_eq!(
            codes,
            [
                (MERGE_KEY, Severity::Warning, 3),
                (MERGE_KEY, Severity::Warning, 4)
            ]
        );
    }

    #[test]
    fn a_merge_key_on_a_scalar_is_an_error_and_kept() {
        let src = SourceFile::new("t", "a: {<<: 1}\n".to_string());
        let parsed = parse(&src).unwrap();
        assert_eq!(parsed.warnings[0].severity, Severity::Error);
        assert!(parsed.root.get("a").unwrap().get("<<").is_some());
    }

    #[test]
    fn every_document_of_a_stream_is_parsed_with_file_positions() {
        let text = "kind: x\n---\na: &x 1\n---\nb: 2\nb: 3\n";
        let src = SourceFile::new("t", text.to_string());
        let docs = parse_stream(&src).unwrap();
        assert_eq!(docs.len(), 3);
        let b = docs[2].root.entry("b").unwrap();
        assert_eq!(src.line_col(b.key_span.start), (6, 1));
        // Problems belong to their document.
        assert!(docs[0].warnings.is_empty() && docs[1].warnings.is_empty());
        assert_eq!(docs[2].warnings.len(), 1);
        // Anchors do not reach into the next document.
        let src = SourceFile::new("t", "a: &x 1\n---\nb: *x\n".to_string());
        assert!(parse_stream(&src).is_err());
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
