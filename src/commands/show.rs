//! `playbook show`: a whole playbook, or one step.

use super::{Common, Outcome, chosen_reading, io_err, repo};
use crate::corpus::load_corpus;
use crate::engine::required_taxonomy;
use crate::error::{Error, Result};
use crate::index::{StepRecord, TranslatedStep};
use crate::model::{Playbook, Step};
use crate::render::{self, StepView, printable};
use crate::search::Hit;
use std::io::Write;

#[derive(Debug, Clone)]
pub struct ShowConfig {
    pub common: Common,
    pub json: bool,
    /// The original, whatever the reading language.
    pub original: bool,
    /// `PLAYBOOK`, `PLAYBOOK#STEP`, or `PATH:LINE` (a line inside a step, as `search` prints).
    pub target: String,
}

pub(super) fn run(
    config: &ShowConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    let (found, step) = find(&corpus.playbooks, &config.target)?;
    // A line of a translation shows the original's step in that translation's language.
    let (playbook, step, mut reading) = match &found.translation {
        Some(t) => {
            let original = originals(&corpus.playbooks)
                .find(|p| p.id == t.of)
                .ok_or_else(|| Error::NotFound {
                    what: format!("the original `{}` of {}", t.of, found.path),
                    hint: "; run `playbook check`".to_string(),
                })?;
            let step = step.and_then(|s| original.step(&s.id));
            (original, step, Some(found.lang))
        }
        None => {
            let (reading, problem) = chosen_reading(&config.common, &repo);
            if let Some(why) = problem {
                writeln!(
                    err,
                    "warning: {}; showing the original",
                    render::printable(&why.to_string())
                )
                .map_err(io_err)?;
            }
            (found, step, reading)
        }
    };
    if config.original {
        reading = None;
    }
    let wanted = reading.unwrap_or(playbook.lang);
    let translation = corpus
        .playbooks
        .iter()
        .find(|p| p.lang == wanted && p.translation.as_ref().is_some_and(|t| t.of == playbook.id));
    let steps: Vec<&Step> = match step {
        Some(s) => vec![s],
        None => playbook.steps.iter().collect(),
    };
    let translated = |s: &Step| -> Option<TranslatedStep> {
        let t = translation?;
        Some(TranslatedStep::new(t, t.step(&s.id)?, s))
    };
    let records: Vec<StepRecord> = steps.iter().map(|s| StepRecord::new(playbook, s)).collect();
    if config.json {
        let value = if step.is_some() {
            let hit = Hit::new(
                records[0].clone(),
                translated(steps[0]).into_iter().collect(),
                0.0,
            );
            render::step_json(&records[0], &hit.shown_in(wanted))
        } else {
            serde_json::to_value(playbook)
        }
        .map_err(|e| io_err(e.into()))?;
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
        return Ok(Outcome::Success);
    }
    let style = config.common.style;
    if step.is_none() {
        let head = format!("{} [{}] ({})", playbook.title, playbook.lang, playbook.path);
        writeln!(out, "{}", printable(&head)).map_err(io_err)?;
        for line in render::wrap(&playbook.intro, style.width) {
            writeln!(out, "{}", printable(&line)).map_err(io_err)?;
        }
        writeln!(out).map_err(io_err)?;
    }
    for (i, (record, step)) in records.iter().zip(&steps).enumerate() {
        if i > 0 {
            writeln!(out).map_err(io_err)?;
        }
        let t = translated(step);
        let view = StepView::in_lang(record, t.as_ref(), wanted, Some(&taxonomy));
        render::step_full(out, &view, style).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}

fn originals(playbooks: &[Playbook]) -> impl Iterator<Item = &Playbook> {
    playbooks.iter().filter(|p| p.translation.is_none())
}

/// The playbook (and step) a target names: `PLAYBOOK`, `PLAYBOOK#STEP` or `PATH:LINE`.
fn find<'a>(playbooks: &'a [Playbook], target: &str) -> Result<(&'a Playbook, Option<&'a Step>)> {
    if let Some((path, line)) = target.rsplit_once(':')
        && let Ok(line) = line.parse::<usize>()
        && let Some(playbook) = playbooks.iter().find(|p| same_path(&p.path, path))
    {
        // A line the file does not have is a mistake (a stale or mistyped reference), not
        // the last step.
        let lines = playbook.lines;
        if line == 0 || line > lines {
            return Err(Error::NotFound {
                what: format!("line {line} of {}", playbook.path),
                hint: format!(" (the file has lines 1 to {lines})"),
            });
        }
        // The step whose heading is the last one at or above the line (the introduction's
        // first line counts as its heading); above all of them, the whole playbook.
        let step = playbook
            .searchable_steps()
            .filter(|s| s.line <= line)
            .max_by_key(|s| s.line);
        return Ok((playbook, step));
    }
    let (playbook_id, step_id) = match target.split_once('#') {
        Some((p, s)) => (p, Some(s)),
        None => (target, None),
    };
    // Ids are lowercase (`check` holds them to it): "FA-TOXIC-CUSTOMERS#SET-LIMITS" is the
    // same step, typed with Caps Lock on.
    let found = playbooks.iter().find(|p| p.id == playbook_id).or_else(|| {
        playbooks
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(playbook_id))
    });
    let Some(playbook) = found else {
        let closest = playbooks
            .iter()
            .map(|p| (strsim::levenshtein(&p.id, playbook_id), &p.id))
            .min();
        let hint = closest.map_or_else(String::new, |(_, id)| format!("; did you mean `{id}`?"));
        return Err(Error::NotFound {
            what: format!("playbook `{playbook_id}`"),
            hint,
        });
    };
    let Some(id) = step_id else {
        return Ok((playbook, None));
    };
    let step = playbook
        .step(id)
        .or_else(|| playbook.step(&id.to_ascii_lowercase()));
    match step {
        Some(s) => Ok((playbook, Some(s))),
        None => {
            let ids: Vec<&str> = playbook.searchable_steps().map(|s| s.id.as_str()).collect();
            Err(Error::NotFound {
                what: format!("step `{id}` in playbook `{playbook_id}`"),
                hint: format!("; its steps are: {}", ids.join(", ")),
            })
        }
    }
}

/// Whether a path typed on the command line names a playbook's path (relative to the root,
/// `/`-separated), with or without a leading `./`.
fn same_path(playbook_path: &str, typed: &str) -> bool {
    let typed = typed.trim_start_matches("./").replace('\\', "/");
    playbook_path == typed
}
