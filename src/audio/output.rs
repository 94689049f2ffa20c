//! Playback: one thread owns the sound device and takes commands over a channel.
//!
//! The device is opened before the countdown, so the first bell is on time (an ALSA stream to
//! PulseAudio stalls for a second or so after opening). hara mixes its own voices in one
//! source and bends the sum under 1.0, so strikes and tones that overlap never clip. No device
//! is normal: the session runs silently and the front end says so once. Nothing the sound
//! libraries say reaches the screen: ALSA's messages are caught while the device opens, and
//! the stream's errors are kept, not printed.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rodio::cpal::traits::HostTrait;
use rodio::{DeviceSinkBuilder, MixerDeviceSink, Source};

use super::render::Bank;
use super::synth::{self, RATE, limit};
use crate::session::format::Bell;
use crate::timeline::{EventKind, Phase};

/// How playback stands, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Playing on this device.
    Device(String),
    /// No device could be opened; the session runs visually.
    NoDevice(String),
    /// Sound turned off on purpose (`--silent`), for people who strike their own bowl.
    Silent,
}

/// What the audio thread is asked to do. Synthesis happens there, so the front end's loop
/// never waits for it.
enum Command {
    Bell(Bell),
    Tone(Phase, Duration),
    Volume(f32),
}

/// The sounds playing now, mixed by the device's pull.
#[derive(Default)]
struct Voices {
    playing: Vec<(Vec<f32>, usize)>,
    volume: f32,
}

/// One source for the device: the sum of every voice, at the master volume, limited.
struct Mix {
    voices: Arc<Mutex<Voices>>,
    block: Vec<f32>,
    at: usize,
}

/// Samples mixed per lock of the voices (5 ms).
const BLOCK: usize = RATE as usize / 200;

impl Iterator for Mix {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.at == self.block.len() {
            self.block.clear();
            self.block.resize(BLOCK, 0.0);
            let mut v = self.voices.lock().unwrap_or_else(|e| e.into_inner());
            let volume = v.volume;
            for (samples, pos) in &mut v.playing {
                let end = (*pos + BLOCK).min(samples.len());
                for (out, s) in self.block.iter_mut().zip(&samples[*pos..end]) {
                    *out += s;
                }
                *pos = end;
            }
            v.playing.retain(|(s, pos)| *pos < s.len());
            drop(v);
            self.block.iter_mut().for_each(|s| *s = limit(*s * volume));
            self.at = 0;
        }
        self.at += 1;
        Some(self.block[self.at - 1])
    }
}

impl Source for Mix {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> rodio::ChannelCount {
        std::num::NonZero::new(1).expect("one is not zero")
    }
    fn sample_rate(&self) -> rodio::SampleRate {
        std::num::NonZero::new(RATE).expect("the rate is not zero")
    }
    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

/// A handle on the audio thread.
pub struct Audio {
    tx: Option<Sender<Command>>,
    output: Output,
    bank: Arc<Bank>,
    volume: f32,
    muted: bool,
    /// When the last sound sent will have rung out.
    ringing_until: std::cell::Cell<Option<std::time::Instant>>,
}

/// ALSA prints to stderr while a device opens (and JACK, when its plugin is installed);
/// while this guard lives, its messages go to a buffer instead.
#[cfg(target_os = "linux")]
fn quiet_alsa() -> Option<impl Sized> {
    alsa::Output::local_error_handler().ok()
}

#[cfg(not(target_os = "linux"))]
fn quiet_alsa() -> Option<()> {
    None
}

fn open_sink(device: Option<&str>) -> Result<(MixerDeviceSink, String), String> {
    let _quiet = quiet_alsa();
    let builder = match device {
        None => DeviceSinkBuilder::from_default_device().map_err(|e| e.to_string())?,
        Some(name) => {
            let host = rodio::cpal::default_host();
            let found = host
                .output_devices()
                .map_err(|e| e.to_string())?
                .find(|d| d.to_string() == name)
                .ok_or_else(|| format!("no output named {name:?} (see `hara devices`)"))?;
            DeviceSinkBuilder::from_device(found).map_err(|e| e.to_string())?
        }
    };
    // Ask for hara's own format (mono at the synth's rate) so the device takes the mix as it
    // is, without converting every sample. A new sound starts with the next buffer the device
    // pulls, so the buffer's length (40 ms) bounds how early or late a bell can sound; a
    // device that cannot take this format is opened in one of its own instead. Stream errors are not printed
    // over the screen; playback just goes quiet.
    let mut sink = builder
        .with_channels(std::num::NonZero::new(1).expect("one is not zero"))
        .with_sample_rate(std::num::NonZero::new(RATE).expect("the rate is not zero"))
        .with_buffer_size(rodio::cpal::BufferSize::Fixed(RATE / 25))
        .with_error_callback(|_| {})
        .open_sink_or_fallback()
        .map_err(|e| e.to_string())?;
    sink.log_on_drop(false);
    let name = device.map_or_else(|| "the default output".to_string(), str::to_string);
    Ok((sink, name))
}

/// The names of the outputs, opened quietly.
pub fn devices() -> Result<Vec<String>, String> {
    let _quiet = quiet_alsa();
    let host = rodio::cpal::default_host();
    let devices = host.output_devices().map_err(|e| e.to_string())?;
    Ok(devices.map(|d| d.to_string()).collect())
}

impl Audio {
    /// Opens `device` (or the default) on a thread of its own and waits for it to be ready.
    /// `volume` is the master volume, 0.0 to 1.0.
    pub fn open(device: Option<&str>, bank: Bank, volume: f32) -> Self {
        let (tx, rx) = mpsc::channel::<Command>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let device = device.map(str::to_string);
        let bank = Arc::new(bank);
        let thread_bank = bank.clone();
        let spawned = std::thread::Builder::new()
            .name("hara-audio".into())
            .spawn(move || match open_sink(device.as_deref()) {
                Ok((sink, name)) => {
                    let voices = Arc::new(Mutex::new(Voices {
                        playing: Vec::new(),
                        volume,
                    }));
                    sink.mixer().add(Mix {
                        voices: voices.clone(),
                        block: Vec::new(),
                        at: 0,
                    });
                    let _ = ready_tx.send(Output::Device(name));
                    serve(&rx, &voices, &thread_bank);
                    drop(sink);
                }
                Err(why) => {
                    let _ = ready_tx.send(Output::NoDevice(why));
                }
            });
        let output = match spawned {
            Ok(_) => ready_rx
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_else(|_| Output::NoDevice("the sound device did not answer".into())),
            Err(e) => Output::NoDevice(e.to_string()),
        };
        let tx = matches!(output, Output::Device(_)).then_some(tx);
        Audio {
            tx,
            output,
            bank,
            volume,
            muted: false,
            ringing_until: std::cell::Cell::new(None),
        }
    }

