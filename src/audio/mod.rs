//! Sound: synthesised instruments and breath tones, the session's audio track, and playback.

pub mod files;
pub mod output;
pub mod render;
pub mod synth;
