//! Drawing the journal view from a [`JournalView`]. Render only reads: no clock, no files,
//! no state changes.
//!
//! Minutes a day are ratatui's `BarChart`, minutes a week its `Sparkline`; the year is one
//! cell a day, shaded with characters (`· ░ ▒ ▓ █`) as well as colour, so it reads the same
//! with `NO_COLOR`. (ratatui's `Canvas` plots points and lines in braille dots, which cannot
//! carry a shade; the cells are drawn directly.)

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, BorderType, Borders, Clear, Paragraph, Sparkline, Widget,
};

use super::action::{Scope, help_rows, hint_line};
use super::journal::JournalView;
use super::render::{MIN_HEIGHT, MIN_WIDTH, too_small};
use super::theme::Theme;
use crate::journal::Listed;
use crate::session::duration::format;
use crate::text::{fit, width};

/// A day without practice, and the four shades of a day with some, lightest first.
pub const NO_PRACTICE: &str = "·";
pub const SHADES: [&str; 4] = ["░", "▒", "▓", "█"];

/// Rows the parts of the screen need at the least.
const BARS_MIN: u16 = 5; // a title, three rows of bars, the dates under them
const BOTTOM_MIN: u16 = 3; // a title and two entries
const YEAR_ROWS: u16 = 9; // a title, the months, seven days
/// The most rows the bars grow by beyond their least: first by half of what is spare, then,
/// once the entries have their rows, by more.
const BARS_GROW: u16 = 8;
const BARS_GROW_MORE: u16 = 10;
/// The rows the month's entries can fill: a title and every entry listed.
const BOTTOM_FULL: u16 = 1 + crate::journal::LISTED_PER_MONTH as u16;
/// The most weeks of bars.
const BAR_WEEKS: u16 = 8;
/// From this width on, the entries and the most practised sit side by side.
const SIDE_BY_SIDE: u16 = 100;

/// How the rows of the screen are shared out: what must be there first, then what fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rows {
    summary: u16,
    gap_top: u16,
    bars: u16,
    gap_bars: u16,
    year: u16,
    weeks: u16,
    gap_year: u16,
    bottom: u16,
}

fn rows(height: u16) -> Rows {
    // The header and the keys take a row each.
    let avail = height.saturating_sub(2);
    let year = if avail >= BARS_MIN + BOTTOM_MIN + YEAR_ROWS {
        YEAR_ROWS
    } else {
        0
    };
    let mut spare = avail.saturating_sub(BARS_MIN + BOTTOM_MIN + year);
    let mut take = |n: u16, wanted: bool| {
        if wanted && spare >= n {
            spare -= n;
            n
        } else {
            0
        }
    };
    let more_entries = take(2, true);
    let summary = take(1, true);
    let weeks = take(1, year > 0);
    let gap_bars = take(1, true);
    let gap_year = take(1, year > 0);
    let gap_top = take(1, true);
    let mut grow = (spare / 2).min(BARS_GROW);
    spare -= grow;
    let mut bottom = BOTTOM_MIN + more_entries;
    let fill = BOTTOM_FULL.saturating_sub(bottom).min(spare);
    bottom += fill;
    spare -= fill;
    let more = spare.min(BARS_GROW_MORE);
    grow += more;
    spare -= more;
    Rows {
        summary,
        gap_top,
        bars: BARS_MIN + grow,
        gap_bars,
        year,
        weeks,
        gap_year,
        bottom: bottom + spare,
    }
}

/// Draws the whole journal view.
pub fn journal(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, Style::new().bg(theme.background).patch(theme.text));
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(theme, area, buf);
    }
    let inner = area.inner(Margin::new(1, 0));
    let r = rows(inner.height);
    let [header, summary, _, bars, _, year, weeks, _, bottom, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(r.summary),
        Constraint::Length(r.gap_top),
        Constraint::Length(r.bars),
        Constraint::Length(r.gap_bars),
        Constraint::Length(r.year),
        Constraint::Length(r.weeks),
        Constraint::Length(r.gap_year),
        Constraint::Length(r.bottom),
        Constraint::Length(1),
    ])
    .areas(inner);
    draw_header(view, theme, header, buf);
    draw_summary(view, theme, summary, buf);
    if view.sessions == 0 {
        let body = Rect::new(inner.x, bars.y, inner.width, bottom.bottom() - bars.y);
        draw_empty(theme, body, buf);
    } else {
        draw_bars(view, theme, bars, buf);
        if r.year > 0 {
            draw_year(view, theme, year, weeks, buf);
        }
        draw_bottom(view, theme, bottom, buf);
    }
    let hint = hint_line(Scope::Journal, false);
    let hint = if width(&hint) > usize::from(keys.width) {
        "? keys · q close".to_string()
    } else {
        hint
    };
    line(&hint, theme.dim, Alignment::Center, keys, buf);
    if view.help {
        draw_help(theme, area, buf);
    }
}

