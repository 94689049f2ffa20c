//! Session files: reading, checking and compiling them, and finding them.
//!
//! `check`, `compile` and `format` are pure; `library` is where the file system comes in.

pub mod check;
pub mod compile;
pub mod duration;
pub mod fit;
pub mod format;
pub mod library;

use crate::diag::{self, Diagnostic};
use crate::timeline::Timeline;
use check::SoundFiles;
use format::Session;

/// The largest session file hara reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The outcome of checking one file: the session and its timeline when there were no errors,
/// and every diagnostic (warnings too) in the order a reader meets them.
#[derive(Debug)]
pub struct Checked {
    pub session: Option<(Session, Timeline)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    fn failed(diagnostics: Vec<Diagnostic>) -> Self {
        Checked {
            session: None,
            diagnostics,
        }
    }
}

/// Checks the bytes of a session file. Never panics, whatever the bytes.
pub fn check_bytes(bytes: &[u8], sounds: &dyn SoundFiles) -> Checked {
    check_file(bytes, None, sounds)
}

/// Checks the bytes of a session file called `name`; a session without a `title` is given
/// its file's name.
pub fn check_file(bytes: &[u8], name: Option<&str>, sounds: &dyn SoundFiles) -> Checked {
    if bytes.len() > MAX_FILE_BYTES {
        // Point at the line where the limit is passed, in the text as it will be shown.
        let text = String::from_utf8_lossy(bytes);
        let mut at = MAX_FILE_BYTES.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        return Checked::failed(vec![
            Diagnostic::error(
                "the file is over 1 MiB; a session file may be at most 1024 KiB",
                line_start..line_start,
            )
            .with_label("1 MiB is passed on this line")
            .with_help("is this really a session file? sessions are short TOML files"),
        ]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => check_text(text, name, sounds),
        Err(e) => {
            // Diagnostics are rendered over the lossily decoded text, where everything before
            // the first bad byte is unchanged and the bad byte became U+FFFD.
            let at = e.valid_up_to();
            Checked::failed(vec![
                Diagnostic::error("the file is not UTF-8 text", at..at + '\u{FFFD}'.len_utf8())
                    .with_label("this byte is not UTF-8")
                    .with_help(
                        "session files are TOML, which is UTF-8 text; save the file as UTF-8",
                    ),
            ])
        }
    }
}

/// A TOML syntax error, with help for the mistakes people make most.
fn syntax_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let message = e.message();
    let help = if message.contains("must be quoted") {
        "put text in quotes, as in prepare = \"5s\"; numbers and true/false go without"
    } else if message.contains("invalid basic string") {
        "close the string with a `\"` on the same line, or use \"\"\"…\"\"\" for several lines"
    } else if message.contains("duplicate key") {
        "each key may appear once in a table; remove one of them"
    } else {
        "see docs/session-format.md for the syntax of session files"
    };
    Diagnostic::error(format!("TOML syntax: {message}"), e.span().unwrap_or(0..0)).with_help(help)
}

/// Checks the text of a session file: TOML syntax, then shape and meaning, then limits.
pub fn check_str(source: &str, sounds: &dyn SoundFiles) -> Checked {
    check_text(source, None, sounds)
}

fn check_text(source: &str, name: Option<&str>, sounds: &dyn SoundFiles) -> Checked {
    let (root, syntax_errors) = toml::de::DeTable::parse_recoverable(source);
    let mut diagnostics: Vec<Diagnostic> = syntax_errors.iter().map(syntax_diagnostic).collect();
    // A file with broken syntax is still walked: the parser recovers, so mistakes in the
    // parts it could read are reported in the same pass. What the walk says about a value
    // the parser already complained of is only an echo, and is left out.
    let mut walked = Vec::new();
    let session = check::check_document(root.get_ref(), source, sounds, name, &mut walked);
    let overlaps_syntax = |d: &Diagnostic| {
        let Some(span) = &d.span else { return false };
        diagnostics.iter().any(|s| {
            s.span
                .as_ref()
                .is_some_and(|s| s.start <= span.end && span.start <= s.end)
        })
    };
    walked.retain(|d| !overlaps_syntax(d));
    diagnostics.extend(walked);
    let compiled = match session {
        Some(session) if syntax_errors.is_empty() => match compile::compile(&session) {
            Ok(timeline) => Some((session, timeline)),
            Err(limit) => {
                diagnostics.push(
                    match limit.span {
                        Some(span) => Diagnostic::error(limit.what, span),
                        None => Diagnostic::file_error(limit.what),
                    }
                    .with_help(limit.help),
                );
                None
            }
        },
        _ => None,
    };
    diag::sort(&mut diagnostics);
    Checked {
        session: compiled,
        diagnostics,
    }
}
