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
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(TEMPLATE.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let p = path.display();
    println!("wrote {p}\nnext: edit it, then `hara check {p}` and `hara show {p}`");
    Ok(ExitCode::SUCCESS)
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
