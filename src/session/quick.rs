//! Quick sessions: `hara sit 20m` and `hara breathe 4-7-8 5m` written out as the text of an
//! ordinary session file, which then goes through the same checker and compiler as any other.
//! Each value written keeps the words the person typed, so a problem the checker finds is
//! reported in terms of the command line, not of a file they never saw.

use std::fmt::Write as _;
use std::ops::Range;
use std::time::Duration;

use super::check::SoundFiles;
use super::duration::format;
use super::format::{Every, Session};
use crate::diag::Diagnostic;
use crate::timeline::Timeline;

/// A sit: a bowl, the time, a bowl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sit {
    pub length: SitLength,
    /// Interval bells: every so long, or at random within a range.
    pub every: Option<Every>,
    /// Bells at offsets from the start.
    pub bells: Vec<Duration>,
    pub prepare: Duration,
}

/// How long a sit lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitLength {
    Time(Duration),
    /// `hara sit --open`: a stopwatch, until the person presses Enter (an open step).
    Open,
}

/// How long a breathing session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Time(Duration),
    Breaths(u32),
}

/// One breath pattern (or a ramp to another) for a time or a number of breaths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breathe {
    pub pattern: String,
    pub to: Option<String>,
    pub length: Length,
    pub tones: bool,
    pub prepare: Duration,
}

/// The countdown a quick session has unless told otherwise.
pub const PREPARE: Duration = Duration::from_secs(5);

/// The text of a session file, with the words typed for each value in it.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub text: String,
    /// `(bytes of a value in text, the words typed for it)`.
    origins: Vec<(Range<usize>, String)>,
}

/// A problem with what was typed: an error or a warning, as words for a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub error: bool,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.error { "error" } else { "warning" };
        write!(f, "{what}: {}", self.message)
    }
}

impl Written {
    fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// `key = value`, where the value came from `typed`.
    fn value(&mut self, key: &str, value: &str, typed: &str) {
        self.text.push_str(key);
        self.text.push_str(" = ");
        self.typed(value, typed);
        self.text.push('\n');
    }

    /// A value within a line, recorded as coming from `typed`.
    fn typed(&mut self, value: &str, typed: &str) {
        let start = self.text.len();
        self.text.push_str(value);
        self.origins
            .push((start..self.text.len(), typed.to_string()));
    }

    /// Checks the text as a session file called `name` and compiles it.
    pub fn check(
        &self,
        name: &str,
        sounds: &dyn SoundFiles,
    ) -> (Option<(Session, Timeline)>, Vec<Problem>) {
        let checked = super::check_file(self.text.as_bytes(), Some(name), sounds);
        let problems = checked
            .diagnostics
            .iter()
            .map(|d| self.problem(d))
            .collect();
        (checked.session, problems)
    }

    /// A diagnostic about the text, told of the words typed that made the value at fault.
    fn problem(&self, d: &Diagnostic) -> Problem {
        let typed = d.span.as_ref().and_then(|span| {
            self.origins
                .iter()
                .find(|(at, _)| at.start < span.end.max(span.start + 1) && span.start < at.end)
                .map(|(_, typed)| typed.as_str())
        });
        let mut message = match typed {
            Some(typed) => format!("`{typed}`: {}", d.message),
            None => d.message.clone(),
        };
        if let Some(help) = &d.help {
            let _ = write!(message, "\n  help: {help}");
        }
        Problem {
            error: d.is_error(),
            message,
        }
    }
}

/// A TOML string holding `text`.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn header(out: &mut Written, command: &str, title: &str, prepare: Duration) {
    out.line(&format!("# A quick session, written by `{command}`."));
    out.line("# Run it with `hara run NAME` (NAME is this file's name); change anything here,");
    out.line("# and `hara check` this file. docs/session-format.md describes every key.");
    out.line("format = 1.1");
    out.line(&format!("title = {}", quoted(title)));
    out.line("# A quiet countdown before the opening bell: time to settle.");
    out.value(
        "prepare",
        &quoted(&format(prepare)),
        &format!("--prepare {}", format(prepare)),
    );
}

