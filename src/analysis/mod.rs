//! Text analysis: one analyzer per language and script, usable as tantivy tokenizers.
//!
//! Each analyzer looks only at the script it understands (Thai, Arabic or Latin) and skips the
//! rest, so every field can be fed the whole text of a step and any query: a query routes
//! itself to the right analyzers by its script, with no language detection.

mod latin;
pub mod pairs;
pub use latin::{is_stop_word, stop_word_language};
mod persian;
mod thai;

pub use latin::{fold_diacritics, normalize_romanian};
pub use persian::{is_function_word as is_persian_function_word, normalize_persian};

use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

/// One analysed term, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    /// Word position: terms at the same position are variants of one word.
    pub position: usize,
    /// Byte range in the analysed text.
    pub start: usize,
    pub end: usize,
}

/// The analyzers, one per index field.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Analyzer {
    /// Thai words from ICU4X dictionary segmentation.
    ThaiWords,
    /// Overlapping character pairs of Thai text: a fallback when segmentations differ.
    ThaiBigrams,
    /// Normalised Persian words, with affixes re-joined.
    Persian,
    /// Persian words with light suffix stripping.
    PersianStem,
    /// Latin-script words, lowercased, exactly as spelt otherwise.
    LatinExact,
    /// Romanian: stemmed, then diacritics folded.
    Romanian,
    /// Danish: `aa`/`oe`/`ae` mapped, stemmed, then folded.
    Danish,
    /// English: stop words removed, stemmed.
    English,
}

impl Analyzer {
    /// The language whose text this analyzer reads (`None`: text in any Latin-script
    /// language, spelt exactly). The one place that ties analyzers to languages.
    pub fn language(self) -> Option<crate::model::Lang> {
        use crate::model::Lang;
        match self {
            Analyzer::LatinExact => None,
            Analyzer::English => Some(Lang::En),
            Analyzer::ThaiWords | Analyzer::ThaiBigrams => Some(Lang::Th),
            Analyzer::Persian | Analyzer::PersianStem => Some(Lang::Fa),
            Analyzer::Romanian => Some(Lang::Ro),
            Analyzer::Danish => Some(Lang::Da),
        }
    }

    /// The analyzer that reads the words of `lang` as the taxonomy's labels and synonyms
    /// are read: its stemmed forms where the language has them.
    pub fn for_words_of(lang: crate::model::Lang) -> Analyzer {
        use crate::model::Lang;
        match lang {
            Lang::Fa => Analyzer::PersianStem,
            Lang::Th => Analyzer::ThaiWords,
            Lang::Ro => Analyzer::Romanian,
            Lang::Da => Analyzer::Danish,
            Lang::En => Analyzer::English,
        }
    }

    pub const ALL: [Analyzer; 8] = [
        Analyzer::ThaiWords,
        Analyzer::ThaiBigrams,
        Analyzer::Persian,
        Analyzer::PersianStem,
        Analyzer::LatinExact,
        Analyzer::Romanian,
        Analyzer::Danish,
        Analyzer::English,
    ];

    /// A one-byte code for compact tables; [`Analyzer::from_code`] reads it back.
    pub fn code(self) -> u8 {
        Analyzer::ALL.iter().position(|&a| a == self).unwrap_or(0) as u8
    }

    pub fn from_code(code: u8) -> Option<Analyzer> {
        Analyzer::ALL.get(usize::from(code)).copied()
    }

