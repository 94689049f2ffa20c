//! Spoken guidance: text to speech through an existing engine run as a program (eSpeak NG by
//! default, or any configured argument list such as Piper or macOS `say`), its WAV decoded to
//! hara's rate so speech goes through hara's own mix, and a cache so a text is synthesised
//! once.
//!
//! Session text is untrusted: it reaches the engine only on standard input, after control
//! characters are taken out, and the engine is started directly, never through a shell.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::audio::files::{self, Decoded};
use crate::audio::render::Bank;
use crate::timeline::{EventKind, Said, Spoken, Timeline};

/// The placeholder in a configured command that becomes the WAV file the engine writes.
pub const WAV: &str = "{wav}";
/// The default engine's program.
pub const ESPEAK: &str = "espeak-ng";
/// How long one text may take to synthesise before it is given up.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// Longer texts are cut here (a cue is a sentence or two).
const MAX_CHARS: usize = 2000;

/// The engine a text is spoken with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The program and its arguments; `{wav}` marks the file it writes. `None`: eSpeak NG.
    pub command: Option<Vec<String>>,
    /// The engine's voice (eSpeak NG: `-v`), e.g. `en`, `de`.
    pub voice: Option<String>,
    /// Words per minute (eSpeak NG: `-s`).
    pub rate: Option<u32>,
    /// How long one text may take.
    pub timeout: Duration,
}

impl Default for Engine {
    fn default() -> Self {
        Engine {
            command: None,
            voice: None,
            rate: None,
            timeout: TIMEOUT,
        }
    }
}

#[derive(Debug, Error)]
pub enum SpeechError {
    #[error(
        "speech needs {0}: install it (e.g. `apt install {0}`) or set a speech command in the config file"
    )]
    NotInstalled(String),
    #[error("the speech command is empty")]
    NoCommand,
    #[error("{program} failed ({status}) for {text:?}")]
    Failed {
        program: String,
        status: String,
        text: String,
    },
    #[error("{program} took longer than {secs} s for {text:?}; skipped")]
    TimedOut {
        program: String,
        secs: u64,
        text: String,
    },
    #[error("{program} wrote no audio hara can play for {text:?}: {why}")]
    BadAudio {
        program: String,
        text: String,
        why: String,
    },
    #[error("nothing to say")]
    Empty,
    #[error("speech cache: {0}")]
    Io(#[from] std::io::Error),
}

/// Session text as it may reach an engine: control characters (escape sequences, NUL, line
/// breaks) become spaces, runs of spaces one, and it is bounded in length.
pub fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Engine {
    /// The argument list that writes `wav` (the text goes on standard input).
    pub fn argv(&self, wav: &Path) -> Result<Vec<String>, SpeechError> {
        let wav = wav.to_string_lossy().into_owned();
        match &self.command {
            Some(cmd) => {
                if cmd.is_empty() {
                    return Err(SpeechError::NoCommand);
                }
                Ok(cmd.iter().map(|a| a.replace(WAV, &wav)).collect())
            }
            None => {
                let mut argv = vec![ESPEAK.to_string(), "--stdin".to_string()];
                if let Some(v) = &self.voice {
                    argv.extend(["-v".to_string(), v.clone()]);
                }
                if let Some(r) = self.rate {
                    argv.extend(["-s".to_string(), r.to_string()]);
                }
                argv.extend(["-w".to_string(), wav]);
                Ok(argv)
            }
        }
    }

    fn program(&self) -> String {
        match &self.command {
            Some(cmd) => cmd.first().cloned().unwrap_or_default(),
            None => ESPEAK.to_string(),
        }
    }

    /// What the cache key is made of: the engine, its voice and rate, and the text.
    fn key(&self, text: &str) -> String {
        let cmd = self.command.clone().unwrap_or_else(|| vec![ESPEAK.into()]);
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            cmd.join("\u{1}"),
            self.voice.as_deref().unwrap_or(""),
            self.rate.map_or(String::new(), |r| r.to_string()),
            text
        )
    }

    /// Runs the engine once for `text` (already [`clean`]ed), writing `wav`. The text goes on
    /// standard input; the program is started directly (no shell) and killed after the
    /// timeout.
    pub fn synthesise_to(&self, text: &str, wav: &Path) -> Result<(), SpeechError> {
        let argv = self.argv(wav)?;
        let program = self.program();
        let mut child = match Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SpeechError::NotInstalled(program));
            }
            Err(e) => return Err(SpeechError::Io(e)),
        };
        if let Some(mut stdin) = child.stdin.take() {
            // An engine that reads no input (or exits early) closes the pipe: not an error here,
            // its status says what happened.
            let _ = stdin.write_all(text.as_bytes());
            let _ = stdin.write_all(b"\n");
        }
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SpeechError::TimedOut {
                    program,
                    secs: self.timeout.as_secs(),
                    text: text.to_string(),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if !status.success() {
            return Err(SpeechError::Failed {
                program,
                status: status.to_string(),
                text: text.to_string(),
            });
        }
        Ok(())
    }
}

