//! Latin-script analyzers: exact words, Romanian, Danish and English.

use super::{Script, Term, script_runs};
use frostem::{Algorithm, Stemmer};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// Words so common they only add noise to a ranking, per language.
const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "for", "from", "has", "have",
    "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or",
    "our", "s", "she", "so", "that", "the", "their", "them", "they", "this", "to", "was", "we",
    "were", "what", "when", "which", "who", "will", "with", "you", "your", "how", "can", "t",
    "not",
];
const DA_STOP: &[&str] = &[
    "af", "at", "de", "den", "der", "det", "du", "en", "er", "et", "for", "fra", "han", "har",
    "hun", "i", "jeg", "med", "men", "og", "om", "på", "sig", "som", "til", "var", "vi", "at",
    "dig", "din", "dit", "dine", "ham", "hende", "så", "skal", "kan", "vil", "eller", "hvis",
    "ikke", "hvad", "hvordan", "hvorfor", "hvornår", "hvem", "hvilken", "hvilke",
];
/// The rest of Snowball's Danish stop words: not stop words for single words (measured: a
/// longer list lost queries, since colloquial questions are made of them), but no part of a
/// word pair ([`super::pairs`]): "gerne have", "over alt" say nothing about a step.
const DA_PAIR_FILLERS: &[&str] = &[
    "mig", "min", "havde", "nu", "over", "da", "ud", "sin", "dem", "os", "op", "man", "hans",
    "hvor", "selv", "her", "alle", "blev", "kunne", "ind", "når", "være", "dog", "noget", "ville",
    "jo", "deres", "efter", "ned", "skulle", "denne", "end", "dette", "mit", "også", "under",
    "have", "anden", "mine", "alt", "meget", "sit", "sine", "vor", "mod", "disse", "nogle", "hos",
    "blive", "mange", "ad", "bliver", "hendes", "været", "thi", "jer", "sådan",
];
const RO_STOP: &[&str] = &[
    "a", "al", "ale", "am", "ar", "au", "ca", "că", "ce", "cu", "de", "din", "este", "în", "la",
    "le", "lor", "mai", "o", "pe", "pentru", "sa", "să", "se", "si", "și", "sunt", "un", "una",
    "care", "fi", "fost", "el", "ea", "ei", "iar", "dacă", "daca", "va", "vă", "te", "tu", "nu",
    "cum", "când", "cand", "unde", "cine",
];

/// A stop-word list as sorted integers: every stop word fits in eight bytes, so a word is
/// looked up by packing it into a `u64`. Every word of every indexed text is looked up in up
/// to three lists: comparing strings (by scan, hash or binary search) was a tenth of a full
/// build's analysis time.
struct StopWords(LazyLock<Vec<u64>>);

impl StopWords {
    fn contains(&self, word: &str) -> bool {
        packed(word).is_some_and(|key| self.0.binary_search(&key).is_ok())
    }
}

/// The longest stop word's length in bytes ("hvornår"; a unit test keeps this true).
const STOP_WORD_MAX_BYTES: usize = 8;

/// A word of at most eight bytes as an integer (no word contains a NUL byte, so two words
/// pack alike only when they are equal).
fn packed(word: &str) -> Option<u64> {
    if word.len() > STOP_WORD_MAX_BYTES {
        return None;
    }
    let mut bytes = [0u8; 8];
    bytes[..word.len()].copy_from_slice(word.as_bytes());
    Some(u64::from_be_bytes(bytes))
}

fn sorted(list: &[&str]) -> Vec<u64> {
    let mut sorted: Vec<u64> = list.iter().filter_map(|w| packed(w)).collect();
    sorted.sort_unstable();
    sorted
}

static EN: StopWords = StopWords(LazyLock::new(|| sorted(EN_STOP)));
static DA: StopWords = StopWords(LazyLock::new(|| sorted(DA_STOP)));
static RO: StopWords = StopWords(LazyLock::new(|| sorted(RO_STOP)));
static DA_FILLERS: StopWords = StopWords(LazyLock::new(|| sorted(DA_PAIR_FILLERS)));

/// Whether a word is left out of word pairs: a stop word, or one of Danish's other function
/// words ([`DA_PAIR_FILLERS`]).
pub fn is_pair_filler(word: &str) -> bool {
    // Every pair's words are looked up: Thai, Persian and long words are none, and need no
    // lowercasing to tell (a stop word is at most eight bytes, ten before folding "å").
    let latin = word
        .chars()
        .next()
        .is_some_and(|c| super::script_of(c) == Script::Latin);
    if !latin || word.len() > STOP_WORD_MAX_BYTES + 2 {
        return false;
    }
    let lower = word.to_lowercase();
    let folded = super::fold_diacritics(&lower);
    [&EN, &DA, &RO, &DA_FILLERS]
        .iter()
        .any(|list| list.contains(&lower) || list.contains(&folded))
}

