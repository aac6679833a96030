//! Word pairs: two words next to each other, as one term ("tag pause", "قطع تماس").
//!
//! A step that says "take a break" answers "need a break after that call" better than one
//! that says "take" in one sentence and "break" in another: words are scored one by one,
//! so without pairs both steps look alike. Each analyzer's terms of a line are paired with
//! the next word's (function words left out: "gerne have" says nothing), and a pair is a
//! term of its own in the analyzer's pairs field, scored like a word (a rare pair counts
//! much).

use super::{Analyzer, Term, latin};

/// One pair of neighbouring words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The term: the two words' terms.
    pub text: String,
    /// Byte offsets in the analysed text of the first and the second word.
    pub first: usize,
    pub second: usize,
}

/// Whether `analyzer`'s terms make pairs (see [`Analyzer::pairs_name`]).
pub fn pairs_with(analyzer: Analyzer) -> bool {
    analyzer.pairs_name().is_some()
}

/// The pairs of `text` as `analyzer` reads it.
pub fn pairs(analyzer: Analyzer, text: &str) -> Vec<Pair> {
    if !pairs_with(analyzer) {
        return Vec::new();
    }
    pairs_of_terms(analyzer, text, &analyzer.analyze(text))
}

/// The pairs of `terms`, `analyzer`'s terms of `text` (a search analyses its query once for
/// its words and its pairs): each word's terms with the next word's, on one line (a title
/// and the text under it are no pair).
pub fn pairs_of_terms(analyzer: Analyzer, text: &str, terms: &[Term]) -> Vec<Pair> {
    let mut out = Vec::new();
    if !pairs_with(analyzer) {
        return out;
    }
    // Terms at one position are one word's variants: each is paired with each of the next.
    let mut words: Vec<(usize, Vec<&Term>)> = Vec::new();
    for term in terms {
        if latin::is_pair_filler(&text[term.start..term.end]) {
            continue;
        }
        match words.last_mut() {
            Some((position, variants)) if *position == term.position => variants.push(term),
            _ => words.push((term.position, vec![term])),
        }
    }
    for window in words.windows(2) {
        let (before, after) = (&window[0].1, &window[1].1);
        // Terms are in order and apart; should an analyzer ever give overlapping spans, the
        // words count as one line's rather than the query failing.
        let gap = text.get(before[0].end..after[0].start).unwrap_or("");
        if gap.contains('\n') {
            continue;
        }
        for a in before {
            for b in after {
                out.push(Pair {
                    text: format!("{} {}", a.text, b.text),
                    first: a.start,
                    second: b.start,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(analyzer: Analyzer, text: &str) -> Vec<String> {
        pairs(analyzer, text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn danish_pairs_are_stems_of_neighbouring_content_words() {
        // "har", "for", "at" and "ned" are function words, left out: "brug" and "komme" meet.
        assert_eq!(
            texts(Analyzer::Danish, "Har lige brug for at komme ned igen"),
            ["lig brug", "brug kom", "kom igen"]
        );
        // Spelt without ø, the same pair.
        assert_eq!(
            texts(Analyzer::Danish, "tag en pause"),
            texts(Analyzer::Danish, "Tag en pause.")
        );
    }

    #[test]
    fn a_line_break_ends_the_pairs() {
        assert_eq!(
            texts(Analyzer::Romanian, "clientul țipă\nînchide apelul"),
            ["client tip", "inchid apel"]
        );
    }

    #[test]
    fn persian_and_thai_words_pair_too() {
        assert_eq!(texts(Analyzer::PersianStem, "قطع تماس"), ["قطع تماس"]);
        assert!(pairs(Analyzer::Persian, "قطع تماس").is_empty());
        let thai = texts(Analyzer::ThaiWords, "ลูกค้าโกรธมาก");
        assert!(thai.contains(&"ลูกค้า โกรธ".to_string()), "{thai:?}");
        assert!(pairs(Analyzer::ThaiBigrams, "ลูกค้าโกรธมาก").is_empty());
    }

    #[test]
    fn each_pair_knows_where_its_words_are() {
        let query = "need a break";
        let found = pairs(Analyzer::English, query);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].first, found[0].second), (0, 7));
        assert_eq!(found[0].text, "need break");
        // Exact Latin spellings make none (the stems' pairs find the same steps).
        assert!(pairs(Analyzer::LatinExact, query).is_empty());
    }
}
