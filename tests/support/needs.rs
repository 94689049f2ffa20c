//! The programs some tests need from outside: tmux, Chromium, PulseAudio, prlimit, ….
//! A test asks `needs::have(&[…])` first and returns at once when it says no: on a machine
//! without them the test passes with one line on stderr that names what was skipped and the
//! package that brings it, so `cargo test` works on a fresh machine and says what it left
//! out. With `CI=true` or `HARA_TEST_ALL=1` (`.ci/run` sets both) a missing program fails
//! the test instead, so CI can never skip silently.
//!
//! Included with `#[path = "support/needs.rs"]`; each test crate uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// Something from outside that a test needs, and where to get it.
#[derive(Clone, Copy, Debug)]
pub struct Need {
    /// What it is, as the skip line names it.
    pub what: &'static str,
    /// Programs that must be on PATH.
    pub programs: &'static [&'static str],
    /// Libraries (file names) that must be in one of ALSA's plugin folders.
    pub alsa_plugins: &'static [&'static str],
    /// The Debian and Ubuntu packages that bring it (README: "Running the tests" has the
    /// names for Fedora and macOS).
    pub debian: &'static str,
}

impl Need {
    /// A need that is only programs on PATH.
    const fn programs(
        what: &'static str,
        programs: &'static [&'static str],
        debian: &'static str,
    ) -> Need {
        Need {
            what,
            programs,
            alsa_plugins: &[],
            debian,
        }
    }
}

/// tmux drives the real binary in a real terminal (tests/tmux.rs, tests/share.rs).
pub const TMUX: Need = Need::programs("tmux", &["tmux"], "tmux");

/// pgrep finds hara under tmux's shell, to signal it (tests/tmux.rs).
pub const PGREP: Need = Need::programs("pgrep", &["pgrep"], "procps");

/// Headless Chromium follows the room display (tests/share.rs).
pub const CHROMIUM: Need = Need::programs("Chromium", &["chromium"], "chromium");

/// prlimit sets a file size limit, as a full disk (tests/journal.rs).
pub const PRLIMIT: Need = Need::programs("prlimit", &["prlimit"], "util-linux");

/// A private PulseAudio server with a null sink to record, and ALSA's pulse plugin so that
/// hara's ALSA output reaches it (tests/pulse.rs).
pub const PULSEAUDIO: Need = Need {
    what: "PulseAudio",
    programs: &["pulseaudio", "pactl", "parec"],
    alsa_plugins: &["libasound_module_pcm_pulse.so"],
    debian: "pulseaudio pulseaudio-utils libasound2-plugins",
};

/// A speech engine (speech in sessions).
pub const ESPEAK_NG: Need = Need::programs("espeak-ng", &["espeak-ng"], "espeak-ng");

/// Everything above: the README's "Running the tests" and `.ci/run` name every one
/// (tests/docs.rs holds them to it).
pub const ALL: &[Need] = &[TMUX, PGREP, CHROMIUM, PRLIMIT, PULSEAUDIO, ESPEAK_NG];

/// Whether this machine has everything in `needs`. When it does not, prints one line on
/// stderr naming the test, what is missing and the packages that bring it, and returns
/// false: the test then returns at once (and passes). Under `CI=true` or `HARA_TEST_ALL=1`
/// it fails the test instead.
///
/// The line goes straight to the process's stderr, past the test harness's capture, so
/// `cargo test` shows it even for a test that passes.
pub fn have(needs: &[Need]) -> bool {
    let lacking: Vec<(&Need, Vec<String>)> = needs
        .iter()
        .map(|n| (n, missing(n)))
        .filter(|(_, m)| !m.is_empty())
        .collect();
    if lacking.is_empty() {
        return true;
    }
    let what: Vec<String> = lacking
        .iter()
        .map(|(need, m)| {
            if m.len() == 1 && m[0].eq_ignore_ascii_case(need.what) {
                need.what.to_string()
            } else {
                format!("{} (no {})", need.what, m.join(", "))
            }
        })
        .collect();
    let mut packages: Vec<&str> = Vec::new();
    for p in lacking.iter().flat_map(|(n, _)| n.debian.split(' ')) {
        if !packages.contains(&p) {
            packages.push(p);
        }
    }
    let test = format!(
        "{}::{}",
        env!("CARGO_CRATE_NAME"),
        std::thread::current().name().unwrap_or("?")
    );
    let said = format!(
        "needs {}: apt-get install {} (Debian/Ubuntu; other systems: README, \"Running the tests\")",
        what.join(" and "),
        packages.join(" ")
    );
    if let Some(var) = everything_required() {
        panic!("{test} {said}; with {var} set, nothing may be skipped");
    }
    let line = format!("SKIPPED {test}: {said}\n");
    // Past the harness's capture (which takes only print! and eprint!), in one write.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    false
}

/// `Some(the setting)` when missing programs must fail the tests rather than skip them.
fn everything_required() -> Option<&'static str> {
    let set =
        |var: &str| std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if set("HARA_TEST_ALL") {
        Some("HARA_TEST_ALL")
    } else if set("CI") {
        Some("CI")
    } else {
        None
    }
}

/// What of `need` this machine lacks, by name.
fn missing(need: &Need) -> Vec<String> {
    let mut out: Vec<String> = need
        .programs
        .iter()
        .filter(|p| find_program(p).is_none())
        .map(|p| p.to_string())
        .collect();
    out.extend(
        need.alsa_plugins
            .iter()
            .filter(|lib| !alsa_plugin_dirs().iter().any(|d| d.join(lib).is_file()))
            .map(|lib| format!("ALSA's {lib}")),
    );
    out
}

/// `program`'s path, if it is an executable file in a folder on PATH.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// Where ALSA looks for its plugins: Debian's multiarch folder, Fedora's lib64, and plain
/// lib.
fn alsa_plugin_dirs() -> Vec<PathBuf> {
    let arch = std::env::consts::ARCH;
    let mut dirs = vec![PathBuf::from(format!("/usr/lib/{arch}-linux-gnu/alsa-lib"))];
    // Debian calls 32-bit ARM and x86 by other names than Rust does.
    match arch {
        "arm" => dirs.push("/usr/lib/arm-linux-gnueabihf/alsa-lib".into()),
        "x86" => dirs.push("/usr/lib/i386-linux-gnu/alsa-lib".into()),
        _ => {}
    }
    dirs.push("/usr/lib64/alsa-lib".into());
    dirs.push("/usr/lib/alsa-lib".into());
    dirs
}