impl Sit {
    /// The words that ask for this sit: `hara sit 20m --every 5m`.
    pub fn command(&self) -> String {
        let mut c = match self.length {
            SitLength::Time(d) => format!("hara sit {}", format(d)),
            SitLength::Open => "hara sit --open".to_string(),
        };
        if let Some(every) = self.every {
            let _ = write!(c, " --every {every}");
        }
        if !self.bells.is_empty() {
            let _ = write!(c, " --bells {}", offsets(&self.bells));
        }
        if self.prepare != PREPARE {
            let _ = write!(c, " --prepare {}", format(self.prepare));
        }
        c
    }

    pub fn title(&self) -> String {
        match self.length {
            SitLength::Time(d) => format!("Sit {}", format(d)),
            SitLength::Open => "Open sit".to_string(),
        }
    }

    /// A problem the checker would not see as one, told in the words typed: an interval no
    /// bell would ever sound at.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = match (self.length, &self.bells[..]) {
            (SitLength::Open, [first, ..]) => vec![Problem {
                error: true,
                message: format!(
                    "`--bells {}`: an open sit has no length for bells at set times\n  help: use \
                     --every for bells while it lasts, or give the sit a length instead of --open",
                    format(*first)
                ),
            }],
            _ => Vec::new(),
        };
        let SitLength::Time(length) = self.length else {
            return problems;
        };
        problems.extend(match self.every {
            Some(every) if every.shortest() >= length => vec![Problem {
                error: true,
                message: format!(
                    "`--every {every}` is {} the sit ({}), so no interval bell would sound\n  help: \
                     give a shorter interval, or leave out --every",
                    if every.shortest() == length {
                        "as long as"
                    } else {
                        "longer than"
                    },
                    format(length)
                ),
            }],
            _ => Vec::new(),
        });
        problems
    }

    pub fn write(&self) -> Written {
        let mut out = Written::default();
        header(&mut out, &self.command(), &self.title(), self.prepare);
        out.line("");
        out.line("# A bowl as the sit starts and another as it ends.");
        out.line("[bells]");
        out.line("start = \"bowl\"");
        out.line("end = \"bowl\"");
        if let Some(every) = self.every {
            out.line(match every {
                Every::Fixed(_) => {
                    "# A lighter bell at every multiple of `every` after the start, up to the end."
                }
                Every::Between { .. } => {
                    "# A lighter bell at random: each gap drawn from the range (format 1.1)."
                }
            });
            out.text.push_str("interval = { every = ");
            out.typed(&quoted(&every.to_string()), &format!("--every {every}"));
            out.line(", sound = \"bell\", volume = 0.6 }");
        }
        if !self.bells.is_empty() && self.length != SitLength::Open {
            out.line("# Bells at these times from the start.");
            out.text.push_str("at = [");
            for (i, at) in self.bells.iter().enumerate() {
                if i > 0 {
                    out.text.push_str(", ");
                }
                out.text.push_str("{ at = ");
                out.typed(&quoted(&format(*at)), &format!("--bells {}", format(*at)));
                out.text.push_str(", sound = \"bell\" }");
            }
            out.line("]");
        }
        out.line("");
        match self.length {
            SitLength::Time(length) => {
                out.line(
                    "# One step without a breath pattern: a silent sit, time only, breathe freely.",
                );
                out.line("[[step]]");
                out.line("title = \"Sit\"");
                out.value("duration", &quoted(&format(length)), &format(length));
            }
            SitLength::Open => {
                out.line(
                    "# One open step (format 1.1): it lasts until you press Enter (or → in the",
                );
                out.line("# full-screen view); the time it took goes into your journal.");
                out.line("[[step]]");
                out.line("title = \"Sit\"");
                out.value("duration", "\"open\"", "--open");
            }
        }
        out
    }
}

