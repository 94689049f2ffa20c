//! The teacher's screen (`hara attach`): the run going on in another terminal, as whoever
//! leads it needs it: the step and its time left, what comes next and when, the plan, and the
//! keys that act on the run from here.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::action::{Action, Scope, hint_line};
use super::theme::Theme;
use crate::attach::{Board, Phase};
use crate::practice::Control;
use crate::session::duration::format_clock;

/// What the teacher's screen shows, reduced to what can be seen (compared before drawing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeacherView {
    pub title: String,
    pub state: Phase,
    /// (1-based number, of, title, round), once the countdown is over.
    pub step: Option<(usize, usize, String, Option<String>)>,
    /// Whole seconds left in the step (or the countdown).
    pub step_left: u64,
    /// In an open step: the whole seconds it has run (it has no time left).
    pub open: Option<u64>,
    pub session_left: u64,
    /// The next step: its title, and the local time it begins ("10:42"), or none while an
    /// open step before it lasts.
    pub next: Option<(String, Option<String>)>,
    /// The plan: local start time, title and round of each step, and which is current.
    pub plan: Vec<(String, String, Option<String>, bool)>,
}

fn secs_up(ms: u64, speed: u32) -> u64 {
    ms.div_ceil(1000 * u64::from(speed.max(1)))
}

/// The view `elapsed` (real time) after `board` came, at local time `now`. Times left are
/// in real seconds, as the room lives them (a preview runs them faster).
pub fn view(board: &Board, elapsed: Duration, now: &jiff::ZonedDateTime) -> TeacherView {
    let position = board.position_after(elapsed);
    let current = board.step_at(position);
    let speed = board.speed.max(1);
    // The local time of offset `at_ms` of the run (past, or ahead if it keeps moving).
    let clock_at = |at_ms: u64| {
        // After the open step the run is in, nothing has a time until the person moves on.
        if board.hold_ms.is_some_and(|h| at_ms >= h) {
            return None;
        }
        let ahead = (i128::from(at_ms) - i128::from(position)) / i128::from(speed);
        let ahead = jiff::SignedDuration::from_millis(i64::try_from(ahead).unwrap_or(0));
        Some(
            now.checked_add(ahead)
                .map_or_else(|_| String::new(), |t| t.strftime("%H:%M").to_string()),
        )
    };
    let step_end = match current {
        Some(i) => board.steps[i].start_ms + board.steps[i].length_ms,
        None => board.steps.first().map_or(board.end_ms, |s| s.start_ms),
    };
    let next_index = current.map_or(0, |i| i + 1);
    // The open step the run is in or will reach: laid out up to `hold_ms`, which is not yet
    // time the session takes.
    let holding = board.hold_ms.and_then(|hold| {
        board
            .steps
            .iter()
            .position(|s| s.start_ms + s.length_ms == hold && s.length_ms > 0)
    });
    let ahead = holding.map_or(0, |k| {
        let s = &board.steps[k];
        (s.start_ms + s.length_ms).saturating_sub(s.start_ms.max(position))
    });
    TeacherView {
        title: board.title.clone(),
        state: board.state,
        step: current.map(|i| {
            let s = &board.steps[i];
            (i + 1, board.steps.len(), s.title.clone(), s.round.clone())
        }),
        step_left: secs_up(step_end.saturating_sub(position), speed),
        open: current
            .filter(|&i| Some(i) == holding && board.state != Phase::Finished)
            .map(|i| position.saturating_sub(board.steps[i].start_ms) / (1000 * u64::from(speed))),
        session_left: secs_up(
            board.end_ms.saturating_sub(position).saturating_sub(ahead),
            speed,
        ),
        next: board
            .steps
            .get(next_index)
            .filter(|_| board.state != Phase::Finished)
            .map(|s| (s.title.clone(), clock_at(s.start_ms))),
        plan: board
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    clock_at(s.start_ms).unwrap_or_else(|| "after".into()),
                    s.title.clone(),
                    s.round.clone(),
                    Some(i) == current,
                )
            })
            .collect(),
    }
}

