//! `hara log`, `hara stats`, `hara export`, and writing the journal after a session.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::check::plural;
use crate::journal::{self, Ending, Entry};
use crate::session::duration::format;
use crate::text::clean_line;
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
        let _ = writeln!(
            std::io::stderr(),
            "warning: could not write the journal {}: {e}",
            crate::text::clean_line(&path.display().to_string())
        );
    }
}

/// Reads the journal, warning on stderr about each line it had to skip.
fn read(path: &Path) -> Result<Vec<Entry>> {
    let (entries, skipped) = journal::read(path)
        .with_context(|| format!("cannot read the journal {}", path.display()))?;
    for s in skipped {
        eprintln!(
            "warning: {}:{}: skipped, because {}",
            path.display(),
            s.line,
            s.reason
        );
    }
    Ok(entries)
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

pub fn log(path: Option<PathBuf>, args: &LogArgs) -> Result<ExitCode> {
    let path = need(path)?;
    let tz = jiff::tz::TimeZone::system();
    let entries: Vec<Entry> = read(&path)?
        .into_iter()
        .filter(|e| match (args.since, e.started()) {
            (Some(since), Some(t)) => t.to_zoned_datetime(tz.clone()).date() >= since,
            _ => true,
        })
        .collect();
    if entries.is_empty() {
        println!("No sessions in the journal yet ({}).", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let shown = &entries[entries.len().saturating_sub(args.limit)..];
    for e in shown {
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
            clean_line(&e.title),
            secs(e.practised_s),
            secs(e.planned_s)
        );
        if let Some(note) = &e.note {
            line += &format!("  · {}", clean_line(note));
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

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
    let entries = read(&path)?;
    let tz = jiff::tz::TimeZone::system();
    let today = jiff::ZonedDateTime::now().date();
    print!(
        "{}",
        render_stats(
            &journal::stats(&entries, today, &tz, args.weeks),
            args.streak
        )
    );
    Ok(ExitCode::SUCCESS)
}

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
        let bar = "█".repeat((minutes * 30).div_ceil(most) as usize);
        out += &format!("  {}  {bar} {minutes}\n", monday.strftime("%b %d"));
    }
    if !s.most_practised.is_empty() {
        out += "\nmost practised\n";
        let width = s
            .most_practised
            .iter()
            .take(5)
            .map(|m| m.0.chars().count())
            .max()
            .unwrap_or(0);
        for (title, time, n) in s.most_practised.iter().take(5) {
            let title = clean_line(title);
            out += &format!(
                "  {title:width$}  {:>8}  {}\n",
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

pub fn export(path: Option<PathBuf>) -> Result<ExitCode> {
    let path = need(path)?;
    print!("{}", journal::to_csv(&read(&path)?));
    Ok(ExitCode::SUCCESS)
}
