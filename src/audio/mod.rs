//! Sound: synthesised instruments and breath tones, the session's audio track, and playback.

pub mod bed;
pub mod devices;
pub mod files;
pub mod loudness;
pub mod mix;
pub mod output;
pub mod render;
pub mod synth;
