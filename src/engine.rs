//! The timing engine: what happens when, with time as an input.
//!
//! The engine never reads a clock itself. Every call takes `now`, a reading of some monotonic
//! [`Clock`], and the engine maps it to a position in the timeline through a single anchor:
//! `position = anchor_position + (now - anchor_clock)`. Commands (pause, skip, extend) move
//! the anchor; nothing ever adds up tick lengths, so an event's error is only how late the
//! caller woke, however long the session has run.
//!
//! Guarantees, pinned by tests in `tests/engine.rs`:
//! - Events come out in timeline order, each once, when `advance` is called at or after the
//!   moment they fall due. A caller that wakes late gets every step start, cue, bell and the
//!   finish that fell due meanwhile. Breath phases that were over before the caller woke are
//!   collapsed: only the phase current at `now` is delivered.
//! - `next_step` drops what lies between here and the next step (that is what skipping
//!   means); `previous_step` replays from the start of a step, so its events come again.
//! - Practice time counts running time after the preparation countdown, not pauses:
//!   planned length + extensions − skipped + replayed.
//!
//! An **open step** (`duration = "open"`) lasts until the person moves on. The timeline lays
//! it out [`OPEN_AHEAD`] long; while the run is in it, the engine keeps it laid out at least
//! half of that ahead of the position ([`OpenPlan::events`](crate::timeline::OpenPlan::events) gives its breath, cues and bells
//! for any stretch, so laying it out piece by piece is the same as all at once), and moves
//! what follows later with it, as an extension would. The position is never allowed past
//! the end laid out so far: the run holds there (state [`State::Open`]) until the next call
//! lays out more, so nothing after the step can fall due early, and the anchor is untouched,
//! so the position is still exactly `anchor_position + (now − anchor_clock)`. Moving on
//! ([`next_step`](Engine::next_step)) cuts the step where the run is: what was laid out
//! beyond is dropped and everything after moves earlier to meet it, so the step lasts
//! exactly the time it took. Going back to an open step (or before one) opens it again from
//! its start.

use std::time::{Duration, Instant};

use crate::session::compile::{OPEN_AHEAD, breath_events};
use crate::timeline::{Event, EventKind, Phase, Timeline};

/// A monotonic clock: a reading is the time since some fixed origin.
pub trait Clock {
    fn now(&self) -> Duration;
    /// How long to really wait for this clock to reach `t` (zero if it has).
    fn wait_until(&self, t: Duration) -> Duration;
    /// The reading this clock will show once `real` time has passed.
    fn later(&self, real: Duration) -> Duration;
    /// How many times faster than real time it runs: 1, or more for a preview.
    fn speed(&self) -> u32 {
        1
    }
    /// The real instant at which this clock reads (or read) `reading`: where a sound due
    /// then is to be heard.
    fn instant(&self, reading: Duration) -> Instant;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
    fn wait_until(&self, t: Duration) -> Duration {
        (**self).wait_until(t)
    }
    fn later(&self, real: Duration) -> Duration {
        (**self).later(real)
    }
    fn speed(&self) -> u32 {
        (**self).speed()
    }
    fn instant(&self, reading: Duration) -> Instant {
        (**self).instant(reading)
    }
}

/// The system's monotonic clock, optionally running faster (to preview a session). A copy
/// reads the same time, so another thread (the room display's server) can share the clock.
#[derive(Debug, Clone, Copy)]
pub struct RealClock {
    origin: Instant,
    speed: u32,
}

impl RealClock {
    pub fn new(speed: u32) -> Self {
        RealClock {
            origin: Instant::now(),
            speed: speed.max(1),
        }
    }
}

impl RealClock {
    /// How many times faster than real time it runs.
    pub fn speed(&self) -> u32 {
        self.speed
    }
}

impl Clock for RealClock {
    fn now(&self) -> Duration {
        self.origin.elapsed() * self.speed
    }

