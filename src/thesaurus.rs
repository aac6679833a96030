//! The thesaurus (`playbooks/thesaurus.toml`): groups of words that agents use for the same
//! thing, per language, so that a word the playbooks never use still finds the step that
//! says it another way.
//!
//! An agent types "jeg blev stødt" where the step's title says "Bliv ikke fornærmet", or
//! "pissed off" where the steps say "angry". `**Agents ask:**` lines bring agents' words to
//! one step; the thesaurus brings them to every step, in every playbook of a language. A
//! query word the index knows from at most a few steps ([`THESAURUS_RARE_SHARE`]) also
//! looks for the other words of its groups, at a lower weight ([`THESAURUS_WEIGHT`]); a
//! word most steps say needs no help, and expanding it would only blur the ranking.
//!
//! An entry is one word or a two-word expression ("lægge på", "bani înapoi"); a two-word
//! entry is looked for as a word pair (see [`crate::analysis::pairs`]). What the file has
//! wrong is reported by `check` at its line, and a search leaves that part out meanwhile.
//!
//! [`THESAURUS_RARE_SHARE`]: crate::tuning::THESAURUS_RARE_SHARE
//! [`THESAURUS_WEIGHT`]: crate::tuning::THESAURUS_WEIGHT

use crate::analysis::Analyzer;
use crate::analysis::pairs::pairs_of_terms;
use crate::corpus::Repo;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::files::{FileError, Stamp, read_regular};
use crate::model::Lang;
use crate::tuning::MAX_TAXONOMY_BYTES;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use toml::Spanned;

/// The thesaurus's file name, inside `playbooks/`.
pub const THESAURUS_FILE: &str = "thesaurus.toml";

/// One group of words that mean the same thing, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub lang: Lang,
    pub words: Vec<String>,
    /// The line the group starts on.
    pub line: usize,
}

/// What a query term also looks for: another word's term, or a two-word entry's pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Expansion {
    Word(String),
    Pair(String),
}

/// Each analyzer's terms, with what each also looks for (by analyzer, then term: a search
/// looks a term up without copying it).
#[derive(Debug, Default)]
pub struct Thesaurus {
    expansions: HashMap<Analyzer, HashMap<String, Vec<Expansion>>>,
}

impl Thesaurus {
    /// The thesaurus of `groups`: each group is read by every analyzer of its language, and
    /// each one-word entry looks for the others.
    pub fn new(groups: &[Group]) -> Self {
        let mut expansions: HashMap<Analyzer, HashMap<String, BTreeSet<Expansion>>> =
            HashMap::new();
        for group in groups {
            for analyzer in Analyzer::ALL {
                if !reads(analyzer, group.lang) {
                    continue;
                }
                let read: Vec<Vec<Expansion>> = group
                    .words
                    .iter()
                    .map(|w| read_entry(analyzer, w))
                    .collect();
                for entry in &read {
                    let [Expansion::Word(term)] = entry.as_slice() else {
                        continue;
                    };
                    let others = read
                        .iter()
                        .filter(|other| *other != entry)
                        .flatten()
                        .cloned();
                    expansions
                        .entry(analyzer)
                        .or_default()
                        .entry(term.clone())
                        .or_default()
                        .extend(others);
                }
            }
        }
        let expansions = expansions
            .into_iter()
            .map(|(analyzer, terms)| {
                let terms = terms
                    .into_iter()
                    .map(|(term, set)| (term, set.into_iter().collect()))
                    .collect();
                (analyzer, terms)
            })
            .collect();
        Thesaurus { expansions }
    }

    /// What `analyzer`'s term `term` also looks for (in a stable order).
    pub fn expansions(&self, analyzer: Analyzer, term: &str) -> &[Expansion] {
        self.expansions
            .get(&analyzer)
            .and_then(|terms| terms.get(term))
            .map_or(&[], Vec::as_slice)
    }
}

/// Whether `analyzer` reads a group of `lang`: its language's analyzers do; the exact
/// Latin spellings do not, since that field holds every Latin-script language's text and a
/// Romanian group must not change what a Danish word finds.
fn reads(analyzer: Analyzer, lang: Lang) -> bool {
    analyzer.language() == Some(lang)
}

