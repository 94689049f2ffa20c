//! A second terminal on the same run: `hara attach` shows the teacher's view of a practice
//! running in another terminal (often the projected one) and sends its keys back, so pause,
//! skip, back and extend pressed in either apply to both.
//!
//! Every run listens on a Unix socket, `$XDG_RUNTIME_DIR/hara/run-PID.sock`, in a folder only
//! its owner can enter. The run sends a [`Board`] (one JSON line) at once and after every
//! change; the teacher's terminal sends [`Control`](crate::practice::Control)s (one JSON line each). Nothing of the run
//! is worked out twice: the board is the practice's [`Plan`] with the step titles, and the
//! teacher's terminal only moves it on with its own clock between boards.

pub mod client;
pub mod server;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::State;
use crate::practice::Plan;
use crate::text::clean_line;
use crate::timeline::{EventKind, Timeline};

/// The most teachers' terminals one run takes at once.
pub const MAX_CLIENTS: usize = 8;

/// One step of the run as it now stands (extensions in, later steps moved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardStep {
    pub title: String,
    /// "Walking and sitting · round 1 of 2", for a step in a repeated group.
    pub round: Option<String>,
    /// From the start of the countdown.
    pub start_ms: u64,
    pub length_ms: u64,
}

/// Where a run is, as a teacher's screen needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub title: String,
    pub steps: Vec<BoardStep>,
    /// Preparing, running, paused or finished.
    pub state: Phase,
    /// Where the run was when this was sent, from the start of the countdown.
    pub position_ms: u64,
    /// Where it ends.
    pub end_ms: u64,
    /// When the run is in an open step or will reach one: how far that step is laid out.
    /// The run holds there until the person moves on (the next board says when), so nothing
    /// from there on is counted down to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_ms: Option<u64>,
    /// How many times faster than real time it runs (a preview).
    pub speed: u32,
}

/// [`State`] on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Preparing,
    Running,
    /// In an open step: its time counts up until the person moves on.
    Open,
    Paused,
    Finished,
}

impl From<State> for Phase {
    fn from(s: State) -> Self {
        match s {
            State::Preparing => Phase::Preparing,
            State::Running => Phase::Running,
            State::Open => Phase::Open,
            State::Paused => Phase::Paused,
            State::Finished => Phase::Finished,
        }
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Board {
    /// The board for `plan`, with the titles of `timeline`. Text is cleaned here: it goes to
    /// another terminal.
    pub fn new(plan: &Plan, timeline: &Timeline, speed: u32) -> Self {
        let starts: Vec<(usize, Duration)> = plan
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::StepStarted { step, .. } => Some((step, e.at)),
                _ => None,
            })
            .collect();
        let end = plan
            .events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Finished)
            .map_or(Duration::ZERO, |e| e.at);
        let steps = starts
            .iter()
            .enumerate()
            .map(|(i, &(step, start))| {
                let next = starts.get(i + 1).map_or(end, |&(_, at)| at);
                let planned = &timeline.steps[step];
                BoardStep {
                    title: clean_line(&planned.title),
                    round: planned.round.as_ref().map(|r| {
                        let round = format!("round {} of {}", r.number, r.of);
                        match &r.group {
                            Some(g) => format!("{} · {round}", clean_line(g)),
                            None => round,
                        }
                    }),
                    start_ms: ms(start),
                    length_ms: ms(next.saturating_sub(start)),
                }
            })
            .collect();
        Board {
            title: clean_line(&timeline.title),
            steps,
            state: plan.state.into(),
            position_ms: ms(plan.offset),
            end_ms: ms(end),
            hold_ms: plan.hold.map(ms),
            speed: speed.max(1),
        }
    }

    /// Whether the run moves with the clock.
    pub fn moving(&self) -> bool {
        matches!(self.state, Phase::Preparing | Phase::Running | Phase::Open)
    }

    /// Where the run is `elapsed` (real time) after this board was sent.
    pub fn position_after(&self, elapsed: Duration) -> u64 {
        if !self.moving() {
            return self.position_ms;
        }
        let moved = ms(elapsed).saturating_mul(u64::from(self.speed));
        self.position_ms
            .saturating_add(moved)
            .min(self.end_ms)
            .min(self.hold_ms.unwrap_or(u64::MAX))
    }

    /// The index of the step at `position`, once the countdown is over.
    pub fn step_at(&self, position: u64) -> Option<usize> {
        let i = self.steps.partition_point(|s| s.start_ms <= position);
        i.checked_sub(1)
    }
}

