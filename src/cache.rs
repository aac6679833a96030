//! A compiled copy of the taxonomy in `index/`, so that a search does not re-parse
//! `situations.toml` and re-analyse every synonym (that was most of a search's time).

use crate::corpus::Repo;
use crate::index::INDEX_FORMAT;
use crate::search::SituationMatcher;
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};

const CACHE_FILE: &str = "situations.cache";

/// What identifies a version of `situations.toml` without reading it (see [`Stamp`]).
pub use crate::files::Stamp;

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
    let bytes = crate::files::read_regular(
        &repo.index_dir().join(CACHE_FILE),
        crate::tuning::MAX_TAXONOMY_CACHE_BYTES,
    )
    .ok()?;
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
    std::fs::metadata(repo.situations_path())
        .ok()
        .map(|meta| Stamp::of(&meta))
}
