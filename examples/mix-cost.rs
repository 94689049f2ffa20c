//! What the mix costs a sample: silence, a breath tone, each sound bed, and a bed under a tone
//! and speech, mixed in the device's 100 ms periods as the sound thread does. For the figures
//! in docs/PERFORMANCE.md.
//!
//! cargo run --release --example mix-cost

use std::time::{Duration, Instant};

use hara::audio::bed::BedVoice;
use hara::audio::mix::{BedChange, Mixer, Voice};
use hara::audio::synth::{RATE, Tone};
use hara::session::format::{Ambient, AmbientSound, Noise};
use hara::timeline::Phase;

/// Nanoseconds a sample over `seconds` of mix, the best of three runs.
fn cost(seconds: usize, setup: impl Fn(&mut Mixer)) -> f64 {
    (0..3)
        .map(|_| {
            let mut m = Mixer::new(0.8);
            setup(&mut m);
            let mut period = vec![0.0f32; RATE as usize / 10];
            let started = Instant::now();
            for _ in 0..seconds * 10 {
                m.fill(&mut period);
            }
            let n = (seconds * RATE as usize) as f64;
            started.elapsed().as_nanos() as f64 / n
        })
        .fold(f64::MAX, f64::min)
}

fn bed(kind: Noise) -> Voice {
    let a = Ambient {
        sound: AmbientSound::Noise(kind),
        volume: 0.2,
        fade: Duration::from_secs(1),
    };
    Voice::Bed(BedChange::Start(Box::new(BedVoice::noise(kind, &a))))
}

fn tone() -> Voice {
    Voice::Tone(Tone::new(Phase::Inhale, Duration::from_secs(60)).expect("an inhale has a tone"))
}

/// What is playing in a row of the table.
type Setup = Box<dyn Fn(&mut Mixer)>;

fn main() {
    let seconds = 60;
    println!("the mix, ns a sample (best of 3 runs of {seconds} s of sound):");
    let rows: [(&str, Setup); 5] = [
        ("silence", Box::new(|_| {})),
        ("a breath tone", Box::new(|m| m.add(0, tone()))),
        ("a bed: surf", Box::new(|m| m.add(0, bed(Noise::Surf)))),
        ("a bed: rain", Box::new(|m| m.add(0, bed(Noise::Rain)))),
        (
            "surf under a breath tone",
            Box::new(|m| {
                m.add(0, bed(Noise::Surf));
                m.add(0, tone());
            }),
        ),
    ];
    for (label, setup) in rows {
        println!("{label:<28} {:>6.1} ns", cost(seconds, setup));
    }
}
