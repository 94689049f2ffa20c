//! `hara log`, `hara stats`, `hara export`, and writing the journal after a session.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::check::plural;
use crate::journal::{self, Ending, Entry};
use crate::output::Writer;
use crate::session::duration::format;
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
pub struct LogArgs {
    /// Only sessions on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<jiff::civil::Date>,
    /// At most this many, the most recent
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
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

pub fn log(path: Option<PathBuf>, args: &LogArgs) -> Result<ExitCode> {
    let path = need(path)?;
    let tz = jiff::tz::TimeZone::system();
    let since = |e: &Entry| match (args.since, e.started()) {
        (Some(since), Some(t)) => t.to_zoned_datetime(tz.clone()).date() >= since,
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
        let how = if e.completed {
            "completed".to_string()
        } else {
            match e.stopped_at_step {
                Some(step) => format!("stopped in step {step} of {}", e.steps),
                None => "stopped".into(),
            }
        };
        let mut line = format!(
            "{when}  {}  {} of {}, {how}",
            text::fit(&clean_line(&e.title), text::MAX_TITLE_CHARS),
            secs(e.practised_s),
            secs(e.planned_s)
        );
        if let Some(speed) = e.preview {
            line += &format!(" (a preview at {speed}×, not counted)");
        }
        if let Some(note) = &e.note {
            line += &format!("  · {}", text::fit(&clean_line(note), MAX_NOTE_CHARS));
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The longest note `hara log` shows; the rest is cut with an ellipsis.
const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How many weeks of minutes to chart
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub weeks: u32,
    /// Also show the run of consecutive days with practice
    #[arg(long)]
    pub streak: bool,
}

pub fn stats(path: Option<PathBuf>, args: &StatsArgs) -> Result<ExitCode> {
    let path = need(path)?;
    let tz = jiff::tz::TimeZone::system();
    let today = jiff::ZonedDateTime::now().date();
    let mut tally = journal::Tally::new(today, &tz, args.weeks);
    stream(&path, |e| {
        tally.add(e);
        Ok(())
    })?;
    let mut out = Writer::stdout();
    out.write_all(render_stats(&tally.finish(), args.streak).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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
