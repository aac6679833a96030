//! The situation taxonomy (`playbooks/situations.toml`): ids, labels and synonyms in five languages.

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::parser::is_valid_id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The languages a situation is labelled in: English plus the four playbook languages.
pub const TAXONOMY_LANGS: [&str; 5] = ["en", "fa", "ro", "th", "da"];

/// One situation an agent can be in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Situation {
    pub id: String,
    /// English label.
    pub label: String,
    pub description: String,
    /// Headline situations must have sample phrases in every step tagged with them.
    #[serde(default)]
    pub headline: bool,
    /// Labels in fa, ro, th and da.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Synonyms in en, fa, ro, th and da.
    #[serde(default)]
    pub synonyms: BTreeMap<String, Vec<String>>,
}

impl Situation {
    /// The label in a language (`en` gives the English label).
    pub fn label_in(&self, lang: &str) -> Option<&str> {
        if lang == "en" {
            Some(&self.label)
        } else {
            self.labels.get(lang).map(String::as_str)
        }
    }

    /// Every label and synonym, with its language.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        let labels = std::iter::once(("en", self.label.as_str()))
            .chain(self.labels.iter().map(|(l, s)| (l.as_str(), s.as_str())));
        let synonyms = self
            .synonyms
            .iter()
            .flat_map(|(l, v)| v.iter().map(move |s| (l.as_str(), s.as_str())));
        labels.chain(synonyms)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    #[serde(default)]
    situation: Vec<Situation>,
}

/// All situations, in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Taxonomy {
    pub situations: Vec<Situation>,
    /// The line of each situation's `id = ...`, for diagnostics.
    #[serde(skip)]
    pub lines: Vec<usize>,
}

impl Taxonomy {
    /// A situation by id.
    pub fn get(&self, id: &str) -> Option<&Situation> {
        self.situations.iter().find(|s| s.id == id)
    }

    /// The known id closest to an unknown one, for "did you mean".
    pub fn closest_id(&self, unknown: &str) -> Option<&str> {
        self.situations
            .iter()
            .map(|s| (strsim::damerau_levenshtein(&s.id, unknown), s.id.as_str()))
            .filter(|(d, id)| *d <= 3.max(id.len() / 3))
            .min()
            .map(|(_, id)| id)
    }
}

/// Parses `situations.toml`; returns the taxonomy (if the file is usable) and diagnostics.
pub fn parse_taxonomy(bytes: &[u8], rel_path: &str) -> (Option<Taxonomy>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = match crate::diagnostic::utf8_text(bytes, rel_path) {
        Ok(text) => text,
        Err(invalid) => {
            diagnostics.push(invalid);
            return (None, diagnostics);
        }
    };
    let file: TaxonomyFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let (line, col) = e
                .span()
                .map(|s| LineIndex::new(text).line_col(s.start))
                .unwrap_or((1, 1));
            diagnostics.push(
                Diagnostic::error(rel_path, line, "E0501", format!("invalid situations file: {}", e.message()))
                    .at_col(col)
                    .with_hint("each situation is a `[[situation]]` table with id, label, description, [situation.labels] and [situation.synonyms]"),
            );
            return (None, diagnostics);
        }
    };
    let lines = situation_lines(text, file.situation.len());
    let taxonomy = Taxonomy {
        situations: file.situation,
        lines,
    };
    validate(&taxonomy, rel_path, &mut diagnostics);
    (Some(taxonomy), diagnostics)
}

/// Line of the n-th `[[situation]]` header.
fn situation_lines(text: &str, count: usize) -> Vec<usize> {
    let mut lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| is_situation_header(l))
        .map(|(i, _)| i + 1)
        .collect();
    lines.resize(count, 1);
    lines
}

/// Whether a line opens a `[[situation]]` table (spaces and a trailing comment allowed).
fn is_situation_header(line: &str) -> bool {
    let code = line.split('#').next().unwrap_or("");
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        == "[[situation]]"
}

