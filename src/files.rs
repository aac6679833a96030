//! Opening files that someone else may have placed: only regular files are read or
//! appended to, opening never blocks, and nothing is read past a bound.
//!
//! A FIFO named like a playbook, a miss log that is a pipe, `--log /dev/zero`: opened the
//! usual way, each hangs the command (a FIFO's `open` waits for a writer) or reads forever.
//! So every file is opened with `O_NONBLOCK` (a FIFO opens at once, or fails when nobody
//! reads it) and `O_NOCTTY` (a terminal device never becomes the controlling terminal), and
//! its type is read from the *opened* handle: what is checked is what is read, with no
//! window to swap the file between the check and the open.

use serde::{Deserialize, Serialize};
use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::Path;

/// What identifies a version of a file without reading it: size, modification and change
/// times, and inode. The change time moves on every write, rename, `chmod` and `chown`,
/// even when a tool puts the modification time back (`cp -p`, `touch -r`, `rsync -t`), and
/// the inode tells a file replaced by another (`mv new old`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub inode: u64,
}

impl Stamp {
    /// The stamp of the file at `path` now (none: no such file, or it cannot be read).
    pub fn of_path(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|meta| Stamp::of(&meta))
    }

    pub fn of(meta: &Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: mtime_ns(meta),
            ctime_ns: ctime_ns(meta),
            inode: inode(meta),
        }
    }
}

/// Modification time in nanoseconds since the epoch (0 if unknown).
fn mtime_ns(meta: &Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(unix)]
fn ctime_ns(meta: &Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())
}

#[cfg(not(unix))]
fn ctime_ns(_: &Metadata) -> i128 {
    0
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A FIFO, socket, device or folder where a file was expected.
    #[error("not a regular file but {kind}: it is never opened for reading or writing")]
    NotRegular { kind: &'static str },
    /// Over the bound for its kind of file (see [`crate::tuning`]).
    #[error("the file is {}, over the limit of {}", megabytes(*size), megabytes(*max))]
    TooLarge { size: u64, max: u64 },
}

impl FileError {
    /// The underlying I/O error, if that is what it is.
    pub fn io(&self) -> Option<&std::io::Error> {
        match self {
            FileError::Io(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        self.io()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// What a file that is not regular is, for messages.
pub fn kind_of(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a link"
    } else {
        "a special file"
    }
}

/// Opens `path` for reading if it is a regular file, without ever blocking; returns the
/// file with its metadata, read from the opened handle.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), FileError> {
    let mut options = File::options();
    options.read(true);
    never_block(&mut options);
    regular(options.open(path)?)
}

/// An opened file with its metadata, if it is a regular file (its type read from the
/// handle itself: what is checked is what is read or written).
fn regular(file: File) -> Result<(File, Metadata), FileError> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular {
            kind: kind_of(metadata.file_type()),
        });
    }
    Ok((file, metadata))
}

