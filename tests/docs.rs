//! The documentation tells the truth: every whole session it shows passes `hara check`.

use hara::session::check::InstrumentsOnly;
use hara::session::check_str;

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
    assert_sessions_valid("README.md", include_str!("../README.md"), 1);
}

#[test]
fn format_reference_sessions_are_valid() {
    assert_sessions_valid(
        "docs/session-format.md",
        include_str!("../docs/session-format.md"),
        1,
    );
}
