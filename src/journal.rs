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
    /// Set for a preview run faster than real time (`--speed`): its speed. A preview is kept
    /// in the journal but is not practice, so stats leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<u32>,
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
/// end (1 is the last line); [`Backward::line_number`] turns that into a line number.
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

/// How many different titles the stats keep apart; sessions under any further title are
/// counted together, so a journal of a million titles cannot take a million rows of memory.
pub const MAX_TITLES: usize = 10_000;
/// Titles are told apart by their first this many characters.
pub const TITLE_KEY_CHARS: usize = 200;
/// The sessions counted together once [`MAX_TITLES`] titles are kept.
pub const OTHER_TITLES: &str = "(other titles)";
/// Days further back than this cannot be part of the streak hara shows.
const STREAK_DAYS_KEPT: i64 = 100 * 366;

/// The stats gathered one entry at a time, in memory bounded whatever the journal's length.
pub struct Tally {
    today: Date,
    tz: TimeZone,
    sessions: usize,
    practised: u64,
    by_week: Vec<(Date, u64)>,
    by_title: BTreeMap<String, (u64, usize)>,
    other: (u64, usize),
    days: std::collections::BTreeSet<Date>,
    oldest_day: Date,
}

impl Tally {
    /// Minutes per week over the `weeks` weeks up to `today`, with dates in `tz`.
    pub fn new(today: Date, tz: &TimeZone, weeks: u32) -> Self {
        let this_week = week_start(today);
        let by_week = (0..weeks)
            .rev()
            .filter_map(|w| this_week.checked_sub((i64::from(w) * 7).days()).ok())
            .map(|monday| (monday, 0))
            .collect();
        Tally {
            today,
            tz: tz.clone(),
            sessions: 0,
            practised: 0,
            by_week,
            by_title: BTreeMap::new(),
            other: (0, 0),
            days: std::collections::BTreeSet::new(),
            oldest_day: today
                .checked_sub(STREAK_DAYS_KEPT.days())
                .unwrap_or(Date::MIN),
        }
    }

    pub fn add(&mut self, e: &Entry) {
        if e.preview.is_some() {
            return;
        }
        self.sessions += 1;
        self.practised = self.practised.saturating_add(e.practised_s);
        let Some(date) = local_date(e, &self.tz) else {
            return;
        };
        if date > self.oldest_day && date <= self.today {
            self.days.insert(date);
        }
        let monday = week_start(date);
        if let Some(w) = self.by_week.iter_mut().find(|(m, _)| *m == monday) {
            w.1 = w.1.saturating_add(e.practised_s);
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

    pub fn finish(mut self) -> Stats {
        for w in &mut self.by_week {
            w.1 /= 60;
        }
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
        let today = self.today;
        let mut day = if self.days.contains(&today) {
            today
        } else {
            today.yesterday().unwrap_or(today)
        };
        let mut streak = 0;
        while self.days.contains(&day) {
            streak += 1;
            match day.yesterday() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        Stats {
            sessions: self.sessions,
            practised: Duration::from_secs(self.practised),
            weeks: self.by_week,
            most_practised: most,
            streak,
        }
    }
}

/// Totals, minutes per week over the `weeks` weeks up to `today`, the most practised
/// sessions, and the streak, with dates in `tz`.
pub fn stats(entries: &[Entry], today: Date, tz: &TimeZone, weeks: u32) -> Stats {
    let mut tally = Tally::new(today, tz, weeks);
    for e in entries {
        tally.add(e);
    }
    tally.finish()
}

/// The header row of the CSV export.
pub const CSV_HEADER: &str =
    "start,title,source,planned_s,practised_s,completed,stopped_at_step,steps,note,preview_speed\n";

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
