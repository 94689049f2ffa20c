//! Compiling a checked [`Session`] into a [`Timeline`]: every step, breath phase, cue and
//! bell at its exact offset from the opening bell.
//!
//! All arithmetic is on whole milliseconds (`Duration`); offsets are sums of exact integer
//! lengths, so the total is exact however long the session.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use thiserror::Error;

use super::duration;
use super::format::*;
use crate::timeline::*;

/// The longest session hara will run.
pub const MAX_SESSION: Duration = Duration::from_secs(24 * 60 * 60);
/// The most timed events (breath phases, cues, sounding bells) a session may hold once
/// repeats are expanded. Step starts and the end are not counted.
pub const MAX_EVENTS: u64 = 100_000;

/// A session over one of the limits, with the value that takes it over.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what}")]
pub struct LimitError {
    pub what: String,
    /// The `repeat`, length or interval that takes the session over.
    pub span: Option<Span>,
    pub help: String,
}

// ---------- lengths, shared with the checker ----------

/// The pattern of breath `i` of `n` across a ramp, each phase rounded to the nearest
/// millisecond. Breath 0 is `from`, breath `n - 1` is `to`.
pub fn ramp_breath(from: Pattern, to: Pattern, i: u32, n: u32) -> Pattern {
    if n <= 1 {
        return from;
    }
    let lerp = |a: Duration, b: Duration| {
        let (a, b) = (a.as_millis() as i128, b.as_millis() as i128);
        let (num, den) = ((b - a) * i128::from(i), i128::from(n - 1));
        let ms = a + (2 * num + den).div_euclid(2 * den);
        Duration::from_millis(ms as u64)
    };
    Pattern {
        inhale: lerp(from.inhale, to.inhale),
        top_up: lerp(from.top_up, to.top_up),
        hold: lerp(from.hold, to.hold),
        exhale: lerp(from.exhale, to.exhale),
        rest: lerp(from.rest, to.rest),
    }
}

fn breath_pattern(breath: Breath, i: u32, n: u32) -> Pattern {
    match breath {
        Breath::Steady(p) => p,
        Breath::Ramp { from, to } => ramp_breath(from, to, i, n),
    }
}

/// `Σ floor((a·i + b) / m)` for `i` in `0..n`, with `m > 0`, in O(log) steps: the classic
/// floor-sum recursion (as in the AtCoder Library), which swaps the roles of `a` and `m`
/// like Euclid's algorithm.
fn floor_sum(mut n: u128, mut m: u128, mut a: u128, mut b: u128) -> u128 {
    let mut sum = 0u128;
    loop {
        if a >= m {
            sum += n * n.saturating_sub(1) / 2 * (a / m);
            a %= m;
        }
        if b >= m {
            sum += n * (b / m);
            b %= m;
        }
        let y_max = a * n + b;
        if y_max < m {
            return sum;
        }
        n = y_max / m;
        b = y_max % m;
        std::mem::swap(&mut m, &mut a);
    }
}

/// The milliseconds of one phase over the `n` breaths of a ramp from `a` to `b`, each
/// rounded as [`ramp_breath`] rounds it, in closed form. Breath `i` is
/// `a + round((b − a)·i / (n − 1))`, rounding halves up; the values are symmetric, so with
/// `d = |b − a|` the sum is `n·min(a, b) + Σ floor((2d·i + n − 1) / (2(n − 1)))`.
fn ramp_phase_sum(a: Duration, b: Duration, n: u32) -> u128 {
    let (a, b, n) = (a.as_millis(), b.as_millis(), u128::from(n));
    if n <= 1 {
        return a * n;
    }
    n * a.min(b) + floor_sum(n, 2 * (n - 1), 2 * a.abs_diff(b), n - 1)
}

/// The length of `n` breaths of `breath` (a ramp spread over exactly `n`), in milliseconds.
fn breaths_ms(breath: Breath, n: u32) -> u128 {
    match breath {
        Breath::Steady(p) => p.cycle().as_millis() * u128::from(n),
        Breath::Ramp { from, to } => {
            ramp_phase_sum(from.inhale, to.inhale, n)
                + ramp_phase_sum(from.top_up, to.top_up, n)
                + ramp_phase_sum(from.hold, to.hold, n)
                + ramp_phase_sum(from.exhale, to.exhale, n)
                + ramp_phase_sum(from.rest, to.rest, n)
        }
    }
}

/// The length of `n` breaths of `breath` (a ramp spread over exactly `n`).
pub(crate) fn breaths_length(breath: Breath, n: u32) -> Duration {
    Duration::from_millis(u64::try_from(breaths_ms(breath, n)).unwrap_or(u64::MAX))
}