/// Reads a regular file whole, if it is no larger than `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let (file, metadata) = open_regular(path)?;
    if metadata.len() > max {
        return Err(FileError::TooLarge {
            size: metadata.len(),
            max,
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // One byte past the bound tells a file that grew since its size was read.
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// The end of a regular file: all of it when it is no larger than `max` bytes, else its
/// last `max` bytes from the first line that starts among them.
#[derive(Debug)]
pub struct Tail {
    pub bytes: Vec<u8>,
    /// The file's size, when only its end was read.
    pub cut_from: Option<u64>,
}

/// Reads the last `max` bytes of a regular file (whole lines only), for logs that grow.
pub fn read_tail(path: &Path, max: u64) -> Result<Tail, FileError> {
    use std::io::{Seek, SeekFrom};
    let (mut file, metadata) = open_regular(path)?;
    let size = metadata.len();
    if size <= max {
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(max).read_to_end(&mut bytes)?;
        return Ok(Tail {
            bytes,
            cut_from: None,
        });
    }
    // One byte more, before the last `max`: whether a line starts right at the cut.
    file.seek(SeekFrom::Start(size - max - 1))?;
    let mut bytes = Vec::with_capacity(max as usize + 1);
    file.take(max + 1).read_to_end(&mut bytes)?;
    // The first line read is cut in two (unless the extra byte ends the line before it).
    let first_line = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    bytes.drain(..first_line);
    Ok(Tail {
        bytes,
        cut_from: Some(size),
    })
}

/// Opens `path` for appending (creating it), if it is or becomes a regular file, without
/// ever blocking: a FIFO that nobody reads fails at once instead of waiting for a reader.
pub fn append_regular(path: &Path) -> Result<File, FileError> {
    let mut options = File::options();
    options.append(true).create(true);
    never_block(&mut options);
    let file = options
        .open(path)
        .map_err(|e| not_regular_if_fifo(path, e))?;
    regular(file).map(|(file, _)| file)
}

/// `ENXIO` is what a non-blocking open for writing of a FIFO without a reader (or a
/// device without its driver) fails with: say what the file is rather than "no such
/// device or address".
fn not_regular_if_fifo(path: &Path, error: std::io::Error) -> FileError {
    #[cfg(unix)]
    if error.raw_os_error() == Some(libc::ENXIO)
        && let Ok(metadata) = std::fs::metadata(path)
        && !metadata.is_file()
    {
        return FileError::NotRegular {
            kind: kind_of(metadata.file_type()),
        };
    }
    let _ = path;
    FileError::Io(error)
}

#[cfg(unix)]
fn never_block(options: &mut std::fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
}

#[cfg(not(unix))]
fn never_block(_: &mut std::fs::OpenOptions) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    fn mkfifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    }

    /// Runs `f` on a thread; a hang fails the test instead of hanging it.
    fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(Duration::from_secs(60))
            .expect("hung on a special file")
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p.md");
        mkfifo(&fifo);
        let path = fifo.clone();
        let read = within_a_minute(move || read_regular(&path, 1024));
        assert!(
            matches!(read, Err(FileError::NotRegular { kind }) if kind.contains("FIFO")),
            "{read:?}"
        );
        let path = fifo.clone();
        let append = within_a_minute(move || append_regular(&path));
        assert!(
            matches!(append, Err(FileError::NotRegular { kind }) if kind.contains("FIFO")),
            "{append:?}"
        );
        let zero = within_a_minute(|| read_tail(Path::new("/dev/zero"), 1024));
        assert!(
            matches!(
                zero,
                Err(FileError::NotRegular {
                    kind: "a character device"
                })
            ),
            "{zero:?}"
        );
        let folder = read_regular(dir.path(), 1024);
        assert!(
            matches!(folder, Err(FileError::NotRegular { kind: "a folder" })),
            "{folder:?}"
        );
        let missing = read_regular(&dir.path().join("none"), 1024).unwrap_err();
        assert!(missing.is_not_found());
    }

    #[test]
    fn reads_stop_at_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_regular(&path, 9),
            Err(FileError::TooLarge { size: 10, max: 9 })
        ));
        let message = FileError::TooLarge {
            size: 3 * 1_048_576,
            max: 2 * 1_048_576,
        }
        .to_string();
        assert_eq!(message, "the file is 3.0 MB, over the limit of 2.0 MB");
    }

    #[test]
    fn a_tail_starts_at_a_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, b"first line\nsecond\nthird\n").unwrap();
        let whole = read_tail(&path, 100).unwrap();
        assert_eq!((whole.bytes.len(), whole.cut_from), (24, None));
        let tail = read_tail(&path, 10).unwrap();
        assert_eq!(tail.bytes, b"third\n");
        assert_eq!(tail.cut_from, Some(24));
        // A cut that falls where a line starts keeps that line.
        assert_eq!(read_tail(&path, 13).unwrap().bytes, b"second\nthird\n");
    }
}
