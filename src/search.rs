//! Search: understand the query (situations, language), then rank steps with tantivy.
//!
//! Search never prints: it returns [`SearchResults`], which [`crate::render`] shows.

use crate::analysis::pairs::{Pair, pairs_of_terms};
use crate::analysis::{Analyzer, Script, dominant_script};
use crate::classifier::{Classifier, TrainingLines};
use crate::error::{Error, Result};
use crate::finglish::{self, Lexicon, PersianReading};
use crate::index::{SearchIndex, StepRecord, TranslatedStep, order_key};
use crate::kept::{KeptRecords, KeptScores, KeptWord};
pub use crate::matcher::{Resolved, SituationMatcher, typo_budget};
use crate::model::Lang;
use crate::summed::SummedQuery;
use crate::taxonomy::Taxonomy;
use crate::thesaurus::{Expansion, Thesaurus};
use crate::tuning::{
    CLASSIFIER_CANDIDATES, CLASSIFIER_MAX_STEPS, CLASSIFIER_WEIGHT, DOMINANT_COVERAGE,
    DOMINANT_SITUATION_BOOST, EXPLAINED_WORD_WEIGHT, FIELD_ENGLISH, FIELD_EXACT, FIELD_STEMMED,
    FIELD_THAI_BIGRAMS, FINGLISH_MIN_LETTERS, FUZZY_FACTOR, LANGUAGE_BOOST,
    LATER_ROLE_SITUATION_SHARE, MAX_SITUATION_STRENGTH, OWN_LANGUAGE_CANDIDATES,
    OWN_LANGUAGE_MIN_SHARE, PAIR_WEIGHT, PRIMARY_SITUATION_SHARE, SITUATION_PRIOR,
    SITUATION_SPECIFIC_SHARE, THESAURUS_RARE_SHARE, THESAURUS_WEIGHT, TIE_BREAKER,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AutomatonWeight, BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper, DisjunctionMaxQuery,
    EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

/// How many results an agent sees unless they ask for more.
pub const DEFAULT_LIMIT: usize = 3;

/// At most this many distinct terms per field are searched: a pasted 20 KB text is still
/// searched, by its first words, without building a giant query.
const MAX_TERMS_PER_FIELD: usize = 48;
/// Typo-tolerant variants are built for this many terms at most (they are costlier).
const MAX_FUZZY_TERMS: usize = 12;

/// Weight of each field's matches (see [`crate::tuning`]).
fn field_weight(analyzer: Analyzer) -> f32 {
    match analyzer {
        Analyzer::LatinExact | Analyzer::Persian | Analyzer::ThaiWords => FIELD_EXACT,
        Analyzer::ThaiBigrams => FIELD_THAI_BIGRAMS,
        Analyzer::PersianStem | Analyzer::Romanian | Analyzer::Danish => FIELD_STEMMED,
        Analyzer::English => FIELD_ENGLISH,
    }
}

/// The score a resolved situation adds to the steps tagged with it: a trump card when the
/// query is essentially the situation's name, a prior among the steps that match the
/// query's other words (its need) when it is not.
fn situation_boost(r: &Resolved, specificity: f32) -> f32 {
    let base = if r.coverage >= DOMINANT_COVERAGE {
        DOMINANT_SITUATION_BOOST
    } else {
        SITUATION_PRIOR * specificity
    };
    base * r.strength.min(MAX_SITUATION_STRENGTH)
}

/// How much a situation tells the steps apart, from 0 to 1: a situation that half the steps
/// are tagged with (an angry customer, in playbooks about angry customers) says little about
/// which step the query needs, so its prior is smaller; one a tenth of the steps or fewer
/// carry gets all of it. An inverse document frequency, like a word's.
fn situation_specificity(searcher: &tantivy::Searcher, field: Field, id: &str) -> f32 {
    let tagged = searcher
        .doc_freq(&Term::from_field_text(field, id))
        .unwrap_or(0)
        .max(1) as f32;
    let all = searcher.num_docs().max(1) as f32;
    let idf = |share: f32| (1.0 + 1.0 / share).ln();
    (idf(tagged / all) / idf(SITUATION_SPECIFIC_SHARE)).min(1.0)
}

/// The byte spans of a query's words in every script (Latin words, Thai dictionary words,
/// joined Persian words), sorted by start.
fn surface_words(query: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> =
        [Analyzer::LatinExact, Analyzer::ThaiWords, Analyzer::Persian]
            .iter()
            .flat_map(|a| a.surface_words(query))
            .map(|t| (t.start, t.end))
            .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// The index of the word holding byte `offset` (the last one starting at or before it).
fn word_at(words: &[(usize, usize)], offset: usize) -> usize {
    words
        .partition_point(|&(start, _)| start <= offset)
        .saturating_sub(1)
}

/// Clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// A search, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub query: String,
    /// Only steps written in these languages (all if empty).
    pub langs: Vec<Lang>,
    /// Only steps tagged with these situations (any if empty).
    pub situations: Vec<String>,
    pub limit: usize,
    /// The language the agent reads the results in.
    pub reading: Reading,
}

/// Which language results are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reading {
    /// The one the agent chose (`--in`, `PLAYBOOK_LANG`, `lang` in `playbook.toml`).
    In(Lang),
    /// The query's language; for a query whose language is unclear, `fallback` (the
    /// locale's language, else English).
    Auto { fallback: Lang },
}

impl Default for Reading {
    fn default() -> Self {
        Reading::Auto { fallback: Lang::En }
    }
}

/// One result: a step, and why it matched.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The step's record and translations, shared with the engine's kept records (a
    /// result is not a copy: copying each shown step's translations was a tenth of what
    /// `serve` did per request).
    #[serde(flatten)]
    step: SharedStep,
    pub score: f32,
    /// The query's situations this step is tagged with.
    pub matched_situations: Vec<String>,
    /// The step as the agent reads it (in the reading language when translated).
    pub shown: Shown,
}

