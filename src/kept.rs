//! Scores of a query's words, kept between searches of a long-running front-end.
//!
//! An agent types a sentence one key at a time, and `serve` or `live` searches every prefix:
//! each search scores again every word typed before, over every field and form it matches
//! (a union of a dozen posting lists per word at 10,000 playbooks), though only the last
//! word changed. A word's clause scores each step the same in every search of one index
//! snapshot (BM25 over that snapshot's statistics; the word's weight is part of its key), so
//! the steps it matches and their scores are kept, per segment, and read back as one sorted
//! list the next time: the union over the query's words stays, the work inside each word
//! does not. Bounded by the number of kept entries; the least recently used go first.
//!
//! The steps an answer shows are kept the same way, parsed ([`KeptRecords`]): a keystroke's
//! answer mostly shows the steps the one before showed.

use crate::tuning::{KEPT_RECORDS, KEPT_WORD_SCORE_ENTRIES};
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// What one word's clause scored in one segment: its documents, ascending, and their scores.
#[derive(Debug, Default)]
struct SegmentScores {
    docs: Vec<DocId>,
    scores: Vec<Score>,
}

/// Which word, in which snapshot and segment.
type Key = (u64, tantivy::index::SegmentId, Arc<str>);

/// The kept scores of one engine (one index snapshot; a refreshed engine starts empty).
pub struct KeptScores {
    kept: Mutex<Kept>,
}

struct Kept {
    lists: LruCache<Key, Arc<SegmentScores>>,
    entries: usize,
}

impl Default for KeptScores {
    fn default() -> Self {
        KeptScores {
            kept: Mutex::new(Kept {
                lists: LruCache::unbounded(),
                entries: 0,
            }),
        }
    }
}

impl std::fmt::Debug for KeptScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptScores")
    }
}

impl KeptScores {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &Key) -> Option<Arc<SegmentScores>> {
        self.lock().lists.get(key).cloned()
    }

    fn keep(&self, key: Key, list: Arc<SegmentScores>) {
        let mut kept = self.lock();
        kept.entries += list.docs.len();
        if let Some(old) = kept.lists.put(key, list) {
            kept.entries -= old.docs.len();
        }
        while kept.entries > KEPT_WORD_SCORE_ENTRIES {
            let Some((_, gone)) = kept.lists.pop_lru() else {
                break;
            };
            kept.entries -= gone.docs.len();
        }
    }

    /// How many lists are kept (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().lists.len()
    }
}

/// A word's clause whose scores are kept: `key` names the clause exactly (every field, form,
/// weight and typo budget in it), `inner` scores it when nothing is kept yet.
#[derive(Clone, Debug)]
pub struct KeptWord<Q: Query + Clone> {
    pub key: Arc<str>,
    pub inner: Q,
    pub kept: Arc<KeptScores>,
}

impl<Q: Query + Clone> Query for KeptWord<Q> {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled { searcher, .. } = scoring else {
            return self.inner.weight(scoring);
        };
        let generation = searcher.generation().generation_id();
        let found: Vec<(tantivy::index::SegmentId, Arc<SegmentScores>)> = searcher
            .segment_readers()
            .iter()
            .filter_map(|r| {
                let key = (generation, r.segment_id(), Arc::clone(&self.key));
                Some((r.segment_id(), self.kept.get(&key)?))
            })
            .collect();
        // Only when a segment's list is not kept is the clause's own weight needed (building
        // it looks up every term and its statistics: part of what keeping saves).
        let inner = if found.len() == searcher.segment_readers().len() {
            None
        } else {
            Some(self.inner.weight(scoring)?)
        };
        Ok(Box::new(KeptWeight {
            generation,
            key: Arc::clone(&self.key),
            found,
            inner,
            kept: Arc::clone(&self.kept),
        }))
    }
}

struct KeptWeight {
    generation: u64,
    key: Arc<str>,
    /// The lists kept when the search began (held here: the bound may drop them meanwhile).
    found: Vec<(tantivy::index::SegmentId, Arc<SegmentScores>)>,
    /// The clause's own weight, when some segment's list was not kept.
    inner: Option<Box<dyn Weight>>,
    kept: Arc<KeptScores>,
}

