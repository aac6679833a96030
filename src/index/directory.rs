//! One generation's folder as tantivy sees it: tantivy's memory-mapped directory, changed
//! where it would keep an index from being shared.
//!
//! - Files tantivy writes whole (`meta.json`, `.managed.json`) go through
//!   [`write_atomically`], so they get the same mode as every other file (the umask's),
//!   not the private one (0600) of tantivy's temporary files: an index built by its owner
//!   can be read by the agents who search it.
//! - A reader that may not write the folder (a read-only mount, someone else's index)
//!   opens it without the meta lock, which it cannot create (see [`Directory::acquire_lock`]
//!   below).

use super::error::is_permission_kind;
use super::store::{Durability, write_atomically_io};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// A generation's folder (see the module's documentation).
#[derive(Debug, Clone)]
pub(super) struct GenerationDir {
    inner: MmapDirectory,
    path: PathBuf,
}

impl GenerationDir {
    pub(super) fn open(path: &Path) -> Result<GenerationDir, OpenDirectoryError> {
        Ok(GenerationDir {
            inner: MmapDirectory::open(path)?,
            path: path.to_path_buf(),
        })
    }
}

impl Directory for GenerationDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        write_atomically_io(&self.path.join(path), data, Durability::FileSynced)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    /// The meta lock only keeps a writer's clean-up from deleting segment files while a
    /// reader opens them. A reader that may not create the lock file opens the index
    /// without it: the writer is another user's process, and should a file vanish
    /// meanwhile, opening fails and the search answers from memory (never a wrong answer).
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath && is_permission_kind(e.kind()) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
