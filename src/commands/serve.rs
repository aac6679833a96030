//! `playbook serve`: the web app and JSON API (see [`crate::serve`]).

use super::{Common, Outcome, repo};
use crate::error::Result;
use crate::serve::ServeOptions;
use std::io::Write;

/// `playbook serve`: where to listen, and whether to open a browser.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub common: Common,
    pub options: ServeOptions,
}

/// Serves until the process is stopped; `listening on …` is the first line on `err`.
pub(super) fn run(config: &ServeConfig, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    crate::serve::run(repo, &config.options, err)?;
    Ok(Outcome::Success)
}
