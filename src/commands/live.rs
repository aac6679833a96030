//! `playbook live`: search as you type, full screen.

use super::{Common, Outcome, chosen_reading, io_err, repo};
use crate::error::Result;
use std::io::Write;

/// `playbook live`: search as you type in a full-screen terminal UI.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub common: Common,
}

/// The live UI draws on the terminal itself, not on `out`.
pub(super) fn run(config: &LiveConfig, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let (reading, problem) = chosen_reading(&config.common, &repo);
    if let Some(why) = problem {
        let why = why.to_string();
        let why = crate::render::printable(&why);
        writeln!(err, "warning: {why}; showing each query's own language").map_err(io_err)?;
    }
    let fallback = config.common.locale.unwrap_or(crate::model::Lang::En);
    crate::live::run(repo, config.common.style.color, reading, fallback)?;
    Ok(Outcome::Success)
}
