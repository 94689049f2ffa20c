//! Where sessions and sound files come from: the built-in sessions embedded in the binary,
//! the user's session folders, and paths given on the command line.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::check::SoundFiles;
use super::{Checked, MAX_FILE_BYTES, check_file};
use crate::diag::did_you_mean;

/// A session that ships inside the binary.
pub struct Builtin {
    pub name: &'static str,
    pub source: &'static str,
}

macro_rules! builtin {
    ($name:literal) => {
        Builtin {
            name: $name,
            source: include_str!(concat!("../../sessions/", $name, ".toml")),
        }
    };
}

/// In the order a newcomer meets them: bodywork first, then daily practice, groups, and the
/// standard patterns.
pub const BUILTINS: &[Builtin] = &[
    builtin!("before-a-client"),
    builtin!("between-clients"),
    builtin!("standing-grounding"),
    builtin!("hara-breathing"),
    builtin!("lying-belly-breath"),
    builtin!("group-sitting"),
    builtin!("sit-and-walk"),
    builtin!("box-breathing"),
    builtin!("four-seven-eight"),
    builtin!("coherent-breathing"),
    builtin!("cyclic-sigh"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// Found by name in one of the session folders.
    User,
    /// Named by its path.
    Path,
}

/// A session file's bytes and where they came from.
#[derive(Debug, Clone)]
pub struct Found {
    pub name: String,
    /// How to name the file in messages: a path, or `builtin:NAME`.
    pub display: String,
    pub origin: Origin,
    /// The file's own path (None for built-ins), for resolving relative sound paths.
    pub path: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

impl Found {
    /// Where it came from, as lists show it: "built-in", or the file's path (safe to print).
    pub fn source_label(&self) -> String {
        match self.origin {
            Origin::Builtin => "built-in".to_string(),
            Origin::User | Origin::Path => crate::text::clean_line(&self.display),
        }
    }
}

#[derive(Debug, Error)]
pub enum LibraryError {
    #[error("no session named `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    NotFound {
        name: String,
        suggestion: Option<String>,
    },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The places sessions and sounds are looked for.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Session folders, searched in order; the first with a session of a name wins, and
    /// every folder comes before the built-ins, so a user can replace a built-in session.
    pub session_dirs: Vec<PathBuf>,
    /// Folders of sound files that sessions can name without a path.
    pub sound_dirs: Vec<PathBuf>,
    /// How sound files are tried (given by the caller, since decoding is the audio layer's
    /// business); `None` checks only that they exist.
    pub decoder: Option<Decoder>,
}

/// Tries to decode a sound file: `Err` says why it cannot be played.
pub type Decoder = fn(&Path) -> Result<(), String>;

/// An entry of `hara list`.
pub struct Listed {
    pub found: Found,
    pub checked: Checked,
}

impl Library {
    /// Finds a session by path, then by name in the session folders, then among the
    /// built-ins. Anything with a `/` or ending in `.toml` is a path.
    pub fn find(&self, spec: &str) -> Result<Found, LibraryError> {
        let looks_like_path = spec.contains('/') || spec.contains('\\') || spec.ends_with(".toml");
        if looks_like_path || Path::new(spec).is_file() {
            return read_found(Path::new(spec), Origin::Path);
        }
        for dir in &self.session_dirs {
            let path = dir.join(format!("{spec}.toml"));
            if path.is_file() {
                return read_found(&path, Origin::User);
            }
        }
        if let Some(b) = BUILTINS.iter().find(|b| b.name == spec) {
            return Ok(builtin_found(b));
        }
        let names = self.names();
        let suggestion = did_you_mean(spec, names.iter().map(String::as_str)).map(str::to_string);
        Err(LibraryError::NotFound {
            name: crate::text::clean_line(spec),
            suggestion,
        })
    }

    /// Every session name this library knows: the user's, then built-ins not shadowed.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.user_files().into_iter().map(|(n, _)| n).collect();
        for b in BUILTINS {
            if !names.iter().any(|n| n == b.name) {
                names.push(b.name.to_string());
            }
        }
        names
    }

    /// `(name, path)` of every `.toml` file in the session folders, sorted by name; a name
    /// in an earlier folder hides the same name in a later one.
    fn user_files(&self) -> Vec<(String, PathBuf)> {
        let mut out: Vec<(String, PathBuf)> = Vec::new();
        for dir in &self.session_dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut files: Vec<(String, PathBuf)> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
                .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
                .collect();
            files.sort();
            for (name, path) in files {
                if !out.iter().any(|(n, _)| *n == name) {
                    out.push((name, path));
                }
            }
        }
        out
    }

    /// Every session, checked: the user's first, then the built-ins they do not replace.
    pub fn list(&self) -> Vec<Listed> {
        let mut found: Vec<Found> = Vec::new();
        for (name, path) in self.user_files() {
            match read_found(&path, Origin::User) {
                Ok(f) => found.push(f),
                Err(LibraryError::Read { .. }) | Err(LibraryError::NotFound { .. }) => {
                    // Unreadable: listed with empty bytes, so it shows up as invalid.
                    found.push(Found {
                        name,
                        display: path.display().to_string(),
                        origin: Origin::User,
                        path: Some(path),
                        bytes: Vec::new(),
                    });
                }
            }
        }
        for b in BUILTINS {
            if !found.iter().any(|f| f.name == b.name) {
                found.push(builtin_found(b));
            }
        }
        found
            .into_iter()
            .map(|found| Listed {
                checked: self.check(&found),
                found,
            })
            .collect()
    }

    /// Checks a found session, resolving its sounds against its folder and the sound folders.
    pub fn check(&self, found: &Found) -> Checked {
        let sounds = FileSounds {
            session_dir: found
                .path
                .as_ref()
                .map(|p| p.parent().unwrap_or(Path::new(".")).to_path_buf()),
            sound_dirs: self.sound_dirs.clone(),
            decoder: self.decoder,
        };
        check_file(&found.bytes, Some(&found.name), &sounds)
    }
}