    /// The tokenizer name registered with tantivy (also the field name).
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::ThaiWords => "th",
            Analyzer::ThaiBigrams => "th_bigram",
            Analyzer::Persian => "fa",
            Analyzer::PersianStem => "fa_stem",
            Analyzer::LatinExact => "latin",
            Analyzer::Romanian => "ro",
            Analyzer::Danish => "da",
            Analyzer::English => "en",
        }
    }

    /// The tokenizer (and field) name of the analyzer's word pairs ([`pairs`]), if it makes
    /// them: one analyzer per language, the one that reads its words most loosely (stems,
    /// folded letters), since a pair is a rarer match than a word. Not the exact Latin and
    /// Persian spellings: their pairs were as many terms again to index (a build at 10,000
    /// playbooks took half as long again) for answers the stems find too; nor Thai bigrams,
    /// pieces of words the dictionary does not know.
    pub fn pairs_name(self) -> Option<&'static str> {
        match self {
            Analyzer::ThaiWords => Some("th_pairs"),
            Analyzer::PersianStem => Some("fa_stem_pairs"),
            Analyzer::Romanian => Some("ro_pairs"),
            Analyzer::Danish => Some("da_pairs"),
            Analyzer::English => Some("en_pairs"),
            Analyzer::ThaiBigrams | Analyzer::Persian | Analyzer::LatinExact => None,
        }
    }

    /// Analyses `text` into terms.
    pub fn analyze(self, text: &str) -> Vec<Term> {
        match self {
            Analyzer::ThaiWords => thai::words(text),
            Analyzer::ThaiBigrams => thai::bigrams(text),
            Analyzer::Persian => persian::words(text),
            Analyzer::PersianStem => persian::stems(text),
            Analyzer::LatinExact => latin::exact(text),
            Analyzer::Romanian => latin::romanian(text),
            Analyzer::Danish => latin::danish(text),
            Analyzer::English => latin::english(text),
        }
    }

    /// The words as typed (case and Unicode form normalised), stop words included: the
    /// units a query is made of. Thai and Persian words are those of their analyzers.
    pub fn surface_words(self, text: &str) -> Vec<Term> {
        match self {
            Analyzer::ThaiWords | Analyzer::ThaiBigrams => thai::words(text),
            Analyzer::Persian | Analyzer::PersianStem => persian::words(text),
            _ => latin::surface(text),
        }
    }

    /// The analysed term texts only.
    pub fn terms(self, text: &str) -> Vec<String> {
        self.analyze(text).into_iter().map(|t| t.text).collect()
    }

    /// Whether a query word with a typo is looked for in this analyzer's field: every field
    /// but Thai's (no spaces between words to bound a typo). (Measured: automata over the
    /// unstemmed fields only made a typed prefix's search ~6% cheaper, found the same answers
    /// on every development set, and lost one held-out query.)
    pub fn allows_fuzzy(self) -> bool {
        !matches!(self, Analyzer::ThaiBigrams | Analyzer::ThaiWords)
    }
}

/// Which script a character belongs to, as far as routing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Thai,
    Arabic,
    Latin,
    Other,
}

/// The script of one character. Digits count as Latin; ZWNJ/ZWJ as Arabic (they join Persian words).
#[inline]
pub fn script_of(c: char) -> Script {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Script::Latin
        } else {
            Script::Other
        };
    }
    match c {
        // Latin letters with diacritics (Danish, Romanian): decided without a table lookup.
        '\u{00C0}'..='\u{024F}' if c != '\u{00D7}' && c != '\u{00F7}' => Script::Latin,
        '\u{0E00}'..='\u{0E7F}' => Script::Thai,
        '\u{06F0}'..='\u{06F9}' | '\u{0660}'..='\u{0669}' => Script::Latin,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{200C}'
        | '\u{200D}' => Script::Arabic,
        // Dashes, quotes, ellipses and spaces of General Punctuation: common in every text,
        // and the Unicode table lookup below was a tenth of a build's analysis time.
        '\u{2000}'..='\u{206F}' => Script::Other,
        c if c.is_alphanumeric() => Script::Latin,
        // Combining marks (as in decomposed "ș") belong with the letter before them.
        '\u{0300}'..='\u{036F}' => Script::Latin,
        _ => Script::Other,
    }
}

/// The main script of a query: the one most of its letters are written in.
pub fn dominant_script(text: &str) -> Option<Script> {
    let (mut thai, mut arabic, mut latin) = (0, 0, 0);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        match script_of(c) {
            Script::Thai => thai += 1,
            Script::Arabic => arabic += 1,
            Script::Latin => latin += 1,
            Script::Other => {}
        }
    }
    let best = thai.max(arabic).max(latin);
    if best == 0 {
        None
    } else if best == thai {
        Some(Script::Thai)
    } else if best == arabic {
        Some(Script::Arabic)
    } else {
        Some(Script::Latin)
    }
}

