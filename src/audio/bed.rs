//! Sound beds (format 1.1): a quiet sound under a session, looped without a seam, faded in as
//! it starts and out as it ends.
//!
//! hara's own beds are noise synthesised as they play from a seeded generator (a few dozen
//! bytes of state, no buffer): **surf**, brown noise that swells and ebbs in waves of 6 to 11
//! seconds, a little brighter at each crest, and **rain**, pink noise softened above 5 kHz.
//! The seed is fixed, so a render is the same every time. A file is looped with an
//! equal-power crossfade of up to two seconds between its end and its start, so the loop
//! point has no seam.
//!
//! Beds are matched in loudness like the instruments, to each other and to the bowl: at
//! volume 1.0 a bed's A-weighted RMS is [`BED_UNDER_BOWL_DB`] under the bowl strike's (see
//! [`super::loudness`]), with no peak above −3 dBFS (surf's crests are what set that level);
//! a bed's `volume` scales it (0.2, the default, is 20 dB under a bowl).

use std::f32::consts::FRAC_PI_2;
use std::sync::Arc;
use std::time::Duration;

use super::files::MAX_PEAK;
use super::mix::RAMP_SECONDS;
use super::synth::{RATE, reference_loudness, samples_in};
use crate::session::format::{Ambient, Noise};

/// How much quieter than a bowl's strike (A-weighted) a bed is at volume 1.0: as loud as the
/// beds can be matched with surf's crests under −3 dBFS.
pub const BED_UNDER_BOWL_DB: f64 = 6.0;

/// The A-weighted RMS every bed is brought to at volume 1.0.
pub fn bed_loudness() -> f64 {
    reference_loudness() * 10f64.powf(-BED_UNDER_BOWL_DB / 20.0)
}

/// The longest crossfade at a file's loop point.
const LOOP_FADE: Duration = Duration::from_secs(2);
/// How much of a synthesised bed its loudness is measured over: surf over a few waves.
const MEASURE_SURF: Duration = Duration::from_secs(24);
const MEASURE_RAIN: Duration = Duration::from_secs(4);

/// A small, fast generator (xorshift64*): the same seed, the same noise.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [−1, 1).
    fn white(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// Uniform in [lo, hi).
    fn between(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.white() * 0.5 + 0.5)
    }
}

fn seed(kind: Noise) -> u64 {
    match kind {
        Noise::Surf => 0x5EED_0000_5C0F_0001,
        Noise::Rain => 0x5EED_0000_0A1B_0002,
    }
}

/// A synthesised bed, sample by sample.
#[derive(Debug, Clone)]
struct NoiseSource {
    kind: Noise,
    rng: Rng,
    /// Filter states: brown's integrator and the crest's wash (surf), or the pink filter's
    /// seven poles and the softening low-pass (rain).
    state: [f32; 8],
    /// Surf's waves: where in the current wave, its length and height.
    wave_at: u32,
    wave_len: u32,
    wave_peak: f32,
}

impl NoiseSource {
    fn new(kind: Noise) -> Self {
        let mut s = NoiseSource {
            kind,
            rng: Rng(seed(kind)),
            state: [0.0; 8],
            wave_at: 0,
            wave_len: 1,
            wave_peak: 1.0,
        };
        s.next_wave();
        s
    }

    fn next_wave(&mut self) {
        self.wave_at = 0;
        self.wave_len = (self.rng.between(6.0, 11.0) * RATE as f32) as u32;
        self.wave_peak = self.rng.between(0.7, 1.0);
    }

    /// The swell of a wave, 0.3 between waves up to its peak: a quick rise over 40 % of the
    /// wave and a long ebb, smooth at every joint.
    fn swell(&self) -> f32 {
        let p = self.wave_at as f32 / self.wave_len as f32;
        let shape = if p < 0.4 {
            0.5 - 0.5 * (std::f32::consts::PI * p / 0.4).cos()
        } else {
            0.5 + 0.5 * (std::f32::consts::PI * (p - 0.4) / 0.6).cos()
        };
        0.3 + (self.wave_peak - 0.3) * shape
    }

