//! Crashes, damaged indexes and concurrency never cost the agent an answer.

use crate::common::{self, playbook, search_json, shipped_tree, write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The step ids a reference query returns: what "full, correct results" means here.
const QUERIES: [&str; 3] = ["abusive caller", "ลูกค้าโกรธ", "vil tale med chefen"];

/// `playbook#step` of each result, in order.
fn step_ids(json: &common::SearchJson) -> Vec<String> {
    json.results
        .iter()
        .map(|r| format!("{}#{}", r.playbook, r.step))
        .collect()
}

fn answers(root: &Path) -> Vec<Vec<String>> {
    QUERIES
        .iter()
        .map(|q| {
            let (json, code, stderr) = search_json(root, &["--limit", "5", "--", q]);
            assert_eq!(code, 0, "{q}: {stderr}");
            step_ids(&json)
        })
        .collect()
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("playbook")
}

/// A small deterministic generator for kill delays (no extra crate needed).
struct Lcg(u64);

impl Lcg {
    fn next_below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Starts `playbook ARGS` and kills it with SIGKILL after `delay`.
fn run_and_kill(root: &Path, args: &[&str], delay: Duration) {
    let mut child = Command::new(binary())
        .arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL on unix
    let _ = child.wait();
}

#[test]
fn killed_rebuilds_never_leave_a_wrong_index() {
    let tree = shipped_tree();
    let expected = answers(tree.path());
    let mut rng = Lcg(7);
    // How long a rebuild takes here, so kills land all through it.
    let start = Instant::now();
    playbook(tree.path())
        .args(["index", "--rebuild"])
        .assert()
        .success();
    let span = start.elapsed().as_micros().max(2_000) as u64 * 2;
    for i in 0..50 {
        let delay = Duration::from_micros(rng.next_below(span));
        run_and_kill(tree.path(), &["index", "--rebuild"], delay);
        if i % 5 == 4 {
            assert_eq!(
                answers(tree.path()),
                expected,
                "after kill {i} at {delay:?}"
            );
        }
    }
    assert_eq!(answers(tree.path()), expected);
}

#[test]
fn killed_refreshes_never_lose_an_edit() {
    let tree = shipped_tree();
    playbook(tree.path()).args(["index"]).assert().success();
    let file = tree.path().join("playbooks/da/vrede-klienter.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut rng = Lcg(11);
    for i in 0..50 {
        // A new word each round, in a step's guidance.
        let word = format!("zebrafisk{i}");
        write(
            &file,
            original.replace(
                "Tag om muligt en pause",
                &format!("Tag om muligt en pause {word}"),
            ),
        );
        let delay = Duration::from_micros(rng.next_below(40_000));
        run_and_kill(tree.path(), &["search", "--json", "pause"], delay);
        let (json, code, stderr) = search_json(tree.path(), &[&word]);
        assert_eq!(code, 0, "round {i} (killed after {delay:?}): {stderr}");
        assert_eq!(json.results[0].step, "take-a-break");
        let old = format!("zebrafisk{}", i.max(1) - 1);
        if i > 0 {
            let (json, _, _) = search_json(tree.path(), &[&old]);
            assert!(
                json.results.iter().all(|r| !r.text.contains(&old)),
                "round {i}: stale text"
            );
        }
    }
}

fn current_generation(root: &Path) -> std::path::PathBuf {
    let name = std::fs::read_to_string(root.join("index/CURRENT")).unwrap();
    root.join("index").join(name.trim())
}

fn segment_files(root: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(current_generation(root))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Damages the index with `damage`, then checks the next search answers fully and says why.
fn survives(damage: impl Fn(&Path), expected_notice: &str) {
    let tree = shipped_tree();
    let expected = answers(tree.path());
    damage(tree.path());
    let (json, code, stderr) = search_json(tree.path(), &["--limit", "5", "--", QUERIES[0]]);
    assert_eq!(code, 0, "{stderr}");
    let got = step_ids(&json);
    assert_eq!(got, expected[0]);
    assert!(
        stderr.contains(expected_notice),
        "notice `{expected_notice}` missing from: {stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("index:")).count(),
        1,
        "{stderr}"
    );
    assert_eq!(answers(tree.path()), expected);
}

#[test]
fn truncated_index_files_are_detected_and_rebuilt() {
    for ext in ["term", "idx", "store", "fieldnorm", "fast", "pos"] {
        survives(
            |root| {
                for f in segment_files(root, ext) {
                    let len = std::fs::metadata(&f).unwrap().len();
                    let file = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
                    file.set_len(len / 2).unwrap();
                }
            },
            "rebuilt",
        );
    }
}

#[test]
fn deleted_index_files_are_detected_and_rebuilt() {
    survives(
        |root| {
            for f in segment_files(root, "store") {
                std::fs::remove_file(f).unwrap();
            }
        },
        "missing",
    );
    survives(
        |root| std::fs::remove_file(current_generation(root).join("meta.json")).unwrap(),
        "rebuilt",
    );
    survives(
        |root| std::fs::remove_file(root.join("index/CURRENT")).unwrap(),
        "first time",
    );
    survives(
        |root| std::fs::write(root.join("index/CURRENT"), "../../etc").unwrap(),
        "damaged",
    );
    survives(
        |root| {
            let meta = current_generation(root).join("meta.json");
            let text = std::fs::read_to_string(&meta).unwrap();
            std::fs::write(&meta, &text[..text.len() / 2]).unwrap();
        },
        "rebuilt",
    );
}

#[test]
fn an_index_from_an_older_schema_is_rebuilt() {
    survives(
        |root| {
            // The manifest lives in the commit payload; an older format number there is
            // what an index written by an older release looks like.
            let meta = current_generation(root).join("meta.json");
            let text = std::fs::read_to_string(&meta).unwrap();
            let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let payload = json["payload"].as_str().unwrap().to_string();
            let mut manifest: serde_json::Value = serde_json::from_str(&payload).unwrap();
            manifest["format"] = serde_json::json!(1);
            json["payload"] = serde_json::Value::String(manifest.to_string());
            std::fs::write(&meta, json.to_string()).unwrap();
        },
        "another version",
    );
}

#[test]
fn parallel_searches_during_repeated_rebuilds_all_answer_fully() {
    let tree = shipped_tree();
    let expected = answers(tree.path());
    let root = tree.path().to_path_buf();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rebuilder = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut rebuilds = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let status = Command::new(binary())
                    .arg("--root")
                    .arg(&root)
                    .args(["index", "--rebuild"])
                    .stderr(Stdio::null())
                    .status()
                    .unwrap();
                assert!(status.success());
                rebuilds += 1;
            }
            rebuilds
        })
    };
    let searchers: Vec<_> = (0..8)
        .map(|t| {
            let (root, expected) = (root.clone(), expected.clone());
            std::thread::spawn(move || {
                for round in 0..6 {
                    let q = (t + round) % QUERIES.len();
                    let (json, code, stderr) =
                        search_json(&root, &["--limit", "5", "--", QUERIES[q]]);
                    assert_eq!(code, 0, "{stderr}");
                    let got = step_ids(&json);
                    assert_eq!(got, expected[q], "searcher {t} round {round}: {stderr}");
                }
            })
        })
        .collect();
    for s in searchers {
        s.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(rebuilder.join().unwrap() >= 1);
}

#[test]
fn two_rebuilds_at_once_both_succeed() {
    let tree = shipped_tree();
    let expected = answers(tree.path());
    let spawn = || {
        Command::new(binary())
            .arg("--root")
            .arg(tree.path())
            .args(["index", "--rebuild"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..5 {
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    }
    assert_eq!(answers(tree.path()), expected);
}

#[test]
fn concurrent_refreshes_after_an_edit_agree() {
    let tree = shipped_tree();
    playbook(tree.path()).args(["index"]).assert().success();
    let file = tree.path().join("playbooks/ro/clienti-nemultumiti.md");
    let text = std::fs::read_to_string(&file).unwrap();
    write(
        &file,
        text.replace("Analiza situației.", "Analiza situației. Girafă."),
    );
    let root = tree.path().to_path_buf();
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let root = root.clone();
            std::thread::spawn(move || search_json(&root, &["girafă"]))
        })
        .collect();
    for h in handles {
        let (json, code, stderr) = h.join().unwrap();
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(json.results[0].playbook, "ro-dissatisfied-customers");
    }
}

/// Every edit adds a segment; merges keep their number small, so searches do not slow down
/// as trainers keep editing.
#[test]
fn many_edits_keep_the_index_in_a_few_segments() {
    let tree = shipped_tree();
    let root = tree.path();
    let expected = answers(root);
    let path = root.join("playbooks/da/vrede-klienter.md");
    let text = std::fs::read_to_string(&path).unwrap();
    for i in 0..12 {
        // Same content, one more trailing newline: a real edit that changes no answer.
        std::fs::write(&path, format!("{text}{}", "\n".repeat(i + 1))).unwrap();
        playbook(root).args(["search", "vred"]).assert().success();
        let segments = segment_files(root, "idx").len();
        assert!(segments <= 4, "{segments} segments after {} edits", i + 1);
    }
    assert_eq!(answers(root), expected);
}
