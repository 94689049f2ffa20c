//! Spoken guidance through a real engine (eSpeak NG): the text reaches it as text only, and a
//! text spoken once comes from the cache.

#[path = "support/needs.rs"]
mod needs;
mod sandbox;

use assert_cmd::cargo::cargo_bin;

use hara::speech::{Engine, Speaker};
use needs::ESPEAK_NG;

/// eSpeak NG as hara runs it (words on stdin, a WAV out), in a home of its own: run from the
/// test's own process it would otherwise leave the sound server's files in the HOME of
/// whoever runs the tests.
fn espeak_at_home(home: &std::path::Path) -> Engine {
    Engine {
        command: Some(vec![
            "env".into(),
            format!("HOME={}", home.display()),
            format!("XDG_CONFIG_HOME={}", home.join("config").display()),
            "espeak-ng".into(),
            "--stdin".into(),
            "-w".into(),
            "{wav}".into(),
        ]),
        ..Engine::default()
    }
}

#[test]
fn hostile_text_is_spoken_as_text_and_runs_nothing() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pwned = dir.path().join("pwned");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("keep"), "x").unwrap();
    let speaker = Speaker::new(espeak_at_home(dir.path()), Some(dir.path().join("cache")));
    for text in [
        format!("$(touch {})", pwned.display()),
        format!("`touch {}`", pwned.display()),
        format!("\"; rm -rf {} ; touch {}", home.display(), pwned.display()),
        format!(
            "\u{1b}]0;x\u{7}; touch {}\n-w {}",
            pwned.display(),
            pwned.display()
        ),
    ] {
        let d = speaker
            .speak(&text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(d.samples.len() > 4800, "{text:?} was not spoken");
    }
    assert!(!pwned.exists(), "session text ran as a command");
    assert!(home.join("keep").exists(), "session text removed files");
}

#[test]
fn a_text_spoken_once_comes_from_the_cache() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("speech");
    let speaker = Speaker::new(espeak_at_home(dir.path()), Some(cache.clone()));
    let first = speaker.speak("Let the floor take your weight.").unwrap();
    let file = speaker
        .cached_path("Let the floor take your weight.")
        .unwrap();
    assert!(file.exists());
    // Only the finished file is left in the cache.
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    // The next time, the file is what is played: put another sound there and that is heard.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/valid/chimes/soft.wav");
    std::fs::copy(fixture, &file).unwrap();
    let again = speaker.speak("Let the floor take your weight.").unwrap();
    assert!(again.samples.len() < 12_000, "not from the cache");
    // 22,050 Hz from the engine, hara's 48 kHz here: a short sentence is about 2 s.
    let secs = first.samples.len() as f64 / 48_000.0;
    assert!((0.8..6.0).contains(&secs), "{secs} s");
}

const RATE: usize = 48_000;

const THREE_CUES: &str = r#"title = "Three spoken cues"
prepare = "1s"
speak = true
[bells]
start = "none"
end = "none"
[[step]]
duration = "20s"
cues = [
  { at = "2s", text = "Arrive." },
  { at = "8.5s", text = "Soften the belly." },
  { at = "14.25s", text = "Let the floor take your weight." },
  { at = "17s", text = "Written only.", speak = false },
]
"#;

/// `hara render FILE -o WAV` in `home`, with no programs on PATH (so no speech engine).
fn render_without_programs(
    home: &std::path::Path,
    file: &std::path::Path,
    wav: &std::path::Path,
) -> std::process::Output {
    let empty = home.join("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    sandbox::command(cargo_bin("hara"), home)
        .env("PATH", &empty)
        .arg("render")
        .arg(file)
        .arg("-o")
        .arg(wav)
        .output()
        .unwrap()
}

/// A teacher's recordings in `home`'s clips folder: `arrive.wav`, and `broken.wav`, which is
/// not audio.
fn with_clips(home: &std::path::Path) {
    let clips = home.join("clips");
    std::fs::create_dir(&clips).unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/valid/chimes/soft.wav");
    std::fs::copy(&fixture, clips.join("arrive.wav")).unwrap();
    std::fs::write(clips.join("broken.wav"), "not audio").unwrap();
}

/// Renders `session` (saved as clip.toml in `home`) with no speech engine anywhere, which it
/// must not need: the file, and where sound begins in the track.
fn render_clips(home: &std::path::Path, session: &str) -> (std::path::PathBuf, Vec<usize>) {
    let file = home.join("clip.toml");
    std::fs::write(&file, session).unwrap();
    let wav = home.join("out.wav");
    let out = render_without_programs(home, &file, &wav);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no engine asked for: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (file, onsets(&samples(&wav)))
}

/// `hara check FILE` in `home`.
fn check(home: &std::path::Path, file: &std::path::Path) -> std::process::Output {
    sandbox::command(cargo_bin("hara"), home)
        .arg("check")
        .arg(file)
        .output()
        .unwrap()
}

/// Renders `session` in a home of its own; the track's samples.
fn render(home: &std::path::Path, session: &str, extra: &[&str]) -> Vec<f32> {
    let file = home.join("spoken.toml");
    std::fs::write(&file, session).unwrap();
    let wav = home.join("out.wav");
    let out = sandbox::command(cargo_bin("hara"), home)
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(&wav)
        .arg("--force")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    samples(&wav)
}

/// A rendered track's samples, from -1 to 1.
fn samples(wav: &std::path::Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(wav).unwrap();
    assert_eq!(r.spec().sample_rate as usize, RATE);
    r.samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / f32::from(i16::MAX))
        .collect()
}

