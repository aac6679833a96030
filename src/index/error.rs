//! What can go wrong while keeping the index, typed: callers decide by variant and by
//! [`io::ErrorKind`], never by reading messages.

use std::error::Error as _;
use std::io;
use std::path::PathBuf;
use tantivy::TantivyError;
use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};

/// Why the index could not be opened, updated or built.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file or folder of the index could not be read or written.
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// tantivy failed at `what` (open a writer, commit, merge…).
    #[error("{what}")]
    Tantivy {
        what: &'static str,
        #[source]
        source: TantivyError,
    },
    /// The manifest (the list of indexed files) could not be encoded.
    #[error("cannot encode the manifest")]
    ManifestEncode {
        #[source]
        source: postcard::Error,
    },
    /// The commit payload that names the manifest could not be encoded.
    #[error("cannot encode the commit payload")]
    PayloadEncode {
        #[source]
        source: serde_json::Error,
    },
    /// The current generation cannot be trusted (a file missing, truncated or damaged, the
    /// manifest or `CURRENT` unreadable): it is rebuilt, and `why` says what was found.
    #[error("{why}")]
    Damaged { why: String },
    /// `ROOT/index` is a symbolic link (or something else that is not a folder). An index
    /// is never read or written through a link: it may lead anywhere (a build overwrites
    /// `CURRENT` and deletes old `gen-*` folders in the folder it reaches).
    #[error("{} is not a folder of its own (a symbolic link, or a file)", path.display())]
    NotAFolder { path: PathBuf },
    /// A full rebuild failed.
    #[error("rebuild failed")]
    Rebuild {
        #[source]
        source: Box<IndexError>,
    },
}

impl IndexError {
    pub(super) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        IndexError::Io {
            path: path.into(),
            source,
        }
    }

    pub(super) fn tantivy(what: &'static str) -> impl FnOnce(TantivyError) -> Self {
        move |source| IndexError::Tantivy { what, source }
    }

    pub(super) fn damaged(why: impl Into<String>) -> Self {
        IndexError::Damaged { why: why.into() }
    }

    /// Whether the index folder may not be written (no permission, a read-only file
    /// system): then a search answers from an index built in memory instead of
    /// rebuilding. Decided by the I/O error's kind, also inside tantivy's errors.
    pub fn is_permission(&self) -> bool {
        match self {
            IndexError::Io { source, .. } => is_permission_kind(source.kind()),
            IndexError::Tantivy { source, .. } => {
                tantivy_io_kind(source).is_some_and(is_permission_kind)
            }
            IndexError::Rebuild { source } => source.is_permission(),
            IndexError::ManifestEncode { .. }
            | IndexError::PayloadEncode { .. }
            | IndexError::Damaged { .. }
            | IndexError::NotAFolder { .. } => false,
        }
    }

    /// The message and its causes on one line (`rebuild failed: cannot read or write
    /// index/gen-1: Permission denied (os error 13)`), for a notice.
    pub fn reason(&self) -> String {
        match self {
            IndexError::Rebuild { source } => format!("{self}: {}", source.reason()),
            _ => match self.source() {
                Some(source) => format!("{self}: {source}"),
                None => self.to_string(),
            },
        }
    }
}

pub(super) fn is_permission_kind(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

/// The kind of the I/O error a tantivy error wraps, if it wraps one.
fn tantivy_io_kind(error: &TantivyError) -> Option<io::ErrorKind> {
    let io_error = match error {
        TantivyError::IoError(e)
        | TantivyError::LockFailure(LockError::IoError(e), _)
        | TantivyError::OpenDirectoryError(
            OpenDirectoryError::IoError { io_error: e, .. }
            | OpenDirectoryError::FailedToCreateTempDir(e),
        )
        | TantivyError::OpenWriteError(OpenWriteError::IoError { io_error: e, .. })
        | TantivyError::OpenReadError(OpenReadError::IoError { io_error: e, .. }) => e,
        _ => return None,
    };
    Some(io_error.kind())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn io_error(kind: io::ErrorKind) -> IndexError {
        IndexError::io("index/gen-1", io::Error::from(kind))
    }

    #[test]
    fn permission_is_told_by_the_io_error_kind() {
        assert!(io_error(io::ErrorKind::PermissionDenied).is_permission());
        assert!(io_error(io::ErrorKind::ReadOnlyFilesystem).is_permission());
        assert!(!io_error(io::ErrorKind::NotFound).is_permission());
        assert!(!io_error(io::ErrorKind::StorageFull).is_permission());
        // An OS error, as the file system reports it.
        let eacces = IndexError::io("index", io::Error::from_raw_os_error(13));
        assert!(eacces.is_permission(), "{eacces:?}");
        // A rebuild that failed for want of permission is still a permission problem.
        let rebuild = IndexError::Rebuild {
            source: Box::new(io_error(io::ErrorKind::PermissionDenied)),
        };
        assert!(rebuild.is_permission());
    }

    #[test]
    fn permission_is_found_inside_tantivy_errors() {
        let denied = || Arc::new(io::Error::from(io::ErrorKind::PermissionDenied));
        let wrapped = [
            TantivyError::IoError(denied()),
            TantivyError::LockFailure(LockError::IoError(denied()), None),
            TantivyError::OpenDirectoryError(OpenDirectoryError::IoError {
                io_error: denied(),
                directory_path: "index/gen-1".into(),
            }),
            TantivyError::OpenWriteError(OpenWriteError::IoError {
                io_error: Arc::new(io::Error::from(io::ErrorKind::ReadOnlyFilesystem)),
                filepath: "index/gen-1/meta.json".into(),
            }),
            TantivyError::OpenReadError(OpenReadError::IoError {
                io_error: denied(),
                filepath: "index/gen-1/meta.json".into(),
            }),
        ];
        for source in wrapped {
            let error = IndexError::tantivy("commit")(source);
            assert!(error.is_permission(), "{error:?}");
        }
        let busy = IndexError::tantivy("open a writer")(TantivyError::LockFailure(
            LockError::LockBusy,
            None,
        ));
        assert!(!busy.is_permission());
        let other = IndexError::tantivy("commit")(TantivyError::IoError(Arc::new(
            io::Error::from(io::ErrorKind::UnexpectedEof),
        )));
        assert!(!other.is_permission());
    }

    #[test]
    fn permission_is_never_read_from_the_text() {
        // Messages that merely say so are not permission problems.
        assert!(!IndexError::damaged("Permission denied").is_permission());
        assert!(!IndexError::damaged("Read-only file system").is_permission());
        let text_only =
            IndexError::io("index", io::Error::other("Permission denied (os error 13)"));
        assert!(!text_only.is_permission());
    }

    #[test]
    fn the_reason_names_every_cause() {
        let error = IndexError::Rebuild {
            source: Box::new(IndexError::io(
                "index/gen-1",
                io::Error::from(io::ErrorKind::PermissionDenied),
            )),
        };
        assert_eq!(
            error.reason(),
            format!(
                "rebuild failed: cannot read or write index/gen-1: {}",
                io::Error::from(io::ErrorKind::PermissionDenied)
            )
        );
        assert_eq!(
            IndexError::damaged("manifest missing").reason(),
            "manifest missing"
        );
    }
}
