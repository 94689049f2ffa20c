//! Settings, resolved once: the command line, the environment and the config file merged
//! into one [`Settings`] value, in one place, with one rule:
//!
//! **command line > environment > config file > default.**
//!
//! [`SETTINGS`] lists every setting with where it can come from; the config file's keys, the
//! README's table and the tests all follow it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use crate::cli::Cli;
use crate::config::{self, Config};
use crate::diag;
use crate::ui::theme::{Theme, ThemeName};

/// Where a setting can come from.
pub struct Setting {
    /// The config file's key.
    pub key: Option<&'static str>,
    /// The environment variable.
    pub env: Option<&'static str>,
    /// The command-line flag.
    pub flag: Option<&'static str>,
}

const fn setting(
    key: Option<&'static str>,
    env: Option<&'static str>,
    flag: Option<&'static str>,
) -> Setting {
    Setting { key, env, flag }
}

/// Every setting hara has.
pub const SETTINGS: &[Setting] = &[
    setting(None, Some("HARA_CONFIG"), Some("--config")),
    setting(Some("theme"), Some("HARA_THEME"), Some("--theme")),
    setting(None, Some("NO_COLOR"), None),
    setting(Some("project"), None, Some("--project")),
    setting(Some("reduce_motion"), None, Some("--reduce-motion")),
    setting(Some("time_left"), None, None),
    setting(Some("volume"), Some("HARA_VOLUME"), Some("--volume")),
    setting(Some("device"), Some("HARA_DEVICE"), Some("--device")),
    setting(Some("silent"), None, Some("--silent")),
    setting(Some("speak"), Some("HARA_SPEAK"), Some("--speak")),
    setting(Some("speech_command"), None, None),
    setting(Some("speech_voice"), None, None),
    setting(Some("speech_rate"), None, None),
    setting(Some("journal"), Some("HARA_JOURNAL"), Some("--journal")),
    setting(None, None, Some("--no-journal")),
    setting(Some("note"), None, Some("--no-note")),
    setting(Some("session_dirs"), None, Some("--dir")),
    setting(Some("sound_dirs"), None, None),
    setting(Some("day_starts"), None, None),
    setting(Some("week_starts"), None, None),
];

/// The master volume when nothing sets it.
pub const DEFAULT_VOLUME: u8 = 80;

/// Everything hara was told, merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub theme: ThemeName,
    /// False with NO_COLOR set (to anything but the empty string).
    pub color: bool,
    pub project: bool,
    pub reduce_motion: bool,
    /// Time left in the projection view.
    pub time_left: bool,
    /// The master volume, 0 to 100.
    pub volume: u8,
    pub device: Option<String>,
    pub silent: bool,
    /// Whether sessions that speak are spoken (`--speak`/`--no-speak`, `HARA_SPEAK`, `speak`).
    pub speak: bool,
    /// The speech engine, with its voice and rate, from the config file.
    pub speech: crate::speech::Engine,
    /// `None` with `--no-journal`.
    pub journal: Option<PathBuf>,
    /// Ask for a note when a session ends (only when there is a journal to keep it).
    pub note: bool,
    /// Searched in order: `--dir`, the config file's, then the default folder.
    pub session_dirs: Vec<PathBuf>,
    pub sound_dirs: Vec<PathBuf>,
    /// When a practice day begins (midnight unless the config file says otherwise).
    pub day_starts: jiff::civil::Time,
    /// The first day of a week: the config file's, else the locale's, else Monday.
    pub week_starts: jiff::civil::Weekday,
}

/// hara's own folders, where they are on this machine.
#[derive(Debug, Clone, Default)]
pub struct Folders {
    pub sessions: Option<PathBuf>,
    pub sounds: Option<PathBuf>,
    pub journal: Option<PathBuf>,
}

impl Folders {
    pub fn of_this_user() -> Self {
        let dirs = config::project_dirs();
        Folders {
            sessions: dirs.as_ref().map(|d| d.config_dir().join("sessions")),
            sounds: dirs.as_ref().map(|d| d.data_dir().join("sounds")),
            journal: dirs.as_ref().map(|d| d.data_dir().join("journal.jsonl")),
        }
    }
}

