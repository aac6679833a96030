//! A search's clauses summed into one array per segment, instead of merged doc by doc.
//!
//! A search is a sum: each query word's clause, each resolved situation's prior, and the
//! language boost for steps that matched anything else. tantivy sums such a disjunction
//! with a union of scorers that advances every clause doc by doc in windows of 4,096
//! documents: at 10,000 playbooks with a translation each a common word matches some 50,000
//! steps, and that doc-by-doc union was a third of `serve`'s time under load. Here every
//! clause's matches are added straight into an array of scores indexed by document (a kept
//! word's list is two slices: a loop the compiler unrolls), and the matching documents are
//! handed to the collector in order, as tantivy's own scorer would hand them.
//!
//! The sums are the same to the last bit as tantivy's `BooleanQuery` of the same clauses
//! (`Must` of a disjunction of the required ones, `Should` for each optional one): its
//! union adds a document's scores clause by clause in clause order, starting from zero,
//! and so does this (tested below).

use crate::kept::ListScorer;
use std::cell::RefCell;
use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader, TERMINATED};

/// Documents matching any `required` clause, scored by the sum of the required clauses
/// they match plus the `optional` clauses they match (an optional clause alone matches
/// nothing): `BooleanQuery[Must(BooleanQuery[Should(r)…]), Should(o)…]`, summed densely.
#[derive(Debug)]
pub struct SummedQuery {
    pub required: Vec<Box<dyn Query>>,
    pub optional: Vec<Box<dyn Query>>,
}

impl Clone for SummedQuery {
    fn clone(&self) -> Self {
        let clone = |qs: &[Box<dyn Query>]| qs.iter().map(|q| q.box_clone()).collect();
        SummedQuery {
            required: clone(&self.required),
            optional: clone(&self.optional),
        }
    }
}

impl SummedQuery {
    /// The same query as tantivy writes it: what counting (no scores) runs, and what the
    /// tests compare with.
    pub fn as_boolean(&self) -> BooleanQuery {
        let required = BooleanQuery::new(
            self.required
                .iter()
                .map(|q| (Occur::Should, q.box_clone()))
                .collect(),
        );
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(required) as Box<dyn Query>)];
        clauses.extend(self.optional.iter().map(|q| (Occur::Should, q.box_clone())));
        BooleanQuery::new(clauses)
    }
}

impl Query for SummedQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !scoring.is_scoring_enabled() {
            return self.as_boolean().weight(scoring);
        }
        let weights = |queries: &[Box<dyn Query>]| -> tantivy::Result<Vec<Box<dyn Weight>>> {
            queries.iter().map(|q| q.weight(scoring)).collect()
        };
        Ok(Box::new(SummedWeight {
            required: weights(&self.required)?,
            optional: weights(&self.optional)?,
        }))
    }
}

struct SummedWeight {
    required: Vec<Box<dyn Weight>>,
    optional: Vec<Box<dyn Weight>>,
}

impl SummedWeight {
    /// Sums the clauses over `reader`'s segment and hands each matching document and its
    /// score to `matched`, in document order.
    fn sum(
        &self,
        reader: &SegmentReader,
        matched: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        SUMS.with(|sums| {
            // A callback that searched again on this thread would find the array in use:
            // it then gets a fresh one rather than a panic.
            let mut fresh = Sums::default();
            let mut guard = sums.try_borrow_mut();
            let sums = match guard.as_deref_mut() {
                Ok(sums) => sums,
                Err(_) => &mut fresh,
            };
            sums.prepare(reader.max_doc());
            let added = self.add_all(reader, sums);
            // Drained either way, so that the array is clean for the next search; a failed
            // sum hands nothing on.
            match added {
                Ok(()) => sums.drain(matched),
                Err(_) => sums.drain(&mut |_, _| {}),
            }
            added
        })
    }

    /// Adds every required clause's matches, then the optional ones'.
    fn add_all(&self, reader: &SegmentReader, sums: &mut Sums) -> tantivy::Result<()> {
        for weight in &self.required {
            sums.add(weight.scorer(reader, 1.0)?.as_mut(), true);
        }
        for weight in &self.optional {
            sums.add(weight.scorer(reader, 1.0)?.as_mut(), false);
        }
        Ok(())
    }
}

impl Weight for SummedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        self.sum(reader, &mut |doc, score| {
            docs.push(doc);
            scores.push(score * boost);
        })?;
        Ok(Box::new(ListScorer::new(docs, scores)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut found = None;
        self.sum(reader, &mut |d, score| {
            if d == doc {
                found = Some(score);
            }
        })?;
        match found {
            Some(score) => Ok(Explanation::new("sum of the matching clauses", score)),
            None => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #{doc} does not match"
            ))),
        }
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.sum(reader, callback)
    }
}

thread_local! {
    /// One array per thread, reused: at 10,000 playbooks a segment holds over 100,000 steps,
    /// and allocating and zeroing half a megabyte per search would cost more than the sums.
    static SUMS: RefCell<Sums> = RefCell::default();
}

/// Scores by document, and which documents a required clause matched.
#[derive(Default)]
struct Sums {
    scores: Vec<Score>,
    /// One bit per document.
    matched: Vec<u64>,
}

