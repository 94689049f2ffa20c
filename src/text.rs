//! Making untrusted text safe to put on a terminal.
//!
//! Session files, sound folders, config files and the journal can all come from someone else,
//! so a title, cue, note or path must never be able to move the cursor, change colours, set
//! the window title, write the clipboard or reorder text with bidirectional controls. Every
//! string hara prints goes through [`clean_line`] (or, for a whole file echoed in a
//! diagnostic, [`display_source`]): this module is the one sanitiser.
//!
//! Escape sequences are removed whole, in their 7-bit (`ESC [`) and 8-bit C1 (U+009B) forms:
//! CSI up to its final byte, OSC/DCS/SOS/PM/APC strings up to their terminator, and the
//! two- and three-character escapes. Then every other control character and every bidi
//! control is dropped.

use std::iter::Peekable;
use std::str::Chars;

/// Bidirectional formatting characters ("Trojan Source"): they reorder what is displayed.
/// U+061C ARABIC LETTER MARK, U+200E/F LRM/RLM, U+202A–E embeddings and overrides,
/// U+2066–9 isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// True for characters a terminal would interpret rather than draw: C0 and C1 controls, DEL,
/// and the bidi controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Text for one line of the screen: whitespace controls (newline, tab, carriage return, line
/// and paragraph separators) become spaces, escape sequences are removed whole, every other
/// control character is dropped, and runs of spaces introduced that way collapse.
pub fn clean_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' | '\r' | '\u{2028}' | '\u{2029}' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '\u{1b}' => skip_escape_sequence(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Several lines of text (help under a diagnostic): each line cleaned, the line breaks kept.
pub fn clean_lines(input: &str) -> String {
    input.lines().map(clean_line).collect::<Vec<_>>().join("\n")
}

/// Skips the rest of an escape sequence whose ESC was just read.
fn skip_escape_sequence(chars: &mut Peekable<Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        // OSC, DCS, SOS, PM, APC: a string up to its terminator.
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // nF escapes: intermediates (space to /), then one final character (ESC ( B).
        Some(' '..='/') => {
            while chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
            chars.next_if(|c| ('0'..='~').contains(c));
        }
        // Any other escape is two characters (ESC 7, ESC c, ESC =); an ESC before another
        // control or at the end is dropped alone.
        Some(c) if (' '..='~').contains(c) => {
            chars.next();
        }
        _ => {}
    }
}

/// Skips a control sequence after its introducer (ESC [ or U+009B): parameter and
/// intermediate characters, then the final character. Anything else ends it, unconsumed
/// unless it is a final character, so a cut-off sequence cannot swallow the text after it.
fn skip_csi(chars: &mut Peekable<Chars<'_>>) {
    while chars.next_if(|c| (' '..='?').contains(c)).is_some() {}
    chars.next_if(|c| ('@'..='~').contains(c));
}

/// Skips a control string (OSC, DCS, SOS, PM, APC) up to and including its terminator: BEL,
/// ST (ESC \ or U+009C); CAN or SUB abort it, and another ESC ends it and starts anew.
fn skip_string(chars: &mut Peekable<Chars<'_>>) {
    while let Some(c) = chars.peek().copied() {
        match c {
            '\u{7}' | '\u{9c}' | '\u{18}' | '\u{1a}' => {
                chars.next();
                return;
            }
            '\u{1b}' => {
                chars.next();
                if chars.next_if_eq(&'\\').is_none() {
                    skip_escape_sequence(chars);
                }
                return;
            }
            _ => {
                chars.next();
            }
        }
    }
}

/// The longest title (of a session, step or group) and tag a session may have, in
/// characters: longer ones are refused by the checker and cut where the journal shows them.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest summary, step text or cue a session may have, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// How many terminal columns `s` takes: a CJK character takes two, a combining mark none.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `columns` wide (as the terminal shows it, not in characters).
pub fn pad(s: &str, columns: usize) -> String {
    format!("{s}{}", " ".repeat(columns.saturating_sub(width(s))))
}

/// At most `columns` wide: a longer text is cut and ends in `…`.
pub fn fit(s: &str, columns: usize) -> String {
    if width(s) <= columns {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// At most `columns` wide, cut at a word boundary where there is one: "Three minutes to
/// arrive…" rather than "Three minutes to arr".
pub fn fit_words(s: &str, columns: usize) -> String {
    let cut = fit(s, columns);
    if cut == s {
        return cut;
    }
    let body = cut.trim_end_matches('…');
    match body.rfind(' ') {
        Some(i) if i > 0 => format!("{}…", body[..i].trim_end_matches([',', ';', ':', ' '])),
        _ => cut,
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
    fn clean_line_removes_c1_forms_and_control_strings_whole() {
        // C1 CSI: the parameters and final byte go with the introducer.
        assert_eq!(clean_line("a\u{9b}31mred\u{9b}0m"), "ared");
        // C1 OSC ended by C1 ST, 7-bit DCS, APC, PM and SOS ended by ESC \\.
        assert_eq!(clean_line("a\u{9d}0;PWN\u{9c}b"), "ab");
        assert_eq!(clean_line("a\u{1b}P1$qm\u{1b}\\b"), "ab");
        assert_eq!(
            clean_line("a\u{1b}_apc\u{1b}\\b\u{1b}^pm\u{7}c\u{1b}Xsos\u{1b}\\d"),
            "abcd"
        );
        // OSC 52 (clipboard) ended by BEL.
        assert_eq!(clean_line("x\u{1b}]52;c;ZXZpbA==\u{7}y"), "xy");
        // nF escapes (character sets) and two-character escapes.
        assert_eq!(clean_line("\u{1b}(Bplain\u{1b}#8\u{1b}c"), "plain");
        // A cut-off sequence does not swallow the line after it.
        assert_eq!(clean_line("\u{1b}[12\nnext"), "next");
        assert_eq!(clean_line("\u{1b}]0;never ends"), "");
    }

    #[test]
    fn clean_line_removes_every_bidi_control() {
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(clean_line(&format!("a{c}b")), "ab", "{:?}", c);
            assert!(is_unsafe(c));
        }
        assert_eq!(clean_lines("one\u{1b}[2J\ntwo\u{202E}"), "one\ntwo");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("short", 5), "short");
        assert_eq!(fit("longer", 5), "long…");
        assert_eq!(fit("ééééé", 3), "éé…");
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

    #[test]
    fn widths_are_columns_not_characters() {
        assert_eq!(width("Abendpraxis – 夜の呼吸"), 14 + 8);
        assert_eq!(pad("夜", 4), "夜  ");
        assert_eq!(fit("夜の呼吸", 5), "夜の…");
        assert_eq!(fit("short", 10), "short");
        assert_eq!(
            fit_words("Three minutes to arrive in the belly", 20),
            "Three minutes to…"
        );
        assert_eq!(fit_words("Unbreakable", 6), "Unbre…");
    }
}
