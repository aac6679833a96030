//! The library's error type: every failure says which file, and what to do about it.

use std::path::PathBuf;

/// Errors the library reports to its callers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("cannot read or write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No `playbooks/` folder was found above the working directory.
    #[error(
        "no `playbooks/` folder found in {start} or any folder above it\n  = help: run from inside a playbook repository, or pass --root DIR (or set PLAYBOOK_ROOT)"
    )]
    RootNotFound { start: PathBuf },
    /// The root found above the working directory belongs to someone else.
    #[error(
        "{} is owned by another user (uid {owner}), not by you (uid {me}): not reading playbooks someone else may have put above your working folder\n  = help: if you trust it, name it: pass --root {} (or set PLAYBOOK_ROOT)",
        dir.display(),
        root.display()
    )]
    UntrustedRoot {
        /// The folder with the foreign owner: the root or its `playbooks/`.
        dir: PathBuf,
        root: PathBuf,
        owner: u32,
        me: u32,
    },
    /// The given root has no `playbooks/` folder.
    #[error(
        "{root} has no `playbooks/` folder\n  = help: pass the folder that contains `playbooks/`"
    )]
    NoPlaybooks { root: PathBuf },
    /// `situations.toml` is missing or broken, so queries cannot be understood.
    #[error("{path}:{line}: {message}\n  = help: run `playbook check` for details")]
    Taxonomy {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The search index failed in a way a rebuild could not repair.
    #[error(
        "search index in {path}: {message}\n  = help: delete the folder and run `playbook index --rebuild`"
    )]
    Index { path: PathBuf, message: String },
    /// A search failed (or panicked) on the index this process had just rebuilt: the
    /// query, not the index, trips a fault in the engine. Rebuilding again would not help.
    #[error(
        "searching for {query:?} failed, also on a freshly rebuilt index: {message}\n  = help: this query trips a fault in playbook, not in your playbooks or the index; other searches still work. Please report it with the query above"
    )]
    SearchFailed { query: String, message: String },
    /// The index in `path` could not be opened, updated or built, and nothing could stand
    /// in for it (see [`crate::index::IndexError`] for what failed).
    #[error("search index in {path} cannot be built or updated")]
    IndexStore {
        path: PathBuf,
        #[source]
        source: crate::index::IndexError,
    },
    /// A playbook or step named on the command line does not exist.
    #[error("{what} not found{hint}")]
    NotFound { what: String, hint: String },
    /// A file could not be read: it is not a regular file, is over its bound, or an I/O
    /// error (see [`crate::files::FileError`]).
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: crate::files::FileError,
    },
    /// `playbook.toml` is broken.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The user asked for something the tool cannot do.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn index(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Index {
            path: path.into(),
            message: err.to_string(),
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
