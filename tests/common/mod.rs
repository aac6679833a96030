//! Helpers shared by the integration tests: temporary playbook trees and the real binary.

#![allow(dead_code)]

use assert_cmd::Command;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The JSON a search prints, as the README's contract defines it.
#[derive(Debug, Deserialize)]
pub struct SearchJson {
    pub query: String,
    pub situations: Vec<String>,
    pub results: Vec<ResultJson>,
}

#[derive(Debug, Deserialize)]
pub struct ResultJson {
    pub playbook: String,
    pub lang: String,
    pub playbook_title: String,
    pub section: Option<String>,
    pub step: String,
    pub title: String,
    pub text: String,
    pub phrases: Vec<String>,
    pub gloss: String,
    pub situations: Vec<String>,
    pub path: String,
    pub line: usize,
    pub score: f64,
    pub shown: ShownJson,
}

/// `shown`: the step in the reading language (the README's contract).
#[derive(Debug, Deserialize)]
pub struct ShownJson {
    pub lang: String,
    pub title: String,
    pub text: String,
    pub phrases: Vec<String>,
    pub translated: bool,
    pub stale: bool,
    pub reviewed: Option<String>,
}

/// The repository's own folder (it holds the shipped `playbooks/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of the small fixture tree in `tests/fixtures/mini`.
pub fn mini_tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_tree(&repo_root().join("tests/fixtures/mini"), dir.path());
    dir
}

/// A temporary copy of the shipped playbooks (so tests may edit them and write an index).
pub fn shipped_tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_tree(
        &repo_root().join("playbooks"),
        &dir.path().join("playbooks"),
    );
    dir
}

/// The real binary, run in `root` with `--root root`, colours off.
pub fn playbook(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("playbook").unwrap();
    cmd.current_dir(root)
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1")
        // Human output fits the screen: tests see an 80×24 one unless they say otherwise.
        .env("COLUMNS", "80")
        .env("LINES", "24")
        .arg("--root")
        .arg(root);
    cmd
}

/// Runs `search --json` and deserialises the answer; also returns the exit code and stderr.
pub fn search_json(root: &Path, args: &[&str]) -> (SearchJson, i32, String) {
    let output = playbook(root)
        .arg("search")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let parsed: SearchJson = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (parsed, output.status.code().unwrap(), stderr)
}

/// Writes a file, creating its folders.
pub fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
