//! Sound files (WAV, Ogg Vorbis): decoded once, mono at the synth's rate, matched in loudness
//! to the instruments.

use std::path::Path;
use std::sync::Arc;

use rodio::Decoder;
use thiserror::Error;

use super::synth::{AUDIBLE_LEVEL, LOUDNESS_WINDOW, RATE, reference_loudness, samples_in};

/// A chime is short, and a bed loops: longer files are cut here (a minute of mono samples at
/// [`RATE`] is 11.5 MB).
pub const MAX_SECONDS: usize = 60;
/// A file is never made louder than this at its peak (−3 dBFS), whatever its loudness.
pub const MAX_PEAK: f32 = 0.7;

#[derive(Debug, Error)]
pub enum FileError {
    #[error("cannot open it: {0}")]
    Open(#[from] std::io::Error),
    #[error("it is not WAV or Ogg Vorbis audio hara can decode ({0})")]
    Decode(String),
    #[error("it holds no sound")]
    Empty,
}

/// A decoded sound file.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Mono at [`RATE`], as in the file.
    pub samples: Arc<[f32]>,
    /// Brings it to the instruments' loudness.
    pub gain: f32,
    /// Samples until it has fallen below −40 dB of its peak for good.
    pub audible: usize,
}

/// Decodes a sound file into mono samples at [`RATE`].
pub fn decode(path: &Path) -> Result<Decoded, FileError> {
    let file = crate::read::open_regular(path)?;
    let decoder = Decoder::try_from(file).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

/// Decodes a sound bed's file: up to its first [`MAX_SECONDS`] (11.5 MB of samples at most,
/// however long the file), matched in loudness over all of it.
pub fn decode_bed(path: &Path) -> Result<Decoded, FileError> {
    let file = crate::read::open_regular(path)?;
    let decoder = Decoder::try_from(file).map_err(|e| FileError::Decode(e.to_string()))?;
    bed(decoder)
}

/// Decodes a bundled sound to loop as a bed.
pub fn decode_bed_bytes(bytes: &'static [u8]) -> Result<Decoded, FileError> {
    let decoder =
        Decoder::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Decode(e.to_string()))?;
    bed(decoder)
}

/// A bed is heard as a whole, not as a strike: its loudness is measured over all of it and
/// matched to hara's own beds ([`super::bed::bed_loudness`]), and (like any file) it is never
/// raised above a peak of −3 dBFS.
fn bed(decoder: impl rodio::Source) -> Result<Decoded, FileError> {
    let samples = mono(decoder);
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    if samples.is_empty() || peak == 0.0 {
        return Err(FileError::Empty);
    }
    let loud = super::loudness::a_weighted_rms(&samples).max(1e-9);
    let gain = ((super::bed::bed_loudness() / loud) as f32).min(MAX_PEAK / peak);
    Ok(Decoded {
        audible: samples.len(),
        samples: samples.into(),
        gain,
    })
}

/// The first [`MAX_SECONDS`] of a decoder's sound, mixed down to mono and resampled to
/// [`RATE`].
fn mono(decoder: impl rodio::Source) -> Vec<f32> {
    let channels = usize::from(decoder.channels().get());
    let rate = decoder.sample_rate().get();
    let frames = MAX_SECONDS * rate as usize;
    let interleaved: Vec<f32> = decoder.take(frames * channels).collect();
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32)
        .collect();
    resample(&mono, rate, RATE)
}

/// Whether a sound file can be played; the session checker's way of trying one.
pub fn playable(path: &Path) -> Result<(), String> {
    decode(path).map(|_| ()).map_err(|e| e.to_string())
}

