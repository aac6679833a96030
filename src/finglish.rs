//! Finglish: Persian typed in Latin letters ("moshtari sammi chikar konam"), read back into
//! Persian script against the words the playbooks use.
//!
//! Agents without a Persian keyboard (or in a hurry on a shared machine) type Persian with
//! Latin letters, and no two people spell it alike: "moshtari", "moshtary"; "khoone",
//! "khune"; "ghate", "qat'". Short vowels are not written in Persian script at all, and
//! و/ی stand for consonants or long vowels. So a Latin word is matched by its consonants
//! first (a *skeleton*: "moshtari" and مشتری are both m-sh-t-r), and the Persian words
//! that share the skeleton are then ranked by how well the vowels line up (a small edit
//! distance in which leaving out a short vowel is cheap and a mismatched consonant is
//! impossible). The words come from the index (every Persian word a playbook or a
//! translation uses) and from the taxonomy's Persian names, so whatever trainers write is
//! what Finglish can be read as; only the short function words consonants cannot tell
//! apart ("ba", "ke", "na") are listed here.
//!
//! Whether a query is Finglish at all is decided by [`PersianReading::of`]: at least two words that
//! read as Persian and are no Latin-script language's words, and more of them than words of
//! English, Danish or Romanian.

use crate::tuning::{FINGLISH_EQUAL_COST, FINGLISH_MAX_COST, FINGLISH_MIN_LETTERS};
use std::collections::HashMap;

/// One sound of a word, in either script: a consonant class, a vowel, or `h` (which both
/// scripts also use as a vowel sign at a word's end).
type Sound = u8;

/// Persian long vowels and vowel signs (upper case: never produced from Latin letters).
const LONG_A: Sound = b'A'; // ا
const LONG_U: Sound = b'U'; // و (also the consonant v)
const LONG_I: Sound = b'I'; // ی (also the consonant y)
const FINAL_E: Sound = b'E'; // ه at a word's end
const GLOTTAL: Sound = b'Q'; // ع and ء: silent or any vowel in Finglish

/// The sound of one Persian letter (of text normalised by [`crate::analysis::persian`]);
/// `None` for a character that is no Persian letter.
fn persian_sound(c: char) -> Option<Sound> {
    Some(match c {
        'ا' | 'آ' => LONG_A,
        'ب' => b'b',
        'پ' => b'p',
        'ت' | 'ط' => b't',
        'ث' | 'س' | 'ص' => b's',
        'ج' => b'j',
        'چ' => b'c',
        'ح' | 'ه' => b'h',
        'خ' => b'x',
        'د' => b'd',
        'ذ' | 'ز' | 'ض' | 'ظ' => b'z',
        'ر' => b'r',
        'ژ' => b'Z',
        'ش' => b'S',
        'ع' | 'ء' => GLOTTAL,
        'غ' | 'ق' => b'q',
        'ف' => b'f',
        'ک' => b'k',
        'گ' => b'g',
        'ل' => b'l',
        'م' => b'm',
        'ن' => b'n',
        'و' => LONG_U,
        'ی' => LONG_I,
        _ => return None,
    })
}

/// A Persian word's sounds; `None` when it has a character that is no Persian letter.
fn persian_sounds(word: &str) -> Option<Vec<Sound>> {
    let mut sounds: Vec<Sound> = word.chars().map(persian_sound).collect::<Option<_>>()?;
    // A final ه is mostly the vowel e (خسته, "khaste"); a final ح stays h (صبح, "sobh").
    if sounds.len() > 1 && word.ends_with('ه') {
        *sounds.last_mut()? = FINAL_E;
    }
    Some(sounds)
}

/// A Latin word's sounds ("sh", "kh", "gh", "ch", "zh" are one sound each; doubled letters,
/// which Persian writes once, are one); `None` for a word with anything but ASCII letters.
fn latin_sounds(word: &str) -> Option<Vec<Sound>> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    let mut sounds: Vec<Sound> = Vec::with_capacity(lower.len());
    let mut i = 0;
    while i < lower.len() {
        let digraph = match (lower[i], lower.get(i + 1)) {
            (b'k', Some(b'h')) => Some(b'x'),
            (b'g', Some(b'h')) => Some(b'q'),
            (b's', Some(b'h')) => Some(b'S'),
            (b'c', Some(b'h')) => Some(b'c'),
            (b'z', Some(b'h')) => Some(b'Z'),
            _ => None,
        };
        let sound = match digraph {
            Some(s) => {
                i += 1;
                s
            }
            None => match lower[i] {
                b'w' => b'v',
                b'c' => b'k',
                other => other,
            },
        };
        if sounds.last() != Some(&sound) {
            sounds.push(sound);
        }
        i += 1;
    }
    Some(sounds)
}