    /// The next sample, unscaled (about unit RMS).
    fn next(&mut self) -> f32 {
        let w = self.rng.white();
        match self.kind {
            Noise::Surf => {
                // Brown noise: a leaky integrator (flat below 38 Hz, so no rumble builds up).
                let env = self.swell();
                let b = &mut self.state;
                b[0] = 0.995 * b[0] + 0.005 * w;
                // The wash: white noise low-passed higher as the wave crests.
                let a = 0.02 + 0.25 * env * env;
                b[1] += a * (w - b[1]);
                let out = env * (34.0 * b[0] + 2.0 * env * b[1]);
                self.wave_at += 1;
                if self.wave_at >= self.wave_len {
                    self.next_wave();
                }
                out
            }
            Noise::Rain => {
                // Pink noise (Paul Kellet's refined filter), then a gentle low-pass at 5 kHz.
                let b = &mut self.state;
                b[0] = 0.99886 * b[0] + w * 0.055_517_9;
                b[1] = 0.99332 * b[1] + w * 0.075_075_9;
                b[2] = 0.96900 * b[2] + w * 0.153_852;
                b[3] = 0.86650 * b[3] + w * 0.310_485_6;
                b[4] = 0.55000 * b[4] + w * 0.532_952_2;
                b[5] = -0.7616 * b[5] - w * 0.016_898;
                let pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
                b[6] = w * 0.115_926;
                b[7] += 0.48 * (pink - b[7]);
                b[7] * 0.3
            }
        }
    }
}

/// A synthesised bed's gain for matched loudness. The noise is the same every time (a fixed
/// seed), so the gain is measured once, by [`measure_gain`], and written here; a test keeps
/// the two equal. Nothing is measured while a session starts.
pub fn noise_gain(kind: Noise) -> f32 {
    match kind {
        Noise::Surf => SURF_GAIN,
        Noise::Rain => RAIN_GAIN,
    }
}

const SURF_GAIN: f32 = 0.140_191_08;
const RAIN_GAIN: f32 = 0.150_062_31;

/// The gain that brings a synthesised bed to [`bed_loudness`] (A-weighted RMS over a few waves
/// of surf or a few seconds of rain), held down so it never peaks above −3 dBFS.
pub fn measure_gain(kind: Noise) -> f32 {
    let window = match kind {
        Noise::Surf => MEASURE_SURF,
        Noise::Rain => MEASURE_RAIN,
    };
    let mut s = NoiseSource::new(kind);
    let raw: Vec<f32> = (0..samples_in(window)).map(|_| s.next()).collect();
    let peak = raw.iter().fold(0f32, |m, x| m.max(x.abs()));
    let loud = super::loudness::a_weighted_rms(&raw).max(1e-9);
    ((bed_loudness() / loud) as f32).min(MAX_PEAK / peak)
}

/// A file's samples, looped with a crossfade between its end and its start.
#[derive(Debug, Clone)]
struct Looped {
    data: Arc<[f32]>,
    at: usize,
    /// Past the first time round: the start is crossfaded with the end.
    wrapped: bool,
    fade: usize,
}

impl Looped {
    fn new(data: Arc<[f32]>) -> Self {
        let fade = samples_in(LOOP_FADE).min(data.len() / 3);
        Looped {
            data,
            at: 0,
            wrapped: false,
            fade,
        }
    }

    /// Samples in one time round: the file less the crossfade.
    fn period(&self) -> usize {
        self.data.len() - self.fade
    }

    fn next(&mut self) -> f32 {
        let period = self.period();
        let s = if self.wrapped && self.at < self.fade {
            // Equal power: the end and the start are different sounds, not the same one.
            let t = (self.at as f32 + 0.5) / self.fade as f32 * FRAC_PI_2;
            self.data[self.at] * t.sin() + self.data[period + self.at] * t.cos()
        } else {
            self.data[self.at]
        };
        self.at += 1;
        if self.at >= period {
            self.at = 0;
            self.wrapped = true;
        }
        s
    }
}

#[derive(Debug, Clone)]
enum Source {
    Noise(Box<NoiseSource>),
    Loop(Looped),
}

/// A bed playing (or about to), with its fades.
#[derive(Debug, Clone)]
pub struct BedVoice {
    /// Which bed it is: a bed asked for again while it plays goes on unbroken.
    pub bed: Ambient,
    source: Source,
    gain: f32,
    fade_in: usize,
    at: usize,
    /// Fading out: its length, how far along, and the level it started from.
    out: Option<(usize, usize, f32)>,
}

/// The shortest fade: the mix's click-free ramp.
fn shortest() -> usize {
    (RATE as f32 * RAMP_SECONDS) as usize
}

impl BedVoice {
    /// One of hara's beds.
    pub fn noise(kind: Noise, bed: &Ambient) -> Self {
        Self::new(
            Source::Noise(Box::new(NoiseSource::new(kind))),
            noise_gain(kind) * bed.volume,
            bed,
        )
    }

    /// A decoded file, `gain` bringing it to the instruments' loudness.
    pub fn file(data: Arc<[f32]>, gain: f32, bed: &Ambient) -> Self {
        Self::new(Source::Loop(Looped::new(data)), gain * bed.volume, bed)
    }

