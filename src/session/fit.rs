//! Fitting a session to the time there is: `hara run SESSION --fit 4m`.
//!
//! Step lengths scale by one factor; breath patterns keep their timing, so a breathing step
//! holds a whole number of breaths; bells stay (offsets scale with the session). The small
//! difference that whole breaths leave is taken up by the longest sit, or by a rest at the
//! end of the last breathing step, so the fitted session ends exactly on time.

use std::time::Duration;

use thiserror::Error;

use super::compile::{MAX_SESSION, breaths_fitting, items_length, step_length};
use super::duration::format;
use super::format::*;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FitError {
    #[error(
        "cannot fit the session into {}: it needs at least {} (one breath for each breathing step, a second for each sit)",
        format(*target),
        format(*minimum)
    )]
    TooShort { target: Duration, minimum: Duration },
    #[error("cannot fit the session into {}: hara runs sessions of at most 24 hours", format(*.0))]
    TooLong(Duration),
    #[error(
        "cannot fit the session into {}: it has no timed steps to scale, only open ones (they last until you go on)",
        format(*.0)
    )]
    OnlyOpen(Duration),
}

/// The shortest a step can be made: one breath, or a second of sitting (an open step is not
/// scaled: nothing).
fn min_step(step: &Step) -> Duration {
    if step.length == Length::Open {
        return Duration::ZERO;
    }
    match step.breath {
        None => Duration::from_secs(1).min(step_length(step)),
        Some(Breath::Steady(p)) => p.cycle(),
        Some(Breath::Ramp { from, .. }) => from.cycle(),
    }
}

fn min_length(items: &[Item]) -> Duration {
    items
        .iter()
        .map(|item| match item {
            Item::Step(s) => min_step(s),
            Item::Repeat(r) => min_length(&r.items) * r.times,
        })
        .sum()
}

/// How many open steps `items` hold (they are never inside a repeat group).
pub fn open_steps(items: &[Item]) -> usize {
    items
        .iter()
        .filter(|i| matches!(i, Item::Step(s) if s.length == Length::Open))
        .count()
}

/// `d × num / den`, rounded down to the millisecond.
fn scale(d: Duration, num: u128, den: u128) -> Duration {
    Duration::from_millis((d.as_millis() * num / den) as u64)
}

/// Scales every step by `num / den`: a sit to its share of time (at least a second, or its own
/// length if shorter), a breathing step to the whole breaths that fit in its share (at least
/// one). Cue offsets scale with their step.
fn scale_items(items: &mut [Item], num: u128, den: u128) {
    for item in items {
        match item {
            Item::Repeat(r) => scale_items(&mut r.items, num, den),
            // An open step lasts until the person goes on, whatever the fit.
            Item::Step(step) if step.length == Length::Open => {}
            Item::Step(step) => {
                let step = step.as_mut();
                let share = scale(step_length(step), num, den);
                step.length = match step.breath {
                    None => Length::Time(share.max(min_step(step))),
                    Some(breath) => Length::Breaths(breaths_fitting(breath, share).max(1)),
                };
                let len = step_length(step);
                // A step's bells at offsets move with it, as its cues do; its interval
                // keeps its length, as the session's does; its end bell stays at its end.
                for bell in &mut step.bells.at {
                    bell.at = scale(bell.at, num, den).min(len);
                }
                for cue in &mut step.cues {
                    if let CueTime::At(at) = &mut cue.when {
                        *at =
                            scale(*at, num, den).min(len.saturating_sub(Duration::from_millis(1)));
                    }
                }
            }
        }
    }
}

/// Parts per million: the resolution of the scale factor.
const PPM: u128 = 1_000_000;

