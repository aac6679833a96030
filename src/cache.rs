//! A compiled copy of the taxonomy in `index/`, so that a search does not re-parse
//! `situations.toml` and re-analyse every synonym (that was most of a search's time).

use crate::corpus::{Repo, mtime_ns};
use crate::index::INDEX_FORMAT;
use crate::search::SituationMatcher;
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};

const CACHE_FILE: &str = "situations.cache";

#[derive(Serialize, Deserialize)]
struct Cached {
    format: u32,
    size: u64,
    mtime_ns: i128,
    taxonomy: Taxonomy,
    matcher: SituationMatcher,
}

/// The taxonomy and its matcher from the cache, if the cache matches `situations.toml`.
pub fn load(repo: &Repo) -> Option<(Taxonomy, SituationMatcher)> {
    let (size, mtime) = stamp(repo)?;
    let bytes = std::fs::read(repo.index_dir().join(CACHE_FILE)).ok()?;
    let cached: Cached = postcard::from_bytes(&bytes).ok()?;
    (cached.format == INDEX_FORMAT
        && cached.size == size
        && cached.mtime_ns == mtime
        && cached.matcher.is_consistent())
    .then_some((cached.taxonomy, cached.matcher))
}

/// Saves the taxonomy and matcher; failures only cost speed, so they are ignored.
pub fn store(repo: &Repo, taxonomy: &Taxonomy, matcher: &SituationMatcher) {
    let Some((size, mtime_ns)) = stamp(repo) else {
        return;
    };
    let cached = Cached {
        format: INDEX_FORMAT,
        size,
        mtime_ns,
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

fn stamp(repo: &Repo) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(repo.situations_path()).ok()?;
    Some((meta.len(), mtime_ns(&meta)))
}
