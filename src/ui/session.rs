//! The session screen's state and logic, apart from any terminal: it takes actions and the
//! engine's events, and produces a [`SessionView`] for the renderer.

use std::time::Duration;

use crate::engine::{Delivered, Engine, PhaseStatus, State};
use crate::timeline::{EventKind, Phase, Timeline};

use super::action::Action;

/// Animation frames per breathing phase: enough to look smooth, few enough that "redraw on
/// change" stays cheap.
pub const FRAMES: u64 = 48;

/// How much longer `+` makes a step.
pub const EXTEND_BY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    ConfirmQuit,
}

/// Everything the session screen shows, reduced to what can be seen: two moments with equal
/// views look the same, so the screen is redrawn only when the view changes.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub title: String,
    /// (1-based number, of, title), once the countdown is over.
    pub step: Option<(usize, usize, String)>,
    pub state: State,
    pub phase: Option<Phase>,
    /// Whole seconds left in the phase, rounded up (a 4 s inhale starts at "4").
    pub phase_left: u64,
    /// How full the belly is, 0 to 1000, eased and quantised to [`FRAMES`] per phase.
    pub fill: u16,
    pub text: Option<String>,
    pub cue: Option<String>,
    pub prepare_left: u64,
    pub session_left: u64,
    /// Session progress, 0 to 1000.
    pub progress: u16,
    pub practised: u64,
    pub overlay: Overlay,
    pub projection: bool,
    pub reduce_motion: bool,
    /// The note being typed after the session, when the journal asks for one.
    pub note: Option<String>,
    /// How sound stands ("vol 80%", "muted", "no sound device"); the front end fills it in.
    pub sound: String,
}

/// The longest note, in characters.
const MAX_NOTE: usize = 200;

/// What the screen wants after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Leave,
}

pub struct SessionScreen {
    engine: Engine,
    text: Option<String>,
    cue: Option<String>,
    overlay: Overlay,
    projection: bool,
    reduce_motion: bool,
    /// `Some` when a note is asked for at the end; what has been typed so far.
    note: Option<String>,
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

/// Ease in and out, so the belly starts and ends each breath gently.
fn ease(x: f64) -> f64 {
    (1.0 - (std::f64::consts::PI * x).cos()) / 2.0
}

/// The animation frame of a phase, 0 to [`FRAMES`].
fn frame(p: &PhaseStatus) -> u64 {
    let (length, elapsed) = (
        p.length.as_millis() as u64,
        (p.length - p.left).as_millis() as u64,
    );
    (elapsed * FRAMES / length.max(1)).min(FRAMES)
}

impl SessionScreen {
    /// `ask_note`: offer a one-line note for the journal when the session ends.
    pub fn new(
        timeline: Timeline,
        now: Duration,
        projection: bool,
        reduce_motion: bool,
        ask_note: bool,
    ) -> Self {
        SessionScreen {
            engine: Engine::new(timeline, now),
            text: None,
            cue: None,
            overlay: Overlay::None,
            projection,
            reduce_motion,
            note: ask_note.then(String::new),
        }
    }

    /// Whether keys should be read as text: the note at the end.
    pub fn wants_text(&self, now: Duration) -> bool {
        self.note.is_some() && self.engine.is_finished(now) && self.overlay == Overlay::None
    }

