//! `playbook index`: build or refresh the index.

use super::{Common, Outcome, io_err, repo};
use crate::error::Result;
use crate::index;
use std::io::Write;

#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub common: Common,
    pub rebuild: bool,
}

pub(super) fn run(config: &IndexConfig, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let (report, notices) = index::update(&repo, config.rebuild)?;
    for notice in notices {
        writeln!(err, "{notice}").map_err(io_err)?;
    }
    writeln!(
        err,
        "index: {} playbook(s), {} step(s) and {} introduction(s) in {}",
        report.playbooks,
        report.steps,
        report.introductions,
        repo.index_dir().display()
    )
    .map_err(io_err)?;
    Ok(Outcome::Success)
}
