//! Snapshots of the full-screen view: what a person sees in each state, at the sizes that
//! matter (80×24, the 40×12 minimum, 127×35 as on a projector at 18 pt), and below the minimum.

use std::time::Duration;

use hara::audio::output::Audio;
use hara::engine::ManualClock;
use hara::practice::Practice;
use hara::session::check::InstrumentsOnly;
use hara::session::library::{BUILTINS, Library};
use hara::ui::Options;
use hara::ui::action::Action;
use hara::ui::picker::{Entry, Picker};
use hara::ui::render;
use hara::ui::session::{SessionScreen, SessionView};
use hara::ui::theme::{Theme, ThemeName};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 3] = [(80, 24), (40, 12), (127, 35)];

fn theme() -> Theme {
    Theme::new(ThemeName::Calm, true)
}

fn practice(name: &str) -> Practice<ManualClock> {
    let source = match BUILTINS.iter().find(|b| b.name == name) {
        Some(b) => b.source.to_string(),
        None => std::fs::read_to_string(format!("tests/fixtures/valid/{name}.toml")).unwrap(),
    };
    let (_, timeline) = hara::session::check_str(&source, &InstrumentsOnly)
        .session
        .unwrap();
    Practice::new(timeline, ManualClock::default(), Audio::silent())
}