/// A step's record and translations, shared; serialised as the record (the translations
/// are for the views, which show the one in the reading language).
#[derive(Debug, Clone)]
struct SharedStep(Arc<StoredStep>);

impl Serialize for SharedStep {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.0.0.serialize(serializer)
    }
}

/// The step in the reading language: its translation there, or the original when it has
/// none (then `lang` is the original's and `translated` false).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shown {
    pub lang: Lang,
    pub title: String,
    /// The title is the editors', not the source's heading (or its translation).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_added: bool,
    pub text: String,
    pub phrases: Vec<String>,
    /// A translation, not the original text.
    pub translated: bool,
    /// The original changed since it was translated.
    pub stale: bool,
    /// When a native-speaking trainer reviewed the translation (`null`: editorial, or the
    /// original).
    pub reviewed: Option<String>,
}

impl Shown {
    /// The original step, as it was written.
    pub fn original(record: &StepRecord) -> Self {
        Shown {
            lang: record.lang,
            title: record.title.clone(),
            title_added: record.title_added,
            text: record.text.clone(),
            phrases: record.phrases.clone(),
            translated: false,
            stale: false,
            reviewed: None,
        }
    }
}

impl Hit {
    /// A result for `record`, shown as the original until [`Hit::shown_in`] says otherwise.
    pub fn new(record: StepRecord, translations: Vec<TranslatedStep>, score: f32) -> Self {
        let shown = Shown::original(&record);
        Hit {
            step: SharedStep(Arc::new((record, translations))),
            score,
            matched_situations: Vec::new(),
            shown,
        }
    }

    /// A result for a stored step, shown in `reading`.
    fn shared(step: Arc<StoredStep>, score: f32, reading: Lang) -> Self {
        Hit {
            shown: shown_in(&step, reading),
            step: SharedStep(step),
            score,
            matched_situations: Vec::new(),
        }
    }

    /// The step's record (its original).
    pub fn record(&self) -> &StepRecord {
        &self.step.0.0
    }

    /// Every translation of the step.
    pub fn translations(&self) -> &[TranslatedStep] {
        &self.step.0.1
    }

    /// The query's situations this step is tagged with.
    pub fn with_situations(mut self, matched: Vec<String>) -> Self {
        self.matched_situations = matched;
        self
    }

    /// The step's translation into `lang`, if it has one.
    pub fn translation_in(&self, lang: Lang) -> Option<&TranslatedStep> {
        self.translations().iter().find(|t| t.lang == lang)
    }

    /// What the agent reads of this step in `reading`.
    pub fn shown_in(&self, reading: Lang) -> Shown {
        shown_in(&self.step.0, reading)
    }
}

/// What the agent reads of a stored step in `reading`: its translation there, else the
/// original.
fn shown_in((record, translations): &StoredStep, reading: Lang) -> Shown {
    match translations
        .iter()
        .find(|t| t.lang == reading)
        .filter(|_| reading != record.lang)
    {
        Some(t) => Shown {
            lang: t.lang,
            title: t.title.clone(),
            title_added: t.title_added,
            text: t.text.clone(),
            phrases: t.phrases.clone(),
            translated: true,
            stale: t.stale,
            reviewed: t.reviewed.clone(),
        },
        None => Shown::original(record),
    }
}

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Situation ids the query resolved to, best first.
    pub situations: Vec<String>,
    /// The language the query seems to be written in, if it is clear.
    pub query_lang: Option<String>,
    /// The query in Persian script, when it was Persian typed in Latin letters (Finglish):
    /// what was searched for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    /// The language the results are shown in (each result's `shown`).
    pub reading: Lang,
    pub results: Vec<Hit>,
    /// When nothing was found: situations the query might have meant.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
    /// True when the query matched only through typo tolerance.
    #[serde(skip)]
    pub fuzzy_only: bool,
}

/// A fresh index, the taxonomy and the situation matcher: everything a search needs.
pub struct Searcher {
    pub index: SearchIndex,
    pub taxonomy: Taxonomy,
    matcher: SituationMatcher,
    /// Query words' scores kept between searches (long-running front-ends: see
    /// [`crate::kept`]); a one-shot search has nothing to keep them for.
    kept: Option<Arc<KeptScores>>,
    /// Steps' parsed records kept between searches (the same front-ends).
    kept_records: Option<KeptRecords<StoredStep>>,
    orders: Arc<PerSegment<[u64]>>,
    /// Each segment's Persian words, for reading Finglish queries (built on the first one).
    finglish: PerSegment<Lexicon>,
    /// The taxonomy's Persian names' words, for the same.
    taxonomy_finglish: OnceLock<Lexicon>,
    /// What a query's rare words also look for (see [`crate::thesaurus`]).
    thesaurus: Arc<Thesaurus>,
    /// Which step a query asks for, learned from the steps' own lines (see
    /// [`crate::classifier`]); none for a large corpus.
    classifier: Option<Arc<Classifier>>,
}

/// A step's record and its translations, as the index stores them.
type StoredStep = (StepRecord, Vec<TranslatedStep>);

impl Searcher {
    pub fn new(index: SearchIndex, taxonomy: Taxonomy) -> Self {
        let matcher = SituationMatcher::new(&taxonomy);
        Searcher::with_matcher(index, taxonomy, matcher)
    }

    /// An engine with a matcher built earlier (see [`crate::cache`]).
    pub fn with_matcher(index: SearchIndex, taxonomy: Taxonomy, matcher: SituationMatcher) -> Self {
        Searcher {
            index,
            taxonomy,
            matcher,
            kept: None,
            kept_records: None,
            orders: Arc::default(),
            finglish: PerSegment::default(),
            taxonomy_finglish: OnceLock::new(),
            thesaurus: Arc::default(),
            classifier: None,
        }
    }

    /// Searches with `classifier` re-ordering the first candidates.
    pub fn with_classifier(mut self, classifier: Option<Arc<Classifier>>) -> Self {
        self.classifier = classifier;
        self
    }

    /// The classifier in use, if any.
    pub fn classifier(&self) -> Option<&Arc<Classifier>> {
        self.classifier.as_ref()
    }