fn validate(taxonomy: &Taxonomy, rel_path: &str, diagnostics: &mut Vec<Diagnostic>) {
    if taxonomy.situations.is_empty() {
        diagnostics.push(
            Diagnostic::error(rel_path, 1, "E0502", "no situations defined")
                .with_hint("add `[[situation]]` tables (see docs/playbook-format.md)"),
        );
    }
    for (i, s) in taxonomy.situations.iter().enumerate() {
        let line = taxonomy.lines[i];
        if !is_valid_id(&s.id) {
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0503",
                    format!("invalid situation id `{}`", s.id),
                )
                .with_hint("use lowercase letters, digits and dashes"),
            );
        }
        if let Some(first) = taxonomy.situations[..i].iter().position(|o| o.id == s.id) {
            diagnostics.push(
                Diagnostic::error(
                    rel_path,
                    line,
                    "E0504",
                    format!(
                        "duplicate situation id `{}` (first on line {})",
                        s.id, taxonomy.lines[first]
                    ),
                )
                .with_hint("situation ids must be unique"),
            );
        }
        for lang in &TAXONOMY_LANGS[1..] {
            if s.labels.get(*lang).is_none_or(|l| l.trim().is_empty()) {
                diagnostics.push(
                    Diagnostic::error(
                        rel_path,
                        line,
                        "E0505",
                        format!("situation `{}` has no {lang} label", s.id),
                    )
                    .with_hint(format!("add `{lang} = \"...\"` under [situation.labels]")),
                );
            }
        }
        for key in s.labels.keys() {
            if !TAXONOMY_LANGS[1..].contains(&key.as_str()) {
                diagnostics.push(
                    Diagnostic::error(
                        rel_path,
                        line,
                        "E0507",
                        format!("situation `{}`: unknown label language `{key}`", s.id),
                    )
                    .with_hint("label languages are fa, ro, th, da"),
                );
            }
        }
        for key in s.synonyms.keys() {
            if !TAXONOMY_LANGS.contains(&key.as_str()) {
                diagnostics.push(
                    Diagnostic::error(
                        rel_path,
                        line,
                        "E0507",
                        format!("situation `{}`: unknown synonym language `{key}`", s.id),
                    )
                    .with_hint("synonym languages are en, fa, ro, th, da"),
                );
            }
        }
        for lang in TAXONOMY_LANGS {
            let n = s
                .synonyms
                .get(lang)
                .map_or(0, |v| v.iter().filter(|x| !x.trim().is_empty()).count());
            if n == 0 {
                diagnostics.push(
                    Diagnostic::error(
                        rel_path,
                        line,
                        "E0506",
                        format!("situation `{}` has no {lang} synonyms", s.id),
                    )
                    .with_hint(format!(
                        "add `{lang} = [\"...\"]` under [situation.synonyms]: the words agents type"
                    )),
                );
            } else if s.headline && n < 6 {
                diagnostics.push(
                    Diagnostic::warning(
                        rel_path,
                        line,
                        "W0508",
                        format!("headline situation `{}` has only {n} {lang} synonyms", s.id),
                    )
                    .with_hint("give headline situations at least six synonyms per language"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[situation]]
id = "refund-demand"
label = "Refund demand"
description = "Wants money back."
headline = true
[situation.labels]
fa = "درخواست بازپرداخت"
ro = "Cerere de rambursare"
th = "ขอเงินคืน"
da = "Krav om refusion"
[situation.synonyms]
en = ["refund", "money back", "reimbursement", "chargeback", "wants a refund", "compensation"]
fa = ["پس دادن پول", "بازپرداخت", "استرداد وجه", "پولمو پس بده", "عودت وجه", "پول برگشت"]
ro = ["rambursare", "banii înapoi", "returnarea banilor", "vreau banii", "despăgubire", "restituire"]
th = ["ขอเงินคืน", "คืนเงิน", "เงินคืน", "ขอคืนเงิน", "ชดเชย", "เคลมเงิน"]
da = ["refusion", "pengene tilbage", "tilbagebetaling", "kompensation", "erstatning", "vil have pengene"]
"#;

    #[test]
    fn parses_a_complete_situation_without_diagnostics() {
        let (t, d) = parse_taxonomy(ONE.as_bytes(), "playbooks/situations.toml");
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.situations[0].label_in("th"), Some("ขอเงินคืน"));
        assert_eq!(t.lines, [2]);
        assert_eq!(t.closest_id("refund-demnad"), Some("refund-demand"));
        assert_eq!(t.situations[0].names().count(), 5 + 30);
    }

    #[test]
    fn reports_missing_labels_synonyms_and_duplicates() {
        let two = format!(
            "{ONE}\n[[situation]]\nid = \"refund-demand\"\nlabel = \"x\"\ndescription = \"y\"\n"
        );
        let (_, d) = parse_taxonomy(two.as_bytes(), "s.toml");
        let codes: Vec<_> = d.iter().map(|d| (d.code, d.line)).collect();
        assert!(codes.contains(&("E0504", 19)), "{codes:?}");
        assert!(codes.contains(&("E0505", 19)), "{codes:?}");
        assert!(codes.contains(&("E0506", 19)), "{codes:?}");
    }

    #[test]
    fn invalid_toml_has_a_line() {
        let (t, d) = parse_taxonomy(b"[[situation]]\nid = \n", "s.toml");
        assert!(t.is_none());
        assert_eq!((d[0].code, d[0].line), ("E0501", 2));
    }
}
