//! The run's side: a Unix socket that teachers' terminals connect to. Each is sent the board
//! as it changes, and each can send controls, which reach the front end like its own keys.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use super::{Board, MAX_CLIENTS};
use crate::practice::{Control, Plan, Wake};
use crate::timeline::Timeline;

/// Boards waiting for a slow teacher's terminal before it is let go.
const BACKLOG: usize = 16;
/// The longest line a teacher's terminal may send (a control is a few dozen bytes).
const MAX_LINE: u64 = 1024;

/// What the listener shares with the run.
struct Shared {
    /// The latest board, for a terminal that connects later.
    latest: Mutex<Option<String>>,
    clients: Mutex<Vec<SyncSender<String>>>,
    closing: AtomicBool,
}

/// A run's socket. Dropping it stops listening and removes the socket.
pub struct Server {
    path: PathBuf,
    shared: Arc<Shared>,
    timeline: Timeline,
    speed: u32,
}

/// The folder for sockets, made owner-only; refused if someone else could enter it.
fn private_folder(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::metadata(dir)?;
    let mine = meta.uid() == rustix::process::getuid().as_raw();
    if !mine || meta.permissions().mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not this user's alone", dir.display()),
        ));
    }
    Ok(())
}

impl Server {
    /// Listens in `dir` for this process's run; controls from teachers' terminals go to
    /// `controls`.
    pub fn start<T: Send + 'static>(
        dir: &Path,
        timeline: &Timeline,
        speed: u32,
        controls: Sender<Wake<T>>,
    ) -> io::Result<Server> {
        private_folder(dir)?;
        let path = dir.join(format!("run-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        let shared = Arc::new(Shared {
            latest: Mutex::new(None),
            clients: Mutex::new(Vec::new()),
            closing: AtomicBool::new(false),
        });
        let listening = shared.clone();
        std::thread::Builder::new()
            .name("hara-attach".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if listening.closing.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &listening, controls.clone());
                    }
                }
            })?;
        Ok(Server {
            path,
            shared,
            timeline: timeline.clone(),
            speed,
        })
    }

    /// Where it listens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Passes every plan on to the teachers' terminals (see
    /// [`Practice::follow`](crate::practice::Practice::follow)); it never waits for one.
    pub fn follower(&self) -> impl FnMut(&Plan) + 'static {
        let shared = self.shared.clone();
        let (timeline, speed) = (self.timeline.clone(), self.speed);
        move |plan| {
            let Ok(mut line) = serde_json::to_string(&Board::new(plan, &timeline, speed)) else {
                return;
            };
            line.push('\n');
            let mut clients = shared.clients.lock().unwrap_or_else(|e| e.into_inner());
            // A terminal that has gone, or is too slow to keep up, is let go.
            clients.retain(|c| {
                !matches!(
                    c.try_send(line.clone()),
                    Err(TrySendError::Full(_) | TrySendError::Disconnected(_))
                )
            });
            *shared.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(line);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Relaxed);
        // Wakes the listener, which then sees it is closing.
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes one teacher's terminal: boards go out on a thread of its own, controls come in on
/// another.
fn serve<T: Send + 'static>(stream: UnixStream, shared: &Arc<Shared>, controls: Sender<Wake<T>>) {
    let mut clients = shared.clients.lock().unwrap_or_else(|e| e.into_inner());
    if clients.len() >= MAX_CLIENTS {
        return;
    }
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let (tx, rx) = sync_channel::<String>(BACKLOG);
    if let Some(latest) = shared
        .latest
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    {
        let _ = tx.try_send(latest);
    }
    clients.push(tx);
    drop(clients);
    let mut writer = stream;
    let _ = std::thread::Builder::new()
        .name("hara-attach-out".into())
        .spawn(move || {
            for line in rx {
                if writer.write_all(line.as_bytes()).is_err() {
                    break;
                }
            }
            let _ = writer.shutdown(std::net::Shutdown::Both);
        });
    let _ = std::thread::Builder::new()
        .name("hara-attach-in".into())
        .spawn(move || {
            let mut lines = BufReader::new(reader);
            loop {
                let mut line = String::new();
                match io::Read::take(&mut lines, MAX_LINE).read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // Anything that is not a control is ignored: the socket is the owner's own.
                if let Ok(control) = serde_json::from_str::<Control>(line.trim())
                    && controls.send(Wake::Control(control)).is_err()
                {
                    break;
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::output::Audio;
    use crate::engine::ManualClock;
    use crate::practice::Practice;
    use crate::session::check::InstrumentsOnly;
    use std::time::Duration;

    #[test]
    fn a_teachers_terminal_gets_boards_and_its_controls_reach_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("hara");
        let (_, t) =
            crate::session::check_str("title = \"T\"\n[[step]]\nduration = 60\n", &InstrumentsOnly)
                .session
                .unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<Wake<()>>();
        let server = Server::start(&folder, &t, 1, tx).unwrap();
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the folder is the owner's alone");
        let clock = ManualClock::default();
        let mut practice = Practice::new(t, &clock, Audio::silent());
        practice.follow(server.follower());

        let stream = UnixStream::connect(server.path()).unwrap();
        let mut boards = BufReader::new(stream.try_clone().unwrap()).lines();
        let first: Board = serde_json::from_str(&boards.next().unwrap().unwrap()).unwrap();
        assert_eq!(first.state, super::super::Phase::Running);

        let mut out = stream;
        out.write_all(b"\"TogglePause\"\nnot a control\n").unwrap();
        let wake = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(wake, Wake::Control(Control::TogglePause));
        practice.apply(Control::TogglePause, Duration::from_secs(1));
        let paused: Board = serde_json::from_str(&boards.next().unwrap().unwrap()).unwrap();
        assert_eq!(paused.state, super::super::Phase::Paused);

        let path = server.path().to_path_buf();
        drop(server);
        assert!(!path.exists(), "the socket goes with the run");
    }
}
