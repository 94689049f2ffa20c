//! The journal view: your practice as pictures. Minutes a day for the last weeks, a year of
//! days shaded by minutes, the most practised sessions, and the month's entries with their
//! notes; ← and → move through the months.
//!
//! The journal is read once, streamed ([`crate::journal::Tally`]), into a [`History`] of
//! bounded size; the screen keeps it and its [`Mode`], builds a [`JournalView`] of what can be
//! seen, and the loop draws it only when it changed ([`super::charts`] only reads it).

use std::io;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use ratatui::backend::Backend;
use ratatui::{DefaultTerminal, Terminal};

use super::action::{Action, Scope, keymap};
use super::theme::Theme;
use super::{Exit, Input, Options, charts};
use crate::engine::RealClock;
use crate::journal::{Day, History, Listed};
use crate::practice::{Inbox, Inputs, Wake};
use crate::text::clean_line;

/// What the journal view is doing. One value, so no two states can be on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Showing a month (by its first day).
    Month(Date),
    /// The keys, over a month.
    Help(Date),
    /// Done: the front end hands back.
    Left,
}

/// How many weeks of days the year's picture holds (a year and a few days, whole weeks).
pub const YEAR_WEEKS: usize = 53;
/// How many titles the view lists as the most practised.
pub const MOST_SHOWN: usize = 10;

/// Everything the journal view shows: two moments with equal views look the same, so the
/// screen is redrawn only when the view changes.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalView {
    /// The month shown, by its first day.
    pub month: Date,
    /// The practice day it is.
    pub today: Date,
    /// The last day drawn: today in this month, else the month's last day.
    pub last: Date,
    /// The weekdays in the order a week is drawn.
    pub weekdays: [Weekday; 7],
    /// The days of the [`YEAR_WEEKS`] weeks up to `last`'s, oldest first: each day's
    /// minutes of practice (days after `last` are not in it).
    pub days: Vec<(Date, u64)>,
    /// The month's totals, and on how many days there was practice.
    pub month_total: Day,
    pub month_days: usize,
    /// Every session in the journal (previews aside), and their time in seconds.
    pub sessions: usize,
    pub practised_s: u64,
    /// (title, seconds, sessions), most time first, titles cleaned.
    pub most: Vec<(String, u64, usize)>,
    /// The month's latest entries, newest first.
    pub entries: Vec<Listed>,
    /// Whether there is a month before or after this one to move to.
    pub earlier: bool,
    pub later: bool,
    /// Lines of the journal that could not be read.
    pub skipped: usize,
    pub help: bool,
}

/// The journal view's state: the history read, and where the person is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalScreen {
    history: History,
    skipped: usize,
    mode: Mode,
    /// The months that can be shown: from the first with practice to this one.
    first_month: Date,
    this_month: Date,
}

