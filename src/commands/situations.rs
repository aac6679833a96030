//! `playbook situations`: every situation, its labels, and its steps per language.

use super::{Common, Outcome, io_err, repo};
use crate::corpus::load_corpus;
use crate::engine::required_taxonomy;
use crate::error::Result;
use crate::model::{Lang, Playbook};
use crate::taxonomy::TAXONOMY_LANGS;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Debug, Clone)]
pub struct SituationsConfig {
    pub common: Common,
    pub json: bool,
}

/// One situation with its step counts per language.
#[derive(Debug, Serialize)]
struct SituationRow<'a> {
    #[serde(flatten)]
    situation: &'a crate::taxonomy::Situation,
    steps: BTreeMap<&'static str, usize>,
}

pub(super) fn run(config: &SituationsConfig, out: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    let rows: Vec<SituationRow> = taxonomy
        .situations
        .iter()
        .map(|s| SituationRow {
            situation: s,
            steps: Lang::ALL
                .iter()
                .map(|&lang| (lang.code(), count_steps(&corpus.playbooks, &s.id, lang)))
                .collect(),
        })
        .collect();
    if config.json {
        let value =
            serde_json::json!({ "languages": Lang::ALL.map(Lang::code), "situations": rows });
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
    } else {
        situations_table(out, &rows).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}

fn count_steps(playbooks: &[Playbook], id: &str, lang: Lang) -> usize {
    playbooks
        .iter()
        .filter(|p| p.lang == lang)
        .flat_map(|p| &p.steps)
        .filter(|s| s.situations.iter().any(|t| t == id))
        .count()
}

fn situations_table(out: &mut dyn Write, rows: &[SituationRow]) -> std::io::Result<()> {
    let id_width = rows
        .iter()
        .map(|r| r.situation.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    write!(out, "{:id_width$}", "id")?;
    for lang in Lang::ALL {
        write!(out, "  {:>2}", lang.code())?;
    }
    writeln!(out, "  label")?;
    for row in rows {
        let star = if row.situation.headline { "*" } else { "" };
        write!(out, "{:id_width$}", row.situation.id)?;
        for lang in Lang::ALL {
            let n = row.steps[lang.code()];
            let cell = if n == 0 {
                "-".to_string()
            } else {
                n.to_string()
            };
            write!(out, "  {cell:>2}")?;
        }
        let labels: Vec<&str> = TAXONOMY_LANGS
            .iter()
            .filter_map(|l| row.situation.label_in(l))
            .collect();
        writeln!(out, "  {}{star}", labels.join(" / "))?;
    }
    writeln!(
        out,
        "\n(* headline situation: every step needs phrases; - marks a gap)"
    )
}