/// Reads an environment variable; empty counts as unset.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn env_text(env: Env, name: &str) -> Option<String> {
    env(name)
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned())
}

/// A switch in the environment: 1, true, on or yes; 0, false, off or no.
fn parse_switch(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

/// A value from the environment that does not parse is an error, not silently ignored.
fn env_parsed<T>(
    env: Env,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>> {
    match env_text(env, name) {
        None => Ok(None),
        Some(text) => parse(&text)
            .map(Some)
            .ok_or_else(|| anyhow!("{name}={text:?} is not {what}")),
    }
}

impl Settings {
    /// The config file to read: `--config`, else `HARA_CONFIG`, else the default (if it
    /// exists). The flag says whether it was asked for (then it must exist).
    pub fn config_path(cli: &Cli, env: Env) -> Option<(PathBuf, bool)> {
        cli.config
            .clone()
            .or_else(|| {
                env("HARA_CONFIG")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .map(|p| (p, true))
            .or_else(|| config::default_path().map(|p| (p, false)))
    }

    /// Merges the command line, the environment and the config file.
    pub fn merge(cli: &Cli, env: Env, config: &Config, folders: &Folders) -> Result<Self> {
        let view = &cli.view;
        let sound = &cli.sound;
        let journal = &cli.journal;
        let theme = match view.theme {
            Some(t) => t,
            None => env_parsed(
                env,
                "HARA_THEME",
                ThemeName::parse,
                "calm, light or contrast",
            )?
            .or(config.theme)
            .unwrap_or(ThemeName::Calm),
        };
        let volume = match sound.volume {
            Some(v) => v,
            None => env_parsed(
                env,
                "HARA_VOLUME",
                |v| v.parse().ok().filter(|v| *v <= 100),
                "a volume from 0 to 100",
            )?
            .or(config.volume)
            .unwrap_or(DEFAULT_VOLUME),
        };
        let journal_path = if journal.no_journal {
            None
        } else {
            journal
                .journal
                .clone()
                .or_else(|| {
                    env("HARA_JOURNAL")
                        .filter(|v| !v.is_empty())
                        .map(PathBuf::from)
                })
                .or_else(|| config.journal.clone())
                .or_else(|| folders.journal.clone())
        };
        let mut session_dirs = cli.dirs.clone();
        session_dirs.extend(config.session_dirs.iter().cloned());
        session_dirs.extend(folders.sessions.clone());
        let week_starts = config
            .week_starts
            .or_else(|| {
                crate::calendar::time_locale(env)
                    .and_then(|l| crate::calendar::locale_week_start(&l))
            })
            .unwrap_or(jiff::civil::Weekday::Monday);
        let mut sound_dirs = config.sound_dirs.clone();
        sound_dirs.extend(folders.sounds.clone());
        Ok(Settings {
            theme,
            color: env("NO_COLOR").is_none_or(|v| v.is_empty()),
            project: view.project || config.project.unwrap_or(false),
            reduce_motion: view.reduce_motion || config.reduce_motion.unwrap_or(false),
            time_left: config.time_left.unwrap_or(false),
            volume,
            device: sound
                .device
                .clone()
                .or_else(|| env_text(env, "HARA_DEVICE"))
                .or_else(|| config.device.clone()),
            silent: sound.silent || config.silent.unwrap_or(false),
            speak: match (sound.speak, sound.no_speak) {
                (true, _) => true,
                (_, true) => false,
                _ => env_parsed(env, "HARA_SPEAK", parse_switch, "1 or 0 (on or off)")?
                    .or(config.speak)
                    .unwrap_or(true),
            },
            speech: crate::speech::Engine {
                command: config.speech_command.clone(),
                voice: config.speech_voice.clone(),
                rate: config.speech_rate,
                ..crate::speech::Engine::default()
            },
            note: journal_path.is_some() && !journal.no_note && config.note.unwrap_or(true),
            journal: journal_path,
            session_dirs,
            sound_dirs,
            day_starts: config.day_starts.unwrap_or(jiff::civil::Time::midnight()),
            week_starts,
        })
    }

    /// Resolves the settings for this process: its command line, its environment, its
    /// config file (whose errors are reported on stderr) and this user's folders.
    pub fn resolve(cli: &Cli) -> Result<Self> {
        let env = |name: &str| std::env::var_os(name);
        let config = match Self::config_path(cli, &env) {
            Some((path, explicit)) if explicit || path.is_file() => read_config(&path)?,
            _ => Config::default(),
        };
        Self::merge(cli, &env, &config, &Folders::of_this_user())
    }

    /// The full-screen view's options.
    pub fn view(&self) -> crate::ui::Options {
        crate::ui::Options {
            theme: Theme::new(self.theme, self.color),
            projection: self.project,
            reduce_motion: self.reduce_motion,
            ask_note: self.note,
            time_left: self.time_left,
        }
    }

    /// How days and weeks are counted, in this computer's time zone.
    pub fn calendar(&self) -> crate::calendar::Calendar {
        crate::calendar::Calendar::new(
            jiff::tz::TimeZone::system(),
            self.day_starts,
            self.week_starts,
        )
    }

    /// The master volume as a gain, 0.0 to 1.0.
    pub fn gain(&self) -> f32 {
        f32::from(self.volume) / 100.0
    }
}

/// Reads and checks a config file; its problems are printed on stderr with their positions.
fn read_config(path: &Path) -> Result<Config> {
    let source = crate::read::read_text(path, crate::read::MAX_CONFIG_BYTES)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    match config::parse(&source, base) {
        Ok(config) => Ok(config),
        Err(diags) => {
            crate::output::eprint(&diag::render(
                &diags,
                &path.display().to_string(),
                &source,
                crate::cli::stderr_color(),
            ))?;
            Err(anyhow!(
                "the config file has errors; fix them or pass --config with another file"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("hara").chain(args.iter().copied())).unwrap()
    }

    fn folders() -> Folders {
        Folders {
            sessions: Some("/home/sessions".into()),
            sounds: Some("/home/sounds".into()),
            journal: Some("/home/journal.jsonl".into()),
        }
    }

    /// Settings from a command line, some environment variables and a config file's text.
    fn settings(args: &[&str], vars: &[(&str, &str)], config: &str) -> Settings {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        };
        let config = config::parse(config, Path::new("/cfg")).unwrap();
        Settings::merge(&cli(args), &env, &config, &folders()).unwrap()
    }

    #[test]
    fn theme_command_line_then_environment_then_config_then_calm() {
        let t =
            |args: &[&str], vars: &[(&str, &str)], config: &str| settings(args, vars, config).theme;
        assert_eq!(t(&[], &[], ""), ThemeName::Calm);
        assert_eq!(t(&[], &[], "theme = \"contrast\""), ThemeName::Contrast);
        assert_eq!(
            t(&[], &[("HARA_THEME", "light")], "theme = \"contrast\""),
            ThemeName::Light
        );
        assert_eq!(
            t(
                &["--theme", "calm"],
                &[("HARA_THEME", "light")],
                "theme = \"contrast\""
            ),
            ThemeName::Calm
        );
    }

    #[test]
    fn volume_command_line_then_environment_then_config_then_80() {
        let v = |args: &[&str], vars: &[(&str, &str)], config: &str| {
            settings(args, vars, config).volume
        };
        assert_eq!(v(&[], &[], ""), 80);
        assert_eq!(v(&[], &[], "volume = 30"), 30);
        assert_eq!(v(&[], &[("HARA_VOLUME", "40")], "volume = 30"), 40);
        assert_eq!(
            v(&["--volume", "50"], &[("HARA_VOLUME", "40")], "volume = 30"),
            50
        );
    }

    #[test]
    fn device_command_line_then_environment_then_config_then_default() {
        let d = |args: &[&str], vars: &[(&str, &str)], config: &str| {
            settings(args, vars, config).device
        };
        assert_eq!(d(&[], &[], ""), None);
        assert_eq!(d(&[], &[], "device = \"c\"").as_deref(), Some("c"));
        assert_eq!(
            d(&[], &[("HARA_DEVICE", "e")], "device = \"c\"").as_deref(),
            Some("e")
        );
        assert_eq!(
            d(
                &["--device", "f"],
                &[("HARA_DEVICE", "e")],
                "device = \"c\""
            )
            .as_deref(),
            Some("f")
        );
    }

    #[test]
    fn journal_command_line_then_environment_then_config_then_data_folder() {
        let j = |args: &[&str], vars: &[(&str, &str)], config: &str| {
            settings(args, vars, config).journal
        };
        assert_eq!(j(&[], &[], ""), Some("/home/journal.jsonl".into()));
        assert_eq!(
            j(&[], &[], "journal = \"c.jsonl\""),
            Some("/cfg/c.jsonl".into())
        );
        assert_eq!(
            j(
                &[],
                &[("HARA_JOURNAL", "/e.jsonl")],
                "journal = \"c.jsonl\""
            ),
            Some("/e.jsonl".into())
        );
        assert_eq!(
            j(
                &["--journal", "/f.jsonl"],
                &[("HARA_JOURNAL", "/e.jsonl")],
                ""
            ),
            Some("/f.jsonl".into())
        );
        assert_eq!(
            j(
                &["--no-journal"],
                &[("HARA_JOURNAL", "/e.jsonl")],
                "journal = \"c\""
            ),
            None
        );
    }

    #[test]
    fn switches_from_the_command_line_or_the_config_file() {
        let off = settings(&[], &[], "");
        assert!(!off.project && !off.reduce_motion && !off.silent && !off.time_left);
        let config = settings(
            &[],
            &[],
            "project = true\nreduce_motion = true\nsilent = true",
        );
        assert!(config.project && config.reduce_motion && config.silent);
        let flags = settings(&["--project", "--reduce-motion", "--silent"], &[], "");
        assert!(flags.project && flags.reduce_motion && flags.silent);
    }

    #[test]
    fn the_note_is_asked_for_unless_turned_off_or_there_is_no_journal() {
        assert!(settings(&[], &[], "").note);
        assert!(!settings(&[], &[], "note = false").note);
        assert!(!settings(&["--no-note"], &[], "note = true").note);
        assert!(
            !settings(&["--no-journal"], &[], "").note,
            "nowhere to keep it"
        );
    }

    #[test]
    fn colour_is_off_with_no_color_set_to_anything() {
        assert!(settings(&[], &[], "").color);
        assert!(
            settings(&[], &[("NO_COLOR", "")], "").color,
            "empty counts as unset"
        );
        assert!(!settings(&[], &[("NO_COLOR", "1")], "").color);
    }

    #[test]
    fn folders_command_line_then_config_then_default() {
        let s = settings(
            &["--dir", "/a"],
            &[],
            "session_dirs = [\"b\"]\nsound_dirs = [\"s\"]",
        );
        let sessions: Vec<PathBuf> = ["/a", "/cfg/b", "/home/sessions"].map(PathBuf::from).into();
        assert_eq!(s.session_dirs, sessions);
        let sounds: Vec<PathBuf> = ["/cfg/s", "/home/sounds"].map(PathBuf::from).into();
        assert_eq!(s.sound_dirs, sounds);
    }

    #[test]
    fn the_config_file_command_line_then_environment_then_default() {
        let none = |_: &str| None;
        let env = |name: &str| (name == "HARA_CONFIG").then(|| OsString::from("/e.toml"));
        let path = |args: &[&str], env: Env| Settings::config_path(&cli(args), env);
        assert_eq!(
            path(&["--config", "/f.toml"], &env),
            Some(("/f.toml".into(), true))
        );
        assert_eq!(path(&[], &env), Some(("/e.toml".into(), true)));
        assert!(path(&[], &none).is_none_or(|(_, explicit)| !explicit));
    }

    #[test]
    fn a_bad_value_in_the_environment_is_an_error() {
        let env = |name: &str| (name == "HARA_VOLUME").then(|| OsString::from("loud"));
        let err = Settings::merge(&cli(&[]), &env, &Config::default(), &folders()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HARA_VOLUME=\"loud\" is not a volume from 0 to 100"
        );
    }

    #[test]
    fn a_day_starts_where_the_config_file_says_else_at_midnight() {
        let d = |config: &str| settings(&[], &[], config).day_starts;
        assert_eq!(d(""), jiff::civil::Time::midnight());
        assert_eq!(d("day_starts = \"04:00\""), jiff::civil::time(4, 0, 0, 0));
    }

    #[test]
    fn weeks_start_where_the_config_file_says_else_as_the_locale_does_else_monday() {
        use jiff::civil::Weekday::{Monday, Saturday, Sunday};
        let w = |vars: &[(&str, &str)], config: &str| settings(&[], vars, config).week_starts;
        assert_eq!(w(&[], ""), Monday);
        assert_eq!(w(&[("LANG", "C.UTF-8")], ""), Monday, "no region");
        assert_eq!(w(&[("LANG", "en_US.UTF-8")], ""), Sunday);
        assert_eq!(
            w(&[("LANG", "en_US.UTF-8"), ("LC_TIME", "de_DE.UTF-8")], ""),
            Monday,
            "LC_TIME over LANG"
        );
        assert_eq!(
            w(&[("LC_TIME", "de_DE.UTF-8"), ("LC_ALL", "ar_EG.UTF-8")], ""),
            Saturday,
            "LC_ALL over LC_TIME"
        );
        assert_eq!(
            w(&[("LC_ALL", "en_US.UTF-8")], "week_starts = \"monday\""),
            Monday,
            "the config file over the locale"
        );
    }

    #[test]
    fn speech_command_line_then_environment_then_config_then_on() {
        let s =
            |args: &[&str], vars: &[(&str, &str)], config: &str| settings(args, vars, config).speak;
        assert!(s(&[], &[], ""));
        assert!(!s(&[], &[], "speak = false"));
        assert!(s(&[], &[], "speak = true"));
        assert!(s(&[], &[("HARA_SPEAK", "on")], "speak = false"));
        assert!(!s(&[], &[("HARA_SPEAK", "0")], "speak = true"));
        assert!(!s(&["--no-speak"], &[("HARA_SPEAK", "1")], "speak = true"));
        assert!(s(&["--speak"], &[("HARA_SPEAK", "no")], "speak = false"));
        // The last of the two flags wins.
        assert!(s(&["--no-speak", "--speak"], &[], ""));
        assert!(!s(&["--speak", "--no-speak"], &[], ""));
        let env = |name: &str| (name == "HARA_SPEAK").then(|| OsString::from("loud"));
        let err = Settings::merge(&cli(&[]), &env, &Config::default(), &folders()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HARA_SPEAK=\"loud\" is not 1 or 0 (on or off)"
        );
        let piper = settings(
            &[],
            &[],
            "speech_command = [\"piper\", \"--model\", \"v.onnx\", \"--output_file\", \"{wav}\"]\n\
             speech_voice = \"de\"\nspeech_rate = 140",
        );
        assert_eq!(
            piper.speech.argv(Path::new("/o.wav")).unwrap(),
            ["piper", "--model", "v.onnx", "--output_file", "/o.wav"]
        );
        assert_eq!(piper.speech.voice.as_deref(), Some("de"));
        assert_eq!(piper.speech.rate, Some(140));
        assert_eq!(
            settings(&[], &[], "").speech,
            crate::speech::Engine::default()
        );
    }

    #[test]
    fn every_config_key_is_a_setting() {
        let keys: Vec<&str> = SETTINGS.iter().filter_map(|s| s.key).collect();
        for key in [
            "theme",
            "project",
            "reduce_motion",
            "time_left",
            "volume",
            "device",
            "silent",
            "speak",
            "speech_command",
            "speech_voice",
            "speech_rate",
            "journal",
            "note",
            "session_dirs",
            "sound_dirs",
            "day_starts",
            "week_starts",
        ] {
            assert!(keys.contains(&key), "{key}");
        }
        assert_eq!(keys.len(), 17);
    }
}
