//! The instruments and breath tones, synthesised while they play: mono, at [`RATE`].
//!
//! A singing bowl is a handful of inharmonic partials with long exponential decays and a
//! slightly detuned twin of the fundamental, whose beating gives the bowl its slow shimmer.
//! Each partial is a decaying oscillator (one complex multiplication a sample), so a strike
//! costs a few bytes of state however long it rings, and every instrument rings until it has
//! decayed to −60 dB below its peak before it ends: nothing is cut. A soft raised-cosine
//! attack keeps the strike free of clicks.
//!
//! Instruments are matched by perceived loudness, not by peak: each is scaled so that its
//! A-weighted RMS over the first [`LOUDNESS_WINDOW`] of the strike is the same as the bowl's
//! (whose peak is [`STRIKE_PEAK`]); see [`super::loudness`].

use std::f64::consts::TAU;
use std::sync::OnceLock;
use std::time::Duration;

use super::loudness;
use crate::session::format::Instrument;
use crate::timeline::Phase;

/// Samples a second, for synthesis, rendering and playback alike.
pub const RATE: u32 = 48_000;

/// The bowl's loudest sample; the other instruments are as loud as the bowl to the ear.
pub const STRIKE_PEAK: f32 = 0.5;
/// Breath tones sit well under the bells: something to breathe with, not to listen to.
pub const TONE_PEAK: f32 = 0.1;
/// How much of a strike its loudness is measured over: the ear sums about this long.
pub const LOUDNESS_WINDOW: Duration = Duration::from_millis(400);
/// How far below its peak a strike has decayed when it ends (−60 dB).
const END_LEVEL: f64 = 1e-3;
/// How far below its peak a sound counts as rung out for [`Measured::audible`] (−40 dB): quiet
/// enough that closing the device then, with its fade, cuts nothing anyone hears.
pub const AUDIBLE_LEVEL: f64 = 1e-2;

struct Partial {
    /// Frequency as a multiple of the fundamental.
    ratio: f64,
    /// An offset in Hz (the beating twin of the fundamental).
    detune_hz: f64,
    amplitude: f64,
    /// Time for the partial to fall to 1/e, in seconds.
    decay: f64,
}

const fn p(ratio: f64, amplitude: f64, decay: f64) -> Partial {
    Partial {
        ratio,
        detune_hz: 0.0,
        amplitude,
        decay,
    }
}

struct Voice {
    fundamental: f64,
    partials: &'static [Partial],
    attack: f64,
}

// The bowl rings for 32 s until it is 60 dB down (21 s to −40 dB), the bell for 19 s: what
// a real bowl and a small bell do.
const BOWL: Voice = Voice {
    fundamental: 220.0,
    partials: &[
        p(1.0, 1.0, 5.0),
        Partial {
            ratio: 1.0,
            detune_hz: 1.1,
            amplitude: 0.6,
            decay: 4.5,
        },
        p(2.716, 0.45, 3.0),
        p(5.141, 0.22, 1.6),
        p(8.349, 0.1, 0.9),
    ],
    attack: 0.006,
};

const BELL: Voice = Voice {
    fundamental: 523.25,
    partials: &[
        p(1.0, 1.0, 3.0),
        p(2.0, 0.55, 2.2),
        p(2.76, 0.35, 1.5),
        p(3.99, 0.25, 1.0),
        p(5.4, 0.15, 0.6),
    ],
    attack: 0.004,
};

const WOOD: Voice = Voice {
    fundamental: 620.0,
    partials: &[p(1.0, 1.0, 0.08), p(2.61, 0.5, 0.05), p(4.18, 0.25, 0.03)],
    attack: 0.001,
};

fn voice(i: Instrument) -> &'static Voice {
    match i {
        Instrument::Bowl => &BOWL,
        Instrument::Bell => &BELL,
        Instrument::Wood => &WOOD,
    }
}

/// The raised-cosine envelope of an attack: 0 at the start, 1 after `attack` seconds.
fn attack_gain(t: f64, attack: f64) -> f64 {
    if t >= attack {
        1.0
    } else {
        0.5 - 0.5 * (std::f64::consts::PI * t / attack).cos()
    }
}

/// What is worked out once per instrument: its gain for matched loudness, and its length.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Multiplies the raw sum of partials.
    gain: f64,
    /// The loudest sample, after `gain`.
    pub peak: f32,
    /// Samples until every partial together is below −60 dB of the peak (the strike ends).
    pub length: usize,
    /// Samples until it is below −40 dB of the peak.
    pub audible: usize,
}

