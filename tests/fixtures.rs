//! Every fixture file under tests/fixtures, run through the real binary.
//!
//! - `invalid/`: `hara check` fails; the snapshot is exactly what a person sees.
//! - `warn/`: `hara check` passes with warnings.
//! - `valid/`: `hara check` is silent and passes; the snapshot is `hara show`.

use std::path::Path;
use std::process::Output;

mod sandbox;

/// Runs hara in a home of its own, from the crate's folder so that paths in messages are
/// short and the same on every machine.
fn hara(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    sandbox::command(assert_cmd::cargo::cargo_bin("hara"), home.path())
        .args(args)
        .output()
        .unwrap()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string()
}

fn transcript(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn invalid_fixtures_report_every_error() {
    insta::glob!("fixtures/invalid/*.toml", |path| {
        let out = hara(&["check", &relative(path)]);
        assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
        insta::assert_snapshot!(transcript(&out));
    });
}

#[test]
fn doubtful_fixtures_pass_with_warnings() {
    insta::glob!("fixtures/warn/*.toml", |path| {
        let out = hara(&["check", &relative(path)]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));
        insta::assert_snapshot!(transcript(&out));
    });
}

#[test]
fn valid_fixtures_check_cleanly_and_show_their_plan() {
    insta::glob!("fixtures/valid/*.toml", |path| {
        let path = relative(path);
        let check = hara(&["check", &path]);
        assert_eq!(check.status.code(), Some(0), "{}", transcript(&check));
        assert!(check.stderr.is_empty(), "{}", transcript(&check));
        // With a seed, so a fixture with bells at random shows one plan every time.
        let show = hara(&["show", &path, "--seed", "1"]);
        assert_eq!(show.status.code(), Some(0), "{}", transcript(&show));
        insta::assert_snapshot!(String::from_utf8_lossy(&show.stdout));
    });
}

#[test]
fn builtin_sessions_check_cleanly_and_show_their_plan() {
    for name in hara::session::library::BUILTINS.iter().map(|b| b.name) {
        let check = hara(&["check", name]);
        assert_eq!(check.status.code(), Some(0), "{}", transcript(&check));
        assert!(check.stderr.is_empty(), "{}", transcript(&check));
        let show = hara(&["show", name]);
        insta::assert_snapshot!(
            format!("show-{name}"),
            String::from_utf8_lossy(&show.stdout)
        );
    }
}

#[test]
fn show_json_is_the_whole_timeline() {
    let out = hara(&["show", "--json", "tests/fixtures/valid/sigh.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!(json);
}

#[test]
fn several_files_are_all_checked_and_any_error_fails() {
    let out = hara(&[
        "check",
        "tests/fixtures/valid/minimal.toml",
        "tests/fixtures/invalid/version.toml",
        "tests/fixtures/valid/repeat.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "tests/fixtures/valid/minimal.toml: ok (5m)\n\
         tests/fixtures/invalid/version.toml: 1 error\n\
         tests/fixtures/valid/repeat.toml: ok (2m58s)\n"
    );
}
