//! Reading a session file into a [`Session`], reporting every problem in one pass.
//!
//! The TOML crate parses (recovering from syntax errors so they are all reported) into a tree
//! in which every key and value keeps its byte span. This module walks that tree: a wrong
//! shape or a wrong meaning becomes a [`Diagnostic`] pointing at the value, and the walk goes
//! on, so a file with ten mistakes gets ten messages.

mod ambient;
mod bells;
mod cues;
mod patterns;
mod steps;
mod top;
mod values;

use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::compile;
use super::duration;
use super::format::*;
use super::words;
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::principles::{self, PRINCIPLES};
use crate::text;

/// How sounds that are not built-in instruments are found. The checker itself does no I/O;
/// the session library supplies an implementation that looks at the file system.
pub trait SoundFiles {
    /// The file a sound name or relative path refers to, if it exists.
    fn resolve(&self, name: &str) -> Option<PathBuf>;
    /// Names of the sound files that can be used by name, for suggestions.
    fn names(&self) -> Vec<String>;
    /// Whether paths are relative to a session file (false for built-in sessions).
    fn has_session_dir(&self) -> bool;
    /// Why a found file cannot be played, if it cannot.
    fn unplayable(&self, path: &std::path::Path) -> Option<String>;
}

/// Only the built-in instruments: for built-in sessions and for tests.
pub struct InstrumentsOnly;

impl SoundFiles for InstrumentsOnly {
    fn resolve(&self, _: &str) -> Option<PathBuf> {
        None
    }
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
    fn has_session_dir(&self) -> bool {
        false
    }
    fn unplayable(&self, _: &std::path::Path) -> Option<String> {
        None
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

/// Walks a parsed document. Returns the session when the walk found no errors.
/// `name` is the file's name, the title of a session that gives none.
pub fn check_document(
    root: &DeTable<'_>,
    source: &str,
    sounds: &dyn SoundFiles,
    name: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Session> {
    let errors_before = diags.errors();
    let mut c = Checker {
        source,
        sounds,
        name,
        declared: None,
        syntax_broken: errors_before > 0,
        diags,
    };
    let session = c.session(root);
    let clean = c.diags.errors() == errors_before;
    session.filter(|_| clean)
}

struct Checker<'a> {
    source: &'a str,
    sounds: &'a dyn SoundFiles,
    /// The file's name, for a session without a title.
    name: Option<&'a str>,
    /// The version its `format` line declares, if it has one.
    declared: Option<FormatVersion>,
    /// The TOML parser already reported errors (all that `diags` held on the way in): what
    /// it could not read may be what the file seems to lack.
    syntax_broken: bool,
    diags: &'a mut Diagnostics,
}

impl Checker<'_> {
    /// Keys added by a later format are refused in a file that declares an earlier one, so
    /// that a file saying `format = 1` still means the same to an older hara. A file without
    /// a `format` line may use everything this hara reads.
    fn needs(&mut self, version: FormatVersion, what: &str, span: Span) {
        let Some(declared) = self.declared.filter(|&d| d < version) else {
            return;
        };
        self.push(
            Diagnostic::error(
                format!("{what} needs session format {}", version.as_toml()),
                span,
            )
            .with_label(format!("new in format {}", version.as_toml()))
            .with_help(format!(
                "this file says `format = {}`; write `format = {}` at its top",
                declared.as_toml(),
                version.as_toml()
            )),
        );
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Errors for the keys of `table` that `allowed` does not list, suggesting the closest.
pub fn unknown_keys(table: &DeTable<'_>, allowed: &[&str], what: &str) -> Vec<Diagnostic> {
    table
        .keys()
        .filter(|key| !allowed.contains(&key.get_ref().as_ref()))
        .map(|key| {
            let name = key.get_ref().as_ref();
            let help = match did_you_mean(name, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{what} takes: {}", allowed.join(", ")),
            };
            Diagnostic::error(
                format!("unknown key `{}` in {what}", text::clean_line(name)),
                key.span(),
            )
            .with_label("not a key hara knows here")
            .with_help(help)
        })
        .collect()
}

fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    table.get(key)
}

fn key_span(table: &DeTable<'_>, key: &str) -> Option<Span> {
    table
        .keys()
        .find(|k| k.get_ref().as_ref() == key)
        .map(|k| k.span())
}

/// For the unit tests of each part: every diagnostic of a session text as
/// "line:col severity: message [help]", in order.
#[cfg(test)]
fn findings(source: &str) -> Vec<String> {
    let checked = crate::session::check_str(source, &InstrumentsOnly);
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.span.as_ref().map_or(0, |s| s.start);
            let before = &source[..at.min(source.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            let kind = if d.is_error() { "error" } else { "warning" };
            let help = d.help.as_deref().unwrap_or("");
            format!("{line}:{col} {kind}: {} [{help}]", d.message)
        })
        .collect()
}

/// A minimal valid session with `step` as its one step's extra lines.
#[cfg(test)]
fn with_step(step: &str) -> String {
    format!("title = \"T\"\n[[step]]\ntitle = \"S\"\n{step}")
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn both_versions_read_and_a_later_one_is_refused_with_its_number() {
        for ok in ["format = 1", "format = 1.1", "format = 1.0"] {
            let source = format!("{ok}\n{}", with_step("duration = \"1m\""));
            assert_eq!(findings(&source), Vec::<String>::new(), "{ok}");
        }
        let source = format!("format = 2.5\n{}", with_step("duration = \"1m\""));
        assert_eq!(
            findings(&source),
            [
                "1:10 error: this file is written for session format 2.5; this hara reads formats 1 and 1.1 [upgrade hara, or rewrite the session for format 1.1]"
            ]
        );
    }

    #[test]
    fn a_newer_key_in_a_file_that_declares_format_1_says_which_version_it_needs() {
        let check = |declared: Option<FormatVersion>| {
            let mut diags = Diagnostics::new();
            let mut c = Checker {
                source: "",
                sounds: &InstrumentsOnly,
                name: None,
                declared,
                syntax_broken: false,
                diags: &mut diags,
            };
            c.needs(FormatVersion::V1_1, "`duration = \"open\"`", 3..9);
            diags
                .finish()
                .0
                .into_iter()
                .map(|d| format!("{} [{}]", d.message, d.help.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check(Some(FormatVersion::V1_0)),
            [
                "`duration = \"open\"` needs session format 1.1 [this file says `format = 1`; write `format = 1.1` at its top]"
            ]
        );
        assert!(check(Some(FormatVersion::V1_1)).is_empty());
        assert!(check(None).is_empty());
    }
}
