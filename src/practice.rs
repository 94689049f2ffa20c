//! One run of a session, assembled in one place: the engine, its clock, the sound, the time
//! it began, the stop signals, the ring-out of the last bell, and how it ended.
//!
//! Front ends (the full-screen view, plain lines, and anything that follows the same run)
//! only wait, advance and show: they never own the engine, compute timing, set up signals or
//! build the journal's [`Ending`] themselves.
//!
//! Waiting is one call on [`Inputs`]: "until the clock reads this, or something arrives". The
//! real [`Inbox`] carries a front end's input and the stop signals on one channel; a
//! [`Script`] replays inputs on a [`ManualClock`], so a whole run can be driven in a test
//! without a terminal, a device or a wall clock.
//!
//! A front end that shows the run on a clock of its own (the room display in a browser)
//! [`follow`](Practice::follow)s it: it is handed a [`Plan`] (every event with the moment it
//! falls due, and whether the run is moving) now and after every control or delivery, and
//! needs nothing else to show the run between them.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
use signal_hook::iterator::{Handle, Signals};

use crate::audio::output::{Audio, Output, Ticket};
use crate::engine::{Clock, Delivered, Engine, ManualClock, RealClock, State, Status};
use crate::journal::{self, Ending};
use crate::timeline::{Event, EventKind, Timeline};

/// What a person (or a teacher's second screen) can do to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Control {
    TogglePause,
    Pause,
    /// Ends the countdown or the current step now.
    Next,
    /// Back to the start of this step (or the one before, just after it began).
    Back,
    /// Makes the current step longer.
    Extend(Duration),
    /// Ends the open step the run is in and goes on (Enter); nothing in a timed step.
    EndOpen,
    ToggleMute,
    /// Spoken guidance off and on (what is written is still shown).
    ToggleSpeech,
    VolumeDown,
    VolumeUp,
    /// Ends the run here.
    Stop,
}

/// The run as it now stands, for a follower that shows it on a clock of its own.
///
/// Every offset counts from the start of the countdown (offset [`prepare`](Self::prepare) is
/// the opening bell), so one number places everything: while the run goes on, the event at
/// offset `at` falls due at clock reading `now + (at − offset)` ([`due`](Self::due)). A skip,
/// a step back or a pause moves `offset` or `state`; an extension also changes `events`
/// (and `revision`).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The clock reading it was taken at.
    pub now: Duration,
    /// Where the run was at `now`, from the start of the countdown.
    pub offset: Duration,
    pub state: State,
    /// The countdown's length.
    pub prepare: Duration,
    /// Counts the changes to `events`: a follower resends them only when it moves.
    pub revision: u64,
    /// Every event of the run as it now stands (extensions in, later events moved), at
    /// offsets from the start of the countdown, in order.
    pub events: Arc<[Event]>,
    /// When the run is in an open step ([`State::Open`]) or will reach one: the offset up to
    /// which that step is laid out so far. Nothing from there on is due until the person
    /// moves on (a new plan says when); the run holds there if no new plan comes.
    pub hold: Option<Duration>,
}

impl Plan {
    /// Whether the run moves with the clock (counting down, running, or in an open step).
    pub fn moving(&self) -> bool {
        matches!(self.state, State::Preparing | State::Running | State::Open)
    }

    /// The clock reading at which the event at offset `at` falls due if nothing is done to
    /// the run: `None` for one already reached, while the run is paused or over, or for one
    /// after the open step the run is in (it waits for the person).
    pub fn due(&self, at: Duration) -> Option<Duration> {
        let held = self.hold.is_some_and(|h| at >= h);
        (self.moving() && at >= self.offset && !held).then(|| self.now + (at - self.offset))
    }
}

/// Told the [`Plan`] as it stands after every change.
type Follower = Box<dyn FnMut(&Plan)>;

/// The largest seed a run picks by itself: six digits are easy to note down and type, and
/// a million plans are plenty to keep bells at random unpredictable. `--seed` takes any.
const NEW_SEEDS: u64 = 1_000_000;

/// A seed for a run given none, to draw its bells at random from (the seed goes into the
/// plan before the run is assembled, and so into the journal): from the operating system's
/// randomness, or, if it has none to give, from the clock.
pub fn new_seed() -> u64 {
    use rand_core::TryRngCore;
    let drawn = rand_core::OsRng.try_next_u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    drawn % NEW_SEEDS
}

/// One run of a session. `C` is the clock it runs on: real for people, manual for tests.
pub struct Practice<C: Clock> {
    engine: Engine,
    clock: C,
    audio: Audio,
    /// Local time as the run began (RFC 3339), for the journal.
    started: String,
    /// The engine's events as last handed out, and the engine's revision they are of.
    events: Arc<[Event]>,
    revision: u64,
    followers: Vec<Follower>,
    /// Sounds handed to the audio ahead of their moment, not yet delivered by the engine.
    ahead: Vec<Ahead>,
    /// The clock reading up to which sounds have been handed over.
    ahead_until: Duration,
}

/// A sound handed to the audio ahead of its moment, so that it is heard on it rather than
/// the audio's lead later.
struct Ahead {
    event: Delivered,
    ticket: Ticket,
    /// It began to play before the run changed under it: then the practice time (see
    /// [`Engine::practised`]) at which its event was due. It stands for its event if the run
    /// gets there within the lead of that (on resuming a pause, or skipping to it), not if
    /// the run gets there again much later (a step made longer, or begun again).
    begun: Option<Duration>,
}

impl Ahead {
    /// Whether `d` is the event this sounds (at whatever moment it is now due).
    fn is(&self, d: &Delivered) -> bool {
        self.event.at == d.at && self.event.kind == d.kind
    }
}

impl<C: Clock> Practice<C> {
    /// Starts the countdown now. `audio` should already be open, so the first bell is on time.
    pub fn new(timeline: Timeline, clock: C, audio: Audio) -> Self {
        Self::starting_at(timeline, clock, audio, 0)
    }

