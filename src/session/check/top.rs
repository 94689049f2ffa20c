//! The top level of a session file: its title, summary, tags, countdown and steps.

use super::bells::BellsOf;
use super::steps::Inherited;
use super::*;

const TOP_KEYS: &[&str] = &[
    "format", "title", "summary", "tags", "prepare", "lang", "tones", "speak", "bells", "ambient",
    "step",
];

impl Checker<'_> {
    pub(super) fn session(&mut self, root: &DeTable<'_>) -> Option<Session> {
        self.known_keys(root, TOP_KEYS, "a session");
        if let Some(v) = get(root, "format") {
            self.declared = self.format_version(v);
        }
        let title = match get(root, "title") {
            Some(v) => self.nonempty_string(v, "the title"),
            None if self.name.is_some_and(|n| !n.is_empty()) => self.name.map(text::clean_line),
            None if self.syntax_broken => None,
            None => {
                self.error(
                    "a session needs a title",
                    0..0,
                    "add a line like `title = \"Before a client\"` at the top",
                );
                None
            }
        };
        let summary = get(root, "summary").and_then(|v| self.string(v, "the summary"));
        let tags = get(root, "tags").map_or_else(Vec::new, |v| self.tags(v));
        let prepare = get(root, "prepare").map_or(Some(Duration::ZERO), |v| self.duration(v));
        let tones = get(root, "tones").map_or(Some(false), |v| self.boolean(v));
        let bells = match get(root, "bells") {
            Some(v) => self.bells(v, BellsOf::Session),
            None => Some(Bells::defaults()),
        };
        let speak = get(root, "speak").map_or(Some(false), |v| self.boolean(v));
        let lang = get(root, "lang").map(|v| self.lang(v));
        let tag = lang.clone().flatten().flatten();
        // `ambient = false` at the top is the same as no bed.
        let ambient = get(root, "ambient").map(|v| {
            let key = key_span(root, "ambient").unwrap_or(v.span());
            self.ambient(v, key).map(|said| match said {
                super::ambient::Said::Bed(a) => Some(a),
                super::ambient::Said::Off => None,
            })
        });
        let inherited = Inherited {
            tones: tones.unwrap_or(false),
            speak: speak.unwrap_or(false),
            lang: tag.as_deref(),
        };
        let items = match get(root, "step") {
            Some(v) => self.items(v, inherited, 0),
            None if self.syntax_broken => None,
            None => {
                self.error(
                    "a session needs at least one step",
                    0..0,
                    "add a step:\n\n[[step]]\ntitle = \"Sit\"\nduration = \"5m\"",
                );
                None
            }
        };
        let (title, prepare, mut bells, items) = (title?, prepare?, bells?, items?);
        self.check_session_bells(&mut bells, &items);
        Some(Session {
            title,
            summary: summary.filter(|s| !s.is_empty()),
            tags,
            prepare,
            lang: lang.unwrap_or(Some(None))?,
            bells,
            ambient: ambient.unwrap_or(Some(None))?,
            items,
        })
    }

    /// `format = 1` or `format = 1.1`.
    fn format_version(&mut self, v: &Value<'_>) -> Option<FormatVersion> {
        let written = match v.get_ref() {
            DeValue::Integer(i) => i.as_str().replace('_', ""),
            DeValue::Float(f) => f.as_str().replace('_', ""),
            _ => {
                self.wrong_type(v, "a number", "write `format = 1.1`");
                return None;
            }
        };
        match written.trim_start_matches('+') {
            "1" | "1.0" => Some(FormatVersion::V1_0),
            "1.1" | "1.10" => Some(FormatVersion::V1_1),
            other => {
                let newest = FormatVersion::NEWEST.as_toml();
                self.error(
                    format!(
                        "this file is written for session format {}; this hara reads formats 1 and {newest}",
                        text::clean_line(other)
                    ),
                    v.span(),
                    format!("upgrade hara, or rewrite the session for format {newest}"),
                );
                None
            }
        }
    }

    /// A language tag (BCP 47): letters, digits and hyphens, such as "de", "en-GB" or "pt-BR".
    fn lang(&mut self, v: &Value<'_>) -> Option<Option<String>> {
        let tag = self.nonempty_string(v, "the language")?;
        let ok = tag.len() <= 35
            && tag.split('-').all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            })
            && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !ok {
            self.error(
                format!("`{tag}` is not a language tag"),
                v.span(),
                "write a BCP 47 tag such as lang = \"de\" or lang = \"en-GB\"",
            );
            return None;
        }
        Some(Some(tag))
    }

    pub(super) fn tags(&mut self, v: &Value<'_>) -> Vec<String> {
        let Some(items) = self.array(v, "write tags as a list: tags = [\"bodywork\", \"short\"]")
        else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|t| self.nonempty_string(t, "a tag"))
            .collect()
    }

    /// Bells sounded at an offset must fall within the session; a step's end bell that
    /// strikes together with another bell is worth a warning.
    pub(super) fn check_session_bells(&mut self, bells: &mut Bells, items: &[Item]) {
        let total = compile::items_length(items);
        let open = items
            .iter()
            .any(|i| matches!(i, Item::Step(s) if s.length == Length::Open));
        if let Some(interval) = bells
            .interval
            .as_ref()
            .filter(|i| open && i.every.shortest() < steps::OPEN_SHORTEST)
        {
            self.push(
                Diagnostic::error(
                    "in a session with open steps, interval bells come at most once a second",
                    interval.every_span.clone(),
                )
                .with_help("give `every` 1s or more"),
            );
        }
        self.bells_within(bells, total, "the session");
        self.end_bells_together(items);
        if let (Some(last), Some(_)) = (items.last().and_then(last_step), &bells.end) {
            self.together(Some(last), "the session's end bell");
        }
    }

    /// Warns of each step's `bells.end` that sounds as the next step's `bell` does: at the
    /// next step in the list, and, in a group of several rounds, at the group's first step.
    fn end_bells_together(&mut self, items: &[Item]) {
        let starts_with_bell = |item: &Item| first_step(item).is_some_and(|s| s.bell.is_some());
        for pair in items.windows(2) {
            if starts_with_bell(&pair[1]) {
                self.together(last_step(&pair[0]), "the next step's bell");
            }
        }
        for item in items {
            if let Item::Repeat(r) = item {
                self.end_bells_together(&r.items);
                if r.times > 1 && r.items.first().is_some_and(starts_with_bell) {
                    let last = r.items.last().and_then(last_step);
                    self.together(last, "the bell that starts the next round");
                }
            }
        }
    }

    fn together(&mut self, step: Option<&Step>, other: &str) {
        let Some(step) = step else { return };
        if let (Some(_), Some(span)) = (&step.bells.end, &step.bells.end_span) {
            self.push(
                Diagnostic::warning(
                    format!("this step's end bell sounds at the same moment as {other}"),
                    span.clone(),
                )
                .with_label("two bells at once")
                .with_help("both will strike together; for one clear strike, keep one of them"),
            );
        }
    }

    /// Bells sounded at an offset must fall within `whole` ("the session", "the step"),
    /// `length` long.
    pub(super) fn bells_within(&mut self, bells: &Bells, length: Duration, whole: &str) {
        for bell in &bells.at {
            if bell.at > length {
                self.push(
                    Diagnostic::error(
                        format!("this bell comes after {whole} ends"),
                        bell.at_span.clone(),
                    )
                    .with_label(format!("at {}", duration::format(bell.at)))
                    .with_help(format!(
                        "{whole} is {} long; use `end` for a bell at the end",
                        duration::format(length)
                    )),
                );
            }
        }
    }
}

