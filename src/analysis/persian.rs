//! Persian: letter normalisation, re-joining of split affixes, and light suffix stripping.
//!
//! Persian is typed in many ways: Arabic ي/ك for ی/ک, "می کند" with a space, "می‌کند" with a
//! zero-width non-joiner (ZWNJ), "میکند" joined. All of these must be one word.

use super::{Script, Term, script_runs};

/// Prefixes that are written apart, with a ZWNJ, or joined to the verb that follows.
const JOINING_PREFIXES: [&str; 2] = ["می", "نمی"];

/// Suffixes that are written apart, with a ZWNJ, or joined to the word before.
const JOINING_SUFFIXES: [&str; 9] = ["ها", "های", "هایی", "ای", "ایی", "ی", "تر", "ترین", "تری"];

/// Suffixes stripped in the stemmed field, longest first. The colloquial possessives
/// ("مون" our, "تون" your, "شون" their), also with the object marker "و" that speech
/// attaches ("آبرومونو", our reputation), are stripped like the written ones.
const STRIP_SUFFIXES: [&str; 24] = [
    "هایی", "هایم", "هایت", "هایش", "مونو", "تونو", "شونو", "ترین", "های", "مون", "تون", "شون",
    "ها", "تری", "تر", "ان", "ات", "یم", "ید", "ند", "ام", "اش", "ای", "ی",
];

/// Minimum length, in letters, of what suffix stripping leaves.
const MIN_STEM_CHARS: usize = 3;

/// Persian function words (formal and colloquial: "را" and "رو", "یک" and "یه"). Situation
/// names do not need them to match: "جواب را نمی‌دانم" is named by "نمیدونم جواب".
const FUNCTION_WORDS: &[&str] = &[
    "را", "رو", "از", "به", "که", "در", "با", "و", "این", "آن", "اون", "یک", "یه", "هم", "برای",
    "تا", "یا", "بر", "تو", "ی",
];

/// Stems of the light verbs "کردن" (to do) and "شدن" (to become): past "کرد", "شد", present
/// "کن", "شو", spoken "ش" ("میشه"). Persian makes most verbs of a word and one of these
/// ("تموم کردن", to finish; "عصبانی شدن", to get angry), and an agent types whichever form
/// fits the sentence ("تموم کنم", "تمومش کردم"): the meaning is in the other word.
const LIGHT_VERB_STEMS: [&str; 5] = ["کرد", "کن", "شد", "شو", "ش"];

/// Person endings of a verb (with the infinitive's "ن" and the participle's "ه"); colloquial
/// "ه" (he does) and "ین" (you do) among them.
const VERB_ENDINGS: [&str; 10] = ["ند", "ید", "ین", "یم", "ن", "ه", "م", "ی", "د", ""];

/// Whether a normalised Persian word is a function word (see [`FUNCTION_WORDS`]) or a form of
/// a light verb (see [`LIGHT_VERB_STEMS`]).
pub fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.contains(&word) || is_light_verb(word)
}

/// Whether a normalised word is a form of "کردن" or "شدن": a stem with at most a negation or
/// mood prefix ("ن", "ب", "می", "نمی") and a person ending. "ش" alone (a possessive) and
/// "شو" in names ("شوهر") are not: the spoken stem "ش" needs a prefix, and an ending that
/// leaves a longer word is not one.
fn is_light_verb(word: &str) -> bool {
    let bare = ["نمی", "می", "ن", "ب"]
        .iter()
        .find_map(|p| word.strip_prefix(p).map(|rest| (true, rest)))
        .filter(|(_, rest)| !rest.is_empty())
        .unwrap_or((false, word));
    let (prefixed, rest) = bare;
    VERB_ENDINGS.iter().any(|ending| {
        rest.strip_suffix(ending).is_some_and(|stem| {
            LIGHT_VERB_STEMS.contains(&stem) && (stem != "ش" || (prefixed && !ending.is_empty()))
        })
    })
}

/// Maps Arabic letter forms to Persian ones and removes what does not change a word:
/// diacritics (harakat), tatweel, and the joiners (ZWNJ joins the word's pieces).
pub fn normalize_persian(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ي' | 'ى' | 'ئ' | 'ۍ' | 'ې' => out.push('ی'),
            'ك' | 'ڪ' => out.push('ک'),
            'ة' | 'ۀ' | 'ہ' | 'ە' => out.push('ه'),
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ؤ' => out.push('و'),
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | '\u{200C}' | '\u{200D}' => {}
            '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
            '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
            c => out.push(c),
        }
    }
    out
}