/// The language a word is a stop word of, when it is one of exactly one language ("ikke",
/// "și", "the"): function words are the surest sign of what language a query is in.
pub fn stop_word_language(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let folded = super::fold_diacritics(&lower);
    let is = |list: &StopWords| list.contains(&lower) || list.contains(&folded);
    match (is(&EN), is(&DA), is(&RO)) {
        (true, false, false) => Some("en"),
        (false, true, false) => Some("da"),
        (false, false, true) => Some("ro"),
        _ => None,
    }
}

/// Whether a word is a function word of English, Danish or Romanian ("the", "ikke", "și",
/// "de"), as typed or without diacritics.
pub fn is_stop_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    let folded = super::fold_diacritics(&lower);
    [&EN, &DA, &RO]
        .iter()
        .any(|list| list.contains(&lower) || list.contains(&folded))
}

/// Cedilla ş/ţ (as typed on old keyboards) are the comma-below ș/ț of standard Romanian.
pub fn normalize_romanian(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'ş' => 'ș',
            'ţ' => 'ț',
            'Ş' => 'Ș',
            'Ţ' => 'Ț',
            c => c,
        })
        .collect()
}

/// Removes diacritics; Danish ø/æ become o/a, so a word typed without them still matches.
pub fn fold_diacritics(word: &str) -> String {
    if word.is_ascii() {
        // Most words: nothing to fold, and no need to decompose.
        return word.to_string();
    }
    word.nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            'ø' => 'o',
            'æ' => 'a',
            'ß' => 's',
            'đ' => 'd',
            'ł' => 'l',
            c => c,
        })
        .collect()
}

/// Lowercased, NFC, cedilla-normalised Latin words with byte offsets.
fn latin_words(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    script_runs(text, Script::Latin)
        .into_iter()
        .map(|(run_start, run)| (run_start, run_start + run.len(), normalize_word(run)))
}

/// One word's normal form: lowercase NFC, comma-below ș/ț, Western digits.
fn normalize_word(run: &str) -> String {
    if run.is_ascii() {
        // Most words: nothing to normalise but case.
        return run.to_ascii_lowercase();
    }
    let mut word = String::with_capacity(run.len());
    let mut push = |c: char| {
        for lower in c.to_lowercase() {
            word.push(match lower {
                'ş' => 'ș',
                'ţ' => 'ț',
                '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (lower as u32 - 0x06F0) as u8),
                '\u{0660}'..='\u{0669}' => char::from(b'0' + (lower as u32 - 0x0660) as u8),
                c => c,
            });
        }
    };
    // Composing is costly and almost never needed: text typed or saved is nearly always NFC.
    if unicode_normalization::is_nfc_quick(run.chars()) == unicode_normalization::IsNormalized::Yes
    {
        run.chars().for_each(&mut push);
    } else {
        run.nfc().for_each(&mut push);
    }
    word
}

fn terms_from<V: IntoIterator<Item = String>>(
    words: impl Iterator<Item = (usize, usize, V)>,
) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut position = 0;
    for (start, end, variants) in words {
        let before = terms.len();
        // A lone combining mark folds to nothing: an empty term would match nothing useful.
        for text in variants.into_iter().filter(|v| !v.is_empty()) {
            terms.push(Term {
                text,
                position,
                start,
                end,
            });
        }
        if terms.len() > before {
            position += 1;
        }
    }
    terms
}

/// Exact Latin words: only case and Unicode form are normalised; the stop words of all
/// three Latin-script languages are dropped, as in the stemmed fields.
pub fn exact(text: &str) -> Vec<Term> {
    terms_from(latin_words(text).map(|(s, e, w)| {
        let stop = [&EN, &DA, &RO].iter().any(|l| l.contains(&w));
        (s, e, (!stop).then_some(w))
    }))
}

/// Every Latin word, stop words included: what a person typed, word by word.
pub fn surface(text: &str) -> Vec<Term> {
    terms_from(latin_words(text).map(|(s, e, w)| (s, e, Some(w))))
}

