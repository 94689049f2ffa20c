//! The full-screen loop, driven as a person would but headless: ratatui's `TestBackend`, a
//! manual clock, and keys at set moments. Every control goes through the real loop, and the
//! practice's ending is what the journal would record.

use std::time::Duration;

use hara::audio::output::Audio;
use hara::engine::{Clock, ManualClock};
use hara::practice::{Practice, Script, Wake};
use hara::session::check::InstrumentsOnly;
use hara::ui::session::{Mode, SessionScreen};
use hara::ui::theme::{Theme, ThemeName};
use hara::ui::{Exit, Input, Options, session_loop};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn practice(clock: &ManualClock) -> Practice<&ManualClock> {
    let source = include_str!("fixtures/practice/short.toml");
    let (_, timeline) = hara::session::check_str(source, &InstrumentsOnly)
        .session
        .expect("the fixture is valid");
    Practice::new(timeline, clock, Audio::silent())
}

fn s(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

fn key(code: KeyCode) -> Wake<Input> {
    Wake::Input(Input::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(c: char) -> Wake<Input> {
    key(KeyCode::Char(c))
}

/// A pause in the script: the loop hands back (as after a SIGCONT) so the test can look at
/// the screen, then goes on where it was.
fn look() -> Wake<Input> {
    Wake::Continue
}

/// The screen as text, one row a line.
fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect()
}

struct Run<'a> {
    terminal: Terminal<TestBackend>,
    screen: SessionScreen,
    practice: Practice<&'a ManualClock>,
    script: Script<'a, Input>,
    theme: Theme,
}

impl Run<'_> {
    /// Runs the loop to the next look (or to the end), and returns what is on screen.
    fn until_look(&mut self) -> (Exit, String) {
        let exit = session_loop(
            &mut self.terminal,
            &mut self.screen,
            &mut self.practice,
            &mut self.script,
            &self.theme,
        )
        .expect("a test backend does not fail");
        (exit, screen_text(&self.terminal))
    }
}

fn run<'a>(
    clock: &'a ManualClock,
    ask_note: bool,
    inputs: Vec<(Duration, Wake<Input>)>,
) -> Run<'a> {
    Run {
        terminal: Terminal::new(TestBackend::new(80, 24)).unwrap(),
        screen: SessionScreen::new(&Options {
            ask_note,
            ..Options::default()
        }),
        practice: practice(clock),
        script: Script::new(clock, inputs),
        theme: Theme::new(ThemeName::Calm, true),
    }
}

#[test]
fn every_control_goes_through_the_loop_and_the_ending_is_recorded() {
    let clock = ManualClock::default();
    let mut r = run(
        &clock,
        true,
        vec![
            (s(0.4), look()),
            (s(0.5), ch(' ')), // pause during the countdown
            (s(31.5), look()),
            (s(31.5), ch(' ')),              // resume half a minute later
            (s(32.0), ch('n')),              // skip the rest of the countdown: "Arrive" starts now
            (s(33.0), ch('+')),              // a minute more in "Arrive": 70 s
            (s(34.0), ch('m')),              // mute
            (s(39.5), look()),               // the cue at 5 s
            (s(100.0), key(KeyCode::Right)), // "Arrive" ends early: 68 s of it were practised
            (s(105.0), look()),              // one breath into "Breathe low"
            (s(125.0), look()),              // past the end: the note is asked for
            (s(126.0), ch('c')),
            (s(126.1), ch('a')),
            (s(126.2), ch('l')),
            (s(126.3), ch('m')),
            (s(127.0), key(KeyCode::Enter)),
        ],
    );
    let muted_before = r.practice.is_muted();

    let (exit, text) = r.until_look();
    assert_eq!(exit, Exit::Refresh);
    assert!(text.contains("settle in"), "{text}");

    let (_, text) = r.until_look();
    assert!(text.contains("PAUSED"), "{text}");

    let (_, text) = r.until_look();
    assert!(text.contains("1/2  Arrive"), "{text}");
    assert!(
        text.contains("Soften the belly."),
        "the cue at 5 s:\n{text}"
    );
    assert!(
        text.contains("01:23 left"),
        "10 s + a minute + 20 s, less the 7.5 s gone, rounded up:\n{text}"
    );
    assert_ne!(r.practice.is_muted(), muted_before, "m reached the sound");

    let (_, text) = r.until_look();
    assert!(text.contains("2/2  Breathe low"), "{text}");

    let (_, text) = r.until_look();
    assert!(text.contains("Finished"), "{text}");
    assert!(text.contains("a note for your journal?"), "{text}");

    let (exit, _) = r.until_look();
    assert_eq!(exit, Exit::Left);
    assert_eq!(
        r.screen.mode(),
        &Mode::Left {
            note: Some("calm".into())
        }
    );
    assert_eq!(r.script.left(), 0);
    let ending = r.practice.finish(r.screen.note(), clock.now());
    assert!(ending.completed);
    assert_eq!(ending.note.as_deref(), Some("calm"));
    // 68 s of "Arrive" (started at 32 s, skipped at 100 s) and the 20 s of breathing; the
    // countdown and the pause are not practice.
    assert_eq!(ending.practised, s(88.0));
}

