//! Reading a session file into a [`Session`], reporting every problem in one pass.
//!
//! The TOML crate parses (recovering from syntax errors so they are all reported) into a tree
//! in which every key and value keeps its byte span. This module walks that tree: a wrong
//! shape or a wrong meaning becomes a [`Diagnostic`] pointing at the value, and the walk goes
//! on, so a file with ten mistakes gets ten messages.

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

/// Breathing faster than this many breaths a minute earns a warning.
const FAST_BREATHS_PER_MINUTE: u32 = 20;
/// The deepest nesting of repeat groups.
const MAX_GROUP_DEPTH: usize = 8;
const MAX_BREATHS: i64 = 10_000;
const MAX_REPEAT: i64 = 10_000;
const MAX_STRIKES: i64 = 20;
const MAX_GAP: Duration = Duration::from_secs(60);
const SOUND_EXTENSIONS: [&str; 3] = ["wav", "ogg", "oga"];

const TOP_KEYS: &[&str] = &[
    "format", "title", "summary", "tags", "prepare", "tones", "bells", "step",
];
const STEP_KEYS: &[&str] = &[
    "title",
    "text",
    "principle",
    "duration",
    "breaths",
    "breath",
    "tones",
    "cues",
    "bell",
];
const GROUP_KEYS: &[&str] = &["title", "repeat", "step"];
const CUE_KEYS: &[&str] = &["at", "every", "text", "principle"];
const BELLS_KEYS: &[&str] = &["start", "end", "interval", "at"];
const BELL_KEYS: &[&str] = &["sound", "strikes", "gap", "volume"];
const INTERVAL_KEYS: &[&str] = &["every", "sound", "strikes", "gap", "volume"];
const TIMED_BELL_KEYS: &[&str] = &["at", "sound", "strikes", "gap", "volume"];
const PATTERN_KEYS: &[&str] = &["inhale", "top_up", "hold", "exhale", "rest"];
const RAMP_KEYS: &[&str] = &["from", "to"];

type Value<'i> = Spanned<DeValue<'i>>;

/// Walks a parsed document. Returns the session when the walk found no errors.
pub fn check_document(
    root: &DeTable<'_>,
    source: &str,
    sounds: &dyn SoundFiles,
    diags: &mut Diagnostics,
) -> Option<Session> {
    let errors_before = diags.errors();
    let mut c = Checker {
        source,
        sounds,
        diags,
    };
    let session = c.session(root);
    let clean = c.diags.errors() == errors_before;
    session.filter(|_| clean)
}

struct Checker<'a> {
    source: &'a str,
    sounds: &'a dyn SoundFiles,
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

