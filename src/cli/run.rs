//! `hara run`: a session, from its first bell to its last.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::engine::RealClock;
use crate::journal::Ending;
use crate::plain::{self, TimingLog};
use crate::practice::{Inbox, Practice};
use crate::session::compile::compile;
use crate::session::duration::{self, format};
use crate::session::fit::fit;
use crate::session::format::Session;
use crate::session::library::Library;
use crate::settings::Settings;
use crate::timeline::Timeline;
use crate::ui;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A built-in name, one of your sessions, or a path
    pub session: String,
    #[command(flatten)]
    pub options: RunOptions,
}

/// How a session runs: the options `hara run`, `hara sit` and `hara breathe` share.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// One line per event instead of the full-screen view, for screen readers and logs (the
    /// default when output is not a terminal)
    #[arg(long)]
    pub plain: bool,
    /// Play the session this many times faster, to preview it
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub speed: u32,
    #[command(flatten)]
    pub fit: FitArgs,
    #[command(flatten)]
    pub seed: SeedArgs,
    /// Start at this step, by number (1 is the first) or title, after the countdown: to
    /// resume after an interruption
    #[arg(long, value_name = "STEP")]
    pub from: Option<String>,
    /// Write each event's planned and delivered time (ms) to FILE, to check the timing (runs
    /// in plain mode)
    #[arg(long, value_name = "FILE")]
    pub timing_log: Option<PathBuf>,
    /// Show the session live in any browser (a read-only room display with bells), served on
    /// ADDR: 127.0.0.1:8765 when not given; a network address (or 0.0.0.0:8765) lets other
    /// devices watch
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8765", value_parser = super::share::parse_addr)]
    pub share: Option<std::net::SocketAddr>,
}

/// Scaling a session to the time there is (for `run` and `show`).
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Scale the session to last this long from the opening bell, e.g. 4m or 1h30m
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "until")]
    pub fit: Option<Duration>,
    /// Scale the session to end at this local time (within the next 12 hours), e.g. 14:55
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub until: Option<jiff::civil::Time>,
}

/// How long open steps last where nobody is there to end them (`show`, `render`).
#[derive(Debug, Args)]
pub struct OpenForArgs {
    /// How long each open step (duration = "open") lasts here, e.g. 10m
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub open_for: Option<Duration>,
}

impl OpenForArgs {
    /// The timeline of `session`, scaled as `fit` asks, with each open step lasting as long
    /// as asked; without `--open-for`, as a run lays it out.
    pub fn timeline(
        &self,
        fit: &FitArgs,
        session: &Session,
        timeline: Timeline,
    ) -> Result<Timeline> {
        let timeline = fit.apply(session, timeline)?;
        let fitted = fit.fitted(session)?;
        lay_open_steps(fitted.as_ref().unwrap_or(session), timeline, self.open_for)
    }
}

/// `timeline` with each open step lasting `open_for`, drawn from the same seed (so the open
/// steps' lengths move nothing else); a session without open steps refuses the flag rather
/// than ignore it.
pub fn lay_open_steps(
    session: &Session,
    timeline: Timeline,
    open_for: Option<Duration>,
) -> Result<Timeline> {
    match (timeline.has_open(), open_for) {
        (_, None) => Ok(timeline),
        (true, Some(d)) => {
            crate::session::compile::compile_open_for(session, timeline.seed.unwrap_or(0), d)
                .with_context(|| format!("cannot lay the open steps out {} long", format(d)))
        }
        (false, Some(_)) => bail!(
            "{} has no open steps: leave out --open-for",
            crate::text::clean_line(&timeline.title)
        ),
    }
}

impl FitArgs {
    /// The session scaled as asked, if it was asked (without the note `apply` gives).
    pub fn fitted(&self, session: &Session) -> Result<Option<Session>> {
        let target = match (self.fit, self.until) {
            (None, None) => return Ok(None),
            (Some(d), _) => d,
            (None, Some(t)) => {
                let left = time_until(&jiff::ZonedDateTime::now(), t)?;
                left.saturating_sub(session.prepare)
            }
        };
        Ok(Some(fit(session, target)?))
    }

