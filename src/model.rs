//! The playbook model: what a trainer writes, as typed data.

use crate::fnv::Fnv1a;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The languages agents read and playbooks are written or translated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fa,
    Ro,
    Th,
    Da,
    /// English: a reading language with translations only (no English originals yet).
    En,
}

impl Lang {
    /// Every language originals are written in, in display order.
    pub const ALL: [Lang; 4] = [Lang::Fa, Lang::Ro, Lang::Th, Lang::Da];

    /// Every language an agent can read steps in.
    pub const READING: [Lang; 5] = [Lang::En, Lang::Fa, Lang::Ro, Lang::Th, Lang::Da];

    /// Whether originals may be written in this language.
    pub fn has_originals(self) -> bool {
        self != Lang::En
    }

    /// The word for a playbook's introduction, the title its [`Playbook::introduction`] has.
    pub fn introduction_title(self) -> &'static str {
        match self {
            Lang::Fa => "مقدمه",
            Lang::Ro => "Introducere",
            Lang::Th => "บทนำ",
            Lang::Da => "Indledning",
            Lang::En => "Introduction",
        }
    }

    /// The ISO 639-1 code (`fa`, `ro`, `th`, `da`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::Ro => "ro",
            Lang::Th => "th",
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// The English name of the language.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Fa => "Persian",
            Lang::Ro => "Romanian",
            Lang::Th => "Thai",
            Lang::Da => "Danish",
            Lang::En => "English",
        }
    }

    /// Parses a language code, case-insensitively.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::READING
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a playbook's text comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One playbook: a transcribed article, its sections and steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Playbook {
    pub id: String,
    /// The line of `id = ...` in the front matter, for diagnostics.
    #[serde(skip)]
    pub id_line: usize,
    /// How many lines the file has: `show PATH:LINE` refuses a line past them.
    #[serde(skip)]
    pub lines: usize,
    pub title: String,
    pub lang: Lang,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The article's introduction (text before the first heading), as plain text.
    pub intro: String,
    /// The introduction as a step that search finds and `show` takes (`PLAYBOOK#introduction`):
    /// articles open with advice of their own ("the customer is not always right", when to
    /// end a call) that agents ask for. Not one of [`Playbook::steps`]: it has no situations,
    /// phrases or gloss to check, and the source's steps stay the source's.
    #[serde(skip)]
    pub introduction: Option<Step>,
    pub sections: Vec<Section>,
    pub steps: Vec<Step>,
    /// Set when the file is a translation of another playbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<Translation>,
}

/// What a translation's front matter says about it. Its `reviewed` date is the playbook's:
/// until a native-speaking trainer sets it, the translation is editorial, not reviewed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Translation {
    /// The id of the original playbook.
    pub of: String,
    /// The line of `translation_of`, for diagnostics.
    #[serde(skip)]
    pub of_line: usize,
    /// Who made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translator: Option<String>,
    /// Who reviewed it (with `reviewed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
}

/// A grouping heading above steps ("Del 1 af 3: Hold roen").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub intro: String,
    pub line: usize,
}

/// A sample phrase an agent can say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    pub text: String,
    /// True when written by the editors rather than quoted from the source.
    pub added: bool,
}

/// When in a call a step is the answer (`**Role:**`, set by trainers on the original).
///
/// A query that names a situation ("abusive caller") lifts every step tagged with it; the
/// steps an agent takes first should come first, and the ones that are knowledge for later
/// (recognising a toxic customer, preventing complaints, training) or that come only when
/// nothing else worked (legal help) after them, unless the query's own words ask for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// What to do or say during the call (the default: most steps).
    #[default]
    FirstLine,
    /// Knowledge, prevention, training, after-the-call work: not what to do now.
    Background,
    /// Only when the first-line steps did not work (legal action, ending the relationship).
    LastResort,
}