impl KeptWeight {
    /// The word's list in `reader`'s segment: kept, or scored now and kept.
    fn list(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentScores>> {
        let segment = reader.segment_id();
        if let Some((_, list)) = self.found.iter().find(|(s, _)| *s == segment) {
            return Ok(Arc::clone(list));
        }
        let Some(inner) = &self.inner else {
            // Every segment of the searcher was found when the weight was made.
            return Err(tantivy::TantivyError::InternalError(format!(
                "segment {segment:?} is not in the search's searcher"
            )));
        };
        let key = (self.generation, segment, Arc::clone(&self.key));
        let mut scorer = inner.scorer(reader, 1.0)?;
        let room = scorer.size_hint() as usize;
        let mut list = SegmentScores {
            docs: Vec::with_capacity(room),
            scores: Vec::with_capacity(room),
        };
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            list.docs.push(doc);
            list.scores.push(scorer.score());
            doc = scorer.advance();
        }
        let list = Arc::new(list);
        self.kept.keep(key, Arc::clone(&list));
        Ok(list)
    }
}

impl Weight for KeptWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ListScorer {
            list: self.list(reader)?,
            at: 0,
            boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let list = self.list(reader)?;
        match list.docs.binary_search(&doc) {
            Ok(i) => Ok(Explanation::new("kept word score", list.scores[i])),
            Err(_) => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #{doc} does not match"
            ))),
        }
    }
}

/// Walks a kept list as tantivy's scorers walk postings.
pub(crate) struct ListScorer {
    list: Arc<SegmentScores>,
    at: usize,
    boost: Score,
}

impl ListScorer {
    /// A scorer over `docs` (ascending) and their `scores`.
    pub(crate) fn new(docs: Vec<DocId>, scores: Vec<Score>) -> Self {
        ListScorer {
            list: Arc::new(SegmentScores { docs, scores }),
            at: 0,
            boost: 1.0,
        }
    }

    /// The documents not walked yet, their scores, and the boost each score is multiplied
    /// by (what [`Scorer::score`] returns for each), for a caller that reads them all.
    pub(crate) fn remaining(&self) -> (&[DocId], &[Score], Score) {
        let at = self.at.min(self.list.docs.len());
        (&self.list.docs[at..], &self.list.scores[at..], self.boost)
    }
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        self.at += 1;
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = &self.list.docs[self.at.min(self.list.docs.len())..];
        self.at += rest.partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.list.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        self.list.docs.len().saturating_sub(self.at) as u32
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        self.list.scores[self.at] * self.boost
    }
}

/// Documents' stored records, parsed, by segment and document (a segment never changes,
/// so neither does what it stores). Reading one from the store decompresses a block and
/// parses the record's JSON: a tenth of `serve`'s time under load, for steps the answer
/// to the previous keystroke had mostly read already.
pub struct KeptRecords<T> {
    kept: Mutex<LruCache<(tantivy::index::SegmentId, DocId), Arc<T>>>,
}

impl<T> Default for KeptRecords<T> {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(KEPT_RECORDS).unwrap_or(NonZeroUsize::MIN);
        KeptRecords {
            kept: Mutex::new(LruCache::new(capacity)),
        }
    }
}

impl<T> std::fmt::Debug for KeptRecords<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptRecords")
    }
}

impl<T> KeptRecords<T> {
    /// The record of `doc` in `segment`: kept, or `read` now and kept (a document without
    /// one is not kept: `read` answers again next time).
    pub fn get_or_read<E>(
        &self,
        segment: tantivy::index::SegmentId,
        doc: DocId,
        read: impl FnOnce() -> Result<Option<T>, E>,
    ) -> Result<Option<Arc<T>>, E> {
        let lock = || self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = lock().get(&(segment, doc)) {
            return Ok(Some(Arc::clone(found)));
        }
        // Read without the lock: another search may read the same record meanwhile, and
        // both keep the same thing.
        let Some(record) = read()? else {
            return Ok(None);
        };
        let record = Arc::new(record);
        lock().put((segment, doc), Arc::clone(&record));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term};

