//! `hara say` and `hara voices`: the speech engine checked on its own, through the same path
//! a spoken cue takes (engine, cache, hara's own mix).

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::audio::output::Audio;
use crate::audio::render::Bank;
use crate::audio::synth::RATE;
use crate::output;
use crate::settings::Settings;
use crate::speech::{self, Speaker};
use crate::text::clean_line;
use crate::timeline::EventKind;

#[derive(Debug, Args)]
pub struct SayArgs {
    /// The words to speak
    pub text: String,
    /// Write the spoken line to this WAV file (16-bit mono, 48 kHz) instead of playing it
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &SayArgs, settings: &Settings) -> Result<ExitCode> {
    let speaker = Speaker::new(settings.speech.clone(), speech::default_cache());
    let spoken = speaker
        .speak(&args.text)
        .map_err(|e| anyhow::anyhow!(clean_line(&e.to_string())))?;
    if let Some(path) = &args.output {
        let shown = clean_line(&path.display().to_string());
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let gain = spoken.gain * settings.gain();
        let mut w = hound::WavWriter::create(path, spec)
            .with_context(|| format!("cannot write {shown}"))?;
        for s in spoken.samples.iter() {
            let v = (s * gain).clamp(-1.0, 1.0) * f32::from(i16::MAX);
            w.write_sample(v.round() as i16)?;
        }
        w.finalize()?;
        output::print(&format!("wrote {shown}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if settings.silent {
        bail!("--silent and speaking a line do not go together");
    }
    super::sound::check_device(settings)?;
    let text = args.text.clone();
    let bank = Bank::default();
    bank.add_speech(&text, spoken);
    bank.set_speech(crate::audio::render::Speech::On);
    let audio = Audio::open(settings.device.as_deref(), bank, settings.gain());
    super::sound::play_once(
        audio,
        |name| format!("speaking on {name}\n"),
        |audio| {
            audio.event(&EventKind::Cue {
                text,
                spoken: true,
                voice: None,
            })
        },
    )
}

/// The engine's own list of voices (`espeak-ng --voices[=LANG]`), passed on as it is.
pub fn voices(lang: Option<&str>) -> Result<ExitCode> {
    let arg = match lang {
        Some(l) => format!("--voices={}", speech::clean(l)),
        None => "--voices".to_string(),
    };
    let out = match Command::new(speech::ESPEAK)
        .arg(arg)
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "{}",
                speech::SpeechError::NotInstalled(speech::ESPEAK.into())
            )
        }
        Err(e) => return Err(e).context("cannot run espeak-ng"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // eSpeak NG prints its table's header even when no voice matches.
    if let (Some(lang), true) = (lang, out.status.success() && text.lines().count() <= 1) {
        bail!(
            "eSpeak NG has no voice for `{}`; `hara voices` lists them all",
            clean_line(lang)
        );
    }
    let lines: String = text.lines().map(|l| clean_line(l) + "\n").collect();
    output::print(&lines)?;
    Ok(if out.status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
