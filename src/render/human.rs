//! Human output, in miette's look but drawn here so that it shows what matters: the headline
//! `error[CODE]: message`, the primary location first with its own label, then each hop of the
//! chain in the rule's order as a snippet of one to three lines (`…` between lines that are
//! not adjacent), then `help:`, `prevents:` and `docs:`. Terraform findings name the resource
//! address instead of quoting plan JSON (unless `verbose`).
//!
//! Every position comes from the file's line index (`SourceFile`), built once per file and
//! shared by all its findings, so rendering is linear in the output.

use std::fmt::{self, Write};

use unicode_width::UnicodeWidthChar;

use crate::finding::{FileError, Finding, Severity};
use crate::render::Report;
use crate::source::{SourceFile, Span};

pub struct Options {
    /// ANSI colours, as an extra: the text says everything without them.
    pub color: bool,
    /// ASCII frames, for terminals that cannot draw box characters (`TERM=dumb`).
    pub ascii: bool,
    /// Columns to fit in (long source lines are cut around the location).
    pub width: usize,
    /// Show the plan JSON of Terraform findings too.
    pub verbose: bool,
}

impl Options {
    /// No colour, Unicode frames: what tests and pipes get.
    pub fn plain(width: usize) -> Options {
        Options {
            color: false,
            ascii: false,
            width,
            verbose: false,
        }
    }
}

/// Every finding, then the summary line: what goes to stdout.
pub fn render(report: &Report, opts: &Options) -> String {
    // About a kilobyte a finding: growing the string is most of the copying otherwise.
    let mut out = String::with_capacity(report.findings.len() * 1024);
    for f in &report.findings {
        finding(&mut out, f, opts);
        out.push('\n');
    }
    if report.files_checked > 0 || !report.errors.is_empty() {
        out.push_str(&summary(report));
    }
    out
}

/// Files that could not be linted, `error: <file>: <reason>` with the place when known: what
/// goes to stderr.
pub fn errors(report: &Report, opts: &Options) -> String {
    let mut out = String::new();
    for e in &report.errors {
        file_error(&mut out, e, opts);
    }
    out
}

/// The warning for a run that found nothing to check among `paths`.
pub fn nothing_checked(paths: &[String], all_dirs: bool) -> String {
    let place = if all_dirs { "under" } else { "among" };
    // A hook passes every changed file: name a few, count the rest.
    let shown = match paths.len() {
        0..=3 => paths.join(", "),
        n => format!("{}, and {} more paths", paths[..2].join(", "), n - 2),
    };
    format!("warning: no CloudFormation template or Terraform plan found {place} {shown}\n")
}

/// `2 errors, 1 warning in 3 files (14 checked, 9 skipped: not templates)`.
pub fn summary(report: &Report) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let mut parts = Vec::new();
    for (s, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "info"),
    ] {
        match count(s) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    let mut files: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.source.path.as_str())
        .collect();
    files.dedup();
    let skipped = match report.files_skipped {
        0 => String::new(),
        n => format!("{n} skipped: not templates"),
    };
    let mut s = if parts.is_empty() && report.files_checked == 0 {
        "Nothing checked".to_string()
    } else if parts.is_empty() {
        let mut s = format!(
            "No problems found in {}",
            plural(report.files_checked, "file")
        );
        if !skipped.is_empty() {
            let _ = write!(s, " ({skipped})");
        }
        s
    } else {
        let mut checked = format!("{} checked", report.files_checked);
        if !skipped.is_empty() {
            let _ = write!(checked, ", {skipped}");
        }
        format!(
            "{} in {} ({checked})",
            parts.join(", "),
            plural(files.len(), "file")
        )
    };
    if !report.errors.is_empty() {
        let mut bad: Vec<&str> = report
            .errors
            .iter()
            .map(|e| e.source.path.as_str())
            .collect();
        bad.dedup();
        let _ = write!(s, "; {} could not be linted", plural(bad.len(), "file"));
    }
    s.push('\n');
    s
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The drawing characters of one theme.
struct Glyphs {
    top: &'static str,
    side: &'static str,
    dot: &'static str,
    bottom: &'static str,
    under: char,
    hook: &'static str,
    gap: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    top: "╭─[",
    side: "│",
    dot: "·",
    bottom: "╰────",
    under: '─',
    hook: "╰── ",
    gap: "…",
};

