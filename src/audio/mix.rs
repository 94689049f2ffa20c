//! hara's one mix: every voice placed on its exact sample, the master gain and pause ramped
//! (no clicks), a sound bed under it all, and a gain-riding limiter so that many strikes at
//! once never clip or distort.
//!
//! **Ducking.** While speech sounds, the breath tones dip by [`TONE_DUCK_DB`]; while a bell or
//! speech sounds, the bed dips by [`BED_DUCK_DB`]. Each follows the level of what it ducks
//! under (measured block by block, before the master volume), so a bowl lets the bed back up
//! as it dies away; the gain moves with a 50 ms attack and a 600 ms release and is
//! interpolated sample by sample, so nothing clicks.
//!
//! The same mixer feeds the sound device (pulled by its callback) and `hara render` (pulled
//! into a file), so what a render holds is what a session sounds like.

use std::collections::VecDeque;
use std::sync::Arc;

use super::bed::BedVoice;
use super::synth::{RATE, Strike, Tone};

/// How long mute, volume and pause take to change: long enough to be click-free, short enough
/// to feel immediate.
pub const RAMP_SECONDS: f32 = 0.03;
const RAMP: usize = (RATE as f32 * RAMP_SECONDS) as usize;

/// A sound playing (or about to).
#[derive(Debug, Clone)]
pub enum Voice {
    Strike(Strike),
    /// A breath tone: it pauses with the session.
    Tone(Tone),
    /// A decoded sound file, shared by all its strikes.
    Samples {
        data: Arc<[f32]>,
        at: usize,
        gain: f32,
    },
    /// Spoken words (synthesised or recorded): they pause with the session, where they are,
    /// and the tones and the bed duck under them.
    Speech {
        data: Arc<[f32]>,
        at: usize,
        gain: f32,
    },
    /// From here the sound bed changes: not a sound of its own, but a change to the mix's
    /// bed, placed on its sample like any voice.
    Bed(BedChange),
}

/// What a [`Voice::Bed`] does to the bed.
#[derive(Debug, Clone)]
pub enum BedChange {
    /// This bed from here (the same one already playing goes on unbroken; any other fades out
    /// as this one fades in).
    Start(Box<BedVoice>),
    /// The bed fades out, over its own fade or this many samples.
    End { fade: Option<usize> },
}

fn add_samples(data: &[f32], at: &mut usize, gain: f32, out: &mut [f32]) -> bool {
    let end = (*at + out.len()).min(data.len());
    for (o, s) in out.iter_mut().zip(&data[*at..end]) {
        *o += s * gain;
    }
    *at = end;
    *at < data.len()
}

impl Voice {
    /// Adds the next samples into `out`; false once the voice is over.
    fn add_to(&mut self, out: &mut [f32]) -> bool {
        match self {
            Voice::Strike(s) => s.add_to(out),
            Voice::Tone(t) => t.add_to(out),
            Voice::Samples { data, at, gain } | Voice::Speech { data, at, gain } => {
                add_samples(data, at, *gain, out)
            }
            Voice::Bed(_) => false,
        }
    }

    fn pauses(&self) -> bool {
        matches!(self, Voice::Tone(_) | Voice::Speech { .. })
    }
}

/// How far the breath tones dip while speech sounds.
pub const TONE_DUCK_DB: f32 = -4.0;
/// How far the bed dips while a bell or speech sounds.
pub const BED_DUCK_DB: f32 = -8.0;
/// Below this level (RMS, dBFS) what is ducked under does not duck anything; from
/// [`DUCK_FULL`] up it ducks fully; smoothly in between.
const DUCK_FROM: f32 = -50.0;
const DUCK_FULL: f32 = -35.0;
const DUCK_ATTACK_SECONDS: f32 = 0.05;
const DUCK_RELEASE_SECONDS: f32 = 0.6;

/// A gain that dips under a level, block by block.
#[derive(Debug, Clone, Copy)]
struct Duck {
    depth_db: f32,
    gain: f32,
}

impl Duck {
    fn new(depth_db: f32) -> Self {
        Duck {
            depth_db,
            gain: 1.0,
        }
    }

    /// The gain at the start and at the end of a block of `n` samples whose sidechain has
    /// mean square `ms`.
    fn block(&mut self, ms: f32, n: usize) -> (f32, f32) {
        if ms == 0.0 && self.gain == 1.0 {
            return (1.0, 1.0);
        }
        let db = 10.0 * ms.max(1e-12).log10();
        let x = ((db - DUCK_FROM) / (DUCK_FULL - DUCK_FROM)).clamp(0.0, 1.0);
        let amount = x * x * (3.0 - 2.0 * x);
        let target = 10f32.powf(self.depth_db * amount / 20.0);
        let tau = if target < self.gain {
            DUCK_ATTACK_SECONDS
        } else {
            DUCK_RELEASE_SECONDS
        };
        let coef = 1.0 - (-(n as f32) / (tau * RATE as f32)).exp();
        let from = self.gain;
        self.gain += (target - self.gain) * coef;
        (from, self.gain)
    }
}

