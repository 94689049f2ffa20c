//! The practice journal: nothing lost, nothing garbled, stats without pressure.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;
use hara::journal::{self, Entry, append, parse, read, stats};
use jiff::civil::date;
use jiff::tz::TimeZone;

#[path = "support/needs.rs"]
mod needs;
mod sandbox;
use needs::PRLIMIT;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/journal")
            .join(name),
    )
    .unwrap()
}

fn entry(title: &str) -> Entry {
    Entry {
        start: "2026-11-28T21:50:00+01:00".into(),
        title: title.into(),
        source: "builtin:box-breathing".into(),
        planned_s: 240,
        practised_s: 200,
        completed: false,
        stopped_at_step: Some(1),
        steps: 1,
        note: Some("a \"quoted\", note".into()),
        preview: None,
        added: false,
        seed: None,
        open: false,
    }
}

#[test]
fn entries_round_trip_and_the_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/folder/journal.jsonl");
    for t in ["one", "two", "three"] {
        append(&path, &entry(t)).unwrap();
    }
    let (entries, skipped) = read(&path).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(entries, vec![entry("one"), entry("two"), entry("three")]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        read(&dir.path().join("missing.jsonl")).unwrap(),
        (vec![], vec![])
    );
}

#[test]
fn garbled_and_torn_lines_are_skipped_by_number_and_hide_nothing() {
    let (entries, skipped) = parse(&fixture("damaged.jsonl"));
    let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Hara breathing", "Hara breathing", "Group sitting"]
    );
    let lines: Vec<(usize, &str)> = skipped
        .iter()
        .map(|s| (s.line, s.reason.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (2, "it is not a journal entry"),
            (5, "its start time is not a date and time with an offset"),
            (7, "it is cut short"),
        ]
    );
    let (entries, skipped) = parse(&fixture("no-trailing-newline.jsonl"));
    assert_eq!((entries.len(), skipped.len()), (1, 0));
}

#[test]
fn appending_after_a_torn_line_keeps_the_new_entry_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, fixture("damaged.jsonl")).unwrap();
    append(&path, &entry("after the tear")).unwrap();
    let (entries, skipped) = read(&path).unwrap();
    assert_eq!(entries.last().unwrap().title, "after the tear");
    assert_eq!(skipped.len(), 3, "the torn line stays one skipped line");
}

#[test]
fn stats_count_local_days_and_weeks() {
    let (entries, _) = parse(&fixture("weeks.jsonl"));
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let s = stats(&entries, date(2026, 11, 30), &berlin, 3);
    assert_eq!(s.sessions, 4);
    assert_eq!(s.practised, Duration::from_secs(1800 + 300 + 240 + 600));
    // Sunday 23:30 is the week before; Monday 00:30 starts the new one; a session across
    // midnight counts for the day it began.
    assert_eq!(
        s.weeks,
        vec![
            (date(2026, 11, 16), 30),
            (date(2026, 11, 23), 19),
            (date(2026, 11, 30), 0)
        ]
    );
    assert_eq!(s.streak, 1, "yesterday counts while today is still open");
    // The same journal seen from UTC: Monday 00:30 in Berlin is Sunday there.
    let utc = stats(&entries, date(2026, 11, 30), &TimeZone::UTC, 3);
    assert_eq!(
        utc.weeks,
        vec![
            (date(2026, 11, 16), 35),
            (date(2026, 11, 23), 14),
            (date(2026, 11, 30), 0)
        ]
    );
    // Three days running, the last in Tokyo's morning (Tuesday just after midnight in Berlin).
    assert_eq!(stats(&entries, date(2026, 11, 24), &berlin, 1).streak, 3);
    assert_eq!(
        s.most_practised[0],
        ("Late sit".to_string(), Duration::from_secs(1800), 1)
    );
}

#[test]
fn csv_quotes_what_needs_quoting() {
    let csv = journal::to_csv(&[entry("one, two")]);
    assert_eq!(
        csv,
        "start,title,source,planned_s,practised_s,completed,stopped_at_step,steps,note,preview_speed,added\n\
         2026-11-28T21:50:00+01:00,\"one, two\",builtin:box-breathing,240,200,false,1,1,\"a \"\"quoted\"\", note\",,false\n"
    );
}

