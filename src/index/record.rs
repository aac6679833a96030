//! What the index stores and how: the stored [`StepRecord`], the schema and its [`Fields`],
//! the stable [`order_key`], and the tantivy documents made from a playbook.
//!
//! One document per original step, and one for its introduction (see
//! [`Playbook::introduction`]). Its translations are part of it: each translation's
//! text goes to its own language's analyzers, so a query in any reading language finds the
//! step, and a step is found once whatever the language of the words that matched. The
//! translations are stored beside the record ([`TranslatedStep`]) for showing.

use crate::analysis::Analyzer;
use crate::fnv::Fnv1a;
use crate::model::{INTRODUCTION_ID, Lang, Playbook, Role, Step};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Bump whenever the schema, an analyzer or the stored record changes: older indexes are
/// then rebuilt automatically (and the compiled taxonomy with it). 21: the manifest stamps
/// files with their change time and inode. 22: Persian light verbs are function words.
/// 23: steps' roles (the record's `role`, the `full_situations` field). 24: how agents ask
/// for a step (`asks`, searched with the step's text). 25: playbooks' introductions.
/// 26: word pairs (a `*_pairs` field per analyzer that makes them). 27: a Danish past
/// tense is also read as its present form ("råbte": "råbe"). 28: the manifest is sealed
/// with a CRC-32. 29: editorial step titles (`title_added`). 30: Danish stop words typed
/// without an å ("saa", "paa").
pub const INDEX_FORMAT: u32 = 30;

/// What is stored for each step: everything a result needs, so rendering never re-reads files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub playbook: String,
    pub lang: Lang,
    pub playbook_title: String,
    pub section: Option<String>,
    pub step: String,
    pub title: String,
    /// The title is the editors' (`**Title (added):**`), not the source's heading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub title_added: bool,
    /// The guidance, as plain text.
    pub text: String,
    pub phrases: Vec<String>,
    /// For each phrase, whether the editors wrote it (true) or the source quotes it (false).
    pub phrases_added: Vec<bool>,
    pub gloss: String,
    pub situations: Vec<String>,
    /// When in a call the step is the answer (`**Role:**`).
    #[serde(default)]
    pub role: Role,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dont_say: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_when: Vec<String>,
    /// How agents ask for the step's advice (`**Agents ask:**`): searched, shown in full views.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asks: Vec<String>,
    pub path: String,
    pub line: usize,
}

/// A step's translation into one reading language, as stored with the original step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslatedStep {
    pub lang: Lang,
    pub playbook_title: String,
    pub section: Option<String>,
    pub title: String,
    /// The title is the editors' (`**Title (added):**`), not a translation of the heading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub title_added: bool,
    pub text: String,
    pub phrases: Vec<String>,
    pub phrases_added: Vec<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dont_say: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_when: Vec<String>,
    /// How agents reading this language ask for the step (its file's `**Agents ask:**`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asks: Vec<String>,
    /// Where the translated step is written.
    pub path: String,
    pub line: usize,
    /// The original step changed since it was translated.
    pub stale: bool,
    /// When a native-speaking trainer reviewed the translation (none: editorial).
    pub reviewed: Option<String>,
}

impl TranslatedStep {
    /// `step` of `translation`, a translation of `original`.
    pub fn new(translation: &Playbook, step: &Step, original: &Step) -> Self {
        TranslatedStep {
            lang: translation.lang,
            playbook_title: translation.title.clone(),
            section: translation.section_title(step).map(str::to_string),
            title: step.title.clone(),
            title_added: step.title_added,
            text: step.guidance.clone(),
            phrases: step.phrases.iter().map(|p| p.text.clone()).collect(),
            phrases_added: step.phrases.iter().map(|p| p.added).collect(),
            dont_say: step.dont_say.clone(),
            escalate_when: step.escalate_when.clone(),
            asks: step.asks.clone(),
            path: translation.path.clone(),
            line: step.line,
            // A step never stamped is not known to be stale (`check` asks to stamp it).
            stale: step
                .original_fingerprint
                .as_ref()
                .is_some_and(|f| *f != original.fingerprint()),
            reviewed: translation.reviewed.clone(),
        }
    }

