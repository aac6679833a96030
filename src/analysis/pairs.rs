//! Word pairs: two words next to each other, as one term ("tag pause", "قطع تماس").
//!
//! A step that says "take a break" answers "need a break after that call" better than one
//! that says "take" in one sentence and "break" in another: words are scored one by one,
//! so without pairs both steps look alike. Each analyzer's terms of a line are paired with
//! the next word's (function words left out: "gerne have" says nothing), and a pair is a
//! term of its own in the analyzer's pairs field, scored like a word (a rare pair counts
//! much).

use super::{Analyzer, latin};

/// One pair of neighbouring words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The term: the two words' terms.
    pub text: String,
    /// Byte offsets in the analysed text of the first and the second word.
    pub first: usize,
    pub second: usize,
}

/// Whether `analyzer`'s terms make pairs: one analyzer per language, the one that reads its
/// words most loosely (stems, folded letters), since a pair is a rarer match than a word.
/// Not the exact Latin and Persian spellings: their pairs were as many terms again to index
/// (a build at 10,000 playbooks took half as long again) for answers the stems find too;
/// nor Thai bigrams, pieces of words the dictionary does not know.
pub fn pairs_with(analyzer: Analyzer) -> bool {
    !matches!(
        analyzer,
        Analyzer::ThaiBigrams | Analyzer::LatinExact | Analyzer::Persian
    )
}

/// The pairs of `text` as `analyzer` reads it: each word's terms with the next word's, line
/// by line (a title and the text under it are no pair).
pub fn pairs(analyzer: Analyzer, text: &str) -> Vec<Pair> {
    let mut out = Vec::new();
    if !pairs_with(analyzer) {
        return out;
    }
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        pair_line(analyzer, line, line_start, &mut out);
        line_start += line.len();
    }
    out
}

fn pair_line(analyzer: Analyzer, line: &str, offset: usize, out: &mut Vec<Pair>) {
    // Terms at one position are one word's variants: each is paired with each of the next.
    let mut words: Vec<(usize, Vec<(usize, String)>)> = Vec::new();
    for term in analyzer.analyze(line) {
        if latin::is_pair_filler(&line[term.start..term.end]) {
            continue;
        }
        match words.last_mut() {
            Some((position, variants)) if *position == term.position => {
                variants.push((term.start, term.text));
            }
            _ => words.push((term.position, vec![(term.start, term.text)])),
        }
    }
    for window in words.windows(2) {
        for (first, a) in &window[0].1 {
            for (second, b) in &window[1].1 {
                out.push(Pair {
                    text: format!("{a} {b}"),
                    first: offset + first,
                    second: offset + second,
                });
            }
        }
    }
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