    /// The timeline scaled as asked, or as it is.
    pub fn apply(&self, session: &Session, timeline: Timeline) -> Result<Timeline> {
        let now = jiff::ZonedDateTime::now();
        let target = match (self.fit, self.until) {
            (Some(d), _) => d,
            (None, Some(t)) => {
                let left = time_until(&now, t)?;
                let Some(target) = left.checked_sub(session.prepare).filter(|d| !d.is_zero())
                else {
                    bail!(
                        "{} is too soon: the countdown alone takes {}",
                        t.strftime("%H:%M"),
                        format(session.prepare)
                    );
                };
                target
            }
            (None, None) => return Ok(timeline),
        };
        let fitted = fit(session, target)?;
        let open = crate::session::fit::open_steps(&session.items);
        if open > 0 {
            // Said before the run, so nobody expects the open steps to fit too.
            let steps = if open == 1 {
                "step lasts"
            } else {
                "steps last"
            };
            let _ = writeln!(
                std::io::stderr(),
                "note: the timed steps are scaled to {}; the open {steps} until you go on, on top of that",
                format(target)
            );
        }
        // Fitted with the seed the plan was drawn with, so --fit and --seed together repeat.
        compile(&fitted, timeline.seed.unwrap_or(0))
            .with_context(|| format!("cannot fit the session into {}", format(target)))
    }
}

/// The seed of a plan's bells at random (`run`, `show`, `render`).
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Draw the bells at random (`every = "3m..7m"`) from this seed, to repeat a plan that
    /// `hara show` printed or the journal kept (default: a new seed each time)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl SeedArgs {
    /// The session's plan drawn from the seed asked for, or a new one, when it has bells at
    /// random; otherwise the plan as checked (which no seed changes).
    pub fn apply(&self, session: &Session, timeline: Timeline) -> Result<Timeline> {
        if !session.draws_at_random() {
            if self.seed.is_some() {
                crate::output::eprint(
                    "note: this session has no bells at random, so --seed changes nothing\n",
                )?;
            }
            return Ok(timeline);
        }
        let seed = self.seed.unwrap_or_else(crate::practice::new_seed);
        compile(session, seed).context("cannot plan the session")
    }
}

/// How far ahead `--until` looks: a time of day further than this is more likely a time
/// that has just passed than one tomorrow.
const UNTIL_AHEAD: Duration = Duration::from_secs(12 * 3600);

pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    duration::parse_length(text)
}

fn parse_time(text: &str) -> Result<jiff::civil::Time, String> {
    jiff::civil::Time::strptime("%H:%M", text)
        .map_err(|_| format!("`{text}` is not a time of day; write it as HH:MM, e.g. 14:55"))
}

/// How long from `now` until the local clock next reads `until`, which must be within the
/// next 12 hours.
fn time_until(now: &jiff::ZonedDateTime, until: jiff::civil::Time) -> Result<Duration> {
    let mut end = now
        .with()
        .time(until)
        .build()
        .context("cannot work out that time today")?;
    if end <= *now {
        end = end
            .tomorrow()
            .context("cannot work out that time tomorrow")?;
    }
    let left = Duration::try_from(now.duration_until(&end)).context("that time is in the past")?;
    if left > UNTIL_AHEAD {
        let when = until.strftime("%H:%M");
        let clock = now.strftime("%H:%M");
        let ahead = format(Duration::from_secs(left.as_secs() / 60 * 60));
        if end.date() == now.date() {
            bail!(
                "{when} is {ahead} away; --until looks at most 12 hours ahead (use --fit for a length)"
            );
        }
        bail!(
            "{when} has passed (it is {clock}); --until looks at most 12 hours ahead, and {when} \
             tomorrow is {ahead} away (use --fit for a length)"
        );
    }
    // Whole seconds: ending within a second of the minute is on time, and the plan reads better.
    Ok(Duration::from_secs(left.as_secs()))
}