fn mean_square(s: &[f32]) -> f32 {
    s.iter().map(|x| x * x).sum::<f32>() / s.len().max(1) as f32
}

/// A gain that moves linearly to its target over [`RAMP`] samples.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    now: f32,
    target: f32,
    step: f32,
}

impl Ramp {
    fn new(v: f32) -> Self {
        Ramp {
            now: v,
            target: v,
            step: 0.0,
        }
    }

    fn set(&mut self, target: f32) {
        self.target = target;
        self.step = (target - self.now).abs() / RAMP as f32;
    }

    fn moving(&self) -> bool {
        self.now != self.target
    }

    fn next(&mut self) -> f32 {
        if self.now < self.target {
            self.now = (self.now + self.step).min(self.target);
        } else if self.now > self.target {
            self.now = (self.now - self.step).max(self.target);
        }
        self.now
    }
}

/// The limiter's look-ahead: 5 ms, so the gain is down before a peak arrives.
pub const LOOKAHEAD: usize = RATE as usize / 200;
/// The loudest the mix gets: −3 dBFS. A single strike (−6 dBFS) never reaches it.
pub const CEILING: f32 = 0.708;
/// How fast the gain comes back after a peak: 1/e in 200 ms.
const RELEASE_SECONDS: f32 = 0.2;

/// A look-ahead limiter that rides the gain: the gain needed to keep each sample under the
/// ceiling is held over the look-ahead window (a sliding minimum), released slowly, and
/// smoothed by a moving average as long as the window, so it is already down when the peak
/// leaves the delay line, and it never bends a waveform.
#[derive(Debug)]
struct Limiter {
    delay: VecDeque<f32>,
    /// (sample number, needed gain), increasing in gain: the sliding minimum.
    minima: VecDeque<(u64, f32)>,
    released: f32,
    smooth: VecDeque<f32>,
    sum: f64,
    n: u64,
    release: f32,
    /// The gain is exactly 1 throughout: a block under the ceiling passes straight through.
    unity: bool,
}

impl Limiter {
    fn new() -> Self {
        Limiter {
            delay: std::iter::repeat_n(0.0, LOOKAHEAD - 1).collect(),
            minima: VecDeque::with_capacity(LOOKAHEAD + 1),
            released: 1.0,
            smooth: std::iter::repeat_n(1.0, LOOKAHEAD).collect(),
            sum: LOOKAHEAD as f64,
            n: 0,
            release: 1.0 - (-1.0 / (RELEASE_SECONDS * RATE as f32)).exp(),
            unity: true,
        }
    }

    /// Limits a block in place.
    fn run_block(&mut self, block: &mut [f32]) {
        if self.unity && block.iter().all(|x| x.abs() <= CEILING) {
            // Nothing to limit and nothing being released: only the look-ahead's delay.
            let n = block.len();
            self.delay.extend(block.iter().copied());
            for (o, d) in block.iter_mut().zip(self.delay.drain(..n)) {
                *o = d;
            }
            self.n += block.len() as u64;
            self.minima.clear();
            self.minima.push_back((self.n - 1, 1.0));
            return;
        }
        for x in block.iter_mut() {
            *x = self.run(*x);
        }
        // Back at unity (within −100 dB of it): settle there exactly.
        if self.released > 0.99999
            && self.minima.iter().all(|&(_, g)| g >= 1.0)
            && self.smooth.iter().all(|&g| g > 0.99999)
        {
            self.released = 1.0;
            self.smooth.iter_mut().for_each(|g| *g = 1.0);
            self.sum = LOOKAHEAD as f64;
            self.unity = true;
        } else {
            self.unity = false;
        }
    }

    fn run(&mut self, x: f32) -> f32 {
        let need = if x.abs() > CEILING {
            CEILING / x.abs()
        } else {
            1.0
        };
        while self.minima.back().is_some_and(|&(_, g)| g >= need) {
            self.minima.pop_back();
        }
        self.minima.push_back((self.n, need));
        while self
            .minima
            .front()
            .is_some_and(|&(k, _)| k + LOOKAHEAD as u64 <= self.n)
        {
            self.minima.pop_front();
        }
        let held = self.minima.front().map_or(1.0, |&(_, g)| g);
        self.released = held.min(self.released + (1.0 - self.released) * self.release);
        self.sum += f64::from(self.released) - f64::from(self.smooth.pop_front().unwrap_or(1.0));
        self.smooth.push_back(self.released);
        self.n += 1;
        // Every 64k samples, add up afresh so rounding never builds up.
        if self.n.is_multiple_of(1 << 16) {
            self.sum = self.smooth.iter().map(|&g| f64::from(g)).sum();
        }
        let gain = (self.sum / LOOKAHEAD as f64) as f32;
        self.delay.push_back(x);
        let out = self.delay.pop_front().unwrap_or(0.0) * gain.min(1.0);
        // Rounding in the moving sum could leave a hair over the ceiling; never more.
        out.clamp(-CEILING, CEILING)
    }

