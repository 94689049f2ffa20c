//! The user's configuration file, `$XDG_CONFIG_HOME/hara/config.toml`.
//!
//! It is checked with the same diagnostics as session files. What it sets is merged with the
//! command line and the environment in [`crate::settings`], which also lists every key.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::diag::Diagnostic;
use crate::session::check::unknown_keys;
use crate::ui::theme::ThemeName;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Extra folders of session files, searched before the default one.
    pub session_dirs: Vec<PathBuf>,
    /// Extra folders of sound files that sessions can name without a path.
    pub sound_dirs: Vec<PathBuf>,
    /// The practice journal, instead of the default in the data folder.
    pub journal: Option<PathBuf>,
    /// Whether to ask for a note after a session (default: yes).
    pub note: Option<bool>,
    /// The sound output, by name.
    pub device: Option<String>,
    /// The master volume, 0 to 100.
    pub volume: Option<u8>,
    pub theme: Option<ThemeName>,
    /// Start sessions in the projection view.
    pub project: Option<bool>,
    pub reduce_motion: Option<bool>,
    /// Time left in the projection view.
    pub time_left: Option<bool>,
    /// No sound at all.
    pub silent: Option<bool>,
    /// `false`: sessions that speak show their words only.
    pub speak: Option<bool>,
    /// A speech engine other than eSpeak NG: its program and arguments, `{wav}` for the file.
    pub speech_command: Option<Vec<String>>,
    /// The engine's voice (eSpeak NG's `-v`).
    pub speech_voice: Option<String>,
    /// Words per minute (eSpeak NG's `-s`).
    pub speech_rate: Option<u32>,
    /// When a practice day begins, `HH:MM` (a sitting before it counts for the day before).
    pub day_starts: Option<jiff::civil::Time>,
    /// The first day of a week, for stats and the journal view.
    pub week_starts: Option<jiff::civil::Weekday>,
}

/// Where hara's own folders are: config (sessions, config.toml) and data (sounds).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "hara")
}

pub fn default_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// Reads a config file's text. Relative folders are relative to the file's own folder, and
/// `~/` is the home folder. Returns every problem at once.
pub fn parse(source: &str, base: &Path) -> Result<Config, Vec<Diagnostic>> {
    if let Some(too_much) = crate::session::syntax::too_much(source, 0) {
        return Err(vec![too_much.diagnostic()]);
    }
    let (root, syntax) = DeTable::parse_recoverable(source);
    let mut diags: Vec<Diagnostic> = syntax
        .iter()
        .map(|e| {
            Diagnostic::error(
                format!("TOML syntax: {}", e.message()),
                e.span().unwrap_or(0..0),
            )
            .with_help("the config file is TOML; see the README's Configuration section")
        })
        .collect();
    let root = root.get_ref();
    let keys: Vec<&str> = crate::settings::SETTINGS
        .iter()
        .filter_map(|s| s.key)
        .collect();
    diags.extend(unknown_keys(root, &keys, "the config file"));
    let mut config = Config::default();
    for (key, dirs) in [
        ("session_dirs", &mut config.session_dirs),
        ("sound_dirs", &mut config.sound_dirs),
    ] {
        let Some(value) = root.get(key) else { continue };
        let help = format!("write {key} = [\"~/sessions\", \"/shared/hara\"]");
        let DeValue::Array(items) = value.get_ref() else {
            diags.push(
                Diagnostic::error(format!("`{key}` is a list of folders"), value.span())
                    .with_help(help),
            );
            continue;
        };
        for item in items {
            match item.get_ref() {
                DeValue::String(s) => dirs.push(expand(s, base)),
                _ => diags.push(
                    Diagnostic::error("a folder is a string", item.span()).with_help(help.clone()),
                ),
            }
        }
    }
    if let Some(value) = root.get("journal") {
        match value.get_ref() {
            DeValue::String(s) => config.journal = Some(expand(s, base)),
            _ => diags.push(
                Diagnostic::error("`journal` is the path of a file", value.span())
                    .with_help("write journal = \"~/notes/hara.jsonl\""),
            ),
        }
    }
    for (key, slot, help) in [
        (
            "note",
            &mut config.note,
            "write note = false to stop being asked for a note after a session",
        ),
        (
            "project",
            &mut config.project,
            "write project = true to start sessions in the projection view",
        ),
        (
            "reduce_motion",
            &mut config.reduce_motion,
            "write reduce_motion = true for phases as words and a still bar",
        ),
        (
            "time_left",
            &mut config.time_left,
            "write time_left = true to show the time left in the projection view",
        ),
        (
            "silent",
            &mut config.silent,
            "write silent = true to run without sound (for people who strike their own bowl)",
        ),
        (
            "speak",
            &mut config.speak,
            "write speak = false to show spoken cues without speaking them",
        ),
    ] {
        let Some(value) = root.get(key) else { continue };
        match value.get_ref() {
            DeValue::Boolean(b) => *slot = Some(*b),
            _ => diags.push(
                Diagnostic::error(format!("`{key}` is true or false"), value.span())
                    .with_help(help),
            ),
        }
    }
    if let Some(value) = root.get("theme") {
        let name = match value.get_ref() {
            DeValue::String(s) => ThemeName::parse(s),
            _ => None,
        };
        match name {
            Some(name) => config.theme = Some(name),
            None => diags.push(
                Diagnostic::error("`theme` is calm, light or contrast", value.span())
                    .with_help("write theme = \"contrast\" for a projector"),
            ),
        }
    }
    if let Some(value) = root.get("device") {
        match value.get_ref() {
            DeValue::String(s) => config.device = Some(s.to_string()),
            _ => diags.push(
                Diagnostic::error("`device` is the name of a sound output", value.span())
                    .with_help("`hara devices` lists the names"),
            ),
        }
    }
    if let Some(value) = root.get("volume") {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match n.and_then(|n| u8::try_from(n).ok()).filter(|n| *n <= 100) {
            Some(n) => config.volume = Some(n),
            None => diags.push(
                Diagnostic::error("`volume` is a whole number from 0 to 100", value.span())
                    .with_help("write volume = 80"),
            ),
        }
    }
    if let Some(value) = root.get("speech_command") {
        let words: Option<Vec<String>> = match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|i| match i.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        match words.filter(|w| !w.is_empty() && !w[0].is_empty()) {
            Some(w) => config.speech_command = Some(w),
            None => diags.push(
                Diagnostic::error(
                    "`speech_command` is a program and its arguments, as a list of strings",
                    value.span(),
                )
                .with_help("write speech_command = [\"piper\", \"--model\", \"voice.onnx\", \"--output_file\", \"{wav}\"]"),
            ),
        }
    }
    if let Some(value) = root.get("speech_voice") {
        match value.get_ref() {
            DeValue::String(s) if !s.is_empty() => config.speech_voice = Some(s.to_string()),
            _ => diags.push(
                Diagnostic::error("`speech_voice` is the name of a voice", value.span())
                    .with_help("`hara voices` lists them; write speech_voice = \"en-gb\""),
            ),
        }
    }
    if let Some(value) = root.get("speech_rate") {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match n.filter(|n| (80..=450).contains(n)) {
            Some(n) => config.speech_rate = Some(n as u32),
            None => diags.push(
                Diagnostic::error("`speech_rate` is words per minute, 80 to 450", value.span())
                    .with_help("write speech_rate = 140 (eSpeak NG speaks 175 unless told)"),
            ),
        }
    }
    if let Some(value) = root.get("day_starts") {
        let parsed = match value.get_ref() {
            DeValue::String(s) => crate::calendar::parse_day_start(s),
            _ => Err("`day_starts` is a time of day, written \"HH:MM\"".to_string()),
        };
        match parsed {
            Ok(t) => config.day_starts = Some(t),
            Err(message) => diags.push(Diagnostic::error(message, value.span()).with_help(
                "write day_starts = \"04:00\" to count a sitting before 4 am for the day before",
            )),
        }
    }
    if let Some(value) = root.get("week_starts") {
        let day = match value.get_ref() {
            DeValue::String(s) => crate::calendar::parse_weekday(s),
            _ => None,
        };
        match day {
            Some(day) => config.week_starts = Some(day),
            None => diags.push(
                Diagnostic::error("`week_starts` is a day of the week", value.span())
                    .with_help("write week_starts = \"sunday\" (or \"monday\", \"saturday\", …)"),
            ),
        }
    }
    crate::diag::sort(&mut diags);
    if diags.is_empty() {
        Ok(config)
    } else {
        Err(diags)
    }
}