fn line(text: &str, style: Style, alignment: Alignment, area: Rect, buf: &mut Buffer) {
    Paragraph::new(Line::styled(text.to_string(), style))
        .alignment(alignment)
        .render(area, buf);
}

/// "1h05m", or "0m" for nothing.
fn minutes(secs: u64) -> String {
    if secs < 60 {
        return format!("{}m", secs / 60);
    }
    format(std::time::Duration::from_secs(secs / 60 * 60))
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The month, with ‹ › where there is a month to move to, and its totals on the right.
fn draw_header(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let month = view.month.strftime("%B %Y").to_string();
    let arrows = (
        if view.earlier { "‹ " } else { "  " },
        if view.later { " ›" } else { "" },
    );
    let totals = format!(
        "{} · {}",
        minutes(view.month_total.secs),
        plural(view.month_total.sessions as usize, "session")
    );
    let room = usize::from(area.width);
    let long = width(&month) + 14 + width(&totals) < room;
    let mut spans = Vec::new();
    if long {
        spans.push(Span::styled("journal  ", theme.dim));
    }
    spans.push(Span::styled(arrows.0, theme.dim));
    spans.push(Span::styled(month.clone(), theme.strong));
    spans.push(Span::styled(arrows.1, theme.dim));
    Paragraph::new(Line::from(spans)).render(area, buf);
    if view.sessions > 0 && width(&month) + 6 + width(&totals) <= room {
        line(&totals, theme.text, Alignment::Right, area, buf);
    }
}

/// The month's days with practice, everything in the journal, and lines not read.
fn draw_summary(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.height == 0 || view.sessions == 0 {
        return;
    }
    let days_in_month = (view.last.day() - view.month.day() + 1) as usize;
    let mut text = format!(
        "{} of {} with practice · in all {} in {}",
        plural(view.month_days, "day"),
        days_in_month,
        minutes(view.practised_s),
        plural(view.sessions, "session")
    );
    if view.skipped > 0 {
        text += &format!(
            " · {} not read (hara log names them)",
            plural(view.skipped, "line")
        );
    }
    line(
        &fit(&text, usize::from(area.width)),
        theme.dim,
        Alignment::Left,
        area,
        buf,
    );
}

fn draw_empty(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [_, first, second, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(3),
        Constraint::Fill(1),
    ])
    .areas(area);
    Paragraph::new("No sessions in the journal yet.")
        .style(theme.strong)
        .alignment(Alignment::Center)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(first, buf);
    Paragraph::new(vec![
        Line::from("Sessions you run are kept here."),
        Line::from("Add one done elsewhere: hara log add 20m"),
    ])
    .style(theme.dim)
    .alignment(Alignment::Center)
    .wrap(ratatui::widgets::Wrap { trim: true })
    .render(second, buf);
}

/// Minutes of `day`, from the view's days (0 outside them).
fn minutes_on(view: &JournalView, day: Date) -> u64 {
    let Some((first, _)) = view.days.first() else {
        return 0;
    };
    let index = first
        .until(day)
        .ok()
        .and_then(|span| usize::try_from(span.get_days()).ok());
    index
        .and_then(|i| view.days.get(i))
        .filter(|(d, _)| *d == day)
        .map_or(0, |(_, m)| *m)
}

/// The first day of the week `day` is in, as the view draws weeks.
fn week_of(view: &JournalView, day: Date) -> Date {
    let back =
        (day.weekday().to_monday_zero_offset() + 7 - view.weekdays[0].to_monday_zero_offset()) % 7;
    day.checked_sub(i64::from(back).days()).unwrap_or(day)
}

/// A day's minutes as bar heights in eighths of a row: any practice shows at least one
/// eighth, so a short sitting is never lost next to a long one; `most` or more is a full bar.
fn eighths(minutes: u64, most: u64, rows: u16) -> u64 {
    if minutes == 0 || most == 0 {
        return 0;
    }
    let full = u64::from(rows) * 8;
    (u128::from(minutes.min(most)) * u128::from(full))
        .div_ceil(u128::from(most))
        .clamp(1, u128::from(full)) as u64
}