impl Role {
    /// Every role, as trainers write it.
    pub const ALL: [(Role, &'static str); 3] = [
        (Role::FirstLine, "first-line"),
        (Role::Background, "background"),
        (Role::LastResort, "last-resort"),
    ];

    /// The role written `text` (case and spacing aside: "Last resort" is "last-resort").
    pub fn parse(text: &str) -> Option<Role> {
        let key = text.trim().to_lowercase().replace([' ', '_'], "-");
        Role::ALL
            .iter()
            .find(|(_, name)| *name == key)
            .map(|(r, _)| *r)
    }

    pub fn is_first_line(&self) -> bool {
        *self == Role::FirstLine
    }
}

/// The id of a playbook's [`Playbook::introduction`]; no step may take it.
pub const INTRODUCTION_ID: &str = "introduction";

/// One step: what to do, and what to say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The title is the editors' (`**Title (added):**`), not the source's heading: where one
    /// heading of the source holds two pieces of advice, each step keeps the heading and the
    /// editors name what sets it apart.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_added: bool,
    /// Index into [`Playbook::sections`], if the step sits under a section.
    pub section: Option<usize>,
    pub situations: Vec<String>,
    /// When in a call the step is the answer (`**Role:**`; first-line unless set).
    pub role: Role,
    /// The guidance in the source's wording, as plain text (paragraphs joined by newlines).
    pub guidance: String,
    /// How many top-level list items the guidance has, counted as it was parsed: a
    /// paragraph that begins with a hyphen (`\- …` in Markdown) reads like one in
    /// [`Step::guidance`], but is not one.
    #[serde(skip)]
    pub list_items: usize,
    pub phrases: Vec<Phrase>,
    pub gloss: String,
    pub dont_say: Vec<String>,
    pub escalate_when: Vec<String>,
    /// Editorial search text in the file's own language (`**Agents ask:**`): how agents ask
    /// for this step's advice, in their words. Each file has its own (a translation's are
    /// written for its readers, not translated), so they are not part of the fingerprint.
    pub asks: Vec<String>,
    /// 1-based line of the step's heading.
    pub line: usize,
    /// In a translation: the original step's [`Step::fingerprint`] when it was translated
    /// (`<!-- original: … -->` under the heading), to tell when the original changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_fingerprint: Option<String>,
}

impl Step {
    /// A step as its heading starts it: an id, a title, where it sits; the rest comes from
    /// the lines under the heading.
    pub fn headed(id: String, title: String, section: Option<usize>, line: usize) -> Step {
        Step {
            id,
            title,
            title_added: false,
            section,
            situations: Vec::new(),
            role: Role::default(),
            guidance: String::new(),
            list_items: 0,
            phrases: Vec::new(),
            gloss: String::new(),
            dont_say: Vec::new(),
            escalate_when: Vec::new(),
            asks: Vec::new(),
            line,
            original_fingerprint: None,
        }
    }

    /// A playbook's introduction as a step: background reading, in the playbook's words,
    /// at the line where it starts.
    pub fn introduction(lang: Lang, text: &str, line: usize) -> Step {
        let title = lang.introduction_title().to_string();
        Step {
            role: Role::Background,
            guidance: text.to_string(),
            ..Step::headed(INTRODUCTION_ID.to_string(), title, None, line)
        }
    }

    /// A fingerprint of what a translation renders: the title, guidance, phrases and the
    /// lists. A change to any of them makes the step's translations stale; its situations
    /// and gloss are not translated, so changing them does not.
    pub fn fingerprint(&self) -> String {
        let mut hash = Fnv1a::new();
        let mut feed = |text: &str| hash.bytes(text.bytes().chain([0u8]));
        feed(&self.title);
        feed(&self.guidance);
        for p in &self.phrases {
            feed(if p.added { "+" } else { "=" });
            feed(&p.text);
        }
        for item in self.dont_say.iter().chain(&self.escalate_when) {
            feed(item);
        }
        format!("{:016x}", hash.finish())
    }
}

impl Playbook {
    /// The id of the playbook this one is, or translates: what ties a family together.
    pub fn family(&self) -> &str {
        self.translation.as_ref().map_or(&self.id, |t| &t.of)
    }

    /// The title of the section a step sits under.
    pub fn section_title(&self, step: &Step) -> Option<&str> {
        step.section
            .and_then(|i| self.sections.get(i))
            .map(|s| s.title.as_str())
    }

    /// A step by id, the [`Playbook::introduction`] included.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps
            .iter()
            .chain(&self.introduction)
            .find(|s| s.id == id)
    }

    /// The steps search finds: the introduction (when there is one), then the steps.
    pub fn searchable_steps(&self) -> impl Iterator<Item = &Step> {
        self.introduction.iter().chain(&self.steps)
    }
}

/// A file that was loaded, with where it lives.
#[derive(Debug, Clone)]
pub struct PlaybookFile {
    pub abs_path: PathBuf,
    pub rel_path: String,
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_read_as_trainers_write_them() {
        assert_eq!(Role::parse("last-resort"), Some(Role::LastResort));
        assert_eq!(Role::parse(" Last resort "), Some(Role::LastResort));
        assert_eq!(Role::parse("BACKGROUND"), Some(Role::Background));
        assert_eq!(Role::parse("first_line"), Some(Role::FirstLine));
        assert_eq!(Role::parse("sidste udvej"), None);
        assert_eq!(Role::default(), Role::FirstLine);
        for (role, name) in Role::ALL {
            assert_eq!(Role::parse(name), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{name}\""));
        }
    }
}
