//! The plain front end: one line per event, for screen readers, logs and pipes.
//!
//! It waits until the practice's next event is due, prints what fell due, and stops cleanly
//! on Ctrl-C, SIGTERM, SIGHUP or SIGQUIT; the closing line says how long was practised.

use std::io::{self, Write};
use std::time::Duration;

use crate::engine::{Clock, Delivered, Engine, State};
use crate::journal::Ending;
use crate::practice::{Control, Inputs, Practice, Wake};
use crate::session::duration::{format, format_clock, format_clock_tenths, format_rounded};
use crate::timeline::{EventKind, Phase, Timeline};

/// What a preview is told: it is kept, but is not practice.
pub const PREVIEW: &str = "A preview: the journal marks it as one, and stats leave it out.";

/// Writes the timing log: per event, when it was due and when it was delivered.
pub struct TimingLog {
    out: Box<dyn Write>,
}

impl TimingLog {
    pub fn new(mut out: Box<dyn Write>, speed: u32) -> io::Result<Self> {
        writeln!(
            out,
            "# hara timing log: times in ms on the session clock from the start of the countdown{}",
            if speed > 1 {
                format!(" (running {speed}× real time, so real ms × {speed})")
            } else {
                String::new()
            }
        )?;
        writeln!(out, "planned_ms\tdelivered_ms\tlate_ms\tsession_ms\tevent")?;
        Ok(TimingLog { out })
    }

    fn record(&mut self, d: &Delivered) -> io::Result<()> {
        let ms = |t: Duration| t.as_secs_f64() * 1000.0;
        writeln!(
            self.out,
            "{:.3}\t{:.3}\t{:.3}\t{}\t{}",
            ms(d.due),
            ms(d.delivered),
            ms(d.delivered.saturating_sub(d.due)),
            d.at.as_millis(),
            event_name(&d.kind)
        )
    }
}

fn event_name(kind: &EventKind) -> String {
    match kind {
        EventKind::StepStarted { step, .. } => format!("step {}", step + 1),
        EventKind::Phase { phase, .. } => phase.name().to_string(),
        EventKind::Cue { .. } => "cue".into(),
        EventKind::Bell { .. } => "bell".into(),
        EventKind::Speech { .. } => "speech".into(),
        EventKind::Ambient { .. } => "bed".into(),
        EventKind::Finished => "end".into(),
    }
}

/// The line printed for an event (without its time), delivered at clock reading `now`.
pub fn describe(
    kind: &EventKind,
    timeline: &Timeline,
    engine: &Engine,
    now: Duration,
) -> Vec<String> {
    match kind {
        EventKind::StepStarted { step, .. } => {
            let s = &timeline.steps[*step];
            let (_, length) = engine.step_span(*step);
            let length = if engine.is_open(*step) {
                format!("open: {OPEN_HINT}")
            } else {
                format_rounded(length)
            };
            let mut lines = vec![format!(
                "step {} of {}: {} ({length})",
                step + 1,
                timeline.steps.len(),
                s.title,
            )];
            lines.extend(s.text.clone());
            lines
        }
        // An open sit's one phase has no length yet.
        EventKind::Phase {
            phase: Phase::Still,
            ..
        } if engine.status(now).state == State::Open => {
            vec![format!("still, until you go on ({OPEN_HINT})")]
        }
        EventKind::Phase { phase, length, .. } => {
            vec![format!("{} {}", phase.name(), format_rounded(*length))]
        }
        EventKind::Cue { text, .. } => vec![format!("cue: {text}")],
        EventKind::Bell { bell } => vec![format!("bell: {bell}")],
        // Heard, not written: the step's words are shown with the step.
        EventKind::Speech { .. } => Vec::new(),
        EventKind::Ambient { .. } => Vec::new(),
        EventKind::Finished => vec!["end".into()],
    }
}

/// How plain mode says an open step goes on.
pub const OPEN_HINT: &str = "Enter goes on";

/// How often plain mode says how long an open step has run.
const OPEN_EVERY: Duration = Duration::from_secs(60);