/// An entry as `analyzer` reads it: one word's term, or the pairs of a longer entry's
/// neighbouring words (none when the analyzer reads no word in it, or makes no pairs). A
/// Thai expression is often several dictionary words ("ไม่พึงพอใจ"): each of its pairs is
/// looked for.
fn read_entry(analyzer: Analyzer, entry: &str) -> Vec<Expansion> {
    let terms = analyzer.analyze(entry);
    let positions: HashSet<usize> = terms.iter().map(|t| t.position).collect();
    match positions.len() {
        0 => Vec::new(),
        1 => vec![Expansion::Word(terms[0].text.clone())],
        _ => pairs_of_terms(analyzer, entry, &terms)
            .into_iter()
            .map(|pair| Expansion::Pair(pair.text))
            .collect(),
    }
}

/// Loads `playbooks/thesaurus.toml`: no file is no thesaurus (and no problem).
pub fn load_thesaurus(repo: &Repo) -> (Vec<Group>, Vec<Diagnostic>) {
    let path = repo.playbooks_dir().join(THESAURUS_FILE);
    let rel = repo.rel(&path);
    // The taxonomy's bound: the shipped thesaurus is under 100 KB; 4 MB is forty times that.
    match read_regular(&path, MAX_TAXONOMY_BYTES) {
        Ok(bytes) => parse_thesaurus(&bytes, &rel),
        Err(FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            (Vec::new(), Vec::new())
        }
        Err(e) => {
            let hint = match &e {
                FileError::Io(_) => "check the file's permissions",
                FileError::NotRegular { .. } => "replace it with the plain TOML file",
                FileError::TooLarge { .. } => {
                    "far larger than any thesaurus: check what was written there"
                }
            };
            let message = format!("cannot read the thesaurus: {e}");
            (
                Vec::new(),
                vec![Diagnostic::error(&rel, 1, "E0520", message).with_hint(hint)],
            )
        }
    }
}

/// The thesaurus a search uses, and what its file has wrong.
#[derive(Debug, Default)]
pub struct Loaded {
    pub thesaurus: Thesaurus,
    /// The first mistake (where and what, with its help line) and how many there are.
    pub mistakes: Option<(String, usize)>,
}

/// The cache file in `index/`: the thesaurus as read, so that a search does not analyse
/// every entry again (a few thousand words in five languages: most of a short search's
/// time, and the Thai dictionary loaded for a Danish query).
const CACHE_FILE: &str = "thesaurus.cache";

/// Bump whenever [`Thesaurus::new`] reads groups differently (which analyzers, how an entry
/// becomes terms and pairs): a cache is only ever checked against the file's stamp and the
/// index format, so without it a cache compiled by the old rules would be searched with.
const CACHE_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Cached {
    format: u32,
    /// [`CACHE_FORMAT`].
    rules: u32,
    stamp: Stamp,
    expansions: Vec<(Analyzer, String, Vec<Expansion>)>,
    mistakes: Option<(String, usize)>,
}

/// The thesaurus of `playbooks/thesaurus.toml`, whose [`stamp`] the caller took before
/// (none: no file): from the cache when it matches the file, else read (and cached). The
/// stamp comes first, as the taxonomy's does (see [`crate::cache::load_or_read`]): a file
/// written while it is read is read again next time.
pub fn load_or_read(repo: &Repo, stamp: Option<Stamp>) -> Loaded {
    let Some(before) = stamp else {
        return Loaded::default();
    };
    let cached =
        crate::cache::read_checked(repo, CACHE_FILE, crate::tuning::MAX_TAXONOMY_CACHE_BYTES)
            .and_then(|body| postcard::from_bytes::<Cached>(&body).ok())
            .filter(|c| {
                c.format == crate::index::INDEX_FORMAT
                    && c.rules == CACHE_FORMAT
                    && c.stamp == before
            });
    if let Some(cached) = cached {
        let mut expansions: HashMap<Analyzer, HashMap<String, Vec<Expansion>>> = HashMap::new();
        for (analyzer, term, found) in cached.expansions {
            expansions.entry(analyzer).or_default().insert(term, found);
        }
        return Loaded {
            thesaurus: Thesaurus { expansions },
            mistakes: cached.mistakes,
        };
    }
    let (groups, diagnostics) = load_thesaurus(repo);
    let loaded = Loaded {
        thesaurus: Thesaurus::new(&groups),
        mistakes: diagnostics
            .first()
            .map(|first| (first.to_string(), diagnostics.len())),
    };
    store(repo, before, &loaded);
    loaded
}

