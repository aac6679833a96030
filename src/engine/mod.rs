//! The engine every front-end uses: the CLI's commands, `live` and `serve` open it, search
//! with it and show what it returns; none of them parses text the engine printed.
//!
//! [`Engine::open`] brings the index up to date with `playbooks/` (one `stat` per file,
//! re-indexing what changed) and loads the taxonomy; what it did comes back as
//! [`Notice`]s for the front-end to show. A long-running front-end keeps its engine fresh
//! with a [`Follower`], which watches `playbooks/` in-process and opens a new engine in the
//! background when something changed, so a refresh never blocks a keystroke.

mod follow;

pub use follow::{Follower, Update};

use crate::corpus::{Repo, load_taxonomy};
use crate::error::{Error, Result};
use crate::index;
use crate::render::ResultsView;
use crate::search::{SearchRequest, SearchResults, Searcher, SituationMatcher};
use crate::taxonomy::Taxonomy;

/// Something opening the engine did or found that the agent should know, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// What the index did (built, rebuilt, updated, answering from memory, files skipped).
    Index(index::Notice),
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Index(n) => n.fmt(f),
        }
    }
}

/// What a refresh found changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Playbooks were added, changed or removed (the index was updated or rebuilt).
    pub playbooks: bool,
    /// `situations.toml` changed.
    pub taxonomy: bool,
}

impl Changes {
    pub fn any(self) -> bool {
        self.playbooks || self.taxonomy
    }
}

/// A fresh index, the taxonomy and its matcher, for one repository.
pub struct Engine {
    repo: Repo,
    searcher: Searcher,
    /// The taxonomy's stamp when it was loaded, to tell a changed `situations.toml`.
    taxonomy_stamp: Option<crate::cache::Stamp>,
}

impl Engine {
    /// Opens the engine of `repo`: the index brought up to date, the taxonomy loaded.
    pub fn open(repo: &Repo) -> Result<(Engine, Vec<Notice>)> {
        let (taxonomy, matcher, taxonomy_stamp) =
            crate::cache::load_or_read(repo, required_taxonomy)?;
        let mut index = index::open_fresh(repo)?;
        let notices = std::mem::take(&mut index.notices)
            .into_iter()
            .map(Notice::Index)
            .collect();
        let engine = Engine {
            repo: repo.clone(),
            searcher: Searcher::with_matcher(index, taxonomy, matcher),
            taxonomy_stamp,
        };
        Ok((engine, notices))
    }

    /// Brings the engine up to date with `playbooks/` and `situations.toml`.
    pub fn refresh(&mut self) -> Result<(Changes, Vec<Notice>)> {
        let (fresh, notices) = Engine::open(&self.repo)?;
        let changes = fresh.changes_since(self);
        *self = fresh;
        Ok((changes, notices))
    }

    /// What differs between this engine and an older one of the same repository. The
    /// index counts as changed when its segments or their deletions differ, whoever
    /// updated it (this process or a search in another terminal).
    pub fn changes_since(&self, older: &Engine) -> Changes {
        Changes {
            playbooks: self.index_version() != older.index_version(),
            taxonomy: self.taxonomy_stamp != older.taxonomy_stamp,
        }
    }

    /// The index's segments and how many documents each has deleted.
    fn index_version(&self) -> Vec<(tantivy::index::SegmentId, u32)> {
        let searcher = self.searcher.index.reader.searcher();
        let mut version: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id(), s.num_deleted_docs()))
            .collect();
        version.sort();
        version
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.searcher.search(request)
    }

    /// What an agent sees of a search's results.
    pub fn view(&self, results: &SearchResults) -> ResultsView {
        ResultsView::of(results, Some(self.taxonomy()))
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.searcher.taxonomy
    }

    pub fn matcher(&self) -> &SituationMatcher {
        self.searcher.matcher()
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }
}

/// The taxonomy, or an error naming its first problem.
pub fn required_taxonomy(repo: &Repo) -> Result<Taxonomy> {
    let (taxonomy, diagnostics) = load_taxonomy(repo);
    taxonomy.ok_or_else(|| {
        let first = diagnostics.first();
        Error::Taxonomy {
            path: repo.situations_path(),
            line: first.map_or(1, |d| d.line),
            message: first.map_or_else(|| "unusable".to_string(), |d| d.message.clone()),
        }
    })
}
