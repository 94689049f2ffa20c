//! `[[step]]` tables and repeat groups: titles, lengths, breaths, tones and words.

use super::bells::BellsOf;
use super::*;

/// The deepest nesting of repeat groups.
const MAX_GROUP_DEPTH: usize = 8;
const MAX_BREATHS: i64 = 10_000;
const MAX_REPEAT: i64 = 10_000;
const STEP_KEYS: &[&str] = &[
    "title",
    "text",
    "principle",
    "duration",
    "breaths",
    "breath",
    "tones",
    "speak",
    "speak_breath",
    "voice",
    "cues",
    "bell",
    "bells",
    "ambient",
];
const GROUP_KEYS: &[&str] = &["title", "repeat", "step"];

/// The shortest breath, and the shortest interval between cues, an open step takes: it is
/// laid out as it runs, and this keeps it to a few events a second.
pub(in crate::session::check) const OPEN_SHORTEST: Duration = Duration::from_secs(1);

/// Whether `duration` says `"open"`.
fn is_open(v: &Value<'_>) -> bool {
    matches!(v.get_ref(), DeValue::String(s) if s.trim().eq_ignore_ascii_case("open"))
}

/// Whether `duration` is a word close to `"open"` (`"opn"`, `"opne"`), not a length.
fn misspelt_open(v: &Value<'_>) -> bool {
    matches!(v.get_ref(), DeValue::String(s)
        if s.trim().chars().all(|c| c.is_alphabetic())
            && did_you_mean(&s.trim().to_lowercase(), ["open"]).is_some())
}

/// Whether an unknown key of a step looks like `duration` or `breaths` misspelt.
fn misspelt_length(t: &DeTable<'_>) -> bool {
    t.keys()
        .map(|k| k.get_ref().as_ref())
        .filter(|k| !STEP_KEYS.contains(k))
        .any(|k| did_you_mean(k, ["duration", "breaths"]).is_some())
}

/// Whether a step paces the breath, for its phase words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paced {
    Yes,
    /// No breath pattern: nothing to say a word for.
    No,
    /// An open step: its phases are laid out as it runs, without words.
    Open,
}

/// What a step takes from the session's top level unless it says otherwise.
#[derive(Debug, Clone, Copy)]
pub(in crate::session::check) struct Inherited<'l> {
    pub tones: bool,
    pub speak: bool,
    /// The session's language, for the words of `speak_breath`.
    pub lang: Option<&'l str>,
}

