//! Cues in a step: at an offset or repeating, with words or a principle card's.

use super::*;

const CUE_KEYS: &[&str] = &["at", "every", "text", "principle", "speak", "voice"];

impl Checker<'_> {
    pub(super) fn principle(
        &mut self,
        v: &Value<'_>,
    ) -> Option<Option<&'static principles::Principle>> {
        let id = self.nonempty_string(v, "a principle")?;
        if let Some(p) = principles::find(&id) {
            return Some(Some(p));
        }
        let ids = PRINCIPLES.iter().map(|p| p.id);
        let help = match did_you_mean(&id, ids.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the principles are: {}", ids.collect::<Vec<_>>().join(", ")),
        };
        self.push(
            Diagnostic::error(format!("unknown principle `{id}`"), v.span())
                .with_label("not in the principle library")
                .with_help(help),
        );
        None
    }

    /// A recorded voice: a WAV or Ogg file found and decoded like a bell's sound file.
    pub(super) fn voice(&mut self, v: &Value<'_>) -> Option<Option<PathBuf>> {
        match self.sound(v)? {
            Sound::File(path) => Some(Some(path)),
            _ => {
                self.error(
                    "a voice is a recorded WAV or Ogg file",
                    v.span(),
                    "write a path such as voice = \"clips/arrive.ogg\" (relative to the session file)",
                );
                None
            }
        }
    }

    // ---------- cues ----------

    /// The step's cues. `step_len` is `None` when the step's own length is wrong: the cues
    /// are still read (every problem at once), only not placed in it.
    pub(super) fn cues(&mut self, v: &Value<'_>, step_len: Option<Duration>) -> Option<Vec<Cue>> {
        let list = self.array(
            v,
            "write cues as a list: cues = [{ at = \"10s\", text = \"…\" }]",
        )?;
        let mut out = Some(Vec::new());
        for entry in list {
            let cue = self
                .table(entry, "a cue", CUE_KEYS)
                .and_then(|t| self.cue(entry, t, step_len));
            match (cue, &mut out) {
                (Some(c), Some(list)) => list.push(c),
                _ => out = None,
            }
        }
        out
    }

    pub(super) fn cue(
        &mut self,
        v: &Value<'_>,
        t: &DeTable<'_>,
        step_len: Option<Duration>,
    ) -> Option<Cue> {
        let when = match (get(t, "at"), get(t, "every")) {
            (Some(_), Some(e)) => {
                self.error(
                    "a cue is either `at` an offset or `every` interval, not both",
                    e.span(),
                    "keep one of them",
                );
                None
            }
            (Some(a), None) => self.duration(a).and_then(|d| {
                if let Some(step_len) = step_len.filter(|l| d >= *l) {
                    let message = if d == step_len {
                        "this cue comes at the very moment its step ends, where nothing would show it"
                    } else {
                        "this cue comes after its step ends"
                    };
                    self.push(
                        Diagnostic::error(message, a.span())
                            .with_label(format!("at {}", duration::format(d)))
                            .with_help(format!(
                                "the step is {} long; move the cue earlier or lengthen the step",
                                duration::format(step_len)
                            )),
                    );
                    return None;
                }
                Some((CueTime::At(d), a.span()))
            }),
            (None, Some(e)) => self.positive_duration(e, "a cue's interval").and_then(|d| {
                if let Some(step_len) = step_len.filter(|l| d >= *l) {
                    self.push(
                        Diagnostic::error("this cue would never be shown", e.span())
                            .with_label(format!("every {}", duration::format(d)))
                            .with_help(format!(
                                "the step is only {} long; use a shorter interval, or `at`",
                                duration::format(step_len)
                            )),
                    );
                    return None;
                }
                Some((CueTime::Every(d), e.span()))
            }),
            (None, None) => {
                self.error("a cue needs `at` or `every`", v.span(), "write { at = \"10s\", text = \"…\" } or { every = \"1m\", principle = \"relax\" }");
                None
            }
        };
        let text = match (get(t, "text"), get(t, "principle")) {
            (Some(_), Some(p)) => {
                self.error(
                    "a cue has `text` or a `principle`, not both",
                    p.span(),
                    "keep one of them",
                );
                None
            }
            (Some(x), None) => self.nonempty_string(x, "the cue's text").map(Text::Written),
            (None, Some(p)) => self.principle(p).flatten().map(Text::Principle),
            (None, None) => {
                self.error(
                    "a cue needs `text` or a `principle`",
                    v.span(),
                    "add text = \"…\" or principle = \"relax\"",
                );
                None
            }
        };
        let speak = get(t, "speak").map(|v| self.boolean(v));
        let voice = get(t, "voice").map(|v| self.voice(v));
        let (when, span) = when?;
        Some(Cue {
            when,
            text: text?,
            speak: speak.map_or(Some(None), |s| s.map(Some))?,
            voice: voice.unwrap_or(Some(None))?,
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    #[test]
    fn cues_at_an_offset_or_repeating_with_words_or_a_principle() {
        let ok = with_step(
            "duration = \"2m\"\ncues = [{ at = \"10s\", text = \"Soften.\" }, { every = \"40s\", principle = \"relax\" }]\n",
        );
        assert_eq!(findings(&ok), Vec::<String>::new());
    }

    #[test]
    fn an_unknown_principle_gets_a_suggestion() {
        let f = findings(&with_step(
            "duration = \"2m\"\ncues = [{ at = \"10s\", principle = \"relaxx\" }]\n",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].contains("unknown principle `relaxx`") && f[0].contains("did you mean `relax`?"),
            "{f:#?}"
        );
    }

    #[test]
    fn a_cue_is_at_or_every_and_falls_inside_its_step() {
        let f = findings(&with_step(
            "duration = \"1m\"\ncues = [{ at = \"10s\", every = \"5s\", text = \"x\" }, { at = \"2m\", text = \"late\" }, { every = \"5m\", text = \"never\" }]\n",
        ));
        assert!(
            f.iter()
                .any(|d| d.contains("either `at` an offset or `every` interval")),
            "{f:#?}"
        );
        assert!(
            f.iter()
                .any(|d| d.contains("this cue comes after its step ends")),
            "{f:#?}"
        );
        assert!(
            f.iter()
                .any(|d| d.contains("this cue would never be shown")),
            "{f:#?}"
        );
    }

    #[test]
    fn a_cue_at_the_very_end_of_its_step_is_refused_for_what_it_is() {
        let f = findings(&with_step(
            "duration = \"1m\"\ncues = [{ at = \"1m\", text = \"x\" }]\n",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].contains("at the very moment its step ends"), "{f:#?}");
    }

    #[test]
    fn cues_are_read_even_when_the_step_length_is_wrong() {
        let f = findings(&with_step(
            "duration = \"4 minutes\"\ncues = [{ at = \"10s\", principle = \"relaxx\" }]\n",
        ));
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(
            f[0].contains("help: write \"4m\"") || f[0].contains("[write \"4m\"]"),
            "{f:#?}"
        );
        assert!(f[1].contains("unknown principle `relaxx`"), "{f:#?}");
    }
}
