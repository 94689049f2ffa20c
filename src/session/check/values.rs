//! Reading single values: strings, numbers, durations, volumes, tables and arrays, each
//! with a diagnostic that says what was expected.

use super::*;

impl Checker<'_> {
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(super) fn error(
        &mut self,
        message: impl Into<String>,
        span: Span,
        help: impl Into<String>,
    ) {
        self.push(Diagnostic::error(message, span).with_help(help));
    }

    pub(super) fn wrong_type(&mut self, v: &Value<'_>, expected: &str, help: impl Into<String>) {
        self.push(
            Diagnostic::error(
                format!("expected {expected}, found {}", type_name(v.get_ref())),
                v.span(),
            )
            .with_label(format!("this is {}", type_name(v.get_ref())))
            .with_help(help),
        );
    }

    pub(super) fn known_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], what: &str) {
        self.diags.extend(unknown_keys(table, allowed, what));
    }

    /// The span of bytes `at` inside a string value, when the literal in the file is exactly
    /// the string between quotes (no escapes); otherwise the whole value.
    pub(super) fn inner_span(&self, v: &Value<'_>, s: &str, at: std::ops::Range<usize>) -> Span {
        let span = v.span();
        let literal = self.source.get(span.clone()).unwrap_or("");
        let quoted = literal.len() == s.len() + 2
            && (literal.starts_with('"') || literal.starts_with('\''))
            && &literal[1..literal.len() - 1] == s;
        if quoted {
            span.start + 1 + at.start..span.start + 1 + at.end
        } else {
            span
        }
    }

    // ---------- scalars ----------

    pub(super) fn string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, "a string", format!("put {what} in quotes: \"…\""));
            return None;
        };
        if text::has_hidden_controls(s) {
            self.push(
                Diagnostic::warning("this text contains control characters", v.span())
                    .with_label("they are removed before display")
                    .with_help("remove them; text in a session can never drive the terminal"),
            );
        }
        let cleaned = text::clean_line(s);
        if let Some(d) = crate::session::too_long(what, &cleaned, v.span()) {
            self.push(d);
            return None;
        }
        Some(cleaned)
    }

    pub(super) fn nonempty_string(&mut self, v: &Value<'_>, what: &str) -> Option<String> {
        let s = self.string(v, what)?;
        if s.is_empty() {
            self.error(
                format!("{what} is empty"),
                v.span(),
                format!("write {what}, or leave the key out"),
            );
            return None;
        }
        Some(s)
    }

    pub(super) fn boolean(&mut self, v: &Value<'_>) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, "true or false", "write true or false, without quotes");
                None
            }
        }
    }

    pub(super) fn integer(
        &mut self,
        v: &Value<'_>,
        range: std::ops::RangeInclusive<i64>,
        what: &str,
    ) -> Option<i64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => {
                self.wrong_type(
                    v,
                    "a whole number",
                    format!(
                        "write {what} as a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                return None;
            }
        };
        match parsed {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                self.push(
                    Diagnostic::error(
                        format!("{what} must be from {} to {}", range.start(), range.end()),
                        v.span(),
                    )
                    .with_label("out of range")
                    .with_help(format!(
                        "write a whole number from {} to {}",
                        range.start(),
                        range.end()
                    )),
                );
                None
            }
        }
    }

    /// A duration: seconds as a number, or a string with units.
    pub(super) fn duration(&mut self, v: &Value<'_>) -> Option<Duration> {
        let negative = |this: &mut Self| {
            this.error(
                "a duration cannot be negative",
                v.span(),
                duration::FORMS_HELP,
            );
            None
        };
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if n < 0 => negative(self),
                Ok(n) => match duration::parse_decimal(&n.to_string(), 1000) {
                    Some(ms) => Some(Duration::from_millis(ms)),
                    None => {
                        self.error(
                            "this duration is far too long",
                            v.span(),
                            duration::FORMS_HELP,
                        );
                        None
                    }
                },
                Err(_) => {
                    self.error("this number is too large", v.span(), duration::FORMS_HELP);
                    None
                }
            },
            DeValue::Float(f) => {
                let literal = f.as_str().trim_start_matches('+').replace('_', "");
                if literal.starts_with('-') {
                    return negative(self);
                }
                match duration::parse_decimal(&literal, 1000) {
                    Some(ms) => Some(Duration::from_millis(ms)),
                    None => {
                        let message = if literal.bytes().any(|b| b.is_ascii_alphabetic()) {
                            "write seconds as a plain decimal number (no exponent, inf or nan)"
                        } else {
                            "seconds need at most three decimal places (millisecond precision)"
                        };
                        self.error(message, v.span(), duration::FORMS_HELP);
                        None
                    }
                }
            }
            DeValue::String(s) if s.contains("..") => {
                self.push(
                    Diagnostic::error("a range of lengths is not allowed here", v.span())
                        .with_label("one length is needed here")
                        .with_help(
                            "give one length, e.g. \"5m\"; a range such as \"3m..7m\" is only for \
                             an interval bell's `every`, where it draws each gap at random",
                        ),
                );
                None
            }
            // A step's `duration` takes "open" before it comes here: anywhere else it is a
            // length that is needed.
            DeValue::String(s) if s.trim().eq_ignore_ascii_case("open") => {
                self.push(
                    Diagnostic::error("\"open\" is not allowed here", v.span())
                        .with_label("one length is needed here")
                        .with_help(
                            "give a length, e.g. \"5m\"; \"open\" is only a step's `duration`, \
                             for a step that lasts until you go on",
                        ),
                );
                None
            }
            DeValue::String(s) if s.trim_start().starts_with('-') => negative(self),
            DeValue::String(s) => match duration::parse(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    let trimmed = s.trim();
                    let help = if let Some(meant) = &e.meant {
                        format!("write \"{meant}\"")
                    } else if e.message == "this number has no unit" {
                        format!(
                            "add a unit, as in \"{trimmed}s\" or \"{trimmed}m\", or write the seconds without quotes"
                        )
                    } else {
                        duration::FORMS_HELP.to_string()
                    };
                    let span = self.inner_span(v, s, e.at.clone());
                    self.push(
                        Diagnostic::error(format!("invalid duration: {}", e.message), span)
                            .with_help(help),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, "a duration", duration::FORMS_HELP);
                None
            }
        }
    }

    pub(super) fn positive_duration(&mut self, v: &Value<'_>, what: &str) -> Option<Duration> {
        let d = self.duration(v)?;
        if d.is_zero() {
            self.push(
                Diagnostic::error(format!("{what} must be longer than zero"), v.span())
                    .with_label("zero")
                    .with_help(duration::FORMS_HELP),
            );
            return None;
        }
        Some(d)
    }

    pub(super) fn volume(&mut self, v: &Value<'_>) -> Option<f32> {
        let value = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong_type(
                    v,
                    "a number",
                    "write a volume from 0.0 (silent) to 1.0 (full)",
                );
                return None;
            }
        };
        match value {
            Some(x) if (0.0..=1.0).contains(&x) => Some(x as f32),
            _ => {
                self.push(
                    Diagnostic::error("volume must be from 0.0 to 1.0", v.span())
                        .with_label("out of range")
                        .with_help("write a volume from 0.0 (silent) to 1.0 (full)"),
                );
                None
            }
        }
    }

    pub(super) fn table<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
        keys: &[&str],
    ) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => {
                self.known_keys(t, keys, what);
                Some(t)
            }
            _ => {
                self.wrong_type(
                    v,
                    "a table",
                    format!("{what} is a table, e.g. {{ {} = … }}", keys[0]),
                );
                None
            }
        }
    }

    pub(super) fn array<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        help: &str,
    ) -> Option<&'t [Value<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(&a[..]),
            _ => {
                self.wrong_type(v, "an array", help.to_string());
                None
            }
        }
    }

    // ---------- the session ----------
}

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    #[test]
    fn durations_in_every_documented_form() {
        for d in ["90", "\"90s\"", "\"1m30s\"", "\"1.5m\"", "\"2h\""] {
            assert_eq!(
                findings(&with_step(&format!("duration = {d}\n"))),
                Vec::<String>::new(),
                "{d}"
            );
        }
    }

    #[test]
    fn wrong_types_say_what_was_expected_where() {
        let f = findings("title = 5\ntones = \"yes\"\n[[step]]\nduration = true\n");
        assert_eq!(f.len(), 3, "{f:#?}");
        assert!(
            f[0].starts_with("1:9 error: expected a string, found an integer"),
            "{f:#?}"
        );
        assert!(
            f[1].starts_with("2:9 error: expected true or false"),
            "{f:#?}"
        );
        assert!(f[2].starts_with("4:12 error:"), "{f:#?}");
    }

    #[test]
    fn control_characters_in_text_are_a_warning() {
        let f = findings(&with_step("duration = 5\ntext = \"a\\u001b[31mred\"\n"));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].contains("warning: this text contains control characters"),
            "{f:#?}"
        );
    }

    #[test]
    fn volumes_are_between_zero_and_one() {
        let f = findings(
            "title = \"T\"\n[bells]\nstart = { sound = \"bowl\", volume = 2 }\n[[step]]\nduration = 5\n",
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].starts_with("3:36 error: volume must be from 0.0 to 1.0"),
            "{f:#?}"
        );
    }
}
