//! The engine's guarantees, on a manual clock: order, exactly-once delivery, no drift over
//! hours, late wake-ups, pauses, skips and extensions.

use std::time::Duration;

use hara::engine::{Clock, Delivered, Engine, ManualClock, State};
use hara::timeline::{EventKind, Phase, Timeline};
use proptest::prelude::*;

mod common;
use common::session_source;

fn timeline(source: &str) -> Timeline {
    common::checked(source).1
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn is_phase(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Phase { .. })
}

/// The events other than breath phases, which are never dropped on a late wake-up.
fn milestones(t: &Timeline) -> Vec<(Duration, EventKind)> {
    t.events
        .iter()
        .filter(|e| !is_phase(&e.kind))
        .map(|e| (e.at, e.kind.clone()))
        .collect()
}

/// Runs an engine to the end, waking `late(i)` after each due moment.
fn run(
    t: &Timeline,
    start: Duration,
    mut late: impl FnMut(usize) -> Duration,
) -> (Engine, Vec<Delivered>) {
    let clock = ManualClock::default();
    clock.set(start);
    let mut engine = Engine::new(t.clone(), clock.now());
    let mut out = engine.advance(clock.now());
    let mut wakes = 0;
    while let Some(due) = engine.next_due() {
        clock.set(due.max(clock.now()) + late(wakes));
        wakes += 1;
        out.extend(engine.advance(clock.now()));
    }
    assert!(engine.is_finished(clock.now()));
    (engine, out)
}

const EIGHT_HOURS: &str = r#"
title = "Eight hours"
prepare = "7s"
[bells]
interval = { every = "25m", sound = "bell" }
[[step]]
title = "Round"
repeat = 16
  [[step.step]]
  title = "Breathe"
  breaths = 47
  breath = "4.3-0.7-6.1-0.2"
  cues = [{ every = "97s", principle = "relax" }]
  [[step.step]]
  title = "Sit"
  duration = "21m37.3s"
"#;

#[test]
fn eight_hours_on_the_manual_clock_end_exactly_on_time() {
    let t = timeline(EIGHT_HOURS);
    assert!(t.total > Duration::from_secs(8 * 3600), "{:?}", t.total);
    let origin = Duration::from_millis(123_456);
    let (engine, delivered) = run(&t, origin, |_| Duration::ZERO);

    // Woken exactly when due, every event (phases too) comes at its planned instant: the
    // start of the countdown, plus the countdown, plus its offset. No drift after 8 hours.
    assert_eq!(delivered.len(), t.events.len());
    for (d, planned) in delivered.iter().zip(&t.events) {
        assert_eq!(d.kind, planned.kind);
        assert_eq!(d.at, planned.at);
        assert_eq!(d.due, origin + t.prepare + planned.at);
        assert_eq!(d.delivered, d.due);
    }
    let end = origin + t.prepare + t.total;
    assert_eq!(delivered.last().unwrap().due, end);
    assert_eq!(engine.practised(end), t.total);
}

