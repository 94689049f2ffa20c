//! Sound files (WAV, Ogg Vorbis): decoded once into a strike, mono at the synth's rate.

use std::path::Path;

use rodio::Decoder;
use rodio::source::UniformSourceIterator;
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
    let file = std::fs::File::open(path)?;
    let decoder = Decoder::try_from(file).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

/// Decodes a sound held in memory (a bundled one).
pub fn decode_bytes(bytes: &'static [u8]) -> Result<Vec<f32>, FileError> {
    let decoder =
        Decoder::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Decode(e.to_string()))?;
    strike(decoder)
}

fn strike(decoder: impl rodio::Source) -> Result<Vec<f32>, FileError> {
    let channels = std::num::NonZero::new(1).expect("one is not zero");
    let rate = std::num::NonZero::new(RATE).expect("the rate is not zero");
    let mono = UniformSourceIterator::new(decoder, channels, rate);
    let mut samples: Vec<f32> = mono.take(MAX_SECONDS * RATE as usize).collect();
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
    fn the_bundled_sounds_decode() {
        for (name, bytes) in crate::bundled::SOUNDS {
            let s = decode_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(s.len() > RATE as usize / 2, "{name} is too short");
        }
    }
}
