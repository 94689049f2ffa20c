//! The teacher's side: finding the run to attach to. (The screen is `ui::teacher`.)

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The runs listening in `dir`, newest first, each with its process id.
fn runs(dir: &Path) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<(std::time::SystemTime, u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let pid = name
                .strip_prefix("run-")?
                .strip_suffix(".sock")?
                .parse()
                .ok()?;
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, pid, e.path()))
        })
        .collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.0));
    runs.into_iter().map(|(_, pid, path)| (pid, path)).collect()
}

/// Connects to the run of process `pid`, or to the newest run still going. A socket left by
/// a run that ended without removing it is removed.
pub fn connect(dir: Option<PathBuf>, pid: Option<u32>) -> Result<UnixStream> {
    let Some(dir) = dir else {
        bail!("no run to attach to: XDG_RUNTIME_DIR is not set, so no run can listen");
    };
    let runs = runs(&dir);
    let wanted: Vec<&(u32, PathBuf)> = runs
        .iter()
        .filter(|(p, _)| pid.is_none_or(|want| want == *p))
        .collect();
    for (_, path) in wanted {
        match UnixStream::connect(path) {
            Ok(stream) => return Ok(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                let _ = std::fs::remove_file(path);
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot attach to {}", path.display()));
            }
        }
    }
    match pid {
        Some(pid) => bail!("no run of process {pid} to attach to"),
        None => bail!(
            "no run to attach to: start one with `hara run SESSION` in another terminal, then \
             `hara attach` here"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn finds_the_run_asked_for_and_clears_what_ended() {
        let dir = tempfile::tempdir().unwrap();
        let live = UnixListener::bind(dir.path().join("run-41.sock")).unwrap();
        // A run that ended without tidying up: its socket is there, nobody listens.
        drop(UnixListener::bind(dir.path().join("run-42.sock")).unwrap());
        let folder = Some(dir.path().to_path_buf());
        assert!(connect(folder.clone(), Some(41)).is_ok());
        let err = connect(folder.clone(), Some(42)).unwrap_err().to_string();
        assert_eq!(err, "no run of process 42 to attach to");
        assert!(
            !dir.path().join("run-42.sock").exists(),
            "the stale socket is gone"
        );
        assert!(connect(folder, None).is_ok(), "the one still going");
        drop(live);
        let none = connect(None, None).unwrap_err().to_string();
        assert!(none.contains("XDG_RUNTIME_DIR is not set"), "{none}");
    }
}
