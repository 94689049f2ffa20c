//! The shared vocabulary of a run: a [`Timeline`] of [`Event`]s at exact millisecond offsets.
//!
//! The compiler (`session::compile`) produces it; the engine, the practice, the front ends,
//! the audio render and the journal read it. It knows nothing of files, terminals or sound.

use std::time::Duration;

use serde::Serialize;

use crate::session::compile::{Seed, draw_gap, draws};
use crate::session::format::{Ambient, Bell, CueTime, Every, Pattern, serialize_ms};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub title: String,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    /// The language its words are written in (BCP 47), for the speech engine's voice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The quiet countdown before offset zero.
    #[serde(rename = "prepare_ms", serialize_with = "serialize_ms")]
    pub prepare: Duration,
    /// From the opening bell to the end, as planned. An open step counts for the time it is
    /// given ([`open_for`](Self::open_for)), and for nothing in a timeline laid out for a
    /// run, where it lasts until the person moves on.
    #[serde(rename = "total_ms", serialize_with = "serialize_ms")]
    pub total: Duration,
    /// How long each open step lasts in this timeline: `None` when it is laid out for a run
    /// (each open step a little ahead of time, lengthened by the engine while it runs and cut
    /// where the person moves on); a length for a render or a plan that assumes one.
    #[serde(
        rename = "open_for_ms",
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_some_ms"
    )]
    pub open_for: Option<Duration>,
    pub steps: Vec<PlannedStep>,
    /// In order of time; events at the same offset in the order of `EventKind::rank`.
    pub events: Vec<Event>,
    /// The seed the gaps of bells at random were drawn from; `None` when nothing in the
    /// session is drawn at random (then every seed gives this plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl Timeline {
    /// Paced breaths in the whole session.
    pub fn breaths(&self) -> u32 {
        self.steps
            .iter()
            .filter_map(|s| s.breath.as_ref())
            .map(|b| b.breaths)
            .sum()
    }

    /// Every kind of event the run may sound or say: those of the timeline, and those its
    /// open steps bring while they last (laid out only as they run), so sounds and speech
    /// can be made ready before the run.
    pub fn kinds(&self) -> impl Iterator<Item = EventKind> + '_ {
        self.events.iter().map(|e| e.kind.clone()).chain(
            self.steps
                .iter()
                .filter_map(|s| s.open.as_ref())
                .flat_map(OpenPlan::kinds),
        )
    }

    /// Whether any step is open (lasts until the person moves on).
    pub fn has_open(&self) -> bool {
        self.steps.iter().any(|s| s.open.is_some())
    }

    /// The offset of the end (the [`EventKind::Finished`] event): [`total`](Self::total)
    /// plus, in a timeline laid out for a run, the time laid out ahead for open steps.
    pub fn end(&self) -> Duration {
        self.events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Finished)
            .map_or(self.total, |e| e.at)
    }

    /// The length in a few words: "20m", or "5m + open" when open steps add to it however
    /// long they take (only "open" when nothing else takes time).
    pub fn length_words(&self, format: impl Fn(Duration) -> String) -> String {
        match (
            self.has_open() && self.open_for.is_none(),
            self.total.is_zero(),
        ) {
            (false, _) => format(self.total),
            (true, true) => "open".to_string(),
            (true, false) => format!("{} + open", format(self.total)),
        }
    }
}

fn serialize_some_ms<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    serialize_ms(&d.unwrap_or_default(), s)
}

fn serialize_is_some<S: serde::Serializer>(o: &Option<OpenPlan>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(o.is_some())
}

/// One step as it will be played (a step inside a repeat appears once per round).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStep {
    pub title: String,
    pub text: Option<String>,
    #[serde(rename = "start_ms", serialize_with = "serialize_ms")]
    pub start: Duration,
    #[serde(rename = "length_ms", serialize_with = "serialize_ms")]
    pub length: Duration,
    pub breath: Option<BreathPlan>,
    /// Set for a step inside a repeat group.
    pub round: Option<Round>,
    /// Set for an open step (`duration = "open"`): what it does for as long as it lasts.
    #[serde(serialize_with = "serialize_is_some")]
    pub open: Option<OpenPlan>,
}

/// What an open step does for as long as it lasts: the same breath over and over (or one
/// still phase that grows), its cues, and interval bells of its own. Its events for any
/// stretch of it come from [`events`](Self::events), a pure function of the offset, so
/// laying the step out in pieces gives the same events as laying it out at once.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenPlan {
    /// The breath it paces, or `None`: a sit, one still phase.
    pub breath: Option<Pattern>,
    pub tones: bool,
    pub cues: Vec<OpenCue>,
    /// The session's interval bell, counted from the step's start.
    pub interval: Option<OpenInterval>,
}