/// Whether a character of an Arabic-script run is a letter. The letters Persian uses are
/// checked by range first: the general Unicode table is slow, and this runs on every
/// character of every Persian playbook.
fn is_persian_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{067E}' | '\u{0686}' | '\u{0698}' | '\u{06A9}' | '\u{06AF}' | '\u{06CC}')
        || c.is_alphabetic()
}

/// Raw Persian words: runs of Arabic-script letters (ZWNJ inside a run keeps it one word).
fn raw_words(text: &str) -> Vec<(usize, usize, String)> {
    let mut words = Vec::new();
    for (run_start, run) in script_runs(text, Script::Arabic) {
        let mut start = None;
        for (i, c) in run.char_indices().chain(std::iter::once((run.len(), ' '))) {
            let letter = is_persian_letter(c)
                || matches!(
                    c,
                    '\u{200C}' | '\u{200D}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'
                );
            match (letter, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    let word = normalize_persian(&run[s..i]);
                    if !word.is_empty() {
                        words.push((run_start + s, run_start + i, word));
                    }
                    start = None;
                }
                _ => {}
            }
        }
    }
    words
}

/// Normalised Persian words with split prefixes and suffixes joined back on.
pub fn words(text: &str) -> Vec<Term> {
    let raw = raw_words(text);
    let mut terms: Vec<Term> = Vec::with_capacity(raw.len());
    let mut pending_prefix: Option<(usize, String)> = None;
    for (start, end, word) in raw {
        if let Some((pstart, prefix)) = pending_prefix.take() {
            push(&mut terms, format!("{prefix}{word}"), pstart, end);
            continue;
        }
        if JOINING_PREFIXES.contains(&word.as_str()) {
            pending_prefix = Some((start, word));
            continue;
        }
        if JOINING_SUFFIXES.contains(&word.as_str())
            && let Some(last) = terms.last_mut()
            && last.end + 3 >= start
        {
            last.text.push_str(&word);
            last.end = end;
            continue;
        }
        push(&mut terms, word, start, end);
    }
    if let Some((pstart, prefix)) = pending_prefix {
        let end = pstart + prefix.len();
        push(&mut terms, prefix, pstart, end);
    }
    terms
}

fn push(terms: &mut Vec<Term>, text: String, start: usize, end: usize) {
    let position = terms.len();
    terms.push(Term {
        text,
        position,
        start,
        end,
    });
}

/// How long a stem must stay when `suffix` is stripped. The one-letter "ی" ends many short
/// words as part of the word itself ("بدهی", debt, is not "بده", give), so it needs more.
fn min_stem(suffix: &str) -> usize {
    if suffix == "ی" {
        MIN_STEM_CHARS + 1
    } else {
        MIN_STEM_CHARS
    }
}

/// Colloquial verbs whose written form is not regular: "میده" is "می‌دهد" (gives),
/// "میخواد" "می‌خواهد" (wants), "میگه" "می‌گوید" (says), "میشه" "می‌شود", "میره" "می‌رود".
const COLLOQUIAL_VERBS: [(&str, &str); 5] = [
    ("ده", "دهد"),
    ("خواد", "خواهد"),
    ("گه", "گوید"),
    ("شه", "شود"),
    ("ره", "رود"),
];

/// Colloquial present-tense verbs with "می"/"نمی", as agents type them, in the written
/// form the playbooks use: "میزنه" is "می‌زند" (he hits), "میکنن" "می‌کنند" (they do),
/// "میکنین" "می‌کنید" (you do).
fn formal_verb(word: &str) -> Option<String> {
    let prefix = ["نمی", "می"].into_iter().find(|p| word.starts_with(p))?;
    let rest = &word[prefix.len()..];
    if let Some((_, written)) = COLLOQUIAL_VERBS.iter().find(|(typed, _)| *typed == rest) {
        return Some(format!("{prefix}{written}"));
    }
    if rest.chars().count() < 3 {
        return None;
    }
    let written = if let Some(base) = rest.strip_suffix("ین") {
        format!("{base}ید")
    } else if let Some(base) = rest.strip_suffix('ه') {
        format!("{base}د")
    } else if rest.ends_with('ن') && !rest.ends_with("ان") && !rest.ends_with("ین") {
        format!("{rest}د")
    } else {
        return None;
    };
    Some(format!("{prefix}{written}"))
}

/// Strips common inflectional suffixes (plural, comparative, possessive, verb endings),
/// at most twice, never leaving fewer than three letters.
pub fn stem(word: &str) -> String {
    let mut w = formal_verb(word).unwrap_or_else(|| word.to_string());
    for _ in 0..2 {
        let Some(suffix) = STRIP_SUFFIXES
            .iter()
            .find(|s| w.ends_with(*s) && w.chars().count() - s.chars().count() >= min_stem(s))
        else {
            break;
        };
        w.truncate(w.len() - suffix.len());
    }
    // "می‌کنند" and "کنند" are the same verb for retrieval.
    for prefix in ["نمی", "می"] {
        if let Some(rest) = w.strip_prefix(prefix)
            && rest.chars().count() >= MIN_STEM_CHARS
        {
            return rest.to_string();
        }
    }
    w
}

