//! The situation matcher: which situations a query names, through the labels and synonyms
//! of the taxonomy in every language, with typo tolerance for words it does not know.
//!
//! It is compiled once per taxonomy and cached in `index/` (see [`crate::cache`]), then
//! loaded by every search, so it is laid out flat: every string lives in one `text`
//! buffer and the tables hold spans into it. Loading it is a handful of allocations
//! instead of one per word, and a search looks words up by binary search in a sorted
//! table of forms instead of comparing the query with the whole vocabulary.

use crate::analysis::{Analyzer, fold_diacritics, is_persian_function_word, normalize_persian};
use crate::fixed::{Fixed, u32_at, u64_at};
use crate::taxonomy::Taxonomy;
use crate::tuning::{
    COMPACT_LENGTH_BONUS, GENERIC_NAME_WORD_SHARE, ID_MATCH_STRENGTH, MATCHER_TYPO_WORDS_KEPT,
    NAME_LENGTH_BONUS, PARTIAL_NAME_SHARE, RESOLVE_MIN_SHARE, RESOLVE_MIN_STRENGTH,
    SUGGEST_MIN_STRENGTH,
};
use lru::LruCache;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

/// How many typos a word of this length tolerates: none for short words.
pub fn typo_budget(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

use crate::tuning::{NAME_WORD_EXACT as EXACT, NAME_WORD_TYPO as TYPO};

/// A piece of [`SituationMatcher::text`], or a range of one of its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn read(bytes: &[u8], at: usize) -> Span {
        Span {
            start: u32_at(bytes, at),
            end: u32_at(bytes, at + 4),
        }
    }
}

impl Fixed for Span {
    const SIZE: usize = 8;
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.start.to_le_bytes());
        out.extend_from_slice(&self.end.to_le_bytes());
    }
    fn read(bytes: &[u8]) -> Option<Self> {
        Some(Span::read(bytes, 0))
    }
}

/// A distinct word of the situation names, per analyzer.
#[derive(Debug, Clone)]
struct VocabularyWord {
    analyzer: Analyzer,
    /// A stop word ("to", "med", "cu"): needed only in names with at most one other word.
    stop: bool,
    /// Which characters (hashed into 64 buckets) `folded` has: a cheap test that rules
    /// out most typo comparisons before computing an edit distance.
    chars: u64,
    /// The length of `folded` in characters.
    len: u32,
    /// The word folded (lowercase, no diacritics, Persian-normalised), for typo distance.
    folded: Span,
}

impl Fixed for VocabularyWord {
    const SIZE: usize = 22;
    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.analyzer.code());
        out.push(u8::from(self.stop));
        out.extend_from_slice(&self.chars.to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
        self.folded.write(out);
    }
    fn read(b: &[u8]) -> Option<Self> {
        Some(VocabularyWord {
            analyzer: Analyzer::from_code(b[0])?,
            stop: b[1] != 0,
            chars: u64_at(b, 2),
            len: u32_at(b, 10),
            folded: Span::read(b, 14),
        })
    }
}

/// One analysed form of a vocabulary word ("refund" → "refund"; "refunds" → "refund").
#[derive(Debug, Clone)]
struct Form {
    analyzer: Analyzer,
    text: Span,
    word: u32,
}

impl Fixed for Form {
    const SIZE: usize = 13;
    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.analyzer.code());
        self.text.write(out);
        out.extend_from_slice(&self.word.to_le_bytes());
    }
    fn read(b: &[u8]) -> Option<Self> {
        Some(Form {
            analyzer: Analyzer::from_code(b[0])?,
            text: Span::read(b, 1),
            word: u32_at(b, 9),
        })
    }
}

/// A label or synonym of a situation, in one language.
#[derive(Debug, Clone)]
struct Name {
    situation: u32,
    /// A range of [`SituationMatcher::name_words`].
    words: Span,
    /// For Thai and Persian: the name without spaces or joiners, for substring matching.
    compact: Option<Span>,
}

/// Marks a name without a compact form in the fixed-width encoding.
const NO_COMPACT: u32 = u32::MAX;

impl Fixed for Name {
    const SIZE: usize = 20;
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.situation.to_le_bytes());
        self.words.write(out);
        let none = Span {
            start: NO_COMPACT,
            end: NO_COMPACT,
        };
        self.compact.unwrap_or(none).write(out);
    }
    fn read(b: &[u8]) -> Option<Self> {
        let compact = Span::read(b, 12);
        Some(Name {
            situation: u32_at(b, 0),
            words: Span::read(b, 4),
            compact: (compact.start != NO_COMPACT).then_some(compact),
        })
    }
}