/// The first sample at which the sum of the partials' envelopes is below `level` (raw units).
fn time_below(v: &Voice, level: f64) -> usize {
    let bound = |t: f64| -> f64 {
        v.partials
            .iter()
            .map(|p| p.amplitude * (-t / p.decay).exp())
            .sum()
    };
    // Coarse steps of 10 ms, then the exact sample within the step.
    let step = RATE as usize / 100;
    let mut n = 0usize;
    while bound(n as f64 / f64::from(RATE)) > level {
        n += step;
    }
    let mut lo = n.saturating_sub(step);
    while lo < n && bound(lo as f64 / f64::from(RATE)) > level {
        lo += 1;
    }
    lo
}

fn measure(i: Instrument) -> Measured {
    let v = voice(i);
    let window = samples_in(LOUDNESS_WINDOW);
    let raw = Strike::raw(v, 1.0, usize::MAX).take(window);
    let loud = loudness::a_weighted_rms(&raw);
    let peak_raw = raw.iter().fold(0f32, |m, s| m.max(s.abs())) as f64;
    let gain = reference_loudness() / loud;
    Measured {
        gain,
        peak: (peak_raw * gain) as f32,
        // Down to −60 dB, then the closing fade.
        length: time_below(v, END_LEVEL * peak_raw) + RATE as usize / 50,
        audible: time_below(v, AUDIBLE_LEVEL * peak_raw),
    }
}

/// The A-weighted RMS every instrument is brought to: the bowl's, at a peak of
/// [`STRIKE_PEAK`].
pub fn reference_loudness() -> f64 {
    static REF: OnceLock<f64> = OnceLock::new();
    *REF.get_or_init(|| {
        let raw = Strike::raw(&BOWL, 1.0, usize::MAX).take(samples_in(LOUDNESS_WINDOW));
        let peak = raw.iter().fold(0f32, |m, s| m.max(s.abs())) as f64;
        loudness::a_weighted_rms(&raw) * f64::from(STRIKE_PEAK) / peak
    })
}

/// The instrument's loudness gain, peak and lengths, worked out the first time it is asked
/// for (about a millisecond; the audio thread does it while the countdown runs).
pub fn measured(i: Instrument) -> Measured {
    static CELLS: [OnceLock<Measured>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let k = Instrument::ALL.iter().position(|x| *x == i).unwrap_or(0);
    *CELLS[k].get_or_init(|| measure(i))
}

/// One strike of an instrument, synthesised as it plays.
#[derive(Debug, Clone)]
pub struct Strike {
    /// Per partial: the state (re, im) and the per-sample rotation-with-decay (re, im).
    osc: Vec<[f64; 4]>,
    amplitude: Vec<f64>,
    gain: f64,
    attack: usize,
    at: usize,
    length: usize,
    /// The last `fade` samples go smoothly to zero (the level there is already under −60 dB).
    fade: usize,
}

impl Strike {
    /// A strike at `volume` (relative to the instrument's matched loudness).
    pub fn new(i: Instrument, volume: f32) -> Self {
        let m = measured(i);
        Strike::raw(voice(i), m.gain * f64::from(volume), m.length)
    }

    fn raw(v: &Voice, gain: f64, length: usize) -> Self {
        let dt = 1.0 / f64::from(RATE);
        let osc = v
            .partials
            .iter()
            .map(|p| {
                let w = TAU * (v.fundamental * p.ratio + p.detune_hz) * dt;
                let d = (-dt / p.decay).exp();
                [1.0, 0.0, d * w.cos(), d * w.sin()]
            })
            .collect();
        Strike {
            osc,
            amplitude: v.partials.iter().map(|p| p.amplitude).collect(),
            gain,
            attack: (v.attack * f64::from(RATE)) as usize,
            at: 0,
            length,
            fade: (RATE as usize / 50).min(length / 2),
        }
    }

    /// Takes the next `n` samples (for measuring).
    fn take(mut self, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; n];
        self.add_to(&mut out);
        out
    }

    /// Adds the next samples into `out`; false once the strike has ended.
    pub fn add_to(&mut self, out: &mut [f32]) -> bool {
        let rate = f64::from(RATE);
        for o in out.iter_mut() {
            if self.at >= self.length {
                return false;
            }
            let mut sum = 0.0;
            for (s, a) in self.osc.iter_mut().zip(&self.amplitude) {
                let [re, im, c, d] = *s;
                s[0] = re * c - im * d;
                s[1] = re * d + im * c;
                sum += a * im;
            }
            let mut env = self.gain;
            if self.at < self.attack {
                env *= attack_gain(self.at as f64 / rate, self.attack as f64 / rate);
            }
            let left = self.length - self.at;
            if left < self.fade {
                env *= left as f64 / self.fade as f64;
            }
            *o += (sum * env) as f32;
            self.at += 1;
        }
        self.at < self.length
    }
}

/// The frequencies (Hz) an instrument's partials sound at, for tests and the docs.
pub fn partials(instrument: Instrument) -> Vec<f32> {
    let v = voice(instrument);
    v.partials
        .iter()
        .map(|p| (v.fundamental * p.ratio + p.detune_hz) as f32)
        .collect()
}

