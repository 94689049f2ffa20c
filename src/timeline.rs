//! The shared vocabulary of a run: a [`Timeline`] of [`Event`]s at exact millisecond offsets.
//!
//! The compiler (`session::compile`) produces it; the engine, the practice, the front ends,
//! the audio render and the journal read it. It knows nothing of files, terminals or sound.

use std::time::Duration;

use serde::Serialize;

use crate::session::format::{Ambient, Bell, Pattern, serialize_ms};

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
    /// From the opening bell to the end.
    #[serde(rename = "total_ms", serialize_with = "serialize_ms")]
    pub total: Duration,
    pub steps: Vec<PlannedStep>,
    /// In order of time; events at the same offset in the order of [`EventKind::rank`].
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

/// Events that share an offset come in the order of [`EventKind::rank`]: a step, its bell,
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
