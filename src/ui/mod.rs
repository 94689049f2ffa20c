//! The full-screen front end: the picker and the session view in the terminal.
//!
//! One loop per screen: take what fell due, build the view, draw it only if it changed, then
//! sleep until the next visible change or an input. Input arrives on a channel from a reader
//! thread, together with stop signals, so the loop waits on one thing.

pub mod action;
pub mod bigtext;
pub mod breath;
pub mod picker;
pub mod render;
pub mod session;
pub mod theme;

use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::{cursor, execute};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::audio::output::Audio;
use crate::engine::{Clock, RealClock};
use crate::journal::{self, Ending};
use crate::timeline::Timeline;
use action::{Action, keymap, text_keymap};
use picker::{Choice, Entry, Picker};
use session::{Outcome, SessionScreen};
use theme::Theme;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub theme: Theme,
    pub projection: bool,
    pub reduce_motion: bool,
    /// Offer a note for the journal when a session ends.
    pub ask_note: bool,
}

enum Input {
    Key(event::KeyEvent),
    Resize,
    /// SIGINT, SIGTERM or SIGHUP.
    Stop,
}

/// The stderr that was there before the full-screen view pointed it at the log.
static ORIGINAL_STDERR: OnceLock<OwnedFd> = OnceLock::new();

/// While the view is up, stderr goes to a log file, so nothing a library prints (ALSA is
/// chatty) lands on the screen.
fn redirect_stderr(log: &PathBuf) -> io::Result<()> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    if ORIGINAL_STDERR.get().is_none() {
        let _ = ORIGINAL_STDERR.set(rustix::io::dup(std::io::stderr())?);
    }
    rustix::stdio::dup2_stderr(&file)?;
    Ok(())
}

fn restore_stderr() {
    if let Some(fd) = ORIGINAL_STDERR.get() {
        let _ = rustix::stdio::dup2_stderr(fd);
    }
}

/// Where the view's stderr goes.
pub fn log_path() -> Option<PathBuf> {
    let dirs = crate::config::project_dirs()?;
    let dir = dirs.state_dir().unwrap_or(dirs.data_local_dir());
    Some(dir.join("hara.log"))
}

/// Gives the terminal back: cursor shown, raw mode off, main screen, stderr restored.
fn restore_terminal() {
    let _ = execute!(io::stdout(), cursor::Show);
    ratatui::restore();
    restore_stderr();
}

/// Sets up the terminal, runs `f`, and gives the terminal back however `f` ends: normally,
/// with an error, on a stop signal, or in a panic.
fn with_terminal<R>(
    f: impl FnOnce(&mut DefaultTerminal, &Receiver<Input>) -> io::Result<R>,
) -> io::Result<R> {
    // The panic message must reach the real stderr: put it back before the default hook
    // prints. ratatui's own hook (installed by `try_init`, below) restores the terminal
    // first and then calls this one.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_stderr();
        default_hook(info);
    }));
    if let Some(log) = log_path() {
        // Without a log file the view still works; library noise may then show.
        let _ = redirect_stderr(&log);
    }
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(e);
        }
    };

    let (tx, rx) = mpsc::channel();
    let keys = tx.clone();
    std::thread::spawn(move || {
        while let Ok(e) = event::read() {
            let input = match e {
                Event::Key(k) => Input::Key(k),
                Event::Resize(..) => Input::Resize,
                _ => continue,
            };
            if keys.send(input).is_err() {
                break;
            }
        }
    });
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if tx.send(Input::Stop).is_err() {
                break;
            }
        }
    });

    let result = f(&mut terminal, &rx);
    handle.close();
    restore_terminal();
    result
}