impl Sums {
    /// Room for `max_doc` documents, every score zero and nothing matched (as `drain` and
    /// a fresh array leave them).
    fn prepare(&mut self, max_doc: DocId) {
        let max_doc = max_doc as usize;
        if self.scores.len() < max_doc {
            self.scores.resize(max_doc, 0.0);
            self.matched.resize(max_doc.div_ceil(64), 0);
        }
    }

    fn add(&mut self, scorer: &mut dyn Scorer, required: bool) {
        if let Some(list) = scorer.downcast_ref::<ListScorer>() {
            let (docs, scores, boost) = list.remaining();
            for (&doc, &score) in docs.iter().zip(scores) {
                self.add_one(doc, score * boost, required);
            }
            return;
        }
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            let score = scorer.score();
            self.add_one(doc, score, required);
            doc = scorer.advance();
        }
    }

    #[inline]
    fn add_one(&mut self, doc: DocId, score: Score, required: bool) {
        let (word, bit) = (doc as usize / 64, 1u64 << (doc % 64));
        if required {
            self.matched[word] |= bit;
        } else if self.matched[word] & bit == 0 {
            return;
        }
        self.scores[doc as usize] += score;
    }

    /// Hands every matched document and its sum to `matched`, in order, and leaves the
    /// array as `prepare` wants it.
    fn drain(&mut self, matched: &mut dyn FnMut(DocId, Score)) {
        for (word, bits) in self.matched.iter_mut().enumerate() {
            let mut rest = std::mem::take(bits);
            while rest != 0 {
                let doc = word * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let score = std::mem::take(&mut self.scores[doc]);
                matched(doc as DocId, score);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{ConstScoreQuery, DisjunctionMaxQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term};

    /// Danish, Romanian, Persian and Thai steps over two segments, with a language field.
    fn index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let lang = schema.add_text_field("lang", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for batch in [
            [
                ("da", "kunden truer med advokat kunden er vred"),
                ("ro", "clientul este furios pe factura"),
                ("da", "kunden er vred og råber"),
                ("fa", "مشتری عصبانی است و فریاد می زند"),
            ],
            [
                ("da", "advokat advokat kunden truer"),
                ("fa", "مشتری عصبانی وکیل"),
                ("ro", "clientul vrea banii înapoi clientul"),
                ("th", "ลูกค้า โกรธ มาก"),
            ],
        ] {
            for (l, t) in batch {
                let mut doc = TantivyDocument::default();
                doc.add_text(text, t);
                doc.add_text(lang, l);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, text, lang)
    }

    fn term(field: tantivy::schema::Field, word: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))
    }

    fn top(index: &Index, query: &dyn Query) -> Vec<(Score, tantivy::DocAddress)> {
        let searcher = index.reader().unwrap().searcher();
        searcher
            .search(query, &TopDocs::with_limit(20).order_by_score())
            .unwrap()
    }

    #[test]
    fn sums_are_tantivys_to_the_last_bit() {
        let (index, text, lang) = index();
        let words = |ws: &[&str]| -> Box<dyn Query> {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(
                ws.iter().map(|w| term(text, w)).collect(),
                0.2,
            ))
        };
        let constant = |field, value: &str, score| -> Box<dyn Query> {
            Box::new(ConstScoreQuery::new(term(field, value), score))
        };
        let queries = [
            SummedQuery {
                required: vec![words(&["kunden"]), words(&["advokat", "truer"])],
                optional: vec![constant(lang, "da", 2.0)],
            },
            SummedQuery {
                required: vec![
                    words(&["clientul"]),
                    words(&["furios"]),
                    constant(lang, "ro", 0.37),
                ],
                optional: vec![constant(lang, "ro", 2.0), constant(lang, "fa", 0.1)],
            },
            SummedQuery {
                required: vec![words(&["مشتری"]), words(&["عصبانی"]), words(&["ลูกค้า"])],
                optional: vec![],
            },
            SummedQuery {
                required: vec![words(&["nothing"])],
                optional: vec![constant(lang, "da", 2.0)],
            },
        ];
        for query in &queries {
            let summed = top(&index, query);
            assert_eq!(summed, top(&index, &query.as_boolean()), "{query:?}");
            let searcher = index.reader().unwrap().searcher();
            assert_eq!(
                searcher.search(query, &Count).unwrap(),
                summed.len(),
                "{query:?}"
            );
        }
        // The optional clause scores only documents a required one matched.
        assert!(top(&index, &queries[3]).is_empty());
        assert_eq!(top(&index, &queries[0]).len(), 3);
    }

    #[test]
    fn the_array_is_left_clean_for_the_next_search() {
        let mut sums = Sums::default();
        sums.prepare(130);
        let mut list = ListScorer::new(vec![3, 64, 129], vec![1.5, 2.0, 0.25]);
        sums.add(&mut list, true);
        let mut seen = Vec::new();
        sums.drain(&mut |d, s| seen.push((d, s)));
        assert_eq!(seen, vec![(3, 1.5), (64, 2.0), (129, 0.25)]);
        assert!(sums.scores.iter().all(|&s| s == 0.0));
        assert!(sums.matched.iter().all(|&b| b == 0));
    }
}
