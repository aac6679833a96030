//! What an agent sees of a step, built once and drawn by every front-end.
//!
//! A [`StepView`] holds a step's parts in the order an agent needs them mid-call — what to
//! say, what to do, the English line, what not to say, when to escalate, where it comes
//! from — each with its [`Label`]. The terminal printer, the live UI and the JSON output draw
//! the same view, so the labels and the order live here and nowhere else.

use crate::index::{StepRecord, TranslatedStep};
use crate::model::Lang;
use crate::search::{Hit, SearchResults};
use crate::taxonomy::Taxonomy;
use serde::Serialize;

/// The label of each part of a step, the same in every front-end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Situations,
    Say,
    Do,
    /// What a playbook's introduction says (it is not a step to take).
    About,
    English,
    DontSay,
    EscalateWhen,
    AgentsAsk,
}

impl Label {
    /// The label as people read it.
    pub fn text(self) -> &'static str {
        match self {
            Label::Situations => "For",
            Label::Say => "Say",
            Label::Do => "Do",
            Label::About => "About",
            Label::English => "English",
            Label::DontSay => "Don't say",
            Label::EscalateWhen => "Escalate when",
            Label::AgentsAsk => "Agents ask",
        }
    }
}

/// A phrase to say, and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhraseView {
    pub text: String,
    /// Written by the editors, not quoted from the source ("(added)").
    pub added: bool,
}

impl PhraseView {
    /// The phrase as shown: quoted, with "(added)" after an editorial one.
    pub fn quoted(&self) -> String {
        let mark = if self.added { " (added)" } else { "" };
        format!("“{}”{mark}", self.text)
    }
}

/// A situation as shown: its id and its English label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SituationName {
    pub id: String,
    pub label: String,
}

impl std::fmt::Display for SituationName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.label == self.id {
            f.write_str(&self.id)
        } else {
            write!(f, "{} ({})", self.label, self.id)
        }
    }
}

impl SituationName {
    /// The name of situation `id` in `taxonomy` (the id itself when the taxonomy lacks it).
    pub fn of(taxonomy: Option<&Taxonomy>, id: &str) -> Self {
        SituationName {
            id: id.to_string(),
            label: taxonomy
                .and_then(|t| t.get(id))
                .map_or_else(|| id.to_string(), |s| s.label.clone()),
        }
    }

    /// "Label (id), Label (id)".
    pub fn join(names: &[SituationName]) -> String {
        names
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where the text shown comes from: agents and trainers always tell source text, editorial
/// text and reviewed translations apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The original, in the language it was written in.
    Original,
    /// A translation from `from`.
    Translation {
        from: Lang,
        /// When a native-speaking trainer reviewed it; `None`: an editorial translation.
        reviewed: Option<String>,
        /// The original changed since it was translated.
        stale: bool,
    },
    /// The agent reads `wanted`, but the step has no translation into it: the original.
    NoTranslation { wanted: Lang },
}

impl Origin {
    /// The same, short enough for a result's second line.
    pub fn short_note(&self) -> Option<String> {
        match self {
            Origin::Original => None,
            Origin::Translation {
                from,
                reviewed,
                stale,
            } => {
                let state = match (stale, reviewed) {
                    (true, _) => "stale",
                    (false, Some(_)) => "reviewed",
                    (false, None) => "not reviewed",
                };
                Some(format!("from {}, {state}", from.name()))
            }
            Origin::NoTranslation { wanted } => Some(format!("no {} yet", wanted.name())),
        }
    }

    /// One line saying where the text comes from, when it is not simply the original.
    pub fn note(&self) -> Option<String> {
        match self {
            Origin::Original => None,
            Origin::Translation {
                from,
                reviewed,
                stale,
            } => {
                let mut note = format!("translated from {}", from.name());
                match reviewed {
                    Some(date) => note.push_str(&format!(" · reviewed {date}")),
                    None => note.push_str(" · not reviewed"),
                }
                if *stale {
                    note.push_str(" · stale: the original changed since");
                }
                Some(note)
            }
            Origin::NoTranslation { wanted } => Some(format!(
                "no {} translation yet: the original",
                wanted.name()
            )),
        }
    }
}

/// One step as an agent sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    /// What `playbook show` takes: `playbook#step`.
    pub id: String,
    /// The language of the text shown.
    pub lang: Lang,
    /// The playbook's title and, when the step sits under one, its section.
    pub trail: Vec<String>,
    pub title: String,
    /// The title is the editors', not the source's heading: shown with "(added)", as an
    /// editorial phrase is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_added: bool,
    pub situations: Vec<SituationName>,
    /// What to say, first.
    pub say: Vec<PhraseView>,
    /// What to do: the guidance, one paragraph or list item per entry.
    pub guidance: Vec<String>,
    /// How the guidance is labelled: `Do`, or `About` for a playbook's introduction.
    pub guidance_label: Label,
    /// The English line (the gloss): for an English reader it may be the only readable one.
    pub english: String,
    pub dont_say: Vec<String>,
    pub escalate_when: Vec<String>,
    /// How agents ask for this step (editorial search text, in the shown language).
    pub asks: Vec<String>,
    /// Where the step is written: `path:line`.
    pub location: String,
    /// Original, translation (reviewed or not, stale or not), or no translation.
    pub origin: Origin,
}

