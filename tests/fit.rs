//! `--fit`: any session fitted to any time it can fit into lasts that long, and its breathing
//! steps keep whole breaths of their own patterns.

mod common;

use std::time::Duration;

use common::{checked, session_source};
use hara::session::compile::compile;
use hara::session::fit::fit;
use hara::session::format::{Breath, Item};
use hara::timeline::{EventKind, Phase};
use proptest::prelude::*;

fn declared_inhales(items: &[Item]) -> Vec<Duration> {
    items
        .iter()
        .flat_map(|item| match item {
            Item::Step(step) => match step.breath {
                Some(Breath::Steady(p)) => vec![p.inhale],
                Some(Breath::Ramp { from, to }) => vec![from.inhale, to.inhale],
                None => vec![],
            },
            Item::Repeat(r) => declared_inhales(&r.items),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn fitted_sessions_last_exactly_the_target(source in session_source(), target_s in 30u64..7200, ms in 0u64..1000) {
        let (session, _) = checked(&source);
        let target = Duration::from_secs(target_s) + Duration::from_millis(ms);
        let Ok(fitted) = fit(&session, target) else {
            return Ok(());
        };
        let Ok(t) = compile(&fitted, 0) else {
            return Ok(()); // scaled past the event limit: refused at compile time, not here
        };
        // Exact, except that a session made only of repeat groups may end up to a second
        // early (a rounding difference smaller than a step worth adding).
        let top_level_step = session.items.iter().any(|i| matches!(i, Item::Step(_)));
        if top_level_step {
            prop_assert_eq!(t.total, target);
        } else {
            prop_assert!(t.total <= target && target - t.total < Duration::from_secs(1), "{:?} for {:?}", t.total, target);
        }
        // Breath phases keep the timing of the session's own patterns: every inhale lies
        // within the inhales the session declares (a ramp passes between its two).
        let declared = declared_inhales(&session.items);
        let (lo, hi) = (declared.iter().min(), declared.iter().max());
        for e in &t.events {
            if let EventKind::Phase { phase: Phase::Inhale, length, .. } = e.kind {
                prop_assert!(Some(&length) >= lo && Some(&length) <= hi, "inhale {:?} outside {:?}..{:?}", length, lo, hi);
            }
        }
    }
}