/// Matches queries to situations through labels and synonyms in all languages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SituationMatcher {
    /// Every string of the matcher, end to end (UTF-8, checked where a span is read as
    /// text; compared as bytes otherwise).
    #[serde(with = "crate::fixed::bytes")]
    text: Vec<u8>,
    /// Situation ids, in taxonomy order.
    #[serde(with = "crate::fixed::table")]
    ids: Vec<Span>,
    /// Names share most of their words ("customer", "kunde"), so each distinct word is
    /// kept once and matched against the query once per search.
    #[serde(with = "crate::fixed::table")]
    vocabulary: Vec<VocabularyWord>,
    /// Every form of every vocabulary word, sorted by analyzer and text.
    #[serde(with = "crate::fixed::table")]
    forms: Vec<Form>,
    #[serde(with = "crate::fixed::table")]
    names: Vec<Name>,
    /// The vocabulary words of each name, in order.
    #[serde(with = "crate::fixed::table")]
    name_words: Vec<u32>,
    /// The analyzers the vocabulary uses.
    analyzers: Vec<Analyzer>,
    /// Tables derived from the ones above when first needed, and what earlier queries'
    /// unknown words matched (never cached on disk: rebuilt by each process).
    #[serde(skip)]
    derived: Derived,
}

/// What the matcher derives from its tables, and remembers between queries.
struct Derived {
    /// For each vocabulary word, the names that have it (ascending): a query is compared
    /// only with the names that share a word with it, not with all ~1,700.
    names_by_word: OnceLock<Vec<Vec<u32>>>,
    /// For each vocabulary word, whether it is generic: in the names of so many situations
    /// ("customer", "kunde", "مشتری") that it tells none of them apart.
    generic: OnceLock<Vec<bool>>,
    /// The names that have a compact (Thai or Persian) spelling, by its first two letters.
    compact_names: OnceLock<CompactNames>,
    /// An unknown query word's typo matches, by (folded word, analyzers asked): a query is
    /// matched again on every keystroke, and each earlier word not in the taxonomy was
    /// compared with the whole vocabulary again (half the matcher's time in a profile of
    /// `serve` under load).
    typo_matches: Mutex<TypoMatches>,
}

/// Vocabulary words by (folded unknown query word, analyzer bits).
type TypoMatches = LruCache<(String, u32), Arc<[u32]>>;

/// Compact (Thai or Persian) spellings of names, by their first two letters (a name of one
/// letter under that letter and `'\0'`): a text holds a name only where the name's first two
/// letters stand side by side in it, so a query is compared with the names at each of its
/// letter pairs, not with all ~1,700 (comparing with each of them was two thirds of the
/// matcher's time for a Thai or Persian query).
#[derive(Default)]
struct CompactNames {
    by_head: HashMap<(char, char), Vec<CompactName>>,
}

/// A name's index and its compact spelling.
type CompactName = (u32, Box<str>);

impl CompactNames {
    fn head(text: &str) -> Option<(char, char)> {
        let mut chars = text.chars();
        Some((chars.next()?, chars.next().unwrap_or('\0')))
    }

    fn add(&mut self, name: u32, spelling: &str) {
        if let Some(head) = CompactNames::head(spelling) {
            self.by_head
                .entry(head)
                .or_default()
                .push((name, spelling.into()));
        }
    }