/// Decodes a sound held in memory (a bundled one).
pub fn decode_bytes(bytes: &'static [u8]) -> Result<Decoded, FileError> {
    let decoder =
        Decoder::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

/// Mixes the decoded channels down to mono, resamples to [`RATE`], and works out the gain
/// that makes it as loud as an instrument.
fn strike(decoder: impl rodio::Source) -> Result<Decoded, FileError> {
    let samples = mono(decoder);
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    if samples.is_empty() || peak == 0.0 {
        return Err(FileError::Empty);
    }
    // Loudness over the window after the sound starts (the first sample above −40 dB).
    let onset = samples
        .iter()
        .position(|s| s.abs() >= peak * AUDIBLE_LEVEL as f32)
        .unwrap_or(0);
    let window = &samples[onset..(onset + samples_in(LOUDNESS_WINDOW)).min(samples.len())];
    let loud = super::loudness::a_weighted_rms(window).max(1e-9);
    let gain = ((reference_loudness() / loud) as f32).min(MAX_PEAK / peak);
    let audible = samples
        .iter()
        .rposition(|s| s.abs() >= peak * AUDIBLE_LEVEL as f32)
        .map_or(0, |i| i + 1);
    Ok(Decoded {
        samples: samples.into(),
        gain,
        audible,
    })
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Taps on each side of a sample in the resampling filter (of the lower rate).
const HALF_TAPS: usize = 32;

/// Resamples with a windowed-sinc (Blackman) low-pass at 95 % of the lower rate's Nyquist
/// frequency: no images above it, unlike interpolating between samples.
pub fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || input.is_empty() {
        return input.to_vec();
    }
    let g = gcd(from, to);
    let (up, down) = ((to / g) as u64, (from / g) as u64);
    let out_len = (input.len() as u64 * up / down) as usize;
    // The filter's cutoff, as a fraction of the input rate.
    let cutoff = 0.95 * 0.5 * (f64::from(to.min(from)) / f64::from(from));
    // In input samples: more taps when the output rate is the lower one.
    let half = (HALF_TAPS as f64 * (0.5 / cutoff).max(1.0)).ceil() as i64;
    let kernel = |x: f64| -> f64 {
        let w = x / (half as f64 + 1.0);
        if w.abs() >= 1.0 {
            return 0.0;
        }
        let arg = std::f64::consts::TAU * cutoff * x;
        let sinc = if x == 0.0 { 1.0 } else { arg.sin() / arg };
        let t = std::f64::consts::PI * (w + 1.0);
        sinc * (0.42 - 0.5 * t.cos() + 0.08 * (2.0 * t).cos())
    };
    // One set of taps for each of the `up` positions between input samples, when that is few.
    let table: Option<Vec<Vec<f32>>> = (up <= 4096).then(|| {
        (0..up)
            .map(|phase| {
                let frac = phase as f64 / up as f64;
                (-half + 1..=half)
                    .map(|k| (kernel(k as f64 - frac) * 2.0 * cutoff) as f32)
                    .collect()
            })
            .collect()
    });
    (0..out_len as u64)
        .map(|n| {
            let pos = n * down;
            let (base, phase) = ((pos / up) as i64, pos % up);
            let taps = (-half + 1..=half).enumerate();
            let mut sum = 0f64;
            for (j, k) in taps {
                let i = base + k;
                if i < 0 || i >= input.len() as i64 {
                    continue;
                }
                let h = match &table {
                    Some(t) => f64::from(t[phase as usize][j]),
                    None => kernel(k as f64 - phase as f64 / up as f64) * 2.0 * cutoff,
                };
                sum += f64::from(input[i as usize]) * h;
            }
            sum as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::synth::tests::power_at;

    #[test]
    fn files_are_mixed_to_mono_at_the_synth_rate() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/chimes");
        for name in ["soft.wav", "soft.ogg"] {
            let d = decode(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            // 0.2 s at 8 kHz becomes 0.2 s at 48 kHz (Vorbis pads its last block a little).
            let n = d.samples.len();
            assert!((n as i64 - 9600).abs() < 1500, "{name}: {n} samples");
            let peak = d.samples.iter().fold(0f32, |m, x| m.max(x.abs())) * d.gain;
            assert!(
                peak <= MAX_PEAK + 1e-4 && peak > 0.05,
                "{name}: peak {peak}"
            );
            assert!(d.audible > 0 && d.audible <= n);
        }
    }

    #[test]
    fn the_bundled_sounds_decode_and_are_at_hara_s_own_rate() {
        for (name, bytes) in crate::bundled::SOUNDS {
            let d = decode_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(d.samples.len() > RATE as usize / 2, "{name} is too short");
            // Shipped at 48 kHz: played as they are, never resampled.
            let decoder = Decoder::new(std::io::Cursor::new(*bytes)).unwrap();
            assert_eq!(rodio::Source::sample_rate(&decoder).get(), RATE, "{name}");
        }
    }

    fn sine(f: f64, rate: u32, secs: f64) -> Vec<f32> {
        (0..(secs * f64::from(rate)) as usize)
            .map(|i| (0.5 * (std::f64::consts::TAU * f * i as f64 / f64::from(rate)).sin()) as f32)
            .collect()
    }

    #[test]
    fn resampling_leaves_no_images() {
        // A 10 kHz tone at 24 kHz: interpolating between samples leaves its image at 14 kHz.
        let up = resample(&sine(10_000.0, 24_000, 0.5), 24_000, RATE);
        assert_eq!(up.len(), RATE as usize / 2);
        let mid = &up[2000..22000];
        let (tone, image) = (power_at(mid, 10_000.0), power_at(mid, 14_000.0));
        let db = 10.0 * (image / tone).log10();
        assert!(db < -60.0, "image at {db:.1} dB");
        // And the tone keeps its level.
        let rms = (mid.iter().map(|x| x * x).sum::<f32>() / mid.len() as f32).sqrt();
        assert!((rms - 0.5 / 2f32.sqrt()).abs() < 0.01, "{rms}");
        // 44.1 kHz, the common file rate, too.
        let cd = resample(&sine(1_000.0, 44_100, 0.5), 44_100, RATE);
        let mid = &cd[2000..22000];
        assert!(power_at(mid, 1000.0) > 1e4 * power_at(mid, 3000.0));
    }
}
