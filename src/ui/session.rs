//! The session screen's state and logic, apart from any terminal: it takes keys and the
//! practice's events, passes controls to the practice, and produces a [`SessionView`] for
//! the renderer.

use std::time::Duration;

use crate::engine::{Clock, Delivered, PhaseStatus, State};
use crate::practice::{Control, Practice};
use crate::timeline::{EventKind, Phase};

use super::Options;
use super::action::Action;

/// Animation frames per breathing phase: enough to look smooth, few enough that "redraw on
/// change" stays cheap.
pub const FRAMES: u64 = 48;

pub use super::action::EXTEND_BY;

/// How long the mark for a bell stays on screen.
pub const BELL_MARK: Duration = Duration::from_millis(2500);

/// What the session screen is doing. One value, so no two states can be on at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The session under way: counting down, running or paused (the practice says which).
    UnderWay,
    /// The keys, over the session (`ended` false) or over the end screen.
    Help { ended: bool },
    /// "Leave this session?", while it is under way.
    ConfirmQuit,
    /// The end, with a note for the journal being typed.
    Note(String),
    /// The end, waiting for any key.
    Ended,
    /// Done: the front end hands back, with the note to record, if any.
    Left { note: Option<String> },
}

/// What is drawn over the screen.
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
    /// The repeat group and round of the step: "Walking and sitting · round 1 of 2".
    pub round: Option<String>,
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
    /// In an open step (running or paused): the whole seconds it has run, counting up.
    pub open: Option<u64>,
    /// An open step is still to come: the time left is that of the timed steps only.
    pub open_ahead: bool,
    /// Session progress, 0 to 1000.
    pub progress: u16,
    pub practised: u64,
    pub overlay: Overlay,
    pub projection: bool,
    pub reduce_motion: bool,
    /// Time left shown in the projection view.
    pub time_left: bool,
    /// A bell has just sounded: a calm mark for those who cannot hear it.
    pub bell: bool,
    /// The note being typed after the session, when the journal asks for one.
    pub note: Option<String>,
    /// How sound stands ("vol 80%", "muted", "no sound device").
    pub sound: String,
}

/// The longest note, in characters.
const MAX_NOTE: usize = 200;

/// The session screen: what it shows beside the practice's own state, and how keys move it.
pub struct SessionScreen {
    mode: Mode,
    text: Option<String>,
    cue: Option<String>,
    projection: bool,
    reduce_motion: bool,
    /// Offer a note for the journal at the end.
    ask_note: bool,
    time_left: bool,
    /// When the last bell sounded, for its mark.
    bell_at: Option<Duration>,
}

/// A typed note as the journal keeps it: one clean line, or nothing.
fn kept(typed: &str) -> Option<String> {
    Some(crate::text::clean_line(typed)).filter(|n| !n.is_empty())
}

