//! Every input becomes an [`Action`]; the keymap is a plain function.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::practice::Control;

/// What a person can ask for. The session view and the picker each act on the ones that
/// mean something to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TogglePause,
    NextStep,
    /// Enter: ends an open step (and nothing else, so a stray Enter skips nothing).
    EndOpen,
    PreviousStep,
    /// Make the current step a minute longer.
    Extend,
    ToggleProjection,
    /// Time left in the projection view.
    ToggleTimeLeft,
    ToggleHelp,
    ToggleMute,
    /// Spoken guidance off and on.
    ToggleSpeech,
    VolumeDown,
    VolumeUp,
    /// q: asks to leave (a session under way asks to confirm).
    Quit,
    /// Esc: closes what is open, or leaves as q does.
    Cancel,
    /// Ctrl-C: leave now.
    ForceQuit,
    /// Ctrl-Z: give the terminal back and stop the process until `fg`.
    Suspend,
    /// y: yes, at a confirmation.
    Confirm,
    Up,
    Down,
    Select,
    /// `/`: start typing a filter in the picker.
    Filter,
    /// `j` in the picker: the practice journal.
    Journal,
    /// `:` in the picker: type a quick session (`20m`, `4-7-8 5m`).
    Quick,
    /// In the journal: the month before, the month after, this month.
    PreviousMonth,
    NextMonth,
    ThisMonth,
    /// A typed character, in a text field or where no key is bound to it.
    Char(char),
    Backspace,
}

impl Action {
    /// What the action asks of the run itself, wherever it is pressed (the session's own
    /// screen, or a teacher's screen attached to it).
    pub fn control(self) -> Option<Control> {
        Some(match self {
            Action::TogglePause => Control::TogglePause,
            Action::NextStep => Control::Next,
            Action::EndOpen => Control::EndOpen,
            Action::PreviousStep => Control::Back,
            Action::Extend => Control::Extend(EXTEND_BY),
            Action::ToggleMute => Control::ToggleMute,
            Action::ToggleSpeech => Control::ToggleSpeech,
            Action::VolumeDown => Control::VolumeDown,
            Action::VolumeUp => Control::VolumeUp,
            _ => return None,
        })
    }
}

/// How much longer `+` makes a step.
pub const EXTEND_BY: std::time::Duration = std::time::Duration::from_secs(60);

/// A key: its code, and whether Ctrl is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// Where a row of the key table applies. A key may mean one thing in one screen and
/// another in the next (← is the step before in a session, the month before in the journal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The session view.
    Session,
    /// The picker.
    Picker,
    /// The journal view.
    Journal,
    /// Only inside a question that names its own keys (y at "Leave this session?").
    Dialog,
}

const SESSION: &[Scope] = &[Scope::Session];
const PICKER: &[Scope] = &[Scope::Picker];
const JOURNAL: &[Scope] = &[Scope::Journal];
const EVERYWHERE: &[Scope] = &[Scope::Session, Scope::Picker, Scope::Journal];

/// One row of the key table: some keys, what they do, and the words for them.
pub struct Binding {
    /// Each key and the action it gives (a row may hold a pair, like `[` and `]`).
    pub keys: &'static [(Key, Action)],
    /// How the help names the keys.
    pub label: &'static str,
    /// What the help says they do.
    pub what: &'static str,
    /// The keys and the word for them in the one-line hint, if they are in it.
    pub hint: Option<(&'static str, &'static str)>,
    /// The screens it applies in.
    pub scopes: &'static [Scope],
}

