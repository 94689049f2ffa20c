//! The practice day: in which time zone, at what time of day one day gives way to the next
//! (`day_starts`), and on which day a week begins. `hara stats`, the journal view and the
//! streak all count days through one [`Calendar`], so a late sitting counts for the same day
//! everywhere.
//!
//! A day is told apart by the local wall clock, never by subtracting hours from an instant:
//! with `day_starts = "04:00"`, a sitting at 03:59 belongs to the day before and one at 04:00
//! to its own day, on the nights the clocks change as on any other.

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

/// How days and weeks are counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub tz: TimeZone,
    /// The local time at which a practice day begins (midnight by default).
    pub day_starts: Time,
    /// The first day of a week.
    pub week_starts: Weekday,
}

/// The latest time of day a day may start at: later than noon, the morning would count for
/// the day before.
pub const LATEST_DAY_START: Time = Time::constant(12, 0, 0, 0);

impl Calendar {
    pub fn new(tz: TimeZone, day_starts: Time, week_starts: Weekday) -> Self {
        Calendar {
            tz,
            day_starts,
            week_starts,
        }
    }

    /// Days from midnight, weeks from Monday (ISO 8601).
    pub fn midnight(tz: TimeZone) -> Self {
        Calendar::new(tz, Time::midnight(), Weekday::Monday)
    }

    /// The practice day an instant falls in: its local date, or the day before when the
    /// local time is earlier than `day_starts`.
    pub fn day_of(&self, t: Timestamp) -> Date {
        let local = t.to_zoned_datetime(self.tz.clone());
        let date = local.date();
        if local.time() < self.day_starts {
            date.yesterday().unwrap_or(date)
        } else {
            date
        }
    }

    /// The practice day it is now.
    pub fn today(&self) -> Date {
        self.day_of(Timestamp::now())
    }

    /// The first day of the week `day` is in.
    pub fn week_of(&self, day: Date) -> Date {
        let back = (day.weekday().to_monday_zero_offset() + 7
            - self.week_starts.to_monday_zero_offset())
            % 7;
        day.checked_sub(jiff::Span::new().days(i64::from(back)))
            .unwrap_or(day)
    }

    /// The weekdays in the order a week is drawn.
    pub fn weekdays(&self) -> [Weekday; 7] {
        std::array::from_fn(|i| self.week_starts.wrapping_add(i as i64))
    }
}

/// A weekday's name as the config file writes it.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

/// A weekday by its English name or its first three letters, in any case.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let text = text.trim().to_lowercase();
    if text.len() < 3 {
        return None;
    }
    [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ]
    .into_iter()
    .find(|d| weekday_name(*d).starts_with(&text) && (text.len() == 3 || weekday_name(*d) == text))
}

/// When a day starts, written `HH:MM`, from 00:00 to 12:00.
pub fn parse_day_start(text: &str) -> Result<Time, String> {
    let time = Time::strptime("%H:%M", text.trim())
        .map_err(|_| format!("`{text}` is not a time of day; write it as HH:MM, e.g. 04:00"))?;
    if time > LATEST_DAY_START {
        return Err(format!(
            "a day that starts at {} would count the morning for the day before; \
             choose a time from 00:00 to 12:00",
            time.strftime("%H:%M")
        ));
    }
    Ok(time)
}

/// The regions whose week starts on a Sunday, a Saturday or a Friday; every other region's
/// starts on Monday. From CLDR's `weekData` (`firstDay`), the data behind ICU and the
/// browsers.
const SUNDAY_REGIONS: &[&str] = &[
    "AG", "AS", "BD", "BR", "BS", "BT", "BW", "BZ", "CA", "CO", "DM", "DO", "ET", "GT", "GU", "HK",
    "HN", "ID", "IL", "IN", "JM", "JP", "KE", "KH", "KR", "LA", "MH", "MM", "MO", "MT", "MX", "MZ",
    "NI", "NP", "PA", "PE", "PH", "PK", "PR", "PT", "PY", "SA", "SG", "SV", "TH", "TT", "TW", "UM",
    "US", "VE", "VI", "WS", "YE", "ZA", "ZW",
];
const SATURDAY_REGIONS: &[&str] = &[
    "AF", "BH", "DJ", "DZ", "EG", "IQ", "IR", "JO", "KW", "LY", "OM", "QA", "SD", "SY",
];
const FRIDAY_REGIONS: &[&str] = &["MV"];

/// The first day of the week in a locale's region: `en_US.UTF-8` → Sunday, `de_DE` →
/// Monday. `None` for a locale that names no region (`C`, `POSIX`, `de`).
pub fn locale_week_start(locale: &str) -> Option<Weekday> {
    // language[_REGION][.codeset][@modifier]
    let name = locale.split(['.', '@']).next().unwrap_or("");
    let region = name.split(['_', '-']).nth(1)?;
    if region.len() != 2 || !region.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let region = region.to_ascii_uppercase();
    let is = |list: &[&str]| list.contains(&region.as_str());
    Some(if is(SUNDAY_REGIONS) {
        Weekday::Sunday
    } else if is(SATURDAY_REGIONS) {
        Weekday::Saturday
    } else if is(FRIDAY_REGIONS) {
        Weekday::Friday
    } else {
        Weekday::Monday
    })
}