    fn new(source: Source, gain: f32, bed: &Ambient) -> Self {
        BedVoice {
            bed: bed.clone(),
            source,
            gain,
            fade_in: samples_in(bed.fade).max(shortest()),
            at: 0,
            out: None,
        }
    }

    /// Samples a fade of `d` takes (never shorter than the click-free ramp).
    pub fn fade_samples(d: Duration) -> usize {
        samples_in(d).max(shortest())
    }

    /// Fades in again from silence (the sound came back after the device was lost).
    pub fn fade_in_again(&mut self) {
        self.at = 0;
    }

    pub fn leaving(&self) -> bool {
        self.out.is_some()
    }

    /// Starts fading out, over its own fade or `fade` samples. A fade already under way goes
    /// on, unless this one ends sooner: then it goes down from where that one had got to.
    pub fn leave(&mut self, fade: Option<usize>) {
        let len = fade.unwrap_or(self.fade_in).max(shortest());
        match self.out {
            Some((l, k, from)) if len < l - k => {
                let now = from * (0.5 + 0.5 * (std::f32::consts::PI * k as f32 / l as f32).cos());
                self.out = Some((len, 0, now));
            }
            Some(_) => {}
            None => self.out = Some((len, 0, 1.0)),
        }
    }

    /// Adds the next samples into `out`; false once it has faded out.
    pub fn add_to(&mut self, out: &mut [f32]) -> bool {
        for o in out.iter_mut() {
            let mut env = self.gain;
            if self.at < self.fade_in {
                let t = self.at as f32 / self.fade_in as f32;
                env *= 0.5 - 0.5 * (std::f32::consts::PI * t).cos();
                self.at += 1;
            }
            if let Some((len, k, from)) = &mut self.out {
                if *k >= *len {
                    return false;
                }
                let t = *k as f32 / *len as f32;
                env *= *from * (0.5 + 0.5 * (std::f32::consts::PI * t).cos());
                *k += 1;
            }
            let s = match &mut self.source {
                Source::Noise(n) => n.next(),
                Source::Loop(l) => l.next(),
            };
            *o += s * env;
        }
        self.out.is_none_or(|(len, k, _)| k < len)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::audio::loudness::a_weighted_rms;
    use crate::audio::synth::tests::{power_at, rms};
    use crate::session::format::AmbientSound;

    pub fn bed(kind: Noise, volume: f32, fade: Duration) -> Ambient {
        Ambient {
            sound: AmbientSound::Noise(kind),
            volume,
            fade,
        }
    }

    fn take(v: &mut BedVoice, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; n];
        // In uneven pieces, as a device pulls it.
        for chunk in out.chunks_mut(333) {
            v.add_to(chunk);
        }
        out
    }

    #[test]
    fn the_beds_are_equally_loud_6_db_under_a_bowl_and_never_clip() {
        for kind in Noise::ALL {
            let mut v = BedVoice::noise(kind, &bed(kind, 1.0, Duration::ZERO));
            let s = take(&mut v, samples_in(MEASURE_SURF));
            let db = 20.0 * (a_weighted_rms(&s) / reference_loudness()).log10();
            let peak = s.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!(
                (db + BED_UNDER_BOWL_DB).abs() < 0.2,
                "{kind:?}: {db:.2} dB from a bowl, peak {peak}"
            );
            assert!(peak <= MAX_PEAK + 1e-3, "{kind:?} peaks at {peak}");
        }
    }

    #[test]
    fn surf_is_low_and_swells_rain_is_steady_and_brighter() {
        let second = RATE as usize;
        let mut surf = BedVoice::noise(Noise::Surf, &bed(Noise::Surf, 0.2, Duration::ZERO));
        let mut rain = BedVoice::noise(Noise::Rain, &bed(Noise::Rain, 0.2, Duration::ZERO));
        let (surf, rain) = (take(&mut surf, 24 * second), take(&mut rain, 24 * second));
        let levels = |s: &[f32]| -> Vec<f32> { s.chunks(second / 2).map(rms).collect() };
        let spread = |l: Vec<f32>| {
            let (lo, hi) = l
                .iter()
                .fold((f32::MAX, 0f32), |(a, b), x| (a.min(*x), b.max(*x)));
            20.0 * (hi / lo).log10()
        };
        let (s, r) = (spread(levels(&surf)), spread(levels(&rain)));
        assert!(
            s > 6.0,
            "surf swells: {s:.1} dB between its waves' troughs and crests"
        );
        assert!(r < 3.0, "rain is steady: {r:.1} dB");
        // Brown against pink: surf's energy sits far lower.
        let tilt = |s: &[f32]| power_at(&s[..second], 100.0) / power_at(&s[..second], 3000.0);
        assert!(
            tilt(&surf) > 10.0 * tilt(&rain),
            "{} vs {}",
            tilt(&surf),
            tilt(&rain)
        );
    }