    /// A name for the index's current contents: its segments (never changed once written)
    /// and how many documents each has deleted, with the index format and how the classifier
    /// is made. None for a large corpus (no classifier is trained for it).
    pub fn snapshot_key(&self) -> Option<u64> {
        let searcher = self.index.reader.searcher();
        if searcher.num_docs() > CLASSIFIER_MAX_STEPS {
            return None;
        }
        let mut parts: Vec<String> = searcher
            .segment_readers()
            .iter()
            .map(|s| format!("{}:{}", s.segment_id().uuid_string(), s.num_deleted_docs()))
            .collect();
        parts.sort();
        parts.push(crate::index::INDEX_FORMAT.to_string());
        parts.push(crate::classifier::MODEL_VERSION.to_string());
        Some(order_key(&parts.join(","), "classifier"))
    }

    /// What the classifier learns from: every step's `Agents ask` lines and title in every
    /// language, labelled with the step (`playbook#step`, sorted); none above
    /// [`CLASSIFIER_MAX_STEPS`]. The lines come in an order fixed by their text, so that
    /// training does not depend on how the index's segments lie.
    pub fn training_lines(&self) -> Result<Option<TrainingLines>> {
        let searcher = self.index.reader.searcher();
        if searcher.num_docs() > CLASSIFIER_MAX_STEPS {
            return Ok(None);
        }
        let addresses = searcher
            .search(
                &tantivy::query::AllQuery,
                &tantivy::collector::DocSetCollector,
            )
            .map_err(|e| Error::index("index", e))?;
        let mut by_step: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for address in addresses {
            let Some(stored) = self.read_stored(&searcher, address)? else {
                continue;
            };
            let (record, translations) = &stored;
            let lines = by_step.entry(record.id()).or_default();
            lines.extend(record.asks.iter().cloned());
            lines.push(record.title.clone());
            for t in translations {
                lines.extend(t.asks.iter().cloned());
                lines.push(t.title.clone());
            }
        }
        let steps: Vec<String> = by_step.keys().cloned().collect();
        let mut lines: Vec<(String, usize)> = by_step
            .into_values()
            .enumerate()
            .flat_map(|(i, lines)| lines.into_iter().map(move |l| (l, i)))
            .collect();
        lines.sort_by_cached_key(|(line, step)| (order_key(line, &step.to_string()), *step));
        Ok(Some((lines, steps)))
    }

    /// Searches with `thesaurus` (see [`crate::thesaurus`]).
    pub fn with_thesaurus(mut self, thesaurus: Arc<Thesaurus>) -> Self {
        self.thesaurus = thesaurus;
        self
    }

    pub fn thesaurus(&self) -> &Arc<Thesaurus> {
        &self.thesaurus
    }

    /// Keeps query words' scores and steps' records between searches from now on (see
    /// [`crate::kept`]).
    pub fn keep_between_searches(&mut self) {
        self.kept.get_or_insert_with(Default::default);
        self.kept_records.get_or_insert_with(Default::default);
    }

    pub fn matcher(&self) -> &SituationMatcher {
        &self.matcher
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        for id in &request.situations {
            if self.taxonomy.get(id).is_none() {
                let hint = self
                    .taxonomy
                    .closest_id(id)
                    .map_or_else(String::new, |c| format!("; did you mean `{c}`?"));
                return Err(Error::Usage(format!(
                    "unknown situation `{id}`{hint} (see `playbook situations`)"
                )));
            }
        }
        let typed = request.query.trim();
        let finglish = self.finglish_reading(typed);
        let query = finglish.as_ref().map_or(typed, |r| r.persian.as_str());
        let resolved = if query.is_empty() {
            Vec::new()
        } else {
            self.matcher.resolve(query)
        };
        let query_lang = self.guess_language(query);
        let reading = match request.reading {
            Reading::In(lang) => lang,
            Reading::Auto { fallback } => query_lang.unwrap_or(fallback),
        };
        let (results, fuzzy_only) = self.ranked(request, query, &resolved, query_lang, reading)?;
        let suggestions = if results.is_empty() && !query.is_empty() {
            self.matcher.suggest(query, 3)
        } else {
            Vec::new()
        };
        Ok(SearchResults {
            query: request.query.clone(),
            situations: resolved.iter().map(|r| r.id.clone()).collect(),
            query_lang: query_lang.map(|l| l.code().to_string()),
            read_as: finglish.map(|r| r.persian),
            reading,
            results,
            suggestions,
            fuzzy_only,
        })
    }

