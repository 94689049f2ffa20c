//! What the page is sent, as JSON: the session once (`hello`), the events of the run as they
//! stand (`events`, again only after an extension), and where the run is (`state`, after every
//! change). Times are milliseconds; offsets count from the start of the countdown, clock
//! readings are the practice's clock. The page works out nothing but "which event is the
//! latest one at this offset", which it needs to draw between messages.
//!
//! Every text is cleaned of control characters here and put into the page as text, never as
//! markup.

use serde_json::{Value, json};

use super::clips::Clips;
use crate::engine::State;
use crate::practice::Plan;
use crate::text::clean_line;
use crate::timeline::{EventKind, Timeline};

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The session: title, steps and rounds, and how the page should behave.
pub fn hello(timeline: &Timeline, speed: u32, sound: bool, reduce_motion: bool) -> String {
    let steps: Vec<Value> = timeline
        .steps
        .iter()
        .map(|s| {
            json!({
                "title": clean_line(&s.title),
                "text": s.text.as_deref().map(clean_line),
                "round": s.round.as_ref().map(|r| json!({
                    "group": r.group.as_deref().map(clean_line),
                    "number": r.number,
                    "of": r.of,
                })),
            })
        })
        .collect();
    json!({
        "title": clean_line(&timeline.title),
        "summary": timeline.summary.as_deref().map(clean_line),
        "steps": steps,
        "rate": speed,
        "sound": sound,
        "reduce_motion": reduce_motion,
    })
    .to_string()
}

/// The events of the run as they stand, each with the clip it sounds.
pub fn events(plan: &Plan, clips: &Clips) -> String {
    let events: Vec<Value> = plan
        .events
        .iter()
        .filter_map(|e| {
            let at = ms(e.at);
            let clip = clips.id(&e.kind);
            Some(match &e.kind {
                EventKind::StepStarted { step, .. } => json!({"at": at, "kind": "step", "step": step}),
                EventKind::Phase { phase, length, .. } => json!({
                    "at": at, "kind": "phase", "phase": phase, "length": ms(*length), "clip": clip,
                }),
                EventKind::Cue { text, .. } => {
                    json!({"at": at, "kind": "cue", "text": clean_line(text)})
                }
                EventKind::Bell { bell } => {
                    json!({"at": at, "kind": "bell", "clip": clip, "label": clean_line(&bell.to_string())})
                }
                // The bed is not played in the browser (see docs/session-format.md).
                EventKind::Ambient { .. } => json!({"at": at, "kind": "bed"}),
                EventKind::Finished => json!({"at": at, "kind": "end"}),
                // Heard in the room from hara's own speakers; the page shows the step's words.
                EventKind::Speech { .. } => return None,
            })
        })
        .collect();
    json!({
        "revision": plan.revision,
        "prepare": ms(plan.prepare),
        "events": events,
    })
    .to_string()
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Preparing => "preparing",
        State::Running => "running",
        State::Open => "open",
        State::Paused => "paused",
        State::Finished => "finished",
    }
}

