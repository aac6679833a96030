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
    /// Set when the query was Persian typed in Latin letters.
    #[serde(default)]
    pub read_as: Option<String>,
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
    /// `first-line`, `background` or `last-resort`.
    pub role: String,
    /// How agents ask for the step (`**Agents ask:**`), in its language.
    #[serde(default)]
    pub asks: Vec<String>,
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

/// A folder made unwritable for the binary under test until dropped (then writable again).
/// Root ignores permission bits, so as root the folder becomes a read-only bind mount of
/// itself (a read-only file system, as on a shared mount); as anyone else its modes lose
/// their write bits (`chmod -R a-w`: an index owned by someone else looks the same).
pub struct ReadOnly {
    dir: PathBuf,
    mounted: bool,
}

impl ReadOnly {
    /// `None` when this machine cannot do it (root without the right to mount): the
    /// caller skips what needs it, saying so.
    pub fn new(dir: &Path) -> Option<ReadOnly> {
        let dir = dir.to_path_buf();
        let guard = if is_root() {
            let run = |args: &[&str]| {
                std::process::Command::new(args[0])
                    .args(&args[1..])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let d = dir.to_str()?.to_string();
            let d = d.as_str();
            if !run(&["mount", "--bind", d, d]) {
                return None;
            }
            let guard = ReadOnly { dir, mounted: true };
            if !run(&["mount", "-o", "remount,bind,ro", d]) {
                return None;
            }
            guard
        } else {
            set_write_bits(&dir, false);
            ReadOnly {
                dir,
                mounted: false,
            }
        };
        let probe = guard.dir.join(".probe");
        if std::fs::write(&probe, b"x").is_ok() {
            let _ = std::fs::remove_file(probe);
            return None;
        }
        Some(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount").arg(&self.dir).status();
        } else {
            set_write_bits(&self.dir, true);
        }
    }
}

/// Whether the tests run as root (who ignores permission bits).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

#[cfg(unix)]
fn set_write_bits(dir: &Path, on: bool) {
    use std::os::unix::fs::PermissionsExt;
    // Folders last when removing write bits, first when adding them back.
    let entries = walkdir::WalkDir::new(dir).contents_first(!on);
    for entry in entries
        .into_iter()
        .flatten()
        .filter(|e| !e.path_is_symlink())
    {
        let Ok(meta) = entry.metadata() else { continue };
        let mode = meta.permissions().mode();
        let mode = if on { mode | 0o200 } else { mode & !0o222 };
        let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode));
    }
}

#[cfg(not(unix))]
fn set_write_bits(_: &Path, _: bool) {}