impl StepView {
    /// The title as a full view heads the step: with "(added)" after an editorial one. A
    /// one-line row shows the title alone (its room is the id's and the title's).
    pub fn headline(&self) -> String {
        if self.title_added {
            format!("{} (added)", self.title)
        } else {
            self.title.clone()
        }
    }

    /// The view of an original step.
    pub fn of(record: &StepRecord, taxonomy: Option<&Taxonomy>) -> Self {
        Self::in_lang(record, None, record.lang, taxonomy)
    }

    /// The view of a search result in the reading language.
    pub fn of_hit(hit: &Hit, reading: Lang, taxonomy: Option<&Taxonomy>) -> Self {
        Self::in_lang(hit.record(), hit.translation_in(reading), reading, taxonomy)
    }

    /// The view of `record` for an agent reading `wanted`: its translation when one is
    /// given (and `wanted` is not the original's language), else the original, saying so.
    pub fn in_lang(
        record: &StepRecord,
        translation: Option<&TranslatedStep>,
        wanted: Lang,
        taxonomy: Option<&Taxonomy>,
    ) -> Self {
        let mut view = Self::original(record, taxonomy);
        match translation.filter(|_| wanted != record.lang) {
            Some(t) => {
                view.lang = t.lang;
                view.trail = vec![t.playbook_title.clone()];
                view.trail.extend(t.section.clone());
                view.title = t.title.clone();
                view.title_added = t.title_added;
                view.say = phrases(&t.phrases, &t.phrases_added);
                view.guidance = paragraphs(&t.text);
                view.dont_say = t.dont_say.clone();
                view.asks = t.asks.clone();
                if !t.escalate_when.is_empty() {
                    view.escalate_when = t.escalate_when.clone();
                }
                view.location = format!("{}:{}", t.path, t.line);
                view.origin = Origin::Translation {
                    from: record.lang,
                    reviewed: t.reviewed.clone(),
                    stale: t.stale,
                };
            }
            None if wanted != record.lang => view.origin = Origin::NoTranslation { wanted },
            None => {}
        }
        view
    }

    fn original(record: &StepRecord, taxonomy: Option<&Taxonomy>) -> Self {
        let mut trail = vec![record.playbook_title.clone()];
        trail.extend(record.section.clone());
        StepView {
            id: record.id(),
            lang: record.lang,
            trail,
            title: record.title.clone(),
            title_added: record.title_added,
            situations: record
                .situations
                .iter()
                .map(|id| SituationName::of(taxonomy, id))
                .collect(),
            say: phrases(&record.phrases, &record.phrases_added),
            guidance: paragraphs(&record.text),
            guidance_label: if record.is_introduction() {
                Label::About
            } else {
                Label::Do
            },
            english: record.gloss.clone(),
            dont_say: record.dont_say.clone(),
            escalate_when: record.escalate_when.clone(),
            asks: record.asks.clone(),
            location: format!("{}:{}", record.path, record.line),
            origin: Origin::Original,
        }
    }

    /// The lists after the English line, with their labels, in the order they are shown.
    pub fn lists(&self) -> [(Label, &[String]); 3] {
        [
            (Label::DontSay, &self.dont_say),
            (Label::EscalateWhen, &self.escalate_when),
            (Label::AgentsAsk, &self.asks),
        ]
    }

    /// The guidance as one paragraph (for a summary that has room for a few lines only).
    pub fn guidance_line(&self) -> String {
        self.guidance.join(" ")
    }
}

