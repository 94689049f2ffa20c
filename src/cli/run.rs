//! `hara run`: a session, from its first bell to its last.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::sound::SoundArgs;
use crate::config::Config;
use crate::journal::Ending;
use crate::plain::{self, TimingLog};
use crate::session::compile::compile;
use crate::session::duration::{self, format};
use crate::session::fit::fit;
use crate::session::library::Library;
use crate::ui;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A built-in name, one of your sessions, or a path
    pub session: String,
    /// One line per event instead of the full-screen view, for screen readers and logs (the
    /// default when output is not a terminal)
    #[arg(long)]
    pub plain: bool,
    /// Play the session this many times faster, to preview it
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub speed: u32,
    /// Scale the session to last this long from the opening bell, e.g. 4m or 1h30m
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "until")]
    pub fit: Option<Duration>,
    /// Scale the session to end at this local time, e.g. 14:55
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub until: Option<jiff::civil::Time>,
    /// Write each event's planned and delivered time (ms) to FILE, to check the timing (runs
    /// in plain mode)
    #[arg(long, value_name = "FILE")]
    pub timing_log: Option<PathBuf>,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    match duration::parse(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("the length must be longer than zero".into()),
        Err(e) => Err(format!("{} ({})", e.message, duration::FORMS_HELP)),
    }
}

fn parse_time(text: &str) -> Result<jiff::civil::Time, String> {
    jiff::civil::Time::strptime("%H:%M", text)
        .map_err(|_| format!("`{text}` is not a time of day; write it as HH:MM, e.g. 14:55"))
}

/// How long from now until the next time the local clock reads `until`.
fn time_until(until: jiff::civil::Time) -> Result<Duration> {
    let now = jiff::ZonedDateTime::now();
    let mut end = now
        .with()
        .time(until)
        .build()
        .context("cannot work out that time today")?;
    if end <= now {
        end = end
            .tomorrow()
            .context("cannot work out that time tomorrow")?;
    }
    let left = Duration::try_from(now.duration_until(&end)).context("that time is in the past")?;
    // Whole seconds: ending within a second of the minute is on time, and the plan reads better.
    Ok(Duration::from_secs(left.as_secs()))
}

/// Keeps the device open until the closing bell has rung out, unless a stop signal comes
/// first: leaving the view at once should not cut the last bell short.
fn ring_out(audio: &crate::audio::output::Audio) {
    let ringing = audio.ringing_for();
    if ringing.is_zero() {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let Ok(mut signals) = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ]) else {
        return;
    };
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(());
        }
    });
    let _ = rx.recv_timeout(ringing);
}

/// The line left on the terminal after the full-screen view closes.
pub fn print_ended(ending: &Ending) {
    let practised = format(Duration::from_secs(ending.practised.as_secs()));
    let how = if ending.completed {
        "Finished"
    } else {
        "Stopped"
    };
    println!("{how}: practised {practised}.");
}

pub fn run(
    library: &Library,
    args: &RunArgs,
    view: ui::Options,
    (sound, config): (&SoundArgs, &Config),
    journal: Option<&Path>,
) -> Result<ExitCode> {
    let found = library.find(&args.session)?;
    let source = found.display.clone();
    let (session, timeline) = super::load_found(library, found)?;

    let target = match (args.fit, args.until) {
        (Some(d), _) => Some(d),
        (None, Some(t)) => {
            let left = time_until(t)?;
            let Some(target) = left.checked_sub(session.prepare).filter(|d| !d.is_zero()) else {
                bail!(
                    "{} is too soon: the countdown alone takes {}",
                    t.strftime("%H:%M"),
                    format(session.prepare)
                );
            };
            Some(target)
        }
        (None, None) => None,
    };
    let timeline = match target {
        None => timeline,
        Some(target) => {
            let fitted = fit(&session, target)?;
            compile(&fitted)
                .with_context(|| format!("cannot fit the session into {}", format(target)))?
        }
    };

    // The timing log measures the plain front end, which does nothing but deliver events.
    let plain = args.plain || args.timing_log.is_some() || !std::io::stdout().is_terminal();
    // Opened before the countdown, so the first bell is on time.
    let mut audio = sound.open(config, &timeline)?;
    if !plain {
        let ending = ui::run_session(timeline.clone(), args.speed, &mut audio, view)
            .context("the terminal view failed")?;
        print_ended(&ending);
        let completed = ending.completed;
        super::journal::record(journal, &timeline, &source, ending);
        if completed {
            ring_out(&audio);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut log = match &args.timing_log {
        None => None,
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot create the timing log {}", path.display()))?;
            let out: Box<dyn Write> = Box::new(BufWriter::new(file));
            Some(TimingLog::new(out, args.speed)?)
        }
    };
    let started = crate::journal::now_local();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let notice = super::sound::notice(&audio);
    let summary = match plain::run(
        timeline.clone(),
        args.speed,
        &audio,
        notice,
        &mut out,
        log.as_mut(),
    ) {
        Ok(summary) => summary,
        // A reader that went away (`hara run … | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e).context("cannot write the session's lines"),
    };
    let ending = Ending {
        started,
        practised: summary.practised,
        completed: summary.completed,
        step: summary.step,
        note: None,
    };
    super::journal::record(journal, &timeline, &source, ending);
    Ok(ExitCode::SUCCESS)
}
