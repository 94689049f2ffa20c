//! Many room-display viewers at once, for `scripts/bench-share.sh`: opens N event streams to
//! a `hara run --share` on this machine, holds them for S seconds, and says when each state
//! change reached the first and the last of them (wall-clock ms), and how much each received.
//!
//! cargo run --release --example share-viewers -- 127.0.0.1:8765 300 60
//!
//! Loopback only, bounded in count and time: it refuses any other address, at most 1000
//! streams, at most 600 s.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

/// What one stream saw: each `state` message's data with when it arrived, and bytes read.
struct Seen {
    states: Vec<(String, f64)>,
    bytes: usize,
}

fn follow(addr: SocketAddr, until: Instant, ready: mpsc::Sender<bool>) -> Seen {
    let mut seen = Seen {
        states: Vec::new(),
        bytes: 0,
    };
    let Ok(mut stream) = TcpStream::connect(addr) else {
        let _ = ready.send(false);
        return seen;
    };
    let request =
        format!("GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        let _ = ready.send(false);
        return seen;
    }
    let mut reader = BufReader::new(stream.try_clone().expect("a socket can be cloned"));
    let mut line = String::new();
    let mut event = String::new();
    let mut told = false;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let _ = stream.set_read_timeout(Some(left));
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.bytes += n,
        }
        let text = line.trim_end();
        if !told && text.starts_with("HTTP/1.1 ") {
            let _ = ready.send(text.starts_with("HTTP/1.1 200"));
            told = true;
        } else if let Some(name) = text.strip_prefix("event: ") {
            event = name.to_string();
        } else if let Some(data) = text.strip_prefix("data: ")
            && event == "state"
        {
            seen.states.push((data.to_string(), epoch_ms()));
        }
    }
    if !told {
        let _ = ready.send(false);
    }
    seen
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: share-viewers 127.0.0.1:PORT [COUNT] [SECONDS]");
    assert!(addr.ip().is_loopback(), "loopback addresses only");
    let count: usize = args.next().map_or(300, |n| n.parse().expect("a count"));
    let seconds: u64 = args.next().map_or(60, |n| n.parse().expect("seconds"));
    assert!(
        count <= 1000 && seconds <= 600,
        "at most 1000 streams for 600 s"
    );

    let (ready_tx, ready_rx) = mpsc::channel();
    let opened = Instant::now();
    let until = opened + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..count)
        .map(|_| {
            let ready = ready_tx.clone();
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || follow(addr, until, ready))
                .expect("a thread")
        })
        .collect();
    drop(ready_tx);
    let connected = ready_rx.iter().take(count).filter(|ok| *ok).count();
    println!(
        "connected {connected} of {count} streams in {:.0} ms at {:.0}",
        opened.elapsed().as_secs_f64() * 1000.0,
        epoch_ms()
    );
    let _ = std::io::stdout().flush();
    let seen: Vec<Seen> = threads.into_iter().filter_map(|t| t.join().ok()).collect();

    // Each state change: when the first and the last stream had it.
    let mut changes: Vec<(String, f64, f64, usize)> = Vec::new();
    for s in &seen {
        for (data, at) in &s.states {
            match changes.iter_mut().find(|c| &c.0 == data) {
                Some(c) => {
                    c.1 = c.1.min(*at);
                    c.2 = c.2.max(*at);
                    c.3 += 1;
                }
                None => changes.push((data.clone(), *at, *at, 1)),
            }
        }
    }
    changes.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (data, first, last, streams) in &changes {
        println!("state {data} first {first:.1} last {last:.1} streams {streams}");
    }
    let bytes: usize = seen.iter().map(|s| s.bytes).sum();
    println!(
        "received {bytes} bytes in all, {:.0} bytes a stream",
        bytes as f64 / seen.len().max(1) as f64
    );
}
