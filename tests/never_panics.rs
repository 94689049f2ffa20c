//! A session file is untrusted input: whatever it holds, checking it ends with diagnostics
//! (or a session), promptly, and never with a panic.

use std::time::Duration;

use hara::diag::{MAX_SHOWN, render};
use hara::session::check::InstrumentsOnly;
use hara::session::{Checked, check_bytes};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("../sessions/before-a-client.toml"),
    include_str!("../sessions/sit-and-walk.toml"),
    include_str!("fixtures/valid/ramp.toml"),
    include_str!("fixtures/valid/repeat.toml"),
    include_str!("fixtures/valid/cues.toml"),
    include_str!("fixtures/valid/sigh.toml"),
];

/// Checks, renders every diagnostic, and asserts each span lies inside the file.
fn check_and_render(bytes: &[u8]) -> Checked {
    let checked = check_bytes(bytes, &InstrumentsOnly);
    // Spans refer to the text as hara shows it: decoded, with bad bytes replaced.
    let text = String::from_utf8_lossy(bytes);
    for d in &checked.diagnostics {
        if let Some(span) = &d.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{d:?}"
            );
        }
    }
    // Bounded work: a bounded number of diagnostics, each line of the report cut short.
    assert!(checked.diagnostics.len() <= MAX_SHOWN);
    let rendered = checked.render("fuzz.toml", &text, false);
    assert!(
        !rendered.chars().any(|c| c.is_control() && c != '\n'),
        "control character echoed: {rendered:?}"
    );
    assert!(
        rendered.len() <= MAX_SHOWN * 4096 + 200,
        "{} bytes",
        rendered.len()
    );
    for line in rendered.lines() {
        let bound = if line.starts_with("help: ") {
            1010
        } else {
            200
        };
        assert!(line.chars().count() <= bound, "{line}");
    }
    let _ = render(&checked.diagnostics, "fuzz.toml", &text, false);
    assert_eq!(checked.session.is_some(), checked.errors() == 0);
    checked
}

/// Pieces of TOML that reach deep into the checker when strung together at random.
fn toml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title = \"t\"\n".to_string()),
        Just("[[step]]\n".to_string()),
        Just("[[step.step]]\n".to_string()),
        Just("repeat = 3\n".to_string()),
        Just("[bells]\n".to_string()),
        Just("interval = { every = \"1s\" }\n".to_string()),
        Just("at = [{ at = \"2s\", sound = \"wood\" }]\n".to_string()),
        Just("cues = [{ every = \"1s\", principle = \"relax\" }]\n".to_string()),
        Just("breath = { from = \"1-0-1-0\", to = \"9-9-9-9\" }\n".to_string()),
        (0u64..100_000).prop_map(|n| format!("breaths = {n}\n")),
        (0u64..100_000).prop_map(|n| format!("duration = {n}\n")),
        "[a-z0-9\" =.\\-+\\[\\]{},\n]{0,12}",
        "\\PC{0,8}",
        // The hostile shapes of issue 11: runs of escape sequences on one line, C1 and bidi
        // controls in strings, titles past the limit, millisecond ramps, many bad lines.
        (1usize..4000).prop_map(|n| format!("text = \"{}\"\n", "\u{1b}[".repeat(n))),
        "text = \"[\u{80}-\u{9f}\u{61c}\u{200e}\u{202a}-\u{202e}\u{2066}-\u{2069}a ]{0,24}\"\n",
        (150usize..400).prop_map(|n| format!("title = \"{}\"\n", "t".repeat(n))),
        Just("breath = { from = \"0.001-0-0.001-0\", to = \"0.002-0-0.002-0\" }\n".to_string()),
        (1u64..100_000).prop_map(|n| format!("duration = \"{n}ms\"\n")),
        (1usize..3000).prop_map(|n| "a\n".repeat(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_and_render(&bytes);
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        check_and_render(text.as_bytes());
    }

    #[test]
    fn strings_of_toml_pieces(pieces in proptest::collection::vec(toml_piece(), 0..40)) {
        check_and_render(pieces.concat().as_bytes());
    }

    #[test]
    fn mutated_sessions(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = byte,
                _ => {}
            }
        }
        check_and_render(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Ramps of millisecond phases fitted to any length up to a day: an answer (a fitted
    /// session no longer than asked, or a refusal), never a panic, and no search over
    /// millions of breaths.
    #[test]
    fn fitting_millisecond_ramps(
        from in (1u32..20, 0u32..5, 1u32..20, 0u32..5),
        to in (1u32..20, 0u32..5, 1u32..20, 0u32..5),
        seconds in 1u64..(24 * 3600),
    ) {
        let ms = |v: u32| format!("0.{v:03}");
        let pattern = |(i, h, e, r): (u32, u32, u32, u32)| format!("{}-{}-{}-{}", ms(i), ms(h), ms(e), ms(r));
        let source = format!(
            "title = \"r\"\n[[step]]\nduration = \"1s\"\nbreath = {{ from = \"{}\", to = \"{}\" }}\n",
            pattern(from),
            pattern(to)
        );
        let checked = check_and_render(source.as_bytes());
        if let Some((session, _)) = checked.session {
            let target = Duration::from_secs(seconds);
            if let Ok(fitted) = hara::session::fit::fit(&session, target) {
                prop_assert!(hara::session::compile::items_length(&fitted.items) <= target);
            }
        }
    }
}

/// Refused, with `expected` among the messages. (How quickly is a benchmark's business, not a
/// test's: a loaded machine must not fail the suite. These inputs are refused before anything
/// is expanded, so none of them builds a timeline.)
fn assert_refused_quickly(source: &str, expected: &str) {
    let checked = check_and_render(source.as_bytes());
    assert!(checked.session.is_none());
    let messages: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(expected)),
        "expected {expected:?} in {messages:#?}"
    );
}

