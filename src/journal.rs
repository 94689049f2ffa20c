//! The practice journal: one line of JSON per session, appended, never rewritten.
//!
//! Each entry is written with one `write` to a file opened with O_APPEND, then synced, so two
//! sessions ending at once in two terminals never interleave within an entry, and a session
//! killed outright loses at most its own entry. Reading skips a torn or garbled line with a
//! warning that names it, and never lets it hide the others.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::timeline::Timeline;

/// One practice session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it started, local time with its offset (RFC 3339).
    pub start: String,
    pub title: String,
    /// `builtin:NAME` or the session file's path.
    pub source: String,
    /// The planned length of the timed steps (a fitted session: as fitted). An open step
    /// counts for nothing in it; the time it took is in `practised_s`.
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
    /// Set for a preview run faster than real time (`--speed`): its speed. A preview is kept
    /// in the journal but is not practice, so stats leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<u32>,
    /// Added by hand (`hara log add`): a sitting done without hara. Counted like any other.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub added: bool,
    /// The seed its bells at random were drawn from: `hara run --seed N` runs that plan
    /// again. Absent for a session with nothing drawn at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The session had open steps (format 1.1), which last until the person goes on: its
    /// `planned_s` leaves them out, and `practised_s` has the time they took.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
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
    /// How many times faster than real time it ran (1: practice; more: a preview).
    pub speed: u32,
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
        preview: (ending.speed > 1).then_some(ending.speed),
        added: false,
        seed: timeline.seed,
        open: timeline.has_open(),
    }
}

/// The journal entry for a sitting done without hara, `practised` long from `start`, added
/// by hand. Its title and note should already be cleaned and bounded (`hara log add` does).
pub fn added_entry(
    start: &jiff::ZonedDateTime,
    practised: Duration,
    title: &str,
    note: Option<&str>,
) -> Entry {
    Entry {
        start: start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        title: title.to_string(),
        source: ADDED_SOURCE.to_string(),
        planned_s: practised.as_secs(),
        practised_s: practised.as_secs(),
        completed: true,
        stopped_at_step: None,
        steps: 0,
        note: note.map(str::to_string),
        preview: None,
        added: true,
        seed: None,
        open: false,
    }
}

/// The source of an entry added by hand.
pub const ADDED_SOURCE: &str = "added by hand";

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
    let mut file = crate::read::open_append(path)?;
    // One writer at a time (the lock goes with the file when it closes), so that a failed
    // append can be taken back without touching anyone else's line.
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
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
    if let Err(e) = file
        .write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
    {
        // A full disk (or a file size limit) took part of the line: take it back whole, so
        // that no later reading finds half an entry.
        let _ = file.set_len(len);
        return Err(e);
    }
    Ok(())
}

/// A line that could not be read, by its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

/// The longest line read as an entry. Entries are a few hundred bytes (titles are bounded
/// by the checker, notes by the prompt); a longer line is skipped unread, so one huge line
/// cannot take the memory a whole journal would.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One line of the journal as read: an entry, a line skipped and why, or nothing (blank).
fn parse_line(line: &[u8]) -> Option<Result<Entry, String>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(match serde_json::from_slice::<Entry>(line) {
        Ok(e) if e.started().is_some() => Ok(e),
        Ok(_) => Err("its start time is not a date and time with an offset".into()),
        Err(e) if e.is_eof() => Err("it is cut short".into()),
        Err(_) => Err("it is not a journal entry".into()),
    })
}

fn too_long() -> String {
    format!("it is longer than {} KiB", MAX_LINE_BYTES / 1024)
}

/// Reads the next line into `buf` without its newline, keeping at most `max` bytes of it.
/// `None` at the end of the input; `Some(false)` for a line that was longer (its bytes are
/// read and dropped, never kept).
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<bool>> {
    buf.clear();
    let (mut fits, mut any) = (true, false);
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let newline = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..newline.unwrap_or(chunk.len())];
        if fits && buf.len() + part.len() <= max {
            buf.extend_from_slice(part);
        } else {
            fits = false;
            buf.clear();
        }
        let used = newline.map_or(chunk.len(), |i| i + 1);
        r.consume(used);
        if newline.is_some() {
            return Ok(Some(fits));
        }
    }
}

