//! Issue 11: session files, sound folders, config files and journals from someone else. Each
//! test pins one reproduction from the issue; what they assert is bounded *work* (sizes,
//! counts, bytes read), never a time.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hara::diag::MAX_SHOWN;
use hara::journal::{self, Entry};
use hara::session::check::InstrumentsOnly;
use hara::session::{check_bytes, check_str};
use tempfile::TempDir;

mod sandbox;

/// A home of one's own: every folder hara looks in, and the journal, inside a temporary
/// directory, and nothing inherited that could point elsewhere.
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

    fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn fifo(&self, name: &str) -> PathBuf {
        let path = self.path().join(name);
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        path
    }

    fn command(&self) -> Command {
        let home = self.path();
        let mut c = sandbox::command(env!("CARGO_BIN_EXE_hara"), home);
        c.current_dir(home)
            .env("HARA_JOURNAL", home.join("journal.jsonl"))
            .stdin(Stdio::null());
        c
    }

    /// Runs hara. The timeout only keeps a regression (a read that blocks for ever) from
    /// hanging the whole test run; nothing here is measured against it.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, |_| {})
    }

    fn run_with(&self, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
        let mut c = self.command();
        c.args(args);
        setup(&mut c);
        output_within(c, Duration::from_secs(120))
    }
}

/// The output of a command, killed if it runs past `guard` (a hang, not slowness).
fn output_within(mut c: Command, guard: Duration) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(guard) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("hara did not finish: it is blocked");
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Characters a terminal would act on rather than draw: C0 (but newline) and C1 controls,
/// DEL, and the bidi controls.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn entry(title: &str) -> Entry {
    Entry {
        start: "2026-11-02T07:30:00+01:00".into(),
        title: title.into(),
        source: "builtin:box-breathing".into(),
        planned_s: 240,
        practised_s: 200,
        completed: true,
        stopped_at_step: None,
        steps: 1,
        note: None,
        preview: None,
        added: false,
        seed: None,
        open: false,
    }
}

fn journal_line(e: &Entry) -> String {
    serde_json::to_string(e).unwrap() + "\n"
}

// ---------- 1. diagnostics are bounded ----------

/// One line of 40,000 `ESC [` pairs: the reproduction.
fn escape_pairs(n: usize) -> String {
    format!(
        "title=\"x\"\n[[step]]\nduration=\"{}\"\n",
        "\u{1b}[".repeat(n)
    )
}