const ASCII: Glyphs = Glyphs {
    top: ",-[",
    side: "|",
    dot: ":",
    bottom: "`----",
    under: '^',
    hook: "`-- ",
    gap: "...",
};

/// Colours and glyphs for one run.
struct Pen<'a> {
    opts: &'a Options,
    g: &'static Glyphs,
}

const BOLD: &str = "1";
const DIM: &str = "2";
const HOP: &str = "35";
const HELP: &str = "36";

impl Pen<'_> {
    fn new(opts: &Options) -> Pen<'_> {
        Pen {
            opts,
            g: if opts.ascii { &ASCII } else { &UNICODE },
        }
    }

    /// `text` in `style`, written as it is formatted (no string is built for it).
    fn paint<T: fmt::Display>(&self, style: &'static str, text: T) -> Painted<T> {
        Painted {
            style,
            color: self.opts.color,
            text,
        }
    }

    /// The frame and gutter, dimmed.
    fn frame<T: fmt::Display>(&self, text: T) -> Painted<T> {
        self.paint(DIM, text)
    }

    fn severity(s: Severity) -> &'static str {
        match s {
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "34",
        }
    }

    fn headline(s: Severity) -> &'static str {
        match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;34",
        }
    }
}

struct Painted<T> {
    style: &'static str,
    color: bool,
    text: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.color {
            write!(f, "\u{1b}[{}m{}\u{1b}[0m", self.style, self.text)
        } else {
            self.text.fmt(f)
        }
    }
}

/// A character `n` times.
struct Repeat(char, usize);

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..self.1 {
            f.write_char(self.0)?;
        }
        Ok(())
    }
}

fn finding(out: &mut String, f: &Finding, opts: &Options) {
    let pen = Pen::new(opts);
    let colour = Pen::severity(f.severity);
    let head = format!("{}[{}]: ", f.severity, f.code);
    let lines = wrap(
        &f.message,
        opts.width.saturating_sub(width(&head)),
        opts.width.saturating_sub(2),
    );
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            // One painted run, so that `grep 'error\[ECS'` finds coloured output too.
            let head = pen.paint(Pen::headline(f.severity), head.trim_end());
            let _ = writeln!(out, "{head} {}", pen.paint(BOLD, line));
        } else {
            let _ = writeln!(out, "  {}", pen.paint(BOLD, line));
        }
    }
    let mut marks = vec![Mark {
        span: f.span.clone(),
        lines: lines_of(&f.source, &f.span),
        number: None,
        text: f.primary_label.as_deref().unwrap_or_default(),
        style: colour,
        resource: Some(f.resource.as_str()).filter(|r| !r.is_empty()),
    }];
    for (i, l) in f.labels.iter().enumerate() {
        marks.push(Mark {
            span: l.span.clone(),
            lines: lines_of(&f.source, &l.span),
            number: Some(i + 1),
            text: &l.text,
            style: HOP,
            resource: l.resource.as_deref(),
        });
    }
    if f.in_terraform_plan() && !opts.verbose {
        plan_rows(out, &f.source, &marks, &pen);
    } else {
        snippet(out, &f.source, &marks, &pen);
    }
    let hang = |key: &str, text: &str, out: &mut String| {
        let indent = key.len() + 4;
        for (i, line) in wrap(
            text,
            opts.width.saturating_sub(indent),
            opts.width.saturating_sub(indent),
        )
        .iter()
        .enumerate()
        {
            if i == 0 {
                let _ = writeln!(out, "  {} {line}", pen.paint(HELP, format_args!("{key}:")));
            } else {
                let _ = writeln!(out, "{:indent$}{line}", "");
            }
        }
    };
    if let Some(h) = &f.help {
        hang("help", h, out);
    }
    if let Some(s) = &f.symptom {
        hang("prevents", s, out);
    }
    hang("docs", &docs(f), out);
}

/// Where to read more: `ecslint explain CODE`, and the page where it really lives.
fn docs(f: &Finding) -> String {
    let explain = format!("ecslint explain {}", f.code);
    match &f.url {
        Some(u) if u.starts_with(crate::dsl::DOCS_URL) => {
            format!("{explain} (docs/rules/{}.md in ecslint's source)", f.code)
        }
        Some(u) => format!("{explain}, {u}"),
        None => explain,
    }
}

