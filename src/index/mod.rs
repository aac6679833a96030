//! The search index: a tantivy index in `ROOT/index/`, kept fresh as a cache of `playbooks/`.
//!
//! Design:
//! - Every search makes sure the index matches `playbooks/` before it answers: it walks the
//!   tree (one `stat` per playbook, [`crate::corpus::list_playbook_files`]) and compares
//!   what it found with the manifest (`freshness.rs`); changed files are re-indexed in place,
//!   and nothing but the search's own process does any of this.
//! - Layout (`store.rs`): `index/CURRENT` names the generation folder (`index/gen-*`) that
//!   answers searches. A full rebuild writes a new generation and switches `CURRENT` with
//!   an atomic rename, so a crash never leaves a half-built index in use. Small edits update
//!   the current generation in place; tantivy commits are atomic, and the list of indexed
//!   files (the manifest) is the file the commit's payload names, so the index and its
//!   manifest can never disagree.
//! - A generation that is missing, damaged or written by another version is rebuilt, and so
//!   is one that fails or panics while searched ([`repair`]); small files' checksums are
//!   verified on every open, big ones' when they changed. An index that is current is
//!   searched even when it cannot be written (a read-only mount, another user's index);
//!   when it is stale and cannot be written, or `index/` is not a folder of the root's own
//!   (a link is never followed), the search runs on an index built in memory. Each of
//!   these is one [`Notice`] for stderr, and what failed is an [`IndexError`].
//! - What is indexed for each step, and the schema, are in `record.rs`; every error is
//!   an [`IndexError`] (`error.rs`), turned into the crate's [`Error`] at this module's edge.

mod directory;
mod error;
mod family;
mod freshness;
mod panics;
mod record;
mod store;

pub use error::IndexError;
pub(crate) use panics::catch as catch_panic;
pub use panics::quiet as quiet_panic;
pub use record::{Fields, INDEX_FORMAT, StepRecord, TranslatedStep, order_key, schema};
pub(crate) use store::{Durability, write_atomically_io};

use crate::corpus::{FileStamp, Repo, list_playbook_files};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use freshness::diff;
use std::fmt;
use std::path::{Path, PathBuf};
use store::{Manifest, Opened};
use tantivy::{Index, IndexReader, ReloadPolicy};

/// An open, fresh index ready to search.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// What opening did or found, for stderr, one line each.
    pub notices: Vec<Notice>,
    /// When the index was built in memory (its folder could not be used): what it was
    /// built from, so that a long-running view builds it again only when that changes.
    in_memory: Option<Manifest>,
}

/// What opening the index did or found that the user should know: one line on stderr each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// There was no index yet: it was built.
    FirstBuild,
    /// The index could not be used as it was, and was built again; `why` says what was
    /// wrong (a damaged or missing file, written by another version, an update that failed).
    Rebuilt { why: String },
    /// Playbook files changed since the last search and were re-indexed.
    Updated { changed: usize, removed: usize },
    /// The index in `dir` cannot be used (`why`): the search runs on an index built in
    /// memory.
    FromMemory { dir: PathBuf, why: Unusable },
    /// Playbook files left out of the index, as `path (why)`: broken playbooks, and files
    /// the walk could not even list (a link loop, an unreadable folder).
    Skipped { files: Vec<String> },
}

impl Notice {
    /// Whether the index was built again from scratch because the old one was unusable.
    pub fn is_rebuild(&self) -> bool {
        matches!(self, Notice::Rebuilt { .. })
    }