/// The screen as a person sees it, row by row: a cell painted in its own ink (the big
/// letters' whole cells are painted, not drawn with a glyph) shows as █.
fn draw(view: &SessionView, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = theme();
    terminal
        .draw(|f| render::session(view, &theme, f.area(), f.buffer_mut()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for row in buffer.content().chunks(usize::from(w.max(1))) {
        let line: String = row
            .iter()
            .map(|c| {
                let painted =
                    c.symbol() == " " && c.bg == c.fg && c.bg != ratatui::style::Color::Reset;
                if painted { "█" } else { c.symbol() }
            })
            .collect();
        out += &format!("\"{line}\"\n");
    }
    out
}

/// The view of `name` at session time `at` (seconds from the start of the countdown), after
/// `actions`.
fn view_at(name: &str, at: f64, actions: &[Action]) -> SessionView {
    screen_at(SessionScreen::new(&Options::default()), name, at, actions)
}

fn screen_at(mut s: SessionScreen, name: &str, at: f64, actions: &[Action]) -> SessionView {
    let now = Duration::from_secs_f64(at);
    let mut p = practice(name);
    let delivered = p.advance(now);
    s.update(&delivered, &p, now);
    for a in actions {
        s.handle(*a, &mut p, now);
        let delivered = p.advance(now);
        s.update(&delivered, &p, now);
    }
    s.view(&p, now)
}

fn snapshot_all_sizes(label: &str, view: &SessionView) {
    for size in SIZES {
        insta::assert_snapshot!(format!("{label}-{}x{}", size.0, size.1), draw(view, size));
    }
}

#[test]
fn countdown() {
    snapshot_all_sizes("countdown", &view_at("box-breathing", 2.0, &[]));
}

#[test]
fn breathing_in_holding_and_out() {
    // box-breathing: a 5 s countdown, then 4-4-4-4.
    snapshot_all_sizes("inhale", &view_at("box-breathing", 5.0 + 2.0, &[]));
    snapshot_all_sizes("hold", &view_at("box-breathing", 5.0 + 5.0, &[]));
    snapshot_all_sizes("exhale", &view_at("box-breathing", 5.0 + 10.0, &[]));
}

#[test]
fn a_sit_with_text_and_a_cue() {
    // before-a-client: "Arrive" is a 30 s sit with a cue at 15 s.
    snapshot_all_sizes("sit", &view_at("before-a-client", 5.0 + 20.0, &[]));
}

#[test]
fn paused_help_and_confirm() {
    snapshot_all_sizes(
        "paused",
        &view_at("box-breathing", 7.0, &[Action::TogglePause]),
    );
    snapshot_all_sizes(
        "help",
        &view_at("box-breathing", 7.0, &[Action::ToggleHelp]),
    );
    snapshot_all_sizes("confirm", &view_at("box-breathing", 7.0, &[Action::Quit]));
}

#[test]
fn finished() {
    snapshot_all_sizes("finished", &view_at("four-seven-eight", 600.0, &[]));
}

#[test]
fn projection() {
    let inhale = view_at("box-breathing", 7.0, &[Action::ToggleProjection]);
    snapshot_all_sizes("projection-inhale", &inhale);
    insta::assert_snapshot!("projection-inhale-200x60", draw(&inhale, (200, 60)));
    let cue = view_at("before-a-client", 25.0, &[Action::ToggleProjection]);
    snapshot_all_sizes("projection-cue", &cue);
}

#[test]
fn reduced_motion_has_no_belly() {
    let mut p = practice("box-breathing");
    let mut s = SessionScreen::new(&Options {
        reduce_motion: true,
        ..Options::default()
    });
    let now = Duration::from_secs(7);
    let delivered = p.advance(now);
    s.update(&delivered, &p, now);
    // Just after the inhale starts and mid-inhale, the bar is the same: nothing moves.
    assert_eq!(
        s.view(&p, now).fill,
        s.view(&p, Duration::from_millis(5100)).fill
    );
    insta::assert_snapshot!("reduced-motion-80x24", draw(&s.view(&p, now), (80, 24)));
}

#[test]
fn too_small_says_so_and_tiny_sizes_do_not_panic() {
    let view = view_at("box-breathing", 7.0, &[]);
    insta::assert_snapshot!("too-small-39x11", draw(&view, (39, 11)));
    // Every size a storm of resizes could pass through, including none at all.
    let projected = view_at("box-breathing", 7.0, &[Action::ToggleProjection]);
    let paused = view_at(
        "box-breathing",
        7.0,
        &[Action::TogglePause, Action::ToggleHelp],
    );
    for v in [&view, &projected, &paused] {
        for w in (0..130).step_by(7) {
            for h in (0..40).step_by(3) {
                let area = Rect::new(0, 0, w, h);
                render::session(v, &theme(), area, &mut Buffer::empty(area));
            }
        }
    }
}

#[test]
fn picker() {
    let entries = Library::default()
        .list()
        .into_iter()
        .map(Entry::from_listed)
        .collect();
    let mut picker = Picker::new(entries);
    let render = |p: &Picker, (w, h): (u16, u16)| {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| p.render(&theme(), f.area(), f.buffer_mut()))
            .unwrap();
        format!("{}", terminal.backend())
    };
    for size in SIZES {
        insta::assert_snapshot!(
            format!("picker-{}x{}", size.0, size.1),
            render(&picker, size)
        );
    }
    picker.handle(Action::Down);
    picker.handle(Action::Filter);
    for c in "breath".chars() {
        picker.handle(Action::Char(c));
    }
    insta::assert_snapshot!("picker-filtered-80x24", render(&picker, (80, 24)));

    let mut picker = Picker::new(
        Library::default()
            .list()
            .into_iter()
            .map(Entry::from_listed)
            .collect(),
    );
    picker.handle(Action::Quick);
    for c in "20m every 5m".chars() {
        picker.handle(Action::Char(c));
    }
    insta::assert_snapshot!("picker-quick-80x24", render(&picker, (80, 24)));
    for c in " x".chars() {
        picker.handle(Action::Char(c));
    }
    picker.handle(Action::Select);
    insta::assert_snapshot!("picker-quick-error-80x24", render(&picker, (80, 24)));
}

#[test]
fn a_repeated_group_shows_its_name_and_round() {
    // sit-and-walk: a 10 s countdown and a 10 min sit, then "Walking and sitting" twice.
    let walk = view_at("sit-and-walk", 10.0 + 26.0 * 60.0, &[]);
    assert_eq!(
        walk.round.as_deref(),
        Some("Walking and sitting · round 2 of 2")
    );
    insta::assert_snapshot!("round-80x24", draw(&walk, (80, 24)));
    let projected = view_at(
        "sit-and-walk",
        10.0 + 26.0 * 60.0,
        &[Action::ToggleProjection],
    );
    insta::assert_snapshot!("round-projection-127x35", draw(&projected, (127, 35)));
    let first = view_at("sit-and-walk", 10.0 + 60.0, &[]);
    assert_eq!(first.round, None, "the first sit is in no group");
}

#[test]
fn the_note_is_asked_for_in_plain_sight_in_projection_too() {
    let end = screen_at(
        SessionScreen::new(&Options {
            projection: true,
            ask_note: true,
            ..Options::default()
        }),
        "box-breathing",
        600.0,
        &[],
    );
    assert!(end.note.is_some());
    let screen = draw(&end, (127, 35));
    assert!(screen.contains("a note for your journal?"), "{screen}");
}

#[test]
fn projection_draws_every_script_large() {
    // tests/fixtures/valid/languages.toml: German words, then French, Greek and Russian cues;
    // then Japanese and Chinese.
    for (label, at) in [
        ("projection-german", 2.0 + 5.0),
        ("projection-french", 2.0 + 12.0),
        ("projection-greek", 2.0 + 17.0),
        ("projection-russian", 2.0 + 22.0),
        ("projection-japanese-kanji", 2.0 + 35.0),
        ("projection-japanese-kana", 2.0 + 42.0),
        ("projection-chinese", 2.0 + 52.0),
    ] {
        let view = view_at("languages", at, &[Action::ToggleProjection]);
        let screen = draw(&view, (127, 35));
        // The words are drawn in block letters, not as text.
        let words = view.cue.as_deref().or(view.text.as_deref()).unwrap();
        assert!(!screen.contains(words), "{label}: drawn as plain text");
        insta::assert_snapshot!(format!("{label}-127x35"), screen);
    }
}

#[test]
fn a_bell_is_seen_as_well_as_heard_unless_motion_is_reduced() {
    // box-breathing: the opening bell sounds as the 5 s countdown ends.
    let view = view_at("box-breathing", 6.0, &[]);
    assert!(view.bell);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| render::session(&view, &theme(), f.area(), f.buffer_mut()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let marked: Vec<_> = buffer
        .content()
        .iter()
        .filter(|c| c.symbol() == "◯")
        .collect();
    assert_eq!(marked.len(), 1, "{}", terminal.backend());
    assert_eq!(
        marked[0].fg,
        theme().fill,
        "the mark is in the breath's colour"
    );
    let projected = view_at("box-breathing", 6.0, &[Action::ToggleProjection]);
    assert!(draw(&projected, (127, 35)).contains("◯"));
    assert!(
        !view_at("box-breathing", 8.0, &[]).bell,
        "brief: gone after 2.5 s"
    );

    let mut calm = practice("box-breathing");
    let mut still = SessionScreen::new(&Options {
        reduce_motion: true,
        ..Options::default()
    });
    let now = Duration::from_secs(6);
    let delivered = calm.advance(now);
    still.update(&delivered, &calm, now);
    assert!(!still.view(&calm, now).bell);
}

#[test]
fn projection_says_what_the_countdown_counts_and_shows_time_left_on_request() {
    let countdown = view_at("box-breathing", 1.0, &[Action::ToggleProjection]);
    let screen = draw(&countdown, (200, 60));
    assert!(!screen.contains("left"), "a bare room screen by default");
    insta::assert_snapshot!("projection-countdown-200x60", screen);
    let timed = view_at(
        "box-breathing",
        7.0,
        &[Action::ToggleProjection, Action::ToggleTimeLeft],
    );
    let screen = draw(&timed, (127, 35));
    assert!(screen.contains("03:58 left"), "{screen}");
}