/// The step `--from` names (from 0): its number (from 1) or its title (any case; the first
/// of that title).
pub fn start_step(timeline: &Timeline, from: &str) -> Result<usize> {
    let steps = &timeline.steps;
    let wanted = from.trim();
    if let Ok(n) = wanted.parse::<usize>() {
        if (1..=steps.len()).contains(&n) {
            return Ok(n - 1);
        }
    } else if let Some(i) = steps
        .iter()
        .position(|s| s.title.eq_ignore_ascii_case(wanted))
    {
        return Ok(i);
    }
    let names: Vec<String> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}", i + 1, crate::text::clean_line(&s.title)))
        .collect();
    let names = names.join(", ");
    bail!(
        "--from {}: the session has no such step; give a number from 1 to {} or a title ({names})",
        crate::text::clean_line(wanted),
        steps.len()
    )
}

/// The line left on the terminal after the full-screen view closes. A terminal that has
/// gone (the window was closed) is no reason to fail: the journal is already written.
pub fn print_ended(ending: &Ending) {
    let practised = format(Duration::from_secs(ending.practised.as_secs()));
    let how = if ending.completed {
        "Finished"
    } else {
        "Stopped"
    };
    let _ = writeln!(std::io::stdout(), "{how}: practised {practised}.");
    if ending.speed > 1 {
        let _ = writeln!(std::io::stdout(), "{}", plain::PREVIEW);
    }
}

pub fn run(library: &Library, args: &RunArgs, settings: &Settings) -> Result<ExitCode> {
    let found = library.find(&args.session)?;
    let source = found.display.clone();
    let (session, timeline) = super::load_found(library, found)?;
    practise(&session, timeline, &source, &args.options, settings)
}