/// Where sound begins after at least 300 ms of quiet, by the energy of 1 ms frames.
fn onsets(track: &[f32]) -> Vec<usize> {
    let frame = RATE / 1000;
    let mut out = Vec::new();
    let mut quiet = usize::MAX;
    for (i, f) in track.chunks(frame).enumerate() {
        let rms = (f.iter().map(|s| s * s).sum::<f32>() / f.len() as f32).sqrt();
        if rms > 1e-3 {
            if quiet >= 300 {
                // The first sample of the frame that is above the level.
                let k = f.iter().position(|s| s.abs() > 1e-3).unwrap_or(0);
                out.push(i * frame + k);
            }
            quiet = 0;
        } else {
            quiet = quiet.saturating_add(1);
        }
    }
    out
}

/// Sound begins at each planned sample, within 10 ms, and nowhere else.
fn assert_onsets_at(found: &[usize], planned: &[usize]) {
    assert_eq!(
        found.len(),
        planned.len(),
        "sound at {found:?}, planned {planned:?}"
    );
    for (f, p) in found.iter().zip(planned) {
        assert!(
            f.abs_diff(*p) <= RATE / 100,
            "sound at {found:?}, planned {planned:?}"
        );
    }
}

#[test]
fn spoken_cues_start_on_their_own_sample_in_the_render_and_nowhere_else() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let track = render(home.path(), THREE_CUES, &[]);
    let found = onsets(&track);
    // The countdown (1 s) and each cue's offset.
    let planned = [3.0, 9.5, 15.25].map(|s: f64| (s * RATE as f64) as usize);
    assert_eq!(
        found.len(),
        planned.len(),
        "speech at {found:?}, planned {planned:?}"
    );
    for (f, p) in found.iter().zip(planned) {
        let ms = (*f as f64 - p as f64) / RATE as f64 * 1000.0;
        assert!(ms.abs() <= 10.0, "speech at {f}, planned {p} ({ms:+.1} ms)");
    }
    // Kept in the cache (three texts; the written-only cue is not spoken).
    let cache = home.path().join("cache/hara/speech");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 3);

    // --no-speak: the same session is silent.
    let quiet = render(home.path(), THREE_CUES, &["--no-speak"]);
    assert!(onsets(&quiet).is_empty());
}

#[test]
fn a_step_s_words_are_spoken_as_it_starts() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let session = "title = \"Steps\"\nprepare = \"1s\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                   [[step]]\nduration = \"5s\"\ntext = \"Arrive.\"\n\
                   [[step]]\nduration = \"5s\"\ntext = \"Soften.\"\n\
                   [[step]]\nduration = \"5s\"\ntext = \"Only written.\"\nspeak = false\n";
    let found = onsets(&render(home.path(), session, &[]));
    let planned = [RATE, 6 * RATE];
    assert_onsets_at(&found, &planned);
}

#[test]
fn hara_say_writes_one_spoken_line_and_hara_voices_lists_the_engine_s() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("say.wav");
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .args(["say", "Soften the belly.", "-o"])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = hound::WavReader::open(&wav).unwrap();
    assert_eq!(r.spec().sample_rate as usize, RATE);
    assert!(r.len() as usize > RATE / 2);
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .args(["voices", "de"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("de"));
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .args(["voices", "xx"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: eSpeak NG has no voice for `xx`; `hara voices` lists them all\n"
    );
}

#[test]
fn without_an_engine_speech_is_one_clear_line_and_the_track_is_still_written() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let file = home.path().join("spoken.toml");
    std::fs::write(&file, THREE_CUES).unwrap();
    let wav = home.path().join("out.wav");
    let out = render_without_programs(home.path(), &file, &wav);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("hara: speech needs espeak-ng: "), "{err}");
    assert!(wav.exists());
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .env("PATH", &empty)
        .args(["say", "x", "-o"])
        .arg(home.path().join("say.wav"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("speech needs espeak-ng: "));
}

