//! `playbook situations`: every situation, its labels, and its steps per language.

use super::{Common, Outcome, io_err, repo};
use crate::corpus::load_corpus;
use crate::engine::required_taxonomy;
use crate::error::Result;
use crate::model::{Lang, Playbook};
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
pub struct SituationRow<'a> {
    #[serde(flatten)]
    pub situation: &'a crate::taxonomy::Situation,
    pub steps: BTreeMap<&'static str, usize>,
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
        crate::render::tables::situations_human(out, &rows).map_err(io_err)?;
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
