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

/// Generates `count` playbooks (without translations) from the shipped ones into `out`.
fn try_generate(out: &Path, count: usize, seed: u64) -> Result<String, String> {
    try_generate_translated(out, count, seed, 0)
}

/// Generates `count` playbooks and `translations` translations of each into `out`.
fn try_generate_translated(
    out: &Path,
    count: usize,
    seed: u64,
    translations: usize,
) -> Result<String, String> {
    generator::run(&generator::Options {
        count,
        out: out.to_path_buf(),
        seed,
        from: repo_root(),
        translations,
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

/// The codes `check` gives translations that do not match their originals: stale, unstamped,
/// unknown or missing steps, and steps of another shape.
const TRANSLATION_STEP_CODES: [&str; 5] = ["E0702", "W0703", "W0704", "W0705", "W0708"];

/// `playbook --root ROOT ARGS...`: its exit status and stdout parsed as JSON.
fn playbook_json(root: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = Command::cargo_bin("playbook")
        .unwrap()
        .current_dir(root)
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), json)
}

/// Every diagnostic code in a `check --format json` report.
fn codes(report: &serde_json::Value) -> Vec<String> {
    let mut codes = Vec::new();
    if let Some(object) = report.as_object() {
        for value in object.values() {
            for d in value.as_array().into_iter().flatten() {
                if let Some(code) = d.get("code").and_then(|c| c.as_str()) {
                    codes.push(code.to_string());
                }
            }
        }
    }
    codes
}

#[test]
fn generated_translations_pass_check_and_are_complete() {
    // All four other reading languages: the matrix is full and every step current.
    let a = TempDir::new().unwrap();
    let summary = try_generate_translated(a.path(), 12, 3, 4).unwrap();
    assert!(summary.contains("48 translations"), "{summary}");
    let (code, report) = playbook_json(a.path(), &["check", "--format", "json"]);
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["files"], 60, "{report}");
    assert_eq!(code, Some(0));
    let found = codes(&report);
    for c in TRANSLATION_STEP_CODES.iter().chain(&["W0711"]) {
        assert!(!found.iter().any(|f| f == c), "{c} in {report}");
    }
    let (code, matrix) = playbook_json(a.path(), &["translations", "--json"]);
    assert_eq!(code, Some(0), "{matrix}");
    let totals = &matrix["totals"];
    assert!(totals["steps"].as_u64().unwrap() >= 12 * 4 * 2, "{totals}");
    assert_eq!(totals["complete"], totals["steps"], "{totals}");
    for key in ["stale", "unstamped", "missing"] {
        assert_eq!(totals[key], 0, "{key}: {totals}");
    }
    assert_eq!(matrix["ignored"].as_array().unwrap().len(), 0);
    for lang in ["en", "fa", "ro", "th", "da"] {
        assert!(
            files(a.path())
                .keys()
                .any(|p| p.starts_with(&format!("playbooks/{lang}/"))),
            "no {lang} file"
        );
    }

    // The default, one each: the same originals as without translations, byte for byte, and
    // deterministic; each translation complete, the other languages only missing (W0711).
    let one = TempDir::new().unwrap();
    let again = TempDir::new().unwrap();
    let none = TempDir::new().unwrap();
    try_generate_translated(one.path(), 20, 5, 1).unwrap();
    try_generate_translated(again.path(), 20, 5, 1).unwrap();
    try_generate_translated(none.path(), 20, 5, 0).unwrap();
    let (f1, f2, f0) = (files(one.path()), files(again.path()), files(none.path()));
    let markdown = |f: &BTreeMap<String, Vec<u8>>| f.keys().filter(|p| p.ends_with(".md")).count();
    assert!(f1 == f2, "two runs differ");
    assert_eq!((markdown(&f1), markdown(&f0)), (40, 20));
    for (path, bytes) in f0.iter().filter(|(p, _)| p.ends_with(".md")) {
        assert!(bytes == &f1[path], "{path} changed with --translations 1");
    }
    let (code, report) = playbook_json(one.path(), &["check", "--format", "json"]);
    assert_eq!(
        (report["errors"].clone(), code),
        (0.into(), Some(0)),
        "{report}"
    );
    let found = codes(&report);
    for c in TRANSLATION_STEP_CODES {
        assert!(!found.iter().any(|f| f == c), "{c} in {report}");
    }
    assert_eq!(found.iter().filter(|c| *c == "W0711").count(), 20 * 3);
    let (_, matrix) = playbook_json(one.path(), &["translations", "--json"]);
    let mut translated = 0;
    for row in matrix["playbooks"].as_array().unwrap() {
        for cell in row["translations"].as_array().unwrap() {
            let counts = &cell["counts"];
            if cell["path"].is_null() {
                assert_eq!(counts["missing"], counts["steps"], "{cell}");
            } else {
                translated += 1;
                assert_eq!(counts["complete"], counts["steps"], "{cell}");
            }
        }
    }
    assert_eq!(translated, 20);
    assert_eq!(matrix["totals"]["stale"], 0);
    assert_eq!(matrix["totals"]["unstamped"], 0);
}