/// One location to draw: the primary one first, then the hops.
struct Mark<'a> {
    span: Span,
    /// First and last line of the span.
    lines: (usize, usize),
    /// Hops are numbered in chain order; the primary location is not.
    number: Option<usize>,
    text: &'a str,
    style: &'static str,
    resource: Option<&'a str>,
}

impl Mark<'_> {
    /// The label as shown: `2. capacity provider CP`.
    fn label(&self) -> Label<'_> {
        Label(self.number, self.text)
    }
}

struct Label<'a>(Option<usize>, &'a str);

impl Label<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_none() && self.1.is_empty()
    }

    fn width(&self) -> usize {
        let number = self.0.map_or(0, |n| digits(n) + 2);
        number + width(self.1)
    }
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}. {}", self.1),
            None => f.write_str(self.1),
        }
    }
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

enum Row {
    Source(usize),
    Under(usize),
    Gap,
}

/// First and last line of a span, without the line breaks and blank lines it may end with
/// (an empty span is on one line).
fn lines_of(src: &SourceFile, span: &Span) -> (usize, usize) {
    let first = src.line_of(span.start);
    let text = src.text.get(span.clone()).unwrap_or("");
    let end = span.start + text.trim_end().len();
    let last = if end > span.start {
        src.line_of(end - 1)
    } else {
        first
    };
    (first, last.max(first))
}

/// The marks as one frame: each mark's lines (the primary one with the line above it),
/// in mark order, `…` between lines that do not follow each other.
fn snippet(out: &mut String, src: &SourceFile, marks: &[Mark], pen: &Pen) {
    let mut rows = Vec::new();
    let mut last: Option<usize> = None;
    for (i, m) in marks.iter().enumerate() {
        let (first, end) = m.lines;
        let mut lines: Vec<usize> = Vec::new();
        if i == 0 && first > 1 && !src.line(first - 1).trim().is_empty() {
            lines.push(first - 1);
        }
        // A span of up to three lines is shown whole; a longer one by its first line.
        lines.push(first);
        if end - first < 3 {
            lines.extend(first + 1..=end);
        }
        // A line already on screen just above is not repeated.
        if lines.first() == last.as_ref() {
            lines.remove(0);
        }
        match (last, lines.first()) {
            (Some(p), Some(&n)) if n != p + 1 => rows.push(Row::Gap),
            _ => {}
        }
        if !lines.contains(&first) {
            rows.push(Row::Under(i));
        }
        for l in lines {
            rows.push(Row::Source(l));
            if l == first {
                rows.push(Row::Under(i));
            }
            last = Some(l);
        }
    }
    let shown = rows.iter().filter_map(|r| match r {
        Row::Source(n) => Some(*n),
        _ => None,
    });
    let gutter = (digits(shown.max().unwrap_or(1)) + 1).max(width(pen.g.gap) + 1);
    let avail = pen.opts.width.saturating_sub(gutter + 3).max(20);
    // Each line is cut around the first mark that starts on it.
    let view = |line: usize| {
        let focus = marks
            .iter()
            .find(|m| m.lines.0 == line)
            .map(|m| m.span.start - src.line_start(line))
            .unwrap_or(0);
        View::new(src.line(line), focus, avail, pen.g.gap)
    };
    let (line, col) = src.line_col(marks[0].span.start);
    let pad = Repeat(' ', gutter + 1);
    let g = pen.g;
    let _ = writeln!(out, "{pad}{}{}:{line}:{col}]", pen.frame(g.top), src.path);
    for row in &rows {
        match row {
            Row::Source(n) => {
                let _ = write!(
                    out,
                    "{} ",
                    pen.frame(format_args!("{n:>gutter$} {}", g.side))
                );
                view(*n).write(out, src.line(*n), g.gap);
                out.push('\n');
            }
            Row::Gap => {
                let _ = writeln!(
                    out,
                    "{}",
                    pen.frame(format_args!("{:>gutter$} {}", g.gap, g.dot))
                );
            }
            Row::Under(i) => {
                let m = &marks[*i];
                let v = view(m.lines.0);
                underline(out, src, m, &v, avail, &pad, pen);
            }
        }
    }
    let _ = writeln!(out, "{pad}{}", pen.frame(g.bottom));
}

/// The part of a line that is drawn. Long lines are cut around a focus, and only a window
/// of bytes around it is looked at: a file of one line of megabytes (a plan straight from
/// `terraform show -json`) costs no more per finding than a short line.
struct View {
    /// Byte range of the line that is shown.
    start: usize,
    end: usize,
    /// Display columns before the shown text (the left `gap`) and of the text itself.
    lead: usize,
    width: usize,
}