fn is_latin_vowel(s: Sound) -> bool {
    matches!(s, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether a sound is left out of the skeleton: vowels, vowel signs, h, and the letters
/// that are a vowel or a consonant by turns (Latin v/w/y, Persian و/ی).
fn is_soft(s: Sound) -> bool {
    is_latin_vowel(s)
        || matches!(
            s,
            b'h' | b'v' | b'y' | LONG_A | LONG_U | LONG_I | FINAL_E | GLOTTAL
        )
}

/// The consonants every spelling of a word keeps: what Latin and Persian forms share.
fn skeleton(sounds: &[Sound]) -> Vec<Sound> {
    sounds.iter().copied().filter(|&s| !is_soft(s)).collect()
}

/// The cost of reading Latin sound `l` as Persian sound `p` (at Persian position `at`);
/// `None` when one cannot stand for the other.
fn pair_cost(l: Sound, p: Sound, at: usize) -> Option<f32> {
    if l == p && !is_soft(l) {
        return Some(0.0);
    }
    Some(match (l, p) {
        (b'h', b'h') => 0.0,
        (b'h', FINAL_E) => 0.1,
        (b'a', LONG_A) | (b'e', FINAL_E) | (b'i', LONG_I) | (b'y', LONG_I) => 0.0,
        (b'o' | b'u' | b'v', LONG_U) => 0.0,
        (b'a', FINAL_E) => 0.2,
        // A final "e" is mostly the ezafe ("esme moshtari") or ه, rarely ی.
        (b'e', LONG_I) => 0.5,
        (l, GLOTTAL) if is_latin_vowel(l) => 0.0,
        // A word's first alef carries whatever vowel begins it ("ostad", استاد).
        (l, LONG_A) if at == 0 && is_latin_vowel(l) => 0.1,
        _ => return None,
    })
}

/// The cost of a Latin sound with no Persian letter: short vowels are not written.
fn latin_only_cost(l: Sound) -> Option<f32> {
    match l {
        b'a' | b'e' | b'o' => Some(0.15),
        b'i' | b'u' => Some(0.5),
        b'h' => Some(0.4),
        b'y' => Some(0.8),
        _ => None,
    }
}

/// The cost of a Persian letter the Latin spelling left out.
fn persian_only_cost(p: Sound) -> Option<f32> {
    match p {
        GLOTTAL => Some(0.1),
        FINAL_E => Some(0.3),
        LONG_U | LONG_I => Some(0.6),
        LONG_A => Some(0.8),
        // ح and ه are written "h" in Latin letters: one left out is likely another word.
        b'h' => Some(1.0),
        _ => None,
    }
}

/// How far a Latin spelling is from a Persian word with the same skeleton: an edit
/// distance over sounds with the costs above (consonants must pair with their own class).
fn alignment_cost(latin: &[Sound], persian: &[Sound]) -> Option<f32> {
    let (n, m) = (latin.len(), persian.len());
    let mut cost = vec![f32::INFINITY; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    cost[0] = 0.0;
    for i in 0..=n {
        for j in 0..=m {
            let here = cost[at(i, j)];
            if here.is_infinite() {
                continue;
            }
            if i < n
                && j < m
                && let Some(c) = pair_cost(latin[i], persian[j], j)
            {
                let next = &mut cost[at(i + 1, j + 1)];
                *next = next.min(here + c);
            }
            if i < n
                && let Some(c) = latin_only_cost(latin[i])
            {
                let next = &mut cost[at(i + 1, j)];
                *next = next.min(here + c);
            }
            if j < m
                && let Some(c) = persian_only_cost(persian[j])
            {
                let next = &mut cost[at(i, j + 1)];
                *next = next.min(here + c);
            }
        }
    }
    let total = cost[at(n, m)];
    total.is_finite().then_some(total)
}

/// A Persian word of a lexicon: its text, its sounds, and how many documents use it.
#[derive(Debug)]
struct Entry {
    word: Box<str>,
    sounds: Vec<Sound>,
    documents: u32,
}

/// Persian words by skeleton.
#[derive(Debug, Default)]
pub struct Lexicon {
    by_skeleton: HashMap<Vec<Sound>, Vec<Entry>>,
}

impl Lexicon {
    /// Adds a Persian word (normalised, as the Persian analyzer writes it) used by
    /// `documents` documents; words with fewer than two consonants are too ambiguous to
    /// read Finglish as and are left out.
    pub fn add(&mut self, word: &str, documents: u32) {
        let Some(sounds) = persian_sounds(word) else {
            return;
        };
        let key = skeleton(&sounds);
        if key.len() < 2 {
            return;
        }
        let entries = self.by_skeleton.entry(key).or_default();
        match entries.iter_mut().find(|e| &*e.word == word) {
            Some(entry) => entry.documents = entry.documents.saturating_add(documents),
            None => entries.push(Entry {
                word: word.into(),
                sounds,
                documents,
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_skeleton.is_empty()
    }

    /// The Persian words `latin` may be, with their costs and document counts.
    fn candidates<'a>(
        &'a self,
        latin: &'a [Sound],
    ) -> impl Iterator<Item = (&'a str, f32, u32)> + 'a {
        self.by_skeleton
            .get(&skeleton(latin))
            .into_iter()
            .flatten()
            .filter_map(move |e| {
                alignment_cost(latin, &e.sounds).map(|cost| (&*e.word, cost, e.documents))
            })
    }
}

/// The best Persian reading of one Latin word over several lexicons (the index's segments
/// and the taxonomy's names): the lowest cost, then the most used, then the shortest.
pub fn best_reading(word: &str, lexicons: &[&Lexicon]) -> Option<String> {
    if word.len() < FINGLISH_MIN_LETTERS {
        return None;
    }
    let latin = latin_sounds(word)?;
    let mut found: HashMap<&str, (f32, u32)> = HashMap::new();
    for lexicon in lexicons {
        for (persian, cost, documents) in lexicon.candidates(&latin) {
            let entry = found.entry(persian).or_insert((cost, 0));
            entry.1 = entry.1.saturating_add(documents);
        }
    }
    let cheapest = found
        .values()
        .map(|(cost, _)| *cost)
        .fold(f32::INFINITY, f32::min);
    if cheapest > FINGLISH_MAX_COST {
        return None;
    }
    // Spellings that are nearly as good are equals: Finglish "a" is Persian's short a as
    // often as its alef, so "kamak" may be کمک or کامک, and the word more used wins.
    found
        .into_iter()
        .filter(|(_, (cost, _))| *cost <= cheapest + FINGLISH_EQUAL_COST)
        .min_by(|(a, (_, da)), (b, (_, db))| {
            db.cmp(da)
                .then(a.chars().count().cmp(&b.chars().count()))
                .then(a.cmp(b))
        })
        .map(|(persian, _)| persian.to_string())
}

/// Persian function words of one consonant or none, as they are typed in Latin letters:
/// consonants cannot tell them apart (b alone is با, به, بی, آب, ...), and they are a closed
/// class, so they are listed. Read only in a query already found to be Finglish; they are
/// never evidence that it is.
const SHORT_WORDS: [(&str, &str); 22] = [
    ("ba", "با"),
    ("be", "به"),
    ("az", "از"),
    ("ke", "که"),
    ("ki", "کی"),
    ("ro", "رو"),
    ("ra", "را"),
    ("va", "و"),
    ("ta", "تا"),
    ("ya", "یا"),
    ("ye", "یه"),
    ("na", "نه"),
    ("in", "این"),
    ("un", "اون"),
    ("oon", "اون"),
    ("to", "تو"),
    ("tu", "تو"),
    ("too", "تو"),
    ("chi", "چی"),
    ("ham", "هم"),
    ("har", "هر"),
    ("hey", "هی"),
];

fn short_word(word: &str) -> Option<&'static str> {
    SHORT_WORDS
        .iter()
        .find(|(latin, _)| *latin == word)
        .map(|(_, persian)| *persian)
}

/// A Finglish query read as Persian script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersianReading {
    /// The query in Persian script (Latin words with no Persian reading kept as typed).
    pub persian: String,
}

impl PersianReading {
    /// Reads `query` as Finglish when it is: only ASCII letters (a Danish, Romanian or
    /// Persian-script letter says it is not), at least two words that read as Persian and
    /// are not words of a Latin-script language (`is_latin_word`), and more of those than
    /// Latin-script words that are not function words (`is_latin_function_word`).
    pub fn of(
        query: &str,
        read: impl Fn(&str) -> Option<String>,
        is_latin_word: impl Fn(&str) -> bool,
        is_latin_function_word: impl Fn(&str) -> bool,
    ) -> Option<PersianReading> {
        if query.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
            return None;
        }
        let words: Vec<String> = query
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let mut persian_only = 0;
        let mut latin_content = 0;
        let mut read_words = Vec::with_capacity(words.len());
        for word in &words {
            let function_word = is_latin_function_word(word);
            let latin = function_word || is_latin_word(word);
            let persian = read(word);
            if persian.is_some() && !latin {
                persian_only += 1;
            }
            if latin && !function_word {
                latin_content += 1;
            }
            read_words.push((word, persian, latin && !function_word));
        }
        if persian_only < 2 || persian_only <= latin_content {
            return None;
        }
        let persian = read_words
            .into_iter()
            .filter_map(|(word, persian, latin_content)| match persian {
                // A word of a Latin-script language stays as typed ("google review"): the
                // playbooks use it, so it can be searched for as it is.
                Some(_) if latin_content => Some(word.clone()),
                Some(p) => Some(p),
                None => match short_word(word) {
                    Some(p) => Some(p.to_string()),
                    // Other one- and two-letter words say nothing a search can use.
                    None if word.len() <= 2 && word.bytes().all(|b| b.is_ascii_alphabetic()) => {
                        None
                    }
                    None => Some(word.clone()),
                },
            })
            .collect::<Vec<_>>()
            .join(" ");
        Some(PersianReading { persian })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(words: &[(&str, u32)]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (w, n) in words {
            lexicon.add(w, *n);
        }
        lexicon
    }

    fn read(word: &str, lexicon: &Lexicon) -> Option<String> {
        best_reading(word, &[lexicon])
    }

    #[test]
    fn latin_spellings_find_their_persian_words() {
        let l = lexicon(&[
            ("مشتری", 40),
            ("سمی", 12),
            ("کنم", 9),
            ("همکار", 3),
            ("کمک", 7),
            ("بگیرم", 2),
            ("اذیت", 2),
            ("رابطه", 4),
            ("قطع", 3),
            ("خسته", 2),
            ("درست", 5),
            ("فهمیدم", 1),
            ("خونه", 1),
        ]);
        for (latin, persian) in [
            ("moshtari", "مشتری"),
            ("moshtary", "مشتری"),
            ("sammi", "سمی"),
            ("SAMMI", "سمی"),
            ("konam", "کنم"),
            ("hamkara", "همکار"),
            ("komak", "کمک"),
            ("begiram", "بگیرم"),
            ("aziat", "اذیت"),
            ("rabete", "رابطه"),
            ("ghate", "قطع"),
            ("khaste", "خسته"),
            ("khasteh", "خسته"),
            ("dorost", "درست"),
            ("fahmidam", "فهمیدم"),
            ("khoone", "خونه"),
            ("khune", "خونه"),
        ] {
            assert_eq!(read(latin, &l).as_deref(), Some(persian), "{latin}");
        }
    }

    #[test]
    fn consonants_decide_and_vowels_choose_among_equals() {
        // کمک (komak, help) and a word with the same consonants and a long a (made up).
        let l = lexicon(&[("کمک", 1), ("کامک", 50)]);
        assert_eq!(read("komak", &l).as_deref(), Some("کمک"));
        assert_eq!(read("kaamak", &l).as_deref(), Some("کامک"));
        // "a" is either: the word more used wins.
        assert_eq!(read("kamak", &l).as_deref(), Some("کامک"));
        let l = lexicon(&[("کمک", 50), ("کامک", 1)]);
        assert_eq!(read("kamak", &l).as_deref(), Some("کمک"));
        // No Persian word with these consonants: nothing is made up.
        assert_eq!(read("zebra", &l), None);
        // Too short to tell.
        assert_eq!(read("ba", &l), None);
    }

    #[test]
    fn a_query_is_finglish_only_when_its_words_say_so() {
        let l = lexicon(&[
            ("مشتری", 40),
            ("سمی", 12),
            ("کنم", 9),
            ("چیکار", 2),
            ("بد", 3),
        ]);
        let english = [
            "what", "do", "with", "toxic", "customer", "bad", "review", "the",
        ];
        let function = ["the", "do", "with", "ke", "ba"];
        let reading = |q: &str| {
            PersianReading::of(
                q,
                |w| read(w, &l),
                |w| english.contains(&w),
                |w| function.contains(&w),
            )
            .map(|r| r.persian)
        };
        assert_eq!(
            reading("ba moshtari sammi chikar konam??").as_deref(),
            Some("با مشتری سمی چیکار کنم")
        );
        // Short function words are read, but say nothing of the query's language.
        assert_eq!(reading("ba ke moshtari"), None);
        // English, Danish, Romanian stay as typed.
        assert_eq!(reading("what to do with a toxic customer"), None);
        assert_eq!(reading("kunden er giftig"), None);
        assert_eq!(reading("clientul este toxic și"), None);
        // One Finglish-looking word is not enough.
        assert_eq!(reading("moshtari"), None);
        // Words of a Latin-script language stay as typed.
        assert_eq!(
            reading("moshtari sammi chikar bad review").as_deref(),
            Some("مشتری سمی چیکار bad review")
        );
        // Persian script, or Danish letters, are never read as Finglish.
        assert_eq!(reading("مشتری sammi konam"), None);
        assert_eq!(reading("moshtari sammi kører"), None);
    }
}
