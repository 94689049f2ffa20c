//! Loudness as the ear weighs it: A-weighted RMS (IEC 61672's A curve, made digital by the
//! bilinear transform with prewarping; accurate to a fraction of a dB below 10 kHz, which is
//! where hara's sounds are). Used to match the instruments and sound files to each other.

use super::synth::RATE;

/// One first-order section: y = b0·x + b1·x₋₁ − a1·y₋₁.
#[derive(Clone, Copy)]
struct Section {
    b0: f64,
    b1: f64,
    a1: f64,
    x1: f64,
    y1: f64,
}

impl Section {
    fn new(f: f64, high_pass: bool) -> Self {
        let k = (std::f64::consts::PI * f / f64::from(RATE)).tan();
        let (b0, b1) = if high_pass {
            (1.0 / (1.0 + k), -1.0 / (1.0 + k))
        } else {
            (k / (1.0 + k), k / (1.0 + k))
        };
        Section {
            b0,
            b1,
            a1: (k - 1.0) / (1.0 + k),
            x1: 0.0,
            y1: 0.0,
        }
    }

    fn run(&mut self, x: f64) -> f64 {
        let y = self.b0 * x + self.b1 * self.x1 - self.a1 * self.y1;
        self.x1 = x;
        self.y1 = y;
        y
    }
}

/// The A-weighting filter: high-passes at 20.6 Hz (twice), 107.7 Hz and 737.9 Hz, low-passes
/// at 12.2 kHz (twice). Unnormalised: hara only compares loudnesses with each other.
pub struct AWeighting([Section; 6]);

impl Default for AWeighting {
    fn default() -> Self {
        AWeighting([
            Section::new(20.598_997, true),
            Section::new(20.598_997, true),
            Section::new(107.652_65, true),
            Section::new(737.862_23, true),
            Section::new(12_194.217, false),
            Section::new(12_194.217, false),
        ])
    }
}

impl AWeighting {
    pub fn run(&mut self, x: f32) -> f64 {
        self.0.iter_mut().fold(f64::from(x), |v, s| s.run(v))
    }
}

/// The A-weighted RMS of `samples`.
pub fn a_weighted_rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut a = AWeighting::default();
    let energy: f64 = samples.iter().map(|&x| a.run(x).powi(2)).sum();
    (energy / samples.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(f: f64) -> Vec<f32> {
        (0..RATE as usize)
            .map(|i| (std::f64::consts::TAU * f * i as f64 / f64::from(RATE)).sin() as f32)
            .collect()
    }

    fn db(f: f64) -> f64 {
        20.0 * (a_weighted_rms(&sine(f)) / a_weighted_rms(&sine(1000.0))).log10()
    }

    #[test]
    fn the_a_curve_is_the_standard_one() {
        // IEC 61672 A-weighting relative to 1 kHz.
        for (f, want) in [
            (100.0, -19.1),
            (200.0, -10.9),
            (250.0, -8.6),
            (500.0, -3.2),
            (2000.0, 1.2),
            (4000.0, 1.0),
        ] {
            let got = db(f);
            assert!((got - want).abs() < 0.3, "{f} Hz: {got:.2} dB, want {want}");
        }
    }
}