/// The minutes a full bar stands for: the longest day, unless it is more than twice the
/// 90th percentile of the days with practice (a retreat among short sits), whose bar is then
/// cut there and marked, so the other days keep their height.
fn bar_scale(minutes: &[u64]) -> u64 {
    let most = minutes.iter().copied().max().unwrap_or(0);
    let usual = scale(minutes.iter().copied());
    if most > usual.saturating_mul(2) {
        usual * 2
    } else {
        most
    }
}

/// The mark on top of a bar cut short.
pub const CUT: &str = "↑";

/// Minutes a day over the last weeks up to the day shown, as a bar chart with the dates
/// under it.
fn draw_bars(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [title, chart, axis] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let weeks = (area.width / 14).clamp(1, BAR_WEEKS);
    let per_day = (area.width / (weeks * 7)).max(1);
    let count = usize::from(weeks) * 7;
    let first = view
        .last
        .checked_sub((count as i64 - 1).days())
        .unwrap_or(view.last);
    let days: Vec<Date> = std::iter::successors(Some(first), |d| d.tomorrow().ok())
        .take(count)
        .collect();
    let shown: Vec<u64> = days.iter().map(|d| minutes_on(view, *d)).collect();
    let most = shown.iter().copied().max().unwrap_or(0);
    let scale = bar_scale(&shown);
    let title_text = "minutes a day";
    line(title_text, theme.dim, Alignment::Left, title, buf);
    let best = days.iter().zip(&shown).rfind(|(_, m)| **m == most);
    let peak = match best {
        Some((day, m)) if *m > 0 => {
            format!("most {} on {}", minutes(m * 60), day.strftime("%a %-d %b"))
        }
        _ => "no practice in these weeks".to_string(),
    };
    if width(title_text) + width(&peak) + 2 <= usize::from(title.width) {
        line(&peak, theme.dim, Alignment::Right, title, buf);
    }
    let bars: Vec<Bar> = shown
        .iter()
        .map(|m| {
            Bar::default()
                .value(eighths(*m, scale, chart.height))
                .text_value("")
        })
        .collect();
    let bar_width = per_day.saturating_sub(1).max(1);
    let chart_area = Rect {
        width: (per_day * weeks * 7).min(chart.width),
        ..chart
    };
    BarChart::default()
        .bar_width(bar_width)
        .bar_gap(u16::from(per_day > 1))
        .max(u64::from(chart.height) * 8)
        .bar_style(Style::new().fg(theme.fill))
        .data(BarGroup::default().bars(&bars))
        .render(chart_area, buf);
    for (i, m) in shown.iter().enumerate() {
        if *m > scale && chart.height > 0 {
            let x = chart_area.x + i as u16 * per_day;
            for dx in 0..bar_width {
                buf[(x + dx, chart.y)].set_symbol(CUT);
            }
        }
    }
    // Under the bars: the month at its first day, the date at each week's first day.
    let mut next_free = 0u16;
    for (i, day) in days.iter().enumerate() {
        let x = i as u16 * per_day;
        let label = if day.day() == 1 {
            day.strftime("%b").to_string()
        } else if *day == week_of(view, *day) {
            day.day().to_string()
        } else {
            continue;
        };
        let w = width(&label) as u16;
        if x < next_free || x + w > axis.width {
            continue;
        }
        let style = if day.day() == 1 {
            theme.text
        } else {
            theme.dim
        };
        buf.set_string(axis.x + x, axis.y, &label, style);
        next_free = x + w + 1;
    }
}

/// The shade of a day with `minutes`, 1 to 4, against `scale` (a day of `scale` minutes or
/// more is the darkest).
fn level(minutes: u64, scale: u64) -> usize {
    if minutes == 0 {
        return 0;
    }
    let scale = scale.max(1);
    ((minutes.min(scale) * 4).div_ceil(scale)).clamp(1, 4) as usize
}

/// The minutes that make the darkest shade: the 90th percentile of the days with practice,
/// so one long retreat day does not wash out the rest of the year.
fn scale(minutes: impl Iterator<Item = u64>) -> u64 {
    let mut some: Vec<u64> = minutes.filter(|m| *m > 0).collect();
    if some.is_empty() {
        return 1;
    }
    some.sort_unstable();
    some[(some.len() * 9 / 10).min(some.len() - 1)]
}

