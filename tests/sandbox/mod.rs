//! Every run of hara in a test gets a home of its own: HOME and the XDG folders inside a
//! temporary folder the caller owns, and none of the `HARA_` variables (or NO_COLOR) of the
//! person running the tests, so `cargo test` never reads their config or writes their
//! journal. Nor their locale or time zone: days and weeks are counted in UTC from Monday
//! unless a test sets `TZ` or a locale itself.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// `program` (hara, or a shell that runs it) with `home` as its HOME and XDG folders, run
/// from the crate's folder (so fixture paths in messages are short and the same on every
/// machine).
pub fn command(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC");
    for var in [
        "HARA_CONFIG",
        "HARA_JOURNAL",
        "HARA_THEME",
        "HARA_VOLUME",
        "HARA_DEVICE",
        "HARA_SPEAK",
        "LC_ALL",
        "LC_TIME",
        "LANG",
    ] {
        c.env_remove(var);
    }
    c
}

/// hara with `--silent` and `args` in `home`, run to its end: for tests that read what it
/// prints, which is the same with or without a sound device (`--silent` keeps the machine's
/// audio set-up out of it).
#[allow(dead_code)]
pub fn silent(home: &Path, args: &[&str]) -> Output {
    command(assert_cmd::cargo::cargo_bin("hara"), home)
        .arg("--silent")
        .args(args)
        .output()
        .unwrap()
}

/// What a run printed, as text.
#[allow(dead_code)]
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