    /// Danish, Romanian and Persian words in a few documents over two segments.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for batch in [
            [
                "kunden truer med advokat",
                "clientul este furios",
                "kunden er vred",
            ],
            [
                "advokat advokat kunden",
                "مشتری عصبانی",
                "clientul vrea banii",
            ],
        ] {
            for t in batch {
                let mut doc = TantivyDocument::default();
                doc.add_text(text, t);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, text)
    }

    fn top(index: &Index, query: &dyn Query) -> Vec<(Score, tantivy::DocAddress)> {
        let searcher = index.reader().unwrap().searcher();
        searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
    }

    #[test]
    fn kept_scores_rank_exactly_as_the_clause_itself() {
        let (index, text) = index();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let clause = || {
            BooleanQuery::new(vec![
                (Occur::Should, term("kunden")),
                (Occur::Should, term("advokat")),
            ])
        };
        let kept = Arc::new(KeptScores::default());
        let word = KeptWord {
            key: Arc::from("kunden advokat"),
            inner: clause(),
            kept: Arc::clone(&kept),
        };
        let plain = BooleanQuery::new(vec![
            (Occur::Should, Box::new(clause()) as Box<dyn Query>),
            (Occur::Should, term("clientul")),
        ]);
        let with_kept = BooleanQuery::new(vec![
            (Occur::Should, Box::new(word.clone()) as Box<dyn Query>),
            (Occur::Should, term("clientul")),
        ]);
        let expected = top(&index, &plain);
        assert_eq!(
            top(&index, &with_kept),
            expected,
            "first search: scored and kept"
        );
        assert_eq!(kept.len(), 2, "one list per segment");
        assert_eq!(
            top(&index, &with_kept),
            expected,
            "second search: read back"
        );
        assert_eq!(expected.len(), 5);
    }

    #[test]
    fn the_bound_drops_the_least_recently_used() {
        let kept = KeptScores::default();
        let (index, _) = index();
        let searcher = index.reader().unwrap().searcher();
        let segment = searcher.segment_readers()[0].segment_id();
        let big = || {
            Arc::new(SegmentScores {
                docs: (0..(KEPT_WORD_SCORE_ENTRIES as u32 / 2 + 1)).collect(),
                scores: vec![1.0; KEPT_WORD_SCORE_ENTRIES / 2 + 1],
            })
        };
        kept.keep((1, segment, Arc::from("a")), big());
        kept.keep((1, segment, Arc::from("b")), big());
        assert_eq!(kept.len(), 1, "over the bound: the older goes");
        assert!(kept.get(&(1, segment, Arc::from("b"))).is_some());
    }

    #[test]
    fn a_list_seeks_like_postings() {
        let mut scorer = ListScorer {
            list: Arc::new(SegmentScores {
                docs: vec![2, 5, 9],
                scores: vec![1.0, 2.0, 3.0],
            }),
            at: 0,
            boost: 2.0,
        };
        assert_eq!(scorer.doc(), 2);
        assert_eq!(scorer.seek(5), 5);
        assert_eq!(scorer.score(), 4.0);
        assert_eq!(scorer.seek(6), 9);
        assert_eq!(scorer.advance(), TERMINATED);
        assert_eq!(scorer.size_hint(), 0);
    }

    #[test]
    fn a_kept_record_is_read_once_and_a_missing_one_every_time() {
        let (index, _) = index();
        let segment = index.searchable_segment_ids().unwrap()[0];
        let records: KeptRecords<String> = KeptRecords::default();
        let mut reads = 0;
        for _ in 0..3 {
            let got = records
                .get_or_read(segment, 1, || {
                    reads += 1;
                    Ok::<_, ()>(Some("clientul este furios".to_string()))
                })
                .unwrap();
            assert_eq!(
                got.as_deref().map(String::as_str),
                Some("clientul este furios")
            );
        }
        assert_eq!(reads, 1);
        let mut misses = 0;
        for _ in 0..2 {
            let got = records
                .get_or_read(segment, 2, || {
                    misses += 1;
                    Ok::<Option<String>, ()>(None)
                })
                .unwrap();
            assert!(got.is_none());
        }
        assert_eq!(misses, 2);
    }
}