#[test]
fn a_late_caller_gets_every_milestone_and_only_the_current_phase() {
    let t = timeline(EIGHT_HOURS);
    let (_, delivered) = run(&t, Duration::ZERO, |i| {
        Duration::from_millis((i as u64 * 7919) % 2000)
    });
    let got: Vec<(Duration, EventKind)> = delivered
        .iter()
        .filter(|d| !is_phase(&d.kind))
        .map(|d| (d.at, d.kind.clone()))
        .collect();
    assert_eq!(got, milestones(&t));
    for d in &delivered {
        let late = d.delivered - d.due;
        assert!(late < secs(2), "{late:?} late: {d:?}");
        // The due instant is exact whatever the wake-up jitter.
        assert_eq!(d.due, t.prepare + d.at);
    }
    assert!(delivered.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn waking_once_at_the_end_delivers_all_milestones_and_no_phase() {
    let t = timeline(EIGHT_HOURS);
    let mut engine = Engine::new(t.clone(), Duration::ZERO);
    let all = engine.advance(secs(10 * 3600));
    let got: Vec<(Duration, EventKind)> = all.iter().map(|d| (d.at, d.kind.clone())).collect();
    assert_eq!(got, milestones(&t));
    assert!(engine.is_finished(secs(10 * 3600)));
    assert!(engine.advance(secs(11 * 3600)).is_empty());
}

#[test]
fn a_line_per_event_front_end_gets_every_phase_however_late_it_wakes() {
    let t = timeline(EIGHT_HOURS);
    let mut engine = Engine::new(t.clone(), Duration::ZERO);
    let all = engine.advance_every(secs(10 * 3600));
    let got: Vec<(Duration, EventKind)> = all.iter().map(|d| (d.at, d.kind.clone())).collect();
    let every: Vec<(Duration, EventKind)> =
        t.events.iter().map(|e| (e.at, e.kind.clone())).collect();
    assert_eq!(got, every);
}

const SHORT: &str = r#"
title = "Short"
prepare = "5s"
[[step]]
title = "Sit"
duration = "1m"
[[step]]
title = "Breathe"
breaths = 3
breath = "4-0-6-0"
tones = true
[[step]]
title = "Close"
duration = "30s"
"#;

#[test]
fn pauses_do_not_count_and_delay_everything_after_them() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t.clone(), Duration::ZERO);
    e.advance(secs(20));
    e.pause(secs(20));
    assert_eq!(e.status(secs(50)).state, State::Paused);
    assert_eq!(e.next_due(), None);
    assert_eq!(e.next_change(secs(50)), None);
    assert!(
        e.advance(secs(500)).is_empty(),
        "nothing falls due while paused"
    );
    e.resume(secs(500));
    // 15 s of the first step were practised before the pause; 45 s remain.
    let s = e.status(secs(500));
    assert_eq!(s.practised, secs(15));
    assert_eq!(s.step_left, secs(45));
    assert_eq!(e.next_due(), Some(secs(545)));
    let next = e.advance(secs(545));
    assert_eq!(next[0].kind, EventKind::StepStarted { step: 1 });
    assert_eq!(next[0].due, secs(545));
    let end = secs(545 + 30 + 30);
    e.advance(end);
    assert!(e.is_finished(end));
    assert_eq!(e.practised(end + secs(99)), t.total);
}

#[test]
fn skipping_drops_the_rest_of_the_step_and_counts_only_what_was_practised() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t.clone(), Duration::ZERO);
    e.next_step(secs(1)); // ends the countdown
    let opening = e.advance(secs(1));
    assert_eq!(opening[0].kind, EventKind::StepStarted { step: 0 });
    assert_eq!(opening[0].due, secs(1));
    e.next_step(secs(11)); // 10 s into the 1 min sit
    let next = e.advance(secs(11));
    assert_eq!(next[0].kind, EventKind::StepStarted { step: 1 });
    assert_eq!(e.status(secs(11)).step, Some(1));
    e.next_step(secs(11));
    e.next_step(secs(11)); // past the last step: the end
    let end = e.advance(secs(11));
    assert!(end.iter().any(|d| d.kind == EventKind::Finished));
    assert!(e.is_finished(secs(11)));
    assert_eq!(e.practised(secs(11)), secs(10));
}

#[test]
fn previous_restarts_the_step_or_goes_back_one() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t, Duration::ZERO);
    e.advance(secs(5 + 70)); // 10 s into "Breathe"
    e.previous_step(secs(75));
    assert_eq!(e.status(secs(75)).step_left, secs(30));
    let again = e.advance(secs(75));
    assert_eq!(again[0].kind, EventKind::StepStarted { step: 1 });
    e.previous_step(secs(76)); // within the grace: back to "Sit"
    assert_eq!(e.status(secs(76)).step, Some(0));
    assert_eq!(e.status(secs(76)).step_left, secs(60));
}