fn offsets(bells: &[Duration]) -> String {
    bells
        .iter()
        .map(|d| format(*d))
        .collect::<Vec<_>>()
        .join(",")
}

impl Breathe {
    pub fn command(&self) -> String {
        let mut c = format!("hara breathe {}", self.pattern);
        match self.length {
            Length::Time(d) => {
                let _ = write!(c, " {}", format(d));
            }
            Length::Breaths(n) => {
                let _ = write!(c, " --breaths {n}");
            }
        }
        if let Some(to) = &self.to {
            let _ = write!(c, " --to {to}");
        }
        if self.tones {
            c.push_str(" --tones");
        }
        if self.prepare != PREPARE {
            let _ = write!(c, " --prepare {}", format(self.prepare));
        }
        c
    }

    pub fn title(&self) -> String {
        match &self.to {
            Some(to) => format!("Breathe {} to {}", self.pattern, to),
            None => format!("Breathe {}", self.pattern),
        }
    }

    pub fn write(&self) -> Written {
        let mut out = Written::default();
        header(&mut out, &self.command(), &self.title(), self.prepare);
        if self.tones {
            out.line("# Soft tones rising with the inhale and falling with the exhale.");
            out.line("tones = true");
        }
        out.line("");
        out.line("# Without [bells], a bowl sounds as the session starts and as it ends.");
        out.line("");
        out.line("[[step]]");
        out.line("title = \"Breathe\"");
        out.line("# Seconds of inhale, hold, exhale and rest (\"4-7-8\" has no rest).");
        match &self.to {
            None => out.value("breath", &quoted(&self.pattern), &self.pattern),
            Some(to) => {
                out.line("# A ramp: from the first pattern on the first breath to the second");
                out.line("# on the last, a little more each breath.");
                out.text.push_str("breath = { from = ");
                out.typed(&quoted(&self.pattern), &self.pattern);
                out.text.push_str(", to = ");
                out.typed(&quoted(to), &format!("--to {to}"));
                out.line(" }");
            }
        }
        match self.length {
            Length::Time(d) => {
                out.line("# As many whole breaths as fit; the last one's rest takes up the rest.");
                out.value("duration", &quoted(&format(d)), &format(d));
            }
            Length::Breaths(n) => {
                out.value("breaths", &n.to_string(), &format!("--breaths {n}"));
            }
        }
        out
    }
}

/// A quick session of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quick {
    Sit(Sit),
    Breathe(Breathe),
}

/// What the picker's quick line takes, for its hint.
pub const EXAMPLES: &str = "20m · 20m every 5m (or 3m..7m) · open · 4-7-8 5m (or 12 breaths)";

impl Quick {
    pub fn write(&self) -> Written {
        match self {
            Quick::Sit(s) => s.write(),
            Quick::Breathe(b) => b.write(),
        }
    }

    pub fn command(&self) -> String {
        match self {
            Quick::Sit(s) => s.command(),
            Quick::Breathe(b) => b.command(),
        }
    }

    /// The session and its timeline, or the first problem with what was typed.
    pub fn check(&self) -> Result<(Session, Timeline), Problem> {
        let mut problems = match self {
            Quick::Sit(s) => s.problems(),
            Quick::Breathe(_) => Vec::new(),
        };
        let name = match self {
            Quick::Sit(_) => "sit",
            Quick::Breathe(_) => "breathe",
        };
        let (session, found) = self.write().check(name, &super::check::InstrumentsOnly);
        problems.extend(found);
        match (problems.into_iter().find(|p| p.error), session) {
            (None, Some(session)) => Ok(session),
            (Some(p), _) => Err(p),
            (None, None) => Err(Problem {
                error: true,
                message: "this is not a session hara can run".into(),
            }),
        }
    }