/// Where the run is: at clock reading `now` it was at `offset`, and moving or not.
pub fn state(plan: &Plan) -> String {
    let mut state = json!({
        "now": ms(plan.now),
        "offset": ms(plan.offset),
        "state": state_name(plan.state),
    });
    // In an open step: nothing from here on is due until a new state says so.
    if let Some(hold) = plan.hold {
        state["hold"] = json!(ms(hold));
    }
    state.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::output::Audio;
    use crate::audio::render::Bank;
    use crate::engine::ManualClock;
    use crate::practice::{Control, Practice};
    use crate::session::check::InstrumentsOnly;
    use std::time::Duration;

    const SOURCE: &str = "title = \"T <b>&amp;</b>\"\nprepare = 2\n[bells]\nend = \"wood\"\n\
        [[step]]\ntitle = \"Sit \\u001b[31m\"\nduration = 10\ncues = [{ at = 5, text = \"<img src=x onerror=alert(1)>\" }]\n\
        [[step]]\nrepeat = 2\n[[step.step]]\ntitle = \"Breathe\"\nbreaths = 1\nbreath = \"4-0-6-0\"\ntones = true\n";

    fn practice(clock: &ManualClock) -> Practice<&ManualClock> {
        let (_, t) = crate::session::check_str(SOURCE, &InstrumentsOnly)
            .session
            .unwrap();
        Practice::new(t, clock, Audio::silent())
    }

    #[test]
    fn an_open_step_is_sent_as_open_with_where_it_holds() {
        let source = "format = 1.1\ntitle = \"T\"\n[[step]]\nduration = \"open\"\n";
        let (_, t) = crate::session::check_str(source, &InstrumentsOnly)
            .session
            .unwrap();
        let clock = ManualClock::default();
        let mut p = Practice::new(t, &clock, Audio::silent());
        p.advance(Duration::from_secs(5));
        let v: Value = serde_json::from_str(&state(&p.plan(Duration::from_secs(5)))).unwrap();
        assert_eq!(v["state"], "open");
        assert_eq!(v["hold"], 60_000.0, "laid out a minute ahead");
        p.apply(Control::EndOpen, Duration::from_secs(6));
        let v: Value = serde_json::from_str(&state(&p.plan(Duration::from_secs(6)))).unwrap();
        assert_eq!(v["state"], "finished");
        assert!(v.get("hold").is_none());
    }

    #[test]
    fn the_session_is_sent_as_text_with_its_rounds() {
        let clock = ManualClock::default();
        let p = practice(&clock);
        let v: Value = serde_json::from_str(&hello(p.timeline(), 1, true, false)).unwrap();
        assert_eq!(
            v["title"], "T <b>&amp;</b>",
            "as text: the page never parses it"
        );
        assert_eq!(v["steps"][0]["title"], "Sit", "no escape sequence");
        assert_eq!(v["steps"][2]["round"]["number"], 2);
        assert_eq!(v["steps"][2]["round"]["of"], 2);
        assert_eq!(v["sound"], true);
    }

    #[test]
    fn events_carry_offsets_and_clips_and_state_carries_the_clock() {
        let clock = ManualClock::default();
        let mut p = practice(&clock);
        let clips = Clips::new(Some(Bank::default()));
        let v: Value = serde_json::from_str(&events(&p.plan(Duration::ZERO), &clips)).unwrap();
        let events = v["events"].as_array().unwrap();
        assert_eq!(v["prepare"], 2000.0);
        assert_eq!(events[0]["kind"], "step");
        assert_eq!(events[0]["at"], 2000.0, "offsets include the countdown");
        let cue = events.iter().find(|e| e["kind"] == "cue").unwrap();
        assert_eq!(cue["text"], "<img src=x onerror=alert(1)>");
        assert_eq!(cue["at"], 7000.0);
        let phase = |name: &str| events.iter().find(|e| e["phase"] == name).unwrap();
        assert_eq!(phase("inhale")["length"], 4000.0);
        assert!(phase("inhale")["clip"].is_number(), "a breath tone");
        assert!(phase("exhale")["clip"].is_number());
        assert_ne!(phase("inhale")["clip"], phase("exhale")["clip"]);
        assert!(phase("still")["clip"].is_null(), "a sit is silent");
        let bells: Vec<&Value> = events.iter().filter(|e| e["kind"] == "bell").collect();
        let labels: Vec<&Value> = bells.iter().map(|b| &b["label"]).collect();
        assert_eq!(
            labels,
            ["bowl ×1", "wood ×1"],
            "the default opening bell, then ours"
        );
        assert!(bells.iter().all(|b| b["clip"].is_number()));
        assert_ne!(bells[0]["clip"], bells[1]["clip"]);
        assert_eq!(events.last().unwrap()["kind"], "end");
        p.apply(Control::Pause, Duration::from_millis(3500));
        let s: Value = serde_json::from_str(&state(&p.plan(Duration::from_millis(3500)))).unwrap();
        assert_eq!(
            s,
            json!({"now": 3500.0, "offset": 3500.0, "state": "paused"})
        );
    }
}