    #[test]
    fn the_written_gains_are_the_measured_ones() {
        for kind in Noise::ALL {
            let (written, measured) = (noise_gain(kind), measure_gain(kind));
            assert!(
                (written / measured - 1.0).abs() < 1e-3,
                "{kind:?}: write {measured:?} in bed.rs (it says {written})"
            );
        }
    }

    #[test]
    fn the_same_seed_the_same_noise() {
        let b = bed(Noise::Rain, 0.2, Duration::ZERO);
        let (mut a, mut c) = (
            BedVoice::noise(Noise::Rain, &b),
            BedVoice::noise(Noise::Rain, &b),
        );
        assert_eq!(take(&mut a, 4800), take(&mut c, 4800));
    }

    #[test]
    fn a_file_loops_without_a_seam() {
        // A tone of 1000.25 periods in its 1.5 s: played end to start it would jump by its
        // whole height; crossfaded, no step is bigger than the sine's own (times the equal-power
        // crossfade's √2 at most, as both ends here are the same tone).
        let n = 72_000;
        let f = 1000.25 / 1.5;
        let data: Arc<[f32]> = (0..n)
            .map(|i| (0.5 * (std::f64::consts::TAU * f * i as f64 / f64::from(RATE)).sin()) as f32)
            .collect();
        assert!(
            (data[n - 1] - data[0]).abs() > 0.45,
            "the raw loop has a seam"
        );
        let b = Ambient {
            sound: AmbientSound::File("tone.wav".into()),
            volume: 1.0,
            fade: Duration::ZERO,
        };
        let mut v = BedVoice::file(data, 1.0, &b);
        let out = take(&mut v, 5 * n);
        let own = 0.5 * std::f32::consts::TAU * f as f32 / RATE as f32;
        let worst = out[RATE as usize..]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max);
        assert!(
            worst < own * 1.45,
            "a step of {worst} (the sine's own: {own})"
        );
        // And it keeps its level across the loop points (within the equal-power bump).
        let loud: Vec<f32> = out[n..].chunks(RATE as usize / 10).map(rms).collect();
        let (lo, hi) = loud
            .iter()
            .fold((f32::MAX, 0f32), |(a, b), x| (a.min(*x), b.max(*x)));
        assert!(hi / lo < 1.5, "{lo}..{hi}");
    }

    #[test]
    fn it_fades_in_and_out_smoothly_and_then_ends() {
        let b = bed(Noise::Rain, 1.0, Duration::from_secs(2));
        let mut v = BedVoice::noise(Noise::Rain, &b);
        let s = take(&mut v, 3 * RATE as usize);
        let tenth = RATE as usize / 10;
        assert!(
            rms(&s[..tenth]) < 0.05 * rms(&s[2 * RATE as usize..]),
            "starts quietly"
        );
        let rising: Vec<f32> = s[..2 * RATE as usize]
            .chunks(RATE as usize / 2)
            .map(rms)
            .collect();
        assert!(rising.windows(2).all(|w| w[1] >= w[0] * 0.9), "{rising:?}");
        v.leave(None);
        let out = take(&mut v, 3 * RATE as usize);
        let left = out.iter().rposition(|x| *x != 0.0).unwrap();
        assert!(
            (left as i64 - 2 * RATE as i64).abs() < 10,
            "out over its fade: {left}"
        );
        assert!(!v.add_to(&mut [0.0; 10]), "over");
        // A quicker end (a stop) cuts a slow fade short, never lengthens it.
        let mut v = BedVoice::noise(Noise::Rain, &b);
        take(&mut v, RATE as usize);
        v.leave(None);
        v.leave(Some(RATE as usize / 2));
        let out = take(&mut v, RATE as usize);
        let left = out.iter().rposition(|x| *x != 0.0).unwrap();
        assert!(left < RATE as usize / 2 + 10, "{left}");
    }

    #[test]
    fn a_bed_holds_a_few_dozen_bytes_of_state() {
        let v = BedVoice::noise(Noise::Surf, &bed(Noise::Surf, 0.2, Duration::ZERO));
        let bytes = std::mem::size_of_val(&v) + std::mem::size_of::<NoiseSource>();
        assert!(bytes < 512, "{bytes} bytes");
    }
}
