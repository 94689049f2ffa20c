//! The plain front end: one line per event, for screen readers, logs and pipes.
//!
//! It sleeps until the engine's next event is due, prints what fell due, and stops cleanly
//! on Ctrl-C, SIGTERM or SIGHUP with a line saying how long was practised.

use std::io::{self, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::audio::output::Audio;
use crate::engine::{Clock, Delivered, Engine, RealClock};
use crate::session::duration::{format, format_clock, format_clock_precise};
use crate::timeline::{EventKind, Timeline};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub practised: Duration,
    pub completed: bool,
    /// 0-based index of the step the session ended in (the last, when completed).
    pub step: Option<usize>,
}

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
        EventKind::StepStarted { step } => format!("step {}", step + 1),
        EventKind::Phase { phase, .. } => phase.name().to_string(),
        EventKind::Cue { .. } => "cue".into(),
        EventKind::Bell { .. } => "bell".into(),
        EventKind::Finished => "end".into(),
    }
}

/// The line printed for an event (without its time).
pub fn describe(kind: &EventKind, timeline: &Timeline, engine: &Engine) -> Vec<String> {
    match kind {
        EventKind::StepStarted { step } => {
            let s = &timeline.steps[*step];
            let (_, length) = engine.step_span(*step);
            let mut lines = vec![format!(
                "step {} of {}: {} ({})",
                step + 1,
                timeline.steps.len(),
                s.title,
                format(length)
            )];
            lines.extend(s.text.clone());
            lines
        }
        EventKind::Phase { phase, length, .. } => {
            vec![format!("{} {}", phase.name(), format(*length))]
        }
        EventKind::Cue { text } => vec![format!("cue: {text}")],
        EventKind::Bell { bell } => vec![format!("bell: {bell}")],
        EventKind::Finished => vec!["end".into()],
    }
}

/// What can interrupt the wait for the next event.
enum Interrupt {
    Stop,
}

/// Runs a session to its end (or to a stop signal), writing lines to `out`.
pub fn run(
    timeline: Timeline,
    speed: u32,
    audio: &Audio,
    notice: Option<String>,
    out: &mut dyn Write,
    mut log: Option<&mut TimingLog>,
) -> io::Result<Summary> {
    let (tx, rx) = mpsc::channel();
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(Interrupt::Stop);
        }
    });

    let clock = RealClock::new(speed);
    let mut engine = Engine::new(timeline.clone(), clock.now());
    let title = &timeline.title;
    let mut header = format!("{title} ({})", format(timeline.total));
    if !timeline.prepare.is_zero() {
        header += &format!(", starting in {}", format(timeline.prepare));
    }
    if speed > 1 {
        header += &format!(", at {speed}× speed");
    }
    writeln!(out, "{header}. Ctrl-C stops.")?;
    if let Some(notice) = notice {
        writeln!(out, "{notice}")?;
    }

    let completed = loop {
        let now = clock.now();
        for d in engine.advance(now) {
            audio.event(&d.kind);
            if let Some(log) = log.as_deref_mut() {
                log.record(&d)?;
            }
            for line in describe(&d.kind, &timeline, &engine) {
                writeln!(out, "{:>5}  {line}", format_clock_precise(d.at))?;
            }
        }
        out.flush()?;
        if engine.is_finished(now) {
            break true;
        }
        let wait = engine
            .next_due()
            .map_or(Duration::from_secs(1), |due| clock.wait_until(due));
        match rx.recv_timeout(wait) {
            Ok(Interrupt::Stop) => break false,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
        }
    };
    if let Some(log) = log {
        log.out.flush()?;
    }
    let now = clock.now();
    let status = engine.status(now);
    engine.stop(now);
    let practised = engine.practised(now);
    // People read the summary: whole seconds are enough.
    let whole = |d: Duration| Duration::from_secs(d.as_secs());
    let step = status.step;
    if completed {
        writeln!(out, "Finished: practised {}.", format(whole(practised)))?;
    } else {
        let place = match step {
            Some(i) => format!(
                " at {} in step {} of {} ({})",
                format_clock(status.position),
                i + 1,
                timeline.steps.len(),
                timeline.steps[i].title
            ),
            None => " during the countdown".into(),
        };
        writeln!(
            out,
            "Stopped{place}: practised {}.",
            format(whole(practised))
        )?;
    }
    out.flush()?;
    if completed {
        // Let the last bell ring out before the device closes (a stop signal cuts it short).
        let _ = rx.recv_timeout(audio.ringing_for() / speed);
    }
    handle.close();
    Ok(Summary {
        practised,
        completed,
        step,
    })
}
