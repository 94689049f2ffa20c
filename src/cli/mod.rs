//! The command line: argument definitions and what each command does.

mod check;
mod journal;
mod list;
mod new;
mod render;
mod run;
mod show;
mod sound;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::config::{self, Config};
use crate::diag;
use crate::session::Checked;
use crate::session::format::Session;
use crate::session::library::{Found, Library};
use crate::timeline::Timeline;
use crate::ui;
use crate::ui::theme::{Theme, ThemeName};

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

    /// Read this configuration file instead of $XDG_CONFIG_HOME/hara/config.toml
    #[arg(long, value_name = "FILE", global = true, env = "HARA_CONFIG")]
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
    /// Colours: calm (the default), light, or contrast for projectors; NO_COLOR turns colour off
    #[arg(long, value_enum, default_value = "calm", global = true)]
    pub theme: ThemeName,
    /// Start in the projection view: huge phase and countdown, for a room
    #[arg(long, global = true)]
    pub project: bool,
    /// No animation: phases as words and a still bar
    #[arg(long, global = true)]
    pub reduce_motion: bool,
}

impl ViewArgs {
    pub fn options(&self) -> ui::Options {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        ui::Options {
            theme: Theme::new(self.theme, color),
            projection: self.project,
            reduce_motion: self.reduce_motion,
            ask_note: false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the built-in sessions and your own, with their lengths
    List,
    /// Run a session: the countdown, then every step, breath, cue and bell on time
    Run(run::RunArgs),
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
    },
    /// Write a commented template session to start from (never overwrites)
    New {
        /// Where to write it, e.g. my-session.toml
        path: PathBuf,
    },
    /// List the principle cards that sessions can draw cues from
    Principles,
    /// Sound check: strike a bell (can the back row hear it?) and say which output played it
    Chime(sound::ChimeArgs),
    /// List the sound outputs
    Devices,
    /// Write the session's audio track (bells and breath tones) to a WAV file
    Render(render::RenderArgs),
    /// Recent sessions from the practice journal
    Log(journal::LogArgs),
    /// Time practised: totals, minutes a week, the most practised sessions
    Stats(journal::StatsArgs),
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
    let width = ui::action::KEYS
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let keys: String = ui::action::KEYS
        .iter()
        .map(|(key, what)| format!("  {key:width$}  {what}\n"))
        .collect();
    Cli::command().mut_subcommand("run", |run| {
        run.after_help(format!("Keys in the full-screen view:\n{keys}"))
    })
}

/// Runs the command line. Errors that are not a report of their own (such as a session
/// that cannot be found) come back to `main`, which prints them and exits 1.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let command = cli.command.as_ref();
    if let Some(Command::Completions { shell }) = command {
        clap_complete::generate(*shell, &mut self::command(), "hara", &mut std::io::stdout());
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::New { path }) = command {
        return new::run(path);
    }
    if let Some(Command::Principles) = command {
        return Ok(list::principles());
    }
    if let Some(Command::Devices) = command {
        return sound::list_devices();
    }
    let Some((config, library)) = setup(&cli)? else {
        return Ok(ExitCode::FAILURE);
    };
    let journal = journal::path(&cli.journal, config.journal.as_deref());
    let mut view = cli.view.options();
    view.ask_note = journal.is_some() && !cli.journal.no_note && config.note.unwrap_or(true);
    match command {
        None if std::io::stdout().is_terminal() => {
            let open_audio = |t: &Timeline| {
                cli.sound
                    .open(&config, t)
                    .unwrap_or_else(|_| crate::audio::output::Audio::silent())
            };
            list::pick(&library, view, &open_audio, journal.as_deref())
        }
        None | Some(Command::List) => list::run(&library, command.is_none()),
        Some(Command::Check { sessions }) => Ok(check::run(&library, sessions)),
        Some(Command::Show { session, json }) => show::run(&library, session, *json),
        Some(Command::Run(args)) => run::run(
            &library,
            args,
            view,
            (&cli.sound, &config),
            journal.as_deref(),
        ),
        Some(Command::Chime(args)) => sound::chime(args, &cli.sound, &config),
        Some(Command::Render(args)) => render::run(&library, args, &cli.sound, &config),
        Some(Command::Log(args)) => journal::log(journal, args),
        Some(Command::Stats(args)) => journal::stats(journal, args),
        Some(Command::Export(_)) => journal::export(journal),
        Some(
            Command::Principles
            | Command::Devices
            | Command::New { .. }
            | Command::Completions { .. },
        ) => {
            unreachable!("handled before the library is built")
        }
    }
}

/// The config file and the session library, from the flags, the config file and the default
/// folders. `None` when the config file has errors (they have been reported).
fn setup(cli: &Cli) -> Result<Option<(Config, Library)>> {
    let explicit = cli.config.is_some();
    let config_path = cli.config.clone().or_else(config::default_path);
    let config = match config_path {
        Some(path) if explicit || path.is_file() => {
            let source = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            match config::parse(&source, base) {
                Ok(c) => c,
                Err(diags) => {
                    eprint!(
                        "{}",
                        diag::render(&diags, &path.display().to_string(), &source, stderr_color())
                    );
                    eprintln!(
                        "error: the config file has errors; fix them or pass --config with another file"
                    );
                    return Ok(None);
                }
            }
        }
        _ => Config::default(),
    };
    let dirs = config::project_dirs();
    let mut session_dirs = cli.dirs.clone();
    session_dirs.extend(config.session_dirs.iter().cloned());
    session_dirs.extend(dirs.as_ref().map(|d| d.config_dir().join("sessions")));
    let mut sound_dirs = config.sound_dirs.clone();
    sound_dirs.extend(dirs.as_ref().map(|d| d.data_dir().join("sounds")));
    let library = Library {
        session_dirs,
        sound_dirs,
        decoder: Some(crate::audio::files::playable),
    };
    Ok(Some((config, library)))
}

/// Prints a file's diagnostics on stderr.
fn report(found: &Found, checked: &Checked) {
    let source = String::from_utf8_lossy(&found.bytes);
    eprint!(
        "{}",
        diag::render(
            &checked.diagnostics,
            &found.display,
            &source,
            stderr_color()
        )
    );
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
            report(&found, &checked);
            anyhow::bail!(
                "{} is not a valid session",
                crate::text::clean_line(&found.display)
            )
        }
    }
}

/// Colour for diagnostics on stderr: only on a terminal, and never with NO_COLOR set.
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
