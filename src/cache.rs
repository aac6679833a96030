//! A compiled copy of the taxonomy in `index/`, so that a search does not re-parse
//! `situations.toml` and re-analyse every synonym (that was most of a search's time).

use crate::corpus::Repo;
use crate::error::Result;
use crate::index::INDEX_FORMAT;
use crate::search::SituationMatcher;
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};

const CACHE_FILE: &str = "situations.cache";

/// What identifies a version of `situations.toml` without reading it (see [`Stamp`]).
pub use crate::files::Stamp;

/// The cache file: a CRC-32 of the rest, then the [`Cached`] value. A damaged cache (a
/// flipped bit that still decodes could change which situation a query resolves to) is
/// read as no cache.
#[derive(Serialize, Deserialize)]
struct Cached {
    format: u32,
    stamp: Stamp,
    taxonomy: Taxonomy,
    matcher: SituationMatcher,
}

/// The taxonomy, its matcher, and the stamp of the `situations.toml` they come from: from
/// the cache when it matches the file, else read with `read` (and cached).
///
/// The file is stamped *before* it is read: when it is written while `read` runs, the
/// stamp is the old version's, [`store`] sees the file moved on and stores nothing, and the
/// next call reads the new version. (Stamped after the read, the cache would pair the old
/// taxonomy with the new file's stamp, and serve it until the file changed again.)
pub fn load_or_read(
    repo: &Repo,
    read: impl FnOnce(&Repo) -> Result<Taxonomy>,
) -> Result<(Taxonomy, SituationMatcher, Option<Stamp>)> {
    let before = stamp(repo);
    if let Some(stamp) = before
        && let Some((taxonomy, matcher)) = load_stamped(repo, stamp)
    {
        return Ok((taxonomy, matcher, before));
    }
    let taxonomy = read(repo)?;
    let matcher = SituationMatcher::new(&taxonomy);
    if let Some(stamp) = before {
        store(repo, stamp, &taxonomy, &matcher);
    }
    Ok((taxonomy, matcher, before))
}

/// The taxonomy and its matcher from the cache, if the cache matches `situations.toml`.
pub fn load(repo: &Repo) -> Option<(Taxonomy, SituationMatcher)> {
    load_stamped(repo, stamp(repo)?)
}

/// The taxonomy and its matcher from the cache, if the cache was made from the version of
/// `situations.toml` that has `stamp`.
fn load_stamped(repo: &Repo, stamp: Stamp) -> Option<(Taxonomy, SituationMatcher)> {
    let cached = read_cached(repo)?;
    (cached.stamp == stamp).then_some((cached.taxonomy, cached.matcher))
}

/// The last taxonomy read without a mistake, whatever `situations.toml` says now: what a
/// search falls back on while the file has a mistake (a cache is only ever stored from a
/// file that parsed).
pub fn load_last_good(repo: &Repo) -> Option<(Taxonomy, SituationMatcher)> {
    read_cached(repo).map(|cached| (cached.taxonomy, cached.matcher))
}

/// The cache, when it is intact and of this version.
fn read_cached(repo: &Repo) -> Option<Cached> {
    let body = read_checked(repo, CACHE_FILE, crate::tuning::MAX_TAXONOMY_CACHE_BYTES)?;
    let cached: Cached = postcard::from_bytes(&body).ok()?;
    (cached.format == INDEX_FORMAT && cached.matcher.is_consistent()).then_some(cached)
}

/// The body of `index/NAME`, a cache file, when its CRC-32 says it is intact. A damaged
/// cache (a flipped bit that still decodes could change what a search finds) is none.
pub(crate) fn read_checked(repo: &Repo, name: &str, max: u64) -> Option<Vec<u8>> {
    let dir = crate::index::own_folder(repo).ok()?;
    let bytes = crate::files::read_regular(&dir.join(name), max).ok()?;
    unsealed(&bytes).map(<[u8]>::to_vec)
}

/// `body` behind its CRC-32, as [`unsealed`] reads it back: for files whose damage must be
/// noticed rather than decoded (a flipped bit in a postcard value may still decode).
pub(crate) fn sealed(body: &[u8]) -> Vec<u8> {
    let mut bytes = crc32fast::hash(body).to_le_bytes().to_vec();
    bytes.extend_from_slice(body);
    bytes
}

/// The body of `bytes` written by [`sealed`], when its CRC-32 says it is intact.
pub(crate) fn unsealed(bytes: &[u8]) -> Option<&[u8]> {
    let (crc, body) = bytes.split_first_chunk::<4>()?;
    (u32::from_le_bytes(*crc) == crc32fast::hash(body)).then_some(body)
}