    /// Starts the countdown now, to be followed by step `step` (from 0) rather than the
    /// first: a session resumed part-way (see [`Engine::starting_at`]).
    pub fn starting_at(timeline: Timeline, clock: C, audio: Audio, step: usize) -> Self {
        let engine = Engine::starting_at(timeline, clock.now(), step);
        Practice {
            events: engine.events().into(),
            engine,
            clock,
            audio,
            started: journal::now_local(),
            revision: 0,
            followers: Vec::new(),
            ahead: Vec::new(),
            ahead_until: Duration::ZERO,
        }
    }

    /// The run as it stands at `now`.
    pub fn plan(&self, now: Duration) -> Plan {
        let status = self.engine.status(now);
        Plan {
            now,
            offset: self.engine.offset(now),
            state: status.state,
            prepare: self.timeline().prepare,
            revision: self.revision,
            events: self.events.clone(),
            hold: self
                .engine
                .hold_offset()
                .filter(|_| !matches!(status.state, State::Finished)),
        }
    }

    /// Takes the engine's events again when they changed; true if they did.
    fn refresh(&mut self) -> bool {
        if self.engine.revision() == self.revision {
            return false;
        }
        self.events = self.engine.events().into();
        self.revision = self.engine.revision();
        true
    }

    /// Tells `follower` the plan now, and again after every control, every delivery and the
    /// finish. It runs on the front end's thread, so it should only pass the plan on.
    pub fn follow(&mut self, mut follower: impl FnMut(&Plan) + 'static) {
        follower(&self.plan(self.clock.now()));
        self.followers.push(Box::new(follower));
    }

