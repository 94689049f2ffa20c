//! The room display (`hara run … --share`) from outside, as a browser and a teacher use it:
//! the real binary serving on a loopback port it chose itself (port 0), read over plain HTTP,
//! then followed by headless Chromium while the teacher drives the full-screen view in tmux.
//!
//! Every wait is for something to be seen (a printed address, a message, a page's text),
//! with a generous limit only so that a failure ends the test instead of hanging it. The
//! browser test needs `chromium` and `tmux` (tests/support/needs.rs: without them it is
//! skipped, or fails under CI=true; .ci/run installs both).

#![cfg(feature = "share")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assert_cmd::cargo::cargo_bin;
use serde_json::{Value, json};

#[path = "support/needs.rs"]
mod needs;
mod sandbox;
#[path = "support/tmux.rs"]
mod support;
use needs::{CHROMIUM, TMUX};
use support::Tmux;

const ROOM: &str = "tests/fixtures/share/room.toml";
/// How long to wait for anything before calling it a failure.
const PATIENCE: Duration = Duration::from_secs(60);

/// `hara run` in plain mode with the room display on a port of its choosing.
struct Plain {
    child: Child,
    addr: String,
    /// Everything printed after the address.
    rest: Arc<Mutex<String>>,
    _home: tempfile::TempDir,
}

impl Plain {
    fn start(args: &[&str]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut child = sandbox::command(cargo_bin("hara"), home.path())
            .args(["run", ROOM, "--plain", "--share", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let addr = read_address(&mut out);
        let rest = Arc::new(Mutex::new(String::new()));
        let sink = rest.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while out.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Plain {
            child,
            addr,
            rest,
            _home: home,
        }
    }

    /// Waits until hara has printed `text`.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.rest.lock().unwrap().contains(text) {
            assert!(start.elapsed() < PATIENCE, "waited for {text:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Ends the run as a terminal closing would (SIGTERM), and waits for it.
    fn terminate(&mut self) -> std::process::ExitStatus {
        support::signal(&self.child.id().to_string(), rustix::process::Signal::TERM);
        self.child.wait().unwrap()
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads hara's lines until the one that gives the page's address; returns `host:port`.
fn read_address(out: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "hara ended without printing the room's address"
        );
        if let Some(addr) = address_in(&line) {
            return addr;
        }
    }
}

fn address_in(text: &str) -> Option<String> {
    let start = text.find("http://")? + "http://".len();
    let end = text[start..].find('/')? + start;
    Some(text[start..end].to_string())
}

struct Response {
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn status(&self) -> u16 {
        self.head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request, as written (the path is sent exactly as given), on its own connection.
fn request(addr: &str, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    Response {
        head: String::from_utf8_lossy(&raw[..split]).into_owned(),
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: &str, path: &str) -> Response {
    request(addr, "GET", path)
}

/// A page's event stream, read as a browser's EventSource would.
struct Events {
    reader: BufReader<TcpStream>,
    /// Decoded body not yet split into events.
    text: String,
}

impl Events {
    fn open(addr: &str) -> Self {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut chunked = false;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            assert!(
                !lower.starts_with("content-type:") || lower.contains("text/event-stream"),
                "{line}"
            );
            chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
        }
        assert!(chunked, "an event stream has no length");
        Events {
            reader,
            text: String::new(),
        }
    }

    /// The next event (name and data), skipping keep-alive comments; `None` when the stream
    /// closes.
    fn next(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data += v.strip_prefix(' ').unwrap_or(v);
                    }
                }
                if !data.is_empty() {
                    return Some((name, data));
                }
                continue;
            }
            // One chunk: its length in hex, the bytes, CRLF.
            let mut size = String::new();
            if self.reader.read_line(&mut size).ok()? == 0 {
                return None;
            }
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                return None;
            }
            let mut chunk = vec![0; n + 2];
            self.reader.read_exact(&mut chunk).ok()?;
            self.text.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }

    fn next_json(&mut self) -> Option<(String, Value)> {
        self.next()
            .map(|(name, data)| (name, serde_json::from_str(&data).unwrap()))
    }
}

#[test]
fn a_plain_run_serves_the_page_its_sounds_and_every_change_until_it_ends() {
    // Ten times real time: 11 s, time enough to fetch every clip while it runs, even on a
    // busy machine.
    let mut hara = Plain::start(&["--speed", "10"]);
    let addr = hara.addr.clone();
    let mut events = Events::open(&addr);

    let (name, hello) = events.next_json().unwrap();
    assert_eq!(name, "hello");
    assert_eq!(hello["title"], "Room · 部屋 · Raum");
    assert_eq!(hello["rate"], 10);
    assert_eq!(hello["sound"], true);
    assert_eq!(hello["steps"].as_array().unwrap().len(), 3);
    assert_eq!(
        hello["steps"][2]["round"],
        json!({"group": "Sit", "number": 2, "of": 2})
    );

    // The page and what it loads: compiled in, and allowed to load nothing else.
    let page = get(&addr, "/");
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.text().contains("<script src=\"/app.js\""));
    assert!(
        get(&addr, "/app.js")
            .text()
            .contains("new EventSource(\"/events\")")
    );
    assert_eq!(get(&addr, "/style.css").status(), 200);
    let clock: Value = serde_json::from_str(&get(&addr, "/clock").text()).unwrap();
    assert!(clock["now"].as_f64().unwrap() >= 0.0);

