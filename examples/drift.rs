//! Runs a session on the manual clock and reports how late events were delivered and how far
//! their due times moved from the plan: the drift-free claim, checked over hours of session
//! time in a fraction of a second.
//!
//! cargo run --release --example drift -- scripts/bench-8h.toml

use std::time::{Duration, Instant};

use hara::engine::{Clock, Engine, ManualClock};
use hara::session::library::Library;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scripts/bench-8h.toml".into());
    let library = Library::default();
    let found = library.find(&path)?;
    let Some((_, timeline)) = library.check(&found).session else {
        anyhow::bail!("{path} is not a valid session; run `hara check {path}`");
    };
    println!(
        "{}: {} from the opening bell, {} events",
        timeline.title,
        hara::session::duration::format(timeline.total),
        timeline.events.len()
    );
    // A small deterministic generator, so every run reports the same figures.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut jitter = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        Duration::from_millis(seed % 2001)
    };
    for (label, jittered) in [
        ("woken exactly when due", false),
        ("woken 0-2 s late", true),
    ] {
        let started = Instant::now();
        let clock = ManualClock::default();
        let mut engine = Engine::new(timeline.clone(), clock.now());
        let mut lateness = Vec::new();
        let mut drift = Duration::ZERO;
        let mut delivered = engine.advance(clock.now());
        loop {
            for d in delivered.drain(..) {
                lateness.push(d.delivered - d.due);
                let planned = timeline.prepare + d.at;
                drift = drift.max(d.due.abs_diff(planned));
            }
            let Some(due) = engine.next_due() else { break };
            let late = if jittered { jitter() } else { Duration::ZERO };
            clock.set(due.max(clock.now()) + late);
            delivered = engine.advance(clock.now());
        }
        lateness.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label}: {} delivered; lateness worst {:.3} ms, median {:.3} ms; drift (due vs plan) {:.3} ms; ran in {:.0} ms",
            lateness.len(),
            ms(*lateness.last().unwrap_or(&Duration::ZERO)),
            ms(lateness[lateness.len() / 2]),
            ms(drift),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
