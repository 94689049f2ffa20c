//! The session picker: what `hara` opens with. Arrows or j/k move, `/` filters, Enter starts.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::action::{Action, Scope, hint_line};
use super::theme::Theme;
use crate::session::duration::format_rounded;
use crate::session::format::Session;
use crate::session::library::Listed;
use crate::session::quick::{EXAMPLES, Quick};
use crate::text::clean_line;
use crate::timeline::Timeline;
use std::sync::Arc;

/// One row of the picker.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub title: String,
    pub length: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub source: String,
    /// How the journal names where it came from: `builtin:NAME` or a path.
    pub origin: String,
    /// `None` for a session file with errors.
    pub timeline: Option<Timeline>,
    /// Set for a session with bells at random: its plan is drawn anew for each run.
    pub redraw: Option<Redraw>,
}

/// A session whose plan is drawn anew for each run from a seed of its own (bells at random),
/// rather than run as checked.
#[derive(Debug, Clone)]
pub struct Redraw(pub Arc<Session>);

impl PartialEq for Redraw {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Entry {
    pub fn from_listed(l: Listed) -> Self {
        let source = l.found.source_label();
        match l.checked.session {
            Some((session, t)) => Entry {
                name: clean_line(&l.found.name),
                title: t.title.clone(),
                length: t.length_words(format_rounded),
                summary: t.summary.clone().unwrap_or_default(),
                tags: t.tags.clone(),
                source,
                origin: l.found.display.clone(),
                timeline: Some(t),
                redraw: session.draws_at_random().then(|| Redraw(Arc::new(session))),
            },
            None => Entry {
                name: clean_line(&l.found.name),
                title: clean_line(&l.found.name),
                length: String::new(),
                summary: format!(
                    "has errors: run `hara check {}`",
                    clean_line(&l.found.display)
                ),
                tags: Vec::new(),
                source,
                origin: l.found.display.clone(),
                timeline: None,
                redraw: None,
            },
        }
    }

    fn matches(&self, filter: &str) -> bool {
        let filter = filter.to_lowercase();
        [&self.name, &self.title, &self.summary]
            .into_iter()
            .chain(&self.tags)
            .any(|s| s.to_lowercase().contains(&filter))
    }
}

/// What the picker asks for after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    Stay,
    /// Run this session; the string is its origin, for the journal; a session with bells at
    /// random comes with what to draw its plan from.
    Start(Box<Timeline>, String, Option<Redraw>),
    Quit,
    /// Ctrl-Z: give the terminal back until `fg`.
    Suspend,
    /// `j`: the practice journal.
    Journal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    entries: Vec<Entry>,
    filter: String,
    typing: bool,
    /// Index into the visible (filtered) entries.
    selected: usize,
    /// A note for the person, e.g. why a session cannot start.
    note: Option<String>,
    /// What is typed in the quick line, while it is open.
    quick: Option<String>,
}

impl Picker {
    pub fn new(entries: Vec<Entry>) -> Self {
        Picker {
            entries,
            filter: String::new(),
            typing: false,
            selected: 0,
            note: None,
            quick: None,
        }
    }

