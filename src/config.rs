//! The user's configuration file, `$XDG_CONFIG_HOME/hara/config.toml`.
//!
//! It is checked with the same diagnostics as session files. Command-line flags come first:
//! folders given with `--dir` are searched before the ones named here.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::diag::Diagnostic;
use crate::session::check::unknown_keys;

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
}

const KEYS: &[&str] = &[
    "session_dirs",
    "sound_dirs",
    "journal",
    "note",
    "device",
    "volume",
];

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
    diags.extend(unknown_keys(root, KEYS, "the config file"));
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
    if let Some(value) = root.get("note") {
        match value.get_ref() {
            DeValue::Boolean(b) => config.note = Some(*b),
            _ => diags.push(
                Diagnostic::error("`note` is true or false", value.span())
                    .with_help("write note = false to stop being asked for a note after a session"),
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
