//! The HTTP side: a handful of GET routes (axum), each connection served by hyper with a
//! header-read timeout, at most [`MAX_CONNECTIONS`] at once, and a write that stalls for
//! [`WRITE_STALL`] ends its connection. Everything here runs on the room's own thread.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::clips::Clips;
use crate::engine::{Clock, RealClock};

/// Open connections at most; more are closed as they arrive.
pub const MAX_CONNECTIONS: usize = 500;
/// A request's headers must arrive within this, and an idle connection closes after it.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that takes nothing for this long is let go.
const WRITE_STALL: Duration = Duration::from_secs(30);
/// A comment on every event stream this often, so a dead client is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

const INDEX: &str = include_str!("page/index.html");
const APP: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

/// The run as the pages are told it, serialised once for all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// `None` until the run begins.
    pub revision: Option<u64>,
    pub events: Arc<str>,
    pub state: Arc<str>,
    /// The session has ended: streams say so and close.
    pub over: bool,
}

impl Published {
    pub fn waiting() -> Self {
        Published {
            revision: None,
            events: "".into(),
            state: r#"{"state":"waiting"}"#.into(),
            over: false,
        }
    }
}

/// What every request may read.
pub struct Shared {
    pub hello: Arc<str>,
    pub clock: RealClock,
    pub clips: Arc<Clips>,
    pub published: watch::Receiver<Published>,
    /// Event streams open now.
    pub feeds: Arc<AtomicUsize>,
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/events", get(events))
        .route("/clock", get(clock))
        .route("/clip/{id}", get(clip))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(axum::middleware::map_response(secure))
        .with_state(shared)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// The page may load only its own script, style and sounds, from here.
async fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
         media-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CACHE_CONTROL, "no-store");
    response
}

/// The practice's clock now, in milliseconds: the page sets its own clock by it.
async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.clock.now().as_secs_f64() * 1000.0;
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"now\":{now:.3}}}"),
    )
        .into_response()
}

/// A sound by its number in the run's table; nothing from the request reaches the disk.
async fn clip(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<usize>() else {
        return (StatusCode::NOT_FOUND, "no such sound\n").into_response();
    };
    let clips = shared.clips.clone();
    // The first request renders the clip: off the thread that serves everyone else.
    match tokio::task::spawn_blocking(move || clips.wav(id)).await {
        Ok(Some(wav)) => (
            [(header::CONTENT_TYPE, "audio/wav")],
            Bytes::from_owner(wav),
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "no such sound\n").into_response(),
    }
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = Feed::new(&shared);
    Sse::new(futures_util::stream::unfold(feed, Feed::next))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// One page's event stream: `hello`, then the events and state as they change, then `end`.
struct Feed {
    hello: Option<Arc<str>>,
    rx: watch::Receiver<Published>,
    revision: Option<u64>,
    pending: VecDeque<Event>,
    done: bool,
    open: Arc<AtomicUsize>,
}

impl Feed {
    fn new(shared: &Shared) -> Self {
        shared.feeds.fetch_add(1, Ordering::SeqCst);
        let mut rx = shared.published.clone();
        rx.mark_changed();
        Feed {
            hello: Some(shared.hello.clone()),
            rx,
            revision: None,
            pending: VecDeque::new(),
            done: false,
            open: shared.feeds.clone(),
        }
    }

    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some((Ok(e), self));
            }
            if self.done {
                return None;
            }
            if let Some(hello) = self.hello.take() {
                self.pending.push_back(
                    Event::default()
                        .event("hello")
                        .retry(Duration::from_secs(2))
                        .data(&*hello),
                );
            }
            // The sender lives as long as the room; gone means the room has closed.
            let published = match self.rx.changed().await {
                Ok(()) => self.rx.borrow_and_update().clone(),
                Err(_) => Published {
                    over: true,
                    ..Published::waiting()
                },
            };
            if published.revision.is_some() && published.revision != self.revision {
                self.revision = published.revision;
                self.pending
                    .push_back(Event::default().event("events").data(&*published.events));
            }
            self.pending
                .push_back(Event::default().event("state").data(&*published.state));
            if published.over {
                self.pending
                    .push_back(Event::default().event("end").data("{}"));
                self.done = true;
            }
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves connections until `stop` turns true.
pub async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let service = TowerToHyperService::new(router);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, say: let some connections close first.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.wait_for(|stop| *stop) => return,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue; // full: the connection closes as it drops
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        tokio::spawn(async move {
            let io = TokioIo::new(Guarded {
                io: stream,
                _slot: slot,
                stall: None,
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(io, service)
                .await;
        });
    }
}

/// A connection holding one of the slots, which lets go of a client that stops reading.
struct Guarded {
    io: TcpStream,
    _slot: OwnedSemaphorePermit,
    /// Since when writes have waited.
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Guarded {
    fn waited<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.stall = None;
            return result;
        }
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.waited(cx, result)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_flush(cx);
        this.waited(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
