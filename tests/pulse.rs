//! Listening to hara: a private PulseAudio server with a null sink stands in for speakers, its
//! monitor is recorded while hara plays a session, and the bells (and a sound bed) are found
//! in the recording.
//! The server is also killed mid-session and started again, as a crashed or restarted sound
//! server would be. Needs pulseaudio, pulseaudio-utils, ALSA's pulse plugin, tmux and pgrep
//! (.ci/run installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

#[path = "support/needs.rs"]
mod needs;
mod sandbox;
use needs::{PGREP, PULSEAUDIO, TMUX};
#[path = "support/tmux.rs"]
mod tmux;
use tmux::Tmux;

const RATE: usize = 48_000;

struct Pulse {
    runtime: tempfile::TempDir,
}

impl Pulse {
    fn start() -> Self {
        let pulse = Pulse {
            runtime: tempfile::tempdir().unwrap(),
        };
        // A client must never start a server of its own: this test decides when there is one.
        std::fs::write(pulse.client_conf(), "autospawn = no\n").unwrap();
        pulse.up();
        pulse
    }

    fn client_conf(&self) -> PathBuf {
        self.runtime.path().join("client.conf")
    }

    /// Starts the daemon (again) and waits until it answers.
    fn up(&self) {
        let ok = self
            .command("pulseaudio")
            .args([
                "-n",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "-L",
                "module-null-sink sink_name=nullsink rate=48000",
                "-L",
                "module-native-protocol-unix",
            ])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success());
        assert!(
            matches!(ok, Ok(true)),
            "this test needs PulseAudio: apt-get install pulseaudio pulseaudio-utils libasound2-plugins"
        );
        wait_until("PulseAudio answers", || {
            self.command("pactl")
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    }

    /// Kills the daemon as a crash would (SIGKILL), and waits until it is gone.
    fn crash(&self) {
        let pid = std::fs::read_to_string(self.runtime.path().join("pulse/pid")).unwrap();
        let pid = pid.trim().to_string();
        let raw = pid
            .parse()
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .unwrap();
        rustix::process::kill_process(raw, rustix::process::Signal::KILL).unwrap();
        wait_until("PulseAudio is gone", || {
            !Path::new(&format!("/proc/{pid}")).exists()
        });
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        // Everything in the test's own folder (the daemon's cookie and state too), not in
        // the home of whoever runs the tests.
        c.env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("PULSE_CLIENTCONFIG", self.client_conf())
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
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.command("pulseaudio").arg("--kill").status();
    }
}

/// Polls `ready` until it holds; a minute without it fails the test (a safety net, not a
/// budget: each condition normally holds within a few seconds).
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited for: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn samples(file: &Path) -> Vec<f32> {
    std::fs::read(file)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
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

/// hara in a home of its own (HOME, XDG folders, none of the person's `HARA_` settings), its
/// sound going to this test's server.
fn hara(pulse: &Pulse, home: &Path) -> Command {
    let mut c = sandbox::command(cargo_bin("hara"), home);
    c.env("XDG_RUNTIME_DIR", pulse.runtime.path())
        .env("PULSE_CLIENTCONFIG", pulse.client_conf());
    c
}

#[test]
fn bells_are_heard_on_their_exact_sample() {
    if !needs::have(&[PULSEAUDIO]) {
        return;
    }
    let pulse = Pulse::start();
    let home = tempfile::tempdir().unwrap();
    let capture = pulse.runtime.path().join("capture.raw");
    let mut recorder = pulse.record(&capture);
    let run = hara(&pulse, home.path())
        .args([
            "run",
            "tests/fixtures/audio/three-bells.toml",
            "--plain",
            "--no-journal",
            "--volume",
            "100",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!stdout.contains("no sound"), "{stdout}");
    assert!(
        run.stderr.is_empty(),
        "sound libraries printed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    // hara has closed the device after the last knock rang out: all of it is recorded.
    recorder.kill().unwrap();
    recorder.wait().unwrap();
    let found = onsets(&samples(&capture));
    assert_eq!(found.len(), 3, "onsets at {found:?}");
    let gaps = [found[1] - found[0], found[2] - found[1]];
    eprintln!("onsets {found:?}, gaps {gaps:?}");
    for g in gaps {
        // Each knock starts on its own sample, placed from the stream's playback
        // timestamps: within 5 ms (measured: within 0.1 ms).
        assert!(
            (g - 2.0).abs() <= 0.005,
            "a gap of {g:.4} s, not 2 s ± 5 ms (onsets {found:?})"
        );
    }
}

/// The energy (dB) above about 6 kHz of `s` from `from` to `to` seconds: rain has plenty
/// there, a bowl (partials under 2 kHz) next to none.
fn high_db(s: &[f32], from: f64, to: f64) -> f64 {
    let a = (-std::f64::consts::TAU * 6000.0 / RATE as f64).exp();
    let mut y: Vec<f64> = s[(from * RATE as f64) as usize..(to * RATE as f64) as usize]
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    for _ in 0..6 {
        let (mut px, mut py) = (0.0, 0.0);
        for v in y.iter_mut() {
            let o = a * (py + *v - px);
            px = *v;
            py = o;
            *v = o;
        }
    }
    // The filters' first 10 ms are their own start, not the sound.
    let settled = &y[RATE / 100..];
    10.0 * (settled.iter().map(|v| v * v).sum::<f64>() / settled.len() as f64 + 1e-30).log10()
}

#[test]
fn a_sound_bed_is_heard_dips_under_a_bowl_and_fades_when_stopped() {
    if !needs::have(&[PULSEAUDIO]) {
        return;
    }
    let pulse = Pulse::start();
    let home = tempfile::tempdir().unwrap();
    let capture = pulse.runtime.path().join("capture.raw");
    let mut recorder = pulse.record(&capture);
    let mut run = hara(&pulse, home.path())
        .args([
            "run",
            "tests/fixtures/audio/bed-under-a-bowl.toml",
            "--plain",
            "--no-journal",
            "--volume",
            "100",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The bowl is struck 7 s in; wait until two seconds of its ring are recorded.
    let bowl = || {
        let s = samples(&capture);
        s.iter()
            .position(|x| x.abs() > 0.25)
            .map(|i| (i as f64 / RATE as f64, s.len() as f64 / RATE as f64))
    };
    wait_until("the bowl and two seconds of its ring are recorded", || {
        bowl().is_some_and(|(at, len)| len > at + 2.5)
    });
    // Stopped as Ctrl-C or a closing terminal would: the bed fades out (over its half second
    // here) and hara ends, without waiting for the bowl.
    let pid = rustix::process::Pid::from_raw(run.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = run.wait().unwrap();
    assert!(status.success(), "hara ended with {status}");
    let mut err = String::new();
    std::io::Read::read_to_string(run.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.is_empty(), "sound libraries printed: {err}");
    recorder.kill().unwrap();
    recorder.wait().unwrap();
    let s = samples(&capture);
    let (at, _) = bowl().unwrap();
    // The bed is there before the bowl, and dips under it by the mix's 8 dB (± 2.5 for a
    // real stream and a second of noise).
    let before = high_db(&s, at - 2.0, at - 0.2);
    let under = high_db(&s, at + 0.5, at + 2.0);
    eprintln!("bowl at {at:.2} s; rain above 6 kHz: {before:.1} dB before, {under:.1} dB under it");
    assert!(before > -100.0, "the bed is heard: {before:.1} dB");
    assert!(
        (under - before + 8.0).abs() < 2.5,
        "dipped {:.1} dB",
        under - before
    );
    // It faded: in the last 0.1 s before the sound ended it was far under its level.
    let end = s.iter().rposition(|x| x.abs() > 1e-4).unwrap() as f64 / RATE as f64;
    let last = high_db(&s, end - 0.12, end);
    eprintln!("the sound ends at {end:.2} s; its last 0.1 s above 6 kHz: {last:.1} dB");
    assert!(
        last < under - 12.0,
        "cut, not faded: {last:.1} dB at the end"
    );
}

/// CPU time (ns) used by all of a process's threads.
fn cpu_ns(pid: &str) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

#[test]
fn a_lost_sound_server_is_said_and_the_sound_comes_back_on_time() {
    if !needs::have(&[PULSEAUDIO, TMUX, PGREP]) {
        return;
    }
    let pulse = Pulse::start();
    // hara full screen in its own home, its sound going to this test's server.
    let screen = Tmux::start_with(
        &format!(
            "XDG_RUNTIME_DIR={} PULSE_CLIENTCONFIG={}",
            pulse.runtime.path().display(),
            pulse.client_conf().display()
        ),
        &format!(
            "run {}/tests/fixtures/audio/bells-every-2s.toml --no-journal --volume 100",
            env!("CARGO_MANIFEST_DIR")
        ),
        (100, 30),
    );
    let before = pulse.runtime.path().join("before.raw");
    let mut recorder = pulse.record(&before);
    wait_until("the first knock is heard", || {
        !onsets(&samples(&before)).is_empty()
    });
    let pid = screen.hara_pid();
    assert!(!pid.is_empty(), "hara runs: {}", screen.screen());

    pulse.crash();
    let _ = recorder.wait();
    wait_until("the status line says the sound was lost", || {
        screen.screen().contains("sound lost")
    });
    // While the server is away, hara waits without spinning (cpal's thread spun at 99 % of a
    // core before): measured over two seconds of the wait, well under 5 % of a core.
    let (cpu0, t0) = (cpu_ns(&pid), Instant::now());
    std::thread::sleep(Duration::from_secs(2));
    let share = (cpu_ns(&pid) - cpu0) as f64 / t0.elapsed().as_nanos() as f64;
    eprintln!("{:.3} % of a core while the sound is lost", share * 100.0);
    assert!(
        share < 0.05,
        "{:.1} % of a core while the sound is lost",
        share * 100.0
    );

    pulse.up();
    let after = pulse.runtime.path().join("after.raw");
    let mut recorder = pulse.record(&after);
    wait_until("the status line has the volume again", || {
        screen.screen().contains("vol 100%")
    });
    // The knocks after the stream reopened (it stalls for a moment after opening): each
    // 2 s after the last, to within 5 ms.
    wait_until("three knocks after the stream came back", || {
        onsets(&samples(&after)).len() >= 4
    });
    recorder.kill().unwrap();
    recorder.wait().unwrap();
    let found = onsets(&samples(&after));
    eprintln!("onsets after the server came back: {found:?}");
    for pair in found[1..].windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            (gap - 2.0).abs() <= 0.005,
            "a gap of {gap:.4} s after recovery (onsets {found:?})"
        );
    }
    screen.keys(&["q"]);
}
