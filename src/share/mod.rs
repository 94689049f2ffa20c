//! The room display: a web page that follows one practice, on the projector and on every
//! participant's device, with the session's own bells played in the browser.
//!
//! The practice knows nothing of this. The room [`follow`](crate::practice::Practice::follow)s
//! it: each [`Plan`] it is handed is turned into a few lines of JSON on the front end's thread
//! and published; an HTTP server on the room's own thread (tokio, confined to this module)
//! pushes them to every page as Server-Sent Events. Pages animate locally from the plan on a
//! clock they set by the server's (`/clock`), so nothing is sent while nothing changes.
//!
//! Read-only and bounded: only GET; the page, its script and style are compiled in; sounds are
//! served by number from the run's own table; at most 500 connections, with timeouts for slow
//! and idle clients; the server stops with the session.

mod clips;
mod server;
mod wire;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use clips::{Clip, Clips};
pub use server::MAX_CONNECTIONS;
use server::{Published, Shared};

use crate::audio::render::Bank;
use crate::engine::{RealClock, State};
use crate::practice::Plan;
use crate::timeline::Timeline;

/// Where `--share` listens when no address is given: this computer only.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8765);

/// How long the room waits, when it closes, for the pages to be told.
const CLOSING: Duration = Duration::from_secs(1);

/// `--share`'s address: `IP:PORT`, an IP alone (port 8765), or `localhost[:PORT]`.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, DEFAULT_ADDR.port()));
    }
    if let Some(port) = text.strip_prefix("localhost") {
        let port = match port.strip_prefix(':') {
            None if port.is_empty() => Some(DEFAULT_ADDR.port()),
            Some(p) => p.parse().ok(),
            None => None,
        };
        if let Some(port) = port {
            return Ok(SocketAddr::new(DEFAULT_ADDR.ip(), port));
        }
    }
    Err(format!(
        "`{text}` is not an address to listen on; write IP:PORT, e.g. 127.0.0.1:8765, \
         192.168.1.20:8765 (this computer's address on your network), or 0.0.0.0:8765 (every network)"
    ))
}