/// The step an item begins with, and the step it ends with (a checked group is never empty).
fn first_step(item: &Item) -> Option<&Step> {
    match item {
        Item::Step(s) => Some(s),
        Item::Repeat(r) => r.items.first().and_then(first_step),
    }
}

fn last_step(item: &Item) -> Option<&Step> {
    match item {
        Item::Step(s) => Some(s),
        Item::Repeat(r) => r.items.last().and_then(last_step),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    #[test]
    fn a_broken_table_header_is_not_also_a_missing_step_or_title() {
        let f = findings("format = 1.1\n[[step]\nduration = \"5m\"\n");
        assert!(f[0].starts_with("2:8 error: TOML syntax"), "{f:#?}");
        assert!(
            f.iter()
                .all(|d| !d.contains("needs at least one step") && !d.contains("needs a title")),
            "{f:#?}"
        );
    }

    #[test]
    fn a_session_needs_a_title_and_a_step_reported_together() {
        let f = findings("summary = \"x\"\n");
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f[0].contains("a session needs a title"), "{f:#?}");
        assert!(f[1].contains("a session needs at least one step"), "{f:#?}");
    }

    #[test]
    fn a_later_format_is_refused_with_its_line() {
        let f = findings("format = 2\ntitle = \"T\"\n[[step]]\nduration = 5\n");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].starts_with("1:10 error: this file is written for session format 2"),
            "{f:#?}"
        );
    }

    #[test]
    fn unknown_top_level_keys_get_a_suggestion() {
        let f = findings(&format!("tittle = \"x\"\n{}", with_step("duration = 5\n")));
        assert!(
            f.iter()
                .any(|d| d.starts_with("1:1 error: unknown key `tittle`")
                    && d.contains("did you mean `title`?")),
            "{f:#?}"
        );
    }

    #[test]
    fn tags_are_a_list_of_words_and_bells_at_an_offset_fall_inside() {
        let f = findings(
            "title = \"T\"\ntags = \"short\"\n[bells]\nat = [{ at = \"2m\" }]\n[[step]]\nduration = \"1m\"\n",
        );
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f[0].starts_with("2:8 error: expected an array"), "{f:#?}");
        assert!(
            f[1].contains("this bell comes after the session ends"),
            "{f:#?}"
        );
    }

    #[test]
    fn a_session_without_a_title_takes_its_file_name() {
        let checked = crate::session::check_file(
            b"[[step]]\nduration = \"5m\"\n",
            Some("abend"),
            &crate::session::check::InstrumentsOnly,
        );
        assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
        assert_eq!(checked.session.unwrap().0.title, "abend");
    }

    #[test]
    fn a_step_end_bell_with_another_bell_at_that_moment_is_a_warning() {
        let f = findings(
            "title = \"T\"\n[[step]]\nduration = 5\nbells = { end = \"bell\" }\n\
             [[step]]\nduration = 5\nbell = \"wood\"\nbells = { end = \"none\" }\n",
        );
        assert_eq!(
            f,
            [
                "4:11 warning: this step's end bell sounds at the same moment as the next step's bell [both will strike together; for one clear strike, keep one of them]"
            ]
        );
        // `end = "none"` is no bell; the session's own end bell is one.
        let f = findings("title = \"T\"\n[[step]]\nduration = 5\nbells = { end = \"bell\" }\n");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].contains("as the session's end bell"), "{f:#?}");
        let f = findings(
            "title = \"T\"\n[bells]\nend = \"none\"\n[[step]]\nduration = 5\nbells = { end = \"bell\" }\n",
        );
        assert_eq!(f, Vec::<String>::new());
    }
}
