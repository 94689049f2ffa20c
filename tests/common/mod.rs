//! Helpers shared by the integration tests: random but valid sessions.

use hara::session::check::InstrumentsOnly;
use hara::session::check_str;
use hara::session::format::Session;
use hara::timeline::Timeline;
use proptest::prelude::*;

/// A session that must be valid, checked and compiled.
pub fn checked(source: &str) -> (Session, Timeline) {
    let checked = check_str(source, &InstrumentsOnly);
    assert!(
        checked.errors() == 0,
        "{source}\n{:?}",
        checked.diagnostics.first()
    );
    checked.session.unwrap()
}

fn step_source() -> impl Strategy<Value = String> {
    let pattern =
        (1u32..8, 0u32..4, 1u32..10, 0u32..3).prop_map(|(i, h, e, r)| format!("{i}-{h}-{e}-{r}"));
    prop_oneof![
        (1u32..600).prop_map(|d| format!("[[step]]\nduration = {d}\n")),
        (1u32..40, pattern.clone()).prop_map(|(n, p)| format!("[[step]]\nbreaths = {n}\nbreath = \"{p}\"\n")),
        (60u32..300, pattern.clone(), 5u32..60).prop_map(|(d, p, c)| format!(
            "[[step]]\nduration = {d}\nbreath = \"{p}\"\ncues = [{{ every = {c}, principle = \"relax\" }}]\n"
        )),
        (1u32..20, pattern.clone(), pattern).prop_map(|(n, a, b)| format!(
            "[[step]]\nbreaths = {n}\nbreath = {{ from = \"{a}\", to = \"{b}\" }}\nbell = \"wood\"\n"
        )),
    ]
}

/// A random valid session: a repeat group of one to five random steps.
pub fn session_source() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(step_source(), 1..6),
        0u32..10,
        proptest::option::of(30u32..300),
        1u32..3,
    )
        .prop_map(|(steps, prepare, interval, repeat)| {
            let mut s = format!("title = \"Random\"\nprepare = {prepare}\n");
            if let Some(every) = interval {
                s += &format!("[bells]\ninterval = {{ every = {every} }}\n");
            }
            s += &format!("[[step]]\nrepeat = {repeat}\n");
            for step in steps {
                s += &step.replace("[[step]]", "[[step.step]]");
            }
            s
        })
}
