//! Human output: miette's graphical report for each finding and error, then a summary line.

use std::fmt::Write;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource};

use crate::render::Report;

pub struct Options {
    pub color: bool,
    pub width: usize,
}

pub fn render(report: &Report, opts: &Options) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut out = String::new();
    for e in &report.errors {
        let named = Named {
            inner: e,
            source: NamedSource::new(&e.source.path, e.source.text.clone()),
        };
        let _ = handler.render_report(&mut out, &named);
        if e.span.is_none() {
            let _ = writeln!(out, "  in {}", e.source.path);
        }
        out.push('\n');
    }
    for f in &report.findings {
        let named = Named {
            inner: f,
            source: NamedSource::new(&f.source.path, f.source.text.clone()),
        };
        let _ = handler.render_report(&mut out, &named);
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

fn summary(report: &Report) -> String {
    let n = report.findings.len();
    let files = report.files_checked;
    let mut s = match n {
        0 => format!("No problems found in {files} file(s)."),
        1 => format!("Found 1 problem in {files} file(s)."),
        n => format!("Found {n} problems in {files} file(s)."),
    };
    if !report.errors.is_empty() {
        let _ = write!(s, " {} file error(s).", report.errors.len());
    }
    s.push('\n');
    s
}

/// A diagnostic paired with a named source, so the file name shows above the snippet.
struct Named<'a, D: Diagnostic> {
    inner: &'a D,
    source: NamedSource<String>,
}

impl<D: Diagnostic> std::fmt::Debug for Named<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl<D: Diagnostic> std::fmt::Display for Named<'_, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl<D: Diagnostic> std::error::Error for Named<'_, D> {}

impl<D: Diagnostic> Diagnostic for Named<'_, D> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner
            .source_code()
            .map(|_| &self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
}