#[test]
fn a_recorded_voice_plays_on_its_cue_s_sample_without_any_engine() {
    let home = tempfile::tempdir().unwrap();
    with_clips(home.path());
    let session = "title = \"Clip\"\nprepare = \"1s\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                   [[step]]\nduration = \"5s\"\n\
                   cues = [{ at = \"2s\", text = \"Arrive.\", voice = \"clips/arrive.wav\" }]\n";
    let (file, found) = render_clips(home.path(), session);
    assert_onsets_at(&found, &[3 * RATE]);

    // hara check decodes a voice like any sound file.
    std::fs::write(&file, session.replace("arrive.wav", "broken.wav")).unwrap();
    let out = check(home.path(), &file);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot play `clips/broken.wav`"), "{said}");
}

#[test]
fn a_configured_engine_that_fails_costs_each_text_only_and_the_track_is_written() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/hara");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "speech_command = [\"false\", \"{wav}\"]\n",
    )
    .unwrap();
    let file = home.path().join("spoken.toml");
    std::fs::write(&file, THREE_CUES).unwrap();
    let wav = home.path().join("out.wav");
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(&wav)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // One line for each of the three spoken texts, naming the engine and the text.
    assert_eq!(err.lines().count(), 3, "{err}");
    assert!(
        err.lines().all(|l| l.starts_with("hara: false failed")),
        "{err}"
    );
    assert!(err.contains("Soften the belly."), "{err}");
    assert!(wav.exists());
}

#[test]
fn hara_check_warns_when_a_spoken_line_would_run_into_the_next() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("overlap.toml");
    std::fs::write(
        &file,
        "title = \"Overlap\"\nspeak = true\n[bells]\nstart = \"none\"\n[[step]]\nduration = \"20s\"\n\
         cues = [\n  { at = \"2s\", text = \"Let the floor take your whole weight, and soften the belly.\" },\n\
         { at = \"4s\", text = \"Arrive.\" },\n  { at = \"12s\", text = \"Soften.\" },\n]\n",
    )
    .unwrap();
    let out = check(home.path(), &file);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = said.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{said}");
    assert!(
        warnings[0].contains("\"Let the floor take your whole weight, and soften the belly.\"")
            && warnings[0].contains("when \"Arrive.\" begins at 4s"),
        "{said}"
    );
    assert!(said.ends_with(": ok (20s), 1 warning\n"), "counted: {said}");
}

/// Writes `config.toml` in `home`'s config folder.
fn config(home: &std::path::Path, text: &str) {
    let dir = home.join("config/hara");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn a_text_not_ready_in_time_is_shown_skipped_and_logged_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    // An engine that hangs for as long as hara runs (at most 10 s), leaving nothing behind.
    config(
        home.path(),
        "speech_command = [\"sh\", \"-c\", \"for i in $(seq 200); do kill -0 $PPID 2>/dev/null || exit 1; sleep 0.05; done; exit 1\", \"{wav}\"]\n",
    );
    let file = home.path().join("spoken.toml");
    std::fs::write(
        &file,
        "title = \"Unready\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
         [[step]]\nduration = \"1s\"\ncues = [{ at = \"0.3s\", text = \"Arrive.\" }]\n",
    )
    .unwrap();
    let out = sandbox::command(cargo_bin("hara"), home.path())
        .args(["run", "--plain", "--no-journal"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("cue: Arrive."), "still shown: {said}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        ["hara: speech for \"Arrive.\" was not ready in time; shown, not spoken"],
        "{err}"
    );
}

#[test]
fn a_step_s_recorded_voice_plays_after_its_bell_without_any_engine_and_check_decodes_it() {
    let home = tempfile::tempdir().unwrap();
    with_clips(home.path());
    // The step's words in the teacher's voice; no bells, so it plays as the step starts.
    let session = "title = \"Clip\"\nprepare = \"1s\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                   [[step]]\nduration = \"5s\"\ntext = \"Arrive.\"\nvoice = \"clips/arrive.wav\"\n\
                   [[step]]\nduration = \"5s\"\nvoice = \"clips/arrive.wav\"\n";
    let (file, found) = render_clips(home.path(), session);
    let planned = [RATE, 6 * RATE];
    assert_onsets_at(&found, &planned);

    // hara check decodes a step's voice like any sound file.
    std::fs::write(&file, session.replace("arrive.wav", "broken.wav")).unwrap();
    let out = check(home.path(), &file);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot play `clips/broken.wav`"), "{said}");
    // A voice on a step that does not speak is never heard: a warning.
    std::fs::write(&file, session.replace("speak = true\n", "")).unwrap();
    let out = check(home.path(), &file);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        said.matches("this step does not speak, so its voice is never heard")
            .count(),
        2,
        "{said}"
    );
}