#[test]
fn extending_a_breathing_step_breathes_on_and_moves_the_rest_later() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t.clone(), Duration::ZERO);
    e.advance(secs(70)); // 5 s into "Breathe" (30 s long)
    assert!(e.extend(secs(70), secs(60)));
    assert_eq!(e.total(), t.total + secs(60));
    assert_eq!(e.step_span(1), (secs(60), secs(90)));
    assert_eq!(e.step_span(2), (secs(150), secs(30)));
    let (mut inhales, mut exhales) = (0, 0);
    let mut now = secs(70);
    let mut finished_at = None;
    while let Some(due) = e.next_due() {
        now = due;
        for d in e.advance(now) {
            match d.kind {
                EventKind::Phase {
                    phase: Phase::Inhale,
                    tone,
                    ..
                } => {
                    assert!(tone);
                    inhales += 1;
                }
                EventKind::Phase {
                    phase: Phase::Exhale,
                    ..
                } => exhales += 1,
                EventKind::Finished => finished_at = Some(d.at),
                _ => {}
            }
        }
    }
    // 2 more breaths of the 3 planned, then 6 more in the extra minute.
    assert_eq!((inhales, exhales), (8, 8));
    assert_eq!(finished_at, Some(t.total + secs(60)));
    assert_eq!(e.practised(now), t.total + secs(60));
    assert!(!e.extend(now, secs(60)), "nothing to extend after the end");
}

#[test]
fn extending_a_sit_makes_it_longer() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t, Duration::ZERO);
    e.advance(secs(10));
    assert!(
        !e.extend(secs(2), secs(60)),
        "nothing to extend during the countdown"
    );
    assert!(e.extend(secs(10), secs(60)));
    let s = e.status(secs(10));
    let phase = s.phase.unwrap();
    assert_eq!(phase.phase, Phase::Still);
    assert_eq!(phase.left, secs(115));
    assert_eq!(s.step_left, secs(115));
}

#[test]
fn status_reports_phase_progress_and_countdowns() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t.clone(), Duration::ZERO);
    let s = e.status(secs(2));
    assert_eq!(s.state, State::Preparing);
    assert_eq!(s.prepare_left, secs(3));
    assert_eq!(s.session_left, t.total);
    let s = e.status(Duration::from_millis(5000 + 60_000 + 1000));
    assert_eq!(s.step, Some(1));
    let phase = s.phase.unwrap();
    assert_eq!(phase.phase, Phase::Inhale);
    assert_eq!(phase.left, secs(3));
    assert!((phase.progress - 0.25).abs() < 1e-6);
    // The next visible change is the next whole second of a countdown.
    e.advance(Duration::from_millis(66_400));
    assert_eq!(
        e.next_change(Duration::from_millis(66_400)),
        Some(Duration::from_millis(67_000))
    );
}

#[test]
fn stop_ends_the_session_where_it_is() {
    let t = timeline(SHORT);
    let mut e = Engine::new(t, Duration::ZERO);
    e.advance(secs(30));
    e.stop(secs(30));
    assert!(e.is_finished(secs(31)));
    assert_eq!(e.status(secs(31)).state, State::Finished);
    assert_eq!(e.practised(secs(99)), secs(25));
    assert!(e.advance(secs(99)).is_empty());
}

// ---------- random sessions, random wake-ups, random commands ----------

