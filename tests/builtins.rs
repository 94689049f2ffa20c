//! The built-in session library: guidance worth practising with, held to the format's rules.

use std::collections::BTreeSet;
use std::time::Duration;

use hara::principles::{MAX_CUE_CHARS, PRINCIPLES};
use hara::session::check::InstrumentsOnly;
use hara::session::format::{Item, Session, Text};
use hara::session::library::BUILTINS;
use hara::timeline::{EventKind, Phase, Timeline};

fn builtin(name: &str) -> (Session, Timeline) {
    let b = BUILTINS.iter().find(|b| b.name == name).unwrap();
    let checked = hara::session::check_str(b.source, &InstrumentsOnly);
    assert!(
        checked.diagnostics.is_empty(),
        "{name}: {:#?}",
        checked.diagnostics
    );
    checked.session.unwrap()
}

fn principles_used(items: &[Item], used: &mut BTreeSet<&'static str>) {
    for item in items {
        match item {
            Item::Repeat(r) => principles_used(&r.items, used),
            Item::Step(step) => {
                let texts = step.text.iter().chain(step.cues.iter().map(|c| &c.text));
                for text in texts {
                    if let Text::Principle(p) = text {
                        used.insert(p.id);
                    }
                }
            }
        }
    }
}

#[test]
fn every_principle_is_used_by_some_session() {
    let mut used = BTreeSet::new();
    for b in BUILTINS {
        principles_used(&builtin(b.name).0.items, &mut used);
    }
    let all: BTreeSet<&str> = PRINCIPLES.iter().map(|p| p.id).collect();
    assert_eq!(used, all);
}

#[test]
fn every_cue_fits_one_projected_line_and_every_session_is_described() {
    for b in BUILTINS {
        let (session, timeline) = builtin(b.name);
        assert!(session.summary.is_some(), "{} has no summary", b.name);
        assert!(!session.tags.is_empty(), "{} has no tags", b.name);
        for e in &timeline.events {
            if let EventKind::Cue { text, .. } = &e.kind {
                let n = text.chars().count();
                assert!(n <= MAX_CUE_CHARS, "{}: {n} characters: {text}", b.name);
            }
        }
    }
}

/// (phase, seconds) of the first breath of a session's first breathing step.
fn first_breath(t: &Timeline) -> Vec<(Phase, f64)> {
    let step = t.steps.iter().position(|s| s.breath.is_some()).unwrap();
    let start = t.steps[step].start;
    let plan = t.steps[step].breath.as_ref().unwrap();
    let end = start + plan.first.cycle();
    t.events
        .iter()
        .filter(|e| e.at >= start && e.at < end)
        .filter_map(|e| match e.kind {
            EventKind::Phase { phase, length, .. } => Some((phase, length.as_secs_f64())),
            _ => None,
        })
        .collect()
}

#[test]
fn standard_patterns_keep_their_published_timings() {
    use Phase::*;
    let (_, box_) = builtin("box-breathing");
    assert_eq!(
        first_breath(&box_),
        [(Inhale, 4.0), (Hold, 4.0), (Exhale, 4.0), (Rest, 4.0)]
    );

    let (_, four_seven_eight) = builtin("four-seven-eight");
    assert_eq!(
        first_breath(&four_seven_eight),
        [(Inhale, 4.0), (Hold, 7.0), (Exhale, 8.0)]
    );
    assert_eq!(four_seven_eight.breaths(), 4);

    let (_, coherent) = builtin("coherent-breathing");
    assert_eq!(first_breath(&coherent), [(Inhale, 5.5), (Exhale, 5.5)]);
    // About 5.5 breaths a minute.
    let cycle = coherent.steps[0].breath.as_ref().unwrap().first.cycle();
    let per_minute = 60.0 / cycle.as_secs_f64();
    assert!((per_minute - 5.5).abs() < 0.1, "{per_minute}");

    let (_, sigh) = builtin("cyclic-sigh");
    assert_eq!(
        first_breath(&sigh),
        [(Inhale, 2.0), (TopUp, 1.0), (Exhale, 6.0)]
    );
    assert!(sigh.total >= Duration::from_secs(270) && sigh.total <= Duration::from_secs(330));
}

#[test]
fn lengths_match_what_the_readme_promises() {
    let minutes = |name: &str| builtin(name).1.total.as_secs_f64() / 60.0;
    assert!((2.0..=4.0).contains(&minutes("before-a-client")));
    assert!((1.0..=1.5).contains(&minutes("between-clients")));
    assert!((9.0..=11.0).contains(&minutes("hara-breathing")));
    assert!((11.0..=13.0).contains(&minutes("lying-belly-breath")));
    assert!((4.5..=6.0).contains(&minutes("standing-grounding")));
    assert_eq!(minutes("group-sitting"), 30.0);
}

#[test]
fn group_sitting_ends_with_three_bells_and_keeps_its_lines_short() {
    let (session, t) = builtin("group-sitting");
    let end = session.bells.end.unwrap();
    assert_eq!(end.strikes, 3);
    let cues: Vec<&EventKind> = t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Cue { .. }))
        .map(|e| &e.kind)
        .collect();
    assert!(cues.len() >= 3);
    for c in cues {
        if let EventKind::Cue { text, .. } = c {
            assert!(
                text.chars().count() <= 40,
                "projected lines stay short: {text}"
            );
        }
    }
}

#[test]
fn the_bodywork_and_beginner_sessions_speak_words_written_to_be_heard_without_overlaps() {
    use hara::timeline::Said;
    for name in [
        "before-a-client",
        "between-clients",
        "standing-grounding",
        "hara-breathing",
        "lying-belly-breath",
    ] {
        let (_, t) = builtin(name);
        assert!(
            hara::speech::texts(&t).len() >= 3,
            "{name} should speak its words"
        );
    }
    for b in BUILTINS {
        let (_, t) = builtin(b.name);
        for text in hara::speech::texts(&t) {
            assert!(
                !text.contains(['(', ')', '[', ']', '/', '&', '*', '"', '→', '×']),
                "{}: \"{text}\" is written to be read, not heard",
                b.name
            );
        }
        // Estimated as hara check estimates a text it has not spoken before.
        let said = |s: Said<'_>| match s {
            Said::Text(text) => hara::speech::estimate(text),
            Said::Clip(_) => unreachable!("built-in sessions have no recorded voices"),
        };
        assert_eq!(
            hara::speech::overlaps(&t, said),
            Vec::<String>::new(),
            "{}",
            b.name
        );
        assert_eq!(
            hara::speech::short_phases(&t, hara::speech::estimate),
            Vec::<String>::new(),
            "{}",
            b.name
        );
        // A step's words never fall on a bell's strike: they begin after it.
        for e in &t.events {
            if let EventKind::Speech { .. } = e.kind {
                let bell_now = t
                    .events
                    .iter()
                    .any(|b| b.at == e.at && matches!(b.kind, EventKind::Bell { .. }));
                assert!(!bell_now, "{}: words on a bell at {:?}", b.name, e.at);
            }
        }
    }
}
