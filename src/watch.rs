//! The watcher: an optional background process that follows `playbooks/` with inotify, so
//! that a search can skip its freshness walk (one `stat` per playbook: most of a search's
//! time at 10,000 playbooks) when nothing has changed.
//!
//! How it stays correct ("the next search sees every edit"):
//! - A search asks the watcher over a Unix socket in `index/`. Before it answers, the
//!   watcher reads every inotify event queued so far. Linux queues an event inside the
//!   system call that made the change (write, rename, unlink, close), so any edit that
//!   finished before the search started is counted before the answer.
//! - The watcher answers "clean" only when a search walked the whole tree after the
//!   watcher's last change, refreshed the index from it, and said so (`verified N`, N
//!   being the change count it was told before walking). Every other search walks as if
//!   there were no watcher, then reports back.
//! - Every commit to the index (a `CURRENT` or `meta.json` written in `index/`) counts as a
//!   change too: a search that started from an older view of the tree may commit after the
//!   one that reported, and the watcher must not vouch for what it wrote.
//! - Anything unusual keeps the answer "dirty", so searches walk: an overflowed event
//!   queue, a folder it could not watch, `playbooks/` replaced; and the search itself never
//!   reports a walk that met links or problems. No answer within [`REPLY_TIMEOUT`] is
//!   treated the same way.
//! - It exits after [`IDLE_EXIT`] without requests, when `playbooks/` goes away, when its
//!   socket is replaced, or on `playbook watch --stop`.

use crate::corpus::Repo;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// The socket a watcher listens on, in `index/`.
pub const SOCKET_FILE: &str = "watch.sock";
/// Held (locked) by the running watcher, in `index/`: at most one per repository.
pub const LOCK_FILE: &str = "watch.lock";
/// From this many playbooks on, a search starts a watcher when none is running: below it
/// the walk costs less than a millisecond and a background process is not worth having.
pub const AUTO_START_MIN_FILES: usize = 1_000;
/// A watcher that has had no request for this long exits.
pub const IDLE_EXIT: Duration = Duration::from_secs(30 * 60);
/// How long a search waits for the watcher's answer before walking anyway.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(250);
/// Unix socket paths are limited to 108 bytes; longer ones cannot be bound.
const MAX_SOCKET_PATH: usize = 100;

/// Whether searches use a watcher, and when they start one (`--watch`, `PLAYBOOK_WATCH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Ask a running watcher; start one from [`AUTO_START_MIN_FILES`] playbooks on.
    #[default]
    Auto,
    /// Ask a running watcher; start one whatever the size (e.g. a slow network folder).
    Always,
    /// Never ask or start one: every search checks every file.
    Off,
}

impl Policy {
    /// Whether a search over `playbooks` playbooks with no watcher should start one.
    pub fn starts_for(self, playbooks: usize) -> bool {
        match self {
            Policy::Auto => playbooks >= AUTO_START_MIN_FILES,
            Policy::Always => true,
            Policy::Off => false,
        }
    }
}

/// What a watcher says about `playbooks/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing changed since a search verified the index: no walk needed.
    Clean,
    /// Walk and refresh; then report `verified` with this change count.
    Dirty(u64),
}

/// Asks the repository's watcher whether anything changed. `None`: no watcher answered.
pub fn ask(repo: &Repo) -> Option<Freshness> {
    let reply = request(repo, "fresh?")?;
    match reply.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["clean", _] => Some(Freshness::Clean),
        ["dirty", seq] => seq.parse().ok().map(Freshness::Dirty),
        _ => None,
    }
}

/// Tells the watcher that a search walked the tree after change `seq` and refreshed the
/// index from it. Best effort: a lost report only costs the next search a walk.
pub fn report_verified(repo: &Repo, seq: u64) {
    let _ = request(repo, &format!("verified {seq}"));
}

/// The running watcher's status line, if one answers.
pub fn status(repo: &Repo) -> Option<String> {
    request(repo, "status").map(|s| s.trim().to_string())
}

