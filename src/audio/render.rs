//! The sounds a session uses ([`Bank`]), the voices a bell or a breath phase becomes, and the
//! whole session's audio track, streamed sample-exact into a WAV file for `hara render` (a
//! teacher can play the file from any speaker).

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::bed::BedVoice;
use super::files::Decoded;
use super::mix::{BedChange, Mixer, Voice};
use super::synth::{self, RATE, Strike, Tone, samples_in};
use crate::session::format::{Ambient, AmbientSound, Bell, Sound};
use crate::timeline::{EventKind, Phase, Said, Timeline};

/// The sound files a session uses, decoded. Instruments need nothing here: they are
/// synthesised as they play.
#[derive(Default, Clone)]
pub struct Bank {
    files: HashMap<PathBuf, Arc<Decoded>>,
    bundled: HashMap<String, Arc<Decoded>>,
    /// Sound beds' files (and bundled sounds played as beds), decoded as beds.
    beds: HashMap<AmbientSound, Arc<Decoded>>,
    /// Spoken texts (by their words as written), synthesised before they are due; shared by
    /// every clone, so speech made in the background is heard by a bank already playing.
    /// `None`: the engine could not say it (and that has been told).
    speech: Arc<Mutex<HashMap<String, Option<Arc<Decoded>>>>>,
    /// Whether spoken guidance is heard ([`Speech`] as a number), shared by every clone.
    speaking: Arc<AtomicU8>,
}

/// Whether a run's spoken guidance is heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Speech {
    /// Nothing is spoken in this run: the session says nothing aloud, or speech was not
    /// asked for (`--no-speak`, `--silent`). `v` has nothing to turn on.
    Absent = 0,
    On = 1,
    /// Turned off for now (key `v`); what is written is still shown.
    Off = 2,
}

impl Bank {
    /// The files `timeline` uses, decoded by `decode` (and its beds' files by `decode_bed`;
    /// bundled sounds by hara itself).
    pub fn for_timeline<E>(
        timeline: &Timeline,
        decode: impl Fn(&std::path::Path) -> Result<Decoded, E>,
        decode_bed: impl Fn(&std::path::Path) -> Result<Decoded, E>,
    ) -> Result<Self, E> {
        let mut bank = Bank::default();
        for kind in timeline.kinds() {
            let clip;
            let sound = match (&kind, kind.said()) {
                (EventKind::Ambient { bed: Some(a) }, _) => {
                    bank.add_bed_sound(&a.sound, &decode_bed)?;
                    continue;
                }
                (EventKind::Bell { bell }, _) => &bell.sound,
                (_, Some(Said::Clip(path))) => {
                    clip = Sound::File(path.to_path_buf());
                    &clip
                }
                _ => continue,
            };
            match sound {
                Sound::File(path) if !bank.files.contains_key(path) => {
                    bank.files.insert(path.clone(), Arc::new(decode(path)?));
                }
                Sound::Bundled(name) if !bank.bundled.contains_key(name) => {
                    // Bundled sounds are tested to decode; one that did not would be silent.
                    if let Some(d) = crate::bundled::sound(name)
                        .and_then(|bytes| super::files::decode_bytes(bytes).ok())
                    {
                        bank.bundled.insert(name.clone(), Arc::new(d));
                    }
                }
                _ => {}
            }
        }
        Ok(bank)
    }

    fn add_bed_sound<E>(
        &mut self,
        sound: &AmbientSound,
        decode: impl Fn(&std::path::Path) -> Result<Decoded, E>,
    ) -> Result<(), E> {
        if self.beds.contains_key(sound) {
            return Ok(());
        }
        let decoded = match sound {
            AmbientSound::Noise(_) => return Ok(()),
            AmbientSound::File(path) => decode(path)?,
            // Bundled sounds are tested to decode; one that did not would be silent.
            AmbientSound::Bundled(name) => match crate::bundled::sound(name)
                .and_then(|bytes| super::files::decode_bed_bytes(bytes).ok())
            {
                Some(d) => d,
                None => return Ok(()),
            },
        };
        self.beds.insert(sound.clone(), Arc::new(decoded));
        Ok(())
    }

