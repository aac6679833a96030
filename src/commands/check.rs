//! `playbook check`: every playbook and `situations.toml`, with `path:line:col` diagnostics.

use super::{Common, Outcome, io_err, repo};
use crate::check::check;
use crate::error::Result;
use crate::render;
use std::io::Write;

#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub common: Common,
    pub json: bool,
    pub strict: bool,
}

pub(super) fn run(
    config: &CheckConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let report = check(&repo);
    if config.json {
        render::diagnostics_json(out, &report.diagnostics, report.files).map_err(io_err)?;
    } else {
        render::diagnostics_human(out, &report.diagnostics, config.common.style).map_err(io_err)?;
        writeln!(
            err,
            "checked {} playbook file(s), {} step(s): {} error(s), {} warning(s)",
            report.files,
            report.steps,
            report.errors(),
            report.warnings()
        )
        .map_err(io_err)?;
    }
    Ok(if report.failed(config.strict) {
        Outcome::Nothing
    } else {
        Outcome::Success
    })
}