/// Asks the running watcher to exit; true if one answered.
pub fn stop(repo: &Repo) -> bool {
    request(repo, "stop").is_some_and(|r| r.trim() == "ok")
}

fn socket_path(repo: &Repo) -> std::path::PathBuf {
    repo.index_dir().join(SOCKET_FILE)
}

/// One request, one answer, one connection: a search never holds the watcher while it walks.
fn request(repo: &Repo, line: &str) -> Option<String> {
    let mut stream = UnixStream::connect(socket_path(repo)).ok()?;
    stream.set_read_timeout(Some(REPLY_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(REPLY_TIMEOUT)).ok()?;
    stream.write_all(format!("{line}\n").as_bytes()).ok()?;
    let mut reply = String::new();
    stream.take(512).read_to_string(&mut reply).ok()?;
    (!reply.is_empty()).then_some(reply)
}

/// Starts a watcher in the background for `repo` (the `playbook watch` command of this very
/// binary, in its own process group, with no terminal). Best effort: on failure searches
/// simply keep walking. Only the `playbook` binary starts watchers: a test or benchmark
/// that links the library must not start copies of itself.
pub fn spawn(repo: &Repo) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let (Ok(exe), Ok(root)) = (std::env::current_exe(), repo.root.canonicalize()) else {
        return;
    };
    if exe.file_name().is_none_or(|name| name != "playbook")
        || socket_path(repo).as_os_str().len() > MAX_SOCKET_PATH
    {
        return;
    }
    use std::os::unix::process::CommandExt;
    // From `/`, with an absolute root: the watcher must not keep the search's working
    // folder busy (an unmount, a deleted folder) for the half hour it may live.
    let child = std::process::Command::new(exe)
        .current_dir("/")
        .arg("--root")
        .arg(root)
        .arg("watch")
        .arg("--quiet")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    if let Ok(mut child) = child {
        // Reaped by a thread so that a long-lived process (live mode) leaves no zombie.
        std::thread::spawn(move || child.wait());
    }
}

#[cfg(target_os = "linux")]
pub use daemon::{Started, run};

#[cfg(target_os = "linux")]
mod daemon {
    use super::{IDLE_EXIT, LOCK_FILE, SOCKET_FILE};
    use crate::corpus::Repo;
    use crate::error::{Error, Result};
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
    use rustix::io::Errno;
    use std::collections::HashMap;
    use std::ffi::OsStr;
    use std::io::{BufRead, BufReader, Write};
    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// How often an idle watcher wakes to check that it is still wanted.
    const TICK: Timespec = Timespec {
        tv_sec: 2,
        tv_nsec: 0,
    };
    /// A client that connects and says nothing does not hold the watcher longer than this.
    const CLIENT_TIMEOUT: Duration = Duration::from_millis(100);

