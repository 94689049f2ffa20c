//! Drawing the session screen from a [`SessionView`]. Render only reads: no clock, no sound,
//! no state changes.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};

use super::action::{OPEN_HINT, Scope, help_rows, hint_line, open_hint_line};
use super::session::{Overlay, SessionView};
use super::theme::Theme;
use super::{bigtext, breath};
use crate::engine::State;
use crate::session::duration::{format, format_clock};
use crate::timeline::Phase;

/// The mark shown for a moment when a bell sounds, for anyone who cannot hear it.
const BELL_MARK: &str = "◦ ◯ ◦";

/// The smallest screen the session view is laid out for.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// The phase word with its seconds: "in 4", "hold 2", "out 6", or "still" for a sit.
pub fn phase_label(view: &SessionView) -> String {
    match view.state {
        State::Paused => return "paused".into(),
        State::Finished => return "end".into(),
        State::Preparing => return format!("{}", view.prepare_left),
        State::Running | State::Open => {}
    }
    match view.phase {
        // An open sit is a stopwatch: its time, counting up.
        Some(Phase::Still) | None if view.open.is_some() => {
            format_clock(std::time::Duration::from_secs(view.open.unwrap_or(0)))
        }
        Some(Phase::Still) | None => "still".into(),
        Some(phase) => {
            let word = match phase {
                Phase::Inhale => "in",
                Phase::TopUp => "top up",
                Phase::Hold => "hold",
                Phase::Exhale => "out",
                Phase::Rest => "rest",
                Phase::Still => unreachable!("handled above"),
            };
            format!("{word} {}", view.phase_left)
        }
    }
}

fn fill_background(theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, Style::new().bg(theme.background).patch(theme.text));
}

/// Words centred in `area`, wrapped at its width.
fn wrapped(text: &str, style: Style, area: Rect, buf: &mut Buffer) {
    Paragraph::new(text.to_string())
        .style(style)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

/// A line centred in `area`, if there is room for it.
fn centred(text: &str, style: Style, area: Rect, buf: &mut Buffer) {
    Paragraph::new(Line::styled(text.to_string(), style))
        .alignment(Alignment::Center)
        .render(area, buf);
}

/// Draws the whole session screen.
pub fn session(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    fill_background(theme, area, buf);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(theme, area, buf);
    }
    if view.projection {
        projection(view, theme, area, buf);
    } else {
        standard(view, theme, area, buf);
    }
    match view.overlay {
        Overlay::None => {}
        Overlay::Help => help(theme, area, buf),
        Overlay::ConfirmQuit => confirm_quit(theme, area, buf),
    }
}

/// Below the smallest layout: one centred line.
pub fn too_small(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let text = if area.width >= 36 {
        "make the window larger (40×12)"
    } else if area.width >= 26 {
        "make the window larger"
    } else {
        "larger"
    };
    centred(text, theme.dim, middle, buf);
}

fn header(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let step = match &view.step {
        Some((n, of, title)) => format!("{n}/{of}  {title}"),
        None => "starting".into(),
    };
    // In a repeated group, its name and round say more than the session's title.
    let left = view.round.as_ref().unwrap_or(&view.title);
    Paragraph::new(Line::styled(left.clone(), theme.dim)).render(area, buf);
    Paragraph::new(Line::styled(step, theme.strong))
        .alignment(Alignment::Right)
        .render(area, buf);
}

/// "12:00 left"; with an open step still to come, "12:00 + open left" (or "open" when
/// nothing else takes time), since nobody knows how long it will last.
fn time_left(view: &SessionView) -> String {
    let left = format_clock(std::time::Duration::from_secs(view.session_left));
    match (view.open_ahead, view.session_left) {
        (false, _) => format!("{left} left"),
        (true, 0) => "open".to_string(),
        (true, _) => format!("{left} + open left"),
    }
}