impl Checker<'_> {
    /// The `step` array: steps and repeat groups, in order.
    pub(super) fn items(
        &mut self,
        v: &Value<'_>,
        tones: Inherited<'_>,
        depth: usize,
    ) -> Option<Vec<Item>> {
        let list = self.array(v, "write steps as [[step]] tables")?;
        if list.is_empty() {
            self.error("there are no steps", v.span(), "add at least one [[step]]");
            return None;
        }
        let mut out = Some(Vec::new());
        for entry in list {
            let item = match entry.get_ref() {
                DeValue::Table(t) if t.contains_key("repeat") || t.contains_key("step") => {
                    self.group(entry, t, tones, depth)
                }
                DeValue::Table(t) => self
                    .step(entry, t, tones, depth)
                    .map(|s| Item::Step(Box::new(s))),
                _ => {
                    self.wrong_type(entry, "a table", "write each step as a [[step]] table");
                    None
                }
            };
            match (item, &mut out) {
                (Some(i), Some(list)) => list.push(i),
                _ => out = None,
            }
        }
        out
    }

    pub(super) fn group(
        &mut self,
        v: &Value<'_>,
        t: &DeTable<'_>,
        tones: Inherited<'_>,
        depth: usize,
    ) -> Option<Item> {
        // Step keys get their own message below, so only the rest count as unknown here.
        let known: Vec<&str> = GROUP_KEYS.iter().chain(STEP_KEYS).copied().collect();
        self.diags.extend(
            unknown_keys(t, &known, "a repeat group")
                .into_iter()
                .map(|d| d.with_help(format!("a repeat group takes: {}", GROUP_KEYS.join(", ")))),
        );
        for key in STEP_KEYS.iter().filter(|k| !GROUP_KEYS.contains(k)) {
            if let Some(span) = key_span(t, key) {
                self.error(
                    format!("a repeat group has no `{key}` of its own"),
                    span,
                    "put it on the steps inside the group ([[step.step]])",
                );
            }
        }
        if depth >= MAX_GROUP_DEPTH {
            self.error(
                format!("repeat groups nest more than {MAX_GROUP_DEPTH} deep"),
                v.span(),
                "flatten the groups",
            );
            return None;
        }
        let title = get(t, "title").and_then(|v| self.nonempty_string(v, "the title"));
        let times = match get(t, "repeat") {
            Some(r) => self.integer(r, 1..=MAX_REPEAT, "repeat"),
            None => {
                self.error(
                    "a group of steps needs `repeat`",
                    v.span(),
                    "add `repeat = 2` (how many times to play the steps inside)",
                );
                None
            }
        };
        let items = match get(t, "step") {
            Some(s) => self.items(s, tones, depth + 1),
            None => {
                let span = key_span(t, "repeat").unwrap_or(v.span());
                self.error(
                    "this repeat has no steps",
                    span,
                    "add the steps to repeat after it as [[step.step]] tables",
                );
                None
            }
        };
        Some(Item::Repeat(Repeat {
            title,
            times: u32::try_from(times?).ok()?,
            times_span: get(t, "repeat").map_or(v.span(), |r| r.span()),
            items: items?,
        }))
    }

    pub(super) fn step(
        &mut self,
        v: &Value<'_>,
        t: &DeTable<'_>,
        session: Inherited<'_>,
        depth: usize,
    ) -> Option<Step> {
        self.known_keys(t, STEP_KEYS, "a step");
        let title = get(t, "title").map(|v| self.nonempty_string(v, "the title"));
        let principle = get(t, "principle").map(|v| self.principle(v));
        let written = get(t, "text").map(|v| self.string(v, "the text"));
        let breath = get(t, "breath").map(|v| self.breath(v));
        let tones = get(t, "tones").map_or(Some(session.tones), |v| self.boolean(v));
        let speak = get(t, "speak").map_or(Some(session.speak), |v| self.boolean(v));
        let speak_breath = get(t, "speak_breath").map(|v| self.boolean(v));
        let voice = get(t, "voice").map(|v| self.voice(v));
        for key in ["speak_breath", "voice"] {
            if let Some(span) = key_span(t, key) {
                self.needs(FormatVersion::V1_1, &format!("`{key}` on a step"), span);
            }
        }
        let bell = get(t, "bell").map(|v| self.bell(v));
        let bells = get(t, "bells").map(|v| {
            let span = key_span(t, "bells").unwrap_or(v.span());
            self.needs(FormatVersion::V1_1, "a step's own `bells`", span);
            self.bells(v, BellsOf::Step)
        });
        // `bells.start` is the step's `bell` by another name: one of them, not both.
        let start_twice = match (get(t, "bell"), get(t, "bells").map(|b| b.get_ref())) {
            (Some(_), Some(DeValue::Table(b))) => key_span(b, "start"),
            _ => None,
        };
        if let Some(span) = start_twice.clone() {
            self.push(
                Diagnostic::error("this step's start bell is given twice", span)
                    .with_label("`bell` gives it already")
                    .with_help("`bell = …` and `bells.start = …` are the same bell, sounded as the step starts; keep one of them"),
            );
        }
        let ambient = get(t, "ambient").map(|v| {
            let key = key_span(t, "ambient").unwrap_or(v.span());
            self.ambient(v, key).map(|said| match said {
                super::ambient::Said::Bed(a) => StepAmbient::Own(a),
                super::ambient::Said::Off => StepAmbient::Off,
            })
        });

        let open = get(t, "duration").filter(|d| is_open(d));
        let length = match (get(t, "duration"), get(t, "breaths")) {
            (Some(_), Some(b)) if open.is_some() => {
                self.push(
                    Diagnostic::error("an open step cannot have a number of breaths", b.span())
                        .with_label("an open step lasts until you go on")
                        .with_help("remove `breaths` (the step breathes its pattern for as long as it lasts), or give the step a length instead of \"open\""),
                );
                None
            }
            (Some(_), Some(b)) => {
                self.push(
                    Diagnostic::error(
                        "a step has a length in time or in breaths, not both",
                        b.span(),
                    )
                    .with_help("remove `breaths` or `duration`"),
                );
                None
            }
            (Some(d), None) if open.is_some() => {
                self.needs(FormatVersion::V1_1, "`duration = \"open\"`", d.span());
                if depth > 0 {
                    self.push(
                        Diagnostic::error("an open step cannot be inside a repeat group", d.span())
                            .with_label("open")
                            .with_help("give the step a length, or move it out of the group (each round would wait for you anew, so hara keeps open steps outside groups)"),
                    );
                    None
                } else {
                    Some((Length::Open, d.span()))
                }
            }
            (Some(d), None) if misspelt_open(d) => {
                self.push(
                    Diagnostic::error("this is not a duration", d.span())
                        .with_label("not a length")
                        .with_help("did you mean \"open\"? (a step that lasts until you go on)"),
                );
                None
            }
            (Some(d), None) => self
                .positive_duration(d, "a step's duration")
                .map(|x| (Length::Time(x), d.span())),
            (None, Some(b)) => {
                let n = self.integer(b, 1..=MAX_BREATHS, "breaths");
                if breath.is_none() {
                    self.push(
                        Diagnostic::error("`breaths` needs a breath pattern", b.span()).with_help(
                            "add `breath = \"4-0-6-0\"`, or give the step a `duration` instead",
                        ),
                    );
                    None
                } else {
                    n.map(|n| (Length::Breaths(n as u32), b.span()))
                }
            }
            // A misspelt `duration` or `breaths` has been reported as such already.
            (None, None) if misspelt_length(t) => None,
            (None, None) => {
                self.push(
                    Diagnostic::error("this step has no length", v.span())
                        .with_label("neither `duration` nor `breaths`")
                        .with_help(
                            "add `duration = \"2m\"`, or with a breath pattern, `breaths = 12`",
                        ),
                );
                None
            }
        };

        let step_len = length.as_ref().and_then(|(l, _)| match (l, breath) {
            (Length::Time(d), _) => Some(*d),
            (Length::Breaths(n), Some(Some(Some(b)))) => Some(compile::breaths_length(b, *n)),
            _ => None,
        });
        let cues = get(t, "cues").map_or(Some(Vec::new()), |v| self.cues(v, step_len));
        let mut bells = bells.unwrap_or(Some(Bells::default()))?;
        if let Some(len) = step_len {
            self.bells_within(&bells, len, "the step");
        }
        let bell = match bells.start.take() {
            Some(start) if start_twice.is_none() => Some(start),
            _ => bell.unwrap_or(Some(None))?,
        };
        // An open step's own bells would need an end nobody knows in advance to time an
        // `end` bell or to bound `at` and `interval`; the session's interval plays in it.
        if let (Some(_), Some(span)) = (open, key_span(t, "bells"))
            && (bells.interval.is_some() || !bells.at.is_empty() || bells.end.is_some())
        {
            self.push(
                Diagnostic::error(
                    "an open step has no bells of its own but the one it starts with",
                    span,
                )
                .with_label("an open step lasts until you go on")
                .with_help("keep only `start` here (or `bell = …`); the session's `[bells] interval` sounds in an open step from its start, and cues with `every` keep coming while it lasts"),
            );
            // Said once: no warnings follow about when those bells would have struck.
            bells = Bells::default();
        }
        if let (Some(d), Some(Some(Some(b)))) = (open, breath) {
            self.open_step_breath(b, d.span(), get(t, "breath").map_or(d.span(), |v| v.span()));
        }
        if let (Some(_), Some(cues)) = (open, &cues) {
            for cue in cues {
                if let CueTime::Every(e) = cue.when
                    && e < OPEN_SHORTEST
                {
                    self.push(
                        Diagnostic::error(
                            "a cue in an open step comes at most once a second",
                            cue.span.clone(),
                        )
                        .with_label(format!("every {}", duration::format(e)))
                        .with_help("give it an interval of 1s or more"),
                    );
                }
            }
        }
        let (length, length_span) = length?;
        let breath = breath.unwrap_or(Some(None))?;
        if let (Some(true), None, Some(span)) = (tones, breath, key_span(t, "tones")) {
            self.push(
                Diagnostic::warning(
                    "breath tones need a breath pattern; this step has none",
                    span,
                )
                .with_help("add `breath = \"4-0-6-0\"`, or remove `tones`"),
            );
        }
        let principle = principle.unwrap_or(Some(None))?;
        let text = match (written.unwrap_or(Some(String::new()))?, principle) {
            (w, _) if !w.is_empty() => Some(Text::Written(w)),
            (_, Some(p)) => Some(Text::Principle(p)),
            _ => None,
        };
        let title = match title {
            Some(t) => t?,
            None => match (principle, breath) {
                (Some(p), _) => p.title.to_string(),
                (None, Some(_)) => "Breathe".to_string(),
                (None, None) => "Sit".to_string(),
            },
        };
        let speak_breath = speak_breath.unwrap_or(Some(false))?;
        let voice = voice.unwrap_or(Some(None))?;
        let paced = match (breath.is_some(), length == Length::Open) {
            (_, true) => Paced::Open,
            (true, false) => Paced::Yes,
            (false, false) => Paced::No,
        };
        self.speech_warnings(t, speak?, speak_breath, paced, session.lang);
        let mut step = Step {
            title,
            text,
            length,
            breath,
            tones: tones? && breath.is_some(),
            speak: speak?,
            speak_breath: speak_breath && breath.is_some(),
            voice,
            cues: Vec::new(),
            bell,
            bells,
            ambient: ambient.unwrap_or(Some(StepAmbient::Session))?,
            length_span,
        };
        self.step_length_warnings(&step);
        step.cues = cues?;
        Some(step)
    }

    /// Words that would never be heard: phase words without a breath pattern or in a
    /// language hara has none in, a recorded voice on a step that does not speak.
    fn speech_warnings(
        &mut self,
        t: &DeTable<'_>,
        speak: bool,
        speak_breath: bool,
        paced: Paced,
        lang: Option<&str>,
    ) {
        if let (true, Some(span)) = (speak_breath, key_span(t, "speak_breath")) {
            if paced == Paced::Open {
                self.push(
                    Diagnostic::warning("an open step's phases are not spoken", span)
                        .with_label("not in an open step")
                        .with_help(
                            "give the step a length for its phase words, or remove `speak_breath`",
                        ),
                );
            } else if paced == Paced::No {
                self.push(
                    Diagnostic::warning(
                        "phase words need a breath pattern; this step has none",
                        span,
                    )
                    .with_help("add `breath = \"4-0-6-0\"`, or remove `speak_breath`"),
                );
            } else if !words::has_words(lang) {
                let langs: Vec<&str> = words::languages().collect();
                self.push(
                    Diagnostic::warning(
                        format!(
                            "hara has no phase words in `{}`: this step's phases are not spoken",
                            text::clean_line(lang.unwrap_or_default())
                        ),
                        span,
                    )
                    .with_help(format!(
                        "hara has them in {}; write the words as cues, or remove `speak_breath`",
                        langs.join(", ")
                    )),
                );
            }
        }
        if let (false, Some(span)) = (speak, key_span(t, "voice")) {
            self.push(
                Diagnostic::warning(
                    "this step does not speak, so its voice is never heard",
                    span,
                )
                .with_help("add `speak = true` to the step (or at the top of the session)"),
            );
        }
    }

    /// An open step breathes one pattern, again and again: a ramp has no length to spread
    /// over, and a breath shorter than a second would be a flood of phases.
    fn open_step_breath(&mut self, breath: Breath, _open: Span, at: Span) {
        match breath {
            Breath::Ramp { .. } => self.push(
                Diagnostic::error("an open step cannot ramp from one pattern to another", at)
                    .with_label("a ramp")
                    .with_help("an open step has no length to spread a ramp over: give it one pattern, e.g. breath = \"4-0-6-0\", or give the step a length"),
            ),
            Breath::Steady(p) if p.cycle() < OPEN_SHORTEST => self.push(
                Diagnostic::error("a breath in an open step lasts at least a second", at)
                    .with_label(format!("one breath is {}", duration::format(p.cycle())))
                    .with_help("give it a slower pattern"),
            ),
            Breath::Steady(_) => {}
        }
    }

    pub(super) fn step_length_warnings(&mut self, step: &Step) {
        if let Some(Breath::Ramp { .. }) = step.breath
            && compile::step_breaths(step) == 1
        {
            self.push(
                Diagnostic::warning("a ramp over one breath never reaches `to`", step.length_span.clone())
                    .with_label("one breath")
                    .with_help("a single breath is breathed as `from`; give the step more breaths, or use one pattern"),
            );
        }
        let (Length::Time(d), Some(breath)) = (step.length, step.breath) else {
            return;
        };
        let first = match breath {
            Breath::Steady(p) | Breath::Ramp { from: p, .. } => p.cycle(),
        };
        if d < first {
            self.push(
                Diagnostic::warning("this step is shorter than one breath", step.length_span.clone())
                    .with_label(format!("one breath is {}", duration::format(first)))
                    .with_help("lengthen the step, or give it in breaths (`breaths = 1`); as written it is a quiet rest"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    #[test]
    fn a_step_has_a_length_in_time_or_breaths() {
        assert_eq!(
            findings(&with_step("duration = \"1m30s\"\n")),
            Vec::<String>::new()
        );
        assert_eq!(
            findings(&with_step("breaths = 6\nbreath = \"4-0-6-0\"\n")),
            Vec::<String>::new()
        );
        let f = findings(&with_step("text = \"no length\"\n"));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].contains("length"), "{f:#?}");
    }

    #[test]
    fn phase_words_need_a_pattern_and_words_in_the_session_s_language() {
        let ok = "breaths = 6\nbreath = \"4-0-6-0\"\nspeak_breath = true\n";
        assert_eq!(findings(&with_step(ok)), Vec::<String>::new());
        assert_eq!(
            findings(&with_step("duration = 5\nspeak_breath = true\n")),
            [
                "5:1 warning: phase words need a breath pattern; this step has none \
              [add `breath = \"4-0-6-0\"`, or remove `speak_breath`]"
            ]
        );
        let ja = format!("lang = \"ja\"\n{}", with_step(ok));
        assert_eq!(
            findings(&ja),
            [
                "7:1 warning: hara has no phase words in `ja`: this step's phases are not spoken \
              [hara has them in en, de, es, fr, it, nl, pt; write the words as cues, or remove `speak_breath`]"
            ]
        );
        let open = with_step("duration = \"open\"\nbreath = \"4-0-6-0\"\nspeak_breath = true\n");
        assert_eq!(
            findings(&open),
            ["6:1 warning: an open step's phases are not spoken \
              [give the step a length for its phase words, or remove `speak_breath`]"]
        );
        // Keys of format 1.1.
        let old = format!("format = 1\n{}", with_step(ok));
        assert_eq!(
            findings(&old),
            [
                "7:1 error: `speak_breath` on a step needs session format 1.1 \
              [this file says `format = 1`; write `format = 1.1` at its top]"
            ]
        );
        let f = findings(&format!(
            "format = 1\n{}",
            with_step("duration = 5\nvoice = \"a.ogg\"\n")
        ));
        assert!(
            f.iter()
                .any(|d| d.contains("`voice` on a step needs session format 1.1")),
            "{f:#?}"
        );
    }

    #[test]
    fn breaths_need_a_pattern_and_stay_in_range() {
        let f = findings(&with_step("breaths = 0\n"));
        assert!(!f.is_empty(), "{f:#?}");
        let f = findings(&with_step("breaths = 20000\nbreath = \"4-0-6-0\"\n"));
        assert!(f.iter().any(|d| d.contains("10000")), "{f:#?}");
    }

    #[test]
    fn a_group_needs_repeat_and_takes_no_step_keys_of_its_own() {
        let f = findings("title = \"T\"\n[[step]]\nduration = 5\n[[step.step]]\nduration = 5\n");
        assert!(
            f.iter()
                .any(|d| d.contains("a group of steps needs `repeat`")),
            "{f:#?}"
        );
        let f = findings(
            "title = \"T\"\n[[step]]\nrepeat = 2\nduration = 5\n[[step.step]]\nduration = 5\n",
        );
        assert!(
            f.iter()
                .any(|d| d.contains("a repeat group has no `duration` of its own")),
            "{f:#?}"
        );
    }

    #[test]
    fn groups_do_not_nest_without_end() {
        let mut source = String::from("title = \"T\"\n");
        let mut table = String::from("step");
        for _ in 0..10 {
            source += &format!("[[{table}]]\nrepeat = 2\n");
            table += ".step";
        }
        source += &format!("[[{table}]]\nduration = 5\n");
        let f = findings(&source);
        assert!(
            f.iter()
                .any(|d| d.contains("repeat groups nest more than 8 deep")),
            "{f:#?}"
        );
    }

    #[test]
    fn an_open_step_takes_a_start_bell_but_no_other_bells_of_its_own() {
        assert_eq!(
            findings(&with_step(
                "duration = \"open\"\nbells = { start = \"bell\" }\n"
            )),
            Vec::<String>::new()
        );
        for bells in [
            "{ end = \"bowl\" }",
            "{ at = [{ at = \"5m\" }] }",
            "{ interval = { every = \"3m..7m\" } }",
        ] {
            let f = findings(&with_step(&format!(
                "duration = \"open\"\nbells = {bells}\n"
            )));
            assert_eq!(
                f,
                [
                    "5:1 error: an open step has no bells of its own but the one it starts with [keep only `start` here (or `bell = …`); the session's `[bells] interval` sounds in an open step from its start, and cues with `every` keep coming while it lasts]"
                ],
                "{bells}"
            );
        }
    }

    #[test]
    fn open_anywhere_but_a_steps_duration_is_told_where_it_belongs() {
        let f = findings(&with_step(
            "duration = \"open\"\ncues = [{ every = \"open\", text = \"x\" }]\n",
        ));
        assert_eq!(
            f,
            [
                "5:19 error: \"open\" is not allowed here [give a length, e.g. \"5m\"; \"open\" is only a step's `duration`, for a step that lasts until you go on]"
            ]
        );
    }

    #[test]
    fn open_misspelt_is_told_what_was_meant() {
        let f = findings(&with_step("duration = \"opne\"\n"));
        assert_eq!(
            f,
            [
                "4:12 error: this is not a duration [did you mean \"open\"? (a step that lasts until you go on)]"
            ]
        );
        assert_eq!(
            findings(&with_step("duration = \"Open\"\n")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_misspelt_length_is_one_error_not_two() {
        let f = findings(&with_step("durration = \"30s\"\n"));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].contains("did you mean `duration`?"), "{f:#?}");
    }

    #[test]
    fn a_ramp_over_one_breath_is_a_warning() {
        let f = findings(&with_step(
            "breaths = 1\nbreath = { from = \"4-0-6-0\", to = \"4-0-8-0\" }\n",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].contains("warning: a ramp over one breath never reaches `to`"),
            "{f:#?}"
        );
    }

    #[test]
    fn a_step_has_bells_of_its_own_read_as_the_session_reads_its_own() {
        assert_eq!(
            findings(
                "title = \"T\"\n[bells]\nend = \"none\"\n[[step]]\nduration = \"10m\"\n\
                 bells = { interval = { every = \"1m..3m\" }, at = [{ at = \"5m\" }], end = \"bell\" }\n"
            ),
            Vec::<String>::new()
        );
        // The same checker: a sound misspelt, a bell past the step's end (a step of breaths
        // is as long as its breaths), a key bells do not take.
        let f = findings(&with_step(
            "breaths = 6\nbreath = \"4-0-6-0\"\nbells = { end = \"bwol\", at = [{ at = \"1m30s\" }], when = 1 }\n",
        ));
        assert_eq!(f.len(), 3, "{f:#?}");
        assert!(f[0].contains("did you mean `bowl`?"), "{f:#?}");
        assert!(
            f[1].contains("this bell comes after the step ends [the step is 1m long"),
            "{f:#?}"
        );
        assert!(
            f[2].contains("unknown key `when` in a step's bells"),
            "{f:#?}"
        );
    }

    #[test]
    fn bell_and_bells_start_are_one_bell_given_once() {
        let source = with_step("duration = \"5m\"\nbells = { start = \"bell\" }\n");
        assert_eq!(findings(&source), Vec::<String>::new());
        let checked = crate::session::check_str(&source, &super::super::InstrumentsOnly);
        let session = checked.session.unwrap().0;
        let crate::session::format::Item::Step(step) = &session.items[0] else {
            panic!()
        };
        assert_eq!(step.bell.as_ref().unwrap().sound.to_string(), "bell");
        assert!(step.bells.start.is_none());
        let f = findings(&with_step(
            "duration = \"5m\"\nbell = \"bowl\"\nbells = { start = \"bell\" }\n",
        ));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].starts_with("6:11 error: this step's start bell is given twice"),
            "{f:#?}"
        );
    }

    #[test]
    fn step_bells_need_format_1_1_and_a_repeat_group_has_none() {
        let f = findings(
            "format = 1\ntitle = \"T\"\n[[step]]\nduration = \"5m\"\nbells = { at = [{ at = \"1m\" }] }\n",
        );
        assert_eq!(
            f,
            [
                "5:1 error: a step's own `bells` needs session format 1.1 [this file says `format = 1`; write `format = 1.1` at its top]"
            ]
        );
        let f = findings(
            "title = \"T\"\n[[step]]\nrepeat = 2\nbells = { end = \"bowl\" }\n[[step.step]]\nduration = 5\n",
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].contains("a repeat group has no `bells` of its own"),
            "{f:#?}"
        );
    }
}