/// Streams a journal from its first line: `each` is given every entry and every skipped
/// line, in file order, and memory stays at one line however long the journal.
pub fn stream(
    input: impl Read,
    mut each: impl FnMut(Result<Entry, Skipped>) -> io::Result<()>,
) -> io::Result<()> {
    let mut reader = io::BufReader::with_capacity(64 * 1024, input);
    let mut buf = Vec::new();
    let mut number = 0;
    while let Some(fits) = next_line(&mut reader, &mut buf, MAX_LINE_BYTES)? {
        number += 1;
        let parsed = if fits {
            parse_line(&buf)
        } else {
            Some(Err(too_long()))
        };
        match parsed {
            None => {}
            Some(Ok(e)) => each(Ok(e))?,
            Some(Err(reason)) => each(Err(Skipped {
                line: number,
                reason,
            }))?,
        }
    }
    Ok(())
}

/// Every entry that parses, in file order, and the lines that did not. Blank lines are
/// neither.
pub fn parse(text: &str) -> (Vec<Entry>, Vec<Skipped>) {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let collect = |line: Result<Entry, Skipped>| {
        match line {
            Ok(e) => entries.push(e),
            Err(s) => skipped.push(s),
        }
        Ok(())
    };
    stream(text.as_bytes(), collect).expect("reading from memory cannot fail");
    (entries, skipped)
}

/// Opens the journal to read it; `None` when there is none yet. A pipe or device is refused.
pub fn open(path: &Path) -> io::Result<Option<File>> {
    match crate::read::open_regular(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads the whole journal into memory; a missing file is an empty journal. For tests and
/// small journals: the commands stream it ([`stream`], [`Backward`]).
pub fn read(path: &Path) -> io::Result<(Vec<Entry>, Vec<Skipped>)> {
    let Some(file) = open(path)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    stream(file, |line| {
        match line {
            Ok(e) => entries.push(e),
            Err(s) => skipped.push(s),
        }
        Ok(())
    })?;
    Ok((entries, skipped))
}

/// The journal read from its last line back, in chunks: `hara log` shows the latest entries
/// without reading the years before them. Yields `(n, line)` where `n` counts lines from the
/// end (1 is the last line); [`Backward::line_count`] turns that into a line number.
pub struct Backward<R> {
    file: R,
    /// Unread bytes of the file before `buf`.
    pos: u64,
    /// The bytes between `pos` and the end of the line to be yielded next.
    buf: Vec<u8>,
    /// The line being gathered is over [`MAX_LINE_BYTES`]; its bytes are being dropped.
    overlong: bool,
    /// The end of the last line (the file's length, less a final newline).
    end: u64,
    from_end: usize,
    done: bool,
}

const BACKWARD_CHUNK: u64 = 64 * 1024;

impl<R: Read + Seek> Backward<R> {
    pub fn new(mut file: R) -> io::Result<Self> {
        let mut end = file.seek(SeekFrom::End(0))?;
        if end > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::Start(end - 1))?;
            file.read_exact(&mut last)?;
            if last[0] == b'\n' {
                end -= 1;
            }
        }
        Ok(Backward {
            file,
            pos: end,
            buf: Vec::new(),
            overlong: false,
            end,
            from_end: 0,
            done: end == 0,
        })
    }

    /// How many lines the journal has, counting its newlines in one streaming pass: needed
    /// only to name a skipped line, whose number is `line_count() + 1 - from_end`.
    pub fn line_count(&mut self) -> io::Result<usize> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut reader = (&mut self.file).take(self.end);
        let mut chunk = vec![0u8; 64 * 1024];
        let mut newlines = 0usize;
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            newlines += chunk[..n].iter().filter(|&&b| b == b'\n').count();
        }
        Ok(newlines + 1)
    }

    /// Reads the chunk before `buf` and puts it in front.
    fn read_back(&mut self) -> io::Result<()> {
        let len = BACKWARD_CHUNK.min(self.pos);
        self.pos -= len;
        let mut chunk = vec![0u8; len as usize];
        self.file.seek(SeekFrom::Start(self.pos))?;
        self.file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&self.buf);
        self.buf = chunk;
        Ok(())
    }

    fn next_line(&mut self) -> io::Result<Option<Result<Vec<u8>, ()>>> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(i) = self.buf.iter().rposition(|&b| b == b'\n') {
                let line = self.buf.split_off(i + 1);
                self.buf.truncate(i);
                return Ok(Some(self.finish(line)));
            }
            if self.pos == 0 {
                self.done = true;
                let line = std::mem::take(&mut self.buf);
                return Ok(Some(self.finish(line)));
            }
            if self.buf.len() > MAX_LINE_BYTES {
                self.overlong = true;
                self.buf.clear();
            }
            self.read_back()?;
        }
    }

    fn finish(&mut self, line: Vec<u8>) -> Result<Vec<u8>, ()> {
        self.from_end += 1;
        if std::mem::take(&mut self.overlong) || line.len() > MAX_LINE_BYTES {
            Err(())
        } else {
            Ok(line)
        }
    }
}