/// How many whole breaths fit in `len`: the count `n` whose breaths fit while `n + 1` do not.
/// A ramp's length is found in closed form, so this is a binary search of O(log) steps
/// whatever the phases (a ramp of 1 ms phases used to take seconds to fit).
pub(crate) fn breaths_fitting(breath: Breath, len: Duration) -> u32 {
    let ms = len.as_millis();
    let n = match breath {
        Breath::Steady(p) => ms / p.cycle().as_millis(),
        Breath::Ramp { from, to } => {
            // Every breath is at least the shorter end's cycle (each phase rounds to a value
            // between its ends), so `hi` breaths are too many.
            let shortest = from.cycle().min(to.cycle()).as_millis().max(1);
            let (mut lo, mut hi) = (0u128, (ms / shortest + 1).min(u128::from(u32::MAX)));
            if breaths_ms(breath, hi as u32) <= ms {
                return u32::MAX;
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if breaths_ms(breath, mid as u32) <= ms {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            lo
        }
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How far ahead of the run an open step is laid out: a timeline for a run gives each open
/// step this long, and the engine keeps it at least half of this ahead of the run while it
/// lasts, so followers always hold the next events of it.
pub const OPEN_AHEAD: Duration = Duration::from_secs(60);

/// Breaths in a step (zero for a sit, and for an open step: they are not planned).
pub fn step_breaths(step: &Step) -> u32 {
    match (step.length, step.breath) {
        (Length::Open, _) | (_, None) => 0,
        (Length::Breaths(n), Some(_)) => n,
        (Length::Time(d), Some(b)) => breaths_fitting(b, d),
    }
}

pub fn step_length(step: &Step) -> Duration {
    match (step.length, step.breath) {
        (Length::Time(d), _) => d,
        (Length::Breaths(n), Some(b)) => breaths_length(b, n),
        (Length::Breaths(_), None) | (Length::Open, _) => Duration::ZERO,
    }
}

/// The length of a list of steps and groups, saturating rather than overflowing.
pub fn items_length(items: &[Item]) -> Duration {
    items.iter().fold(Duration::ZERO, |acc, item| {
        acc.saturating_add(match item {
            Item::Step(s) => step_length(s),
            Item::Repeat(r) => items_length(&r.items).saturating_mul(r.times),
        })
    })
}

/// The timed events a step brings: its breath phases (a sit is one still phase), its cues
/// and its bell.
fn step_event_count(step: &Step) -> u64 {
    let len = step_length(step);
    let breaths = u64::from(step_breaths(step));
    let phases = match step.breath {
        // An open step's events are laid out as it runs, a few at a time.
        _ if step.length == Length::Open => 1,
        None => 1,
        Some(b) => {
            let p = breath_pattern(b, 0, 1);
            let per_breath = [p.inhale, p.top_up, p.hold, p.exhale, p.rest]
                .iter()
                .filter(|d| !d.is_zero())
                .count() as u64;
            // Time left over after the last whole breath becomes a rest of its own.
            let left_over = breaths_length(b, breaths as u32) < len;
            let trailing = u64::from(p.rest.is_zero() && left_over);
            breaths
                .saturating_mul(per_breath)
                .saturating_add(trailing)
                .max(1)
        }
    };
    let cues: u64 = step
        .cues
        .iter()
        .map(|c| match c.when {
            CueTime::At(_) => 1,
            CueTime::Every(e) => ((len.as_millis().saturating_sub(1)) / e.as_millis()) as u64,
        })
        .sum();
    phases + cues + u64::from(step.bell.is_some()) + bells_event_count(&step.bells, len)
}

/// The most bells a set of bells can sound over `len` (an interval counted at its shortest).
fn bells_event_count(bells: &Bells, len: Duration) -> u64 {
    let interval = bells.interval.as_ref().map_or(0, |i| {
        (len.as_millis().saturating_sub(1) / i.every.shortest().as_millis()) as u64
    });
    u64::from(bells.start.is_some())
        + u64::from(bells.end.is_some())
        + bells.at.len() as u64
        + interval
}

fn items_event_count(items: &[Item]) -> u64 {
    items
        .iter()
        .map(item_event_count)
        .fold(0, u64::saturating_add)
}

fn item_event_count(item: &Item) -> u64 {
    match item {
        Item::Step(s) => step_event_count(s),
        Item::Repeat(r) => items_event_count(&r.items).saturating_mul(u64::from(r.times)),
    }
}

fn item_ms(item: &Item) -> u64 {
    let length = match item {
        Item::Step(s) => step_length(s),
        Item::Repeat(r) => items_length(&r.items).saturating_mul(r.times),
    };
    u64::try_from(length.as_millis()).unwrap_or(u64::MAX)
}

/// The value that takes `items` over a budget of `left` (in the units `cost` counts): a
/// step's length, or the `repeat` of a group of which fewer rounds would fit, with a help
/// line saying what fits. Groups of which not even one round fits are looked into.
fn over_budget(
    items: &[Item],
    mut left: u64,
    cost: &dyn Fn(&Item) -> u64,
    unit: &dyn Fn(u64) -> String,
) -> Option<(Span, String)> {
    for item in items {
        let c = cost(item);
        if c <= left {
            left -= c;
            continue;
        }
        return Some(match item {
            Item::Step(s) => (
                s.length_span.clone(),
                format!(
                    "this step takes the session over (there is room for {} more): shorten \
                     it, or split the session",
                    unit(left)
                ),
            ),
            Item::Repeat(r) => {
                let round = r.items.iter().map(cost).fold(0, u64::saturating_add);
                if round > left {
                    return over_budget(&r.items, left, cost, unit);
                }
                let fit = left / round.max(1);
                (
                    r.times_span.clone(),
                    format!("{fit} rounds fit in what is left; use repeat = {fit} or fewer"),
                )
            }
        });
    }
    None
}

/// Checks the limits without expanding anything, so a session with a million repeats is
/// refused at once instead of being built. The error points at what takes it over.
pub fn check_limits(session: &Session) -> Result<(), LimitError> {
    let total = items_length(&session.items);
    if total > MAX_SESSION {
        let budget = MAX_SESSION.as_millis() as u64;
        let unit = |ms: u64| duration::format(Duration::from_millis(ms));
        let (span, help) = over_budget(&session.items, budget, &item_ms, &unit)
            .map_or((None, "split it into shorter sessions".into()), |(s, h)| {
                (Some(s), h)
            });
        return Err(LimitError {
            what: format!(
                "the session is {} long; hara runs sessions of at most 24 hours",
                duration::format(total)
            ),
            span,
            help,
        });
    }
    let bells = &session.bells;
    let interval = bells.interval.as_ref().map_or(0, |i| {
        (total.as_millis().saturating_sub(1) / i.every.shortest().as_millis()) as u64
    });
    let fixed_bells = bells_event_count(bells, total) - interval;
    let steps = items_event_count(&session.items);
    let events = steps.saturating_add(interval).saturating_add(fixed_bells);
    if events <= MAX_EVENTS {
        return Ok(());
    }
    let what = format!(
        "the session has {events} timed events (breath phases, cues and bells) once repeats \
         are expanded; the limit is {MAX_EVENTS}"
    );
    let unit = |n: u64| format!("{n} events");
    let budget = MAX_EVENTS.saturating_sub(fixed_bells);
    let (span, help) = match &bells.interval {
        // Without the interval bells it would fit: the interval is what to change.
        Some(i) if steps <= budget => (
            Some(i.every_span.clone()),
            "a longer interval between bells".to_string(),
        ),
        _ => over_budget(
            &session.items,
            budget.saturating_sub(interval),
            &item_event_count,
            &unit,
        )
        .map_or((None, "fewer breaths, cues or rounds".into()), |(s, h)| {
            (Some(s), h)
        }),
    };
    Err(LimitError { what, span, help })
}

/// The phase events of `n` breaths from `start`, breath `i` shaped by `pattern(i)`, with the
/// last breath's rest lengthened so that together they fill exactly `len`. Zero-length phases
/// are left out; `tones` marks the phases a breath tone sounds in.
pub fn breath_events(
    start: Duration,
    len: Duration,
    n: u32,
    pattern: impl Fn(u32) -> Pattern,
    tones: bool,
) -> Vec<Event> {
    let mut out = Vec::new();
    let mut at = start;
    for i in 0..n {
        let mut p = pattern(i);
        if i + 1 == n {
            p.rest += (start + len).saturating_sub(at + p.cycle());
        }
        for (phase, length) in p.phases() {
            if !length.is_zero() {
                let tone = tones && phase.has_tone();
                out.push(Event {
                    at,
                    kind: EventKind::Phase {
                        phase,
                        length,
                        tone,
                    },
                });
                at += length;
            }
        }
    }
    out
}

// ---------- drawing at random ----------

/// The seed of a plan's draws (the gaps of bells at random). The same session, fit and seed
/// always give the same plan; a run picks its seed outside the core and says which.
pub type Seed = u64;

/// The generator of the draws for one interval: ChaCha8 from the seed, on a stream of its
/// own (0 for the session's interval, 1 + the step's number for a step's), so the gaps of one
/// interval do not change with the draws of another. ChaCha8's output for a seed is
/// documented as stable across versions of `rand_chacha`.
pub fn draws(seed: Seed, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A number from `0` to `n`, each as likely (numbers from the top of the generator's range
/// that would favour the low ones are drawn again). Written out here rather than taken from
/// `rand`'s distributions, whose values are not promised to stay the same between versions.
fn up_to(rng: &mut impl RngCore, n: u64) -> u64 {
    let Some(count) = n.checked_add(1) else {
        return rng.next_u64();
    };
    let zone = u64::MAX / count * count;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % count;
        }
    }
}

/// A gap from `shortest` to `longest`, both included: in whole seconds when both ends are
/// whole seconds (so a plan reads 4:37, not 4:36.812), else in milliseconds.
pub fn draw_gap(rng: &mut impl RngCore, shortest: Duration, longest: Duration) -> Duration {
    let unit = if shortest.subsec_millis() == 0 && longest.subsec_millis() == 0 {
        1000
    } else {
        1
    };
    let (low, high) = (
        shortest.as_millis() as u64 / unit,
        longest.as_millis() as u64 / unit,
    );
    Duration::from_millis((low + up_to(rng, high.saturating_sub(low))) * unit)
}

/// The moments of an interval's bells in `[start, end)`: the first one gap after `start`.
fn interval_times(
    every: Every,
    start: Duration,
    end: Duration,
    rng: &mut ChaCha8Rng,
) -> Vec<Duration> {
    let mut gap = || match every {
        Every::Fixed(d) => d,
        Every::Between { shortest, longest } => draw_gap(rng, shortest, longest),
    };
    let mut out = Vec::new();
    let mut at = start + gap();
    while at < end {
        out.push(at);
        at += gap();
    }
    out
}

// ---------- compiling ----------

/// The session's plan for a run: each open step laid out [`OPEN_AHEAD`] long, for the engine
/// to lengthen while it lasts and cut where the person moves on. Bells at random take their
/// gaps from `seed` (a session without them comes out the same whatever the seed); the
/// timeline records the seed when it used it.
pub fn compile(session: &Session, seed: Seed) -> Result<Timeline, LimitError> {
    compile_layout(session, seed, None)
}

/// The plan as if each open step lasted `open_for` (for `hara render`, and for a plan that
/// assumes a length): every step is then timed.
pub fn compile_open_for(
    session: &Session,
    seed: Seed,
    open_for: Duration,
) -> Result<Timeline, LimitError> {
    compile_layout(session, seed, Some(open_for))
}

fn compile_layout(
    session: &Session,
    seed: Seed,
    open_for: Option<Duration>,
) -> Result<Timeline, LimitError> {
    check_limits(session)?;
    if let Some(d) = open_for {
        let opens = count_open(&session.items);
        let total = items_length(&session.items).saturating_add(d.saturating_mul(opens));
        if opens > 0 && total > MAX_SESSION {
            return Err(LimitError {
                what: format!(
                    "with its open steps {} each, the session is {} long; hara runs sessions of \
                     at most 24 hours",
                    duration::format(d),
                    duration::format(total)
                ),
                span: None,
                help: "give the open steps a shorter length".into(),
            });
        }
    }
    let mut c = Compiler {
        lang: session.lang.clone(),
        session_bed: session.ambient.clone(),
        beds: session.ambient.is_some() || items_have_own_bed(&session.items),
        open_for,
        seed,
        interval: session.bells.interval.clone(),
        ..Compiler::default()
    };
    c.items(&session.items, None);
    // Bells at offsets, and the session's interval bells, count the planned time: an open
    // step takes none of it (it has interval bells of its own), and a bell at the moment an
    // open step begins sounds as it begins.
    let planned = c.planned;
    let opens = std::mem::take(&mut c.opens);
    let laid = |t: Duration| {
        t + opens
            .iter()
            .filter(|(start, _)| *start < t)
            .map(|(_, len)| *len)
            .sum::<Duration>()
    };
    let end = c.now;
    let bells = &session.bells;
    if let Some(b) = &bells.start {
        c.push(Duration::ZERO, EventKind::Bell { bell: b.clone() });
    }
    for b in &bells.at {
        c.push(
            laid(b.at),
            EventKind::Bell {
                bell: b.bell.clone(),
            },
        );
    }
    if let Some(b) = &bells.end {
        c.push(end, EventKind::Bell { bell: b.clone() });
    }
    // An interval bell that would sound with another bell is left out: one strike is
    // clearer than two at once. The steps' intervals come before the session's.
    let mut taken: HashSet<Duration> = c
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Bell { .. }))
        .map(|e| e.at)
        .collect();
    for (interval, start, end, stream) in std::mem::take(&mut c.intervals) {
        let mut rng = draws(seed, stream);
        for at in interval_times(interval.every, start, end, &mut rng) {
            if taken.insert(at) {
                c.push(
                    at,
                    EventKind::Bell {
                        bell: interval.bell.clone(),
                    },
                );
            }
        }
    }
    if let Some(interval) = &bells.interval {
        let mut rng = draws(seed, 0);
        for at in interval_times(interval.every, Duration::ZERO, planned, &mut rng) {
            if taken.insert(laid(at)) {
                c.push(
                    laid(at),
                    EventKind::Bell {
                        bell: interval.bell.clone(),
                    },
                );
            }
        }
    }
    c.push(end, EventKind::Finished);
    after_the_bells(&mut c.events, &c.steps);
    c.events.sort_by_key(|e| (e.at, e.kind.rank()));
    give_way(&mut c.events);
    Ok(Timeline {
        title: session.title.clone(),
        summary: session.summary.clone(),
        tags: session.tags.clone(),
        lang: session.lang.clone(),
        prepare: session.prepare,
        total: if open_for.is_some() { end } else { planned },
        open_for,
        steps: c.steps,
        events: c.events,
        seed: session.draws_at_random().then_some(seed),
    })
}

/// How many open steps a list holds (repeats expanded; the checker keeps them out of groups).
fn count_open(items: &[Item]) -> u32 {
    items
        .iter()
        .map(|item| match item {
            Item::Step(s) => u32::from(s.length == Length::Open),
            Item::Repeat(r) => count_open(&r.items).saturating_mul(r.times),
        })
        .sum()
}

/// Whether a step among `items` has a sound bed of its own.
fn items_have_own_bed(items: &[Item]) -> bool {
    items.iter().any(|item| match item {
        Item::Step(s) => matches!(s.ambient, StepAmbient::Own(_)),
        Item::Repeat(r) => items_have_own_bed(&r.items),
    })
}

/// How long after a bell's (last) strike a step's words begin, when the bell sounds as the
/// step starts: the strike is heard on its own, and the words come as it rings.
pub const WORDS_AFTER_BELL: Duration = Duration::from_millis(1500);

/// Moves each step's spoken words past the bells that strike as the step starts: to
/// [`WORDS_AFTER_BELL`] after the last strike, and never past the step's end.
fn after_the_bells(events: &mut [Event], steps: &[PlannedStep]) {
    let strikes_end = |at: Duration, events: &[Event]| {
        events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Bell { bell } if e.at == at => {
                    Some(bell.gap.saturating_mul(bell.strikes.saturating_sub(1)))
                }
                _ => None,
            })
            .max()
    };
    let mut moves = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let EventKind::Speech {
            of: Spoken::Step, ..
        } = e.kind
            && let Some(last) = strikes_end(e.at, events)
        {
            let end = steps
                .iter()
                .find(|s| s.start == e.at)
                .map_or(e.at, |s| s.start + s.length);
            moves.push((i, (e.at + last + WORDS_AFTER_BELL).min(end)));
        }
    }
    for (i, at) in moves {
        events[i].at = at;
    }
}