/// The session time left and a thin progress line.
fn footer(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut left = match view.open {
        // An open step has no time left: its time so far, and what follows it.
        Some(up) if view.session_left > 0 => format!(
            " open {} · then {}",
            format_clock(std::time::Duration::from_secs(up)),
            format_clock(std::time::Duration::from_secs(view.session_left))
        ),
        Some(up) => format!(" open {}", format_clock(std::time::Duration::from_secs(up))),
        None => format!(" {}", time_left(view)),
    };
    if !view.sound.is_empty() {
        left += &format!(" · {}", view.sound);
    }
    let bar_width = area.width.saturating_sub(left.chars().count() as u16 + 1);
    let done = (u32::from(bar_width) * u32::from(view.progress.min(1000)) / 1000) as usize;
    let bar = format!(
        "{}{}",
        "━".repeat(done),
        "─".repeat(bar_width as usize - done)
    );
    Paragraph::new(Line::from(vec![
        Span::styled(bar, theme.dim.fg(theme.fill)),
        Span::styled(left, theme.dim),
    ]))
    .render(area, buf);
}

fn hint(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let text = match view.state {
        State::Finished if view.note.is_some() => "Enter: save the note · Esc: skip".to_string(),
        State::Finished => "any key: done".to_string(),
        State::Open => open_hint_line(),
        state => hint_line(Scope::Session, state == State::Paused),
    };
    // On a narrow screen, the two keys that lead to all the others.
    let short = if view.state == State::Open {
        // How to go on is what matters most in an open step.
        format!("{OPEN_HINT} · ? keys · q quit")
    } else {
        "? keys · q quit".to_string()
    };
    let text = if text.chars().count() > usize::from(area.width) {
        &short
    } else {
        &text
    };
    centred(text, theme.dim, area, buf);
}

fn standard(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let compact = area.height < 20;
    let text_rows = if compact { 0 } else { 2 };
    let cue_rows = if compact { 2 } else { 3 };
    let [top, gap, text, visual, label, cue, bottom, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(!compact)),
        Constraint::Length(text_rows),
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(cue_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area.inner(ratatui::layout::Margin::new(1, 0)));
    header(view, theme, top, buf);
    if view.bell {
        // Under the header, or over the phase word when the screen has no row to spare.
        let at = if gap.height > 0 { gap } else { label };
        centred(BELL_MARK, theme.strong.fg(theme.fill), at, buf);
    }
    if let Some(t) = &view.text {
        wrapped(t, theme.text, text, buf);
    }
    middle(view, theme, visual, buf);
    let label_text = match view.state {
        State::Preparing => "settle in · the bell will begin".to_string(),
        _ => phase_label(view),
    };
    if !(view.bell && gap.height == 0) {
        centred(&label_text, theme.strong, label, buf);
    }
    if let Some(c) = &view.cue {
        wrapped(c, theme.text, cue, buf);
    }
    footer(view, theme, bottom, buf);
    hint(view, theme, keys, buf);
}

/// The breath, or what stands in its place: the countdown, the summary, a still bar.
fn middle(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match view.state {
        State::Preparing => {
            let text = view.prepare_left.to_string();
            match bigtext::fit(&text, area) {
                Some(size) => bigtext::draw(&text, size.at_most(2), theme.strong, area, buf),
                None => centred(&text, theme.strong, area, buf),
            }
        }
        State::Finished => {
            let [_, line1, line2, _] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(2),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(area);
            centred("Finished", theme.strong, line1, buf);
            let practised = format(std::time::Duration::from_secs(view.practised));
            centred(&format!("practised {practised}"), theme.text, line2, buf);
            if view.note.is_some() {
                let [_, prompt] =
                    Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
                note_prompt(view, theme, prompt, buf);
            }
        }
        State::Running | State::Open | State::Paused if view.reduce_motion => {
            still_bar(view, theme, area, buf)
        }
        State::Running | State::Open | State::Paused => {
            breath::draw(view.fill, theme, area, buf);
            if view.state == State::Paused {
                let [_, banner, _] = Layout::vertical([
                    Constraint::Fill(1),
                    Constraint::Length(1),
                    Constraint::Fill(1),
                ])
                .areas(area);
                let text = "  PAUSED · space to resume  ";
                let w = (text.chars().count() as u16).min(banner.width);
                let x = banner.x + (banner.width - w) / 2;
                Paragraph::new(Line::styled(text, theme.alert))
                    .render(Rect::new(x, banner.y, w, 1), buf);
            }
        }
    }
}

/// The note asked for at the end: a line saying so, and the note as typed.
fn note_prompt(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(note) = &view.note else { return };
    let [label, field] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    centred(
        "a note for your journal? Enter saves, Esc skips",
        theme.dim,
        label,
        buf,
    );
    centred(&format!("{note}▏"), theme.text, field, buf);
}

