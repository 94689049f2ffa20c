//! Breath patterns: the "4-1-6-0" shorthand, the table form, and ramps between two.

use super::*;

/// Breathing faster than this many breaths a minute earns a warning.
const FAST_BREATHS_PER_MINUTE: u32 = 20;
const PATTERN_KEYS: &[&str] = &["inhale", "top_up", "hold", "exhale", "rest"];
const RAMP_KEYS: &[&str] = &["from", "to"];

impl Checker<'_> {
    pub(super) fn breath(&mut self, v: &Value<'_>) -> Option<Option<Breath>> {
        if let DeValue::Table(t) = v.get_ref()
            && (t.contains_key("from") || t.contains_key("to"))
        {
            self.known_keys(t, RAMP_KEYS, "a ramp");
            let from = get(t, "from").map(|p| self.pattern(p));
            let to = get(t, "to").map(|p| self.pattern(p));
            let (Some(from), Some(to)) = (from, to) else {
                self.error(
                    "a ramp needs both `from` and `to`",
                    v.span(),
                    "write breath = { from = \"4-0-6-0\", to = \"4-0-8-0\" }",
                );
                return None;
            };
            return Some(Some(Breath::Ramp {
                from: from?,
                to: to?,
            }));
        }
        self.pattern(v).map(|p| Some(Breath::Steady(p)))
    }

    pub(super) fn pattern(&mut self, v: &Value<'_>) -> Option<Pattern> {
        let p = match v.get_ref() {
            DeValue::String(s) => self.pattern_shorthand(v, s)?,
            DeValue::Table(t) => {
                self.known_keys(t, PATTERN_KEYS, "a breath pattern");
                let mut field =
                    |key: &str| get(t, key).map_or(Some(Duration::ZERO), |x| self.duration(x));
                let (inhale, top_up, hold, exhale, rest) = (
                    field("inhale"),
                    field("top_up"),
                    field("hold"),
                    field("exhale"),
                    field("rest"),
                );
                Pattern {
                    inhale: inhale?,
                    top_up: top_up?,
                    hold: hold?,
                    exhale: exhale?,
                    rest: rest?,
                }
            }
            _ => {
                self.wrong_type(v, "a breath pattern", PATTERN_HELP);
                return None;
            }
        };
        if p.inhale.is_zero() || p.exhale.is_zero() {
            self.push(
                Diagnostic::error(
                    "a breath needs an inhale and an exhale longer than zero",
                    v.span(),
                )
                .with_help(PATTERN_HELP),
            );
            return None;
        }
        if p.cycle() < Duration::from_secs(60) / FAST_BREATHS_PER_MINUTE {
            let per_minute = 60_000 / p.cycle().as_millis().max(1);
            self.push(
                Diagnostic::warning(
                    format!("about {per_minute} breaths a minute is fast for paced breathing"),
                    v.span(),
                )
                .with_label(format!("one breath is {}", duration::format(p.cycle())))
                .with_help("slow breathing is under 10 breaths a minute; \"4-0-6-0\" is 6"),
            );
        }
        Some(p)
    }

    /// "4-1-6-0" (inhale-hold-exhale-rest), "4-7-8" (no rest), "5-5" (inhale-exhale), with
    /// an optional top-up inhale written "4+1-…".
    pub(super) fn pattern_shorthand(&mut self, v: &Value<'_>, s: &str) -> Option<Pattern> {
        let mut parts = Vec::new();
        let mut offset = 0;
        for part in s.split('-') {
            parts.push((part, offset..offset + part.len()));
            offset += part.len() + 1;
        }
        if !(2..=4).contains(&parts.len()) {
            self.push(
                Diagnostic::error(
                    format!(
                        "a breath pattern has 2 to 4 parts; this has {}",
                        parts.len()
                    ),
                    v.span(),
                )
                .with_help(PATTERN_HELP),
            );
            return None;
        }
        let mut ok = true;
        let mut seconds = |this: &mut Self, text: &str, at: std::ops::Range<usize>| {
            let trimmed = text.trim().trim_end_matches('s');
            match duration::parse_decimal(trimmed, 1000) {
                Some(ms) => Duration::from_millis(ms),
                None => {
                    let span = this.inner_span(v, s, at);
                    this.push(
                        Diagnostic::error(
                            format!("`{}` is not a number of seconds", text::clean_line(text)),
                            span,
                        )
                        .with_help(PATTERN_HELP),
                    );
                    ok = false;
                    Duration::ZERO
                }
            }
        };
        let (first, first_at) = parts[0].clone();
        let (inhale, top_up) = match first.split_once('+') {
            Some((a, b)) => {
                let split = first_at.start + a.len();
                (
                    seconds(self, a, first_at.start..split),
                    seconds(self, b, split + 1..first_at.end),
                )
            }
            None => (seconds(self, first, first_at), Duration::ZERO),
        };
        let mut rest_of = parts[1..]
            .iter()
            .map(|(t, at)| seconds(self, t, at.clone()));
        let values: Vec<Duration> = rest_of.by_ref().collect();
        let (hold, exhale, rest) = match values.as_slice() {
            [exhale] => (Duration::ZERO, *exhale, Duration::ZERO),
            [hold, exhale] => (*hold, *exhale, Duration::ZERO),
            [hold, exhale, rest] => (*hold, *exhale, *rest),
            _ => unreachable!("2 to 4 parts were checked above"),
        };
        ok.then_some(Pattern {
            inhale,
            top_up,
            hold,
            exhale,
            rest,
        })
    }
}

const PATTERN_HELP: &str = "write a pattern as \"inhale-hold-exhale-rest\" in seconds, e.g. \"4-1-6-0\" (or \"4-7-8\", \"5-5\"; \"4+1-0-8-0\" adds a top-up inhale), or as a table { inhale = 4, hold = 1, exhale = 6 }";

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    fn breath(pattern: &str) -> Vec<String> {
        findings(&with_step(&format!("breaths = 4\nbreath = {pattern}\n")))
    }

    #[test]
    fn shorthands_and_tables_are_patterns() {
        for ok in [
            "\"4-1-6-0\"",
            "\"4-7-8\"",
            "\"5-5\"",
            "\"4+1-0-8-0\"",
            "{ inhale = 4, hold = 1, exhale = 6 }",
        ] {
            assert_eq!(breath(ok), Vec::<String>::new(), "{ok}");
        }
    }

    #[test]
    fn a_pattern_needs_two_to_four_parts_and_breath_both_ways() {
        let f = breath("\"4\"");
        assert!(f.iter().any(|d| d.contains("2 to 4 parts")), "{f:#?}");
        let f = breath("{ inhale = 4 }");
        assert!(
            f.iter()
                .any(|d| d.contains("an inhale and an exhale longer than zero")),
            "{f:#?}"
        );
    }

    #[test]
    fn fast_breathing_is_a_warning_not_an_error() {
        let f = breath("\"1-0-1-0\"");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].contains("warning: about 30 breaths a minute is fast"),
            "{f:#?}"
        );
    }

    #[test]
    fn a_ramp_needs_both_ends() {
        let f = breath("{ from = \"4-0-6-0\" }");
        assert!(
            f.iter()
                .any(|d| d.contains("a ramp needs both `from` and `to`")),
            "{f:#?}"
        );
        assert_eq!(
            breath("{ from = \"4-0-6-0\", to = \"4-0-8-0\" }"),
            Vec::<String>::new()
        );
    }
}
