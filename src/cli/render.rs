//! `hara render`: the session's whole audio track to a WAV file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::audio::files;
use crate::audio::render::{Bank, render_wav};
use crate::session::duration::format;
use crate::session::library::Library;
use crate::settings::Settings;
use crate::timeline::Timeline;

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A built-in name, one of your sessions, or a path
    pub session: String,
    /// The WAV file to write (16-bit mono, 48 kHz)
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub seed: super::run::SeedArgs,
    /// How long each open step (duration = "open") lasts in the track, e.g. 10m; needed
    /// for a session with open steps
    #[arg(long, value_name = "DURATION", value_parser = super::run::parse_duration)]
    pub open_for: Option<std::time::Duration>,
}

/// The bank of sounds a timeline uses: its sound files, decoded.
pub fn bank_for(timeline: &Timeline) -> Result<Bank> {
    Bank::for_timeline(
        timeline,
        |path| files::decode(path).with_context(|| format!("cannot play {}", path.display())),
        |path| files::decode_bed(path).with_context(|| format!("cannot play {}", path.display())),
    )
}

/// Writes the track, streamed to the file in constant memory, at the master volume of the
/// settings (`--volume`, `HARA_VOLUME`, the config file's).
pub fn run(library: &Library, args: &RenderArgs, settings: &Settings) -> Result<ExitCode> {
    let (session, timeline) = super::load(library, &args.session)?;
    let timeline = args.seed.apply(&session, timeline)?;
    if timeline.has_open() && args.open_for.is_none() {
        bail!(
            "{} has open steps, which last until someone goes on: say how long each lasts in \
             the track with --open-for, e.g. --open-for 10m",
            crate::text::clean_line(&timeline.title)
        );
    }
    let timeline = super::run::lay_open_steps(&session, timeline, args.open_for)?;
    let shown = crate::text::clean_line(&args.output.display().to_string());
    if args.output.exists() && !args.force {
        bail!("{} exists; pass --force to replace it", shown);
    }
    let started = Instant::now();
    let volume = crate::audio::output::percent_to_gain(settings.volume);
    let file =
        std::fs::File::create(&args.output).with_context(|| format!("cannot write {shown}"))?;
    let bank = bank_for(&timeline)?;
    if settings.speak {
        let speaker = crate::speech::Speaker::new(
            crate::speech::engine_for(&settings.speech, &timeline),
            crate::speech::default_cache(),
        );
        crate::speech::prepare_now(&bank, &timeline, &speaker, crate::speech::tell);
    }
    let rendered = render_wav(&timeline, &bank, volume, std::io::BufWriter::new(file))
        .with_context(|| format!("cannot write {shown}"))?;
    let took = started.elapsed();
    let audio = rendered.length();
    crate::output::print(&format!(
        "wrote {shown}: {} of audio (countdown, session and the last bell's ring) in {:.1} s, {:.0}× real time\n",
        format(std::time::Duration::from_secs(audio.as_secs())),
        took.as_secs_f64(),
        audio.as_secs_f64() / took.as_secs_f64().max(1e-6)
    ))?;
    if let Some(seed) = timeline.seed {
        crate::output::print(&format!(
            "bells at random from seed {seed}: `hara show --seed {seed}` shows where they fall\n"
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