    /// A sound bed ready to start: `None` for a file the bank was not made with.
    pub fn bed(&self, bed: &Ambient) -> Option<BedVoice> {
        match &bed.sound {
            AmbientSound::Noise(kind) => Some(BedVoice::noise(*kind, bed)),
            sound => self
                .beds
                .get(sound)
                .map(|d| BedVoice::file(d.samples.clone(), d.gain, bed)),
        }
    }

    /// Adds a decoded sound file.
    pub fn add_file(&mut self, path: PathBuf, decoded: Decoded) {
        self.files.insert(path, Arc::new(decoded));
    }

    /// Adds a decoded bundled sound.
    pub fn add_bundled(&mut self, name: &str, decoded: Decoded) {
        self.bundled.insert(name.to_string(), Arc::new(decoded));
    }

    /// Adds `text` spoken: a spoken cue with these words plays it.
    pub fn add_speech(&self, text: &str, decoded: Decoded) {
        self.spoken()
            .insert(text.to_string(), Some(Arc::new(decoded)));
    }

    /// Notes that `text` cannot be spoken in this run (the engine failed, and said so): its
    /// cue is shown without a word more.
    pub fn speech_failed(&self, text: &str) {
        self.spoken().insert(text.to_string(), None);
    }

    fn spoken(&self) -> MutexGuard<'_, HashMap<String, Option<Arc<Decoded>>>> {
        self.speech.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Spoken guidance present and on, off, or absent; for this bank and every clone of it.
    pub fn set_speech(&self, state: Speech) {
        self.speaking.store(state as u8, Ordering::Relaxed);
    }

    pub fn speech_state(&self) -> Speech {
        match self.speaking.load(Ordering::Relaxed) {
            1 => Speech::On,
            2 => Speech::Off,
            _ => Speech::Absent,
        }
    }

    /// Turns spoken guidance off, or on again (`v`); absent, it stays absent.
    pub fn toggle_speech(&self) {
        match self.speech_state() {
            Speech::On => self.set_speech(Speech::Off),
            Speech::Off => self.set_speech(Speech::On),
            Speech::Absent => {}
        }
    }

    pub fn speaking(&self) -> bool {
        self.speech_state() == Speech::On
    }

    /// What an event says, as a voice, when speech is on and it is ready; else nothing (a
    /// cue is still shown).
    pub fn said(&self, said: Said<'_>) -> Option<Voice> {
        if !self.speaking() {
            return None;
        }
        let samples = |d: &Decoded| Voice::Speech {
            data: d.samples.clone(),
            at: 0,
            gain: d.gain,
        };
        match said {
            Said::Clip(path) => self.files.get(path).map(|d| samples(d)),
            Said::Text(text) => self
                .spoken()
                .get(text)
                .and_then(|d| d.as_deref().map(samples)),
        }
    }

    /// How long what an event says lasts, in samples (0 when it is not ready).
    pub fn said_length(&self, said: Said<'_>) -> usize {
        match said {
            Said::Clip(path) => self.files.get(path).map_or(0, |d| d.samples.len()),
            Said::Text(text) => self
                .spoken()
                .get(text)
                .and_then(|d| d.as_ref().map(|d| d.samples.len()))
                .unwrap_or(0),
        }
    }