#[derive(Debug, Clone)]
enum Command {
    Wait(u64),
    Pause(u64),
    Skip,
    Extend(u64),
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        6 => (0u64..2000).prop_map(Command::Wait),
        1 => (1u64..120_000).prop_map(Command::Pause),
        1 => Just(Command::Skip),
        1 => (1u64..120).prop_map(Command::Extend),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever the session, the wake-up jitter and the commands: milestones come in order,
    /// none twice, none late by more than the jitter, and the practice time adds up.
    #[test]
    fn random_sessions_jitter_and_commands(
        source in session_source(),
        commands in proptest::collection::vec(command(), 0..30),
    ) {
        let t = timeline(&source);
        let clock = ManualClock::default();
        let mut e = Engine::new(t.clone(), clock.now());
        let mut delivered: Vec<Delivered> = e.advance(clock.now());
        let (mut extended, mut skipped) = (Duration::ZERO, Duration::ZERO);
        let mut commands = commands.into_iter();
        let mut guard = 0u32;
        while !e.is_finished(clock.now()) {
            guard += 1;
            prop_assert!(guard < 100_000, "no progress");
            let command = commands.next();
            let late = match command {
                Some(Command::Wait(ms)) => Some(ms),
                None => Some(0),
                _ => None,
            };
            match command {
                _ if late.is_some() => {
                    let due = e.next_due();
                    prop_assert!(due.is_some(), "not finished, yet nothing due");
                    clock.set(due.unwrap().max(clock.now()) + Duration::from_millis(late.unwrap()));
                    delivered.extend(e.advance(clock.now()));
                }
                Some(Command::Pause(ms)) => {
                    e.pause(clock.now());
                    clock.advance(Duration::from_millis(ms));
                    prop_assert!(e.advance(clock.now()).is_empty());
                    e.resume(clock.now());
                }
                Some(Command::Skip) => {
                    let s = e.status(clock.now());
                    if s.step.is_some() {
                        skipped += s.step_left;
                    }
                    e.next_step(clock.now());
                    delivered.extend(e.advance(clock.now()));
                }
                Some(Command::Extend(secs)) => {
                    if e.extend(clock.now(), Duration::from_secs(secs)) {
                        extended += Duration::from_secs(secs);
                    }
                }
                Some(Command::Wait(_)) | None => unreachable!("handled above"),
            }
        }
        // Order, and at most 2 s late (the jitter); due instants never earlier than the plan.
        prop_assert!(delivered.windows(2).all(|w| w[0].at <= w[1].at && w[0].due <= w[1].due));
        for d in &delivered {
            prop_assert!(d.delivered >= d.due);
            prop_assert!(d.delivered - d.due <= Duration::from_millis(2000), "{:?}", d);
        }
        // Exactly once: no milestone repeats (a skip-free run delivers them all).
        let got: Vec<(Duration, EventKind)> = delivered.iter().filter(|d| !is_phase(&d.kind)).map(|d| (d.at, d.kind.clone())).collect();
        for w in got.windows(2) {
            prop_assert!(w[0] != w[1], "delivered twice: {:?}", w[0]);
        }
        prop_assert_eq!(got.iter().filter(|(_, k)| *k == EventKind::Finished).count(), 1);
        if skipped.is_zero() && extended.is_zero() {
            prop_assert_eq!(&got, &milestones(&t));
        }
        // Practice time: planned + extensions − skips.
        prop_assert_eq!(e.practised(clock.now()), t.total + extended - skipped);
    }
}

const THREE_STEPS: &str = r#"
title = "Three steps"
prepare = "5s"
[bells]
interval = { every = "1m", sound = "bell" }
[[step]]
title = "Arrive"
duration = "1m30s"
[[step]]
title = "Breathe"
breaths = 3
breath = "4-0-6-0"
[[step]]
title = "Sit"
duration = "2m"
"#;

