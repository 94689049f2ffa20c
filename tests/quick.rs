//! `hara sit` and `hara breathe`: quick sessions from the command line, in plain mode.

use std::path::Path;

use assert_cmd::cargo::cargo_bin;

mod sandbox;

use sandbox::{silent as hara_in, text};

fn hara(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    hara_in(home.path(), args)
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

/// Reads lines from `out` into `seen` until one contains `want`.
fn wait_for(out: &mut impl std::io::BufRead, seen: &mut String, want: &str) {
    while !seen.lines().any(|l| l.contains(want)) {
        let read = out.read_line(seen).unwrap();
        assert!(read > 0, "hara ended before printing {want:?}:\n{seen}");
    }
}

/// Runs hara in plain mode in `home` with `args`, waits for the line `then`, presses Enter
/// and returns all it printed once it has ended (successfully).
fn enter_after(home: &Path, args: &[&str], then: &str) -> String {
    use std::io::{BufReader, Read, Write};
    use std::process::Stdio;
    let mut child = sandbox::command(cargo_bin("hara"), home)
        .arg("--silent")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    wait_for(&mut stdout, &mut seen, then);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    stdout.read_to_string(&mut seen).unwrap();
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{seen}{stderr}");
    seen
}

#[test]
fn an_open_sit_in_plain_mode_is_ended_by_enter_and_its_time_recorded() {
    let home = tempfile::tempdir().unwrap();
    // At 60× a minute of the open step passes in a real second: its minute lines are what
    // the test waits for, never a fixed sleep.
    let args = [
        "sit",
        "--open",
        "--every",
        "1m",
        "--prepare",
        "0s",
        "--plain",
        "--speed",
        "60",
    ];
    let seen = enter_after(home.path(), &args, "open 2m · Enter goes on");
    assert!(
        seen.starts_with("Open sit (open), at 60× speed. Ctrl-C stops.\n"),
        "{seen}"
    );
    for line in [
        "00:00  step 1 of 1: Sit (open: Enter goes on)\n",
        "00:00  still, until you go on (Enter goes on)\n",
        "01:00  open 1m · Enter goes on\n",
        // The interval bell keeps coming while the open step lasts.
        "01:00  bell: bell ×1, volume 60%\n",
    ] {
        assert!(seen.contains(line), "{line:?} missing from\n{seen}");
    }
    let tail: Vec<&str> = seen.lines().rev().take(4).collect();
    assert!(tail[3].contains("Sit ended after 2m"), "{seen}");
    assert!(tail[2].ends_with("bell: bowl ×1"), "the end bell: {seen}");
    assert!(tail[1].ends_with("end"), "{seen}");
    let finished = tail[0];

    let journal = std::fs::read_to_string(home.path().join("data/hara/journal.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(journal.trim()).unwrap();
    assert_eq!(entry["title"], "Open sit");
    assert_eq!(entry["source"], "hara sit --open --every 1m --prepare 0s");
    assert_eq!(entry["completed"], true);
    assert_eq!(entry["planned_s"], 0, "an open step has no planned length");
    assert_eq!(entry["open"], true);
    let practised = entry["practised_s"].as_u64().unwrap();
    assert!(practised >= 120, "two minutes of it had passed: {entry}");
    let log = hara_in(home.path(), &["log"]);
    let log = text(&log.stdout);
    assert!(
        log.contains(&format!(
            "Open sit  {} (open), completed",
            hara::session::duration::format(std::time::Duration::from_secs(practised))
        )),
        "{log}"
    );
    let said = hara::session::duration::format(std::time::Duration::from_secs(practised));
    assert_eq!(
        finished,
        format!("Finished: practised {said}."),
        "the journal has what was said"
    );
}

#[test]
fn an_open_sit_saves_as_an_open_step_and_takes_no_length() {
    let home = tempfile::tempdir().unwrap();
    let args = [
        "sit",
        "--open",
        "--save",
        "open",
        "--prepare",
        "0s",
        "--plain",
        "--no-journal",
    ];
    enter_after(home.path(), &args, "still, until you go on");
    let file = home.path().join("config/hara/sessions/open.toml");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("format = 1.1\n"), "{saved}");
    assert!(
        saved.contains("[[step]]\ntitle = \"Sit\"\nduration = \"open\"\n"),
        "{saved}"
    );
    let check = hara_in(home.path(), &["check", "open"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).contains("ok (open)"),
        "{}",
        text(&check.stdout)
    );
    // Run again by name, it is the same open sit.
    let again = enter_after(
        home.path(),
        &["run", "open", "--plain"],
        "still, until you go on",
    );
    assert!(again.contains("Sit ended after"), "{again}");

    let out = hara(&["sit", "--open", "20m"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: hara sit --open lasts until you press Enter, so it takes no length: leave out \
         20m (or leave out --open for a sit of 20m)\n"
    );
    let out = hara(&["sit", "--open", "--bells", "5m"]);
    assert!(text(&out.stderr).contains("an open sit has no length for bells at set times"));
    let out = hara(&["sit"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap asks for a length or --open"
    );
}

#[test]
fn an_open_sit_whose_input_has_ended_says_enter_cannot_end_it() {
    use std::io::BufReader;
    use std::process::Stdio;
    let home = tempfile::tempdir().unwrap();
    let mut child = sandbox::command(cargo_bin("hara"), home.path())
        .args(["sit", "--open", "--plain", "--silent", "--no-journal"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    wait_for(&mut stderr, &mut seen, "standard input has ended");
    assert!(
        seen.contains("Enter cannot end an open step here"),
        "{seen}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