    /// Whether what an event says falls due unready while speech is on: a text the engine
    /// has neither made yet nor failed on. It is skipped (its words are still shown).
    pub fn unready<'k>(&self, kind: &'k EventKind) -> Option<&'k str> {
        match kind.said() {
            Some(Said::Text(text)) if self.speaking() && !self.spoken().contains_key(text) => {
                Some(text)
            }
            _ => None,
        }
    }

    fn file(&self, sound: &Sound) -> Option<&Arc<Decoded>> {
        match sound {
            Sound::Instrument(_) => None,
            Sound::File(path) => self.files.get(path),
            Sound::Bundled(name) => self.bundled.get(name),
        }
    }

    /// One strike of `sound` at `volume`; `None` for a file the bank was not made with.
    pub fn strike(&self, sound: &Sound, volume: f32) -> Option<Voice> {
        match sound {
            Sound::Instrument(i) => Some(Voice::Strike(Strike::new(*i, volume))),
            _ => self.file(sound).map(|d| Voice::Samples {
                data: d.samples.clone(),
                at: 0,
                gain: d.gain * volume,
            }),
        }
    }

    /// The voices of a bell: (offset in samples from its onset, voice) for each strike.
    pub fn bell(&self, bell: &Bell) -> Vec<(u64, Voice)> {
        let step = samples_in(bell.gap) as u64;
        (0..u64::from(bell.strikes))
            .filter_map(|k| self.strike(&bell.sound, bell.volume).map(|v| (k * step, v)))
            .collect()
    }

    /// How long `sound` is heard for (until −40 dB below its peak).
    pub fn audible(&self, sound: &Sound) -> usize {
        match sound {
            Sound::Instrument(i) => synth::measured(*i).audible,
            _ => self.file(sound).map_or(0, |d| d.audible),
        }
    }

    /// How long a bell is heard for, from its onset.
    pub fn bell_audible(&self, bell: &Bell) -> Duration {
        let n = samples_in(bell.gap) * bell.strikes.saturating_sub(1) as usize
            + self.audible(&bell.sound);
        Duration::from_secs_f64(n as f64 / f64::from(RATE))
    }

    /// How long until a bell has fully ended (−60 dB), from its onset.
    pub fn bell_length(&self, bell: &Bell) -> usize {
        let one = match &bell.sound {
            Sound::Instrument(i) => synth::measured(*i).length,
            s => self.file(s).map_or(0, |d| d.samples.len()),
        };
        samples_in(bell.gap) * bell.strikes.saturating_sub(1) as usize + one
    }
}

/// The voices an event sounds: a bell's strikes, or a breath tone; offsets in samples.
pub fn voices(bank: &Bank, kind: &EventKind) -> Vec<(u64, Voice)> {
    match kind {
        EventKind::Bell { bell } => bank.bell(bell),
        EventKind::Phase {
            phase,
            length,
            tone: true,
        } => tone(*phase, *length).into_iter().collect(),
        EventKind::Ambient { bed: Some(bed) } => bank
            .bed(bed)
            .map(|v| (0, Voice::Bed(BedChange::Start(Box::new(v)))))
            .into_iter()
            .collect(),
        EventKind::Ambient { bed: None } | EventKind::Finished => {
            vec![(0, Voice::Bed(BedChange::End { fade: None }))]
        }
        _ => kind
            .said()
            .and_then(|said| bank.said(said))
            .map(|v| (0, v))
            .into_iter()
            .collect(),
    }
}

/// What one event sounds on its own, from its onset until it is practically inaudible (a
/// bell to 40 dB down, then a 20 ms fade): for a player that places it itself (the room
/// display's pages, which fetch it over the network).
pub fn event_samples(bank: &Bank, kind: &EventKind) -> Vec<f32> {
    let mut mixer = Mixer::new(1.0);
    for (offset, voice) in voices(bank, kind) {
        mixer.add(offset, voice);
    }
    let heard = match kind {
        EventKind::Bell { bell } => Some(samples_in(bank.bell_audible(bell))),
        _ => None,
    };
    let mut out = Vec::new();
    let mut block = vec![0.0f32; RATE as usize / 10];
    // As in `render`: the limiter's look-ahead is leading silence, dropped.
    let mut skip = Mixer::delay() as usize;
    while !mixer.is_quiet() && heard.is_none_or(|n| out.len() < n) {
        mixer.fill(&mut block);
        out.extend_from_slice(&block[skip..]);
        skip = 0;
    }
    if let Some(n) = heard.filter(|n| out.len() > *n) {
        out.truncate(n);
        let fade = (RATE as usize / 50).min(n);
        for (i, s) in out[n - fade..].iter_mut().enumerate() {
            *s *= 1.0 - (i + 1) as f32 / fade as f32;
        }
    }
    out
}

fn tone(phase: Phase, length: Duration) -> Option<(u64, Voice)> {
    Tone::new(phase, length).map(|t| (0, Voice::Tone(t)))
}

/// What a render wrote.
pub struct Rendered {
    pub samples: u64,
    pub peak: f32,
}

