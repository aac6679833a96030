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
use crate::search::{Hit, SearchRequest, SearchResults, Searcher, SituationMatcher};
use crate::taxonomy::Taxonomy;
use crate::thesaurus::Thesaurus;
use std::sync::{Arc, Mutex};

/// Something opening the engine did or found that the agent should know, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// What the index did (built, rebuilt, updated, answering from memory, files skipped).
    Index(index::Notice),
    /// `situations.toml` has a mistake (`mistake`: where and what): the search goes on with
    /// what `fallback` says, so that agents keep getting answers while a trainer fixes it.
    Taxonomy {
        mistake: String,
        fallback: TaxonomyFallback,
    },
    /// `thesaurus.toml` has mistakes (`first`: where and what, with its help line;
    /// `count` of them): the search leaves out what it cannot read until they are fixed.
    Thesaurus { first: String, count: usize },
}

/// What a search uses instead of a `situations.toml` with a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxonomyFallback {
    /// The situations as last read without a mistake (kept in `index/`).
    LastGood,
    /// No situations at all (none was ever read without a mistake): words only.
    NoSituations,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Index(n) => n.fmt(f),
            Notice::Taxonomy { mistake, fallback } => {
                let instead = match fallback {
                    TaxonomyFallback::LastGood => "searching with the situations as they last were",
                    TaxonomyFallback::NoSituations => {
                        "searching the playbooks' words only, without situations"
                    }
                };
                write_mistake(f, mistake, "", instead)
            }
            Notice::Thesaurus { first, count } => {
                let more = match count {
                    0 | 1 => String::new(),
                    n => format!(" (and {} more: `playbook check` lists them)", n - 1),
                };
                let instead = "searching without what the thesaurus cannot say";
                write_mistake(f, first, &more, instead)
            }
        }
    }
}

/// A file's mistake as a warning: what (then `more`), what the search does `instead` until
/// it is fixed, and the mistake's help line, which its own text ends with, kept last.
fn write_mistake(
    f: &mut std::fmt::Formatter<'_>,
    mistake: &str,
    more: &str,
    instead: &str,
) -> std::fmt::Result {
    let (what, help) = mistake.split_once("\n").unwrap_or((mistake, ""));
    write!(f, "warning: {what}{more}\n  = {instead} until it is fixed")?;
    if !help.is_empty() {
        write!(f, "\n{help}")?;
    }
    Ok(())
}

/// What a refresh found changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Playbooks were added, changed or removed (the index was updated or rebuilt).
    pub playbooks: bool,
    /// `situations.toml` changed.
    pub taxonomy: bool,
    /// `thesaurus.toml` changed.
    pub thesaurus: bool,
}

impl Changes {
    pub fn any(self) -> bool {
        self.playbooks || self.taxonomy || self.thesaurus
    }
}

/// A fresh index, the taxonomy and its matcher, for one repository.
pub struct Engine {
    repo: Repo,
    searcher: Searcher,
    /// The taxonomy's stamp when it was loaded, to tell a changed `situations.toml`.
    taxonomy_stamp: Option<crate::cache::Stamp>,
    /// The thesaurus's stamp when it was read, to tell a changed `thesaurus.toml`.
    thesaurus_stamp: Option<crate::files::Stamp>,
    /// The index rebuilt because searching `searcher`'s failed or panicked (a damaged
    /// file): later searches of this engine use it. Behind a lock so that `serve`'s
    /// concurrent searches rebuild it once.
    repaired: Mutex<Option<Arc<Searcher>>>,
}

impl Engine {
    /// Opens the engine of `repo`: the index brought up to date, the taxonomy loaded.
    pub fn open(repo: &Repo) -> Result<(Engine, Vec<Notice>)> {
        Engine::open_since(repo, None)
    }

