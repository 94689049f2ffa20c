//! The sounds a room display plays: every bell and breath tone of the run, as the very samples
//! hara synthesises for its own speakers, served as WAV files by number.
//!
//! A clip is named by what it sounds, never by a path: the page asks for `/clip/3`, and 3 is
//! an index into this table, made from the session's own events. Spoken guidance, when it
//! comes, is one more kind of [`Clip`].

use std::io::Cursor;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::audio::render::{Bank, event_samples};
use crate::audio::synth::RATE;
use crate::session::format::Bell;
use crate::timeline::{EventKind, Phase};

/// Something the page can play.
#[derive(Debug, Clone, PartialEq)]
pub enum Clip {
    /// A whole bell: its strikes with their gap, at its volume.
    Bell(Bell),
    /// A breath tone of one phase's length.
    Tone(Phase, Duration),
}

impl Clip {
    /// The clip an event sounds, if it sounds one.
    pub fn of(kind: &EventKind) -> Option<Clip> {
        match kind {
            EventKind::Bell { bell } => Some(Clip::Bell(bell.clone())),
            EventKind::Phase {
                phase,
                length,
                tone: true,
            } if phase.has_tone() => Some(Clip::Tone(*phase, *length)),
            _ => None,
        }
    }
}

/// A clip's WAV file, made when first asked for.
type Rendered = Arc<OnceLock<Arc<[u8]>>>;

/// The clips of one run, numbered as they are first met, each rendered to WAV once, when first
/// asked for.
pub struct Clips {
    bank: Option<Bank>,
    table: Mutex<Vec<(Clip, Rendered)>>,
}

impl Clips {
    /// `bank` holds the session's sounds; `None` means the run is silent on purpose, and the
    /// page offers no sound.
    pub fn new(bank: Option<Bank>) -> Self {
        Clips {
            bank,
            table: Mutex::new(Vec::new()),
        }
    }

    pub fn audible(&self) -> bool {
        self.bank.is_some()
    }

    /// The number of the clip `kind` sounds (numbering it if it is new); `None` when it
    /// sounds nothing or the run is silent.
    pub fn id(&self, kind: &EventKind) -> Option<usize> {
        self.bank.as_ref()?;
        let clip = Clip::of(kind)?;
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = table.iter().position(|(c, _)| *c == clip) {
            return Some(i);
        }
        table.push((clip, Arc::new(OnceLock::new())));
        Some(table.len() - 1)
    }

    /// Clip `id` as a WAV file (mono, 16-bit, at the synthesiser's rate); `None` for a number
    /// that names no clip.
    pub fn wav(&self, id: usize) -> Option<Arc<[u8]>> {
        let bank = self.bank.as_ref()?;
        let (clip, cell) = {
            let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
            table.get(id).cloned()?
        };
        Some(
            cell.get_or_init(|| {
                let kind = match &clip {
                    Clip::Bell(bell) => EventKind::Bell { bell: bell.clone() },
                    Clip::Tone(phase, length) => EventKind::Phase {
                        phase: *phase,
                        length: *length,
                        tone: true,
                    },
                };
                let samples = event_samples(bank, &kind);
                wav(&samples).into()
            })
            .clone(),
        )
    }
}

/// Samples as a WAV file in memory, as `hara render` writes them.
pub fn wav(samples: &[f32]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::with_capacity(44 + 2 * samples.len()));
    {
        let mut w = hound::WavWriter::new(&mut out, spec).expect("writing to memory cannot fail");
        for s in samples {
            let _ = w.write_sample((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16);
        }
        let _ = w.finalize();
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::format::{Instrument, Sound};

    fn bell(strikes: u32) -> EventKind {
        EventKind::Bell {
            bell: Bell {
                sound: Sound::Instrument(Instrument::Wood),
                strikes,
                ..Bell::default()
            },
        }
    }

    fn tone(phase: Phase, ms: u64) -> EventKind {
        EventKind::Phase {
            phase,
            length: Duration::from_millis(ms),
            tone: true,
        }
    }

    #[test]
    fn each_sound_is_numbered_once_and_silence_has_no_number() {
        let clips = Clips::new(Some(Bank::default()));
        assert_eq!(clips.id(&bell(1)), Some(0));
        assert_eq!(clips.id(&tone(Phase::Inhale, 4000)), Some(1));
        assert_eq!(clips.id(&bell(1)), Some(0), "the same bell, the same clip");
        assert_eq!(clips.id(&bell(3)), Some(2));
        assert_eq!(clips.id(&tone(Phase::Hold, 4000)), None, "holds are silent");
        let untoned = EventKind::Phase {
            phase: Phase::Inhale,
            length: Duration::from_secs(4),
            tone: false,
        };
        assert_eq!(clips.id(&untoned), None);
        assert_eq!(
            clips.id(&EventKind::Cue {
                text: "x".into(),
                spoken: false,
                voice: None
            }),
            None
        );
        let silent = Clips::new(None);
        assert!(!silent.audible());
        assert_eq!(silent.id(&bell(1)), None, "a silent run offers no sound");
    }

    #[test]
    fn a_clip_is_the_synthesisers_own_samples_as_wav() {
        let clips = Clips::new(Some(Bank::default()));
        let id = clips.id(&tone(Phase::Exhale, 2000)).unwrap();
        let bytes = clips.wav(id).unwrap();
        let mut reader = hound::WavReader::new(Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(
            (reader.spec().channels, reader.spec().sample_rate),
            (1, RATE)
        );
        let got: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        let want = event_samples(
            &Bank::default(),
            &EventKind::Phase {
                phase: Phase::Exhale,
                length: Duration::from_secs(2),
                tone: true,
            },
        );
        assert!(want.len() >= 2 * RATE as usize, "the whole exhale");
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!((f32::from(*g) / f32::from(i16::MAX) - w).abs() < 1e-4);
        }
        assert!(
            Arc::ptr_eq(&bytes, &clips.wav(id).unwrap()),
            "rendered once"
        );
        assert_eq!(clips.wav(99), None, "no such clip");
    }
}