/// The number of samples in `d`, exactly: [`RATE`] is a whole number of samples a millisecond.
pub fn samples_in(d: Duration) -> usize {
    (d.as_nanos() * u128::from(RATE) / 1_000_000_000) as usize
}

/// A soft breath tone for a phase: a gentle sine that glides up a fifth on the inhale and down
/// on the exhale, fading in and out so it never starts or stops abruptly. Holds and rests are
/// silent (`None`).
#[derive(Debug, Clone)]
pub struct Tone {
    from: f64,
    to: f64,
    length: usize,
    fade: usize,
    at: usize,
    /// The oscillator (re, im) and its rotation, updated every [`TONE_STEP`] samples.
    z: [f64; 2],
    rot: [f64; 2],
}

/// Samples between updates of a tone's frequency and envelope (a third of a millisecond:
/// far too fine to hear as steps).
const TONE_STEP: usize = 16;

impl Tone {
    pub fn new(phase: Phase, length: Duration) -> Option<Self> {
        let (from, to) = match phase {
            Phase::Inhale => (196.0, 293.66),
            Phase::TopUp => (293.66, 329.63),
            Phase::Exhale => (293.66, 196.0),
            Phase::Hold | Phase::Rest | Phase::Still => return None,
        };
        let n = samples_in(length);
        let fade = ((length.as_secs_f64() * 0.25).min(0.4) * f64::from(RATE)) as usize;
        Some(Tone {
            from,
            to,
            length: n,
            fade: fade.max(1),
            at: 0,
            z: [1.0, 0.0],
            rot: [1.0, 0.0],
        })
    }