    /// No sound at all, on purpose.
    pub fn silent() -> Self {
        Audio {
            tx: None,
            output: Output::Silent,
            bank: Arc::new(Bank::default()),
            volume: 0.0,
            muted: true,
            ringing_until: std::cell::Cell::new(None),
        }
    }

    pub fn output(&self) -> &Output {
        &self.output
    }

    fn send(&self, c: Command) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(c);
        }
    }

    /// Notes that something lasting `length` starts sounding now.
    fn rings_for(&self, length: Duration) {
        let ends = std::time::Instant::now() + length;
        let later = self.ringing_until.get().map_or(ends, |t| t.max(ends));
        self.ringing_until.set(Some(later));
    }

    /// How long until everything played so far has rung out.
    pub fn ringing_for(&self) -> Duration {
        self.ringing_until.get().map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(std::time::Instant::now())
        })
    }

    /// Plays what an event sounds: a bell's strikes, or a breath tone.
    pub fn event(&self, kind: &EventKind) {
        match kind {
            EventKind::Bell { bell } => self.bell(bell),
            EventKind::Phase {
                phase,
                length,
                tone: true,
            } => self.tone(*phase, *length),
            _ => {}
        }
    }

    pub fn bell(&self, bell: &Bell) {
        if self.tx.is_some() {
            let strike = self.bank.strike(&bell.sound).len();
            let samples =
                strike + synth::samples_in(bell.gap) * bell.strikes.saturating_sub(1) as usize;
            self.rings_for(Duration::from_secs_f64(samples as f64 / f64::from(RATE)));
            self.send(Command::Bell(bell.clone()));
        }
    }

    fn tone(&self, phase: Phase, length: Duration) {
        if self.tx.is_some() && phase.has_tone() {
            self.rings_for(length);
            self.send(Command::Tone(phase, length));
        }
    }

    fn apply_volume(&self) {
        self.send(Command::Volume(if self.muted { 0.0 } else { self.volume }));
    }

    pub fn toggle_mute(&mut self) {
        self.muted = !self.muted;
        self.apply_volume();
    }

    /// Changes the master volume by `step` (0.0 to 1.0 in all).
    pub fn change_volume(&mut self, step: f32) {
        self.volume = (self.volume + step).clamp(0.0, 1.0);
        self.muted = false;
        self.apply_volume();
    }

    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// A few words for the status line.
    pub fn status(&self) -> String {
        match &self.output {
            Output::NoDevice(_) => "no sound device".into(),
            Output::Silent => "silent".into(),
            Output::Device(_) if self.muted => "muted".into(),
            Output::Device(_) => format!("vol {:.0}%", self.volume * 100.0),
        }
    }
}

fn serve(rx: &Receiver<Command>, voices: &Arc<Mutex<Voices>>, bank: &Bank) {
    while let Ok(command) = rx.recv() {
        // Synthesise before taking the lock, so the device never waits on it.
        let samples = match command {
            Command::Bell(bell) => bank.bell(&bell),
            Command::Tone(phase, length) => synth::tone(phase, length),
            Command::Volume(volume) => {
                voices.lock().unwrap_or_else(|e| e.into_inner()).volume = volume;
                continue;
            }
        };
        voices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .playing
            .push((samples, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_sums_voices_at_the_volume_and_stays_under_one() {
        let voices = Arc::new(Mutex::new(Voices {
            playing: vec![(vec![0.6; 300], 0), (vec![0.6; 10], 0)],
            volume: 1.0,
        }));
        let mut mix = Mix {
            voices: voices.clone(),
            block: Vec::new(),
            at: 0,
        };
        let first: Vec<f32> = mix.by_ref().take(20).collect();
        assert!(
            first[0] < 1.0 && first[0] > 0.8,
            "1.2 bends under 1: {}",
            first[0]
        );
        assert!((first[15] - 0.6).abs() < 1e-6, "the short voice is done");
        voices.lock().unwrap().volume = 0.5;
        let later: Vec<f32> = mix.by_ref().take(BLOCK * 2).collect();
        assert!(
            later.iter().any(|s| (s - 0.3).abs() < 1e-6),
            "the volume applies from the next block"
        );
        assert!(
            mix.by_ref().take(BLOCK).all(|s| s == 0.0),
            "silence once every voice is done"
        );
        assert_eq!(voices.lock().unwrap().playing.len(), 0);
    }

    #[test]
    fn silent_audio_says_so_and_plays_nothing() {
        let mut a = Audio::silent();
        a.change_volume(0.1);
        assert_eq!(a.status(), "silent");
        a.event(&EventKind::Finished);
    }
}