    /// The note typed at the end, if any.
    pub fn note(&self) -> Option<String> {
        let note = crate::text::clean_line(self.note.as_deref()?);
        (!note.is_empty()).then_some(note)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Takes in what fell due; returns it for others (sound, the journal) to act on too.
    pub fn advance(&mut self, now: Duration) -> Vec<Delivered> {
        let delivered = self.engine.advance(now);
        for d in &delivered {
            match &d.kind {
                EventKind::StepStarted { step } => {
                    self.text = self.engine.timeline().steps[*step].text.clone();
                    self.cue = None;
                }
                EventKind::Cue { text } => self.cue = Some(text.clone()),
                _ => {}
            }
        }
        delivered
    }

    fn under_way(&self, now: Duration) -> bool {
        !self.engine.is_finished(now)
    }

    pub fn handle(&mut self, action: Action, now: Duration) -> Outcome {
        if self.wants_text(now) {
            match action {
                Action::Char(c) => {
                    let note = self.note.get_or_insert_with(String::new);
                    if note.chars().count() < MAX_NOTE {
                        note.push(c);
                    }
                }
                Action::Backspace => {
                    self.note.get_or_insert_with(String::new).pop();
                }
                Action::Select | Action::ForceQuit => return Outcome::Leave,
                Action::Cancel => {
                    self.note = Some(String::new());
                    return Outcome::Leave;
                }
                _ => {}
            }
            return Outcome::Stay;
        }
        if self.engine.is_finished(now) && self.overlay == Overlay::None {
            // The summary waits for any key, then the session is over.
            return match action {
                Action::ToggleHelp => {
                    self.overlay = Overlay::Help;
                    Outcome::Stay
                }
                Action::ToggleProjection => {
                    self.projection = !self.projection;
                    Outcome::Stay
                }
                _ => Outcome::Leave,
            };
        }
        if self.overlay == Overlay::ConfirmQuit {
            self.overlay = Overlay::None;
            return match action {
                Action::Quit | Action::Cancel | Action::Confirm | Action::ForceQuit => {
                    self.engine.stop(now);
                    Outcome::Leave
                }
                _ => Outcome::Stay,
            };
        }
        match action {
            Action::ForceQuit => {
                self.engine.stop(now);
                return Outcome::Leave;
            }
            Action::Quit | Action::Cancel if self.overlay == Overlay::Help => {
                self.overlay = Overlay::None
            }
            Action::Quit | Action::Cancel if self.under_way(now) => {
                self.overlay = Overlay::ConfirmQuit
            }
            Action::Quit | Action::Cancel => return Outcome::Leave,
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                };
            }
            Action::ToggleProjection => self.projection = !self.projection,
            Action::TogglePause => self.engine.toggle_pause(now),
            Action::NextStep => self.engine.next_step(now),
            Action::PreviousStep => self.engine.previous_step(now),
            Action::Extend => {
                self.engine.extend(now, EXTEND_BY);
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn view(&self, now: Duration) -> SessionView {
        let s = self.engine.status(now);
        let t = self.engine.timeline();
        let fill = match (s.phase, self.reduce_motion) {
            (None, _) => 0,
            (Some(p), reduce) => {
                let rising = if reduce {
                    1.0
                } else {
                    ease(frame(&p) as f64 / FRAMES as f64)
                };
                let level = match p.phase {
                    Phase::Inhale => rising,
                    Phase::TopUp | Phase::Hold => 1.0,
                    Phase::Exhale => 1.0 - rising,
                    Phase::Rest => 0.0,
                    Phase::Still => 0.5,
                };
                (level * 1000.0).round() as u16
            }
        };
        let total = self.engine.total().as_millis().max(1);
        SessionView {
            title: t.title.clone(),
            step: s
                .step
                .map(|i| (i + 1, t.steps.len(), t.steps[i].title.clone())),
            state: s.state,
            phase: s.phase.map(|p| p.phase),
            phase_left: s.phase.map_or(0, |p| ceil_secs(p.left)),
            fill,
            text: self.text.clone(),
            cue: self.cue.clone(),
            prepare_left: ceil_secs(s.prepare_left),
            session_left: ceil_secs(s.session_left),
            progress: (s.position.as_millis() * 1000 / total) as u16,
            practised: s.practised.as_secs(),
            overlay: self.overlay,
            projection: self.projection,
            reduce_motion: self.reduce_motion,
            note: self.note.clone().filter(|_| s.state == State::Finished),
            sound: String::new(),
        }
    }

    /// When something visible will next change: the engine's next event or countdown tick, or
    /// the breath animation's next frame.
    pub fn next_wake(&self, now: Duration) -> Option<Duration> {
        let engine = self.engine.next_change(now);
        let s = self.engine.status(now);
        let animation = match s.phase {
            Some(p)
                if !self.reduce_motion
                    && s.state == State::Running
                    && matches!(p.phase, Phase::Inhale | Phase::Exhale) =>
            {
                let length = p.length.as_millis() as u64;
                let elapsed = length - p.left.as_millis() as u64;
                let next = ((frame(&p) + 1) * length).div_ceil(FRAMES);
                Some(now + Duration::from_millis(next.saturating_sub(elapsed).max(1)))
            }
            _ => None,
        };
        [engine, animation].into_iter().flatten().min()
    }

    pub fn is_finished(&self, now: Duration) -> bool {
        self.engine.is_finished(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;

    const SOURCE: &str = "title = \"T\"\nprepare = 2\n[[step]]\ntitle = \"Sit\"\nduration = 10\n\
        text = \"Sit.\"\ncues = [{ at = 5, text = \"Halfway.\" }]\n[[step]]\ntitle = \"Breathe\"\n\
        breaths = 2\nbreath = \"4-0-6-0\"\n";

    fn screen() -> SessionScreen {
        let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap();
        SessionScreen::new(t, Duration::ZERO, false, false, false)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_view_follows_the_session() {
        let mut s = screen();
        s.advance(ms(0));
        let v = s.view(ms(0));
        assert_eq!(
            (v.state, v.prepare_left, v.step.clone()),
            (State::Preparing, 2, None)
        );
        s.advance(ms(7500));
        let v = s.view(ms(7500));
        assert_eq!(v.step, Some((1, 2, "Sit".into())));
        assert_eq!(
            (v.text.as_deref(), v.cue.as_deref()),
            (Some("Sit."), Some("Halfway."))
        );
        assert_eq!((v.phase, v.fill), (Some(Phase::Still), 500));
        s.advance(ms(13_000)); // 1 s into the first 4 s inhale
        let v = s.view(ms(13_000));
        assert_eq!(
            (v.phase, v.phase_left, v.cue.clone()),
            (Some(Phase::Inhale), 3, None)
        );
        assert!(v.fill > 0 && v.fill < 500, "{}", v.fill);
    }

    #[test]
    fn quitting_a_session_under_way_asks_first() {
        let mut s = screen();
        assert_eq!(s.handle(Action::Quit, ms(0)), Outcome::Stay);
        assert_eq!(s.view(ms(0)).overlay, Overlay::ConfirmQuit);
        assert_eq!(
            s.handle(Action::TogglePause, ms(0)),
            Outcome::Stay,
            "any other key stays"
        );
        assert_eq!(s.view(ms(0)).overlay, Overlay::None);
        s.handle(Action::Quit, ms(0));
        assert_eq!(s.handle(Action::Confirm, ms(0)), Outcome::Leave);
        let mut s = screen();
        assert_eq!(s.handle(Action::ForceQuit, ms(0)), Outcome::Leave);
    }

    #[test]
    fn pause_skip_extend_help_and_projection() {
        let mut s = screen();
        s.advance(ms(3000));
        s.handle(Action::TogglePause, ms(3000));
        assert_eq!(s.view(ms(9000)).state, State::Paused);
        assert_eq!(s.next_wake(ms(9000)), None, "nothing changes while paused");
        s.handle(Action::TogglePause, ms(9000));
        s.handle(Action::Extend, ms(9000));
        assert_eq!(s.view(ms(9000)).session_left, 10 + 20 + 60 - 1);
        s.handle(Action::NextStep, ms(9000));
        s.advance(ms(9000));
        assert_eq!(s.view(ms(9000)).step.unwrap().0, 2);
        s.handle(Action::ToggleHelp, ms(9000));
        assert_eq!(s.view(ms(9000)).overlay, Overlay::Help);
        s.handle(Action::Quit, ms(9000));
        assert_eq!(
            s.view(ms(9000)).overlay,
            Overlay::None,
            "q closes help first"
        );
        s.handle(Action::ToggleProjection, ms(9000));
        assert!(s.view(ms(9000)).projection);
    }

    #[test]
    fn the_breath_animates_in_frames_and_wakes_only_for_them() {
        let mut s = screen();
        s.advance(ms(12_000)); // the first inhale starts
        let wake = s.next_wake(ms(12_000)).unwrap();
        assert_eq!(wake, ms(12_000 + 4000 / FRAMES + 1)); // 4 s / FRAMES frames, rounded up
        // Between frames the view does not change.
        assert_eq!(s.view(ms(12_001)), s.view(ms(12_000)));
        assert_ne!(s.view(wake), s.view(ms(12_000)));
    }

    #[test]
    fn a_note_can_be_typed_at_the_end() {
        let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap();
        let mut s = SessionScreen::new(t, Duration::ZERO, false, false, true);
        assert!(!s.wants_text(ms(0)));
        s.advance(ms(60_000));
        assert!(s.wants_text(ms(60_000)));
        for c in "calm, q".chars() {
            assert_eq!(s.handle(Action::Char(c), ms(60_000)), Outcome::Stay);
        }
        s.handle(Action::Backspace, ms(60_000));
        assert_eq!(s.view(ms(60_000)).note.as_deref(), Some("calm, "));
        assert_eq!(s.handle(Action::Select, ms(60_000)), Outcome::Leave);
        assert_eq!(s.note().as_deref(), Some("calm,"));
        let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap();
        let mut skip = SessionScreen::new(t, Duration::ZERO, false, false, true);
        skip.advance(ms(60_000));
        skip.handle(Action::Char('x'), ms(60_000));
        assert_eq!(skip.handle(Action::Cancel, ms(60_000)), Outcome::Leave);
        assert_eq!(skip.note(), None, "Esc skips the note");
    }

    #[test]
    fn the_finished_screen_waits_for_a_key() {
        let mut s = screen();
        s.advance(ms(60_000));
        assert!(s.is_finished(ms(60_000)));
        let v = s.view(ms(60_000));
        assert_eq!((v.state, v.practised), (State::Finished, 30));
        assert_eq!(s.handle(Action::Char('x'), ms(60_000)), Outcome::Leave);
    }
}