    /// Reads a quick session as typed in the picker: `20m`, `20m every 5m`, `4-7-8 5m` or
    /// `4-7-8 12 breaths`. The error says what to write instead.
    pub fn parse(line: &str) -> Result<Quick, String> {
        let line = line.trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else {
            return Err(format!("type a quick session: {EXAMPLES}"));
        };
        if first.contains(['-', '+']) {
            let pattern = first.to_string();
            let length = match &words[1..] {
                [] => {
                    return Err(format!(
                        "how long? e.g. `{pattern} 5m` or `{pattern} 12 breaths`"
                    ));
                }
                [n, "breaths" | "breath"] => Length::Breaths(n.parse().map_err(|_| {
                    format!("`{n}` is not a number of breaths; write e.g. 12 breaths")
                })?),
                rest => Length::Time(length(&rest.join(" "))?),
            };
            return Ok(Quick::Breathe(Breathe {
                pattern,
                to: None,
                length,
                tones: false,
                prepare: PREPARE,
            }));
        }
        let (sit, every) = match line.split_once(" every ") {
            Some((sit, interval)) => (sit, Some(every(interval)?)),
            None => (line, None),
        };
        Ok(Quick::Sit(Sit {
            length: match sit.trim() {
                "open" => SitLength::Open,
                sit => SitLength::Time(length(sit)?),
            },
            every,
            bells: Vec::new(),
            prepare: PREPARE,
        }))
    }
}

/// A length typed in the quick line, as on the command line, the words at fault named.
fn length(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    super::duration::parse_length(text).map_err(|e| named(text, e))
}

/// `every` in the quick line: a length or a range of them.
fn every(text: &str) -> Result<Every, String> {
    let text = text.trim();
    super::duration::parse_every(text).map_err(|e| named(text, e))
}

