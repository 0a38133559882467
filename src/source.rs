//! Source files: text, a line index, and conversions between byte offsets, character offsets
//! and line/column positions. Every span in ecslint is a byte range into `SourceFile::text`.

use std::ops::Range;
use std::sync::Arc;

/// A byte range into a source text.
pub type Span = Range<usize>;

/// Longest line (in bytes) shown in a snippet; 4 columns a byte at most (tabs) stays far
/// below miette's limit.
pub const MAX_SNIPPET_LINE: usize = 4096;

/// One input file, shared by the graph, the findings and the renderers.
#[derive(Debug)]
pub struct SourceFile {
    /// The path exactly as the user gave it (or as found while walking a directory).
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// Byte offset of every character, present only when the text is not pure ASCII
    /// (the YAML parser counts characters; spans are bytes).
    char_bytes: Option<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: String) -> Arc<SourceFile> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let char_bytes = (!text.is_ascii()).then(|| {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        });
        Arc::new(SourceFile {
            path: path.into(),
            text,
            line_starts,
            char_bytes,
        })
    }

    /// Byte offset of the character at `char_index` (clamped to the end of the text).
    pub fn byte_of_char(&self, char_index: usize) -> usize {
        match &self.char_bytes {
            None => char_index.min(self.text.len()),
            Some(v) => v
                .get(char_index)
                .map(|&b| b as usize)
                .unwrap_or(self.text.len()),
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset. Both come from the
    /// indexes, so a file of one long line costs no more than a file of many.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.line_of(byte) - 1;
        let start = self.line_starts[line];
        let col = match &self.char_bytes {
            None => byte - start,
            Some(v) => {
                v.partition_point(|&b| (b as usize) < byte)
                    - v.partition_point(|&b| (b as usize) < start)
            }
        };
        (line + 1, col + 1)
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, byte: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= byte.min(self.text.len()))
    }

    /// Byte offset where a 1-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// How many lines the text has (a final newline ends the last line, it starts none).
    pub fn line_count(&self) -> usize {
        let n = self.line_starts.len();
        if n > 1 && self.line_starts[n - 1] == self.text.len() {
            n - 1
        } else {
            n
        }
    }

    /// The text of a 1-based line, without its line break; "" past the end.
    pub fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end).unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// Whether the lines a span starts and ends on are short enough to be shown as a snippet.
    /// miette prints the whole line and pads to a column with a format width, which panics
    /// past column 65,535 (a one-line JSON template); longer lines are named, not shown.
    pub fn snippet_fits(&self, span: &Span) -> bool {
        [span.start, span.end]
            .iter()
            .all(|&b| self.line_len(b) <= MAX_SNIPPET_LINE)
    }

    /// `path:line:column` of a byte offset, for a location shown without a snippet.
    pub fn location(&self, byte: usize) -> String {
        let (line, col) = self.line_col(byte);
        format!("{}:{line}:{col}", self.path)
    }

    /// Length in bytes of the line holding a byte offset.
    fn line_len(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        end - self.line_starts[line]
    }

    /// Byte offset of a 1-based line and 1-based character column.
    pub fn byte_of_line_col(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_text_keeps_byte_offsets_exact() {
        let src = SourceFile::new("t.yaml", "# 한국어 説明\nKey: 値\n".to_string());
        let key = src.text.find("Key").unwrap();
        assert_eq!(src.line_col(key), (2, 1));
        let value = src.text.find('値').unwrap();
        assert_eq!(src.line_col(value), (2, 6));
        // "# 한국어 説明\n" is 9 characters but 19 bytes.
        assert_eq!(src.byte_of_char(9), key);
        assert_eq!(src.byte_of_line_col(2, 6), value);
    }

    #[test]
    fn lines_are_found_without_their_breaks() {
        let src = SourceFile::new("t", "a\r\nbc\n".to_string());
        assert_eq!(src.line_count(), 2);
        assert_eq!(
            (src.line(1), src.line(2), src.line(3), src.line(0)),
            ("a", "bc", "", "")
        );
        let open = SourceFile::new("t", "a\nb".to_string());
        assert_eq!((open.line_count(), open.line(2)), (2, "b"));
    }

    #[test]
    fn only_short_lines_are_shown_as_snippets() {
        let long = "x".repeat(MAX_SNIPPET_LINE + 1);
        let src = SourceFile::new("t.json", format!("ab\n{long}\ncd"));
        assert!(src.snippet_fits(&(0..2)));
        assert!(!src.snippet_fits(&(3..4)));
        assert!(!src.snippet_fits(&(0..5)));
        let end = src.text.len();
        assert!(src.snippet_fits(&(end - 1..end)));
        assert_eq!(src.location(end - 1), "t.json:3:2");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let src = SourceFile::new("t", "ab".to_string());
        assert_eq!(src.byte_of_char(99), 2);
        assert_eq!(src.line_col(99), (1, 3));
        assert_eq!(src.byte_of_line_col(7, 1), 2);
    }
}
