//! The compiled timeline: exact offsets for ramps, repeats, the sigh, cues and bells.

use std::path::Path;
use std::time::Duration;

use hara::session::check::{InstrumentsOnly, SoundFiles};
use hara::session::check_str;
use hara::session::compile::ramp_breath;
use hara::session::format::Pattern;
use hara::session::library::FileSounds;
use hara::timeline::{Event, EventKind, Phase, Timeline};

fn compile_with(source: &str, sounds: &dyn SoundFiles) -> Timeline {
    let checked = check_str(source, sounds);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    checked.session.unwrap().1
}

fn compile(source: &str) -> Timeline {
    compile_with(source, &InstrumentsOnly)
}

fn fixture(name: &str) -> Timeline {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let sounds = FileSounds {
        session_dir: Some(dir.clone()),
        sound_dirs: Vec::new(),
        decoder: Some(hara::audio::files::playable),
    };
    compile_with(&std::fs::read_to_string(dir.join(name)).unwrap(), &sounds)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn phases(t: &Timeline) -> Vec<(Duration, Phase, Duration)> {
    t.events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Phase { phase, length, .. } => Some((e.at, phase, length)),
            _ => None,
        })
        .collect()
}

/// Phases follow each other without gap or overlap from the opening bell to the end.
fn assert_phases_tile(t: &Timeline) {
    let mut at = Duration::ZERO;
    for (start, phase, length) in phases(t) {
        assert_eq!(start, at, "gap or overlap before {phase:?} at {start:?}");
        at += length;
    }
    assert_eq!(at, t.total);
}

fn assert_ordered(events: &[Event]) {
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
    let last = events.last().unwrap();
    assert!(matches!(last.kind, EventKind::Finished));
}

fn pattern(inhale: u64, hold: u64, exhale: u64, rest: u64) -> Pattern {
    Pattern {
        inhale: ms(inhale),
        top_up: Duration::ZERO,
        hold: ms(hold),
        exhale: ms(exhale),
        rest: ms(rest),
    }
}

#[test]
fn a_ramp_in_breaths_moves_evenly_from_one_pattern_to_the_other() {
    let t = fixture("ramp.toml");
    let exhales: Vec<u128> = phases(&t)
        .iter()
        .filter(|(at, p, _)| *p == Phase::Exhale && *at < t.steps[1].start)
        .map(|(_, _, len)| len.as_millis())
        .collect();
    assert_eq!(exhales, [6000, 6500, 7000, 7500, 8000]);
    assert_eq!(
        t.steps[0].length,
        ms(10_000 + 10_500 + 11_000 + 11_500 + 12_000)
    );
    assert_phases_tile(&t);
}

#[test]
fn a_ramp_in_time_holds_whole_breaths_and_rests_the_remainder() {
    let t = fixture("ramp.toml");
    let second = &t.steps[1];
    assert_eq!(second.length, ms(60_000));
    let plan = second.breath.as_ref().unwrap();
    // 4-0-4-0 (8 s) to 4-0-8-1 (13 s): five breaths take 8 + 9.25 + 10.5 + 11.75 + 13 = 52.5 s;
    // a sixth would not fit.
    assert_eq!(plan.breaths, 5);
    assert_eq!(plan.last, pattern(4000, 0, 8000, 1000));
    let last_rest = phases(&t)
        .into_iter()
        .rev()
        .find(|p| p.1 == Phase::Rest)
        .unwrap();
    assert_eq!(last_rest.2, ms(1000 + 60_000 - 52_500));
    assert_phases_tile(&t);
}

#[test]
fn ramp_phases_round_to_the_nearest_millisecond() {
    let from = pattern(4000, 0, 6000, 0);
    let to = pattern(4000, 0, 7000, 1);
    assert_eq!(ramp_breath(from, to, 1, 3).exhale, ms(6500));
    assert_eq!(ramp_breath(from, to, 1, 3).rest, ms(1)); // 0.5 ms rounds up
    assert_eq!(ramp_breath(from, to, 0, 1), from);
    assert_eq!(ramp_breath(from, to, 2, 3), to);
}

#[test]
fn the_sigh_has_a_top_up_inhale_and_tones_on_breathing_phases() {
    let t = fixture("sigh.toml");
    let first_breath: Vec<(Phase, u128)> = phases(&t)
        .iter()
        .take(3)
        .map(|(_, p, l)| (*p, l.as_millis()))
        .collect();
    assert_eq!(
        first_breath,
        [
            (Phase::Inhale, 2000),
            (Phase::TopUp, 1000),
            (Phase::Exhale, 6000)
        ]
    );
    assert_eq!(t.total, ms(5 * 9000));
    assert!(t.events.iter().all(|e| match e.kind {
        EventKind::Phase { tone, .. } => tone,
        _ => true,
    }));
    // Shorthand and table forms are the same pattern.
    assert_eq!(
        t.steps[0].breath.as_ref().unwrap().first,
        t.steps[1].breath.as_ref().unwrap().first
    );
}