/// The style of a shade: the breath's colour, lighter for fewer minutes where the theme has
/// true colours. The character carries the shade whatever the colour.
pub fn shade_style(theme: &Theme, level: usize) -> Style {
    if level == 0 {
        return theme.dim;
    }
    let fg = match (theme.hollow, theme.fill) {
        (Color::Rgb(r0, g0, b0), Color::Rgb(r1, g1, b1)) => {
            // Half, two thirds, five sixths and all of the way from the hollow to the fill.
            let t = 2 + level as u16;
            let mix = |a: u8, b: u8| ((u16::from(a) * (6 - t) + u16::from(b) * t) / 6) as u8;
            Color::Rgb(mix(r0, r1), mix(g0, g1), mix(b0, b1))
        }
        (_, fill) => fill,
    };
    theme.text.fg(fg)
}

/// The name of a weekday in two letters.
fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Mo",
        Weekday::Tuesday => "Tu",
        Weekday::Wednesday => "We",
        Weekday::Thursday => "Th",
        Weekday::Friday => "Fr",
        Weekday::Saturday => "Sa",
        Weekday::Sunday => "Su",
    }
}

/// A year of days, one cell a day and one column a week, shaded by minutes; under it, the
/// minutes of each week as a sparkline.
fn draw_year(view: &JournalView, theme: &Theme, area: Rect, weeks_row: Rect, buf: &mut Buffer) {
    const LABEL: u16 = 3;
    let [title, months, grid] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(7),
    ])
    .areas(area);
    let room = area.width.saturating_sub(LABEL);
    let full = super::journal::YEAR_WEEKS as u16;
    let cell = if room >= full * 3 {
        3
    } else if room >= full * 2 {
        2
    } else {
        1
    };
    let columns = (room / cell).min(full);
    if columns == 0 {
        return;
    }
    let first = week_of(view, view.last)
        .checked_sub((i64::from(columns - 1) * 7).days())
        .unwrap_or(view.last);
    let day_at = |column: u16, row: u16| {
        first
            .checked_add((i64::from(column) * 7 + i64::from(row)).days())
            .ok()
            .filter(|d| *d <= view.last)
    };
    let scale = scale(
        (0..columns)
            .flat_map(|c| (0..7).map(move |r| (c, r)))
            .filter_map(|(c, r)| day_at(c, r))
            .map(|d| minutes_on(view, d)),
    );
    // The title, and the legend: what each shade means.
    // The legend: each shade in its own colour, then what the darkest means.
    let mut legend = vec![Span::styled(format!("{NO_PRACTICE} none "), theme.dim)];
    for (i, shade) in SHADES.iter().enumerate() {
        legend.push(Span::styled(*shade, shade_style(theme, i + 1)));
        legend.push(Span::styled(" ", theme.dim));
    }
    legend.push(Span::styled(
        format!("{} or more", minutes(scale * 60)),
        theme.dim,
    ));
    let legend = Line::from(legend);
    let title_text = if columns == full {
        "a year of days".to_string()
    } else {
        format!("{columns} weeks of days")
    };
    if width(&title_text) + legend.width() + 2 <= usize::from(title.width) {
        line(&title_text, theme.dim, Alignment::Left, title, buf);
    }
    Paragraph::new(legend)
        .alignment(Alignment::Right)
        .render(title, buf);
    // Weekday names down the side.
    for (row, day) in view.weekdays.iter().enumerate() {
        buf.set_string(grid.x, grid.y + row as u16, weekday_short(*day), theme.dim);
    }
    // The cells, and the months' names over the column of their first day.
    let mut next_free = 0u16;
    for column in 0..columns {
        let x = grid.x + LABEL + column * cell;
        for row in 0..7u16 {
            let Some(day) = day_at(column, row) else {
                continue;
            };
            let shade = level(minutes_on(view, day), scale);
            let symbol = if shade == 0 {
                NO_PRACTICE
            } else {
                SHADES[shade - 1]
            };
            let style = shade_style(theme, shade);
            for dx in 0..cell.saturating_sub(1).max(1) {
                buf[(x + dx, grid.y + row)]
                    .set_symbol(symbol)
                    .set_style(style);
            }
            if day.day() == 1 {
                let name = day.strftime("%b").to_string();
                let offset = x - (grid.x + LABEL);
                if offset >= next_free && offset + 3 <= room {
                    let style = if day.first_of_month() == view.month {
                        theme.strong
                    } else {
                        theme.dim
                    };
                    buf.set_string(x, months.y, &name, style);
                    next_free = offset + 4;
                }
            }
        }
    }
    // Minutes a week, one bar under each column.
    if weeks_row.height > 0 {
        let totals: Vec<u64> = (0..columns)
            .map(|c| {
                (0..7)
                    .filter_map(|r| day_at(c, r))
                    .map(|d| minutes_on(view, d))
                    .sum()
            })
            .collect();
        let data: Vec<Option<u64>> = spark_levels(&totals)
            .into_iter()
            .flat_map(|l| {
                std::iter::once(Some(l.unwrap_or(0)))
                    .chain(std::iter::repeat_n(None, usize::from(cell) - 1))
            })
            .collect();
        buf.set_string(weeks_row.x, weeks_row.y, "wk", theme.dim);
        let spark_area = Rect {
            x: weeks_row.x + LABEL,
            width: columns * cell,
            ..weeks_row
        };
        Sparkline::default()
            .max(8)
            .absent_value_symbol(" ")
            .style(Style::new().fg(theme.fill))
            .data(data)
            .render(spark_area, buf);
    }
}