/// Leaves out the breath words that would be said over other speech (a step's words, a
/// spoken cue) or a bell's strike, by an estimate of how long each takes: the breath goes on,
/// paced by its tones and the screen. `events` are in order of time.
fn give_way(events: &mut Vec<Event>) {
    use super::words::estimate;
    let mut busy: Vec<(Duration, Duration)> = Vec::new();
    for e in events.iter() {
        match &e.kind {
            EventKind::Bell { bell } => {
                for k in 0..bell.strikes {
                    let at = e.at + bell.gap.saturating_mul(k);
                    busy.push((at, at + Duration::from_millis(1)));
                }
            }
            EventKind::Speech {
                of: Spoken::Breath, ..
            } => {}
            EventKind::Cue { text, .. } | EventKind::Speech { text, .. }
                if e.kind.said().is_some() =>
            {
                busy.push((e.at, e.at + estimate(text)));
            }
            _ => {}
        }
    }
    if busy.is_empty() {
        return;
    }
    busy.sort();
    let longest = busy.iter().map(|(s, e)| *e - *s).max().unwrap_or_default();
    events.retain(|e| {
        let EventKind::Speech {
            text,
            of: Spoken::Breath,
            ..
        } = &e.kind
        else {
            return true;
        };
        let (from, to) = (e.at, e.at + estimate(text));
        let before = busy.partition_point(|(s, _)| *s < to);
        !busy[..before]
            .iter()
            .rev()
            .take_while(|(s, _)| *s + longest > from)
            .any(|(_, end)| *end > from)
    });
}