fn phrases(texts: &[String], added: &[bool]) -> Vec<PhraseView> {
    texts
        .iter()
        .zip(added.iter().chain(std::iter::repeat(&false)))
        .map(|(text, &added)| PhraseView {
            text: text.clone(),
            added,
        })
        .collect()
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a search found, as an agent sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultsView {
    pub query: String,
    /// The query in Persian script, when it was typed as Persian in Latin letters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    /// The language the steps are shown in (a step without a translation into it is shown
    /// as its original, and says so).
    pub reading: Lang,
    /// The situations the query resolved to.
    pub situations: Vec<SituationName>,
    pub steps: Vec<StepView>,
    /// When nothing was found: situations the query might have meant.
    pub suggestions: Vec<SituationName>,
}

impl ResultsView {
    pub fn of(results: &SearchResults, taxonomy: Option<&Taxonomy>) -> Self {
        let names = |ids: &[String]| {
            ids.iter()
                .map(|id| SituationName::of(taxonomy, id))
                .collect()
        };
        ResultsView {
            query: results.query.trim().to_string(),
            read_as: results.read_as.clone(),
            reading: results.reading,
            situations: names(&results.situations),
            steps: results
                .results
                .iter()
                .map(|hit| StepView::of_hit(hit, results.reading, taxonomy))
                .collect(),
            suggestions: names(&results.suggestions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> StepRecord {
        StepRecord {
            playbook: "da-vrede-klienter".into(),
            lang: Lang::Da,
            playbook_title: "Sådan håndterer du vrede klienter".into(),
            section: Some("Del 1 af 3: Hold roen".into()),
            step: "warn".into(),
            title: "Advar klienten".into(),
            title_added: false,
            text: "Sig det roligt.\n\n- Læg på, hvis det fortsætter.".into(),
            phrases: vec!["Jeg forstår".into(), "Jeg hjælper gerne".into()],
            phrases_added: vec![false, true],
            gloss: "Warn once, then hang up.".into(),
            situations: vec!["abusive-caller".into()],
            role: crate::model::Role::FirstLine,
            dont_say: vec![],
            escalate_when: vec![],
            asks: vec!["kunden bliver ved med at bande".into()],
            path: "playbooks/da/vrede-klienter.md".into(),
            line: 12,
        }
    }

    #[test]
    fn a_view_keeps_the_parts_in_the_agents_order() {
        let view = StepView::of(&record(), None);
        assert_eq!(view.id, "da-vrede-klienter#warn");
        assert_eq!(
            view.trail,
            ["Sådan håndterer du vrede klienter", "Del 1 af 3: Hold roen"]
        );
        assert_eq!(view.say[0].quoted(), "“Jeg forstår”");
        assert_eq!(view.say[1].quoted(), "“Jeg hjælper gerne” (added)");
        assert_eq!(
            view.guidance,
            ["Sig det roligt.", "- Læg på, hvis det fortsætter."]
        );
        assert_eq!(view.location, "playbooks/da/vrede-klienter.md:12");
        assert_eq!(view.situations[0].to_string(), "abusive-caller");
        // How agents ask for the step comes last, after what not to say and when to escalate.
        let lists: Vec<Label> = view.lists().iter().map(|(l, _)| *l).collect();
        assert_eq!(
            lists,
            [Label::DontSay, Label::EscalateWhen, Label::AgentsAsk]
        );
        assert_eq!(view.asks, ["kunden bliver ved med at bande"]);
    }

    #[test]
    fn an_editorial_title_says_so_in_full_views_in_every_language() {
        let mut record = record();
        assert_eq!(StepView::of(&record, None).headline(), "Advar klienten");
        record.title = "Skriftlig kommunikation og dokumentation".into();
        record.title_added = true;
        assert_eq!(
            StepView::of(&record, None).headline(),
            "Skriftlig kommunikation og dokumentation (added)"
        );
        // A translation's title is editorial when its own file says so.
        let translation = |title_added| TranslatedStep {
            lang: Lang::Fa,
            playbook_title: "مشتری".into(),
            section: None,
            title: "ارتباط مکتوب و ثبت سوابق".into(),
            title_added,
            text: "متن".into(),
            phrases: vec![],
            phrases_added: vec![],
            dont_say: vec![],
            escalate_when: vec![],
            asks: vec![],
            path: "playbooks/fa/da-vrede-klienter.md".into(),
            line: 3,
            stale: false,
            reviewed: None,
        };
        let added = translation(true);
        let view = StepView::in_lang(&record, Some(&added), Lang::Fa, None);
        assert_eq!(view.headline(), "ارتباط مکتوب و ثبت سوابق (added)");
        let translated = translation(false);
        let view = StepView::in_lang(&record, Some(&translated), Lang::Fa, None);
        assert_eq!(view.headline(), "ارتباط مکتوب و ثبت سوابق");
    }
}