    fn visible(&self) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.matches(&self.filter))
            .collect()
    }

    pub fn handle(&mut self, action: Action) -> Choice {
        if action == Action::Suspend {
            return Choice::Suspend;
        }
        self.note = None;
        if let Some(text) = &mut self.quick {
            match action {
                Action::Char(c) => text.push(c),
                Action::Backspace => {
                    text.pop();
                }
                Action::Cancel => self.quick = None,
                Action::ForceQuit => return Choice::Quit,
                Action::Select => return self.start_quick(),
                _ => {}
            }
            return Choice::Stay;
        }
        let count = self.visible().len();
        if self.typing {
            match action {
                Action::Char(c) => self.filter.push(c),
                Action::Backspace => {
                    self.filter.pop();
                }
                Action::Cancel => {
                    self.typing = false;
                    self.filter.clear();
                }
                Action::ForceQuit => return Choice::Quit,
                _ => self.typing = false,
            }
            self.selected = 0;
            if !matches!(action, Action::Up | Action::Down) {
                return Choice::Stay;
            }
        }
        match action {
            Action::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Filter => self.typing = true,
            Action::Quick => self.quick = Some(String::new()),
            // A quick session always begins with a digit: typing one opens the quick line.
            Action::Char(c) if c.is_ascii_digit() => self.quick = Some(c.to_string()),
            Action::Journal => return Choice::Journal,
            Action::Quit | Action::Cancel | Action::ForceQuit => return Choice::Quit,
            Action::Select => {
                let chosen = self.visible().get(self.selected).map(|e| {
                    let redraw = e.redraw.clone();
                    (
                        e.timeline.clone(),
                        e.summary.clone(),
                        e.origin.clone(),
                        redraw,
                    )
                });
                match chosen {
                    Some((Some(t), _, origin, redraw)) => {
                        return Choice::Start(Box::new(t), origin, redraw);
                    }
                    Some((None, why, _, _)) => self.note = Some(why),
                    None => {}
                }
            }
            _ => {}
        }
        Choice::Stay
    }

    /// Starts what the quick line says, or says what is wrong with it.
    fn start_quick(&mut self) -> Choice {
        let typed = self.quick.clone().unwrap_or_default();
        let checked = Quick::parse(&typed).and_then(|q| {
            q.check()
                .map(|(_, t)| (t, q.command()))
                .map_err(|p| p.message.lines().next().unwrap_or_default().to_string())
        });
        match checked {
            Ok((timeline, command)) => {
                self.quick = None;
                Choice::Start(Box::new(timeline), command, None)
            }
            Err(why) => {
                self.note = Some(clean_line(&why));
                Choice::Stay
            }
        }
    }

    /// Shows a note until the next key (why the journal cannot be shown, say).
    pub fn say(&mut self, note: String) {
        self.note = Some(note);
    }

    /// Whether keys are being typed into the filter.
    pub fn typing(&self) -> bool {
        self.typing || self.quick.is_some()
    }

    pub fn render(&self, theme: &Theme, area: Rect, buf: &mut Buffer) {
        buf.set_style(
            area,
            ratatui::style::Style::new()
                .bg(theme.background)
                .patch(theme.text),
        );
        let inner = area.inner(Margin::new(2, 1));
        let [title, filter, list, note, keys] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        Paragraph::new(Line::from(vec![
            Span::styled("hara", theme.strong),
            Span::styled("  choose a session", theme.dim),
        ]))
        .render(title, buf);
        // The quick line, on the title's second row.
        let quick_line = match &self.quick {
            Some(text) => Line::from(vec![
                Span::styled("quick: ", theme.dim),
                Span::styled(format!("{}▏", clean_line(text)), theme.text),
            ]),
            None => Line::styled(format!(": quick  {EXAMPLES}"), theme.dim),
        };
        Paragraph::new(quick_line).render(
            Rect {
                y: title.y + 1,
                height: 1,
                ..title
            },
            buf,
        );
        let filter_line = if self.typing || !self.filter.is_empty() {
            let cursor = if self.typing { "▏" } else { "" };
            Line::from(vec![
                Span::styled("filter: ", theme.dim),
                Span::styled(format!("{}{cursor}", self.filter), theme.text),
            ])
        } else {
            Line::styled("/ to filter", theme.dim)
        };
        Paragraph::new(filter_line).render(filter, buf);

        let visible = self.visible();
        if visible.is_empty() {
            Paragraph::new(Line::styled("no session matches", theme.dim)).render(list, buf);
        }
        // Two rows a session; scroll so the selected one is in view.
        let per_page = usize::from((list.height / 3).max(1));
        let first = self.selected.saturating_sub(per_page - 1);
        for (row, (i, e)) in visible
            .iter()
            .enumerate()
            .skip(first)
            .take(per_page)
            .enumerate()
        {
            let y = list.y + row as u16 * 3;
            let line = Rect::new(list.x, y, list.width, 1);
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.strong
            };
            buf.set_style(line, style);
            Paragraph::new(Line::styled(format!(" {}", e.title), style)).render(line, buf);
            Paragraph::new(Line::styled(format!("{} ", e.length), style))
                .alignment(Alignment::Right)
                .render(line, buf);
            let mut detail = e.summary.clone();
            if !e.tags.is_empty() {
                detail += &format!("  · {}", e.tags.join(", "));
            }
            if e.source != "built-in" {
                detail += &format!("  · {}", e.source);
            }
            if y + 1 < list.bottom() {
                // Cut at a word, with "…", rather than mid-word at the edge.
                let detail =
                    crate::text::fit_words(&detail, usize::from(list.width).saturating_sub(1));
                Paragraph::new(Line::styled(format!(" {detail}"), theme.dim))
                    .render(Rect::new(list.x, y + 1, list.width, 1), buf);
            }
        }
        if let Some(n) = &self.note {
            Paragraph::new(Line::styled(n.clone(), theme.alert)).render(note, buf);
        }
        let hint = if self.quick.is_some() {
            "type a length, or a pattern and a length · Enter start · Esc close".to_string()
        } else if self.typing {
            "type to filter · Enter done · Esc clear".to_string()
        } else {
            // On a narrow screen, the keys from the end that fit (start, journal, quit).
            let full = hint_line(Scope::Picker, false);
            let parts: Vec<&str> = full.split(" · ").collect();
            (0..parts.len())
                .map(|skip| parts[skip..].join(" · "))
                .find(|h| crate::text::width(h) <= usize::from(keys.width))
                .unwrap_or(full)
        };
        Paragraph::new(Line::styled(hint, theme.dim))
            .alignment(Alignment::Center)
            .render(keys, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::library::Library;

    fn picker() -> Picker {
        Picker::new(
            Library::default()
                .list()
                .into_iter()
                .map(Entry::from_listed)
                .collect(),
        )
    }

    #[test]
    fn a_session_with_bells_at_random_starts_with_what_to_draw_its_plan_from() {
        use crate::session::library::{Found, Listed, Origin};
        let listed = |text: &str| {
            let found = Found {
                name: "sit".into(),
                display: "sit.toml".into(),
                origin: Origin::Path,
                path: None,
                bytes: text.as_bytes().to_vec(),
            };
            Entry::from_listed(Listed {
                checked: Library::default().check(&found),
                found,
            })
        };
        let random = "format = 1.1\ntitle = \"R\"\n[bells]\ninterval = { every = \"3m..7m\" }\n[[step]]\nduration = \"20m\"\n";
        let mut p = Picker::new(vec![
            listed(random),
            listed(&random.replace("3m..7m", "5m")),
        ]);
        match p.handle(Action::Select) {
            Choice::Start(_, origin, Some(Redraw(session))) => {
                assert_eq!(origin, "sit.toml");
                assert!(session.draws_at_random());
            }
            other => panic!("{other:?}"),
        }
        p.handle(Action::Down);
        assert!(matches!(
            p.handle(Action::Select),
            Choice::Start(_, _, None)
        ));
    }

    #[test]
    fn moves_filters_and_starts() {
        let mut p = picker();
        assert_eq!(p.handle(Action::Down), Choice::Stay);
        assert_eq!(p.selected, 1);
        p.handle(Action::Up);
        p.handle(Action::Up);
        assert_eq!(p.selected, 0);
        p.handle(Action::Filter);
        for c in "sigh".chars() {
            p.handle(Action::Char(c));
        }
        assert_eq!(p.visible().len(), 1);
        p.handle(Action::Select); // Enter ends the filter
        assert!(!p.typing());
        match p.handle(Action::Select) {
            Choice::Start(t, origin, _) => {
                assert_eq!(t.title, "Cyclic sigh");
                assert_eq!(origin, "builtin:cyclic-sigh");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn esc_clears_the_filter_then_quits() {
        let mut p = picker();
        p.handle(Action::Filter);
        p.handle(Action::Char('q'));
        assert_eq!(p.filter, "q");
        p.handle(Action::Cancel);
        assert_eq!(p.filter, "");
        assert_eq!(p.handle(Action::Cancel), Choice::Quit);
    }

    #[test]
    fn an_invalid_session_says_why_instead_of_starting() {
        let mut entries = picker().entries;
        entries.insert(
            0,
            Entry {
                name: "broken".into(),
                title: "broken".into(),
                length: String::new(),
                summary: "has errors: run `hara check broken.toml`".into(),
                tags: vec![],
                source: "broken.toml".into(),
                origin: "broken.toml".into(),
                timeline: None,
                redraw: None,
            },
        );
        let mut p = Picker::new(entries);
        assert_eq!(p.handle(Action::Select), Choice::Stay);
        assert_eq!(
            p.note.as_deref(),
            Some("has errors: run `hara check broken.toml`")
        );
    }

    #[test]
    fn the_quick_line_starts_what_is_typed_or_says_what_is_wrong() {
        let mut p = picker();
        assert_eq!(p.handle(Action::Quick), Choice::Stay);
        assert!(p.typing());
        for c in "20 minutes".chars() {
            p.handle(Action::Char(c));
        }
        assert_eq!(p.handle(Action::Select), Choice::Stay);
        assert_eq!(p.note.as_deref(), Some("`20 minutes`: write it as 20m"));
        for _ in 0.." minutes".len() {
            p.handle(Action::Backspace);
        }
        for c in "m every 5m".chars() {
            p.handle(Action::Char(c));
        }
        match p.handle(Action::Select) {
            Choice::Start(t, origin, _) => {
                assert_eq!(t.title, "Sit 20m");
                assert_eq!(t.total, std::time::Duration::from_secs(20 * 60));
                assert_eq!(origin, "hara sit 20m --every 5m");
            }
            other => panic!("{other:?}"),
        }
        assert!(!p.typing());

        // A digit opens the quick line with it; Esc closes it without quitting.
        p.handle(Action::Char('4'));
        for c in "-7-8 2 breaths".chars() {
            p.handle(Action::Char(c));
        }
        assert_eq!(p.quick.as_deref(), Some("4-7-8 2 breaths"));
        assert_eq!(p.handle(Action::Cancel), Choice::Stay);
        assert!(!p.typing());
        assert_eq!(p.handle(Action::Quick), Choice::Stay);
        for c in "4-7-8 2 breaths".chars() {
            p.handle(Action::Char(c));
        }
        match p.handle(Action::Select) {
            Choice::Start(t, _, _) => assert_eq!(t.title, "Breathe 4-7-8"),
            other => panic!("{other:?}"),
        }
    }
}
