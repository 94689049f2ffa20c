//! The command line: argument definitions and what each command does.

mod check;
mod journal;
mod list;
mod new;
mod quick;
mod render;
mod run;
mod say;
mod share;
mod show;
mod sound;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::session::Checked;
use crate::session::format::Session;
use crate::session::library::{Found, Library};
use crate::settings::Settings;
use crate::timeline::Timeline;
use crate::ui;
use crate::ui::theme::ThemeName;

#[derive(Debug, Parser)]
#[command(
    name = "hara",
    version,
    about = "A guided hara-breathing and meditation timer for the terminal",
    long_about = "A guided hara-breathing and meditation timer for the terminal.\n\n\
        Sessions are TOML files: built-in ones ship with hara, your own live in \
        $XDG_CONFIG_HOME/hara/sessions (or any folder given with --dir). \
        A SESSION argument is a built-in name, the name of one of your sessions, or a path.",
    after_help = "Start with `hara list`, then `hara show before-a-client`. \
        Write your own with `hara new my-session.toml`."
)]
pub struct Cli {
    /// Also look for sessions in this folder (searched before the configured ones; repeatable)
    #[arg(long = "dir", value_name = "DIR", global = true)]
    pub dirs: Vec<PathBuf>,

    /// Read this configuration file instead of $XDG_CONFIG_HOME/hara/config.toml (or set
    /// HARA_CONFIG)
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub view: ViewArgs,

    #[command(flatten)]
    pub journal: journal::JournalArgs,