/// Runs one session in the view; the flag says a stop signal ended it.
fn session_loop(
    terminal: &mut DefaultTerminal,
    rx: &Receiver<Input>,
    timeline: Timeline,
    speed: u32,
    audio: &mut Audio,
    options: &Options,
) -> io::Result<(Ending, bool)> {
    let started = journal::now_local();
    let clock = RealClock::new(speed);
    let mut screen = SessionScreen::new(
        timeline,
        clock.now(),
        options.projection,
        options.reduce_motion,
        options.ask_note,
    );
    let mut shown = None;
    let mut stopped = false;
    loop {
        let now = clock.now();
        for d in screen.advance(now) {
            audio.event(&d.kind);
        }
        let mut view = screen.view(now);
        view.sound = audio.status();
        if shown.as_ref() != Some(&view) {
            terminal.draw(|frame| {
                render::session(&view, &options.theme, frame.area(), frame.buffer_mut())
            })?;
            shown = Some(view);
        }
        let wait = screen
            .next_wake(now)
            .map_or(Duration::from_secs(3600), |t| clock.wait_until(t));
        let action = match rx.recv_timeout(wait) {
            Ok(Input::Key(key)) if screen.wants_text(clock.now()) => text_keymap(key),
            Ok(Input::Key(key)) => keymap(key),
            Ok(Input::Resize) => {
                // Draw again at the new size, even though the view is the same.
                shown = None;
                None
            }
            Ok(Input::Stop) | Err(RecvTimeoutError::Disconnected) => {
                stopped = true;
                Some(Action::ForceQuit)
            }
            Err(RecvTimeoutError::Timeout) => None,
        };
        let action = match action {
            Some(Action::ToggleMute) => {
                audio.toggle_mute();
                None
            }
            Some(Action::VolumeDown) => {
                audio.change_volume(-0.1);
                None
            }
            Some(Action::VolumeUp) => {
                audio.change_volume(0.1);
                None
            }
            other => other,
        };
        if let Some(action) = action {
            let now = clock.now();
            let completed = screen.is_finished(now) && !stopped;
            let step = screen.engine().status(now).step;
            if screen.handle(action, now) == Outcome::Leave {
                let ending = Ending {
                    started,
                    practised: screen.engine().practised(now),
                    completed,
                    step,
                    note: screen.note(),
                };
                return Ok((ending, stopped));
            }
        }
    }
}

/// `hara run`: one session, full screen, at `speed` times real time.
pub fn run_session(
    timeline: Timeline,
    speed: u32,
    audio: &mut Audio,
    options: Options,
) -> io::Result<Ending> {
    with_terminal(|terminal, rx| {
        session_loop(terminal, rx, timeline, speed, audio, &options).map(|(ending, _)| ending)
    })
}

/// `hara`: the picker; a chosen session runs, `record` is told how it ended, and the picker
/// comes back. Returns the last session's ending, if one ran.
pub fn run_picker(
    entries: Vec<Entry>,
    options: Options,
    open_audio: &dyn Fn(&Timeline) -> Audio,
    record: &mut dyn FnMut(&Timeline, &str, &Ending),
) -> io::Result<Option<Ending>> {
    with_terminal(|terminal, rx| {
        let mut picker = Picker::new(entries);
        let mut last = None;
        loop {
            terminal
                .draw(|frame| picker.render(&options.theme, frame.area(), frame.buffer_mut()))?;
            let action = match rx.recv() {
                Ok(Input::Key(key)) if picker.typing() => text_keymap(key),
                Ok(Input::Key(key)) => keymap(key),
                Ok(Input::Resize) => None,
                Ok(Input::Stop) | Err(_) => return Ok(last),
            };
            let Some(action) = action else { continue };
            match picker.handle(action) {
                Choice::Stay => {}
                Choice::Quit => return Ok(last),
                Choice::Start(timeline, source) => {
                    let mut audio = open_audio(&timeline);
                    let (ending, stopped) =
                        session_loop(terminal, rx, (*timeline).clone(), 1, &mut audio, &options)?;
                    record(&timeline, &source, &ending);
                    last = Some(ending);
                    if stopped {
                        return Ok(last);
                    }
                }
            }
        }
    })
}