impl<R: Read + Seek> Iterator for Backward<R> {
    type Item = io::Result<(usize, Result<Entry, String>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = match self.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            let parsed = match line {
                Ok(bytes) => parse_line(&bytes),
                Err(()) => Some(Err(too_long())),
            };
            if let Some(parsed) = parsed {
                return Some(Ok((self.from_end, parsed)));
            }
        }
    }
}

/// A practice day's total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Day {
    pub secs: u64,
    pub sessions: u32,
}

/// An entry as the journal view lists it: its text cleaned for the terminal and cut to what
/// a line can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub at: Timestamp,
    /// When it started, on the local wall clock.
    pub local: jiff::civil::DateTime,
    /// The practice day it counts for.
    pub day: Date,
    pub title: String,
    pub practised_s: u64,
    pub completed: bool,
    pub added: bool,
    pub note: Option<String>,
}

/// How many entries of each month the journal view can list (the latest ones).
pub const LISTED_PER_MONTH: usize = 16;
/// Titles and notes kept for the journal view's list, in characters: about what fits on a
/// line of a wide screen.
pub const LISTED_TITLE_CHARS: usize = 60;
pub const LISTED_NOTE_CHARS: usize = 160;

fn cut(text: &str, chars: usize) -> String {
    let clean = crate::text::clean_line(text);
    if clean.chars().count() <= chars {
        clean
    } else {
        clean.chars().take(chars - 1).chain(['…']).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub sessions: usize,
    pub practised: Duration,
    /// Entries added by hand (`hara log add`), counted in the rest like any other.
    pub added: usize,
    /// (first day, minutes) for each of the last weeks, oldest first, including this one.
    pub weeks: Vec<(Date, u64)>,
    /// Every practice day of those weeks up to today, oldest first.
    pub days: Vec<(Date, Day)>,
    /// (title, time, sessions), most time first.
    pub most_practised: Vec<(String, Duration, usize)>,
    /// Consecutive days with practice up to today (or up to yesterday, if none yet today).
    pub streak: u32,
}

/// How many different titles the stats keep apart; sessions under any further title are
/// counted together, so a journal of a million titles cannot take a million rows of memory.
pub const MAX_TITLES: usize = 10_000;
/// Titles are told apart by their first this many characters.
pub const TITLE_KEY_CHARS: usize = 200;
/// The sessions counted together once [`MAX_TITLES`] titles are kept.
pub const OTHER_TITLES: &str = "(other titles)";
/// Days further back than this are not kept by day (for the streak, the charts and the
/// journal view); their sessions still count in the totals.
pub const DAYS_KEPT: i64 = 100 * 366;

/// The stats gathered one entry at a time, in memory bounded whatever the journal's length:
/// totals, a total for each practice day (at most [`DAYS_KEPT`]), the latest
/// [`LISTED_PER_MONTH`] entries of each month, and time by title (at most [`MAX_TITLES`]).
pub struct Tally {
    today: Date,
    calendar: Calendar,
    weeks: u32,
    sessions: usize,
    practised: u64,
    added: usize,
    by_title: BTreeMap<String, (u64, usize)>,
    other: (u64, usize),
    days: BTreeMap<Date, Day>,
    months: BTreeMap<Date, Vec<Listed>>,
    oldest_day: Date,
}

impl Tally {
    /// Days from midnight and weeks from Monday in `tz`; minutes per week over the `weeks`
    /// weeks up to `today`.
    pub fn new(today: Date, tz: &TimeZone, weeks: u32) -> Self {
        Self::with_calendar(today, &Calendar::midnight(tz.clone()), weeks)
    }

    /// Days and weeks as `calendar` counts them; `today` is a practice day
    /// ([`Calendar::today`]).
    pub fn with_calendar(today: Date, calendar: &Calendar, weeks: u32) -> Self {
        Tally {
            today,
            calendar: calendar.clone(),
            weeks,
            sessions: 0,
            practised: 0,
            added: 0,
            by_title: BTreeMap::new(),
            other: (0, 0),
            days: BTreeMap::new(),
            months: BTreeMap::new(),
            oldest_day: today.checked_sub(DAYS_KEPT.days()).unwrap_or(Date::MIN),
        }
    }

    pub fn add(&mut self, e: &Entry) {
        if e.preview.is_some() {
            return;
        }
        self.sessions += 1;
        self.practised = self.practised.saturating_add(e.practised_s);
        if e.added {
            self.added += 1;
        }
        let Some(at) = e.started() else {
            return;
        };
        let day = self.calendar.day_of(at);
        if day > self.oldest_day && day <= self.today {
            let total = self.days.entry(day).or_default();
            total.secs = total.secs.saturating_add(e.practised_s);
            total.sessions = total.sessions.saturating_add(1);
            self.list(e, at, day);
        }
        let key: String = e.title.chars().take(TITLE_KEY_CHARS).collect();
        let slot = if self.by_title.len() < MAX_TITLES || self.by_title.contains_key(&key) {
            self.by_title.entry(key).or_default()
        } else {
            &mut self.other
        };
        slot.0 = slot.0.saturating_add(e.practised_s);
        slot.1 += 1;
    }

    /// Keeps the entry in its month's list if it is among the month's latest.
    fn list(&mut self, e: &Entry, at: Timestamp, day: Date) {
        let month = day.first_of_month();
        let list = self.months.entry(month).or_default();
        // Newest first; an entry as old as a listed one goes after it.
        let place = list.partition_point(|l| l.at >= at);
        if place >= LISTED_PER_MONTH {
            return;
        }
        list.insert(
            place,
            Listed {
                at,
                local: at.to_zoned_datetime(self.calendar.tz.clone()).datetime(),
                day,
                title: cut(&e.title, LISTED_TITLE_CHARS),
                practised_s: e.practised_s,
                completed: e.completed,
                added: e.added,
                note: e
                    .note
                    .as_deref()
                    .map(|n| cut(n, LISTED_NOTE_CHARS))
                    .filter(|n| !n.is_empty()),
            },
        );
        list.truncate(LISTED_PER_MONTH);
    }

    /// What was gathered, for the journal view.
    pub fn history(self) -> History {
        let mut most: Vec<(String, Duration, usize)> = self
            .by_title
            .into_iter()
            .map(|(title, (secs, n))| (title, Duration::from_secs(secs), n))
            .collect();
        if self.other.1 > 0 {
            most.push((
                OTHER_TITLES.to_string(),
                Duration::from_secs(self.other.0),
                self.other.1,
            ));
        }
        most.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        History {
            calendar: self.calendar,
            today: self.today,
            sessions: self.sessions,
            practised: Duration::from_secs(self.practised),
            added: self.added,
            days: self.days,
            months: self.months,
            most_practised: most,
        }
    }

    /// The stats over the weeks asked for when the tally began.
    pub fn finish(self) -> Stats {
        let weeks = self.weeks;
        self.history().stats(weeks)
    }
}

/// A journal gathered: what `hara stats` prints and the journal view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub calendar: Calendar,
    /// The practice day it was when the journal was read.
    pub today: Date,
    pub sessions: usize,
    pub practised: Duration,
    pub added: usize,
    /// The total of each practice day with practice, up to today.
    pub days: BTreeMap<Date, Day>,
    /// The latest entries of each month (by its first day), newest first.
    pub months: BTreeMap<Date, Vec<Listed>>,
    /// (title, time, sessions), most time first.
    pub most_practised: Vec<(String, Duration, usize)>,
}