/// Persian words after light suffix stripping.
pub fn stems(text: &str) -> Vec<Term> {
    words(text)
        .into_iter()
        .map(|mut t| {
            t.text = stem(&t.text);
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(terms: Vec<Term>) -> Vec<String> {
        terms.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn zwnj_space_and_joined_forms_are_one_word() {
        let joined = texts(words("میکند"));
        assert_eq!(texts(words("می کند")), joined);
        assert_eq!(texts(words("می\u{200C}کند")), joined);
        assert_eq!(texts(words("نمی خواهد")), texts(words("نمی‌خواهد")));
    }

    #[test]
    fn arabic_letters_and_diacritics_normalise() {
        // Arabic yeh and kaf, as typed on an Arabic keyboard.
        assert_eq!(texts(words("مشتري")), ["مشتری"]);
        assert_eq!(texts(words("كمك")), ["کمک"]);
        assert_eq!(texts(words("مُشتَری")), ["مشتری"]);
        assert_eq!(texts(words("مشــتری")), ["مشتری"]);
        assert_eq!(normalize_persian("۱۳۹۵"), "1395");
    }

    #[test]
    fn split_suffixes_rejoin() {
        // From the toxic-customer playbook: "اعمال محدودیت ها"
        assert_eq!(texts(words("محدودیت ها")), texts(words("محدودیت‌ها")));
        assert_eq!(texts(words("توصیه ی مهم")), ["توصیهی", "مهم"]);
        assert_eq!(texts(words("بهترین و راحت تر")), ["بهترین", "و", "راحتتر"]);
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("مشتریان"), stem("مشتری"));
        assert_eq!(stem("محدودیتها"), "محدودیت");
        assert_eq!(stem("انتقادات"), "انتقاد");
        // Short words are left alone: "سمی" (toxic) must not become "سم" (poison).
        assert_eq!(stem("سمی"), "سمی");
        assert_eq!(texts(stems("مشتریان سمی")), ["مشتر", "سمی"]);
    }

    #[test]
    fn colloquial_verbs_meet_the_written_ones() {
        // Typed and written: he hits, he does not, they do, you do, he gives, he wants, he
        // says, it becomes, he goes, he takes.
        for (typed, written) in [
            ("میزنه", "می‌زند"),
            ("نمیکنه", "نمی‌کند"),
            ("میکنن", "می‌کنند"),
            ("میکنین", "می‌کنید"),
            ("میده", "می‌دهد"),
            ("میخواد", "می‌خواهد"),
            ("میگه", "می‌گوید"),
            ("نمیشه", "نمی‌شود"),
            ("میره", "می‌رود"),
            ("میبره", "می‌برد"),
        ] {
            assert_eq!(texts(stems(typed)), texts(stems(written)), "{typed}");
        }
        // Spoken possessives: "our reputation", "your reputation".
        assert_eq!(stem("آبرومونو"), stem("آبروتون"));
        assert_eq!(stem("آبروشون"), "آبرو");
        // Not stripped where too little would be left: "آزمون" (exam).
        assert_eq!(stem("آزمون"), "آزمون");
        // Not verbs: too short, or ending in "ان".
        assert_eq!(stem("میوه"), "میوه");
        assert_eq!(formal_verb("میهمان"), None);
    }

    #[test]
    fn light_verbs_are_function_words() {
        // "I finish", "I finished", "finishing", "it becomes", "it did not become", "do it".
        for form in [
            "کنم",
            "کردم",
            "کردن",
            "میکنه",
            "نمیکنم",
            "میشه",
            "نشد",
            "شده",
            "بکن",
            "کنید",
        ] {
            assert!(is_function_word(form), "{form}");
        }
        // Content words that start or end alike: husband, beside, night, slow-witted "ش".
        for word in [
            "شوهر",
            "کنار",
            "شب",
            "ش",
            "کردستان",
            "شما",
            "شکایت",
            "بشقاب",
        ] {
            assert!(!is_function_word(word), "{word}");
        }
    }

    #[test]
    fn punctuation_splits_words() {
        assert_eq!(
            texts(words("آرامش خود را حفظ کنید.")),
            ["ارامش", "خود", "را", "حفظ", "کنید"]
        );
        assert_eq!(texts(words("چطور؟سمی،")), ["چطور", "سمی"]);
    }
}
