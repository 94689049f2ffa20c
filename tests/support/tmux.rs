//! A private tmux server running hara in one window, driven as a person would: for
//! tests/tmux.rs and tests/share.rs (each uses a part of it). A test that uses it asks
//! `needs::have(&[needs::TMUX, …])` first (tests/support/needs.rs, which the test crate
//! includes as `mod needs`).
#![allow(dead_code)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

/// The shell command that runs hara in `home` (its HOME, XDG folders and runtime folder).
fn command(home: &std::path::Path, env: &str, args: &str) -> String {
    format!(
        "env -u HARA_CONFIG -u HARA_JOURNAL -u HARA_THEME -u HARA_VOLUME -u HARA_DEVICE \
         HOME={d} XDG_CONFIG_HOME={d}/config XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state \
         XDG_CACHE_HOME={d}/cache XDG_RUNTIME_DIR={d}/runtime {env} {bin} {args}; \
         echo EXIT=$?; sleep 30",
        d = home.display(),
        bin = cargo_bin("hara").display()
    )
}

/// A private tmux server running one window.
pub struct Tmux {
    socket: String,
    /// The home of this run's XDG folders.
    pub home: tempfile::TempDir,
}

impl Tmux {
    pub fn start(args: &str, size: (u16, u16)) -> Self {
        Self::start_with("", args, size)
    }

    /// Starts hara with `env` (`NAME=value …`) on top of a private home and XDG folders.
    pub fn start_with(env: &str, args: &str, size: (u16, u16)) -> Self {
        assert!(
            crate::needs::find_program("tmux").is_some(),
            "a test that uses tmux asks `needs::have(&[needs::TMUX])` first"
        );
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "hara-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let home = tempfile::tempdir().unwrap();
        let command = command(home.path(), env, args);
        let t = Tmux { socket, home };
        t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &size.0.to_string(),
            "-y",
            &size.1.to_string(),
            &command,
        ]);
        t
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs hara a second time, in the same home, in a window of its own: `t:1`, as a
    /// second terminal on the same machine.
    pub fn second(&self, args: &str, size: (u16, u16)) {
        self.tmux(&[
            "new-window",
            "-d",
            "-t",
            "t:1",
            &command(self.home.path(), "", args),
        ]);
        self.tmux(&[
            "resize-window",
            "-t",
            "t:1",
            "-x",
            &size.0.to_string(),
            "-y",
            &size.1.to_string(),
        ]);
    }

    pub fn screen(&self) -> String {
        self.screen_of("t")
    }

    /// The screen of window `target` ("t" for the first, "t:1" for the second).
    pub fn screen_of(&self, target: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", target])
    }

    pub fn keys(&self, keys: &[&str]) {
        self.keys_to("t", keys);
    }

    pub fn keys_to(&self, target: &str, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", target, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Waits until the screen shows `text`, and returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_in("t", text)
    }

    /// Waits until the screen of window `target` shows `text`, and returns the screen.
    pub fn wait_for_in(&self, target: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen_of(target);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "waited for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the alternate screen is on: 0 once the terminal is given back.
    pub fn alternate_on(&self) -> String {
        self.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            .to_string()
    }

    /// The pid of hara, the child of the window's shell (found with pgrep: a test that
    /// calls this needs `needs::PGREP`).
    pub fn hara_pid(&self) -> String {
        let shell = self.tmux(&["display", "-p", "-t", "t", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// Sends `signal` to the process `pid`, as kill(1) would (without needing it on the machine).
pub fn signal(pid: &str, signal: rustix::process::Signal) {
    let pid = pid
        .trim()
        .parse()
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .unwrap_or_else(|| panic!("not a process id: {pid:?}"));
    rustix::process::kill_process(pid, signal).unwrap();
}