    /// True while nothing is in the delay line and the gain is back at 1.
    fn idle(&self) -> bool {
        self.minima.iter().all(|&(_, g)| g >= 1.0)
            && self.released >= 0.9999
            && self.delay.iter().all(|s| *s == 0.0)
    }
}

#[derive(Debug)]
struct Playing {
    start: u64,
    /// Whose voice it is, to take it back before it starts ([`Mixer::cancel`]).
    ticket: u64,
    voice: Voice,
}

/// A change to the bed waiting for its sample.
#[derive(Debug)]
struct BedWaiting {
    start: u64,
    ticket: u64,
    change: BedChange,
}

/// The mix, sample by sample.
#[derive(Debug)]
pub struct Mixer {
    /// Samples put out so far.
    position: u64,
    playing: Vec<Playing>,
    /// The sound bed: the one playing, and any still fading out.
    beds: Vec<BedVoice>,
    /// Changes to the bed waiting for their sample.
    bed_changes: Vec<BedWaiting>,
    master: Ramp,
    pause: Ramp,
    /// Words being spoken fade out through this when speech is turned off (`v`).
    hush: Ramp,
    tone_duck: Duck,
    bed_duck: Duck,
    limiter: Limiter,
    /// Bells (and the rest), speech, tones and the bed, each mixed apart for the ducking.
    block: Vec<f32>,
    speech: Vec<f32>,
    tones: Vec<f32>,
    bed: Vec<f32>,
    scratch: Vec<f32>,
}

/// Samples mixed at a time.
const BLOCK: usize = 256;

impl Mixer {
    pub fn new(gain: f32) -> Self {
        Mixer {
            position: 0,
            playing: Vec::new(),
            // Room for a crossfade and a change or two, so the device's callback does not
            // allocate when a step changes the bed.
            beds: Vec::with_capacity(4),
            bed_changes: Vec::with_capacity(4),
            master: Ramp::new(gain),
            pause: Ramp::new(1.0),
            hush: Ramp::new(1.0),
            tone_duck: Duck::new(TONE_DUCK_DB),
            bed_duck: Duck::new(BED_DUCK_DB),
            limiter: Limiter::new(),
            block: vec![0.0; BLOCK],
            speech: vec![0.0; BLOCK],
            tones: vec![0.0; BLOCK],
            bed: vec![0.0; BLOCK],
            scratch: vec![0.0; BLOCK],
        }
    }

    /// How many samples the mix lags its input (the limiter's look-ahead): a voice added at
    /// sample `n` is heard from output sample `n + delay()`.
    pub const fn delay() -> u64 {
        LOOKAHEAD as u64 - 1
    }

    /// The number of the next sample to be put out (counting from 0 at the first `fill`).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Starts `voice` at input sample `start` (at once if that has passed).
    pub fn add(&mut self, start: u64, voice: Voice) {
        self.add_for(0, start, voice);
    }

    /// Like [`add`](Self::add), the voice belonging to `ticket`.
    pub fn add_for(&mut self, ticket: u64, start: u64, voice: Voice) {
        let start = start.max(self.position);
        match voice {
            Voice::Bed(change) => self.bed_changes.push(BedWaiting {
                start,
                ticket,
                change,
            }),
            voice => self.playing.push(Playing {
                start,
                ticket,
                voice,
            }),
        }
    }

    /// Takes back the voices of `ticket` if it has some here and none of them has begun;
    /// true if they were taken back. Once one has begun they all play on (a bell keeps its
    /// later strikes).
    pub fn take_back(&mut self, ticket: u64) -> bool {
        let mine = self.playing.iter().filter(|p| p.ticket == ticket);
        let begun = mine.clone().any(|p| p.start < self.position);
        let here = mine.count() > 0 || self.bed_changes.iter().any(|b| b.ticket == ticket);
        if begun || !here {
            return false;
        }
        self.playing.retain(|p| p.ticket != ticket);
        self.bed_changes.retain(|b| b.ticket != ticket);
        true
    }

    fn change_bed(&mut self, change: BedChange) {
        match change {
            BedChange::Start(v) => {
                if self.beds.iter().any(|b| !b.leaving() && b.bed == v.bed) {
                    return;
                }
                for b in &mut self.beds {
                    b.leave(None);
                }
                self.beds.push(*v);
            }
            BedChange::End { fade } => {
                for b in &mut self.beds {
                    b.leave(fade);
                }
            }
        }
    }

    /// The master gain (volume, or 0 when muted), reached over [`RAMP_SECONDS`].
    pub fn set_gain(&mut self, gain: f32) {
        self.master.set(gain);
    }

