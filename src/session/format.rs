//! A checked session: what a session file means once every value has been read and
//! validated. Only `check` builds these, so everything here is known to be sound (patterns
//! breathe, durations are positive, sounds exist, text is safe to show).

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::principles::Principle;

/// A version of the session format. Every 1.0 file is a 1.1 file; 1.1 adds keys, and a file
/// that says `format = 1` may not use them (so it still reads in an older hara).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FormatVersion {
    V1_0,
    V1_1,
}

impl FormatVersion {
    /// The newest version, what this program reads and what `hara new` writes.
    pub const NEWEST: FormatVersion = FormatVersion::V1_1;

    /// As written after `format =` in a file.
    pub fn as_toml(self) -> &'static str {
        match self {
            FormatVersion::V1_0 => "1",
            FormatVersion::V1_1 => "1.1",
        }
    }
}

/// A byte range in the session file, kept so later checks can point at a value.
pub type Span = Range<usize>;

#[derive(Debug, Clone)]
pub struct Session {
    pub title: String,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    /// Quiet countdown before the opening bell.
    pub prepare: Duration,
    /// The language its words are written in (BCP 47, e.g. "de"): the speech engine's voice.
    pub lang: Option<String>,
    pub bells: Bells,
    /// The sound bed under the whole session (format 1.1), unless a step says otherwise.
    pub ambient: Option<Ambient>,
    pub items: Vec<Item>,
}

/// A sound bed (format 1.1): a quiet sound looped under the session, faded in and out,
/// ducked under bells and speech.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ambient {
    pub sound: AmbientSound,
    /// 0.0 to 1.0: at 1.0 the bed is 6 dB quieter to the ear than a bowl's strike.
    pub volume: f32,
    /// How long it takes to fade in as it starts and out as it ends.
    #[serde(rename = "fade_ms", serialize_with = "serialize_ms")]
    pub fade: Duration,
}

impl Ambient {
    /// A bed's volume unless the file says: a quiet bed, 20 dB under a bowl.
    pub const VOLUME: f32 = 0.2;
    /// Its fade unless the file says.
    pub const FADE: Duration = Duration::from_secs(5);
}

/// What a sound bed plays.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AmbientSound {
    /// Synthesised by hara while it plays.
    Noise(Noise),
    /// A WAV or Ogg Vorbis file, looped (crossfaded at its loop point).
    File(PathBuf),
    /// A sound file bundled with hara, by name, looped.
    Bundled(String),
}

/// hara's own beds, synthesised from a seeded generator as they play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Noise {
    /// Soft brown noise that swells and ebbs like waves on a beach.
    Surf,
    /// Pink noise, softened above a few kHz: steady rain.
    Rain,
}

impl Noise {
    pub const ALL: [Noise; 2] = [Noise::Surf, Noise::Rain];

    pub fn name(self) -> &'static str {
        match self {
            Noise::Surf => "surf",
            Noise::Rain => "rain",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.name() == name)
    }
}

impl std::fmt::Display for AmbientSound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmbientSound::Noise(n) => f.write_str(n.name()),
            AmbientSound::File(path) => {
                f.write_str(&crate::text::clean_line(&path.display().to_string()))
            }
            AmbientSound::Bundled(name) => f.write_str(name),
        }
    }
}

impl std::fmt::Display for Ambient {
    /// "surf, volume 20%, fading over 5s".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, volume {:.0}%, fading over {}",
            self.sound,
            self.volume * 100.0,
            super::duration::format(self.fade)
        )
    }
}

/// A step's sound bed (format 1.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StepAmbient {
    /// No `ambient` key: the session's bed plays on (or none, if it has none).
    #[default]
    Session,
    /// `ambient = false`: no bed in this step (the session's fades out, and in again after).
    Off,
    /// A bed of its own, in place of the session's for this step.
    Own(Ambient),
}