    /// The steps of playbook `playbook` (an original's id), each with its translations, in
    /// the playbook's order: what `show` and the server's step endpoints read, from the
    /// index rather than the files.
    pub fn playbook_steps(&self, playbook: &str) -> Result<Vec<Hit>> {
        let searcher = self.index.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.index.fields.family, playbook),
            IndexRecordOption::Basic,
        );
        let addresses = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| Error::index("index", e))?;
        let mut steps = Vec::with_capacity(addresses.len());
        for address in addresses {
            if let Some(stored) = self.stored(&searcher, address)? {
                let lang = stored.0.lang;
                steps.push(Hit::shared(stored, 0.0, lang));
            }
        }
        steps.sort_by_key(|hit| hit.record().line);
        Ok(steps)
    }

    /// A document's stored step record and translations (none for a document without a
    /// record, which no build writes); kept between searches when the engine keeps.
    fn stored(
        &self,
        searcher: &tantivy::Searcher,
        address: tantivy::DocAddress,
    ) -> Result<Option<Arc<StoredStep>>> {
        let read = || self.read_stored(searcher, address);
        match &self.kept_records {
            Some(kept) => {
                let segment = searcher.segment_reader(address.segment_ord).segment_id();
                kept.get_or_read(segment, address.doc_id, read)
            }
            None => Ok(read()?.map(Arc::new)),
        }
    }

    fn read_stored(
        &self,
        searcher: &tantivy::Searcher,
        address: tantivy::DocAddress,
    ) -> Result<Option<StoredStep>> {
        let fields = &self.index.fields;
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| Error::index("index", e))?;
        let Some(json) = doc.get_first(fields.record).and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        let record: StepRecord =
            serde_json::from_str(json).map_err(|e| Error::index("index", e))?;
        let translations = match doc.get_first(fields.translations).and_then(|v| v.as_str()) {
            Some(json) => serde_json::from_str(json).map_err(|e| Error::index("index", e))?,
            None => Vec::new(),
        };
        Ok(Some((record, translations)))
    }

    fn ranked(
        &self,
        request: &SearchRequest,
        query: &str,
        resolved: &[Resolved],
        query_lang: Option<Lang>,
        reading: Lang,
    ) -> Result<(Vec<Hit>, bool)> {
        let fields = &self.index.fields;
        // The words' clauses and the situations' priors in one disjunction: a nested one
        // for the words would be a second union over the same documents.
        // One snapshot for the words' and situations' statistics, the search and the records
        // it reads.
        let searcher = self.index.reader.searcher();
        let (mut core, any_word_as_typed) = self.text_clauses(&searcher, query, resolved);
        for r in resolved {
            let specificity = situation_specificity(&searcher, fields.situations, &r.id);
            // Steps that list the situation first (their main one) rank above steps that
            // only mention it among others; first-line steps above background and
            // last-resort ones, but for the situation such a step is mainly for (see
            // `Fields::full_situations`).
            let tagged = 1.0 - PRIMARY_SITUATION_SHARE;
            for (field, share) in [
                (fields.situations, tagged * LATER_ROLE_SITUATION_SHARE),
                (
                    fields.full_situations,
                    tagged * (1.0 - LATER_ROLE_SITUATION_SHARE),
                ),
                (fields.primary_situation, PRIMARY_SITUATION_SHARE),
            ] {
                let term = Term::from_field_text(field, &r.id);
                let q = TermQuery::new(term, IndexRecordOption::Basic);
                let score = share * situation_boost(r, specificity);
                let key = || format!("situation:{}:{}:{score}", field.field_id(), r.id);
                core.push((
                    Occur::Should,
                    self.kept_clause(key, ConstScoreQuery::new(Box::new(q), score)),
                ));
            }
        }
        if core.is_empty() {
            if request.situations.is_empty() {
                return Ok((Vec::new(), false));
            }
            // Only a situation filter: list its steps.
            let q = situation_filter(fields.situations, &request.situations);
            core.push((Occur::Should, Box::new(ConstScoreQuery::new(q, 1.0))));
        }
        let language_boost: Option<Box<dyn Query>> = query_lang.map(|lang| {
            let q = TermQuery::new(
                Term::from_field_text(fields.lang, lang.code()),
                IndexRecordOption::Basic,
            );
            let key = || format!("lang:{}:{LANGUAGE_BOOST}", lang.code());
            self.kept_clause(key, ConstScoreQuery::new(Box::new(q), LANGUAGE_BOOST))
        });
        let query: Box<dyn Query> = if request.langs.is_empty() && request.situations.is_empty() {
            // The everyday search, summed densely (see `crate::summed`).
            Box::new(SummedQuery {
                required: core.into_iter().map(|(_, q)| q).collect(),
                optional: language_boost.into_iter().collect(),
            })
        } else {
            let mut outer: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, Box::new(BooleanQuery::new(core)))];
            outer.extend(language_boost.map(|q| (Occur::Should, q)));
            if !request.langs.is_empty() {
                let langs: Vec<(Occur, Box<dyn Query>)> = request
                    .langs
                    .iter()
                    .map(|l| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(fields.lang, l.code()),
                            IndexRecordOption::Basic,
                        ));
                        (Occur::Should, q)
                    })
                    .collect();
                outer.push((Occur::Must, Box::new(BooleanQuery::new(langs))));
            }
            if !request.situations.is_empty() {
                outer.push((
                    Occur::Must,
                    situation_filter(fields.situations, &request.situations),
                ));
            }
            Box::new(BooleanQuery::new(outer))
        };
        let limit = request.limit.max(1);
        // The first screen: the places an agent sees without asking for more.
        let screen = limit.min(DEFAULT_LIMIT);
        // A few more candidates when the query's language is known: if none of the first
        // screen's steps is in that language, the best one that is takes its last place
        // (below), whatever the limit, so that a longer list begins as the default one does.
        let wants_own_language = query_lang.is_some() && request.langs.is_empty() && screen > 1;
        let candidates = if wants_own_language {
            limit.max(screen + OWN_LANGUAGE_CANDIDATES)
        } else {
            limit
        };
        let candidates = match &self.classifier {
            Some(_) => candidates.max(CLASSIFIER_CANDIDATES),
            None => candidates,
        };
        let mut top = top_candidates(&searcher, &self.orders, query.as_ref(), candidates)?;
        // Each candidate's stored record, read once (in order, as far as needed): the
        // classifier reads the first ones, the own-language place below looks at their
        // languages, the hits are made of them.
        let mut read: Vec<Option<Arc<StoredStep>>> = match &self.classifier {
            Some(classifier) => {
                self.reordered_by(classifier, &searcher, &request.query, &mut top)?
            }
            None => Vec::new(),
        };
        let mut stored = |i: usize| -> Result<Option<Arc<StoredStep>>> {
            while read.len() <= i {
                read.push(self.stored(&searcher, top[read.len()].1)?);
            }
            Ok(read[i].clone())
        };
        let mut order: Vec<usize> = (0..top.len().min(limit)).collect();
        if let Some(lang) = query_lang.filter(|_| wants_own_language)
            && top.len() >= screen
        {
            let floor = top.first().map_or(0.0, |t| t.0) * OWN_LANGUAGE_MIN_SHARE;
            let mut is_own =
                |i: usize| -> Result<bool> { Ok(stored(i)?.is_some_and(|s| s.0.lang == lang)) };
            let mut own_on_screen = false;
            for i in 0..screen {
                own_on_screen |= is_own(i)?;
            }
            if !own_on_screen {
                let mut best_own = None;
                for i in (screen..top.len()).take_while(|&i| top[i].0 >= floor) {
                    if is_own(i)? {
                        best_own = Some(i);
                        break;
                    }
                }
                if let Some(own) = best_own {
                    // It takes the screen's last place; the steps below move down one.
                    order.retain(|&i| i != own);
                    order.insert(screen - 1, own);
                    order.truncate(limit);
                }
            }
        }
        let resolved_ids: HashSet<&str> = resolved.iter().map(|r| r.id.as_str()).collect();
        let mut hits = Vec::with_capacity(limit);
        for i in order {
            let Some(step) = stored(i)? else {
                continue;
            };
            let matched_situations = step
                .0
                .situations
                .iter()
                .filter(|s| resolved_ids.contains(String::as_str(s)))
                .cloned()
                .collect();
            hits.push(Hit::shared(step, top[i].0, reading).with_situations(matched_situations));
        }
        // Found only through typo tolerance: no word of the query is in the index as typed.
        // (Told from the terms' document frequencies, which the query needed anyway: counting
        // the matches of every exact term again was a second pass over the same postings,
        // up to a third of a long query's time.)
        let fuzzy_only = !hits.is_empty() && resolved.is_empty() && !any_word_as_typed;
        Ok((hits, fuzzy_only))
    }

    /// Re-orders the first [`CLASSIFIER_CANDIDATES`] of `top` by their scores plus the
    /// classifier's log-probability of each (shifted so that the least likely of them gets
    /// nothing: a score only grows, and the candidates after them stay below). Returns the
    /// records it read, in the new order, for the rest of the ranking to use.
    fn reordered_by(
        &self,
        classifier: &Classifier,
        searcher: &tantivy::Searcher,
        query: &str,
        top: &mut [(f32, tantivy::DocAddress)],
    ) -> Result<Vec<Option<Arc<StoredStep>>>> {
        let n = top.len().min(CLASSIFIER_CANDIDATES);
        let mut records = Vec::with_capacity(n);
        for (_, address) in &top[..n] {
            records.push(self.stored(searcher, *address)?);
        }
        if n < 2 {
            return Ok(records);
        }
        let log_probs = classifier.log_probs(query);
        let of_step: Vec<Option<f32>> = records
            .iter()
            .map(|stored| {
                let (record, _) = stored.as_deref()?;
                let id = record.id();
                let i = classifier.steps.binary_search(&id).ok()?;
                log_probs.get(i).copied()
            })
            .collect();
        let least = of_step
            .iter()
            .flatten()
            .copied()
            .fold(f32::INFINITY, f32::min);
        if !least.is_finite() {
            return Ok(records);
        }
        let mut ranked: Vec<_> = top[..n]
            .iter()
            .zip(of_step)
            .map(|(&(score, address), p)| {
                (
                    score + CLASSIFIER_WEIGHT * (p.unwrap_or(least) - least),
                    address,
                )
            })
            .zip(records)
            .collect();
        // Stable: equal scores keep the engine's order.
        ranked.sort_by(|a, b| b.0.0.total_cmp(&a.0.0));
        let (reordered, records): (Vec<_>, Vec<_>) = ranked.into_iter().unzip();
        top[..n].copy_from_slice(&reordered);
        Ok(records)
    }

    /// A clause whose scores are the same in every search of a snapshot (a word typed
    /// before, a situation's prior, the language boost), its list kept between searches when
    /// the engine keeps; `key` names it exactly. At 10,000 playbooks a language's steps alone
    /// are tens of thousands of postings to decode.
    fn kept_clause<Q: Query + Clone>(&self, key: impl FnOnce() -> String, q: Q) -> Box<dyn Query> {
        match &self.kept {
            Some(kept) => Box::new(KeptWord {
                key: Arc::from(key()),
                inner: q,
                kept: Arc::clone(kept),
            }),
            None => Box::new(q),
        }
    }

    /// The free-text part of the query over every analyzer's field, a clause per word;
    /// also whether any word is in the index as typed (else whatever matched, matched
    /// through typo tolerance).
    fn text_clauses(
        &self,
        searcher: &tantivy::Searcher,
        query: &str,
        resolved: &[Resolved],
    ) -> (Clauses, bool) {
        // Each query word is one disjunction over every field and form it matches: a word
        // scores by its best match (plus a little for the others), so a common word that
        // matches in four fields does not outweigh a rare one that matches in one.
        let words = surface_words(query);
        // Words a resolved situation explains already count through its prior: they count
        // again only a little, so that the words it does not explain (the need) decide.
        let explained: Vec<bool> = words
            .iter()
            .map(|&(start, end)| {
                resolved
                    .iter()
                    .any(|r| r.explained.iter().any(|&(s, e)| s < end && start < e))
            })
            .collect();
        let word_weight = |word: usize| {
            if explained.get(word).copied().unwrap_or(false) {
                EXPLAINED_WORD_WEIGHT
            } else {
                1.0
            }
        };
        let mut per_word: BTreeMap<usize, Vec<Box<dyn Query>>> = BTreeMap::new();
        // What each word's clause is made of, exactly: its key among kept scores.
        let mut keys: BTreeMap<usize, String> = BTreeMap::new();
        // (word, term, weight, typo budget) for the typo-tolerant pass below.
        let mut fuzzy_candidates: Vec<(usize, Term, f32, usize)> = Vec::new();
        // Words found as typed in some field: like the situation matcher, such a word is
        // taken as meant ("pakke" must not become "takke"), and skipping its typo
        // automaton saves most of a short search's work.
        let mut found_as_typed: HashSet<usize> = HashSet::new();
        // The query's word pairs, from the same analysis as its words.
        let mut query_pairs: Vec<(Analyzer, Field, Vec<Pair>)> = Vec::new();
        // A word at most this many steps say also looks for its thesaurus groups' words.
        let rare_limit = (searcher.num_docs() as f32 * THESAURUS_RARE_SHARE) as u64;
        for &(analyzer, field) in &self.index.fields.text {
            let analyzed = analyzer.analyze(query);
            if let Some(pairs_field) = self.index.fields.pairs_field(analyzer) {
                let pairs = pairs_of_terms(analyzer, query, &analyzed);
                query_pairs.push((analyzer, pairs_field, pairs));
            }
            let mut seen = HashSet::new();
            let terms: Vec<crate::analysis::Term> = analyzed
                .into_iter()
                .filter(|t| seen.insert(t.text.clone()))
                .take(MAX_TERMS_PER_FIELD)
                .collect();
            let weight = field_weight(analyzer);
            for (i, t) in terms.iter().enumerate() {
                let word = word_at(&words, t.start);
                let weight = weight * word_weight(word);
                let term = Term::from_field_text(field, &t.text);
                let doc_freq = searcher.doc_freq(&term).unwrap_or(0);
                if doc_freq > 0 {
                    found_as_typed.insert(word);
                }
                if self.kept.is_some() {
                    let key = keys.entry(word).or_default();
                    let _ = write!(key, "{}:{}:{weight};", field.field_id(), t.text);
                }
                let tq = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                per_word
                    .entry(word)
                    .or_default()
                    .push(Box::new(BoostQuery::new(Box::new(tq), weight)));
                if doc_freq <= rare_limit {
                    for (expansion, other) in self.expansions(analyzer, field, &t.text) {
                        // Most of a group's words are in no step: no clause for them.
                        if searcher.doc_freq(&other).unwrap_or(0) == 0 {
                            continue;
                        }
                        let weight = weight * THESAURUS_WEIGHT;
                        if self.kept.is_some() {
                            let key = keys.entry(word).or_default();
                            let _ = write!(key, "={}:{expansion:?}:{weight};", field.field_id());
                        }
                        let tq = TermQuery::new(other, IndexRecordOption::WithFreqs);
                        per_word
                            .entry(word)
                            .or_default()
                            .push(Box::new(BoostQuery::new(Box::new(tq), weight)));
                    }
                }
                let budget = typo_budget(t.text.chars().count());
                if analyzer.allows_fuzzy() && budget > 0 && i < MAX_FUZZY_TERMS {
                    fuzzy_candidates.push((word, term, weight, budget));
                }
            }
        }
        let mut automata = SharedAutomata::default();
        for (word, term, weight, budget) in fuzzy_candidates {
            if found_as_typed.contains(&word) {
                continue;
            }
            let Some(fq) = automata.query(term.clone(), budget as u8) else {
                continue;
            };
            if self.kept.is_some() {
                let key = keys.entry(word).or_default();
                let value = term.value();
                let text = value.as_str().unwrap_or_default();
                let _ = write!(
                    key,
                    "~{}:{text}:{budget}:{weight};",
                    term.field().field_id()
                );
            }
            per_word
                .entry(word)
                .or_default()
                .push(Box::new(BoostQuery::new(
                    Box::new(fq),
                    weight * FUZZY_FACTOR,
                )));
        }
        // The last word is the one being typed: the next keystroke changes it, so keeping
        // its scores would be work for nothing (and scoring a list to keep costs more than
        // scoring it once). A word is kept from the first search that has a word after it.
        let typing = words.len().saturating_sub(1);
        let pair_clauses = self.pair_clauses(searcher, query_pairs, &words, typing);
        let clauses: Clauses = per_word
            .into_iter()
            .map(|(word, d)| {
                let inner = DisjunctionMaxQuery::with_tie_breaker(d, TIE_BREAKER);
                // The word being typed changes with the next key: nothing to keep.
                let q: Box<dyn Query> = if word == typing {
                    Box::new(inner)
                } else {
                    self.kept_clause(|| keys.remove(&word).unwrap_or_default(), inner)
                };
                (Occur::Should, q)
            })
            .chain(pair_clauses)
            .collect();
        (clauses, !found_as_typed.is_empty())
    }

    /// What `analyzer`'s term `text` also looks for, as terms of `field` (a word) or of the
    /// analyzer's pairs field (a two-word entry).
    fn expansions(&self, analyzer: Analyzer, field: Field, text: &str) -> Vec<(Expansion, Term)> {
        self.thesaurus
            .expansions(analyzer, text)
            .iter()
            .filter_map(|expansion| {
                let term = match expansion {
                    Expansion::Word(word) => Term::from_field_text(field, word),
                    Expansion::Pair(pair) => {
                        Term::from_field_text(self.index.fields.pairs_field(analyzer)?, pair)
                    }
                };
                Some((expansion.clone(), term))
            })
            .collect()
    }

    /// The query's neighbouring words, a clause per pair of them (see
    /// [`crate::analysis::pairs`]): a pair scores by its best form among the analyzers, so a
    /// step that says two of the query's words together beats one that says them apart.
    fn pair_clauses(
        &self,
        searcher: &tantivy::Searcher,
        query_pairs: Vec<(Analyzer, Field, Vec<Pair>)>,
        words: &[(usize, usize)],
        typing: usize,
    ) -> Clauses {
        let mut per_pair: BTreeMap<(usize, usize), Vec<Box<dyn Query>>> = BTreeMap::new();
        let mut keys: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for (analyzer, field, pairs) in query_pairs {
            let weight = field_weight(analyzer) * PAIR_WEIGHT;
            for pair in pairs.into_iter().take(MAX_TERMS_PER_FIELD) {
                let term = Term::from_field_text(field, &pair.text);
                // Most of a query's pairs are in no step: no clause for them.
                if searcher.doc_freq(&term).unwrap_or(0) == 0 {
                    continue;
                }
                let at = (word_at(words, pair.first), word_at(words, pair.second));
                if self.kept.is_some() {
                    let key = keys.entry(at).or_default();
                    let _ = write!(key, "{}:{}:{weight};", field.field_id(), pair.text);
                }
                let tq = TermQuery::new(term, IndexRecordOption::WithFreqs);
                per_pair
                    .entry(at)
                    .or_default()
                    .push(Box::new(BoostQuery::new(Box::new(tq), weight)));
            }
        }
        per_pair
            .into_iter()
            .map(|(at, forms)| {
                let inner = DisjunctionMaxQuery::new(forms);
                // A pair with the word being typed changes with the next key.
                let q: Box<dyn Query> = if at.1 == typing {
                    Box::new(inner)
                } else {
                    let key = keys.remove(&at).unwrap_or_default();
                    self.kept_clause(|| format!("pair:{key}"), inner)
                };
                (Occur::Should, q)
            })
            .collect()
    }

    /// `query` read as Persian when it is Persian typed in Latin letters (see
    /// [`crate::finglish`]): its words are looked up in the index's Persian words and the
    /// taxonomy's Persian names, and in the Latin-script fields to tell them from English,
    /// Danish and Romanian words.
    fn finglish_reading(&self, query: &str) -> Option<PersianReading> {
        let long_words: Vec<&str> = query
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= FINGLISH_MIN_LETTERS)
            .collect();
        // Most queries are not: Persian script, Thai, Danish or Romanian letters, or fewer
        // than two words that could be, decide it before any lexicon is read.
        if long_words.len() < 2 || query.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
            return None;
        }
        let searcher = self.index.reader.searcher();
        let latin_fields = [
            Analyzer::LatinExact,
            Analyzer::English,
            Analyzer::Danish,
            Analyzer::Romanian,
        ];
        let is_latin_word = |word: &str| {
            latin_fields.iter().any(|&analyzer| {
                let field = self.index.fields.text_field(analyzer);
                analyzer.terms(word).iter().any(|term| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, term))
                        .is_ok_and(|n| n > 0)
                })
            })
        };
        // English, Danish and Romanian queries stop here, before any lexicon is read: they
        // have at most one word (a typo, a name) the playbooks do not use.
        let unknown = long_words
            .iter()
            .filter(|w| !crate::analysis::is_stop_word(w) && !is_latin_word(w))
            .count();
        if unknown < 2 {
            return None;
        }
        let persian = self.index.fields.text_field(Analyzer::Persian);
        self.finglish.forget_all_but(&searcher);
        let segments: Vec<Arc<Lexicon>> = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                self.finglish
                    .of(segment, |segment| persian_lexicon(segment, persian))
            })
            .collect();
        let names = self.taxonomy_finglish.get_or_init(|| {
            let mut lexicon = Lexicon::default();
            for situation in &self.taxonomy.situations {
                for (lang, name) in situation.names() {
                    if lang == Lang::Fa.code() {
                        for word in Analyzer::Persian.terms(name) {
                            lexicon.add(&word, 1);
                        }
                    }
                }
            }
            lexicon
        });
        let lexicons: Vec<&Lexicon> = segments
            .iter()
            .map(Arc::as_ref)
            .chain(std::iter::once(names))
            .collect();
        PersianReading::of(
            query,
            |word| finglish::best_reading(word, &lexicons),
            is_latin_word,
            crate::analysis::is_stop_word,
        )
    }

    /// The language a query is written in, when its script or words make it clear.
    /// Thai and Arabic script decide by themselves; for Latin script, the words are looked
    /// up in each language's playbooks and situation names (no statistical guessing).
    fn guess_language(&self, query: &str) -> Option<Lang> {
        match dominant_script(query)? {
            Script::Thai => Some(Lang::Th),
            Script::Arabic => Some(Lang::Fa),
            Script::Other => None,
            Script::Latin => self.guess_latin_language(query),
        }
    }

    fn guess_latin_language(&self, query: &str) -> Option<Lang> {
        let lower = query.to_lowercase();
        if lower.contains(['æ', 'ø', 'å']) {
            return Some(Lang::Da);
        }
        if lower.contains(['ă', 'ș', 'ş', 'ț', 'ţ', 'â', 'î']) {
            return Some(Lang::Ro);
        }
        let searcher = self.index.reader.searcher();
        let fields = &self.index.fields;
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        // Function words first ("ikke", "și", "the"): the analyzers drop them as noise, but
        // they tell the language better than any content word.
        for word in lower.split(|c: char| !c.is_alphabetic()) {
            if let Some(lang) = crate::analysis::stop_word_language(word) {
                *votes.entry(lang).or_insert(0) += 1;
            }
        }
        for (lang, analyzer) in [
            ("da", Analyzer::Danish),
            ("ro", Analyzer::Romanian),
            ("en", Analyzer::English),
        ] {
            let field = fields.text_field(analyzer);
            for term in analyzer.terms(query).into_iter().take(MAX_TERMS_PER_FIELD) {
                let t = Term::from_field_text(field, &term);
                let found = if lang == "en" {
                    searcher.doc_freq(&t).unwrap_or(0) > 0
                } else {
                    let q = BooleanQuery::new(vec![
                        (
                            Occur::Must,
                            Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                        ),
                        (
                            Occur::Must,
                            Box::new(TermQuery::new(
                                Term::from_field_text(fields.lang, lang),
                                IndexRecordOption::Basic,
                            )),
                        ),
                    ]);
                    searcher.search(&q, &Count).unwrap_or(0) > 0
                };
                if found {
                    *votes.entry(lang).or_insert(0) += 1;
                }
            }
        }
        let best = votes.values().copied().max()?;
        let winners: Vec<&str> = votes
            .iter()
            .filter(|(_, v)| **v == best)
            .map(|(k, _)| *k)
            .collect();
        match winners.as_slice() {
            ["da"] => Some(Lang::Da),
            ["ro"] => Some(Lang::Ro),
            _ => None,
        }
    }
}

