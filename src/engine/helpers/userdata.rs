//! EC2 user data: base64 and MIME unwrapping, and which ECS cluster the instances join.
//!
//! The agent reads `ECS_CLUSTER` from `/etc/ecs/ecs.config` (Linux) or the machine
//! environment (Windows) and joins the cluster named `default` when it is unset
//! (aws-facts §3.2). Bottlerocket takes TOML settings instead; its `settings.ecs.cluster` key
//! is marked UNVERIFIED there, so callers should treat a Bottlerocket `Set` with care.
//!
//! Values only known at deploy time reach us as placeholders: U+E000, decimal digits, U+E001.

use std::sync::LazyLock;

// Fixed ASCII patterns over short lines: regex-lite builds each in a small fraction of what
// the full engine's automata cost, which a start that reads user data would otherwise pay.
use regex_lite::Regex;

const PLACEHOLDER_OPEN: char = '\u{E000}';
const PLACEHOLDER_CLOSE: char = '\u{E001}';

/// `Some(n)` when `s` is exactly one placeholder.
pub fn is_placeholder(s: &str) -> Option<usize> {
    let digits = s
        .strip_prefix(PLACEHOLDER_OPEN)?
        .strip_suffix(PLACEHOLDER_CLOSE)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Byte ranges of the placeholders in `s`.
fn placeholder_spans(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    for (start, _) in s.match_indices(PLACEHOLDER_OPEN) {
        let rest = &s[start + PLACEHOLDER_OPEN.len_utf8()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(PLACEHOLDER_CLOSE) {
            let end = start + PLACEHOLDER_OPEN.len_utf8() + digits + PLACEHOLDER_CLOSE.len_utf8();
            spans.push(start..end);
        }
    }
    spans
}

pub use crate::graph::base64_text::decode_base64_text;

/// One leaf of a (possibly nested) MIME document.
struct Part {
    body: String,
    /// False when the body could not be read (undecodable, or a list of URLs to fetch).
    readable: bool,
}

/// Nested multiparts deeper than this are not unwrapped (hostile input must not recurse
/// without bound).
const MAX_MIME_DEPTH: usize = 8;

/// The bodies of the parts of a MIME multipart document (nested multiparts flattened, base64
/// and quoted-printable parts decoded); any other text is returned whole.
pub fn mime_parts(text: &str) -> Vec<String> {
    collect_parts(text, 0).into_iter().map(|p| p.body).collect()
}

fn collect_parts(text: &str, depth: usize) -> Vec<Part> {
    let Some((boundary, body)) = multipart_boundary(text) else {
        return vec![Part {
            body: text.to_string(),
            readable: true,
        }];
    };
    if depth >= MAX_MIME_DEPTH {
        return vec![Part {
            body: text.to_string(),
            readable: false,
        }];
    }
    let raw_parts = split_multipart(body, &boundary);
    if raw_parts.is_empty() {
        // The boundary never appears: read the text as it is rather than as nothing.
        return vec![Part {
            body: text.to_string(),
            readable: true,
        }];
    }
    let mut parts = Vec::new();
    for raw in raw_parts {
        let (headers, content) = split_headers(raw);
        let content_type = header(&headers, "content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.trim_start().starts_with("multipart/") {
            parts.extend(collect_parts(raw, depth + 1));
            continue;
        }
        // cloud-init fetches and runs the URLs listed in an include part.
        if content_type.contains("x-include") {
            parts.push(Part {
                body: content.to_string(),
                readable: false,
            });
            continue;
        }
        let encoding = header(&headers, "content-transfer-encoding")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let decoded = match encoding.as_str() {
            "base64" => decode_base64_text(content),
            "quoted-printable" => decode_quoted_printable(content),
            _ => Some(content.to_string()),
        };
        match decoded {
            Some(text) if multipart_boundary(&text).is_some() => {
                parts.extend(collect_parts(&text, depth + 1))
            }
            Some(text) => parts.push(Part {
                body: text,
                readable: true,
            }),
            None => parts.push(Part {
                body: content.to_string(),
                readable: false,
            }),
        }
    }
    parts
}

/// `(boundary, body)` when `text` starts with headers declaring a multipart content type.
fn multipart_boundary(text: &str) -> Option<(String, &str)> {
    let (headers, body) = split_headers(text.trim_start());
    let content_type = header(&headers, "content-type")?;
    let lower = content_type.to_ascii_lowercase();
    if !lower.trim_start().starts_with("multipart/") {
        return None;
    }
    // ASCII lowercasing keeps byte offsets, so positions in `lower` index `content_type`.
    let at = lower.find("boundary=")? + "boundary=".len();
    let rest = &content_type[at..];
    let boundary = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest
            .split(|c: char| c == ';' || c.is_whitespace())
            .next()
            .unwrap_or(""),
    };
    (!boundary.is_empty()).then(|| (boundary.to_string(), body))
}

/// Splits RFC 822 style headers from the body. Text that does not start with a header line
/// has no headers; a part that starts with a blank line has none either.
fn split_headers(text: &str) -> (Vec<(String, String)>, &str) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        if content.trim().is_empty() {
            return (headers, &text[offset + line.len()..]);
        }
        if content.starts_with([' ', '\t']) && !headers.is_empty() {
            // Folded continuation of the previous header.
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(content.trim());
            }
        } else if let Some((name, value)) = content.split_once(':').filter(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        } else {
            // Not a header: the body starts here.
            return (headers, &text[offset..]);
        }
        offset += line.len();
    }
    (headers, "")
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The raw parts (headers and body) between `--boundary` delimiter lines.
fn split_multipart<'t>(body: &'t str, boundary: &str) -> Vec<&'t str> {
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end();
        if content == delimiter || content == closing {
            if let Some(s) = start {
                parts.push(&body[s..offset]);
            }
            if content == closing {
                return parts;
            }
            start = Some(offset + line.len());
        }
        offset += line.len();
    }
    // Tolerate a missing closing delimiter.
    if let Some(s) = start {
        parts.push(&body[s..]);
    }
    parts
}

