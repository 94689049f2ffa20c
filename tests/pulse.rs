//! Listening to hara: a private PulseAudio server with a null sink stands in for speakers, its
//! monitor is recorded while hara plays a session, and the bells are found in the recording.
//! Needs pulseaudio, pulseaudio-utils and ALSA's pulse plugin (.ci/run installs them).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;

const RATE: usize = 48_000;

struct Pulse {
    runtime: tempfile::TempDir,
}

impl Pulse {
    fn start() -> Self {
        let runtime = tempfile::tempdir().unwrap();
        let ok = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "-L",
                "module-null-sink sink_name=nullsink rate=48000",
                "-L",
                "module-native-protocol-unix",
            ])
            .env("XDG_RUNTIME_DIR", runtime.path())
            // Its cookie and state go in the test's own folder, not the home of whoever
            // runs the tests.
            .env("HOME", runtime.path())
            .env("XDG_CONFIG_HOME", runtime.path().join("config"))
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success());
        assert!(
            matches!(ok, Ok(true)),
            "this test needs PulseAudio: apt-get install pulseaudio pulseaudio-utils libasound2-plugins"
        );
        let pulse = Pulse { runtime };
        for _ in 0..50 {
            if pulse
                .command("pactl")
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                return pulse;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("PulseAudio did not come up");
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("HOME", self.runtime.path())
            .env("XDG_CONFIG_HOME", self.runtime.path().join("config"))
            .env("XDG_DATA_HOME", self.runtime.path().join("data"))
            .env("XDG_STATE_HOME", self.runtime.path().join("state"))
            .env_remove("HARA_CONFIG")
            .env_remove("HARA_JOURNAL");
        c
    }

    /// Records the null sink's monitor into `file` (a file, not a pipe, so nothing is lost
    /// while the test waits).
    fn record(&self, file: &Path) -> Child {
        self.command("parec")
            .args([
                "-d",
                "nullsink.monitor",
                "--format=float32le",
                "--rate=48000",
                "--channels=1",
            ])
            .stdout(std::fs::File::create(file).unwrap())
            .spawn()
            .unwrap()
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.command("pulseaudio").arg("--kill").status();
    }
}

/// Seconds at which sound starts after at least half a second of quiet.
fn onsets(samples: &[f32]) -> Vec<f64> {
    let quiet = RATE / 2;
    let mut silent = quiet;
    let mut out = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        if s.abs() > 0.01 {
            if silent >= quiet {
                out.push(i as f64 / RATE as f64);
            }
            silent = 0;
        } else {
            silent += 1;
        }
    }
    out
}

#[test]
fn bells_are_heard_two_seconds_apart() {
    let pulse = Pulse::start();
    let capture = pulse.runtime.path().join("capture.raw");
    let mut recorder = pulse.record(&capture);
    std::thread::sleep(Duration::from_millis(500));
    let run = pulse
        .command(cargo_bin("hara"))
        .args([
            "run",
            "tests/fixtures/audio/three-bells.toml",
            "--plain",
            "--no-journal",
            "--volume",
            "100",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!stdout.contains("no sound device"), "{stdout}");
    assert!(
        run.stderr.is_empty(),
        "sound libraries printed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::thread::sleep(Duration::from_secs(1));
    recorder.kill().unwrap();
    recorder.wait().unwrap();
    let raw = std::fs::read(&capture).unwrap();
    let samples: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let found = onsets(&samples);
    assert_eq!(found.len(), 3, "onsets at {found:?}");
    let gaps = [found[1] - found[0], found[2] - found[1]];
    eprintln!("onsets {found:?}, gaps {gaps:?}");
    for g in gaps {
        assert!(
            (g - 2.0).abs() <= 0.060,
            "a gap of {g:.3} s, not 2 s ± 60 ms (onsets {found:?})"
        );
    }
}