/// The best `n` documents by score; equal scores in the stable order of the steps' keys,
/// not by where a step sits in the index. (Measured and dropped: collecting by score alone
/// and ordering ties afterwards, as ties straddle the cut in 40% of typed prefixes and the
/// second collection that then needs cost more than the key saved; reading the language's
/// boost from a column instead of a clause, no faster.)
fn top_candidates(
    searcher: &tantivy::Searcher,
    orders: &Arc<PerSegment<[u64]>>,
    query: &dyn Query,
    n: usize,
) -> Result<Vec<(f32, tantivy::DocAddress)>> {
    orders.forget_all_but(searcher);
    let orders = Arc::clone(orders);
    let collector = TopDocs::with_limit(n).tweak_score(move |segment: &tantivy::SegmentReader| {
        let order = orders.of(segment, order_keys);
        move |doc: tantivy::DocId, score: tantivy::Score| {
            let key = order.get(doc as usize).copied().unwrap_or(0);
            (score, u64::MAX - key)
        }
    });
    Ok(searcher
        .search(query, &collector)
        .map_err(|e| Error::index("index", e))?
        .into_iter()
        .map(|((score, _), address)| (score, address))
        .collect())
}

/// Something read from each segment once and kept while the segment lives: its `order`
/// column (steps' order, which breaks ties in score: read through the column for every
/// matching step it was a twentieth of a search's time at 10,000 playbooks, where one word
/// matches thousands), its Persian words for Finglish.
struct PerSegment<T: ?Sized> {
    read: std::sync::Mutex<Vec<(tantivy::index::SegmentId, Arc<T>)>>,
}

