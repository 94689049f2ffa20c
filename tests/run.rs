//! `hara run` in plain mode, as a screen reader or a log would see it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command as Process, Stdio};

use assert_cmd::cargo::cargo_bin;

mod sandbox;

use sandbox::text;

fn hara(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    sandbox::silent(home.path(), args)
}

#[test]
fn a_session_prints_one_line_per_event_with_its_session_time() {
    let out = hara(&["run", "before-a-client", "--plain", "--speed", "1000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn fit_scales_the_session_to_the_time_given() {
    let out = hara(&["run", "before-a-client", "--speed", "1000", "--fit", "2m"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Before a client (2m), starting in 5s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("02:00  end\nFinished: practised 2m.\n"),
        "{stdout}"
    );
    // Breathing steps keep whole breaths of their pattern.
    assert!(stdout.contains("inhale 4s\n") && stdout.contains("exhale 6s\n"));
}

#[test]
fn impossible_fits_and_bad_times_are_refused() {
    let out = hara(&["run", "before-a-client", "--fit", "3s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot fit the session into 3s: it needs at least"));

    let out = hara(&["run", "before-a-client", "--until", "25:00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("write it as HH:MM"),
        "{}",
        text(&out.stderr)
    );

    let out = hara(&["run", "before-a-client", "--fit", "4q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown unit `q`"));

    let out = hara(&["run", "before-a-client", "--fit", "4m", "--until", "14:55"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn until_ends_the_session_at_a_time_of_day() {
    // Two minutes from now (to the minute), at high speed the plan is what matters: the
    // header names a length that ends then, within the minute the clock reads.
    let out = hara(&[
        "run",
        "before-a-client",
        "--speed",
        "1000",
        "--until",
        &in_minutes(3),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let header = text(&out.stdout).lines().next().unwrap().to_string();
    assert!(
        header.starts_with("Before a client (") && header.contains("starting in 5s"),
        "{header}"
    );
}

fn in_minutes(m: i64) -> String {
    let later = jiff::ZonedDateTime::now() + jiff::SignedDuration::from_mins(m);
    later.strftime("%H:%M").to_string()
}

#[test]
fn the_timing_log_has_every_event_planned_and_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("timing.tsv");
    let out = hara(&[
        "run",
        "tests/fixtures/valid/sigh.toml",
        "--speed",
        "1000",
        "--timing-log",
        log.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(log).unwrap();
    let mut lines = log.lines();
    assert!(lines.next().unwrap().starts_with("# hara timing log"));
    assert_eq!(
        lines.next().unwrap(),
        "planned_ms\tdelivered_ms\tlate_ms\tsession_ms\tevent"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let events: Vec<&str> = rows.iter().map(|r| r[4]).collect();
    assert_eq!(events.first(), Some(&"step 1"));
    assert_eq!(events.last(), Some(&"end"));
    assert_eq!(events.iter().filter(|e| **e == "top-up inhale").count(), 5);
    for r in &rows {
        let planned: f64 = r[0].parse().unwrap();
        let delivered: f64 = r[1].parse().unwrap();
        assert!(delivered >= planned, "{r:?}");
    }
}

#[test]
fn an_invalid_session_is_reported_not_run() {
    let out = hara(&["run", "tests/fixtures/invalid/version.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("--> tests/fixtures/invalid/version.toml:2:10"),
        "{err}"
    );
    assert!(err.contains("error: tests/fixtures/invalid/version.toml is not a valid session"));
}

/// Starts `hara run`, waits until it prints a line containing `ready` (its signal handler
/// is in place before its first line), sends `signal`, and returns what it printed and its
/// exit code.
fn interrupt(args: &[&str], ready: &str, signal: &str) -> (String, Option<i32>) {
    let home = tempfile::tempdir().unwrap();
    let mut child = sandbox::command(cargo_bin("hara"), home.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    while !out.lines().any(|l| l.contains(ready)) {
        let read = stdout.read_line(&mut out).unwrap();
        assert!(read > 0, "hara ended before printing {ready:?}:\n{out}");
    }
    let status = Process::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    stdout.read_to_string(&mut out).unwrap();
    let journal = home.path().join("data/hara/journal.jsonl");
    assert!(
        journal.exists(),
        "a stopped session is recorded in its own journal"
    );
    (out, code)
}

#[test]
fn ctrl_c_sigterm_and_sighup_stop_cleanly_with_a_summary() {
    let (out, code) = interrupt(&["run", "sit-and-walk"], "Ctrl-C stops", "INT");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.ends_with("Stopped during the countdown: practised 0s.\n"),
        "{out}"
    );

    // At 10× speed the first sit lasts long enough to be stopped in.
    let (out, code) = interrupt(
        &["run", "sit-and-walk", "--speed", "10"],
        "step 1 of 5",
        "TERM",
    );
    assert_eq!(code, Some(0), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("Stopped at 0") && last.contains("in step 1 of 5 (Sit): practised "),
        "{out}"
    );

    let (out, code) = interrupt(&["run", "sit-and-walk"], "Ctrl-C stops", "HUP");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Stopped during the countdown"));
}

#[test]
fn a_run_from_a_later_step_is_stopped_at_the_plans_time() {
    let (out, code) = interrupt(
        &["run", "sit-and-walk", "--from", "3", "--speed", "60"],
        "step 3 of 5",
        "INT",
    );
    assert_eq!(code, Some(0), "{out}");
    // Step 3 begins at 15:00 of the plan, as its line says; the stop is told in that time.
    assert!(out.contains("15:00  step 3 of 5: Sit"), "{out}");
    assert!(out.contains("Stopped at 15:"), "{out}");
}

#[test]
fn from_starts_at_a_step_by_number_or_title_and_names_the_steps_when_there_is_none() {
    let out = hara(&[
        "run",
        "before-a-client",
        "--from",
        "3",
        "--plain",
        "--speed",
        "1000",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let body: Vec<&str> = stdout.lines().skip(2).collect();
    assert_eq!(
        body[0], "00:50  step 3 of 5: Breathe low (1m20s)",
        "{stdout}"
    );
    assert!(!stdout.contains("Arrive"), "{stdout}");
    assert!(
        stdout.ends_with("03:10  end\nFinished: practised 2m20s.\n"),
        "{stdout}"
    );

    let out = hara(&[
        "run",
        "before-a-client",
        "--from",
        "ready",
        "--plain",
        "--speed",
        "1000",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\n02:54  step 5 of 5: Ready (16s)\n"));

    for from in ["6", "0", "Sit"] {
        let out = hara(&["run", "before-a-client", "--from", from]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "--from {from}: the session has no such step; give a number from 1 to 5 or a \
                 title (1 Arrive, 2 Widen your base, 3 Breathe low, 4 Lengthen the exhale, 5 Ready)"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn plain_lines_name_the_sound_bed_where_it_changes_also_from_a_later_step() {
    let bed_lines = |args: &[&str]| -> Vec<String> {
        let out = hara(args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .filter(|l| l.contains("bed: "))
            .map(str::to_string)
            .collect()
    };
    let fixture = "tests/fixtures/valid/ambient.toml";
    assert_eq!(
        bed_lines(&["run", fixture, "--plain", "--speed", "1000"]),
        [
            "00:00  bed: surf, volume 20%, fading over 10s",
            "02:00  bed: rain, volume 30%, fading over 5s",
            "05:00  bed: none",
            "06:00  bed: tests/fixtures/valid/chimes/soft.ogg, volume 10%, fading over 2s",
            "07:00  bed: surf, volume 20%, fading over 10s",
        ]
    );
    // Started at the silent step, the bed is none from there, whatever came before.
    assert_eq!(
        bed_lines(&["run", fixture, "--from", "3", "--plain", "--speed", "1000"])[0],
        "05:00  bed: none"
    );
}
