//! The comments of a YAML text, found by a line-based scan (the YAML loader keeps none).
//!
//! A `#` starts a comment when it is at the start of a line or follows whitespace, and is
//! outside a quoted scalar (quotes opened on one line and closed on a later one are followed)
//! and outside a block scalar (`|` or `>`: its more-indented lines are text). A quote opens
//! a scalar only where a value starts (see `starts_scalar`), so an apostrophe in plain text
//! opens nothing. Limits: a block scalar's content is taken to be the lines more indented
//! than the line that introduced it, and a quote that opens where no value starts in real
//! YAML hides the comments after it until it closes (a suppression there is then not seen;
//! nothing is ever taken for a comment that is not one, in the test corpus at least).

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// 1-based line of the `#`.
    pub line: usize,
    /// From the `#` to the end of the comment, trailing whitespace excluded.
    pub span: Span,
    /// The text after the `#`.
    pub text: String,
    /// The line the comment is about: its own line for a comment after content; for a
    /// comment alone on its line, the next line with content (None at the end of the text).
    pub target: Option<usize>,
}

pub struct Scan {
    pub comments: Vec<Comment>,
    /// 1-based line of the first line with content (not blank, a comment, `---` or a `%`
    /// directive), if any.
    pub first_content_line: Option<usize>,
}

pub fn scan(text: &str) -> Scan {
    let mut comments = Vec::new();
    let mut content_lines = Vec::new();
    let mut quote: Option<char> = None;
    let mut block_indent: Option<usize> = None;
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(b) = block_indent {
            if line.trim().is_empty() || indent > b {
                content_lines.push(line_no);
                continue;
            }
            block_indent = None;
        }
        let (content, comment_at) = split_comment(line, &mut quote);
        if let Some(at) = comment_at {
            let body = line[at..].trim_end();
            comments.push(Comment {
                line: line_no,
                span: start + at..start + at + body.len(),
                text: body[1..].to_string(),
                target: None,
            });
        }
        let content = content.trim();
        let marker = content == "---" || content == "..." || content.starts_with('%');
        if !content.is_empty() {
            content_lines.push(line_no);
            if let Some(c) = comments.last_mut().filter(|c| c.line == line_no) {
                c.target = Some(line_no);
            }
        }
        if quote.is_none() && opens_block_scalar(content) {
            block_indent = Some(indent);
        }
        if marker {
            content_lines.pop();
        }
    }
    for c in comments.iter_mut().filter(|c| c.target.is_none()) {
        c.target = content_lines.iter().copied().find(|&l| l > c.line);
    }
    let first_content_line = content_lines.first().copied();
    Scan {
        comments,
        first_content_line,
    }
}

/// The part of a line before its comment, and the byte offset of the comment's `#`.
/// `quote` carries an open quoted scalar from one line to the next.
fn split_comment<'a>(line: &'a str, quote: &mut Option<char>) -> (&'a str, Option<usize>) {
    let mut prev: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match *quote {
            Some('\'') if c == '\'' => {
                // `''` is an escaped quote inside a single-quoted scalar.
                if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                } else {
                    *quote = None;
                }
            }
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some('"') if c == '"' => *quote = None,
            Some(_) => {}
            None => {
                let after_space = prev.is_none_or(char::is_whitespace);
                if c == '#' && after_space {
                    return (&line[..i], Some(i));
                }
                if (c == '"' || c == '\'') && starts_scalar(&line[..i]) {
                    *quote = Some(c);
                }
            }
        }
        prev = Some(c);
    }
    (line, None)
}

/// Whether a quote after `before` (the line up to it) opens a quoted scalar: at the start of
/// the line; after `[`, `{` or `,`; after `: `, `- ` or `? ` (indicators are followed by a
/// space; `"a":"b"` in JSON style too); after a tag (`!Sub `) or an anchor (`&a `). A quote
/// inside a plain scalar (`must begin with 'vpc-' or`, `Don 't`) opens nothing.
fn starts_scalar(before: &str) -> bool {
    let b = before.trim_end();
    let spaced = b.len() < before.len();
    let last_token = b.rsplit(char::is_whitespace).next().unwrap_or("");
    let indicator = |c: char| {
        b.strip_suffix(c)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(char::is_whitespace))
    };
    b.is_empty()
        || b.ends_with(['[', '{', ','])
        || (b.ends_with(':') && (spaced || b.ends_with("\":") || b.ends_with("':")))
        || (spaced && (indicator('-') || indicator('?')))
        || (spaced && (last_token.starts_with('!') || last_token.starts_with('&')))
}

/// Whether a line's content ends with a block scalar indicator: `key: |`, `- >-`, `!Sub |2`.
fn opens_block_scalar(content: &str) -> bool {
    let trimmed = content.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    let Some(head) = trimmed
        .strip_suffix('|')
        .or_else(|| trimmed.strip_suffix('>'))
    else {
        return false;
    };
    // `|` or `>` with its indicators must be a whole token, and only digits and one chomping
    // sign may follow it.
    let tail = &content[trimmed.len()..];
    tail.len() <= 2
        && (head.is_empty() || head.ends_with(|c: char| c.is_whitespace() || c == ':' || c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(usize, String, Option<usize>)> {
        scan(src)
            .comments
            .into_iter()
            .map(|c| (c.line, c.text, c.target))
            .collect()
    }

    #[test]
    fn comments_after_content_and_on_their_own_line() {
        let src = "# top\nA: 1  # trailing\n\n  # own\nB: 2\n";
        assert_eq!(
            texts(src),
            vec![
                (1, " top".into(), Some(2)),
                (2, " trailing".into(), Some(2)),
                (4, " own".into(), Some(5)),
            ]
        );
        assert_eq!(scan(src).first_content_line, Some(2));
        let c = &scan(src).comments[1];
        assert_eq!(&src[c.span.clone()], "# trailing");
    }

    #[test]
    fn hashes_in_scalars_are_not_comments() {
        let src = "A: \"x # y\"\nB: 'it''s # z'\nC: a#b\nD: \"multi\n  line # no\"  # yes\nE: it's # real\nF: Don 't # also real\nG: [\"a # b\", 'c # d']\nH: !Sub \"e # f\"  # tagged\nI: begin with 'vpc-' or # plain\nJ: {\"k\":\"v # w\"}\n";
        assert_eq!(
            texts(src),
            vec![
                (5, " yes".into(), Some(5)),
                (6, " real".into(), Some(6)),
                (7, " also real".into(), Some(7)),
                (9, " tagged".into(), Some(9)),
                (10, " plain".into(), Some(10)),
            ]
        );
    }

    #[test]
    fn block_scalars_hold_no_comments() {
        let src = "U: !Sub |\n  #!/bin/bash\n  # not a comment\n\n  echo\nV: >-\n  # text\n# after\nW: 1\n";
        assert_eq!(texts(src), vec![(8, " after".into(), Some(9))]);
        assert!(!opens_block_scalar("A: a|b"));
        assert!(opens_block_scalar("- |2-"));
        assert!(opens_block_scalar("|"));
    }
}
