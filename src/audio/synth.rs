//! The instruments, synthesised: a few decaying partials each, mono, at [`RATE`].
//!
//! A singing bowl is a handful of inharmonic partials with long exponential decays and a
//! slightly detuned twin of the fundamental, whose beating gives the bowl its slow shimmer. A
//! soft raised-cosine attack keeps the strike free of clicks, and a short fade closes the tail.

use std::f32::consts::TAU;
use std::time::Duration;

use crate::session::format::Instrument;
use crate::timeline::Phase;

/// Samples a second, for synthesis, rendering and playback alike.
pub const RATE: u32 = 48_000;

/// The loudest a single strike gets, leaving room for strikes and tones that overlap.
pub const STRIKE_PEAK: f32 = 0.5;
/// Breath tones sit well under the bells: something to breathe with, not to listen to.
pub const TONE_PEAK: f32 = 0.1;

struct Partial {
    /// Frequency as a multiple of the fundamental, or an offset in Hz for the beating twin.
    ratio: f32,
    detune_hz: f32,
    amplitude: f32,
    /// Time for the partial to fall to 1/e, in seconds.
    decay: f32,
}

const fn p(ratio: f32, amplitude: f32, decay: f32) -> Partial {
    Partial {
        ratio,
        detune_hz: 0.0,
        amplitude,
        decay,
    }
}

struct Voice {
    fundamental: f32,
    partials: &'static [Partial],
    attack: f32,
    length: f32,
}

const BOWL: Voice = Voice {
    fundamental: 220.0,
    partials: &[
        p(1.0, 1.0, 7.0),
        Partial {
            ratio: 1.0,
            detune_hz: 1.1,
            amplitude: 0.6,
            decay: 6.0,
        },
        p(2.71, 0.45, 4.0),
        p(5.13, 0.22, 2.2),
        p(8.33, 0.1, 1.2),
    ],
    attack: 0.006,
    length: 9.0,
};

const BELL: Voice = Voice {
    fundamental: 523.25,
    partials: &[
        p(1.0, 1.0, 3.5),
        p(2.0, 0.55, 2.5),
        p(2.76, 0.35, 1.6),
        p(3.99, 0.25, 1.1),
        p(5.4, 0.15, 0.7),
    ],
    attack: 0.004,
    length: 4.5,
};

const WOOD: Voice = Voice {
    fundamental: 620.0,
    partials: &[p(1.0, 1.0, 0.08), p(2.61, 0.5, 0.05), p(4.18, 0.25, 0.03)],
    attack: 0.001,
    length: 0.4,
};

fn voice(i: Instrument) -> &'static Voice {
    match i {
        Instrument::Bowl => &BOWL,
        Instrument::Bell => &BELL,
        Instrument::Wood => &WOOD,
    }
}

/// How long a fade closes every sound, so that a cut tail never clicks.
const TAIL_FADE: f32 = 0.02;

/// The raised-cosine envelope of an attack: 0 at the start, 1 after `attack` seconds.
fn attack_gain(t: f32, attack: f32) -> f32 {
    if t >= attack {
        1.0
    } else {
        0.5 - 0.5 * (std::f32::consts::PI * t / attack).cos()
    }
}

/// Scales `samples` so the loudest is `peak`.
fn normalise(samples: &mut [f32], peak: f32) {
    let max = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    if max > 0.0 {
        samples.iter_mut().for_each(|s| *s *= peak / max);
    }
}

/// One strike of an instrument, its loudest sample at [`STRIKE_PEAK`].
pub fn strike(instrument: Instrument) -> Vec<f32> {
    let v = voice(instrument);
    let n = (v.length * RATE as f32) as usize;
    let fade_from = v.length - TAIL_FADE;
    let mut out: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let sum: f32 = v
                .partials
                .iter()
                .map(|p| {
                    let f = v.fundamental * p.ratio + p.detune_hz;
                    p.amplitude * (-t / p.decay).exp() * (TAU * f * t).sin()
                })
                .sum();
            let fade = if t > fade_from {
                (v.length - t) / TAIL_FADE
            } else {
                1.0
            };
            sum * attack_gain(t, v.attack) * fade
        })
        .collect();
    normalise(&mut out, STRIKE_PEAK);
    out
}

/// The frequencies (Hz) an instrument's partials sound at, for tests and the docs.
pub fn partials(instrument: Instrument) -> Vec<f32> {
    let v = voice(instrument);
    v.partials
        .iter()
        .map(|p| v.fundamental * p.ratio + p.detune_hz)
        .collect()
}

/// Several strikes, each `gap` after the one before, mixed so that decays overlap rather than
/// cut each other off.
pub fn strikes(one: &[f32], count: u32, gap: Duration) -> Vec<f32> {
    let step = samples_in(gap);
    let len = step * count.saturating_sub(1) as usize + one.len();
    let mut out = vec![0.0; len];
    for k in 0..count as usize {
        mix_into(&mut out, k * step, one, 1.0);
    }
    out
}

/// Adds `source × gain` into `track` from sample `at`, growing the track if needed.
pub fn mix_into(track: &mut Vec<f32>, at: usize, source: &[f32], gain: f32) {
    if track.len() < at + source.len() {
        track.resize(at + source.len(), 0.0);
    }
    for (t, s) in track[at..].iter_mut().zip(source) {
        *t += s * gain;
    }
}

/// The number of samples in `d`, exactly: [`RATE`] is a whole number of samples a millisecond.
pub fn samples_in(d: Duration) -> usize {
    (d.as_millis() * u128::from(RATE) / 1000) as usize
}