fn decode_quoted_printable(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        // "=" at the end of a line is a soft line break.
        let rest = &bytes[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3;
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let Some(byte) = rest
            .get(..2)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What ECS cluster instances booted with some user data join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterSetting {
    /// `ECS_CLUSTER` is set to this value (quotes stripped, placeholders kept verbatim).
    Set(String),
    /// Nothing sets it: the agent joins the cluster named `default`.
    NotSet,
    /// It may be set in a way we cannot read; the reason says how.
    Unknown(String),
}

/// Which cluster the ECS agent joins on instances booted with this user data (plain text,
/// base64 of it, or a MIME multipart document). When several parts or lines set it, the
/// last one wins, as the last assignment in ecs.config does.
pub fn ecs_cluster(text: &str) -> ClusterSetting {
    let decoded = decode_base64_text(text);
    let text = decoded.as_deref().unwrap_or(text);
    let mut state = ClusterSetting::NotSet;
    for part in collect_parts(text, 0) {
        if part.readable {
            scan_part(&part.body, &mut state);
        } else {
            state = unknown("a MIME part of the user data cannot be read");
        }
    }
    state
}

fn unknown(reason: &str) -> ClusterSetting {
    ClusterSetting::Unknown(reason.to_string())
}

/// A pipe into a shell: `| bash`, `|sh`, `| sudo -E bash`, `| /bin/bash`.
static PIPE_TO_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\|\s*(sudo\s+(-\S+\s+)*)?(\S*/)?(ba|z|da|k)?sh\b").expect("static regex")
});
/// Running a command's output as code: `source <(...)`, `. <(...)`, `bash <(...)`,
/// `bash -c "$(...)"`, `eval "$(...)"`.
static RUNS_OUTPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(^|[\s;&|(])(eval|source|\.|(ba|z|da|k)?sh(\s+-c)?)\s+["']?(\$\(|`|<\()"#)
        .expect("static regex")
});
/// Commands that fetch something from outside the user data.
static DOWNLOAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(curl|wget)\b|\baws\s+s3\s+(cp|sync)\b|\baws\s+s3api\s+get-object\b|\b(Read-S3Object|Copy-S3Object|Invoke-WebRequest|Invoke-RestMethod|iwr|Start-BitsTransfer)\b",
    )
    .expect("static regex")
});
/// Signs that what a download fetched becomes the agent configuration or gets run. (A plain
/// `$(curl ...)`, as used to query instance metadata, is not one.)
static RUNS_DOWNLOAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)ecs\.config|\.(sh|bash|ps1|py)\b|\b(iex|Invoke-Expression)\b")
        .expect("static regex")
});
/// Start of a heredoc: `<<EOF`, `<<-'EOF'`, `<< "END"`.
static HEREDOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#).expect("static regex")
});