/// Writes `body` to `index/NAME` behind its CRC-32. Failures only cost speed, so they are
/// ignored.
pub(crate) fn write_checked(repo: &Repo, name: &str, body: &[u8]) {
    // Never through a link: `index/` must be a folder of the root's own.
    let Ok(dir) = crate::index::own_folder(repo) else {
        return;
    };
    let bytes = sealed(body);
    // A new temporary file (never a link planted under its name), renamed into place:
    // readers see the old cache or the new one, never half of one.
    let _ = crate::index::write_atomically_io(
        &dir.join(name),
        &bytes,
        crate::index::Durability::Unsynced,
    );
}

/// Saves the taxonomy and matcher read from the file as it was at `read_from` (its stamp
/// taken *before* reading it): if the file changed while it was read, the stamps differ and
/// nothing is stored, so a cache never pairs an old taxonomy with a new file's stamp.
/// Failures only cost speed, so they are ignored.
fn store(repo: &Repo, read_from: Stamp, taxonomy: &Taxonomy, matcher: &SituationMatcher) {
    if stamp(repo) != Some(read_from) {
        return;
    }
    let cached = Cached {
        format: INDEX_FORMAT,
        stamp: read_from,
        taxonomy: slim(taxonomy),
        matcher: matcher.clone(),
    };
    if let Ok(body) = postcard::to_stdvec(&cached) {
        write_checked(repo, CACHE_FILE, &body);
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
    Stamp::of_path(&repo.situations_path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::required_taxonomy;

    /// A repository in a temporary folder whose `situations.toml` is [`taxonomy_file`].
    fn repo_whose_taxonomy_says(synonym: &str) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo {
            root: dir.path().to_path_buf(),
        };
        std::fs::create_dir_all(repo.playbooks_dir()).unwrap();
        std::fs::write(repo.situations_path(), taxonomy_file(synonym)).unwrap();
        (dir, repo)
    }

    fn taxonomy_file(synonym: &str) -> String {
        format!(
            "[[situation]]\nid = \"refund-request\"\nlabel = \"Refund request\"\n\
             description = \"x\"\n[situation.synonyms]\nen = [\"{synonym}\"]\n"
        )
    }

    fn resolves(matcher: &SituationMatcher, query: &str) -> bool {
        matcher
            .resolve(query)
            .iter()
            .any(|r| r.id == "refund-request")
    }

    /// Issue 16, finding 2: `situations.toml` written while a search reads it (a `git
    /// pull` while agents search). The read step is where the race happens, so the test
    /// writes version B from inside it: the search that read A answers with A, and the
    /// next one must see B (with the stamp taken after the read it kept seeing A, even
    /// after `index --rebuild`, until the file changed again).
    #[test]
    fn a_file_written_while_it_is_read_is_read_again_next_time() {
        let (_dir, repo) = repo_whose_taxonomy_says("wants money back");
        let (_, during, _) = load_or_read(&repo, |repo| {
            let taxonomy = required_taxonomy(repo);
            std::fs::write(
                repo.situations_path(),
                taxonomy_file("chargeback through the bank"),
            )
            .unwrap();
            taxonomy
        })
        .unwrap();
        assert!(resolves(&during, "wants money back"));
        for attempt in 0..2 {
            let (_, after, _) = load_or_read(&repo, required_taxonomy).unwrap();
            assert!(
                resolves(&after, "chargeback through the bank"),
                "search {attempt} after the write still has the old taxonomy"
            );
            assert!(!resolves(&after, "wants money back"));
        }
    }

    /// A bit flipped anywhere in the cache file: read as no cache, never as a taxonomy
    /// that resolves other situations.
    #[test]
    fn a_damaged_cache_is_never_used() {
        let (_dir, repo) = repo_whose_taxonomy_says("wants money back");
        load_or_read(&repo, required_taxonomy).unwrap();
        let path = repo.index_dir().join(CACHE_FILE);
        let good = std::fs::read(&path).unwrap();
        for offset in (0..good.len()).step_by(good.len() / 50 + 1) {
            let mut bad = good.clone();
            bad[offset] ^= 0x10;
            std::fs::write(&path, &bad).unwrap();
            assert!(load(&repo).is_none(), "bit flipped at {offset}");
        }
        std::fs::write(&path, &good).unwrap();
        assert!(load(&repo).is_some());
    }

    #[test]
    fn an_unchanged_file_comes_from_the_cache() {
        let (_dir, repo) = repo_whose_taxonomy_says("wants money back");
        load_or_read(&repo, required_taxonomy).unwrap();
        let (_, matcher, _) =
            load_or_read(&repo, |_| panic!("read although the cache matches")).unwrap();
        assert!(resolves(&matcher, "wants money back"));
    }
}