    // The run: its events once, then its state at every change, until it ends.
    let mut plan = None;
    let mut states = Vec::new();
    let mut fetched = 0;
    while let Some((name, data)) = events.next_json() {
        match name.as_str() {
            "events" => {
                let list = data["events"].as_array().unwrap().clone();
                // Every sound of the run, as the synthesiser made it, while the run lasts.
                let mut clips: Vec<u64> = list.iter().filter_map(|e| e["clip"].as_u64()).collect();
                clips.sort_unstable();
                clips.dedup();
                assert!(clips.len() >= 4, "two bells and two tones: {clips:?}");
                for id in clips {
                    let wav = get(&addr, &format!("/clip/{id}"));
                    assert_eq!(wav.status(), 200);
                    assert_eq!(wav.header("content-type"), Some("audio/wav"));
                    assert_eq!(&wav.body[..4], b"RIFF");
                    assert_eq!(&wav.body[8..12], b"WAVE");
                    assert!(
                        wav.body.len() > 44 + 48_000,
                        "at least half a second of sound"
                    );
                    fetched += 1;
                }
                plan = Some(list);
            }
            "state" => states.push(data["state"].as_str().unwrap().to_string()),
            "end" => break,
            other => panic!("unexpected event {other}"),
        }
    }
    let plan = plan.expect("the events were sent");
    let kinds: Vec<&str> = plan.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["step", "phase", "cue", "bell", "end"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(
        plan.iter().filter(|e| e["kind"] == "step").count(),
        3,
        "each round is a step"
    );
    // The page is told the latest state (a watch channel): a reader busy fetching clips may
    // not see every one in between, but what it sees comes in order and ends finished.
    let order = ["waiting", "preparing", "running", "finished"];
    let ranks: Vec<usize> = states
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a known state"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{states:?}");
    assert_eq!(states.last().map(String::as_str), Some("finished"));
    assert!(fetched >= 4);

    // The server stops with the session, and the session ends as it always does.
    let status = hara.child.wait().unwrap();
    assert!(status.success());
    assert!(
        hara.rest
            .lock()
            .unwrap()
            .contains("Finished: practised 1m50s.")
    );
    assert!(
        TcpStream::connect(&addr).is_err(),
        "nothing listens once the session is over"
    );
}

