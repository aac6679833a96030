//! The watcher (`playbook watch`): with it, searches skip the freshness walk while nothing
//! changes, and still see every edit: in place, new folders, renames, deletions.
#![cfg(target_os = "linux")]

mod common;

use common::{mini_tree, playbook, search_json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: the machine running the tests may be slow and busy.
const PATIENCE: Duration = Duration::from_secs(30);

/// A watcher started by a test; stopped (and killed if need be) when dropped.
struct Watcher {
    root: PathBuf,
    child: Option<Child>,
}

impl Watcher {
    fn start(root: &Path) -> Watcher {
        let child = Command::new(assert_cmd::cargo::cargo_bin("playbook"))
            .arg("--root")
            .arg(root)
            .args(["watch", "--quiet"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let watcher = Watcher {
            root: root.to_path_buf(),
            child: Some(child),
        };
        wait_until("the watcher answers", || status(root).is_some());
        watcher
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Waits for the watcher to exit by itself.
    fn wait_for_exit(&mut self) {
        let child = self.child.as_mut().unwrap();
        wait_until("the watcher exits", || child.try_wait().unwrap().is_some());
        self.child = None;
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = playbook(&self.root).args(["watch", "--stop"]).output();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `playbook watch --status`, if a watcher answered.
fn status(root: &Path) -> Option<String> {
    let output = playbook(root).args(["watch", "--status"]).output().unwrap();
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).unwrap())
}

fn is_clean(root: &Path) -> bool {
    status(root).is_some_and(|s| s.contains("no change since the last search"))
}

/// Searches until the watcher vouches for the tree. One search is enough on a quiet
/// machine; on a loaded one, a search whose question times out walks without reporting
/// (still exact, just slower), so the next one reports instead.
fn search_until_clean(root: &Path, query: &str) {
    wait_until("a search leaves the watcher clean", || {
        step_ids(root, query);
        is_clean(root)
    });
}

/// The steps a search finds, as `playbook#step`, sorted.
fn step_ids(root: &Path, query: &str) -> Vec<String> {
    let (json, _, stderr) = search_json(root, &[query]);
    assert!(!stderr.contains("error"), "{stderr}");
    let mut ids: Vec<String> = json
        .results
        .iter()
        .map(|r| format!("{}#{}", r.playbook, r.step))
        .collect();
    ids.sort();
    ids
}

const NEW_STEP: &str = "
## Trin 9. Zebraord {#zebra-step}

**Situations:** angry-customer

Sig zebraord til klienten.

**Say:**
- \"Zebraord.\"

**Gloss:** A step added while the watcher runs.
";

/// Appends to a file in place (no folder's modification time changes).
fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn new_playbook(id: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"Ny\"\nlang = \"da\"\n\n[source]\ntitle = \"Test\"\n+++\n\n# Del 1\n{}",
        NEW_STEP.replace("zebra-step", "ny-step")
    )
}

#[test]
fn searches_see_in_place_edits_new_folders_renames_and_deletions() {
    let tree = mini_tree();
    let root = tree.path();
    let _watcher = Watcher::start(root);
    assert!(!is_clean(root), "nothing verified yet");
    assert!(step_ids(root, "zebraord").is_empty());
    search_until_clean(root, "zebraord");

    // In place: appending changes no folder's modification time.
    let path = root.join("playbooks/da/vrede.md");
    append(&path, NEW_STEP);
    assert_eq!(step_ids(root, "zebraord"), ["da-mini#zebra-step"]);
    search_until_clean(root, "zebraord");

    // A new folder with a new playbook in it.
    common::write(
        &root.join("playbooks/da/extra/ny.md"),
        new_playbook("da-ny"),
    );
    assert_eq!(
        step_ids(root, "zebraord"),
        ["da-mini#zebra-step", "da-ny#ny-step"]
    );

    // A rename, then a deletion.
    std::fs::rename(
        root.join("playbooks/da/extra/ny.md"),
        root.join("playbooks/da/extra/omdoebt.md"),
    )
    .unwrap();
    let (json, _, _) = search_json(root, &["zebraord"]);
    assert!(json.results.iter().any(|r| r.path.ends_with("omdoebt.md")));
    std::fs::remove_dir_all(root.join("playbooks/da/extra")).unwrap();
    assert_eq!(step_ids(root, "zebraord"), ["da-mini#zebra-step"]);
    search_until_clean(root, "zebraord");
    assert_eq!(step_ids(root, "zebraord"), ["da-mini#zebra-step"]);
}

/// Proof that a clean answer skips the walk: with the manifest gone, a walking search
/// would notice it and rebuild; a search the watcher vouches for does not need it.
#[test]
fn a_clean_answer_skips_the_walk_and_a_change_brings_it_back() {
    let tree = mini_tree();
    let root = tree.path();
    let _watcher = Watcher::start(root);
    // On a loaded machine a search may not get its answer in time and walk instead (and
    // rebuild, the manifest being gone): then try again; one vouched-for search suffices.
    wait_until("a search without the manifest needs no rebuild", || {
        search_until_clean(root, "vred");
        for entry in walkdir::WalkDir::new(root.join("index")) {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().starts_with("manifest-") {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        let (json, code, stderr) = search_json(root, &["vred"]);
        assert_eq!(code, 0);
        assert!(!json.results.is_empty());
        !stderr.contains("rebuilt")
    });

    let path = root.join("playbooks/da/vrede.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("forblive rolig", "forblive helt rolig")).unwrap();
    let (_, code, stderr) = search_json(root, &["vred"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("manifest missing; rebuilt it"), "{stderr}");
}

#[test]
fn one_watcher_per_repository_and_it_stops_when_asked() {
    let tree = mini_tree();
    let root = tree.path();
    let mut watcher = Watcher::start(root);
    let second = playbook(root).args(["watch"]).output().unwrap();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already running"));
    playbook(root)
        .args(["watch", "--stop"])
        .assert()
        .success()
        .stderr("watcher stopped\n");
    watcher.wait_for_exit();
    assert!(status(root).is_none());
    assert!(!root.join("index/watch.sock").exists());
    playbook(root).args(["watch", "--stop"]).assert().code(1);
}

#[test]
fn the_watcher_exits_when_playbooks_go_away() {
    let tree = mini_tree();
    let root = tree.path();
    let mut watcher = Watcher::start(root);
    std::fs::remove_dir_all(root.join("playbooks")).unwrap();
    watcher.wait_for_exit();
}

#[test]
fn a_stuck_or_dead_watcher_only_costs_a_walk() {
    let tree = mini_tree();
    let root = tree.path();
    let mut watcher = Watcher::start(root);
    step_ids(root, "vred");
    let pid = watcher.pid();
    // Stopped: it accepts connections but never answers; searches time out and walk.
    // `kill` of the shell: the machine may have no /usr/bin/kill.
    let stopped = Command::new("sh")
        .args(["-c", &format!("kill -STOP {pid}")])
        .status()
        .unwrap();
    assert!(stopped.success());
    let path = root.join("playbooks/da/vrede.md");
    append(&path, NEW_STEP);
    assert_eq!(step_ids(root, "zebraord"), ["da-mini#zebra-step"]);
    // Killed: its socket is left behind, nobody listens; searches walk.
    watcher.child.as_mut().unwrap().kill().unwrap();
    watcher.wait_for_exit();
    assert!(root.join("index/watch.sock").exists());
    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace("Zebraord", "Giraf")
            .replace("zebraord", "giraf"),
    )
    .unwrap();
    assert!(step_ids(root, "zebraord").is_empty());
    assert_eq!(step_ids(root, "giraf"), ["da-mini#zebra-step"]);
}

#[test]
fn searches_start_a_watcher_when_asked_to_and_not_when_off() {
    let tree = mini_tree();
    let root = tree.path();
    // Below the size where searches start one by themselves.
    playbook(root).args(["search", "vred"]).assert().success();
    assert!(status(root).is_none());
    playbook(root)
        .env("PLAYBOOK_WATCH", "off")
        .args(["search", "vred"])
        .assert()
        .success();
    assert!(status(root).is_none());
    playbook(root)
        .env("PLAYBOOK_WATCH", "always")
        .args(["search", "vred"])
        .assert()
        .success();
    wait_until("the started watcher answers", || status(root).is_some());
    // The next search reports its walk; the one after needs none.
    search_until_clean(root, "vred");
    playbook(root).args(["watch", "--stop"]).assert().success();
    wait_until("the watcher is gone", || status(root).is_none());
}

#[test]
fn a_tree_with_links_is_never_vouched_for() {
    let tree = mini_tree();
    let root = tree.path();
    // A link to a playbook in a hidden folder inside the tree: the walk reads it, but a
    // watcher cannot promise to see every change through links.
    common::write(
        &root.join("playbooks/.shared/ny.md"),
        new_playbook("da-shared"),
    );
    std::os::unix::fs::symlink(
        root.join("playbooks/.shared/ny.md"),
        root.join("playbooks/da/link.md"),
    )
    .unwrap();
    let _watcher = Watcher::start(root);
    assert_eq!(step_ids(root, "zebraord"), ["da-shared#ny-step"]);
    step_ids(root, "zebraord");
    wait_until("the watcher answers that changes are pending", || {
        status(root).is_some_and(|s| s.contains("changes pending"))
    });
}

#[test]
fn an_unknown_watch_setting_is_a_usage_error() {
    let tree = mini_tree();
    let output = playbook(tree.path())
        .env("PLAYBOOK_WATCH", "sometimes")
        .args(["search", "vred"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sometimes"), "{stderr}");
    assert!(
        stderr.contains("auto") && stderr.contains("off"),
        "{stderr}"
    );
}

/// Another process's commit (here a rebuild) may come from an older view of the tree than
/// the search that last vouched for the index: the watcher makes the next search walk.
#[test]
fn a_commit_by_another_process_makes_the_next_search_walk() {
    let tree = mini_tree();
    let root = tree.path();
    let _watcher = Watcher::start(root);
    search_until_clean(root, "vred");
    playbook(root)
        .args(["index", "--rebuild"])
        .assert()
        .success();
    wait_until("the watcher has counted the commit", || {
        status(root).is_some_and(|s| s.contains("changes pending"))
    });
    search_until_clean(root, "vred");
}