/// Caches `loaded`, read from the file as it was at `read_from`, unless the file changed.
fn store(repo: &Repo, read_from: Stamp, loaded: &Loaded) {
    if stamp(repo) != Some(read_from) {
        return;
    }
    let mut expansions: Vec<(Analyzer, String, Vec<Expansion>)> = loaded
        .thesaurus
        .expansions
        .iter()
        .flat_map(|(analyzer, terms)| {
            terms
                .iter()
                .map(|(term, found)| (*analyzer, term.clone(), found.clone()))
        })
        .collect();
    expansions.sort();
    let cached = Cached {
        format: crate::index::INDEX_FORMAT,
        rules: CACHE_FORMAT,
        stamp: read_from,
        expansions,
        mistakes: loaded.mistakes.clone(),
    };
    if let Ok(body) = postcard::to_stdvec(&cached) {
        crate::cache::write_checked(repo, CACHE_FILE, &body);
    }
}

/// What identifies a version of `thesaurus.toml` without reading it (none: no file).
pub fn stamp(repo: &Repo) -> Option<Stamp> {
    Stamp::of_path(&repo.playbooks_dir().join(THESAURUS_FILE))
}

/// The file as written: a list of groups per language code.
type ThesaurusFile = BTreeMap<Spanned<String>, Vec<Spanned<Vec<Spanned<String>>>>>;

/// Parses the thesaurus: its usable groups, and a diagnostic for everything left out.
pub fn parse_thesaurus(bytes: &[u8], rel_path: &str) -> (Vec<Group>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = match crate::diagnostic::utf8_text(bytes, rel_path) {
        Ok(text) => text,
        Err(invalid) => {
            diagnostics.push(invalid);
            return (Vec::new(), diagnostics);
        }
    };
    let lines = LineIndex::new(text);
    let file: ThesaurusFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let (line, col) = e.span().map(|s| lines.line_col(s.start)).unwrap_or((1, 1));
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0521",
                    format!("invalid thesaurus file: {}", e.message()),
                )
                .at_col(col)
                .with_hint(
                    "each language is a list of groups of words: da = [[\"fornærmet\", \"stødt\"], …]",
                ),
            );
            return (Vec::new(), diagnostics);
        }
    };
    let mut groups = Vec::new();
    for (code, lang_groups) in &file {
        let line = lines.line(code.span().start);
        let Some(lang) = Lang::from_code(code.get_ref()) else {
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0522",
                    format!(
                        "`{}` is not a language: its {} left out",
                        code.get_ref(),
                        match lang_groups.len() {
                            1 => "group is".to_string(),
                            n => format!("{n} groups are"),
                        }
                    ),
                )
                .with_hint("use en, fa, ro, th or da"),
            );
            continue;
        };
        for group in lang_groups {
            if let Some(group) = read_group(lang, group, &lines, rel_path, &mut diagnostics) {
                groups.push(group);
            }
        }
    }
    (groups, diagnostics)
}

