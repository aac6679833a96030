//! Keeping a long-running front-end's engine fresh: watch `playbooks/` in-process and open a
//! new engine in the background whenever something changed.
//!
//! File-system events (the `notify` crate: inotify, FSEvents, ReadDirectoryChangesW) tell
//! within milliseconds that something changed; a periodic walk is the backstop, because
//! events are lost when the kernel's queue overflows and never come for a write made
//! through a hard link from outside the tree. Either way the engine is reopened (one `stat`
//! per file, re-indexing what changed) on this thread, and the front-end gets the new
//! engine only when it is ready: its keystrokes keep searching the old one meanwhile.

use super::{Engine, Notice};
use crate::corpus::Repo;
use crate::tuning::{FOLLOW_BACKSTOP, FOLLOW_SETTLE};
use notify::{RecursiveMode, Watcher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

/// What the follower hands the front-end.
pub enum Update {
    /// A newly opened engine (the first one, or one that sees a change), with its notices.
    Engine(Arc<Engine>, Vec<Notice>),
    /// The engine could not be opened: why (the front-end keeps the one it has, if any).
    Failed(String),
}

/// Opens the engine of a repository in the background and keeps it fresh.
pub struct Follower {
    updates: Receiver<Update>,
    stop: Arc<AtomicBool>,
}

impl Follower {
    /// Starts following `repo`: the first [`Update`] is the engine as opened now.
    pub fn start(repo: Repo) -> std::io::Result<Follower> {
        let (tx, updates) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("playbook-follow".to_string())
            .spawn(move || follow(&repo, &tx, &stopping))?;
        Ok(Follower { updates, stop })
    }

    /// The newest update, if one came since the last call (older ones are dropped).
    pub fn latest(&self) -> Option<Update> {
        self.updates.try_iter().last()
    }

    /// Waits up to `timeout` for the next update (for tests and `serve`).
    pub fn wait(&self, timeout: std::time::Duration) -> Option<Update> {
        self.updates.recv_timeout(timeout).ok()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The follower's thread: open, then reopen on every change until told to stop or the
/// front-end is gone.
fn follow(repo: &Repo, tx: &Sender<Update>, stop: &AtomicBool) {
    let (events_tx, events) = mpsc::channel();
    // Without a watcher (no inotify left, an unsupported file system) the backstop walk
    // still finds every change, only later.
    let _watcher = watch(repo, events_tx);
    // What the tree looked like when the engine was opened: taken before opening, so that a
    // change made while it opens shows up as a difference at the next look.
    let mut seen = Sight::now(repo);
    let mut engine = match Engine::open(repo) {
        Ok((engine, notices)) => {
            let shared = Arc::new(engine.keep_between_searches());
            if tx
                .send(Update::Engine(Arc::clone(&shared), notices))
                .is_err()
            {
                return;
            }
            Some(shared)
        }
        Err(e) => {
            if tx.send(Update::Failed(describe(e))).is_err() {
                return;
            }
            None
        }
    };
    let mut last_walk = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let changed = match events.recv_timeout(FOLLOW_BACKSTOP) {
            Ok(()) => {
                // A save is often several events (write, rename, chmod): let them settle.
                std::thread::sleep(FOLLOW_SETTLE);
                while events.try_recv().is_ok() {}
                true
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                last_walk.elapsed() >= FOLLOW_BACKSTOP
            }
        };
        if !changed || stop.load(Ordering::Relaxed) {
            continue;
        }
        last_walk = Instant::now();
        let sight = Sight::now(repo);
        // The backstop's walk alone tells whether anything changed: opening an engine (the
        // index, its manifest, the taxonomy) every two seconds cost ~90 ms of CPU at 20,000
        // files even when nothing had.
        if sight == seen && engine.is_some() {
            continue;
        }
        seen = sight;
        let update = match reopen(repo, engine.as_deref()) {
            Ok(Some((fresh, notices))) => {
                let shared = Arc::new(fresh);
                engine = Some(Arc::clone(&shared));
                Update::Engine(shared, notices)
            }
            Ok(None) => continue,
            Err(why) => Update::Failed(why),
        };
        if tx.send(update).is_err() {
            return;
        }
    }
}

/// What a walk sees of everything an engine is opened from: each playbook's stamp (size,
/// times, inode), and `situations.toml`'s and `thesaurus.toml`'s.
#[derive(PartialEq, Eq)]
struct Sight {
    files: Vec<crate::corpus::FileStamp>,
    taxonomy: Option<crate::files::Stamp>,
    thesaurus: Option<crate::files::Stamp>,
}

impl Sight {
    fn now(repo: &Repo) -> Sight {
        Sight {
            taxonomy: crate::cache::stamp(repo),
            thesaurus: crate::thesaurus::stamp(repo),
            files: crate::corpus::list_playbook_files(repo).files,
        }
    }
}

/// A new engine when something changed since `current` was opened (or there is none).
fn reopen(repo: &Repo, current: Option<&Engine>) -> Result<Option<(Engine, Vec<Notice>)>, String> {
    let (fresh, notices) = Engine::open_since(repo, current).map_err(describe)?;
    let changed = match current {
        None => true,
        Some(old) => fresh.changes_since(old).any(),
    };
    Ok(changed.then_some((fresh.keep_between_searches(), notices)))
}

fn describe(e: crate::Error) -> String {
    format!("{:#}", anyhow::Error::new(e))
}

/// Watches `playbooks/` (which holds `situations.toml`) and sends `()` on every event.
fn watch(repo: &Repo, events: Sender<()>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading a file changes nothing; an error (events lost) is a reason to look.
        if event.map_or(true, |e| !e.kind.is_access()) {
            let _ = events.send(());
        }
    })
    .ok()?;
    watcher
        .watch(&repo.playbooks_dir(), RecursiveMode::Recursive)
        .ok()?;
    Some(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_sees_an_edit_and_nothing_else() {
        let dir = tempfile::TempDir::new().unwrap();
        let da = dir.path().join("playbooks/da");
        std::fs::create_dir_all(&da).unwrap();
        let file = da.join("vrede-klienter.md");
        std::fs::write(&file, "# Vrede klienter\n").unwrap();
        let repo = Repo::discover(Some(dir.path()), dir.path()).unwrap();
        let before = Sight::now(&repo);
        assert!(before == Sight::now(&repo), "nothing changed");
        // Same size, same modification time: only the change time and content differ.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "# Vrede kunder!!\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert!(before != Sight::now(&repo), "an edit is a change");
        let after = Sight::now(&repo);
        std::fs::write(dir.path().join("playbooks/situations.toml"), "").unwrap();
        assert!(
            after != Sight::now(&repo),
            "a new situations.toml is a change"
        );
        let after = Sight::now(&repo);
        std::fs::write(dir.path().join("playbooks/thesaurus.toml"), "").unwrap();
        assert!(
            after != Sight::now(&repo),
            "a new thesaurus.toml is a change"
        );
    }
}
