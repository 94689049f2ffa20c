//! `hara log`, `hara stats`, `hara export`, and writing the journal after a session.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};

use super::check::plural;
use crate::calendar::Calendar;
use crate::journal::{self, Ending, Entry, History};
use crate::output::Writer;
use crate::session::duration::format;
use crate::settings::Settings;
use crate::text::{self, clean_line};
use crate::timeline::Timeline;

/// Where the journal is, and whether to keep one.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// The practice journal to write and read (default: $XDG_DATA_HOME/hara/journal.jsonl; or
    /// set HARA_JOURNAL)
    #[arg(long, value_name = "FILE", global = true)]
    pub journal: Option<PathBuf>,
    /// Record nothing in the journal
    #[arg(long, global = true)]
    pub no_journal: bool,
    /// Do not ask for a note when a session ends
    #[arg(long, global = true)]
    pub no_note: bool,
}

/// Appends the entry for a session that ended; a journal that cannot be written is worth a
/// warning, not a failed session.
pub fn record(journal: Option<&Path>, timeline: &Timeline, source: &str, ending: Ending) {
    let Some(path) = journal else { return };
    if let Err(e) = journal::append(path, &journal::entry(timeline, source, ending)) {
        // Said where it can be: stderr may be a terminal that has just closed.
        let _ = crate::output::eprint(&format!(
            "warning: could not write the journal {}: {}\n",
            clean_line(&path.display().to_string()),
            clean_line(&e.to_string())
        ));
    }
}

/// The most skipped lines named one by one; the rest are counted in one more line.
const MAX_SKIP_WARNINGS: usize = 10;

/// Warnings about skipped journal lines, on stderr: the first few by number, then a count.
struct SkipWarnings {
    path: String,
    named: Vec<journal::Skipped>,
    more: usize,
}

impl SkipWarnings {
    fn new(path: &Path) -> Self {
        SkipWarnings {
            path: clean_line(&path.display().to_string()),
            named: Vec::new(),
            more: 0,
        }
    }

    fn add(&mut self, s: journal::Skipped) {
        if self.named.len() < MAX_SKIP_WARNINGS {
            self.named.push(s);
        } else {
            self.more += 1;
        }
    }

    fn print(mut self) -> Result<()> {
        self.named.sort_by_key(|s| s.line);
        let mut err = Writer::stderr();
        for s in &self.named {
            writeln!(
                err,
                "warning: {}:{}: skipped, because {}",
                self.path, s.line, s.reason
            )?;
        }
        if self.more > 0 {
            writeln!(
                err,
                "warning: {}: {} more skipped",
                self.path,
                plural(self.more, "line")
            )?;
        }
        err.flush()?;
        Ok(())
    }
}

/// Streams the journal from its first line, giving `each` every entry; skipped lines are
/// warned about at the end. A missing journal is an empty one.
fn stream(path: &Path, mut each: impl FnMut(&Entry) -> std::io::Result<()>) -> Result<()> {
    let context = || format!("cannot read the journal {}", path.display());
    let mut warnings = SkipWarnings::new(path);
    if let Some(file) = journal::open(path).with_context(context)? {
        journal::stream(file, |line| match line {
            Ok(e) => each(&e),
            Err(s) => {
                warnings.add(s);
                Ok(())
            }
        })
        .with_context(context)?;
    }
    warnings.print()
}