/// Splits text into runs of one script: (script, byte start, run).
pub(crate) fn script_runs(text: &str, wanted: Script) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    let mut i = 0;
    while let Some(&byte) = text.as_bytes().get(i) {
        // Every analyzer scans every text it indexes: ASCII (spaces, punctuation, most
        // Latin letters) is told apart without decoding a character.
        let (script, len) = if byte.is_ascii() {
            (script_of(char::from(byte)), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (script_of(c), c.len_utf8())
        };
        match (script == wanted, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        runs.push((s, &text[s..]));
    }
    runs
}

/// A tantivy tokenizer that runs one [`Analyzer`]: its terms, or its word pairs
/// ([`pairs`]). Tantivy runs it on its indexing threads, so a build analyses on all cores.
#[derive(Clone)]
pub struct AnalyzerTokenizer {
    analyzer: Analyzer,
    pairs: bool,
}

impl AnalyzerTokenizer {
    pub fn new(analyzer: Analyzer) -> Self {
        AnalyzerTokenizer {
            analyzer,
            pairs: false,
        }
    }

    /// The tokenizer of `analyzer`'s word pairs.
    pub fn pairs(analyzer: Analyzer) -> Self {
        AnalyzerTokenizer {
            analyzer,
            pairs: true,
        }
    }

    fn terms(&self, text: &str) -> Vec<Term> {
        if !self.pairs {
            return self.analyzer.analyze(text);
        }
        pairs::pairs(self.analyzer, text)
            .into_iter()
            .enumerate()
            .map(|(position, pair)| Term {
                text: pair.text,
                position,
                start: pair.first,
                end: pair.second,
            })
            .collect()
    }
}

/// The terms of one text, handed to tantivy one at a time.
pub struct AnalyzedStream {
    terms: std::vec::IntoIter<Term>,
    token: TantivyToken,
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = AnalyzedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzedStream {
        AnalyzedStream {
            terms: self.terms(text).into_iter(),
            token: TantivyToken::default(),
        }
    }
}

impl TokenStream for AnalyzedStream {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(term) => {
                self.token = TantivyToken {
                    offset_from: term.start,
                    offset_to: term.end,
                    position: term.position,
                    text: term.text,
                    position_length: 1,
                };
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &TantivyToken {
        &self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.token
    }
}

/// Registers every analyzer with a tantivy index under its [`Analyzer::name`].
pub fn register_all(index: &tantivy::Index) {
    for analyzer in Analyzer::ALL {
        index
            .tokenizers()
            .register(analyzer.name(), AnalyzerTokenizer::new(analyzer));
        if let Some(name) = analyzer.pairs_name() {
            index
                .tokenizers()
                .register(name, AnalyzerTokenizer::pairs(analyzer));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_analyzer_sees_only_its_script() {
        let mixed = "ลูกค้าโกรธ مشتری خشمگین vred kunde";
        assert_eq!(Analyzer::Persian.terms(mixed), ["مشتری", "خشمگین"]);
        assert!(
            Analyzer::ThaiWords
                .terms(mixed)
                .contains(&"ลูกค้า".to_string())
        );
        assert_eq!(Analyzer::LatinExact.terms(mixed), ["vred", "kunde"]);
    }

    #[test]
    fn dominant_script_of_queries() {
        assert_eq!(dominant_script("ลูกค้าขอเงินคืน"), Some(Script::Thai));
        assert_eq!(dominant_script("مشتری سمی"), Some(Script::Arabic));
        assert_eq!(dominant_script("vil tale med chefen"), Some(Script::Latin));
        assert_eq!(dominant_script("\"((( 123"), None);
    }

    #[test]
    fn tantivy_stream_yields_the_same_terms() {
        let mut tok = AnalyzerTokenizer::new(Analyzer::Danish);
        let mut stream = tok.token_stream("uhøflige kunder");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push(stream.token().text.clone());
        }
        assert_eq!(seen, Analyzer::Danish.terms("uhøflige kunder"));
    }

    #[test]
    fn the_pairs_stream_yields_the_word_pairs() {
        let text = "uhøflige kunder truer";
        let mut tok = AnalyzerTokenizer::pairs(Analyzer::Danish);
        let mut stream = tok.token_stream(text);
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push(stream.token().text.clone());
        }
        let expected: Vec<String> = pairs::pairs(Analyzer::Danish, text)
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(Analyzer::Danish.pairs_name(), Some("da_pairs"));
        assert_eq!(Analyzer::LatinExact.pairs_name(), None);
    }
}
