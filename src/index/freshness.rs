//! Is the index fresh? The manifest (every file the index has seen, with its size and
//! modification time) compared with a walk over `playbooks/` (one `stat` per file): what
//! changed or appeared is re-indexed, what disappeared is deleted.

use super::store::Manifest;
use crate::corpus::FileStamp;
use serde::{Deserialize, Serialize};

/// What the manifest records for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct FileEntry {
    pub(super) size: u64,
    pub(super) mtime_ns: i128,
    /// Why the file is not in the index (its first error), if it is not.
    pub(super) skipped: Option<String>,
    /// The id of the original the file is, or translates (see [`super::family`]).
    #[serde(default)]
    pub(super) family: Option<String>,
}

impl FileEntry {
    /// Whether the file on disk still has the size and modification time indexed.
    pub(super) fn same_stamp(&self, stamp: &FileStamp) -> bool {
        self.size == stamp.size && self.mtime_ns == stamp.mtime_ns
    }
}

/// Files added or changed (to index) and removed (to delete).
#[derive(Debug, Default)]
pub(super) struct Diff<'a> {
    pub(super) changed: Vec<&'a FileStamp>,
    pub(super) removed: Vec<String>,
}

impl Diff<'_> {
    pub(super) fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// What differs between the manifest and the walk's `stamps`.
pub(super) fn diff<'a>(manifest: &Manifest, stamps: &'a [FileStamp]) -> Diff<'a> {
    let mut known = 0;
    let changed = stamps
        .iter()
        .filter(|s| match manifest.files.get(&s.rel_path) {
            Some(f) => {
                known += 1;
                !f.same_stamp(s)
            }
            None => true,
        })
        .collect();
    // Only when some indexed file was not seen on disk is a set of paths worth building.
    let removed = if known == manifest.files.len() {
        Vec::new()
    } else {
        let present: std::collections::HashSet<&str> =
            stamps.iter().map(|s| s.rel_path.as_str()).collect();
        let mut removed: Vec<String> = manifest
            .files
            .keys()
            .filter(|p| !present.contains(p.as_str()))
            .cloned()
            .collect();
        removed.sort();
        removed
    };
    Diff { changed, removed }
}