impl Checker<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn error(&mut self, message: impl Into<String>, span: Span, help: impl Into<String>) {
        self.push(Diagnostic::error(message, span).with_help(help));
    }

    fn wrong_type(&mut self, v: &Value<'_>, expected: &str, help: impl Into<String>) {
        self.push(
            Diagnostic::error(
                format!("expected {expected}, found {}", type_name(v.get_ref())),
                v.span(),
            )
            .with_label(format!("this is {}", type_name(v.get_ref())))
            .with_help(help),
        );
    }

    fn known_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], what: &str) {
        self.diags.extend(unknown_keys(table, allowed, what));
    }

    /// The span of bytes `at` inside a string value, when the literal in the file is exactly
    /// the string between quotes (no escapes); otherwise the whole value.
    fn inner_span(&self, v: &Value<'_>, s: &str, at: std::ops::Range<usize>) -> Span {
        let span = v.span();
        let literal = self.source.get(span.clone()).unwrap_or("");
        let quoted = literal.len() == s.len() + 2
            && (literal.starts_with('"') || literal.starts_with('\''))
            && &literal[1..literal.len() - 1] == s;
        if quoted {
            span.start + 1 + at.start..span.start + 1 + at.end
        } else {
            span
        }
    }

    // ---------- scalars ----------

    fn string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, "a string", format!("put {what} in quotes: \"…\""));
            return None;
        };
        if text::has_hidden_controls(s) {
            self.push(
                Diagnostic::warning("this text contains control characters", v.span())
                    .with_label("they are removed before display")
                    .with_help("remove them; text in a session can never drive the terminal"),
            );
        }
        let cleaned = text::clean_line(s);
        if let Some(d) = super::too_long(what, &cleaned, v.span()) {
            self.push(d);
            return None;
        }
        Some(cleaned)
    }

    fn nonempty_string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        let s = self.string(v, what)?;
        if s.is_empty() {
            self.error(
                format!("{what} is empty"),
                v.span(),
                format!("write {what}, or leave the key out"),
            );
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, v: &Value<'_>) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, "true or false", "write true or false, without quotes");
                None
            }
        }
    }

    fn integer(
        &mut self,
        v: &Value<'_>,
        range: std::ops::RangeInclusive<i64>,
        what: &str,
    ) -> Option<i64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => {
                self.wrong_type(
                    v,
                    "a whole number",
                    format!(
                        "write {what} as a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                return None;
            }
        };
        match parsed {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                self.push(
                    Diagnostic::error(
                        format!("{what} must be from {} to {}", range.start(), range.end()),
                        v.span(),
                    )
                    .with_label("out of range")
                    .with_help(format!(
                        "write a whole number from {} to {}",
                        range.start(),
                        range.end()
                    )),
                );
                None
            }
        }
    }

    /// A duration: seconds as a number, or a string with units.
    fn duration(&mut self, v: &Value<'_>) -> Option<Duration> {
        let negative = |this: &mut Self| {
            this.error(
                "a duration cannot be negative",
                v.span(),
                duration::FORMS_HELP,
            );
            None
        };
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if n < 0 => negative(self),
                Ok(n) => match duration::parse_decimal(&n.to_string(), 1000) {
                    Some(ms) => Some(Duration::from_millis(ms)),
                    None => {
                        self.error(
                            "this duration is far too long",
                            v.span(),
                            duration::FORMS_HELP,
                        );
                        None
                    }
                },
                Err(_) => {
                    self.error("this number is too large", v.span(), duration::FORMS_HELP);
                    None
                }
            },
            DeValue::Float(f) => {
                let literal = f.as_str().trim_start_matches('+').replace('_', "");
                if literal.starts_with('-') {
                    return negative(self);
                }
                match duration::parse_decimal(&literal, 1000) {
                    Some(ms) => Some(Duration::from_millis(ms)),
                    None => {
                        let message = if literal.bytes().any(|b| b.is_ascii_alphabetic()) {
                            "write seconds as a plain decimal number (no exponent, inf or nan)"
                        } else {
                            "seconds need at most three decimal places (millisecond precision)"
                        };
                        self.error(message, v.span(), duration::FORMS_HELP);
                        None
                    }
                }
            }
            DeValue::String(s) if s.trim_start().starts_with('-') => negative(self),
            DeValue::String(s) => match duration::parse(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    let trimmed = s.trim();
                    let help = if e.message == "this number has no unit" {
                        format!(
                            "add a unit, as in \"{trimmed}s\" or \"{trimmed}m\", or write the seconds without quotes"
                        )
                    } else {
                        duration::FORMS_HELP.to_string()
                    };
                    let span = self.inner_span(v, s, e.at.clone());
                    self.push(
                        Diagnostic::error(format!("invalid duration: {}", e.message), span)
                            .with_help(help),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, "a duration", duration::FORMS_HELP);
                None
            }
        }
    }

    fn positive_duration(&mut self, v: &Value<'_>, what: &str) -> Option<Duration> {
        let d = self.duration(v)?;
        if d.is_zero() {
            self.push(
                Diagnostic::error(format!("{what} must be longer than zero"), v.span())
                    .with_label("zero")
                    .with_help(duration::FORMS_HELP),
            );
            return None;
        }
        Some(d)
    }

    fn volume(&mut self, v: &Value<'_>) -> Option<f32> {
        let value = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong_type(
                    v,
                    "a number",
                    "write a volume from 0.0 (silent) to 1.0 (full)",
                );
                return None;
            }
        };
        match value {
            Some(x) if (0.0..=1.0).contains(&x) => Some(x as f32),
            _ => {
                self.push(
                    Diagnostic::error("volume must be from 0.0 to 1.0", v.span())
                        .with_label("out of range")
                        .with_help("write a volume from 0.0 (silent) to 1.0 (full)"),
                );
                None
            }
        }
    }

    fn table<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
        keys: &[&str],
    ) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => {
                self.known_keys(t, keys, what);
                Some(t)
            }
            _ => {
                self.wrong_type(
                    v,
                    "a table",
                    format!("{what} is a table, e.g. {{ {} = … }}", keys[0]),
                );
                None
            }
        }
    }

    fn array<'t, 'i>(&mut self, v: &'t Value<'i>, help: &str) -> Option<&'t [Value<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(&a[..]),
            _ => {
                self.wrong_type(v, "an array", help.to_string());
                None
            }
        }
    }

    // ---------- the session ----------

    fn session(&mut self, root: &DeTable<'_>) -> Option<Session> {
        self.known_keys(root, TOP_KEYS, "a session");
        if let Some(v) = get(root, "format")
            && let Some(n) = self.integer(v, 1..=i64::MAX, "format")
            && n != FORMAT_VERSION
        {
            self.error(
                format!("this file is written for session format {n}; this hara reads format {FORMAT_VERSION}"),
                v.span(),
                "upgrade hara, or rewrite the session for format 1",
            );
        }
        let title = match get(root, "title") {
            Some(v) => self.nonempty_string(v, "the title"),
            None => {
                self.error(
                    "a session needs a title",
                    0..0,
                    "add a line like `title = \"Before a client\"` at the top",
                );
                None
            }
        };
        let summary = get(root, "summary").and_then(|v| self.string(v, "the summary"));
        let tags = get(root, "tags").map_or_else(Vec::new, |v| self.tags(v));
        let prepare = get(root, "prepare").map_or(Some(Duration::ZERO), |v| self.duration(v));
        let tones = get(root, "tones").map_or(Some(false), |v| self.boolean(v));
        let bells = match get(root, "bells") {
            Some(v) => self.bells(v),
            None => Some(Bells::defaults()),
        };
        let items = match get(root, "step") {
            Some(v) => self.items(v, tones.unwrap_or(false), 0),
            None => {
                self.error(
                    "a session needs at least one step",
                    0..0,
                    "add a step:\n\n[[step]]\ntitle = \"Sit\"\nduration = \"5m\"",
                );
                None
            }
        };
        let (title, prepare, mut bells, items) = (title?, prepare?, bells?, items?);
        self.check_session_bells(&mut bells, &items);
        Some(Session {
            title,
            summary: summary.filter(|s| !s.is_empty()),
            tags,
            prepare,
            bells,
            items,
        })
    }

    fn tags(&mut self, v: &Value<'_>) -> Vec<String> {
        let Some(items) = self.array(v, "write tags as a list: tags = [\"bodywork\", \"short\"]")
        else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|t| self.nonempty_string(t, "a tag"))
            .collect()
    }

    /// Bells sounded at an offset must fall within the session.
    fn check_session_bells(&mut self, bells: &mut Bells, items: &[Item]) {
        let total = compile::items_length(items);
        for bell in &bells.at {
            if bell.at > total {
                self.push(
                    Diagnostic::error(
                        "this bell comes after the session ends",
                        bell.at_span.clone(),
                    )
                    .with_label(format!("at {}", duration::format(bell.at)))
                    .with_help(format!(
                        "the session is {} long; use `end` for a bell at the end",
                        duration::format(total)
                    )),
                );
            }
        }
    }

    // ---------- bells ----------

    fn bells(&mut self, v: &Value<'_>) -> Option<Bells> {
        let t = self.table(v, "[bells]", BELLS_KEYS)?;
        let defaults = Bells::defaults();
        let start = match get(t, "start") {
            Some(v) => self.bell(v),
            None => Some(defaults.start),
        };
        let end = match get(t, "end") {
            Some(v) => self.bell(v),
            None => Some(defaults.end),
        };
        let interval = get(t, "interval").map(|v| self.interval_bell(v));
        let at = get(t, "at").map(|v| self.timed_bells(v));
        Some(Bells {
            start: start?,
            end: end?,
            interval: interval.unwrap_or(Some(None))?,
            at: at.unwrap_or(Some(Vec::new()))?,
        })
    }

    /// A bell given as a sound name, `"none"`/`false`, or a table. `Some(None)` is "no bell".
    fn bell(&mut self, v: &Value<'_>) -> Option<Option<Bell>> {
        match v.get_ref() {
            DeValue::Boolean(false) => Some(None),
            DeValue::Boolean(true) => Some(Some(Bell::default())),
            DeValue::String(s) if s.as_ref() == "none" => Some(None),
            DeValue::String(_) => Some(self.sound(v).map(|sound| Bell {
                sound,
                ..Bell::default()
            })),
            DeValue::Table(t) => {
                self.known_keys(t, BELL_KEYS, "a bell");
                self.bell_fields(t).map(Some)
            }
            _ => {
                self.wrong_type(
                    v,
                    "a sound name or a table",
                    "write a bell as \"bowl\", \"none\", or { sound = \"bowl\", strikes = 3, gap = \"2.5s\", volume = 0.8 }",
                );
                None
            }
        }
    }

    /// sound, strikes, gap, volume; each optional.
    fn bell_fields(&mut self, t: &DeTable<'_>) -> Option<Bell> {
        let d = Bell::default();
        let sound = get(t, "sound").map_or(Some(d.sound.clone()), |v| self.sound(v));
        let strikes =
            get(t, "strikes").map_or(Some(1), |v| self.integer(v, 1..=MAX_STRIKES, "strikes"));
        let gap = match get(t, "gap") {
            Some(v) => self
                .positive_duration(v, "the gap between strikes")
                .and_then(|g| {
                    if g > MAX_GAP {
                        self.error(
                            "the gap between strikes is over a minute",
                            v.span(),
                            "use a gap of a few seconds, e.g. \"2.5s\"",
                        );
                        None
                    } else {
                        Some(g)
                    }
                }),
            None => Some(d.gap),
        };
        let volume = get(t, "volume").map_or(Some(d.volume), |v| self.volume(v));
        Some(Bell {
            sound: sound?,
            strikes: u32::try_from(strikes?).ok()?,
            gap: gap?,
            volume: volume?,
        })
    }

    fn interval_bell(&mut self, v: &Value<'_>) -> Option<Option<IntervalBell>> {
        let t = self.table(v, "an interval bell", INTERVAL_KEYS)?;
        let every = match get(t, "every") {
            Some(v) => self.positive_duration(v, "the interval"),
            None => {
                self.error(
                    "an interval bell needs `every`",
                    v.span(),
                    "write interval = { every = \"5m\", sound = \"bell\" }",
                );
                None
            }
        };
        let bell = self.bell_fields(t);
        Some(Some(IntervalBell {
            every: every?,
            bell: bell?,
        }))
    }

    fn timed_bells(&mut self, v: &Value<'_>) -> Option<Vec<TimedBell>> {
        let items = self.array(
            v,
            "write bells at offsets as [[bells.at]] tables with `at = \"10m\"`",
        )?;
        let mut out = Some(Vec::new());
        for item in items {
            let bell = self
                .table(item, "a bell at an offset", TIMED_BELL_KEYS)
                .and_then(|t| {
                    let at = match get(t, "at") {
                        Some(a) => self.duration(a).map(|d| (d, a.span())),
                        None => {
                            self.error("this bell needs `at`", item.span(), "write at = \"10m\"");
                            None
                        }
                    };
                    let bell = self.bell_fields(t);
                    let (at, at_span) = at?;
                    Some(TimedBell {
                        at,
                        at_span,
                        bell: bell?,
                    })
                });
            match (bell, &mut out) {
                (Some(b), Some(list)) => list.push(b),
                _ => out = None,
            }
        }
        out
    }

    fn sound(&mut self, v: &Value<'_>) -> Option<Sound> {
        let name = self.nonempty_string(v, "the sound")?;
        if let Some(i) = Instrument::from_name(&name) {
            return Some(Sound::Instrument(i));
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let is_path = name.contains('/') || name.contains('\\') || ext.is_some();
        if is_path {
            if !ext
                .as_deref()
                .is_some_and(|e| SOUND_EXTENSIONS.contains(&e))
            {
                self.error(
                    format!("`{name}` is not a sound file hara can play"),
                    v.span(),
                    "hara plays WAV (.wav) and Ogg Vorbis (.ogg) files",
                );
                return None;
            }
            if let Some(path) = self.sounds.resolve(&name) {
                return self.playable(v, &name, path);
            }
            let help = if self.sounds.has_session_dir() {
                "paths are relative to the session file's folder"
            } else {
                "a built-in session can only use the built-in instruments: bowl, bell, wood"
            };
            self.push(
                Diagnostic::error(format!("no sound file at `{name}`"), v.span())
                    .with_label("not found")
                    .with_help(help),
            );
            return None;
        }
        if let Some(path) = self.sounds.resolve(&name) {
            return self.playable(v, &name, path);
        }
        if crate::bundled::sound(&name).is_some() {
            return Some(Sound::Bundled(name));
        }
        let mut known: Vec<String> = Instrument::ALL
            .iter()
            .map(|i| i.name().to_string())
            .collect();
        known.extend(self.sounds.names());
        known.extend(crate::bundled::SOUNDS.iter().map(|(n, _)| n.to_string()));
        let help = match did_you_mean(&name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the sounds are: {}, \"none\", or a path to a .wav or .ogg file",
                known.join(", ")
            ),
        };
        self.push(
            Diagnostic::error(format!("unknown sound `{name}`"), v.span())
                .with_label("no instrument or sound file of this name")
                .with_help(help),
        );
        None
    }

    /// A found sound file, if it decodes; an error pointing at its name if not.
    fn playable(&mut self, v: &Value<'_>, name: &str, path: PathBuf) -> Option<Sound> {
        match self.sounds.unplayable(&path) {
            None => Some(Sound::File(path)),
            Some(why) => {
                self.push(
                    Diagnostic::error(format!("cannot play `{name}`: {why}"), v.span())
                        .with_help("hara plays WAV (.wav) and Ogg Vorbis (.ogg) files; export the sound again in one of them"),
                );
                None
            }
        }
    }

    // ---------- steps ----------

    /// The `step` array: steps and repeat groups, in order.
    fn items(&mut self, v: &Value<'_>, tones: bool, depth: usize) -> Option<Vec<Item>> {
        let list = self.array(v, "write steps as [[step]] tables")?;
        if list.is_empty() {
            self.error("there are no steps", v.span(), "add at least one [[step]]");
            return None;
        }
        let mut out = Some(Vec::new());
        for entry in list {
            let item = match entry.get_ref() {
                DeValue::Table(t) if t.contains_key("repeat") || t.contains_key("step") => {
                    self.group(entry, t, tones, depth)
                }
                DeValue::Table(t) => self.step(entry, t, tones).map(|s| Item::Step(Box::new(s))),
                _ => {
                    self.wrong_type(entry, "a table", "write each step as a [[step]] table");
                    None
                }
            };
            match (item, &mut out) {
                (Some(i), Some(list)) => list.push(i),
                _ => out = None,
            }
        }
        out
    }

    fn group(&mut self, v: &Value<'_>, t: &DeTable<'_>, tones: bool, depth: usize) -> Option<Item> {
        // Step keys get their own message below, so only the rest count as unknown here.
        let known: Vec<&str> = GROUP_KEYS.iter().chain(STEP_KEYS).copied().collect();
        self.diags.extend(
            unknown_keys(t, &known, "a repeat group")
                .into_iter()
                .map(|d| d.with_help(format!("a repeat group takes: {}", GROUP_KEYS.join(", ")))),
        );
        for key in STEP_KEYS.iter().filter(|k| !GROUP_KEYS.contains(k)) {
            if let Some(span) = key_span(t, key) {
                self.error(
                    format!("a repeat group has no `{key}` of its own"),
                    span,
                    "put it on the steps inside the group ([[step.step]])",
                );
            }
        }
        if depth >= MAX_GROUP_DEPTH {
            self.error(
                format!("repeat groups nest more than {MAX_GROUP_DEPTH} deep"),
                v.span(),
                "flatten the groups",
            );
            return None;
        }
        let title = get(t, "title").and_then(|v| self.nonempty_string(v, "the title"));
        let times = match get(t, "repeat") {
            Some(r) => self.integer(r, 1..=MAX_REPEAT, "repeat"),
            None => {
                self.error(
                    "a group of steps needs `repeat`",
                    v.span(),
                    "add `repeat = 2` (how many times to play the steps inside)",
                );
                None
            }
        };
        let items = match get(t, "step") {
            Some(s) => self.items(s, tones, depth + 1),
            None => {
                let span = key_span(t, "repeat").unwrap_or(v.span());
                self.error(
                    "this repeat has no steps",
                    span,
                    "add the steps to repeat after it as [[step.step]] tables",
                );
                None
            }
        };
        Some(Item::Repeat(Repeat {
            title,
            times: u32::try_from(times?).ok()?,
            items: items?,
        }))
    }

    fn step(&mut self, v: &Value<'_>, t: &DeTable<'_>, session_tones: bool) -> Option<Step> {
        self.known_keys(t, STEP_KEYS, "a step");
        let title = get(t, "title").map(|v| self.nonempty_string(v, "the title"));
        let principle = get(t, "principle").map(|v| self.principle(v));
        let written = get(t, "text").map(|v| self.string(v, "the text"));
        let breath = get(t, "breath").map(|v| self.breath(v));
        let tones = get(t, "tones").map_or(Some(session_tones), |v| self.boolean(v));
        let bell = get(t, "bell").map(|v| self.bell(v));

        let length = match (get(t, "duration"), get(t, "breaths")) {
            (Some(_), Some(b)) => {
                self.push(
                    Diagnostic::error(
                        "a step has a length in time or in breaths, not both",
                        b.span(),
                    )
                    .with_help("remove `breaths` or `duration`"),
                );
                None
            }
            (Some(d), None) => self
                .positive_duration(d, "a step's duration")
                .map(|x| (Length::Time(x), d.span())),
            (None, Some(b)) => {
                let n = self.integer(b, 1..=MAX_BREATHS, "breaths");
                if breath.is_none() {
                    self.push(
                        Diagnostic::error("`breaths` needs a breath pattern", b.span()).with_help(
                            "add `breath = \"4-0-6-0\"`, or give the step a `duration` instead",
                        ),
                    );
                    None
                } else {
                    n.map(|n| (Length::Breaths(n as u32), b.span()))
                }
            }
            (None, None) => {
                self.push(
                    Diagnostic::error("this step has no length", v.span())
                        .with_label("neither `duration` nor `breaths`")
                        .with_help(
                            "add `duration = \"2m\"`, or with a breath pattern, `breaths = 12`",
                        ),
                );
                None
            }
        };

        let (length, length_span) = length?;
        let breath = breath.unwrap_or(Some(None))?;
        if let (Some(true), None, Some(span)) = (tones, breath, key_span(t, "tones")) {
            self.push(
                Diagnostic::warning(
                    "breath tones need a breath pattern; this step has none",
                    span,
                )
                .with_help("add `breath = \"4-0-6-0\"`, or remove `tones`"),
            );
        }
        let principle = principle.unwrap_or(Some(None))?;
        let text = match (written.unwrap_or(Some(String::new()))?, principle) {
            (w, _) if !w.is_empty() => Some(Text::Written(w)),
            (_, Some(p)) => Some(Text::Principle(p)),
            _ => None,
        };
        let title = match title {
            Some(t) => t?,
            None => match (principle, breath) {
                (Some(p), _) => p.title.to_string(),
                (None, Some(_)) => "Breathe".to_string(),
                (None, None) => "Sit".to_string(),
            },
        };
        let mut step = Step {
            title,
            text,
            length,
            breath,
            tones: tones? && breath.is_some(),
            cues: Vec::new(),
            bell: bell.unwrap_or(Some(None))?,
            length_span,
        };
        self.step_length_warnings(&step);
        let cues = get(t, "cues").map_or(Some(Vec::new()), |v| self.cues(v, &step));
        step.cues = cues?;
        Some(step)
    }

    fn step_length_warnings(&mut self, step: &Step) {
        let (Length::Time(d), Some(breath)) = (step.length, step.breath) else {
            return;
        };
        let first = match breath {
            Breath::Steady(p) | Breath::Ramp { from: p, .. } => p.cycle(),
        };
        if d < first {
            self.push(
                Diagnostic::warning("this step is shorter than one breath", step.length_span.clone())
                    .with_label(format!("one breath is {}", duration::format(first)))
                    .with_help("lengthen the step, or give it in breaths (`breaths = 1`); as written it is a quiet rest"),
            );
        }
    }

    fn principle(&mut self, v: &Value<'_>) -> Option<Option<&'static principles::Principle>> {
        let id = self.nonempty_string(v, "a principle")?;
        if let Some(p) = principles::find(&id) {
            return Some(Some(p));
        }
        let ids = PRINCIPLES.iter().map(|p| p.id);
        let help = match did_you_mean(&id, ids.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the principles are: {}", ids.collect::<Vec<_>>().join(", ")),
        };
        self.push(
            Diagnostic::error(format!("unknown principle `{id}`"), v.span())
                .with_label("not in the principle library")
                .with_help(help),
        );
        None
    }

    // ---------- cues ----------

    fn cues(&mut self, v: &Value<'_>, step: &Step) -> Option<Vec<Cue>> {
        let list = self.array(
            v,
            "write cues as a list: cues = [{ at = \"10s\", text = \"…\" }]",
        )?;
        let step_len = compile::step_length(step);
        let mut out = Some(Vec::new());
        for entry in list {
            let cue = self
                .table(entry, "a cue", CUE_KEYS)
                .and_then(|t| self.cue(entry, t, step_len));
            match (cue, &mut out) {
                (Some(c), Some(list)) => list.push(c),
                _ => out = None,
            }
        }
        out
    }

    fn cue(&mut self, v: &Value<'_>, t: &DeTable<'_>, step_len: Duration) -> Option<Cue> {
        let when = match (get(t, "at"), get(t, "every")) {
            (Some(_), Some(e)) => {
                self.error(
                    "a cue is either `at` an offset or `every` interval, not both",
                    e.span(),
                    "keep one of them",
                );
                None
            }
            (Some(a), None) => self.duration(a).and_then(|d| {
                if d >= step_len {
                    self.push(
                        Diagnostic::error("this cue comes after its step ends", a.span())
                            .with_label(format!("at {}", duration::format(d)))
                            .with_help(format!(
                                "the step is {} long; move the cue earlier or lengthen the step",
                                duration::format(step_len)
                            )),
                    );
                    return None;
                }
                Some((CueTime::At(d), a.span()))
            }),
            (None, Some(e)) => self.positive_duration(e, "a cue's interval").and_then(|d| {
                if d >= step_len {
                    self.push(
                        Diagnostic::error("this cue would never be shown", e.span())
                            .with_label(format!("every {}", duration::format(d)))
                            .with_help(format!(
                                "the step is only {} long; use a shorter interval, or `at`",
                                duration::format(step_len)
                            )),
                    );
                    return None;
                }
                Some((CueTime::Every(d), e.span()))
            }),
            (None, None) => {
                self.error("a cue needs `at` or `every`", v.span(), "write { at = \"10s\", text = \"…\" } or { every = \"1m\", principle = \"relax\" }");
                None
            }
        };
        let text = match (get(t, "text"), get(t, "principle")) {
            (Some(_), Some(p)) => {
                self.error(
                    "a cue has `text` or a `principle`, not both",
                    p.span(),
                    "keep one of them",
                );
                None
            }
            (Some(x), None) => self.nonempty_string(x, "the cue's text").map(Text::Written),
            (None, Some(p)) => self.principle(p).flatten().map(Text::Principle),
            (None, None) => {
                self.error(
                    "a cue needs `text` or a `principle`",
                    v.span(),
                    "add text = \"…\" or principle = \"relax\"",
                );
                None
            }
        };
        let (when, span) = when?;
        Some(Cue {
            when,
            text: text?,
            span,
        })
    }

    // ---------- breath ----------

    fn breath(&mut self, v: &Value<'_>) -> Option<Option<Breath>> {
        if let DeValue::Table(t) = v.get_ref()
            && (t.contains_key("from") || t.contains_key("to"))
        {
            self.known_keys(t, RAMP_KEYS, "a ramp");
            let from = get(t, "from").map(|p| self.pattern(p));
            let to = get(t, "to").map(|p| self.pattern(p));
            let (Some(from), Some(to)) = (from, to) else {
                self.error(
                    "a ramp needs both `from` and `to`",
                    v.span(),
                    "write breath = { from = \"4-0-6-0\", to = \"4-0-8-0\" }",
                );
                return None;
            };
            return Some(Some(Breath::Ramp {
                from: from?,
                to: to?,
            }));
        }
        self.pattern(v).map(|p| Some(Breath::Steady(p)))
    }

    fn pattern(&mut self, v: &Value<'_>) -> Option<Pattern> {
        let p = match v.get_ref() {
            DeValue::String(s) => self.pattern_shorthand(v, s)?,
            DeValue::Table(t) => {
                self.known_keys(t, PATTERN_KEYS, "a breath pattern");
                let mut field =
                    |key: &str| get(t, key).map_or(Some(Duration::ZERO), |x| self.duration(x));
                let (inhale, top_up, hold, exhale, rest) = (
                    field("inhale"),
                    field("top_up"),
                    field("hold"),
                    field("exhale"),
                    field("rest"),
                );
                Pattern {
                    inhale: inhale?,
                    top_up: top_up?,
                    hold: hold?,
                    exhale: exhale?,
                    rest: rest?,
                }
            }
            _ => {
                self.wrong_type(v, "a breath pattern", PATTERN_HELP);
                return None;
            }
        };
        if p.inhale.is_zero() || p.exhale.is_zero() {
            self.push(
                Diagnostic::error(
                    "a breath needs an inhale and an exhale longer than zero",
                    v.span(),
                )
                .with_help(PATTERN_HELP),
            );
            return None;
        }
        if p.cycle() < Duration::from_secs(60) / FAST_BREATHS_PER_MINUTE {
            let per_minute = 60_000 / p.cycle().as_millis().max(1);
            self.push(
                Diagnostic::warning(
                    format!("about {per_minute} breaths a minute is fast for paced breathing"),
                    v.span(),
                )
                .with_label(format!("one breath is {}", duration::format(p.cycle())))
                .with_help("slow breathing is under 10 breaths a minute; \"4-0-6-0\" is 6"),
            );
        }
        Some(p)
    }

    /// "4-1-6-0" (inhale-hold-exhale-rest), "4-7-8" (no rest), "5-5" (inhale-exhale), with
    /// an optional top-up inhale written "4+1-…".
    fn pattern_shorthand(&mut self, v: &Value<'_>, s: &str) -> Option<Pattern> {
        let mut parts = Vec::new();
        let mut offset = 0;
        for part in s.split('-') {
            parts.push((part, offset..offset + part.len()));
            offset += part.len() + 1;
        }
        if !(2..=4).contains(&parts.len()) {
            self.push(
                Diagnostic::error(
                    format!(
                        "a breath pattern has 2 to 4 parts; this has {}",
                        parts.len()
                    ),
                    v.span(),
                )
                .with_help(PATTERN_HELP),
            );
            return None;
        }
        let mut ok = true;
        let mut seconds = |this: &mut Self, text: &str, at: std::ops::Range<usize>| {
            let trimmed = text.trim().trim_end_matches('s');
            match duration::parse_decimal(trimmed, 1000) {
                Some(ms) => Duration::from_millis(ms),
                None => {
                    let span = this.inner_span(v, s, at);
                    this.push(
                        Diagnostic::error(
                            format!("`{}` is not a number of seconds", text::clean_line(text)),
                            span,
                        )
                        .with_help(PATTERN_HELP),
                    );
                    ok = false;
                    Duration::ZERO
                }
            }
        };
        let (first, first_at) = parts[0].clone();
        let (inhale, top_up) = match first.split_once('+') {
            Some((a, b)) => {
                let split = first_at.start + a.len();
                (
                    seconds(self, a, first_at.start..split),
                    seconds(self, b, split + 1..first_at.end),
                )
            }
            None => (seconds(self, first, first_at), Duration::ZERO),
        };
        let mut rest_of = parts[1..]
            .iter()
            .map(|(t, at)| seconds(self, t, at.clone()));
        let values: Vec<Duration> = rest_of.by_ref().collect();
        let (hold, exhale, rest) = match values.as_slice() {
            [exhale] => (Duration::ZERO, *exhale, Duration::ZERO),
            [hold, exhale] => (*hold, *exhale, Duration::ZERO),
            [hold, exhale, rest] => (*hold, *exhale, *rest),
            _ => unreachable!("2 to 4 parts were checked above"),
        };
        ok.then_some(Pattern {
            inhale,
            top_up,
            hold,
            exhale,
            rest,
        })
    }
}

const PATTERN_HELP: &str = "write a pattern as \"inhale-hold-exhale-rest\" in seconds, e.g. \"4-1-6-0\" (or \"4-7-8\", \"5-5\"; \"4+1-0-8-0\" adds a top-up inhale), or as a table { inhale = 4, hold = 1, exhale = 6 }";