/// Where synthesised texts are kept: `$XDG_CACHE_HOME/hara/speech/` (the platform's cache
/// folder elsewhere).
pub fn default_cache() -> Option<PathBuf> {
    crate::config::project_dirs().map(|d| d.cache_dir().join("speech"))
}

/// A 128-bit FNV-1a hash: the cache's file names (not a security boundary: the cache is the
/// user's own folder).
fn fnv128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u128::from(*b)).wrapping_mul(PRIME))
}

/// Starts the sound on its first sample above −40 dB of its peak.
fn trim_leading_silence(d: Decoded) -> Decoded {
    let peak = d.samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    let level = peak * crate::audio::synth::AUDIBLE_LEVEL as f32;
    let onset = d.samples.iter().position(|s| s.abs() >= level).unwrap_or(0);
    if onset == 0 {
        return d;
    }
    Decoded {
        samples: d.samples[onset..].into(),
        gain: d.gain,
        audible: d.audible.saturating_sub(onset),
    }
}

/// A file name no other synthesis (in this process or another) is writing.
fn partial_name(dir: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".hara-speech-{}-{n}.wav", std::process::id()))
}

/// Synthesised speech, cached on disk.
#[derive(Debug, Clone)]
pub struct Speaker {
    pub engine: Engine,
    /// `None`: nothing is kept (every text is synthesised each time).
    pub cache: Option<PathBuf>,
}

impl Speaker {
    pub fn new(engine: Engine, cache: Option<PathBuf>) -> Self {
        Speaker { engine, cache }
    }

    /// The cached file for `text` (cleaned), whether or not it exists yet.
    pub fn cached_path(&self, text: &str) -> Option<PathBuf> {
        let key = self.engine.key(&clean(text));
        self.cache
            .as_ref()
            .map(|dir| dir.join(format!("{:032x}.wav", fnv128(key.as_bytes()))))
    }

    /// `text` spoken, decoded to mono at hara's rate, starting on its first sound (an engine's
    /// leading silence would make it late): from the cache if it is there, else synthesised
    /// now (and kept).
    pub fn speak(&self, text: &str) -> Result<Decoded, SpeechError> {
        self.speak_as_written(text).map(trim_leading_silence)
    }

    fn speak_as_written(&self, text: &str) -> Result<Decoded, SpeechError> {
        let text = clean(text);
        if text.is_empty() {
            return Err(SpeechError::Empty);
        }
        let decode = |wav: &Path| {
            files::decode(wav).map_err(|e| SpeechError::BadAudio {
                program: self.engine.program(),
                text: text.clone(),
                why: e.to_string(),
            })
        };
        let Some(path) = self.cached_path(&text) else {
            let wav = partial_name(&std::env::temp_dir());
            let result = self
                .engine
                .synthesise_to(&text, &wav)
                .and_then(|()| decode(&wav));
            let _ = std::fs::remove_file(&wav);
            return result;
        };
        if let Ok(d) = files::decode(&path) {
            return Ok(d);
        }
        let dir = path.parent().expect("a cache file has a folder");
        std::fs::create_dir_all(dir)?;
        // Written under a name of its own, then renamed: a cached file is always whole.
        let partial = partial_name(dir);
        let result = self
            .engine
            .synthesise_to(&text, &partial)
            .and_then(|()| decode(&partial))
            .and_then(|d| {
                std::fs::rename(&partial, &path)
                    .map(|()| d)
                    .map_err(Into::into)
            });
        let _ = std::fs::remove_file(&partial);
        let decoded = result?;
        Ok(decoded)
    }
}

/// The engine for `timeline`: a session's `lang` chooses eSpeak NG's voice for that language
/// (over the config file's voice); a configured command is run as written.
pub fn engine_for(engine: &Engine, timeline: &Timeline) -> Engine {
    let mut e = engine.clone();
    if e.command.is_none()
        && let Some(lang) = &timeline.lang
    {
        e.voice = Some(lang.to_ascii_lowercase());
    }
    e
}

pub use crate::session::words::estimate;

