//! `playbook misses`: what agents searched for and did not find.

use super::{Common, Outcome, io_err, repo};
use crate::engine::required_taxonomy;
use crate::error::{Error, Result};
use crate::files::read_tail;
use crate::search::SituationMatcher;
use crate::tuning::MAX_MISSES_LOG_BYTES;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// `playbook misses`: a summary of the searches that found nothing.
#[derive(Debug, Clone)]
pub struct MissesConfig {
    pub common: Common,
    /// The log file; by default the configured one (`PLAYBOOK_LOG_MISSES` or `playbook.toml`).
    pub log: Option<PathBuf>,
    pub json: bool,
    pub limit: usize,
}

/// Summarises the miss log: most frequent first, with the closest situation of each.
pub(super) fn run(
    config: &MissesConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let log = match &config.log {
        Some(path) => path.clone(),
        None => crate::misses::configured_log(&repo)?.ok_or_else(|| {
            Error::Usage(format!(
                "no miss log configured: pass --log FILE, or set {} (or `log_misses` in {})",
                crate::misses::LOG_ENV,
                crate::misses::CONFIG_FILE
            ))
        })?,
    };
    let text = match read_tail(&log, MAX_MISSES_LOG_BYTES) {
        Ok(tail) => {
            if let Some(size) = tail.cut_from {
                writeln!(
                    err,
                    "warning: {} is {:.0} MB: only its last {} MB (the latest searches) are summarised\n  = help: start a new log (move this one away); the searches go on appending to the file",
                    log.display(),
                    size as f64 / 1_048_576.0,
                    MAX_MISSES_LOG_BYTES / 1_048_576
                )
                .map_err(io_err)?;
            }
            String::from_utf8_lossy(&tail.bytes).into_owned()
        }
        Err(e) if e.is_not_found() => {
            writeln!(
                err,
                "note: {} does not exist yet: no search has been logged there",
                log.display()
            )
            .map_err(io_err)?;
            String::new()
        }
        Err(source) => return Err(Error::Read { path: log, source }),
    };
    let matcher = match crate::cache::load(&repo) {
        Some((_, matcher)) => matcher,
        None => SituationMatcher::new(&required_taxonomy(&repo)?),
    };
    let summary = crate::misses::summarize(&text, Some(&matcher), config.limit);
    if summary.skipped_lines > 0 {
        writeln!(
            err,
            "warning: skipped {} line(s) of {} that are not miss records",
            summary.skipped_lines,
            log.display()
        )
        .map_err(io_err)?;
    }
    if config.json {
        /// One flat object: {"log", "searches", "distinct", "skipped_lines", "misses"}.
        #[derive(Serialize)]
        struct MissesJson<'a> {
            log: &'a std::path::Path,
            #[serde(flatten)]
            summary: &'a crate::misses::MissSummary,
        }
        let value = MissesJson {
            log: &log,
            summary: &summary,
        };
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
    } else {
        crate::render::tables::misses_human(out, &summary, &log).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}
