//! Session files: reading, checking and compiling them, and finding them.
//!
//! `check`, `compile` and `format` are pure; `library` is where the file system comes in.

pub mod check;
pub mod compile;
pub mod duration;
pub mod fit;
pub mod format;
pub mod library;
pub mod quick;
pub mod syntax;
pub mod words;

use crate::diag::{self, Diagnostic};
use crate::text;
use crate::timeline::Timeline;
use check::SoundFiles;
use format::Session;

/// The largest session file hara reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// An error for a string of the session longer than hara shows: a title or tag over
/// [`text::MAX_TITLE_CHARS`] characters, any other text over [`text::MAX_TEXT_CHARS`]. Titles
/// go into lists, the journal and its stats, where a title of 70,000 characters once broke
/// the column layout; text is shown on one screen. `what` names the string as the checker
/// does ("the title", "a tag", "the text", …).
pub fn too_long(what: &str, cleaned: &str, span: std::ops::Range<usize>) -> Option<Diagnostic> {
    let max = match what {
        "the title" | "a tag" => text::MAX_TITLE_CHARS,
        _ => text::MAX_TEXT_CHARS,
    };
    let chars = cleaned.chars().count();
    (chars > max).then(|| {
        Diagnostic::error(
            format!("{what} is {chars} characters long; the most hara takes is {max}"),
            span,
        )
        .with_label("too long")
        .with_help(if max == text::MAX_TITLE_CHARS {
            "shorten it: titles and tags are shown in lists and columns; put more in `summary` or `text`"
        } else {
            "shorten it, or split it between steps and cues"
        })
    })
}

/// The outcome of checking one file: the session and its timeline when there were no errors,
/// and the diagnostics (warnings too) in the order a reader meets them: the first
/// [`diag::MAX_SHOWN`] of them, with a count of the others in `omitted`.
#[derive(Debug)]
pub struct Checked {
    pub session: Option<(Session, Timeline)>,
    pub diagnostics: Vec<Diagnostic>,
    pub omitted: diag::Omitted,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count() + self.omitted.errors
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() + self.omitted.total() - self.errors()
    }

    fn failed(diagnostics: Vec<Diagnostic>) -> Self {
        Checked {
            session: None,
            diagnostics,
            omitted: diag::Omitted::default(),
        }
    }

    /// The diagnostics as a person reads them, for the file named `path` whose text is
    /// `source` (see [`diag::render_omitting`]).
    pub fn render(&self, path: &str, source: &str, color: bool) -> String {
        diag::render_omitting(&self.diagnostics, self.omitted, path, source, color)
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
    syntax_error(e.message(), e.span().unwrap_or(0..0))
}

fn syntax_error(message: &str, span: std::ops::Range<usize>) -> Diagnostic {
    let help = if message.contains("must be quoted") {
        "put text in quotes, as in prepare = \"5s\"; numbers and true/false go without"
    } else if message.contains("invalid basic string") {
        "close the string with a `\"` on the same line, or use \"\"\"…\"\"\" for several lines"
    } else if message.contains("duplicate key") {
        "each key may appear once in a table; remove one of them"
    } else {
        "see docs/session-format.md for the syntax of session files"
    };
    Diagnostic::error(format!("TOML syntax: {message}"), span).with_help(help)
}

/// Checks the text of a session file: TOML syntax, then shape and meaning, then limits.
pub fn check_str(source: &str, sounds: &dyn SoundFiles) -> Checked {
    check_text(source, None, sounds)
}

fn check_text(source: &str, name: Option<&str>, sounds: &dyn SoundFiles) -> Checked {
    // A file of too many errors or entries is reported from a first, counting pass.
    match syntax::too_much(source, diag::MAX_SHOWN) {
        None => {}
        Some(syntax::TooMuch::Errors(first, count)) => {
            let mut diagnostics = diag::Diagnostics::new();
            diagnostics.extend(first.iter().map(|(m, span)| syntax_error(m, span.clone())));
            let (diagnostics, mut omitted) = diagnostics.finish();
            omitted.errors += count - diagnostics.len();
            return Checked {
                session: None,
                diagnostics,
                omitted,
            };
        }
        Some(syntax::TooMuch::Items(n)) => {
            return Checked::failed(vec![
                Diagnostic::file_error(format!(
                    "the file holds {n} keys, values and tables; a session file may hold at most {}",
                    syntax::MAX_ITEMS
                ))
                .with_help("is this really a session file? sessions are short TOML files"),
            ]);
        }
    }
    let (root, syntax_errors) = toml::de::DeTable::parse_recoverable(source);
    let mut diagnostics = diag::Diagnostics::new();
    diagnostics.extend(syntax_errors.iter().map(syntax_diagnostic));
    let syntax_ok = syntax_errors.is_empty();
    // A file with broken syntax is still walked: the parser recovers, so mistakes in the
    // parts it could read are reported in the same pass. What the walk says about a value
    // the parser already complained of is only an echo, and is left out.
    diagnostics.mute(syntax_errors.iter().filter_map(|e| e.span()));
    drop(syntax_errors);
    let session = check::check_document(root.get_ref(), source, sounds, name, &mut diagnostics);
    let compiled = match session {
        // Checked with the first seed: limits count every interval at its shortest, so
        // they hold for any seed; a run plans the session again with a seed of its own.
        Some(session) if syntax_ok => match compile::compile(&session, 0) {
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
    let (diagnostics, omitted) = diagnostics.finish();
    Checked {
        session: compiled,
        diagnostics,
        omitted,
    }
}