/// The session's interval bell in an open step: every `every` from the step's start, a range's
/// gaps drawn from the run's seed on a stream of the step's own, so any stretch of the step
/// asked for gets the same bells.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenInterval {
    pub every: Every,
    pub bell: Bell,
    pub seed: Seed,
    pub stream: u64,
}

impl OpenInterval {
    /// Its moments in `[from, to)`, offsets from the step's start.
    fn times(&self, from: Duration, to: Duration) -> Vec<Duration> {
        match self.every {
            Every::Fixed(every) => {
                let every = (every.as_millis() as u64).max(1);
                let first = (from.as_millis() as u64).div_ceil(every).max(1);
                (first..)
                    .map(|k| Duration::from_millis(k * every))
                    .take_while(|at| *at < to)
                    .collect()
            }
            Every::Between { shortest, longest } => {
                // Drawn from the step's start each time: the gaps before `from` decide where
                // the ones after it fall.
                let mut rng = draws(self.seed, self.stream);
                let mut out = Vec::new();
                let mut at = draw_gap(&mut rng, shortest, longest);
                while at < to {
                    if at >= from {
                        out.push(at);
                    }
                    at += draw_gap(&mut rng, shortest, longest);
                }
                out
            }
        }
    }
}

/// A cue of an open step: once, or again and again while the step lasts.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCue {
    pub when: CueTime,
    /// The words shown, in turn, one per showing (one line for written words, a
    /// principle's lines in order).
    pub lines: Vec<String>,
    pub spoken: bool,
    pub voice: Option<std::path::PathBuf>,
}

impl OpenPlan {
    /// The events of the step that fall in `[from, to)` (offsets from the step's start),
    /// in timeline order. A still step's one phase is not among them: it begins with the step
    /// and grows with it (see [`still`](Self::still)).
    pub fn events(&self, from: Duration, to: Duration) -> Vec<Event> {
        let mut out = Vec::new();
        let ms = |d: Duration| d.as_millis() as u64;
        if let Some(p) = self.breath {
            let cycle = ms(p.cycle()).max(1);
            let mut start = ms(from) / cycle * cycle;
            while start < ms(to) {
                let mut at = Duration::from_millis(start);
                for (phase, length) in p.phases() {
                    if !length.is_zero() && at >= from && at < to {
                        out.push(Event {
                            at,
                            kind: EventKind::Phase {
                                phase,
                                length,
                                tone: self.tones && phase.has_tone(),
                            },
                        });
                    }
                    at += length;
                }
                start += cycle;
            }
        }
        // The k-th time (from 1) of something every `every`, within [from, to).
        let times = |every: Duration| {
            let every = ms(every).max(1);
            let first = ms(from).div_ceil(every).max(1);
            (first..).map(move |k| (k, Duration::from_millis(k * every)))
        };
        for cue in &self.cues {
            let at: Vec<(u64, Duration)> = match cue.when {
                CueTime::At(d) => vec![(1, d)]
                    .into_iter()
                    .filter(|(_, d)| *d >= from && *d < to)
                    .collect(),
                CueTime::Every(e) => times(e).take_while(|(_, d)| *d < to).collect(),
            };
            for (k, at) in at {
                let line = &cue.lines[(k as usize - 1) % cue.lines.len().max(1)];
                out.push(Event {
                    at,
                    kind: EventKind::Cue {
                        text: line.clone(),
                        spoken: cue.spoken,
                        voice: cue.voice.clone(),
                    },
                });
            }
        }
        if let Some(interval) = &self.interval {
            for at in interval.times(from, to) {
                out.push(Event {
                    at,
                    kind: EventKind::Bell {
                        bell: interval.bell.clone(),
                    },
                });
            }
        }
        out.sort_by_key(|e| (e.at, e.kind.rank()));
        out
    }

    /// Every cue and bell it may bring, once each (each line of a cue).
    pub fn kinds(&self) -> Vec<EventKind> {
        let mut out: Vec<EventKind> = self
            .cues
            .iter()
            .flat_map(|c| {
                c.lines.iter().map(|line| EventKind::Cue {
                    text: line.clone(),
                    spoken: c.spoken,
                    voice: c.voice.clone(),
                })
            })
            .collect();
        out.extend(self.interval.iter().map(|i| EventKind::Bell {
            bell: i.bell.clone(),
        }));
        out
    }