fn builtin_found(b: &Builtin) -> Found {
    Found {
        name: b.name.to_string(),
        display: format!("builtin:{}", b.name),
        origin: Origin::Builtin,
        path: None,
        bytes: b.source.as_bytes().to_vec(),
    }
}

/// Reads at most one byte more than the size limit, so a huge file is refused without being
/// read whole; a pipe or device is refused without being read at all.
fn read_found(path: &Path, origin: Origin) -> Result<Found, LibraryError> {
    let bytes = crate::read::read_prefix(path, MAX_FILE_BYTES as u64).map_err(|source| {
        LibraryError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(Found {
        name: path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        display: path.display().to_string(),
        origin,
        path: Some(path.to_path_buf()),
        bytes,
    })
}

/// Sound files on disk: paths relative to the session's folder, names in the sound folders.
pub struct FileSounds {
    pub session_dir: Option<PathBuf>,
    pub sound_dirs: Vec<PathBuf>,
    pub decoder: Option<Decoder>,
}

const NAMED_SOUND_EXTENSIONS: [&str; 3] = ["wav", "ogg", "oga"];

impl SoundFiles for FileSounds {
    fn resolve(&self, name: &str) -> Option<PathBuf> {
        let is_path = name.contains('/') || name.contains('\\') || name.contains('.');
        if is_path {
            let path = self.session_dir.as_ref()?.join(name);
            return path.is_file().then_some(path);
        }
        self.sound_dirs.iter().find_map(|dir| {
            NAMED_SOUND_EXTENSIONS
                .iter()
                .map(|ext| dir.join(format!("{name}.{ext}")))
                .find(|p| p.is_file())
        })
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .sound_dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| NAMED_SOUND_EXTENSIONS.contains(&e))
            })
            .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn has_session_dir(&self) -> bool {
        self.session_dir.is_some()
    }

    fn unplayable(&self, path: &Path) -> Option<String> {
        self.decoder?(path).err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_valid_without_warnings() {
        let lib = Library::default();
        for b in BUILTINS {
            let checked = lib.check(&builtin_found(b));
            assert!(
                checked.diagnostics.is_empty(),
                "{}: {:#?}",
                b.name,
                checked.diagnostics
            );
            assert!(checked.session.is_some());
        }
    }

    #[test]
    fn user_sessions_shadow_builtins_and_unknown_names_get_suggestions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("before-a-client.toml"),
            "title = \"Mine\"\n[[step]]\nduration = 60\n",
        )
        .unwrap();
        let lib = Library {
            session_dirs: vec![dir.path().to_path_buf()],
            ..Library::default()
        };
        assert_eq!(lib.find("before-a-client").unwrap().origin, Origin::User);
        assert_eq!(lib.find("sit-and-walk").unwrap().origin, Origin::Builtin);
        let err = lib.find("befor-a-client").unwrap_err().to_string();
        assert!(err.contains("did you mean `before-a-client`"), "{err}");
        let names: Vec<String> = lib.list().into_iter().map(|l| l.found.name).collect();
        assert_eq!(names.len(), BUILTINS.len());
        assert_eq!(names[0], "before-a-client");
        assert_eq!(names.iter().filter(|n| *n == "before-a-client").count(), 1);
    }

    #[test]
    fn sounds_resolve_relative_to_the_session_and_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("chimes")).unwrap();
        std::fs::write(dir.path().join("chimes/gong.wav"), b"RIFF").unwrap();
        let sounds = FileSounds {
            session_dir: Some(dir.path().to_path_buf()),
            sound_dirs: vec![dir.path().join("chimes")],
            decoder: Some(crate::audio::files::playable),
        };
        assert_eq!(
            sounds.resolve("chimes/gong.wav"),
            Some(dir.path().join("chimes/gong.wav"))
        );
        assert_eq!(
            sounds.resolve("gong"),
            Some(dir.path().join("chimes/gong.wav"))
        );
        assert_eq!(sounds.resolve("missing.wav"), None);
        assert_eq!(sounds.names(), ["gong"]);
        // Four bytes of "RIFF" are not a WAV file; the fixture's chime is.
        let why = sounds
            .unplayable(&dir.path().join("chimes/gong.wav"))
            .unwrap();
        assert!(why.contains("not WAV or Ogg Vorbis"), "{why}");
        let real =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/chimes/soft.wav");
        assert_eq!(sounds.unplayable(&real), None);
    }
}
