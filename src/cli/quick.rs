//! `hara sit` and `hara breathe`: quick sessions from the command line, each written as the
//! text of a session file and run like any other (see [`crate::session::quick`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::run::{RunOptions, parse_duration};
use crate::session::check::InstrumentsOnly;
use crate::session::duration;
use crate::session::format::Every;
use crate::session::quick::{Breathe, Length, PREPARE, Problem, Sit, SitLength, Written};
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct SitArgs {
    /// How long to sit, e.g. 20m or 1h (or --open)
    #[arg(value_name = "DURATION", value_parser = parse_duration, required_unless_present = "open")]
    pub length: Option<Duration>,
    /// Sit for as long as you like: a stopwatch between a bowl and a bowl; Enter (or →)
    /// ends it, and the time it took goes into your journal
    #[arg(long)]
    pub open: bool,
    /// A lighter bell at every multiple of this after the start, e.g. 5m; or at random,
    /// each gap drawn from a range, e.g. 3m..7m
    #[arg(long, value_name = "DURATION", value_parser = duration::parse_every)]
    pub every: Option<Every>,
    /// Bells at these times from the start, e.g. "5m,10m,15m"
    #[arg(long, value_name = "TIMES", value_parser = parse_offsets)]
    pub bells: Option<Offsets>,
    #[command(flatten)]
    pub quick: QuickArgs,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct BreatheArgs {
    /// The breath pattern, in seconds as in session files: 4-7-8, 5-5, 4-0-6-0, 2+1-0-6-0
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// How long to breathe, e.g. 5m (or give --breaths)
    #[arg(value_name = "DURATION", value_parser = parse_duration,
        required_unless_present = "breaths", conflicts_with = "breaths")]
    pub length: Option<Duration>,
    /// How many breaths, instead of a time
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub breaths: Option<u32>,
    /// Soft tones rising with the inhale, falling with the exhale
    #[arg(long)]
    pub tones: bool,
    /// Change the pattern breath by breath to this one by the last breath, e.g. 4-0-8-0
    #[arg(long, value_name = "PATTERN")]
    pub to: Option<String>,
    #[command(flatten)]
    pub quick: QuickArgs,
    #[command(flatten)]
    pub options: RunOptions,
}

/// What `sit` and `breathe` share besides the options of `hara run`.
#[derive(Debug, Args)]
pub struct QuickArgs {
    /// A quiet countdown before the opening bell [default: 5s]
    #[arg(long, value_name = "DURATION", value_parser = parse_prepare)]
    pub prepare: Option<Duration>,
    /// Also write the session to NAME.toml in your sessions folder (commented, to change and
    /// run again with `hara run NAME`; never overwrites)
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
}

/// Offsets of bells, as `--bells` takes them.
#[derive(Debug, Clone)]
pub struct Offsets(pub Vec<Duration>);

fn parse_offsets(text: &str) -> Result<Offsets, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err("a time is missing; write the times as 5m,10m,15m".into());
        }
        out.push(parse_duration(part).map_err(|e| format!("`{part}`: {e}"))?);
    }
    Ok(Offsets(out))
}

fn parse_prepare(text: &str) -> Result<Duration, String> {
    match duration::parse(text) {
        Ok(d) => Ok(d),
        Err(_) => parse_duration(text),
    }
}

pub fn sit(args: &SitArgs, settings: &Settings) -> Result<ExitCode> {
    let length = match (args.length, args.open) {
        (Some(d), true) => bail!(
            "hara sit --open lasts until you press Enter, so it takes no length: leave out {} \
             (or leave out --open for a sit of {})",
            duration::format(d),
            duration::format(d)
        ),
        (_, true) => SitLength::Open,
        (Some(d), false) => SitLength::Time(d),
        (None, false) => bail!("give a length (e.g. 20m), or --open"),
    };
    let sit = Sit {
        length,
        every: args.every,
        bells: args.bells.clone().map(|b| b.0).unwrap_or_default(),
        prepare: args.quick.prepare.unwrap_or(PREPARE),
    };
    let early = sit.problems();
    start(
        &sit.write(),
        &sit.command(),
        early,
        "sit",
        &args.quick,
        &args.options,
        settings,
    )
}

pub fn breathe(args: &BreatheArgs, settings: &Settings) -> Result<ExitCode> {
    let breathe = Breathe {
        pattern: args.pattern.clone(),
        to: args.to.clone(),
        length: match (args.length, args.breaths) {
            (_, Some(n)) => Length::Breaths(n),
            (Some(d), None) => Length::Time(d),
            (None, None) => bail!("give a length (e.g. 5m) or --breaths N"),
        },
        tones: args.tones,
        prepare: args.quick.prepare.unwrap_or(PREPARE),
    };
    start(
        &breathe.write(),
        &breathe.command(),
        Vec::new(),
        "breathe",
        &args.quick,
        &args.options,
        settings,
    )
}

/// Checks a written quick session (reporting problems in the words typed), saves it when
/// asked, and runs it.
fn start(
    written: &Written,
    command: &str,
    mut problems: Vec<Problem>,
    name: &str,
    quick: &QuickArgs,
    options: &RunOptions,
    settings: &Settings,
) -> Result<ExitCode> {
    let (session, found) = written.check(name, &InstrumentsOnly);
    problems.extend(found);
    let errors = problems.iter().filter(|p| p.error).count();
    let mut report = String::new();
    for p in &problems {
        report.push_str(&format!("{p}\n"));
    }
    crate::output::eprint(&report)?;
    let Some((session, timeline)) = session.filter(|_| errors == 0) else {
        bail!("`{}` is not a session hara can run", command);
    };
    let mut source = command.to_string();
    if let Some(name) = &quick.save {
        let path = save(settings, name, &written.text)?;
        let _ = writeln!(
            std::io::stderr(),
            "Saved as {}; run it again with `hara run {}`.",
            path.display(),
            crate::text::clean_line(name.trim_end_matches(".toml"))
        );
        source = path.display().to_string();
    }
    super::run::practise(&session, timeline, &source, options, settings)
}

/// Writes `text` to NAME.toml in the first session folder, never over a file there.
fn save(settings: &Settings, name: &str, text: &str) -> Result<PathBuf> {
    let stem = name.strip_suffix(".toml").unwrap_or(name);
    if stem.is_empty()
        || stem.starts_with('.')
        || stem.contains(['/', '\\'])
        || stem.chars().any(char::is_control)
    {
        bail!(
            "`{}` cannot be a session's name: give a name without slashes, such as morning-sit",
            crate::text::clean_line(name)
        );
    }
    let Some(dir) = settings.session_dirs.first() else {
        bail!("there is no sessions folder to save to (give one with --dir)");
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the sessions folder {}", dir.display()))?;
    let path = dir.join(format!("{stem}.toml"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| match path.exists() {
            true => format!(
                "{} already exists; hara never overwrites a session (choose another name)",
                path.display()
            ),
            false => format!("cannot write {}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