    /// Fades breath tones, speech and the bed out where they are (and holds them there), or
    /// back in.
    pub fn set_paused(&mut self, paused: bool) {
        self.pause.set(if paused { 0.0 } else { 1.0 });
    }

    /// Fades out the words being spoken (over [`RAMP_SECONDS`]) and lets them go: speech
    /// was turned off. Words that start later are not touched.
    pub fn hush_speech(&mut self) {
        self.hush.set(0.0);
    }

    /// True when nothing sounds or waits to sound, or all that is left is held by a pause
    /// (breath tones, speech and the bed wait where they are; a bell rings on).
    pub fn is_quiet(&self) -> bool {
        let held = self.pause.now == 0.0
            && !self.pause.moving()
            && self.playing.iter().all(|p| p.voice.pauses());
        let nothing = self.playing.is_empty() && self.beds.is_empty();
        (nothing || held) && self.bed_changes.is_empty() && self.limiter.idle()
    }

    /// Drops every voice (the device went away; what was playing is not resumed later). The
    /// bed is what plays from now on, not a sound that was cut: it fades in again when the
    /// sound comes back (one fading out is let go).
    pub fn clear(&mut self) {
        self.playing.clear();
        self.beds.retain(|b| !b.leaving());
        for b in &mut self.beds {
            b.fade_in_again();
        }
    }

    /// Puts out the next `out.len()` samples.
    pub fn fill(&mut self, out: &mut [f32]) {
        for chunk in out.chunks_mut(BLOCK) {
            self.fill_block(chunk);
        }
    }

    fn fill_block(&mut self, out: &mut [f32]) {
        let n = out.len();
        let (from, to) = (self.position, self.position + n as u64);
        let held = !self.pause.moving() && self.pause.now == 0.0;
        // The pause ramp for this block (the same for every tone, word and the bed).
        let mut pause = self.pause;
        let pause_gains: Option<Vec<f32>> =
            (self.pause.moving()).then(|| (0..n).map(|_| pause.next()).collect());
        self.pause = pause;
        if held {
            // Paused: a change to the bed that is still to come keeps its distance.
            for b in &mut self.bed_changes {
                if b.start >= from {
                    b.start += n as u64;
                }
            }
        } else if self.bed_changes.iter().any(|b| b.start < to) {
            // In the order they were asked for; a few milliseconds' placement is plenty for
            // a change that fades over seconds.
            let changes = std::mem::take(&mut self.bed_changes);
            for b in changes {
                if b.start < to {
                    self.change_bed(b.change);
                } else {
                    self.bed_changes.push(b);
                }
            }
        }
        self.block[..n].fill(0.0);
        // Speech, tones and the bed each have a buffer of their own, cleared when first used
        // in a block: a block with none of them costs what it did before there was ducking.
        let (mut spoke, mut toned) = (false, false);
        self.playing.retain_mut(|p| {
            if p.voice.pauses() && held {
                // Paused: a tone that has not started yet keeps its distance.
                if p.start >= from {
                    p.start += n as u64;
                }
                return true;
            }
            if p.start >= to {
                return true;
            }
            let skip = p.start.saturating_sub(from) as usize;
            let target = match p.voice {
                Voice::Speech { .. } => {
                    if !std::mem::replace(&mut spoke, true) {
                        self.speech[..n].fill(0.0);
                    }
                    &mut self.speech[skip..n]
                }
                Voice::Tone(_) => {
                    if !std::mem::replace(&mut toned, true) {
                        self.tones[..n].fill(0.0);
                    }
                    &mut self.tones[skip..n]
                }
                _ => &mut self.block[skip..n],
            };
            match &pause_gains {
                Some(g) if p.voice.pauses() => {
                    let scratch = &mut self.scratch[..n - skip];
                    scratch.fill(0.0);
                    let more = p.voice.add_to(scratch);
                    for ((b, s), g) in target.iter_mut().zip(scratch.iter()).zip(&g[skip..]) {
                        *b += s * g;
                    }
                    more
                }
                _ => p.voice.add_to(target),
            }
        });
        let bedded = !held && !self.beds.is_empty();
        if bedded {
            let bed = &mut self.bed[..n];
            bed.fill(0.0);
            self.beds.retain_mut(|b| b.add_to(bed));
            if let Some(g) = &pause_gains {
                bed.iter_mut().zip(g).for_each(|(b, g)| *b *= g);
            }
        }
        if spoke && (self.hush.moving() || self.hush.now < 1.0) {
            for s in &mut self.speech[..n] {
                *s *= self.hush.next();
            }
            if self.hush.now == 0.0 {
                // Faded out: what was being said is let go, and later words sound again.
                self.playing
                    .retain(|p| !matches!(p.voice, Voice::Speech { .. }) || p.start >= to);
                self.hush = Ramp::new(1.0);
            }
        } else if !spoke {
            // Nothing was being said: there is nothing to fade.
            self.hush = Ramp::new(1.0);
        }
        let speech_ms = if spoke {
            mean_square(&self.speech[..n])
        } else {
            0.0
        };
        let (t0, t1) = self.tone_duck.block(speech_ms, n);
        let (b0, b1) = if bedded {
            self.bed_duck
                .block(speech_ms + mean_square(&self.block[..n]), n)
        } else {
            self.bed_duck.block(speech_ms, n)
        };
        let block = &mut self.block[..n];
        let step = 1.0 / n as f32;
        if spoke {
            block
                .iter_mut()
                .zip(&self.speech[..n])
                .for_each(|(o, s)| *o += s);
        }
        for (on, part, g0, g1) in [(toned, &self.tones, t0, t1), (bedded, &self.bed, b0, b1)] {
            if !on {
                continue;
            }
            if g0 == 1.0 && g1 == 1.0 {
                block.iter_mut().zip(&part[..n]).for_each(|(o, s)| *o += s);
            } else {
                for (i, (o, s)) in block.iter_mut().zip(&part[..n]).enumerate() {
                    *o += s * (g0 + (g1 - g0) * i as f32 * step);
                }
            }
        }
        if self.master.moving() {
            for b in block.iter_mut() {
                *b *= self.master.next();
            }
        } else if self.master.now != 1.0 {
            let g = self.master.now;
            block.iter_mut().for_each(|b| *b *= g);
        }
        self.limiter.run_block(block);
        out.copy_from_slice(block);
        self.position = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::synth::{self, samples_in, tests::power_at};
    use crate::session::format::Instrument;
    use crate::timeline::Phase;
    use std::time::Duration;

    fn run(m: &mut Mixer, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; n];
        // In device-sized pieces that do not line up with the mixer's blocks.
        for chunk in out.chunks_mut(1000) {
            m.fill(chunk);
        }
        out
    }

