//! Text written as base64 (Terraform plans carry `user_data` encoded, templates may too):
//! decoded where the whole value is base64 of readable text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The text encoded by `s` when the whole of `s` is standard (padded) base64 of UTF-8 text.
pub fn decode_base64_text(s: &str) -> Option<String> {
    let trimmed = s.trim();
    // Encoders wrap base64 over lines but never put spaces or tabs inside a line; refusing
    // them keeps short scripts like "echo test" from being taken for base64.
    if trimmed.is_empty() || trimmed.contains([' ', '\t']) {
        return None;
    }
    // Wrapped base64 has lines of one length (a multiple of 4) and a shorter or equal last line.
    let lines: Vec<&str> = trimmed.lines().map(|l| l.trim_end_matches('\r')).collect();
    if let [first, middle @ .., last] = lines.as_slice() {
        let width = first.len();
        if !width.is_multiple_of(4) || middle.iter().any(|l| l.len() != width) || last.len() > width
        {
            return None;
        }
    }
    let compact: String = lines.concat();
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    if !compact.len().is_multiple_of(4) || !compact.bytes().all(alphabet) {
        return None;
    }
    let text = String::from_utf8(STANDARD.decode(compact.as_bytes()).ok()?).ok()?;
    // Text, not binary (gzip, or a word that happens to decode to valid UTF-8 bytes).
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return None;
    }
    Some(text)
}