    #[command(flatten)]
    pub sound: sound::SoundArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How the full-screen view looks.
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Colours: calm (the default), light, or contrast for projectors (or set HARA_THEME, or
    /// `theme` in the config file); NO_COLOR turns colour off
    #[arg(long, value_enum, global = true)]
    pub theme: Option<ThemeName>,
    /// Start in the projection view: huge phase and countdown, for a room
    #[arg(long, global = true)]
    pub project: bool,
    /// No animation: phases as words and a still bar
    #[arg(long, global = true)]
    pub reduce_motion: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in sessions and your own, with their lengths
    List,
    /// Run a session: the countdown, then every step, breath, cue and bell on time
    Run(run::RunArgs),
    /// A quick silent sit: a bowl, the time, a bowl (`hara sit 20m --every 5m`); takes every
    /// option of `hara run`
    Sit(quick::SitArgs),
    /// Quick paced breathing: one pattern for a time or a number of breaths (`hara breathe
    /// 4-7-8 5m`); takes every option of `hara run`
    Breathe(quick::BreatheArgs),
    /// Check session files and report every problem with its position
    Check {
        /// Session files (or names) to check
        #[arg(required = true, value_name = "SESSION")]
        sessions: Vec<String>,
    },
    /// Show a session's plan: steps with start times, breath patterns, cues and bells
    Show {
        /// A built-in name, one of your sessions, or a path
        session: String,
        /// Print the full timeline (every event, times in milliseconds) as JSON
        #[arg(long)]
        json: bool,
        /// Show the plan scaled as `hara run` would scale it
        #[command(flatten)]
        fit: run::FitArgs,
        #[command(flatten)]
        seed: run::SeedArgs,
        /// Times after an open step are shown without it (marked +) unless this says how long it lasts
        #[command(flatten)]
        open: run::OpenForArgs,
    },
    /// Write a commented template session to start from (never overwrites)
    New {
        /// Where to write it, e.g. my-session.toml
        path: PathBuf,
    },
    /// List the principle cards that sessions can draw cues from
    Principles,
    /// A second terminal on a run going on in another one: the teacher's view (what is now,
    /// what comes next and when, the plan), and its keys act on the run
    Attach {
        /// The process id of the run (default: the newest)
        pid: Option<u32>,
    },
    /// Sound check: strike a bell (can the back row hear it?) and say which output played it
    Chime(sound::ChimeArgs),
    /// List the sound outputs
    Devices,
    /// Speak one line through hara's own mix, as a spoken cue is (a check of the speech engine)
    Say(say::SayArgs),
    /// List the speech engine's voices (eSpeak NG), for one language or all
    Voices {
        /// A language, e.g. de or en-GB
        lang: Option<String>,
    },
    /// Write the session's audio track (bells and breath tones) to a WAV file
    Render(render::RenderArgs),
    /// Recent sessions from the practice journal; `hara log add` adds one done without hara
    Log(journal::LogArgs),
    /// Time practised: totals, minutes a week, the most practised sessions
    Stats(journal::StatsArgs),
    /// Your practice as pictures, full screen: minutes a day, a year of days, the most
    /// practised sessions and each month's entries (← → move through the months)
    Journal,
    /// The practice journal for a spreadsheet
    Export(journal::ExportArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The command line with the keys of the full-screen view in `hara run --help` (from the
/// same table the help overlay shows).
pub fn command() -> clap::Command {
    use ui::action::{Scope, help_rows};
    let width = help_rows(Scope::Session)
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let keys: String = help_rows(Scope::Session)
        .map(|(key, what)| format!("  {key:width$}  {what}\n"))
        .collect();
    let after = format!("Keys in the full-screen view:\n{keys}");
    let mut command = Cli::command();
    for name in ["run", "sit", "breathe"] {
        command = command.mut_subcommand(name, |c| c.after_help(after.clone()));
    }
    command
}

/// Runs the command line. Errors that are not a report of their own (such as a session
/// that cannot be found) come back to `main`, which prints them and exits 1.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let command = cli.command.as_ref();
    if let Some(Command::Completions { shell }) = command {
        return list::completions(*shell);
    }
    if let Some(Command::New { path }) = command {
        return new::run(path);
    }
    if let Some(Command::Principles) = command {
        return list::principles();
    }
    if let Some(Command::Devices) = command {
        return sound::list_devices();
    }
    if let Some(Command::Voices { lang }) = command {
        return say::voices(lang.as_deref());
    }
    let settings = Settings::resolve(&cli)?;
    let library = Library {
        session_dirs: settings.session_dirs.clone(),
        sound_dirs: settings.sound_dirs.clone(),
        decoder: Some(crate::audio::files::playable),
    };
    let journal = settings.journal.clone();
    let view = settings.view();
    match command {
        None if ui::can_draw() => {
            let open_audio = |t: &Timeline| {
                sound::open(&settings, t).unwrap_or_else(|_| crate::audio::output::Audio::silent())
            };
            let calendar = settings.calendar();
            let read_journal = || journal::read_history(settings.journal.as_deref(), &calendar);
            list::pick(
                &library,
                view,
                &open_audio,
                journal.as_deref(),
                &read_journal,
            )
        }
        None | Some(Command::List) => list::run(&library, command.is_none()),
        Some(Command::Check { sessions }) => check::run(&library, sessions, &settings.speech),
        Some(Command::Show {
            session,
            json,
            fit,
            seed,
            open,
        }) => show::run(&library, session, *json, fit, seed, open),
        Some(Command::Run(args)) => run::run(&library, args, &settings),
        Some(Command::Sit(args)) => quick::sit(args, &settings),
        Some(Command::Breathe(args)) => quick::breathe(args, &settings),
        Some(Command::Attach { pid }) => attach(*pid, &settings),
        Some(Command::Chime(args)) => sound::chime(args, &settings),
        Some(Command::Say(args)) => say::run(args, &settings),
        Some(Command::Render(args)) => render::run(&library, args, &settings),
        Some(Command::Log(args)) => journal::log(&settings, args),
        Some(Command::Stats(args)) => journal::stats(&settings, args),
        Some(Command::Export(_)) => journal::export(journal),
        Some(Command::Journal) => journal::view(&settings),
        Some(
            Command::Principles
            | Command::Devices
            | Command::Voices { .. }
            | Command::New { .. }
            | Command::Completions { .. },
        ) => {
            unreachable!("handled before the library is built")
        }
    }
}

/// `hara attach`.
fn attach(pid: Option<u32>, settings: &Settings) -> Result<ExitCode> {
    let socket = crate::attach::client::connect(crate::attach::folder(), pid)?;
    if !ui::can_draw() {
        anyhow::bail!("hara attach needs a terminal it can draw on");
    }
    let ended = ui::run_attached(socket, settings.view()).context("the terminal view failed")?;
    if ended {
        let _ = writeln!(std::io::stdout(), "The run has ended.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a file's diagnostics on stderr.
fn report(found: &Found, checked: &Checked) -> std::io::Result<()> {
    let source = String::from_utf8_lossy(&found.bytes);
    crate::output::eprint(&checked.render(&found.display, &source, stderr_color()))
}

/// A session to show or run. When it has errors they are reported, and the error says so.
fn load(library: &Library, spec: &str) -> Result<(Session, Timeline)> {
    load_found(library, library.find(spec)?)
}

fn load_found(library: &Library, found: Found) -> Result<(Session, Timeline)> {
    let checked = library.check(&found);
    match checked.session {
        Some(session) => Ok(session),
        None => {
            report(&found, &checked)?;
            anyhow::bail!(
                "{} is not a valid session",
                crate::text::clean_line(&found.display)
            )
        }
    }
}

/// Colour for diagnostics on stderr: only on a terminal, and never with NO_COLOR set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
