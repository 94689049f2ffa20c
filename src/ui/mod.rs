//! The full-screen front end: the picker and the session view in the terminal.
//!
//! One loop per screen: take what fell due, build the view, draw it only if it changed, then
//! wait until the next visible change or an input. Keys arrive in the practice's inbox from
//! a reader thread, together with the signals, so the loop waits on one thing. The run
//! itself (engine, clock, sound, ending) is the [`Practice`]'s; this module only shows it.

pub mod action;
pub mod bigtext;
pub mod breath;
pub mod charts;
pub mod journal;
pub mod picker;
pub mod render;
pub mod session;
pub mod teacher;
pub mod theme;

use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::mpsc::Sender;

use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::{Position, Rect};
use ratatui::style::Color;
use ratatui::{DefaultTerminal, Terminal, TerminalOptions, Viewport};

use crate::audio::output::Audio;
use crate::engine::{Clock, RealClock};
use crate::journal::{Ending, History};
use crate::practice::{Inbox, Inputs, Practice, Wake};
use crate::session::compile::compile;
use crate::timeline::Timeline;
use action::{Action, Scope, keymap, text_keymap};
use picker::{Choice, Entry, Picker, Redraw};
use session::{Mode, SessionScreen, SessionView};
use theme::Theme;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub theme: Theme,
    pub projection: bool,
    pub reduce_motion: bool,
    /// Offer a note for the journal when a session ends.
    pub ask_note: bool,
    /// Show the time left in the projection view (it always shows in the standard view).
    pub time_left: bool,
}

impl Default for Options {
    /// The calm theme in colour, the standard view, nothing asked at the end.
    fn default() -> Self {
        Options {
            theme: Theme::new(theme::ThemeName::Calm, true),
            projection: false,
            reduce_motion: false,
            ask_note: false,
            time_left: false,
        }
    }
}

/// Whether the full-screen view can be drawn: output is a terminal, and one that says what
/// it is (`TERM` set, and not `dumb`). Otherwise hara prints plain lines.
pub fn can_draw() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal() && std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb")
}

/// What the terminal sends the full-screen view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(event::KeyEvent),
    Resize,
    /// The run as it stands, for the teacher's screen (`hara attach`).
    Board(Box<crate::attach::Board>),
    /// The run being followed has ended (its socket closed).
    Gone,
}

/// The stderr that was there before the full-screen view pointed it at the log.
static ORIGINAL_STDERR: OnceLock<OwnedFd> = OnceLock::new();

/// While the view is up, stderr goes to a log file, so nothing a library prints (ALSA is
/// chatty) lands on the screen.
fn redirect_stderr(log: &PathBuf) -> io::Result<()> {
    let _swap = crate::output::stderr_swap();
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    if ORIGINAL_STDERR.get().is_none() {
        let _ = ORIGINAL_STDERR.set(crate::output::saved_stderr()?);
    }
    rustix::stdio::dup2_stderr(&file)?;
    Ok(())
}

fn restore_stderr() {
    let _swap = crate::output::stderr_swap();
    restore_stderr_now();
}

/// In a panic the lock may be held by the very code that panicked: put stderr back without it.
fn restore_stderr_now() {
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

/// The background asked of the terminal, if any: to give back on leaving, and to ask for
/// again after a suspend.
static BACKGROUND: std::sync::Mutex<Option<(u8, u8, u8)>> = std::sync::Mutex::new(None);

fn ask_background((r, g, b): (u8, u8, u8)) -> io::Result<()> {
    let mut out = io::stdout();
    write!(out, "\x1b]11;rgb:{r:02x}/{g:02x}/{b:02x}\x1b\\")?;
    out.flush()
}

/// A theme that paints its own background (contrast, light) asks the terminal for that
/// background too (OSC 11): otherwise the strip a terminal keeps outside its grid of cells
/// (xterm's border, the rest of a row too short for a cell) stays in the terminal's colour, a
/// white band under a black room screen. Terminals that do not know OSC 11 ignore it.
fn set_terminal_background(color: Color) {
    let rgb = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Black => (0, 0, 0),
        Color::White => (255, 255, 255),
        _ => return,
    };
    if ask_background(rgb).is_ok() {
        *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()) = Some(rgb);
    }
}