/// A soft breath tone for a phase: a gentle sine that glides up a fifth on the inhale and down
/// on the exhale, fading in and out so it never starts or stops abruptly. Holds and rests are
/// silent.
pub fn tone(phase: Phase, length: Duration) -> Vec<f32> {
    let (from, to) = match phase {
        Phase::Inhale => (196.0, 293.66),
        Phase::TopUp => (293.66, 329.63),
        Phase::Exhale => (293.66, 196.0),
        Phase::Hold | Phase::Rest | Phase::Still => return Vec::new(),
    };
    let n = samples_in(length);
    let secs = length.as_secs_f32().max(1e-3);
    let fade = (secs * 0.25).min(0.4);
    let mut phase_acc = 0f32;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let f = from + (to - from) * (t / secs);
            phase_acc = (phase_acc + TAU * f / RATE as f32) % TAU;
            let edge = (t / fade).min((secs - t) / fade).clamp(0.0, 1.0);
            let env = 0.5 - 0.5 * (std::f32::consts::PI * edge).cos();
            TONE_PEAK * env * phase_acc.sin()
        })
        .collect()
}

/// Keeps every sample inside (−1, 1) without touching quiet ones: above 0.8 the level bends
/// smoothly towards 1 instead of clipping.
pub fn limit(x: f32) -> f32 {
    const KNEE: f32 = 0.8;
    let a = x.abs();
    if a <= KNEE {
        x
    } else {
        // u/(1+u) approaches but never reaches 1; the cap keeps f32 rounding below 1 too.
        let u = (a - KNEE) / (1.0 - KNEE);
        x.signum() * (KNEE + (1.0 - KNEE) * u / (1.0 + u)).min(0.9999)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The power of `samples` at `freq` (Goertzel), normalised by length.
    fn power_at(samples: &[f32], freq: f32) -> f32 {
        let w = TAU * freq / RATE as f32;
        let c = 2.0 * w.cos();
        let (mut s1, mut s2) = (0f32, 0f32);
        for &x in samples {
            let s0 = x + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.len() as f32
    }

    fn rms(s: &[f32]) -> f32 {
        (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt()
    }

    #[test]
    fn the_partials_are_where_they_should_be() {
        for i in Instrument::ALL {
            let s = strike(i);
            let window = &s[..(RATE as usize / 5).min(s.len())];
            for f in partials(i) {
                let off = power_at(window, f * 0.93).max(power_at(window, f * 1.07));
                assert!(power_at(window, f) > 5.0 * off, "{i:?}: {f} Hz is weak");
            }
        }
    }

    #[test]
    fn the_bowl_decays_exponentially() {
        let s = strike(Instrument::Bowl);
        let second = RATE as usize;
        // Whole seconds, so the slow beating of the twin averages out.
        let levels: Vec<f32> = (1..8)
            .map(|k| rms(&s[k * second..(k + 1) * second]))
            .collect();
        let ratios: Vec<f32> = levels.windows(2).map(|w| w[1] / w[0]).collect();
        let (lo, hi) = ratios
            .iter()
            .fold((1f32, 0f32), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        assert!(hi < 0.97 && lo > 0.6, "falls every second: {ratios:?}");
        assert!(hi - lo < 0.2, "by a similar factor each second: {ratios:?}");
    }

    #[test]
    fn strikes_start_softly_and_never_clip() {
        for i in Instrument::ALL {
            let s = strike(i);
            assert!(s[0].abs() < 1e-3, "{i:?} starts with a click");
            // The first half millisecond is still well inside the soft attack.
            let onset = s[..RATE as usize / 2000]
                .iter()
                .fold(0f32, |m, x| m.max(x.abs()));
            assert!(
                onset < 0.25 * STRIKE_PEAK,
                "{i:?}: {onset} in the first 0.5 ms"
            );
            let peak = s.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!((peak - STRIKE_PEAK).abs() < 1e-4);
            assert!(s.last().unwrap().abs() < 1e-3, "{i:?} ends with a click");
        }
    }

    #[test]
    fn overlapping_strikes_mix() {
        let one = strike(Instrument::Bowl);
        let three = strikes(&one, 3, Duration::from_millis(2500));
        assert_eq!(
            three.len(),
            samples_in(Duration::from_millis(5000)) + one.len()
        );
        // At the second strike the first one is still ringing.
        let at = samples_in(Duration::from_millis(2500)) + 2400;
        assert!(three[at].abs() != one[2400].abs());
    }

    #[test]
    fn tones_glide_and_fade() {
        let up = tone(Phase::Inhale, Duration::from_secs(4));
        assert_eq!(up.len(), 4 * RATE as usize);
        assert!(up[0].abs() < 1e-6 && up.last().unwrap().abs() < 1e-3);
        let start = power_at(&up[RATE as usize / 2..RATE as usize], 200.0);
        let end = power_at(&up[3 * RATE as usize..7 * RATE as usize / 2], 200.0);
        assert!(start > end, "the inhale tone rises");
        assert!(up.iter().all(|s| s.abs() <= TONE_PEAK));
        assert!(tone(Phase::Hold, Duration::from_secs(2)).is_empty());
    }

    #[test]
    fn the_limiter_bends_instead_of_clipping() {
        assert_eq!(limit(0.5), 0.5);
        assert_eq!(limit(-0.8), -0.8);
        for x in [0.9f32, 1.0, 1.5, 3.0, 100.0] {
            assert!(limit(x) < 1.0 && limit(x) > 0.8);
            assert_eq!(limit(-x), -limit(x));
        }
        assert!(limit(1.5) > limit(1.0));
    }
}
