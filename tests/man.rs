//! The manual page, `docs/hara.1`, made with clap_mangen from the command line's own
//! definitions: `hara::cli::command()`, the one `--help` prints from (so the keys of the
//! full-screen view are in it, as in `hara run --help`). The page is committed, so
//! `man ./docs/hara.1` works in any clone and `cargo install` builds nothing for it; this
//! test fails when the page no longer matches the command line, and
//! `HARA_UPDATE_MAN=1 cargo test --test man` writes it anew.

use std::io::Write;
use std::path::Path;

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

const PAGE: &str = "docs/hara.1";

/// A section of a command's page without its `.SH` heading, to stand under the command's own.
fn without_heading(
    render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    let text = String::from_utf8(buf).unwrap();
    let headings = text.lines().filter(|l| l.starts_with(".SH")).count();
    assert_eq!(headings, 1, "one heading, the section's own:\n{text}");
    for line in text.lines().filter(|l| !l.starts_with(".SH")) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Text written for `--help` (plain lines, laid out with spaces), as it stands.
fn preformatted(roff: &mut Roff, text: &str) {
    roff.control("PP", []);
    roff.control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
}

fn page() -> Vec<u8> {
    let mut cmd = hara::cli::command();
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    let mut roff = Roff::new();
    if let Some(after) = cmd.get_after_help() {
        roff.control("PP", []).text([roman(after.to_string())]);
    }
    roff.to_writer(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();

    // Each command with its own options (the global ones are above).
    Roff::new()
        .control("SH", ["COMMANDS"])
        .to_writer(&mut out)
        .unwrap();
    let mut subs: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .collect();
    subs.sort_by_key(|s| s.get_display_order());
    for sub in subs {
        let mut sub = sub.clone();
        let above: Vec<_> = sub
            .get_arguments()
            .filter(|a| a.is_global_set() || a.get_id() == "help")
            .map(|a| a.get_id().clone())
            .collect();
        for id in above {
            sub = sub.mut_arg(id, |a| a.hide(true));
        }
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_string();
        let mut roff = Roff::new();
        roff.control("SS", [name.as_str()]);
        roff.to_writer(&mut out).unwrap();
        let part = Man::new(sub.clone());
        without_heading(|w| part.render_synopsis_section(w), &mut out).unwrap();
        let mut roff = Roff::new();
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            roff.control("PP", []).text([roman(about.to_string())]);
        }
        roff.to_writer(&mut out).unwrap();
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            without_heading(|w| part.render_options_section(w), &mut out).unwrap();
        }
        if let Some(after) = sub.get_after_help() {
            let mut roff = Roff::new();
            preformatted(&mut roff, &after.to_string());
            roff.to_writer(&mut out).unwrap();
        }
    }

    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    for s in hara::settings::SETTINGS {
        let Some(env) = s.env else { continue };
        roff.control("TP", []).text([bold(env)]);
        roff.text([roman(match (s.flag, s.key) {
            (Some(flag), _) => format!("As {flag}; the command line wins over it."),
            (None, Some(key)) => format!("As `{key}` in the configuration file."),
            (None, None) => "Set to anything but the empty string, turns colour off.".into(),
        })]);
    }
    roff.control("SH", ["FILES"]);
    for (path, what) in FILES {
        roff.control("TP", []).text([bold(*path)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "README.md, docs/session-format.md (every key of a session file) and \
         docs/architecture.md in hara's source.",
    )]);
    roff.to_writer(&mut out).unwrap();
    man.render_version_section(&mut out).unwrap();
    once_preamble(&out)
}

/// Each render writes roff's preamble (how to print an apostrophe); the page needs it once.
fn once_preamble(page: &[u8]) -> Vec<u8> {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8(page.to_vec()).unwrap();
    let first = text.find(PREAMBLE).expect("the preamble") + PREAMBLE.len();
    let (head, rest) = text.split_at(first);
    format!("{head}{}", rest.replace(PREAMBLE, "")).into_bytes()
}

/// Where hara keeps things (the XDG folders on Linux; the platform's own elsewhere).
const FILES: &[(&str, &str)] = &[
    (
        "$XDG_CONFIG_HOME/hara/config.toml",
        "The configuration file (optional; --config or HARA_CONFIG name another).",
    ),
    (
        "$XDG_CONFIG_HOME/hara/sessions/",
        "Your sessions; one with a built-in's name replaces it.",
    ),
    (
        "$XDG_DATA_HOME/hara/journal.jsonl",
        "The practice journal: one JSON object a line, only ever appended.",
    ),
    (
        "$XDG_DATA_HOME/hara/sounds/",
        "Your sound files (WAV or Ogg Vorbis), used by name.",
    ),
    (
        "$XDG_STATE_HOME/hara/hara.log",
        "What libraries print while the full-screen view is up.",
    ),
    (
        "$XDG_RUNTIME_DIR/hara/",
        "The sockets through which hara attach reaches a run.",
    ),
];

#[test]
#[cfg_attr(
    not(feature = "share"),
    ignore = "the page describes the default build, with the room display (--share)"
)]
fn the_manual_page_is_the_command_lines_own() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE);
    let made = page();
    let committed = std::fs::read(&path).unwrap_or_default();
    if made == committed {
        return;
    }
    if std::env::var_os("HARA_UPDATE_MAN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &made).unwrap();
        eprintln!("wrote {PAGE} anew");
        return;
    }
    panic!(
        "{PAGE} does not match the command line any more: \
         write it anew with `HARA_UPDATE_MAN=1 cargo test --test man` and commit it"
    );
}

#[test]
fn the_page_has_every_command_and_the_keys() {
    let made = String::from_utf8(page()).unwrap();
    for sub in hara::cli::command()
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
    {
        assert!(
            made.contains(&format!(".SS \"hara {}\"", sub.get_name()))
                || made.contains(&format!(".SS hara\\ {}", sub.get_name())),
            "hara {} in the page",
            sub.get_name()
        );
    }
    // The keys, one a line, from the same table as the help overlay.
    let keys = made
        .split("Keys in the full\\-screen view:")
        .nth(1)
        .expect("the keys");
    for (key, what) in hara::ui::action::help_rows(hara::ui::action::Scope::Session) {
        let line = keys
            .lines()
            .map(|l| l.replace("\\-", "-"))
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what:?} in the page"));
        assert!(line.trim_start().starts_with(key), "{line}");
    }
}
