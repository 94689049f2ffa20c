//! The sound outputs a person would choose, found and opened without a word from the sound
//! libraries reaching the terminal.
//!
//! ALSA lists every plugin it knows (rate converters, up-mixers, "Discard all samples"), and
//! its plugins print to stderr on their own (ALSA's error handler, JACK's client, PulseAudio's
//! client): [`Quiet`] holds ALSA's handler and points stderr at /dev/null while a device is
//! enumerated, opened or closed.

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::cpal::{self, Device};

/// While this lives, nothing reaches stderr (the process's fd 2 points at /dev/null) and
/// ALSA's messages go to a buffer. One at a time: the guard is process-wide.
pub struct Quiet {
    #[cfg(unix)]
    saved: Option<std::os::fd::OwnedFd>,
    #[cfg(target_os = "linux")]
    _alsa: Option<std::rc::Rc<std::cell::RefCell<alsa::Output>>>,
    _lock: std::sync::MutexGuard<'static, ()>,
}

impl Quiet {
    pub fn new() -> Self {
        let lock = crate::output::stderr_swap();
        #[cfg(unix)]
        let saved = {
            let saved = crate::output::saved_stderr().ok();
            let null = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .ok();
            match (saved, null) {
                (Some(saved), Some(null)) if rustix::stdio::dup2_stderr(&null).is_ok() => {
                    Some(saved)
                }
                _ => None,
            }
        };
        Quiet {
            #[cfg(unix)]
            saved,
            #[cfg(target_os = "linux")]
            _alsa: alsa::Output::local_error_handler().ok(),
            _lock: lock,
        }
    }
}

impl Default for Quiet {
    fn default() -> Self {
        Quiet::new()
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            let _ = rustix::stdio::dup2_stderr(&saved);
        }
    }
}

/// An output as `hara devices` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputInfo {
    /// What `--device` takes (ALSA's name for it, e.g. `default`, `pulse`, `plughw:CARD=PCH,DEV=0`).
    pub id: String,
    /// What it is, in the system's words.
    pub description: String,
    pub default: bool,
}

/// ALSA plugins nobody picks as a speaker: converters, mixers, splitters, and the one that
/// throws everything away.
fn chosen_by_people(id: &str) -> bool {
    const NOT: &[&str] = &[
        "null",
        "lavrate",
        "samplerate",
        "speexrate",
        "upmix",
        "vdownmix",
        "dmix",
        "dsnoop",
        "hw",
        "front",
        "surround",
        "iec",
        "spdif",
        "oss",
        "usbstream",
        "a52",
        "modem",
        "phoneline",
        "rear",
        "center_lfe",
        "side",
    ];
    let kind = id.split(':').next().unwrap_or(id);
    let kind = kind.trim_end_matches(|c: char| c.is_ascii_digit());
    !NOT.contains(&kind)
}

fn id(d: &Device) -> String {
    d.id()
        .map_or_else(|_| d.to_string(), |i| i.id().to_string())
}

fn description(d: &Device) -> String {
    d.description()
        .map(|desc| desc.name().to_string())
        .unwrap_or_else(|_| id(d))
}

/// Whether the device opens for playback now (a sound server that is down does not).
fn opens(d: &Device) -> bool {
    d.supported_output_configs()
        .is_ok_and(|mut c| c.next().is_some())
}

