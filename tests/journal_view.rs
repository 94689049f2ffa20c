//! The journal view: snapshots at the sizes that matter (the 40×12 minimum, 80×24, 127×35 as
//! on a projector at 18 pt, 200×60), its states, its keys through the real loop, and the
//! styles that carry meaning (with characters that carry the same under NO_COLOR).

use std::time::Duration;

use hara::calendar::Calendar;
use hara::engine::ManualClock;
use hara::journal::{History, Tally};
use hara::practice::{Script, Wake};
use hara::ui::action::Action;
use hara::ui::charts::{self, CUT, NO_PRACTICE, SHADES, shade_style};
use hara::ui::journal::{JournalScreen, Mode, journal_loop};
use hara::ui::theme::{Theme, ThemeName};
use hara::ui::{Exit, Input};
use jiff::civil::{Weekday, date, time};
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Color;

#[path = "support/practice_journal.rs"]
mod practice_journal;

const SIZES: [(u16, u16); 4] = [(40, 12), (80, 24), (127, 35), (200, 60)];

fn calendar() -> Calendar {
    Calendar::new(
        TimeZone::get("Europe/Berlin").unwrap(),
        time(4, 0, 0, 0),
        Weekday::Monday,
    )
}

fn history_of(entries: &[hara::journal::Entry]) -> History {
    let mut tally = Tally::with_calendar(practice_journal::TODAY, &calendar(), 8);
    for e in entries {
        tally.add(e);
    }
    tally.history()
}

fn history() -> History {
    history_of(&practice_journal::entries())
}

fn calm() -> Theme {
    Theme::new(ThemeName::Calm, true)
}

fn no_color() -> Theme {
    Theme::new(ThemeName::Calm, false)
}

fn terminal(screen: &JournalScreen, theme: &Theme, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let view = screen.view();
    terminal
        .draw(|f| charts::journal(&view, theme, f.area(), f.buffer_mut()))
        .unwrap();
    terminal
}

fn draw(screen: &JournalScreen, size: (u16, u16)) -> String {
    format!("{}", terminal(screen, &calm(), size).backend())
}

fn screen_after(actions: &[Action]) -> JournalScreen {
    let mut screen = JournalScreen::new(history(), 0);
    for a in actions {
        screen.handle(*a);
    }
    screen
}

#[test]
fn this_month_at_every_size() {
    let screen = screen_after(&[]);
    for size in SIZES {
        insta::assert_snapshot!(
            format!("journal-{}x{}", size.0, size.1),
            draw(&screen, size)
        );
    }
}

#[test]
fn earlier_months_and_their_entries() {
    let september = screen_after(&[Action::PreviousMonth, Action::PreviousMonth]);
    let view = september.view();
    assert_eq!(view.month, date(2026, 9, 1));
    assert_eq!(
        view.last,
        date(2026, 9, 30),
        "a past month is drawn to its end"
    );
    assert!(view.entries.iter().all(|e| e.day.month() == 9));
    insta::assert_snapshot!("journal-september-80x24", draw(&september, (80, 24)));
    insta::assert_snapshot!("journal-september-127x35", draw(&september, (127, 35)));
}

#[test]
fn the_months_stop_at_the_first_with_practice_and_at_this_one() {
    let mut screen = screen_after(&[]);
    screen.handle(Action::NextMonth);
    assert_eq!(
        screen.mode(),
        Mode::Month(date(2026, 11, 1)),
        "no month after this one"
    );
    for _ in 0..40 {
        screen.handle(Action::PreviousMonth);
    }
    assert_eq!(
        screen.mode(),
        Mode::Month(date(2025, 10, 1)),
        "the first month with practice"
    );
    let view = screen.view();
    assert!(!view.earlier && view.later);
    insta::assert_snapshot!("journal-first-month-80x24", draw(&screen, (80, 24)));
    screen.handle(Action::ThisMonth);
    assert_eq!(screen.mode(), Mode::Month(date(2026, 11, 1)));
}

