//! The real binary in a real terminal (tmux), driven as a person would: keys in, screen out,
//! and the terminal given back afterwards, also when the process is told to terminate.

use std::time::{Duration, Instant};

#[path = "support/needs.rs"]
mod needs;
#[path = "support/tmux.rs"]
mod support;
use needs::{PGREP, TMUX};
use rustix::process::Signal;
use support::{Tmux, signal};

#[test]
fn pause_skip_and_quit_then_the_terminal_is_restored() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("run before-a-client", (80, 24));
    t.wait_for("settle in");
    assert_eq!(t.alternate_on(), "1");
    t.keys(&["n"]); // end the countdown
    t.wait_for("1/5  Arrive");
    t.keys(&["Space"]);
    t.wait_for("PAUSED");
    t.keys(&["Space", "n"]);
    let screen = t.wait_for("2/5  Widen your base");
    assert!(!screen.contains("PAUSED"), "{screen}");
    t.keys(&["?"]);
    t.wait_for("one more minute in this step");
    t.keys(&["?", "q"]);
    t.wait_for("Leave this session?");
    t.keys(&["y"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised"), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn a_finished_session_asks_for_a_note_for_the_journal() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start(
        &format!(
            "run {}/tests/fixtures/valid/sigh.toml --speed 50",
            env!("CARGO_MANIFEST_DIR")
        ),
        (80, 24),
    );
    t.wait_for("a note for your journal?");
    t.keys(&["q", "u", "i", "e", "t", "Enter"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Finished: practised 45s."), "{screen}");
    let journal = std::fs::read_to_string(t.home.path().join("data/hara/journal.jsonl")).unwrap();
    assert!(journal.contains("\"completed\":true"), "{journal}");
    assert!(journal.contains("\"note\":\"quiet\""), "{journal}");
}

#[test]
fn no_sound_device_is_said_once_and_nothing_else_reaches_the_screen() {
    if !needs::have(&[TMUX]) {
        return;
    }
    // No PulseAudio here and no sound card: the view runs silently and says so.
    let t = Tmux::start("run box-breathing", (100, 30));
    let screen = t.wait_for("no sound device");
    for noise in ["ALSA", "alsa", "JACK", "Dropping", "cannot", "error"] {
        assert!(
            !screen.contains(noise),
            "{noise:?} on the screen:\n{screen}"
        );
    }
    t.keys(&["C-c"]);
    let after = t.wait_for("EXIT=0");
    for noise in ["ALSA", "alsa", "JACK", "Dropping"] {
        assert!(
            !after.contains(noise),
            "{noise:?} left on the terminal:\n{after}"
        );
    }
}

#[test]
fn sigterm_and_sighup_give_the_terminal_back() {
    if !needs::have(&[TMUX, PGREP]) {
        return;
    }
    for (name, sig) in [("TERM", Signal::TERM), ("HUP", Signal::HUP)] {
        let t = Tmux::start("run hara-breathing", (100, 30));
        t.wait_for("settle in");
        let pid = t.hara_pid();
        assert!(!pid.is_empty());
        signal(&pid, sig);
        let screen = t.wait_for("EXIT=0");
        assert!(
            screen.contains("Stopped: practised 0s."),
            "{name}: {screen}"
        );
        assert_eq!(t.alternate_on(), "0", "{name}");
    }
}

#[test]
fn the_picker_starts_a_session_and_comes_back() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("", (80, 24));
    t.wait_for("choose a session");
    t.keys(&["/", "s", "i", "g", "h", "Enter", "Enter"]);
    t.wait_for("Cyclic sigh");
    t.wait_for("settle in");
    t.keys(&["q", "q"]);
    t.wait_for("choose a session");
    t.keys(&["q"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised 0s."), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn a_storm_of_resizes_and_tiny_windows_do_not_break_it() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("run box-breathing", (80, 24));
    t.wait_for("settle in");
    for (w, h) in [
        (30, 8),
        (1, 1),
        (200, 60),
        (40, 12),
        (39, 11),
        (127, 35),
        (2, 50),
        (80, 24),
    ] {
        t.tmux(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
    }
    t.tmux(&["resize-window", "-t", "t", "-x", "30", "-y", "8"]);
    t.wait_for("make the window larger");
    t.tmux(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    t.wait_for("space pause");
    t.keys(&["C-c"]);
    t.wait_for("EXIT=0");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn nothing_from_the_session_file_can_drive_the_terminal() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.toml");
    std::fs::write(
        &path,
        "title = \"Evil \\u001b]0;pwned\\u0007\\u001b[2J\"\n[[step]]\nduration = 60\ntext = \"a\\u001b[31mred\\u202e\"\n",
    )
    .unwrap();
    let t = Tmux::start(
        &format!("run {} --plain --speed 100", path.display()),
        (80, 24),
    );
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Evil (1m)"), "{screen}");
    assert!(screen.contains("ared"), "{screen}");
    let title = t.tmux(&["display", "-p", "-t", "t", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the title was set: {title}");
}

#[test]
fn sigquit_gives_the_terminal_back_like_sigterm() {
    if !needs::have(&[TMUX, PGREP]) {
        return;
    }
    let t = Tmux::start("run hara-breathing", (100, 30));
    t.wait_for("settle in");
    signal(&t.hara_pid(), Signal::QUIT);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised 0s."), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn ctrl_z_pauses_and_gives_the_terminal_back_until_the_process_goes_on() {
    if !needs::have(&[TMUX, PGREP]) {
        return;
    }
    let t = Tmux::start("run hara-breathing", (100, 30));
    t.wait_for("settle in");
    let pid = t.hara_pid();
    t.keys(&["C-z"]);
    // tmux runs hara without job control, so nothing says `fg`: go on with SIGCONT.
    let start = Instant::now();
    while t.alternate_on() != "0" {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the terminal was not given back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&pid, Signal::CONT);
    let screen = t.wait_for("space resume");
    assert!(screen.contains("paused"), "the session paused:\n{screen}");
    assert_eq!(t.alternate_on(), "1");
    // A SIGTSTP from outside does the same.
    signal(&pid, Signal::TSTP);
    while t.alternate_on() != "0" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "SIGTSTP: not given back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&pid, Signal::CONT);
    t.wait_for("space resume");
    t.keys(&["q", "y"]);
    t.wait_for("EXIT=0");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn a_dumb_terminal_gets_plain_lines() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start_with("TERM=dumb", "run box-breathing --speed 100", (80, 24));
    let screen = t.wait_for("EXIT=0");
    assert!(
        screen.contains("03:56  rest 4s"),
        "one line per event:\n{screen}"
    );
    assert!(screen.contains("Finished: practised 4m."), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn the_theme_from_the_config_file_takes_effect() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"contrast\"\n").unwrap();
    let colours = |env: &str| {
        let t = Tmux::start_with(env, "run box-breathing --silent", (80, 24));
        t.wait_for("settle in");
        let screen = t.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
        t.keys(&["C-c"]);
        t.wait_for("EXIT=0");
        screen
    };
    // The contrast theme paints a black background; calm keeps the terminal's own.
    let black = |screen: &str| {
        ["48;5;0m", ";40m", "[40m"]
            .iter()
            .any(|sgr| screen.contains(sgr))
    };
    let contrast = colours(&format!("HARA_CONFIG={}", config.display()));
    assert!(black(&contrast), "{contrast:?}");
    let calm = colours("");
    assert!(!black(&calm), "{calm:?}");
}

#[test]
fn closing_the_terminal_keeps_the_record() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let sigh = format!(
        "run {}/tests/fixtures/valid/sigh.toml --speed 50 --no-note",
        env!("CARGO_MANIFEST_DIR")
    );
    for (args, ready, title, completed) in [
        ("run box-breathing", "settle in", "Box breathing", false),
        (
            "run box-breathing --plain",
            "Ctrl-C stops",
            "Box breathing",
            false,
        ),
        // On the end screen, the session reached its end: it stays completed.
        (sigh.as_str(), "any key: done", "Cyclic sigh", true),
    ] {
        let t = Tmux::start(args, (80, 24));
        t.wait_for(ready);
        // As a closed window does: the pane and its terminal go away under hara.
        t.tmux(&["kill-pane", "-t", "t"]);
        let journal = t.home.path().join("data/hara/journal.jsonl");
        let start = Instant::now();
        // A whole line: the file may be there a moment before its line is written.
        let text = loop {
            let text = std::fs::read_to_string(&journal).unwrap_or_default();
            if text.ends_with('\n') {
                break text;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{args}: no journal entry after the terminal closed"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(
            text.contains(&format!("\"title\":\"{title}\"")),
            "{args}: {text}"
        );
        assert!(
            text.contains(&format!("\"completed\":{completed}")),
            "{args}: {text}"
        );
        let log =
            std::fs::read_to_string(t.home.path().join("state/hara/hara.log")).unwrap_or_default();
        assert!(!log.contains("panicked"), "{args}: {log}");
    }
}

#[test]
fn a_teachers_terminal_follows_the_projected_run_and_its_keys_act_on_it() {
    if !needs::have(&[TMUX]) {
        return;
    }
    // The room's screen (in the standard view here, whose words a test can read) and the
    // teacher's: a second terminal on the same machine.
    let t = Tmux::start("run sit-and-walk --silent", (100, 30));
    t.wait_for("settle in");
    t.second("attach", (100, 30));
    let teacher = t.wait_for_in("t:1", "attached to the run");
    assert!(teacher.contains("the countdown"), "{teacher}");
    assert!(teacher.contains("next: Sit at"), "{teacher}");
    // Space on the teacher's screen pauses the room's.
    t.keys_to("t:1", &["Space"]);
    t.wait_for("PAUSED");
    t.wait_for_in("t:1", "PAUSED");
    // → on the room's screen moves the teacher's on.
    t.keys(&["Space", "n"]);
    let teacher = t.wait_for_in("t:1", "1/5  Sit");
    assert!(teacher.contains("next: Walk at"), "{teacher}");
    assert!(
        teacher.contains("Walking and sitting · round 1 of 2"),
        "{teacher}"
    );
    // q leaves the teacher's screen; the run goes on.
    t.keys_to("t:1", &["q"]);
    t.wait_for_in("t:1", "EXIT=0");
    t.keys(&["q", "y"]);
    t.wait_for("EXIT=0");
    let teacher = t.screen_of("t:1");
    assert!(!teacher.contains("The run has ended"), "{teacher}");
}

/// A journal with a sitting a minute ago and one six weeks ago, in Europe/Berlin.
fn journal_with_two_sittings(dir: &std::path::Path) -> std::path::PathBuf {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let line = |ago: jiff::SignedDuration, title: &str| {
        let start = jiff::Timestamp::now()
            .checked_sub(ago)
            .unwrap()
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        format!(
            "{{\"start\":\"{start}\",\"title\":\"{title}\",\"source\":\"x\",\"planned_s\":600,\
             \"practised_s\":600,\"completed\":true,\"steps\":1}}\n"
        )
    };
    let path = dir.join("journal.jsonl");
    let text = line(jiff::SignedDuration::from_hours(24 * 42), "Earlier sit")
        + &line(jiff::SignedDuration::from_secs(30), "Tmux sit");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_journal_view_moves_through_months_and_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with_two_sittings(dir.path());
    let t = Tmux::start_with(
        &format!("TZ=Europe/Berlin HARA_JOURNAL={}", journal.display()),
        "journal",
        (100, 30),
    );
    let now = jiff::ZonedDateTime::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let this_month = now.strftime("%B %Y").to_string();
    let screen = t.wait_for("a year of days");
    assert!(screen.contains(&this_month), "{screen}");
    assert!(screen.contains("Tmux sit"), "{screen}");
    assert_eq!(t.alternate_on(), "1");
    t.keys(&["Left"]);
    let before = now
        .first_of_month()
        .unwrap()
        .checked_sub(jiff::Span::new().days(1))
        .unwrap()
        .strftime("%B %Y")
        .to_string();
    t.wait_for(&before);
    t.keys(&["?"]);
    t.wait_for("journal keys");
    t.keys(&["Escape", "t"]);
    t.wait_for(&this_month);
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn j_in_the_picker_opens_the_journal_and_q_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_with_two_sittings(dir.path());
    let t = Tmux::start_with(&format!("HARA_JOURNAL={}", journal.display()), "", (80, 24));
    t.wait_for("choose a session");
    t.keys(&["j"]);
    let screen = t.wait_for("minutes a day");
    assert!(screen.contains("Tmux sit"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("choose a session");
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn sit_and_breathe_run_full_screen() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("sit 20m --every 5m", (80, 24));
    t.wait_for("settle in");
    t.keys(&["n"]); // end the countdown
    t.wait_for("1/1  Sit");
    t.keys(&["q", "y"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised"), "{screen}");
    assert_eq!(t.alternate_on(), "0");

    let t = Tmux::start("breathe 4-7-8 --breaths 2 --speed 50", (80, 24));
    t.wait_for("a note for your journal?");
    t.keys(&["Enter"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Finished: practised 38s."), "{screen}");
    let journal = std::fs::read_to_string(t.home.path().join("data/hara/journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"source\":\"hara breathe 4-7-8 --breaths 2\""),
        "{journal}"
    );
}

#[test]
fn the_pickers_quick_line_starts_a_sit() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("", (80, 24));
    t.wait_for("choose a session");
    t.keys(&["2", "0", "m", "Enter"]);
    t.wait_for("settle in");
    t.keys(&["q", "q"]);
    t.wait_for("choose a session");
    t.keys(&["q"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised 0s."), "{screen}");
}

#[test]
fn from_resumes_full_screen_at_the_step_named() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let t = Tmux::start("run before-a-client --from 'Breathe low'", (80, 24));
    t.wait_for("settle in");
    t.keys(&["n"]); // end the countdown
    t.wait_for("3/5  Breathe low");
    t.keys(&["Left"]); // back: to the start of this step, not before it
    t.wait_for("3/5  Breathe low");
    t.keys(&["n"]);
    t.wait_for("4/5  Lengthen the exhale");
    t.keys(&["q", "y"]);
    let screen = t.wait_for("EXIT=0");
    assert!(screen.contains("Stopped: practised"), "{screen}");
    assert_eq!(t.alternate_on(), "0");
}

#[test]
fn a_text_not_ready_in_time_goes_to_the_log_never_over_the_screen() {
    if !needs::have(&[TMUX]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    // An engine that hangs for as long as hara runs (at most 10 s), leaving nothing behind.
    std::fs::write(
        &config,
        "speech_command = [\"sh\", \"-c\", \"for i in $(seq 200); do kill -0 $PPID 2>/dev/null || exit 1; sleep 0.05; done; exit 1\", \"{wav}\"]\n",
    )
    .unwrap();
    let file = dir.path().join("unready.toml");
    std::fs::write(
        &file,
        "title = \"Unready\"\nspeak = true\n[bells]\nstart = \"none\"\nend = \"none\"\n\
         [[step]]\nduration = \"3s\"\ncues = [{ at = \"0.5s\", text = \"Feel the floor.\" }]\n",
    )
    .unwrap();
    let t = Tmux::start_with(
        &format!("HARA_CONFIG={}", config.display()),
        &format!("run {} --no-journal", file.display()),
        (80, 24),
    );
    let screen = t.wait_for("Feel the floor.");
    assert!(screen.contains("speech on"), "the status line: {screen}");
    let log = t.home.path().join("state/hara/hara.log");
    let start = Instant::now();
    let line = "hara: speech for \"Feel the floor.\" was not ready in time; shown, not spoken";
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains(line)) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not in the log: {:?}",
            std::fs::read_to_string(&log)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!t.screen().contains("not ready"), "{}", t.screen());
    t.keys(&["C-c"]);
    let after = t.wait_for("EXIT=0");
    assert!(!after.contains("not ready"), "{after}");
}

#[test]
fn an_open_sit_counts_up_full_screen_and_enter_ends_it_with_the_time_recorded() {
    if !needs::have(&[TMUX]) {
        return;
    }
    // At 60× a minute of sitting passes in a second, so the screens can be waited for.
    let t = Tmux::start("sit --open --prepare 0s --speed 60 --silent", (80, 24));
    let screen = t.wait_for("open 01:");
    assert!(screen.contains("1/1  Sit"), "{screen}");
    assert!(screen.contains("→ or Enter: go on"), "{screen}");
    // A teacher's terminal follows the open step: its time so far, nothing after it timed.
    t.second("attach", (100, 30));
    let teacher = t.wait_for_in("t:1", "so far");
    assert!(teacher.contains("1/1  Sit   open · "), "{teacher}");
    assert!(teacher.contains("open: → goes on"), "{teacher}");
    t.wait_for("open 02:");
    t.keys(&["Enter"]);
    t.wait_for("a note for your journal?");
    t.wait_for_in("t:1", "ended");
    t.keys(&["Enter"]);
    let screen = t.wait_for("EXIT=0");
    assert_eq!(t.alternate_on(), "0");
    let journal = std::fs::read_to_string(t.home.path().join("data/hara/journal.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(journal.trim()).unwrap();
    assert_eq!(entry["source"], "hara sit --open --prepare 0s");
    assert_eq!(entry["planned_s"], 0, "an open step has no planned length");
    let practised = entry["practised_s"].as_u64().unwrap();
    assert!(practised >= 120, "two minutes had passed: {entry}");
    let said = hara::session::duration::format(std::time::Duration::from_secs(practised));
    assert!(
        screen.contains(&format!("Finished: practised {said}.")),
        "the journal has what was said: {said}\n{screen}"
    );
}