/// How an event's words are named in a warning: its text, else its recorded voice's file.
fn name_said(kind: &EventKind) -> String {
    match kind {
        EventKind::Cue { text, .. } | EventKind::Speech { text, .. } if !text.is_empty() => {
            format!("\"{}\"", crate::text::clean_line(text))
        }
        EventKind::Bell { bell } => format!("the bell ({bell})"),
        kind => match kind.said() {
            Some(Said::Clip(path)) => format!(
                "the voice {}",
                crate::text::clean_line(&path.display().to_string())
            ),
            _ => String::new(),
        },
    }
}

fn is_breath_word(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Speech {
            of: Spoken::Breath,
            ..
        }
    )
}

/// Where speech would still be going on when the next spoken line or a bell begins, or would
/// begin with a bell: one sentence for each, naming both. `length` says how long a thing said takes. (Breath words
/// running into each other are [`short_phases`]' to tell, once a step.)
pub fn overlaps(timeline: &Timeline, length: impl Fn(Said<'_>) -> Duration) -> Vec<String> {
    let mut out = Vec::new();
    let mut speaking: Option<(Duration, &EventKind, Duration)> = None;
    let mut bell: Option<(Duration, &EventKind)> = None;
    for e in &timeline.events {
        let spoken = e.kind.said().map(&length);
        if matches!(e.kind, EventKind::Bell { .. }) {
            bell = Some((e.at, &e.kind));
        }
        // A bell sorts first at its instant: words there would be said over its strike.
        if let (Some(_), Some((at, kind))) = (spoken, bell)
            && at == e.at
        {
            out.push(format!(
                "{} would be spoken over {}, both at {}",
                name_said(&e.kind),
                name_said(kind),
                crate::session::duration::format(e.at)
            ));
        }
        let begins = spoken.is_some() || matches!(e.kind, EventKind::Bell { .. });
        if begins
            && let Some((until, kind, len)) = speaking
            && e.at < until
            && !(is_breath_word(kind) && is_breath_word(&e.kind))
        {
            out.push(format!(
                "{} (about {:.1} s) would still be speaking when {} begins at {}",
                name_said(kind),
                len.as_secs_f64(),
                name_said(&e.kind),
                crate::session::duration::format(e.at)
            ));
        }
        if let Some(len) = spoken {
            speaking = Some((e.at + len, &e.kind, len));
        }
    }
    out
}

/// The steps with `speak_breath` whose phases are too short for their word: one sentence for
/// each step and word, with the shortest such phase. `length` says how long a word takes.
pub fn short_phases(timeline: &Timeline, length: impl Fn(&str) -> Duration) -> Vec<String> {
    /// A step's word too long for its phase: the shortest such phase, the word's length.
    struct Short<'a> {
        step: usize,
        word: &'a str,
        phase: Duration,
        said: Duration,
    }
    let mut found: Vec<Short<'_>> = Vec::new();
    let mut step = 0;
    let mut phase = Duration::MAX;
    for e in &timeline.events {
        match &e.kind {
            EventKind::StepStarted { step: s } => step = *s,
            EventKind::Phase { length, .. } => phase = *length,
            EventKind::Speech {
                text,
                of: Spoken::Breath,
                ..
            } => {
                let said = length(text);
                if said <= phase {
                    continue;
                }
                match found.iter_mut().find(|s| s.step == step && s.word == text) {
                    Some(s) => s.phase = s.phase.min(phase),
                    None => found.push(Short {
                        step,
                        word: text,
                        phase,
                        said,
                    }),
                }
            }
            _ => {}
        }
    }
    found
        .into_iter()
        .map(|Short { step, word, phase, said }| {
            format!(
                "step {} \"{}\": a phase of {:.1} s is too short to say \"{}\" (about {:.1} s); \
                 lengthen the phase, or leave out speak_breath",
                step + 1,
                crate::text::clean_line(&timeline.steps[step].title),
                phase.as_secs_f64(),
                crate::text::clean_line(word),
                said.as_secs_f64()
            )
        })
        .collect()
}

/// Whether `timeline` says anything aloud (words to synthesise or a recorded voice).
pub fn speaks(timeline: &Timeline) -> bool {
    timeline.events.iter().any(|e| e.kind.said().is_some())
}

/// Says a speech problem in a run: one line on stderr (the full-screen view's log while the
/// view is up).
pub fn tell(e: &SpeechError) {
    let _ = crate::output::eprint(&format!(
        "hara: {}\n",
        crate::text::clean_line(&e.to_string())
    ));
}

/// Says that `text` fell due before it was synthesised: skipped (its words are shown).
pub fn tell_skipped(text: &str) {
    let _ = crate::output::eprint(&format!(
        "hara: speech for \"{}\" was not ready in time; shown, not spoken\n",
        crate::text::clean_line(text)
    ));
}

