//! The practice journal: one line of JSON per session, appended, never rewritten.
//!
//! Each entry is written with one `write` to a file opened with O_APPEND, then synced, so two
//! sessions ending at once in two terminals never interleave within an entry, and a session
//! killed outright loses at most its own entry. Reading skips a torn or garbled line with a
//! warning that names it, and never lets it hide the others.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::timeline::Timeline;

/// One practice session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it started, local time with its offset (RFC 3339).
    pub start: String,
    pub title: String,
    /// `builtin:NAME` or the session file's path.
    pub source: String,
    pub planned_s: u64,
    /// Running time after the countdown, pauses excluded.
    pub practised_s: u64,
    pub completed: bool,
    /// The step it ended in (1-based) when stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at_step: Option<usize>,
    pub steps: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Entry {
    pub fn started(&self) -> Option<Timestamp> {
        self.start.parse().ok()
    }
}

/// How a session ended: what a front end reports, and the journal records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// Local time with offset (RFC 3339), from [`now_local`] as the session began.
    pub started: String,
    pub practised: Duration,
    pub completed: bool,
    /// The 0-based step it ended in.
    pub step: Option<usize>,
    pub note: Option<String>,
}

/// The journal entry for a session that ended.
pub fn entry(timeline: &Timeline, source: &str, ending: Ending) -> Entry {
    Entry {
        start: ending.started,
        title: timeline.title.clone(),
        source: source.to_string(),
        planned_s: timeline.total.as_secs(),
        practised_s: ending.practised.as_secs(),
        completed: ending.completed,
        stopped_at_step: if ending.completed {
            None
        } else {
            ending.step.map(|s| s + 1)
        },
        steps: timeline.steps.len(),
        note: ending.note,
    }
}

/// The local time now, as the journal writes it.
pub fn now_local() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Appends one entry: a single write of one line, then a sync. The file is created readable
/// by its owner only.
pub fn append(path: &Path, entry: &Entry) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .mode(0o600)
        .open(path)?;
    let mut line = serde_json::to_string(entry).map_err(io::Error::other)?;
    line.push('\n');
    // A previous writer killed mid-line left no newline: start on a line of our own, so the
    // torn line stays one line and this entry stays whole.
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, '\n');
        }
    }
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// A line that could not be read, by its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

/// Every entry that parses, in file order, and the lines that did not. Blank lines are
/// neither.
pub fn parse(text: &str) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(e) if e.started().is_some() => entries.push(e),
            Ok(_) => skipped.push(Skipped {
                line: i + 1,
                reason: "its start time is not a date and time with an offset".into(),
            }),
            Err(e) => skipped.push(Skipped {
                line: i + 1,
                reason: if e.is_eof() {
                    "it is cut short".into()
                } else {
                    "it is not a journal entry".into()
                },
            }),
        }
    }
    (entries, skipped)
}

/// Reads the journal; a missing file is an empty journal.
pub fn read(path: &Path) -> io::Result<(Vec<Entry>, Vec<Skipped>)> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(parse(&String::from_utf8_lossy(&bytes))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((Vec::new(), Vec::new())),
        Err(e) => Err(e),
    }
}

/// The Monday of the week `date` falls in.
fn week_start(date: Date) -> Date {
    let back = date.weekday().to_monday_zero_offset();
    date.checked_sub(i64::from(back).days()).unwrap_or(date)
}

/// The local date a session started on, in `tz`. A session past midnight counts for the day
/// it began.
fn local_date(entry: &Entry, tz: &TimeZone) -> Option<Date> {
    Some(entry.started()?.to_zoned_datetime(tz.clone()).date())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub sessions: usize,
    pub practised: Duration,
    /// (Monday, minutes) for each of the last weeks, oldest first, including this one.
    pub weeks: Vec<(Date, u64)>,
    /// (title, time, sessions), most time first.
    pub most_practised: Vec<(String, Duration, usize)>,
    /// Consecutive days with practice up to today (or up to yesterday, if none yet today).
    pub streak: u32,
}

/// Totals, minutes per week over the `weeks` weeks up to `today`, the most practised
/// sessions, and the streak, with dates in `tz`.
pub fn stats(entries: &[Entry], today: Date, tz: &TimeZone, weeks: u32) -> Stats {
    let practised: u64 = entries.iter().map(|e| e.practised_s).sum();
    let this_week = week_start(today);
    let mut by_week: Vec<(Date, u64)> = (0..weeks)
        .rev()
        .filter_map(|w| this_week.checked_sub((i64::from(w) * 7).days()).ok())
        .map(|monday| (monday, 0))
        .collect();
    let mut by_title: BTreeMap<&str, (u64, usize)> = BTreeMap::new();
    let mut days = std::collections::BTreeSet::new();
    for e in entries {
        let Some(date) = local_date(e, tz) else {
            continue;
        };
        days.insert(date);
        let monday = week_start(date);
        if let Some(w) = by_week.iter_mut().find(|(m, _)| *m == monday) {
            w.1 += e.practised_s;
        }
        let t = by_title.entry(&e.title).or_default();
        t.0 += e.practised_s;
        t.1 += 1;
    }
    for w in &mut by_week {
        w.1 /= 60;
    }
    let mut most: Vec<(String, Duration, usize)> = by_title
        .into_iter()
        .map(|(title, (secs, n))| (title.to_string(), Duration::from_secs(secs), n))
        .collect();
    most.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut day = if days.contains(&today) {
        today
    } else {
        today.yesterday().unwrap_or(today)
    };
    let mut streak = 0;
    while days.contains(&day) {
        streak += 1;
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    Stats {
        sessions: entries.len(),
        practised: Duration::from_secs(practised),
        weeks: by_week,
        most_practised: most,
        streak,
    }
}

/// The journal as CSV, one row per entry, with a header.
pub fn to_csv(entries: &[Entry]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from(
        "start,title,source,planned_s,practised_s,completed,stopped_at_step,steps,note\n",
    );
    for e in entries {
        out += &[
            field(&e.start),
            field(&e.title),
            field(&e.source),
            e.planned_s.to_string(),
            e.practised_s.to_string(),
            e.completed.to_string(),
            e.stopped_at_step.map(|s| s.to_string()).unwrap_or_default(),
            e.steps.to_string(),
            field(e.note.as_deref().unwrap_or("")),
        ]
        .join(",");
        out.push('\n');
    }
    out
}
