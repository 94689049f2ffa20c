//! `[bells]` and the bells inside it: start, end, interval, at an offset; sounds by name or file.

use super::*;

const MAX_STRIKES: i64 = 20;
const MAX_GAP: Duration = Duration::from_secs(60);
const SOUND_EXTENSIONS: [&str; 3] = ["wav", "ogg", "oga"];
const BELLS_KEYS: &[&str] = &["start", "end", "interval", "at"];
const BELL_KEYS: &[&str] = &["sound", "strikes", "gap", "volume"];
const INTERVAL_KEYS: &[&str] = &["every", "sound", "strikes", "gap", "volume"];
const TIMED_BELL_KEYS: &[&str] = &["at", "sound", "strikes", "gap", "volume"];

/// Whose bells a `bells` table holds: they read the same, but only the session's sound a
/// bowl at its start and end unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BellsOf {
    /// `[bells]`, timed from the opening bell.
    Session,
    /// A step's `bells = { … }` (format 1.1), timed from the step's start.
    Step,
}

impl Checker<'_> {
    pub(super) fn bells(&mut self, v: &Value<'_>, of: BellsOf) -> Option<Bells> {
        let (what, defaults) = match of {
            BellsOf::Session => ("[bells]", Bells::defaults()),
            BellsOf::Step => ("a step's bells", Bells::default()),
        };
        let t = self.table(v, what, BELLS_KEYS)?;
        let start = match get(t, "start") {
            Some(v) => self.bell(v),
            None => Some(defaults.start),
        };
        let end = match get(t, "end") {
            Some(v) => self.bell(v),
            None => Some(defaults.end),
        };
        let interval = get(t, "interval").map(|v| self.interval_bell(v));
        let at = get(t, "at").map(|v| self.timed_bells(v));
        Some(Bells {
            start: start?,
            end: end?,
            interval: interval.unwrap_or(Some(None))?,
            at: at.unwrap_or(Some(Vec::new()))?,
            end_span: key_span(t, "end"),
        })
    }

    /// A bell given as a sound name, `"none"`/`false`, or a table. `Some(None)` is "no bell".
    pub(super) fn bell(&mut self, v: &Value<'_>) -> Option<Option<Bell>> {
        match v.get_ref() {
            DeValue::Boolean(false) => Some(None),
            DeValue::Boolean(true) => Some(Some(Bell::default())),
            DeValue::String(s) if s.as_ref() == "none" => Some(None),
            DeValue::String(_) => Some(self.sound(v).map(|sound| Bell {
                sound,
                ..Bell::default()
            })),
            DeValue::Table(t) => {
                self.known_keys(t, BELL_KEYS, "a bell");
                self.bell_fields(t).map(Some)
            }
            _ => {
                self.wrong_type(
                    v,
                    "a sound name or a table",
                    "write a bell as \"bowl\", \"none\", or { sound = \"bowl\", strikes = 3, gap = \"2.5s\", volume = 0.8 }",
                );
                None
            }
        }
    }

    /// sound, strikes, gap, volume; each optional.
    pub(super) fn bell_fields(&mut self, t: &DeTable<'_>) -> Option<Bell> {
        let d = Bell::default();
        let sound = get(t, "sound").map_or(Some(d.sound.clone()), |v| self.sound(v));
        let strikes =
            get(t, "strikes").map_or(Some(1), |v| self.integer(v, 1..=MAX_STRIKES, "strikes"));
        let gap = match get(t, "gap") {
            Some(v) => self
                .positive_duration(v, "the gap between strikes")
                .and_then(|g| {
                    if g > MAX_GAP {
                        self.error(
                            "the gap between strikes is over a minute",
                            v.span(),
                            "use a gap of a few seconds, e.g. \"2.5s\"",
                        );
                        None
                    } else {
                        Some(g)
                    }
                }),
            None => Some(d.gap),
        };
        let volume = get(t, "volume").map_or(Some(d.volume), |v| self.volume(v));
        Some(Bell {
            sound: sound?,
            strikes: u32::try_from(strikes?).ok()?,
            gap: gap?,
            volume: volume?,
        })
    }

    pub(super) fn interval_bell(&mut self, v: &Value<'_>) -> Option<Option<IntervalBell>> {
        let t = self.table(v, "an interval bell", INTERVAL_KEYS)?;
        let every_span = get(t, "every").map_or(v.span(), |e| e.span());
        let every = match get(t, "every") {
            Some(v) => self.every(v),
            None => {
                self.error(
                    "an interval bell needs `every`",
                    v.span(),
                    "write interval = { every = \"5m\", sound = \"bell\" }",
                );
                None
            }
        };
        let bell = self.bell_fields(t);
        Some(Some(IntervalBell {
            every: every?,
            every_span,
            bell: bell?,
        }))
    }

    /// An interval's `every`: one length, or a range such as `"3m..7m"` (format 1.1) from
    /// which each gap is drawn.
    fn every(&mut self, v: &Value<'_>) -> Option<Every> {
        let range = match v.get_ref() {
            DeValue::String(s) => s.split_once("..").map(|(a, b)| (s.as_ref(), a, b)),
            _ => None,
        };
        let Some((whole, low, high)) = range else {
            return self.positive_duration(v, "the interval").map(Every::Fixed);
        };
        self.needs(
            FormatVersion::V1_1,
            "bells at random (a range in `every`)",
            v.span(),
        );
        let malformed = low.trim().is_empty()
            || high.trim().is_empty()
            || low.trim_end().ends_with('.')
            || high.trim_start().starts_with('.')
            || high.contains("..");
        if malformed {
            self.push(
                Diagnostic::error(format!("`{}` is not a range of lengths", text::clean_line(whole)), v.span())
                    .with_label("expected SHORTEST..LONGEST")
                    .with_help("write the shortest and the longest gap with two dots between, e.g. every = \"3m..7m\""),
            );
            return None;
        }
        // Each end is read as any length is, and a mistake points into the string.
        let offset = low.len() + 2;
        let end = |this: &mut Self, text: &str, at: usize| match duration::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                let lead = text.len() - text.trim_start().len();
                let span = this.inner_span(v, whole, at + lead + e.at.start..at + lead + e.at.end);
                let help = match &e.meant {
                    Some(meant) => format!("write \"{meant}\""),
                    None if e.message == "this number has no unit" => format!(
                        "inside quotes each end needs a unit: \"{}s\" for seconds, \"{}m\" for minutes",
                        text.trim(),
                        text.trim()
                    ),
                    None => "write each end as a length, e.g. \"3m..7m\" or \"90s..2m30s\"".into(),
                };
                this.push(
                    Diagnostic::error(format!("invalid length in the range: {}", e.message), span)
                        .with_help(help),
                );
                None
            }
        };
        let shortest = end(self, low, 0);
        let longest = end(self, high, offset);
        let (shortest, longest) = (shortest?, longest?);
        if shortest.is_zero() {
            let span = self.inner_span(v, whole, 0..low.len());
            self.push(
                Diagnostic::error("the shortest gap must be longer than zero", span)
                    .with_label("zero")
                    .with_help(format!(
                        "bells need time between them: start the range above zero, e.g. \"1m..{}\"",
                        duration::format(longest.max(Duration::from_secs(120)))
                    )),
            );
            return None;
        }
        if shortest > longest {
            self.push(
                Diagnostic::error(
                    format!(
                        "this range runs backwards: {} is longer than {}",
                        duration::format(shortest),
                        duration::format(longest)
                    ),
                    v.span(),
                )
                .with_label("the shortest gap comes first")
                .with_help(format!(
                    "write every = \"{}..{}\"",
                    duration::format(longest),
                    duration::format(shortest)
                )),
            );
            return None;
        }
        if shortest == longest {
            self.push(
                Diagnostic::warning(
                    format!(
                        "both ends of the range are {}: the bells come at a fixed interval",
                        duration::format(shortest)
                    ),
                    v.span(),
                )
                .with_help(format!(
                    "write every = \"{}\", or widen the range for bells at random",
                    duration::format(shortest)
                )),
            );
            return Some(Every::Fixed(shortest));
        }
        Some(Every::Between { shortest, longest })
    }

    pub(super) fn timed_bells(&mut self, v: &Value<'_>) -> Option<Vec<TimedBell>> {
        let items = self.array(
            v,
            "write bells at offsets as [[bells.at]] tables with `at = \"10m\"`",
        )?;
        let mut out = Some(Vec::new());
        for item in items {
            let bell = self
                .table(item, "a bell at an offset", TIMED_BELL_KEYS)
                .and_then(|t| {
                    let at = match get(t, "at") {
                        Some(a) => self.duration(a).map(|d| (d, a.span())),
                        None => {
                            self.error("this bell needs `at`", item.span(), "write at = \"10m\"");
                            None
                        }
                    };
                    let bell = self.bell_fields(t);
                    let (at, at_span) = at?;
                    Some(TimedBell {
                        at,
                        at_span,
                        bell: bell?,
                    })
                });
            match (bell, &mut out) {
                (Some(b), Some(list)) => list.push(b),
                _ => out = None,
            }
        }
        out
    }

    pub(super) fn sound(&mut self, v: &Value<'_>) -> Option<Sound> {
        let name = self.nonempty_string(v, "the sound")?;
        if let Some(i) = Instrument::from_name(&name) {
            return Some(Sound::Instrument(i));
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let is_path = name.contains('/') || name.contains('\\') || ext.is_some();
        if is_path {
            if !ext
                .as_deref()
                .is_some_and(|e| SOUND_EXTENSIONS.contains(&e))
            {
                self.error(
                    format!("`{name}` is not a sound file hara can play"),
                    v.span(),
                    "hara plays WAV (.wav) and Ogg Vorbis (.ogg) files",
                );
                return None;
            }
            if let Some(path) = self.sounds.resolve(&name) {
                return self.playable(v, &name, path);
            }
            let help = if self.sounds.has_session_dir() {
                "paths are relative to the session file's folder"
            } else {
                "a built-in session can only use the built-in instruments: bowl, bell, wood"
            };
            self.push(
                Diagnostic::error(format!("no sound file at `{name}`"), v.span())
                    .with_label("not found")
                    .with_help(help),
            );
            return None;
        }
        if let Some(path) = self.sounds.resolve(&name) {
            return self.playable(v, &name, path);
        }
        if crate::bundled::sound(&name).is_some() {
            return Some(Sound::Bundled(name));
        }
        let mut known: Vec<String> = Instrument::ALL
            .iter()
            .map(|i| i.name().to_string())
            .collect();
        known.extend(self.sounds.names());
        known.extend(crate::bundled::SOUNDS.iter().map(|(n, _)| n.to_string()));
        let help = match did_you_mean(&name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the sounds are: {}, \"none\", or a path to a .wav or .ogg file",
                known.join(", ")
            ),
        };
        self.push(
            Diagnostic::error(format!("unknown sound `{name}`"), v.span())
                .with_label("no instrument or sound file of this name")
                .with_help(help),
        );
        None
    }

    /// A found sound file, if it decodes; an error pointing at its name if not.
    pub(super) fn playable(&mut self, v: &Value<'_>, name: &str, path: PathBuf) -> Option<Sound> {
        match self.sounds.unplayable(&path) {
            None => Some(Sound::File(path)),
            Some(why) => {
                self.push(
                    Diagnostic::error(format!("cannot play `{name}`: {why}"), v.span())
                        .with_help("hara plays WAV (.wav) and Ogg Vorbis (.ogg) files; export the sound again in one of them"),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::findings;

    fn bells(table: &str) -> Vec<String> {
        findings(&format!(
            "title = \"T\"\n[bells]\n{table}[[step]]\nduration = \"5m\"\n"
        ))
    }

    #[test]
    fn a_well_formed_bells_table_passes() {
        assert_eq!(
            bells(
                "start = \"bowl\"\nend = { sound = \"bell\", strikes = 3, gap = \"2s\" }\ninterval = { every = \"1m\", volume = 0.5 }\n"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            bells("start = \"none\"\nend = \"none\"\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn strikes_gap_and_sounds_are_bounded_and_named() {
        let f = bells("start = { sound = \"bowel\", strikes = 50, gap = \"2m\" }\n");
        assert_eq!(f.len(), 3, "{f:#?}");
        assert!(
            f.iter().any(|d| d.contains("did you mean `bowl`")),
            "{f:#?}"
        );
        assert!(f.iter().any(|d| d.contains("strikes")), "{f:#?}");
        assert!(
            f.iter()
                .any(|d| d.contains("the gap between strikes is over a minute")),
            "{f:#?}"
        );
    }

    #[test]
    fn an_interval_bell_needs_every_and_a_timed_bell_needs_at() {
        let f = bells("interval = { sound = \"wood\" }\nat = [{ sound = \"bell\" }]\n");
        assert!(
            f.iter()
                .any(|d| d.contains("an interval bell needs `every`")),
            "{f:#?}"
        );
        assert!(
            f.iter().any(|d| d.contains("this bell needs `at`")),
            "{f:#?}"
        );
    }

    #[test]
    fn a_missing_sound_file_is_reported_where_it_is_named() {
        let f = bells("end = \"chimes/gone.wav\"\n");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].starts_with("3:7 error:"), "{f:#?}");
    }

    fn interval(every: &str) -> Vec<String> {
        bells(&format!("interval = {{ every = \"{every}\" }}\n"))
    }

    #[test]
    fn a_range_in_every_draws_at_random_and_is_checked_end_by_end() {
        assert_eq!(interval("3m..7m"), Vec::<String>::new());
        assert_eq!(interval("90s..2m30s"), Vec::<String>::new());
        assert_eq!(
            interval("7m..3m"),
            [
                "3:22 error: this range runs backwards: 7m is longer than 3m [write every = \"3m..7m\"]"
            ]
        );
        assert_eq!(
            interval("0s..2m"),
            [
                "3:23 error: the shortest gap must be longer than zero [bells need time between them: start the range above zero, e.g. \"1m..2m\"]"
            ]
        );
        for malformed in ["3m..", "..7m", "3m...7m", "3m..5m..7m", ".."] {
            let f = interval(malformed);
            assert_eq!(f.len(), 1, "{malformed}: {f:#?}");
            assert!(f[0].starts_with("3:22 error: `"), "{malformed}: {f:#?}");
            assert!(
                f[0].contains("is not a range of lengths"),
                "{malformed}: {f:#?}"
            );
        }
        // A mistake in one end points at it, inside the string.
        assert_eq!(
            interval("3m..7q"),
            [
                "3:28 error: invalid length in the range: unknown unit `q` [write each end as a length, e.g. \"3m..7m\" or \"90s..2m30s\"]"
            ]
        );
        let f = interval("90..2m");
        assert_eq!(
            f,
            [
                "3:23 error: invalid length in the range: this number has no unit [inside quotes each end needs a unit: \"90s\" for seconds, \"90m\" for minutes]"
            ]
        );
        let f = interval("5m..5m");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].starts_with("3:22 warning: both ends of the range are 5m"),
            "{f:#?}"
        );
    }

    #[test]
    fn a_range_where_one_length_is_needed_is_an_error_saying_where_ranges_go() {
        let f = bells(
            "at = [{ at = \"1m..2m\" }]\nend = { sound = \"bowl\", strikes = 2, gap = \"1s..2s\" }\n",
        );
        assert_eq!(f.len(), 2, "{f:#?}");
        for d in &f {
            assert!(
                d.contains("error: a range of lengths is not allowed here"),
                "{f:#?}"
            );
            assert!(d.contains("only for an interval bell's `every`"), "{f:#?}");
        }
    }

    #[test]
    fn a_file_of_format_1_may_not_draw_at_random() {
        let f = findings(
            "format = 1\ntitle = \"T\"\n[bells]\ninterval = { every = \"3m..7m\" }\n[[step]]\nduration = \"5m\"\n",
        );
        assert_eq!(
            f,
            [
                "4:22 error: bells at random (a range in `every`) needs session format 1.1 [this file says `format = 1`; write `format = 1.1` at its top]"
            ]
        );
    }
}