/// Romanian: stop words dropped, Snowball stemmer, then diacritics folded, so
/// "nemultumit" finds "nemulțumiți".
pub fn romanian(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::Romanian);
    terms_from(latin_words(text).map(|(s, e, w)| {
        let folded = fold_diacritics(&w);
        if RO.contains(&w) || RO.contains(&folded) {
            return (s, e, vec![]);
        }
        let mut variants = vec![fold_diacritics(&stemmer.stem(&w))];
        // A word typed without diacritics stems differently from the real word
        // only where a diacritic marks an ending: folding first catches those.
        if folded != w {
            let folded_first = fold_diacritics(&stemmer.stem(&folded));
            if !variants.contains(&folded_first) {
                variants.push(folded_first);
            }
        }
        (s, e, variants)
    }))
}

/// Spellings of Danish letters on keyboards without them: "aa" for å (always), and
/// "oe"/"ae" for ø/æ (as variants, since real words also contain those pairs).
fn danish_variants(word: &str) -> Vec<String> {
    let base = word.replace("aa", "å");
    let mut variants = vec![base.clone()];
    if base.contains("oe") {
        variants.push(base.replace("oe", "ø"));
    }
    if base.contains("ae") {
        let more: Vec<String> = variants.iter().map(|v| v.replace("ae", "æ")).collect();
        variants.extend(more);
    }
    variants
}

/// The present form of a Danish verb in the past tense, if the word looks like one: Danish
/// Snowball leaves the past tense apart from the verb's other forms ("klagede" stems to
/// "klaged", "klager" and "klage" to "klag"; "råbte" to "råbt", "råber" to "råb"), and an
/// agent tells what just happened in the past tense ("kunden råbte", "jeg sukkede"). Weak
/// verbs add "-ede" or "-te" to the stem: "-ede" becomes "-e" ("klagede": "klage"), and
/// "-te" after a consonant that ends few infinitives becomes "-e" ("råbte": "råbe",
/// "hørte": "høre"). Not after "n", "s" or "t", where infinitives end in "-te" themselves
/// ("vente", "miste", "hente" would become other words: "ven", "mis", "hen"). A word that
/// only looks like a past tense keeps its own stem beside the variant.
fn danish_present_of_past(word: &str) -> Option<String> {
    let letters = word.chars().count();
    if letters >= 6
        && let Some(stem) = word.strip_suffix("ede")
    {
        return Some(format!("{stem}e"));
    }
    let stem = word.strip_suffix("te").filter(|_| letters >= 5)?;
    let last = stem.chars().last()?;
    "bdgklprv".contains(last).then(|| format!("{stem}e"))
}

/// Danish: "aa"/"oe"/"ae" mapped, Snowball stemmer, then folded; a past tense also as its
/// present form ([`danish_present_of_past`]).
pub fn danish(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::Danish);
    terms_from(latin_words(text).map(|(s, e, w)| {
        // "saa", "paa" typed without an å are the stop words "så", "på": left in, "kunden
        // er saa sur" was a word longer than "kunden er så sur", and no longer only the
        // situation's name.
        if DA.contains(&w) || DA.contains(&w.replace("aa", "å")) {
            return (s, e, vec![]);
        }
        let mut out: Vec<String> = Vec::new();
        for v in danish_variants(&w) {
            let present = danish_present_of_past(&v);
            for form in std::iter::once(v).chain(present) {
                let folded = fold_diacritics(&stemmer.stem(&form));
                if !out.contains(&folded) {
                    out.push(folded);
                }
            }
        }
        (s, e, out)
    }))
}

