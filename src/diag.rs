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
    diags.sort_by_key(|d| (d.span.as_ref().map(|s| (s.start, s.end)), d.severity));
}

/// Renders diagnostics for one file. `color` selects ANSI styling.
pub fn render(diags: &[Diagnostic], path: &str, source: &str, color: bool) -> String {
    let shown = text::display_source(source);
    let path = text::clean_line(path);
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let message = text::clean_line(&d.message);
        let title = level.primary_title(message.as_str());
        let group = match &d.span {
            Some(span) => {
                let mut annotation = AnnotationKind::Primary.span(clamp_span(span, &shown));
                if let Some(label) = &d.label {
                    annotation = annotation.label(label.as_str());
                }
                title.element(
                    Snippet::source(shown.as_str())
                        .path(path.as_str())
                        .annotation(annotation),
                )
            }
            // No position: name the file, without a snippet.
            None => title.element(Origin::path(path.as_str())),
        };
        let mut report: Vec<Group<'_>> = vec![group];
        if let Some(help) = &d.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
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