impl Binding {
    fn applies_to(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Every key hara knows. The keymap, the help overlay, the hint lines and `hara run --help`
/// are all read from here.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(ch(' '), Action::TogglePause)],
        label: "space",
        what: "pause / resume",
        hint: Some(("space", "pause")),
        scopes: SESSION,
    },
    Binding {
        keys: &[
            (key(KeyCode::Right), Action::NextStep),
            (ch('n'), Action::NextStep),
        ],
        label: "→ n",
        what: "next step (ends an open step)",
        hint: Some(("→", "next")),
        scopes: SESSION,
    },
    Binding {
        keys: &[(key(KeyCode::Enter), Action::EndOpen)],
        label: "Enter",
        what: "end an open step and go on",
        hint: None,
        scopes: SESSION,
    },
    Binding {
        keys: &[
            (key(KeyCode::Left), Action::PreviousStep),
            (ch('b'), Action::PreviousStep),
        ],
        label: "← b",
        what: "restart step / previous step",
        hint: Some(("←", "back")),
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('+'), Action::Extend), (ch('='), Action::Extend)],
        label: "+",
        what: "one more minute in this step",
        hint: Some(("+", "minute")),
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('m'), Action::ToggleMute)],
        label: "m",
        what: "mute / unmute",
        hint: Some(("m", "mute")),
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('v'), Action::ToggleSpeech)],
        label: "v",
        what: "spoken guidance off / on",
        hint: None,
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('['), Action::VolumeDown), (ch(']'), Action::VolumeUp)],
        label: "[ ]",
        what: "volume down / up",
        hint: None,
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('p'), Action::ToggleProjection)],
        label: "p",
        what: "projection view",
        hint: None,
        scopes: SESSION,
    },
    Binding {
        keys: &[(ch('t'), Action::ToggleTimeLeft)],
        label: "t",
        what: "time left in the projection view",
        hint: None,
        scopes: SESSION,
    },
    Binding {
        keys: &[
            (key(KeyCode::Left), Action::PreviousMonth),
            (key(KeyCode::Right), Action::NextMonth),
        ],
        label: "← →",
        what: "the month before / after",
        hint: Some(("← →", "month")),
        scopes: JOURNAL,
    },
    Binding {
        keys: &[(ch('t'), Action::ThisMonth)],
        label: "t",
        what: "back to this month",
        hint: None,
        scopes: JOURNAL,
    },
    Binding {
        keys: &[(ch('?'), Action::ToggleHelp)],
        label: "?",
        what: "this help",
        hint: Some(("?", "help")),
        scopes: &[Scope::Session, Scope::Journal],
    },
    Binding {
        keys: &[
            (key(KeyCode::Up), Action::Up),
            (key(KeyCode::Down), Action::Down),
        ],
        label: "↑↓",
        what: "move",
        hint: Some(("↑↓", "move")),
        scopes: PICKER,
    },
    Binding {
        keys: &[(ch('/'), Action::Filter)],
        label: "/",
        what: "filter the sessions",
        hint: Some(("/", "filter")),
        scopes: PICKER,
    },
    Binding {
        keys: &[(key(KeyCode::Enter), Action::Select)],
        label: "Enter",
        what: "start the session",
        hint: Some(("Enter", "start")),
        scopes: PICKER,
    },
    Binding {
        keys: &[(ch(':'), Action::Quick)],
        label: ": 0-9",
        what: "a quick session: type 20m, 20m every 5m or 4-7-8 5m, then Enter",
        // The quick line itself shows the key, with examples.
        hint: None,
        scopes: PICKER,
    },
    Binding {
        keys: &[(ch('j'), Action::Journal)],
        label: "j",
        what: "your practice journal",
        hint: Some(("j", "journal")),
        scopes: PICKER,
    },
    Binding {
        keys: &[(ch('q'), Action::Quit), (key(KeyCode::Esc), Action::Cancel)],
        label: "q Esc",
        what: "quit (press again or y to confirm)",
        hint: Some(("q", "quit")),
        scopes: &[Scope::Session, Scope::Picker],
    },
    Binding {
        keys: &[(ch('q'), Action::Quit), (key(KeyCode::Esc), Action::Cancel)],
        label: "q Esc",
        what: "close the journal",
        hint: Some(("q", "close")),
        scopes: JOURNAL,
    },
    Binding {
        keys: &[(ctrl('z'), Action::Suspend)],
        label: "Ctrl-Z",
        what: "suspend (the session pauses; fg brings it back)",
        hint: None,
        scopes: &[Scope::Session, Scope::Picker],
    },
    Binding {
        keys: &[(ctrl('z'), Action::Suspend)],
        label: "Ctrl-Z",
        what: "suspend (fg brings it back)",
        hint: None,
        scopes: JOURNAL,
    },
    Binding {
        keys: &[(ctrl('c'), Action::ForceQuit)],
        label: "Ctrl-C",
        what: "leave at once",
        hint: None,
        scopes: EVERYWHERE,
    },
    Binding {
        keys: &[(ch('y'), Action::Confirm)],
        label: "y",
        what: "yes",
        hint: None,
        scopes: &[Scope::Dialog],
    },
];

/// The rows of the key table that apply to `scope`, as (keys, what) for a help list.
pub fn help_rows(scope: Scope) -> impl Iterator<Item = (&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(move |b| b.applies_to(scope))
        .map(|b| (b.label, b.what))
}