    /// The still phase a sit begins with, `length` long (`None` for a breathing step).
    pub fn still(&self, length: Duration) -> Option<Event> {
        self.breath.is_none().then_some(Event {
            at: Duration::ZERO,
            kind: EventKind::Phase {
                phase: Phase::Still,
                length,
                tone: false,
            },
        })
    }

    /// Every event of the step had it lasted `length`: the events of `[0, length)`, the last
    /// phase cut where it ends. What a run holds once the person moves on at `length`.
    pub fn laid_out(&self, length: Duration) -> Vec<Event> {
        let mut out: Vec<Event> = self.still(length).into_iter().collect();
        out.extend(self.events(Duration::ZERO, length));
        for e in &mut out {
            if let EventKind::Phase { length: l, .. } = &mut e.kind {
                *l = (*l).min(length - e.at);
            }
        }
        out.sort_by_key(|e| (e.at, e.kind.rank()));
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreathPlan {
    pub breaths: u32,
    pub first: Pattern,
    pub last: Pattern,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub group: Option<String>,
    /// 1-based.
    pub number: u32,
    pub of: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    #[serde(rename = "at_ms", serialize_with = "serialize_ms")]
    pub at: Duration,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Events that share an offset come in the order of `EventKind::rank`: a step, its bell,
/// a cue, the breath phase, its spoken word, and the end last.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    StepStarted {
        step: usize,
    },
    Phase {
        phase: Phase,
        #[serde(rename = "length_ms", serialize_with = "serialize_ms")]
        length: Duration,
        tone: bool,
    },
    Cue {
        text: String,
        /// Spoken aloud (by the practice's speech, when it is on).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        spoken: bool,
        /// A recorded voice, played instead of synthesised speech when it is spoken.
        #[serde(skip_serializing_if = "Option::is_none")]
        voice: Option<std::path::PathBuf>,
    },
    Bell {
        #[serde(flatten)]
        bell: Bell,
    },
    /// Words heard and not shown (the screen shows them with their step): a step's words,
    /// just after its bell has struck, or a breath phase's word.
    Speech {
        text: String,
        /// A recorded voice, played instead of synthesised speech.
        #[serde(skip_serializing_if = "Option::is_none")]
        voice: Option<std::path::PathBuf>,
        /// Whose words they are.
        of: Spoken,
    },
    /// From here on this sound bed plays (format 1.1), or none: at every step start of a
    /// session that has a bed anywhere. The same bed as before plays on unbroken; another
    /// crossfades; `None` fades it out. [`EventKind::Finished`] fades it out too.
    Ambient {
        bed: Option<Ambient>,
    },
    Finished,
}

/// Whose words a [`EventKind::Speech`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Spoken {
    /// A step's `text` (or its recorded `voice`).
    Step,
    /// A breath phase's word ("in", "out"…), for a step with `speak_breath`.
    Breath,
}

/// What an event says aloud, when speech is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said<'a> {
    /// Words for the speech engine.
    Text(&'a str),
    /// A recorded voice.
    Clip(&'a std::path::Path),
}

impl EventKind {
    pub(crate) fn rank(&self) -> u8 {
        match self {
            EventKind::StepStarted { .. } | EventKind::Ambient { .. } => 0,
            EventKind::Bell { .. } => 1,
            EventKind::Cue { .. } => 2,
            EventKind::Phase { .. } => 3,
            EventKind::Speech { .. } => 4,
            EventKind::Finished => 5,
        }
    }

    /// What this event says aloud when speech is on: a spoken cue, a step's words or a
    /// breath word; a recorded voice over the words when there is one.
    pub fn said(&self) -> Option<Said<'_>> {
        match self {
            EventKind::Cue {
                spoken: true,
                voice: Some(path),
                ..
            }
            | EventKind::Speech {
                voice: Some(path), ..
            } => Some(Said::Clip(path)),
            EventKind::Cue {
                text,
                spoken: true,
                voice: None,
            }
            | EventKind::Speech {
                text, voice: None, ..
            } => Some(Said::Text(text)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Inhale,
    /// The short second inhale of the physiological sigh.
    TopUp,
    Hold,
    Exhale,
    Rest,
    /// No paced breath: a sit, or a step too short for one breath.
    Still,
}

impl Phase {
    /// Whether a breath tone sounds in this phase: the breath moving in or out.
    pub fn has_tone(self) -> bool {
        matches!(self, Phase::Inhale | Phase::TopUp | Phase::Exhale)
    }

    /// The phase as a plain-text line names it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Inhale => "inhale",
            Phase::TopUp => "top-up inhale",
            Phase::Hold => "hold",
            Phase::Exhale => "exhale",
            Phase::Rest => "rest",
            Phase::Still => "still",
        }
    }
}