#[derive(Debug, Clone, Default)]
pub struct Bells {
    pub start: Option<Bell>,
    pub end: Option<Bell>,
    pub interval: Option<IntervalBell>,
    pub at: Vec<TimedBell>,
    /// Where `end` was given, for diagnostics about it.
    pub end_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bell {
    pub sound: Sound,
    pub strikes: u32,
    /// Time between the onsets of successive strikes.
    #[serde(serialize_with = "serialize_ms")]
    pub gap: Duration,
    /// 0.0 (silent) to 1.0, relative to the master volume.
    pub volume: f32,
}

#[derive(Debug, Clone)]
pub struct IntervalBell {
    pub every: Every,
    pub every_span: Span,
    pub bell: Bell,
}

/// The time between interval bells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// The same each time: `every = "5m"`.
    Fixed(Duration),
    /// Each gap drawn anew from `shortest..=longest` (format 1.1): `every = "3m..7m"`. The
    /// draw is seeded, so a seed gives the same gaps again (`session::compile`).
    Between {
        shortest: Duration,
        longest: Duration,
    },
}

impl Every {
    /// The shortest gap there can be: what the limits count with.
    pub fn shortest(self) -> Duration {
        match self {
            Every::Fixed(d) => d,
            Every::Between { shortest, .. } => shortest,
        }
    }
}

