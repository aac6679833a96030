//! `playbook live`: search as you type, full screen.

use super::{Common, Outcome, repo};
use crate::error::Result;

/// `playbook live`: search as you type in a full-screen terminal UI.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub common: Common,
}

/// The live UI draws on the terminal itself, not on `out`.
pub(super) fn run(config: &LiveConfig) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    crate::live::run(repo, config.common.style.color)?;
    Ok(Outcome::Success)
}