    fn wait_until(&self, t: Duration) -> Duration {
        t.saturating_sub(self.now()) / self.speed
    }

    fn later(&self, real: Duration) -> Duration {
        self.now() + real * self.speed
    }

    fn speed(&self) -> u32 {
        self.speed
    }

    fn instant(&self, reading: Duration) -> Instant {
        self.origin + reading / self.speed
    }
}

/// A clock that moves only when told to: for tests, and for running hours of session time in
/// milliseconds.
pub struct ManualClock {
    now: std::cell::Cell<Duration>,
    /// The real instant its reading 0 stands for (see [`Clock::instant`]).
    origin: Instant,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            now: std::cell::Cell::new(Duration::ZERO),
            origin: Instant::now(),
        }
    }
}

impl ManualClock {
    pub fn set(&self, t: Duration) {
        self.now.set(t);
    }

    pub fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.now.get()
    }

    fn wait_until(&self, _: Duration) -> Duration {
        Duration::ZERO
    }

    fn later(&self, real: Duration) -> Duration {
        self.now() + real
    }

    fn instant(&self, reading: Duration) -> Instant {
        self.origin + reading
    }
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The quiet countdown before the opening bell.
    Preparing,
    Running,
    /// Running in an open step: its time counts up, and nothing after it is due until the
    /// person moves on.
    Open,
    Paused,
    Finished,
}

/// An event handed to a front end.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    pub kind: EventKind,
    /// Session time: from the opening bell (it never falls in the preparation countdown,
    /// which has no events). A run started part-way gives its events their times in the
    /// whole session.
    pub at: Duration,
    /// The clock reading at which it was due.
    pub due: Duration,
    /// The clock reading at which it was delivered.
    pub delivered: Duration,
}

/// The current breath phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseStatus {
    pub phase: Phase,
    pub length: Duration,
    pub left: Duration,
    /// 0.0 at the start of the phase, 1.0 at its end.
    pub progress: f32,
    pub tone: bool,
}

/// Everything a front end shows, at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub state: State,
    /// Index into the timeline's steps ([`Timeline::steps`]); `None` while preparing.
    pub step: Option<usize>,
    pub phase: Option<PhaseStatus>,
    pub prepare_left: Duration,
    /// Time left in the step (zero in an open step, which has no end yet).
    pub step_left: Duration,
    /// How long the step has run (the time an open step shows, counting up).
    pub step_elapsed: Duration,
    /// Time left in the session's timed steps: open steps still to end count for nothing.
    pub session_left: Duration,
    /// Session time from the opening bell (zero while preparing).
    pub position: Duration,
    /// Running time after the countdown, pauses excluded.
    pub practised: Duration,
}

/// What to do with breath phases that were over before the caller woke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Late {
    Collapse,
    Deliver,
}

/// Steps that have run for longer than this go back to their own start on "previous";
/// earlier, to the start of the step before.
const RESTART_GRACE: Duration = Duration::from_secs(3);

/// Whether a step lasts until the person moves on, and whether they have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Openness {
    Timed,
    /// Open, not yet ended: laid out ahead of the run as it goes.
    Open,
    /// Open, ended where the person moved on.
    Ended,
    /// Open, but not in this run: it started after it (`--from`), or the timeline gives it a
    /// length of its own (a render's).
    LeftOut,
}

pub struct Engine {
    timeline: Timeline,
    /// The timeline's events, moved later by the countdown (offset 0 is the start of the
    /// countdown) and by extensions.
    events: Vec<Event>,
    /// `[start, end)` of each step, in the same offsets as `events`.
    spans: Vec<(Duration, Duration)>,
    end: Duration,
    /// Index of the first event not yet delivered.
    next: usize,
    anchor_clock: Duration,
    anchor_pos: Duration,
    paused: bool,
    /// Practice time banked up to the anchor.
    banked: Duration,
    stopped: bool,
    /// The session time left out before a run started part-way.
    skipped: Duration,
    /// Per step, whether it is open and ended.
    openness: Vec<Openness>,
    /// Counts the changes to `events` (extensions, open steps laid out further or cut).
    revision: u64,
}

