//! Latin-script analyzers: exact words, Romanian, Danish and English.

use super::{Script, Term, script_runs};
use frostem::{Algorithm, Stemmer};
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
const RO_STOP: &[&str] = &[
    "a", "al", "ale", "am", "ar", "au", "ca", "că", "ce", "cu", "de", "din", "este", "în", "la",
    "le", "lor", "mai", "o", "pe", "pentru", "sa", "să", "se", "si", "și", "sunt", "un", "una",
    "care", "fi", "fost", "el", "ea", "ei", "iar", "dacă", "daca", "va", "vă", "te", "tu", "nu",
    "cum", "când", "cand", "unde", "cine",
];

/// The language a word is a stop word of, when it is one of exactly one language ("ikke",
/// "și", "the"): function words are the surest sign of what language a query is in.
pub fn stop_word_language(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let folded = super::fold_diacritics(&lower);
    let is = |list: &[&str]| list.contains(&lower.as_str()) || list.contains(&folded.as_str());
    match (is(EN_STOP), is(DA_STOP), is(RO_STOP)) {
        (true, false, false) => Some("en"),
        (false, true, false) => Some("da"),
        (false, false, true) => Some("ro"),
        _ => None,
    }
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
fn latin_words(text: &str) -> Vec<(usize, usize, String)> {
    let mut words = Vec::new();
    for (run_start, run) in script_runs(text, Script::Latin) {
        if run.is_ascii() {
            // Most words: nothing to normalise but case.
            words.push((run_start, run_start + run.len(), run.to_ascii_lowercase()));
            continue;
        }
        let word: String = run.nfc().collect::<String>().to_lowercase();
        let word = normalize_romanian(&word);
        let word: String = word
            .chars()
            .map(|c| match c {
                '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
                '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
                c => c,
            })
            .collect();
        words.push((run_start, run_start + run.len(), word));
    }
    words
}

fn terms_from(words: Vec<(usize, usize, Vec<String>)>) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut position = 0;
    for (start, end, mut variants) in words {
        // A lone combining mark folds to nothing: an empty term would match nothing useful.
        variants.retain(|v| !v.is_empty());
        if variants.is_empty() {
            continue;
        }
        for text in variants {
            terms.push(Term {
                text,
                position,
                start,
                end,
            });
        }
        position += 1;
    }
    terms
}

/// Exact Latin words: only case and Unicode form are normalised; the stop words of all
/// three Latin-script languages are dropped, as in the stemmed fields.
pub fn exact(text: &str) -> Vec<Term> {
    terms_from(
        latin_words(text)
            .into_iter()
            .map(|(s, e, w)| {
                let stop = [EN_STOP, DA_STOP, RO_STOP]
                    .iter()
                    .any(|l| l.contains(&w.as_str()));
                (s, e, if stop { vec![] } else { vec![w] })
            })
            .collect(),
    )
}

/// Every Latin word, stop words included: what a person typed, word by word.
pub fn surface(text: &str) -> Vec<Term> {
    terms_from(
        latin_words(text)
            .into_iter()
            .map(|(s, e, w)| (s, e, vec![w]))
            .collect(),
    )
}

/// Romanian: stop words dropped, Snowball stemmer, then diacritics folded, so
/// "nemultumit" finds "nemulțumiți".
pub fn romanian(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::Romanian);
    terms_from(
        latin_words(text)
            .into_iter()
            .map(|(s, e, w)| {
                if RO_STOP.contains(&w.as_str()) || RO_STOP.contains(&fold_diacritics(&w).as_str())
                {
                    return (s, e, vec![]);
                }
                let mut variants = vec![fold_diacritics(&stemmer.stem(&w))];
                // A word typed without diacritics stems differently from the real word
                // only where a diacritic marks an ending: folding first catches those.
                let folded_first = fold_diacritics(&stemmer.stem(&fold_diacritics(&w)));
                if !variants.contains(&folded_first) {
                    variants.push(folded_first);
                }
                (s, e, variants)
            })
            .collect(),
    )
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

/// Danish: "aa"/"oe"/"ae" mapped, Snowball stemmer, then folded.
pub fn danish(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::Danish);
    terms_from(
        latin_words(text)
            .into_iter()
            .map(|(s, e, w)| {
                if DA_STOP.contains(&w.as_str()) {
                    return (s, e, vec![]);
                }
                let mut out: Vec<String> = Vec::new();
                for v in danish_variants(&w) {
                    let folded = fold_diacritics(&stemmer.stem(&v));
                    if !out.contains(&folded) {
                        out.push(folded);
                    }
                }
                (s, e, out)
            })
            .collect(),
    )
}

/// English: stop words dropped, Porter2 stemmer, diacritics folded.
pub fn english(text: &str) -> Vec<Term> {
    let stemmer = Stemmer::new(Algorithm::English);
    terms_from(
        latin_words(text)
            .into_iter()
            .map(|(s, e, w)| {
                let folded = fold_diacritics(&w);
                if EN_STOP.contains(&folded.as_str()) {
                    return (s, e, vec![]);
                }
                (s, e, vec![stemmer.stem(&folded).into_owned()])
            })
            .collect(),
    )
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