/// Values as sparkline heights in eighths: `None` for nothing, at least one eighth for any.
pub fn spark_levels(values: &[u64]) -> Vec<Option<u64>> {
    let most = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| match v {
            0 => None,
            v => Some((u128::from(v) * 8).div_ceil(u128::from(most)).clamp(1, 8) as u64),
        })
        .collect()
}

/// Values as one line of ratatui's `Sparkline`, for printing: a dot for nothing.
pub fn sparkline_text(values: &[u64]) -> String {
    let width = u16::try_from(values.len()).unwrap_or(u16::MAX);
    let area = Rect::new(0, 0, width, 1);
    let mut buf = Buffer::empty(area);
    Sparkline::default()
        .max(8)
        .absent_value_symbol(NO_PRACTICE)
        .data(spark_levels(values))
        .render(area, &mut buf);
    buf.content().iter().map(|c| c.symbol()).collect()
}

/// The month's entries, and the most practised sessions beside or under them.
fn draw_bottom(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width >= SIDE_BY_SIDE {
        let [entries, _, most] = Layout::horizontal([
            Constraint::Fill(3),
            Constraint::Length(3),
            Constraint::Fill(2),
        ])
        .areas(area);
        draw_entries(view, theme, entries, buf);
        draw_most(view, theme, most, buf);
        return;
    }
    // Under the entries, the most practised, if a title and two rows of it fit below them.
    let entries_rows = 1 + view.entries.len().max(1) as u16;
    if area.height < entries_rows + 1 + 3 {
        return draw_entries(view, theme, area, buf);
    }
    let [entries, _, most] = Layout::vertical([
        Constraint::Length(entries_rows),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    draw_entries(view, theme, entries, buf);
    draw_most(view, theme, most, buf);
}

fn draw_entries(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let month = view.month.strftime("%B").to_string();
    let total = view.month_total.sessions as usize;
    let rows = usize::from(area.height.saturating_sub(1));
    let shown = view.entries.len().min(rows);
    let titles = if shown < total {
        vec![
            format!("the latest {shown} of {total} sessions in {month}"),
            format!("the latest {shown} of {total}"),
        ]
    } else {
        vec![format!("sessions in {month}")]
    };
    let title = titles
        .iter()
        .find(|t| width(t) <= usize::from(area.width))
        .unwrap_or(&titles[titles.len() - 1]);
    let [title_row, list] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    line(title, theme.dim, Alignment::Left, title_row, buf);
    if view.entries.is_empty() {
        line(
            &format!("none in {month}"),
            theme.dim,
            Alignment::Left,
            list,
            buf,
        );
    }
    let listed = &view.entries[..shown];
    // Titles in a column as wide as the widest, so the lengths line up.
    let title_width = listed
        .iter()
        .map(|e| width(&e.title))
        .max()
        .unwrap_or(0)
        .min(ENTRY_TITLE_COLUMNS);
    for (i, e) in listed.iter().enumerate() {
        let row = Rect::new(list.x, list.y + i as u16, list.width, 1);
        Paragraph::new(entry_line(e, theme, title_width, usize::from(list.width))).render(row, buf);
    }
}

/// The widest the title column of the entries grows.
const ENTRY_TITLE_COLUMNS: usize = 28;

/// One entry on one line: when, what, how long, how it went, and its note, cut to fit.
fn entry_line(e: &Listed, theme: &Theme, title_width: usize, room: usize) -> Line<'static> {
    // The weekday too, where there is room for it.
    let when = if room >= 60 {
        e.local.strftime("%a %e %b %H:%M")
    } else {
        e.local.strftime("%e %b %H:%M")
    }
    .to_string();
    let mut how = format!("{:>6}", minutes(e.practised_s));
    if e.added {
        how += " by hand";
    } else if !e.completed {
        how += " stopped";
    }
    let fixed = width(&when) + 2 + 1 + width(&how);
    let column = title_width.min(room.saturating_sub(fixed)).max(1);
    let title = crate::text::pad(&fit(&e.title, column), column);
    let mut spans = vec![
        Span::styled(format!("{when}  "), theme.dim),
        Span::styled(title, theme.text),
        Span::styled(format!(" {how}"), theme.dim),
    ];
    let used = fixed + column;
    if let Some(note) = &e.note
        && room > used + 8
    {
        spans.push(Span::styled(
            format!("  · {}", fit(note, room - used - 4)),
            theme.dim,
        ));
    }
    Line::from(spans)
}

fn draw_most(view: &JournalView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [title_row, list] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    line("most practised", theme.dim, Alignment::Left, title_row, buf);
    let room = usize::from(list.width);
    for (i, (title, secs, n)) in view.most.iter().take(usize::from(list.height)).enumerate() {
        let row = Rect::new(list.x, list.y + i as u16, list.width, 1);
        let right = format!("{:>7}  {n:>4}×", minutes(*secs));
        let title = fit(title, room.saturating_sub(width(&right) + 2));
        line(&title, theme.text, Alignment::Left, row, buf);
        if width(&title) + width(&right) + 2 <= room {
            line(&right, theme.dim, Alignment::Right, row, buf);
        }
    }
}

/// The journal's keys, from the one table, in a box over the view.
fn draw_help(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let key_width = help_rows(Scope::Journal)
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = help_rows(Scope::Journal)
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:>key_width$}  "), theme.strong),
                Span::styled(what.to_string(), theme.text),
            ])
        })
        .collect();
    let w = (lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    buf.set_style(rect, Style::new().bg(theme.background).patch(theme.text));
    Paragraph::new(lines)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(theme.dim)
                .title(Line::styled(" journal keys ", theme.strong)),
        )
        .render(rect, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_add_up_at_every_height() {
        for height in MIN_HEIGHT..=80 {
            let r = rows(height);
            let total = 2
                + r.summary
                + r.gap_top
                + r.bars
                + r.gap_bars
                + r.year
                + r.weeks
                + r.gap_year
                + r.bottom;
            assert_eq!(total, height, "{r:?}");
            assert!(r.bars >= BARS_MIN && r.bottom >= BOTTOM_MIN, "{r:?}");
        }
        assert_eq!(rows(12).year, 0, "no room for the year at 40×12");
        assert_eq!(rows(22).year, YEAR_ROWS);
    }

    #[test]
    fn shades_grow_with_minutes_and_stop_at_the_scale() {
        assert_eq!(level(0, 40), 0);
        assert_eq!(level(1, 40), 1);
        assert_eq!(level(10, 40), 1);
        assert_eq!(level(11, 40), 2);
        assert_eq!(level(40, 40), 4);
        assert_eq!(level(400, 40), 4);
        // One retreat day among twenty-minute days does not make them all pale.
        let days = std::iter::repeat_n(20, 30).chain([600]);
        assert_eq!(scale(days), 20);
        assert_eq!(scale(std::iter::empty()), 1);
    }

    #[test]
    fn a_short_sitting_is_never_lost_beside_a_long_one() {
        assert_eq!(eighths(0, 90, 3), 0);
        assert_eq!(eighths(1, 600, 3), 1);
        assert_eq!(eighths(90, 90, 3), 24);
        assert_eq!(eighths(600, 90, 3), 24, "cut at the scale");
        // Twenty-minute days and one of four hours: the bars are scaled to 40 minutes.
        let days: Vec<u64> = std::iter::repeat_n(20, 20).chain([240]).collect();
        assert_eq!(bar_scale(&days), 40);
        assert_eq!(bar_scale(&[20, 30, 35]), 35, "no day stands out");
        assert_eq!(sparkline_text(&[0, 1, 50, 100]), "·▁▄█");
    }
}
