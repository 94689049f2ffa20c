//! Every input becomes an [`Action`]; the keymap is a plain function.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a person can ask for. The session view and the picker each act on the ones that
/// mean something to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TogglePause,
    NextStep,
    PreviousStep,
    /// Make the current step a minute longer.
    Extend,
    ToggleProjection,
    ToggleHelp,
    ToggleMute,
    VolumeDown,
    VolumeUp,
    /// q: asks to leave (a session under way asks to confirm).
    Quit,
    /// Esc: closes what is open, or leaves as q does.
    Cancel,
    /// Ctrl-C: leave now.
    ForceQuit,
    /// y: yes, at a confirmation.
    Confirm,
    Up,
    Down,
    Select,
    /// `/`: start typing a filter in the picker.
    Filter,
    /// A typed character, in a text field or where no key is bound to it.
    Char(char),
    Backspace,
}

/// Maps a key press to an action. Releases and repeats of modifier keys are ignored, and so
/// is anything unbound.
pub fn keymap(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::ForceQuit),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Right | KeyCode::Char('n') => Action::NextStep,
        KeyCode::Left | KeyCode::Char('b') => Action::PreviousStep,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Extend,
        KeyCode::Char('p') => Action::ToggleProjection,
        KeyCode::Char('m') => Action::ToggleMute,
        KeyCode::Char('[') => Action::VolumeDown,
        KeyCode::Char(']') => Action::VolumeUp,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Char('y') => Action::Confirm,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Enter => Action::Select,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Char(c) => Action::Char(c),
        _ => return None,
    })
}

/// The keymap while typing into a text field (the picker's filter, the note after a
/// session): characters are characters, Enter and Esc finish, arrows still move.
pub fn text_keymap(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return keymap(key);
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

/// The keys, as the help overlay and `--help` list them.
pub const KEYS: &[(&str, &str)] = &[
    ("space", "pause / resume"),
    ("→ n", "next step"),
    ("← b", "restart step / previous step"),
    ("+", "one more minute in this step"),
    ("m", "mute / unmute"),
    ("[ ]", "volume down / up"),
    ("p", "projection view"),
    ("?", "this help"),
    ("q Esc", "quit (press again or y to confirm)"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_documented_keys_do_what_they_say() {
        assert_eq!(keymap(press(KeyCode::Char(' '))), Some(Action::TogglePause));
        assert_eq!(keymap(press(KeyCode::Right)), Some(Action::NextStep));
        assert_eq!(keymap(press(KeyCode::Char('n'))), Some(Action::NextStep));
        assert_eq!(keymap(press(KeyCode::Left)), Some(Action::PreviousStep));
        assert_eq!(
            keymap(press(KeyCode::Char('b'))),
            Some(Action::PreviousStep)
        );
        assert_eq!(keymap(press(KeyCode::Char('+'))), Some(Action::Extend));
        assert_eq!(
            keymap(press(KeyCode::Char('p'))),
            Some(Action::ToggleProjection)
        );
        assert_eq!(keymap(press(KeyCode::Char('?'))), Some(Action::ToggleHelp));
        assert_eq!(keymap(press(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(keymap(press(KeyCode::Esc)), Some(Action::Cancel));
        assert_eq!(keymap(press(KeyCode::Char('j'))), Some(Action::Down));
        assert_eq!(keymap(press(KeyCode::Up)), Some(Action::Up));
        assert_eq!(keymap(press(KeyCode::Enter)), Some(Action::Select));
        assert_eq!(keymap(press(KeyCode::Char('x'))), Some(Action::Char('x')));
    }

    #[test]
    fn in_a_text_field_letters_are_letters() {
        for c in ['q', ' ', 'n', 'j', 'k', 'p', '?', '/'] {
            assert_eq!(text_keymap(press(KeyCode::Char(c))), Some(Action::Char(c)));
        }
        assert_eq!(text_keymap(press(KeyCode::Enter)), Some(Action::Select));
        assert_eq!(text_keymap(press(KeyCode::Esc)), Some(Action::Cancel));
        assert_eq!(text_keymap(press(KeyCode::Down)), Some(Action::Down));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(text_keymap(ctrl_c), Some(Action::ForceQuit));
    }

    #[test]
    fn ctrl_c_quits_at_once_and_releases_are_ignored() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap(ctrl_c), Some(Action::ForceQuit));
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(keymap(ctrl_x), None);
        let release = KeyEvent {
            kind: KeyEventKind::Release,
            state: KeyEventState::NONE,
            ..press(KeyCode::Char('q'))
        };
        assert_eq!(keymap(release), None);
        assert_eq!(keymap(press(KeyCode::F(5))), None);
    }
}
