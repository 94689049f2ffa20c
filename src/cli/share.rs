//! `hara run … --share`: starting the room display beside a run, and saying where it is.
//! The display itself is `crate::share`; without the `share` feature the flag says so.

use std::net::SocketAddr;

use anyhow::Result;

use crate::engine::RealClock;
use crate::practice::Practice;
use crate::settings::Settings;
use crate::timeline::Timeline;

#[cfg(feature = "share")]
pub use crate::share::Room;

/// Without the room display there is never a room.
#[cfg(not(feature = "share"))]
pub enum Room {}

/// `--share`'s value.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    #[cfg(feature = "share")]
    return crate::share::parse_addr(text);
    #[cfg(not(feature = "share"))]
    return text.parse().map_err(|_| format!("`{text}` is not IP:PORT"));
}

/// Starts the room display on `addr` (if asked for) and says where it is. When the session
/// will run full screen, which covers what was printed, it waits for Enter first, so the
/// room can open the page (or scan the code) before the countdown starts.
pub fn open(
    addr: Option<SocketAddr>,
    timeline: &Timeline,
    clock: RealClock,
    settings: &Settings,
    full_screen: bool,
) -> Result<Option<Room>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    #[cfg(feature = "share")]
    {
        use anyhow::Context;
        use std::io::{BufRead, IsTerminal, Write};
        let bank = if settings.silent {
            None
        } else {
            Some(super::render::bank_for(timeline)?)
        };
        let room = Room::start(addr, timeline, clock, bank, settings.reduce_motion)
            .with_context(|| format!("cannot serve the room display on {addr}"))?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        room.announce(&mut out)?;
        if full_screen && std::io::stdin().is_terminal() {
            write!(out, "Press Enter to begin (Ctrl-C to cancel). ")?;
            out.flush()?;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
        }
        Ok(Some(room))
    }
    #[cfg(not(feature = "share"))]
    {
        let _ = (addr, timeline, clock, settings, full_screen);
        anyhow::bail!("this hara was built without the room display (the `share` feature)")
    }
}

/// Lets the room follow the practice.
pub fn follow(room: Option<&Room>, practice: &mut Practice<RealClock>) {
    #[cfg(feature = "share")]
    if let Some(room) = room {
        practice.follow(room.follower());
    }
    #[cfg(not(feature = "share"))]
    let _ = (room, practice);
}

/// Ends the room display with the session: the pages are told, and the server stops.
pub fn close(room: Option<Room>) {
    #[cfg(feature = "share")]
    if let Some(room) = room {
        room.stop();
    }
    #[cfg(not(feature = "share"))]
    let _ = room;
}
