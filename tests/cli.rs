//! The command line as a person uses it: listing, finding, writing and configuring sessions.

use std::path::Path;
use std::process::Output;

use assert_cmd::cargo::cargo_bin;
use tempfile::TempDir;

mod sandbox;

/// A home of one's own: XDG folders inside a temporary directory.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn sessions(&self) -> std::path::PathBuf {
        let dir = self.path().join("config/hara/sessions");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn run(&self, args: &[&str]) -> Output {
        sandbox::command(cargo_bin("hara"), self.path())
            .current_dir(self.path())
            .args(args)
            .output()
            .unwrap()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const SHORT: &str = "title = \"Short sit\"\n[[step]]\nduration = \"2m\"\n";

#[test]
fn list_shows_builtins_and_user_sessions_with_broken_ones_marked() {
    let home = Home::new();
    std::fs::write(home.sessions().join("short.toml"), SHORT).unwrap();
    std::fs::write(home.sessions().join("broken.toml"), "title = 3\n").unwrap();
    let out = home.run(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{text}"))
            .to_string()
    };
    let broken = home.sessions().join("broken.toml");
    assert!(
        line("broken").contains(&format!("invalid: see `hara check {}`", broken.display())),
        "{text}"
    );
    assert!(line("short").contains("Short sit"), "{text}");
    assert!(line("short").contains(" 2m "), "{text}");
    assert!(
        line("before-a-client").contains("Before a client"),
        "{text}"
    );
    assert!(text.contains("built-in"), "{text}");
}

#[test]
fn bare_hara_lists_sessions_and_says_what_to_do_next() {
    let out = Home::new().run(&[]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("before-a-client"));
    assert!(stdout(&out).contains("hara show NAME"));
}

#[test]
fn sessions_are_found_by_name_path_and_extra_folder() {
    let home = Home::new();
    std::fs::write(home.sessions().join("mine.toml"), SHORT).unwrap();
    let extra = home.path().join("class");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(
        extra.join("group.toml"),
        SHORT.replace("Short sit", "Group"),
    )
    .unwrap();
    std::fs::write(home.path().join("here.toml"), SHORT).unwrap();

    assert!(stdout(&home.run(&["show", "mine"])).starts_with("Short sit\n"));
    assert!(stdout(&home.run(&["show", "here.toml"])).starts_with("Short sit\n"));
    assert!(stdout(&home.run(&["show", "--dir", "class", "group"])).starts_with("Group\n"));
    assert!(stdout(&home.run(&["list", "--dir", "class"])).contains("group"));

    let missing = home.run(&["show", "mien"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "error: no session named `mien` (did you mean `mine`?)\n"
    );
}

#[test]
fn a_user_session_replaces_a_builtin_of_the_same_name() {
    let home = Home::new();
    std::fs::write(home.sessions().join("sit-and-walk.toml"), SHORT).unwrap();
    assert!(stdout(&home.run(&["show", "sit-and-walk"])).starts_with("Short sit\n"));
    let list = stdout(&home.run(&["list"]));
    assert_eq!(
        list.lines()
            .filter(|l| l.starts_with("sit-and-walk"))
            .count(),
        1,
        "{list}"
    );
}

#[test]
fn show_of_an_invalid_session_reports_why() {
    let home = Home::new();
    std::fs::write(
        home.path().join("bad.toml"),
        "title = \"x\"\n[[step]]\nduration = \"5q\"\n",
    )
    .unwrap();
    let out = home.run(&["show", "bad.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--> bad.toml:3:14"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("error: bad.toml is not a valid session"));
}

#[test]
fn new_writes_a_template_that_checks_and_never_overwrites() {
    let home = Home::new();
    let out = home.run(&["new", "mine.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("hara check mine.toml"));
    let check = home.run(&["check", "mine.toml"]);
    assert!(check.status.success());
    assert!(check.stderr.is_empty(), "{}", stderr(&check));

    std::fs::write(home.path().join("mine.toml"), "my edits").unwrap();
    let again = home.run(&["new", "mine.toml"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(home.path().join("mine.toml")).unwrap(),
        "my edits"
    );
}

#[test]
fn the_config_file_adds_folders_and_is_checked() {
    let home = Home::new();
    let config_dir = home.path().join("config/hara");
    std::fs::create_dir_all(&config_dir).unwrap();
    let shared = home.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("team.toml"), SHORT.replace("Short sit", "Team")).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        "session_dirs = [\"~/shared\"]\n",
    )
    .unwrap();
    assert!(stdout(&home.run(&["show", "team"])).starts_with("Team\n"));

    std::fs::write(
        config_dir.join("config.toml"),
        "session_dir = [\"~/shared\"]\n",
    )
    .unwrap();
    let out = home.run(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unknown key `session_dir` in the config file"),
        "{err}"
    );
    assert!(err.contains("config.toml:1:1"), "{err}");
    assert!(err.contains("help: did you mean `session_dirs`?"), "{err}");

    // --config points elsewhere; a missing explicit config is an error, not silence.
    let other = home.path().join("other.toml");
    std::fs::write(&other, "session_dirs = [\"shared\"]\n").unwrap();
    assert!(stdout(&home.run(&["show", "--config", "other.toml", "team"])).starts_with("Team\n"));
    let missing = home.run(&["list", "--config", "nope.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read the config file nope.toml"));
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    assert_eq!(home.run(&["check"]).status.code(), Some(2));
    assert_eq!(home.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(home.run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn completions_version_and_help() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = home.run(&["completions", shell]);
        assert!(out.status.success());
        assert!(stdout(&out).contains("hara"), "{shell}");
        assert!(stdout(&out).contains("principles"), "{shell}");
    }
    let version = stdout(&home.run(&["--version"]));
    assert_eq!(version, format!("hara {}\n", env!("CARGO_PKG_VERSION")));
    let help = stdout(&home.run(&["--help"]));
    for command in ["list", "check", "show", "new", "principles", "completions"] {
        assert!(help.contains(command), "{command} missing from --help");
    }
    let check_help = stdout(&home.run(&["check", "--help"]));
    assert!(check_help.contains("every problem"));
}

#[test]
fn principles_lists_every_card() {
    let out = stdout(&Home::new().run(&["principles"]));
    for p in hara::principles::PRINCIPLES {
        assert!(out.contains(&format!("{}  ({})", p.title, p.id)));
        for cue in p.cues {
            assert!(out.contains(cue));
        }
    }
}

#[test]
fn an_unreadable_or_binary_file_is_an_error_not_a_crash() {
    let home = Home::new();
    std::fs::write(home.path().join("noise.toml"), [0xff, 0xfe, 0x00, 0x9f]).unwrap();
    let out = home.run(&["check", "noise.toml", "gone.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: the file is not UTF-8 text\n --> noise.toml:1:1"),
        "{err}"
    );
    assert!(err.contains("cannot read gone.toml: No such file"), "{err}");
}

#[test]
fn run_help_lists_the_keys() {
    let help = stdout(&Home::new().run(&["run", "--help"]));
    assert!(help.contains("Keys in the full-screen view:"), "{help}");
    for (key, what) in hara::ui::action::help_rows(hara::ui::action::Scope::Session) {
        assert!(help.contains(key) && help.contains(what), "{key} {what}");
    }
}

/// Runs hara with no sound server reachable: an empty runtime folder, and a PulseAudio client
/// that may not start a server of its own.
fn without_a_sound_server(home: &Home, args: &[&str]) -> Output {
    let runtime = home.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let conf = home.path().join("client.conf");
    std::fs::write(&conf, "autospawn = no\n").unwrap();
    sandbox::command(cargo_bin("hara"), home.path())
        .current_dir(home.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("PULSE_CLIENTCONFIG", &conf)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn chime_says_plainly_when_there_is_no_sound_device() {
    let home = Home::new();
    let out = without_a_sound_server(&home, &["chime", "bell"]);
    let text = stdout(&out);
    // This machine has no sound card; one with a device plays and names it instead.
    if text.starts_with("no sound output can play here") {
        assert_eq!(out.status.code(), Some(1));
        assert!(!text.contains("config"), "no device was given: {text}");
    } else {
        assert!(text.starts_with("bell ×1 on "), "{text}");
    }
    assert!(stderr(&out).is_empty(), "library noise: {}", stderr(&out));
    let missing = home.run(&["chime", "nothing.wav"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr(&missing).lines().count(), 1, "{}", stderr(&missing));
    assert!(stderr(&missing).contains("nothing.wav"));
}

#[test]
fn chime_suggests_the_sound_that_was_meant() {
    let home = Home::new();
    let out = home.run(&["chime", "bwol"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: there is no sound `bwol` (did you mean `bowl`?)"
    );
    let far = home.run(&["chime", "gongg"]);
    assert!(
        stderr(&far).contains("the sounds are bowl, bell, wood, temple-bowl, clappers"),
        "{}",
        stderr(&far)
    );
}

#[test]
fn devices_lists_what_can_play_or_says_plainly_that_nothing_can() {
    let home = Home::new();
    let out = without_a_sound_server(&home, &["devices"]);
    let text = stdout(&out);
    assert!(stderr(&out).is_empty(), "library noise: {}", stderr(&out));
    if out.status.success() {
        // A machine with a sound card: the default first, marked.
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("* ") && first.ends_with("(the default)"),
            "{text}"
        );
        assert!(!text.contains("Discard all samples"), "{text}");
    } else {
        assert_eq!(
            text.trim(),
            "no sound output can play here (no sound card, and no sound server such as PulseAudio running)"
        );
    }
}

#[test]
fn a_wrong_device_is_refused_before_the_session_starts() {
    let home = Home::new();
    std::fs::write(home.path().join("s.toml"), SHORT).unwrap();
    let out = without_a_sound_server(
        &home,
        &[
            "run",
            "s.toml",
            "--plain",
            "--no-journal",
            "--device",
            "nope",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).is_empty(),
        "the session started: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).starts_with("error: there is no sound output named `nope`"),
        "{}",
        stderr(&out)
    );
}

/// The 16-bit samples of a WAV file hara wrote (a 44-byte header).
fn wav_samples(path: &Path) -> Vec<i16> {
    std::fs::read(path).unwrap()[44..]
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

#[test]
fn render_honours_the_volume() {
    let home = Home::new();
    std::fs::write(
        home.path().join("s.toml"),
        "title = \"s\"\nprepare = 0\n[[step]]\nduration = 1\n",
    )
    .unwrap();
    for (volume, file) in [("100", "full.wav"), ("10", "ten.wav")] {
        let out = home.run(&["render", "s.toml", "-o", file, "--volume", volume]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let rms =
        |s: &[i16]| (s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
    let full = wav_samples(&home.path().join("full.wav"));
    let ten = wav_samples(&home.path().join("ten.wav"));
    assert_eq!(full.len(), ten.len());
    // Each step of 10 is 3 dB: 10 is 27 dB under 100.
    let db = 20.0 * (rms(&ten) / rms(&full)).log10();
    assert!((db + 27.0).abs() < 0.2, "{db:.2} dB");
}

#[test]
fn render_writes_the_whole_track_and_never_overwrites_by_accident() {
    let home = Home::new();
    std::fs::write(
        home.path().join("s.toml"),
        "title = \"s\"\nprepare = 1\n[[step]]\nduration = 3\n",
    )
    .unwrap();
    let out = home.run(&["render", "s.toml", "-o", "s.wav"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("wrote s.wav: 35s of audio"),
        "{}",
        stdout(&out)
    );
    let wav = std::fs::read(home.path().join("s.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    // 1 s countdown + 3 s + the closing bowl's whole ring (to −60 dB), 16-bit mono at 48 kHz,
    // after a 44-byte header.
    let bowl = hara::audio::synth::measured(hara::session::format::Instrument::Bowl).length;
    assert_eq!(wav.len(), 44 + (4 * 48_000 + bowl) * 2);
    let again = home.run(&["render", "s.toml", "-o", "s.wav"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("pass --force"));
    assert!(
        home.run(&["render", "s.toml", "-o", "s.wav", "--force"])
            .status
            .success()
    );
}

/// RMS in dB (full scale) of `s` from `from` to `to` seconds.
fn rms_db(s: &[i16], from: f64, to: f64) -> f64 {
    let w = &s[(from * 48_000.0) as usize..(to * 48_000.0) as usize];
    let ms = w
        .iter()
        .map(|&x| (f64::from(x) / 32768.0).powi(2))
        .sum::<f64>()
        / w.len() as f64;
    10.0 * ms.max(1e-20).log10()
}

#[test]
fn render_plays_the_sound_bed_under_a_bell_ducked_and_faded() {
    let home = Home::new();
    std::fs::write(
        home.path().join("s.toml"),
        "format = 1.1\ntitle = \"s\"\n\
         ambient = { sound = \"rain\", volume = 0.5, fade = \"1s\" }\n\
         [bells]\nstart = \"none\"\nend = \"none\"\nat = [{ at = \"10s\", sound = \"wood\" }]\n\
         [[step]]\nduration = 20\n",
    )
    .unwrap();
    let out = home.run(&["render", "s.toml", "-o", "s.wav", "--volume", "100"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = wav_samples(&home.path().join("s.wav"));
    // 20 s and the bed's one-second fade (the knock is long over).
    assert!(
        (s.len() as i64 - 21 * 48_000).abs() < 48,
        "{} samples",
        s.len()
    );
    let bed = rms_db(&s, 2.0, 9.0);
    assert!(bed > -40.0 && bed < -15.0, "the bed at {bed:.1} dBFS");
    assert!(
        (rms_db(&s, 2.0, 5.5) - rms_db(&s, 5.5, 9.0)).abs() < 1.0,
        "steady"
    );
    // The knock stands out of the bed, and the bed dips under it, then comes back.
    assert!(rms_db(&s, 10.0, 10.05) > bed + 10.0);
    let under = rms_db(&s, 10.4, 10.6);
    assert!(
        under < bed - 3.0,
        "ducked to {under:.1} dBFS under the knock"
    );
    assert!((rms_db(&s, 14.0, 19.0) - bed).abs() < 1.0, "back up");
    // Faded in and faded out, not switched.
    assert!(rms_db(&s, 0.0, 0.05) < bed - 20.0);
    assert!(rms_db(&s, 20.9, 21.0) < bed - 20.0);
}

#[test]
fn render_loops_a_bed_file_at_an_even_level() {
    let home = Home::new();
    // One second of noise (a recorded stream or rain is noise-like: its end and its start do
    // not line up, which is what the equal-power crossfade is for); the bed loops it about
    // six times in five seconds.
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(home.path().join("noise.wav"), spec).unwrap();
    let mut seed = 12_345u32;
    for _ in 0..44_100 {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let x = (f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5) * 0.5;
        w.write_sample((x * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    std::fs::write(
        home.path().join("s.toml"),
        "title = \"s\"\nambient = { sound = \"noise.wav\", volume = 0.5, fade = 0 }\n\
         [bells]\nstart = \"none\"\nend = \"none\"\n[[step]]\nduration = 5\n",
    )
    .unwrap();
    let check = home.run(&["check", "s.toml"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let out = home.run(&["render", "s.toml", "-o", "s.wav"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = wav_samples(&home.path().join("s.wav"));
    let levels: Vec<f64> = (1..49)
        .map(|k| rms_db(&s, k as f64 / 10.0, (k + 1) as f64 / 10.0))
        .collect();
    let (lo, hi) = levels
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    assert!(
        hi - lo < 1.0,
        "{lo:.1}..{hi:.1} dBFS across the loop points"
    );
    assert!(lo > -40.0, "{lo:.1}");
}

#[test]
fn render_needs_to_be_told_how_long_an_open_step_lasts() {
    let home = Home::new();
    std::fs::write(
        home.path().join("open.toml"),
        "format = 1.1\ntitle = \"Open\"\nprepare = 1\n[[step]]\nduration = 2\n\
         [[step]]\nduration = \"open\"\n[bells]\ninterval = { every = 1, sound = \"wood\" }\n",
    )
    .unwrap();
    let out = home.run(&["render", "open.toml", "-o", "open.wav"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: Open has open steps, which last until someone goes on: say how long each lasts \
         in the track with --open-for, e.g. --open-for 10m\n"
    );
    assert!(!home.path().join("open.wav").exists());
    let out = home.run(&["render", "open.toml", "-o", "open.wav", "--open-for", "3s"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 1 s countdown + 2 s + the open step's 3 s + the closing bowl's ring.
    let wav = std::fs::read(home.path().join("open.wav")).unwrap();
    let bowl = hara::audio::synth::measured(hara::session::format::Instrument::Bowl).length;
    assert_eq!(wav.len(), 44 + (6 * 48_000 + bowl) * 2);
    // What `hara show --open-for` lays out is what was rendered: the wood block sounds
    // every second of the open step, from its start.
    let show = home.run(&["show", "open.toml", "--open-for", "3s"]);
    let plan = stdout(&show);
    assert!(plan.contains("length 5s"), "{plan}");
    assert!(plan.contains("    00:03      bell: wood ×1\n    00:04      bell: wood ×1\n    00:05      bell: bowl ×1\n"), "{plan}");
    std::fs::write(
        home.path().join("timed.toml"),
        "title = \"Timed\"\n[[step]]\nduration = 3\n",
    )
    .unwrap();
    // Neither command ignores --open-for on a session without open steps.
    for args in [
        &["render", "timed.toml", "-o", "x.wav", "--open-for", "3s"][..],
        &["show", "timed.toml", "--open-for", "3s"],
    ] {
        let out = home.run(args);
        assert_eq!(
            stderr(&out),
            "error: Timed has no open steps: leave out --open-for\n",
            "{args:?}"
        );
    }
}

#[test]
fn new_gives_a_bare_name_the_toml_extension_the_sessions_folder_looks_for() {
    let home = Home::new();
    let out = home.run(&["new", "abend2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.path().join("abend2.toml").is_file());
    assert!(
        stdout(&out).starts_with("wrote abend2.toml"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn show_previews_a_plan_scaled_as_run_would_scale_it() {
    let home = Home::new();
    let out = home.run(&["show", "four-seven-eight", "--fit", "5m"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = stdout(&out);
    assert!(plan.contains("length 5m,"), "{plan}");
    assert!(
        !plan.contains(".999") && !plan.contains(".001"),
        "whole seconds: {plan}"
    );
    let out = home.run(&["show", "four-seven-eight", "--fit", "20"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`20` needs a unit: 20m for minutes, 20s for seconds"));
}

#[test]
fn export_writes_csv_without_being_asked_for_it() {
    let home = Home::new();
    let journal = home.path().join("j.jsonl");
    std::fs::write(
        &journal,
        "{\"start\":\"2026-11-28T21:50:00+01:00\",\"title\":\"Sit\",\"source\":\"x\",\"planned_s\":60,\"practised_s\":60,\"completed\":true,\"steps\":1}\n",
    )
    .unwrap();
    let out = home.run(&["export", "--journal", journal.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("start,title,"), "{}", stdout(&out));
}

#[test]
fn list_and_stats_line_up_titles_in_any_script() {
    let home = Home::new();
    std::fs::write(
        home.sessions().join("abend.toml"),
        "title = \"Abendpraxis – 夜の呼吸\"\n[[step]]\nduration = \"2m\"\n",
    )
    .unwrap();
    std::fs::write(home.sessions().join("short.toml"), SHORT).unwrap();
    let list = stdout(&home.run(&["list"]));
    // The LENGTH column ends in the same terminal column on every row.
    let ends: Vec<usize> = list
        .lines()
        .filter(|l| l.starts_with("abend") || l.starts_with("short") || l.starts_with("NAME"))
        .map(|l| {
            let end = l
                .find("LENGTH")
                .map(|i| i + 6)
                .or_else(|| l.find("2m ").map(|i| i + 2));
            unicode_width::UnicodeWidthStr::width(&l[..end.unwrap()])
        })
        .collect();
    assert_eq!(ends.len(), 3, "{list}");
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{list}");

    let journal = home.path().join("j.jsonl");
    let entry = |title: &str| {
        format!(
            "{{\"start\":\"2026-11-28T21:50:00+01:00\",\"title\":\"{title}\",\"source\":\"x\",\"planned_s\":60,\"practised_s\":60,\"completed\":true,\"steps\":1}}\n"
        )
    };
    std::fs::write(
        &journal,
        entry("Abendpraxis – 夜の呼吸") + &entry("Short sit"),
    )
    .unwrap();
    let stats = stdout(&home.run(&["stats", "--journal", journal.to_str().unwrap()]));
    let rows: Vec<usize> = stats
        .lines()
        .filter(|l| l.contains("1 session"))
        .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.find("1m").unwrap()]))
        .collect();
    assert_eq!(rows.len(), 2, "{stats}");
    assert_eq!(rows[0], rows[1], "{stats}");
}