fn scan_part(body: &str, state: &mut ClusterSetting) {
    let whole = body.trim();
    if is_placeholder(whole).is_some() {
        *state = unknown("the user data is a value known only at deploy time");
        return;
    }
    // cloud-init "#include" user data is a list of URLs whose content is fetched and run.
    if whole.starts_with("#include") {
        *state = unknown("the user data includes content fetched from URLs");
        return;
    }
    let mut toml_table = String::new();
    // Set while inside a heredoc or cloud-init write_files entry that writes ecs.config.
    let mut heredoc_end: Option<String> = None;
    let mut in_write_files_ecs_config = false;
    for raw in body.lines() {
        let line = raw.trim();
        if heredoc_end.as_deref() == Some(line) {
            heredoc_end = None;
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if line.is_empty() || line.starts_with('#') || lower.starts_with("rem ") {
            continue;
        }
        let writes_ecs_config = heredoc_end.is_some() || in_write_files_ecs_config;
        // A cloud-init write_files entry starts with `- path: ...`.
        if let Some(path) = lower.trim_start_matches(['-', ' ']).strip_prefix("path:") {
            in_write_files_ecs_config = path.contains("ecs.config");
        }
        if heredoc_end.is_none() && line.contains("ecs.config") {
            heredoc_end = HEREDOC.captures(line).map(|c| c[1].to_string());
        }
        scan_line(
            line,
            &lower,
            writes_ecs_config || line.contains("ecs.config"),
            &mut toml_table,
            state,
        );
    }
}

fn scan_line(
    line: &str,
    lower: &str,
    writes_ecs_config: bool,
    toml_table: &mut String,
    state: &mut ClusterSetting,
) {
    if is_placeholder(line).is_some() {
        *state = unknown("a line of the user data is a value known only at deploy time");
        return;
    }
    if writes_ecs_config && !line.contains("ECS_CLUSTER") && has_opaque_placeholder(line) {
        *state = unknown("ecs.config is written from a value known only at deploy time");
        return;
    }
    if lower.contains("cfn-init") {
        *state = unknown("the user data runs cfn-init, whose metadata can write ecs.config");
        return;
    }
    let downloads = DOWNLOAD.is_match(line);
    if PIPE_TO_SHELL.is_match(line)
        || RUNS_OUTPUT.is_match(line)
        || (downloads && RUNS_DOWNLOAD.is_match(line))
    {
        *state = unknown("the user data runs or installs content it downloads");
        return;
    }
    for value in shell_assignments(line)
        .into_iter()
        .chain(powershell_cluster(line, lower))
        .chain(toml_cluster(line, toml_table))
    {
        *state = value;
    }
}

/// True when a placeholder in the line is not simply the value of a visible `NAME=`
/// assignment, so it could stand for an `ECS_CLUSTER=` line of its own.
fn has_opaque_placeholder(line: &str) -> bool {
    placeholder_spans(line).into_iter().any(|span| {
        let before = &line[..span.start];
        let token_start = before
            .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .map_or(0, |i| i + 1);
        let token = &before[token_start..];
        match token.split_once('=') {
            Some((name, _)) => {
                name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }
            None => true,
        }
    })
}

/// The outcome of reading one assigned value: quotes stripped; shell expansions are unknown.
fn cluster_value(value: &str) -> Option<ClusterSetting> {
    if value.is_empty() {
        // Nothing we can name (e.g. `grep ECS_CLUSTER= file`); not an assignment to count.
        return None;
    }
    if value.contains(['$', '`']) {
        return Some(unknown(
            "ECS_CLUSTER is set from a shell or PowerShell variable or command",
        ));
    }
    Some(ClusterSetting::Set(value.to_string()))
}

/// A value that may be quoted; unquoted values end at whitespace or shell/YAML punctuation.
/// Placeholders are ordinary characters here, so they stay inside the value.
fn read_value(rest: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = rest.strip_prefix(quote) {
            return inner.split(quote).next().unwrap_or(inner);
        }
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || "\"';|&<>()`\\,]".contains(c))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// `ECS_CLUSTER=value` anywhere in a line (echo, heredoc body, export, write_files content).
fn shell_assignments(line: &str) -> Vec<ClusterSetting> {
    const KEY: &str = "ECS_CLUSTER=";
    line.match_indices(KEY)
        .filter(|(at, _)| {
            // A whole name, not the tail of e.g. `MY_ECS_CLUSTER=`.
            !line[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .filter_map(|(at, _)| cluster_value(read_value(&line[at + KEY.len()..])))
        .collect()
}

/// Windows: `Initialize-ECSAgent -Cluster x` and
/// `[Environment]::SetEnvironmentVariable("ECS_CLUSTER", "x", "Machine")`.
fn powershell_cluster(line: &str, lower: &str) -> Option<ClusterSetting> {
    // ASCII lowercasing keeps byte offsets, so positions in `lower` index `line`.
    if let Some(at) = lower.find("initialize-ecsagent") {
        let args = &lower[at..];
        let param = args.match_indices("-cluster").find(|(i, m)| {
            args[i + m.len()..].starts_with(|c: char| c.is_whitespace() || c == ':')
        });
        if let Some((i, m)) = param {
            let start = at + i + m.len();
            let rest = line[start..].trim_start_matches(|c: char| c.is_whitespace() || c == ':');
            return cluster_value(read_value(rest));
        }
    }
    let call = "setenvironmentvariable(";
    let at = lower.find(call)? + call.len();
    let args = line[at..].split(')').next().unwrap_or("");
    let mut args = args.split(',').map(str::trim);
    let name = args.next()?.trim_matches(['"', '\'']);
    if !name.eq_ignore_ascii_case("ECS_CLUSTER") {
        return None;
    }
    cluster_value(read_value(args.next()?))
}

/// Bottlerocket TOML: `cluster = "x"` under `[settings.ecs]`, or the dotted key forms.
fn toml_cluster(line: &str, table: &mut String) -> Option<ClusterSetting> {
    let key_chars = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c))
    };
    if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        let inner = inner.trim_start_matches('[').trim_end_matches(']');
        if key_chars(inner) {
            *table = inner.replace([' ', '"', '\''], "");
        }
        return None;
    }
    let (key, value) = line.split_once('=')?;
    if key.trim().is_empty() || !key_chars(key) {
        return None;
    }
    let key = key.replace([' ', '"', '\''], "");
    let full = if table.is_empty() {
        key
    } else {
        format!("{table}.{key}")
    };
    if full != "settings.ecs.cluster" {
        return None;
    }
    let value = value.trim();
    let value = if value.starts_with(['"', '\'']) {
        read_value(value)
    } else {
        // Unquoted (not valid TOML, but a substituted value may look like this).
        value.split('#').next().unwrap_or("").trim()
    };
    (!value.is_empty()).then(|| ClusterSetting::Set(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    fn set(v: &str) -> ClusterSetting {
        ClusterSetting::Set(v.to_string())
    }

    fn is_unknown(c: &ClusterSetting) -> bool {
        matches!(c, ClusterSetting::Unknown(_))
    }

    fn b64(s: &str) -> String {
        STANDARD.encode(s)
    }

    #[test]
    fn placeholders() {
        assert_eq!(is_placeholder("\u{E000}0\u{E001}"), Some(0));
        assert_eq!(is_placeholder("\u{E000}42\u{E001}"), Some(42));
        assert_eq!(is_placeholder("\u{E000}\u{E001}"), None);
        assert_eq!(is_placeholder("\u{E000}4a\u{E001}"), None);
        assert_eq!(is_placeholder(" \u{E000}1\u{E001}"), None);
        assert_eq!(is_placeholder("\u{E000}1\u{E001}\u{E000}2\u{E001}"), None);
        assert_eq!(
            is_placeholder("\u{E000}99999999999999999999999999\u{E001}"),
            None
        );
        assert_eq!(is_placeholder("\u{E000}1"), None);
        assert_eq!(is_placeholder(""), None);
    }

    #[test]
    fn base64_text_is_decoded() {
        let script = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n";
        assert_eq!(decode_base64_text(&b64(script)).as_deref(), Some(script));
        assert_eq!(
            decode_base64_text(&format!("  {}\n", b64(script))).as_deref(),
            Some(script)
        );
        // Line-wrapped base64, as `base64` and MIME encoders write it.
        let encoded = b64(script);
        let wrapped: Vec<&str> = encoded
            .as_bytes()
            .chunks(16)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        let wrapped = format!("{}\n", wrapped.join("\r\n"));
        assert_eq!(decode_base64_text(&wrapped).as_deref(), Some(script));
    }

    #[test]
    fn scripts_are_not_base64() {
        for s in [
            "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
            "echo test",
            "echotest",
            "true",
            "abcd",
            "ECS_CLUSTER=prod",
            "YWJj=ZGVm",
            "",
            "   ",
            "\u{E000}0\u{E001}",
            "AAAA",
            "echo\ntest",
            "yumm\nupdate\nabcd",
        ] {
            assert_eq!(decode_base64_text(s), None, "{s:?}");
        }
        // Valid base64 of binary data is not text.
        assert_eq!(
            decode_base64_text(&STANDARD.encode([0x1f, 0x8b, 0x08, 0x00])),
            None
        );
    }

    const MIME: &str = "Content-Type: multipart/mixed; boundary=\"==BOUNDARY==\"\r\n\
MIME-Version: 1.0\r\n\
\r\n\
--==BOUNDARY==\r\n\
Content-Type: text/cloud-config; charset=\"us-ascii\"\r\n\
\r\n\
#cloud-config\r\n\
packages: [jq]\r\n\
\r\n\
--==BOUNDARY==\r\n\
Content-Type: text/x-shellscript; charset=\"us-ascii\"\r\n\
\r\n\
#!/bin/bash\r\n\
echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config\r\n\
\r\n\
--==BOUNDARY==--\r\n";

    #[test]
    fn mime_parts_are_split() {
        let parts = mime_parts(MIME);
        assert_eq!(parts.len(), 2);
        assert!(parts[0].starts_with("#cloud-config"));
        assert!(parts[1].starts_with("#!/bin/bash"));
        assert!(parts[1].contains("ECS_CLUSTER=prod"));
        assert!(!parts[1].contains("Content-Type"));
    }

    #[test]
    fn non_mime_text_is_one_part() {
        let script = "#!/bin/bash\necho hi\n";
        assert_eq!(mime_parts(script), vec![script.to_string()]);
        let no_boundary = "Content-Type: multipart/mixed\n\nbody\n";
        assert_eq!(mime_parts(no_boundary), vec![no_boundary.to_string()]);
        let single = "Content-Type: text/x-shellscript\n\necho hi\n";
        assert_eq!(mime_parts(single), vec![single.to_string()]);
        // A declared boundary that never appears.
        let missing = "Content-Type: multipart/mixed; boundary=b\n\necho ECS_CLUSTER=prod\n";
        assert_eq!(mime_parts(missing), vec![missing.to_string()]);
        assert_eq!(ecs_cluster(missing), set("prod"));
    }

    #[test]
    fn mime_unquoted_boundary_nested_and_base64() {
        let inner_script = "#!/bin/bash\necho ECS_CLUSTER=inner >> /etc/ecs/ecs.config\n";
        let doc = format!(
            "MIME-Version: 1.0\n\
Content-Type: multipart/mixed;\n boundary=OUTER\n\
\n\
preamble is ignored\n\
--OUTER\n\
Content-Type: multipart/alternative; boundary=\"INNER\"\n\
\n\
--INNER\n\
Content-Type: text/x-shellscript\n\
Content-Transfer-Encoding: base64\n\
\n\
{}\n\
--INNER--\n\
--OUTER\n\
Content-Type: text/x-shellscript\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
echo ECS_CLUSTER=3Dqp >> /etc/ecs/ecs.config\n\
--OUTER--\n\
epilogue\n",
            b64(inner_script)
        );
        let parts = mime_parts(&doc);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0], inner_script);
        assert_eq!(
            parts[1].trim(),
            "echo ECS_CLUSTER=qp >> /etc/ecs/ecs.config"
        );
    }

    #[test]
    fn deeply_nested_mime_does_not_recurse_forever() {
        let mut doc = "echo ECS_CLUSTER=x\n".to_string();
        for i in 0..50 {
            doc = format!(
                "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n{doc}\n--b{i}--\n"
            );
        }
        assert!(!mime_parts(&doc).is_empty());
        assert!(is_unknown(&ecs_cluster(&doc)));
    }

    #[test]
    fn shell_forms() {
        let cases = [
            "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
            "echo \"ECS_CLUSTER=prod\" >> /etc/ecs/ecs.config",
            "echo 'ECS_CLUSTER=prod' >> /etc/ecs/ecs.config",
            "echo ECS_CLUSTER=prod>>/etc/ecs/ecs.config",
            "cat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=prod\nECS_ENABLE_TASK_IAM_ROLE=true\nEOF",
            "cat > /etc/ecs/ecs.config <<'EOF'\nECS_CLUSTER=\"prod\"\nEOF",
            "export ECS_CLUSTER=prod",
            "printf 'ECS_CLUSTER=prod\\n' > /etc/ecs/ecs.config",
            "echo ECS_CLUSTER=prod | sudo tee -a /etc/ecs/ecs.config",
        ];
        for text in cases {
            assert_eq!(ecs_cluster(text), set("prod"), "{text}");
        }
    }

    #[test]
    fn cloud_init_write_files() {
        let block = "#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    content: |\n      ECS_CLUSTER=prod\n      ECS_LOGLEVEL=debug\n";
        assert_eq!(ecs_cluster(block), set("prod"));
        let inline = "#cloud-config\nwrite_files:\n- path: /etc/ecs/ecs.config\n  content: \"ECS_CLUSTER=prod\\nECS_LOGLEVEL=debug\"\n";
        assert_eq!(ecs_cluster(inline), set("prod"));
        let runcmd = "#cloud-config\nruncmd:\n  - [ sh, -c, \"echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config\" ]\n";
        assert_eq!(ecs_cluster(runcmd), set("prod"));
    }

    #[test]
    fn windows_forms() {
        assert_eq!(
            ecs_cluster(
                "<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster prod -EnableTaskIAMRole\n</powershell>"
            ),
            set("prod")
        );
        assert_eq!(
            ecs_cluster("Initialize-ECSAgent -Cluster 'prod' -EnableTaskIAMRole"),
            set("prod")
        );
        assert_eq!(
            ecs_cluster("initialize-ecsagent -cluster \"prod\""),
            set("prod")
        );
        assert_eq!(
            ecs_cluster(
                "[Environment]::SetEnvironmentVariable(\"ECS_CLUSTER\", \"prod\", \"Machine\")"
            ),
            set("prod")
        );
        assert_eq!(
            ecs_cluster("[Environment]::SetEnvironmentVariable('ECS_CLUSTER', 'prod', 'Machine')"),
            set("prod")
        );
        // -ClusterName is not -Cluster; no cluster parameter means the default cluster.
        assert_eq!(
            ecs_cluster("Initialize-ECSAgent -ClusterName prod"),
            ClusterSetting::NotSet
        );
        assert!(is_unknown(&ecs_cluster(
            "Initialize-ECSAgent -Cluster $ClusterName"
        )));
        assert!(is_unknown(&ecs_cluster(
            "[Environment]::SetEnvironmentVariable(\"ECS_CLUSTER\", $name, \"Machine\")"
        )));
        assert_eq!(
            ecs_cluster("[Environment]::SetEnvironmentVariable(\"OTHER\", \"x\", \"Machine\")"),
            ClusterSetting::NotSet
        );
    }

    #[test]
    fn bottlerocket_toml() {
        assert_eq!(
            ecs_cluster("[settings.ecs]\ncluster = \"prod\"\n"),
            set("prod")
        );
        assert_eq!(
            ecs_cluster(
                "[settings.host-containers.admin]\nenabled = true\n[settings.ecs]\nenable-spot-instance-draining = true\ncluster = 'prod'\n"
            ),
            set("prod")
        );
        assert_eq!(ecs_cluster("settings.ecs.cluster = \"prod\""), set("prod"));
        assert_eq!(
            ecs_cluster("[settings]\necs.cluster = \"prod\""),
            set("prod")
        );
        // `cluster` under another table is not the ECS cluster.
        assert_eq!(
            ecs_cluster("[settings.kubernetes]\ncluster = \"prod\"\n"),
            ClusterSetting::NotSet
        );
        assert_eq!(
            ecs_cluster("[settings.ecs]\ncluster = \"\u{E000}3\u{E001}\"\n"),
            set("\u{E000}3\u{E001}")
        );
    }

    #[test]
    fn placeholders_stay_inside_values() {
        assert_eq!(
            ecs_cluster("echo ECS_CLUSTER=\u{E000}0\u{E001} >> /etc/ecs/ecs.config"),
            set("\u{E000}0\u{E001}")
        );
        assert_eq!(
            ecs_cluster(
                "echo ECS_CLUSTER=app-\u{E000}0\u{E001}-\u{E000}1\u{E001} >> /etc/ecs/ecs.config"
            ),
            set("app-\u{E000}0\u{E001}-\u{E000}1\u{E001}")
        );
        assert_eq!(
            ecs_cluster("echo \"ECS_CLUSTER=\u{E000}12\u{E001}\" >> /etc/ecs/ecs.config"),
            set("\u{E000}12\u{E001}")
        );
    }

    #[test]
    fn placeholders_standing_for_the_setting_are_unknown() {
        for text in [
            "\u{E000}0\u{E001}",
            "  \u{E000}0\u{E001}\n",
            "#!/bin/bash\n\u{E000}0\u{E001}\n",
            "echo \u{E000}0\u{E001} >> /etc/ecs/ecs.config",
            "echo \"\u{E000}0\u{E001}\" > /etc/ecs/ecs.config",
            "cat <<EOF >> /etc/ecs/ecs.config\n\u{E000}0\u{E001}=x\nEOF",
            "#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    content: \u{E000}1\u{E001}\n",
        ] {
            assert!(is_unknown(&ecs_cluster(text)), "{text:?}");
        }
        // A placeholder that is the value of another, visible setting changes nothing.
        assert_eq!(
            ecs_cluster("echo ECS_ENABLE_TASK_IAM_ROLE=\u{E000}0\u{E001} >> /etc/ecs/ecs.config"),
            ClusterSetting::NotSet
        );
        // Placeholders elsewhere in the script are harmless.
        assert_eq!(
            ecs_cluster(
                "yum install -y \u{E000}0\u{E001}\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config"
            ),
            set("prod")
        );
    }

    #[test]
    fn unreadable_sources_are_unknown() {
        for text in [
            "#!/bin/bash\n/opt/aws/bin/cfn-init -v --stack s --resource LC --region r\n",
            "aws s3 cp s3://bucket/ecs.config /etc/ecs/ecs.config",
            "aws s3 cp s3://bucket/bootstrap.sh - | bash",
            "curl -fsSL https://example.com/setup | sh",
            "curl -fsSL https://example.com/setup | sudo -E bash -s",
            "source <(aws ssm get-parameter --name x --query Parameter.Value --output text)",
            "wget -O /tmp/setup.sh https://example.com/setup.sh",
            "bash -c \"$(curl -fsSL https://example.com/setup)\"",
            "eval \"$(aws ssm get-parameter --name boot --query Parameter.Value --output text)\"",
            "bash <(curl -s https://example.com/setup)",
            ". <(cat /tmp/env)",
            "echo ECS_CLUSTER=$CLUSTER >> /etc/ecs/ecs.config",
            "echo \"ECS_CLUSTER=${CLUSTER_NAME}\" >> /etc/ecs/ecs.config",
            "echo ECS_CLUSTER=$(cat /tmp/name) >> /etc/ecs/ecs.config",
            "#include\nhttps://example.com/userdata.sh\n",
        ] {
            assert!(is_unknown(&ecs_cluster(text)), "{text:?}");
        }
    }

    #[test]
    fn benign_downloads_do_not_hide_the_setting() {
        let text = "curl -O https://s3.amazonaws.com/amazoncloudwatch-agent/amazon_linux/amd64/latest/amazon-cloudwatch-agent.rpm\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config";
        assert_eq!(ecs_cluster(text), set("prod"));
        // Instance metadata queries are downloads whose output is data, not code.
        let text = "INSTANCE_ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\necho \"$INSTANCE_ID\" | tee /tmp/id";
        assert_eq!(ecs_cluster(text), set("prod"));
        // cfn-signal and installing the bootstrap package are not cfn-init.
        let text = "yum install -y aws-cfn-bootstrap\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-signal -e $? --stack s";
        assert_eq!(ecs_cluster(text), set("prod"));
    }

    #[test]
    fn not_set() {
        for text in [
            "",
            "#!/bin/bash\nyum update -y\n",
            "# echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
            "   #echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
            "echo MY_ECS_CLUSTER=prod >> /etc/profile",
            "grep ECS_CLUSTER= /etc/ecs/ecs.config",
            "echo ECS_LOGLEVEL=debug >> /etc/ecs/ecs.config",
        ] {
            assert_eq!(ecs_cluster(text), ClusterSetting::NotSet, "{text:?}");
        }
    }

    #[test]
    fn last_assignment_wins() {
        assert_eq!(
            ecs_cluster(
                "echo ECS_CLUSTER=a >> /etc/ecs/ecs.config\necho ECS_CLUSTER=b >> /etc/ecs/ecs.config"
            ),
            set("b")
        );
        assert_eq!(
            ecs_cluster("echo ECS_CLUSTER=a >> f; echo ECS_CLUSTER=b >> f"),
            set("b")
        );
        // An explicit setting after cfn-init overrides whatever cfn-init wrote ...
        assert_eq!(
            ecs_cluster("/opt/aws/bin/cfn-init -v\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config"),
            set("prod")
        );
        // ... but not the other way round.
        assert!(is_unknown(&ecs_cluster(
            "echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n/opt/aws/bin/cfn-init -v"
        )));
    }

    #[test]
    fn through_base64_and_mime() {
        assert_eq!(ecs_cluster(MIME), set("prod"));
        assert_eq!(ecs_cluster(&b64(MIME)), set("prod"));
        assert_eq!(
            ecs_cluster(&b64(
                "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"
            )),
            set("prod")
        );
        // An earlier part is overridden by a later one.
        let doc = MIME.replace(
            "packages: [jq]",
            "bootcmd:\r\n  - echo ECS_CLUSTER=early >> /etc/ecs/ecs.config",
        );
        assert_eq!(ecs_cluster(&doc), set("prod"));
        // A part that is only a placeholder could set anything.
        let doc = MIME.replace(
            "#!/bin/bash\r\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
            "\u{E000}7\u{E001}",
        );
        assert!(is_unknown(&ecs_cluster(&doc)));
        // A base64 part that does not decode to text cannot be read.
        let doc = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\nH4sIAAAAAAAA\n--b--\n";
        assert!(is_unknown(&ecs_cluster(doc)));
        // An include-url part is fetched at boot.
        let doc = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/x-include-url\n\nhttps://example.com/x\n--b--\n";
        assert!(is_unknown(&ecs_cluster(doc)));
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "ECS_CLUSTER=",
            "ECS_CLUSTER=\"",
            "ECS_CLUSTER='",
            "Initialize-ECSAgent -Cluster",
            "Initialize-ECSAgent -Cluster:",
            "[Environment]::SetEnvironmentVariable(",
            "[Environment]::SetEnvironmentVariable(\"ECS_CLUSTER\"",
            "[settings.ecs]\ncluster =",
            "[",
            "]",
            "=",
            "\u{E000}",
            "\u{E001}\u{E000}",
            "é=ü\u{E000}1",
            "Content-Type: multipart/mixed; boundary=\"\n\n--\n",
            "Content-Type: multipart/mixed; boundary=x\n\n--x\n=\n=4\n--x",
            "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: quoted-printable\n\na=\nb=ZZ=4=\n--x--",
            "cat <<EOF >> /etc/ecs/ecs.config\n",
        ] {
            let _ = ecs_cluster(text);
            let _ = mime_parts(text);
            let _ = decode_base64_text(text);
        }
        assert_eq!(ecs_cluster("ECS_CLUSTER=\"prod"), set("prod"));
    }
}
