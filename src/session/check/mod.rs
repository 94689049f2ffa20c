//! Reading a session file into a [`Session`], reporting every problem in one pass.
//!
//! The TOML crate parses (recovering from syntax errors so they are all reported) into a tree
//! in which every key and value keeps its byte span. This module walks that tree: a wrong
//! shape or a wrong meaning becomes a [`Diagnostic`] pointing at the value, and the walk goes
//! on, so a file with ten mistakes gets ten messages.

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
    diags: &'a mut Diagnostics,
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
