//! A compiled copy of the taxonomy in `index/`, so that a search does not re-parse
//! `situations.toml` and re-analyse every synonym (that was most of a search's time).

use crate::corpus::{Repo, mtime_ns};
use crate::index::INDEX_FORMAT;
use crate::search::SituationMatcher;
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};

const CACHE_FILE: &str = "situations.cache";

/// What identifies a version of `situations.toml` without reading it: size, modification
/// and change times, and inode. The change time moves on every write and rename, even when
/// a tool preserves the modification time (`cp -p`, `touch -r`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    inode: u64,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    format: u32,
    stamp: Stamp,
    taxonomy: Taxonomy,
    matcher: SituationMatcher,
}

/// The taxonomy and its matcher from the cache, if the cache matches `situations.toml`.
pub fn load(repo: &Repo) -> Option<(Taxonomy, SituationMatcher)> {
    let stamp = stamp(repo)?;
    let bytes = std::fs::read(repo.index_dir().join(CACHE_FILE)).ok()?;
    let cached: Cached = postcard::from_bytes(&bytes).ok()?;
    (cached.format == INDEX_FORMAT && cached.stamp == stamp && cached.matcher.is_consistent())
        .then_some((cached.taxonomy, cached.matcher))
}

/// Saves the taxonomy and matcher read from the file as it was at `read_from` (its stamp
/// taken *before* reading it): if the file changed while it was read, the stamps differ and
/// nothing is stored, so a cache never pairs an old taxonomy with a new file's stamp.
/// Failures only cost speed, so they are ignored.
pub fn store(repo: &Repo, read_from: Stamp, taxonomy: &Taxonomy, matcher: &SituationMatcher) {
    if stamp(repo) != Some(read_from) {
        return;
    }
    let cached = Cached {
        format: INDEX_FORMAT,
        stamp: read_from,
        taxonomy: slim(taxonomy),
        matcher: matcher.clone(),
    };
    let Ok(bytes) = postcard::to_stdvec(&cached) else {
        return;
    };
    let dir = repo.index_dir();
    let tmp = dir.join(format!("{CACHE_FILE}.tmp-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&tmp, bytes).is_ok() {
        // The rename is atomic: readers see the old cache or the new one, never half of one.
        if std::fs::rename(&tmp, dir.join(CACHE_FILE)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The taxonomy without synonyms: a search needs only ids and labels once the matcher is
/// built, and leaving synonyms out makes the cache several times faster to load.
fn slim(taxonomy: &Taxonomy) -> Taxonomy {
    let mut slim = taxonomy.clone();
    for s in &mut slim.situations {
        s.synonyms.clear();
    }
    slim
}

/// The stamp of `situations.toml` now, if it exists.
pub fn stamp(repo: &Repo) -> Option<Stamp> {
    let meta = std::fs::metadata(repo.situations_path()).ok()?;
    Some(Stamp {
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        ctime_ns: ctime_ns(&meta),
        inode: inode(&meta),
    })
}

#[cfg(unix)]
fn ctime_ns(meta: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())
}

#[cfg(not(unix))]
fn ctime_ns(_: &std::fs::Metadata) -> i128 {
    0
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}