#[test]
fn a_file_over_a_mebibyte_is_refused() {
    let mut source = String::from("title = \"big\"\n[[step]]\nduration = 1\n");
    source.push_str(&"# padding\n".repeat(110_000));
    assert_refused_quickly(&source, "may be at most 1024 KiB");
}

#[test]
fn deep_nesting_is_refused() {
    let n = 100_000;
    assert_refused_quickly(
        &format!("title = {}{}", "[".repeat(n), "]".repeat(n)),
        "recurse",
    );
    assert_refused_quickly(
        &format!("a = {}1{}", "{b=".repeat(n), "}".repeat(n)),
        "recurse",
    );
    let mut groups = String::from("title = \"deep\"\n");
    for depth in 1..=12 {
        groups += &format!("[[{}]]\nrepeat = 1\n", vec!["step"; depth].join("."));
    }
    groups += &format!("[[{}]]\nduration = 1\n", ["step"; 13].join("."));
    assert_refused_quickly(&groups, "nest more than");
}

#[test]
fn enormous_expansions_are_refused_without_being_built() {
    let mut nested = String::from("title = \"many\"\n");
    for depth in 1..=8 {
        nested += &format!("[[{}]]\nrepeat = 10000\n", vec!["step"; depth].join("."));
    }
    nested += &format!("[[{}]]\nduration = \"1s\"\n", ["step"; 9].join("."));
    assert_refused_quickly(&nested, "at most 24 hours");

    let fast_ramp = "title = \"r\"\n[[step]]\nduration = \"23h\"\nbreath = { from = \"0.001-0-0.001-0\", to = \"0.002-0-0.002-0\" }\n";
    assert_refused_quickly(fast_ramp, "timed events");

    let dense_cues =
        "title = \"c\"\n[[step]]\nduration = \"23h\"\ncues = [{ every = \"1ms\", text = \"x\" }]\n";
    assert_refused_quickly(dense_cues, "timed events");

    let dense_bells =
        "title = \"b\"\n[bells]\ninterval = { every = \"1ms\" }\n[[step]]\nduration = \"23h\"\n";
    assert_refused_quickly(dense_bells, "timed events");
}