    pub fn len(&self) -> usize {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    fn envelope(&self, at: usize) -> f64 {
        let edge = (at.min(self.length - at.min(self.length)) as f64 / self.fade as f64).min(1.0);
        0.5 - 0.5 * (std::f64::consts::PI * edge).cos()
    }

    /// Adds the next samples into `out`; false once the tone is over.
    pub fn add_to(&mut self, out: &mut [f32]) -> bool {
        let mut i = 0;
        while i < out.len() && self.at < self.length {
            // Frequency and envelope at the start and end of this step.
            let f = self.from + (self.to - self.from) * (self.at as f64 / self.length as f64);
            let w = TAU * f / f64::from(RATE);
            self.rot = [w.cos(), w.sin()];
            let n = TONE_STEP.min(out.len() - i).min(self.length - self.at);
            let (e0, e1) = (self.envelope(self.at), self.envelope(self.at + n));
            for k in 0..n {
                let [re, im] = self.z;
                self.z = [
                    re * self.rot[0] - im * self.rot[1],
                    re * self.rot[1] + im * self.rot[0],
                ];
                let env = e0 + (e1 - e0) * (k as f64 / n as f64);
                out[i + k] += (f64::from(TONE_PEAK) * env * self.z[1]) as f32;
            }
            // Keep the oscillator on the unit circle (rounding would drift over minutes).
            let mag = self.z[0].hypot(self.z[1]);
            self.z = [self.z[0] / mag, self.z[1] / mag];
            i += n;
            self.at += n;
        }
        self.at < self.length
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The power of `samples` at `freq` (Goertzel), normalised by length.
    pub fn power_at(samples: &[f32], freq: f32) -> f32 {
        let w = std::f32::consts::TAU * freq / RATE as f32;
        let c = 2.0 * w.cos();
        let (mut s1, mut s2) = (0f32, 0f32);
        for &x in samples {
            let s0 = x + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.len() as f32
    }

    pub fn rms(s: &[f32]) -> f32 {
        (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt()
    }

    pub fn whole(i: Instrument) -> Vec<f32> {
        let mut s = Strike::new(i, 1.0);
        let mut out = vec![0.0; measured(i).length + 10];
        assert!(!s.add_to(&mut out), "{i:?} ends within its length");
        out
    }

    #[test]
    fn the_partials_are_where_they_should_be() {
        for i in Instrument::ALL {
            let s = whole(i);
            let window = &s[..(RATE as usize / 5).min(s.len())];
            for f in partials(i) {
                let off = power_at(window, f * 0.93).max(power_at(window, f * 1.07));
                assert!(power_at(window, f) > 5.0 * off, "{i:?}: {f} Hz is weak");
            }
        }
    }

    #[test]
    fn the_bowl_decays_exponentially_for_half_a_minute() {
        let s = whole(Instrument::Bowl);
        let second = RATE as usize;
        // Whole seconds, so the slow beating of the twin averages out.
        let levels: Vec<f32> = (1..25)
            .map(|k| rms(&s[k * second..(k + 1) * second]))
            .collect();
        let ratios: Vec<f32> = levels.windows(2).map(|w| w[1] / w[0]).collect();
        assert!(
            ratios.iter().all(|r| *r < 0.97 && *r > 0.6),
            "falls every second: {ratios:?}"
        );
        assert!(s.len() > 30 * second, "a bowl rings for half a minute");
    }

    #[test]
    fn every_instrument_decays_to_minus_60_db_before_it_ends() {
        for i in Instrument::ALL {
            let s = whole(i);
            let m = measured(i);
            let peak = s.iter().fold(0f32, |a, x| a.max(x.abs()));
            assert!((peak - m.peak).abs() < 1e-3, "{i:?}: {peak} vs {}", m.peak);
            // Where the closing fade begins, it is already 60 dB down.
            let fade = RATE as usize / 50;
            let before = &s[m.length - fade - 240..m.length - fade];
            let level = before.iter().fold(0f32, |a, x| a.max(x.abs()));
            assert!(
                20.0 * (level / peak).log10() < -59.0,
                "{i:?} ends at {} dB",
                20.0 * (level / peak).log10()
            );
            assert!(s[m.length - 1].abs() < 1e-6 && s[m.length..].iter().all(|x| *x == 0.0));
            // Audible until −40 dB: well before the end, well after the start.
            assert!(m.audible < m.length && m.audible > m.length / 2, "{i:?}");
        }
        let secs = |i| measured(i).length as f32 / RATE as f32;
        assert!(secs(Instrument::Bowl) > 30.0 && secs(Instrument::Bowl) < 45.0);
        assert!(secs(Instrument::Bell) > 15.0);
    }

    #[test]
    fn instruments_are_equally_loud_to_the_ear() {
        let reference = reference_loudness();
        for i in Instrument::ALL {
            let s = whole(i);
            let l = loudness::a_weighted_rms(&s[..samples_in(LOUDNESS_WINDOW)]);
            let db = 20.0 * (l / reference).log10();
            assert!(db.abs() < 0.1, "{i:?} is {db:.2} dB off the bowl");
            let peak = measured(i).peak;
            assert!(peak <= 0.71, "{i:?} peaks at {peak}");
        }
        assert!((measured(Instrument::Bowl).peak - STRIKE_PEAK).abs() < 1e-4);
    }

    #[test]
    fn strikes_start_softly() {
        for i in Instrument::ALL {
            let s = whole(i);
            assert!(s[0].abs() < 1e-3, "{i:?} starts with a click");
            // The first half millisecond is still well inside the soft attack.
            let onset = s[..RATE as usize / 2000]
                .iter()
                .fold(0f32, |m, x| m.max(x.abs()));
            let peak = measured(i).peak;
            assert!(onset < 0.25 * peak, "{i:?}: {onset} of {peak} in 0.5 ms");
        }
    }

    #[test]
    fn a_strike_keeps_a_few_hundred_bytes_however_long_it_rings() {
        let s = Strike::new(Instrument::Bowl, 1.0);
        let bytes = std::mem::size_of_val(&s)
            + s.osc.len() * std::mem::size_of::<[f64; 4]>()
            + s.amplitude.len() * 8;
        assert!(bytes < 512, "{bytes} bytes");
    }

    fn tone(phase: Phase, length: Duration) -> Vec<f32> {
        let Some(mut t) = Tone::new(phase, length) else {
            return Vec::new();
        };
        let mut out = vec![0.0; t.len()];
        // In uneven pieces, as a device pulls it.
        for chunk in out.chunks_mut(333) {
            t.add_to(chunk);
        }
        out
    }

    #[test]
    fn tones_glide_and_fade() {
        let up = tone(Phase::Inhale, Duration::from_secs(4));
        assert_eq!(up.len(), 4 * RATE as usize);
        assert!(up[0].abs() < 1e-6 && up.last().unwrap().abs() < 1e-3);
        let start = power_at(&up[RATE as usize / 2..RATE as usize], 200.0);
        let end = power_at(&up[3 * RATE as usize..7 * RATE as usize / 2], 200.0);
        assert!(start > end, "the inhale tone rises");
        assert!(up.iter().all(|s| s.abs() <= TONE_PEAK + 1e-6));
        assert!(tone(Phase::Hold, Duration::from_secs(2)).is_empty());
    }

    #[test]
    fn tones_have_no_steps_in_them() {
        // A zipper would show as energy far above the tone; a smooth glide has none.
        let up = tone(Phase::Inhale, Duration::from_secs(4));
        let mid = &up[RATE as usize..3 * RATE as usize];
        let diff2: Vec<f32> = mid.windows(3).map(|w| w[2] - 2.0 * w[1] + w[0]).collect();
        // For a pure sine the second difference is w²·x: at ≤ 300 Hz under 0.0016 of the
        // amplitude. Steps in frequency or level would show as spikes.
        let worst = diff2.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(worst < 0.002 * TONE_PEAK, "{worst}");
    }
}
