//! The least a program can be that plays through the same sound stack as hara: a quiet sine
//! through cpal's default output (on Linux, ALSA and PulseAudio's plugin), mono at 48 kHz,
//! with hara's stream settings, for a few seconds. Its resident memory is the floor under
//! hara's own with sound open (docs/PERFORMANCE.md); `scripts/bench-sound.sh` measures it.
//!
//! cargo run --release --example sound-floor [SECONDS]

use std::sync::atomic::{AtomicUsize, Ordering};

use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{self, BufferSize, StreamConfig};

use hara::audio::output::PERIOD;
use hara::audio::synth::RATE;

fn main() {
    let seconds = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let Some(device) = cpal::default_host().default_output_device() else {
        eprintln!("sound-floor: no sound output");
        std::process::exit(1);
    };
    let config = StreamConfig {
        channels: 1,
        sample_rate: RATE,
        buffer_size: BufferSize::Fixed(PERIOD),
    };
    let step = 2.0 * std::f32::consts::PI * 220.0 / RATE as f32;
    let mut phase = 0f32;
    let stream = device.build_output_stream(
        config,
        move |data: &mut [f32], _: &cpal::OutputCallbackInfo| {
            for s in data {
                *s = 0.05 * phase.sin();
                phase = (phase + step) % (2.0 * std::f32::consts::PI);
            }
        },
        // Said once: cpal calls this over and over while a stream is broken.
        |e| {
            if ERRORS.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("sound-floor: {e}");
            }
        },
        None,
    );
    let stream = match stream.and_then(|s| s.play().map(|()| s)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sound-floor: {e}");
            std::process::exit(1);
        }
    };
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    drop(stream);
    let errors = ERRORS.load(Ordering::Relaxed);
    if errors > 0 {
        eprintln!("sound-floor: the stream reported {errors} errors");
        std::process::exit(1);
    }
}

static ERRORS: AtomicUsize = AtomicUsize::new(0);