/// Runs `practice` to its end (or to a stop signal), writing a line per event to `out`.
/// Any input (a line typed: Enter) ends an open step; in a timed step it does nothing. In an
/// open step a line every minute says how long it has run.
/// The caller finishes the practice, records it, and then calls [`print_ending`].
pub fn run<C: Clock, T>(
    practice: &mut Practice<C>,
    inputs: &mut dyn Inputs<T>,
    out: &mut dyn Write,
    mut log: Option<&mut TimingLog>,
) -> io::Result<()> {
    let timeline = practice.timeline().clone();
    let mut header = format!("{} ({})", timeline.title, timeline.length_words(format));
    if !timeline.prepare.is_zero() {
        header += &format!(", starting in {}", format(timeline.prepare));
    }
    let speed = practice.clock().speed();
    if speed > 1 {
        header += &format!(", at {speed}× speed");
    }
    writeln!(out, "{header}. Ctrl-C stops.")?;
    if let Some(seed) = timeline.seed {
        writeln!(
            out,
            "Bells at random from seed {seed}: `--seed {seed}` runs this plan again."
        )?;
    }
    if speed > 1 {
        writeln!(out, "{PREVIEW}")?;
    }
    if let Some(notice) = practice.sound_notice() {
        writeln!(out, "{notice}")?;
    }
    let mut bed = None;
    // The minutes of the open step already told.
    let mut told = 0;
    loop {
        let now = practice.now();
        let status = practice.status(now);
        if status.state == State::Open {
            let minutes = status.step_elapsed.as_secs() / OPEN_EVERY.as_secs();
            if minutes > told {
                told = minutes;
                writeln!(
                    out,
                    "{:>5}  open {} · {OPEN_HINT}",
                    format_clock_tenths(status.position + practice.engine().started_at()),
                    format(OPEN_EVERY * minutes as u32)
                )?;
            }
        }
        for d in practice.advance_every(now) {
            if matches!(d.kind, EventKind::StepStarted { .. }) {
                told = 0;
            }
            if let Some(log) = log.as_deref_mut() {
                log.record(&d)?;
            }
            // The sound bed is named where it changes, not at every step that keeps it.
            if let EventKind::Ambient { bed: now } = &d.kind {
                if bed.as_ref() != Some(now) {
                    let name = now.as_ref().map_or("none".into(), |a| a.to_string());
                    writeln!(out, "{:>5}  bed: {name}", format_clock_tenths(d.at))?;
                    bed = Some(now.clone());
                }
                continue;
            }
            for line in describe(&d.kind, &timeline, practice.engine(), d.delivered) {
                writeln!(out, "{:>5}  {line}", format_clock_tenths(d.at))?;
            }
        }
        out.flush()?;
        if practice.is_finished(now) {
            break;
        }
        let status = practice.status(now);
        // In an open step, wake for the next whole minute of it too.
        let minute = (status.state == State::Open).then(|| {
            let into = status.step_elapsed.as_millis() % OPEN_EVERY.as_millis();
            now + OPEN_EVERY - Duration::from_millis(into as u64)
        });
        let wake = [practice.next_due(), minute].into_iter().flatten().min();
        match inputs.wait(wake, practice.clock()) {
            Some(Wake::Stop) => break,
            // From a teacher's terminal on the same run (`hara attach`).
            Some(Wake::Control(control)) => practice.apply(control, practice.now()),
            // A line typed (Enter): ends an open step, and says how long it took.
            Some(Wake::Input(_)) => {
                let now = practice.now();
                let before = practice.status(now);
                practice.apply(Control::EndOpen, now);
                if let (State::Open, Some(i)) = (before.state, before.step) {
                    writeln!(
                        out,
                        "{:>5}  {} ended after {}",
                        format_clock_tenths(before.position + practice.engine().started_at()),
                        timeline.steps[i].title,
                        format(Duration::from_secs(before.step_elapsed.as_secs()))
                    )?;
                }
            }
            _ => {}
        }
    }
    if let Some(log) = log {
        log.out.flush()?;
    }
    Ok(())
}

/// The closing line: how long was practised, and where a stopped session stopped.
pub fn print_ending<C: Clock>(
    practice: &Practice<C>,
    ending: &Ending,
    out: &mut dyn Write,
) -> io::Result<()> {
    // People read the summary: whole seconds are enough.
    let practised = format(Duration::from_secs(ending.practised.as_secs()));
    if ending.completed {
        writeln!(out, "Finished: practised {practised}.")?;
    } else {
        let status = practice.status(practice.now());
        let steps = &practice.timeline().steps;
        let place = match ending.step {
            Some(i) => format!(
                " at {} in step {} of {} ({})",
                format_clock(status.position + practice.engine().started_at()),
                i + 1,
                steps.len(),
                steps[i].title
            ),
            None => " during the countdown".into(),
        };
        writeln!(out, "Stopped{place}: practised {practised}.")?;
    }
    out.flush()
}