#[test]
fn help_shows_the_journal_keys_from_the_one_table() {
    let screen = screen_after(&[Action::ToggleHelp]);
    let shown = draw(&screen, (80, 24));
    for (keys, what) in hara::ui::action::help_rows(hara::ui::action::Scope::Journal) {
        assert!(
            shown.contains(keys) && shown.contains(what),
            "{keys} {what}\n{shown}"
        );
    }
    insta::assert_snapshot!("journal-help-80x24", shown);
    let mut closing = screen_after(&[Action::ToggleHelp]);
    closing.handle(Action::PreviousMonth);
    assert_eq!(
        closing.mode(),
        Mode::Help(date(2026, 11, 1)),
        "help stays until closed"
    );
    closing.handle(Action::Quit);
    assert_eq!(
        closing.mode(),
        Mode::Month(date(2026, 11, 1)),
        "q closes the help first"
    );
    closing.handle(Action::Quit);
    assert_eq!(closing.mode(), Mode::Left);
}

#[test]
fn an_empty_journal_says_how_to_fill_it() {
    let screen = JournalScreen::new(history_of(&[]), 0);
    let view = screen.view();
    assert_eq!((view.sessions, view.earlier, view.later), (0, false, false));
    insta::assert_snapshot!("journal-empty-80x24", draw(&screen, (80, 24)));
    insta::assert_snapshot!("journal-empty-40x12", draw(&screen, (40, 12)));
}

#[test]
fn unread_lines_are_counted_where_there_is_room() {
    let screen = JournalScreen::new(history(), 3);
    let shown = draw(&screen, (127, 35));
    assert!(
        shown.contains("3 lines not read (hara log names them)"),
        "{shown}"
    );
}

#[test]
fn too_small_says_so_and_no_size_panics() {
    let screen = screen_after(&[]);
    insta::assert_snapshot!("journal-too-small-39x11", draw(&screen, (39, 11)));
    let views = [
        screen.view(),
        screen_after(&[Action::ToggleHelp]).view(),
        JournalScreen::new(history_of(&[]), 2).view(),
    ];
    for view in &views {
        for w in (0..230).step_by(9) {
            for h in (0..70).step_by(4) {
                let area = Rect::new(0, 0, w, h);
                charts::journal(view, &calm(), area, &mut Buffer::empty(area));
            }
        }
    }
}

/// The cells of the year's picture for a known week: the first column of weekday rows
/// starts after the three columns of weekday names.
fn year_rows(terminal: &Terminal<TestBackend>) -> Vec<u16> {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width;
    (0..buffer.area.height)
        .filter(|&y| {
            let label: String = (1..3)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].contains(&label.as_str())
                && (4..width).any(|x| SHADES.contains(&buffer[(x, y)].symbol()))
        })
        .collect()
}

#[test]
fn shades_are_characters_first_and_colours_second() {
    let screen = screen_after(&[]);
    // With NO_COLOR: every day of the year is a character that says how much, and no cell
    // has a colour of its own.
    let plain = terminal(&screen, &no_color(), (127, 35));
    let rows = year_rows(&plain);
    assert_eq!(rows.len(), 7, "{}", plain.backend());
    let buffer = plain.backend().buffer();
    let mut seen = std::collections::BTreeSet::new();
    for &y in &rows {
        for x in 4..buffer.area.width {
            let cell = &buffer[(x, y)];
            if SHADES.contains(&cell.symbol()) || cell.symbol() == NO_PRACTICE {
                seen.insert(cell.symbol().to_string());
                assert_eq!(cell.fg, Color::Reset, "({x}, {y}) has a colour");
            }
        }
    }
    assert_eq!(seen.len(), 5, "all four shades and the dot: {seen:?}");
    // In colour: the shade's colour grows with it, the darkest in the breath's colour.
    let theme = calm();
    let coloured = terminal(&screen, &theme, (127, 35));
    let buffer = coloured.backend().buffer();
    for &y in &year_rows(&coloured) {
        for x in 4..buffer.area.width {
            let cell = &buffer[(x, y)];
            if let Some(level) = SHADES.iter().position(|s| *s == cell.symbol()) {
                assert_eq!(cell.style().fg, shade_style(&theme, level + 1).fg);
            }
        }
    }
    let fg = |level| shade_style(&theme, level).fg.unwrap();
    assert_eq!(fg(4), theme.fill);
    let brightness = |c: Color| match c {
        Color::Rgb(r, g, b) => u32::from(r) + u32::from(g) + u32::from(b),
        other => panic!("{other:?}"),
    };
    assert!(
        (1..4).all(|l| brightness(fg(l)) < brightness(fg(l + 1))),
        "each shade nearer the breath's colour than the one before"
    );
    assert_eq!(
        shade_style(&theme, 0),
        theme.dim,
        "a day without practice is dim"
    );
    // The bars are the breath's colour too, and carry their height in characters.
    let bars: Vec<_> = buffer
        .content()
        .iter()
        .filter(|c| ["▁", "▂", "▃", "▄", "▅", "▆", "▇"].contains(&c.symbol()))
        .collect();
    assert!(!bars.is_empty());
    assert!(bars.iter().all(|c| c.fg == theme.fill));
}

