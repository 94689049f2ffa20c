//! Durations as people write them ("90s", "1m30s", "2.5s", "1h") and as we show them.
//!
//! Everything is exact integer milliseconds: a decimal like "5.5" is read digit by digit,
//! never through a float, so a pattern written as 5.5 s is 5500 ms and stays that way.

use std::ops::Range;
use std::time::Duration;

/// The longest duration any single value may have; far beyond the 24 h session limit, it
/// only keeps arithmetic comfortably inside `u64`.
const MAX_MS: u64 = 1000 * 60 * 60 * 1000;

/// Why a duration could not be read, and which bytes of the text are at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    pub message: String,
    pub at: Range<usize>,
    /// The same length the way hara reads it, when it could tell what was meant ("4m" for
    /// "4 minutes", "1m30s" for "1:30").
    pub meant: Option<String>,
}

fn err(message: impl Into<String>, at: Range<usize>) -> DurationError {
    DurationError {
        message: message.into(),
        at,
        meant: None,
    }
}

/// What a length written another common way means in hara's units: a clock-style "1:30"
/// (minutes and seconds; "1:02:03" with hours) or words such as "4 minutes" or "90 sec".
pub fn meant(text: &str) -> Option<String> {
    let text = text.trim();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 1 {
        if !parts.iter().all(|p| all_digits(p)) || parts.len() > 3 {
            return None;
        }
        let units = &["h", "m", "s"][3 - parts.len()..];
        let written: String = parts
            .iter()
            .zip(units)
            .filter_map(|(p, u)| {
                let n: u64 = p.parse().ok()?;
                (n > 0).then(|| format!("{n}{u}"))
            })
            .collect();
        return Some(if written.is_empty() {
            "0s".into()
        } else {
            written
        });
    }
    let mut out = String::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let split = word
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(word.len());
        let (number, mut unit) = word.split_at(split);
        if number.is_empty() {
            return None;
        }
        if unit.is_empty() {
            unit = words.next()?;
        }
        let unit = match unit.to_ascii_lowercase().trim_end_matches([',', '.']) {
            "h" | "hr" | "hrs" | "hour" | "hours" => "h",
            "m" | "min" | "mins" | "minute" | "minutes" => "m",
            "s" | "sec" | "secs" | "second" | "seconds" => "s",
            "ms" | "millisecond" | "milliseconds" => "ms",
            _ => return None,
        };
        out += number;
        out += unit;
        if words.peek().is_some_and(|w| w.eq_ignore_ascii_case("and")) {
            words.next();
        }
    }
    (!out.is_empty() && out != text).then_some(out)
}

/// Reads a non-negative decimal number of `unit_ms` units ("5", "5.5", "0.25") exactly.
/// Returns `None` for anything else, including more precision than a millisecond.
pub fn parse_decimal(text: &str, unit_ms: u64) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) || (text.contains('.') && frac.is_empty()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut ms = whole.checked_mul(unit_ms)?;
    // Each fractional digit is worth a tenth of the one before; the result must come out
    // whole in milliseconds.
    let mut place = unit_ms;
    for d in frac.bytes().map(|b| u64::from(b - b'0')) {
        if !place.is_multiple_of(10) {
            if d != 0 {
                return None;
            }
            continue;
        }
        place /= 10;
        ms = ms.checked_add(d * place)?;
    }
    (ms <= MAX_MS).then_some(ms)
}

/// A length typed by a person (on the command line, in the picker's quick line): a unit is
/// needed and it is more than zero. The error says what to write instead.
pub fn parse_length(text: &str) -> Result<Duration, String> {
    match parse(text) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("the length must be longer than zero".into()),
        Err(e) => Err(match e.meant {
            Some(meant) => format!("write it as {meant}"),
            None if e.message == "this number has no unit" => {
                format!("`{text}` needs a unit: {text}m for minutes, {text}s for seconds")
            }
            None => format!("{}; write a length as 90s, 1m30s, 20m or 1h30m", e.message),
        }),
    }
}