    fn changed(&mut self, now: Duration) {
        if self.followers.is_empty() {
            return;
        }
        let plan = self.plan(now);
        for f in &mut self.followers {
            f(&plan);
        }
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Read-only access for what front ends show: status, timeline, step spans.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn timeline(&self) -> &Timeline {
        self.engine.timeline()
    }

    pub fn status(&self, now: Duration) -> Status {
        self.engine.status(now)
    }

    /// Takes in what fell due by `now` and sounds it; returns it for the front end to show.
    /// Breath phases that were over before `now` are left out (see [`Engine::advance`]).
    pub fn advance(&mut self, now: Duration) -> Vec<Delivered> {
        let delivered = self.engine.advance(now);
        for d in &delivered {
            self.sound_delivered(d);
        }
        self.passed(now);
        self.sound_ahead(now);
        if self.refresh() || !delivered.is_empty() {
            self.changed(now);
        }
        delivered
    }

    /// Like [`advance`](Self::advance), with every phase that fell due, for a front end that
    /// writes one line per event. Only the phase still current is sounded.
    pub fn advance_every(&mut self, now: Duration) -> Vec<Delivered> {
        let delivered = self.engine.advance_every(now);
        // In the plan's time, which delivered events carry (a run started part-way too).
        let position = self.engine.status(now).position + self.engine.started_at();
        for d in &delivered {
            let over =
                matches!(d.kind, EventKind::Phase { length, .. } if d.at + length <= position);
            if !over {
                self.sound_delivered(d);
            }
        }
        self.passed(now);
        self.sound_ahead(now);
        if self.refresh() || !delivered.is_empty() {
            self.changed(now);
        }
        delivered
    }

    /// Sounds a delivered event, unless it was handed over ahead and is already sounding
    /// (or about to). One that was not (handed over too late, or after a skip) sounds at once.
    fn sound_delivered(&mut self, d: &Delivered) {
        if let Some(i) = self.ahead.iter().position(|a| a.is(d)) {
            let a = self.ahead.swap_remove(i);
            let practised = self.engine.practised(d.delivered);
            let stands = a
                .begun
                .is_none_or(|due| practised.abs_diff(due) <= self.lead());
            if stands {
                return;
            }
        }
        self.audio.event(&d.kind);
        if let Some(text) = self.audio.unready(&d.kind) {
            crate::speech::tell_skipped(text);
        }
    }

    /// Forgets what was handed over ahead that the run has passed without delivering it: a
    /// breath phase already over when the engine got to it (it sounded, as it would have had
    /// it been delivered), or what a skip jumped over.
    fn passed(&mut self, now: Duration) {
        if self.ahead.is_empty() {
            return;
        }
        let status = self.engine.status(now);
        // In the plan's time, which delivered events carry (a run started part-way too).
        let position = status.position + self.engine.started_at();
        let lead = self.lead();
        self.ahead.retain(|a| match a.begun {
            None => a.event.due > now || a.event.at >= position,
            Some(due) => status.practised <= due + lead,
        });
    }

    /// The audio's lead in clock time.
    fn lead(&self) -> Duration {
        self.audio.lead() * self.clock.speed().max(1)
    }

    /// Hands the audio what falls due within its lead from `now`, placed on the sample heard
    /// at the moment it is due, and takes back what no longer falls due then (the run was
    /// paused, skipped or changed). A sound that has begun is not taken back: it stands for
    /// its event if the run gets there within the lead (see [`Ahead::begun`]).
    fn sound_ahead(&mut self, now: Duration) {
        let lead = self.lead();
        if lead.is_zero() {
            // No device (or it was lost): nothing handed over is playing or will be.
            self.ahead.clear();
            return;
        }
        let until = now + lead;
        // A sound bed's change is not handed over: it fades over seconds, so it is placed
        // well enough when it is delivered, and the bed's state is never taken back.
        let coming: Vec<Delivered> = self
            .engine
            .coming(until)
            .into_iter()
            .filter(|c| c.due > now)
            .filter(|c| !matches!(c.kind, EventKind::Ambient { .. } | EventKind::Finished))
            .collect();
        let audio = &self.audio;
        let practised = self.engine.practised(now);
        self.ahead.retain_mut(|a| {
            if a.begun.is_some() || coming.iter().any(|c| a.is(c) && c.due == a.event.due) {
                return true;
            }
            if audio.cancel(a.ticket) {
                return false;
            }
            // When it was due in practice time, as the run stood until now.
            a.begun = Some(if a.event.due > now {
                practised + (a.event.due - now)
            } else {
                practised.saturating_sub(now - a.event.due)
            });
            true
        });
        for c in coming {
            if self.ahead.iter().any(|a| a.is(&c)) {
                continue;
            }
            let heard = self.clock.instant(c.due);
            // Nothing taken (nothing to hear, no device yet, words not yet synthesised):
            // tried again next time, and at the latest when it is delivered.
            if let Some(ticket) = self.audio.sound_at(&c.kind, heard) {
                self.ahead.push(Ahead {
                    event: c,
                    ticket,
                    begun: None,
                });
            }
        }
        self.ahead_until = self.ahead_until.max(until);
    }

    pub fn apply(&mut self, control: Control, now: Duration) {
        match control {
            Control::TogglePause => self.engine.toggle_pause(now),
            Control::Pause => self.engine.pause(now),
            Control::Next => self.engine.next_step(now),
            Control::Back => self.engine.previous_step(now),
            Control::Extend(by) => {
                self.engine.extend(now, by);
            }
            Control::EndOpen => {
                self.engine.end_open(now);
            }
            Control::ToggleMute => self.audio.toggle_mute(),
            Control::ToggleSpeech => self.audio.toggle_speech(),
            Control::VolumeDown => self.audio.volume_down(),
            Control::VolumeUp => self.audio.volume_up(),
            Control::Stop => self.engine.stop(now),
        }
        if matches!(control, Control::TogglePause | Control::Pause) {
            // A breath tone fades out where it is and goes on from there on resuming.
            self.audio.set_paused(self.engine.is_paused());
        }
        if control == Control::ToggleSpeech {
            // What was handed over is handed over again, spoken or not as now chosen.
            let audio = &self.audio;
            self.ahead
                .retain(|a| a.begun.is_some() || !audio.cancel(a.ticket));
        }
        self.sound_ahead(now);
        if control == Control::Back {
            // The step (or the countdown) is played again: what had begun plays on, and does
            // not stand for what comes again.
            self.ahead.retain(|a| a.begun.is_none());
        }
        self.refresh();
        self.changed(now);
    }

    /// The clock reading of the next event or whole-second tick; `None` when paused or done.
    pub fn next_change(&self, now: Duration) -> Option<Duration> {
        [self.engine.next_change(now), self.next_hand_over()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The clock reading at which the next sound is to be handed to the audio (its lead
    /// before it falls due), if one is still to be.
    fn next_hand_over(&self) -> Option<Duration> {
        let lead = self.lead();
        (!lead.is_zero())
            .then(|| self.engine.due_after(self.ahead_until))
            .flatten()
            .map(|due| due.saturating_sub(lead))
    }

    /// The clock reading at which the next event falls due.
    pub fn next_due(&self) -> Option<Duration> {
        [self.engine.next_due(), self.next_hand_over()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn is_finished(&self, now: Duration) -> bool {
        self.engine.is_finished(now)
    }

    /// Whether the sound is muted (by `m`, or because there is none).
    pub fn is_muted(&self) -> bool {
        self.audio.is_muted()
    }

    /// How sound stands, in a few words for a status line.
    pub fn sound(&self) -> String {
        self.audio.status()
    }

    /// The one line worth saying about sound before the run, if any (waiting a few seconds
    /// at most for the device to open).
    pub fn sound_notice(&self) -> Option<String> {
        match self.audio.wait_ready(Duration::from_secs(5)) {
            Output::NoDevice(why) => Some(format!("{why}: running silently")),
            Output::Opening => {
                Some("the sound device did not open in time: running silently".into())
            }
            Output::Silent | Output::Device(_) | Output::Lost(_) => None,
        }
    }

    /// Ends the run at `now` and says how it went. A run that reached its end is completed,
    /// whatever stopped the process afterwards.
    pub fn finish(&mut self, note: Option<String>, now: Duration) -> Ending {
        let completed = self.engine.reached_end(now);
        let step = self.engine.status(now).step;
        // A bed still playing (the run was stopped) fades out, quickly.
        self.audio.end_bed(STOP_FADE);
        self.engine.stop(now);
        // What was handed over ahead and has not begun is not heard.
        self.sound_ahead(now);
        self.refresh();
        self.changed(now);
        Ending {
            started: self.started.clone(),
            practised: self.engine.practised(now),
            completed,
            step,
            note,
            speed: self.clock.speed(),
        }
    }

    /// Waits until the last sound has rung out (a stop signal cuts the wait short), so that
    /// closing the device does not cut the closing bell.
    pub fn ring_out<T>(&self, inputs: &mut dyn Inputs<T>) {
        wait_out(&self.clock, inputs, self.audio.ringing_for());
    }

    /// Waits until the sound bed has faded out (after a stop: at most [`STOP_FADE`]; a stop
    /// signal cuts the wait short). Bells are not waited for, as after any stop.
    pub fn fade_out<T>(&self, inputs: &mut dyn Inputs<T>) {
        wait_out(&self.clock, inputs, self.audio.bed_fading_for());
    }
}

/// The longest a sound bed takes to fade out when a run is stopped (q, Ctrl-C): long enough
/// to be gentle, short enough not to keep anyone waiting.
pub const STOP_FADE: Duration = Duration::from_secs(2);

/// Lets what `audio` played ring out before it closes (a stop signal cuts the wait short):
/// for a sound played outside a practice, such as `hara chime`.
pub fn ring_out<T>(audio: &Audio, inputs: &mut dyn Inputs<T>) {
    wait_out(&RealClock::new(1), inputs, audio.ringing_for());
}

/// Waits `real` time on `clock`, unless a stop comes first; other input is passed over.
fn wait_out<T>(clock: &dyn Clock, inputs: &mut dyn Inputs<T>, real: Duration) {
    let until = clock.later(real);
    while clock.now() < until {
        match inputs.wait(Some(until), clock) {
            None | Some(Wake::Stop) => return,
            Some(_) => {}
        }
    }
}

/// What wakes a front end before its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake<T> {
    /// The front end's own input (keys, lines, a resize).
    Input(T),
    /// SIGINT, SIGTERM, SIGHUP or SIGQUIT: stop now, with a record.
    Stop,
    /// SIGTSTP from outside (Ctrl-Z in a raw terminal arrives as a key instead).
    Suspend,
    /// SIGCONT: the process was stopped and goes on; the terminal may need setting up again.
    Continue,
    /// A control from another terminal on the same run (`hara attach`).
    Control(Control),
}

/// Where a front end waits: for the clock to reach a deadline, or for something to arrive.
pub trait Inputs<T> {
    /// Waits until `clock` reads `deadline` (forever when `None`) or something arrives;
    /// `None` means the deadline came.
    fn wait(&mut self, deadline: Option<Duration>, clock: &dyn Clock) -> Option<Wake<T>>;
}

/// The real inputs: one channel for a front end's input threads and the process's signals.
/// This is the one place hara listens for signals.
pub struct Inbox<T> {
    tx: Sender<Wake<T>>,
    rx: Receiver<Wake<T>>,
    signals: Handle,
}

impl<T: Send + 'static> Inbox<T> {
    /// Listens for the stop signals; with `suspend`, also for SIGTSTP and SIGCONT (a
    /// full-screen front end must give the terminal back before the process stops, and set
    /// it up again after).
    pub fn new(suspend: bool) -> io::Result<Self> {
        let mut wanted = vec![SIGINT, SIGTERM, SIGHUP, SIGQUIT];
        if suspend {
            wanted.extend([SIGTSTP, SIGCONT]);
        }
        let mut signals = Signals::new(wanted)?;
        let handle = signals.handle();
        let (tx, rx) = mpsc::channel();
        let to_inbox = tx.clone();
        std::thread::Builder::new()
            .name("hara-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let wake = match signal {
                        SIGTSTP => Wake::Suspend,
                        SIGCONT => Wake::Continue,
                        _ => Wake::Stop,
                    };
                    if to_inbox.send(wake).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Inbox {
            tx,
            rx,
            signals: handle,
        })
    }

    /// For a thread that feeds the front end's input in.
    pub fn sender(&self) -> Sender<Wake<T>> {
        self.tx.clone()
    }
}

impl<T> Drop for Inbox<T> {
    fn drop(&mut self) {
        self.signals.close();
    }
}

impl<T> Inputs<T> for Inbox<T> {
    fn wait(&mut self, deadline: Option<Duration>, clock: &dyn Clock) -> Option<Wake<T>> {
        match deadline {
            // The inbox holds a sender itself, so it is never disconnected.
            None => self.rx.recv().ok(),
            Some(t) => self.rx.recv_timeout(clock.wait_until(t)).ok(),
        }
    }
}

/// Inputs at set moments of a [`ManualClock`]: waiting moves the clock straight to the next
/// input or the deadline, so hours of a run take milliseconds. When nothing is left to
/// happen (no input, no deadline), it says stop, as a person closing the terminal would.
pub struct Script<'a, T> {
    clock: &'a ManualClock,
    inputs: VecDeque<(Duration, Wake<T>)>,
}

impl<'a, T> Script<'a, T> {
    /// `inputs` at clock readings, in order.
    pub fn new(
        clock: &'a ManualClock,
        inputs: impl IntoIterator<Item = (Duration, Wake<T>)>,
    ) -> Self {
        Script {
            clock,
            inputs: inputs.into_iter().collect(),
        }
    }

    /// Inputs not yet taken.
    pub fn left(&self) -> usize {
        self.inputs.len()
    }
}

impl<T> Inputs<T> for Script<'_, T> {
    fn wait(&mut self, deadline: Option<Duration>, _: &dyn Clock) -> Option<Wake<T>> {
        let now = self.clock.now();
        let next_at = self.inputs.front().map(|(at, _)| *at);
        match (next_at, deadline) {
            (Some(at), d) if d.is_none_or(|d| at <= d) => {
                self.clock.set(at.max(now));
                self.inputs.pop_front().map(|(_, wake)| wake)
            }
            (_, Some(d)) => {
                self.clock.set(d.max(now));
                None
            }
            (None, None) => Some(Wake::Stop),
            (Some(_), None) => {
                unreachable!("the first arm takes any input when there is no deadline")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::session::check::InstrumentsOnly;

    const SOURCE: &str = "title = \"T\"\nprepare = 2\n[bells]\nend = { sound = \"bowl\" }\n\
        [[step]]\ntitle = \"Sit\"\nduration = 10\n[[step]]\ntitle = \"Breathe\"\n\
        breaths = 2\nbreath = \"4-0-6-0\"\n";

    fn timeline() -> Timeline {
        crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap()
            .1
    }

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_run_that_reached_its_end_is_completed_whatever_ends_it() {
        let clock = ManualClock::default();
        let mut p = Practice::new(timeline(), &clock, Audio::silent());
        p.advance(s(40));
        assert!(p.is_finished(s(40)));
        let ending = p.finish(None, s(45));
        assert!(ending.completed);
        assert_eq!(ending.practised, s(30));
        assert_eq!(ending.step, Some(1));
    }

    #[test]
    fn a_stopped_run_records_where_it_stopped() {
        let clock = ManualClock::default();
        let mut p = Practice::new(timeline(), &clock, Audio::silent());
        p.advance(s(5));
        p.apply(Control::TogglePause, s(5));
        p.apply(Control::TogglePause, s(65));
        p.apply(Control::Stop, s(66));
        let ending = p.finish(Some("tired".into()), s(70));
        assert!(!ending.completed);
        assert_eq!(
            ending.practised,
            s(4),
            "3 s before the pause, 1 s after; not the pause"
        );
        assert_eq!(ending.step, Some(0));
        assert_eq!(ending.note.as_deref(), Some("tired"));
    }

    #[test]
    fn controls_reach_the_engine() {
        let clock = ManualClock::default();
        let mut p = Practice::new(timeline(), &clock, Audio::silent());
        p.apply(Control::Next, s(0));
        assert_eq!(p.status(s(0)).step, Some(0), "the countdown is skipped");
        p.apply(Control::Extend(s(60)), s(1));
        assert_eq!(p.status(s(1)).session_left, s(30 + 60 - 1));
        p.apply(Control::Pause, s(2));
        assert_eq!(p.next_change(s(2)), None, "nothing changes while paused");
    }

    /// A practice on `clock` whose plans are collected as they are handed out.
    fn followed(clock: &ManualClock) -> (Practice<&ManualClock>, Rc<RefCell<Vec<Plan>>>) {
        let mut p = Practice::new(timeline(), clock, Audio::silent());
        let plans = Rc::new(RefCell::new(Vec::new()));
        let sink = plans.clone();
        p.follow(move |plan| sink.borrow_mut().push(plan.clone()));
        (p, plans)
    }

    /// The offset (from the start of the countdown) of the first event of `kind`'s sort.
    fn offset_of(plan: &Plan, pick: impl Fn(&EventKind) -> bool) -> Duration {
        plan.events.iter().find(|e| pick(&e.kind)).unwrap().at
    }

    fn is_step(n: usize) -> impl Fn(&EventKind) -> bool {
        move |k| matches!(k, EventKind::StepStarted { step, .. } if *step == n)
    }

    #[test]
    fn v_turns_spoken_guidance_off_and_on_and_the_status_line_says_so() {
        use crate::audio::render::{Bank, Speech};
        use crate::ui::action::{Scope, keymap};
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let clock = ManualClock::default();
        let bank = Bank::default();
        bank.set_speech(Speech::On);
        let mut p = Practice::new(timeline(), &clock, Audio::silent_with(bank));
        let v = KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE);
        let control = keymap(v, Scope::Session).and_then(|a| a.control());
        assert_eq!(control, Some(Control::ToggleSpeech));
        assert!(p.sound().ends_with(" · speech on"), "{}", p.sound());
        p.apply(Control::ToggleSpeech, clock.now());
        assert!(p.sound().ends_with(" · speech off"), "{}", p.sound());
        p.apply(Control::ToggleSpeech, clock.now());
        assert!(p.sound().ends_with(" · speech on"), "{}", p.sound());
        // A run that says nothing aloud (or with --no-speak) does not mention speech.
        let mut quiet = Practice::new(timeline(), &clock, Audio::silent());
        quiet.apply(Control::ToggleSpeech, clock.now());
        assert!(!quiet.sound().contains("speech"), "{}", quiet.sound());
    }

    #[test]
    fn a_follower_hears_the_plan_at_once_and_after_every_change() {
        let clock = ManualClock::default();
        let (mut p, plans) = followed(&clock);
        let first = plans.borrow()[0].clone();
        assert_eq!(
            (first.now, first.offset, first.state, first.prepare),
            (s(0), s(0), State::Preparing, s(2))
        );
        assert_eq!(first.events.len(), p.engine().events().len());
        assert_eq!(first.due(offset_of(&first, is_step(0))), Some(s(2)));
        assert!(p.advance(s(1)).is_empty());
        assert_eq!(plans.borrow().len(), 1, "nothing delivered, nothing said");
        p.advance(s(2));
        assert_eq!(plans.borrow().len(), 2, "the opening bell and first step");
        assert_eq!(plans.borrow()[1].state, State::Running);
        p.apply(Control::VolumeUp, s(3));
        assert_eq!(plans.borrow().len(), 3, "every control is told");
        let ending = p.finish(None, s(4));
        let last = plans.borrow().last().unwrap().clone();
        assert_eq!((last.state, last.now), (State::Finished, s(4)));
        assert!(!ending.completed);
        assert_eq!(
            last.due(offset_of(&last, is_step(1))),
            None,
            "nothing more is due"
        );
    }

    #[test]
    fn due_instants_move_with_pause_skip_back_and_extend() {
        let clock = ManualClock::default();
        let (mut p, plans) = followed(&clock);
        let last = || plans.borrow().last().unwrap().clone();
        let second = |plan: &Plan| plan.due(offset_of(plan, is_step(1)));
        // Countdown 2 s, "Sit" 10 s: the second step is due at 12 s.
        p.advance(s(5));
        assert_eq!(second(&last()), Some(s(12)));
        p.apply(Control::Pause, s(5));
        assert_eq!((last().state, second(&last())), (State::Paused, None));
        assert_eq!(last().offset, s(5), "where it paused");
        p.apply(Control::TogglePause, s(65));
        assert_eq!(
            second(&last()),
            Some(s(72)),
            "a minute's pause: a minute later"
        );
        p.apply(Control::Extend(s(30)), s(66));
        let extended = last();
        assert_eq!(extended.revision, 1, "the events changed");
        assert_eq!(second(&extended), Some(s(102)));
        assert_eq!(
            extended.events.len(),
            plans.borrow()[0].events.len(),
            "a still step grows its one phase"
        );
        p.apply(Control::Next, s(70));
        let skipped = last();
        assert_eq!(skipped.revision, 1, "a skip moves the run, not the events");
        assert_eq!(second(&skipped), Some(s(70)), "the next step is due now");
        assert_eq!(skipped.offset, offset_of(&skipped, is_step(1)));
        p.advance(s(70));
        p.apply(Control::Back, s(71));
        let back = last();
        assert_eq!(
            back.due(offset_of(&back, is_step(0))),
            Some(s(71)),
            "back to the start of a step that had just begun: the one before, from now"
        );
        assert_eq!(
            back.due(offset_of(&back, is_step(1))),
            Some(s(71 + 40)),
            "and the next one after its extended 40 s again"
        );
        p.apply(Control::Stop, s(72));
        assert_eq!((last().state, last().due(s(100))), (State::Finished, None));
    }

    #[test]
    fn an_extension_of_a_breathing_step_adds_breaths_to_the_plan() {
        let clock = ManualClock::default();
        let (mut p, plans) = followed(&clock);
        p.apply(Control::Next, s(0));
        p.apply(Control::Next, s(0)); // into "Breathe": two 4-0-6-0 breaths
        let before = plans.borrow().last().unwrap().clone();
        p.apply(Control::Extend(s(20)), s(1));
        let after = plans.borrow().last().unwrap().clone();
        let end = |plan: &Plan| plan.due(offset_of(plan, |k| *k == EventKind::Finished));
        assert_eq!(end(&before).unwrap() + s(20), end(&after).unwrap());
        assert_eq!(
            after.events.len(),
            before.events.len() + 4,
            "two more breaths"
        );
        assert_eq!(after.revision, before.revision + 1);
    }

    #[test]
    fn a_follower_of_an_open_step_is_told_nothing_after_it_is_due_until_it_ends() {
        let source = "format = 1.1\ntitle = \"T\"\nprepare = 2\n[[step]]\ntitle = \"Talk\"\n\
            duration = \"open\"\ncues = [{ every = \"20s\", text = \"Still.\" }]\n\
            [[step]]\ntitle = \"Sit\"\nduration = 10\n";
        let (_, t) = crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::new(t, &clock, Audio::silent());
        let plans = Rc::new(RefCell::new(Vec::<Plan>::new()));
        let sink = plans.clone();
        p.follow(move |plan| sink.borrow_mut().push(plan.clone()));
        let last = || plans.borrow().last().unwrap().clone();
        p.advance(s(3));
        let open = last();
        assert_eq!(open.state, State::Open);
        assert!(open.moving(), "its time counts up");
        let hold = open
            .hold
            .expect("the plan says where the step is laid out to");
        assert_eq!(
            open.due(offset_of(&open, is_step(1))),
            None,
            "the next step waits"
        );
        assert!(offset_of(&open, is_step(1)) >= hold);
        let cue = offset_of(&open, |k| matches!(k, EventKind::Cue { .. }));
        assert_eq!(open.due(cue), Some(s(22)), "its own cues come on time");
        // Half an hour later the step has been laid out further, and followers were told.
        let mut now = s(3);
        while now < s(1800) {
            now = p.next_change(now).unwrap();
            p.advance(now);
        }
        let later = last();
        assert!(later.revision > open.revision);
        assert!(later.hold.unwrap() > s(1800));
        let cues = |plan: &Plan| {
            plan.events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Cue { .. }) && e.at <= s(1800))
                .count()
        };
        assert_eq!(cues(&later), 89, "every 20 s from 0:22 to 29:42");
        // Enter ends it: the next step is due at once, and nothing is held.
        p.apply(Control::EndOpen, s(1800));
        let ended = last();
        assert_eq!((ended.state, ended.hold), (State::Running, None));
        assert_eq!(ended.due(offset_of(&ended, is_step(1))), Some(s(1800)));
        let ending = {
            p.advance(s(1810));
            p.finish(None, s(1810))
        };
        assert!(ending.completed);
        assert_eq!(
            ending.practised,
            s(1808),
            "the real time: 29m58s open, then 10s"
        );
    }

    #[test]
    fn a_script_moves_the_clock_to_each_input_or_deadline() {
        let clock = ManualClock::default();
        let mut script = Script::new(&clock, [(s(5), Wake::Input('a')), (s(9), Wake::Stop)]);
        assert_eq!(script.wait(Some(s(2)), &clock), None);
        assert_eq!(clock.now(), s(2));
        assert_eq!(script.wait(Some(s(7)), &clock), Some(Wake::Input('a')));
        assert_eq!(clock.now(), s(5));
        assert_eq!(script.wait(None, &clock), Some(Wake::Stop));
        assert_eq!((clock.now(), script.left()), (s(9), 0));
        assert_eq!(
            script.wait(None, &clock),
            Some(Wake::Stop),
            "nothing left: stop"
        );
    }

    #[test]
    fn ringing_out_waits_for_the_sound_unless_stopped() {
        let clock = ManualClock::default();
        let mut keys = Script::new(&clock, [(s(1), Wake::Input(()))]);
        wait_out(&clock, &mut keys, s(9));
        assert_eq!(clock.now(), s(9), "a key does not cut the bell short");
        let mut stop = Script::new(&clock, [(s(12), Wake::<()>::Stop)]);
        wait_out(&clock, &mut stop, s(9));
        assert_eq!(clock.now(), s(12), "a stop signal does");
        // Silent audio has nothing ringing: no wait, and no input taken.
        let p = Practice::new(timeline(), &clock, Audio::silent());
        let mut script = Script::new(&clock, [(s(20), Wake::Input(()))]);
        p.ring_out(&mut script);
        assert_eq!((clock.now(), script.left()), (s(12), 1));
    }

    /// The opening bell and an inhale's tone at 2 s, an exhale's at 6 s, and so on, then a
    /// sit (no tone).
    const TONES: &str = "title = \"T\"\nprepare = 2\ntones = true\n[[step]]\n\
        title = \"Breathe\"\nbreaths = 3\nbreath = \"4-0-4-0\"\n[[step]]\ntitle = \"Sit\"\n\
        duration = 10\n";

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// A run of [`TONES`] on `clock`, with audio that stands for a playing device.
    fn sounding(clock: &ManualClock) -> Practice<&ManualClock> {
        let (_, t) = crate::session::check_str(TONES, &InstrumentsOnly)
            .session
            .unwrap();
        Practice::new(t, clock, Audio::standing(Output::Device("test".into())))
    }

    /// Moves the clock to each reading in turn and advances the run there.
    fn through(p: &mut Practice<&ManualClock>, clock: &ManualClock, readings: &[Duration]) {
        for &t in readings {
            clock.set(t);
            p.advance(t);
        }
    }

    /// When the sounds waiting to be placed are to be heard, as clock readings.
    fn heard(p: &Practice<&ManualClock>, clock: &ManualClock) -> Vec<Option<Duration>> {
        p.audio
            .waiting()
            .into_iter()
            .map(|(_, at)| at.map(|at| at - clock.instant(Duration::ZERO)))
            .collect()
    }

    #[test]
    fn sounds_are_handed_over_their_lead_ahead_and_heard_on_their_moment() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        let lead = p.audio.lead();
        assert!(!lead.is_zero());
        p.advance(Duration::ZERO);
        assert_eq!(heard(&p, &clock), []);
        // The loop wakes to hand the first tone over, its lead before it is due.
        assert_eq!(p.next_due(), Some(s(2) - lead));
        clock.set(s(2) - lead);
        p.advance(clock.now());
        assert_eq!(
            heard(&p, &clock),
            [Some(s(2)), Some(s(2))],
            "the bell and the tone"
        );
        // Delivered on their moment, they are not sounded again.
        clock.set(s(2));
        assert_eq!(
            p.advance(s(2)).len(),
            3,
            "the bell, the step and the inhale"
        );
        assert_eq!(heard(&p, &clock), [Some(s(2)), Some(s(2))]);
        assert_eq!(p.next_due(), Some(s(6) - lead));
    }

