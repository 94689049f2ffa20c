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
        "start,title,source,planned_s,practised_s,completed,stopped_at_step,steps,note,preview_speed\n\
         2026-11-28T21:50:00+01:00,\"one, two\",builtin:box-breathing,240,200,false,1,1,\"a \"\"quoted\"\", note\",\n"
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
