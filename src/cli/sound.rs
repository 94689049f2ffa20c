//! Sound at the command line: choosing the output and volume, `hara chime`, `hara devices`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::audio::devices::{self, BadDevice};
use crate::audio::files;
use crate::audio::output::{Audio, Output};
use crate::audio::render::Bank;
use crate::output;
use crate::practice::Inbox;
use crate::session::check::SoundFiles;
use crate::session::format::{Bell, Instrument, Sound};
use crate::session::library::FileSounds;
use crate::settings::Settings;
use crate::text::clean_line;
use crate::timeline::Timeline;

#[derive(Debug, Args)]
pub struct SoundArgs {
    /// The sound output to use, by name (see `hara devices`; or set HARA_DEVICE)
    #[arg(long, value_name = "NAME", global = true)]
    pub device: Option<String>,
    /// The master volume, 0 to 100 (default 80, or set HARA_VOLUME); each step of 10 is 3 dB;
    /// bells' own volumes are relative to it
    #[arg(long, value_name = "PERCENT", global = true, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: Option<u8>,
    /// No sound at all: the session runs visually (for people who strike their own bowl)
    #[arg(long, global = true)]
    pub silent: bool,
    /// Speak what sessions with `speak = true` say aloud, even when HARA_SPEAK or the config
    /// file turns speech off
    #[arg(long, global = true, overrides_with = "no_speak")]
    pub speak: bool,
    /// Speak nothing: sessions that speak their cues show them only (or HARA_SPEAK=0, or
    /// `speak = false` in the config file)
    #[arg(long, global = true, overrides_with = "speak")]
    pub no_speak: bool,
}

/// A named output that does not exist is refused before anything starts.
pub(super) fn check_device(settings: &Settings) -> Result<()> {
    if let Some(name) = settings.device.as_deref() {
        devices::check(name).map_err(|why| BadDevice {
            name: name.to_string(),
            why,
        })?;
    }
    Ok(())
}

/// The audio for a session: its sound files decoded, the device opening on the audio
/// thread while the caller goes on. A named device that does not exist is an error.
pub fn open(settings: &Settings, timeline: &Timeline) -> Result<Audio> {
    if settings.silent {
        return Ok(Audio::silent());
    }
    check_device(settings)?;
    let bank = super::render::bank_for(timeline)?;
    if settings.speak {
        crate::speech::prepare_in_background(
            &bank,
            timeline,
            crate::speech::Speaker::new(
                crate::speech::engine_for(&settings.speech, timeline),
                crate::speech::default_cache(),
            ),
        );
    }
    Ok(Audio::open(
        settings.device.as_deref(),
        bank,
        settings.gain(),
    ))
}

#[derive(Debug, Args)]
pub struct ChimeArgs {
    /// bowl, bell, wood, a bundled sound (temple-bowl, clappers), one of your sounds by name,
    /// or a .wav/.ogg file
    #[arg(default_value = "bowl")]
    pub sound: String,
    /// How many strikes
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub strikes: u32,
}

/// Your sound folders, as sessions see them; paths relative to the current folder.
fn file_sounds(settings: &Settings) -> FileSounds {
    FileSounds {
        session_dir: std::env::current_dir().ok(),
        sound_dirs: settings.sound_dirs.clone(),
        decoder: None,
    }
}

/// The sound `name` means, decoded into `bank`; a name that means nothing gets the closest.
fn chime_sound(name: &str, settings: &Settings, bank: &mut Bank) -> Result<Sound> {
    if let Some(i) = Instrument::from_name(name) {
        return Ok(Sound::Instrument(i));
    }
    let sounds = file_sounds(settings);
    if let Some(path) = sounds.resolve(name) {
        let decoded = files::decode(&path)
            .with_context(|| format!("cannot play {}", clean_line(&path.display().to_string())))?;
        bank.add_file(path.clone(), decoded);
        return Ok(Sound::File(path));
    }
    if name.contains(['/', '\\', '.']) {
        bail!("cannot play {}: there is no such file", clean_line(name));
    }
    if let Some(bytes) = crate::bundled::sound(name) {
        bank.add_bundled(name, files::decode_bytes(bytes)?);
        return Ok(Sound::Bundled(name.to_string()));
    }
    let mut names: Vec<String> = Instrument::ALL
        .iter()
        .map(|i| i.name().to_string())
        .collect();
    names.extend(crate::bundled::SOUNDS.iter().map(|(n, _)| n.to_string()));
    names.extend(sounds.names());
    let hint = match crate::diag::did_you_mean(name, names.iter().map(String::as_str)) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => format!(
            "; the sounds are {}, or a path to a .wav or .ogg file",
            names.join(", ")
        ),
    };
    bail!("there is no sound `{}`{hint}", clean_line(name))
}

pub fn chime(args: &ChimeArgs, settings: &Settings) -> Result<ExitCode> {
    if settings.silent {
        bail!("--silent and a sound check do not go together");
    }
    let mut bank = Bank::default();
    let what = chime_sound(&args.sound, settings, &mut bank)?;
    let bell = Bell {
        sound: what,
        strikes: args.strikes,
        ..Bell::default()
    };
    check_device(settings)?;
    let audio = Audio::open(settings.device.as_deref(), bank, settings.gain());
    play_once(
        audio,
        |name| format!("{bell} on {name}, at volume {}%\n", settings.volume),
        |audio| audio.bell(&bell),
    )
}

/// Once the device is open, says `announce(its name)`, plays what `play` sends and lets it
/// ring out (to −40 dB) before the device closes; Ctrl-C ends the wait, and either way what
/// still rings is faded out, not cut. No device is one line and a failure.
pub(super) fn play_once(
    audio: Audio,
    announce: impl FnOnce(&str) -> String,
    play: impl FnOnce(&Audio),
) -> Result<ExitCode> {
    match audio.wait_ready(Duration::from_secs(5)) {
        Output::Device(name) => {
            output::print(&announce(&clean_line(&name)))?;
            let mut inbox = Inbox::<()>::new(false).context("cannot listen for stop signals")?;
            play(&audio);
            crate::practice::ring_out(&audio, &mut inbox);
            drop(audio);
            Ok(ExitCode::SUCCESS)
        }
        Output::NoDevice(why) | Output::Lost(why) => {
            output::print(&format!("{}\n", clean_line(&why)))?;
            Ok(ExitCode::FAILURE)
        }
        Output::Opening => {
            output::print("the sound device did not open in time\n")?;
            Ok(ExitCode::FAILURE)
        }
        Output::Silent => unreachable!("a sound check is never silent"),
    }
}

pub fn list_devices() -> Result<ExitCode> {
    let outputs = devices::outputs();
    if outputs.is_empty() {
        output::print(&format!("{}\n", devices::NO_OUTPUT))?;
        return Ok(ExitCode::FAILURE);
    }
    let width = outputs
        .iter()
        .map(|o| o.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut listing = String::new();
    for o in outputs {
        let mark = if o.default { "*" } else { " " };
        let default = if o.default { " (the default)" } else { "" };
        listing += &format!(
            "{mark} {:width$}  {}{default}\n",
            clean_line(&o.id),
            clean_line(&o.description)
        );
    }
    listing += "Choose one with --device NAME (or `device = \"NAME\"` in the config file).\n";
    output::print(&listing)?;
    Ok(ExitCode::SUCCESS)
}