/// A copy of `session` that lasts `target` from the opening bell: exactly, or (when every
/// step is inside a repeat group) at most a second less. Only timed steps are scaled: open
/// steps add however long they take to `target`.
pub fn fit(session: &Session, target: Duration) -> Result<Session, FitError> {
    if target > MAX_SESSION {
        return Err(FitError::TooLong(target));
    }
    if open_steps(&session.items) > 0 && items_length(&session.items).is_zero() {
        return Err(FitError::OnlyOpen(target));
    }
    let minimum = min_length(&session.items);
    if target < minimum {
        return Err(FitError::TooShort { target, minimum });
    }
    let total = items_length(&session.items).as_millis().max(1);
    let scaled = |ppm: u128| {
        let mut items = session.items.clone();
        scale_items(&mut items, ppm, PPM);
        items
    };
    // The largest factor whose scaled session still fits: the length grows with the factor,
    // but not in proportion (steps have a minimum, breaths come whole), so search for it.
    let (mut lo, mut hi) = (0u128, target.as_millis() * PPM / total + PPM);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if items_length(&scaled(mid)) <= target {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut fitted = session.clone();
    fitted.items = scaled(lo);
    for bell in &mut fitted.bells.at {
        bell.at = scale(bell.at, lo, PPM).min(target);
    }
    // Whole breaths leave a little over: one top-level step takes it up, or, when every step
    // is in a repeat group, a closing rest does (a difference under a second is not worth a
    // step of its own: such a session ends that little early).
    if !take_up_difference(&mut fitted.items, target) {
        let left = target.saturating_sub(items_length(&fitted.items));
        if left >= Duration::from_secs(1) {
            fitted.items.push(Item::Step(Box::new(Step {
                title: "Rest".into(),
                text: None,
                length: Length::Time(left),
                breath: None,
                tones: false,
                speak: false,
                speak_breath: false,
                voice: None,
                cues: Vec::new(),
                bell: None,
                bells: Bells::default(),
                ambient: StepAmbient::Session,
                length_span: 0..0,
            })));
        }
    }
    Ok(fitted)
}

/// Moves the total to exactly `target` by lengthening or shortening one top-level step: the
/// longest sit, or else the last breathing step (whose extra time becomes rest). Returns
/// whether the total is now exact.
fn take_up_difference(items: &mut [Item], target: Duration) -> bool {
    let total = items_length(items);
    if total == target {
        return true;
    }
    let steps = || {
        items.iter().enumerate().filter_map(|(i, it)| match it {
            Item::Step(s) => Some((i, s.as_ref())),
            Item::Repeat(_) => None,
        })
    };
    let steps = || steps().filter(|(_, s)| s.length != Length::Open);
    let longest_sit = steps()
        .filter(|(_, s)| s.breath.is_none())
        .max_by_key(|(_, s)| step_length(s))
        .map(|(i, _)| i);
    let last_breathing = steps()
        .filter(|(_, s)| s.breath.is_some())
        .map(|(i, _)| i)
        .next_back();
    for candidate in [longest_sit, last_breathing].into_iter().flatten() {
        let Item::Step(step) = &mut items[candidate] else {
            continue;
        };
        let len = step_length(step);
        let new_len = (len + target).checked_sub(total);
        if let Some(new_len) = new_len.filter(|l| *l >= min_step(step)) {
            step.length = Length::Time(new_len);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;
    use crate::session::check_str;
    use crate::session::compile::compile;

    fn compile_at(
        session: &Session,
    ) -> Result<crate::timeline::Timeline, crate::session::compile::LimitError> {
        compile(session, 0)
    }

    fn session(source: &str) -> Session {
        check_str(source, &InstrumentsOnly).session.unwrap().0
    }

    const MIXED: &str = r#"
title = "Mixed"
[bells]
at = [{ at = "5m", sound = "wood" }]
[[step]]
duration = "2m"
cues = [{ at = "1m", text = "halfway" }]
[[step]]
breaths = 12
breath = "4-0-6-0"
[[step]]
duration = "6m"
"#;

    #[test]
    fn fits_exactly_with_whole_breaths() {
        let s = session(MIXED);
        for minutes in [4u64, 5, 7, 13, 31] {
            let target = Duration::from_secs(minutes * 60) + Duration::from_millis(300);
            let t = compile_at(&fit(&s, target).unwrap()).unwrap();
            assert_eq!(t.total, target, "{minutes} min");
            let breaths = t.steps[1].breath.as_ref().unwrap();
            assert_eq!(t.steps[1].length, Duration::from_secs(10) * breaths.breaths);
        }
    }

    #[test]
    fn scales_steps_cues_and_bells_together() {
        let s = session(MIXED); // 10 minutes
        let t = compile_at(&fit(&s, Duration::from_secs(5 * 60)).unwrap()).unwrap();
        assert_eq!(t.steps[0].length, Duration::from_secs(60));
        assert_eq!(t.steps[1].breath.as_ref().unwrap().breaths, 6);
        assert_eq!(t.steps[2].length, Duration::from_secs(180));
        let at = |kind: &str| {
            t.events
                .iter()
                .find(|e| format!("{:?}", e.kind).contains(kind))
                .map(|e| e.at)
        };
        assert_eq!(at("halfway"), Some(Duration::from_secs(30)));
        assert_eq!(at("Wood"), Some(Duration::from_millis(150_000)));
    }

    #[test]
    fn refuses_what_cannot_fit() {
        let s = session(MIXED);
        let err = fit(&s, Duration::from_secs(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot fit the session into 5s: it needs at least 12s (one breath for each breathing step, a second for each sit)"
        );
        assert!(matches!(
            fit(&s, Duration::from_secs(25 * 3600)),
            Err(FitError::TooLong(_))
        ));
    }

    #[test]
    fn a_session_all_in_rounds_rests_at_the_end() {
        let s = session(
            "title = \"r\"\n[[step]]\nrepeat = 3\n[[step.step]]\nbreaths = 5\nbreath = \"4-0-6-0\"\n",
        );
        let t = compile_at(&fit(&s, Duration::from_secs(100)).unwrap()).unwrap();
        assert_eq!(t.total, Duration::from_secs(100));
        assert_eq!(t.breaths(), 9);
        assert_eq!(t.steps.last().unwrap().title, "Rest");
        assert_eq!(t.steps.last().unwrap().length, Duration::from_secs(10));
    }

    #[test]
    fn a_session_of_breathing_only_rests_the_difference() {
        let s = session("title = \"b\"\n[[step]]\nbreaths = 10\nbreath = \"4-0-6-0\"\n");
        let t = compile_at(&fit(&s, Duration::from_secs(95)).unwrap()).unwrap();
        assert_eq!(t.total, Duration::from_secs(95));
        assert_eq!(t.steps[0].breath.as_ref().unwrap().breaths, 9);
    }

    #[test]
    fn only_the_timed_steps_are_scaled_and_open_steps_stay_open() {
        let s = session(
            "format = 1.1\ntitle = \"o\"\n[[step]]\nduration = \"2m\"\n[[step]]\nduration = \"open\"\n\
             [[step]]\nduration = \"1m\"\n",
        );
        let fitted = fit(&s, Duration::from_secs(6 * 60)).unwrap();
        let t = compile(&fitted, 0).unwrap();
        assert_eq!(
            t.total,
            Duration::from_secs(6 * 60),
            "the timed steps: 4m and 2m"
        );
        assert!(t.steps[1].open.is_some(), "the open step is still open");
        assert_eq!(
            (t.steps[0].start, t.steps[2].start - t.steps[1].start),
            (Duration::ZERO, crate::session::compile::OPEN_AHEAD),
            "laid out a minute ahead, as for any run"
        );
        let only = session("format = 1.1\ntitle = \"o\"\n[[step]]\nduration = \"open\"\n");
        assert_eq!(
            fit(&only, Duration::from_secs(60)).unwrap_err().to_string(),
            "cannot fit the session into 1m: it has no timed steps to scale, only open ones (they last until you go on)"
        );
    }
}