/// When the view will next change: the next whole second of the run's time, while it moves.
pub fn next_wake(board: &Board, elapsed: Duration) -> Option<Duration> {
    if !board.moving() {
        return None;
    }
    let speed = u64::from(board.speed.max(1));
    let real_ms = elapsed.as_millis() as u64;
    // Positions tick over every 1000 ms of run time: real time 1000 / speed.
    let period = (1000 / speed).max(1);
    let position = board.position_after(elapsed);
    let into = (position % 1000) / speed;
    Some(Duration::from_millis(
        real_ms + period - into.min(period - 1),
    ))
}

/// What a key does from the teacher's screen: a control for the run, or leaving.
pub enum Answer {
    Send(Control),
    Leave,
}

pub fn answer(action: Action) -> Option<Answer> {
    match action {
        Action::Quit | Action::Cancel | Action::ForceQuit => Some(Answer::Leave),
        other => other.control().map(Answer::Send),
    }
}

fn state_word(state: Phase) -> &'static str {
    match state {
        Phase::Preparing => "counting down",
        Phase::Running => "running",
        Phase::Open => "open: → goes on",
        Phase::Paused => "PAUSED",
        Phase::Finished => "ended",
    }
}

pub fn render(view: &TeacherView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, Style::new().bg(theme.background).patch(theme.text));
    let inner = area.inner(Margin::new(1, 0));
    let [top, _, now, next, _, plan, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    Paragraph::new(Line::from(vec![
        Span::styled(view.title.clone(), theme.strong),
        Span::styled("  · attached to the run", theme.dim),
    ]))
    .render(top, buf);
    let state_style = if view.state == Phase::Paused {
        theme.alert
    } else {
        theme.dim
    };
    Paragraph::new(Line::styled(state_word(view.state), state_style))
        .alignment(Alignment::Right)
        .render(top, buf);
    let left = |s: u64| format_clock(Duration::from_secs(s));
    let (what, round) = match &view.step {
        Some((n, of, title, round)) => (format!("{n}/{of}  {title}"), round.clone()),
        None if view.state == Phase::Finished => ("the session has ended".to_string(), None),
        None => ("the countdown".to_string(), None),
    };
    let [line1, line2] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(now);
    Paragraph::new(Line::from(vec![
        Span::styled(what, theme.strong),
        Span::styled(
            match view.open {
                Some(up) => format!("   open · {} so far", left(up)),
                None => format!("   {} left in it", left(view.step_left)),
            },
            theme.text,
        ),
    ]))
    .render(line1, buf);
    let mut second = match view.open {
        // Nobody knows how long the open step lasts: what is left is what follows it.
        Some(_) => format!("{} after this open step", left(view.session_left)),
        None => format!("{} left in all", left(view.session_left)),
    };
    if let Some(round) = round {
        second = format!("{round} · {second}");
    }
    Paragraph::new(Line::styled(second, theme.dim)).render(line2, buf);
    if let Some((title, at)) = &view.next {
        Paragraph::new(Line::from(vec![
            Span::styled("next: ", theme.dim),
            Span::styled(title.clone(), theme.text),
            Span::styled(
                match at {
                    Some(at) => format!(" at {at}"),
                    None => " when the open step ends".to_string(),
                },
                theme.dim,
            ),
        ]))
        .render(next, buf);
    }
    let rows: Vec<Line> = view
        .plan
        .iter()
        .map(|(at, title, round, current)| {
            let style = if *current { theme.selected } else { theme.text };
            let marker = if *current { "▸" } else { " " };
            let mut spans = vec![
                Span::styled(format!("{marker} {at}  "), style),
                Span::styled(title.clone(), style),
            ];
            if let Some(round) = round {
                spans.push(Span::styled(format!("  {round}"), theme.dim));
            }
            Line::from(spans)
        })
        .collect();
    // Scroll so the current step stays in sight.
    let current = view.plan.iter().position(|p| p.3).unwrap_or(0);
    let skip = current.saturating_sub(usize::from(plan.height) / 2);
    Paragraph::new(rows.into_iter().skip(skip).collect::<Vec<_>>()).render(plan, buf);
    let hint = format!(
        "{} · q leave (the run goes on)",
        hint_line(Scope::Session, view.state == Phase::Paused)
            .split(" · ")
            .filter(|part| !part.starts_with("? ") && !part.starts_with("q "))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    Paragraph::new(Line::styled(hint, theme.dim))
        .alignment(Alignment::Center)
        .render(keys, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attach::BoardStep;
    use crate::ui::theme::ThemeName;

    fn board(state: Phase, position_ms: u64) -> Board {
        let step = |title: &str, start_ms, length_ms, round: Option<&str>| BoardStep {
            title: title.into(),
            round: round.map(String::from),
            start_ms,
            length_ms,
        };
        Board {
            title: "Group sitting".into(),
            steps: vec![
                step("Settle", 10_000, 120_000, None),
                step("Sit", 130_000, 600_000, Some("Sitting · round 1 of 2")),
                step("Walk", 730_000, 300_000, Some("Sitting · round 1 of 2")),
            ],
            state,
            position_ms,
            end_ms: 1_030_000,
            hold_ms: None,
            speed: 1,
        }
    }

    fn at(time: &str) -> jiff::ZonedDateTime {
        format!("2026-11-30T{time}:00+00:00[UTC]").parse().unwrap()
    }

    #[test]
    fn the_step_what_comes_next_and_when() {
        // 60 s into "Settle": 60 s left in it, "Sit" begins at 10:01 when it is 10:00 now.
        let v = view(&board(Phase::Running, 70_000), Duration::ZERO, &at("10:00"));
        assert_eq!(v.step.as_ref().map(|s| s.2.as_str()), Some("Settle"));
        assert_eq!((v.step_left, v.session_left), (60, 960));
        assert_eq!(v.next, Some(("Sit".into(), Some("10:01".into()))));
        assert_eq!(v.plan[0].0, "09:59", "started a minute ago");
        assert!(v.plan[0].3 && !v.plan[1].3);
        // Ten seconds later, by its own clock, the view has moved on.
        let later = view(
            &board(Phase::Running, 70_000),
            Duration::from_secs(10),
            &at("10:00"),
        );
        assert_eq!(later.step_left, 50);
    }

    #[test]
    fn a_paused_run_stands_still_and_wakes_nothing() {
        let b = board(Phase::Paused, 70_000);
        let v = view(&b, Duration::from_secs(30), &at("10:00"));
        assert_eq!(v.step_left, 60);
        assert_eq!(next_wake(&b, Duration::from_secs(30)), None);
        let running = board(Phase::Running, 80_500);
        assert_eq!(
            next_wake(&running, Duration::ZERO),
            Some(Duration::from_millis(500)),
            "at the next whole second of the run"
        );
    }

    #[test]
    fn the_screen_says_paused_in_the_alert_colour() {
        let theme = Theme::new(ThemeName::Calm, true);
        let v = view(&board(Phase::Paused, 200_000), Duration::ZERO, &at("10:00"));
        let area = Rect::new(0, 0, 80, 20);
        let mut buf = Buffer::empty(area);
        render(&v, &theme, area, &mut buf);
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains("2/3  Sit"), "{text}");
        assert!(text.contains("next: Walk at"), "{text}");
        assert!(text.contains("q leave (the run goes on)"), "{text}");
        let paused = text.find("PAUSED").unwrap();
        let cell = &buf.content()[text[..paused].chars().count()];
        assert_eq!(cell.fg, theme.alert.fg.unwrap());
    }
}