#[test]
fn forty_thousand_errors_on_one_line_give_fifty_short_reports_and_a_count() {
    let home = Home::new();
    home.file("q.toml", escape_pairs(40_000));
    let out = home.run(&["check", "q.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.matches("\nerror: ").count() + 1, MAX_SHOWN, "{err}");
    assert!(
        err.contains(&format!(
            "note: q.toml: {} more errors not shown (hara shows the first {MAX_SHOWN} of a file)",
            40_000 - MAX_SHOWN
        )),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    // Each source line is cut around the caret, so the report is small (it was 8.7 MB).
    assert!(err.lines().all(|l| l.chars().count() < 200));
    assert!(err.len() < 64 * 1024, "{} bytes", err.len());
    assert_eq!(stdout(&out), "q.toml: 40000 errors\n");
    // `show` and `run` report the same way before refusing.
    for args in [&["show", "q.toml"][..], &["run", "--plain", "q.toml"]] {
        let out = home.run(args);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).len() < 64 * 1024);
        assert!(stderr(&out).ends_with("error: q.toml is not a valid session\n"));
    }
}

#[test]
fn a_long_line_is_shown_around_the_caret_with_the_true_column() {
    let source = format!("title = \"{}\"\nduration = 5\n", "a".repeat(5000));
    let home = Home::new();
    home.file("long.toml", &source);
    let out = home.run(&["check", "long.toml"]);
    let err = stderr(&out);
    // The unknown key is at column 1 of line 2; the title too long at column 9 of line 1.
    assert!(err.contains(" --> long.toml:1:9\n"), "{err}");
    assert!(err.contains(" --> long.toml:2:1\n"), "{err}");
    assert!(err.contains("1 | title = \"aaaa"), "{err}");
    assert!(err.contains("aaaa…\n"), "the cut is marked: {err}");
    // A caret far into a line: the window starts with `…`, the header keeps the column.
    let far = format!("title = \"t\"\nx = \"{}\" y = 1\n", "b".repeat(3000));
    let checked = check_str(&far, &InstrumentsOnly);
    let shown = checked.render("far.toml", &far, false);
    assert!(shown.contains(" --> far.toml:2:3008\n"), "{shown}");
    assert!(shown.contains("2 | …bbbb"), "{shown}");
    assert!(shown.lines().all(|l| l.chars().count() < 200), "{shown}");
    // A message quoting the file (an unknown key 400 characters long) is cut too.
    let key = format!("title = \"t\"\n{} = 1\n", "k".repeat(400));
    let shown = check_str(&key, &InstrumentsOnly).render("key.toml", &key, false);
    let message = shown
        .lines()
        .find(|l| l.starts_with("error: unknown key `kkkk"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        message.ends_with('…') && message.chars().count() < 200,
        "{message}"
    );
}

#[test]
fn a_mebibyte_of_errors_keeps_fifty_diagnostics_in_memory() {
    // Half a million syntax errors; the checker keeps the first fifty and counts the rest.
    let mut bytes = b"title=\"x\"\n[[step]]\nduration=1\n".to_vec();
    while bytes.len() < 1024 * 1024 - 2 {
        bytes.extend_from_slice(b"a\n");
    }
    let checked = check_bytes(&bytes, &InstrumentsOnly);
    assert_eq!(checked.diagnostics.len(), MAX_SHOWN);
    assert!(
        checked.errors() > 500_000 - MAX_SHOWN,
        "{}",
        checked.errors()
    );
    let first = checked.diagnostics[0].span.clone().unwrap();
    assert!(first.start < 40, "the first in reading order are kept");
    let shown = checked.render("big.toml", &String::from_utf8_lossy(&bytes), false);
    assert!(shown.len() < 32 * 1024, "{} bytes", shown.len());
}

#[test]
fn a_flood_of_keys_or_errors_is_refused_from_a_counting_pass() {
    let home = Home::new();
    // A quarter of a million duplicate keys: toml would build a list of every duplicate.
    home.file("dup.toml", "a=1\n".repeat(200_000));
    let out = home.run(&["check", "dup.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "error: the file holds 400000 keys, values and tables; a session file may hold at most 100000\n"
        ),
        "{}",
        stderr(&out)
    );
    // A mebibyte of `=` lines (1.5 million errors) as the config file: one line about it.
    let config = home.file("config.toml", "=\n".repeat(500_000));
    let out = home.run_with(&["list"], |c| {
        c.env("HARA_CONFIG", &config);
    });
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error: the file has "), "{err}");
    assert!(
        err.contains(" TOML syntax errors; hara reads no further than 10000\n"),
        "{err}"
    );
    assert!(err.len() < 1024, "{err}");
}

// ---------- 2. ramp arithmetic ----------

#[test]
fn a_ramp_of_millisecond_phases_fits_hours_in_closed_form() {
    let source = "title = \"r\"\n[[step]]\nduration = \"1s\"\nbreath = { from = \"0.001-0-0.001-0\", to = \"0.002-0-0.002-0\" }\n";
    let (session, _) = check_str(source, &InstrumentsOnly).session.unwrap();
    for target in [600u64, 3600, 6 * 3600] {
        let target = Duration::from_secs(target);
        let fitted = hara::session::fit::fit(&session, target).unwrap();
        // Millions of breaths: far past the event limit, and refused as such.
        let err = hara::session::compile::compile(&fitted, 0).unwrap_err();
        assert!(err.to_string().contains("timed events"), "{err}");
        assert_eq!(hara::session::compile::items_length(&fitted.items), target);
    }
    // The same fit through the command line: refused with the limit, not left computing.
    let home = Home::new();
    home.file("ramp.toml", source);
    let out = home.run(&["run", "--plain", "--silent", "--fit", "6h", "ramp.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot fit the session into 6h: the session has"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_ramp_step_fitted_small_matches_its_compiled_breaths() {
    use hara::session::compile::ramp_breath;
    use hara::session::format::{Breath, Item};
    let source = "title = \"r\"\n[[step]]\nduration = \"7s\"\nbreath = { from = \"0.001-0-0.001-0\", to = \"0.003-0.002-0.001-0\" }\n";
    let (session, timeline) = check_str(source, &InstrumentsOnly).session.unwrap();
    let Item::Step(step) = &session.items[0] else {
        panic!("a step")
    };
    let Some(Breath::Ramp { from, to }) = step.breath else {
        panic!("a ramp")
    };
    // The long way: each breath of a ramp spread over `n` built and summed.
    let length = |n: u32| -> Duration { (0..n).map(|i| ramp_breath(from, to, i, n).cycle()).sum() };
    let breaths = timeline.steps[0].breath.as_ref().unwrap().breaths;
    assert!(length(breaths) <= Duration::from_secs(7), "{breaths}");
    assert!(length(breaths + 1) > Duration::from_secs(7), "{breaths}");
    assert_eq!(timeline.total, Duration::from_secs(7));
}

// ---------- 3. only regular files are read ----------

#[test]
fn pipes_and_devices_are_refused_with_one_line() {
    let home = Home::new();
    home.fifo("f.toml");
    let out = home.run(&["check", "f.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: cannot read f.toml: it is a named pipe, not a regular file\n"
    );

    let fifo = home.fifo("config.toml");
    let out = home.run_with(&["list"], |c| {
        c.env("HARA_CONFIG", &fifo);
    });
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot read the config file {}: it is a named pipe, not a regular file\n",
            fifo.display()
        )
    );

    let out = home.run_with(&["list"], |c| {
        c.env("HARA_CONFIG", "/dev/zero");
    });
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: cannot read the config file /dev/zero: it is a character device, not a regular file\n"
    );

    let journal = home.fifo("journal.fifo");
    for args in [["log"], ["stats"]] {
        let out = home.run_with(&args, |c| {
            c.env("HARA_JOURNAL", &journal);
        });
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: cannot read the journal {}: it is a named pipe, not a regular file\n",
                journal.display()
            )
        );
    }
    let out = home.run_with(&["export", "--csv"], |c| {
        c.env("HARA_JOURNAL", &journal);
    });
    assert_eq!(out.status.code(), Some(1));
    // A finished run with a pipe for a journal warns and is not held up by it.
    home.file(
        "short.toml",
        "title = \"s\"\n[[step]]\nduration = \"10ms\"\n",
    );
    let out = home.run_with(
        &[
            "run",
            "--plain",
            "--silent",
            "--speed",
            "1000",
            "short.toml",
        ],
        |c| {
            c.env("HARA_JOURNAL", &journal);
        },
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it is a named pipe, not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_huge_sparse_config_is_refused_unread() {
    let home = Home::new();
    let path = home.file("config.toml", "");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let out = home.run_with(&["list"], |c| {
        c.env("HARA_CONFIG", &path);
    });
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot read the config file {}: it is over 1024 KiB, the most hara reads of such a file\n",
            path.display()
        )
    );
}

// ---------- 4. titles are bounded, columns clamped ----------

#[test]
fn titles_past_two_hundred_characters_are_errors() {
    let session = |title: &str| {
        format!(
            "title = \"{title}\"\ntags = [\"{title}\"]\n[[step]]\ntitle = \"{title}\"\nduration = 1\n"
        )
    };
    let ok = check_str(&session(&"t".repeat(200)), &InstrumentsOnly);
    assert!(ok.diagnostics.is_empty(), "{:#?}", ok.diagnostics);
    let long = check_str(&session(&"t".repeat(201)), &InstrumentsOnly);
    let messages: Vec<&str> = long
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "the title is 201 characters long; the most hara takes is 200",
            "a tag is 201 characters long; the most hara takes is 200",
            "the title is 201 characters long; the most hara takes is 200",
        ]
    );
    let text = format!(
        "title = \"t\"\n[[step]]\nduration = 1\ntext = \"{}\"\n",
        "x".repeat(2001)
    );
    let long_text = check_str(&text, &InstrumentsOnly);
    assert_eq!(long_text.errors(), 1, "{:#?}", long_text.diagnostics);
}

