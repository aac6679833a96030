//! Is the index fresh? The manifest (every file the index has seen, with its stamp: size,
//! modification and change times, inode) compared with a walk over `playbooks/` (one
//! `stat` per file): what changed or appeared is re-indexed, what disappeared is deleted.
//!
//! Size and modification time alone miss a same-size replacement that keeps the old
//! modification time (`cp -p`, `touch -r`, `rsync -t`), and a `chmod` that makes an
//! unreadable (skipped) file readable; the change time moves for both.

use super::store::Manifest;
use crate::corpus::FileStamp;
use crate::files::Stamp;
use serde::{Deserialize, Serialize};

/// What the manifest records for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct FileEntry {
    /// The file's stamp when it was read for the index.
    pub(super) stamp: Stamp,
    /// Why the file is not in the index (its first error), if it is not.
    pub(super) skipped: Option<String>,
    /// The id of the original the file is, or translates (see [`super::family`]).
    #[serde(default)]
    pub(super) family: Option<String>,
}

impl FileEntry {
    /// Whether the file on disk is still the version indexed.
    pub(super) fn same_stamp(&self, file: &FileStamp) -> bool {
        self.stamp == file.stamp
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(stamp: Stamp) -> FileStamp {
        FileStamp {
            rel_path: "playbooks/da/p.md".into(),
            abs_path: "/kb/playbooks/da/p.md".into(),
            stamp,
        }
    }

    fn manifest(stamp: Stamp) -> Manifest {
        let entry = FileEntry {
            stamp,
            skipped: Some("line 1: cannot read: Permission denied".into()),
            family: None,
        };
        Manifest {
            format: 0,
            files: [("playbooks/da/p.md".to_string(), entry)].into(),
        }
    }

    /// A change of content with the old size and modification time, or of permissions
    /// alone, moves only the change time (or the inode): still a change.
    #[test]
    fn any_part_of_the_stamp_is_a_change() {
        let indexed = Stamp {
            size: 100,
            mtime_ns: 1_000,
            ctime_ns: 2_000,
            inode: 7,
        };
        let manifest = manifest(indexed);
        assert!(diff(&manifest, &[file(indexed)]).is_empty());
        for changed in [
            Stamp {
                ctime_ns: 3_000,
                ..indexed
            },
            Stamp {
                inode: 8,
                ..indexed
            },
            Stamp {
                mtime_ns: 1_001,
                ..indexed
            },
            Stamp {
                size: 99,
                ..indexed
            },
        ] {
            let files = [file(changed)];
            let diff = diff(&manifest, &files);
            assert_eq!(diff.changed.len(), 1, "{changed:?}");
            assert!(diff.removed.is_empty());
        }
        assert_eq!(diff(&manifest, &[]).removed, ["playbooks/da/p.md"]);
    }
}