impl<T: ?Sized> Default for PerSegment<T> {
    fn default() -> Self {
        PerSegment {
            read: std::sync::Mutex::default(),
        }
    }
}

impl<T: ?Sized> PerSegment<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(tantivy::index::SegmentId, Arc<T>)>> {
        self.read.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops what was read from segments `searcher` no longer has (merged or replaced).
    fn forget_all_but(&self, searcher: &tantivy::Searcher) {
        let live: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        self.lock().retain(|(id, _)| live.contains(id));
    }

    /// What `read` makes of `segment`, read once.
    fn of(
        &self,
        segment: &tantivy::SegmentReader,
        read: impl FnOnce(&tantivy::SegmentReader) -> Arc<T>,
    ) -> Arc<T> {
        let id = segment.segment_id();
        if let Some((_, kept)) = self.lock().iter().find(|(s, _)| *s == id) {
            return Arc::clone(kept);
        }
        let made = read(segment);
        let mut kept = self.lock();
        if !kept.iter().any(|(s, _)| *s == id) {
            kept.push((id, Arc::clone(&made)));
        }
        made
    }
}

/// A segment's order keys by document (0 for a document without one).
fn order_keys(segment: &tantivy::SegmentReader) -> Arc<[u64]> {
    match segment.fast_fields().u64("order") {
        Ok(column) => {
            let column = column.first_or_default_col(0);
            (0..segment.max_doc()).map(|d| column.get_val(d)).collect()
        }
        Err(_) => Arc::from(Vec::new()),
    }
}