#[test]
fn stats_and_log_survive_titles_of_any_length() {
    let home = Home::new();
    // 70,000 characters (past the formatter's 65,535 width), and one just under the line
    // limit in two-byte characters, which is read.
    let mut text = journal_line(&entry(&"T".repeat(70_000)));
    text += &journal_line(&entry(&"é".repeat(30_000)));
    text += &journal_line(&entry("Box breathing"));
    home.file("journal.jsonl", text);
    let stats = home.run(&["stats"]);
    assert_eq!(stats.status.code(), Some(0), "{}", stderr(&stats));
    assert!(
        stderr(&stats).contains("journal.jsonl:1: skipped, because it is longer than 64 KiB"),
        "{}",
        stderr(&stats)
    );
    let out = stdout(&stats);
    assert!(out.starts_with("6m40s practised in 2 sessions\n"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    assert!(out.contains(&format!("  {}…  ", "é".repeat(59))), "{out}");
    let log = home.run(&["log"]);
    assert_eq!(log.status.code(), Some(0));
    assert!(stdout(&log).lines().all(|l| l.chars().count() < 300));
}

// ---------- 5. the journal is streamed ----------

/// A seekable journal in memory that counts the bytes read from it.
struct Counting {
    inner: std::io::Cursor<Vec<u8>>,
    read: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

impl Seek for Counting {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn log_reads_the_latest_entries_from_the_end() {
    let mut bytes = Vec::new();
    for i in 0..100_000 {
        bytes.extend_from_slice(journal_line(&entry(&format!("session {i}"))).as_bytes());
    }
    bytes.extend_from_slice(b"{\"torn\n");
    bytes.extend_from_slice(journal_line(&entry("the last")).as_bytes());
    let total = bytes.len();
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let journal = Counting {
        inner: std::io::Cursor::new(bytes),
        read: read.clone(),
    };
    let mut back = journal::Backward::new(journal).unwrap();
    let latest: Vec<(usize, Result<Entry, String>)> =
        back.by_ref().take(3).map(Result::unwrap).collect();
    assert_eq!(latest[0].0, 1);
    assert_eq!(latest[0].1.as_ref().unwrap().title, "the last");
    assert_eq!(latest[1].1.as_ref().unwrap_err(), "it is cut short");
    assert_eq!(latest[2].1.as_ref().unwrap().title, "session 99999");
    // Two lines from the end of a 24 MB journal: one chunk read, not the journal.
    assert!(
        read.get() <= 64 * 1024 + 1,
        "{} of {total} bytes",
        read.get()
    );
    assert_eq!(back.line_count().unwrap(), 100_002);
}

#[test]
fn stats_keep_a_bounded_number_of_titles() {
    let tz = jiff::tz::TimeZone::UTC;
    let today = jiff::civil::date(2026, 11, 30);
    let mut tally = journal::Tally::new(today, &tz, 4);
    for i in 0..(journal::MAX_TITLES + 5_000) {
        tally.add(&entry(&format!("title {i}")));
    }
    let stats = tally.finish();
    assert_eq!(stats.sessions, journal::MAX_TITLES + 5_000);
    assert_eq!(stats.most_practised.len(), journal::MAX_TITLES + 1);
    let other = &stats.most_practised[0];
    assert_eq!(other.0, journal::OTHER_TITLES);
    assert_eq!(other.2, 5_000);
}

#[test]
fn an_overlong_line_is_skipped_without_being_kept() {
    let mut text = journal_line(&entry("before"));
    text += &"x".repeat(journal::MAX_LINE_BYTES * 20);
    text += "\n";
    text += &journal_line(&entry("after"));
    let (entries, skipped) = journal::parse(&text);
    let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["before", "after"]);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].line, 2);
    assert_eq!(skipped[0].reason, "it is longer than 64 KiB");
}

// ---------- 6. clean exits ----------

/// A journal large enough that its export or log cannot fit in a pipe's buffer.
fn large_journal(home: &Home) {
    let mut text = String::new();
    for i in 0..3000 {
        text += &journal_line(&entry(&format!("session {i}")));
    }
    home.file("journal.jsonl", text);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let home = Home::new();
    large_journal(&home);
    home.file("q.toml", escape_pairs(40_000));
    let cases: [&[&str]; 7] = [
        &["show", "box-breathing", "--json"],
        &["export", "--csv"],
        &["log", "--limit", "3000"],
        &["list"],
        &["principles"],
        &["completions", "bash"],
        &["check", "q.toml"],
    ];
    for args in cases {
        // The reading end is closed before hara starts: its first write meets a closed pipe.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (err_reader, err_writer) = std::io::pipe().unwrap();
        let stderr_closed = args[0] == "check";
        let mut c = home.command();
        c.args(args).stdout(writer);
        if stderr_closed {
            drop(err_reader);
            c.stderr(err_writer);
        } else {
            drop(err_writer);
            c.stderr(Stdio::piped());
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn a_full_disk_is_one_line_and_exit_one() {
    let home = Home::new();
    large_journal(&home);
    home.file("s.toml", "title = \"s\"\n[[step]]\nduration = 60\n");
    let cases: [&[&str]; 10] = [
        &["list"],
        &["check", "s.toml"],
        &["show", "s.toml"],
        &["show", "s.toml", "--json"],
        &["principles"],
        &["completions", "zsh"],
        &["log"],
        &["stats"],
        &["export", "--csv"],
        &["new", "new.toml"],
    ];
    for args in cases {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut c = home.command();
        c.args(args).stdout(full).stderr(Stdio::piped());
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&out),
            "error: cannot write to standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

// ---------- 9. nothing reaches the terminal ----------

const HOSTILE: &str = "\u{1b}]0;PWN\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}P1$qm\u{1b}\\\u{9b}31mred\u{9d}0;x\u{9c}\u{202e}\u{61c}\u{85}";

#[test]
fn the_export_carries_no_escape_sequences() {
    let home = Home::new();
    let mut e = entry(&format!("title{HOSTILE}"));
    e.source = format!("src{HOSTILE}");
    e.note = Some(format!("note{HOSTILE}\u{7}"));
    home.file("journal.jsonl", journal_line(&e));
    for args in [&["export", "--csv"][..], &["log"], &["stats"]] {
        let out = home.run(args);
        assert_eq!(out.status.code(), Some(0));
        let all = stdout(&out) + &stderr(&out);
        assert_eq!(terminal_controls(&all), [], "{args:?}: {all:?}");
    }
    let csv = stdout(&home.run(&["export", "--csv"]));
    assert!(csv.contains(",titlered,srcred,"), "{csv}");
    assert!(csv.ends_with(",notered,,false\n"), "{csv}");
}

#[test]
fn sound_names_and_folders_are_shown_cleaned() {
    let home = Home::new();
    let wav = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/chimes/soft.wav"),
    )
    .unwrap();
    // A sound folder with a hostile file name: its name is offered under `hara check`.
    home.file(format!("sounds/x{HOSTILE}.wav").as_str(), &wav);
    let config = home.file("config.toml", "sound_dirs = [\"sounds\"]\n");
    home.file(
        "unknown.toml",
        "title = \"t\"\n[bells]\nstart = \"nosuch\"\n[[step]]\nduration = 2\n",
    );
    let out = home.run_with(&["check", "unknown.toml"], |c| {
        c.env("HARA_CONFIG", &config);
    });
    let err = stderr(&out);
    assert!(
        err.contains("help: the sounds are: bowl, bell, wood, xred"),
        "{err}"
    );
    assert_eq!(terminal_controls(&err), []);

    // A session saved in a folder named to set the window title: bell lines name the file.
    let folder = "d\u{1b}]0;PWN\u{7}";
    home.file(&format!("{folder}/snd/soft.wav"), &wav);
    let session = home.file(
        &format!("{folder}/s.toml"),
        "title = \"bells\"\n[bells]\nstart = { sound = \"snd/soft.wav\" }\n[[step]]\nduration = \"10ms\"\n",
    );
    let session = session.to_str().unwrap();
    let wav_out = format!("{folder}/out.wav");
    let new_file = format!("{folder}/new.toml");
    let journal = format!("{folder}/none.jsonl");
    let cases: [&[&str]; 5] = [
        &["show", session],
        &["run", "--plain", "--silent", "--speed", "1000", session],
        &["render", session, "-o", &wav_out],
        &["new", &new_file],
        &["--journal", &journal, "log"],
    ];
    for args in cases {
        let out = home.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let all = stdout(&out) + &stderr(&out);
        assert_eq!(terminal_controls(&all), [], "{args:?}: {all:?}");
        assert!(all.contains('d'), "{all}");
    }
    let shown = stdout(&home.run(&["show", session]));
    assert!(
        shown.contains("bell: ") && shown.contains("/d/snd/soft.wav ×1"),
        "{shown}"
    );
}

// ---------- 10. spreadsheet formulas ----------

#[test]
fn cells_a_spreadsheet_would_run_are_neutralised() {
    assert_eq!(
        journal::csv_cell("=HYPERLINK(\"http://evil.example/\",\"Click\")"),
        "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Click\"\")\""
    );
    for (cell, expected) in [
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Box breathing", "Box breathing"),
        ("a = b", "a = b"),
    ] {
        assert_eq!(journal::csv_cell(cell), expected);
    }
    // A leading tab or carriage return is whitespace to the sanitiser, and goes with it.
    assert_eq!(journal::csv_cell("\t=1+1"), "'=1+1");
    assert_eq!(journal::csv_cell("\r=1+1"), "'=1+1");

    let home = Home::new();
    let mut e = entry("=HYPERLINK(\"http://evil.example/\",\"Click\")");
    e.note = Some("@note".into());
    e.source = "-source".into();
    home.file("journal.jsonl", journal_line(&e));
    let csv = stdout(&home.run(&["export", "--csv"]));
    let row = csv.lines().nth(1).unwrap();
    assert_eq!(
        row,
        "2026-11-02T07:30:00+01:00,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Click\"\")\",'-source,240,200,true,,1,'@note,,false"
    );
}
