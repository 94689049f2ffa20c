//! `hara list` and `hara principles`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::audio::output::Audio;
use crate::journal::Ending;
use crate::output::Writer;
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
                Some((_, t)) => (t.title.clone(), t.length_words(duration::format_rounded)),
                None => (
                    format!("invalid: see `hara check {}`", clean_line(&l.found.display)),
                    "-".to_string(),
                ),
            };
            [clean_line(&l.found.name), title, length, source]
        })
        .collect();
    let header = ["NAME", "TITLE", "LENGTH", "SOURCE"].map(String::from);
    // Each column as wide as its widest cell, up to a limit: a longer cell runs over rather
    // than pushing every other row out (and no width can overflow the formatter).
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| crate::text::width(&r[i]))
                .max()
                .unwrap_or(0)
                .min(MAX_COLUMN)
        })
        .collect();
    let mut out = Writer::stdout();
    for row in std::iter::once(&header).chain(&rows) {
        // Padded by the columns a cell takes on screen, so a title in CJK keeps its row
        // straight.
        let line = format!(
            "{}  {}  {:>w2$}  {}",
            crate::text::pad(&row[0], widths[0]),
            crate::text::pad(&row[1], widths[1]),
            row[2],
            row[3],
            w2 = widths[2]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    if bare {
        writeln!(
            out,
            "\nShow a plan with `hara show NAME`; write your own with `hara new FILE`; see `hara --help`."
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The picker, on a terminal. Each session run from it goes into the journal; `j` shows the
/// journal, read with `read_journal`.
pub fn pick(
    library: &Library,
    options: ui::Options,
    open_audio: &dyn Fn(&Timeline) -> Audio,
    journal: Option<&Path>,
    read_journal: ui::ReadJournal,
) -> Result<ExitCode> {
    let entries = library.list().into_iter().map(Entry::from_listed).collect();
    let mut record = |timeline: &Timeline, source: &str, ending: &Ending| {
        super::journal::record(journal, timeline, source, ending.clone());
    };
    if let Some(ended) = ui::run_picker(entries, options, open_audio, &mut record, read_journal)? {
        super::run::print_ended(&ended);
    }
    Ok(ExitCode::SUCCESS)
}

/// The widest a column of `hara list` is padded to.
const MAX_COLUMN: usize = 80;

pub fn principles() -> Result<ExitCode> {
    let mut out = Writer::stdout();
    for (i, p) in PRINCIPLES.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}  ({})", p.title, p.id)?;
        writeln!(out, "  {}", p.meaning)?;
        for cue in p.cues {
            writeln!(out, "  - {cue}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A shell completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::command(), "hara", &mut script);
    let mut out = Writer::stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