/// Gives the terminal back: its own background, cursor shown, raw mode off, main screen,
/// stderr restored. Quietly: the terminal may be gone (its window closed), and a message
/// about that would have nowhere to go.
fn restore_terminal() {
    if BACKGROUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .is_some()
    {
        // OSC 111: the terminal's own background again.
        let mut out = io::stdout();
        let _ = write!(out, "\x1b]111\x1b\\").and_then(|()| out.flush());
    }
    let _ = execute!(io::stdout(), cursor::Show);
    let _ = ratatui::try_restore();
    restore_stderr();
}

/// Points stderr at the log while the view is up. Without a log file the view still works;
/// library noise may then show.
fn quiet_stderr() {
    if let Some(log) = log_path() {
        let _ = redirect_stderr(&log);
    }
}

/// Raw mode, the alternate screen, no cursor, and stderr to the log: the terminal as the
/// view wants it.
fn enter_terminal() -> io::Result<()> {
    quiet_stderr();
    if let Some(rgb) = *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()) {
        ask_background(rgb)?;
    }
    ratatui::crossterm::terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen,
        cursor::Hide
    )
}

/// Sets up the terminal, runs `f`, and gives the terminal back however `f` ends: normally,
/// with an error, on a stop signal, or in a panic. Keys and resizes go to `inputs`.
fn with_terminal<R>(
    inputs: Sender<Wake<Input>>,
    theme: &Theme,
    f: impl FnOnce(&mut DefaultTerminal) -> io::Result<R>,
) -> io::Result<R> {
    // The panic message must reach the real stderr: put it back before the default hook
    // prints. ratatui's own hook (installed by `try_init`, below) restores the terminal
    // first and then calls this one.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_stderr_now();
        default_hook(info);
    }));
    quiet_stderr();
    // A fixed viewport, fitted again on every resize ([`fit`]): a full-screen one asks the
    // terminal its size before every frame, and crossterm opens /dev/tty to ask.
    let area = match ratatui::crossterm::terminal::size() {
        Ok((width, height)) => Rect::new(0, 0, width, height),
        Err(e) => {
            restore_terminal();
            return Err(e);
        }
    };
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    // Unlike `try_init`, this leaves the alternate screen to us.
    let terminal = ratatui::try_init_with_options(options).and_then(|t| {
        execute!(
            io::stdout(),
            ratatui::crossterm::terminal::EnterAlternateScreen
        )?;
        Ok(t)
    });
    let mut terminal = match terminal {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(e);
        }
    };
    set_terminal_background(theme.background);
    std::thread::spawn(move || {
        while let Ok(e) = event::read() {
            let input = match e {
                Event::Key(k) => Input::Key(k),
                Event::Resize(..) => Input::Resize,
                _ => continue,
            };
            if inputs.send(Wake::Input(input)).is_err() {
                break;
            }
        }
    });
    let result = f(&mut terminal);
    // The cursor is shown here, so that dropping the terminal has nothing left to do: its
    // own attempt would complain on stderr, which by then may be a closed terminal.
    let _ = terminal.show_cursor();
    drop(terminal);
    restore_terminal();
    result
}

/// Fits the terminal's viewport to the terminal's size, after a resize (or a stop, during
/// which the window may have changed). Nothing happens when the size is the same.
fn fit<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    let area = Rect::from((Position::ORIGIN, terminal.size()?));
    if area != terminal.get_frame().area() {
        terminal.resize(area)?;
    }
    Ok(())
}

/// Ctrl-Z: gives the terminal back, stops the process as the shell expects, and on `fg`
/// sets the terminal up again and draws everything anew.
fn suspend(terminal: &mut DefaultTerminal) -> io::Result<()> {
    restore_terminal();
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    refresh(terminal)
}

