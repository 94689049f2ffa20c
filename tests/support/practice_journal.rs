//! A year and a bit of someone's practice, the same every time: for the journal view's
//! snapshots (tests/journal_view.rs) and the README's screenshot (`hara journal` on a journal
//! written by examples/sample-journal.rs).
#![allow(dead_code)]

use hara::journal::Entry;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;

/// The day the sample ends on: a Monday.
pub const TODAY: Date = date(2026, 11, 30);

/// A small, fixed pseudo-random sequence (no crate needed for a test's dice).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % sides
    }
}

fn entry(day: Date, hour: i8, minute: i8, title: &str, planned: u64, practised: u64) -> Entry {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let start = day.at(hour, minute, 0, 0).to_zoned_datetime(tz).unwrap();
    Entry {
        start: start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        title: title.into(),
        source: "builtin:hara-breathing".into(),
        planned_s: planned,
        practised_s: practised,
        completed: practised >= planned,
        stopped_at_step: (practised < planned).then_some(2),
        steps: 4,
        note: None,
        preview: None,
        added: false,
        seed: None,
        open: false,
    }
}

/// Fourteen months of practice up to [`TODAY`], in Europe/Berlin: a morning sit most days,
/// short ones before clients on workdays, a weekly group, a monthly zazenkai added by hand,
/// a few late sittings after midnight, some notes, a stopped session and a preview.
pub fn entries() -> Vec<Entry> {
    let mut dice = Dice(18);
    let mut out = Vec::new();
    let mut day = date(2025, 10, 1);
    let notes = [
        "the belly soft from the first breath",
        "restless; the exhale helped",
        "rain on the window, long quiet",
        "sleepy, but stayed",
        "knees ached, let them",
    ];
    while day <= TODAY {
        let weekday = day.weekday().to_monday_one_offset();
        // A quieter summer, and a fuller autumn.
        let keen = match day.month() {
            6..=8 => 3,
            9..=11 => 9,
            _ => 7,
        };
        if dice.roll(10) < keen {
            let minutes = [10, 10, 12, 15, 20, 20, 25, 30][dice.roll(8) as usize];
            let mut e = entry(day, 7, 10, "Hara breathing", minutes * 60, minutes * 60);
            if dice.roll(12) == 0 {
                e.note = Some(notes[dice.roll(5) as usize].into());
            }
            out.push(e);
        }
        if weekday <= 5 && dice.roll(3) > 0 {
            out.push(entry(day, 9, 50, "Before a client", 190, 190));
        }
        if weekday == 4 && dice.roll(4) > 0 {
            let mut e = entry(day, 19, 30, "Group sitting", 1800, 1800);
            if dice.roll(3) == 0 {
                e.note = Some("a full room; the bell carried".into());
            }
            out.push(e);
        }
        if day.day() == 14 && day.month() % 2 == 0 {
            let mut e = entry(day, 9, 0, "Zazenkai", 4 * 3600, 4 * 3600);
            e.source = hara::journal::ADDED_SOURCE.into();
            e.added = true;
            e.steps = 0;
            e.note = Some("with the sangha, a real bowl".into());
            out.push(e);
        }
        if dice.roll(25) == 0 {
            // After midnight: with `day_starts = "04:00"` it counts for the day before.
            let next = day.tomorrow().unwrap();
            let mut e = entry(next, 1, 20, "Lying belly breath", 720, 720);
            e.note = Some("couldn't sleep".into());
            out.push(e);
        }
        day = day.tomorrow().unwrap();
    }
    // This month: one stopped early, and a preview that is not practice.
    out.push(entry(
        date(2026, 11, 27),
        21,
        40,
        "Sit and walk",
        2400,
        1500,
    ));
    let mut preview = entry(date(2026, 11, 28), 12, 0, "Box breathing", 240, 240);
    preview.preview = Some(60);
    out.push(preview);
    out.retain(|e| {
        e.started()
            .is_some_and(|t| t.to_zoned_datetime(TimeZone::UTC).date() <= TODAY)
    });
    out
}
