//! `hara check`: every problem in every file, then one verdict line per file.

use std::process::ExitCode;

use anyhow::Result;

use crate::output;
use crate::session::Checked;
use crate::session::duration;
use crate::session::library::Library;
use crate::text;

pub fn run(library: &Library, specs: &[String]) -> Result<ExitCode> {
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
        output::print(&format!(
            "{}: {}\n",
            text::clean_line(&found.display),
            verdict(&checked)
        ))?;
        all_valid &= checked.session.is_some();
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "ok (3m10s)", "ok (3m10s), 1 warning", "2 errors, 1 warning".
pub fn verdict(checked: &Checked) -> String {
    let warnings = (checked.warnings() > 0).then(|| plural(checked.warnings(), "warning"));
    let head = match &checked.session {
        Some((_, timeline)) => format!("ok ({})", duration::format(timeline.total)),
        None => plural(checked.errors(), "error"),
    };
    match warnings {
        Some(w) => format!("{head}, {w}"),
        None => head,
    }
}