    /// The one warning naming every file left out: the playbooks the manifest records as
    /// broken, then the walk's errors. `None` when nothing was left out.
    fn skipped(manifest: &Manifest, walk: &[Diagnostic]) -> Option<Notice> {
        let mut files = store::skipped_files(manifest);
        files.extend(
            walk.iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} ({})", d.path, d.message)),
        );
        (!files.is_empty()).then_some(Notice::Skipped { files })
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::FirstBuild => write!(f, "index: building it for the first time"),
            Notice::Rebuilt { why } => write!(f, "index: {why}; rebuilt it"),
            Notice::Updated { changed, removed } => write!(
                f,
                "index: updated {changed} changed and {removed} removed playbook file(s)"
            ),
            Notice::FromMemory { dir, why } => match why {
                Unusable::ReadOnly => write!(
                    f,
                    "index: {} is read-only: searching an in-memory index; run `playbook index` as its owner",
                    dir.display()
                ),
                Unusable::NotAFolder => write!(
                    f,
                    "index: {} is not a folder of its own (a symbolic link?), and an index is never written through one: searching an in-memory index",
                    dir.display()
                ),
                Unusable::Failed(reason) => write!(
                    f,
                    "index: cannot write {} ({reason}); searching an in-memory index",
                    dir.display()
                ),
            },
            Notice::Skipped { files } => write!(
                f,
                "warning: skipped {} broken playbook file(s): {}; run `playbook check` for details",
                files.len(),
                files.join(", ")
            ),
        }
    }
}

/// Why the index folder cannot be used, so that a search builds its index in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// It may not be written (a read-only mount, another user's index) and is stale.
    ReadOnly,
    /// `index/` is a symbolic link or not a folder: an index is never written through one.
    NotAFolder,
    /// Anything else, with what failed.
    Failed(String),
}

impl Unusable {
    fn of(error: &IndexError) -> Unusable {
        match error {
            e if e.is_permission() => Unusable::ReadOnly,
            IndexError::NotAFolder { .. } => Unusable::NotAFolder,
            e => Unusable::Failed(e.reason()),
        }
    }
}

/// What `playbook index` reports.
#[derive(Debug, Default)]
pub struct IndexReport {
    pub playbooks: usize,
    /// Steps indexed, introductions aside.
    pub steps: usize,
    /// Playbooks' introductions indexed.
    pub introductions: usize,
    pub changed: usize,
    pub removed: usize,
    pub rebuilt: bool,
}

/// Opens the index of `repo`, bringing it up to date with `playbooks/` first: the tree is
/// walked and compared with the index, and what changed is re-indexed. When `index/`
/// cannot be used, the index is built in memory instead.
pub fn open_fresh(repo: &Repo) -> Result<SearchIndex> {
    open_fresh_since(repo, None)
}

/// [`open_fresh`] for a long-running view that has `previous` open: when that was built in
/// memory from the playbooks as they still are, it is searched again rather than built
/// again (and said again).
pub fn open_fresh_since(repo: &Repo, previous: Option<&SearchIndex>) -> Result<SearchIndex> {
    let listing = list_playbook_files(repo);
    open_listed(repo, &listing, false, Vec::new(), |error, notices| {
        if let Some(previous) = previous
            && let Some(manifest) = &previous.in_memory
            && diff(manifest, &listing.files).is_empty()
        {
            return Ok(SearchIndex {
                index: previous.index.clone(),
                reader: previous.reader.clone(),
                fields: previous.fields.clone(),
                notices: Vec::new(),
                in_memory: Some(manifest.clone()),
            });
        }
        in_memory(repo, &listing, error, notices)
    })
}

/// Rebuilds the index of `repo` because searching it failed or panicked (`why`), whatever
/// its files look like; in memory when `index/` cannot be used.
pub fn repair(repo: &Repo, why: &str) -> Result<SearchIndex> {
    let listing = list_playbook_files(repo);
    let rebuilt = vec![Notice::Rebuilt {
        why: format!("damaged ({why})"),
    }];
    // In memory, the "rebuilt" notice would be one too many: the memory one says it all.
    open_listed(repo, &listing, true, rebuilt, |error, _| {
        in_memory(repo, &listing, error, Vec::new())
    })
}

/// Opens the index of `listing`'s files (with `rebuild`, builds it again), or, when
/// `index/` cannot be used, answers with `fallback` (given why, and the notices so far).
fn open_listed(
    repo: &Repo,
    listing: &crate::corpus::Listing,
    rebuild: bool,
    mut notices: Vec<Notice>,
    fallback: impl FnOnce(&IndexError, Vec<Notice>) -> Result<SearchIndex>,
) -> Result<SearchIndex> {
    match open_and_update(repo, &listing.files, rebuild, &mut notices) {
        Ok((index, manifest, reader)) => finish(
            repo,
            index,
            &manifest,
            reader,
            notices,
            &listing.diagnostics,
        ),
        Err(error) => fallback(&error, notices),
    }
}