/// Where runs listen: `$XDG_RUNTIME_DIR/hara`.
pub fn folder() -> Option<PathBuf> {
    let dirs = directories::BaseDirs::new()?;
    Some(dirs.runtime_dir()?.join("hara"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::output::Audio;
    use crate::engine::ManualClock;
    use crate::practice::{Control, Practice};
    use crate::session::check::InstrumentsOnly;

    const SOURCE: &str = "title = \"Room \\u001b[31m\"\nprepare = 2\n[[step]]\ntitle = \"Sit\"\nduration = 10\n\
        [[step]]\ntitle = \"Walk\"\nrepeat = 2\n[[step.step]]\ntitle = \"Walk\"\nduration = 5\n";

    fn practice(clock: &ManualClock) -> Practice<&ManualClock> {
        let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap();
        Practice::new(t, clock, Audio::silent())
    }

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_board_is_the_plan_with_titles_and_rounds() {
        let clock = ManualClock::default();
        let p = practice(&clock);
        let b = Board::new(&p.plan(s(0)), p.timeline(), 1);
        assert_eq!(b.title, "Room", "cleaned: it goes to another terminal");
        let starts: Vec<u64> = b.steps.iter().map(|s| s.start_ms).collect();
        assert_eq!(starts, [2000, 12_000, 17_000]);
        assert_eq!(b.steps[2].round.as_deref(), Some("Walk · round 2 of 2"));
        assert_eq!((b.state, b.end_ms), (Phase::Preparing, 22_000));
    }

    #[test]
    fn a_board_moves_on_with_the_clock_until_paused_and_follows_extensions() {
        let clock = ManualClock::default();
        let mut p = practice(&clock);
        clock.set(s(3));
        p.apply(Control::Extend(s(60)), s(3));
        let b = Board::new(&p.plan(s(3)), p.timeline(), 2);
        assert_eq!(b.steps[0].length_ms, 70_000, "Sit got a minute more");
        assert_eq!(b.steps[1].start_ms, 72_000, "and the walk moved later");
        // At twice real time, one real second is two seconds on.
        assert_eq!(b.position_after(s(1)), 5000);
        assert_eq!(b.step_at(b.position_after(s(1))), Some(0));
        p.apply(Control::Pause, s(4));
        let paused = Board::new(&p.plan(s(4)), p.timeline(), 2);
        assert_eq!(paused.position_after(s(100)), 4000, "paused: it stays");
        assert_eq!(paused.step_at(1000), None, "in the countdown");
    }

    #[test]
    fn a_board_in_an_open_step_counts_up_to_where_it_is_laid_out_and_no_further() {
        let source = "format = 1.1\ntitle = \"T\"\nprepare = 2\n[[step]]\ntitle = \"Talk\"\n\
            duration = \"open\"\n[[step]]\ntitle = \"Sit\"\nduration = 10\n";
        let (_, t) = crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::new(t, &clock, Audio::silent());
        p.advance(s(40));
        let b = Board::new(&p.plan(s(40)), p.timeline(), 1);
        assert_eq!(b.state, Phase::Open);
        assert!(b.moving(), "an open step's time counts up");
        let hold = b.hold_ms.expect("where it holds");
        assert_eq!(hold, b.steps[1].start_ms, "the next step waits there");
        assert_eq!(
            b.position_after(s(3600)),
            hold,
            "left alone, it holds rather than starting the next step"
        );
        let view = crate::ui::teacher::view(&b, s(10), &jiff::ZonedDateTime::now());
        assert_eq!(
            view.open,
            Some(48),
            "38 s in the step, and 10 s since the board"
        );
        assert_eq!(
            view.next.as_ref().map(|(_, at)| at.is_none()),
            Some(true),
            "what follows the open step has no time yet"
        );
        let area = ratatui::layout::Rect::new(0, 0, 80, 20);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        let theme = crate::ui::theme::Theme::new(crate::ui::theme::ThemeName::Calm, true);
        crate::ui::teacher::render(&view, &theme, area, &mut buf);
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains(" when the open step ends"), "{text}");
        assert!(!text.contains(" at after"), "{text}");
        assert!(text.contains(" after this open step"), "{text}");
        p.apply(Control::EndOpen, s(41));
        let b = Board::new(&p.plan(s(41)), p.timeline(), 1);
        assert_eq!((b.state, b.hold_ms), (Phase::Running, None));
        assert_eq!(b.steps[0].length_ms, 39_000, "the open step took 39 s");
    }
}
