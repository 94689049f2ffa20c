//! Diagnostics: what is wrong (or doubtful) in a file, and where.
//!
//! They are collected, never thrown, so one pass reports everything; rendering happens at
//! the edge, in the style people know from rustc and cargo.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, pointing at a byte range of the source (or at the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Range<usize>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>, span: Range<usize>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message, span)
        }
    }

    /// An error about the file as a whole (its size, its encoding, its total length).
    pub fn file_error(message: impl Into<String>) -> Self {
        Self {
            span: None,
            ..Self::error(message, 0..0)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Orders diagnostics as a reader meets them: by position, file-wide ones first.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(order);
}

fn order(d: &Diagnostic) -> (Option<(usize, usize)>, Severity) {
    (d.span.as_ref().map(|s| (s.start, s.end)), d.severity)
}

/// The most diagnostics kept, and shown, for one file. A file with more (a fuzzed or
/// binary file can have hundreds of thousands) gets these, the first a reader meets, and a
/// count of the rest: the work of reporting and the size of the report stay bounded.
pub const MAX_SHOWN: usize = 50;

/// Errors and warnings found but not kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Omitted {
    pub errors: usize,
    pub warnings: usize,
}

impl Omitted {
    pub fn total(&self) -> usize {
        self.errors + self.warnings
    }
}

/// A diagnostic waiting in [`Diagnostics`], ordered as a reader meets it (ties in the order
/// they were found).
#[derive(Debug)]
struct Queued {
    key: ((Option<(usize, usize)>, Severity), usize),
    diagnostic: Diagnostic,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// Diagnostics as they are found, in bounded memory: every one is counted, and the first
/// [`MAX_SHOWN`] in reading order are kept. Those overlapping a muted span (text the TOML
/// parser already complained of) are left out altogether.
#[derive(Debug, Default)]
pub struct Diagnostics {
    kept: std::collections::BinaryHeap<Queued>,
    errors: usize,
    warnings: usize,
    found: usize,
    muted: Vec<Range<usize>>,
    /// For each muted span, the furthest end among it and those before it.
    muted_reach: Vec<usize>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.is_muted(&d) {
            return;
        }
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        let queued = Queued {
            key: (order(&d), self.found),
            diagnostic: d,
        };
        self.found += 1;
        if self.kept.len() < MAX_SHOWN {
            self.kept.push(queued);
        } else if self.kept.peek().is_some_and(|last| queued < *last) {
            self.kept.pop();
            self.kept.push(queued);
        }
    }

    /// From now on, leaves out diagnostics that overlap any of `spans`.
    pub fn mute(&mut self, spans: impl IntoIterator<Item = Range<usize>>) {
        self.muted.extend(spans);
        self.muted.sort_by_key(|s| (s.start, s.end));
        let mut reach = 0;
        self.muted_reach = self
            .muted
            .iter()
            .map(|s| {
                reach = reach.max(s.end);
                reach
            })
            .collect();
    }

    fn is_muted(&self, d: &Diagnostic) -> bool {
        let Some(span) = &d.span else { return false };
        // Muted spans starting at or before this one's end; does any reach its start?
        let before = self.muted.partition_point(|m| m.start <= span.end);
        before > 0 && self.muted_reach[before - 1] >= span.start
    }

    pub fn errors(&self) -> usize {
        self.errors
    }

    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// The kept diagnostics in reading order, and the count of the others.
    pub fn finish(self) -> (Vec<Diagnostic>, Omitted) {
        let kept: Vec<Diagnostic> = self
            .kept
            .into_sorted_vec()
            .into_iter()
            .map(|q| q.diagnostic)
            .collect();
        let kept_errors = kept.iter().filter(|d| d.is_error()).count();
        let omitted = Omitted {
            errors: self.errors - kept_errors,
            warnings: self.warnings - (kept.len() - kept_errors),
        };
        (kept, omitted)
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for d in iter {
            self.push(d);
        }
    }
}

/// A source line up to this many characters is shown whole. A longer one is cut to a
/// window around the caret: [`SHOWN_BEFORE`] characters before it, and after it as many as
/// the marked span needs (at least [`SHOWN_AFTER`]), up to this many in all.
const SHOWN_LINE: usize = 160;
/// The most characters of a line of help shown under a diagnostic.
const SHOWN_HELP_LINE: usize = 1000;
const SHOWN_BEFORE: usize = 60;
const SHOWN_AFTER: usize = 60;