/// Turns spoken guidance on for a run of `timeline` (when it says anything aloud) and
/// synthesises its texts into `bank` on a thread of its own, so the session starts at once:
/// a text not ready when it falls due is shown, not heard (never delayed). A text the engine
/// cannot say is told in one line ([`tell`]); a missing engine once.
pub fn prepare_in_background(bank: &Bank, timeline: &Timeline, speaker: Speaker) {
    if !speaks(timeline) {
        return;
    }
    bank.set_speech(crate::audio::render::Speech::On);
    if texts(timeline).is_empty() {
        return;
    }
    let (bank, timeline) = (bank.clone(), timeline.clone());
    let _ = std::thread::Builder::new()
        .name("hara-speech".into())
        .spawn(move || {
            yield_to_the_run();
            fill_bank(&bank, &timeline, &speaker, tell);
        });
}

/// Lowers the calling thread's priority (nice 10), and so that of the engines it starts
/// (they inherit it): synthesis is background work, and must not take the CPU from the first
/// frame being drawn or from the sound device on a busy machine.
fn yield_to_the_run() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's own id; no memory is passed.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// Turns spoken guidance on for a render of `timeline` (when it says anything aloud) and
/// synthesises its texts into `bank` now; returns how many are ready.
pub fn prepare_now(
    bank: &Bank,
    timeline: &Timeline,
    speaker: &Speaker,
    warn: impl FnMut(&SpeechError),
) -> usize {
    if !speaks(timeline) {
        return 0;
    }
    bank.set_speech(crate::audio::render::Speech::On);
    fill_bank(bank, timeline, speaker, warn)
}

/// The texts `timeline` speaks, each once, in the order they come (and those its open steps
/// may speak while they last).
pub fn texts(timeline: &Timeline) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for kind in timeline.kinds() {
        if let Some(Said::Text(text)) = kind.said()
            && !out.iter().any(|t| t == text)
        {
            out.push(text.to_string());
        }
    }
    out
}