    fn peak(s: &[f32]) -> f32 {
        s.iter().fold(0f32, |m, x| m.max(x.abs()))
    }

    /// A steep high-pass (eight poles at 4 kHz): what is left of bowls, whose partials end
    /// under 2 kHz, is distortion.
    fn above_4k(s: &[f32]) -> Vec<f32> {
        // RBJ biquad high-pass, Butterworth Q per section of an 8th-order cascade.
        let qs = [0.5098, 0.6013, 0.9000, 2.5629];
        let mut x: Vec<f64> = s.iter().map(|&v| f64::from(v)).collect();
        for q in qs {
            let w = std::f64::consts::TAU * 4000.0 / f64::from(RATE);
            let alpha = w.sin() / (2.0 * q);
            let (c, a0) = (w.cos(), 1.0 + alpha);
            let (b0, b1, b2) = ((1.0 + c) / 2.0 / a0, -(1.0 + c) / a0, (1.0 + c) / 2.0 / a0);
            let (a1, a2) = (-2.0 * c / a0, (1.0 - alpha) / a0);
            let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
            for v in x.iter_mut() {
                let y = b0 * *v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
                x2 = x1;
                x1 = *v;
                y2 = y1;
                y1 = y;
                *v = y;
            }
        }
        x.iter().map(|&v| v as f32).collect()
    }

    fn rms_db(s: &[f32]) -> f32 {
        20.0 * synth::tests::rms(s).log10()
    }

    #[test]
    fn a_voice_starts_on_its_exact_sample() {
        let mut m = Mixer::new(1.0);
        m.add(
            1234,
            Voice::Samples {
                data: vec![0.5; 10].into(),
                at: 0,
                gain: 1.0,
            },
        );
        let out = run(&mut m, 3000);
        let first = out.iter().position(|s| *s != 0.0).unwrap();
        assert_eq!(first as u64, 1234 + Mixer::delay());
        assert_eq!(out[first], 0.5);
    }

    #[test]
    fn ten_bowls_within_two_seconds_stay_clean() {
        let mut m = Mixer::new(1.0);
        for k in 0..10 {
            m.add(
                k * 9600,
                Voice::Strike(synth::Strike::new(Instrument::Bowl, 1.0)),
            );
        }
        let out = run(&mut m, 8 * RATE as usize);
        let p = peak(&out);
        assert!(p <= CEILING && p > 0.6, "peak {p}");
        // Skip the filter's own start; look where the pile-up is loudest.
        let hp = above_4k(&out);
        let busy = RATE as usize / 2..5 * RATE as usize;
        let distortion = rms_db(&hp[busy.clone()]) - rms_db(&out[busy]);
        assert!(distortion < -40.0, "distortion {distortion:.1} dB");
    }

