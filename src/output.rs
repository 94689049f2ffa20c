//! Writing to standard output and standard error without panicking.
//!
//! `println!` panics when the write fails: a reader that went away (`hara log | head`) or a
//! full disk (`hara list > /dev/full`). Commands write through [`Writer`] instead, whose
//! errors are tagged with the stream as a [`WriteError`]; `main` gives them one meaning
//! each, in one place ([`exit_for`]): a closed pipe ends quietly and successfully, any other
//! failed write is one line on stderr and exit status 1.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "standard output",
            Stream::Stderr => "standard error",
        })
    }
}

/// A write to standard output or standard error that failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to {stream}: {source}")]
pub struct WriteError {
    pub stream: Stream,
    #[source]
    pub source: io::Error,
}

impl WriteError {
    /// The reader went away: not a failure of hara's.
    pub fn is_closed_pipe(&self) -> bool {
        self.source.kind() == io::ErrorKind::BrokenPipe
    }
}

/// A buffered standard output or error whose failures come back as `io::Error`s wrapping a
/// [`WriteError`], so they can travel through `?` with any other error and still be told
/// apart at the end. Call [`Writer::flush`] when done: dropping it flushes, but cannot report.
pub struct Writer {
    stream: Stream,
    inner: BufWriter<Box<dyn Write>>,
}

impl Writer {
    pub fn stdout() -> Self {
        Self::new(Stream::Stdout, Box::new(io::stdout()))
    }

    pub fn stderr() -> Self {
        Self::new(Stream::Stderr, Box::new(io::stderr()))
    }

    fn new(stream: Stream, out: Box<dyn Write>) -> Self {
        Writer {
            stream,
            inner: BufWriter::with_capacity(64 * 1024, out),
        }
    }

    fn tag(&self, source: io::Error) -> io::Error {
        if source.get_ref().is_some_and(|e| e.is::<WriteError>()) {
            return source;
        }
        io::Error::new(
            source.kind(),
            WriteError {
                stream: self.stream,
                source,
            },
        )
    }
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.tag(e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf).map_err(|e| self.tag(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.tag(e))
    }
}

/// Writes all of `text` to standard output and flushes it.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = Writer::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes all of `text` to standard error and flushes it.
pub fn eprint(text: &str) -> io::Result<()> {
    let mut out = Writer::stderr();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// The failed write somewhere in an error's chain, if that is what it is.
pub fn write_error(e: &anyhow::Error) -> Option<&WriteError> {
    e.chain().find_map(|cause| {
        cause.downcast_ref::<WriteError>().or_else(|| {
            cause
                .downcast_ref::<io::Error>()?
                .get_ref()?
                .downcast_ref::<WriteError>()
        })
    })
}

/// How a command's error ends the program: a closed pipe quietly with success, another
/// failed write with one line on stderr (if stderr still takes it), anything else with its
/// message. The message is passed through the sanitiser: it may quote a file's path.
/// Held by whoever points fd 2 somewhere else for a while (the full-screen view's log file,
/// the sound libraries' quiet spells while a device opens), so that neither saves or puts
/// back the other's stderr: interleaved, the view's log could be undone and a message about a
/// closed terminal written to it.
pub fn stderr_swap() -> std::sync::MutexGuard<'static, ()> {
    static SWAP: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SWAP.lock().unwrap_or_else(|e| e.into_inner())
}

/// A copy of stderr to put back later, closed in any program hara starts (a speech engine
/// started while the copy is held would otherwise keep the terminal's or a pipe's stderr
/// open for as long as it runs).
#[cfg(unix)]
pub fn saved_stderr() -> io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::AsFd;
    Ok(rustix::io::fcntl_dupfd_cloexec(io::stderr().as_fd(), 0)?)
}

pub fn exit_for(e: &anyhow::Error) -> ExitCode {
    match write_error(e) {
        Some(w) if w.is_closed_pipe() => ExitCode::SUCCESS,
        Some(w) => {
            let _ = writeln!(io::stderr(), "error: {w}");
            ExitCode::FAILURE
        }
        None => {
            let _ = writeln!(
                io::stderr(),
                "error: {}",
                crate::text::clean_line(&format!("{e:#}"))
            );
            // A wrong --device is a usage error, like a wrong flag.
            if e.downcast_ref::<crate::audio::devices::BadDevice>()
                .is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn failing(kind: io::ErrorKind) -> anyhow::Error {
        let mut w = Writer::new(Stream::Stdout, Box::new(Failing(kind)));
        let result: anyhow::Result<()> = (|| {
            writeln!(w, "a line")?;
            w.flush()?;
            Ok(())
        })();
        result.unwrap_err()
    }

    #[test]
    fn failed_writes_are_found_through_io_errors_and_context() {
        let closed = failing(io::ErrorKind::BrokenPipe);
        assert!(write_error(&closed).unwrap().is_closed_pipe());
        let full = failing(io::ErrorKind::StorageFull).context("while listing");
        let w = write_error(&full).unwrap();
        assert!(!w.is_closed_pipe());
        assert_eq!(w.stream, Stream::Stdout);
        assert!(w.to_string().starts_with("cannot write to standard output"));
        let other = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(
            write_error(&other).is_none(),
            "only writes through a Writer count"
        );
    }
}