/// After the process went on from a stop it did not ask for (SIGSTOP, then SIGCONT), the
/// shell may have put the terminal back to normal: set it up again and draw everything.
fn refresh(terminal: &mut DefaultTerminal) -> io::Result<()> {
    enter_terminal()?;
    execute!(
        io::stdout(),
        ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
    )?;
    // `Terminal::clear` would ask the terminal where its cursor is, and the answer goes to
    // the key reader thread instead. Forgetting what was drawn (both buffers reset) makes the
    // next draw a whole one just the same.
    terminal.swap_buffers();
    fit(terminal)
}

/// Why the session loop handed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The person left (or the session ended and they pressed a key).
    Left,
    /// A stop signal ended it.
    Stopped,
    /// Ctrl-Z or SIGTSTP: the terminal should be given back until the process goes on.
    Suspend,
    /// The process went on after an outside stop: set the terminal up again.
    Refresh,
}

/// Runs the session screen on `practice` until it is left, a stop comes, or the terminal
/// must be given back. Generic over the backend and the clock, so a test drives it with
/// ratatui's `TestBackend` and a [`Script`](crate::practice::Script) on a manual clock.
pub fn session_loop<B: Backend, C: Clock>(
    terminal: &mut Terminal<B>,
    screen: &mut SessionScreen,
    practice: &mut Practice<C>,
    inputs: &mut dyn Inputs<Input>,
    theme: &Theme,
) -> Result<Exit, B::Error> {
    let mut shown = None;
    let mut stopped = false;
    loop {
        let now = practice.now();
        let delivered = practice.advance(now);
        screen.update(&delivered, practice, now);
        if matches!(screen.mode(), Mode::Left { .. }) {
            return Ok(if stopped { Exit::Stopped } else { Exit::Left });
        }
        let view = screen.view(practice, now);
        if shown.as_ref().is_some_and(|s| big_letters_change(s, &view)) {
            // Some terminals leave pieces of big block letters behind when they change in
            // place (a glyph drawn past its cell); a whole new screen leaves none. Cues and
            // the projection toggle change seldom, so this costs nothing that shows.
            terminal.backend_mut().clear()?;
            terminal.swap_buffers();
        }
        if shown.as_ref() != Some(&view) {
            terminal
                .draw(|frame| render::session(&view, theme, frame.area(), frame.buffer_mut()))?;
            shown = Some(view);
        }
        let action = match inputs.wait(screen.next_wake(practice, now), practice.clock()) {
            None => None,
            Some(Wake::Input(Input::Key(key))) if screen.wants_text() => {
                text_keymap(key, Scope::Session)
            }
            Some(Wake::Input(Input::Key(key))) => keymap(key, Scope::Session),
            Some(Wake::Input(Input::Resize)) => {
                // Draw again at the new size, even though the view is the same.
                fit(terminal)?;
                shown = None;
                None
            }
            Some(Wake::Input(Input::Board(_) | Input::Gone)) => None,
            Some(Wake::Stop) => {
                stopped = true;
                Some(Action::ForceQuit)
            }
            Some(Wake::Suspend) => Some(Action::Suspend),
            Some(Wake::Continue) => return Ok(Exit::Refresh),
            // From a teacher's terminal on the same run: it acts on the run, whatever this
            // screen is showing.
            Some(Wake::Control(control)) => {
                practice.apply(control, practice.now());
                None
            }
        };
        if let Some(action) = action {
            screen.handle(action, practice, practice.now());
            if action == Action::Suspend {
                return Ok(Exit::Suspend);
            }
        }
    }
}

/// Whether the big letters of the projection view change between two views (other than its
/// phase word, whose whole-cell letters are painted, not drawn).
fn big_letters_change(before: &SessionView, after: &SessionView) -> bool {
    (before.projection || after.projection)
        && (before.projection != after.projection
            || before.cue != after.cue
            || before.text != after.text
            || before.state != after.state)
}