/// The outputs that can play now, the default first.
pub fn outputs() -> Vec<OutputInfo> {
    let _quiet = Quiet::new();
    let host = cpal::default_host();
    let default_id = host.default_output_device().map(|d| id(&d));
    let mut out: Vec<OutputInfo> = host
        .output_devices()
        .map(|ds| {
            ds.filter(|d| chosen_by_people(&id(d)) && opens(d))
                .map(|d| OutputInfo {
                    default: Some(id(&d)) == default_id,
                    id: id(&d),
                    description: description(&d),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|o| !o.default);
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// Why an output could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// No output at all can play now.
    NoOutputs,
    /// Not one of these (with the closest, if any is close).
    Unknown {
        names: Vec<String>,
        closest: Option<String>,
    },
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotFound::NoOutputs => f.write_str(NO_OUTPUT),
            NotFound::Unknown { names, closest } => {
                f.write_str("the outputs are: ")?;
                f.write_str(&names.join(", "))?;
                if let Some(c) = closest {
                    write!(f, " (did you mean `{c}`?)")?;
                }
                Ok(())
            }
        }
    }
}

/// A `--device` (or `device` in the config file) that names no output: refused before the
/// session starts (exit 2), with the names there are.
#[derive(Debug, thiserror::Error)]
#[error("there is no sound output named `{name}`: {why}")]
pub struct BadDevice {
    pub name: String,
    pub why: NotFound,
}

/// What hara says when nothing can play.
pub const NO_OUTPUT: &str =
    "no sound output can play here (no sound card, and no sound server such as PulseAudio running)";

/// Whether `wanted` (an id or a description, any case) names an output that can play now.
pub fn check(wanted: &str) -> Result<OutputInfo, NotFound> {
    let all = outputs();
    if let Some(o) = all
        .iter()
        .find(|o| o.id == wanted || o.description.eq_ignore_ascii_case(wanted))
    {
        return Ok(o.clone());
    }
    if all.is_empty() {
        return Err(NotFound::NoOutputs);
    }
    let names: Vec<String> = all.iter().map(|o| o.id.clone()).collect();
    let closest = names
        .iter()
        .map(|n| {
            (
                strsim::jaro_winkler(&n.to_lowercase(), &wanted.to_lowercase()),
                n,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.clone());
    Err(NotFound::Unknown { names, closest })
}

/// The device to open: the default, or the one named (by id or description).
pub fn find(wanted: Option<&str>) -> Result<Device, String> {
    let host = cpal::default_host();
    match wanted {
        None => host
            .default_output_device()
            .ok_or_else(|| NO_OUTPUT.to_string()),
        Some(w) => host
            .output_devices()
            .map_err(|_| NO_OUTPUT.to_string())?
            .find(|d| id(d) == w || description(d).eq_ignore_ascii_case(w))
            .ok_or_else(|| format!("there is no output named `{w}`")),
    }
}

/// What to call `device` (found for `wanted`) on the status line and in `hara chime`. For
/// the default this goes through every output (the default's own description is generic;
/// the listing's says where it goes), so it is asked only once the device plays: a machine
/// with no output tries again every few seconds, and at about 10 ms a time the listing
/// would cost more than the rest of the session.
pub fn name(device: &Device, wanted: Option<&str>) -> String {
    match wanted {
        None => {
            let listed = cpal::default_host()
                .output_devices()
                .ok()
                .and_then(|mut all| all.find(|d| id(d) == id(device)))
                .map(|d| description(&d));
            format!(
                "the default output ({})",
                listed.unwrap_or_else(|| description(device))
            )
        }
        Some(_) => format!("{} ({})", id(device), description(device)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_nobody_chooses_are_left_out() {
        for id in [
            "null",
            "lavrate",
            "upmix",
            "vdownmix",
            "hw:CARD=PCH,DEV=0",
            "surround51:CARD=PCH",
        ] {
            assert!(!chosen_by_people(id), "{id}");
        }
        for id in [
            "default",
            "pulse",
            "pipewire",
            "plughw:CARD=PCH,DEV=0",
            "sysdefault:CARD=PCH",
            "jack",
        ] {
            assert!(chosen_by_people(id), "{id}");
        }
    }

    #[test]
    fn quiet_keeps_stderr_off_and_gives_it_back() {
        use std::os::fd::AsFd;
        let before = rustix::fs::fstat(std::io::stderr().as_fd()).unwrap();
        {
            let _q = Quiet::new();
            let during = rustix::fs::fstat(std::io::stderr().as_fd()).unwrap();
            let null = rustix::fs::stat("/dev/null").unwrap();
            assert_eq!((during.st_dev, during.st_ino), (null.st_dev, null.st_ino));
        }
        let after = rustix::fs::fstat(std::io::stderr().as_fd()).unwrap();
        assert_eq!((before.st_dev, before.st_ino), (after.st_dev, after.st_ino));
    }

    #[test]
    fn a_wrong_name_gets_the_list_and_a_suggestion() {
        let e = NotFound::Unknown {
            names: vec!["default".into(), "pulse".into()],
            closest: Some("pulse".into()),
        };
        assert_eq!(
            e.to_string(),
            "the outputs are: default, pulse (did you mean `pulse`?)"
        );
    }
}