/// English: stop words dropped, Porter2 stemmer, diacritics folded.
pub fn english(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::English);
    terms_from(latin_words(text).map(|(s, e, w)| {
        let folded = fold_diacritics(&w);
        if EN.contains(&folded) {
            return (s, e, vec![]);
        }
        (s, e, vec![stemmer.stem(&folded).into_owned()])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(terms: Vec<Term>) -> Vec<String> {
        terms.into_iter().map(|t| t.text).collect()
    }

    fn shares_term(a: &[String], b: &[String]) -> bool {
        a.iter().any(|x| b.contains(x))
    }

    #[test]
    fn romanian_without_diacritics_and_with_cedilla_match() {
        // From the Romanian playbook: "clienții nemulțumiți"
        let doc = texts(romanian("clienții nemulțumiți"));
        for typed in [
            "clientii nemultumiti",
            "clienţii nemulţumiţi",
            "nemultumit client",
            "nemulțumit",
        ] {
            let q = texts(romanian(typed));
            assert!(shares_term(&q, &doc), "{typed}: {q:?} vs {doc:?}");
        }
        assert!(shares_term(
            &texts(romanian("returneze banii")),
            &texts(romanian("returnează bani"))
        ));
    }

    #[test]
    fn a_danish_past_tense_finds_the_verb_s_other_forms() {
        // An agent tells what just happened; the playbook says what to do ("Kan kunden høre
        // det, hvis jeg sukker", "hvis kunden råber", "kunden klager").
        for (past, present) in [
            ("jeg sukkede", "hvis jeg sukker"),
            ("kunden råbte ad mig", "når kunden råber"),
            ("han klagede igen", "kunden klager"),
            ("vi mistede pakken", "at miste en kunde"),
            ("hun skældte mig ud", "skælder ud"),
            ("jeg hørte det", "høre efter"),
            ("kunden raabte", "kunden råber"),
        ] {
            let (p, q) = (texts(danish(past)), texts(danish(present)));
            assert!(shares_term(&p, &q), "{past}: {p:?} vs {present}: {q:?}");
        }
        // Infinitives that end in "-te" themselves stay apart from other words.
        for (word, other) in [("vente", "ven"), ("miste", "mis"), ("hente", "hen")] {
            let (w, o) = (texts(danish(word)), texts(danish(other)));
            assert!(!shares_term(&w, &o), "{word}: {w:?} vs {other}: {o:?}");
        }
    }

    #[test]
    fn function_words_tell_the_language_when_only_one_has_them() {
        assert_eq!(stop_word_language("ikke"), Some("da"));
        assert_eq!(stop_word_language("Jeg"), Some("da"));
        assert_eq!(stop_word_language("și"), Some("ro"));
        // Romanian typed without diacritics, and with the old cedilla.
        assert_eq!(stop_word_language("daca"), Some("ro"));
        assert_eq!(stop_word_language("şi"), Some("ro"));
        assert_eq!(stop_word_language("the"), Some("en"));
        // Shared by two languages ("de": Danish and Romanian; "for": Danish and English).
        assert_eq!(stop_word_language("de"), None);
        assert_eq!(stop_word_language("for"), None);
        assert_eq!(stop_word_language("kunden"), None);
        assert!(is_stop_word("de") && is_stop_word("ikke") && is_stop_word("daca"));
        assert!(!is_stop_word("kunden") && !is_stop_word("moshtari"));
    }

    #[test]
    fn no_stop_word_is_longer_than_the_length_checked_first() {
        for word in EN_STOP
            .iter()
            .chain(DA_STOP)
            .chain(RO_STOP)
            .chain(DA_PAIR_FILLERS)
        {
            assert!(word.len() <= STOP_WORD_MAX_BYTES, "{word}");
        }
    }

    #[test]
    fn decomposed_and_capital_letters_give_the_same_word() {
        // "ÎNȚELEG" typed with a combining comma below, and a cedilla "ş": one word each.
        assert_eq!(normalize_word("I\u{0302}NT\u{0326}ELEG"), "înțeleg");
        assert_eq!(normalize_word("Mulţumesc"), "mulțumesc");
        assert_eq!(normalize_word("KUNDEN"), "kunden");
        assert_eq!(normalize_word("Ærlig"), "ærlig");
    }

    #[test]
    fn romanian_drops_stop_words() {
        assert_eq!(texts(romanian("și la client")).len(), 1);
    }

    #[test]
    fn danish_inflections_and_spellings_match() {
        // From the Danish playbook: "uhøflig", "Hold en pause", "lægge på"
        let doc = texts(danish("uhøflig over for dig, lægge på, pausen, chefen"));
        for typed in [
            "uhøflige",
            "uhoeflig",
            "uhoflig",
            "pause",
            "chef",
            "laegge",
            "lagge",
        ] {
            let q = texts(danish(typed));
            assert!(shares_term(&q, &doc), "{typed}: {q:?} vs {doc:?}");
        }
        assert_eq!(texts(danish("tålmodig")), texts(danish("taalmodig")));
        // Stop words typed without an å are stop words still.
        assert_eq!(
            texts(danish("kunden er SAA sur paa mig")),
            texts(danish("kunden er så sur på mig"))
        );
    }

    #[test]
    fn english_stems_glosses() {
        assert_eq!(
            texts(english("Apologise for the mistakes")),
            texts(english("apologise mistake"))
        );
        assert_eq!(texts(english("listening")), texts(english("listen")));
        assert!(texts(english("the of and")).is_empty());
    }

    #[test]
    fn exact_keeps_diacritics_but_normalises_case_and_cedilla() {
        assert_eq!(texts(exact("Uhøflig KUNDE")), ["uhøflig", "kunde"]);
        assert_eq!(texts(exact("nemulţumit")), texts(exact("nemulțumit")));
        assert_eq!(texts(exact("e\u{0301}t")), ["ét"]);
    }

    #[test]
    fn persian_digits_are_numbers() {
        assert_eq!(texts(exact("۵ minutter")), ["5", "minutter"]);
    }
}