fn need(path: Option<PathBuf>) -> Result<PathBuf> {
    path.context("no journal: --no-journal was given, or no data folder could be found")
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: Option<LogCommand>,
    /// Only sessions on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<jiff::civil::Date>,
    /// At most this many, the most recent
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Add a sitting done without hara (a retreat, a class with a real bowl); it is marked as
    /// added by hand and counts like any other
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// How long it was, e.g. 45m or 1h30m (at most 24h)
    #[arg(value_name = "LENGTH", value_parser = parse_length)]
    pub length: Duration,
    /// What it was, e.g. "Zazenkai" (default: "Sitting")
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// When it began, in local time: "YYYY-MM-DD HH:MM", or HH:MM for the last time the clock
    /// read it (default: it ended just now)
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// A note for the journal
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// The longest sitting `hara log add` takes; a retreat is added a day at a time.
const MAX_ADDED: Duration = Duration::from_secs(24 * 3600);

/// The title of an added entry when none is given.
const DEFAULT_ADDED_TITLE: &str = "Sitting";

fn parse_length(text: &str) -> Result<Duration, String> {
    let d = super::run::parse_duration(text)?;
    if d < Duration::from_secs(1) {
        return Err("the length must be at least a second".into());
    }
    if d > MAX_ADDED {
        return Err("a sitting is at most 24h; add a longer retreat one day at a time".into());
    }
    Ok(d)
}

/// The latest entries (up to `limit`, passing `keep`), newest first, read from the end of
/// the journal: the years before them are never read.
fn latest(path: &Path, limit: usize, keep: impl Fn(&Entry) -> bool) -> Result<Vec<Entry>> {
    let context = || format!("cannot read the journal {}", path.display());
    let Some(file) = journal::open(path).with_context(context)? else {
        return Ok(Vec::new());
    };
    let mut back = journal::Backward::new(file).with_context(context)?;
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut more_skipped = 0;
    while found.len() < limit {
        let Some(item) = back.next() else { break };
        match item.with_context(context)? {
            (_, Ok(e)) if keep(&e) => found.push(e),
            (_, Ok(_)) => {}
            (from_end, Err(reason)) if skipped.len() < MAX_SKIP_WARNINGS => {
                skipped.push((from_end, reason));
            }
            (_, Err(_)) => more_skipped += 1,
        }
    }
    if !skipped.is_empty() {
        let lines = back.line_count().with_context(context)?;
        let mut warnings = SkipWarnings::new(path);
        for (from_end, reason) in skipped {
            warnings.add(journal::Skipped {
                line: (lines + 1).saturating_sub(from_end),
                reason,
            });
        }
        warnings.more = more_skipped;
        warnings.print()?;
    }
    Ok(found)
}

pub fn log(settings: &Settings, args: &LogArgs) -> Result<ExitCode> {
    if let Some(LogCommand::Add(add_args)) = &args.command {
        return add(settings, add_args);
    }
    let path = need(settings.journal.clone())?;
    let calendar = settings.calendar();
    let tz = calendar.tz.clone();
    let since = |e: &Entry| match (args.since, e.started()) {
        (Some(since), Some(t)) => calendar.day_of(t) >= since,
        _ => true,
    };
    let mut shown = latest(&path, args.limit, since)?;
    shown.reverse();
    let mut out = Writer::stdout();
    if shown.is_empty() && args.limit > 0 {
        writeln!(
            out,
            "No sessions in the journal yet ({}).",
            clean_line(&path.display().to_string())
        )?;
    }
    for e in &shown {
        let when = e
            .started()
            .map(|t| {
                t.to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let secs = |s| format(Duration::from_secs(s));
        let how = if e.added {
            "added by hand".to_string()
        } else if e.completed {
            "completed".to_string()
        } else {
            match e.stopped_at_step {
                Some(step) => format!("stopped in step {step} of {}", e.steps),
                None => "stopped".into(),
            }
        };
        let title = text::fit(&clean_line(&e.title), text::MAX_TITLE_CHARS);
        let mut line = if e.added {
            format!("{when}  {title}  {}, {how}", secs(e.practised_s))
        } else {
            // Open steps are not in the plan: they took what they took.
            let planned = match (e.open, e.planned_s) {
                (true, 0) => " (open)".to_string(),
                (true, s) => format!(" of {} + open", secs(s)),
                (false, s) => format!(" of {}", secs(s)),
            };
            format!("{when}  {title}  {}{planned}, {how}", secs(e.practised_s))
        };
        if let Some(speed) = e.preview {
            line += &format!(" (a preview at {speed}×, not counted)");
        }
        if let Some(seed) = e.seed {
            line += &format!(", bells at random from seed {seed}");
        }
        if let Some(note) = &e.note {
            line += &format!("  · {}", text::fit(&clean_line(note), MAX_NOTE_CHARS));
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The longest note `hara log` shows; the rest is cut with an ellipsis. `hara log add`
/// takes no longer one, so nothing added is hidden.
const MAX_NOTE_CHARS: usize = 500;

/// An offset from UTC as RFC 3339 writes it: `+01:00`.
fn offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// `hara log add`: a sitting done without hara, appended to the journal.
pub fn add(settings: &Settings, args: &AddArgs) -> Result<ExitCode> {
    let path = need(settings.journal.clone())?;
    let calendar = settings.calendar();
    let title = clean_line(args.title.as_deref().unwrap_or(DEFAULT_ADDED_TITLE));
    if title.is_empty() {
        bail!("the title is empty: write what it was, e.g. --title \"Zazenkai\"");
    }
    let chars = title.chars().count();
    if chars > text::MAX_TITLE_CHARS {
        bail!(
            "the title is {chars} characters long; a title is at most {} (docs/limits.md)",
            text::MAX_TITLE_CHARS
        );
    }
    let note = args
        .note
        .as_deref()
        .map(clean_line)
        .filter(|n| !n.is_empty());
    if let Some(n) = &note {
        let chars = n.chars().count();
        if chars > MAX_NOTE_CHARS {
            bail!("the note is {chars} characters long; a note is at most {MAX_NOTE_CHARS}");
        }
    }
    let now = Timestamp::now();
    let start = match &args.at {
        None => now
            .checked_sub(args.length)
            .context("cannot work out when it began")?
            .to_zoned_datetime(calendar.tz.clone()),
        Some(text) => {
            let Began { start, remark } = began(text, &calendar.tz, now)?;
            if start.timestamp() > now {
                bail!(
                    "{} is in the future: --at says when the sitting began",
                    clean_line(text)
                );
            }
            if let Some(remark) = remark {
                writeln!(Writer::stderr(), "note: {remark}")?;
            }
            start
        }
    };
    let entry = journal::added_entry(&start, args.length, &title, note.as_deref());
    journal::append(&path, &entry)
        .with_context(|| format!("cannot write the journal {}", path.display()))?;
    let day = calendar.day_of(start.timestamp());
    let mut said = format!(
        "Added to the journal: {}  {title}  {}, counted for {}",
        start.strftime("%Y-%m-%d %H:%M"),
        format(Duration::from_secs(entry.practised_s)),
        day.strftime("%A %-d %B %Y")
    );
    if day != start.date() {
        said += &format!(
            " (your day starts at {})",
            calendar.day_starts.strftime("%H:%M")
        );
    }
    let mut out = Writer::stdout();
    writeln!(out, "{said}.")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// When an added sitting began, and anything worth saying about how that was read.
struct Began {
    start: ZonedDateTime,
    remark: Option<String>,
}

/// Reads `--at`: a local date and time (`2026-11-29 19:00`, or with a `T`), a time of day
/// alone (the last time the clock read it), or a time with its offset
/// (`2026-10-25T02:30+01:00`). A local time the clocks skipped is an error; one they passed
/// twice is taken the first time, and said so.
fn began(text: &str, tz: &TimeZone, now: Timestamp) -> Result<Began> {
    let shown = clean_line(text);
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(Began {
            start: t.to_zoned_datetime(tz.clone()),
            remark: None,
        });
    }
    let local = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| DateTime::strptime(f, text).ok());
    let local = match local {
        Some(dt) => dt,
        None => {
            let Ok(time) = jiff::civil::Time::strptime("%H:%M", text) else {
                bail!(
                    "`{shown}` is not a date and time; write --at \"2026-11-29 19:00\" \
                     (or a time of day, 19:00)"
                );
            };
            // The last time the clock read it: today, or yesterday if that is still to come.
            let today = now.to_zoned_datetime(tz.clone());
            let mut dt = today.date().to_datetime(time);
            if dt > today.datetime() {
                dt = dt
                    .date()
                    .yesterday()
                    .context("cannot work out that time yesterday")?
                    .to_datetime(time);
            }
            dt
        }
    };
    let zone = tz.iana_name().unwrap_or("this time zone");
    let when = local.strftime("%Y-%m-%d %H:%M");
    let ambiguous = tz.to_ambiguous_zoned_datetime(local);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => Ok(Began {
            start: ambiguous
                .compatible()
                .context("cannot work out that time")?,
            remark: None,
        }),
        AmbiguousOffset::Gap { before, after } => {
            let (before, after) = (offset(before), offset(after));
            bail!(
                "{when} did not happen in {zone}: the clocks went forward that night \
             (from {before} to {after}); give a time before or after the change"
            )
        }
        AmbiguousOffset::Fold { before, after } => {
            let start = ambiguous.earlier().context("cannot work out that time")?;
            let (before, after) = (offset(before), offset(after));
            Ok(Began {
                start,
                remark: Some(format!(
                    "{when} came twice in {zone} (the clocks went back from {before} to \
                     {after}); recorded the first, at {before}. For the second, write \
                     --at {}{after}",
                    local.strftime("%Y-%m-%dT%H:%M")
                )),
            })
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How many weeks of minutes to chart
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub weeks: u32,
    /// Also show the run of consecutive days with practice
    #[arg(long)]
    pub streak: bool,
    /// Print the stats as JSON, for tools (the streak only with --streak)
    #[arg(long)]
    pub json: bool,
}

pub fn stats(settings: &Settings, args: &StatsArgs) -> Result<ExitCode> {
    let path = need(settings.journal.clone())?;
    let calendar = settings.calendar();
    let mut tally = journal::Tally::with_calendar(calendar.today(), &calendar, args.weeks);
    stream(&path, |e| {
        tally.add(e);
        Ok(())
    })?;
    let stats = tally.finish();
    let mut out = Writer::stdout();
    if args.json {
        let json = stats_json(&stats, &calendar, args.streak);
        serde_json::to_writer_pretty(&mut out, &json)?;
        out.write_all(b"\n")?;
    } else {
        out.write_all(render_stats(&stats, args.streak).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The stats for tools. Titles are cleaned as for a terminal, as everything hara prints is.
pub fn stats_json(s: &journal::Stats, calendar: &Calendar, streak: bool) -> serde_json::Value {
    let date = |d: &jiff::civil::Date| d.strftime("%Y-%m-%d").to_string();
    let mut json = serde_json::json!({
        "sessions": s.sessions,
        "practised_s": s.practised.as_secs(),
        "added_by_hand": s.added,
        "day_starts": calendar.day_starts.strftime("%H:%M").to_string(),
        "week_starts": crate::calendar::weekday_name(calendar.week_starts),
        "weeks": s.weeks.iter().map(|(first, minutes)| serde_json::json!({
            "first_day": date(first),
            "minutes": minutes,
        })).collect::<Vec<_>>(),
        "days": s.days.iter().map(|(day, total)| serde_json::json!({
            "day": date(day),
            "practised_s": total.secs,
            "sessions": total.sessions,
        })).collect::<Vec<_>>(),
        "most_practised": s.most_practised.iter().map(|(title, time, n)| serde_json::json!({
            "title": clean_line(title),
            "practised_s": time.as_secs(),
            "sessions": n,
        })).collect::<Vec<_>>(),
    });
    if streak {
        json["streak_days"] = s.streak.into();
    }
    json
}

/// The widest a title is shown in the stats; longer ones are cut with an ellipsis.
const STATS_TITLE_CHARS: usize = 60;

/// The stats as text: totals, a bar per week, the most practised sessions.
pub fn render_stats(s: &journal::Stats, streak: bool) -> String {
    let mut out = format!(
        "{} practised in {}\n",
        format(s.practised),
        plural(s.sessions, "session")
    );
    if streak {
        out += &format!("streak: {}\n", plural(s.streak as usize, "day"));
    }
    out += "\nminutes a week\n";
    if let (Some(first), Some(last)) = (s.weeks.first(), s.weeks.last()) {
        let minutes: Vec<u64> = s.weeks.iter().map(|w| w.1).collect();
        out += &format!(
            "  {}  {} to {}\n",
            crate::ui::charts::sparkline_text(&minutes),
            first.0.strftime("%b %d"),
            last.0.strftime("%b %d")
        );
    }
    let most = s.weeks.iter().map(|w| w.1).max().unwrap_or(0).max(1);
    for (monday, minutes) in &s.weeks {
        let cells = (u128::from(*minutes) * 30)
            .div_ceil(u128::from(most))
            .min(30);
        let bar = "█".repeat(cells as usize);
        out += &format!("  {}  {bar} {minutes}\n", monday.strftime("%b %d"));
    }
    if !s.most_practised.is_empty() {
        out += "\nmost practised\n";
        let titles: Vec<String> = s
            .most_practised
            .iter()
            .take(5)
            .map(|m| text::fit(&clean_line(&m.0), STATS_TITLE_CHARS))
            .collect();
        let width = titles.iter().map(|t| text::width(t)).max().unwrap_or(0);
        for (title, (_, time, n)) in titles.iter().zip(&s.most_practised) {
            out += &format!(
                "  {}  {:>8}  {}\n",
                text::pad(title, width),
                format(*time),
                plural(*n, "session")
            );
        }
    }
    out
}

/// Reads the whole journal, streamed, for the journal view: its history and how many lines
/// could not be read (`hara log` names them). A missing journal is an empty one.
pub fn read_history(path: Option<&Path>, calendar: &Calendar) -> Result<(History, usize), String> {
    let path =
        path.ok_or("no journal: --no-journal was given, or no data folder could be found")?;
    let why = |e: std::io::Error| {
        format!(
            "cannot read the journal {}: {}",
            clean_line(&path.display().to_string()),
            clean_line(&e.to_string())
        )
    };
    let mut tally = journal::Tally::with_calendar(calendar.today(), calendar, 1);
    let mut skipped = 0;
    if let Some(file) = journal::open(path).map_err(why)? {
        journal::stream(file, |line| {
            match line {
                Ok(e) => tally.add(&e),
                Err(_) => skipped += 1,
            }
            Ok(())
        })
        .map_err(why)?;
    }
    Ok((tally.history(), skipped))
}

/// `hara journal`: the journal view, full screen.
pub fn view(settings: &Settings) -> Result<ExitCode> {
    if !crate::ui::can_draw() {
        bail!(
            "the journal view needs a terminal; `hara stats` (or `hara stats --json`) and \
             `hara log` print the journal instead"
        );
    }
    let (history, skipped) = read_history(settings.journal.as_deref(), &settings.calendar())
        .map_err(anyhow::Error::msg)?;
    crate::ui::journal::run(history, skipped, &settings.view())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Comma-separated values, one row per session, with a header (the default, and for now
    /// the only format)
    #[arg(long)]
    pub csv: bool,
}

/// The journal as CSV, streamed: one row written per entry read. Cells are made safe for
/// terminals and spreadsheets ([`journal::csv_cell`]).
pub fn export(path: Option<PathBuf>) -> Result<ExitCode> {
    let path = need(path)?;
    let mut out = Writer::stdout();
    out.write_all(journal::CSV_HEADER.as_bytes())?;
    stream(&path, |e| out.write_all(journal::csv_row(e).as_bytes()))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
