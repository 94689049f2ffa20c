//! The whole session's audio track, sample-exact: every bell and breath tone mixed in at its
//! offset, for `hara render` (a teacher can play the file from any speaker).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use super::synth::{self, limit, mix_into, samples_in};
use crate::session::format::{Bell, Instrument, Sound};
use crate::timeline::{EventKind, Timeline};

/// One strike of every sound a session can use.
pub struct Bank {
    instruments: HashMap<Instrument, Vec<f32>>,
    files: HashMap<PathBuf, Vec<f32>>,
    bundled: HashMap<String, Vec<f32>>,
}

impl Default for Bank {
    fn default() -> Self {
        Bank {
            instruments: Instrument::ALL
                .iter()
                .map(|&i| (i, synth::strike(i)))
                .collect(),
            files: HashMap::new(),
            bundled: HashMap::new(),
        }
    }
}

impl Bank {
    /// Only the sounds `timeline` uses: its instruments synthesised, its files decoded by
    /// `decode`. Synthesis takes a moment, so a session does not pay for instruments it
    /// never strikes.
    pub fn for_timeline<E>(
        timeline: &Timeline,
        decode: impl Fn(&std::path::Path) -> Result<Vec<f32>, E>,
    ) -> Result<Self, E> {
        let mut bank = Bank {
            instruments: HashMap::new(),
            files: HashMap::new(),
            bundled: HashMap::new(),
        };
        for e in &timeline.events {
            let EventKind::Bell { bell } = &e.kind else {
                continue;
            };
            match &bell.sound {
                Sound::Instrument(i) => {
                    bank.instruments
                        .entry(*i)
                        .or_insert_with(|| synth::strike(*i));
                }
                Sound::File(path) if !bank.files.contains_key(path) => {
                    bank.files.insert(path.clone(), decode(path)?);
                }
                Sound::Bundled(name) if !bank.bundled.contains_key(name) => {
                    // Bundled sounds are tested to decode; one that did not would be silent.
                    let samples = crate::bundled::sound(name)
                        .and_then(|bytes| super::files::decode_bytes(bytes).ok())
                        .unwrap_or_default();
                    bank.bundled.insert(name.clone(), samples);
                }
                Sound::File(_) | Sound::Bundled(_) => {}
            }
        }
        Ok(bank)
    }

    /// Adds a decoded sound file (mono, at [`synth::RATE`]).
    pub fn add_file(&mut self, path: PathBuf, samples: Vec<f32>) {
        self.files.insert(path, samples);
    }

    /// Adds a decoded bundled sound.
    pub fn add_bundled(&mut self, name: &str, samples: Vec<f32>) {
        self.bundled.insert(name.to_string(), samples);
    }

    /// One strike of `sound`; silence for a sound the bank was not made with.
    pub fn strike(&self, sound: &Sound) -> &[f32] {
        match sound {
            Sound::Instrument(i) => self.instruments.get(i).map_or(&[], Vec::as_slice),
            Sound::File(path) => self.files.get(path).map_or(&[], Vec::as_slice),
            Sound::Bundled(name) => self.bundled.get(name).map_or(&[], Vec::as_slice),
        }
    }

    /// A whole bell: its strikes with their gap, at its volume.
    pub fn bell(&self, bell: &Bell) -> Vec<f32> {
        let mut out = synth::strikes(self.strike(&bell.sound), bell.strikes, bell.gap);
        out.iter_mut().for_each(|s| *s *= bell.volume);
        out
    }
}

/// The track from the start of the countdown to the last bell's last echo, mono at
/// [`synth::RATE`], every sample inside (−1, 1).
pub fn render(timeline: &Timeline, bank: &Bank) -> Vec<f32> {
    let mut track = vec![0.0; samples_in(timeline.prepare + timeline.total)];
    for e in &timeline.events {
        let at = samples_in(timeline.prepare + e.at);
        match &e.kind {
            EventKind::Bell { bell } => mix_into(&mut track, at, &bank.bell(bell), 1.0),
            EventKind::Phase {
                phase,
                length,
                tone: true,
            } => mix_into(&mut track, at, &synth::tone(*phase, *length), 1.0),
            _ => {}
        }
    }
    track.iter_mut().for_each(|s| *s = limit(*s));
    track
}

/// The track's length.
pub fn length(track: &[f32]) -> Duration {
    Duration::from_secs_f64(track.len() as f64 / f64::from(synth::RATE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;

    fn timeline(source: &str) -> Timeline {
        crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap()
            .1
    }

    /// Sample indices where the track first rises above `level` after `quiet` samples of
    /// silence: the onsets.
    fn onsets(track: &[f32], level: f32, quiet: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut silent = quiet;
        for (i, s) in track.iter().enumerate() {
            if s.abs() > level {
                if silent >= quiet {
                    out.push(i);
                }
                silent = 0;
            } else {
                silent += 1;
            }
        }
        out
    }

    #[test]
    fn each_bell_starts_on_its_exact_sample() {
        let t = timeline(
            "title = \"b\"\nprepare = \"1.5s\"\n[bells]\nstart = \"wood\"\nend = \"wood\"\n\
             at = [{ at = \"2.001s\", sound = \"wood\" }]\n[[step]]\nduration = 4\n",
        );
        let track = render(&t, &Bank::default());
        // Wood knocks die away within a second; the first audible sample of each strike is
        // its attack's first rise, a few samples after the planned one.
        let found = onsets(&track, 1e-4, 4800);
        let planned = [72_000, 72_000 + 96_048, 72_000 + 192_000];
        assert_eq!(found.len(), 3, "{found:?}");
        for (f, p) in found.iter().zip(planned) {
            assert!((*f as i64 - p).abs() <= 2, "onset at {f}, planned {p}");
        }
    }

    #[test]
    fn several_sounds_at_once_never_clip() {
        let t = timeline(
            "title = \"loud\"\ntones = true\n[bells]\nstart = { sound = \"bowl\", strikes = 5, gap = \"0.1s\" }\n\
             at = [{ at = \"0s\", sound = \"bell\", strikes = 5, gap = \"0.1s\" }]\n\
             [[step]]\nbreaths = 2\nbreath = \"4-0-6-0\"\nbell = { sound = \"bowl\", strikes = 4, gap = \"0.2s\" }\n",
        );
        let track = render(&t, &Bank::default());
        let peak = track.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(peak < 1.0 && peak > 0.8, "peak {peak}");
    }

    #[test]
    fn the_track_covers_countdown_session_and_last_echo() {
        let t = timeline("title = \"s\"\nprepare = 2\n[[step]]\nduration = 10\n");
        let track = render(&t, &Bank::default());
        // 2 s countdown + 10 s + the end bowl's 9 s ring.
        assert_eq!(track.len(), 21 * synth::RATE as usize);
        assert_eq!(length(&track), Duration::from_secs(21));
    }
}