impl Engine {
    /// An engine whose countdown starts at clock reading `now`.
    pub fn new(timeline: Timeline, now: Duration) -> Self {
        Self::starting_at(timeline, now, 0)
    }

    /// An engine whose countdown starts at clock reading `now` and is followed by step
    /// `step` (counted from 0), from its start: a session resumed part-way. The steps before
    /// it take no time and none of their events come; practice time counts from there. A
    /// step past the last starts at the end.
    pub fn starting_at(timeline: Timeline, now: Duration, step: usize) -> Self {
        let prepare = timeline.prepare;
        let skip = timeline.steps.get(step).map_or(timeline.total, |s| s.start);
        let events = timeline
            .events
            .iter()
            .filter(|e| e.at >= skip)
            .map(|e| Event {
                at: e.at - skip + prepare,
                kind: e.kind.clone(),
            })
            .collect();
        let spans = timeline
            .steps
            .iter()
            .map(|s| {
                (
                    s.start.saturating_sub(skip) + prepare,
                    (s.start + s.length).saturating_sub(skip) + prepare,
                )
            })
            .collect();
        let end = prepare + timeline.end() - skip;
        // A timeline laid out for a render already knows how long its open steps last.
        let openness = timeline
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| match (&s.open, timeline.open_for) {
                (Some(_), None) if i >= step => Openness::Open,
                (Some(_), _) => Openness::LeftOut,
                (None, _) => Openness::Timed,
            })
            .collect();
        Engine {
            timeline,
            events,
            spans,
            end,
            next: 0,
            anchor_clock: now,
            anchor_pos: Duration::ZERO,
            paused: false,
            banked: Duration::ZERO,
            stopped: false,
            skipped: skip,
            openness,
            revision: 0,
        }
    }

    /// Counts the changes to [`events`](Self::events): a follower needs them again only when
    /// it moves.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The open step the run holds at, if it is in (or still before) one that has not ended:
    /// the first such step that ends after the anchor.
    fn hold(&self) -> Option<usize> {
        (0..self.spans.len())
            .find(|&i| self.openness[i] == Openness::Open && self.spans[i].1 > self.anchor_pos)
    }

    /// The position at `now` were nothing held: where the anchor says the run is.
    fn unheld(&self, now: Duration) -> Duration {
        if self.paused {
            self.anchor_pos
        } else {
            self.anchor_pos + now.saturating_sub(self.anchor_clock)
        }
    }

    /// Lays the open step the run is in out further, when it is less than half of
    /// [`OPEN_AHEAD`] ahead of the position at `now`. Called first by everything that moves
    /// the run, so the position never stays held for longer than a caller sleeps.
    fn keep_open(&mut self, now: Duration) {
        let Some(i) = self.hold() else {
            return;
        };
        let raw = self.unheld(now);
        let end = self.spans[i].1;
        if raw >= self.spans[i].0 && raw + OPEN_AHEAD / 2 >= end {
            self.lay_out(i, raw + OPEN_AHEAD - end);
        }
    }

    /// Lays open step `i` out `by` further: its events of that stretch in, what follows later.
    fn lay_out(&mut self, i: usize, by: Duration) {
        let Some(plan) = self.timeline.steps[i].open.clone() else {
            return;
        };
        let (start, end) = self.spans[i];
        let extra: Vec<Event> = plan
            .events(end - start, end - start + by)
            .into_iter()
            .map(|e| Event {
                at: start + e.at,
                kind: e.kind,
            })
            .collect();
        if plan.breath.is_none() {
            self.grow_still(start, end, by);
        }
        self.lengthen(i, by, extra);
    }

    /// Makes the still phase of the step in `[start, end)` longer by `by`; false when it has
    /// none.
    fn grow_still(&mut self, start: Duration, end: Duration, by: Duration) -> bool {
        let (lo, hi) = (
            self.events.partition_point(|e| e.at < start),
            self.events.partition_point(|e| e.at < end),
        );
        let still = self.events[lo..hi]
            .iter_mut()
            .rev()
            .find_map(|e| match &mut e.kind {
                EventKind::Phase {
                    phase: Phase::Still,
                    length,
                    ..
                } => Some(length),
                _ => None,
            });
        match still {
            Some(length) => {
                *length += by;
                true
            }
            None => false,
        }
    }

    /// Makes step `i` longer by `by`, with `extra` (events of the new stretch, in order)
    /// inserted at its old end and everything after it moved later.
    fn lengthen(&mut self, i: usize, by: Duration, extra: Vec<Event>) {
        let step_end = self.spans[i].1;
        let insert_at = self.events.partition_point(|e| e.at < step_end);
        self.lengthen_at(i, by, extra, insert_at);
    }

    /// [`lengthen`](Self::lengthen), with the new events inserted at index `insert_at` (the
    /// first event after the step).
    fn lengthen_at(&mut self, i: usize, by: Duration, extra: Vec<Event>, insert_at: usize) {
        for e in &mut self.events[insert_at..] {
            e.at += by;
        }
        self.events.splice(insert_at..insert_at, extra);
        self.spans[i].1 += by;
        for span in &mut self.spans[i + 1..] {
            span.0 += by;
            span.1 += by;
        }
        self.end += by;
        self.revision += 1;
    }

    /// Cuts step `i` at position `at` (within it): its events from there on are dropped (but
    /// those that begin it: its start and its bell), the phase going on is cut short, and
    /// everything after it moves earlier to meet it. Returns the index of the first event
    /// after the step.
    fn cut(&mut self, i: usize, at: Duration) -> usize {
        let (start, end) = self.spans[i];
        let by = end - at;
        let (lo, hi) = (
            self.events.partition_point(|e| e.at < at),
            self.events.partition_point(|e| e.at < end),
        );
        let mut kept: Vec<Event> = self.events[lo..hi]
            .iter()
            .filter(|e| {
                e.at == start
                    && matches!(
                        e.kind,
                        EventKind::StepStarted { .. } | EventKind::Bell { .. }
                    )
            })
            .cloned()
            .collect();
        for e in &mut self.events[hi..] {
            e.at -= by;
        }
        let after = lo + kept.len();
        self.events.splice(lo..hi, kept.drain(..));
        for e in &mut self.events[..lo] {
            if let EventKind::Phase { length, .. } = &mut e.kind
                && e.at >= start
                && e.at + *length > at
            {
                *length = at - e.at;
            }
        }
        self.next = self.next.min(self.events.len());
        self.spans[i].1 = at;
        for span in &mut self.spans[i + 1..] {
            span.0 -= by;
            span.1 -= by;
        }
        self.end -= by;
        self.revision += 1;
        after
    }

    /// Opens again every open step that starts at or after `pos`, from its start: laid out
    /// as at first, to be ended anew.
    fn reopen_from(&mut self, pos: Duration) {
        for i in 0..self.spans.len() {
            let reopens = matches!(self.openness[i], Openness::Open | Openness::Ended);
            if !reopens || self.spans[i].0 < pos {
                continue;
            }
            let Some(plan) = self.timeline.steps[i].open.clone() else {
                continue;
            };
            let start = self.spans[i].0;
            let after = self.cut(i, start);
            let mut fresh: Vec<Event> = plan.still(OPEN_AHEAD).into_iter().collect();
            fresh.extend(plan.events(Duration::ZERO, OPEN_AHEAD));
            let fresh = fresh
                .into_iter()
                .map(|e| Event {
                    at: start + e.at,
                    kind: e.kind,
                })
                .collect();
            self.lengthen_at(i, OPEN_AHEAD, fresh, after);
            self.openness[i] = Openness::Open;
        }
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The events as they now stand (extensions in, later events moved), at offsets from the
    /// start of the countdown rather than from the opening bell.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Where the run is at clock reading `now`, from the start of the countdown (the
    /// coordinate of [`events`](Self::events)).
    pub fn offset(&self, now: Duration) -> Duration {
        self.position(now)
    }

    /// The engine's position (from the start of the countdown) at clock reading `now`.
    fn position(&self, now: Duration) -> Duration {
        // Held just short of the end laid out so far: still in the open step, and short of
        // what follows it (until the next call lays more out).
        let held = self.hold().map_or(self.end, |i| {
            self.spans[i].1.saturating_sub(Duration::from_nanos(1))
        });
        self.unheld(now).min(self.end).min(held)
    }

    /// Practice time in `[from, to)` of positions: the part after the countdown.
    fn practice_between(&self, from: Duration, to: Duration) -> Duration {
        let prepare = self.timeline.prepare;
        to.max(prepare).saturating_sub(from.max(prepare))
    }

    /// Moves the anchor to `now` (banking the practice time since the last anchor), then
    /// puts the position at `pos`.
    fn reanchor(&mut self, now: Duration, pos: Duration) {
        let here = self.position(now);
        if !self.paused {
            self.banked += self.practice_between(self.anchor_pos, here);
        }
        self.anchor_clock = now;
        self.anchor_pos = pos.min(self.end);
    }

    /// The clock reading at which position `pos` is (or was) reached, were the engine to run.
    fn clock_at(&self, pos: Duration) -> Duration {
        self.anchor_clock + pos.saturating_sub(self.anchor_pos)
    }

    /// The events that fell due by `now`, in order. See the module docs for the guarantees.
    pub fn advance(&mut self, now: Duration) -> Vec<Delivered> {
        self.deliver(now, Late::Collapse)
    }

    /// Like [`advance`](Self::advance), but breath phases that are already over are delivered
    /// too: for a front end that writes one line per event, whenever it gets to them.
    pub fn advance_every(&mut self, now: Duration) -> Vec<Delivered> {
        self.deliver(now, Late::Deliver)
    }

    fn deliver(&mut self, now: Duration, late: Late) -> Vec<Delivered> {
        self.keep_open(now);
        let pos = self.position(now);
        let due_end = self.next + self.events[self.next..].partition_point(|e| e.at <= pos);
        let batch = self.next..due_end;
        self.next = due_end;
        // Of the breath phases in this batch, only the one still current is worth showing
        // (none, if the last of them is over too).
        let current_phase = batch.clone().rev().find_map(|i| match self.events[i].kind {
            EventKind::Phase { length, .. } => Some(i).filter(|_| self.events[i].at + length > pos),
            _ => None,
        });
        batch
            .filter(|&i| {
                late == Late::Deliver
                    || !matches!(self.events[i].kind, EventKind::Phase { .. })
                    || Some(i) == current_phase
            })
            .map(|i| self.delivered(&self.events[i], now))
            .collect()
    }

    fn delivered(&self, e: &Event, now: Duration) -> Delivered {
        Delivered {
            kind: e.kind.clone(),
            at: e.at - self.timeline.prepare + self.skipped,
            due: self.clock_at(e.at),
            delivered: now,
        }
    }

    /// What is still to be delivered and falls due by clock reading `until` if nothing is
    /// done to the run, each as [`advance`](Self::advance) will deliver it (`delivered` is
    /// the moment it is due): for sound, which must be handed over ahead of its moment to be
    /// heard on it. Nothing while paused, and nothing after an open step the run is in.
    pub fn coming(&self, until: Duration) -> Vec<Delivered> {
        let pos = self.position(until);
        self.events[self.next..]
            .iter()
            .take_while(|e| e.at <= pos)
            .map(|e| {
                let due = self.clock_at(e.at);
                self.delivered(e, due)
            })
            .collect()
    }

    /// The clock reading at which the first event still to be delivered that is due after
    /// clock reading `after` falls due: what [`coming`](Self::coming) will first add when
    /// asked further. `None` while paused, when done, or when it lies after an open step.
    pub fn due_after(&self, after: Duration) -> Option<Duration> {
        if self.paused {
            return None;
        }
        let pos = self.position(after);
        let next = self.events[self.next..].iter().find(|e| e.at > pos)?.at;
        let held = self.hold().is_some_and(|i| next >= self.spans[i].1);
        (!held).then(|| self.clock_at(next))
    }

    /// The clock reading at which the next event falls due; `None` when paused or done. In
    /// an open step, what lies after it is not due: then it is the moment the step is to be
    /// laid out further (a change for followers), if that comes first.
    pub fn next_due(&self) -> Option<Duration> {
        if self.paused {
            return None;
        }
        let next = self.events.get(self.next).map(|e| e.at);
        match self.hold() {
            Some(i) if next.is_none_or(|at| at >= self.spans[i].1) => {
                let relay = self.spans[i]
                    .1
                    .saturating_sub(OPEN_AHEAD / 2)
                    .max(self.spans[i].0);
                Some(self.clock_at(relay))
            }
            _ => next.map(|at| self.clock_at(at)),
        }
    }

    /// The clock reading of the next visible change: the next event, or the next time a
    /// whole-second countdown (phase, step, session or preparation) ticks over.
    pub fn next_change(&self, now: Duration) -> Option<Duration> {
        if self.paused || self.is_finished(now) {
            return None;
        }
        let s = self.status(now);
        let tick = |left: Duration| {
            let ms = left.as_millis() as u64 % 1000;
            (!left.is_zero()).then(|| Duration::from_millis(if ms == 0 { 1000 } else { ms }))
        };
        // An open step's time counts up: it changes at every whole second of the step.
        let up = |state: State, elapsed: Duration| {
            (state == State::Open)
                .then(|| Duration::from_millis(1000 - elapsed.as_millis() as u64 % 1000))
        };
        [
            s.phase.and_then(|p| tick(p.left)),
            tick(s.session_left),
            tick(s.prepare_left),
            up(s.state, s.step_elapsed),
        ]
        .into_iter()
        .flatten()
        .map(|d| now + d)
        .chain(self.next_due().map(|due| due.max(now)))
        .min()
    }

    /// True once the end has been delivered, or the session was stopped.
    pub fn is_finished(&self, now: Duration) -> bool {
        self.stopped || (self.position(now) >= self.end && self.next >= self.events.len())
    }

    /// True once the position has reached the end, whether or not the run was stopped
    /// afterwards.
    pub fn reached_end(&self, now: Duration) -> bool {
        self.position(now) >= self.end
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    pub fn pause(&mut self, now: Duration) {
        self.keep_open(now);
        if !self.paused {
            let pos = self.position(now);
            self.reanchor(now, pos);
            self.paused = true;
        }
    }

    pub fn resume(&mut self, now: Duration) {
        if self.paused {
            self.anchor_clock = now;
            self.paused = false;
        }
    }

    pub fn toggle_pause(&mut self, now: Duration) {
        if self.paused {
            self.resume(now);
        } else {
            self.pause(now);
        }
    }

    /// Index of the step at position `pos`, if the countdown is over.
    fn step_at(&self, pos: Duration) -> Option<usize> {
        if pos < self.timeline.prepare {
            return None;
        }
        let i = self.spans.partition_point(|&(start, _)| start <= pos);
        Some(i.saturating_sub(1))
    }

    /// Jumps to `pos`, so that the events from there on come (again).
    fn jump(&mut self, now: Duration, pos: Duration) {
        self.reanchor(now, pos);
        self.next = self.events.partition_point(|e| e.at < self.anchor_pos);
    }

    /// Ends the countdown or the current step now and goes on with what follows (the end,
    /// after the last step). What lay between is not delivered.
    ///
    /// In an open step that is how it ends: it is cut here, so it lasts the time it took.
    pub fn next_step(&mut self, now: Duration) {
        self.keep_open(now);
        let pos = self.position(now);
        let target = match self.step_at(pos) {
            None => self.timeline.prepare,
            Some(i) if self.openness[i] == Openness::Open && pos < self.end => {
                self.cut(i, pos);
                self.openness[i] = Openness::Ended;
                pos
            }
            Some(i) => self.spans[i].1,
        };
        self.jump(now, target);
    }

    /// Ends the open step the run is in, as [`next_step`](Self::next_step) does; in a timed
    /// step (or the countdown) it does nothing, so a stray Enter skips nothing. True if it
    /// ended one.
    pub fn end_open(&mut self, now: Duration) -> bool {
        self.keep_open(now);
        if self.status(now).state != State::Open {
            return false;
        }
        self.next_step(now);
        true
    }

    /// Goes back to the start of this step, or of the one before when this one has only just
    /// begun. During the countdown it restarts the countdown.
    pub fn previous_step(&mut self, now: Duration) {
        self.keep_open(now);
        let pos = self.position(now);
        let target = match self.step_at(pos) {
            None => Duration::ZERO,
            Some(i) => {
                let start = self.spans[i].0;
                if pos.saturating_sub(start) > RESTART_GRACE || i == 0 {
                    start
                } else {
                    self.spans[i - 1].0
                }
            }
        };
        // Banks the time up to here before open steps are laid out anew.
        self.reanchor(now, pos);
        self.reopen_from(target);
        self.jump(now, target);
    }

    /// Makes the current step longer by `by`: a sit sits longer, a breathing step breathes on
    /// in its last pattern, and everything after it moves later. Returns false (and does
    /// nothing) during the countdown, in an open step (it lasts as long as it takes anyway)
    /// or after the end.
    pub fn extend(&mut self, now: Duration, by: Duration) -> bool {
        self.keep_open(now);
        let pos = self.position(now);
        let Some(i) = self
            .step_at(pos)
            .filter(|&i| pos < self.end && self.openness[i] != Openness::Open)
        else {
            return false;
        };
        if by.is_zero() {
            return true;
        }
        let step_end = self.spans[i].1;
        let extra = self.extension_phases(i, step_end, by);
        self.lengthen(i, by, extra);
        true
    }

    /// The phase events that fill `by` at the end of step `i`.
    fn extension_phases(&mut self, i: usize, at: Duration, by: Duration) -> Vec<Event> {
        let plan = self.timeline.steps[i].breath.clone();
        let tone = self.events.iter().any(|e| {
            e.at >= self.spans[i].0
                && e.at < at
                && matches!(e.kind, EventKind::Phase { tone: true, .. })
        });
        let phase = |phase: Phase, length| EventKind::Phase {
            phase,
            length,
            tone: tone && phase.has_tone(),
        };
        let Some(pattern) = plan.filter(|b| b.breaths > 0).map(|b| b.last) else {
            // A still step just stays still for longer: its one phase grows.
            let before = self.events.partition_point(|e| e.at < at);
            let last = self.events[..before]
                .iter_mut()
                .rev()
                .find(|e| matches!(e.kind, EventKind::Phase { .. }));
            if let Some(Event {
                kind:
                    EventKind::Phase {
                        phase: Phase::Still,
                        length,
                        ..
                    },
                ..
            }) = last
            {
                *length += by;
                return Vec::new();
            }
            return vec![Event {
                at,
                kind: phase(Phase::Still, by),
            }];
        };
        let breaths = (by.as_millis() / pattern.cycle().as_millis()) as u32;
        if breaths == 0 {
            return vec![Event {
                at,
                kind: phase(Phase::Rest, by),
            }];
        }
        breath_events(at, by, breaths, |_| pattern, tone)
    }

    /// Ends the session now: the rest is not delivered, and the position stays here.
    pub fn stop(&mut self, now: Duration) {
        self.keep_open(now);
        let pos = self.position(now);
        self.reanchor(now, pos);
        self.paused = true;
        self.stopped = true;
        self.next = self.events.len();
    }

    /// Running time after the countdown, pauses excluded, up to `now`.
    ///
    /// In an open step this is the time it really took: the position there counts real time,
    /// whatever was laid out ahead.
    pub fn practised(&self, now: Duration) -> Duration {
        if self.paused {
            self.banked
        } else {
            self.banked + self.practice_between(self.anchor_pos, self.position(now))
        }
    }

    pub fn status(&self, now: Duration) -> Status {
        let pos = self.position(now);
        let prepare = self.timeline.prepare;
        let step = self.step_at(pos);
        let open = step.is_some_and(|i| self.openness[i] == Openness::Open);
        let state = if pos >= self.end || self.stopped {
            State::Finished
        } else if self.paused {
            State::Paused
        } else if step.is_none() {
            State::Preparing
        } else if open {
            State::Open
        } else {
            State::Running
        };
        let upto = self.events.partition_point(|e| e.at <= pos);
        let last_phase = self.events[..upto]
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Phase { .. }));
        let phase = last_phase.and_then(|e| match e.kind {
            EventKind::Phase {
                phase,
                length,
                tone,
            } if e.at + length > pos => {
                let into = pos - e.at;
                Some(PhaseStatus {
                    phase,
                    length,
                    left: length - into,
                    progress: (into.as_secs_f64() / length.as_secs_f64()) as f32,
                    tone,
                })
            }
            _ => None,
        });
        Status {
            state,
            step,
            phase,
            prepare_left: prepare.saturating_sub(pos),
            step_left: step
                .filter(|_| !open)
                .map_or(Duration::ZERO, |i| self.spans[i].1.saturating_sub(pos)),
            step_elapsed: step.map_or(Duration::ZERO, |i| pos.saturating_sub(self.spans[i].0)),
            session_left: self
                .end
                .saturating_sub(pos.max(prepare))
                .saturating_sub(self.open_ahead(pos.max(prepare))),
            position: pos.saturating_sub(prepare),
            practised: self.practised(now),
        }
    }

    /// The time laid out ahead of `pos` for open steps that have not ended: not part of the
    /// session's length until it is lived.
    fn open_ahead(&self, pos: Duration) -> Duration {
        (0..self.spans.len())
            .filter(|&i| self.openness[i] == Openness::Open)
            .map(|i| self.spans[i].1.saturating_sub(self.spans[i].0.max(pos)))
            .sum()
    }

    /// The length of the session from the opening bell, extensions included, as laid out
    /// (an open step going on counts for the time laid out for it so far).
    pub fn total(&self) -> Duration {
        self.end - self.timeline.prepare
    }

    /// The length of the session from the opening bell, extensions included, with an open
    /// step counting for the time it took (up to `now`, for one going on).
    pub fn total_at(&self, now: Duration) -> Duration {
        let pos = self.position(now).max(self.timeline.prepare);
        self.end - self.timeline.prepare - self.open_ahead(pos)
    }

    /// Where the open step the run is in, or will reach next, is laid out to (from the
    /// start of the countdown): nothing from there on has a time until it ends.
    pub fn hold_offset(&self) -> Option<Duration> {
        self.hold().map(|i| self.spans[i].1)
    }

    /// Where a run started part-way (`--from`) begins in the plan: added to a
    /// [`Status::position`], the plan's time, which is what delivered events carry.
    pub fn started_at(&self) -> Duration {
        self.skipped
    }

    /// Whether step `i` is open and has not ended.
    pub fn is_open(&self, i: usize) -> bool {
        self.openness.get(i) == Some(&Openness::Open)
    }

    /// The current start and length of step `i` in session time (extensions included).
    pub fn step_span(&self, i: usize) -> (Duration, Duration) {
        let (start, end) = self.spans[i];
        (start - self.timeline.prepare, end - start)
    }
}
