//! Making untrusted text safe to put on a terminal.
//!
//! Session files are shared between people, so a title or cue must never be able to move the
//! cursor, change colours, set the window title or reorder text with bidirectional overrides.

/// Bidirectional formatting characters ("Trojan Source"): they reorder what is displayed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True for characters a terminal would interpret rather than draw.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Text for one line of the screen: whitespace controls (newline, tab, carriage return)
/// become spaces, escape sequences are removed whole, every other control character is
/// dropped, and runs of spaces introduced that way collapse.
pub fn clean_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '\u{1b}' => skip_escape_sequence(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Skips the rest of an escape sequence whose ESC was just read: CSI (`ESC [ … final`),
/// OSC (`ESC ] … BEL` or `ESC ] … ESC \`), or a two-character escape.
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// True when the text holds something [`clean_line`] would remove, other than the whitespace
/// controls a multi-line string legitimately contains.
pub fn has_hidden_controls(input: &str) -> bool {
    input
        .chars()
        .any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r'))
}

/// A copy of a whole source file that is safe to echo, with every byte offset unchanged:
/// each unsafe character becomes as many `?` as it has bytes (carriage returns become a
/// space), so spans computed on the original still point at the same text.
pub fn display_source(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => out.push(' '),
            c if is_unsafe(c) => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_line_removes_escape_sequences_whole() {
        assert_eq!(clean_line("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean_line("a\u{1b}]0;evil title\u{7}b"), "ab");
        assert_eq!(clean_line("a\u{1b}]0;t\u{1b}\\b"), "ab");
        assert_eq!(clean_line("bell\u{7}\u{8}\u{8}"), "bell");
    }

    #[test]
    fn clean_line_folds_whitespace_controls_and_bidi() {
        assert_eq!(clean_line("one\ntwo\r\n\tthree"), "one two three");
        assert_eq!(clean_line("abc\u{202E}def\u{2066}"), "abcdef");
        assert_eq!(
            clean_line("  Let the belly soften.  "),
            "Let the belly soften."
        );
    }

    #[test]
    fn hidden_controls_ignore_newlines() {
        assert!(!has_hidden_controls("two\nlines\twith tab"));
        assert!(has_hidden_controls("x\u{1b}[2J"));
        assert!(has_hidden_controls("x\u{202E}"));
    }

    #[test]
    fn display_source_keeps_offsets() {
        let src = "a = \"\u{1b}[2J\u{85}\"\r\nb = 1\n";
        let shown = display_source(src);
        assert_eq!(shown.len(), src.len());
        assert_eq!(shown.find("b = 1"), src.find("b = 1"));
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'));
    }
}