/// The index built in memory, because `index/` cannot be used (`error`).
fn in_memory(
    repo: &Repo,
    listing: &crate::corpus::Listing,
    error: &IndexError,
    mut notices: Vec<Notice>,
) -> Result<SearchIndex> {
    notices.push(Notice::FromMemory {
        dir: repo.index_dir(),
        why: Unusable::of(error),
    });
    let (index, manifest) =
        store::build_in_ram(&listing.files).map_err(|source| Error::IndexStore {
            path: "(memory)".into(),
            source,
        })?;
    let mut opened = finish(repo, index, &manifest, None, notices, &listing.diagnostics)?;
    opened.in_memory = Some(manifest);
    Ok(opened)
}

/// The opened index with its reader and every notice.
fn finish(
    repo: &Repo,
    index: Index,
    manifest: &Manifest,
    reader: Option<IndexReader>,
    mut notices: Vec<Notice>,
    walk: &[Diagnostic],
) -> Result<SearchIndex> {
    let reader = match reader {
        Some(r) => r,
        None => new_reader(&index).map_err(|source| Error::IndexStore {
            path: repo.index_dir(),
            source,
        })?,
    };
    notices.extend(Notice::skipped(manifest, walk));
    let (_, fields) = schema();
    Ok(SearchIndex {
        index,
        reader,
        fields,
        notices,
        in_memory: None,
    })
}

/// `ROOT/index`, made sure to be a folder of the root's own (created when missing): never
/// a symbolic link, which could lead a build to overwrite and delete files anywhere.
pub fn own_folder(repo: &Repo) -> Result<PathBuf, IndexError> {
    let dir = repo.index_dir();
    ensure_folder(&dir)?;
    Ok(dir)
}

fn ensure_folder(dir: &Path) -> Result<(), IndexError> {
    let not_a_folder = || IndexError::NotAFolder {
        path: dir.to_path_buf(),
    };
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(not_a_folder()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::create_dir(dir) {
            Ok(()) => Ok(()),
            // Another process created it meanwhile: look again at what it is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                match std::fs::symlink_metadata(dir) {
                    Ok(meta) if meta.is_dir() => Ok(()),
                    _ => Err(not_a_folder()),
                }
            }
            Err(e) => Err(IndexError::io(dir, e)),
        },
        Err(e) => Err(IndexError::io(dir, e)),
    }
}

/// Builds or updates the on-disk index (`playbook index`); `rebuild` starts from scratch.
pub fn update(repo: &Repo, rebuild: bool) -> Result<(IndexReport, Vec<Notice>)> {
    let stamps = list_playbook_files(repo).files;
    let mut notices = Vec::new();
    let edge = |source| Error::IndexStore {
        path: repo.index_dir(),
        source,
    };
    let (index, manifest, reader) =
        open_and_update(repo, &stamps, rebuild, &mut notices).map_err(edge)?;
    let reader = match reader {
        Some(r) => r,
        None => new_reader(&index).map_err(edge)?,
    };
    let (changed, removed) = notices
        .iter()
        .find_map(|n| match n {
            Notice::Updated { changed, removed } => Some((*changed, *removed)),
            _ => None,
        })
        .unwrap_or_default();
    let searcher = reader.searcher();
    let documents = searcher.num_docs() as usize;
    let introductions = count_introductions(&searcher).map_err(edge)?;
    let report = IndexReport {
        playbooks: manifest
            .files
            .values()
            .filter(|f| f.skipped.is_none())
            .count(),
        steps: documents - introductions,
        introductions,
        changed,
        removed,
        rebuilt: rebuild || notices.iter().any(Notice::is_rebuild),
    };
    Ok((report, notices))
}

/// How many playbooks' introductions the index holds (deleted documents aside).
fn count_introductions(searcher: &tantivy::Searcher) -> Result<usize, IndexError> {
    let (_, fields) = schema();
    let term = tantivy::Term::from_field_text(fields.step, crate::model::INTRODUCTION_ID);
    let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    searcher
        .search(&query, &tantivy::collector::Count)
        .map_err(IndexError::tantivy("cannot count the introductions"))
}

/// A reader that sees the index as it is now (searches never need it to follow later commits).
fn new_reader(index: &Index) -> Result<IndexReader, IndexError> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(IndexError::tantivy("cannot open a reader"))
}

