//! What the index stores and how: the stored [`StepRecord`], the schema and its [`Fields`],
//! the stable [`order_key`], and the tantivy documents made from a playbook.

use crate::analysis::Analyzer;
use crate::model::{Lang, Playbook, Step};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Bump whenever the schema, an analyzer or the stored record changes: older indexes are
/// then rebuilt automatically.
pub const INDEX_FORMAT: u32 = 18;

/// What is stored for each step: everything a result needs, so rendering never re-reads files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub playbook: String,
    pub lang: Lang,
    pub playbook_title: String,
    pub section: Option<String>,
    pub step: String,
    pub title: String,
    /// The guidance, as plain text.
    pub text: String,
    pub phrases: Vec<String>,
    /// For each phrase, whether the editors wrote it (true) or the source quotes it (false).
    pub phrases_added: Vec<bool>,
    pub gloss: String,
    pub situations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dont_say: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_when: Vec<String>,
    pub path: String,
    pub line: usize,
}

impl StepRecord {
    pub fn new(playbook: &Playbook, step: &Step) -> Self {
        StepRecord {
            playbook: playbook.id.clone(),
            lang: playbook.lang,
            playbook_title: playbook.title.clone(),
            section: playbook.section_title(step).map(str::to_string),
            step: step.id.clone(),
            title: step.title.clone(),
            text: step.guidance.clone(),
            phrases: step.phrases.iter().map(|p| p.text.clone()).collect(),
            phrases_added: step.phrases.iter().map(|p| p.added).collect(),
            gloss: step.gloss.clone(),
            situations: step.situations.clone(),
            dont_say: step.dont_say.clone(),
            escalate_when: step.escalate_when.clone(),
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
        parts.join("\n")
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
    pub lang: Field,
    pub situations: Field,
    /// The step's first situation tag: trainers list the one the step is mainly for first.
    pub primary_situation: Field,
    pub record: Field,
    /// A stable key that orders steps with equal scores, so that results never depend on
    /// which segment or thread indexed a step.
    pub order: Field,
    /// One text field per analyzer, in [`Analyzer::ALL`] order.
    pub text: Vec<(Analyzer, Field)>,
}

impl Fields {
    pub fn text_field(&self, analyzer: Analyzer) -> Field {
        self.text.iter().find(|(a, _)| *a == analyzer).unwrap().1
    }
}

/// The schema, and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let path = builder.add_text_field("path", STRING);
    let lang = builder.add_text_field("lang", STRING);
    let situations = builder.add_text_field("situations", STRING);
    let primary_situation = builder.add_text_field("primary_situation", STRING);
    let record = builder.add_text_field("record", STORED);
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
    (
        builder.build(),
        Fields {
            path,
            lang,
            situations,
            primary_situation,
            record,
            order,
            text,
        },
    )
}

/// FNV-1a of a step's path and id: the same for the same step in every build.
pub fn order_key(path: &str, step: &str) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in path.bytes().chain([b'#']).chain(step.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash
}

/// What a field indexes for a step in `lang`: each language's analyzers see only that
/// language's playbooks (a Romanian stem of Danish text helps nobody, and costs build
/// time); the exact Latin field sees every playbook (Latin words appear in all of them);
/// the English field sees the glosses.
fn field_text<'a>(
    analyzer: Analyzer,
    lang: Lang,
    source: &'a str,
    english: &'a str,
) -> Option<&'a str> {
    let own = match analyzer {
        Analyzer::English => return Some(english),
        Analyzer::LatinExact => return Some(source),
        Analyzer::ThaiWords | Analyzer::ThaiBigrams => Lang::Th,
        Analyzer::Persian | Analyzer::PersianStem => Lang::Fa,
        Analyzer::Romanian => Lang::Ro,
        Analyzer::Danish => Lang::Da,
    };
    (own == lang).then_some(source)
}

/// The tantivy documents for one playbook: one per step.
pub(super) fn documents(playbook: &Playbook, fields: &Fields) -> Vec<TantivyDocument> {
    playbook
        .steps
        .iter()
        .map(|step| {
            let record = StepRecord::new(playbook, step);
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.path, &record.path);
            doc.add_text(fields.lang, record.lang.code());
            doc.add_u64(fields.order, order_key(&record.path, &record.step));
            for s in &record.situations {
                doc.add_text(fields.situations, s);
            }
            if let Some(first) = record.situations.first() {
                doc.add_text(fields.primary_situation, first);
            }
            let source = record.source_text();
            let english = record.english_text();
            for (analyzer, field) in &fields.text {
                if let Some(text) = field_text(*analyzer, record.lang, &source, &english) {
                    doc.add_text(*field, text);
                }
            }
            doc.add_text(
                fields.record,
                serde_json::to_string(&record).expect("record serialises"),
            );
            doc
        })
        .collect()
}