/// Renders diagnostics for one file (at most [`MAX_SHOWN`] of them, then a count of the
/// rest). `color` selects ANSI styling.
pub fn render(diags: &[Diagnostic], path: &str, source: &str, color: bool) -> String {
    render_omitting(diags, Omitted::default(), path, source, color)
}

/// Like [`render`], for diagnostics of which `omitted` more were found and not kept.
///
/// Each diagnostic shows only the line its span starts on, cut to a window around the caret,
/// so the work and the output are bounded by the number shown, not by the file: a file of one
/// megabyte-long line costs no more than a short one.
pub fn render_omitting(
    diags: &[Diagnostic],
    omitted: Omitted,
    path: &str,
    source: &str,
    color: bool,
) -> String {
    let path = text::clean_line(path);
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut lines = LineFinder::new(source);
    let mut out = String::new();
    let shown = diags.len().min(MAX_SHOWN);
    for d in &diags[..shown] {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        // A message can quote the file (an unknown key, a tag): one line of a bounded width,
        // like the source lines shown under it.
        let message = text::fit(&text::clean_line(&d.message), SHOWN_LINE);
        // Labels and help can quote the file (a key, a sound folder's names): cleaned, and
        // each line cut to a bounded length.
        let label = d
            .label
            .as_deref()
            .map(|l| text::fit(&text::clean_line(l), SHOWN_LINE));
        let help = d.help.as_deref().map(|h| {
            let lines: Vec<String> = text::clean_lines(h)
                .lines()
                .map(|l| text::fit(l, SHOWN_HELP_LINE))
                .collect();
            lines.join("\n")
        });
        let title = level.primary_title(message.as_str());
        let mut rendered = match &d.span {
            Some(span) => {
                let w = window(source, &mut lines, span);
                let mut annotation = AnnotationKind::Primary.span(w.span.clone());
                if let Some(label) = &label {
                    annotation = annotation.label(label.as_str());
                }
                let group = title.element(
                    Snippet::source(w.text.as_str())
                        .line_start(w.line)
                        .path(path.as_str())
                        .annotation(annotation),
                );
                let mut report: Vec<Group<'_>> = vec![group];
                if let Some(help) = &help {
                    report.push(Group::with_title(
                        Level::HELP.secondary_title(help.as_str()),
                    ));
                }
                let rendered = renderer.render(&report);
                // The header counts columns in the window; name the column in the file.
                fix_column(rendered, &path, w.line, w.shown_column, w.column)
            }
            // No position: name the file, without a snippet.
            None => {
                let mut report: Vec<Group<'_>> = vec![title.element(Origin::path(path.as_str()))];
                if let Some(help) = &help {
                    report.push(Group::with_title(
                        Level::HELP.secondary_title(help.as_str()),
                    ));
                }
                renderer.render(&report)
            }
        };
        rendered.push_str("\n\n");
        out.push_str(&rendered);
    }
    let more = Omitted {
        errors: omitted.errors + diags[shown..].iter().filter(|d| d.is_error()).count(),
        warnings: omitted.warnings + diags[shown..].iter().filter(|d| !d.is_error()).count(),
    };
    if more.total() > 0 {
        let count =
            |n: usize, what: &str| format!("{n} more {what}{}", if n == 1 { "" } else { "s" });
        let what = match (more.errors, more.warnings) {
            (e, 0) => count(e, "error"),
            (0, w) => count(w, "warning"),
            (e, w) => format!("{} and {}", count(e, "error"), count(w, "warning")),
        };
        out.push_str(&format!(
            "note: {path}: {what} not shown (hara shows the first {MAX_SHOWN} of a file)\n\n"
        ));
    }
    out
}

/// Finds the line a position is on, counting newlines from the last position asked about
/// (diagnostics come in reading order, so the whole file is scanned about once).
struct LineFinder<'s> {
    source: &'s str,
    at: usize,
    line: usize,
}