/// Reduced motion: no animation, only a bar that is full while breathing in and holding, and
/// empty while breathing out and resting.
fn still_bar(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [_, bar, state, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let width = bar.width.saturating_sub(4) as usize;
    let full = width * usize::from(view.fill.min(1000)) / 1000;
    let text = format!("{}{}", "█".repeat(full), "░".repeat(width - full));
    centred(&text, theme.text.fg(theme.fill), bar, buf);
    if view.state == State::Paused {
        centred("PAUSED · space to resume", theme.alert, state, buf);
    }
}

/// For a room: the phase and its seconds as large as the screen allows, the breath, the cue,
/// and nothing else.
fn projection(view: &SessionView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    // The cue gets the most room: two lines of big letters hold a cue of 60 characters.
    let [top, word, visual, cue] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(35),
        Constraint::Fill(1),
        Constraint::Percentage(40),
    ])
    .areas(area.inner(ratatui::layout::Margin::new(2, 0)));
    // The top row: the group's round on the left, a bell's mark in the middle, the time left
    // on the right when asked for. Quiet, small, and out of the way of the big letters.
    if let Some(round) = &view.round {
        Paragraph::new(Line::styled(round.clone(), theme.dim)).render(top, buf);
    }
    if view.bell {
        centred(BELL_MARK, theme.strong.fg(theme.fill), top, buf);
    }
    if view.state == State::Open {
        // Whoever leads sees how to go on; the room sees a quiet word.
        Paragraph::new(Line::styled(format!("open · {OPEN_HINT}"), theme.dim))
            .alignment(Alignment::Right)
            .render(top, buf);
    } else if view.time_left && view.state != State::Finished {
        Paragraph::new(Line::styled(time_left(view), theme.dim))
            .alignment(Alignment::Right)
            .render(top, buf);
    }
    let label = match view.state {
        // A bare number at the top of a room's screen says little; a word says what it counts.
        State::Preparing => format!("begins in {}", view.prepare_left),
        _ => phase_label(view),
    };
    match bigtext::fit(&label, word) {
        Some(size) => bigtext::draw(&label, size, theme.strong, word, buf),
        None => centred(&label, theme.strong, word, buf),
    }
    match view.state {
        State::Running | State::Open if !view.reduce_motion => {
            breath::draw(view.fill, theme, visual, buf)
        }
        State::Finished => {
            let practised = format(std::time::Duration::from_secs(view.practised));
            let [line, _, prompt] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(2),
            ])
            .areas(visual);
            centred(&format!("practised {practised}"), theme.text, line, buf);
            // Keys go to the note while it is asked for, so it is always in sight.
            if view.note.is_some() {
                note_prompt(view, theme, prompt, buf);
            }
        }
        _ => {}
    }
    let words = view.cue.as_deref().or(view.text.as_deref()).unwrap_or("");
    largest_text(words, theme, cue, buf);
}

/// Text in the largest size that fits: big letters, wrapped, when they fit; else plain.
fn largest_text(text: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if text.is_empty() || bigtext::draw_wrapped(text, theme.text, area, buf) {
        return;
    }
    let lines = text
        .chars()
        .count()
        .div_ceil(usize::from(area.width.max(1)))
        .max(1);
    let top = area.y + area.height.saturating_sub(lines as u16) / 2;
    wrapped(
        text,
        theme.strong,
        Rect::new(area.x, top, area.width, area.bottom() - top),
        buf,
    );
}

fn boxed(title: &str, lines: Vec<Line<'static>>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let height = lines.len() as u16 + 2;
    let (w, h) = (width.min(area.width), height.min(area.height));
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    fill_background(theme, rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.dim)
        .title(Line::styled(format!(" {title} "), theme.strong));
    Paragraph::new(lines).block(block).render(rect, buf);
}

fn help(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let key_width = help_rows(Scope::Session)
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let lines = help_rows(Scope::Session)
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:>key_width$}  "), theme.strong),
                Span::styled(what.to_string(), theme.text),
            ])
        })
        .collect();
    boxed("keys", lines, theme, area, buf);
}

fn confirm_quit(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = vec![
        Line::styled(" Leave this session? ", theme.text),
        Line::styled(" q, y, Esc: leave · other keys: stay ", theme.dim),
    ];
    boxed("quit", lines, theme, area, buf);
}