    /// The text its language's analyzers index.
    fn text_to_index(&self) -> String {
        let mut parts = vec![self.title.as_str(), self.title.as_str()];
        parts.extend(self.section.as_deref());
        parts.push(&self.text);
        parts.extend(self.phrases.iter().map(String::as_str));
        parts.extend(self.dont_say.iter().map(String::as_str));
        parts.extend(self.escalate_when.iter().map(String::as_str));
        parts.extend(self.asks.iter().map(String::as_str));
        parts.join("\n")
    }
}

impl StepRecord {
    /// `playbook#step`: the id `show` takes, and the step's name in the classifier.
    pub fn id(&self) -> String {
        format!("{}#{}", self.playbook, self.step)
    }

    pub fn new(playbook: &Playbook, step: &Step) -> Self {
        StepRecord {
            playbook: playbook.id.clone(),
            lang: playbook.lang,
            playbook_title: playbook.title.clone(),
            section: playbook.section_title(step).map(str::to_string),
            step: step.id.clone(),
            title: step.title.clone(),
            title_added: step.title_added,
            text: step.guidance.clone(),
            phrases: step.phrases.iter().map(|p| p.text.clone()).collect(),
            phrases_added: step.phrases.iter().map(|p| p.added).collect(),
            gloss: step.gloss.clone(),
            situations: step.situations.clone(),
            role: step.role,
            dont_say: step.dont_say.clone(),
            escalate_when: step.escalate_when.clone(),
            asks: step.asks.clone(),
            path: playbook.path.clone(),
            line: step.line,
        }
    }

    /// The text in the playbook's own language that the language analyzers index.
    fn source_text(&self) -> String {
        let mut parts = vec![
            self.title.as_str(),
            self.title.as_str(),
            self.playbook_title.as_str(),
        ];
        if let Some(section) = &self.section {
            parts.push(section);
        }
        parts.push(&self.text);
        parts.extend(self.phrases.iter().map(String::as_str));
        // What not to say is written in the playbook's language ("kan ikke", "umuligt"):
        // an agent typing those words is in the situation the step handles.
        parts.extend(self.dont_say.iter().map(String::as_str));
        // How agents ask for the step, in the playbook's language: their words, not the
        // source's (an agent types "decompress after a rough call", the step says "take a break").
        parts.extend(self.asks.iter().map(String::as_str));
        parts.join("\n")
    }

    /// Whether this is a playbook's introduction rather than one of its steps.
    pub fn is_introduction(&self) -> bool {
        self.step == INTRODUCTION_ID
    }

    /// The English (editorial) text.
    fn english_text(&self) -> String {
        let mut parts = vec![self.gloss.as_str()];
        parts.extend(self.escalate_when.iter().map(String::as_str));
        parts.join("\n")
    }
}

/// The index's fields.
#[derive(Debug, Clone)]
pub struct Fields {
    pub path: Field,
    /// The step's id ([`INTRODUCTION_ID`] for a playbook's introduction).
    pub step: Field,
    /// The original playbook's id, on every document of it and its translations: what an
    /// update deletes and re-adds when any of those files changes.
    pub family: Field,
    pub lang: Field,
    pub situations: Field,
    /// The step's first situation tag: trainers list the one the step is mainly for first.
    pub primary_situation: Field,
    /// The situations whose whole score the step gets: all its tags on a first-line step,
    /// only its main (first) one on a background or last-resort step (see [`Role`]). Legal
    /// help is the answer to a legal threat, and only a last resort for an abusive caller.
    pub full_situations: Field,
    pub record: Field,
    /// The step's translations, as stored JSON (a list of [`TranslatedStep`]).
    pub translations: Field,
    /// A stable key that orders steps with equal scores, so that results never depend on
    /// which segment or thread indexed a step.
    pub order: Field,
    /// One text field per analyzer, in [`Analyzer::ALL`] order.
    pub text: Vec<(Analyzer, Field)>,
    /// Neighbouring words, a pair a term, one field per analyzer that makes pairs (see
    /// [`crate::analysis::pairs`]).
    pub pairs: Vec<(Analyzer, Field)>,
}

impl Fields {
    /// The field of `analyzer`'s word pairs, if it makes pairs.
    pub fn pairs_field(&self, analyzer: Analyzer) -> Option<Field> {
        self.pairs
            .iter()
            .find(|(a, _)| *a == analyzer)
            .map(|(_, f)| *f)
    }

    pub fn text_field(&self, analyzer: Analyzer) -> Field {
        self.text.iter().find(|(a, _)| *a == analyzer).unwrap().1
    }
}