    /// [`Engine::open`] for a long-running view that has `previous` open (an index built
    /// in memory is built again only when the playbooks changed).
    pub fn open_since(repo: &Repo, previous: Option<&Engine>) -> Result<(Engine, Vec<Notice>)> {
        let (taxonomy, matcher, taxonomy_stamp, mut notices) = taxonomy_or_fallback(repo)?;
        let (thesaurus, thesaurus_stamp) = thesaurus_since(repo, previous, &mut notices);
        let mut index = index::open_fresh_since(repo, previous.map(|e| &e.searcher.index))?;
        notices.extend(
            std::mem::take(&mut index.notices)
                .into_iter()
                .map(Notice::Index),
        );
        let searcher = Searcher::with_matcher(index, taxonomy, matcher).with_thesaurus(thesaurus);
        let classifier = crate::classifier::for_searcher(repo, &searcher);
        let engine = Engine {
            repo: repo.clone(),
            searcher: searcher.with_classifier(classifier),
            taxonomy_stamp,
            thesaurus_stamp,
            repaired: Mutex::new(None),
        };
        Ok((engine, notices))
    }

    /// Keeps query words' scores and steps' records between this engine's searches (for
    /// front-ends that search every keystroke: see [`crate::kept`]).
    pub fn keep_between_searches(mut self) -> Engine {
        self.searcher.keep_between_searches();
        self
    }

    /// Brings the engine up to date with `playbooks/` and `situations.toml`.
    pub fn refresh(&mut self) -> Result<(Changes, Vec<Notice>)> {
        let (fresh, notices) = Engine::open_since(&self.repo, Some(self))?;
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
            thesaurus: self.thesaurus_stamp != older.thesaurus_stamp,
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

    /// Runs a search. A damaged index (the search fails reading it, or tantivy panics) is
    /// rebuilt and searched again: see [`Engine::search_noting`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.search_noting(request).map(|(results, _)| results)
    }

    /// Runs a search, with what repairing the index took, if it had to (one notice).
    ///
    /// A failure or panic while reading the index means a damaged file that opening did
    /// not catch (only small files are checksummed on every open): the index is rebuilt
    /// (in memory if it cannot be written), and the search runs again on the new one. A
    /// failure on the index it rebuilt is reported ([`Error::SearchFailed`]), not repaired
    /// again. A request the engine refuses (an unknown situation) is not damage.
    pub fn search_noting(&self, request: &SearchRequest) -> Result<(SearchResults, Vec<Notice>)> {
        let repaired = self
            .repaired
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let searcher = repaired.as_deref().unwrap_or(&self.searcher);
        let why = match index::catch_panic(|| searched(searcher, request)) {
            Ok(Err(Error::Index { message, .. })) => message,
            Ok(answer) => return answer.map(|results| (results, Vec::new())),
            Err(panic) => panic,
        };
        // What a search that fails on a rebuilt index answers: the query is the cause.
        let still_failing = |why: &str| Error::SearchFailed {
            query: request.query.clone(),
            message: why.to_string(),
        };
        let mut slot = self.repaired.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = match slot.as_ref() {
            // Another thread repaired it while this one searched the damaged one.
            Some(done) if repaired.as_ref().is_none_or(|r| !Arc::ptr_eq(r, done)) => {
                (Arc::clone(done), Vec::new())
            }
            // This search failed on the index this engine rebuilt: not damage a rebuild
            // repairs. Rebuilding again for every such query would stall each of them (and
            // a front-end searching every keystroke) for a whole build.
            Some(_) => return Err(still_failing(&why)),
            None => {
                let mut index = index::repair(&self.repo, &why)?;
                let notices = std::mem::take(&mut index.notices);
                let searcher = Searcher::with_matcher(
                    index,
                    self.searcher.taxonomy.clone(),
                    self.searcher.matcher().clone(),
                )
                .with_thesaurus(Arc::clone(self.searcher.thesaurus()));
                let classifier = crate::classifier::for_searcher(&self.repo, &searcher);
                let fresh = Arc::new(searcher.with_classifier(classifier));
                *slot = Some(Arc::clone(&fresh));
                (fresh, notices.into_iter().map(Notice::Index).collect())
            }
        };
        drop(slot);
        let (searcher, notices) = fresh;
        let results = index::catch_panic(|| searched(&searcher, request))
            .map_err(|p| still_failing(&p))??;
        Ok((results, notices))
    }