#[derive(Default)]
struct Compiler {
    /// The session's language, for the words of `speak_breath`.
    lang: Option<String>,
    /// The session's sound bed, and whether any bed plays anywhere (only then does each step
    /// start say which bed plays in it).
    session_bed: Option<Ambient>,
    beds: bool,
    /// Where the next step starts, as laid out (open steps included).
    now: Duration,
    /// Where the next step starts in planned time (open steps taking none).
    planned: Duration,
    /// `(planned start, laid-out length)` of each open step.
    opens: Vec<(Duration, Duration)>,
    /// `None` lays open steps out for a run; a length lays them out that long.
    open_for: Option<Duration>,
    /// The run's seed, for the gaps of the session's interval in open steps.
    seed: Seed,
    /// The session's interval bell, which open steps sound on their own.
    interval: Option<IntervalBell>,
    steps: Vec<PlannedStep>,
    events: Vec<Event>,
    /// How many lines of each principle have been used, so the next use gets the next line.
    principle_uses: HashMap<&'static str, usize>,
    /// Intervals to place once every other bell is in: each with the span it sounds in and
    /// the stream its draws come from.
    intervals: Vec<(IntervalBell, Duration, Duration, u64)>,
}

impl Compiler {
    fn push(&mut self, at: Duration, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    /// The bells at offsets from `start`, and the end bell at `end`.
    fn fixed_bells(&mut self, bells: &Bells, start: Duration, end: Duration) {
        for b in &bells.at {
            self.push(
                start + b.at,
                EventKind::Bell {
                    bell: b.bell.clone(),
                },
            );
        }
        if let Some(b) = &bells.end {
            self.push(end, EventKind::Bell { bell: b.clone() });
        }
    }

    fn text(&mut self, text: &Text) -> String {
        match text {
            Text::Written(s) => s.clone(),
            Text::Principle(p) => {
                let used = self.principle_uses.entry(p.id).or_default();
                let line = p.cues[*used % p.cues.len()];
                *used += 1;
                line.to_string()
            }
        }
    }

    fn items(&mut self, items: &[Item], round: Option<Round>) {
        for item in items {
            match item {
                Item::Step(s) => self.step(s, round.clone()),
                Item::Repeat(r) => {
                    for number in 1..=r.times {
                        let round = Round {
                            group: r.title.clone(),
                            number,
                            of: r.times,
                        };
                        self.items(&r.items, Some(round));
                    }
                }
            }
        }
    }

    fn step(&mut self, step: &Step, round: Option<Round>) {
        if step.length == Length::Open {
            return self.open_step(step, round);
        }
        let start = self.now;
        let len = step_length(step);
        let index = self.steps.len();
        let text = step.text.as_ref().map(|t| self.text(t));
        self.push(start, EventKind::StepStarted { step: index });
        self.bed_and_bell(step, start);
        self.fixed_bells(&step.bells, start, start + len);
        if let Some(interval) = &step.bells.interval {
            let stream = 1 + index as u64;
            self.intervals
                .push((interval.clone(), start, start + len, stream));
        }
        self.step_words(step, &text, start);
        let breath = step.breath.map(|b| {
            let n = step_breaths(step);
            BreathPlan {
                breaths: n,
                first: breath_pattern(b, 0, n),
                last: breath_pattern(b, n.saturating_sub(1), n),
            }
        });
        self.phases(step, start, len);
        // Principle lines are handed out in the order the cues are shown, not the order
        // they are written in (a stable sort keeps file order for cues at the same moment).
        let mut shown: Vec<(Duration, &Text, bool, &Option<PathBuf>)> = Vec::new();
        for cue in &step.cues {
            let spoken = cue.speak.unwrap_or(step.speak);
            match cue.when {
                CueTime::At(d) => shown.push((d, &cue.text, spoken, &cue.voice)),
                CueTime::Every(e) => {
                    let mut d = e;
                    while d < len {
                        shown.push((d, &cue.text, spoken, &cue.voice));
                        d += e;
                    }
                }
            }
        }
        shown.sort_by_key(|(d, _, _, _)| *d);
        for (d, text, spoken, voice) in shown {
            let text = self.text(text);
            let voice = voice.clone();
            self.push(
                start + d,
                EventKind::Cue {
                    text,
                    spoken,
                    voice,
                },
            );
        }
        self.steps.push(PlannedStep {
            title: step.title.clone(),
            text,
            start,
            length: len,
            breath,
            round,
            open: None,
        });
        self.now = start + len;
        self.planned += len;
    }

    /// What every step starts with: which bed plays (when any does: so a skip or a step back
    /// lands on the right one, and the same bed as before plays on unbroken), and its bell.
    fn bed_and_bell(&mut self, step: &Step, start: Duration) {
        if self.beds {
            let bed = match &step.ambient {
                StepAmbient::Session => self.session_bed.clone(),
                StepAmbient::Off => None,
                StepAmbient::Own(a) => Some(a.clone()),
            };
            self.push(start, EventKind::Ambient { bed });
        }
        if let Some(bell) = &step.bell {
            self.push(start, EventKind::Bell { bell: bell.clone() });
        }
    }

    /// A step's words (its `text`, or its recorded `voice`) when it speaks, as it starts:
    /// [`after_the_bells`] moves them past a bell that strikes then.
    fn step_words(&mut self, step: &Step, text: &Option<String>, start: Duration) {
        if step.speak && (text.is_some() || step.voice.is_some()) {
            self.push(
                start,
                EventKind::Speech {
                    text: text.clone().unwrap_or_default(),
                    voice: step.voice.clone(),
                    of: Spoken::Step,
                },
            );
        }
    }

    /// An open step: its start, and its events laid out for a while (for a run) or for the
    /// length given (for a render). The checker gives an open step no bells of its own but
    /// its start bell; the session's interval sounds in it from its start.
    fn open_step(&mut self, step: &Step, round: Option<Round>) {
        let start = self.now;
        let index = self.steps.len();
        let text = step.text.as_ref().map(|t| self.text(t));
        self.push(start, EventKind::StepStarted { step: index });
        self.bed_and_bell(step, start);
        self.step_words(step, &text, start);
        let cues = step
            .cues
            .iter()
            .map(|cue| OpenCue {
                when: cue.when,
                lines: match &cue.text {
                    Text::Written(s) => vec![s.clone()],
                    Text::Principle(p) => {
                        // Its lines in turn, from the next one not yet used.
                        let used = self.principle_uses.entry(p.id).or_default();
                        let first = *used % p.cues.len();
                        *used += 1;
                        p.cues[first..]
                            .iter()
                            .chain(&p.cues[..first])
                            .map(|l| l.to_string())
                            .collect()
                    }
                },
                spoken: cue.speak.unwrap_or(step.speak),
                voice: cue.voice.clone(),
            })
            .collect();
        let breath = match step.breath {
            Some(Breath::Steady(p)) => Some(p),
            // The checker allows no ramp in an open step: there is no length to spread it over.
            Some(Breath::Ramp { from, .. }) => Some(from),
            None => None,
        };
        let plan = OpenPlan {
            breath,
            tones: step.tones,
            cues,
            interval: self.interval.as_ref().map(|i| OpenInterval {
                every: i.every,
                bell: i.bell.clone(),
                seed: self.seed,
                // The stream a step's own interval would have: an open step has none.
                stream: 1 + index as u64,
            }),
        };
        let len = self.open_for.unwrap_or(OPEN_AHEAD);
        let laid = if self.open_for.is_some() {
            plan.laid_out(len)
        } else {
            let mut laid: Vec<Event> = plan.still(len).into_iter().collect();
            laid.extend(plan.events(Duration::ZERO, len));
            laid
        };
        self.events.extend(laid.into_iter().map(|e| Event {
            at: start + e.at,
            kind: e.kind,
        }));
        self.steps.push(PlannedStep {
            title: step.title.clone(),
            text,
            start,
            length: len,
            breath: breath.map(|p| BreathPlan {
                breaths: 0,
                first: p,
                last: p,
            }),
            round,
            open: Some(plan),
        });
        self.opens.push((self.planned, len));
        self.now = start + len;
    }

    /// The breath phases of a step. Time left over after the last whole breath lengthens its
    /// rest, so a step given in time ends exactly on time.
    fn phases(&mut self, step: &Step, start: Duration, len: Duration) {
        let n = step_breaths(step);
        let (Some(breath), true) = (step.breath, n > 0) else {
            self.push(
                start,
                EventKind::Phase {
                    phase: Phase::Still,
                    length: len,
                    tone: false,
                },
            );
            return;
        };
        let events = breath_events(start, len, n, |i| breath_pattern(breath, i, n), step.tones);
        let words: Vec<Event> = if step.speak_breath {
            events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::Phase { phase, .. } => {
                        let word = super::words::phase_word(self.lang.as_deref(), phase)?;
                        Some(Event {
                            at: e.at,
                            kind: EventKind::Speech {
                                text: word.to_string(),
                                voice: None,
                                of: Spoken::Breath,
                            },
                        })
                    }
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        self.events.extend(events);
        self.events.extend(words);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(inhale: u64, hold: u64, exhale: u64, rest: u64) -> Pattern {
        let ms = Duration::from_millis;
        Pattern {
            inhale: ms(inhale),
            top_up: Duration::ZERO,
            hold: ms(hold),
            exhale: ms(exhale),
            rest: ms(rest),
        }
    }

    /// The length of `n` breaths the long way: each breath built and summed.
    fn summed(breath: Breath, n: u32) -> u128 {
        (0..n)
            .map(|i| breath_pattern(breath, i, n).cycle().as_millis())
            .sum()
    }

    #[test]
    fn a_ramp_length_in_closed_form_is_the_sum_of_its_breaths() {
        let ends = [
            (pattern(4000, 0, 6000, 0), pattern(4000, 0, 8000, 0)),
            (pattern(1, 0, 1, 0), pattern(2, 0, 2, 0)),
            (pattern(1, 7, 2, 3), pattern(9001, 0, 1, 5)),
            (pattern(5000, 5000, 5000, 5000), pattern(1, 0, 3, 0)),
        ];
        for (from, to) in ends {
            let ramp = Breath::Ramp { from, to };
            for n in (0..60).chain([97, 1000, 4099]) {
                assert_eq!(breaths_ms(ramp, n), summed(ramp, n), "{from} → {to}, {n}");
            }
        }
    }

    /// The plan of a valid session text.
    fn planned(source: &str) -> Timeline {
        crate::session::check_str(source, &crate::session::check::InstrumentsOnly)
            .session
            .unwrap()
            .1
    }

    fn spoken(source: &str) -> Vec<(u64, String, Spoken)> {
        planned(source)
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Speech { text, of, .. } => {
                    Some((e.at.as_millis() as u64, text.clone(), *of))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_step_s_words_begin_after_its_bell_has_struck() {
        let words = spoken(
            "title = \"t\"\nspeak = true\n[bells]\nstart = \"bowl\"\nend = \"none\"\n\
             [[step]]\nduration = 10\ntext = \"Arrive.\"\n\
             [[step]]\nduration = 10\ntext = \"Soften.\"\n\
             bell = { sound = \"bell\", strikes = 3, gap = \"2s\" }\n\
             [[step]]\nduration = 10\ntext = \"Rest.\"\n\
             [[step]]\nduration = 1\ntext = \"Short.\"\nbell = \"wood\"\n",
        );
        let step = |at, text: &str| (at, text.to_string(), Spoken::Step);
        assert_eq!(
            words,
            [
                // The opening bowl, then the words.
                step(1500, "Arrive."),
                // Three strikes 2 s apart: after the last.
                step(10_000 + 4000 + 1500, "Soften."),
                // No bell: at once.
                step(20_000, "Rest."),
                // Never past the step's end.
                step(31_000, "Short."),
            ]
        );
    }

    #[test]
    fn breath_words_come_with_their_phases_and_give_way_to_other_speech() {
        let words = spoken(
            "title = \"t\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
             [[step]]\nbreaths = 2\nbreath = \"4+1-2-6-3\"\nspeak_breath = true\n\
             [[step]]\nbreaths = 3\nbreath = \"4-0-6-0\"\nspeak_breath = true\n\
             speak = true\ntext = \"Soften the belly.\"\n",
        );
        let at = |w: &[(u64, String, Spoken)]| -> Vec<(u64, String)> {
            w.iter().map(|(a, t, _)| (*a, t.clone())).collect()
        };
        let breath: Vec<_> = words
            .iter()
            .filter(|w| w.2 == Spoken::Breath)
            .cloned()
            .collect();
        let w = |a, t: &str| (a, t.to_string());
        assert_eq!(
            at(&breath),
            [
                w(0, "in"),
                w(4000, "and in"),
                w(5000, "hold"),
                w(7000, "out"),
                w(13_000, "rest"),
                w(16_000, "in"),
                w(20_000, "and in"),
                w(21_000, "hold"),
                w(23_000, "out"),
                w(29_000, "rest"),
                // The second step's words, "Soften the belly." (about 1.7 s) at 32 s, take
                // its first "in": the breath words go on from its "out".
                w(36_000, "out"),
                w(42_000, "in"),
                w(46_000, "out"),
                w(52_000, "in"),
                w(56_000, "out"),
            ]
        );
        // In German; none in a language hara has no words in.
        let de = spoken(
            "title = \"t\"\nlang = \"de-AT\"\n[[step]]\nbreaths = 1\nbreath = \"4-0-6-0\"\nspeak_breath = true\n",
        );
        let texts: Vec<&str> = de.iter().map(|(_, t, _)| t.as_str()).collect();
        // The opening bowl strikes with the first inhale: its word gives way.
        assert_eq!(texts, ["aus"]);
        let ja = spoken(
            "title = \"t\"\nlang = \"ja\"\n[[step]]\nbreaths = 1\nbreath = \"4-0-6-0\"\nspeak_breath = true\n",
        );
        assert!(ja.is_empty());
    }

    #[test]
    fn the_breaths_that_fit_are_the_most_that_fit() {
        let ramp = Breath::Ramp {
            from: pattern(1, 0, 1, 0),
            to: pattern(1, 0, 2, 0),
        };
        for ms in [0u64, 1, 2, 3, 5, 100, 6_000, 3_600_000, 6 * 3_600_000] {
            let len = Duration::from_millis(ms);
            let n = breaths_fitting(ramp, len);
            assert!(breaths_length(ramp, n) <= len, "{ms}: {n}");
            assert!(breaths_length(ramp, n + 1) > len, "{ms}: {n}");
        }
    }

    // ---------- bells at random and step bells ----------

    use crate::session::check::InstrumentsOnly;
    use proptest::prelude::*;

    fn session(source: &str) -> Session {
        let checked = crate::session::check_str(source, &InstrumentsOnly);
        assert!(
            checked.diagnostics.iter().all(|d| !d.is_error()),
            "{:#?}",
            checked.diagnostics
        );
        checked.session.unwrap().0
    }

    /// The times of the bells of `sound`, in order.
    fn bells_of(t: &Timeline, sound: &str) -> Vec<Duration> {
        t.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Bell { bell } if bell.sound.to_string() == sound => Some(e.at),
                _ => None,
            })
            .collect()
    }

    fn beds(source: &str) -> Vec<(u64, Option<String>)> {
        planned(source)
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Ambient { bed } => {
                    Some((e.at.as_secs(), bed.as_ref().map(|a| a.sound.to_string())))
                }
                _ => None,
            })
            .collect()
    }

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    const RANDOM: &str = "title = \"R\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
        interval = { every = \"3m..7m\", sound = \"bell\" }\n[[step]]\nduration = \"2h\"\n";

    #[test]
    fn a_seed_gives_one_plan_and_another_seed_another() {
        let random = session(RANDOM);
        let a = compile(&random, 48213).unwrap();
        assert_eq!(a, compile(&random, 48213).unwrap());
        assert_eq!(a.seed, Some(48213));
        assert_ne!(
            bells_of(&a, "bell"),
            bells_of(&compile(&random, 48214).unwrap(), "bell")
        );
        // A session with nothing at random is the same plan whatever the seed, and says no seed.
        let fixed = session(&RANDOM.replace("3m..7m", "5m"));
        let f = compile(&fixed, 1).unwrap();
        assert_eq!(f, compile(&fixed, 2).unwrap());
        assert_eq!(f.seed, None);
        assert_eq!(bells_of(&f, "bell")[..3], [s(300), s(600), s(900)]);
    }

    #[test]
    fn the_gaps_of_a_seed_stay_the_same_from_version_to_version() {
        // ChaCha8's stream for a seed is documented as stable; this pins hara's draw from it,
        // so a seed kept in a journal gives the same bells in a later hara.
        let t = compile(&session(RANDOM), 7).unwrap();
        let first: Vec<u64> = bells_of(&t, "bell")[..4]
            .iter()
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(first, [289, 613, 1026, 1272]);
    }

    proptest! {
        #[test]
        fn every_gap_lies_in_the_range(seed in any::<u64>(), low in 1u64..600, wide in 0u64..600, ms in any::<bool>()) {
            let (low, high) = if ms { (low * 100 + 7, (low + wide) * 100 + 7) } else { (low * 1000, (low + wide) * 1000) };
            let every = format!("{}..{}", duration::format(Duration::from_millis(low)), duration::format(Duration::from_millis(high)));
            let source = RANDOM.replace("3m..7m", &every);
            let random = session(&source);
            let t = compile(&random, seed).unwrap();
            prop_assert_eq!(&t, &compile(&random, seed).unwrap());
            let times = bells_of(&t, "bell");
            prop_assert!(!times.is_empty());
            let mut last = Duration::ZERO;
            for at in &times {
                let gap = (*at - last).as_millis() as u64;
                prop_assert!((low..=high).contains(&gap), "{} not in {}..{}", gap, low, high);
                last = *at;
            }
            // The next gap would have passed the end.
            prop_assert!(t.total - last <= Duration::from_millis(high));
        }
    }

    #[test]
    fn a_draw_from_a_range_of_one_value_is_that_value_and_up_to_is_even() {
        let mut rng = draws(3, 0);
        assert_eq!(draw_gap(&mut rng, s(60), s(60)), s(60));
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[up_to(&mut rng, 3) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
    }

    const STEPS: &str = "title = \"S\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
        [[step]]\ntitle = \"Sit\"\nduration = \"10m\"\n\
        bells = { interval = { every = \"1m..3m\", sound = \"wood\" }, at = [{ at = \"5m\", sound = \"bell\" }], end = \"bowl\" }\n\
        [[step]]\nrepeat = 3\n[[step.step]]\ntitle = \"Breathe\"\nbreaths = 4\nbreath = \"4-0-6-0\"\n\
        bells = { start = \"bell\", end = \"bowl\" }\n";

    #[test]
    fn step_bells_are_timed_from_the_step_and_every_round_has_them() {
        let t = compile(&session(STEPS), 11).unwrap();
        let wood = bells_of(&t, "wood");
        assert!(!wood.is_empty());
        assert!(
            wood.iter().all(|at| *at > Duration::ZERO && *at < s(600)),
            "{wood:?}"
        );
        // The step's `at` bell, then each round's start bell (`bells.start`, as `bell`).
        assert_eq!(bells_of(&t, "bell"), [s(300), s(600), s(640), s(680)]);
        // Each step's end: the sit's, then each round's 40 s of breaths.
        assert_eq!(bells_of(&t, "bowl"), [s(600), s(640), s(680), s(720)]);
        assert_eq!(t.steps[1].start, s(600));
        assert_eq!(t.seed, Some(11));
    }

    #[test]
    fn bells_at_random_in_an_open_step_come_from_the_seed_whatever_stretch_is_asked_for() {
        let source = "format = 1.1\ntitle = \"O\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
            interval = { every = \"20s..40s\", sound = \"bell\" }\n\
            [[step]]\nduration = \"1m\"\n[[step]]\ntitle = \"Talk\"\nduration = \"open\"\n";
        let open = session(source);
        let plan = |seed| {
            let t = compile(&open, seed).unwrap();
            assert_eq!(t.seed, Some(seed));
            t.steps[1].open.clone().unwrap()
        };
        let bells = |plan: &OpenPlan, from: u64, to: u64| -> Vec<Duration> {
            plan.events(s(from), s(to))
                .into_iter()
                .filter(|e| matches!(e.kind, EventKind::Bell { .. }))
                .map(|e| e.at)
                .collect()
        };
        // An hour of the open step: each gap in the range, counted from the step's start.
        let a = plan(5);
        let hour = bells(&a, 0, 3600);
        let mut last = Duration::ZERO;
        for at in &hour {
            assert!((s(20)..=s(40)).contains(&(*at - last)), "{hour:?}");
            last = *at;
        }
        // Laid out a piece at a time (as the engine does while it lasts), the same bells.
        let pieces: Vec<Duration> = (0..60)
            .flat_map(|m| bells(&a, m * 60, m * 60 + 60))
            .collect();
        assert_eq!(pieces, hour);
        // The same seed, the same bells; another seed, others.
        assert_eq!(bells(&plan(5), 0, 3600), hour);
        assert_ne!(bells(&plan(6), 0, 3600), hour);
    }

    #[test]
    fn a_step_interval_gives_way_to_another_bell_at_the_same_moment() {
        let source = "title = \"S\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
            interval = { every = \"2m\", sound = \"bell\" }\n\
            [[step]]\nduration = \"10m\"\nbells = { interval = { every = \"1m\", sound = \"wood\" }, at = [{ at = \"3m\" }] }\n";
        let t = compile(&session(source), 0).unwrap();
        // Wood every minute but at 3m (the bowl at an offset); the session's bells every
        // two minutes give way to the step's.
        assert_eq!(
            bells_of(&t, "wood"),
            [1, 2, 4, 5, 6, 7, 8, 9].map(|m| s(60 * m))
        );
        assert_eq!(bells_of(&t, "bowl"), [s(180)]);
        assert!(bells_of(&t, "bell").is_empty());
    }

    #[test]
    fn every_step_start_says_which_bed_plays_when_a_session_has_one() {
        let source = "title = \"T\"\nambient = \"surf\"\n\
            [[step]]\nduration = 10\n\
            [[step]]\nduration = 10\nambient = false\n\
            [[step]]\nrepeat = 2\n[[step.step]]\nduration = 5\nambient = \"rain\"\n\
            [[step.step]]\nduration = 5\n";
        let surf = Some("surf".to_string());
        let rain = Some("rain".to_string());
        assert_eq!(
            beds(source),
            [
                (0, surf.clone()),
                (10, None),
                (20, rain.clone()),
                (25, surf.clone()),
                (30, rain),
                (35, surf)
            ]
        );
        // Only a step's own bed: the others have none.
        let source =
            "title = \"T\"\n[[step]]\nduration = 10\n[[step]]\nduration = 10\nambient = \"rain\"\n";
        assert_eq!(beds(source), [(0, None), (10, Some("rain".into()))]);
        // No bed anywhere: no bed events at all.
        assert!(beds("title = \"T\"\n[[step]]\nduration = 10\n").is_empty());
    }
}