/// The session loop on the real terminal, through suspends; true when a stop signal ended it.
fn run_screen(
    terminal: &mut DefaultTerminal,
    screen: &mut SessionScreen,
    practice: &mut Practice<RealClock>,
    inbox: &mut Inbox<Input>,
    theme: &Theme,
) -> io::Result<bool> {
    loop {
        match session_loop(terminal, screen, practice, inbox, theme)? {
            Exit::Left => return Ok(false),
            Exit::Stopped => return Ok(true),
            Exit::Suspend => suspend(terminal)?,
            Exit::Refresh => refresh(terminal)?,
        }
    }
}

fn session_screen(options: &Options) -> SessionScreen {
    SessionScreen::new(options)
}

/// `hara run`: one practice, full screen. Returns the note typed at the end, if any; the
/// caller finishes the practice (so it is recorded even when the terminal fails).
pub fn run_session(
    practice: &mut Practice<RealClock>,
    inbox: &mut Inbox<Input>,
    options: Options,
) -> io::Result<Option<String>> {
    with_terminal(inbox.sender(), &options.theme, |terminal| {
        let mut screen = session_screen(&options);
        run_screen(terminal, &mut screen, practice, inbox, &options.theme)?;
        Ok(screen.note())
    })
}

/// Reads the journal for its view: the history, and how many lines could not be read; or
/// why there is none to show.
pub type ReadJournal<'a> = &'a dyn Fn() -> Result<(History, usize), String>;

/// `hara`: the picker; a chosen session runs, `record` is told how it ended, and the picker
/// comes back; `j` opens the journal view, read anew each time. Returns the last session's
/// ending, if one ran.
pub fn run_picker(
    entries: Vec<Entry>,
    options: Options,
    open_audio: &dyn Fn(&Timeline) -> Audio,
    record: &mut dyn FnMut(&Timeline, &str, &Ending),
    read_journal: ReadJournal,
) -> io::Result<Option<Ending>> {
    let mut inbox = Inbox::new(true)?;
    // The last practice is kept until the picker closes, so its closing bell rings out.
    let mut last: Option<(Practice<RealClock>, Ending)> = None;
    let closed_by_signal = with_terminal(inbox.sender(), &options.theme, |terminal| {
        let mut picker = Picker::new(entries);
        loop {
            terminal
                .draw(|frame| picker.render(&options.theme, frame.area(), frame.buffer_mut()))?;
            let action = match inbox.wait(None, &RealClock::new(1)) {
                Some(Wake::Input(Input::Key(key))) if picker.typing() => {
                    text_keymap(key, Scope::Picker)
                }
                Some(Wake::Input(Input::Key(key))) => keymap(key, Scope::Picker),
                Some(Wake::Input(Input::Resize)) => {
                    fit(terminal)?;
                    None
                }
                // Between sessions there is no run to control.
                Some(Wake::Input(Input::Board(_) | Input::Gone) | Wake::Control(_)) | None => None,
                Some(Wake::Suspend) => Some(Action::Suspend),
                Some(Wake::Continue) => {
                    refresh(terminal)?;
                    None
                }
                Some(Wake::Stop) => return Ok(true),
            };
            match action.map(|a| picker.handle(a)) {
                None | Some(Choice::Stay) => {}
                Some(Choice::Suspend) => suspend(terminal)?,
                Some(Choice::Quit) => return Ok(false),
                Some(Choice::Journal) => match read_journal() {
                    Ok((history, skipped)) => {
                        let mut screen = journal::JournalScreen::new(history, skipped);
                        if journal::browse(terminal, &mut screen, &mut inbox, &options.theme)? {
                            return Ok(true);
                        }
                    }
                    Err(why) => picker.say(why),
                },
                Some(Choice::Start(timeline, source, redraw)) => {
                    // Bells at random are drawn anew for each run, as `hara run` draws them.
                    let timeline = match redraw {
                        Some(Redraw(session)) => compile(&session, crate::practice::new_seed())
                            .map_or(timeline, Box::new),
                        None => timeline,
                    };
                    let audio = open_audio(&timeline);
                    let mut practice = Practice::new((*timeline).clone(), RealClock::new(1), audio);
                    let mut screen = session_screen(&options);
                    let ran = run_screen(
                        terminal,
                        &mut screen,
                        &mut practice,
                        &mut inbox,
                        &options.theme,
                    );
                    let ending = practice.finish(screen.note(), practice.now());
                    record(&timeline, &source, &ending);
                    last = Some((practice, ending));
                    if ran? {
                        return Ok(true);
                    }
                }
            }
        }
    })?;
    let Some((practice, ending)) = last else {
        return Ok(None);
    };
    if ending.completed && !closed_by_signal {
        practice.ring_out(&mut inbox);
    }
    Ok(Some(ending))
}

