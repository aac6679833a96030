//! Thai: dictionary word segmentation (ICU4X), plus a character-bigram fallback.
//!
//! Thai is written without spaces between words, so a tokenizer that splits on spaces sees
//! whole sentences as one "word". ICU4X's dictionary segmenter measured best for retrieval
//! (its LSTM model was ~100x slower and worse); the bigram field catches the cases where a
//! query and a document are segmented differently.

use super::{Script, Term, script_runs};
use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;

/// Typing variants that render the same: SARA AM typed as NIKHAHIT + SARA AA (some
/// keyboards and fonts make it so). Returns the normalised run and, for each of its byte
/// offsets (and its end), the offset in `run` it comes from: the terms keep their places in
/// the text as written, which word pairs and highlighting slice by.
fn normalize(run: &str) -> (String, Vec<usize>) {
    const SPLIT_SARA_AM: &str = "\u{0E4D}\u{0E32}";
    let mut out = String::with_capacity(run.len());
    let mut from = Vec::with_capacity(run.len() + 1);
    let mut rest = run;
    while let Some(c) = rest.chars().next() {
        let at = run.len() - rest.len();
        let (written, read) = if rest.starts_with(SPLIT_SARA_AM) {
            ('\u{0E33}', SPLIT_SARA_AM.len())
        } else {
            (c, c.len_utf8())
        };
        from.extend(std::iter::repeat_n(at, written.len_utf8()));
        out.push(written);
        rest = &rest[read..];
    }
    from.push(run.len());
    (out, from)
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
        let (normalized, from) = normalize(run);
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
                terms.push(Term {
                    text: word.to_string(),
                    position: terms.len(),
                    start: run_start + from[prev],
                    end: run_start + from[end],
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
        let (normalized, from) = normalize(run);
        let chars: Vec<(usize, char)> = normalized.char_indices().collect();
        for pair in chars.windows(2) {
            let (a, ca) = pair[0];
            let (b, cb) = pair[1];
            terms.push(Term {
                text: [ca, cb].iter().collect(),
                position: terms.len(),
                start: run_start + from[a],
                end: run_start + from[b + cb.len_utf8()],
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
    fn split_sara_am_keeps_each_word_in_its_place() {
        // "the customer is angry, what do I do" with SARA AM typed as two marks, twice: each
        // term spans its own word as written, in order, as word pairs slice the text by them.
        let text = "ลูกค้าโกรธ ท\u{0E4D}\u{0E32}ยังไงดี ท\u{0E4D}\u{0E32}งาน";
        let terms = words(text);
        assert!(terms.len() >= 4, "{terms:?}");
        let mut end = 0;
        for t in &terms {
            assert!(end <= t.start && t.start < t.end, "{terms:?}");
            end = t.end;
        }
        let written: Vec<&str> = terms.iter().map(|t| &text[t.start..t.end]).collect();
        assert!(written.contains(&"ท\u{0E4D}\u{0E32}"), "{written:?}");
        assert!(written.contains(&"ลูกค้า"), "{written:?}");
        for t in bigrams(text) {
            assert!(t.start < t.end && text.is_char_boundary(t.start), "{t:?}");
        }
    }

    #[test]
    fn bigrams_overlap() {
        assert_eq!(texts(bigrams("โกรธ")), ["โก", "กร", "รธ"]);
        assert!(bigrams("no thai here").is_empty());
    }
}
