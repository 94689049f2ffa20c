//! The documentation tells the truth: every whole session it shows passes `hara check`.

use hara::session::check::InstrumentsOnly;
use hara::session::check_str;

#[path = "support/needs.rs"]
mod needs;

/// The ```toml blocks of a Markdown file that are whole sessions (they open with a title or
/// a format line; the others are fragments).
fn session_blocks(markdown: &str) -> Vec<String> {
    markdown
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block.to_string()))
        .filter(|block| block.starts_with("title = ") || block.starts_with("format = "))
        .collect()
}

fn assert_sessions_valid(name: &str, markdown: &str, expected: usize) {
    let blocks = session_blocks(markdown);
    assert_eq!(blocks.len(), expected, "{name}: whole sessions found");
    for block in blocks {
        let checked = check_str(&block, &InstrumentsOnly);
        assert!(
            checked.diagnostics.is_empty(),
            "{name}:\n{block}\n{:#?}",
            checked.diagnostics
        );
    }
}

#[test]
fn readme_sessions_are_valid() {
    assert_sessions_valid("README.md", include_str!("../README.md"), 3);
}

#[test]
fn format_reference_sessions_are_valid() {
    assert_sessions_valid(
        "docs/session-format.md",
        include_str!("../docs/session-format.md"),
        2,
    );
}

#[test]
fn readme_lists_every_key_as_the_help_does() {
    let readme = include_str!("../README.md");
    use hara::ui::action::{Scope, help_rows};
    for (keys, what) in help_rows(Scope::Session) {
        let row = format!("| {keys} | {what} |");
        assert!(readme.contains(&row), "README lacks the row {row}");
    }
}

/// The rows of the README's table under `header`, up to the blank line that ends it.
fn readme_table(header: &str) -> &'static str {
    include_str!("../README.md")
        .split(header)
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("README has no table {header}"))
}

#[test]
fn readme_lists_every_journal_key_as_its_help_does() {
    let table = readme_table("| key | in the journal view |");
    use hara::ui::action::{Scope, help_rows};
    for (keys, what) in help_rows(Scope::Journal) {
        let row = format!("| {keys} | {what} |");
        assert!(table.contains(&row), "README lacks the row {row}");
    }
}

#[test]
fn readme_lists_every_setting() {
    let table = readme_table("| setting | command line | environment | config key | default |");
    for s in hara::settings::SETTINGS {
        for name in [s.key, s.env, s.flag].into_iter().flatten() {
            assert!(
                table.contains(&format!("`{name}")),
                "README's settings table lacks {name}"
            );
        }
    }
}

#[test]
fn readme_config_example_is_a_valid_config_file() {
    let readme = include_str!("../README.md");
    let section = readme.split("## Configuration").nth(1).unwrap();
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let parsed = hara::config::parse(block, std::path::Path::new("/"));
    assert!(parsed.is_ok(), "{block}\n{parsed:#?}");
}

#[test]
fn every_program_a_test_needs_is_in_the_readme_and_installed_by_ci() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("### Running the tests")
        .nth(1)
        .expect("the README's \"Running the tests\"");
    let apt_line = section
        .lines()
        .find(|l| l.starts_with("sudo apt-get install"))
        .expect("one apt-get line for all of them");
    let ci = include_str!("../.ci/run");
    let ci_packages = ci
        .split("for pkg in ")
        .nth(1)
        .and_then(|rest| rest.split("; do").next())
        .expect(".ci/run's list of packages");
    for need in needs::ALL {
        assert!(
            section.contains(&format!("\n| {} ", need.what)),
            "the README's table lacks {}",
            need.what
        );
        for package in need.debian.split(' ') {
            assert!(
                apt_line.split_whitespace().any(|w| w == package),
                "the README's apt-get line lacks {package}"
            );
            assert!(
                ci_packages.split_whitespace().any(|w| w == package),
                ".ci/run does not install {package}"
            );
        }
    }
}
