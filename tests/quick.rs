//! `hara sit` and `hara breathe`: quick sessions from the command line, in plain mode.

use std::path::Path;

use assert_cmd::cargo::cargo_bin;

mod sandbox;

fn hara_in(home: &Path, args: &[&str]) -> std::process::Output {
    sandbox::command(cargo_bin("hara"), home)
        .arg("--silent")
        .args(args)
        .output()
        .unwrap()
}

fn hara(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    hara_in(home.path(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_sit_rings_a_bowl_interval_bells_and_a_bowl() {
    let out = hara(&[
        "sit",
        "2m",
        "--every",
        "30s",
        "--bells",
        "45s",
        "--prepare",
        "0s",
        "--plain",
        "--speed",
        "1000",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Sit 2m (2m), at 1000× speed"),
        "{stdout}"
    );
    for line in [
        "00:00  bell: bowl ×1\n",
        "00:30  bell: bell ×1, volume 60%\n",
        "00:45  bell: bell ×1\n",
        "01:30  bell: bell ×1, volume 60%\n",
        "02:00  bell: bowl ×1\n02:00  end\nFinished: practised 2m.\n",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from\n{stdout}");
    }
}

#[test]
fn breathe_paces_a_pattern_for_breaths_or_a_time_and_ramps() {
    let out = hara(&[
        "breathe",
        "4-7-8",
        "--breaths",
        "2",
        "--plain",
        "--speed",
        "1000",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Breathe 4-7-8 (38s), starting in 5s"),
        "{stdout}"
    );
    assert!(stdout.contains("00:19  inhale 4s\n00:23  hold 7s\n00:30  exhale 8s\n"));

    let out = hara(&[
        "breathe", "4-0-6-0", "1m", "--to", "4-0-8-0", "--tones", "--plain", "--speed", "1000",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("exhale 6s\n") && stdout.contains("exhale 8s\n"),
        "{stdout}"
    );
    assert!(stdout.contains("01:00  end\n"), "{stdout}");
}

#[test]
fn fit_and_no_journal_work_as_with_run() {
    let home = tempfile::tempdir().unwrap();
    let out = hara_in(
        home.path(),
        &[
            "sit",
            "20m",
            "--fit",
            "2m",
            "--plain",
            "--speed",
            "1000",
            "--no-journal",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("02:00  end\n"));
    assert!(!home.path().join("data/hara/journal.jsonl").exists());

    let out = hara_in(home.path(), &["sit", "1m", "--plain", "--speed", "1000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let journal = std::fs::read_to_string(home.path().join("data/hara/journal.jsonl")).unwrap();
    assert!(journal.contains("hara sit 1m"), "{journal}");
}

#[test]
fn save_writes_a_commented_session_that_checks_clean_and_never_overwrites() {
    let home = tempfile::tempdir().unwrap();
    let args = [
        "breathe",
        "4-7-8",
        "--breaths",
        "3",
        "--to",
        "4-0-8-0",
        "--save",
        "evening",
        "--plain",
        "--speed",
        "1000",
    ];
    let out = hara_in(home.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("run it again with `hara run evening`"));
    let file = home.path().join("config/hara/sessions/evening.toml");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.starts_with("# A quick session, written by `hara breathe"),
        "{saved}"
    );

    let check = hara_in(home.path(), &["check", "evening"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(check.stderr.is_empty(), "warnings: {}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains(": ok ("),
        "{}",
        text(&check.stdout)
    );

    let sit = hara_in(
        home.path(),
        &[
            "sit", "20m", "--every", "5m", "--bells", "7m", "--save", "sit.toml", "--speed", "1000",
        ],
    );
    assert!(sit.status.success(), "{}", text(&sit.stderr));
    let check = hara_in(home.path(), &["check", "sit"]);
    assert!(
        check.status.success() && check.stderr.is_empty(),
        "{}",
        text(&check.stderr)
    );

    let again = hara_in(home.path(), &args);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);
}

#[test]
fn mistakes_are_told_in_the_words_typed() {
    let out = hara(&["sit", "20m", "--every", "30m"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("error: `--every 30m` is longer than the sit (20m)"),
        "{}",
        text(&out.stderr)
    );

    let out = hara(&["sit", "20m", "--bells", "5m,25m"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: `--bells 25m`: this bell comes after the session ends"),
        "{stderr}"
    );
    assert!(!stderr.contains("`--bells 5m`"), "{stderr}");

    let out = hara(&["breathe", "4-x", "5m"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: `4-x`: `x` is not a number of seconds"));

    let out = hara(&["sit", "4 minutes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("write it as 4m"),
        "{}",
        text(&out.stderr)
    );

    let out = hara(&["breathe", "4-7-8"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a length or --breaths is needed"
    );

    let out = hara(&["sit", "1m", "--save", "../elsewhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot be a session's name"));
}