/// A segment's Persian words with their document counts (an empty lexicon when the field
/// cannot be read: Finglish then finds nothing there, and the search goes on).
fn persian_lexicon(segment: &tantivy::SegmentReader, field: Field) -> Arc<Lexicon> {
    let mut lexicon = Lexicon::default();
    if let Ok(inverted) = segment.inverted_index(field)
        && let Ok(mut terms) = inverted.terms().stream()
    {
        while terms.advance() {
            if let Ok(word) = std::str::from_utf8(terms.key()) {
                lexicon.add(word, terms.value().doc_freq);
            }
        }
    }
    Arc::new(lexicon)
}

/// Typo-tolerant term queries that share their automata: a word analysed alike in four
/// fields ("caller") needs one Levenshtein automaton, not four, and building one is most
/// of what a typo query costs (it allocates a 256-wide transition table per state).
#[derive(Default)]
struct SharedAutomata {
    built: HashMap<(String, u8), Arc<DfaWrapper>>,
}

impl SharedAutomata {
    /// A query matching the terms of `term`'s field within `distance` edits of its text.
    fn query(&mut self, term: Term, distance: u8) -> Option<SharedFuzzyQuery> {
        let key = (term.value().as_str()?.to_string(), distance);
        let automaton = match self.built.get(&key) {
            Some(a) => Arc::clone(a),
            None => {
                let fuzzy = FuzzyTermQuery::new(term.clone(), distance, true);
                let fresh = Arc::new(fuzzy.automaton().ok()?);
                self.built.insert(key, Arc::clone(&fresh));
                fresh
            }
        };
        Some(SharedFuzzyQuery {
            field: term.field(),
            automaton,
        })
    }
}

