//! `hara check`: every problem in every file, then one verdict line per file.

use std::process::ExitCode;

use anyhow::Result;

use crate::output;
use crate::session::Checked;
use crate::session::duration;
use crate::session::library::Library;
use crate::text;

/// `engine` is the configured speech engine: a text it has spoken before is measured from
/// the cache, not estimated.
pub fn run(
    library: &Library,
    specs: &[String],
    engine: &crate::speech::Engine,
) -> Result<ExitCode> {
    let mut all_valid = true;
    for spec in specs {
        let found = match library.find(spec) {
            Ok(f) => f,
            Err(e) => {
                output::eprint(&format!(
                    "error: {}\n",
                    text::clean_line(&format!("{:#}", anyhow::Error::from(e)))
                ))?;
                all_valid = false;
                continue;
            }
        };
        let checked = library.check(&found);
        super::report(&found, &checked)?;
        let mut plan_warnings = 0;
        if let Some((_, timeline)) = &checked.session {
            // Bells at random fall elsewhere in every run: what is said of them here holds
            // for the plan of seed 0 (`hara show --seed 0`), and may for others.
            let drawn = if timeline.seed.is_some() {
                " (with bells at random as seed 0 draws them)"
            } else {
                ""
            };
            for line in spoken_overlaps(timeline, engine) {
                output::print(&format!("warning: {line}{drawn}\n"))?;
                plan_warnings += 1;
            }
        }
        output::print(&format!(
            "{}: {}\n",
            text::clean_line(&found.display),
            verdict(&checked, plan_warnings)
        ))?;
        all_valid &= checked.session.is_some();
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Spoken lines that would run into the next one or a bell, and breath phases too short for
/// their word: a recorded voice measured, a text from the cache when it was spoken before,
/// else estimated.
fn spoken_overlaps(
    timeline: &crate::timeline::Timeline,
    engine: &crate::speech::Engine,
) -> Vec<String> {
    use crate::timeline::Said;
    let speaker = crate::speech::Speaker::new(
        crate::speech::engine_for(engine, timeline),
        crate::speech::default_cache(),
    );
    let seconds = |n: usize| std::time::Duration::from_secs_f64(n as f64 / 48_000.0);
    let text = |text: &str| {
        speaker
            .cached_path(text)
            .and_then(|p| crate::audio::files::decode(&p).ok())
            .map_or_else(
                || crate::speech::estimate(text),
                |d| seconds(d.samples.len()),
            )
    };
    let mut out = crate::speech::overlaps(timeline, |said| match said {
        Said::Clip(path) => crate::audio::files::decode(path)
            .map_or(std::time::Duration::ZERO, |d| seconds(d.samples.len())),
        Said::Text(t) => text(t),
    });
    out.extend(crate::speech::short_phases(timeline, text));
    out
}

pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "ok (3m10s)", "ok (3m10s), 1 warning", "2 errors, 1 warning". `plan_warnings` are those
/// found in the plan rather than the file (spoken lines running into each other).
pub fn verdict(checked: &Checked, plan_warnings: usize) -> String {
    let count = checked.warnings() + plan_warnings;
    let warnings = (count > 0).then(|| plural(count, "warning"));
    let head = match &checked.session {
        Some((_, timeline)) => format!("ok ({})", timeline.length_words(duration::format)),
        None => plural(checked.errors(), "error"),
    };
    match warnings {
        Some(w) => format!("{head}, {w}"),
        None => head,
    }
}
