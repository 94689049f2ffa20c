//! Sound files (WAV, Ogg Vorbis): decoded once into a strike, mono at the synth's rate.

use std::path::Path;

use rodio::Decoder;
use thiserror::Error;

use super::synth::{RATE, STRIKE_PEAK};

/// A chime is short: longer files are cut here.
const MAX_SECONDS: usize = 60;

#[derive(Debug, Error)]
pub enum FileError {
    #[error("cannot open it: {0}")]
    Open(#[from] std::io::Error),
    #[error("it is not WAV or Ogg Vorbis audio hara can decode ({0})")]
    Decode(String),
    #[error("it holds no sound")]
    Empty,
}

/// Decodes a sound file into mono samples at [`RATE`], as loud as a synthesised strike.
pub fn decode(path: &Path) -> Result<Vec<f32>, FileError> {
    let file = crate::read::open_regular(path)?;
    let decoder = Decoder::try_from(file).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

/// Whether a sound file can be played; the session checker's way of trying one.
pub fn playable(path: &Path) -> Result<(), String> {
    decode(path).map(|_| ()).map_err(|e| e.to_string())
}

/// Decodes a sound held in memory (a bundled one).
pub fn decode_bytes(bytes: &'static [u8]) -> Result<Vec<f32>, FileError> {
    let decoder =
        Decoder::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

/// Mixes the decoded channels down to mono, resamples to [`RATE`] (linearly: these are
/// chimes, not music), and brings the peak to a strike's.
fn strike(decoder: impl rodio::Source) -> Result<Vec<f32>, FileError> {
    let channels = usize::from(decoder.channels().get());
    let rate = decoder.sample_rate().get() as usize;
    let frames = MAX_SECONDS * rate;
    let interleaved: Vec<f32> = decoder.take(frames * channels).collect();
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32)
        .collect();
    let out_len = mono.len() * RATE as usize / rate.max(1);
    let mut samples: Vec<f32> = (0..out_len)
        .map(|i| {
            let pos = i as f64 * rate as f64 / f64::from(RATE);
            let (k, frac) = (pos as usize, (pos.fract()) as f32);
            let a = mono[k.min(mono.len() - 1)];
            let b = mono[(k + 1).min(mono.len() - 1)];
            a + (b - a) * frac
        })
        .collect();
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    if samples.is_empty() || peak == 0.0 {
        return Err(FileError::Empty);
    }
    samples.iter_mut().for_each(|s| *s *= STRIKE_PEAK / peak);
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_mixed_to_mono_at_the_synth_rate() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/chimes");
        for name in ["soft.wav", "soft.ogg"] {
            let s = decode(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            // 0.2 s at 8 kHz becomes 0.2 s at 48 kHz (Vorbis pads its last block a little).
            assert!(
                (s.len() as i64 - 9600).abs() < 1500,
                "{name}: {} samples",
                s.len()
            );
            let peak = s.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!((peak - STRIKE_PEAK).abs() < 1e-4);
        }
    }

    #[test]
    fn the_bundled_sounds_decode() {
        for (name, bytes) in crate::bundled::SOUNDS {
            let s = decode_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(s.len() > RATE as usize / 2, "{name} is too short");
        }
    }
}