/// The time between interval bells as typed by a person: a length, or a range of them
/// (`3m..7m`, bells at random). Whether a range runs the right way round is the session
/// checker's to say, like every other rule of `every`.
pub fn parse_every(text: &str) -> Result<super::format::Every, String> {
    use super::format::Every;
    match text.split_once("..") {
        None => parse_length(text).map(Every::Fixed),
        Some((low, high)) => {
            let end = |t: &str, which: &str| {
                parse_length(t.trim()).map_err(|e| format!("the {which} gap: {e}"))
            };
            Ok(Every::Between {
                shortest: end(low, "shortest")?,
                longest: end(high, "longest")?,
            })
        }
    }
}

/// Parses a duration string: one or more `<number><unit>` parts with units `h`, `m`, `s`
/// and `ms`, largest first, each at most once, optionally separated by spaces. A length
/// written another common way is refused with what it [`meant`].
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    parse_units(text).map_err(|e| match meant(text) {
        Some(meant) if parse_units(&meant).is_ok() => DurationError {
            message: "hara writes lengths with the units h, m, s and ms".into(),
            at: 0..text.len(),
            meant: Some(meant),
        },
        _ => e,
    })
}

fn parse_units(text: &str) -> Result<Duration, DurationError> {
    const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    let mut last_rank: Option<usize> = None;
    let mut parts = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let num_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let number = &text[num_start..i];
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &text[unit_start..i];
        if number.is_empty() {
            let next_char = text[num_start..].chars().next().map_or(0, char::len_utf8);
            let end = i.max(num_start + next_char);
            return Err(err("expected a number", num_start..end));
        }
        if unit.is_empty() {
            return Err(if parts == 0 && i == text.len() {
                err("this number has no unit", num_start..i)
            } else {
                err("expected a unit after this number", num_start..i)
            });
        }
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(err(format!("unknown unit `{unit}`"), unit_start..i));
        };
        if last_rank.is_some_and(|r| r >= rank) {
            return Err(err(
                "units must go from largest to smallest, each once",
                unit_start..i,
            ));
        }
        last_rank = Some(rank);
        let Some(ms) = parse_decimal(number, UNITS[rank].1) else {
            return Err(err(
                "not a number this program can use (at most millisecond precision)",
                num_start..unit_start,
            ));
        };
        total = total.saturating_add(ms);
        parts += 1;
    }
    if parts == 0 {
        return Err(err("empty duration", 0..text.len()));
    }
    if total > MAX_MS {
        return Err(err("far too long", 0..text.len()));
    }
    Ok(Duration::from_millis(total))
}

/// The accepted forms, for `help:` lines.
pub const FORMS_HELP: &str =
    "write a duration as \"90s\", \"1m30s\", \"2.5s\", \"5m\", \"1h\", or a number of seconds (90)";

/// A compact, exact rendering that [`parse`] reads back: "1m30s", "2.5s", "1h", "0s".
pub fn format(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, frac) = (rest / 1000, rest % 1000);
    let mut out = String::new();
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if s > 0 || frac > 0 {
        out += &s.to_string();
        if frac > 0 {
            out += format!(".{frac:03}").trim_end_matches('0');
        }
        out.push('s');
    }
    out
}

/// Seconds with at most three decimals and no unit: "4", "5.5".
pub fn format_seconds(d: Duration) -> String {
    let ms = d.as_millis();
    let mut out = (ms / 1000).to_string();
    if !ms.is_multiple_of(1000) {
        out += format!(".{:03}", ms % 1000).trim_end_matches('0');
    }
    out
}

