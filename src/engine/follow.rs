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
    let mut engine = match Engine::open(repo) {
        Ok((engine, notices)) => {
            let shared = Arc::new(engine);
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
            Err(RecvTimeoutError::Timeout) => last_walk.elapsed() >= FOLLOW_BACKSTOP,
            Err(RecvTimeoutError::Disconnected) => last_walk.elapsed() >= FOLLOW_BACKSTOP,
        };
        if !changed || stop.load(Ordering::Relaxed) {
            continue;
        }
        last_walk = Instant::now();
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

/// A new engine when something changed since `current` was opened (or there is none).
fn reopen(repo: &Repo, current: Option<&Engine>) -> Result<Option<(Engine, Vec<Notice>)>, String> {
    let (fresh, notices) = Engine::open_since(repo, current).map_err(describe)?;
    let changed = match current {
        None => true,
        Some(old) => fresh.changes_since(old).any(),
    };
    Ok(changed.then_some((fresh, notices)))
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