const BREATH_WORDS: &str = "title = \"Phase words\"\nprepare = \"1s\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                            [[step]]\nbreaths = 2\nbreath = \"3-2-3-0\"\nspeak_breath = true\n";

#[test]
fn phase_words_are_spoken_as_each_phase_begins() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let found = onsets(&render(home.path(), BREATH_WORDS, &[]));
    // in, hold, out, twice: each word on its phase's first sample, after the 1 s countdown.
    let planned: Vec<usize> = [0.0, 3.0, 5.0, 8.0, 11.0, 13.0]
        .iter()
        .map(|s: &f64| ((1.0 + s) * RATE as f64) as usize)
        .collect();
    assert_onsets_at(&found, &planned);
    // Each word synthesised once and kept.
    let cache = home.path().join("cache/hara/speech");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 3);
}

#[test]
fn hara_check_warns_when_a_phase_is_too_short_for_its_word() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("short.toml");
    std::fs::write(
        &file,
        BREATH_WORDS
            .replace("3-2-3-0", "3-0.3-3-0")
            .replace("breaths = 2", "breaths = 4"),
    )
    .unwrap();
    let out = check(home.path(), &file);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = said.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "warning: step 1 \"Breathe\": a phase of 0.3 s is too short to say \"hold\" (about 0.8 s); \
          lengthen the phase, or leave out speak_breath"
        ],
        "{said}"
    );
}

#[test]
fn speak_and_no_speak_and_hara_speak_choose_whether_it_is_heard() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    config(home.path(), "speak = false\n");
    let file = home.path().join("spoken.toml");
    std::fs::write(&file, THREE_CUES).unwrap();
    let track = |args: &[&str], env: Option<&str>| {
        let wav = home.path().join("out.wav");
        let mut c = sandbox::command(cargo_bin("hara"), home.path());
        c.arg("render")
            .arg(&file)
            .arg("-o")
            .arg(&wav)
            .arg("--force");
        c.args(args);
        if let Some(v) = env {
            c.env("HARA_SPEAK", v);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        onsets(&samples(&wav)).len()
    };
    assert_eq!(track(&[], None), 0, "the config file says no");
    assert_eq!(track(&["--speak"], None), 3, "--speak over the config file");
    assert_eq!(track(&[], Some("1")), 3, "HARA_SPEAK over the config file");
    assert_eq!(
        track(&["--no-speak"], Some("1")),
        0,
        "--no-speak over HARA_SPEAK"
    );
    assert_eq!(track(&["--speak"], Some("0")), 3, "--speak over HARA_SPEAK");
}

#[test]
fn hara_check_warns_about_words_said_over_a_bell_s_strike_but_not_a_step_s_words() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bell.toml");
    std::fs::write(
        &file,
        "title = \"Bell\"\nspeak = true\n[bells]\nstart = \"bowl\"\nend = \"none\"\n\
         [[step]]\nduration = \"20s\"\ntext = \"Arrive.\"\n\
         [[step]]\nduration = \"20s\"\nbell = \"bell\"\ncues = [{ at = \"0s\", text = \"Soften.\" }]\n",
    )
    .unwrap();
    let out = check(home.path(), &file);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = said.lines().filter(|l| l.starts_with("warning:")).collect();
    // The step's words wait for the opening bowl; a cue at the bell's instant does not.
    assert_eq!(
        warnings,
        ["warning: \"Soften.\" would be spoken over the bell (bell ×1), both at 20s"],
        "{said}"
    );
}

#[test]
fn hara_check_measures_a_text_the_configured_engine_has_spoken_before() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    config(home.path(), "speech_voice = \"en\"\n");
    // About 4.4 s by the estimate, under 4 s as eSpeak NG says it.
    let session = "title = \"Measured\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
                   [[step]]\nduration = \"20s\"\n\
                   cues = [\n  { at = \"1s\", text = \"Let the floor take your whole weight, and soften the belly.\" },\n\
                   { at = \"5.2s\", text = \"Arrive.\" },\n]\n";
    let file = home.path().join("measured.toml");
    std::fs::write(&file, session).unwrap();
    let warnings = || {
        let out = check(home.path(), &file);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .matches("warning:")
            .count()
    };
    assert_eq!(warnings(), 1, "estimated, it runs into the next line");
    render(home.path(), session, &[]);
    assert_eq!(warnings(), 0, "measured from the cache, it ends in time");
}
