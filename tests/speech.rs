//! Spoken guidance through a real engine (eSpeak NG): the text reaches it as text only, and a
//! text spoken once comes from the cache.

#[path = "support/needs.rs"]
mod needs;

use hara::speech::{Engine, Speaker};
use needs::ESPEAK_NG;

#[test]
fn hostile_text_is_spoken_as_text_and_runs_nothing() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pwned = dir.path().join("pwned");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("keep"), "x").unwrap();
    let speaker = Speaker::new(Engine::default(), Some(dir.path().join("cache")));
    for text in [
        format!("$(touch {})", pwned.display()),
        format!("`touch {}`", pwned.display()),
        format!("\"; rm -rf {} ; touch {}", home.display(), pwned.display()),
        format!(
            "\u{1b}]0;x\u{7}; touch {}\n-w {}",
            pwned.display(),
            pwned.display()
        ),
    ] {
        let d = speaker
            .speak(&text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(d.samples.len() > 4800, "{text:?} was not spoken");
    }
    assert!(!pwned.exists(), "session text ran as a command");
    assert!(home.join("keep").exists(), "session text removed files");
}

#[test]
fn a_text_spoken_once_comes_from_the_cache() {
    if !needs::have(&[ESPEAK_NG]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("speech");
    let speaker = Speaker::new(Engine::default(), Some(cache.clone()));
    let first = speaker.speak("Let the floor take your weight.").unwrap();
    let file = speaker
        .cached_path("Let the floor take your weight.")
        .unwrap();
    assert!(file.exists());
    // Only the finished file is left in the cache.
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    // The next time, the file is what is played: put another sound there and that is heard.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/valid/chimes/soft.wav");
    std::fs::copy(fixture, &file).unwrap();
    let again = speaker.speak("Let the floor take your weight.").unwrap();
    assert!(again.samples.len() < 12_000, "not from the cache");
    // 22,050 Hz from the engine, hara's 48 kHz here: a short sentence is about 2 s.
    let secs = first.samples.len() as f64 / 48_000.0;
    assert!((0.8..6.0).contains(&secs), "{secs} s");
}
