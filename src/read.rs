//! Opening and reading files that may come from someone else: session files, the config
//! file, the journal, sound files.
//!
//! Only regular files are read. A named pipe would block the open (or the read) for ever, a
//! device such as /dev/zero never ends, and a directory is not a file; each is refused with
//! one clear message. The file is opened without blocking and checked after opening, so a
//! file swapped for a pipe between a check and the open cannot hang hara either. Reads are
//! bounded: a file is read to at most one byte past its limit.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The largest config file hara reads, the same as a session file.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// What a path is when it is not a regular file, for the refusal.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", kind(meta)),
    )
}

/// Opens `options` at `path` without blocking, then insists on a regular file. Reads and
/// writes of a regular file are unaffected by the non-blocking flag.
fn open_with(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    let file = options
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

/// Opens a regular file for reading.
pub fn open_regular(path: &Path) -> io::Result<File> {
    open_with(OpenOptions::new().read(true), path)
}

/// Opens (creating it if need be, private to its owner) a regular file for appending: the
/// journal. An existing pipe or device is refused rather than written to.
pub fn open_append(path: &Path) -> io::Result<File> {
    open_with(
        OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .mode(0o600),
        path,
    )
}

/// At most `limit + 1` bytes of a regular file: a caller that gets more than `limit` knows
/// the file is too large without it having been read whole.
pub fn read_prefix(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A whole regular file of at most `limit` bytes, as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = read_prefix(path, limit)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is over {} KiB, the most hara reads of such a file",
                limit / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text; save it as UTF-8",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_devices_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f.toml");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let err = read_text(&fifo, 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a named pipe, not a regular file");
        assert!(open_append(&fifo).is_err());
        let err = read_text(Path::new("/dev/zero"), 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is a character device, not a regular file"
        );
        let err = read_text(dir.path(), 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a regular file");
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'a'; 5000]).unwrap();
        assert_eq!(read_prefix(&path, 100).unwrap().len(), 101);
        let err = read_text(&path, 2048).unwrap_err();
        assert!(err.to_string().contains("over 2 KiB"), "{err}");
        assert_eq!(read_text(&path, 5000).unwrap().len(), 5000);
    }
}