/// The schema, and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let path = builder.add_text_field("path", STRING);
    let step = builder.add_text_field("step", STRING);
    let family = builder.add_text_field("family", STRING);
    let lang = builder.add_text_field("lang", STRING);
    let situations = builder.add_text_field("situations", STRING);
    let primary_situation = builder.add_text_field("primary_situation", STRING);
    let full_situations = builder.add_text_field("full_situations", STRING);
    let record = builder.add_text_field("record", STORED);
    let translations = builder.add_text_field("translations", STORED);
    let order = builder.add_u64_field("order", tantivy::schema::FAST);
    let text = Analyzer::ALL
        .iter()
        .map(|&a| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(a.name())
                .set_index_option(IndexRecordOption::WithFreqs);
            (
                a,
                builder.add_text_field(
                    a.name(),
                    TextOptions::default().set_indexing_options(indexing),
                ),
            )
        })
        .collect();
    let pairs = Analyzer::ALL
        .iter()
        .filter_map(|&a| {
            let name = a.pairs_name()?;
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqs);
            Some((
                a,
                builder.add_text_field(name, TextOptions::default().set_indexing_options(indexing)),
            ))
        })
        .collect();
    (
        builder.build(),
        Fields {
            path,
            step,
            family,
            lang,
            situations,
            primary_situation,
            full_situations,
            record,
            translations,
            order,
            text,
            pairs,
        },
    )
}

/// FNV-1a of a step's path and id: the same for the same step in every build.
pub fn order_key(path: &str, step: &str) -> u64 {
    let mut hash = Fnv1a::new();
    hash.bytes(path.bytes().chain([b'#']).chain(step.bytes()));
    hash.finish()
}

/// Whether a field indexes text written in `lang`: each language's analyzers see only that
/// language's text (a Romanian stem of Danish text helps nobody, and costs build time); the
/// exact Latin field sees all text (Latin words appear in every language); the English
/// field sees the glosses and the English translations.
fn indexes(analyzer: Analyzer, lang: Lang) -> bool {
    analyzer.language().is_none_or(|own| own == lang)
}

/// The tantivy documents of an original playbook, one per step, each with the step's
/// translations from `translations` (playbooks translating this one).
pub(super) fn documents(
    playbook: &Playbook,
    translations: &[&Playbook],
    fields: &Fields,
) -> Vec<TantivyDocument> {
    playbook
        .searchable_steps()
        .map(|step| {
            let record = StepRecord::new(playbook, step);
            let translated: Vec<TranslatedStep> = translations
                .iter()
                .filter_map(|t| Some(TranslatedStep::new(t, t.step(&step.id)?, step)))
                .collect();
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.path, &record.path);
            doc.add_text(fields.step, &record.step);
            doc.add_text(fields.family, &playbook.id);
            doc.add_text(fields.lang, record.lang.code());
            doc.add_u64(fields.order, order_key(&record.path, &record.step));
            for (i, s) in record.situations.iter().enumerate() {
                doc.add_text(fields.situations, s);
                if i == 0 || record.role.is_first_line() {
                    doc.add_text(fields.full_situations, s);
                }
            }
            if let Some(first) = record.situations.first() {
                doc.add_text(fields.primary_situation, first);
            }
            let gloss = record.english_text();
            let source = record.source_text();
            let others: Vec<(Lang, String)> = translated
                .iter()
                .map(|t| (t.lang, t.text_to_index()))
                .collect();
            for (analyzer, field) in &fields.text {
                let pairs = fields.pairs_field(*analyzer);
                let mut add = |text: &str| {
                    doc.add_text(*field, text);
                    if let Some(pairs) = pairs {
                        doc.add_text(pairs, text);
                    }
                };
                // The gloss is editorial English: only the English field sees it (exact Latin
                // matches of it would outrank the steps' own words).
                if *analyzer == Analyzer::English {
                    add(&gloss);
                }
                if indexes(*analyzer, record.lang) {
                    add(&source);
                }
                for (_, text) in others.iter().filter(|(l, _)| indexes(*analyzer, *l)) {
                    add(text);
                }
            }
            doc.add_text(
                fields.record,
                serde_json::to_string(&record).expect("record serialises"),
            );
            if !translated.is_empty() {
                doc.add_text(
                    fields.translations,
                    serde_json::to_string(&translated).expect("translations serialise"),
                );
            }
            doc
        })
        .collect()
}