#[test]
fn a_retreat_day_is_cut_and_marked_so_the_rest_keep_their_height() {
    // practice_journal's zazenkai of 14 October (4 h) is in the 8 weeks shown at 127 wide.
    let screen = screen_after(&[]);
    let shown = draw(&screen, (127, 35));
    assert_eq!(shown.matches(CUT).count(), 1, "{shown}");
    assert!(shown.contains("most 4h33m on Wed 14 Oct"), "{shown}");
}

#[test]
fn a_late_sitting_counts_for_the_day_before() {
    // 01:20 on 1 December 2025 counts for 30 November with days starting at 04:00.
    let late = practice_journal::entries()
        .into_iter()
        .filter(|e| e.title == "Lying belly breath")
        .collect::<Vec<_>>();
    let history = history_of(&late);
    let listed: Vec<_> = history.months.values().flatten().collect();
    assert!(!listed.is_empty());
    for l in &listed {
        assert_eq!(l.local.time(), time(1, 20, 0, 0));
        assert_eq!(Some(l.day), l.local.date().yesterday().ok());
    }
}

fn key(code: KeyCode) -> (Duration, Wake<Input>) {
    (
        Duration::ZERO,
        Wake::Input(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    )
}

/// A pause in the script: the loop hands back so the test can look at the screen.
fn look() -> (Duration, Wake<Input>) {
    (Duration::ZERO, Wake::Continue)
}

#[test]
fn the_loop_moves_through_months_and_draws_only_what_changed() {
    let clock = ManualClock::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut screen = JournalScreen::new(history(), 0);
    let mut script = Script::new(
        &clock,
        [
            // → on this month changes nothing, and draws nothing.
            key(KeyCode::Right),
            look(),
            key(KeyCode::Left),
            look(),
            // A key the journal does not know, then t: back to this month.
            key(KeyCode::Char('x')),
            key(KeyCode::Char('t')),
            look(),
            key(KeyCode::Char('?')),
            look(),
            key(KeyCode::Esc),
            key(KeyCode::Char('q')),
        ],
    );
    let mut run = |terminal: &mut Terminal<TestBackend>, screen: &mut JournalScreen| {
        let exit = journal_loop(terminal, screen, &mut script, &calm()).unwrap();
        (
            exit,
            terminal.get_frame().count(),
            format!("{}", terminal.backend()),
        )
    };
    let (exit, frames, shown) = run(&mut terminal, &mut screen);
    assert_eq!(
        (exit, frames),
        (Exit::Refresh, 1),
        "one frame for two looks at November"
    );
    assert!(shown.contains("November 2026"), "{shown}");
    let (_, frames, shown) = run(&mut terminal, &mut screen);
    assert!(shown.contains("October 2026"), "{shown}");
    // The loop came back after a look: it draws anew, then once more for the new month.
    assert_eq!(frames, 3);
    let (_, frames, shown) = run(&mut terminal, &mut screen);
    assert!(shown.contains("November 2026"), "{shown}");
    assert_eq!(frames, 5, "the unknown key drew nothing");
    let (_, _, shown) = run(&mut terminal, &mut screen);
    assert!(shown.contains("journal keys"), "{shown}");
    let (exit, _, _) = run(&mut terminal, &mut screen);
    assert_eq!(exit, Exit::Left);
    assert_eq!(screen.mode(), Mode::Left);
}

#[test]
fn the_loop_waits_only_for_keys_and_a_stop_leaves() {
    // With no key to come, the loop's wait has no deadline, so the script answers with a
    // stop: a loop that woke itself on a timer would never get there.
    let clock = ManualClock::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut screen = JournalScreen::new(history(), 0);
    let mut script = Script::new(&clock, []);
    let exit = journal_loop(&mut terminal, &mut screen, &mut script, &calm()).unwrap();
    assert_eq!(exit, Exit::Stopped);
    assert_eq!(screen.mode(), Mode::Left);
    assert_eq!(
        clock_reading(&clock),
        Duration::ZERO,
        "no time passed waiting"
    );
}

fn clock_reading(clock: &ManualClock) -> Duration {
    use hara::engine::Clock;
    clock.now()
}