impl std::fmt::Display for Every {
    /// "5m", or "3m..7m" as a session file writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::duration::format;
        match self {
            Every::Fixed(d) => f.write_str(&format(*d)),
            Every::Between { shortest, longest } => {
                write!(f, "{}..{}", format(*shortest), format(*longest))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct TimedBell {
    pub at: Duration,
    pub at_span: Span,
    pub bell: Bell,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sound {
    /// One of the instruments synthesised by hara.
    Instrument(Instrument),
    /// A WAV or Ogg Vorbis file, resolved to a path that existed when the session was checked.
    File(PathBuf),
    /// A sound file bundled with hara, by name.
    Bundled(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Instrument {
    Bowl,
    Bell,
    Wood,
}

impl Instrument {
    pub const ALL: [Instrument; 3] = [Instrument::Bowl, Instrument::Bell, Instrument::Wood];

    pub fn name(self) -> &'static str {
        match self {
            Instrument::Bowl => "bowl",
            Instrument::Bell => "bell",
            Instrument::Wood => "wood",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }
}

impl std::fmt::Display for Bell {
    /// "bowl ×1", "bowl ×3, 2.5s apart, volume 40%".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ×{}", self.sound, self.strikes)?;
        if self.strikes > 1 {
            write!(f, ", {} apart", super::duration::format(self.gap))?;
        }
        if self.volume < 1.0 {
            write!(f, ", volume {:.0}%", self.volume * 100.0)?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Sound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sound::Instrument(i) => f.write_str(i.name()),
            // The path names folders the session did not choose (where it was saved, the
            // sound folders), so it is made safe to print like any text from a file.
            Sound::File(path) => f.write_str(&crate::text::clean_line(&path.display().to_string())),
            Sound::Bundled(name) => f.write_str(name),
        }
    }
}

impl Session {
    /// Whether its plan draws anything at random (bells at random, in the session or a
    /// step): then a plan depends on a seed as well as on the file.
    pub fn draws_at_random(&self) -> bool {
        fn any(items: &[Item]) -> bool {
            items.iter().any(|item| match item {
                Item::Step(s) => s.bells.at_random(),
                Item::Repeat(r) => any(&r.items),
            })
        }
        self.bells.at_random() || any(&self.items)
    }
}

#[derive(Debug, Clone)]
pub enum Item {
    Step(Box<Step>),
    Repeat(Repeat),
}

/// A group of steps played `times` times in a row.
#[derive(Debug, Clone)]
pub struct Repeat {
    pub title: Option<String>,
    pub times: u32,
    /// Where `repeat` was given, for diagnostics about it.
    pub times_span: Span,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub text: Option<Text>,
    pub length: Length,
    /// `None` is a sit: no paced breath, only time.
    pub breath: Option<Breath>,
    pub tones: bool,
    /// Whether the step's words and cues are spoken aloud (unless a cue says otherwise).
    pub speak: bool,
    /// A word spoken at each breath phase ("in", "hold", "out"), for beginners.
    pub speak_breath: bool,
    /// A recorded voice played instead of the step's words synthesised.
    pub voice: Option<PathBuf>,
    pub cues: Vec<Cue>,
    /// Sounded as the step starts (`bell`, or `bells.start`).
    pub bell: Option<Bell>,
    /// The step's own bells (format 1.1), timed from its start: `at`, `interval`, and `end`
    /// at its end. Its `start` is always `None`: a step's start bell is [`bell`](Self::bell).
    pub bells: Bells,
    /// Its sound bed: the session's, none, or its own.
    pub ambient: StepAmbient,
    /// Where the step's length was given, for diagnostics about it.
    pub length_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Time(Duration),
    Breaths(u32),
    /// `duration = "open"` (format 1.1): until the person moves on. Planned as no time; a run
    /// lays it out as it goes (see [`crate::engine`]), a render for a length it is given.
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breath {
    Steady(Pattern),
    /// Changes breath by breath from one pattern to the other across the step.
    Ramp {
        from: Pattern,
        to: Pattern,
    },
}

/// One breath: inhale, optional short top-up inhale (the physiological sigh), hold, exhale,
/// rest. Inhale and exhale are never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Pattern {
    #[serde(serialize_with = "serialize_ms")]
    pub inhale: Duration,
    #[serde(serialize_with = "serialize_ms")]
    pub top_up: Duration,
    #[serde(serialize_with = "serialize_ms")]
    pub hold: Duration,
    #[serde(serialize_with = "serialize_ms")]
    pub exhale: Duration,
    #[serde(serialize_with = "serialize_ms")]
    pub rest: Duration,
}

impl Pattern {
    pub fn cycle(&self) -> Duration {
        self.inhale + self.top_up + self.hold + self.exhale + self.rest
    }

    /// Its phases in the order they are breathed, each with its length (zero for a phase
    /// the pattern leaves out).
    pub fn phases(&self) -> [(crate::timeline::Phase, Duration); 5] {
        use crate::timeline::Phase;
        [
            (Phase::Inhale, self.inhale),
            (Phase::TopUp, self.top_up),
            (Phase::Hold, self.hold),
            (Phase::Exhale, self.exhale),
            (Phase::Rest, self.rest),
        ]
    }
}

impl std::fmt::Display for Pattern {
    /// The shorthand a session file accepts: "4-1-6-0", or "4+1-0-8-0" with a top-up.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::duration::format_seconds as s;
        write!(f, "{}", s(self.inhale))?;
        if !self.top_up.is_zero() {
            write!(f, "+{}", s(self.top_up))?;
        }
        write!(f, "-{}-{}-{}", s(self.hold), s(self.exhale), s(self.rest))
    }
}

#[derive(Debug, Clone)]
pub struct Cue {
    pub when: CueTime,
    pub text: Text,
    /// Spoken aloud or not, when the cue says; else as its step.
    pub speak: Option<bool>,
    /// A recorded voice played instead of synthesised speech.
    pub voice: Option<PathBuf>,
    /// Where the cue's time was given.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueTime {
    /// Once, this long after the step starts.
    At(Duration),
    /// At every multiple of this within the step.
    Every(Duration),
}

/// Words to show: written in the session, or drawn in turn from a principle's cue lines.
#[derive(Debug, Clone)]
pub enum Text {
    Written(String),
    Principle(&'static Principle),
}

impl Default for Bell {
    fn default() -> Self {
        Bell {
            sound: Sound::Instrument(Instrument::Bowl),
            strikes: 1,
            gap: Duration::from_millis(2500),
            volume: 1.0,
        }
    }
}

impl Bells {
    /// Whether any of these bells come at random.
    pub fn at_random(&self) -> bool {
        self.interval
            .as_ref()
            .is_some_and(|i| matches!(i.every, Every::Between { .. }))
    }

    /// A bowl at the start and the end, unless the session says otherwise.
    pub fn defaults() -> Self {
        Bells {
            start: Some(Bell::default()),
            end: Some(Bell::default()),
            interval: None,
            at: Vec::new(),
            end_span: None,
        }
    }
}

/// Durations appear in JSON as whole milliseconds, exactly.
pub fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