#[test]
fn a_stop_signal_leaves_at_once_and_records_where() {
    let clock = ManualClock::default();
    let mut r = run(&clock, true, vec![(s(7.0), Wake::Stop)]);
    let (exit, _) = r.until_look();
    assert_eq!(exit, Exit::Stopped);
    let ending = r.practice.finish(r.screen.note(), clock.now());
    assert!(!ending.completed);
    assert_eq!((ending.step, ending.practised), (Some(0), s(5.0)));
}

#[test]
fn a_stop_signal_on_the_end_screen_keeps_the_session_completed() {
    let clock = ManualClock::default();
    let mut r = run(
        &clock,
        true,
        vec![(s(40.0), ch('o')), (s(41.0), Wake::Stop)],
    );
    let (exit, _) = r.until_look();
    assert_eq!(exit, Exit::Stopped);
    let ending = r.practice.finish(r.screen.note(), clock.now());
    assert!(ending.completed, "it reached its end before the signal");
    assert_eq!(ending.note.as_deref(), Some("o"), "what was typed is kept");
    assert_eq!(ending.practised, s(30.0));
}

#[test]
fn quitting_asks_first_and_stops_where_it_is() {
    let clock = ManualClock::default();
    let mut r = run(
        &clock,
        false,
        vec![(s(4.0), ch('q')), (s(5.0), look()), (s(6.0), ch('y'))],
    );
    let (_, text) = r.until_look();
    assert!(text.contains("Leave this session?"), "{text}");
    let (exit, _) = r.until_look();
    assert_eq!(exit, Exit::Left);
    let ending = r.practice.finish(r.screen.note(), clock.now());
    assert!(!ending.completed);
    assert_eq!(ending.practised, s(4.0), "it stopped when y was pressed");
}

#[test]
fn an_open_step_counts_up_until_enter_and_the_ending_records_the_time_it_took() {
    let clock = ManualClock::default();
    let (_, timeline) = hara::session::check_str(
        include_str!("fixtures/practice/open.toml"),
        &InstrumentsOnly,
    )
    .session
    .expect("the fixture is valid");
    let open_for = 3600.0 + 7.25; // an hour and a bit in the open step
    let mut r = Run {
        practice: Practice::new(timeline, &clock, Audio::silent()),
        ..run(
            &clock,
            false,
            vec![
                (s(5.0), look()),           // in the step before the open one
                (s(12.0 + 305.0), look()),  // five minutes into the open step
                (s(12.0 + 305.0), ch('p')), // the projection view
                (s(12.0 + 306.0), look()),
                (s(12.0 + 306.0), ch('p')),
                (s(12.0 + 400.0), ch('+')), // an open step takes no extra minute
                (s(12.0 + open_for), key(KeyCode::Enter)), // Enter: it ends here
                (s(12.0 + open_for + 1.0), look()),
                (s(12.0 + open_for + 30.0), ch('x')), // past the end: any key
            ],
        )
    };
    let (_, text) = r.until_look();
    assert!(
        text.contains("00:28 + open left"),
        "the timed time left, and an open step to come:\n{text}"
    );
    let (_, text) = r.until_look();
    assert!(text.contains("2/3  Sit"), "{text}");
    // Drawn at the last whole second before the look.
    assert!(
        text.contains("05:04"),
        "the stopwatch, counting up:\n{text}"
    );
    assert!(
        text.contains("Still here."),
        "its cue every 5 minutes:\n{text}"
    );
    assert!(
        text.contains("open 05:04 · then 00:20"),
        "its time so far, and what follows it:\n{text}"
    );
    assert!(text.contains("→ or Enter: go on"), "how to go on:\n{text}");
    assert!(
        !text.contains("+ minute") && !text.contains("→ next"),
        "no keys that do nothing in an open step, or say the same:\n{text}"
    );
    // The progress line stands where the open step began: 10 s of the 30 s timed.
    let bar = text
        .lines()
        .find(|l| l.contains("open 05:04"))
        .expect("the footer");
    let (done, left) = (bar.matches('━').count(), bar.matches('─').count());
    assert!(
        (done * 3).abs_diff(done + left) <= 3,
        "a third of the line: {done} of {}:\n{text}",
        done + left
    );

    let (_, text) = r.until_look();
    assert!(
        text.contains("open · → or Enter: go on"),
        "projection:\n{text}"
    );

    let (_, text) = r.until_look();
    assert!(text.contains("3/3  Close"), "{text}");
    assert!(
        text.contains("00:20 left"),
        "the closing step, drawn as it began:\n{text}"
    );

    let (exit, _) = r.until_look();
    assert_eq!(exit, Exit::Left);
    let ending = r.practice.finish(r.screen.note(), clock.now());
    assert!(ending.completed);
    assert_eq!(r.practice.engine().step_span(1).1, s(open_for));
    assert_eq!(
        ending.practised,
        s(10.0 + open_for + 20.0),
        "the real time of the open step, to the millisecond, after an hour on the loop"
    );
}