impl View {
    fn new(line: &str, focus: usize, avail: usize, gap: &str) -> View {
        let window = avail * 4;
        if line.len() <= window {
            let w = width(line);
            if w <= avail {
                return View {
                    start: 0,
                    end: line.len(),
                    lead: 0,
                    width: w,
                };
            }
        }
        let near = focus <= window && width(&line[..floor(line, focus)]) + 30 < avail;
        let start = if near {
            0
        } else {
            floor(line, focus.saturating_sub(10))
        };
        let lead = if start > 0 { width(gap) } else { 0 };
        let room = avail.saturating_sub(lead + width(gap));
        let (mut end, mut used) = (start, 0);
        for c in line[start..floor(line, start + window)].chars() {
            if used + char_width(c) > room {
                break;
            }
            used += char_width(c);
            end += c.len_utf8();
        }
        View {
            start,
            end,
            lead,
            width: used,
        }
    }

    /// Writes the shown part of `line`: `gap` where it is cut, tabs as spaces.
    fn write(&self, out: &mut String, line: &str, gap: &str) {
        if self.start > 0 {
            out.push_str(gap);
        }
        let mut text = &line[self.start..self.end];
        if self.end == line.len() {
            text = text.trim_end();
        }
        if text.contains('\t') {
            out.push_str(&text.replace('\t', "    "));
        } else {
            out.push_str(text);
        }
        if self.end < line.len() {
            out.push_str(gap);
        }
    }

    /// The display column of a byte of the line, within the shown text.
    fn col(&self, line: &str, byte: usize) -> usize {
        let b = floor(line, byte.clamp(self.start, self.end));
        self.lead + width(&line[self.start..b])
    }
}

/// The largest char boundary of `s` at or before `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The underline of a mark under its first line, with its label after it, or below it when
/// the line has no room left.
fn underline(
    out: &mut String,
    src: &SourceFile,
    m: &Mark,
    v: &View,
    avail: usize,
    pad: &Repeat,
    pen: &Pen,
) {
    let (first, end) = m.lines;
    let line = src.line(first);
    let base = src.line_start(first);
    let stop = if end == first {
        m.span.end.saturating_sub(base)
    } else {
        line.len()
    };
    let last = (v.lead + v.width).max(v.lead + 1);
    let from = v.col(line, m.span.start.saturating_sub(base)).min(last - 1);
    let len = v.col(line, stop).min(last).saturating_sub(from).max(1);
    let bar = Repeat(pen.g.under, len);
    let dot = pen.frame(pen.g.dot);
    let label = m.label();
    let _ = write!(out, "{pad}{dot} {:from$}", "");
    if label.is_empty() || from + len + 1 + label.width() <= avail {
        let sep = if label.is_empty() { "" } else { " " };
        let _ = writeln!(
            out,
            "{}",
            pen.paint(m.style, format_args!("{bar}{sep}{label}"))
        );
        return;
    }
    let _ = writeln!(out, "{}", pen.paint(m.style, bar));
    let indent = if from + 4 + 30 <= avail { from } else { 0 };
    let hook = pen.g.hook;
    let room = avail.saturating_sub(indent + width(hook));
    let label = label.to_string();
    for (i, text) in wrap(&label, room, room).iter().enumerate() {
        let lead = if i == 0 { hook } else { "" };
        let w = width(hook);
        let _ = writeln!(
            out,
            "{pad}{dot} {:indent$}{}",
            "",
            pen.paint(m.style, format_args!("{lead:w$}{text}"))
        );
    }
}

