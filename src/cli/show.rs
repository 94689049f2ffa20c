//! `hara show`: a session's plan as a person reads it, or its whole timeline as JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::check::plural;
use super::run::{FitArgs, SeedArgs};
use crate::output::Writer;
use crate::session::duration::{self, format_clock_tenths};
use crate::session::library::Library;
use crate::timeline::{EventKind, PlannedStep, Spoken, Timeline};

pub fn run(
    library: &Library,
    spec: &str,
    json: bool,
    fit: &FitArgs,
    seed: &SeedArgs,
) -> Result<ExitCode> {
    let (session, timeline) = super::load(library, spec)?;
    let timeline = seed.apply(&session, timeline)?;
    let timeline = fit.apply(&session, timeline)?;
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

fn describe_step(step: &PlannedStep) -> String {
    let mut parts = vec![duration::format_rounded(step.length)];
    match &step.breath {
        None => parts.push("free breathing".into()),
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

/// The readable plan: one line per step, cue and bell, at its session time.
pub fn plan(t: &Timeline) -> String {
    let mut out = format!("{}\n", t.title);
    if let Some(summary) = &t.summary {
        out += &format!("{summary}\n");
    }
    if !t.tags.is_empty() {
        out += &format!("tags: {}\n", t.tags.join(", "));
    }
    out += &format!("length {}", duration::format(t.total));
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
        let at = format_clock_tenths(e.at);
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
                    describe_step(s)
                );
                if let Some(text) = &s.text {
                    let said = if spoken(*step, Spoken::Step) {
                        "(spoken) "
                    } else {
                        ""
                    };
                    out += &format!("{:>9}      {said}{text}\n", "");
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
        duration::format_rounded(t.total)
    );
    out
}