impl Rendered {
    pub fn length(&self) -> Duration {
        Duration::from_secs_f64(self.samples as f64 / f64::from(RATE))
    }
}

/// Streams the track from the start of the countdown to the end of the last sound into
/// `out`, 16-bit mono at [`RATE`], at `volume` (the master gain), in constant memory.
pub fn render_wav<W: Write + Seek>(
    timeline: &Timeline,
    bank: &Bank,
    volume: f32,
    out: W,
) -> Result<Rendered, hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(out, spec)?;
    let mut peak = 0f32;
    let samples = render(timeline, bank, volume, |block| {
        let mut w16 = w.get_i16_writer(block.len() as u32);
        for s in block {
            peak = peak.max(s.abs());
            w16.write_sample((s * f32::from(i16::MAX)).round() as i16);
        }
        w16.flush()
    })?;
    w.finalize()?;
    Ok(Rendered { samples, peak })
}

/// Mixes the whole track, handing it to `sink` a block at a time; returns its length in
/// samples. Voices are added as their time comes, so memory stays the same however long the
/// session.
pub fn render<E>(
    timeline: &Timeline,
    bank: &Bank,
    volume: f32,
    mut sink: impl FnMut(&[f32]) -> Result<(), E>,
) -> Result<u64, E> {
    let mut mixer = Mixer::new(volume);
    let mut end = samples_in(timeline.prepare + timeline.total) as u64;
    let mut events = timeline.events.iter().peekable();
    // The limiter's look-ahead delays the mix: drop that many leading samples (silence), so
    // each onset lands on its own sample of the file.
    let mut skip = Mixer::delay() as usize;
    let mut block = vec![0.0f32; RATE as usize / 10];
    let mut written = 0u64;
    // The fade of the bed playing: the track runs on until it has faded out.
    let mut bed_fade = None;
    loop {
        let from = mixer.position();
        let to = from + block.len() as u64;
        while let Some(e) = events.next_if(|e| (samples_in(timeline.prepare + e.at) as u64) < to) {
            let at = samples_in(timeline.prepare + e.at) as u64;
            match &e.kind {
                EventKind::Bell { bell } => end = end.max(at + bank.bell_length(bell) as u64),
                EventKind::Ambient { bed } => {
                    if let Some(fade) = bed_fade {
                        end = end.max(at + fade);
                    }
                    bed_fade = bed.as_ref().map(|a| BedVoice::fade_samples(a.fade) as u64);
                }
                EventKind::Finished => {
                    if let Some(fade) = bed_fade.take() {
                        end = end.max(at + fade);
                    }
                }
                kind => {
                    if let Some(said) = kind.said() {
                        end = end.max(at + bank.said_length(said) as u64);
                    }
                }
            }
            for (offset, v) in voices(bank, &e.kind) {
                mixer.add(at + offset, v);
            }
        }
        mixer.fill(&mut block);
        let wanted = (end - written).min((block.len() - skip) as u64) as usize;
        sink(&block[skip..skip + wanted])?;
        written += wanted as u64;
        skip = 0;
        if written >= end {
            return Ok(written);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;

    fn timeline(source: &str) -> Timeline {
        crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap()
            .1
    }

    fn track(t: &Timeline, volume: f32) -> Vec<f32> {
        let mut out = Vec::new();
        render(t, &Bank::default(), volume, |b| {
            out.extend_from_slice(b);
            Ok::<_, ()>(())
        })
        .unwrap();
        out
    }

    /// Sample indices where the track first rises above `level` after `quiet` samples of
    /// silence: the onsets.
    fn onsets(track: &[f32], level: f32, quiet: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut silent = quiet;
        for (i, s) in track.iter().enumerate() {
            if s.abs() > level {
                if silent >= quiet {
                    out.push(i);
                }
                silent = 0;
            } else {
                silent += 1;
            }
        }
        out
    }

    #[test]
    fn each_bell_starts_on_its_exact_sample() {
        let t = timeline(
            "title = \"b\"\nprepare = \"1.5s\"\n[bells]\nstart = \"wood\"\nend = \"wood\"\n\
             at = [{ at = \"2.001s\", sound = \"wood\" }]\n[[step]]\nduration = 4\n",
        );
        let track = track(&t, 1.0);
        // Wood knocks die away within a second; the first audible sample of each strike is
        // its attack's first rise, a few samples after the planned one.
        let found = onsets(&track, 1e-4, 4800);
        let planned = [72_000, 72_000 + 96_048, 72_000 + 192_000];
        assert_eq!(found.len(), 3, "{found:?}");
        for (f, p) in found.iter().zip(planned) {
            assert!((*f as i64 - p).abs() <= 2, "onset at {f}, planned {p}");
        }
    }

    #[test]
    fn several_sounds_at_once_never_clip() {
        let t = timeline(
            "title = \"loud\"\ntones = true\n[bells]\nstart = { sound = \"bowl\", strikes = 5, gap = \"0.1s\" }\n\
             at = [{ at = \"0s\", sound = \"bell\", strikes = 5, gap = \"0.1s\" }]\n\
             [[step]]\nbreaths = 2\nbreath = \"4-0-6-0\"\nbell = { sound = \"bowl\", strikes = 4, gap = \"0.2s\" }\n",
        );
        let track = track(&t, 1.0);
        let peak = track.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(
            peak <= super::super::mix::CEILING && peak > 0.6,
            "peak {peak}"
        );
    }

    #[test]
    fn the_track_runs_until_the_last_bell_has_rung_out() {
        let t = timeline("title = \"s\"\nprepare = 2\n[[step]]\nduration = 10\n");
        let track = track(&t, 1.0);
        // 2 s countdown + 10 s + the end bowl's whole decay.
        let bowl = synth::measured(crate::session::format::Instrument::Bowl).length;
        assert_eq!(track.len(), 12 * RATE as usize + bowl);
        assert!(track.last().unwrap().abs() < 1e-4);
    }

    #[test]
    fn a_bell_is_its_strikes_a_gap_apart_ringing_as_long_as_its_last() {
        use crate::session::format::Instrument;
        let bank = Bank::default();
        let bell = Bell {
            sound: Sound::Instrument(Instrument::Bowl),
            strikes: 3,
            gap: Duration::from_millis(2500),
            volume: 0.5,
        };
        let offsets: Vec<u64> = bank.bell(&bell).iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, [0, 120_000, 240_000]);
        let m = synth::measured(Instrument::Bowl);
        let audible = samples_in(bank.bell_audible(&bell)) as i64;
        assert!((audible - (240_000 + m.audible) as i64).abs() <= 1);
        assert_eq!(bank.bell_length(&bell), 240_000 + m.length);
        // A file the bank was not given plays nothing (the checker refuses such sessions).
        let missing = Sound::File("nowhere.wav".into());
        assert!(bank.strike(&missing, 1.0).is_none());
    }

    #[test]
    fn speech_made_after_a_bank_was_handed_on_is_heard_there() {
        let bank = Bank::default();
        let playing = bank.clone();
        let cue = EventKind::Cue {
            text: "Arrive.".into(),
            spoken: true,
            voice: None,
        };
        let decoded = || Decoded {
            samples: vec![0.5f32; 4800].into(),
            gain: 1.0,
            audible: 4800,
        };
        // Not asked for (`--no-speak`): nothing is said, nothing is missed, `v` changes nothing.
        bank.add_speech("Arrive.", decoded());
        assert!(voices(&playing, &cue).is_empty());
        assert_eq!(playing.unready(&cue), None);
        bank.toggle_speech();
        assert_eq!(bank.speech_state(), Speech::Absent);

        let bank = Bank::default();
        let playing = bank.clone();
        bank.set_speech(Speech::On);
        assert!(
            voices(&playing, &cue).is_empty(),
            "nothing before it is ready"
        );
        assert_eq!(playing.unready(&cue), Some("Arrive."), "and it is missed");
        bank.add_speech("Arrive.", decoded());
        assert_eq!(voices(&playing, &cue).len(), 1);
        assert_eq!(playing.unready(&cue), None);
        // `v` turns it off for every clone, and on again.
        bank.toggle_speech();
        assert_eq!(playing.speech_state(), Speech::Off);
        assert!(voices(&playing, &cue).is_empty());
        assert_eq!(playing.unready(&cue), None, "off is not missed");
        bank.toggle_speech();
        assert_eq!(voices(&playing, &cue).len(), 1);
        assert_eq!(playing.said_length(Said::Text("Arrive.")), 4800);
        // A text the engine failed on is not missed again: that was told once.
        let other = EventKind::Cue {
            text: "Soften.".into(),
            spoken: true,
            voice: None,
        };
        bank.speech_failed("Soften.");
        assert_eq!(playing.unready(&other), None);
        assert!(voices(&playing, &other).is_empty());
        // A cue that is only written is never spoken.
        let written = EventKind::Cue {
            text: "Arrive.".into(),
            spoken: false,
            voice: None,
        };
        assert!(voices(&playing, &written).is_empty());
    }

    #[test]
    fn the_volume_scales_the_track() {
        let t = timeline("title = \"s\"\nprepare = 0\n[[step]]\nduration = 2\n");
        let full = track(&t, 1.0);
        let tenth = track(&t, 0.1);
        assert_eq!(full.len(), tenth.len());
        let k = RATE as usize / 10;
        assert!((tenth[k] - full[k] * 0.1).abs() < 1e-6);
    }

    fn window_db(track: &[f32], from: f32, to: f32) -> f64 {
        let r = RATE as f32;
        let w = &track[(from * r) as usize..(to * r) as usize];
        20.0 * (crate::audio::loudness::a_weighted_rms(w) / synth::reference_loudness()).log10()
    }

    #[test]
    fn a_bed_is_in_the_render_at_its_level_and_fades_out_with_the_session() {
        let session = |bed: &str| {
            format!(
                "title = \"b\"\n{bed}\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                 at = [{{ at = \"20s\", sound = \"bowl\" }}]\n\
                 [[step]]\nduration = 15\n[[step]]\nduration = 15\n"
            )
        };
        let with = track(
            &timeline(&session(
                "ambient = { sound = \"rain\", volume = 0.5, fade = \"1s\" }",
            )),
            1.0,
        );
        let without = track(&timeline(&session("")), 1.0);
        // At volume 1.0 a bed is 6 dB under a bowl, at 0.5 another 6 dB; the step change at
        // 15 s (the same bed) leaves it as it was.
        let level = window_db(&with, 2.0, 14.0);
        assert!((level + 12.04).abs() < 0.5, "{level:.2} dB");
        let across = window_db(&with, 14.0, 16.0);
        assert!(
            (across - level).abs() < 0.5,
            "{across:.2} dB across the step change"
        );
        assert!(without[..20 * RATE as usize].iter().all(|s| *s == 0.0));
        // Faded in, not switched on.
        assert!(window_db(&with, 0.0, 0.05) < level - 20.0);
        // The session ends at 30 s and the bed fades over a second; then only the bowl is
        // left, sample for sample what it is without a bed.
        assert_eq!(with.len(), without.len());
        let gone = (31.01 * RATE as f32) as usize;
        assert_eq!(with[gone..], without[gone..]);
        assert!(with[(30.5 * RATE as f32) as usize].abs() > 0.0);
    }

    #[test]
    fn a_step_without_a_bed_fades_it_out_and_the_track_waits_for_the_fade() {
        let t = timeline(
            "title = \"b\"\nambient = { sound = \"surf\", fade = \"2s\" }\n\
             [bells]\nstart = \"none\"\nend = \"none\"\n\
             [[step]]\nduration = 10\n[[step]]\nduration = 10\nambient = false\n\
             [[step]]\nduration = 5\nambient = { sound = \"rain\", fade = \"0s\" }\n",
        );
        let track = track(&t, 1.0);
        let s = |x: f32| (x * RATE as f32) as usize;
        assert!(
            window_db(&track, 3.0, 9.0) > -30.0,
            "surf in the first step"
        );
        assert!(
            track[s(12.01)..s(20.0)].iter().all(|x| *x == 0.0),
            "none in the second"
        );
        assert!(window_db(&track, 20.1, 24.9) > -30.0, "rain in the third");
        // The last bed's fade is as short as the mix's click-free ramp.
        assert_eq!(
            track.len(),
            s(25.0) + BedVoice::fade_samples(Duration::ZERO)
        );
    }
}