#[test]
fn repeats_expand_in_order_with_their_round_numbers() {
    let t = fixture("repeat.toml");
    let titles: Vec<(&str, Option<u32>)> = t
        .steps
        .iter()
        .map(|s| (s.title.as_str(), s.round.as_ref().map(|r| r.number)))
        .collect();
    assert_eq!(
        titles,
        [
            ("Settle", None),
            ("Breathe", Some(1)),
            ("Still", Some(1)),
            ("Still", Some(2)),
            ("Breathe", Some(2)),
            ("Still", Some(1)),
            ("Still", Some(2)),
            ("Close", None),
        ]
    );
    for pair in t.steps.windows(2) {
        assert_eq!(pair[0].start + pair[0].length, pair[1].start);
    }
    assert_eq!(t.total, ms(60_000 + 2 * (24_000 + 20_000) + 30_000));
    assert_phases_tile(&t);
    assert_ordered(&t.events);
}

#[test]
fn principle_cues_take_the_next_line_each_time() {
    let t = fixture("cues.toml");
    let cues: Vec<(u128, &str)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Cue { text, .. } => Some((e.at.as_millis(), text.as_str())),
            _ => None,
        })
        .collect();
    let relax = hara::principles::find("relax").unwrap().cues;
    assert_eq!(
        cues,
        [
            (0, "Let your weight settle."),
            (20_000, relax[0]),
            (40_000, relax[1]),
            (75_000, relax[2]),
            (90_000, relax[3]),
            (105_000, relax[4]),
        ]
    );
}

#[test]
fn interval_bells_give_way_to_other_bells() {
    let t = fixture("bells.toml");
    let bells: Vec<u128> = t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Bell { .. }))
        .map(|e| e.at.as_millis())
        .collect();
    // No start bell; intervals at 2, 4 (given way to the step bell and the bell at 4m) and
    // 6 minutes; wood at 3m; the Ogg file at 5m; the bundled bowl at 6m30s; the end bell.
    assert_eq!(
        bells,
        [
            120_000, 180_000, 240_000, 240_000, 300_000, 360_000, 390_000, 420_000
        ]
    );
    assert_ordered(&t.events);
}

#[test]
fn a_long_session_of_odd_breaths_is_exact() {
    // 7 h of 4.1-0.3-6.7-0.9 breaths (12 s each) in 7 rounds of an hour: no rounding anywhere.
    let t = compile(
        "title = \"Long\"\n[[step]]\nrepeat = 7\n[[step.step]]\nbreaths = 300\nbreath = \"4.1-0.3-6.7-0.9\"\n",
    );
    assert_eq!(t.total, Duration::from_secs(7 * 3600));
    assert_phases_tile(&t);
    let finished = t.events.last().unwrap();
    assert_eq!(finished.at, Duration::from_secs(7 * 3600));
}

#[test]
fn compiling_is_deterministic() {
    let a = serde_json::to_string(&fixture("cues.toml")).unwrap();
    let b = serde_json::to_string(&fixture("cues.toml")).unwrap();
    assert_eq!(a, b);
}

/// The timed events counted against the limit: breath phases, cues and bells.
fn counted(t: &Timeline) -> usize {
    t.events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::StepStarted { .. } | EventKind::Finished))
        .count()
}

#[test]
fn the_event_limit_counts_what_the_format_says_and_every_range_is_reachable() {
    // repeat = 10000, the top of its range, of a one-second sit with no bells.
    let t = compile(
        "title = \"R\"\n[bells]\nstart = \"none\"\nend = \"none\"\n[[step]]\nrepeat = 10000\n[[step.step]]\nduration = \"1s\"\n",
    );
    assert_eq!(counted(&t), 10_000);
    // breaths = 10000, the top of its range.
    let t = compile("title = \"B\"\n[[step]]\nbreaths = 10000\nbreath = \"4-0-4-0\"\n");
    assert_eq!(counted(&t), 20_000 + 2);
    // Exactly the limit passes; one more does not.
    let exactly = "title = \"E\"\n[bells]\nstart = \"none\"\nend = \"none\"\n[[step]]\nrepeat = 10\n[[step.step]]\nbreaths = 5000\nbreath = \"0.5-0-0.5-0\"\n";
    // (Breathing this fast earns a warning, not an error.)
    let t = check_str(exactly, &InstrumentsOnly).session.unwrap().1;
    assert_eq!(counted(&t), 100_000);
    let over = exactly.replace("end = \"none\"", "end = \"bowl\"");
    let checked = check_str(&over, &InstrumentsOnly);
    assert!(checked.session.is_none());
    let message = &checked.diagnostics[0];
    assert!(
        message
            .message
            .starts_with("the session has 100001 timed events"),
        "{message:?}"
    );
    assert!(message.span.is_some(), "it points at what takes it over");
}

#[test]
fn principle_lines_are_handed_out_in_the_order_the_cues_are_shown() {
    // Written 20 s first, then 10 s: the 10 s cue is shown first and gets the first line.
    let t = compile(
        "title = \"P\"\n[[step]]\nduration = \"1m\"\ncues = [{ at = \"20s\", principle = \"relax\" }, { at = \"10s\", principle = \"relax\" }]\n",
    );
    let cues: Vec<(u128, String)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Cue { text, .. } => Some((e.at.as_millis(), text.clone())),
            _ => None,
        })
        .collect();
    let relax = hara::principles::find("relax").unwrap();
    assert_eq!(
        cues,
        [
            (10_000, relax.cues[0].to_string()),
            (20_000, relax.cues[1].to_string())
        ]
    );
}