/// A Terraform finding without plan JSON: the plan file and position of the primary
/// location, the resource address and attribute, then each hop with its resource and line.
fn plan_rows(out: &mut String, src: &SourceFile, marks: &[Mark], pen: &Pen) {
    let g = pen.g;
    let (line, col) = src.line_col(marks[0].span.start);
    let _ = writeln!(out, "  {}{}:{line}:{col}]", pen.frame(g.top), src.path);
    let avail = pen.opts.width.saturating_sub(4);
    for (i, m) in marks.iter().enumerate() {
        let line = m.lines.0;
        let attr = plan_key(src.line(line));
        let label = m.label().to_string();
        let resource = m.resource.filter(|r| !label.contains(r));
        let text = if i == 0 {
            let place = match (m.resource, attr) {
                (Some(r), Some(a)) => format!("{r} ({a})"),
                (Some(r), None) => r.to_string(),
                (None, Some(a)) => a.to_string(),
                (None, None) => String::new(),
            };
            match (place.is_empty(), label.is_empty()) {
                (false, false) => format!("{place}: {label}"),
                (false, true) => place,
                _ => label,
            }
        } else {
            match resource {
                Some(r) => format!("{label} ({r}, line {line})"),
                None => format!("{label} (line {line})"),
            }
        };
        for (j, row) in wrap(&text, avail, avail.saturating_sub(3))
            .iter()
            .enumerate()
        {
            let indent = if j == 0 { "" } else { "   " };
            let _ = writeln!(
                out,
                "  {} {indent}{}",
                pen.frame(g.side),
                pen.paint(m.style, row)
            );
        }
    }
    let _ = writeln!(out, "  {}", pen.frame(g.bottom));
}

/// The attribute a plan line sets (`"assign_public_ip": false` → `assign_public_ip`); none
/// for the lines that name the resource itself (`address`, `type`).
fn plan_key(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('"')?;
    let (key, after) = rest.split_once('"')?;
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let own = ["address", "type", "mode"].contains(&key);
    (plain && after.trim_start().starts_with(':') && !own).then_some(key)
}

fn file_error(out: &mut String, e: &FileError, opts: &Options) {
    let pen = Pen::new(opts);
    let _ = writeln!(
        out,
        "{}: {}: {}",
        pen.paint(Pen::headline(Severity::Error), "error"),
        e.source.path,
        e.message
    );
    if let Some(span) = &e.span {
        let mark = Mark {
            span: span.clone(),
            lines: lines_of(&e.source, span),
            number: None,
            text: "",
            style: "31",
            resource: None,
        };
        snippet(out, &e.source, &[mark], &pen);
    }
}

fn char_width(c: char) -> usize {
    match c {
        '\t' => 4,
        ' '..='~' => 1,
        c => c.width().unwrap_or(0),
    }
}

fn width(s: &str) -> usize {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return s.len();
    }
    s.chars().map(char_width).sum()
}

/// Words of `text` in lines of at most `first` columns, then `rest` columns (a longer word
/// gets a line of its own); line breaks in the text are kept.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<&str> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        // The current line is `para[start..end]`, `used` columns wide.
        let (mut start, mut end, mut used) = (0, 0, 0);
        let mut at = 0;
        for word in para.split(' ') {
            let w = width(word);
            let limit = if lines.is_empty() { first } else { rest }.max(10);
            if end > start && used + 1 + w > limit {
                lines.push(&para[start..end]);
                (start, used) = (at, 0);
            } else if end > start {
                used += 1;
            }
            used += w;
            end = at + word.len();
            at = end + 1;
        }
        lines.push(&para[start..end]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_and_long_lines_are_cut_around_the_point() {
        assert_eq!(wrap("aaa bbb ccc", 10, 10), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("a\nb", 10, 10), ["a", "b"]);
        let line = format!("{}target{}", "x".repeat(100), "y".repeat(100));
        let shown = |line: &str, v: &View| {
            let mut out = String::new();
            v.write(&mut out, line, "…");
            out
        };
        let near = View::new(&line[90..], 10, 40, "…");
        let want = format!("{}target{}…", "x".repeat(10), "y".repeat(23));
        assert_eq!(shown(&line[90..], &near), want);
        let far = View::new(&line, 100, 40, "…");
        let far_text = shown(&line, &far);
        assert!(far_text.starts_with("…xxxxxxxxxxtarget") && far_text.ends_with('…'));
        assert_eq!(far.col(&line, 100), 11);
        let wide = View::new("한국어\tx  ", 0, 40, "…");
        assert_eq!(shown("한국어\tx  ", &wide), "한국어    x");
        assert_eq!(wide.col("한국어\tx", 10), 10);
    }

    #[test]
    fn plan_lines_name_their_attribute() {
        assert_eq!(
            plan_key("   \"assign_public_ip\": false"),
            Some("assign_public_ip")
        );
        assert_eq!(plan_key("  \"address\": \"aws_ecs_service.a\","), None);
        assert_eq!(plan_key("  [\"x\"]"), None);
    }
}