/// A clock reading for a session time: "04:59", or "1:04:59" past an hour.
pub fn format_clock(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// `d` to the nearest tenth of a second. What people read is rounded so; the exact
/// milliseconds stay in `--json` and the timing log.
fn tenths(d: Duration) -> Duration {
    Duration::from_millis(u64::try_from((d.as_millis() + 50) / 100 * 100).unwrap_or(u64::MAX))
}

/// A length for people: "55s" rather than "54.999s", "6.7s" rather than "6.667s".
pub fn format_rounded(d: Duration) -> String {
    format(tenths(d))
}

/// A clock reading to the tenth of a second, with the tenth only when it is not zero:
/// "01:10", "01:10.5", "02:30.7" (for 02:30.667).
pub fn format_clock_tenths(d: Duration) -> String {
    let d = tenths(d);
    match d.subsec_millis() / 100 {
        0 => format_clock(d),
        tenth => format!("{}.{tenth}", format_clock(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_ways_of_writing_a_length_are_refused_with_what_they_mean() {
        for (text, want) in [
            ("4 minutes", "4m"),
            ("1:30", "1m30s"),
            ("1:02:03", "1h2m3s"),
            ("90 sec", "90s"),
            ("1 hour and 30 minutes", "1h30m"),
            ("2 min 30 s", "2m30s"),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.meant.as_deref(), Some(want), "{text}");
        }
        assert_eq!(parse("4 fortnights").unwrap_err().meant, None);
        assert_eq!(
            parse("1m 30s").unwrap(),
            Duration::from_secs(90),
            "spaces between parts are fine"
        );
    }
    use proptest::prelude::*;

    fn ms(text: &str) -> u128 {
        parse(text).unwrap().as_millis()
    }

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!(ms("90s"), 90_000);
        assert_eq!(ms("1m30s"), 90_000);
        assert_eq!(ms("1m 30s"), 90_000);
        assert_eq!(ms("5m"), 300_000);
        assert_eq!(ms("1h"), 3_600_000);
        assert_eq!(ms("1h30m"), 5_400_000);
        assert_eq!(ms("2.5s"), 2500);
        assert_eq!(ms("0.25s"), 250);
        assert_eq!(ms("500ms"), 500);
        assert_eq!(ms("1.5m"), 90_000);
    }

    #[test]
    fn points_at_the_fault() {
        assert_eq!(parse("5q").unwrap_err().at, 1..2);
        assert_eq!(parse("90").unwrap_err().message, "this number has no unit");
        assert_eq!(parse("30s1m").unwrap_err().at, 4..5);
        assert_eq!(parse("1.2.3s").unwrap_err().at, 0..5);
        assert_eq!(parse("").unwrap_err().message, "empty duration");
        assert_eq!(parse("m").unwrap_err().at, 0..1);
        assert!(parse("0.0001s").is_err());
        assert!(parse("99999999999999999999h").is_err());
        assert!(parse("é").is_err());
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("5.5", 1000), Some(5500));
        assert_eq!(parse_decimal("0.001", 1000), Some(1));
        assert_eq!(parse_decimal("1.0000", 1000), Some(1000));
        assert_eq!(parse_decimal("1.0001", 1000), None);
        assert_eq!(parse_decimal(".5", 1000), Some(500));
        assert_eq!(parse_decimal("5.", 1000), None);
        assert_eq!(parse_decimal("", 1000), None);
        assert_eq!(parse_decimal("-1", 1000), None);
    }

    #[test]
    fn formats() {
        assert_eq!(format(Duration::from_millis(90_000)), "1m30s");
        assert_eq!(format(Duration::from_millis(2500)), "2.5s");
        assert_eq!(format(Duration::from_millis(3_600_000)), "1h");
        assert_eq!(format_seconds(Duration::from_millis(5500)), "5.5");
        assert_eq!(format_clock(Duration::from_secs(299)), "04:59");
        assert_eq!(format_clock(Duration::from_secs(3899)), "1:04:59");
        let ms = Duration::from_millis;
        assert_eq!(format_clock_tenths(ms(70_500)), "01:10.5");
        assert_eq!(format_clock_tenths(ms(150_667)), "02:30.7");
        assert_eq!(format_clock_tenths(ms(70_000)), "01:10");
        assert_eq!(format_clock_tenths(ms(69_960)), "01:10");
        assert_eq!(format_rounded(ms(54_999)), "55s");
        assert_eq!(format_rounded(ms(6_667)), "6.7s");
        assert_eq!(format_rounded(ms(6_650)), "6.7s", "halves round up");
    }

    proptest! {
        #[test]
        fn format_round_trips(ms in 0u64..100_000_000) {
            let d = Duration::from_millis(ms);
            prop_assert_eq!(parse(&format(d)).unwrap(), d);
        }

        #[test]
        fn never_panics(text in "\\PC{0,20}") {
            let _ = parse(&text);
        }
    }
}