    /// The names whose compact spelling occurs in `text`, with it, ascending by name.
    fn found_in<'a>(&'a self, text: &str) -> Vec<(u32, &'a str)> {
        let mut found = Vec::new();
        for (at, _) in text.char_indices() {
            let rest = &text[at..];
            let Some((a, b)) = CompactNames::head(rest) else {
                continue;
            };
            // Names of two letters or more start with (a, b); names of one letter are under
            // (a, '\0'), which is also the head of the text's last letter.
            let heads = [(a, b), (a, '\0')];
            let heads = if b == '\0' { &heads[..1] } else { &heads[..] };
            for head in heads {
                for (name, spelling) in self.by_head.get(head).into_iter().flatten() {
                    if rest.starts_with(&**spelling) {
                        found.push((*name, &**spelling));
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

impl Default for Derived {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(MATCHER_TYPO_WORDS_KEPT).unwrap_or(NonZeroUsize::MIN);
        Derived {
            names_by_word: OnceLock::new(),
            generic: OnceLock::new(),
            compact_names: OnceLock::new(),
            typo_matches: Mutex::new(LruCache::new(capacity)),
        }
    }
}

impl Clone for Derived {
    /// A copy derives and remembers afresh.
    fn clone(&self) -> Self {
        Derived::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

/// A word as an analyzer sees it, while building the matcher or reading a query.
#[derive(Debug, Clone)]
struct Word {
    /// Byte range of the surface word in the text it came from.
    span: (usize, usize),
    folded: String,
    /// Its analysed forms (stems, variants); for a stop word, the word itself.
    forms: Vec<String>,
    stop: bool,
}

fn analyzer_for_taxonomy_lang(lang: &str) -> Analyzer {
    crate::model::Lang::from_code(lang).map_or(Analyzer::English, Analyzer::for_words_of)
}

/// The words of `text` as `analyzer` sees them, one entry per surface word.
fn words_of(text: &str, analyzer: Analyzer) -> Vec<Word> {
    let surface = match analyzer {
        Analyzer::PersianStem | Analyzer::Persian => Analyzer::Persian,
        Analyzer::ThaiWords | Analyzer::ThaiBigrams => Analyzer::ThaiWords,
        _ => Analyzer::LatinExact,
    };
    surface
        .surface_words(text)
        .into_iter()
        .map(|w| {
            let mut forms = if analyzer == surface {
                vec![w.text.clone()]
            } else {
                analyzer.terms(&w.text)
            };
            let folded = fold_diacritics(&w.text);
            // Persian surface words come normalised already.
            let stop = forms.is_empty()
                || (surface == Analyzer::Persian && is_persian_function_word(&w.text));
            if stop && !forms.contains(&folded) {
                forms.push(folded.clone());
            }
            Word {
                span: (w.start, w.end),
                folded,
                forms,
                stop,
            }
        })
        .collect()
}

/// Adds `item` to `list` unless it is there already (lists of a few situations).
fn push_new(list: &mut Vec<u32>, item: u32) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The set of a word's characters, hashed into 64 buckets.
fn char_mask(word: &str) -> u64 {
    word.chars().fold(0, |mask, c| mask | 1 << (c as u32 % 64))
}

/// Text without spaces and joiners, for matching Thai and Persian names inside a query.
fn compact(text: &str) -> String {
    normalize_persian(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}'))
        .collect()
}

/// Builds the flat tables of a [`SituationMatcher`].
#[derive(Default)]
struct Builder {
    text: String,
    vocabulary: Vec<VocabularyWord>,
    forms: Vec<Form>,
    names: Vec<Name>,
    name_words: Vec<u32>,
    known: HashMap<(Analyzer, String), u32>,
}

impl Builder {
    fn push_text(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Span {
            start,
            end: self.text.len() as u32,
        }
    }

    /// The vocabulary index of `word`, added if new (words are told apart by analyzer and
    /// folded spelling).
    fn word_id(&mut self, analyzer: Analyzer, word: Word) -> u32 {
        if let Some(&id) = self.known.get(&(analyzer, word.folded.clone())) {
            return id;
        }
        let id = self.vocabulary.len() as u32;
        let folded = self.push_text(&word.folded);
        self.vocabulary.push(VocabularyWord {
            analyzer,
            stop: word.stop,
            chars: char_mask(&word.folded),
            len: word.folded.chars().count() as u32,
            folded,
        });
        for form in &word.forms {
            let text = self.push_text(form);
            self.forms.push(Form {
                analyzer,
                text,
                word: id,
            });
        }
        self.known.insert((analyzer, word.folded), id);
        id
    }

    fn add_name(&mut self, situation: u32, lang: &str, name: &str) {
        let analyzer = analyzer_for_taxonomy_lang(lang);
        let ids: Vec<u32> = words_of(name, analyzer)
            .into_iter()
            .map(|w| self.word_id(analyzer, w))
            .collect();
        let compact_form = matches!(lang, "fa" | "th")
            .then(|| compact(name))
            .filter(|c| c.chars().count() >= 3);
        if ids.is_empty() && compact_form.is_none() {
            return;
        }
        let start = self.name_words.len() as u32;
        self.name_words.extend(ids);
        let words = Span {
            start,
            end: self.name_words.len() as u32,
        };
        let compact = compact_form.map(|c| self.push_text(&c));
        self.names.push(Name {
            situation,
            words,
            compact,
        });
    }

    fn finish(mut self, taxonomy: &Taxonomy) -> SituationMatcher {
        let ids = taxonomy
            .situations
            .iter()
            .map(|s| self.push_text(&s.id))
            .collect();
        let text = self.text;
        let mut forms = self.forms;
        forms.sort_by(|a, b| {
            (a.analyzer, &text[a.text.range()], a.word).cmp(&(
                b.analyzer,
                &text[b.text.range()],
                b.word,
            ))
        });
        let mut analyzers: Vec<Analyzer> = self.vocabulary.iter().map(|w| w.analyzer).collect();
        analyzers.sort();
        analyzers.dedup();
        SituationMatcher {
            text: text.into_bytes(),
            ids,
            vocabulary: self.vocabulary,
            forms,
            names: self.names,
            name_words: self.name_words,
            analyzers,
            derived: Derived::default(),
        }
    }
}

/// How a query's words relate to the vocabulary.
struct QueryMatch {
    /// How well each vocabulary word matches its best query word (0 when none does).
    scores: Vec<f32>,
    /// How many content words (not stop words) the query has, per analyzer.
    content: Vec<(Analyzer, usize)>,
    /// How many of those are generic words of the names (see [`Derived::generic`]).
    generic: Vec<(Analyzer, usize)>,
    /// Which query word (byte range) matched which vocabulary word.
    hits: Vec<(u32, (usize, usize))>,
}

impl QueryMatch {
    fn content_words(&self, analyzer: Analyzer) -> usize {
        count_for(&self.content, analyzer)
    }

    fn generic_words(&self, analyzer: Analyzer) -> usize {
        count_for(&self.generic, analyzer)
    }
}

fn count_for(counts: &[(Analyzer, usize)], analyzer: Analyzer) -> usize {
    counts
        .iter()
        .find(|(a, _)| *a == analyzer)
        .map_or(0, |(_, n)| *n)
}

impl SituationMatcher {
    pub fn new(taxonomy: &Taxonomy) -> Self {
        let mut builder = Builder::default();
        for (i, s) in taxonomy.situations.iter().enumerate() {
            for (lang, text) in s.names() {
                builder.add_name(i as u32, lang, text);
            }
        }
        builder.finish(taxonomy)
    }

    /// Whether every span and index points inside its table: a cache that decodes but
    /// does not pass this is rebuilt, never trusted (an index out of range would panic).
    pub fn is_consistent(&self) -> bool {
        let within = |span: Span, len: usize| span.start <= span.end && span.end as usize <= len;
        let text = self.text.len();
        let words = self.vocabulary.len() as u32;
        self.ids.iter().all(|&s| within(s, text))
            && self.vocabulary.iter().all(|w| within(w.folded, text))
            && self
                .forms
                .iter()
                .all(|f| within(f.text, text) && f.word < words)
            && self.name_words.iter().all(|&w| w < words)
            && self.names.iter().all(|n| {
                (n.situation as usize) < self.ids.len()
                    && within(n.words, self.name_words.len())
                    && n.compact.is_none_or(|c| within(c, text))
            })
    }

    /// A span of the text, as text ("" if a damaged cache split a character).
    fn str(&self, span: Span) -> &str {
        std::str::from_utf8(self.bytes(span)).unwrap_or("")
    }

    fn bytes(&self, span: Span) -> &[u8] {
        self.text.get(span.range()).unwrap_or(&[])
    }

    fn id(&self, situation: usize) -> &str {
        self.str(self.ids[situation])
    }

    fn words_of_name(&self, name: &Name) -> &[u32] {
        &self.name_words[name.words.range()]
    }

    /// Situations the query names, best first.
    pub fn resolve(&self, query: &str) -> Vec<Resolved> {
        let scores = self.score_all(query, false);
        let best = scores.iter().map(|r| r.strength).fold(0.0f32, f32::max);
        let mut out: Vec<Resolved> = scores
            .into_iter()
            .filter(|r| {
                r.strength >= RESOLVE_MIN_STRENGTH && r.strength >= best * RESOLVE_MIN_SHARE
            })
            .collect();
        out.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    /// Situations a query partly resembles, for "did you mean".
    pub fn suggest(&self, query: &str, n: usize) -> Vec<String> {
        let mut scores = self.score_all(query, true);
        scores.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then_with(|| a.id.cmp(&b.id))
        });
        scores
            .into_iter()
            .filter(|r| r.strength > SUGGEST_MIN_STRENGTH)
            .take(n)
            .map(|r| r.id)
            .collect()
    }

    /// The vocabulary words one of whose forms is spelt `form`.
    fn words_with_form(&self, analyzer: Analyzer, form: &str) -> impl Iterator<Item = u32> {
        let form = form.as_bytes();
        let key = |f: &Form| (f.analyzer, self.bytes(f.text));
        let start = self.forms.partition_point(|f| key(f) < (analyzer, form));
        self.forms[start..]
            .iter()
            .take_while(move |f| key(f) == (analyzer, form))
            .map(|f| f.word)
    }

    /// Whether a vocabulary word is within the typo budget of a query word.
    fn within_typos(
        &self,
        word: &VocabularyWord,
        query_word: &Word,
        query_len: usize,
        query_chars: u64,
    ) -> bool {
        let len = word.len as usize;
        let budget = typo_budget(len.min(query_len));
        // Every character one word has and the other lacks needs at least one edit.
        let missing = (word.chars & !query_chars).count_ones() as usize;
        let extra = (query_chars & !word.chars).count_ones() as usize;
        budget > 0
            && len.abs_diff(query_len) <= budget
            && missing <= budget
            && extra <= budget
            && strsim::osa_distance(self.str(word.folded), &query_word.folded) <= budget
    }

    /// Scores every vocabulary word against the query. A query word spelt like a known
    /// form matches exactly and is taken as typed: typo tolerance is only for words the
    /// taxonomy does not know ("pakke" must not become "takke").
    fn match_query(&self, query: &str) -> QueryMatch {
        let mut scores = vec![0.0f32; self.vocabulary.len()];
        let mut content = Vec::with_capacity(self.analyzers.len());
        let mut generic = Vec::with_capacity(self.analyzers.len());
        let generic_words = self.generic_words();
        let mut hits = Vec::new();
        // Query words no form of which is known, each with the analyzers that did not know
        // it: the Latin analyzers share their surface words, so one pass over the
        // vocabulary serves all of them (it was a pass per analyzer, on every keystroke).
        let mut unknown: Vec<(Word, u32)> = Vec::new();
        for &analyzer in &self.analyzers {
            let query_words = words_of(query, analyzer);
            content.push((analyzer, query_words.iter().filter(|w| !w.stop).count()));
            let mut generic_here = 0;
            for query_word in query_words {
                let mut known = false;
                let mut only_generic = true;
                for form in &query_word.forms {
                    for word in self.words_with_form(analyzer, form) {
                        scores[word as usize] = EXACT;
                        hits.push((word, query_word.span));
                        known = true;
                        only_generic &= generic_words[word as usize];
                    }
                }
                if known {
                    if only_generic && !query_word.stop {
                        generic_here += 1;
                    }
                    continue;
                }
                let bit = 1u32 << analyzer.code();
                match unknown
                    .iter_mut()
                    .find(|(w, _)| w.span == query_word.span && w.folded == query_word.folded)
                {
                    Some((_, analyzers)) => *analyzers |= bit,
                    None => unknown.push((query_word, bit)),
                }
            }
            generic.push((analyzer, generic_here));
        }
        for (query_word, analyzers) in &unknown {
            for &i in self.typo_matches(query_word, *analyzers).iter() {
                if scores[i as usize] < TYPO {
                    scores[i as usize] = TYPO;
                    hits.push((i, query_word.span));
                }
            }
        }
        QueryMatch {
            scores,
            content,
            generic,
            hits,
        }
    }

    /// The vocabulary words (of the `analyzers` bits) within typo distance of an unknown
    /// query word, remembered for the next keystroke.
    fn typo_matches(&self, query_word: &Word, analyzers: u32) -> Arc<[u32]> {
        let key = (query_word.folded.clone(), analyzers);
        let lock = || {
            self.derived
                .typo_matches
                .lock()
                .unwrap_or_else(|p| p.into_inner())
        };
        if let Some(found) = lock().get(&key) {
            return Arc::clone(found);
        }
        let query_len = query_word.folded.chars().count();
        let query_chars = char_mask(&query_word.folded);
        let found: Arc<[u32]> = self
            .vocabulary
            .iter()
            .enumerate()
            .filter(|(_, word)| {
                analyzers & (1 << word.analyzer.code()) != 0
                    && self.within_typos(word, query_word, query_len, query_chars)
            })
            .map(|(i, _)| i as u32)
            .collect();
        lock().put(key, Arc::clone(&found));
        found
    }

    /// The names whose compact (Thai or Persian) spelling occurs in `query_compact`.
    fn compact_names_in(&self, query_compact: &str) -> Vec<(u32, &str)> {
        let names = self.derived.compact_names.get_or_init(|| {
            let mut names = CompactNames::default();
            for (n, name) in self.names.iter().enumerate() {
                if let Some(spelling) = name.compact.map(|c| self.bytes(c))
                    && let Ok(spelling) = std::str::from_utf8(spelling)
                {
                    names.add(n as u32, spelling);
                }
            }
            names
        });
        names.found_in(query_compact)
    }

    /// Which vocabulary words are generic (see [`Derived::generic`]).
    fn generic_words(&self) -> &[bool] {
        self.derived.generic.get_or_init(|| {
            let mut named_in: Vec<Vec<u32>> = vec![Vec::new(); self.vocabulary.len()];
            for name in &self.names {
                for &w in self.words_of_name(name) {
                    push_new(&mut named_in[w as usize], name.situation);
                }
            }
            // Forms join a word's spellings ("kunde", "kunden": "kund"): a word is in the
            // situations of every word it shares a form with.
            let mut by_form: HashMap<(Analyzer, &[u8]), Vec<u32>> = HashMap::new();
            for form in &self.forms {
                let key = (form.analyzer, self.bytes(form.text));
                for &s in &named_in[form.word as usize] {
                    push_new(by_form.entry(key).or_default(), s);
                }
            }
            let mut situations: Vec<Vec<u32>> = vec![Vec::new(); self.vocabulary.len()];
            for form in &self.forms {
                // A form of a word in no name has no entry (only a damaged cache has one).
                let key = (form.analyzer, self.bytes(form.text));
                for &s in by_form.get(&key).into_iter().flatten() {
                    push_new(&mut situations[form.word as usize], s);
                }
            }
            // Two situations sharing a word is no reason to call it generic.
            let limit = (self.ids.len() as f32 * GENERIC_NAME_WORD_SHARE).max(2.0);
            situations.iter().map(|s| s.len() as f32 >= limit).collect()
        })
    }

    /// The names worth comparing with a query, ascending: all of them for suggestions
    /// (a partial match counts), else those sharing a matched word with it and those whose
    /// compact spelling the query has (`compact`).
    fn candidate_names(
        &self,
        matched: &QueryMatch,
        partial: bool,
        compact: &[(u32, &str)],
    ) -> Vec<u32> {
        if partial {
            return (0..self.names.len() as u32).collect();
        }
        let by_word = self.derived.names_by_word.get_or_init(|| {
            let mut by_word = vec![Vec::new(); self.vocabulary.len()];
            for (n, name) in self.names.iter().enumerate() {
                for &w in self.words_of_name(name) {
                    let names: &mut Vec<u32> = &mut by_word[w as usize];
                    if names.last() != Some(&(n as u32)) {
                        names.push(n as u32);
                    }
                }
            }
            by_word
        });
        let mut names: Vec<u32> = matched
            .hits
            .iter()
            .flat_map(|&(w, _)| by_word[w as usize].iter().copied())
            .collect();
        names.extend(compact.iter().map(|&(n, _)| n));
        names.sort_unstable();
        names.dedup();
        names
    }

    fn score_all(&self, query: &str, partial: bool) -> Vec<Resolved> {
        // Per situation: the best (strength, coverage, explained words) of its names.
        type Best = (f32, f32, Vec<(usize, usize)>);
        let mut best: Vec<Best> = vec![(0.0, 0.0, Vec::new()); self.ids.len()];
        let mut keep = |situation: usize, strength: f32, coverage: f32, explained: Vec<_>| {
            let e = &mut best[situation];
            if strength > e.0 || (strength == e.0 && coverage > e.1) {
                *e = (strength, coverage, explained);
            }
        };
        let query_lower = query.to_lowercase();
        let query_content = query_lower.split_whitespace().count().max(1) as f32;
        for i in 0..self.ids.len() {
            if let Some(at) = query_lower.find(self.id(i)) {
                let explained = if query_lower.len() == query.len() {
                    vec![(at, at + self.id(i).len())]
                } else {
                    Vec::new()
                };
                keep(
                    i,
                    ID_MATCH_STRENGTH,
                    (1.0 / query_content).min(1.0),
                    explained,
                );
            }
        }
        let matched = self.match_query(query);
        let query_compact = compact(query);
        // Thai and Persian words of the query, for what a compact name explains.
        let joined_words: Vec<(String, (usize, usize))> = if query_compact.is_ascii() {
            Vec::new()
        } else {
            [Analyzer::ThaiWords, Analyzer::Persian]
                .iter()
                .flat_map(|a| a.surface_words(query))
                .map(|t| (compact(&t.text), (t.start, t.end)))
                .filter(|(c, _)| !c.is_empty() && !c.is_ascii())
                .collect()
        };
        // Compact names are Thai or Persian: looked for only in a query that has such letters.
        let compact = if query_compact.is_ascii() {
            Vec::new()
        } else {
            self.compact_names_in(&query_compact)
        };
        for n in self.candidate_names(&matched, partial, &compact) {
            let name = &self.names[n as usize];
            let words = self.words_of_name(name);
            let mut score = self.name_match(words, &matched.scores, partial);
            let mut coverage = 0.0;
            let mut explained = Vec::new();
            if score > 0.0 {
                let analyzer = self.vocabulary[words[0] as usize].analyzer;
                coverage = self.coverage(words, &matched, analyzer);
                explained = matched
                    .hits
                    .iter()
                    .filter(|(w, _)| words.contains(w))
                    .map(|&(_, span)| span)
                    .collect();
            }
            if let Ok(at) = compact.binary_search_by_key(&n, |&(name, _)| name) {
                let c = compact[at].1;
                let compact_score = 1.0 + COMPACT_LENGTH_BONUS * c.chars().count().min(20) as f32;
                if compact_score >= score {
                    score = compact_score;
                    let query_len = query_compact.chars().count().max(1);
                    coverage = c.chars().count() as f32 / query_len as f32;
                    explained = joined_words
                        .iter()
                        .filter(|(w, _)| c.contains(w.as_str()))
                        .map(|&(_, span)| span)
                        .collect();
                }
            }
            if score > 0.0 {
                keep(name.situation as usize, score, coverage, explained);
            }
        }
        best.into_iter()
            .enumerate()
            .filter(|(_, (strength, _, _))| *strength > 0.0)
            .map(|(i, (strength, coverage, mut explained))| {
                explained.sort_unstable();
                explained.dedup();
                Resolved {
                    id: self.id(i).to_string(),
                    strength,
                    coverage,
                    explained,
                }
            })
            .collect()
    }

    /// How much of the query a name explains: its content words per content word of the
    /// query, generic words left out on both sides ("kunde kræver en leder" is not mostly
    /// the name "krævende kunde": "kunde" is in most names, and tells nothing). A name of
    /// generic words only is measured with them.
    fn coverage(&self, words: &[u32], matched: &QueryMatch, analyzer: Analyzer) -> f32 {
        let generic = self.generic_words();
        let content = || words.iter().filter(|&&w| !self.vocabulary[w as usize].stop);
        let name_content = content().count();
        let name_specific = content().filter(|&&w| !generic[w as usize]).count();
        let query_content = matched.content_words(analyzer);
        let (name, query) = if name_specific > 0 {
            (
                name_specific,
                query_content.saturating_sub(matched.generic_words(analyzer)),
            )
        } else {
            (name_content, query_content)
        };
        (name as f32 / query.max(1) as f32).min(1.0)
    }

    /// How well a name matches the query: about 1 when every word of the name is in the
    /// query (more for longer names, which are more specific), 0 when not. Stop words count
    /// only in names with at most one other word ("kan ikke" needs its "kan").
    fn name_match(&self, words: &[u32], scores: &[f32], partial: bool) -> f32 {
        // Most names share no word with the query: done before any counting.
        if !partial && words.iter().all(|&w| scores[w as usize] == 0.0) {
            return 0.0;
        }
        let is_stop = |w: u32| self.vocabulary[w as usize].stop;
        let content = words.iter().filter(|&&w| !is_stop(w)).count();
        let required = || {
            words
                .iter()
                .copied()
                .filter(move |&w| content <= 1 || !is_stop(w))
        };
        let n = required().count();
        if n == 0 {
            return 0.0;
        }
        let total: f32 = required().map(|w| scores[w as usize]).sum();
        let matched = required().filter(|&w| scores[w as usize] > 0.0).count();
        let n = n as f32;
        if matched as f32 == n {
            total / n + NAME_LENGTH_BONUS * (n - 1.0).min(3.0)
        } else if partial {
            PARTIAL_NAME_SHARE * total / n
        } else {
            0.0
        }
    }
}

/// A situation the query named.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub id: String,
    /// About 1 for a clear match, more for longer (more specific) names.
    pub strength: f32,
    /// How much of the query the matched name explains (1: the query is the name).
    pub coverage: f32,
    /// The byte ranges of the query words the matched name explains.
    pub explained: Vec<(usize, usize)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::parse_taxonomy;

    #[test]
    fn compact_names_are_found_wherever_the_text_has_them() {
        let mut names = CompactNames::default();
        for (n, name) in ["ลูกค้าโกรธ", "ผู้จัดการ", "คุยกับผู้จัดการ", "ก", "مشتریعصبانی"]
            .iter()
            .enumerate()
        {
            names.add(n as u32, name);
        }
        let found = |text: &str| -> Vec<u32> {
            names
                .found_in(&compact(text))
                .iter()
                .map(|&(n, _)| n)
                .collect()
        };
        assert_eq!(found("ลูกค้าโกรธมาก อยากคุยกับผู้จัดการ"), [0, 1, 2, 3]);
        assert_eq!(found("ดี"), Vec::<u32>::new());
        // A one-letter name, at the text's end too.
        assert_eq!(found("มาก"), [3]);
        assert_eq!(found("مشتری عصبانی است و داد می‌زند"), [4]);
        // Names of another script are never found.
        assert_eq!(found("angry customer"), Vec::<u32>::new());
        assert_eq!(found(""), Vec::<u32>::new());
    }

    const TAXONOMY: &str = r#"
[[situation]]
id = "refund-demand"
label = "Refund demand"
description = "The customer wants their money back."
[situation.labels]
fa = "درخواست بازپرداخت"
ro = "Cerere de rambursare"
th = "ขอคืนเงิน"
da = "Krav om refusion"
[situation.synonyms]
en = ["wants a refund", "money back", "money"]
fa = ["پول را پس می‌خواهد"]
ro = ["vrea banii înapoi"]
th = ["ต้องการเงินคืน"]
da = ["vil have pengene tilbage"]

[[situation]]
id = "manager-request"
label = "Manager request"
description = "The customer asks for a manager."
[situation.labels]
fa = "درخواست مدیر"
ro = "Cere un manager"
th = "ขอคุยกับผู้จัดการ"
da = "Vil tale med en leder"
[situation.synonyms]
en = ["speak to a supervisor", "monkey"]
fa = ["می‌خواهد با مدیر صحبت کند"]
ro = ["vrea să vorbească cu șeful"]
th = ["ขอสายหัวหน้า"]
da = ["vil tale med chefen"]
"#;

    fn matcher() -> SituationMatcher {
        matcher_of(TAXONOMY)
    }

    /// The matcher of a taxonomy that `check` finds nothing wrong with.
    fn matcher_of(taxonomy: &str) -> SituationMatcher {
        let (taxonomy, diagnostics) = parse_taxonomy(taxonomy.as_bytes(), "situations.toml");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        SituationMatcher::new(&taxonomy.unwrap())
    }

    fn resolved(m: &SituationMatcher, query: &str) -> Vec<String> {
        m.resolve(query).into_iter().map(|r| r.id).collect()
    }

    #[test]
    fn names_resolve_in_every_language() {
        let m = matcher();
        for query in [
            "customer wants a refund",
            "درخواست بازپرداخت",
            "cerere de rambursare",
            "ขอคืนเงิน",
            "kunden vil have pengene tilbage",
        ] {
            assert_eq!(resolved(&m, query), ["refund-demand"], "{query}");
        }
        assert_eq!(resolved(&m, "vil tale med en leder"), ["manager-request"]);
        // Persian function words are not needed, formal or colloquial.
        assert_eq!(resolved(&m, "پول پس می‌خواهد"), ["refund-demand"]);
        assert_eq!(resolved(&m, "پول رو پس می‌خواهد"), ["refund-demand"]);
        // Without diacritics; with a space where Persian writes a zero-width non-joiner.
        assert_eq!(resolved(&m, "vrea banii inapoi"), ["refund-demand"]);
        assert_eq!(
            resolved(&m, "می خواهد با مدیر صحبت کند"),
            ["manager-request"]
        );
    }

    #[test]
    fn missing_diacritics_and_thai_inside_a_sentence_still_match() {
        let m = matcher();
        assert_eq!(resolved(&m, "cere un manager"), ["manager-request"]);
        assert_eq!(resolved(&m, "Cere un manager acum"), ["manager-request"]);
        assert_eq!(resolved(&m, "ลูกค้าขอคุยกับผู้จัดการค่ะ"), ["manager-request"]);
    }

    #[test]
    fn unknown_words_get_typo_tolerance_known_words_do_not() {
        let m = matcher();
        // "supervsor" is not a word of the taxonomy: one typo from "supervisor".
        assert_eq!(resolved(&m, "speak to a supervsor"), ["manager-request"]);
        assert_eq!(resolved(&m, "manger request"), ["manager-request"]);
        // "moneyy" is unknown: one typo from "money", two from "monkey".
        assert_eq!(resolved(&m, "moneyy"), ["refund-demand"]);
        // "monkey" is a known word, so it is taken as typed, not as a typo of "money".
        assert_eq!(resolved(&m, "monkey"), ["manager-request"]);
        assert!(resolved(&m, "weather forecast").is_empty());
    }

    #[test]
    fn a_matcher_that_remembers_answers_every_keystroke_as_a_fresh_one() {
        let used = matcher();
        // Everything resolved, to the bit (f32's Debug is exact).
        let full = |m: &SituationMatcher, q: &str| format!("{:?}", m.resolve(q));
        // The second time every unknown word is remembered.
        let sentences = [
            "custmer wants a refnd, speak to a supervsor",
            "clientul vrea baniii inapoi si cere un mangaer",
            "مشتري پول رو پس ميخواد، با مدیر صحبت کند",
            "ลูกค้าขอคืนเงินค่ะ ขอสายหัวหน้า",
            "kunden vil have pengene tilbagee og tale med chefn",
        ];
        crate::testing::each_keystroke_twice(&sentences, |typed| {
            assert_eq!(full(&used, typed), full(&matcher(), typed), "{typed}");
            assert_eq!(used.suggest(typed, 3), matcher().suggest(typed, 3));
        });
    }

    #[test]
    fn a_situation_says_which_query_words_it_explains() {
        let m = matcher();
        let query = "customer wants a refund before friday";
        let r = m.resolve(query);
        assert_eq!(r.len(), 1);
        let words: Vec<&str> = r[0].explained.iter().map(|&(s, e)| &query[s..e]).collect();
        // The need ("before friday") is left for the steps' own words to match.
        assert!(
            words.contains(&"wants") && words.contains(&"refund"),
            "{words:?}"
        );
        assert!(
            !words.contains(&"before") && !words.contains(&"friday"),
            "{words:?}"
        );
        let query = "ลูกค้าขอคืนเงินด่วน";
        let r = m.resolve(query);
        assert_eq!(r[0].id, "refund-demand");
        assert!(!r[0].explained.is_empty());
        assert!(
            r[0].explained
                .iter()
                .all(|&(s, e)| !query[s..e].contains("ด่วน"))
        );
    }

    #[test]
    fn words_most_names_share_do_not_count_towards_coverage() {
        let taxonomy = r#"
[[situation]]
id = "toxic-customer"
label = "Toxic customer"
description = "x"
[situation.labels]
fa = "مشتری سمی"
ro = "Client dificil"
th = "ลูกค้าเป็นพิษ"
da = "Krævende kunde"
[situation.synonyms]
en = ["difficult customer"]
fa = ["مشتری بدقلق"]
ro = ["client toxic"]
th = ["ลูกค้าจุกจิก"]
da = ["toksisk kunde"]
[[situation]]
id = "angry-customer"
label = "Angry customer"
description = "x"
[situation.labels]
fa = "مشتری عصبانی"
ro = "Client furios"
th = "ลูกค้าโกรธ"
da = "Vred kunde"
[situation.synonyms]
en = ["furious customer"]
fa = ["مشتری خشمگین"]
ro = ["client nervos"]
th = ["ลูกค้าโมโห"]
da = ["sur kunde"]
[[situation]]
id = "manager-request"
label = "Manager request"
description = "x"
[situation.labels]
fa = "مدیر"
ro = "Manager"
th = "ผู้จัดการ"
da = "Leder"
[situation.synonyms]
en = ["supervisor"]
fa = ["سرپرست"]
ro = ["șeful"]
th = ["หัวหน้า"]
da = ["chefen"]
"#;
        let m = matcher_of(taxonomy);
        let coverage = |query: &str, id: &str| {
            m.resolve(query)
                .into_iter()
                .find(|r| r.id == id)
                .map(|r| r.coverage)
        };
        // "kunde" is in two of the three situations' names: the customer "kræver" (demands)
        // a manager; the query is not mostly the name "krævende kunde".
        assert_eq!(
            coverage("kunde kræver en leder", "toxic-customer"),
            Some(0.5)
        );
        assert_eq!(
            coverage("kunde kræver en leder", "manager-request"),
            Some(0.5)
        );
        assert_eq!(
            coverage("clientul dificil cere manager", "toxic-customer"),
            Some(1.0 / 3.0)
        );
        // A name is still the whole of a query that is the name.
        assert_eq!(coverage("vred kunde", "angry-customer"), Some(1.0));
        assert_eq!(coverage("kunderne er vrede", "angry-customer"), Some(1.0));
        assert_eq!(coverage("مشتری سمی", "toxic-customer"), Some(1.0));
        assert_eq!(coverage("مدیر", "manager-request"), Some(1.0));
    }

    #[test]
    fn suggestions_come_from_partial_matches() {
        let m = matcher();
        assert_eq!(m.suggest("manager", 3), ["manager-request"]);
    }

    #[test]
    fn the_matcher_survives_a_round_trip_and_rejects_damage() {
        let m = matcher();
        let bytes = postcard::to_stdvec(&m).unwrap();
        let back: SituationMatcher = postcard::from_bytes(&bytes).unwrap();
        assert!(back.is_consistent());
        assert_eq!(resolved(&back, "ขอคืนเงิน"), ["refund-demand"]);
        let mut damaged = back.clone();
        damaged.name_words[0] = u32::MAX;
        assert!(!damaged.is_consistent());
        let mut damaged = back;
        damaged.forms[0].text.end = u32::MAX;
        assert!(!damaged.is_consistent());
    }
}