    /// The steps of the original playbook `playbook`, with their translations, in order
    /// (none: no such playbook).
    pub fn playbook_steps(&self, playbook: &str) -> Result<Vec<Hit>> {
        self.searcher.playbook_steps(playbook)
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

/// The taxonomy and its matcher; when `situations.toml` has a mistake, the last good ones
/// (or none), with a notice saying so. Any other failure is an error.
#[allow(clippy::type_complexity)]
fn taxonomy_or_fallback(
    repo: &Repo,
) -> Result<(
    Taxonomy,
    SituationMatcher,
    Option<crate::cache::Stamp>,
    Vec<Notice>,
)> {
    match crate::cache::load_or_read(repo, required_taxonomy) {
        Ok((taxonomy, matcher, stamp)) => Ok((taxonomy, matcher, stamp, Vec::new())),
        Err(mistake @ Error::Taxonomy { .. }) => {
            let (taxonomy, matcher, fallback) = match crate::cache::load_last_good(repo) {
                Some((taxonomy, matcher)) => (taxonomy, matcher, TaxonomyFallback::LastGood),
                None => {
                    let none = Taxonomy::default();
                    let matcher = SituationMatcher::new(&none);
                    (none, matcher, TaxonomyFallback::NoSituations)
                }
            };
            let notice = Notice::Taxonomy {
                mistake: mistake.to_string(),
                fallback,
            };
            // The broken file's stamp: fixing it is a change a long-running view sees.
            Ok((taxonomy, matcher, crate::cache::stamp(repo), vec![notice]))
        }
        Err(other) => Err(other),
    }
}

/// The thesaurus and the stamp of the file it was read from: `previous`'s when the file has
/// not changed since, else from its cache or the file (see [`crate::thesaurus::load_or_read`]),
/// with a notice for what it has wrong.
fn thesaurus_since(
    repo: &Repo,
    previous: Option<&Engine>,
    notices: &mut Vec<Notice>,
) -> (Arc<Thesaurus>, Option<crate::files::Stamp>) {
    let stamp = crate::thesaurus::stamp(repo);
    if let Some(previous) = previous
        && stamp.is_some()
        && previous.thesaurus_stamp == stamp
    {
        return (Arc::clone(previous.searcher.thesaurus()), stamp);
    }
    let loaded = crate::thesaurus::load_or_read(repo, stamp);
    if let Some((first, count)) = loaded.mistakes {
        notices.push(Notice::Thesaurus { first, count });
    }
    (Arc::new(loaded.thesaurus), stamp)
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

/// `searcher`'s answer to `request`. (The unit tests also make it panic on a query of their
/// own, to see what the engine does then: no real query is known to panic.)
fn searched(searcher: &Searcher, request: &SearchRequest) -> Result<SearchResults> {
    #[cfg(test)]
    if request.query == tests::PANICS {
        panic!("a query the tests make panic");
    }
    searcher.search(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchRequest;

    /// The query [`searched`] panics on in unit tests.
    pub(super) const PANICS: &str = "\u{0}a query the tests make panic";

    #[test]
    fn a_search_failing_on_the_rebuilt_index_does_not_rebuild_it_again() {
        let dir = crate::testing::shipped_copy();
        let repo = Repo::discover(Some(dir.path()), dir.path()).unwrap();
        let engine = Engine::open(&repo).unwrap().0;
        let repaired = |engine: &Engine| engine.repaired.lock().unwrap().clone();
        let panics = SearchRequest {
            query: PANICS.to_string(),
            ..SearchRequest::default()
        };
        // Taken for damage the first time: rebuilt once, searched again, still failing.
        let failed = engine.search(&panics).unwrap_err();
        assert!(matches!(failed, Error::SearchFailed { .. }), "{failed:?}");
        // It names the query (escaped: it holds a NUL) and says the index is not at fault.
        let message = failed.to_string();
        assert!(
            message.contains(r#""\0a query the tests make panic""#),
            "{message}"
        );
        assert!(
            message.contains("not in your playbooks or the index"),
            "{message}"
        );
        let rebuilt = repaired(&engine).expect("the index was rebuilt once");
        // The second time, the rebuilt index is not rebuilt again.
        assert!(matches!(
            engine.search(&panics),
            Err(Error::SearchFailed { .. })
        ));
        assert!(Arc::ptr_eq(&rebuilt, &repaired(&engine).unwrap()));
        // Other searches answer from it.
        let request = SearchRequest {
            query: "kunden råber".to_string(),
            ..SearchRequest::default()
        };
        assert!(!engine.search(&request).unwrap().results.is_empty());
        assert!(Arc::ptr_eq(&rebuilt, &repaired(&engine).unwrap()));
    }

    #[test]
    fn a_refresh_sees_an_edited_thesaurus() {
        let dir = crate::testing::shipped_copy();
        let repo = Repo::discover(Some(dir.path()), dir.path()).unwrap();
        let mut engine = Engine::open(&repo).unwrap().0;
        // The steps found for a word no playbook says.
        let found = |engine: &Engine| {
            let request = SearchRequest {
                query: "blorfnikket".to_string(),
                limit: 20,
                ..SearchRequest::default()
            };
            let results = engine.search(&request).unwrap().results;
            let steps: Vec<String> = results.iter().map(|h| h.record().step.clone()).collect();
            steps
        };
        assert!(found(&engine).is_empty());
        std::fs::write(
            dir.path().join("playbooks/thesaurus.toml"),
            "da = [[\"blorfnikket\", \"fornærmet\"]]\n",
        )
        .unwrap();
        let (changes, notices) = engine.refresh().unwrap();
        assert!(
            changes.thesaurus && !changes.taxonomy && !changes.playbooks,
            "{changes:?}"
        );
        assert!(notices.is_empty(), "{notices:?}");
        // Now it finds the steps that say "fornærmet" (offended), and only those.
        let steps = found(&engine);
        assert!(
            steps.contains(&"dont-take-it-personally".to_string()),
            "{steps:?}"
        );
        assert!(steps.len() < 6, "{steps:?}");
        // Unchanged, a refresh reuses the thesaurus it has.
        let kept = Arc::clone(engine.searcher.thesaurus());
        let (changes, _) = engine.refresh().unwrap();
        assert!(!changes.any());
        assert!(Arc::ptr_eq(&kept, engine.searcher.thesaurus()));
    }

    #[test]
    fn what_is_kept_answers_every_keystroke_as_a_fresh_search() {
        let dir = crate::testing::shipped_copy();
        let repo = Repo::discover(Some(dir.path()), dir.path()).unwrap();
        let plain = Engine::open(&repo).unwrap().0;
        let keeping = Engine::open(&repo).unwrap().0.keep_between_searches();
        let answer = |engine: &Engine, query: &str| -> Vec<(String, String, String)> {
            let request = SearchRequest {
                query: query.to_string(),
                limit: 8,
                ..SearchRequest::default()
            };
            let results = engine.search(&request).unwrap().results;
            results
                .iter()
                .map(|h| {
                    (
                        h.record().id(),
                        format!("{:.4}", h.score),
                        // The step as shown, its translations and the situations it matched.
                        format!(
                            "{:?}",
                            (h.record(), h.translations(), &h.matched_situations)
                        ),
                    )
                })
                .collect()
        };
        // The second time every word is kept.
        let sentences = [
            "kunden truer med en advokat og raaber",
            "clientul ma jigneste si vrea banii inapoi",
            "مشتری عصبانی میگه همش تقصیر شماست",
            "ลูกค้าโกรธมากและขอคุยกับหัวหน้า",
            "angry caller wants a refund, custmer is yeling",
        ];
        crate::testing::each_keystroke_twice(&sentences, |typed| {
            assert_eq!(answer(&keeping, typed), answer(&plain, typed), "{typed}");
        });
    }
}
