//! Counting a file's TOML syntax errors before parsing it.
//!
//! toml's error-recovering parser returns every error it meets, each with a message of its
//! own: a megabyte of `=` lines is 1.5 million of them and 300 MB. So a file is first run
//! through the same lexer and parser (toml_parser, which toml is built on) with a sink that
//! counts errors and keeps the first few; memory is the lexer's tokens. A file with more
//! than [`MAX_SYNTAX_ERRORS`] is not a session: it is reported from that count, and never
//! handed to the parser that would list them all. The same pass counts keys, values and
//! table headers: a file of more than [`MAX_ITEMS`] (a quarter of a million `a = 1` lines)
//! is refused too, before toml builds a table of them and lists every duplicate.

use toml_parser::decoder::Encoding;

use crate::diag::Diagnostic;
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

/// More syntax errors than this and a file is reported from the first pass alone.
pub const MAX_SYNTAX_ERRORS: usize = 10_000;

/// More keys, values and table headers than this and a file is refused unparsed. A session
/// at the limit of 10,000 timed events has far fewer.
pub const MAX_ITEMS: usize = 100_000;

/// How deep arrays and tables may nest: the limit toml itself applies.
const MAX_DEPTH: u32 = 80;

/// Decodes keys and values as they are parsed, so their errors (bad escapes, control
/// characters in strings, malformed numbers) are counted too; nothing is kept.
struct Decoding<'i> {
    source: Source<'i>,
    /// Keys, values and table headers met.
    items: usize,
}

impl<'i> Decoding<'i> {
    /// The text of a key or value, with how it is written (quoted, literal, bare).
    fn raw(&self, span: Span, encoding: Option<Encoding>) -> Option<Raw<'i>> {
        let text = self.source.input().get(span.start()..span.end())?;
        Some(Raw::new_unchecked(text, encoding, span))
    }
}

impl EventReceiver for Decoding<'_> {
    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        self.items += 1;
        if let Some(raw) = self.raw(span, encoding) {
            raw.decode_key(&mut (), error);
        }
    }

    fn std_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.items += 1;
    }

    fn array_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.items += 1;
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        self.items += 1;
        if let Some(raw) = self.raw(span, encoding) {
            let _ = raw.decode_scalar(&mut (), error);
        }
    }
}

/// Counts every error, keeping the first `keep`.
struct Counting {
    keep: usize,
    first: Vec<ParseError>,
    count: usize,
}

impl ErrorSink for Counting {
    fn report_error(&mut self, error: ParseError) {
        self.count += 1;
        if self.first.len() < self.keep {
            self.first.push(error);
        }
    }
}

/// A syntax error as toml words it: `(message, span)`.
pub type SyntaxError = (String, std::ops::Range<usize>);

/// What makes a file too much to parse.
#[derive(Debug, PartialEq, Eq)]
pub enum TooMuch {
    /// More than [`MAX_SYNTAX_ERRORS`]: the first ones, and how many in all.
    Errors(Vec<SyntaxError>, usize),
    /// More than [`MAX_ITEMS`] keys, values and table headers: how many.
    Items(usize),
}

impl TooMuch {
    /// One error about the file as a whole (for the config file, which shows no more).
    pub fn diagnostic(&self) -> Diagnostic {
        let message = match self {
            TooMuch::Errors(_, count) => format!(
                "the file has {count} TOML syntax errors; hara reads no further than {MAX_SYNTAX_ERRORS}"
            ),
            TooMuch::Items(n) => format!(
                "the file holds {n} keys, values and tables; hara reads files of at most {MAX_ITEMS}"
            ),
        };
        Diagnostic::file_error(message)
            .with_help("is this really the file you meant? hara's files are short TOML files")
    }
}

/// Whether `source` is too much to parse (keeping the first `keep` errors if it is).
pub fn too_much(source: &str, keep: usize) -> Option<TooMuch> {
    let src = Source::new(source);
    let tokens = src.lex().into_vec();
    let mut decoding = Decoding {
        source: src,
        items: 0,
    };
    let mut whitespace = ValidateWhitespace::new(&mut decoding, src);
    let mut guard = RecursionGuard::new(&mut whitespace, MAX_DEPTH);
    let mut sink = Counting {
        keep,
        first: Vec::new(),
        count: 0,
    };
    parse_document(&tokens, &mut guard, &mut sink);
    if sink.count > MAX_SYNTAX_ERRORS {
        let first = sink.first.iter().map(describe).collect();
        Some(TooMuch::Errors(first, sink.count))
    } else if decoding.items > MAX_ITEMS {
        Some(TooMuch::Items(decoding.items))
    } else {
        None
    }
}

/// The message and span toml would give the error.
fn describe(error: &ParseError) -> SyntaxError {
    let mut message = error.description().to_string();
    if let Some(expected) = error.expected() {
        message.push_str(", expected ");
        if expected.is_empty() {
            message.push_str("nothing");
        }
        for (i, e) in expected.iter().enumerate() {
            if i != 0 {
                message.push_str(", ");
            }
            match e {
                toml_parser::Expected::Literal(literal) => message.push_str(&match *literal {
                    "\n" => "newline".to_string(),
                    "`" => "'`'".to_string(),
                    s if s.chars().all(|c| c.is_ascii_control()) => {
                        format!("`{}`", s.escape_debug())
                    }
                    s => format!("`{s}`"),
                }),
                toml_parser::Expected::Description(d) => message.push_str(d),
                _ => message.push_str("etc"),
            }
        }
    }
    let span = error.unexpected().map_or(0..0, |s| s.start()..s.end());
    (message, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_and_decode_errors_and_words_them_as_toml_does() {
        assert_eq!(too_much("title = \"x\"\n", 5), None);
        let lines = "=\n".repeat(MAX_SYNTAX_ERRORS + 1);
        let Some(TooMuch::Errors(first, count)) = too_much(&lines, 3) else {
            panic!("too many errors")
        };
        assert!(count > MAX_SYNTAX_ERRORS);
        assert_eq!(first.len(), 3);
        let escapes = format!("a = \"{}\"\n", "\u{1b}[".repeat(MAX_SYNTAX_ERRORS + 1));
        let Some(TooMuch::Errors(first, _)) = too_much(&escapes, 1) else {
            panic!("too many errors")
        };
        // The same words as toml's own error for the same text.
        let (_, errors) = toml::de::DeTable::parse_recoverable(&escapes);
        assert_eq!(first[0].0, errors[0].message());
        assert_eq!(Some(first[0].1.clone()), errors[0].span());
    }

    #[test]
    fn counts_keys_values_and_tables() {
        // A header, its key, a key and a value: four items a step.
        let steps = "[[step]]\nduration = 1\n".repeat(MAX_ITEMS / 4);
        assert_eq!(too_much(&steps, 1), None);
        let duplicates = "a = 1\n".repeat(MAX_ITEMS / 2 + 1);
        assert_eq!(
            too_much(&duplicates, 1),
            Some(TooMuch::Items(MAX_ITEMS + 2))
        );
    }
}