/// Like tantivy's `FuzzyTermQuery` (same automaton, same constant score), with the
/// automaton shared between fields.
#[derive(Clone)]
struct SharedFuzzyQuery {
    field: Field,
    automaton: Arc<DfaWrapper>,
}

impl std::fmt::Debug for SharedFuzzyQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedFuzzyQuery({:?})", self.field)
    }
}

impl Query for SharedFuzzyQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(
            self.field,
            Arc::clone(&self.automaton),
        )))
    }
}

fn situation_filter(field: tantivy::schema::Field, ids: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = ids
        .iter()
        .map(|id| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, id),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, doc};

    /// A searcher over ten documents: five tagged `angry-customer`, one `manager-request`.
    fn tagged_steps() -> (tantivy::Searcher, Field) {
        let mut schema = Schema::builder();
        let situations = schema.add_text_field("situations", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..10 {
            let mut document = doc!();
            if i < 5 {
                document.add_text(situations, "angry-customer");
            }
            if i == 9 {
                document.add_text(situations, "manager-request");
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), situations)
    }

    #[test]
    fn a_situation_half_the_steps_carry_is_a_weaker_prior() {
        let (searcher, field) = tagged_steps();
        let broad = situation_specificity(&searcher, field, "angry-customer");
        let narrow = situation_specificity(&searcher, field, "manager-request");
        // ln(1 + 1/0.5) / ln(1 + 1/0.2)
        assert!((broad - 3f32.ln() / 6f32.ln()).abs() < 1e-6, "{broad}");
        assert_eq!(narrow, 1.0);
        assert_eq!(situation_specificity(&searcher, field, "unknown"), 1.0);
    }
}