#[test]
fn a_run_started_at_a_step_counts_down_then_plays_from_that_step() {
    let t = timeline(THREE_STEPS);
    let clock = ManualClock::default();
    clock.set(secs(100));
    let mut engine = Engine::starting_at(t.clone(), clock.now(), 2);

    // The countdown as always, and nothing before it ends.
    assert_eq!(engine.advance(clock.now()), vec![]);
    assert_eq!(engine.status(clock.now()).state, State::Preparing);
    assert_eq!(engine.next_due(), Some(secs(105)));

    // Then the third step, at its time in the whole session (1m30s + 30s).
    clock.set(secs(105));
    let first = engine.advance(clock.now());
    assert_eq!(first[0].kind, EventKind::StepStarted { step: 2 });
    assert_eq!(first[0].at, secs(120));
    assert_eq!(first[0].due, secs(105));
    assert_eq!(engine.status(clock.now()).step, Some(2));
    assert_eq!(engine.total(), secs(120));

    // Its own events only: the interval bells at 2m and 3m, the end at 4m, two minutes on.
    let mut rest = Vec::new();
    while let Some(due) = engine.next_due() {
        clock.set(due);
        rest.extend(engine.advance(clock.now()));
    }
    let times: Vec<(Duration, Duration)> = rest
        .iter()
        .filter(|d| !is_phase(&d.kind))
        .map(|d| (d.at, d.due))
        .collect();
    assert_eq!(
        times,
        vec![
            (secs(180), secs(165)),
            (secs(240), secs(225)),
            (secs(240), secs(225))
        ]
    );
    assert!(engine.is_finished(clock.now()));
    // Practised: the two minutes that ran, not the four of the whole session.
    assert_eq!(engine.practised(clock.now()), secs(120));
}

#[test]
fn a_run_started_at_the_first_step_is_an_ordinary_run() {
    let t = timeline(THREE_STEPS);
    let a = Engine::new(t.clone(), secs(3));
    let b = Engine::starting_at(t, secs(3), 0);
    assert_eq!(a.events(), b.events());
    assert_eq!(a.total(), b.total());
}

/// Bells at random are ordinary bells once planned: an extension moves the later ones later
/// (the gap that spans it grows by it), a skip passes over the step's, and the room
/// display's plan (the engine's events) holds exactly the run's.
#[test]
fn bells_at_random_move_with_an_extension_and_go_with_a_skip() {
    let (session, _) = common::checked(
        "format = 1.1\ntitle = \"R\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
         interval = { every = \"20s..40s\", sound = \"bell\" }\n\
         [[step]]\ntitle = \"Sit\"\nduration = \"3m\"\n\
         [[step]]\ntitle = \"Walk\"\nduration = \"3m\"\n\
         bells = { interval = { every = \"10s..20s\", sound = \"wood\" } }\n",
    );
    let t = hara::session::compile::compile(&session, 99).unwrap();
    let bells = |events: &[hara::timeline::Event]| -> Vec<Duration> {
        events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Bell { .. }))
            .map(|e| e.at)
            .collect()
    };
    let planned = bells(&t.events);
    assert_eq!(
        planned,
        bells(Engine::new(t.clone(), Duration::ZERO).events())
    );

    // Extending the sit by a minute at 1m: every bell after 3m comes a minute later.
    let mut e = Engine::new(t.clone(), Duration::ZERO);
    assert!(e.extend(secs(60), secs(60)));
    let moved: Vec<Duration> = planned
        .iter()
        .map(|&at| if at >= secs(180) { at + secs(60) } else { at })
        .collect();
    assert_eq!(bells(e.events()), moved);

    // Skipping the walk at 3m10s: none of its bells (or the session's after it) sound.
    let clock = ManualClock::default();
    let mut e = Engine::new(t.clone(), clock.now());
    clock.set(secs(190));
    let before: Vec<Duration> = e
        .advance_every(clock.now())
        .into_iter()
        .filter(|d| matches!(d.kind, EventKind::Bell { .. }))
        .map(|d| d.at)
        .collect();
    e.next_step(clock.now());
    let after = e.advance_every(clock.now());
    assert!(
        after
            .iter()
            .all(|d| !matches!(d.kind, EventKind::Bell { .. }))
    );
    assert!(after.iter().any(|d| d.kind == EventKind::Finished));
    assert_eq!(
        before,
        planned
            .iter()
            .copied()
            .filter(|&at| at <= secs(190))
            .collect::<Vec<_>>()
    );
}
// ---------- open steps ----------