    /// How `run` ended.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Started {
        /// It watched until told to stop, idle, or `playbooks/` went away.
        Watched,
        /// Another watcher already holds the repository.
        AlreadyRunning,
    }

    /// The change bookkeeping behind every answer.
    #[derive(Debug)]
    struct Changes {
        /// Counts batches of events; starts at 1 (startup counts as a change).
        seq: u64,
        /// The batch of the last change.
        last_change: u64,
        /// The latest `seq` a search walked after and reported ([`super::report_verified`]).
        verified: u64,
    }

    impl Changes {
        fn is_clean(&self) -> bool {
            self.verified >= self.last_change
        }

        fn changed(&mut self) {
            self.seq += 1;
            self.last_change = self.seq;
        }
    }

    /// The inotify watches on every folder under `playbooks/`.
    struct Watches {
        fd: OwnedFd,
        paths: HashMap<i32, PathBuf>,
        root: i32,
        root_path: PathBuf,
        /// The (device, inode) of `playbooks/` when watching started: a folder put in its
        /// place later (`rm -r playbooks; git checkout playbooks`) is not watched, and
        /// Linux does not always report the old one's deletion at once.
        root_id: (u64, u64),
        /// A folder could not be watched (e.g. the system's watch limit): never clean.
        incomplete: bool,
        /// `index/` itself: a `CURRENT` written there switches generations.
        index_root: Option<i32>,
        index_path: PathBuf,
        /// Each `index/gen-*` folder: a `meta.json` written there is a commit.
        generations: HashMap<i32, PathBuf>,
    }

    /// What an index commit writes, by rename: both count as changes (see `watch_index`).
    const INDEX_EVENTS: WatchFlags = WatchFlags::CREATE
        .union(WatchFlags::CLOSE_WRITE)
        .union(WatchFlags::MOVED_TO)
        .union(WatchFlags::DELETE)
        .union(WatchFlags::DONT_FOLLOW)
        .union(WatchFlags::ONLYDIR)
        .union(WatchFlags::EXCL_UNLINK);

    const FOLDER_EVENTS: WatchFlags = WatchFlags::CREATE
        .union(WatchFlags::DELETE)
        .union(WatchFlags::MODIFY)
        .union(WatchFlags::ATTRIB)
        .union(WatchFlags::CLOSE_WRITE)
        .union(WatchFlags::MOVED_FROM)
        .union(WatchFlags::MOVED_TO)
        .union(WatchFlags::DELETE_SELF)
        .union(WatchFlags::MOVE_SELF)
        .union(WatchFlags::DONT_FOLLOW)
        .union(WatchFlags::ONLYDIR)
        .union(WatchFlags::EXCL_UNLINK);

    impl Watches {
        fn new(root: &Path) -> Result<Watches> {
            let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)
                .map_err(|e| Error::io(root, e.into()))?;
            let root_wd = inotify::add_watch(&fd, root, FOLDER_EVENTS)
                .map_err(|e| Error::io(root, e.into()))?;
            let root_id = file_id(root).ok_or_else(|| {
                Error::io(root, std::io::Error::from(std::io::ErrorKind::NotFound))
            })?;
            let mut watches = Watches {
                fd,
                paths: HashMap::from([(root_wd, root.to_path_buf())]),
                root: root_wd,
                root_path: root.to_path_buf(),
                root_id,
                incomplete: false,
                index_root: None,
                index_path: PathBuf::new(),
                generations: HashMap::new(),
            };
            watches.add_tree(root);
            Ok(watches)
        }

        /// Watches `dir` and every folder under it (links are not followed: a search never
        /// reports a tree with links as verified).
        fn add_tree(&mut self, dir: &Path) {
            for entry in walkdir::WalkDir::new(dir).follow_links(false) {
                let Ok(entry) = entry else {
                    self.incomplete = true;
                    continue;
                };
                if !entry.file_type().is_dir() {
                    continue;
                }
                match inotify::add_watch(&self.fd, entry.path(), FOLDER_EVENTS) {
                    Ok(wd) => {
                        self.paths.insert(wd, entry.path().to_path_buf());
                    }
                    // Gone already: its removal is an event of its parent.
                    Err(Errno::NOENT) | Err(Errno::NOTDIR) => {}
                    Err(_) => self.incomplete = true,
                }
            }
        }

        /// Also watches the index's commits. A search vouches for the index it walked
        /// against; another search that started earlier (from an older view of the tree)
        /// could commit after that and undo a newer file. Counting every commit as a change
        /// means the next search walks once more and finds the index as it really is.
        /// Only `CURRENT` and `meta.json` count: readers also touch lock files there.
        fn watch_index(&mut self, index_dir: &Path) {
            match inotify::add_watch(&self.fd, index_dir, INDEX_EVENTS) {
                Ok(wd) => self.index_root = Some(wd),
                Err(_) => self.incomplete = true,
            }
            self.index_path = index_dir.to_path_buf();
            let Ok(entries) = std::fs::read_dir(index_dir) else {
                self.incomplete = true;
                return;
            };
            for entry in entries.flatten() {
                if entry.file_name().as_bytes().starts_with(b"gen-") {
                    self.add_generation(&entry.path());
                }
            }
        }

        fn add_generation(&mut self, dir: &Path) {
            match inotify::add_watch(&self.fd, dir, INDEX_EVENTS) {
                Ok(wd) => {
                    self.generations.insert(wd, dir.to_path_buf());
                }
                Err(Errno::NOENT) | Err(Errno::NOTDIR) => {}
                Err(_) => self.incomplete = true,
            }
        }

        /// Whether `playbooks/` is still the folder being watched.
        fn root_in_place(&self) -> bool {
            file_id(&self.root_path) == Some(self.root_id)
        }

        /// Reads every queued event. False when `playbooks/` itself went away or was
        /// replaced: the watcher must then exit (its answers would no longer hold).
        fn drain(&mut self, changes: &mut Changes) -> bool {
            let mut buf = [MaybeUninit::uninit(); 8192];
            let mut new_folders = Vec::new();
            let mut new_generations = Vec::new();
            let mut changed = false;
            let mut root_gone = false;
            {
                let mut reader = inotify::Reader::new(&self.fd, &mut buf);
                loop {
                    let event = match reader.next() {
                        Ok(e) => e,
                        Err(Errno::INTR) => continue,
                        // AGAIN: nothing more queued. Anything else: treat as a change.
                        Err(Errno::AGAIN) => break,
                        Err(_) => {
                            changed = true;
                            break;
                        }
                    };
                    let flags = event.events();
                    let name = event.file_name().map(|n| n.to_bytes()).unwrap_or_default();
                    if Some(event.wd()) == self.index_root {
                        root_gone |= flags.contains(ReadFlags::IGNORED);
                        changed |= name == b"CURRENT";
                        if flags.contains(ReadFlags::ISDIR) && name.starts_with(b"gen-") {
                            new_generations.push(self.index_path.join(OsStr::from_bytes(name)));
                        }
                        continue;
                    }
                    if self.generations.contains_key(&event.wd()) {
                        changed |= name == b"meta.json";
                        if flags.contains(ReadFlags::IGNORED) {
                            self.generations.remove(&event.wd());
                        }
                        continue;
                    }
                    changed = true;
                    if event.wd() == self.root
                        && flags.intersects(
                            ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF | ReadFlags::IGNORED,
                        )
                    {
                        root_gone = true;
                    }
                    if flags.contains(ReadFlags::IGNORED) {
                        self.paths.remove(&event.wd());
                    }
                    if flags.contains(ReadFlags::ISDIR)
                        && flags.intersects(ReadFlags::CREATE | ReadFlags::MOVED_TO)
                        && let (Some(parent), Some(name)) =
                            (self.paths.get(&event.wd()), event.file_name())
                    {
                        new_folders.push(parent.join(OsStr::from_bytes(name.to_bytes())));
                    }
                }
            }
            for folder in new_folders {
                self.add_tree(&folder);
            }
            for generation in new_generations {
                self.add_generation(&generation);
            }
            if changed {
                changes.changed();
            }
            !root_gone && self.root_in_place()
        }
    }

    /// The (device, inode) of a file or folder: tells it from one put in its place.
    fn file_id(path: &Path) -> Option<(u64, u64)> {
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }

    /// What a request asks for.
    enum Request {
        Fresh,
        Verified(u64),
        Status,
        Stop,
        Unknown,
    }

    fn parse_request(line: &str) -> Request {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["fresh?"] => Request::Fresh,
            ["verified", seq] => seq.parse().map_or(Request::Unknown, Request::Verified),
            ["status"] => Request::Status,
            ["stop"] => Request::Stop,
            _ => Request::Unknown,
        }
    }

    /// Watches `repo` until idle, stopped, or `playbooks/` goes away. `log` gets one line
    /// when watching starts.
    pub fn run(repo: &Repo, idle: Option<Duration>, log: &mut dyn Write) -> Result<Started> {
        let idle = idle.unwrap_or(IDLE_EXIT);
        let index_dir = repo.index_dir();
        std::fs::create_dir_all(&index_dir).map_err(|e| Error::io(&index_dir, e))?;
        let lock_path = index_dir.join(LOCK_FILE);
        let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
        if lock.try_lock().is_err() {
            return Ok(Started::AlreadyRunning);
        }
        let playbooks = repo.playbooks_dir();
        let mut watches = Watches::new(&playbooks)?;
        watches.watch_index(&index_dir);
        // Only now, with every folder watched, may searches ask: an answer always comes
        // from a watcher that has seen everything since it started listening.
        let socket = index_dir.join(SOCKET_FILE);
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).map_err(|e| Error::io(&socket, e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io(&socket, e))?;
        let socket_id = file_id(&socket);
        let _ = writeln!(
            log,
            "watching {} folder(s) under {}; searches skip the freshness walk while nothing changes (Ctrl-C to stop)",
            watches.paths.len(),
            playbooks.display()
        );
        let mut changes = Changes {
            seq: 1,
            last_change: 1,
            verified: 0,
        };
        let mut last_request = Instant::now();
        loop {
            let (events, clients) = {
                let mut fds = [
                    PollFd::new(&watches.fd, PollFlags::IN),
                    PollFd::new(&listener, PollFlags::IN),
                ];
                match poll(&mut fds, Some(&TICK)) {
                    Ok(_) | Err(Errno::INTR) => {}
                    Err(e) => return Err(Error::io(&socket, e.into())),
                }
                (!fds[0].revents().is_empty(), !fds[1].revents().is_empty())
            };
            if events && !watches.drain(&mut changes) {
                break;
            }
            if clients {
                last_request = Instant::now();
                if !serve_clients(&listener, &mut watches, &mut changes) {
                    break;
                }
            }
            let still_ours = file_id(&socket) == socket_id;
            if !still_ours || !watches.root_in_place() || last_request.elapsed() >= idle {
                break;
            }
        }
        if file_id(&socket) == socket_id {
            let _ = std::fs::remove_file(&socket);
        }
        Ok(Started::Watched)
    }

    /// Answers every waiting client. False when one asked the watcher to stop.
    fn serve_clients(
        listener: &UnixListener,
        watches: &mut Watches,
        changes: &mut Changes,
    ) -> bool {
        while let Ok((stream, _)) = listener.accept() {
            if !serve(stream, watches, changes) {
                return false;
            }
        }
        true
    }

    fn serve(stream: UnixStream, watches: &mut Watches, changes: &mut Changes) -> bool {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(CLIENT_TIMEOUT));
        let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
        let mut line = String::new();
        let mut reader = BufReader::new(std::io::Read::take(&stream, 256));
        if reader.read_line(&mut line).is_err() {
            return true;
        }
        let mut keep_running = true;
        let reply = match parse_request(&line) {
            Request::Fresh => {
                keep_running = watches.drain(changes);
                let state = if keep_running && changes.is_clean() && !watches.incomplete {
                    "clean"
                } else {
                    "dirty"
                };
                format!("{state} {}", changes.seq)
            }
            Request::Verified(seq) => {
                // A report from before the latest change leaves the state dirty.
                if seq <= changes.seq {
                    changes.verified = changes.verified.max(seq);
                }
                "ok".to_string()
            }
            Request::Status => {
                keep_running = watches.drain(changes);
                format!(
                    "pid {} watching {} folder(s): {}",
                    std::process::id(),
                    watches.paths.len(),
                    if watches.incomplete {
                        "some folders could not be watched; searches walk"
                    } else if changes.is_clean() {
                        "no change since the last search"
                    } else {
                        "changes pending; the next search refreshes the index"
                    }
                )
            }
            Request::Stop => {
                keep_running = false;
                "ok".to_string()
            }
            Request::Unknown => "error unknown request".to_string(),
        };
        let mut stream = stream;
        let _ = writeln!(stream, "{reply}");
        keep_running
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn requests_parse() {
            assert!(matches!(parse_request("fresh?\n"), Request::Fresh));
            assert!(matches!(
                parse_request("verified 42\n"),
                Request::Verified(42)
            ));
            assert!(matches!(parse_request("verified x\n"), Request::Unknown));
            assert!(matches!(parse_request("stop"), Request::Stop));
            assert!(matches!(parse_request(""), Request::Unknown));
        }

        #[test]
        fn only_a_report_after_the_last_change_makes_it_clean() {
            let mut c = Changes {
                seq: 1,
                last_change: 1,
                verified: 0,
            };
            assert!(!c.is_clean());
            c.verified = 1;
            assert!(c.is_clean());
            c.changed();
            assert!(!c.is_clean(), "an edit after the report");
            c.verified = c.verified.max(1);
            assert!(!c.is_clean(), "a late report of an older walk");
            c.verified = 2;
            assert!(c.is_clean());
        }

        /// A watched, empty `playbooks/` in a temporary folder, already verified.
        fn watched_tree() -> (tempfile::TempDir, PathBuf, Watches, Changes) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("playbooks");
            std::fs::create_dir(&root).unwrap();
            let watches = Watches::new(&root).unwrap();
            let changes = Changes {
                seq: 1,
                last_change: 1,
                verified: 1,
            };
            (dir, root, watches, changes)
        }

        #[test]
        fn events_in_new_folders_are_seen() {
            let (_dir, root, mut watches, mut changes) = watched_tree();
            assert!(watches.drain(&mut changes));
            assert!(changes.is_clean());
            std::fs::create_dir_all(root.join("da/nested")).unwrap();
            assert!(watches.drain(&mut changes));
            assert!(!changes.is_clean());
            changes.verified = changes.seq;
            // An in-place write two folders down: no folder's mtime changes, inotify sees it.
            std::fs::write(root.join("da/nested/x.md"), "a").unwrap();
            assert!(watches.drain(&mut changes));
            changes.verified = changes.seq;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(root.join("da/nested/x.md"))
                .unwrap();
            f.write_all(b"b").unwrap();
            assert!(watches.drain(&mut changes));
            assert!(!changes.is_clean());
            std::fs::remove_dir_all(&root).unwrap();
            assert!(!watches.drain(&mut changes), "playbooks/ removed");
        }

        #[test]
        fn commits_to_the_index_count_as_changes_and_readers_do_not() {
            let (dir, _root, mut watches, mut changes) = watched_tree();
            let index = dir.path().join("index");
            let generation = index.join("gen-1");
            std::fs::create_dir_all(&generation).unwrap();
            watches.watch_index(&index);
            let clean_after = |watches: &mut Watches, changes: &mut Changes| {
                assert!(watches.drain(changes));
                let clean = changes.is_clean();
                changes.verified = changes.seq;
                clean
            };
            assert!(clean_after(&mut watches, &mut changes));
            // What a reader and a search write: lock files, the taxonomy cache.
            std::fs::write(generation.join(".tantivy-meta.lock"), "").unwrap();
            std::fs::write(index.join("situations.cache"), "x").unwrap();
            assert!(clean_after(&mut watches, &mut changes));
            // A commit: meta.json written beside, then renamed into place.
            std::fs::write(generation.join("meta.tmp"), "{}").unwrap();
            std::fs::rename(generation.join("meta.tmp"), generation.join("meta.json")).unwrap();
            assert!(!clean_after(&mut watches, &mut changes));
            // A new generation, committed, then made current.
            let next = index.join("gen-2");
            std::fs::create_dir(&next).unwrap();
            assert!(clean_after(&mut watches, &mut changes));
            std::fs::write(next.join("meta.json"), "{}").unwrap();
            assert!(!clean_after(&mut watches, &mut changes));
            std::fs::write(index.join("CURRENT.tmp"), "gen-2").unwrap();
            std::fs::rename(index.join("CURRENT.tmp"), index.join("CURRENT")).unwrap();
            assert!(!clean_after(&mut watches, &mut changes));
        }

        #[test]
        fn a_folder_put_in_place_of_playbooks_ends_the_watch() {
            let (dir, root, mut watches, mut changes) = watched_tree();
            std::fs::rename(&root, dir.path().join("old")).unwrap();
            std::fs::create_dir(&root).unwrap();
            assert!(!watches.drain(&mut changes));
        }
    }
}