/// hara in a home of its own (the journal's folder), writing `journal`.
fn hara(journal: &Path) -> Command {
    let mut c = sandbox::command(cargo_bin("hara"), journal.parent().unwrap());
    c.env("HARA_JOURNAL", journal)
        // Sound plays no part in the journal; --silent spares synthesising the bells.
        .arg("--silent")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

#[test]
fn two_processes_appending_hundreds_of_entries_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let script = format!(
        "for i in $(seq 150); do {} run tests/fixtures/valid/sigh.toml --speed 10000 --silent || exit 1; done",
        cargo_bin("hara").display()
    );
    let children: Vec<_> = (0..2)
        .map(|_| {
            sandbox::command("sh", dir.path())
                .args(["-c", &script])
                .env("HARA_JOURNAL", &path)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let (entries, skipped) = read(&path).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(entries.len(), 300);
    assert!(
        entries
            .iter()
            .all(|e| e.completed && e.title == "Cyclic sigh" && e.practised_s == 45)
    );
}

#[test]
fn killing_sessions_outright_loses_only_their_own_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut completed = 0;
    for round in 0..12u64 {
        // A session that finishes, and one killed with SIGKILL partway through.
        let done = hara(&path)
            .args(["run", "tests/fixtures/valid/sigh.toml", "--speed", "10000"])
            .status()
            .unwrap();
        assert!(done.success());
        completed += 1;
        let mut victim = hara(&path)
            .args(["run", "sit-and-walk", "--speed", "1000"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + round * 37 % 200));
        victim.kill().unwrap();
        victim.wait().unwrap();
    }
    let (entries, skipped) = read(&path).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    // Each killed session may or may not have finished before the kill; every earlier
    // entry is intact and readable.
    assert!(
        entries.len() >= completed,
        "{} < {completed}",
        entries.len()
    );
    assert_eq!(
        entries.iter().filter(|e| e.title == "Cyclic sigh").count(),
        completed
    );
}

#[test]
fn a_stopped_run_is_recorded_with_its_step_and_no_journal_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut child = hara(&path)
        .args(["run", "sit-and-walk", "--speed", "10"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Into the first step, then Ctrl-C.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.any(|l| l.unwrap().contains("step 1 of 5")));
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert!(child.wait().unwrap().success());
    let (entries, _) = read(&path).unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e.title.as_str(), e.completed, e.stopped_at_step, e.steps),
        ("Sit and walk", false, Some(1), 5)
    );
    assert!(
        e.practised_s < 600,
        "stopped early in the first step: {e:?}"
    );
    assert!(e.started().is_some());

    let status = hara(&path)
        .args([
            "run",
            "tests/fixtures/valid/sigh.toml",
            "--speed",
            "10000",
            "--no-journal",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(read(&path).unwrap().0.len(), 1);
}

#[test]
fn log_stats_and_export_read_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, fixture("damaged.jsonl")).unwrap();
    let out = hara(&path)
        .args(["log", "--limit", "2"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.contains("6m50s of 10m, stopped in step 4 of 5  · phone rang"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Group sitting  30m of 30m, completed"),
        "{stdout}"
    );
    // `log` reads from the end, so it names the damaged lines it passed on the way to the
    // two latest entries (line 2 is further back; `stats` and `export` read it).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains(":5: skipped, because its start time is not a date and time with an offset"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":7: skipped, because it is cut short"),
        "{stderr}"
    );
    assert!(!stderr.contains(":2:"), "{stderr}");

    let since = hara(&path)
        .args(["log", "--since", "2026-11-04"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&since.stdout).lines().count(), 1);

    let stats = hara(&path)
        .args(["stats", "--streak"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&stats.stdout);
    assert!(
        String::from_utf8_lossy(&stats.stderr)
            .contains(":2: skipped, because it is not a journal entry"),
        "stats reads the whole journal"
    );
    assert!(
        text.starts_with("46m50s practised in 3 sessions\nstreak: 0 days\n"),
        "{text}"
    );
    assert!(
        text.contains("most practised\n  Group sitting        30m  1 session\n"),
        "{text}"
    );

    let plain = hara(&path)
        .args(["stats"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("streak"),
        "no streak unless asked"
    );

    let csv = hara(&path)
        .args(["export", "--csv"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&csv.stdout).lines().count(), 4);
}

#[test]
fn a_preview_is_marked_and_left_out_of_stats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let out = hara(&path)
        .args(["run", "tests/fixtures/valid/sigh.toml", "--speed", "1000"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("A preview: the journal marks it as one"),
        "{said}"
    );
    let (entries, _) = read(&path).unwrap();
    assert_eq!(entries[0].preview, Some(1000));
    let tz = TimeZone::UTC;
    let today = date(2026, 11, 30);
    assert_eq!(
        stats(&entries, today, &tz, 4).sessions,
        0,
        "a preview is not practice"
    );
    let log = hara(&path)
        .arg("log")
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(log.contains("(a preview at 1000×, not counted)"), "{log}");
}

#[test]
fn an_append_the_disk_cannot_take_is_taken_back_whole() {
    if !needs::have(&[PRLIMIT]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    // One entry, padded with a blank line to 1000 bytes; then a file size limit of 1100 bytes,
    // as a nearly full disk: the next entry (about 250 bytes) is cut partway.
    let first = "{\"start\":\"2026-11-28T21:50:00+01:00\",\"title\":\"Sit\",\"source\":\"x\",\"planned_s\":60,\"practised_s\":60,\"completed\":true,\"steps\":1}\n";
    let padding = " ".repeat(1000 - first.len() - 1) + "\n";
    std::fs::write(&path, format!("{first}{padding}")).unwrap();
    let script = format!(
        "trap '' XFSZ; exec prlimit --fsize=1100 {} run tests/fixtures/valid/sigh.toml --plain --silent",
        cargo_bin("hara").display()
    );
    let out = sandbox::command("sh", dir.path())
        .args(["-c", &script])
        .env("HARA_JOURNAL", &path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: could not write the journal"),
        "{err}"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        1000,
        "nothing half-written"
    );
    let (entries, skipped) = read(&path).unwrap();
    assert_eq!((entries.len(), skipped.len()), (1, 0));
}

// ---------- issue 18: entries added by hand, and when a day ends ----------

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap()
}

/// hara with its journal in `dir`, its config file saying `config`, its clock in Berlin.
fn hara_in(dir: &Path, config: &str, args: &[&str]) -> std::process::Output {
    let config_path = dir.join("config.toml");
    std::fs::write(&config_path, config).unwrap();
    sandbox::command(cargo_bin("hara"), dir)
        .env("HARA_JOURNAL", dir.join("journal.jsonl"))
        .env("HARA_CONFIG", &config_path)
        .env("TZ", "Europe/Berlin")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_sitting_added_by_hand_is_marked_shown_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let out = hara_in(
        dir.path(),
        "",
        &[
            "log",
            "add",
            "45m",
            "--title",
            "Zazenkai",
            "--at",
            "2025-11-29 19:00",
            "--note",
            "with the sangha",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Added to the journal: 2025-11-29 19:00  Zazenkai  45m, counted for Saturday 29 November 2025.\n"
    );
    let (entries, _) = read(&path).unwrap();
    let e = &entries[0];
    assert_eq!(e.start, "2025-11-29T19:00:00+01:00");
    assert_eq!(
        (e.title.as_str(), e.practised_s, e.planned_s, e.added),
        ("Zazenkai", 2700, 2700, true)
    );
    assert_eq!(
        (e.source.as_str(), e.completed, e.note.as_deref()),
        (journal::ADDED_SOURCE, true, Some("with the sangha"))
    );
    // Without --at it ended just now.
    let now = hara_in(dir.path(), "", &["log", "add", "20m"]);
    assert!(now.status.success(), "{}", text(&now.stderr));
    let (entries, _) = read(&path).unwrap();
    let began = entries[1].started().unwrap();
    let ago = jiff::Timestamp::now().duration_since(began);
    assert!(
        ago >= jiff::SignedDuration::from_mins(20) && ago < jiff::SignedDuration::from_mins(30),
        "{ago:?}"
    );
    assert_eq!(entries[1].title, "Sitting");

    let log = hara_in(dir.path(), "", &["log"]);
    let log = text(&log.stdout);
    assert!(
        log.contains("2025-11-29 19:00  Zazenkai  45m, added by hand  · with the sangha\n"),
        "{log}"
    );
    let stats = hara_in(dir.path(), "", &["stats", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["sessions"], 2);
    assert_eq!(json["added_by_hand"], 2);
    assert_eq!(json["practised_s"], 2700 + 1200);
    let csv = hara_in(dir.path(), "", &["export"]);
    let csv = text(&csv.stdout);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",preview_speed,added")
    );
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .ends_with(",with the sangha,,true"),
        "{csv}"
    );
}

#[test]
fn an_old_journal_reads_as_before_and_its_entries_are_not_added_by_hand() {
    let (entries, skipped) = parse(&fixture("weeks.jsonl"));
    assert!(skipped.is_empty());
    assert!(entries.iter().all(|e| !e.added));
    let line = serde_json::to_string(&entries[0]).unwrap();
    assert!(!line.contains("added"), "written as before: {line}");
}

#[test]
fn what_log_add_cannot_record_is_refused_with_a_reason_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let long_title = "T".repeat(201);
    let long_note = "n".repeat(501);
    for (args, code, says) in [
        (&["0s"][..], 2, "the length must be longer than zero"),
        (&["25h"], 2, "a sitting is at most 24h"),
        (&["20"], 2, "`20` needs a unit"),
        (&["20m", "--title", " \u{1b}[2J "], 1, "the title is empty"),
        (
            &["20m", "--title", &long_title],
            1,
            "the title is 201 characters long",
        ),
        (
            &["20m", "--note", &long_note],
            1,
            "the note is 501 characters long",
        ),
        (
            &["20m", "--at", "someday"],
            1,
            "`someday` is not a date and time",
        ),
        (&["20m", "--at", "2999-01-01 10:00"], 1, "is in the future"),
        (
            &["20m", "--at", "2026-03-29 02:30"],
            1,
            "2026-03-29 02:30 did not happen in Europe/Berlin: the clocks went forward \
             that night (from +01:00 to +02:00)",
        ),
    ] {
        let mut all = vec!["log", "add"];
        all.extend(args);
        let out = hara_in(dir.path(), "", &all);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(
        !dir.path().join("journal.jsonl").exists(),
        "nothing written"
    );
}

#[test]
fn titles_and_notes_added_by_hand_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let out = hara_in(
        dir.path(),
        "",
        &[
            "log",
            "add",
            "10m",
            "--title",
            "\u{1b}]0;evil\u{7}Za\u{202e}zen\nkai",
            "--note",
            "\u{1b}[31mred\u{1b}[0m",
            "--at",
            "2025-06-01 07:00",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (entries, _) = read(&dir.path().join("journal.jsonl")).unwrap();
    assert_eq!(entries[0].title, "Zazen kai");
    assert_eq!(entries[0].note.as_deref(), Some("red"));
}

#[test]
fn a_local_time_the_clocks_pass_twice_is_taken_the_first_time_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    // 26 October 2025 in Berlin: 03:00 summer time became 02:00 winter time.
    let first = hara_in(
        dir.path(),
        "",
        &["log", "add", "20m", "--at", "2025-10-26 02:30"],
    );
    assert!(first.status.success());
    assert!(
        text(&first.stderr).contains(
            "note: 2025-10-26 02:30 came twice in Europe/Berlin (the clocks went back from \
             +02:00 to +01:00); recorded the first, at +02:00. For the second, write \
             --at 2025-10-26T02:30+01:00"
        ),
        "{}",
        text(&first.stderr)
    );
    let second = hara_in(
        dir.path(),
        "",
        &["log", "add", "20m", "--at", "2025-10-26T02:30+01:00"],
    );
    assert!(second.status.success());
    assert!(text(&second.stderr).is_empty(), "{}", text(&second.stderr));
    let (entries, _) = read(&dir.path().join("journal.jsonl")).unwrap();
    let starts: Vec<&str> = entries.iter().map(|e| e.start.as_str()).collect();
    assert_eq!(
        starts,
        ["2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00"]
    );
    let gap = entries[1]
        .started()
        .unwrap()
        .duration_since(entries[0].started().unwrap());
    assert_eq!(gap, jiff::SignedDuration::from_hours(1));
}

#[test]
fn day_starts_decides_the_day_across_midnight_and_the_nights_the_clocks_change() {
    let dir = tempfile::tempdir().unwrap();
    let config = "day_starts = \"04:00\"\n";
    for (at, counted) in [
        // A late sitting: after midnight, before four.
        (
            "2025-11-30 01:30",
            "Saturday 29 November 2025 (your day starts at 04:00)",
        ),
        ("2025-11-30 04:00", "Sunday 30 November 2025."),
        // 30 March 2025: 02:00 became 03:00. 03:30 is before four on the wall.
        (
            "2025-03-30 03:30",
            "Saturday 29 March 2025 (your day starts at 04:00)",
        ),
        ("2025-03-30 04:10", "Sunday 30 March 2025."),
        // 26 October 2025: 03:00 became 02:00. 02:30 (twice) is before four.
        (
            "2025-10-26 02:30",
            "Saturday 25 October 2025 (your day starts at 04:00)",
        ),
        ("2025-10-26 04:00", "Sunday 26 October 2025."),
    ] {
        let out = hara_in(dir.path(), config, &["log", "add", "20m", "--at", at]);
        let said = text(&out.stdout);
        assert!(out.status.success(), "{at}: {}", text(&out.stderr));
        assert!(
            said.contains(&format!("counted for {counted}")),
            "{at}: {said}"
        );
    }
    // Without day_starts, midnight ends the day.
    let out = hara_in(
        dir.path(),
        "",
        &["log", "add", "20m", "--at", "2025-11-30 01:30"],
    );
    assert!(text(&out.stdout).contains("counted for Sunday 30 November 2025."));
}

#[test]
fn stats_count_practice_days_from_day_starts_with_weeks_from_the_day_given() {
    use hara::calendar::Calendar;
    use hara::journal::stats_in;
    use jiff::civil::{Weekday, time};
    let (entries, _) = parse(&fixture("weeks.jsonl"));
    let today = date(2026, 11, 30);
    // Days from 04:00: Monday 00:30 belongs to Sunday, so to the week before.
    let late = Calendar::new(berlin(), time(4, 0, 0, 0), Weekday::Monday);
    let s = stats_in(&entries, today, &late, 3);
    assert_eq!(
        s.weeks,
        vec![
            (date(2026, 11, 16), 35),
            (date(2026, 11, 23), 14),
            (date(2026, 11, 30), 0)
        ]
    );
    // Weeks from Sunday: Sunday 22 November 23:30 starts a week of its own.
    let sunday = Calendar::new(berlin(), jiff::civil::Time::midnight(), Weekday::Sunday);
    let s = stats_in(&entries, today, &sunday, 2);
    assert_eq!(
        s.weeks,
        vec![(date(2026, 11, 22), 30 + 5 + 4), (date(2026, 11, 29), 10)]
    );
    // The days of those weeks, each with its total, up to today.
    assert_eq!(s.days.len(), 7 + 2);
    assert_eq!(s.days[0].0, date(2026, 11, 22));
    assert_eq!((s.days[0].1.secs, s.days[0].1.sessions), (1800, 1));
}

#[test]
fn the_streak_follows_day_starts() {
    use hara::calendar::Calendar;
    use hara::journal::stats_in;
    use jiff::civil::{Weekday, time};
    let at = |text: &str| Entry {
        start: text.into(),
        ..entry("Sit")
    };
    // Three late evenings, each sat after midnight.
    let entries = [
        at("2026-03-28T00:30:00+01:00"),
        at("2026-03-29T00:30:00+01:00"),
        // The night the clocks went forward: 03:30 summer time, still before four.
        at("2026-03-30T03:30:00+02:00"),
    ];
    let today = date(2026, 3, 30);
    let midnight = Calendar::new(berlin(), jiff::civil::Time::midnight(), Weekday::Monday);
    let late = Calendar::new(berlin(), time(4, 0, 0, 0), Weekday::Monday);
    assert_eq!(stats_in(&entries, today, &midnight, 1).streak, 3);
    // From 04:00 they are the 27th, 28th and 29th: a streak that ended yesterday still counts
    // until today is over.
    assert_eq!(stats_in(&entries, today, &late, 1).streak, 3);
    // On the 31st, counted from midnight the run reaches yesterday; from four it ended the
    // day before yesterday.
    assert_eq!(
        stats_in(&entries, date(2026, 3, 31), &midnight, 1).streak,
        3
    );
    assert_eq!(stats_in(&entries, date(2026, 3, 31), &late, 1).streak, 0);
}

#[test]
fn stats_print_a_sparkline_of_the_weeks_and_json_for_tools() {
    let dir = tempfile::tempdir().unwrap();
    // Ten days ago, in this week's terms, whatever today is.
    let ten_days_ago = jiff::ZonedDateTime::now()
        .with_time_zone(berlin())
        .checked_sub(jiff::Span::new().days(10))
        .unwrap()
        .strftime("%Y-%m-%d 12:00")
        .to_string();
    let added = hara_in(
        dir.path(),
        "",
        &["log", "add", "30m", "--at", &ten_days_ago],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let out = hara_in(dir.path(), "", &["stats", "--weeks", "4"]);
    let stats = text(&out.stdout);
    let line = stats.lines().nth(3).unwrap();
    // Four weeks: one with practice (a full bar), three without (dots), and the dates.
    let spark: String = line.trim_start().chars().take(4).collect();
    assert_eq!(spark.matches('█').count(), 1, "{stats}");
    assert_eq!(spark.matches('·').count(), 3, "{stats}");
    assert!(line.contains(" to "), "{stats}");
    let out = hara_in(
        dir.path(),
        "",
        &["stats", "--weeks", "4", "--json", "--streak"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["weeks"].as_array().unwrap().len(), 4);
    assert_eq!(json["day_starts"], "00:00");
    assert_eq!(
        json["week_starts"], "monday",
        "no locale in the sandbox: Monday"
    );
    assert_eq!(json["streak_days"], 0);
    let days = json["days"].as_array().unwrap();
    let practised: Vec<_> = days.iter().filter(|d| d["sessions"] == 1).collect();
    assert_eq!(practised.len(), 1);
    assert_eq!(practised[0]["practised_s"], 1800);
    assert_eq!(json["most_practised"][0]["title"], "Sitting");
    let plain = hara_in(dir.path(), "", &["stats", "--json"]);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(plain.get("streak_days").is_none(), "no streak unless asked");
    // The locale's week, unless the config file says otherwise.
    let us = sandbox::command(cargo_bin("hara"), dir.path())
        .env("HARA_JOURNAL", dir.path().join("journal.jsonl"))
        .env("LANG", "en_US.UTF-8")
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let us: serde_json::Value = serde_json::from_slice(&us.stdout).unwrap();
    assert_eq!(us["week_starts"], "sunday");
}

#[test]
fn the_journal_view_without_a_terminal_says_what_to_use_instead() {
    let dir = tempfile::tempdir().unwrap();
    let out = hara_in(dir.path(), "", &["journal"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the journal view needs a terminal; `hara stats`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_view_keeps_a_bounded_part_of_any_journal() {
    use hara::journal::{LISTED_NOTE_CHARS, LISTED_PER_MONTH, LISTED_TITLE_CHARS, Tally};
    let today = date(2026, 11, 30);
    let mut tally = Tally::new(today, &TimeZone::UTC, 8);
    // 40,000 entries over ten years of days, each with a title and a note far longer than a
    // line, and some in the future or a century ago.
    let long = "é".repeat(5_000);
    for i in 0..40_000i64 {
        let day = today
            .checked_sub(jiff::Span::new().days(i % 3_650))
            .unwrap();
        let mut e = entry(&format!("{i} {long}"));
        e.start = format!("{}T07:{:02}:00+00:00", day, i % 60);
        e.note = Some(long.clone());
        tally.add(&e);
    }
    for start in ["2126-01-01T07:00:00+00:00", "1900-01-01T07:00:00+00:00"] {
        tally.add(&Entry {
            start: start.into(),
            ..entry("far away")
        });
    }
    let history = tally.history();
    assert_eq!(history.sessions, 40_002, "every entry counts in the totals");
    assert_eq!(
        history.days.len(),
        3_650,
        "a day each, and none outside the kept years"
    );
    assert!(history.months.len() <= 121, "{}", history.months.len());
    for listed in history.months.values() {
        assert!(listed.len() <= LISTED_PER_MONTH);
        assert!(
            listed.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
        for l in listed {
            assert!(l.title.chars().count() <= LISTED_TITLE_CHARS);
            assert!(l.note.as_ref().unwrap().chars().count() <= LISTED_NOTE_CHARS);
        }
    }
}