/// Opens the current generation (rebuilding it when missing, unreadable or outdated) and
/// applies what changed. Returns the reader already opened, when there is one. An `Err`
/// means the index folder cannot be used at all.
fn open_and_update(
    repo: &Repo,
    stamps: &[FileStamp],
    force_rebuild: bool,
    notices: &mut Vec<Notice>,
) -> Result<(Index, Manifest, Option<IndexReader>), IndexError> {
    let dir = own_folder(repo)?;
    if !force_rebuild {
        match store::open_current_retrying(&dir) {
            Ok(Some(Opened {
                index,
                payload,
                manifest,
                gen_dir,
                reader,
            })) if payload.format == INDEX_FORMAT => {
                if diff(&manifest, stamps).is_empty() {
                    return Ok((index, manifest, Some(reader)));
                }
                // The reader holds the old commit's segments: let go first, so that the
                // update's clean-up can delete what its merge replaces (a reader on the
                // new commit is opened after).
                drop(reader);
                match store::apply_changes(&index, &gen_dir, stamps, notices) {
                    Ok(manifest) => return Ok((index, manifest, None)),
                    Err(e) if e.is_permission() => return Err(e),
                    Err(e) => notices.push(Notice::Rebuilt {
                        why: format!("update failed ({})", e.reason()),
                    }),
                }
            }
            Ok(Some(_)) => notices.push(Notice::Rebuilt {
                why: "written by another version".to_string(),
            }),
            Ok(None) => notices.push(Notice::FirstBuild),
            Err(e) => notices.push(Notice::Rebuilt { why: e.reason() }),
        }
    }
    let (index, manifest) = store::rebuild(&dir, stamps).map_err(|e| {
        if e.is_permission() {
            e
        } else {
            IndexError::Rebuild {
                source: Box::new(e),
            }
        }
    })?;
    Ok((index, manifest, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each notice prints exactly the line searches have always printed (tests and
    /// scripts read stderr).
    #[test]
    fn notices_print_their_lines() {
        let cases = [
            (Notice::FirstBuild, "index: building it for the first time"),
            (
                Notice::Rebuilt {
                    why: "manifest missing".into(),
                },
                "index: manifest missing; rebuilt it",
            ),
            (
                Notice::Rebuilt {
                    why: "written by another version".into(),
                },
                "index: written by another version; rebuilt it",
            ),
            (
                Notice::Updated {
                    changed: 2,
                    removed: 1,
                },
                "index: updated 2 changed and 1 removed playbook file(s)",
            ),
            (
                Notice::FromMemory {
                    dir: "/srv/kb/index".into(),
                    why: Unusable::ReadOnly,
                },
                "index: /srv/kb/index is read-only: searching an in-memory index; run `playbook index` as its owner",
            ),
            (
                Notice::FromMemory {
                    dir: "/srv/kb/index".into(),
                    why: Unusable::NotAFolder,
                },
                "index: /srv/kb/index is not a folder of its own (a symbolic link?), and an index is never written through one: searching an in-memory index",
            ),
            (
                Notice::FromMemory {
                    dir: "/srv/kb/index".into(),
                    why: Unusable::Failed("rebuild failed: disk full".into()),
                },
                "index: cannot write /srv/kb/index (rebuild failed: disk full); searching an in-memory index",
            ),
            (
                Notice::Skipped {
                    files: vec![
                        "playbooks/da/a.md (line 1: no front matter)".into(),
                        "playbooks/da/loop (link loop)".into(),
                    ],
                },
                "warning: skipped 2 broken playbook file(s): playbooks/da/a.md (line 1: no front matter), playbooks/da/loop (link loop); run `playbook check` for details",
            ),
        ];
        for (notice, line) in cases {
            assert_eq!(notice.to_string(), line);
        }
    }

    #[test]
    fn only_a_rebuild_of_an_unusable_index_counts_as_rebuilt() {
        assert!(Notice::Rebuilt { why: "x".into() }.is_rebuild());
        assert!(!Notice::FirstBuild.is_rebuild());
        assert!(
            !Notice::Updated {
                changed: 1,
                removed: 0
            }
            .is_rebuild()
        );
    }
}