/// What the session screen says in an open step, before its other keys: how to go on.
pub const OPEN_HINT: &str = "→ or Enter: go on";

/// The one-line hint for `scope`: "space pause · → next · …". While paused, the pause key's
/// word says what it will do instead.
pub fn hint_line(scope: Scope, paused: bool) -> String {
    hints(scope, paused, &[])
}

/// The session screen's hint in an open step: how to go on first, and not the keys that do
/// nothing there or say the same (→ next, + minute).
pub fn open_hint_line() -> String {
    format!(
        "{OPEN_HINT} · {}",
        hints(Scope::Session, false, &[Action::NextStep, Action::Extend])
    )
}

fn hints(scope: Scope, paused: bool, leave_out: &[Action]) -> String {
    BINDINGS
        .iter()
        .filter(|b| b.applies_to(scope))
        .filter(|b| !b.keys.iter().any(|(_, a)| leave_out.contains(a)))
        .filter_map(|b| {
            let (keys, word) = b.hint?;
            let resumes = paused && b.keys.iter().any(|(_, a)| *a == Action::TogglePause);
            Some(format!("{keys} {}", if resumes { "resume" } else { word }))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Maps a key press in `scope` to an action: the keys of that screen, and those a question
/// on it names (y). Releases are ignored, and so is anything unbound, but for plain
/// characters, which come as [`Action::Char`].
pub fn keymap(event: KeyEvent, scope: Scope) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let pressed = Key {
        code: event.code,
        ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
    };
    let bound = BINDINGS
        .iter()
        .filter(|b| b.applies_to(scope) || b.applies_to(Scope::Dialog))
        .flat_map(|b| b.keys)
        .find(|(k, _)| *k == pressed)
        .map(|(_, action)| *action);
    match (bound, pressed) {
        (Some(action), _) => Some(action),
        (
            None,
            Key {
                code: KeyCode::Char(c),
                ctrl: false,
            },
        ) => Some(Action::Char(c)),
        (
            None,
            Key {
                code: KeyCode::Backspace,
                ..
            },
        ) => Some(Action::Backspace),
        _ => None,
    }
}

/// The keymap while typing into a text field in `scope` (the picker's filter, the note
/// after a session): characters are characters, Enter and Esc finish, arrows still move.
pub fn text_keymap(key: KeyEvent, scope: Scope) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return keymap(key, scope);
    }
    Some(match key.code {
        KeyCode::Char(c) => Action::Char(c),
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Enter => Action::Select,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn session(code: KeyCode) -> Option<Action> {
        keymap(press(code), Scope::Session)
    }

    #[test]
    fn the_documented_keys_do_what_they_say() {
        assert_eq!(session(KeyCode::Char(' ')), Some(Action::TogglePause));
        assert_eq!(session(KeyCode::Right), Some(Action::NextStep));
        assert_eq!(session(KeyCode::Char('n')), Some(Action::NextStep));
        assert_eq!(session(KeyCode::Enter), Some(Action::EndOpen));
        assert_eq!(Action::EndOpen.control(), Some(Control::EndOpen));
        assert_eq!(session(KeyCode::Left), Some(Action::PreviousStep));
        assert_eq!(session(KeyCode::Char('b')), Some(Action::PreviousStep));
        assert_eq!(session(KeyCode::Char('+')), Some(Action::Extend));
        assert_eq!(session(KeyCode::Char('p')), Some(Action::ToggleProjection));
        assert_eq!(session(KeyCode::Char('?')), Some(Action::ToggleHelp));
        assert_eq!(session(KeyCode::Char('q')), Some(Action::Quit));
        assert_eq!(session(KeyCode::Esc), Some(Action::Cancel));
        assert_eq!(session(KeyCode::Char('y')), Some(Action::Confirm));
        assert_eq!(session(KeyCode::Char('x')), Some(Action::Char('x')));
        let picker = |code| keymap(press(code), Scope::Picker);
        assert_eq!(picker(KeyCode::Up), Some(Action::Up));
        assert_eq!(picker(KeyCode::Down), Some(Action::Down));
        assert_eq!(picker(KeyCode::Enter), Some(Action::Select));
        assert_eq!(picker(KeyCode::Char('j')), Some(Action::Journal));
        assert_eq!(picker(KeyCode::Char('q')), Some(Action::Quit));
    }

    #[test]
    fn a_key_means_what_its_screen_says() {
        let journal = |code| keymap(press(code), Scope::Journal);
        assert_eq!(journal(KeyCode::Left), Some(Action::PreviousMonth));
        assert_eq!(journal(KeyCode::Right), Some(Action::NextMonth));
        assert_eq!(journal(KeyCode::Char('t')), Some(Action::ThisMonth));
        assert_eq!(journal(KeyCode::Char('?')), Some(Action::ToggleHelp));
        assert_eq!(journal(KeyCode::Char('q')), Some(Action::Quit));
        assert_eq!(journal(KeyCode::Char(' ')), Some(Action::Char(' ')));
        assert_eq!(session(KeyCode::Char('t')), Some(Action::ToggleTimeLeft));
        assert_eq!(session(KeyCode::Char('j')), Some(Action::Char('j')));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for scope in [Scope::Session, Scope::Picker, Scope::Journal] {
            assert_eq!(keymap(ctrl_c, scope), Some(Action::ForceQuit));
        }
    }

    #[test]
    fn in_a_text_field_letters_are_letters() {
        let text = |code| text_keymap(press(code), Scope::Picker);
        for c in ['q', ' ', 'n', 'j', 'k', 'p', '?', '/'] {
            assert_eq!(text(KeyCode::Char(c)), Some(Action::Char(c)));
        }
        assert_eq!(text(KeyCode::Enter), Some(Action::Select));
        assert_eq!(text(KeyCode::Esc), Some(Action::Cancel));
        assert_eq!(text(KeyCode::Down), Some(Action::Down));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(text_keymap(ctrl_c, Scope::Session), Some(Action::ForceQuit));
    }

    #[test]
    fn every_key_is_bound_once_in_each_screen_and_every_action_has_a_key() {
        for scope in [Scope::Session, Scope::Picker, Scope::Journal] {
            let keys: Vec<Key> = BINDINGS
                .iter()
                .filter(|b| b.applies_to(scope) || b.applies_to(Scope::Dialog))
                .flat_map(|b| b.keys)
                .map(|(k, _)| *k)
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(
                    !keys[i + 1..].contains(k),
                    "{k:?} is bound twice in {scope:?}"
                );
            }
        }
        for action in [
            Action::TogglePause,
            Action::NextStep,
            Action::PreviousStep,
            Action::Extend,
            Action::ToggleProjection,
            Action::ToggleTimeLeft,
            Action::ToggleHelp,
            Action::ToggleMute,
            Action::ToggleSpeech,
            Action::VolumeDown,
            Action::VolumeUp,
            Action::Quit,
            Action::Cancel,
            Action::ForceQuit,
            Action::Suspend,
            Action::Confirm,
            Action::Up,
            Action::Down,
            Action::Select,
            Action::Filter,
            Action::Journal,
            Action::PreviousMonth,
            Action::NextMonth,
            Action::ThisMonth,
        ] {
            assert!(
                BINDINGS
                    .iter()
                    .flat_map(|b| b.keys)
                    .any(|(_, a)| *a == action),
                "{action:?} has no key"
            );
        }
    }

    #[test]
    fn the_hints_and_help_come_from_the_table() {
        assert_eq!(
            hint_line(Scope::Session, false),
            "space pause · → next · ← back · + minute · m mute · ? help · q quit"
        );
        assert_eq!(
            hint_line(Scope::Session, true),
            "space resume · → next · ← back · + minute · m mute · ? help · q quit"
        );
        assert_eq!(
            hint_line(Scope::Picker, false),
            "↑↓ move · / filter · Enter start · j journal · q quit"
        );
        assert_eq!(
            hint_line(Scope::Journal, false),
            "← → month · ? help · q close"
        );
        let help: Vec<_> = help_rows(Scope::Session).map(|(k, _)| k).collect();
        assert_eq!(
            help,
            [
                "space", "→ n", "Enter", "← b", "+", "m", "v", "[ ]", "p", "t", "?", "q Esc",
                "Ctrl-Z", "Ctrl-C"
            ]
        );
    }

    #[test]
    fn ctrl_c_quits_at_once_and_releases_are_ignored() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap(ctrl_c, Scope::Session), Some(Action::ForceQuit));
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(keymap(ctrl_x, Scope::Session), None);
        let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
        assert_eq!(keymap(ctrl_z, Scope::Session), Some(Action::Suspend));
        let release = KeyEvent {
            kind: KeyEventKind::Release,
            state: KeyEventState::NONE,
            ..press(KeyCode::Char('q'))
        };
        assert_eq!(keymap(release, Scope::Session), None);
        assert_eq!(session(KeyCode::F(5)), None);
    }
}