fn expand(dir: &str, base: &Path) -> PathBuf {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => base.join(dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_folders_relative_to_the_file() {
        let c = parse(
            "session_dirs = [\"mine\", \"/abs\"]\nsound_dirs = [\"s\"]\n",
            Path::new("/cfg"),
        )
        .unwrap();
        assert_eq!(
            c.session_dirs,
            [PathBuf::from("/cfg/mine"), PathBuf::from("/abs")]
        );
        assert_eq!(c.sound_dirs, [PathBuf::from("/cfg/s")]);
    }

    #[test]
    fn reads_the_journal_keys() {
        let c = parse("journal = \"j.jsonl\"\nnote = false\n", Path::new("/cfg")).unwrap();
        assert_eq!(c.journal, Some(PathBuf::from("/cfg/j.jsonl")));
        assert_eq!(c.note, Some(false));
        assert_eq!(
            parse("note = \"no\"\n", Path::new("/")).unwrap_err().len(),
            1
        );
    }

    #[test]
    fn reads_the_view_and_sound_keys() {
        let c = parse(
            "theme = \"contrast\"\nproject = true\nreduce_motion = true\nsilent = true\n\
             device = \"pulse\"\nvolume = 55\n",
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(c.theme, Some(ThemeName::Contrast));
        assert_eq!(
            (c.project, c.reduce_motion, c.silent),
            (Some(true), Some(true), Some(true))
        );
        assert_eq!((c.device.as_deref(), c.volume), (Some("pulse"), Some(55)));
        let diags = parse(
            "theme = \"dark\"\nsilent = 1\nvolume = 101\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(diags.len(), 3, "{diags:#?}");
    }

    #[test]
    fn reads_when_days_and_weeks_start() {
        let c = parse(
            "day_starts = \"04:00\"\nweek_starts = \"Sunday\"\n",
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(c.day_starts, Some(jiff::civil::time(4, 0, 0, 0)));
        assert_eq!(c.week_starts, Some(jiff::civil::Weekday::Sunday));
        let diags = parse(
            "day_starts = \"4am\"\nweek_starts = \"someday\"\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:#?}");
        assert!(diags[0].message.contains("HH:MM"), "{diags:#?}");
        let late = parse("day_starts = \"18:00\"\n", Path::new("/")).unwrap_err();
        assert!(late[0].message.contains("from 00:00 to 12:00"), "{late:#?}");
    }

    #[test]
    fn reports_every_problem() {
        let diags = parse(
            "session_dir = [\"x\"]\nsound_dirs = \"s\"\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(diags.len(), 2);
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean `session_dirs`?")
        );
        assert!(diags[1].message.contains("list of folders"));
    }
}