/// The keys that act on the run itself while it is under way; a suspended run pauses.
fn run_control<C: Clock>(action: Action, practice: &mut Practice<C>, now: Duration) {
    let control = match action {
        Action::Suspend => Some(Control::Pause),
        other => other.control(),
    };
    if let Some(control) = control {
        practice.apply(control, now);
    }
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
    pub fn new(options: &Options) -> Self {
        SessionScreen {
            mode: Mode::UnderWay,
            text: None,
            cue: None,
            projection: options.projection,
            reduce_motion: options.reduce_motion,
            ask_note: options.ask_note,
            time_left: options.time_left,
            bell_at: None,
        }
    }

    /// Whether the mark of a bell is on screen at `now`.
    fn bell_shown(&self, now: Duration) -> bool {
        !self.reduce_motion && self.bell_at.is_some_and(|at| now < at + BELL_MARK)
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Whether keys should be read as text: the note at the end.
    pub fn wants_text(&self) -> bool {
        matches!(self.mode, Mode::Note(_))
    }

    /// The note to record, once the screen has been left.
    pub fn note(&self) -> Option<String> {
        match &self.mode {
            Mode::Left { note } => note.clone(),
            _ => None,
        }
    }

    /// Takes in what the practice delivered, and moves to the end screen once it is over.
    pub fn update<C: Clock>(
        &mut self,
        delivered: &[Delivered],
        practice: &Practice<C>,
        now: Duration,
    ) {
        for d in delivered {
            match &d.kind {
                EventKind::StepStarted { step, .. } => {
                    self.text = practice.timeline().steps[*step].text.clone();
                    self.cue = None;
                }
                EventKind::Cue { text, .. } => self.cue = Some(text.clone()),
                EventKind::Bell { .. } => self.bell_at = Some(d.due),
                _ => {}
            }
        }
        let under_way = matches!(
            self.mode,
            Mode::UnderWay | Mode::ConfirmQuit | Mode::Help { ended: false }
        );
        if under_way && practice.is_finished(now) {
            self.mode = if self.ask_note {
                Mode::Note(String::new())
            } else {
                Mode::Ended
            };
        }
    }

    /// Leaves now, keeping a note typed so far (Ctrl-C, a stop signal, a closed terminal).
    pub fn leave(&mut self) {
        let note = match &self.mode {
            Mode::Note(typed) => kept(typed),
            _ => None,
        };
        self.mode = Mode::Left { note };
    }

    /// Acts on a key; what concerns the run itself goes to the practice.
    pub fn handle<C: Clock>(&mut self, action: Action, practice: &mut Practice<C>, now: Duration) {
        if action == Action::ForceQuit {
            return self.leave();
        }
        let shows = matches!(self.mode, Mode::UnderWay | Mode::Help { .. } | Mode::Ended);
        match action {
            Action::ToggleProjection if shows => return self.projection = !self.projection,
            Action::ToggleTimeLeft if shows => return self.time_left = !self.time_left,
            _ => {}
        }
        self.mode = match std::mem::replace(&mut self.mode, Mode::UnderWay) {
            Mode::Note(mut typed) => match action {
                Action::Char(c) if typed.chars().count() < MAX_NOTE => {
                    typed.push(c);
                    Mode::Note(typed)
                }
                Action::Backspace => {
                    typed.pop();
                    Mode::Note(typed)
                }
                Action::Select => Mode::Left { note: kept(&typed) },
                Action::Cancel => Mode::Left { note: None },
                _ => Mode::Note(typed),
            },
            // The summary waits for any key, then the session is over.
            Mode::Ended => match action {
                Action::ToggleHelp => Mode::Help { ended: true },
                _ => Mode::Left { note: None },
            },
            Mode::Help { ended } => match action {
                Action::ToggleHelp | Action::Quit | Action::Cancel if ended => Mode::Ended,
                Action::ToggleHelp | Action::Quit | Action::Cancel => Mode::UnderWay,
                _ if ended => Mode::Help { ended },
                // Keys still work with the help open.
                other => {
                    run_control(other, practice, now);
                    Mode::Help { ended }
                }
            },
            Mode::ConfirmQuit => match action {
                Action::Quit | Action::Cancel | Action::Confirm => {
                    practice.apply(Control::Stop, now);
                    Mode::Left { note: None }
                }
                _ => Mode::UnderWay,
            },
            Mode::UnderWay => match action {
                Action::Quit | Action::Cancel => Mode::ConfirmQuit,
                Action::ToggleHelp => Mode::Help { ended: false },
                other => {
                    run_control(other, practice, now);
                    Mode::UnderWay
                }
            },
            left @ Mode::Left { .. } => left,
        };
    }

    pub fn view<C: Clock>(&self, practice: &Practice<C>, now: Duration) -> SessionView {
        let s = practice.status(now);
        let t = practice.timeline();
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
        let total = practice.engine().total_at(now).as_millis().max(1);
        let open = s
            .step
            .filter(|&i| practice.engine().is_open(i))
            .filter(|_| matches!(s.state, State::Open | State::Paused))
            .map(|_| s.step_elapsed);
        // In an open step the line stands where the step began, of the timed time around
        // it: the step's own length is unknown, so it is not measured against anything.
        let progress = match open {
            Some(elapsed) => {
                let before = s.position.saturating_sub(elapsed).as_millis();
                before * 1000 / (before + s.session_left.as_millis()).max(1)
            }
            None => s.position.as_millis() * 1000 / total,
        };
        SessionView {
            title: t.title.clone(),
            step: s
                .step
                .map(|i| (i + 1, t.steps.len(), t.steps[i].title.clone())),
            round: s.step.and_then(|i| t.steps[i].round.as_ref()).map(|r| {
                let round = format!("round {} of {}", r.number, r.of);
                match &r.group {
                    Some(group) => format!("{group} · {round}"),
                    None => round,
                }
            }),
            state: s.state,
            phase: s.phase.map(|p| p.phase),
            phase_left: s.phase.map_or(0, |p| ceil_secs(p.left)),
            fill,
            text: self.text.clone(),
            cue: self.cue.clone(),
            prepare_left: ceil_secs(s.prepare_left),
            session_left: ceil_secs(s.session_left),
            open: open.map(|d| d.as_secs()),
            open_ahead: (s.step.map_or(0, |i| i + 1)..t.steps.len())
                .any(|i| practice.engine().is_open(i)),
            progress: progress.min(1000) as u16,
            practised: s.practised.as_secs(),
            overlay: match self.mode {
                Mode::Help { .. } => Overlay::Help,
                Mode::ConfirmQuit => Overlay::ConfirmQuit,
                _ => Overlay::None,
            },
            projection: self.projection,
            reduce_motion: self.reduce_motion,
            time_left: self.time_left,
            bell: self.bell_shown(now),
            note: match &self.mode {
                Mode::Note(typed) => Some(typed.clone()),
                _ => None,
            },
            sound: practice.sound(),
        }
    }

    /// When something visible will next change: the practice's next event or countdown
    /// tick, or the breath animation's next frame.
    pub fn next_wake<C: Clock>(&self, practice: &Practice<C>, now: Duration) -> Option<Duration> {
        let engine = practice.next_change(now);
        let s = practice.status(now);
        let animation = match s.phase {
            Some(p)
                if !self.reduce_motion
                    && matches!(s.state, State::Running | State::Open)
                    && matches!(p.phase, Phase::Inhale | Phase::Exhale) =>
            {
                // The frame counts whole milliseconds elapsed: the next one begins exactly
                // when `next` milliseconds have passed (rounding the elapsed time here woke
                // the screen up to a millisecond early, to find nothing changed).
                let length = p.length.as_millis() as u64;
                let next = Duration::from_millis(((frame(&p) + 1) * length).div_ceil(FRAMES));
                Some(now + next.saturating_sub(p.length - p.left))
            }
            _ => None,
        };
        let bell_fades = self
            .bell_at
            .map(|at| at + BELL_MARK)
            .filter(|_| self.bell_shown(now));
        [engine, animation, bell_fades].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::output::Audio;
    use crate::engine::ManualClock;
    use crate::session::check::InstrumentsOnly;

    const SOURCE: &str = "title = \"T\"\nprepare = 2\n[[step]]\ntitle = \"Sit\"\nduration = 10\n\
        text = \"Sit.\"\ncues = [{ at = 5, text = \"Halfway.\" }]\n[[step]]\ntitle = \"Breathe\"\n\
        breaths = 2\nbreath = \"4-0-6-0\"\n";

    /// A session screen on a practice of [`SOURCE`], driven at explicit moments.
    struct Rig {
        screen: SessionScreen,
        practice: Practice<ManualClock>,
    }

    impl Rig {
        fn new(ask_note: bool) -> Self {
            let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
                .session
                .unwrap();
            Rig {
                screen: SessionScreen::new(&Options {
                    ask_note,
                    ..Options::default()
                }),
                practice: Practice::new(t, ManualClock::default(), Audio::silent()),
            }
        }

        /// Takes in what fell due by `ms` and returns the view then.
        fn at(&mut self, ms: u64) -> SessionView {
            let now = Duration::from_millis(ms);
            let delivered = self.practice.advance(now);
            self.screen.update(&delivered, &self.practice, now);
            self.screen.view(&self.practice, now)
        }

        fn key(&mut self, action: Action, ms: u64) {
            let now = Duration::from_millis(ms);
            self.screen.handle(action, &mut self.practice, now);
        }

        fn wake(&self, ms: u64) -> Option<Duration> {
            self.screen
                .next_wake(&self.practice, Duration::from_millis(ms))
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_view_follows_the_session() {
        let mut r = Rig::new(false);
        let v = r.at(0);
        assert_eq!(
            (v.state, v.prepare_left, v.step.clone()),
            (State::Preparing, 2, None)
        );
        let v = r.at(7500);
        assert_eq!(v.step, Some((1, 2, "Sit".into())));
        assert_eq!(
            (v.text.as_deref(), v.cue.as_deref()),
            (Some("Sit."), Some("Halfway."))
        );
        assert_eq!((v.phase, v.fill), (Some(Phase::Still), 500));
        let v = r.at(13_000); // 1 s into the first 4 s inhale
        assert_eq!(
            (v.phase, v.phase_left, v.cue.clone()),
            (Some(Phase::Inhale), 3, None)
        );
        assert!(v.fill > 0 && v.fill < 500, "{}", v.fill);
    }

    #[test]
    fn quitting_a_session_under_way_asks_first() {
        let mut r = Rig::new(false);
        r.key(Action::Quit, 0);
        assert_eq!(r.at(0).overlay, Overlay::ConfirmQuit);
        r.key(Action::TogglePause, 0);
        assert_eq!(r.screen.mode(), &Mode::UnderWay, "any other key stays");
        assert_eq!(r.at(0).state, State::Preparing, "and does nothing else");
        r.key(Action::Quit, 0);
        r.key(Action::Confirm, 0);
        assert_eq!(r.screen.mode(), &Mode::Left { note: None });
        assert!(r.practice.is_finished(ms(0)), "leaving stops the practice");
        let mut r = Rig::new(false);
        r.key(Action::ForceQuit, 0);
        assert_eq!(r.screen.mode(), &Mode::Left { note: None });
    }

    #[test]
    fn pause_skip_extend_help_and_projection() {
        let mut r = Rig::new(false);
        r.at(3000);
        r.key(Action::TogglePause, 3000);
        assert_eq!(r.at(9000).state, State::Paused);
        assert_eq!(r.wake(9000), None, "nothing changes while paused");
        r.key(Action::TogglePause, 9000);
        r.key(Action::Extend, 9000);
        assert_eq!(r.at(9000).session_left, 10 + 20 + 60 - 1);
        r.key(Action::NextStep, 9000);
        assert_eq!(r.at(9000).step.unwrap().0, 2);
        r.key(Action::ToggleHelp, 9000);
        assert_eq!(r.at(9000).overlay, Overlay::Help);
        r.key(Action::TogglePause, 9000);
        assert_eq!(
            (r.at(9000).overlay, r.at(9000).state),
            (Overlay::Help, State::Paused),
            "keys work with the help open"
        );
        r.key(Action::Quit, 9000);
        assert_eq!(r.at(9000).overlay, Overlay::None, "q closes help first");
        r.key(Action::ToggleProjection, 9000);
        assert!(r.at(9000).projection);
    }

    #[test]
    fn the_breath_animates_in_frames_and_wakes_only_for_them() {
        let mut r = Rig::new(false);
        let start = r.at(12_000); // the first inhale starts
        let wake = r.wake(12_000).unwrap();
        assert_eq!(wake, ms(12_000 + 4000 / FRAMES + 1)); // 4 s / FRAMES frames, rounded up
        // Between frames the view does not change.
        assert_eq!(r.at(12_001), start);
        assert_ne!(r.at(wake.as_millis() as u64), start);
    }

    #[test]
    fn every_animation_wake_moves_the_belly_even_between_milliseconds() {
        // A real clock reads between whole milliseconds, and a loop wakes a little after
        // the instant it asked for.
        let mut r = Rig::new(false);
        let mut now = Duration::from_micros(12_000_300); // the first inhale
        while now < ms(22_000) {
            let delivered = r.practice.advance(now);
            r.screen.update(&delivered, &r.practice, now);
            let fill = r.screen.view(&r.practice, now).fill;
            let wake = r.screen.next_wake(&r.practice, now).unwrap();
            let before = wake - Duration::from_micros(1);
            assert_eq!(
                r.screen.view(&r.practice, before).fill,
                fill,
                "changed before {wake:?}"
            );
            if r.practice.status(wake).phase == r.practice.status(now).phase {
                assert_ne!(
                    r.screen.view(&r.practice, wake).fill,
                    fill,
                    "woke for nothing at {wake:?}"
                );
            }
            now = wake + Duration::from_micros(170);
        }
    }

    #[test]
    fn a_note_can_be_typed_at_the_end() {
        let mut r = Rig::new(true);
        r.at(0);
        assert!(!r.screen.wants_text());
        r.at(60_000);
        assert!(r.screen.wants_text());
        for c in "calm, q".chars() {
            r.key(Action::Char(c), 60_000);
        }
        r.key(Action::Backspace, 60_000);
        assert_eq!(r.at(60_000).note.as_deref(), Some("calm, "));
        r.key(Action::Select, 60_000);
        assert_eq!(r.screen.note().as_deref(), Some("calm,"));
        let mut skip = Rig::new(true);
        skip.at(60_000);
        skip.key(Action::Char('x'), 60_000);
        skip.key(Action::Cancel, 60_000);
        assert_eq!(
            skip.screen.mode(),
            &Mode::Left { note: None },
            "Esc skips the note"
        );
        let mut stopped = Rig::new(true);
        stopped.at(60_000);
        stopped.key(Action::Char('x'), 60_000);
        stopped.screen.leave();
        assert_eq!(
            stopped.screen.note().as_deref(),
            Some("x"),
            "a stop keeps what was typed"
        );
    }

    #[test]
    fn the_finished_screen_waits_for_a_key() {
        let mut r = Rig::new(false);
        let v = r.at(60_000);
        assert_eq!((v.state, v.practised), (State::Finished, 30));
        assert_eq!(r.screen.mode(), &Mode::Ended);
        r.key(Action::ToggleHelp, 60_000);
        r.key(Action::ToggleHelp, 60_000);
        assert_eq!(r.screen.mode(), &Mode::Ended, "help comes and goes");
        r.key(Action::Char('x'), 60_000);
        assert_eq!(r.screen.mode(), &Mode::Left { note: None });
    }

    #[test]
    fn a_session_ending_under_an_overlay_goes_to_the_end_screen() {
        let mut r = Rig::new(true);
        r.at(1000);
        r.key(Action::Quit, 1000);
        assert_eq!(r.at(60_000).overlay, Overlay::None);
        assert!(
            r.screen.wants_text(),
            "the note is asked for, in plain sight"
        );
    }

    #[test]
    fn a_bell_leaves_a_brief_mark_and_wakes_the_screen_to_clear_it() {
        let mut r = Rig::new(false);
        assert!(!r.at(1000).bell);
        // The opening bell sounds as the countdown ends, at 2 s.
        assert!(r.at(2000).bell);
        assert!(r.at(4400).bell);
        assert!(r.wake(4400).is_some_and(|w| w <= ms(2000) + BELL_MARK));
        assert!(!r.at(4600).bell, "gone after {BELL_MARK:?}");
    }
}
