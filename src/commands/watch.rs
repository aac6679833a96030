//! `playbook watch`.

use super::{Common, Outcome, io_err, repo};
use crate::corpus::Repo;
use crate::error::Result;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub common: Common,
    pub action: WatchAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchAction {
    /// Watch in the foreground until idle for `idle`, stopped, or `playbooks/` goes away.
    Run {
        idle: Duration,
        quiet: bool,
    },
    Stop,
    Status,
}

pub(super) fn run(
    config: &WatchConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    match config.action {
        WatchAction::Status => match crate::watch::status(&repo) {
            Some(status) => {
                writeln!(out, "{status}").map_err(io_err)?;
                Ok(Outcome::Success)
            }
            None => {
                writeln!(out, "no watcher is running for {}", repo.root.display())
                    .map_err(io_err)?;
                Ok(Outcome::Nothing)
            }
        },
        WatchAction::Stop => {
            let stopped = crate::watch::stop(&repo);
            let message = if stopped {
                "watcher stopped"
            } else {
                "no watcher was running"
            };
            writeln!(err, "{message}").map_err(io_err)?;
            Ok(if stopped {
                Outcome::Success
            } else {
                Outcome::Nothing
            })
        }
        WatchAction::Run { idle, quiet } => watch_foreground(&repo, idle, quiet, err),
    }
}

#[cfg(target_os = "linux")]
fn watch_foreground(
    repo: &Repo,
    idle: Duration,
    quiet: bool,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let mut sink = std::io::sink();
    let log: &mut dyn Write = if quiet { &mut sink } else { err };
    match crate::watch::run(repo, Some(idle), log)? {
        crate::watch::Started::Watched => Ok(Outcome::Success),
        crate::watch::Started::AlreadyRunning => {
            if !quiet {
                writeln!(
                    log,
                    "a watcher is already running for {}",
                    repo.root.display()
                )
                .map_err(io_err)?;
            }
            Ok(Outcome::Success)
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn watch_foreground(_: &Repo, _: Duration, _: bool, _: &mut dyn Write) -> Result<Outcome> {
    Err(crate::error::Error::Usage(
        "`playbook watch` needs Linux (inotify); searches walk playbooks/ instead".into(),
    ))
}