/// Runs a checked session, named `source` in the journal, as `args` say.
pub fn practise(
    session: &Session,
    timeline: Timeline,
    source: &str,
    args: &RunOptions,
    settings: &Settings,
) -> Result<ExitCode> {
    let journal = settings.journal.as_deref();
    let timeline = args.seed.apply(session, timeline)?;
    let timeline = args.fit.apply(session, timeline)?;
    let first = match &args.from {
        Some(step) => start_step(&timeline, step)?,
        None => 0,
    };

    // The timing log measures the plain front end, which does nothing but deliver events.
    let plain = args.plain || args.timing_log.is_some() || !ui::can_draw();
    let mut log = match &args.timing_log {
        None => None,
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot create the timing log {}", path.display()))?;
            let out: Box<dyn Write> = Box::new(BufWriter::new(file));
            Some(TimingLog::new(out, args.speed)?)
        }
    };
    let clock = RealClock::new(args.speed);
    let room = super::share::open(args.share, &timeline, clock, settings, !plain)?;
    // Opened before the countdown, so the first bell is on time.
    let audio = super::sound::open(settings, &timeline)?;
    let mut practice = Practice::starting_at(timeline.clone(), clock, audio, first);
    super::share::follow(room.as_ref(), &mut practice);
    if plain {
        let mut inbox = Inbox::<()>::new(false).context("cannot listen for stop signals")?;
        let _attach = listen_for_teachers(&mut practice, inbox.sender());
        if practice.timeline().has_open() {
            read_lines(inbox.sender());
        }
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let ran = plain::run(&mut practice, &mut inbox, &mut out, log.as_mut());
        let ending = conclude(&mut practice, None, journal, source);
        super::share::close(room);
        match ran.and_then(|()| plain::print_ending(&practice, &ending, &mut out)) {
            Ok(()) if ending.completed => practice.ring_out(&mut inbox),
            Ok(()) => practice.fade_out(&mut inbox),
            // A reader that went away (`hara run … | head`, a closed terminal) is not an
            // error worth a message: the journal has it.
            Err(e) if gone(&e) => {}
            Err(e) => return Err(e).context("cannot write the session's lines"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut inbox = Inbox::new(true).context("cannot listen for stop signals")?;
    let _attach = listen_for_teachers(&mut practice, inbox.sender());
    let shown = ui::run_session(&mut practice, &mut inbox, settings.view());
    let note = shown.as_ref().ok().cloned().flatten();
    let ending = conclude(&mut practice, note, journal, source);
    super::share::close(room);
    shown.context("the terminal view failed")?;
    print_ended(&ending);
    if let Some(seed) = practice.timeline().seed {
        let _ = writeln!(
            std::io::stdout(),
            "Bells at random from seed {seed}: `--seed {seed}` runs this plan again."
        );
    }
    if ending.completed {
        practice.ring_out(&mut inbox);
    } else {
        practice.fade_out(&mut inbox);
    }
    Ok(ExitCode::SUCCESS)
}

/// Passes each line typed on standard input (Enter) to plain mode, which ends an open step
/// with it. The thread ends at the end of input; one still waiting for a line when the run
/// is over ends with the process.
fn read_lines(to: std::sync::mpsc::Sender<crate::practice::Wake<()>>) {
    let _ = std::thread::Builder::new()
        .name("hara-lines".into())
        .spawn(move || {
            let mut line = String::new();
            let stdin = std::io::stdin();
            while matches!(stdin.read_line(&mut line), Ok(n) if n > 0) {
                line.clear();
                if to.send(crate::practice::Wake::Input(())).is_err() {
                    return;
                }
            }
            // Nothing more can come (input from a file, or /dev/null): say so once, rather
            // than wait in silence at the open step.
            let _ = crate::output::eprint(
                "hara: standard input has ended, so Enter cannot end an open step here: \
                 → in `hara attach`, or Ctrl-C to stop\n",
            );
        });
}

/// Lets `hara attach` in another terminal follow this run and act on it. A run that cannot
/// listen (no runtime folder) runs all the same; `hara attach` will say why it finds none.
fn listen_for_teachers<T: Send + 'static>(
    practice: &mut Practice<RealClock>,
    controls: std::sync::mpsc::Sender<crate::practice::Wake<T>>,
) -> Option<crate::attach::server::Server> {
    let dir = crate::attach::folder()?;
    let speed = practice.clock().speed();
    let server =
        crate::attach::server::Server::start(&dir, practice.timeline(), speed, controls).ok()?;
    practice.follow(server.follower());
    Some(server)
}

/// Ends a practice and writes it to the journal, before anything more is shown: a terminal
/// that is closing may not take another line.
fn conclude(
    practice: &mut Practice<RealClock>,
    note: Option<String>,
    journal: Option<&Path>,
    source: &str,
) -> Ending {
    let ending = practice.finish(note, practice.now());
    super::journal::record(journal, practice.timeline(), source, ending.clone());
    ending
}

/// Whether a write failed because nobody is reading any more.
fn gone(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::NotConnected
    ) || e.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: &str) -> jiff::ZonedDateTime {
        format!("2026-11-30T{time}:00+00:00[UTC]").parse().unwrap()
    }

    fn hm(text: &str) -> jiff::civil::Time {
        parse_time(text).unwrap()
    }

    #[test]
    fn until_a_later_time_today_or_just_after_midnight() {
        assert_eq!(
            time_until(&at("09:09"), hm("09:30")).unwrap(),
            Duration::from_secs(21 * 60)
        );
        assert_eq!(
            time_until(&at("23:00"), hm("01:00")).unwrap(),
            Duration::from_secs(2 * 3600)
        );
    }

    #[test]
    fn until_a_time_that_has_passed_is_refused() {
        let e = time_until(&at("09:09"), hm("09:00"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("09:00 has passed (it is 09:09)"), "{e}");
        assert!(e.contains("23h51m away"), "{e}");
    }

    #[test]
    fn until_more_than_twelve_hours_ahead_is_refused() {
        let e = time_until(&at("06:00"), hm("19:00"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("19:00 is 13h away"), "{e}");
        assert!(
            time_until(&at("06:00"), hm("18:00")).is_ok(),
            "exactly 12 hours is fine"
        );
    }
}