impl JournalScreen {
    /// Opens on this month.
    pub fn new(history: History, skipped: usize) -> Self {
        let this_month = history.today.first_of_month();
        let first_month = history
            .days
            .keys()
            .next()
            .map_or(this_month, |d| d.first_of_month())
            .min(this_month);
        JournalScreen {
            history,
            skipped,
            mode: Mode::Month(this_month),
            first_month,
            this_month,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn month(&self) -> Option<Date> {
        match self.mode {
            Mode::Month(m) | Mode::Help(m) => Some(m),
            Mode::Left => None,
        }
    }

    /// Acts on a key.
    pub fn handle(&mut self, action: Action) {
        let Some(month) = self.month() else { return };
        self.mode = match (self.mode, action) {
            (_, Action::ForceQuit) => Mode::Left,
            (Mode::Help(m), Action::ToggleHelp | Action::Quit | Action::Cancel) => Mode::Month(m),
            (Mode::Help(m), _) => Mode::Help(m),
            (_, Action::Quit | Action::Cancel) => Mode::Left,
            (_, Action::ToggleHelp) => Mode::Help(month),
            (_, Action::PreviousMonth) => Mode::Month(self.step(month, -1)),
            (_, Action::NextMonth) => Mode::Month(self.step(month, 1)),
            (_, Action::ThisMonth) => Mode::Month(self.this_month),
            (mode, _) => mode,
        };
    }

    /// The month `by` months from `month`, kept between the first and this one.
    fn step(&self, month: Date, by: i64) -> Date {
        month
            .checked_add(by.months())
            .unwrap_or(month)
            .clamp(self.first_month, self.this_month)
    }

    pub fn view(&self) -> JournalView {
        let h = &self.history;
        let month = self.month().unwrap_or(self.this_month);
        let month_end = month.last_of_month();
        let last = month_end.min(h.today);
        let calendar = &h.calendar;
        let first = calendar
            .week_of(last)
            .checked_sub(((YEAR_WEEKS as i64 - 1) * 7).days())
            .unwrap_or(Date::MIN);
        let days = std::iter::successors(Some(first), |d| d.tomorrow().ok())
            .take_while(|d| *d <= last)
            .map(|d| (d, h.day(d).secs / 60))
            .collect();
        JournalView {
            month,
            today: h.today,
            last,
            weekdays: calendar.weekdays(),
            days,
            month_total: h.between(month, month_end),
            month_days: h.days_practised(month, month_end),
            sessions: h.sessions,
            practised_s: h.practised.as_secs(),
            most: h
                .most_practised
                .iter()
                .take(MOST_SHOWN)
                .map(|(t, time, n)| (clean_line(t), time.as_secs(), *n))
                .collect(),
            entries: h.months.get(&month).cloned().unwrap_or_default(),
            earlier: month > self.first_month,
            later: month < self.this_month,
            skipped: self.skipped,
            help: matches!(self.mode, Mode::Help(_)),
        }
    }
}

/// Runs the journal view until it is left, a stop comes, or the terminal must be given back.
/// Generic over the backend and the inputs, so a test drives it with ratatui's `TestBackend`
/// and a [`Script`](crate::practice::Script).
pub fn journal_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    screen: &mut JournalScreen,
    inputs: &mut dyn Inputs<Input>,
    theme: &Theme,
) -> Result<Exit, B::Error> {
    let mut shown = None;
    loop {
        if screen.mode() == Mode::Left {
            return Ok(Exit::Left);
        }
        let view = screen.view();
        if shown.as_ref() != Some(&view) {
            terminal
                .draw(|frame| charts::journal(&view, theme, frame.area(), frame.buffer_mut()))?;
            shown = Some(view);
        }
        // Nothing on this screen changes by itself: wait for a key.
        let action = match inputs.wait(None, &RealClock::new(1)) {
            None => None,
            Some(Wake::Input(Input::Key(key))) => keymap(key, Scope::Journal),
            Some(Wake::Input(Input::Resize)) => {
                super::fit(terminal)?;
                shown = None;
                None
            }
            // Not a run: boards and controls for one mean nothing here.
            Some(Wake::Input(Input::Board(_) | Input::Gone) | Wake::Control(_)) => None,
            Some(Wake::Stop) => {
                screen.handle(Action::ForceQuit);
                return Ok(Exit::Stopped);
            }
            Some(Wake::Suspend) => return Ok(Exit::Suspend),
            Some(Wake::Continue) => return Ok(Exit::Refresh),
        };
        match action {
            Some(Action::Suspend) => return Ok(Exit::Suspend),
            Some(action) => screen.handle(action),
            None => {}
        }
    }
}

/// The journal view on the real terminal, through suspends; true when a stop signal ended it.
pub fn browse(
    terminal: &mut DefaultTerminal,
    screen: &mut JournalScreen,
    inbox: &mut Inbox<Input>,
    theme: &Theme,
) -> io::Result<bool> {
    loop {
        match journal_loop(terminal, screen, inbox, theme)? {
            Exit::Left => return Ok(false),
            Exit::Stopped => return Ok(true),
            Exit::Suspend => super::suspend(terminal)?,
            Exit::Refresh => super::refresh(terminal)?,
        }
    }
}

/// `hara journal`: the journal view, full screen, until it is closed.
pub fn run(history: History, skipped: usize, options: &Options) -> io::Result<()> {
    let mut inbox = Inbox::new(true)?;
    super::with_terminal(inbox.sender(), &options.theme, |terminal| {
        let mut screen = JournalScreen::new(history, skipped);
        browse(terminal, &mut screen, &mut inbox, &options.theme).map(|_| ())
    })
}