/// Synthesises every text `timeline` speaks into `bank`. A text that fails is left out (its
/// cue is still shown), noted in the bank as failed and told to `warn`; a missing engine is
/// told once and ends the attempt (every text failed). Returns how many texts are ready.
pub fn fill_bank(
    bank: &Bank,
    timeline: &Timeline,
    speaker: &Speaker,
    mut warn: impl FnMut(&SpeechError),
) -> usize {
    let mut ready = 0;
    let texts = texts(timeline);
    for (i, text) in texts.iter().enumerate() {
        match speaker.speak(text) {
            Ok(d) => {
                bank.add_speech(text, d);
                ready += 1;
            }
            Err(e @ (SpeechError::NotInstalled(_) | SpeechError::NoCommand)) => {
                warn(&e);
                for t in &texts[i..] {
                    bank.speech_failed(t);
                }
                break;
            }
            Err(e) => {
                warn(&e);
                bank.speech_failed(text);
            }
        }
    }
    ready
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(cmd: &[&str]) -> Engine {
        Engine {
            command: Some(cmd.iter().map(|s| s.to_string()).collect()),
            timeout: Duration::from_millis(300),
            ..Engine::default()
        }
    }

    #[test]
    fn an_open_steps_spoken_lines_are_made_ready_before_it_runs() {
        let source = "format = 1.1\ntitle = \"T\"\nspeak = true\n[[step]]\nduration = \"open\"\n\
            cues = [{ every = \"10m\", principle = \"relax\" }]\n";
        let (_, t) = crate::session::check_str(source, &crate::session::check::InstrumentsOnly)
            .session
            .unwrap();
        // The first minute laid out holds none of them; every line of the principle is ready.
        let relax = crate::principles::find("relax").unwrap();
        let texts = texts(&t);
        assert_eq!(texts.len(), relax.cues.len());
        assert!(
            relax
                .cues
                .iter()
                .all(|line| texts.iter().any(|t| t == line))
        );
    }

    #[test]
    fn a_session_s_language_chooses_espeak_s_voice() {
        use crate::session::check::InstrumentsOnly;
        let t = |src: &str| {
            crate::session::check_str(src, &InstrumentsOnly)
                .session
                .map(|(_, t)| t)
        };
        let de = t("title = \"t\"\nlang = \"de\"\n[[step]]\nduration = 5\n").unwrap();
        assert_eq!(de.lang.as_deref(), Some("de"));
        let base = Engine {
            voice: Some("en-gb".into()),
            ..Engine::default()
        };
        assert_eq!(engine_for(&base, &de).voice.as_deref(), Some("de"));
        let plain = t("title = \"t\"\n[[step]]\nduration = 5\n").unwrap();
        assert_eq!(engine_for(&base, &plain).voice.as_deref(), Some("en-gb"));
        // A configured command is run as written.
        let piper = engine(&["piper", "--output_file", "{wav}"]);
        assert_eq!(engine_for(&piper, &de), piper);
        // Not a language tag: an error in hara check.
        assert!(t("title = \"t\"\nlang = \"d e\"\n[[step]]\nduration = 5\n").is_none());
    }

    #[test]
    fn control_characters_never_reach_the_engine() {
        assert_eq!(clean("a\u{1b}[2Jb\nc\u{0}d\t e"), "a [2Jb c d e");
        assert_eq!(clean("  \n "), "");
        assert_eq!(clean(&"x".repeat(5000)).len(), MAX_CHARS);
    }

    #[test]
    fn espeak_gets_the_text_on_stdin_and_the_file_as_one_argument() {
        let e = Engine {
            voice: Some("de".into()),
            rate: Some(150),
            ..Engine::default()
        };
        let argv = e.argv(Path::new("/c/x y.wav")).unwrap();
        assert_eq!(
            argv,
            [
                "espeak-ng",
                "--stdin",
                "-v",
                "de",
                "-s",
                "150",
                "-w",
                "/c/x y.wav"
            ]
        );
        let piper = engine(&["piper", "--model", "m.onnx", "--output_file", "{wav}"]);
        assert_eq!(
            piper.argv(Path::new("/o.wav")).unwrap(),
            ["piper", "--model", "m.onnx", "--output_file", "/o.wav"]
        );
    }

    #[test]
    fn a_missing_engine_says_what_speech_needs() {
        let s = Speaker::new(engine(&["hara-no-such-speech-engine"]), None);
        let err = s.speak("hello").unwrap_err();
        assert!(matches!(err, SpeechError::NotInstalled(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("speech needs hara-no-such-speech-engine: "),
            "{err}"
        );
        let default = Engine::default();
        assert_eq!(default.program(), "espeak-ng");
    }

    #[test]
    fn a_failing_engine_costs_that_text_only() {
        let s = Speaker::new(engine(&["false"]), None);
        let err = s.speak("hello").unwrap_err();
        assert!(matches!(err, SpeechError::Failed { .. }), "{err}");
    }

    #[test]
    fn a_hanging_engine_is_stopped_after_its_timeout() {
        let s = Speaker::new(engine(&["sleep", "60"]), None);
        let err = s.speak("hello").unwrap_err();
        assert!(matches!(err, SpeechError::TimedOut { .. }), "{err}");
    }

    #[test]
    fn an_engine_that_writes_no_wav_is_bad_audio() {
        let s = Speaker::new(engine(&["true"]), None);
        let err = s.speak("hello").unwrap_err();
        assert!(matches!(err, SpeechError::BadAudio { .. }), "{err}");
    }

    #[test]
    fn the_cache_is_keyed_by_engine_voice_rate_and_text() {
        let dir = Path::new("/cache");
        let s = |voice: &str, rate| {
            Speaker::new(
                Engine {
                    voice: Some(voice.into()),
                    rate: Some(rate),
                    ..Engine::default()
                },
                Some(dir.into()),
            )
        };
        let a = s("en", 150).cached_path("Hello").unwrap();
        assert_eq!(a, s("en", 150).cached_path("Hello\n").unwrap());
        assert_ne!(a, s("de", 150).cached_path("Hello").unwrap());
        assert_ne!(a, s("en", 160).cached_path("Hello").unwrap());
        assert_ne!(a, s("en", 150).cached_path("Hallo").unwrap());
        let other = Speaker::new(engine(&["say", "-o", "{wav}"]), Some(dir.into()));
        assert_ne!(
            Speaker::new(Engine::default(), Some(dir.into())).cached_path("Hello"),
            other.cached_path("Hello")
        );
    }

    #[test]
    fn a_cached_text_is_played_without_the_engine() {
        let dir = std::env::temp_dir().join(format!("hara-speech-cache-{}", std::process::id()));
        // An engine that cannot run: only the cache can answer.
        let s = Speaker::new(engine(&["hara-no-such-speech-engine"]), Some(dir.clone()));
        let path = s.cached_path("Arrive.").unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/chimes/soft.wav");
        std::fs::copy(fixture, &path).unwrap();
        let d = s.speak("Arrive.").unwrap();
        assert!(!d.samples.is_empty());
        assert!(s.speak("Not cached.").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
