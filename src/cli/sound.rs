//! Sound at the command line: choosing the output and volume, `hara chime`, `hara devices`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::audio::files;
use crate::audio::output::{Audio, Output, devices};
use crate::audio::render::Bank;
use crate::output;
use crate::practice::Inbox;
use crate::session::format::{Bell, Instrument, Sound};
use crate::settings::Settings;
use crate::text::clean_line;
use crate::timeline::Timeline;

#[derive(Debug, Args)]
pub struct SoundArgs {
    /// The sound output to use, by name (see `hara devices`; or set HARA_DEVICE)
    #[arg(long, value_name = "NAME", global = true)]
    pub device: Option<String>,
    /// The master volume, 0 to 100 (default 80, or set HARA_VOLUME); bells' own volumes are
    /// relative to it
    #[arg(long, value_name = "PERCENT", global = true, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: Option<u8>,
    /// No sound at all: the session runs visually (for people who strike their own bowl)
    #[arg(long, global = true)]
    pub silent: bool,
}

/// The audio for a session: its sounds ready, the device open before the countdown.
pub fn open(settings: &Settings, timeline: &Timeline) -> Result<Audio> {
    if settings.silent {
        return Ok(Audio::silent());
    }
    let bank = super::render::bank_for(timeline)?;
    Ok(Audio::open(
        settings.device.as_deref(),
        bank,
        settings.gain(),
    ))
}

#[derive(Debug, Args)]
pub struct ChimeArgs {
    /// bowl, bell, wood, a bundled sound (temple-bowl, clappers), or a .wav/.ogg file
    #[arg(default_value = "bowl")]
    pub sound: String,
    /// How many strikes
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub strikes: u32,
}

pub fn chime(args: &ChimeArgs, settings: &Settings) -> Result<ExitCode> {
    let mut bank = Bank::default();
    let what = match Instrument::from_name(&args.sound) {
        Some(i) => Sound::Instrument(i),
        None if crate::bundled::sound(&args.sound).is_some() => {
            let bytes = crate::bundled::sound(&args.sound).unwrap_or_default();
            bank.add_bundled(&args.sound, files::decode_bytes(bytes)?);
            Sound::Bundled(args.sound.clone())
        }
        None => {
            let path = PathBuf::from(&args.sound);
            let samples = files::decode(&path).with_context(|| {
                format!(
                    "cannot play {}",
                    crate::text::clean_line(&path.display().to_string())
                )
            })?;
            bank.add_file(path.clone(), samples);
            Sound::File(path)
        }
    };
    let bell = Bell {
        sound: what,
        strikes: args.strikes,
        ..Bell::default()
    };
    if settings.silent {
        bail!("--silent and a sound check do not go together");
    }
    let audio = Audio::open(settings.device.as_deref(), bank, settings.gain());
    match audio.output() {
        Output::Device(name) => {
            output::print(&format!(
                "{bell} on {}, at volume {}%\n",
                clean_line(name),
                settings.volume
            ))?;
            let mut inbox = Inbox::<()>::new(false).context("cannot listen for stop signals")?;
            audio.bell(&bell);
            crate::practice::ring_out(&audio, &mut inbox);
            Ok(ExitCode::SUCCESS)
        }
        Output::NoDevice(why) => {
            output::print(&format!("no sound device: {}\n", clean_line(why)))?;
            Ok(ExitCode::FAILURE)
        }
        Output::Silent => unreachable!("a sound check is never silent"),
    }
}

pub fn list_devices() -> Result<ExitCode> {
    match devices() {
        Ok(names) if names.is_empty() => {
            output::print("no sound outputs found\n")?;
            Ok(ExitCode::FAILURE)
        }
        Ok(names) => {
            let list: String = names.iter().map(|n| clean_line(n) + "\n").collect();
            output::print(&list)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            output::print(&format!("no sound outputs found: {}\n", clean_line(&why)))?;
            Ok(ExitCode::FAILURE)
        }
    }
}