/// A room display being served.
pub struct Room {
    addr: SocketAddr,
    title: String,
    publish: Arc<watch::Sender<Published>>,
    clips: Arc<Clips>,
    stop: watch::Sender<bool>,
    feeds: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Room {
    /// Listens on `addr` (port 0: any free port) and serves the page for `timeline` on a
    /// thread of its own. `clock` is the practice's clock; `bank` the session's sounds (`None`
    /// for a silent run: the page then offers no sound).
    pub fn start(
        addr: SocketAddr,
        timeline: &Timeline,
        clock: RealClock,
        bank: Option<Bank>,
        reduce_motion: bool,
    ) -> io::Result<Room> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let clips = Arc::new(Clips::new(bank));
        let hello = wire::hello(timeline, clock.speed(), clips.audible(), reduce_motion);
        let (publish, published) = watch::channel(Published::waiting());
        let (stop, stopped) = watch::channel(false);
        let feeds = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            hello: hello.into(),
            clock,
            clips: clips.clone(),
            published,
            feeds: feeds.clone(),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("hara-share".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            server::serve(listener, server::router(shared), stopped).await
                        }
                        Err(e) => eprintln!("hara: the room display cannot listen: {e}"),
                    }
                });
                // Dropping the runtime closes the connections still open.
            })?;
        Ok(Room {
            addr,
            title: timeline.title.clone(),
            publish: Arc::new(publish),
            clips,
            stop,
            feeds,
            thread: Some(thread),
        })
    }

    /// The address it listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The addresses people open: this one, or each of this computer's network addresses
    /// when listening on all of them.
    pub fn urls(&self) -> Vec<String> {
        let port = self.addr.port();
        let url = |ip: IpAddr| format!("http://{}/", SocketAddr::new(ip, port));
        if !self.addr.ip().is_unspecified() {
            return vec![url(self.addr.ip())];
        }
        let v6 = self.addr.is_ipv6();
        let mut found: Vec<IpAddr> = if_addrs::get_if_addrs()
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.ip())
            .filter(|ip| !ip.is_loopback() && (v6 || ip.is_ipv4()))
            .filter(|ip| !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()))
            .collect();
        found.sort_by_key(|ip| (ip.is_ipv6(), *ip));
        found.dedup();
        if found.is_empty() {
            found.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        found.into_iter().map(url).collect()
    }

    /// Whether people on other computers can open the page.
    pub fn beyond_loopback(&self) -> bool {
        !self.addr.ip().is_loopback()
    }

    /// Says where the page is: each address, a QR code for phones when others can reach it,
    /// and a warning that anyone on the network can watch.
    pub fn announce(&self, out: &mut dyn Write) -> io::Result<()> {
        let urls = self.urls();
        writeln!(
            out,
            "Room display for \"{}\": open {} in any browser.",
            crate::text::clean_line(&self.title),
            urls.join(" or ")
        )?;
        if self.beyond_loopback() {
            writeln!(
                out,
                "warning: anyone on your network can watch this session at that address (read-only)."
            )?;
            for url in &urls {
                write!(out, "{}", qr(url))?;
            }
        } else {
            writeln!(
                out,
                "Only this computer can open it; for the room's phones, share on your network \
                 address, e.g. --share 0.0.0.0:{}",
                self.addr.port()
            )?;
        }
        out.flush()
    }

    /// What the practice should tell: hands each plan to the pages. Plans that change
    /// nothing the page shows (a volume key, a delivery on time) are not sent.
    pub fn follower(&self) -> impl FnMut(&Plan) + 'static {
        let publish = self.publish.clone();
        let clips = self.clips.clone();
        let mut sent_events: Option<(u64, Arc<str>)> = None;
        let mut last: Option<(Option<State>, u64, i128)> = None;
        move |plan: &Plan| {
            // Two plans that place every event at the same clock reading look the same.
            let ms = |d: Duration| d.as_millis() as i128;
            let origin = if plan.moving() {
                ms(plan.now) - ms(plan.offset)
            } else {
                ms(plan.offset)
            };
            // The countdown running into the session is no change: the page sees it coming.
            let state = (!plan.moving()).then_some(plan.state);
            let key = (state, plan.revision, origin);
            if last == Some(key) {
                return;
            }
            last = Some(key);
            let events = match &sent_events {
                Some((revision, events)) if *revision == plan.revision => events.clone(),
                _ => {
                    let events: Arc<str> = wire::events(plan, &clips).into();
                    sent_events = Some((plan.revision, events.clone()));
                    events
                }
            };
            publish.send_replace(Published {
                revision: Some(plan.revision),
                events,
                state: wire::state(plan).into(),
                over: false,
            });
        }
    }

    /// Event streams open now (pages following).
    pub fn followers(&self) -> usize {
        self.feeds.load(Ordering::SeqCst)
    }

    fn close(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.publish.send_modify(|p| p.over = true);
        // Give the pages a moment to hear that it is over, then stop.
        let until = Instant::now() + CLOSING;
        while self.followers() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.stop.send(true);
        let _ = thread.join();
    }

    /// Tells the pages the session is over and stops serving.
    pub fn stop(mut self) {
        self.close();
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.close();
    }
}

/// `text` as a QR code in the terminal: two rows of modules a line, dark on light with a
/// quiet zone, so phones read it on dark and light terminals alike.
pub fn qr(text: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            code.render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build()
                + "\n"
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_people_write_them() {
        assert_eq!(
            parse_addr("127.0.0.1:9000"),
            Ok("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(
            parse_addr("192.168.1.20"),
            Ok("192.168.1.20:8765".parse().unwrap())
        );
        assert_eq!(parse_addr("[::1]:80"), Ok("[::1]:80".parse().unwrap()));
        assert_eq!(parse_addr("::1"), Ok("[::1]:8765".parse().unwrap()));
        assert_eq!(parse_addr("localhost"), Ok(DEFAULT_ADDR));
        assert_eq!(
            parse_addr("localhost:0"),
            Ok("127.0.0.1:0".parse().unwrap())
        );
        let e = parse_addr("example.org:80").unwrap_err();
        assert!(e.contains("IP:PORT"), "{e}");
        assert!(parse_addr("localhostx").is_err());
    }

    #[test]
    fn a_qr_code_is_drawn_with_half_blocks() {
        let code = qr("http://192.168.1.20:8765/");
        let lines: Vec<&str> = code.lines().collect();
        // Version 2 (25 modules) plus a quiet zone of 4 each side, two modules a line.
        assert_eq!(lines[0].chars().count(), 33);
        assert_eq!(lines.len(), 33usize.div_ceil(2));
        assert!(code.contains('▀') || code.contains('▄'));
    }
}