fn named(text: &str, error: String) -> String {
    if error.starts_with('`') {
        error
    } else {
        format!("`{text}`: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;

    const M: u64 = 60;

    fn sit(minutes: u64) -> Sit {
        Sit {
            length: SitLength::Time(Duration::from_secs(minutes * M)),
            every: None,
            bells: Vec::new(),
            prepare: PREPARE,
        }
    }

    fn breathe(pattern: &str, length: Length) -> Breathe {
        Breathe {
            pattern: pattern.into(),
            to: None,
            length,
            tones: false,
            prepare: PREPARE,
        }
    }

    #[test]
    fn a_sit_is_a_bowl_the_time_and_a_bowl() {
        let mut s = sit(20);
        s.every = Some(Every::Fixed(Duration::from_secs(5 * M)));
        s.bells = vec![Duration::from_secs(7 * M)];
        let (session, problems) = s.write().check("sit", &InstrumentsOnly);
        assert_eq!(problems, vec![]);
        let (session, timeline) = session.unwrap();
        assert_eq!(session.title, "Sit 20m");
        assert_eq!(session.prepare, PREPARE);
        assert_eq!(timeline.total, Duration::from_secs(20 * M));
        assert_eq!(s.command(), "hara sit 20m --every 5m --bells 7m");
    }

    #[test]
    fn an_interval_as_long_as_the_sit_is_refused_in_the_words_typed() {
        let mut s = sit(20);
        s.every = Some(Every::Fixed(Duration::from_secs(30 * M)));
        let p = s.problems();
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message
                .starts_with("`--every 30m` is longer than the sit (20m)"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn a_bell_past_the_end_is_reported_as_the_option_typed() {
        let mut s = sit(20);
        s.bells = vec![Duration::from_secs(25 * M)];
        let (session, problems) = s.write().check("sit", &InstrumentsOnly);
        assert!(session.is_none());
        assert!(problems[0].error);
        assert!(
            problems[0].message.starts_with("`--bells 25m`: "),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn a_pattern_breathes_for_a_time_or_a_number_of_breaths() {
        let b = breathe("4-7-8", Length::Breaths(12));
        let (session, problems) = b.write().check("breathe", &InstrumentsOnly);
        assert_eq!(problems, vec![]);
        let (_, timeline) = session.unwrap();
        // Twelve breaths of 19 s.
        assert_eq!(timeline.total, Duration::from_secs(12 * 19));

        let mut b = breathe("4-0-6-0", Length::Time(Duration::from_secs(5 * M)));
        b.to = Some("4-0-8-0".into());
        b.tones = true;
        let (session, problems) = b.write().check("breathe", &InstrumentsOnly);
        assert_eq!(problems, vec![]);
        assert!(session.is_some());
    }

    #[test]
    fn a_bad_pattern_is_reported_as_typed() {
        let mut b = breathe("4-7-8", Length::Breaths(3));
        b.to = Some("4-x".into());
        let (session, problems) = b.write().check("breathe", &InstrumentsOnly);
        assert!(session.is_none());
        assert!(
            problems
                .iter()
                .any(|p| p.error && p.message.starts_with("`--to 4-x`: ")),
            "{problems:?}"
        );
    }

    #[test]
    fn the_quick_line_reads_sits_and_breathing() {
        let twenty = Duration::from_secs(20 * M);
        assert_eq!(Quick::parse(" 20m "), Ok(Quick::Sit(sit(20))));
        let mut every = sit(20);
        every.every = Some(Every::Fixed(Duration::from_secs(5 * M)));
        assert_eq!(Quick::parse("20m every 5m"), Ok(Quick::Sit(every)));
        assert_eq!(
            Quick::parse("4-7-8 5m"),
            Ok(Quick::Breathe(breathe(
                "4-7-8",
                Length::Time(Duration::from_secs(5 * M))
            )))
        );
        assert_eq!(
            Quick::parse("4-7-8 12 breaths"),
            Ok(Quick::Breathe(breathe("4-7-8", Length::Breaths(12))))
        );
        assert_eq!(
            Quick::parse("1h").unwrap().check().unwrap().1.total,
            3 * twenty
        );
    }

    #[test]
    fn the_quick_line_takes_bells_at_random_and_an_open_sit() {
        let Ok(Quick::Sit(random)) = Quick::parse("20m every 3m..7m") else {
            panic!("a sit with bells at random")
        };
        assert_eq!(
            random.every,
            Some(Every::Between {
                shortest: Duration::from_secs(3 * M),
                longest: Duration::from_secs(7 * M)
            })
        );
        assert_eq!(random.command(), "hara sit 20m --every 3m..7m");
        let (_, timeline) = Quick::Sit(random).check().unwrap();
        assert!(timeline.seed.is_some(), "drawn from a seed");
        let Ok(Quick::Sit(open)) = Quick::parse("open every 5m") else {
            panic!("an open sit")
        };
        assert_eq!(open.length, SitLength::Open);
        assert_eq!(open.command(), "hara sit --open --every 5m");
        assert!(Quick::Sit(open).check().unwrap().1.has_open());
        assert_eq!(
            Quick::parse("20m every 7m..3m")
                .unwrap()
                .check()
                .unwrap_err()
                .message,
            "`--every 7m..3m`: this range runs backwards: 7m is longer than 3m\n  help: write every = \"3m..7m\""
        );
        assert_eq!(
            Quick::parse("20m every 3..7m"),
            Err(
                "`3..7m`: the shortest gap: `3` needs a unit: 3m for minutes, 3s for seconds"
                    .into()
            )
        );
    }

    #[test]
    fn the_quick_line_says_what_to_write_instead() {
        assert_eq!(
            Quick::parse("20 minutes"),
            Err("`20 minutes`: write it as 20m".into())
        );
        assert_eq!(
            Quick::parse("20"),
            Err("`20` needs a unit: 20m for minutes, 20s for seconds".into())
        );
        assert!(Quick::parse("4-7-8").unwrap_err().starts_with("how long?"));
        let e = Quick::parse("20m every 30m").unwrap().check().unwrap_err();
        assert!(e.message.starts_with("`--every 30m` is longer"), "{e}");
        let e = Quick::parse("4-x 5m").unwrap().check().unwrap_err();
        assert!(e.message.starts_with("`4-x`: "), "{e}");
    }
}
