//! Sound at the command line: choosing the output and volume, `hara chime`, `hara devices`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::audio::devices::{self, BadDevice};
use crate::audio::files;
use crate::audio::output::{Audio, Output};
use crate::audio::render::Bank;
use crate::config::Config;
use crate::session::check::SoundFiles;
use crate::session::format::{Bell, Instrument, Sound};
use crate::session::library::FileSounds;
use crate::timeline::Timeline;

#[derive(Debug, Args)]
pub struct SoundArgs {
    /// The sound output to use, by name (see `hara devices`)
    #[arg(long, value_name = "NAME", global = true)]
    pub device: Option<String>,
    /// The master volume, 0 to 100 (default 80); each step of 10 is 3 dB; bells' own volumes
    /// are relative to it
    #[arg(long, value_name = "PERCENT", global = true, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub volume: Option<u8>,
    /// No sound at all: the session runs visually (for people who strike their own bowl)
    #[arg(long, global = true)]
    pub silent: bool,
}

impl SoundArgs {
    /// The master volume, 0.0 to 1.0.
    pub fn volume(&self, config: &Config) -> f32 {
        f32::from(self.volume.or(config.volume).unwrap_or(80)) / 100.0
    }

    fn device<'a>(&'a self, config: &'a Config) -> Option<&'a str> {
        self.device.as_deref().or(config.device.as_deref())
    }

    /// The audio for a session: its sound files decoded, the device opening on the audio
    /// thread while the caller goes on. A named device that does not exist is an error.
    pub fn open(&self, config: &Config, timeline: &Timeline) -> Result<Audio> {
        if self.silent {
            return Ok(Audio::silent());
        }
        if let Some(name) = self.device(config) {
            devices::check(name).map_err(|why| BadDevice {
                name: name.to_string(),
                why,
            })?;
        }
        let bank = super::render::bank_for(timeline)?;
        Ok(Audio::open(self.device(config), bank, self.volume(config)))
    }
}

/// The line said once about sound, when there is something to say (waits for the device to
/// open, at most a few seconds).
pub fn notice(audio: &Audio) -> Option<String> {
    match audio.wait_ready(Duration::from_secs(5)) {
        Output::NoDevice(why) => Some(format!("{why}: running silently")),
        Output::Opening => Some("the sound device did not open in time: running silently".into()),
        Output::Silent | Output::Device(_) | Output::Lost(_) => None,
    }
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
fn file_sounds(config: &Config) -> FileSounds {
    let mut sound_dirs = config.sound_dirs.clone();
    sound_dirs.extend(crate::config::project_dirs().map(|d| d.data_dir().join("sounds")));
    FileSounds {
        session_dir: std::env::current_dir().ok(),
        sound_dirs,
        decoder: None,
    }
}

/// The sound `name` means, decoded into `bank`; a name that means nothing gets the closest.
fn chime_sound(name: &str, config: &Config, bank: &mut Bank) -> Result<Sound> {
    if let Some(i) = Instrument::from_name(name) {
        return Ok(Sound::Instrument(i));
    }
    let sounds = file_sounds(config);
    if let Some(path) = sounds.resolve(name) {
        let decoded =
            files::decode(&path).with_context(|| format!("cannot play {}", path.display()))?;
        bank.add_file(path.clone(), decoded);
        return Ok(Sound::File(path));
    }
    if name.contains(['/', '\\', '.']) {
        bail!("cannot play {name}: there is no such file");
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
    bail!("there is no sound `{name}`{hint}")
}

pub fn chime(args: &ChimeArgs, sound: &SoundArgs, config: &Config) -> Result<ExitCode> {
    if sound.silent {
        bail!("--silent and a sound check do not go together");
    }
    let mut bank = Bank::default();
    let what = chime_sound(&args.sound, config, &mut bank)?;
    let bell = Bell {
        sound: what,
        strikes: args.strikes,
        ..Bell::default()
    };
    if let Some(name) = sound.device(config) {
        devices::check(name).map_err(|why| BadDevice {
            name: name.to_string(),
            why,
        })?;
    }
    let audio = Audio::open(sound.device(config), bank, sound.volume(config));
    match audio.wait_ready(Duration::from_secs(5)) {
        Output::Device(name) => {
            println!(
                "{bell} on {name}, at volume {}%",
                (sound.volume(config) * 100.0).round()
            );
            audio.bell(&bell);
            // Let it ring out (to −40 dB) before the device closes; Ctrl-C ends the wait, and
            // either way what still rings is faded out, not cut.
            wait_or_stop(audio.ringing_for());
            drop(audio);
            Ok(ExitCode::SUCCESS)
        }
        Output::NoDevice(why) | Output::Lost(why) => {
            println!("{why}");
            Ok(ExitCode::FAILURE)
        }
        Output::Opening => {
            println!("the sound device did not open in time");
            Ok(ExitCode::FAILURE)
        }
        Output::Silent => unreachable!("a sound check is never silent"),
    }
}

/// Waits `how_long`, or until SIGINT, SIGTERM or SIGHUP.
fn wait_or_stop(how_long: Duration) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        std::thread::sleep(how_long);
        return;
    };
    let handle = signals.handle();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(());
        }
    });
    let _ = rx.recv_timeout(how_long);
    handle.close();
}

pub fn list_devices() -> Result<ExitCode> {
    let outputs = devices::outputs();
    if outputs.is_empty() {
        println!("{}", devices::NO_OUTPUT);
        return Ok(ExitCode::FAILURE);
    }
    let width = outputs
        .iter()
        .map(|o| o.id.chars().count())
        .max()
        .unwrap_or(0);
    for o in outputs {
        let mark = if o.default { "*" } else { " " };
        let default = if o.default { " (the default)" } else { "" };
        println!(
            "{mark} {:width$}  {}{default}",
            crate::text::clean_line(&o.id),
            crate::text::clean_line(&o.description)
        );
    }
    println!("Choose one with --device NAME (or `device = \"NAME\"` in the config file).");
    Ok(ExitCode::SUCCESS)
}