    #[test]
    fn the_limiter_leaves_a_single_strike_alone() {
        let mut m = Mixer::new(1.0);
        m.add(0, Voice::Strike(synth::Strike::new(Instrument::Bowl, 1.0)));
        let out = run(&mut m, RATE as usize);
        let mut s = synth::Strike::new(Instrument::Bowl, 1.0);
        let mut direct = vec![0.0; RATE as usize];
        s.add_to(&mut direct);
        let d = Mixer::delay() as usize;
        for (a, b) in out[d..].iter().zip(&direct) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn mute_and_volume_ramp_without_a_click() {
        let mut m = Mixer::new(1.0);
        m.add(
            0,
            Voice::Samples {
                data: vec![0.5; RATE as usize].into(),
                at: 0,
                gain: 1.0,
            },
        );
        let before = run(&mut m, 1000);
        assert_eq!(*before.last().unwrap(), 0.5);
        m.set_gain(0.0);
        let ramp = run(&mut m, 3000);
        // No step bigger than a ramp's share, and silent after 30 ms.
        let steps = ramp
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max);
        assert!(steps < 0.5 / (RAMP as f32) * 1.5, "a step of {steps}");
        let quiet_from = Mixer::delay() as usize + RAMP;
        assert!(ramp[quiet_from..].iter().all(|s| *s == 0.0));
        assert!(
            ramp[Mixer::delay() as usize + RAMP / 2] > 0.1,
            "takes the ramp's time"
        );
    }