#[test]
fn the_room_display_follows_an_open_step_until_enter_ends_it() {
    let home = tempfile::tempdir().unwrap();
    let mut child = sandbox::command(cargo_bin("hara"), home.path())
        .args([
            "--silent",
            "sit",
            "--open",
            "--every",
            "1m",
            "--prepare",
            "0s",
        ])
        .args(["--plain", "--share", "127.0.0.1:0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let addr = read_address(&mut out);
    let mut events = Events::open(&addr);
    // Told the state at every change: the open step as "open", with where it holds.
    let mut open = None;
    let mut plan = None;
    while let Some((name, data)) = events.next_json() {
        match name.as_str() {
            "events" => plan = Some(data),
            "state" if data["state"] == "open" => {
                open = Some(data);
                break;
            }
            _ => {}
        }
    }
    let open = open.expect("the page is told the step is open");
    let hold = open["hold"].as_f64().expect("and where it holds");
    assert_eq!(hold, 60_000.0, "laid out a minute ahead");
    let plan = plan.expect("the events came first");
    let events_list = plan["events"].as_array().unwrap();
    // The end bell and the end lie at the hold: the page schedules nothing from there on.
    let end = events_list.last().unwrap();
    assert_eq!(
        (end["kind"].as_str(), end["at"].as_f64()),
        (Some("end"), Some(hold))
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    let mut states = Vec::new();
    while let Some((name, data)) = events.next_json() {
        match name.as_str() {
            "state" => {
                states.push(data["state"].as_str().unwrap().to_string());
                assert!(
                    data.get("hold").is_none() || data["state"] == "open",
                    "{data}"
                );
            }
            "end" => break,
            _ => {}
        }
    }
    assert_eq!(
        states.last().map(String::as_str),
        Some("finished"),
        "{states:?}"
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn viewers_can_only_read_and_only_so_many_at_once() {
    let mut hara = Plain::start(&["--silent"]);
    let addr = hara.addr.clone();
    let (_, hello) = Events::open(&addr).next_json().unwrap();
    assert_eq!(hello["sound"], false, "a silent sitting offers no sound");

    // Only GET, only the page's own paths; nothing from a path reaches the disk.
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for path in ["/", "/events", "/clock"] {
            assert_eq!(
                request(&addr, method, path).status(),
                405,
                "{method} {path}"
            );
        }
    }
    for path in [
        "/Cargo.toml",
        "/../Cargo.toml",
        "/clip/../../Cargo.toml",
        "/clip/%2e%2e%2fCargo.toml",
        "/clip/0",
        "/clip/-1",
        "/etc/passwd",
        "/app.js/../../src/main.rs",
    ] {
        let r = get(&addr, path);
        assert_eq!(r.status(), 404, "{path}");
        assert!(!r.text().contains("[package]") && !r.text().contains("fn main"));
    }

    // 500 followers at once; the next one is turned away, and nobody else is slowed.
    let mut streams: Vec<Events> = (0..500).map(|_| Events::open(&addr)).collect();
    for s in streams.iter_mut().step_by(50) {
        assert_eq!(s.next().unwrap().0, "hello");
    }
    let mut extra = TcpStream::connect(&addr).unwrap();
    extra.set_read_timeout(Some(PATIENCE)).unwrap();
    let _ = extra.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut got = Vec::new();
    let _ = extra.read_to_end(&mut got);
    assert!(got.is_empty(), "the 501st connection is closed unanswered");
    // When they leave, there is room again.
    streams.clear();
    let start = Instant::now();
    while TcpStream::connect(&addr)
        .ok()
        .and_then(|mut s| {
            s.set_read_timeout(Some(PATIENCE)).ok()?;
            s.write_all(b"GET /clock HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .ok()?;
            let mut r = String::new();
            s.read_to_string(&mut r).ok()?;
            r.starts_with("HTTP/1.1 200").then_some(())
        })
        .is_none()
    {
        assert!(
            start.elapsed() < PATIENCE,
            "the slots were never given back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // A stop signal ends the session, and the room with it.
    hara.wait_for("inhale");
    let status = hara.terminate();
    assert!(
        status.success(),
        "{status:?}: {}",
        hara.rest.lock().unwrap()
    );
    let said = hara.rest.lock().unwrap().clone();
    assert!(said.contains("Stopped"), "{said}");
    assert!(TcpStream::connect(&addr).is_err());
}

#[test]
fn idle_and_slow_clients_are_let_go() {
    let hara = Plain::start(&["--silent"]);
    let addr = hara.addr.clone();
    // One says nothing; one sends half a request and stops (the "slowloris").
    let idle = TcpStream::connect(&addr).unwrap();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    for mut s in [idle, slow] {
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut got = Vec::new();
        // The server closes them (after its 10 s header timeout); a hang would be an error.
        s.read_to_end(&mut got)
            .expect("the server closes the connection itself");
        let said = String::from_utf8_lossy(&got);
        assert!(
            said.is_empty() || said.starts_with("HTTP/1.1 408"),
            "{said}"
        );
    }
    // And serves others as before.
    assert_eq!(get(&addr, "/clock").status(), 200);
}

// ---------------------------------------------------------------------------------------
// In a real browser.

/// Headless Chromium, driven over the DevTools protocol.
struct Chromium {
    child: Child,
    ws: tungstenite::WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Chromium {
    fn start() -> Self {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--window-size=1920,1080",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            // Its crash reports, dconf cache and PulseAudio cookie go in its own folder, not
            // in the home of whoever runs the tests (.ci/run checks that HOME stays empty).
            .env("HOME", profile.path())
            .env("XDG_CONFIG_HOME", profile.path().join("config"))
            .env("XDG_CACHE_HOME", profile.path().join("cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let url = loop {
            line.clear();
            assert!(
                err.read_line(&mut line).unwrap() > 0,
                "Chromium ended before it listened"
            );
            if let Some(at) = line.find("ws://") {
                break line[at..].trim().to_string();
            }
        };
        // Keep reading what it says, so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        let host = url["ws://".len()..].split('/').next().unwrap().to_string();
        let stream = TcpStream::connect(&host).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let (ws, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
        let mut browser = Chromium {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let targets = browser.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .unwrap()["targetId"]
            .clone();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": page, "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser.call("Page.enable", json!({}));
        // A projector's screen: 1920×1080 of page, whatever the window around it.
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": false}),
        );
        browser
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let mut message = json!({"id": self.next_id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.ws
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let reply = self.ws.read().unwrap();
            let Ok(text) = reply.to_text() else { continue };
            let v: Value = serde_json::from_str(text).unwrap();
            if v["id"] == self.next_id {
                assert!(v["error"].is_null(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r["exceptionDetails"].is_null(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    fn text(&mut self, id: &str) -> String {
        // Nothing yet while the page is still loading.
        self.eval(&format!(
            "(document.getElementById('{id}') || {{}}).textContent || ''"
        ))
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until the page's element `id` says something `accept`s; returns it.
    fn wait_for(&mut self, id: &str, what: &str, accept: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let t = self.text(id);
            if accept(&t) {
                return t;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited for #{id} to show {what}; it shows {t:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn screenshot(&mut self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        std::fs::write(path, base64(shot["data"].as_str().unwrap())).unwrap();
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .map(value)
        .collect();
    digits
        .chunks(4)
        .flat_map(|q| {
            let n = q
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(q.len().saturating_sub(1))
        })
        .collect()
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// Where the screenshot goes: beside the test binaries (docs/images/ keeps a copy).
fn screenshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("share-1920x1080.png")
}

#[test]
fn a_browser_follows_the_teachers_terminal() {
    if !needs::have(&[TMUX, CHROMIUM]) {
        return;
    }
    let tmux = Tmux::start(&format!("run {ROOM} --share 127.0.0.1:0"), (120, 40));
    // The address, printed before the view covers the terminal, and the room can join first.
    let screen = tmux.wait_for("Press Enter to begin");
    let addr = address_in(&screen).expect("the address is printed");
    let mut browser = Chromium::start();
    // Note every sound the page starts, with the audio clock's reading against the page's.
    browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "window.started = []; const start = AudioBufferSourceNode.prototype.start; \
            AudioBufferSourceNode.prototype.start = function (when, ...rest) { \
              const ts = this.context.getOutputTimestamp(); \
              window.started.push({when, now: this.context.currentTime, ctx: ts.contextTime, \
                perf: ts.performanceTime, page: performance.now(), origin: performance.timeOrigin, \
                length: this.buffer.duration}); \
              return start.call(this, when, ...rest); };"}),
    );
    browser.call("Page.navigate", json!({"url": format!("http://{addr}/")}));
    browser.wait_for("step-name", "that it waits", |t| t == "waiting to begin");
    assert_eq!(browser.text("title"), "Room · 部屋 · Raum");
    // A participant turns the sound on (a tap: browsers need one).
    browser.call(
        "Runtime.evaluate",
        json!({"expression": "document.getElementById('sound').click()", "userGesture": true}),
    );
    browser.wait_for("sound", "sound on", |t| t == "Sound off");

    // Watch the phase as a person would: every change, with the time it was seen.
    browser.eval(
        "window.seen = []; new MutationObserver(() => window.seen.push([performance.timeOrigin \
         + performance.now(), document.getElementById('phase').textContent])).observe(\
         document.getElementById('phase'), {childList: true, characterData: true, subtree: true}); 0",
    );
    // A viewer of our own, to know the plan the page was given.
    let mut feed = Events::open(&addr);
    tmux.keys(&["Enter"]);
    tmux.wait_for("settle in");
    let (mut events, mut state) = (Value::Null, Value::Null);
    while state.is_null() || state["state"] == "waiting" || events.is_null() {
        let (name, data) = feed.next_json().unwrap();
        match name.as_str() {
            "events" => events = data,
            "state" => state = data,
            _ => {}
        }
    }
    // The practice's clock against the wall clock, from the server's own /clock.
    let (before, reading, after) = {
        let before = epoch_ms();
        let reading: Value = serde_json::from_str(&get(&addr, "/clock").text()).unwrap();
        (before, reading["now"].as_f64().unwrap(), epoch_ms())
    };
    let wall = |clock_ms: f64| (before + after) / 2.0 + (clock_ms - reading);

    // The countdown, then the first breaths: in, hold, out, as the plan has them.
    browser.wait_for("phase", "the first inhale", |t| t == "in 2");
    browser.wait_for("step-name", "the first step", |t| {
        t == "1/3  Breathe low · 丹田"
    });
    browser.wait_for("phase", "a hold", |t| t == "hold 1");
    browser.wait_for("phase", "an exhale", |t| t == "out 2");
    browser.wait_for("phase", "the next inhale", |t| t == "in 2");
    browser.wait_for("words", "the cue", |t| t.starts_with("Lass den Bauch"));
    // The page changed phase when the plan said: each change against its due instant.
    let seen = browser.eval("window.seen");
    let planned: Vec<(f64, String)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "phase")
        .map(|e| {
            let at = e["at"].as_f64().unwrap();
            let due = state["now"].as_f64().unwrap() + at - state["offset"].as_f64().unwrap();
            let word = match e["phase"].as_str().unwrap() {
                "inhale" => "in",
                "exhale" => "out",
                other => other,
            };
            (
                wall(due),
                format!("{word} {}", (e["length"].as_f64().unwrap() / 1000.0).ceil()),
            )
        })
        .collect();
    let mut lags = Vec::new();
    for change in seen.as_array().unwrap() {
        let (at, text) = (change[0].as_f64().unwrap(), change[1].as_str().unwrap());
        // The change that started a phase (not a second ticking down within it).
        if let Some((due, _)) = planned
            .iter()
            .filter(|(due, label)| label == text && (at - due).abs() < 500.0)
            .min_by(|a, b| (at - a.0).abs().total_cmp(&(at - b.0).abs()))
        {
            lags.push(at - due);
        }
    }
    assert!(
        lags.len() >= 3,
        "the page showed the planned phases: {seen} against {planned:?}"
    );
    println!("page phase changes after the plan's instants (ms): {lags:.1?}");

    // The bells and tones were started on the audio clock at the plan's instants: the
    // opening bell with the first step, a tone with each inhale and exhale.
    let sounded: Vec<(f64, String)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["clip"].is_number())
        .map(|e| {
            let due = state["now"].as_f64().unwrap() + e["at"].as_f64().unwrap()
                - state["offset"].as_f64().unwrap();
            let what = e["phase"].as_str().or(e["label"].as_str()).unwrap();
            (wall(due), format!("{what} at {}", e["at"]))
        })
        .collect();
    let started = browser.eval("window.started");
    let mut audio_lags = Vec::new();
    let mut heard = Vec::new();
    for s in started.as_array().unwrap() {
        let f = |k: &str| s[k].as_f64().unwrap();
        // The audio clock's `when`, on the wall clock: through the output timestamp when
        // the device gives one, else through the context's own time.
        let at = if f("perf") > 0.0 {
            f("origin") + f("perf") + (f("when") - f("ctx")) * 1000.0
        } else {
            f("origin") + f("page") + (f("when") - f("now")) * 1000.0
        };
        // The planned sound nearest in time, of its kind (a bell rings longer than a breath
        // tone, and a bell and a tone can be due at once).
        let tone = f("length") < 5.0;
        let (due, what) = sounded
            .iter()
            .filter(|(_, what)| tone == (what.starts_with("inhale") || what.starts_with("exhale")))
            .min_by(|a, b| (at - a.0).abs().total_cmp(&(at - b.0).abs()))
            .unwrap();
        assert!(
            (at - due).abs() < 500.0,
            "a sound at {at} that the plan does not have: {sounded:?}"
        );
        audio_lags.push(at - due);
        heard.push(what.clone());
    }
    // Each once: the opening bell and the first inhale at 2 s, then the exhale and the
    // next inhale.
    let mut once = heard.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), heard.len(), "nothing started twice: {heard:?}");
    for what in [
        "bowl ×1 at 2000.0",
        "inhale at 2000.0",
        "exhale at 5000.0",
        "inhale at 7000.0",
    ] {
        assert!(heard.iter().any(|w| w == what), "{what} in {heard:?}");
    }
    println!(
        "sounds started on the audio clock after the plan's instants (ms): {audio_lags:.1?} ({heard:?})"
    );

    // The page as the room sees it, mid-breath.
    browser.wait_for("phase", "an inhale", |t| t.starts_with("in"));
    std::thread::sleep(Duration::from_millis(900));
    let shot = screenshot_path();
    browser.screenshot(&shot);
    println!("screenshot: {}", shot.display());

    // The teacher pauses: the page says so.
    browser.wait_for("phase", "a breath", |t| !t.is_empty() && t != "paused");
    let pressed = epoch_ms();
    tmux.keys(&["Space"]);
    browser.wait_for("phase", "the pause", |t| t == "paused");
    let shown = browser.eval("window.seen.find(s => s[1] === 'paused')[0]");
    println!(
        "pause reached the page {:.1} ms after the key was sent",
        shown.as_f64().unwrap() - pressed
    );
    tmux.wait_for("PAUSED");
    // Resume, then skip: the page follows to the next step, the group's first round.
    tmux.keys(&["Space"]);
    browser.wait_for("phase", "the breath again", |t| t != "paused");
    tmux.keys(&["n"]);
    browser.wait_for("step-name", "the next step", |t| t == "2/3  Sit still");
    assert_eq!(browser.text("round"), "· Sit round 1 of 2");
    browser.wait_for("phase", "a sit", |t| t == "still");
    // Extend by a minute: the time left grows.
    let left = |b: &mut Chromium| b.text("left");
    let before_extend = left(&mut browser);
    tmux.keys(&["+"]);
    browser.wait_for("left", "a minute more", |t| {
        minutes_left(t) > minutes_left(&before_extend) + 50.0
    });
    // The teacher stops: the page says the session is over, and the server is gone.
    tmux.keys(&["q"]);
    tmux.wait_for("Leave this session?");
    tmux.keys(&["y"]);
    browser.wait_for("status", "the end", |t| t == "the session has ended");
    assert_eq!(browser.text("phase"), "end");
    tmux.wait_for("EXIT=0");
    assert!(TcpStream::connect(&addr).is_err());
}

/// "1:30 left" as seconds.
fn minutes_left(text: &str) -> f64 {
    let clock = text.trim_end_matches(" left");
    clock.split(':').fold(0.0, |acc, part| {
        acc * 60.0 + part.parse::<f64>().unwrap_or(0.0)
    })
}
