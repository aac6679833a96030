//! The benchmark corpus generator (`cargo run -p xtask -- gen-corpus`, in
//! `xtask/src/gen_corpus.rs`): what it writes must pass the real `playbook check` with no
//! error, and the same seed must give byte-identical files. (Timings belong in `benches/`,
//! not here.)
//!
//! The generator is not part of the shipped package, so there is no `CARGO_BIN_EXE_` for it:
//! its file is included here as a module and run in-process (its own unit tests run with it).

use crate::common::repo_root;
use assert_cmd::Command;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

#[path = "../xtask/src/gen_corpus.rs"]
mod generator;

/// Generates `count` playbooks from the shipped ones into `out`.
fn try_generate(out: &Path, count: usize, seed: u64) -> Result<String, String> {
    generator::run(&generator::Options {
        count,
        out: out.to_path_buf(),
        seed,
        from: repo_root(),
    })
}

fn generate(out: &Path, count: usize, seed: u64) {
    if let Err(e) = try_generate(out, count, seed) {
        panic!("gen-corpus failed: {e}");
    }
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct CheckJson {
    files: usize,
    errors: usize,
}

#[test]
fn generated_corpus_passes_check_and_is_deterministic() {
    let a = TempDir::new().unwrap();
    let b = TempDir::new().unwrap();
    generate(a.path(), 50, 7);
    generate(b.path(), 50, 7);

    // The real binary, on the generated tree.
    let output = Command::cargo_bin("playbook")
        .unwrap()
        .current_dir(a.path())
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1")
        .args(["--root"])
        .arg(a.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: CheckJson = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(
        report.errors,
        0,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(report.files, 50);
    assert_eq!(output.status.code(), Some(0));

    // Same seed: the same files, byte for byte.
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (path, bytes) in &fa {
        assert!(bytes == &fb[path], "{path} differs between two runs");
    }

    // Every language, a copy of the taxonomy, unique playbook ids.
    for lang in ["fa", "ro", "th", "da"] {
        assert!(
            fa.keys()
                .any(|p| p.starts_with(&format!("playbooks/{lang}/"))),
            "no {lang} playbook"
        );
    }
    assert!(fa.contains_key("playbooks/situations.toml"));
    let mut ids: Vec<String> = fa
        .iter()
        .filter(|(p, _)| p.ends_with(".md"))
        .map(|(_, bytes)| {
            let text = String::from_utf8(bytes.clone()).unwrap();
            text.lines()
                .find(|l| l.starts_with("id = "))
                .unwrap()
                .to_string()
        })
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate playbook ids");
}

#[test]
fn another_seed_gives_another_corpus_and_foreign_folders_are_kept() {
    let a = TempDir::new().unwrap();
    let b = TempDir::new().unwrap();
    generate(a.path(), 8, 1);
    generate(b.path(), 8, 2);
    assert_ne!(files(a.path()), files(b.path()));

    // Regenerating over its own output is fine; over a folder it did not write, refused.
    generate(a.path(), 8, 1);
    let foreign = TempDir::new().unwrap();
    std::fs::create_dir_all(foreign.path().join("playbooks/da")).unwrap();
    std::fs::write(foreign.path().join("playbooks/da/mine.md"), "keep me").unwrap();
    let refused = try_generate(foreign.path(), 3, 1).unwrap_err();
    assert!(refused.contains("not written by gen-corpus"), "{refused}");
    assert_eq!(
        std::fs::read_to_string(foreign.path().join("playbooks/da/mine.md")).unwrap(),
        "keep me"
    );
}