/// `hara attach`: the teacher's screen on the run at the other end of `socket`, until the
/// person leaves (q) or the run ends. Returns whether the run ended.
pub fn run_attached(socket: std::os::unix::net::UnixStream, options: Options) -> io::Result<bool> {
    use std::io::BufRead;
    let mut inbox = Inbox::<Input>::new(true)?;
    let boards = inbox.sender();
    let reader = socket.try_clone()?;
    std::thread::Builder::new()
        .name("hara-attached".into())
        .spawn(move || {
            for line in io::BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                if let Ok(board) = serde_json::from_str(&line)
                    && boards
                        .send(Wake::Input(Input::Board(Box::new(board))))
                        .is_err()
                {
                    return;
                }
            }
            let _ = boards.send(Wake::Input(Input::Gone));
        })?;
    let mut socket = socket;
    let clock = RealClock::new(1);
    with_terminal(inbox.sender(), &options.theme, |terminal| {
        // The latest board, and the clock reading it came at.
        let mut board: Option<(crate::attach::Board, std::time::Duration)> = None;
        let mut shown = None;
        loop {
            let now = clock.now();
            let view = board.as_ref().map(|(b, at)| {
                teacher::view(b, now.saturating_sub(*at), &jiff::ZonedDateTime::now())
            });
            if view.is_some() && view != shown {
                terminal.draw(|frame| {
                    if let Some(v) = &view {
                        teacher::render(v, &options.theme, frame.area(), frame.buffer_mut());
                    }
                })?;
                shown = view;
            }
            let wake = board.as_ref().and_then(|(b, at)| {
                teacher::next_wake(b, now.saturating_sub(*at)).map(|w| *at + w)
            });
            let action = match inbox.wait(wake, &clock) {
                Some(Wake::Input(Input::Board(b))) => {
                    board = Some((*b, clock.now()));
                    None
                }
                Some(Wake::Input(Input::Gone)) => return Ok(true),
                Some(Wake::Input(Input::Key(key))) => keymap(key, Scope::Session),
                Some(Wake::Input(Input::Resize)) => {
                    fit(terminal)?;
                    shown = None;
                    None
                }
                Some(Wake::Suspend) => Some(Action::Suspend),
                Some(Wake::Continue) => {
                    refresh(terminal)?;
                    shown = None;
                    None
                }
                Some(Wake::Stop) => return Ok(false),
                Some(Wake::Control(_)) | None => None,
            };
            match action.and_then(teacher::answer) {
                Some(teacher::Answer::Leave) => return Ok(false),
                Some(teacher::Answer::Send(control)) => {
                    let mut line = serde_json::to_string(&control).map_err(io::Error::other)?;
                    line.push('\n');
                    if socket.write_all(line.as_bytes()).is_err() {
                        return Ok(true);
                    }
                }
                None if action == Some(Action::Suspend) => {
                    suspend(terminal)?;
                    shown = None;
                }
                None => {}
            }
        }
    })
}
