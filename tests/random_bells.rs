//! Bells at random through the real binary: a seed gives one plan in `hara show`, `hara run`
//! and `hara render`, and a run keeps its seed in the journal so it can be run again.

use std::process::Output;

mod sandbox;

use sandbox::{silent as hara, text};

/// The fixture that documents bells at random (30 minutes, a bell every 3 to 7).
const FIXTURE: &str = "tests/fixtures/valid/random-bells.toml";

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The seed a line "… from seed N …" names.
fn seed_in(text: &str) -> u64 {
    let after = text.split("from seed ").nth(1).expect(text);
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// "MM:SS  bell: …" lines of a plan or a plain run, trimmed.
fn bell_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.contains("bell: "))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn show_of_a_seeded_plan_is_the_same_plan_every_time() {
    let home = tempfile::tempdir().unwrap();
    let first = ok(&hara(home.path(), &["show", FIXTURE, "--seed", "48213"]));
    let second = ok(&hara(home.path(), &["show", FIXTURE, "--seed", "48213"]));
    assert_eq!(first, second);
    assert!(
        first.contains("bells at random from seed 48213: `--seed 48213` gives this plan again"),
        "{first}"
    );
    let other = ok(&hara(home.path(), &["show", FIXTURE, "--seed", "48214"]));
    assert_ne!(bell_lines(&first), bell_lines(&other));

    // Without a seed, show picks one and says which; that seed shows that plan again.
    let picked = ok(&hara(home.path(), &["show", FIXTURE]));
    let seed = seed_in(&picked).to_string();
    assert_eq!(
        picked,
        ok(&hara(home.path(), &["show", FIXTURE, "--seed", &seed]))
    );

    // Fitted, the plan is drawn from the same seed: --fit and --seed together repeat too.
    let fitted = ok(&hara(
        home.path(),
        &["show", FIXTURE, "--seed", "5", "--fit", "20m"],
    ));
    assert_eq!(
        fitted,
        ok(&hara(
            home.path(),
            &["show", FIXTURE, "--seed", "5", "--fit", "20m"]
        ))
    );
    assert!(
        fitted.contains("length 20m\nbells at random from seed 5"),
        "{fitted}"
    );

    // The JSON timeline carries the seed too.
    let json = ok(&hara(
        home.path(),
        &["show", FIXTURE, "--json", "--seed", "7"],
    ));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["seed"], 7);
}

#[test]
fn a_run_keeps_its_seed_in_the_journal_and_the_seed_runs_that_plan_again() {
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", FIXTURE, "--plain", "--speed", "1000"];
        args.extend_from_slice(extra);
        ok(&hara(home.path(), &args))
    };
    let first = run(&[]);
    let seed = seed_in(&first);
    assert!(
        first.contains(&format!(
            "Bells at random from seed {seed}: `--seed {seed}` runs this plan again."
        )),
        "{first}"
    );
    let journal = std::fs::read_to_string(home.path().join("data/hara/journal.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(entry["seed"], seed, "{journal}");
    let log = ok(&hara(home.path(), &["log"]));
    assert!(
        log.contains(&format!("bells at random from seed {seed}")),
        "{log}"
    );

    // The same seed: the same bells at the same times, as `hara show` planned them.
    let again = run(&["--seed", &seed.to_string()]);
    assert_eq!(bell_lines(&first), bell_lines(&again));
    let plan = ok(&hara(
        home.path(),
        &["show", FIXTURE, "--seed", &seed.to_string()],
    ));
    assert_eq!(bell_lines(&first), bell_lines(&plan));
    assert!(bell_lines(&first).len() >= 4, "{first}");

    // Starting part-way keeps the plan: the bells from the second step on are the same.
    let walk = run(&["--seed", &seed.to_string(), "--from", "2"]);
    let later = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|l| l.as_str() >= "25:00")
            .collect()
    };
    assert_eq!(later(bell_lines(&walk)), later(bell_lines(&plan)));

    // A session with nothing at random records no seed.
    let plain = ok(&hara(
        home.path(),
        &[
            "run",
            "tests/fixtures/valid/minimal.toml",
            "--plain",
            "--speed",
            "1000",
        ],
    ));
    assert!(!plain.contains("seed"), "{plain}");
    let journal = std::fs::read_to_string(home.path().join("data/hara/journal.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert!(last.get("seed").is_none(), "{journal}");
}

#[test]
fn render_draws_its_bells_from_the_seed() {
    let home = tempfile::tempdir().unwrap();
    let session = home.path().join("short.toml");
    std::fs::write(
        &session,
        "format = 1.1\ntitle = \"Short\"\n[bells]\nstart = \"none\"\nend = \"none\"\n\
         interval = { every = \"10s..30s\", sound = \"wood\" }\n[[step]]\nduration = \"1m\"\n",
    )
    .unwrap();
    let session = session.to_str().unwrap();
    let render = |seed: &str, name: &str| {
        let wav = home.path().join(name);
        let out = ok(&hara(
            home.path(),
            &[
                "render",
                session,
                "-o",
                wav.to_str().unwrap(),
                "--seed",
                seed,
            ],
        ));
        assert!(
            out.contains(&format!("bells at random from seed {seed}")),
            "{out}"
        );
        std::fs::read(wav).unwrap()
    };
    let a = render("5", "a.wav");
    assert_eq!(a, render("5", "b.wav"), "one seed, one track");
    assert_ne!(a, render("6", "c.wav"), "another seed, other bells");
}