    #[test]
    fn a_pause_takes_back_what_has_not_begun_and_resuming_hands_it_over_anew() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        p.advance(ms(1900));
        assert_eq!(heard(&p, &clock), [Some(s(2)), Some(s(2))]);
        p.apply(Control::TogglePause, ms(1900));
        assert_eq!(heard(&p, &clock), [], "taken back");
        clock.set(s(10));
        p.apply(Control::TogglePause, s(10));
        let again = [Some(ms(10_100)), Some(ms(10_100))];
        assert_eq!(heard(&p, &clock), again, "100 ms on, as they were");
        clock.set(ms(10_100));
        p.advance(ms(10_100));
        assert_eq!(heard(&p, &clock), again, "once");
    }

    #[test]
    fn a_sound_that_has_begun_stands_for_its_event() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        p.advance(ms(1900));
        // The device plays 100 ms from 1.95 s: the tone due at 2 s begins.
        p.audio.callback(clock.instant(ms(1950)), 4800);
        assert_eq!(heard(&p, &clock), [], "placed");
        // Paused just before the screen shows the inhale: the tone is not taken back (it
        // pauses where it is, with the run), and it is not sounded again when the run goes on.
        p.apply(Control::TogglePause, ms(1960));
        clock.set(s(10));
        p.apply(Control::TogglePause, s(10));
        clock.set(ms(10_040));
        let delivered = p.advance(ms(10_040));
        assert!(
            delivered
                .iter()
                .any(|d| matches!(d.kind, EventKind::Phase { .. }))
        );
        assert_eq!(heard(&p, &clock), [], "nothing sounds twice");
        // The exhale after it is handed over as usual.
        clock.set(ms(14_040) - p.audio.lead());
        p.advance(clock.now());
        assert_eq!(heard(&p, &clock), [Some(ms(14_040))]);
    }

    #[test]
    fn skipping_takes_back_what_the_skip_passes_over() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        through(&mut p, &clock, &[ms(1900), s(2), ms(5900)]);
        let opening = [Some(s(2)), Some(s(2))];
        assert_eq!(heard(&p, &clock), [opening[0], opening[1], Some(s(6))]);
        p.apply(Control::Next, ms(5900));
        assert_eq!(heard(&p, &clock), opening, "the exhale is taken back");
        p.advance(ms(5900));
        assert_eq!(p.status(ms(5900)).step, Some(1));
        assert_eq!(heard(&p, &clock), opening, "the sit has no tone");
    }

    #[test]
    fn a_sound_that_began_before_its_step_was_made_longer_sounds_again_when_it_comes() {
        // A sit from 2 s to 12 s, then an inhale's tone at 12 s.
        let source = "title = \"T\"\nprepare = 2\ntones = true\n[[step]]\ntitle = \"Sit\"\n\
            duration = 10\n[[step]]\ntitle = \"Breathe\"\nbreaths = 1\nbreath = \"4-0-4-0\"\n";
        let (_, t) = crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::new(t, &clock, Audio::standing(Output::Device("test".into())));
        through(&mut p, &clock, &[ms(1900), s(2), ms(11_900)]);
        p.audio.callback(clock.instant(ms(11_950)), 4800); // the inhale at 12 s begins
        p.apply(Control::Extend(s(60)), ms(11_960));
        assert_eq!(heard(&p, &clock), [], "what began plays on");
        // A minute later the inhale comes again, and sounds.
        clock.set(s(72) - p.audio.lead());
        p.advance(clock.now());
        assert_eq!(heard(&p, &clock), [Some(s(72))]);
        clock.set(s(72));
        p.advance(s(72));
        assert_eq!(heard(&p, &clock), [Some(s(72))], "once");
    }

    #[test]
    fn going_back_sounds_the_step_again_even_what_had_begun() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        through(&mut p, &clock, &[ms(1900), s(2), ms(5900)]);
        // The device plays on to 6.05 s: the opening bell, the inhale and the exhale at 6 s
        // have all begun.
        p.audio.callback(clock.instant(ms(1950)), 4800);
        p.audio.callback(clock.instant(ms(5950)), 4800);
        assert_eq!(heard(&p, &clock), []);
        // Back to the start of the breathing: the inhale now at 5.9 s, the exhale at 9.9 s.
        p.apply(Control::Back, ms(5900));
        assert_eq!(p.status(ms(5900)).position, Duration::ZERO);
        let mut sounded = Vec::new();
        for t in [ms(5900), ms(9900) - p.audio.lead(), ms(9900)] {
            clock.set(t);
            p.advance(t);
            sounded = heard(&p, &clock);
        }
        assert_eq!(
            sounded,
            [None, None, Some(ms(9900))],
            "the bell and inhale at once, the exhale on its moment"
        );
    }

    /// Two breathing steps with tones; a run started at the second (`--from 2`).
    const TWO: &str = "title = \"T\"\nprepare = 2\ntones = true\n[bells]\nstart = \"none\"\n\
        end = \"none\"\n[[step]]\ntitle = \"A\"\nbreaths = 2\nbreath = \"4-0-4-0\"\n\
        [[step]]\ntitle = \"B\"\nbreaths = 3\nbreath = \"4-0-4-0\"\n";

    fn replay_after_a_collapse(from: usize) -> Vec<Option<Duration>> {
        let (_, t) = crate::session::check_str(TWO, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::starting_at(
            t,
            &clock,
            Audio::standing(Output::Device("test".into())),
            from,
        );
        through(&mut p, &clock, &[ms(1900), s(2), ms(5500)]);
        // The exhale due at 6 s begins to play.
        p.audio.callback(clock.instant(ms(5950)), 4800);
        // The loop next runs at 10.5 s (a busy machine, a stop and go on): the exhale is
        // over and collapsed, the inhale at 10 s delivered.
        clock.set(ms(10_500));
        p.advance(ms(10_500));
        // Back to the step's start (8.5 s into it), replayed from 10.5 s: its exhale at 14.5 s.
        p.apply(Control::Back, ms(10_500));
        p.advance(ms(10_500));
        clock.set(ms(14_000));
        p.advance(ms(14_000));
        heard(&p, &clock)
    }

    #[test]
    fn a_run_from_the_start_forgets_a_phase_the_engine_passed_over() {
        assert!(replay_after_a_collapse(0).contains(&Some(ms(14_500))));
    }

    #[test]
    fn a_run_started_part_way_forgets_a_phase_the_engine_passed_over_too() {
        // The event's time counts the steps left out; the run's position does not.
        assert!(replay_after_a_collapse(1).contains(&Some(ms(14_500))));
    }

    /// A sit with a sound bed that fades out at the end (at 12 s), no bells.
    const BED: &str = "format = 1.1\ntitle = \"T\"\nprepare = 2\n\
        ambient = { sound = \"surf\", volume = 0.2, fade = \"1s\" }\n\
        [bells]\nstart = \"none\"\nend = \"none\"\n[[step]]\ntitle = \"Sit\"\nduration = 10\n";

    fn bedded(clock: &ManualClock) -> Practice<&ManualClock> {
        let (_, t) = crate::session::check_str(BED, &InstrumentsOnly)
            .session
            .unwrap();
        let mut p = Practice::new(t, clock, Audio::standing(Output::Device("test".into())));
        through(&mut p, clock, &[ms(1500), s(2)]);
        // The bed starts playing.
        p.audio.callback(clock.instant(ms(1950)), 4800);
        assert_eq!(heard(&p, clock), []);
        clock.set(ms(11_500));
        p.advance(ms(11_500));
        assert_eq!(
            heard(&p, clock),
            [],
            "a bed's change is not handed over ahead"
        );
        p
    }

    #[test]
    fn a_pause_just_before_the_end_keeps_the_bed_fading_out_at_the_end() {
        let clock = ManualClock::default();
        let mut p = bedded(&clock);
        p.apply(Control::TogglePause, ms(11_600));
        assert_eq!(heard(&p, &clock), [], "taken back");
        clock.set(s(20));
        p.apply(Control::TogglePause, s(20));
        clock.set(ms(20_400));
        p.advance(ms(20_400));
        assert_eq!(
            heard(&p, &clock),
            [None],
            "the bed's fade-out, as the run ends"
        );
    }

    #[test]
    fn a_stop_just_before_the_end_fades_the_bed_out() {
        let clock = ManualClock::default();
        let mut p = bedded(&clock);
        p.finish(None, ms(11_600));
        assert_eq!(heard(&p, &clock), [None], "the bed's fade-out, at once");
    }

    #[test]
    fn restarting_the_countdown_sounds_the_opening_bell_again() {
        let clock = ManualClock::default();
        let mut p = sounding(&clock);
        clock.set(ms(1900));
        p.advance(ms(1900));
        assert_eq!(heard(&p, &clock), [Some(s(2)), Some(s(2))]);
        // The device plays on to 2.05 s: the opening bell and the inhale's tone begin ...
        p.audio.callback(clock.instant(ms(1950)), 4800);
        // ... and Back, pressed 40 ms before the bell, starts the 2 s countdown again.
        clock.set(ms(1960));
        p.apply(Control::Back, ms(1960));
        assert_eq!(p.status(ms(1960)).prepare_left, s(2));
        // The bell and the tone are due again at 3.96 s: two seconds on, they sound again.
        let again = [Some(ms(3960)), Some(ms(3960))];
        let lead = p.audio.lead();
        through(&mut p, &clock, &[ms(3960) - lead, ms(3960)]);
        assert_eq!(heard(&p, &clock), again);
    }

    #[test]
    fn an_end_bell_reached_by_skipping_strikes_all_three_times() {
        let source = "title = \"T\"\nprepare = 2\n[bells]\nstart = \"none\"\n\
            end = { sound = \"bowl\", strikes = 3, gap = \"3s\" }\n[[step]]\ntitle = \"Sit\"\n\
            duration = 60\n";
        let (_, t) = crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::new(t, &clock, Audio::standing(Output::Device("test".into())));
        through(&mut p, &clock, &[s(2), s(5)]);
        // Skipping the sit: the end bell falls due now and is played at once.
        p.apply(Control::Next, s(5));
        p.advance(s(5));
        assert_eq!(
            heard(&p, &clock),
            [None, None, None],
            "three strikes at once"
        );
        // The device plays ten seconds.
        for k in 0..100u32 {
            p.audio
                .callback(clock.instant(s(5) + Duration::from_millis(100) * k), 4800);
        }
        assert_eq!(heard(&p, &clock), [], "the later strikes never start");
    }
}
