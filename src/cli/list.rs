//! `hara list` and `hara principles`.

use std::process::ExitCode;

use std::path::Path;

use anyhow::Result;

use crate::audio::output::Audio;
use crate::journal::Ending;
use crate::principles::PRINCIPLES;
use crate::session::duration;
use crate::session::library::Library;
use crate::text::clean_line;
use crate::timeline::Timeline;
use crate::ui;
use crate::ui::picker::Entry;

pub fn run(library: &Library, bare: bool) -> Result<ExitCode> {
    let rows: Vec<[String; 4]> = library
        .list()
        .into_iter()
        .map(|l| {
            let source = l.found.source_label();
            let (title, length) = match &l.checked.session {
                Some((_, t)) => (t.title.clone(), duration::format_rounded(t.total)),
                None => (
                    format!("invalid: see `hara check {}`", clean_line(&l.found.display)),
                    "-".to_string(),
                ),
            };
            [clean_line(&l.found.name), title, length, source]
        })
        .collect();
    let header = ["NAME", "TITLE", "LENGTH", "SOURCE"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:>w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        println!("{}", line.trim_end());
    }
    if bare {
        println!(
            "\nShow a plan with `hara show NAME`; write your own with `hara new FILE`; see `hara --help`."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The picker, on a terminal. Each session run from it goes into the journal.
pub fn pick(
    library: &Library,
    options: ui::Options,
    open_audio: &dyn Fn(&Timeline) -> Audio,
    journal: Option<&Path>,
) -> Result<ExitCode> {
    let entries = library.list().into_iter().map(Entry::from_listed).collect();
    let mut record = |timeline: &Timeline, source: &str, ending: &Ending| {
        super::journal::record(journal, timeline, source, ending.clone());
    };
    if let Some(ended) = ui::run_picker(entries, options, open_audio, &mut record)? {
        super::run::print_ended(&ended);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn principles() -> ExitCode {
    for (i, p) in PRINCIPLES.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("{}  ({})", p.title, p.id);
        println!("  {}", p.meaning);
        for cue in p.cues {
            println!("  - {cue}");
        }
    }
    ExitCode::SUCCESS
}
