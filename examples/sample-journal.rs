//! Writes a sample practice journal: fourteen months of someone's practice (the one the
//! journal view's snapshot tests use), moved so that it ends today. For the README's
//! screenshot of `hara journal`, and to try the view without a year of sitting.
//!
//! `cargo run --example sample-journal -- FILE`

#[path = "../tests/support/practice_journal.rs"]
mod practice_journal;

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: sample-journal FILE (it must not exist yet)")?;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin")?;
    let today = jiff::ZonedDateTime::now().with_time_zone(tz.clone()).date();
    let shift = practice_journal::TODAY.until(today)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    for mut e in practice_journal::entries() {
        let start = e.started().ok_or("a sample entry without a start")?;
        let moved = start
            .to_zoned_datetime(tz.clone())
            .datetime()
            .checked_add(shift)?
            .to_zoned_datetime(tz.clone())?;
        e.start = moved.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        writeln!(file, "{}", serde_json::to_string(&e)?)?;
    }
    Ok(())
}
