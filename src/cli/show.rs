//! `hara show`: a session's plan as a person reads it, or its whole timeline as JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::check::plural;
use super::run::{FitArgs, OpenForArgs, SeedArgs};
use crate::output::Writer;
use crate::session::duration::{self, format_clock_tenths};
use crate::session::format::{CueTime, Every};
use crate::session::library::Library;
use crate::timeline::{EventKind, OpenPlan, PlannedStep, Spoken, Timeline};

pub fn run(
    library: &Library,
    spec: &str,
    json: bool,
    fit: &FitArgs,
    seed: &SeedArgs,
    open: &OpenForArgs,
) -> Result<ExitCode> {
    let (session, timeline) = super::load(library, spec)?;
    let timeline = seed.apply(&session, timeline)?;
    let timeline = open.timeline(fit, &session, timeline)?;
    let mut out = Writer::stdout();
    if json {
        let text = serde_json::to_string_pretty(&timeline).context("cannot write JSON")?;
        writeln!(out, "{text}")?;
    } else {
        out.write_all(plan(&timeline).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn describe_step(step: &PlannedStep, laid_out: bool) -> String {
    let mut parts = vec![match (&step.open, laid_out) {
        (Some(_), true) => "open: until you go on".to_string(),
        (Some(_), false) => format!("open, here {}", duration::format_rounded(step.length)),
        (None, _) => duration::format_rounded(step.length),
    }];
    match &step.breath {
        None => parts.push("free breathing".into()),
        Some(b) if step.open.is_some() => parts.push(format!("breathing {}", b.first)),
        Some(b) if b.first == b.last => parts.push(format!("{} breaths of {}", b.breaths, b.first)),
        Some(b) => parts.push(format!("{} breaths, {} → {}", b.breaths, b.first, b.last)),
    }
    if let Some(r) = &step.round {
        let group = r
            .group
            .as_ref()
            .map(|g| format!("{g}, "))
            .unwrap_or_default();
        parts.push(format!("{group}round {} of {}", r.number, r.of));
    }
    parts.join(", ")
}

/// What an open step does while it lasts, one line each: its cues and interval bells.
fn open_rules(plan: &OpenPlan) -> Vec<String> {
    let mut out: Vec<String> = plan
        .cues
        .iter()
        .map(|c| {
            let when = match c.when {
                CueTime::At(d) => format!("at {}", duration::format(d)),
                CueTime::Every(d) => format!("every {}", duration::format(d)),
            };
            let said = if c.spoken { " (spoken)" } else { "" };
            let text = match c.lines.as_slice() {
                [one] => one.clone(),
                lines => format!("{} (and {} more lines, in turn)", lines[0], lines.len() - 1),
            };
            format!("cue{said} {when}: {text}")
        })
        .collect();
    if let Some(i) = &plan.interval {
        let at_random = match i.every {
            Every::Fixed(_) => "",
            Every::Between { .. } => ", at random",
        };
        out.push(format!("bell every {}{at_random}: {}", i.every, i.bell));
    }
    out
}

/// The readable plan: one line per step, cue and bell, at its session time. In a timeline
/// laid out for a run, an open step is shown as what it does while it lasts, and the times
/// after it leave it out, marked `+` (plus however long the open steps take).
pub fn plan(t: &Timeline) -> String {
    let laid_out = t.open_for.is_none();
    // `[start, end)` of each open step as laid out ahead, to be left out of the times.
    let opens: Vec<(usize, std::time::Duration, std::time::Duration)> = t
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.open.is_some() && laid_out)
        .map(|(i, s)| (i, s.start, s.start + s.length))
        .collect();
    // Where an event at `at` is, leaving out the open steps before it; and whether any were.
    let planned = |at: std::time::Duration| {
        let before: std::time::Duration = opens
            .iter()
            .filter(|(_, _, end)| *end <= at)
            .map(|(_, start, end)| *end - *start)
            .sum();
        (at - before, opens.iter().any(|(_, start, _)| *start < at))
    };
    let inside_open =
        |at: std::time::Duration| opens.iter().any(|(_, start, end)| *start < at && at < *end);
    let mut out = format!("{}\n", t.title);
    if let Some(summary) = &t.summary {
        out += &format!("{summary}\n");
    }
    if !t.tags.is_empty() {
        out += &format!("tags: {}\n", t.tags.join(", "));
    }
    out += &format!("length {}", t.length_words(duration::format));
    if !t.prepare.is_zero() {
        out += &format!(", after a {} countdown", duration::format(t.prepare));
    }
    out += "\n";
    if let Some(seed) = t.seed {
        out += &format!(
            "bells at random from seed {seed}: `--seed {seed}` gives this plan again (hara show, run, render)\n"
        );
    }
    out += "\n";
    let tones = |step: usize| {
        let next = t.steps.get(step + 1).map_or(t.total, |s| s.start);
        t.events.iter().any(|e| {
            e.at >= t.steps[step].start
                && e.at < next
                && matches!(e.kind, EventKind::Phase { tone: true, .. })
        })
    };
    // The step's own words or its breath words, spoken within it.
    let spoken = |step: usize, of: Spoken| {
        let next = t.steps.get(step + 1).map_or(t.total, |s| s.start);
        t.events.iter().any(|e| {
            e.at >= t.steps[step].start
                && e.at < next
                && matches!(&e.kind, EventKind::Speech { of: o, .. } if *o == of)
        })
    };
    // The bed is named where it changes, not at every step that keeps it.
    let mut bed = None;
    for e in &t.events {
        // What an open step laid out ahead holds is said once, as rules, under its title.
        if inside_open(e.at) {
            continue;
        }
        let (when, after_open) = planned(e.at);
        let at = format_clock_tenths(when) + if after_open { "+" } else { "" };
        match &e.kind {
            EventKind::Ambient { bed: now } if bed != Some(now) => {
                match now {
                    Some(a) => out += &format!("{at:>9}      bed: {a}\n"),
                    None => out += &format!("{at:>9}      bed: none\n"),
                }
                bed = Some(now);
            }
            EventKind::Ambient { .. } => {}
            EventKind::StepStarted { step } => {
                let s = &t.steps[*step];
                let tone_note = match (tones(*step), spoken(*step, Spoken::Breath)) {
                    (true, true) => ", tones, breath words",
                    (true, false) => ", tones",
                    (false, true) => ", breath words",
                    (false, false) => "",
                };
                out += &format!(
                    "{at:>9}  {:>2}. {}  ({}{tone_note})\n",
                    step + 1,
                    s.title,
                    describe_step(s, laid_out)
                );
                if let Some(text) = &s.text {
                    let said = if spoken(*step, Spoken::Step) {
                        "(spoken) "
                    } else {
                        ""
                    };
                    out += &format!("{:>9}      {said}{text}\n", "");
                }
                if let (Some(open), true) = (&s.open, laid_out) {
                    for rule in open_rules(open) {
                        out += &format!("{:>9}      {rule}\n", "");
                    }
                }
            }
            EventKind::Cue { text, spoken, .. } => {
                let said = if *spoken { "cue (spoken)" } else { "cue" };
                out += &format!("{at:>9}      {said}: {text}\n")
            }
            EventKind::Bell { bell } => out += &format!("{at:>9}      bell: {bell}\n"),
            EventKind::Finished => out += &format!("{at:>9}      end\n"),
            EventKind::Phase { .. } | EventKind::Speech { .. } => {}
        }
    }
    let breaths = t.breaths();
    out += &format!(
        "\n{}, {}, {} in all\n",
        plural(t.steps.len(), "step"),
        plural(breaths as usize, "paced breath"),
        t.length_words(duration::format_rounded)
    );
    if !opens.is_empty() {
        out += "+ marks times after an open step, which adds however long it takes\n";
    }
    out
}