/// Settle for 30 s, an open sit with a cue every ten minutes, then a closing minute of
/// breathing.
const OPEN_SIT: &str = r#"
format = 1.1
title = "Open sit"
prepare = "5s"
[bells]
end = "bowl"
[[step]]
title = "Settle"
duration = "30s"
[[step]]
title = "Sit"
duration = "open"
cues = [{ every = "10m", text = "Still here." }, { at = "1m", text = "A minute in." }]
[[step]]
title = "Close"
duration = "1m"
breath = "4-0-6-0"
"#;

fn minutes(n: u64) -> Duration {
    secs(n * 60)
}

/// Advances at every due moment up to `until` (the way a front end waits), collecting what
/// comes.
fn advance_to(engine: &mut Engine, clock: &ManualClock, until: Duration) -> Vec<Delivered> {
    let mut out = engine.advance(clock.now());
    while let Some(due) = engine.next_due().filter(|d| *d <= until) {
        clock.set(due.max(clock.now()));
        out.extend(engine.advance(clock.now()));
    }
    clock.set(until);
    out.extend(engine.advance(until));
    out
}

fn cues(delivered: &[Delivered]) -> Vec<(Duration, String)> {
    delivered
        .iter()
        .filter_map(|d| match &d.kind {
            EventKind::Cue { text, .. } => Some((d.at, text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn an_open_step_lasts_until_the_person_moves_on_and_counts_the_real_time() {
    let t = timeline(OPEN_SIT);
    let clock = ManualClock::default();
    let mut engine = Engine::new(t, clock.now());
    // Five hours and a half second in the open step, on a clock that wakes when told to.
    let open_for = minutes(300) + Duration::from_millis(500);
    let moved_on = secs(5 + 30) + open_for;
    let got = advance_to(&mut engine, &clock, moved_on);
    let s = engine.status(moved_on);
    assert_eq!((s.state, s.step), (State::Open, Some(1)));
    assert_eq!(s.step_elapsed, open_for, "the open step's time, exactly");
    assert_eq!(s.step_left, Duration::ZERO);
    assert_eq!(
        s.session_left,
        minutes(1),
        "only the timed step after it is left"
    );
    assert!(
        !got.iter()
            .any(|d| matches!(d.kind, EventKind::StepStarted { step: 2, .. })),
        "nothing after the open step comes while it lasts"
    );
    // Every ten minutes a cue, thirty of them, each at its exact time in the step.
    let every: Vec<Duration> = cues(&got)
        .into_iter()
        .filter(|(_, text)| text == "Still here.")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(every.len(), 30);
    assert!(
        every
            .iter()
            .enumerate()
            .all(|(k, at)| *at == secs(30) + minutes(10 * (k as u64 + 1)))
    );
    assert_eq!(
        cues(&got).first(),
        Some(&(secs(30) + minutes(1), "A minute in.".to_string()))
    );
    // Enter: the step ends here, and what follows comes now, on time.
    assert!(engine.end_open(moved_on));
    let after = engine.advance(moved_on);
    assert_eq!(
        after.first().map(|d| (&d.kind, d.at, d.due)),
        Some((
            &EventKind::StepStarted { step: 2 },
            secs(30) + open_for,
            moved_on
        ))
    );
    assert_eq!(
        engine.step_span(1),
        (secs(30), open_for),
        "the step took its real time"
    );
    let end = moved_on + minutes(1);
    let rest = advance_to(&mut engine, &clock, end);
    assert!(engine.is_finished(end));
    assert_eq!(
        rest.last().map(|d| (&d.kind, d.due)),
        Some((&EventKind::Finished, end))
    );
    assert_eq!(
        engine.practised(end),
        secs(30) + open_for + minutes(1),
        "practice time is the real time: no drift over five hours"
    );
    assert_eq!(engine.total_at(end), secs(30) + open_for + minutes(1));
}

#[test]
fn a_caller_that_wakes_hours_late_in_an_open_step_still_gets_nothing_after_it() {
    let t = timeline(OPEN_SIT);
    let mut engine = Engine::new(t, Duration::ZERO);
    let late = engine.advance(minutes(600));
    assert_eq!(engine.status(minutes(600)).state, State::Open);
    assert_eq!(
        engine.status(minutes(600)).step_elapsed,
        minutes(600) - secs(35),
        "the position is where the anchor says, however late the call"
    );
    assert!(late.iter().all(|d| d.at < secs(30) + minutes(600)));
    assert_eq!(
        cues(&late).len(),
        1 + 59,
        "the cue at 1m and every ten minutes"
    );
    assert!(!late.iter().any(|d| d.kind == EventKind::Finished));
}

#[test]
fn a_pause_in_an_open_step_does_not_count() {
    let t = timeline(OPEN_SIT);
    let clock = ManualClock::default();
    let mut engine = Engine::new(t, clock.now());
    advance_to(&mut engine, &clock, minutes(10));
    engine.pause(minutes(10));
    assert_eq!(engine.status(minutes(70)).state, State::Paused);
    engine.resume(minutes(70));
    advance_to(&mut engine, &clock, minutes(75));
    let s = engine.status(minutes(75));
    assert_eq!(
        s.step_elapsed,
        minutes(15) - secs(35),
        "an hour's pause left out"
    );
    engine.next_step(minutes(75));
    assert_eq!(engine.step_span(1).1, minutes(15) - secs(35));
    assert_eq!(engine.practised(minutes(75)), minutes(15) - secs(5));
}

#[test]
fn enter_in_a_timed_step_does_nothing_and_extend_in_an_open_step_does_nothing() {
    let t = timeline(OPEN_SIT);
    let mut engine = Engine::new(t, Duration::ZERO);
    engine.advance(secs(10));
    assert!(!engine.end_open(secs(10)), "a stray Enter skips nothing");
    assert_eq!(engine.status(secs(10)).step, Some(0));
    engine.advance(secs(100));
    assert!(
        !engine.extend(secs(100), secs(60)),
        "an open step lasts as long as it takes"
    );
    assert_eq!(engine.status(secs(100)).state, State::Open);
}

#[test]
fn going_back_into_an_open_step_opens_it_again_from_its_start() {
    let t = timeline(OPEN_SIT);
    let clock = ManualClock::default();
    let mut engine = Engine::new(t, clock.now());
    advance_to(&mut engine, &clock, minutes(20));
    engine.next_step(minutes(20));
    advance_to(&mut engine, &clock, minutes(20) + secs(2));
    // Back within the grace: to the start of the open step, open again.
    engine.previous_step(minutes(20) + secs(2));
    let again = engine.advance(minutes(20) + secs(2));
    assert!(matches!(
        again.first().map(|d| &d.kind),
        Some(EventKind::StepStarted { step: 1, .. })
    ));
    let later = minutes(20) + secs(2) + minutes(11);
    let s = engine.status(later);
    let got = advance_to(&mut engine, &clock, later);
    assert_eq!(
        (s.state, engine.status(later).step_elapsed),
        (State::Open, minutes(11))
    );
    assert_eq!(
        cues(&got)
            .iter()
            .filter(|(_, t)| t == "Still here.")
            .count(),
        1
    );
    engine.next_step(later);
    assert_eq!(engine.step_span(1).1, minutes(11));
    assert_eq!(engine.status(later).step, Some(2));
}

#[test]
fn a_run_started_after_an_open_step_leaves_it_out() {
    let t = timeline(OPEN_SIT);
    let mut engine = Engine::starting_at(t.clone(), Duration::ZERO, 2);
    let got = engine.advance(secs(5));
    assert!(matches!(
        got[0].kind,
        EventKind::StepStarted { step: 2, .. }
    ));
    assert_eq!(engine.status(secs(5)).state, State::Running);
    assert_eq!(engine.status(secs(5)).session_left, minutes(1));
    let mut engine = Engine::starting_at(t.clone(), Duration::ZERO, 1);
    engine.advance(minutes(30));
    assert_eq!(engine.status(minutes(30)).state, State::Open);
    // Back to the start of the countdown of a run started after the open step: the step it
    // left out stays out.
    let mut engine = Engine::starting_at(t, Duration::ZERO, 2);
    engine.advance(secs(2));
    engine.previous_step(secs(2));
    assert_eq!(engine.hold_offset(), None);
    let got = engine.advance(secs(10));
    assert!(
        matches!(got[0].kind, EventKind::StepStarted { step: 2, .. }),
        "{got:?}"
    );
    assert_eq!(engine.total(), minutes(1));
}

#[test]
fn before_an_open_step_its_followers_know_nothing_after_it_has_a_time_yet() {
    let t = timeline(OPEN_SIT);
    let mut engine = Engine::new(t, Duration::ZERO);
    engine.advance(secs(10));
    let hold = engine.hold_offset().expect("an open step lies ahead");
    assert_eq!(
        hold,
        secs(5 + 30) + minutes(1),
        "laid out a minute ahead of its start"
    );
    assert_eq!(engine.status(secs(10)).state, State::Running);
    assert_eq!(
        engine.status(secs(10)).session_left,
        secs(25) + minutes(1),
        "the timed steps left: the rest of Settle and Close"
    );
}

#[test]
fn an_open_breathing_step_breathes_its_pattern_for_as_long_as_it_lasts() {
    let t = timeline(
        "format = 1.1\ntitle = \"T\"\n[[step]]\nduration = \"open\"\nbreath = \"5-0-5-0\"\ntones = true\n",
    );
    let clock = ManualClock::default();
    let mut engine = Engine::new(t, clock.now());
    let mut every = Vec::new();
    // One wake a second for an hour: every phase, in order, none twice.
    for s in 0..=3600 {
        clock.set(secs(s));
        every.extend(engine.advance_every(clock.now()));
    }
    let phases: Vec<(Duration, Phase)> = every
        .iter()
        .filter_map(|d| match d.kind {
            EventKind::Phase { phase, .. } => Some((d.at, phase)),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases.len(),
        2 * 360 + 1,
        "an inhale and an exhale every 10 s"
    );
    assert!(phases.iter().enumerate().all(|(i, (at, phase))| {
        *at == secs(5 * i as u64)
            && *phase
                == if i % 2 == 0 {
                    Phase::Inhale
                } else {
                    Phase::Exhale
                }
    }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// However the run is woken, an open step ended after `ms` holds exactly what a timeline
    /// laid out with the open step `ms` long holds: laying it out piece by piece while it
    /// runs is the same as laying it out at once (what `hara render --open-for` plays).
    #[test]
    fn ending_an_open_step_gives_the_timeline_of_that_length(
        ms in 1u64..4_000_000,
        wakes in proptest::collection::vec(1u64..200_000, 1..40),
        breathe in any::<bool>(),
    ) {
        let source = format!(
            "format = 1.1\ntitle = \"T\"\nprepare = 3\n[bells]\ninterval = {{ every = \"7m\" }}\n\
             [[step]]\nduration = \"20s\"\n[[step]]\nduration = \"open\"\n{}\
             cues = [{{ every = \"45s\", principle = \"relax\" }}]\n[[step]]\nduration = \"1m\"\n",
            if breathe { "breath = \"4-1-6-2\"\n" } else { "" }
        );
        let (session, t) = common::checked(&source);
        let mut engine = Engine::new(t, Duration::ZERO);
        let end_at = secs(3 + 20) + Duration::from_millis(ms);
        let mut now = Duration::ZERO;
        for w in wakes {
            now = (now + Duration::from_millis(w)).min(end_at);
            engine.advance(now);
        }
        engine.advance(end_at);
        engine.next_step(end_at);
        let want = hara::session::compile::compile_open_for(&session, 0, Duration::from_millis(ms)).unwrap();
        let got: Vec<_> = engine.events().iter().map(|e| (e.at - secs(3), e.kind.clone())).collect();
        let want: Vec<_> = want.events.iter().map(|e| (e.at, e.kind.clone())).collect();
        prop_assert_eq!(got, want);
    }
}
