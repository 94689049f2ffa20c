//! `hara new`: a commented template to start a session from.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// The template; a test checks that it passes `hara check` without warnings.
pub const TEMPLATE: &str = include_str!("template.toml");

pub fn run(path: &Path) -> Result<ExitCode> {
    // Session folders only look at .toml files: a name without one gets it.
    let with_extension;
    let path = if path.extension().is_none() {
        with_extension = path.with_extension("toml");
        &with_extension
    } else {
        path
    };
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} already exists; hara new never overwrites a file",
                shown(path)
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", shown(path))),
    };
    file.write_all(TEMPLATE.as_bytes())
        .with_context(|| format!("cannot write {}", shown(path)))?;
    let p = shown(path);
    crate::output::print(&format!(
        "wrote {p}\nnext: edit it, then `hara check {p}` and `hara show {p}`\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A path as messages show it: made safe to print.
fn shown(path: &Path) -> String {
    crate::text::clean_line(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::check::InstrumentsOnly;

    #[test]
    fn template_is_valid_without_warnings() {
        let checked = crate::session::check_str(TEMPLATE, &InstrumentsOnly);
        assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
        assert!(checked.session.is_some());
    }
}