impl History {
    /// The total of a practice day.
    pub fn day(&self, day: Date) -> Day {
        self.days.get(&day).copied().unwrap_or_default()
    }

    /// Totals over the days from `first` to `last`, both included.
    pub fn between(&self, first: Date, last: Date) -> Day {
        self.days
            .range(first..=last)
            .fold(Day::default(), |sum, (_, d)| Day {
                secs: sum.secs.saturating_add(d.secs),
                sessions: sum.sessions.saturating_add(d.sessions),
            })
    }

    /// How many days from `first` to `last` had practice.
    pub fn days_practised(&self, first: Date, last: Date) -> usize {
        self.days.range(first..=last).count()
    }

    /// Consecutive days with practice up to today (or up to yesterday, if none yet today).
    pub fn streak(&self) -> u32 {
        let today = self.today;
        let mut day = if self.days.contains_key(&today) {
            today
        } else {
            today.yesterday().unwrap_or(today)
        };
        let mut streak = 0;
        while self.days.contains_key(&day) {
            streak += 1;
            match day.yesterday() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        streak
    }

    /// The stats over the `weeks` weeks up to today.
    pub fn stats(&self, weeks: u32) -> Stats {
        let this_week = self.calendar.week_of(self.today);
        let firsts: Vec<Date> = (0..weeks)
            .rev()
            .filter_map(|w| this_week.checked_sub((i64::from(w) * 7).days()).ok())
            .collect();
        let by_week = firsts
            .iter()
            .map(|first| {
                let last = first.checked_add(6.days()).unwrap_or(*first);
                (*first, self.between(*first, last).secs / 60)
            })
            .collect();
        let days = firsts
            .first()
            .map(|first| {
                std::iter::successors(Some(*first), |d| d.tomorrow().ok())
                    .take_while(|d| *d <= self.today)
                    .map(|d| (d, self.day(d)))
                    .collect()
            })
            .unwrap_or_default();
        Stats {
            sessions: self.sessions,
            practised: self.practised,
            added: self.added,
            weeks: by_week,
            days,
            most_practised: self.most_practised.clone(),
            streak: self.streak(),
        }
    }
}

/// Totals, minutes per week over the `weeks` weeks up to `today`, the most practised
/// sessions, and the streak, with days from midnight and weeks from Monday in `tz`.
pub fn stats(entries: &[Entry], today: Date, tz: &TimeZone, weeks: u32) -> Stats {
    stats_in(entries, today, &Calendar::midnight(tz.clone()), weeks)
}

/// [`stats`] with days and weeks as `calendar` counts them.
pub fn stats_in(entries: &[Entry], today: Date, calendar: &Calendar, weeks: u32) -> Stats {
    let mut tally = Tally::with_calendar(today, calendar, weeks);
    for e in entries {
        tally.add(e);
    }
    tally.finish()
}

/// The header row of the CSV export.
pub const CSV_HEADER: &str = "start,title,source,planned_s,practised_s,completed,stopped_at_step,steps,note,preview_speed,added\n";

/// One text cell of the CSV export. The journal may come from someone else, and the export
/// is opened in spreadsheets and printed on terminals, so the text is first made safe for a
/// terminal (escape sequences and other controls removed, see [`crate::text`]), then made
/// safe for a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return would be read as a formula, so it gets a leading `'` (the OWASP advice for CSV
/// injection), and finally it is quoted if it holds a comma, quote or line break.
pub fn csv_cell(s: &str) -> String {
    let mut cell = crate::text::clean_line(s);
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// One entry as a CSV row, with its line break.
pub fn csv_row(e: &Entry) -> String {
    let mut row = [
        csv_cell(&e.start),
        csv_cell(&e.title),
        csv_cell(&e.source),
        e.planned_s.to_string(),
        e.practised_s.to_string(),
        e.completed.to_string(),
        e.stopped_at_step.map(|s| s.to_string()).unwrap_or_default(),
        e.steps.to_string(),
        csv_cell(e.note.as_deref().unwrap_or("")),
        e.preview.map(|s| s.to_string()).unwrap_or_default(),
        e.added.to_string(),
    ]
    .join(",");
    row.push('\n');
    row
}

/// The journal as CSV, one row per entry, with a header.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = String::from(CSV_HEADER);
    for e in entries {
        out += &csv_row(e);
    }
    out
}