/// A group's usable words (a warning for each entry left out), if two or more are left.
fn read_group(
    lang: Lang,
    group: &Spanned<Vec<Spanned<String>>>,
    lines: &LineIndex,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Group> {
    let analyzer = Analyzer::for_words_of(lang);
    let mut words: Vec<String> = Vec::new();
    for entry in group.get_ref() {
        let (line, col) = lines.line_col(entry.span().start);
        let word = entry.get_ref().trim();
        let problem = if word.split_whitespace().count() > 2 {
            Some("is more than two words")
        } else if analyzer.analyze(word).is_empty() {
            Some(if word.is_empty() {
                "is empty"
            } else {
                "has no word a search reads in this language (only function words, or another script)"
            })
        } else {
            None
        };
        if let Some(why) = problem {
            diagnostics.push(
                Diagnostic::warning(
                    rel_path,
                    line,
                    "W0523",
                    format!("the entry \"{word}\" {why}: it is left out"),
                )
                .at_col(col)
                .with_hint("an entry is one word or a two-word expression (\"lægge på\"), in its group's language"),
            );
            continue;
        }
        if !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    }
    let (line, col) = lines.line_col(group.span().start);
    if words.len() < 2 {
        diagnostics.push(
            Diagnostic::warning(
                rel_path,
                line,
                "W0524",
                "a group with fewer than two usable words says nothing: it is left out",
            )
            .at_col(col)
            .with_hint("add the words agents use for the same thing, or delete the group"),
        );
        return None;
    }
    Some(Group { lang, words, line })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus(toml: &str) -> Thesaurus {
        let (groups, diagnostics) = parse_thesaurus(toml.as_bytes(), "playbooks/thesaurus.toml");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        Thesaurus::new(&groups)
    }

    fn term(analyzer: Analyzer, word: &str) -> String {
        analyzer.analyze(word)[0].text.clone()
    }

    fn pair(analyzer: Analyzer, words: &str) -> String {
        pairs_of_terms(analyzer, words, &analyzer.analyze(words))[0]
            .text
            .clone()
    }

    #[test]
    fn a_danish_word_looks_for_the_others_of_its_group_in_any_form() {
        let t = thesaurus("da = [[\"fornærmet\", \"stødt\", \"krænket\"]]\n");
        let da = Analyzer::Danish;
        // "stødte" is read as "stødt" is: the stem looks for the others' stems.
        let found = t.expansions(da, &term(da, "stødte"));
        assert!(
            found.contains(&Expansion::Word(term(da, "fornærmet"))),
            "{found:?}"
        );
        assert!(
            found.contains(&Expansion::Word(term(da, "krænket"))),
            "{found:?}"
        );
        assert!(!found.contains(&Expansion::Word(term(da, "stødt"))));
        // Words the group does not have look for nothing.
        assert!(t.expansions(da, &term(da, "vred")).is_empty());
        // A Danish group is not read as Romanian.
        assert!(
            t.expansions(Analyzer::Romanian, &term(da, "stødt"))
                .is_empty()
        );
    }

    #[test]
    fn a_romanian_two_word_entry_is_looked_for_as_a_pair() {
        let t = thesaurus("ro = [[\"rambursare\", \"bani înapoi\"]]\n");
        let ro = Analyzer::Romanian;
        let found = t.expansions(ro, &term(ro, "rambursarea"));
        assert_eq!(found, [Expansion::Pair(pair(ro, "bani înapoi"))]);
        // A two-word entry is looked for, not looked up: "bani" alone expands to nothing.
        assert!(t.expansions(ro, &term(ro, "bani")).is_empty());
    }

    #[test]
    fn persian_spoken_and_written_forms_and_thai_words_expand() {
        let t = thesaurus(
            "fa = [[\"فحش دادن\", \"ناسزا\", \"فحاشی\"]]\nth = [[\"โกรธ\", \"โมโห\", \"ขุ่นเคือง\"]]\n",
        );
        let fa = Analyzer::PersianStem;
        let found = t.expansions(fa, &term(fa, "ناسزا"));
        assert!(
            found.contains(&Expansion::Word(term(fa, "فحاشی"))),
            "{found:?}"
        );
        assert!(
            found.contains(&Expansion::Pair(pair(fa, "فحش دادن"))),
            "{found:?}"
        );
        let th = Analyzer::ThaiWords;
        let found = t.expansions(th, "โมโห");
        assert!(
            found.contains(&Expansion::Word("โกรธ".to_string())),
            "{found:?}"
        );
        // A Thai expression of several dictionary words is looked for by its pairs.
        assert!(
            found.contains(&Expansion::Pair(pair(th, "ขุ่นเคือง"))),
            "{found:?}"
        );
    }

    #[test]
    fn what_cannot_be_used_is_reported_at_its_line_and_left_out() {
        let text = "\
en = [
  [\"angry\", \"mad\", \"furious\"],
  [\"alone\"],
  [\"shout\", \"raise your voice at me\", \"yell\"],
]
xx = [[\"a\", \"b\"]]
";
        let (groups, diagnostics) = parse_thesaurus(text.as_bytes(), "playbooks/thesaurus.toml");
        let codes: Vec<(&str, usize)> = diagnostics.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(codes, [("W0524", 3), ("W0523", 4), ("E0522", 6)]);
        assert!(diagnostics[1].message.contains("raise your voice at me"));
        let words: Vec<&[String]> = groups.iter().map(|g| g.words.as_slice()).collect();
        assert_eq!(
            words,
            [&["angry", "mad", "furious"][..], &["shout", "yell"][..]]
        );
        assert_eq!(groups[0].line, 2);
    }

    #[test]
    fn an_invalid_file_is_one_error_at_its_line() {
        let (groups, diagnostics) =
            parse_thesaurus(b"da = [[\"vred\", \"sur\"]\n", "playbooks/thesaurus.toml");
        assert!(groups.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "E0521");
    }
}