    #[test]
    fn pause_holds_a_tone_where_it_is_and_resume_goes_on_from_there() {
        let length = Duration::from_secs(4);
        let mut m = Mixer::new(1.0);
        m.add(
            0,
            Voice::Tone(synth::Tone::new(Phase::Inhale, length).unwrap()),
        );
        let first = run(&mut m, samples_in(Duration::from_millis(1400)));
        m.set_paused(true);
        let paused = run(&mut m, 3 * RATE as usize);
        let tail = &paused[RATE as usize..];
        assert!(tail.iter().all(|s| *s == 0.0), "silent while paused");
        m.set_paused(false);
        let rest = run(&mut m, 4 * RATE as usize);
        // What is left of the inhale plays after the resume: 2.6 s less the fade-out.
        let sounding = rest.iter().rposition(|s| s.abs() > 1e-4).unwrap();
        let left = sounding as f32 / RATE as f32;
        assert!((2.3..2.62).contains(&left), "{left} s after resuming");
        // Resumed at the pitch it paused on (about 230 Hz at 1.4 s of a 196→294 Hz glide).
        let at = &rest[RATE as usize / 10..RATE as usize / 10 + 4800];
        assert!(power_at(at, 232.0) > 10.0 * power_at(at, 200.0));
        assert!(!first.is_empty());
        // And the fade is click-free both ways.
        let steps = paused[..4000]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max);
        assert!(steps < 0.02, "{steps}");
    }

    #[test]
    fn pause_does_not_stop_a_bowl_ringing() {
        let mut m = Mixer::new(1.0);
        m.add(0, Voice::Strike(synth::Strike::new(Instrument::Bowl, 1.0)));
        m.set_paused(true);
        let out = run(&mut m, 2 * RATE as usize);
        assert!(peak(&out[RATE as usize..]) > 0.1);
    }

    #[test]
    fn the_mix_goes_quiet_when_everything_has_rung_out() {
        let mut m = Mixer::new(1.0);
        m.add(0, Voice::Strike(synth::Strike::new(Instrument::Wood, 1.0)));
        assert!(!m.is_quiet());
        run(&mut m, RATE as usize);
        assert!(m.is_quiet());
    }

    // ---------- the bed, ducking, and speech that pauses ----------

    use crate::audio::bed::{BedVoice, tests::bed};
    use crate::session::format::Noise;

    fn bed_voice(kind: Noise, volume: f32, fade_ms: u64) -> Voice {
        let b = bed(kind, volume, Duration::from_millis(fade_ms));
        Voice::Bed(BedChange::Start(Box::new(BedVoice::noise(kind, &b))))
    }

    fn speech(data: Vec<f32>) -> Voice {
        Voice::Speech {
            data: data.into(),
            at: 0,
            gain: 1.0,
        }
    }

    /// A voice whose every sample is different: a slow sine, so a jump would show.
    fn words(seconds: f32, level: f32) -> Vec<f32> {
        (0..(seconds * RATE as f32) as usize)
            .map(|i| level * (std::f32::consts::TAU * 180.0 * i as f32 / RATE as f32).sin())
            .collect()
    }

    fn db(a: &[f32], b: &[f32]) -> f32 {
        20.0 * (synth::tests::rms(a) / synth::tests::rms(b)).log10()
    }

    /// The largest step from one sample to the next.
    fn worst_step(s: &[f32]) -> f32 {
        s.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max)
    }

    #[test]
    fn the_bed_dips_under_speech_smoothly_and_comes_back() {
        // The same bed twice, once with two seconds of words from 2 s: the mix is
        // deterministic, so the difference less the words is what the ducking did.
        let second = RATE as usize;
        let (mut plain, mut ducked) = (Mixer::new(1.0), Mixer::new(1.0));
        plain.add(0, bed_voice(Noise::Rain, 0.5, 0));
        ducked.add(0, bed_voice(Noise::Rain, 0.5, 0));
        let said = words(2.0, 0.1);
        ducked.add(2 * second as u64, speech(said.clone()));
        let (a, b) = (run(&mut plain, 6 * second), run(&mut ducked, 6 * second));
        let d = Mixer::delay() as usize;
        let mut bed_under = b.clone();
        for (i, w) in said.iter().enumerate() {
            bed_under[2 * second + d + i] -= w;
        }
        let at = |s: &[f32], from: f32, to: f32| {
            s[(from * second as f32) as usize..(to * second as f32) as usize].to_vec()
        };
        // Before the words, the same; during them, down by the bed's duck; a second after,
        // back within a dB.
        assert_eq!(at(&a, 0.5, 1.9), at(&b, 0.5, 1.9));
        let during = db(&at(&bed_under, 2.5, 3.9), &at(&a, 2.5, 3.9));
        assert!((during - BED_DUCK_DB).abs() < 0.5, "ducked {during:.2} dB");
        let after = db(&at(&bed_under, 5.2, 5.9), &at(&a, 5.2, 5.9));
        assert!(after > -1.0, "back up: {after:.2} dB");
        // The gain moves smoothly: the ducked bed never steps further than the bed itself.
        let ratio: Vec<f32> = (0..6 * second / 256)
            .map(|k| {
                let r = k * 256..(k + 1) * 256;
                synth::tests::rms(&bed_under[r.clone()]) / synth::tests::rms(&a[r]).max(1e-9)
            })
            .collect();
        let jump = ratio
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max);
        assert!(jump < 0.15, "the gain jumped by {jump} in 5 ms");
        assert!(worst_step(&bed_under) <= worst_step(&a) * 1.01);
    }

    #[test]
    fn tones_dip_a_little_under_speech_but_not_under_a_bell() {
        let second = RATE as usize;
        let tone = || Voice::Tone(synth::Tone::new(Phase::Exhale, Duration::from_secs(6)).unwrap());
        let (mut plain, mut spoken, mut belled) =
            (Mixer::new(1.0), Mixer::new(1.0), Mixer::new(1.0));
        for m in [&mut plain, &mut spoken, &mut belled] {
            m.add(0, tone());
        }
        let said = words(1.5, 0.1);
        spoken.add(2 * second as u64, speech(said.clone()));
        belled.add(
            2 * second as u64,
            Voice::Strike(synth::Strike::new(Instrument::Wood, 0.3)),
        );
        let (a, b) = (run(&mut plain, 5 * second), run(&mut spoken, 5 * second));
        let d = Mixer::delay() as usize;
        let mut tone_under = b.clone();
        for (i, w) in said.iter().enumerate() {
            tone_under[2 * second + d + i] -= w;
        }
        let r = 2 * second + second / 4..3 * second + second / 3;
        let during = db(&tone_under[r.clone()], &a[r]);
        assert!((during - TONE_DUCK_DB).abs() < 0.5, "ducked {during:.2} dB");
        assert!(worst_step(&tone_under[2 * second..3 * second]) < 0.01);
        // A wood knock is no speech: the tone under it is untouched.
        let c = run(&mut belled, 5 * second);
        let strike = {
            let mut m = Mixer::new(1.0);
            m.add(
                2 * second as u64,
                Voice::Strike(synth::Strike::new(Instrument::Wood, 0.3)),
            );
            run(&mut m, 5 * second)
        };
        let r = 2 * second..3 * second;
        let off = c[r.clone()]
            .iter()
            .zip(&strike[r.clone()])
            .zip(&a[r])
            .map(|((c, s), a)| (c - s - a).abs())
            .fold(0f32, f32::max);
        assert!(off < 1e-5, "{off}");
    }

    #[test]
    fn speech_pauses_where_it_is_and_resumes_from_there() {
        let second = RATE as usize;
        let said = words(2.0, 0.3);
        let mut m = Mixer::new(1.0);
        m.add(0, speech(said.clone()));
        let before = run(&mut m, second);
        let d = Mixer::delay() as usize;
        assert_eq!(before[d..], said[..second - d], "the words, as they are");
        m.set_paused(true);
        let paused = run(&mut m, 2 * second);
        assert!(
            paused[second / 10..].iter().all(|s| *s == 0.0),
            "silent while paused"
        );
        assert!(worst_step(&paused[..second / 10]) < 0.03, "faded, not cut");
        m.set_paused(false);
        let after = run(&mut m, 2 * second);
        // It goes on from where it stopped: the words went on under the fade out (RAMP
        // samples, to the end of the mixer's block it ended in) and the fade in (RAMP more);
        // from then on the samples are the words' own, exactly (the output lags the mix by
        // the limiter's delay).
        let resumed = RAMP + d;
        let held_at = (second + RAMP..second + RAMP + BLOCK)
            .find(|&h| (0..1000).all(|i| (after[resumed + i] - said[h + RAMP + i]).abs() < 1e-6))
            .expect("the words resume where they were held");
        assert!(held_at - (second + RAMP) < BLOCK);
        // And every word is heard once: the last one ends where what was left of them does.
        let last = after.iter().rposition(|x| x.abs() > 1e-6).unwrap();
        let left = said.len() - held_at;
        assert!(
            (last as i64 - (d + left) as i64).abs() <= 3,
            "{last} vs {}",
            d + left
        );
        assert!(worst_step(&after[..resumed + 100]) < 0.03);
    }

    #[test]
    fn the_bed_pauses_and_follows_the_master_volume() {
        let second = RATE as usize;
        let mut m = Mixer::new(1.0);
        m.add(0, bed_voice(Noise::Surf, 0.5, 100));
        let on = run(&mut m, second);
        m.set_paused(true);
        let paused = run(&mut m, second);
        assert!(paused[second / 10..].iter().all(|s| *s == 0.0));
        m.set_paused(false);
        let back = run(&mut m, second);
        assert!(
            synth::tests::rms(&back[second / 10..]) > 0.3 * synth::tests::rms(&on[second / 2..])
        );
        m.set_gain(0.0);
        let muted = run(&mut m, second);
        assert!(muted[second / 10..].iter().all(|s| *s == 0.0));
        assert!(!m.is_quiet(), "a bed keeps the stream playing");
        // Paused, a bed (and a breath tone) wait where they are: nothing to keep the stream
        // awake for; a bell ringing through the pause does.
        m.set_gain(1.0);
        let inhale = synth::Tone::new(crate::timeline::Phase::Inhale, Duration::from_secs(4));
        m.add(
            m.position(),
            Voice::Tone(inhale.expect("an inhale has a tone")),
        );
        m.set_paused(true);
        run(&mut m, second / 10);
        assert!(m.is_quiet(), "held by the pause");
        m.add(
            m.position(),
            Voice::Strike(synth::Strike::new(Instrument::Wood, 0.5)),
        );
        run(&mut m, second / 10);
        assert!(!m.is_quiet(), "a knock rings through a pause");
    }

    #[test]
    fn the_same_bed_plays_on_another_crossfades_and_an_end_fades_it_out() {
        let second = RATE as usize;
        let mut m = Mixer::new(1.0);
        m.add(0, bed_voice(Noise::Rain, 0.5, 1000));
        run(&mut m, 2 * second);
        let steady = run(&mut m, second);
        // Asked for again at a step start: unbroken, no second voice.
        m.add(m.position(), bed_voice(Noise::Rain, 0.5, 1000));
        let again = run(&mut m, second);
        assert_eq!(m.beds.len(), 1);
        assert!(db(&again, &steady).abs() < 1.0);
        // Another bed: both play while one fades out and the other in, then only the new.
        m.add(m.position(), bed_voice(Noise::Surf, 0.5, 1000));
        run(&mut m, second / 2);
        assert_eq!(m.beds.len(), 2);
        run(&mut m, second);
        assert_eq!(m.beds.len(), 1);
        m.add(m.position(), Voice::Bed(BedChange::End { fade: None }));
        let out = run(&mut m, 2 * second);
        let tenth = second / 10;
        assert!(
            synth::tests::rms(&out[second + tenth..]) == 0.0,
            "gone after its fade"
        );
        assert!(
            synth::tests::rms(&out[..tenth]) > 10.0 * synth::tests::rms(&out[9 * tenth..second])
        );
        assert!(m.is_quiet());
    }

    #[test]
    fn speech_turned_off_fades_out_at_once_and_later_words_still_sound() {
        let second = RATE as usize;
        let words = || Voice::Speech {
            data: vec![0.3; 4 * second].into(),
            at: 0,
            gain: 1.0,
        };
        let mut m = Mixer::new(1.0);
        m.add(0, words());
        m.add(5 * second as u64, words());
        let before = run(&mut m, second);
        assert!(peak(&before[second / 2..]) > 0.2, "speaking");
        m.hush_speech();
        let after = run(&mut m, second);
        // Gone within the ramp (and the limiter's look-ahead), without a jump.
        let ramp = RAMP + LOOKAHEAD;
        assert!(peak(&after[ramp..4 * second / 5]) == 0.0, "still speaking");
        let steps = after[..ramp].windows(2).map(|w| (w[1] - w[0]).abs());
        assert!(steps.fold(0f32, f32::max) < 0.01, "a click");
        // The next words, four seconds on, are heard.
        let later = run(&mut m, 4 * second);
        assert!(
            peak(&later[3 * second + second / 2..]) > 0.2,
            "the next words"
        );
    }
}