impl<'s> LineFinder<'s> {
    fn new(source: &'s str) -> Self {
        LineFinder {
            source,
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `pos`, which must be on a character boundary.
    fn line_of(&mut self, pos: usize) -> usize {
        if pos < self.at {
            self.at = 0;
            self.line = 1;
        }
        let bytes = &self.source.as_bytes()[self.at..pos];
        self.line += bytes.iter().filter(|&&b| b == b'\n').count();
        self.at = pos;
        self.line
    }
}

/// What of a source line a diagnostic shows.
struct Window {
    /// The shown part of the line, made safe to print, with `…` where it was cut.
    text: String,
    /// The span within `text`.
    span: Range<usize>,
    /// The 1-based line number.
    line: usize,
    /// The 1-based column of the span's start in the line, and in `text`.
    column: usize,
    shown_column: usize,
}

/// The part of the line holding `span`'s start (see [`SHOWN_LINE`]). A span running onto
/// later lines is marked to the end of its first line.
fn window(source: &str, lines: &mut LineFinder<'_>, span: &Range<usize>) -> Window {
    let span = clamp_span(span, source);
    let line_start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[span.start..]
        .find('\n')
        .map_or(source.len(), |i| span.start + i);
    let line = lines.line_of(span.start);
    let before = &source[line_start..span.start];
    let column = before.chars().count() + 1;
    let short = source[line_start..line_end]
        .chars()
        .nth(SHOWN_LINE)
        .is_none();
    let (from, to) = if short {
        (line_start, line_end)
    } else {
        let from = before
            .char_indices()
            .rev()
            .nth(SHOWN_BEFORE - 1)
            .map_or(line_start, |(i, _)| line_start + i);
        let shown_before = source[from..span.start].chars().count();
        let marked = source[span.start..span.end.min(line_end)]
            .chars()
            .take(SHOWN_LINE)
            .count();
        let after = (marked + 10)
            .max(SHOWN_AFTER)
            .min(SHOWN_LINE - shown_before);
        let to = source[span.start..line_end]
            .char_indices()
            .nth(after)
            .map_or(line_end, |(i, _)| span.start + i);
        (from, to)
    };
    let mut text = String::new();
    if from > line_start {
        text.push('…');
    }
    let offset = text.len();
    text.push_str(&text::display_source(&source[from..to]));
    if to < line_end {
        text.push('…');
    }
    let start = offset + (span.start - from);
    let end = offset + (span.end.min(to) - from);
    Window {
        shown_column: text[..start].chars().count() + 1,
        text,
        span: start..end.max(start),
        line,
        column,
    }
}

/// Puts the file's column in the `--> path:line:col` header of a rendered diagnostic, in
/// place of the window's. The header is the first line after the title.
fn fix_column(rendered: String, path: &str, line: usize, shown: usize, column: usize) -> String {
    if shown == column {
        return rendered;
    }
    let Some(title_end) = rendered.find('\n') else {
        return rendered;
    };
    let (title, rest) = rendered.split_at(title_end);
    let header_end = rest[1..].find('\n').map_or(rest.len(), |i| i + 1);
    let (header, body) = rest.split_at(header_end);
    let header = header.replacen(
        &format!("{path}:{line}:{shown}"),
        &format!("{path}:{line}:{column}"),
        1,
    );
    format!("{title}{header}{body}")
}

/// Keeps a span inside the source and on character boundaries, so a bad span can never make
/// rendering panic.
fn clamp_span(span: &Range<usize>, source: &str) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start);
    start..fix(span.end).max(start)
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_caret_and_help() {
        let src = "title = \"x\"\nprepare = \"5q\"\n";
        let d = Diagnostic::error("bad duration", 22..26)
            .with_label("unknown unit")
            .with_help("write durations like \"90s\"");
        let out = render(&[d], "a.toml", src, false);
        assert!(out.contains("error: bad duration"), "{out}");
        assert!(out.contains("--> a.toml:2:11"), "{out}");
        assert!(out.contains("^^^^ unknown unit"), "{out}");
        assert!(out.contains("help: write durations like"), "{out}");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let src = "é";
        let out = render(&[Diagnostic::error("x", 1..99)], "a", src, false);
        assert!(out.contains("error: x"));
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            did_you_mean("durattion", ["duration", "breaths"]),
            Some("duration")
        );
        assert_eq!(did_you_mean("zzz", ["duration", "breaths"]), None);
    }
}