/// The locale that decides how dates are shown, as POSIX orders the variables: `LC_ALL`,
/// then `LC_TIME`, then `LANG` (empty counts as unset).
pub fn time_locale(env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Option<String> {
    ["LC_ALL", "LC_TIME", "LANG"].iter().find_map(|name| {
        env(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn berlin(day_starts: Time) -> Calendar {
        Calendar::new(
            TimeZone::get("Europe/Berlin").unwrap(),
            day_starts,
            Weekday::Monday,
        )
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_day_ends_at_midnight_unless_told_otherwise() {
        let c = berlin(Time::midnight());
        assert_eq!(
            c.day_of(at("2026-11-28T23:59:00+01:00")),
            date(2026, 11, 28)
        );
        assert_eq!(
            c.day_of(at("2026-11-29T00:00:00+01:00")),
            date(2026, 11, 29)
        );
        let late = berlin(time(4, 0, 0, 0));
        assert_eq!(
            late.day_of(at("2026-11-29T01:30:00+01:00")),
            date(2026, 11, 28)
        );
        assert_eq!(
            late.day_of(at("2026-11-29T03:59:59+01:00")),
            date(2026, 11, 28)
        );
        assert_eq!(
            late.day_of(at("2026-11-29T04:00:00+01:00")),
            date(2026, 11, 29)
        );
    }

    #[test]
    fn the_day_boundary_is_the_wall_clock_on_the_nights_the_clocks_change() {
        let c = berlin(time(4, 0, 0, 0));
        // 29 March 2026: 02:00 CET becomes 03:00 CEST. 03:30 is before 04:00 on the wall,
        // though only 2.5 hours after midnight.
        assert_eq!(c.day_of(at("2026-03-29T03:30:00+02:00")), date(2026, 3, 28));
        assert_eq!(c.day_of(at("2026-03-29T04:00:00+02:00")), date(2026, 3, 29));
        // 4 hours after midnight is 05:00 on the wall that night: its own day.
        assert_eq!(c.day_of(at("2026-03-29T03:00:00Z")), date(2026, 3, 29));
        // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 comes twice, both before 04:00.
        assert_eq!(
            c.day_of(at("2026-10-25T02:30:00+02:00")),
            date(2026, 10, 24)
        );
        assert_eq!(
            c.day_of(at("2026-10-25T02:30:00+01:00")),
            date(2026, 10, 24)
        );
        assert_eq!(
            c.day_of(at("2026-10-25T04:00:00+01:00")),
            date(2026, 10, 25)
        );
        // Five hours after midnight is still 04:00 on the wall: the new day.
        assert_eq!(c.day_of(at("2026-10-25T03:00:00Z")), date(2026, 10, 25));
    }

    #[test]
    fn weeks_start_on_the_day_given() {
        let mut c = berlin(Time::midnight());
        // Sunday 29 November 2026.
        assert_eq!(c.week_of(date(2026, 11, 29)), date(2026, 11, 23));
        assert_eq!(c.week_of(date(2026, 11, 30)), date(2026, 11, 30));
        c.week_starts = Weekday::Sunday;
        assert_eq!(c.week_of(date(2026, 11, 29)), date(2026, 11, 29));
        assert_eq!(c.week_of(date(2026, 11, 28)), date(2026, 11, 22));
        c.week_starts = Weekday::Saturday;
        assert_eq!(c.week_of(date(2026, 11, 27)), date(2026, 11, 21));
        assert_eq!(c.weekdays()[0], Weekday::Saturday);
        assert_eq!(c.weekdays()[6], Weekday::Friday);
    }

    #[test]
    fn the_locale_names_the_first_day_of_the_week() {
        assert_eq!(locale_week_start("en_US.UTF-8"), Some(Weekday::Sunday));
        assert_eq!(locale_week_start("de_DE.UTF-8@euro"), Some(Weekday::Monday));
        assert_eq!(locale_week_start("en_GB"), Some(Weekday::Monday));
        assert_eq!(locale_week_start("ar_EG.UTF-8"), Some(Weekday::Saturday));
        assert_eq!(locale_week_start("dv_MV"), Some(Weekday::Friday));
        assert_eq!(locale_week_start("pt-BR"), Some(Weekday::Sunday));
        assert_eq!(locale_week_start("C.UTF-8"), None);
        assert_eq!(locale_week_start("POSIX"), None);
        assert_eq!(locale_week_start("de"), None);
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let all = env(&[("LC_ALL", "en_US"), ("LC_TIME", "de_DE"), ("LANG", "fr_FR")]);
        assert_eq!(time_locale(&all).as_deref(), Some("en_US"));
        let time = env(&[("LC_ALL", ""), ("LC_TIME", "de_DE"), ("LANG", "en_US")]);
        assert_eq!(time_locale(&time).as_deref(), Some("de_DE"));
        assert_eq!(time_locale(&env(&[])), None);
    }

    #[test]
    fn names_of_days_and_times() {
        assert_eq!(parse_weekday("Sunday"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday("sun"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday("MON"), Some(Weekday::Monday));
        assert_eq!(parse_weekday("su"), None);
        assert_eq!(parse_weekday("sunda"), None);
        assert_eq!(parse_weekday("moonday"), None);
        assert_eq!(parse_day_start("04:00"), Ok(time(4, 0, 0, 0)));
        assert_eq!(parse_day_start("12:00"), Ok(time(12, 0, 0, 0)));
        assert!(
            parse_day_start("13:00")
                .unwrap_err()
                .contains("from 00:00 to 12:00")
        );
        assert!(parse_day_start("4am").unwrap_err().contains("HH:MM"));
    }
}
