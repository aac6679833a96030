//! Files and folders the agent did not make: special files planted in `playbooks/`, logs
//! that are pipes or devices, files replaced behind the index's back, a `playbooks/` folder
//! another user owns, a shared configuration that writes outside the repository.

#![cfg(unix)]

use crate::common::{mini_tree, playbook, write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Only a guard against a hang (the commands take well under a second): a command that
/// outlives it is killed and the test fails, instead of hanging the suite.
const HANG_GUARD: Duration = Duration::from_secs(90);

/// Runs a command under the hang guard: its exit code, stdout and stderr. Fails the test
/// when the command hung.
fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let output = cmd.timeout(HANG_GUARD).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let Some(code) = output.status.code() else {
        panic!("hung: killed after {HANG_GUARD:?}\nstdout: {stdout}\nstderr: {stderr}");
    };
    (code, stdout, stderr)
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The step ids of `search --json`.
fn steps(stdout: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(stdout).unwrap();
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["step"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Special files

#[test]
fn a_fifo_in_playbooks_is_skipped_and_named_not_waited_for() {
    let tree = mini_tree();
    let root = tree.path();
    mkfifo(&root.join("playbooks/da/p.md"));
    let (code, stdout, stderr) = run(playbook(root).args(["search", "--json", "chefen"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(steps(&stdout)[0], "respect-manager-request");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("playbooks/da/p.md"), "{stderr}");
    let (code, stdout, stderr) = run(playbook(root).arg("check"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("playbooks/da/p.md:1:1: error[E0007]"),
        "{stdout}"
    );
    assert!(stdout.contains("FIFO"), "{stdout}");
    // A FIFO where situations.toml should be: named, not waited for.
    std::fs::remove_file(root.join("playbooks/situations.toml")).unwrap();
    mkfifo(&root.join("playbooks/situations.toml"));
    let (code, stdout, stderr) = run(playbook(root).arg("check"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("error[E0500]"), "{stdout}");
    assert!(stdout.contains("FIFO"), "{stdout}");
}

#[test]
fn a_miss_log_that_is_a_fifo_or_a_device_never_hangs() {
    let tree = mini_tree();
    let root = tree.path();
    let fifo = root.join("misses.fifo");
    mkfifo(&fifo);
    // A search that found nothing logs it: to a FIFO nobody reads, it cannot.
    let (code, _, stderr) = run(playbook(root).env("PLAYBOOK_LOG_MISSES", &fifo).args([
        "search",
        "--json",
        "xyzzyplugh",
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("search not logged"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    for log in [fifo.as_path(), Path::new("/dev/zero")] {
        let (code, _, stderr) = run(playbook(root).arg("misses").arg("--log").arg(log));
        assert_eq!(code, 2, "{}: {stderr}", log.display());
        assert!(
            stderr.contains("not a regular file"),
            "{}: {stderr}",
            log.display()
        );
    }
}

#[test]
fn files_over_their_bound_are_named_not_read_whole() {
    let tree = mini_tree();
    let root = tree.path();
    // Sparse files: large to the reader, nothing on the disk.
    let taxonomy = root.join("playbooks/situations.toml");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&taxonomy)
        .unwrap();
    file.set_len(playbook::tuning::MAX_TAXONOMY_BYTES + 1)
        .unwrap();
    let (code, stdout, stderr) = run(playbook(root).arg("check"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("error[E0500]"), "{stdout}");
    assert!(stdout.contains("over the limit"), "{stdout}");

    // A miss log over its bound: the latest searches are summarised, and it says so.
    let log = root.join("misses.jsonl");
    let file = std::fs::File::create(&log).unwrap();
    file.set_len(playbook::tuning::MAX_MISSES_LOG_BYTES + 4096)
        .unwrap();
    drop(file);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(
        &mut file,
        b"\n{\"time\":\"2026-11-22T21:56:03Z\",\"query\":\"latest miss\",\"results\":0}\n",
    )
    .unwrap();
    let tree2 = mini_tree();
    let (code, stdout, stderr) = run(playbook(tree2.path())
        .args(["misses", "--json", "--log"])
        .arg(&log));
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["misses"][0]["query"], "latest miss", "{stdout}");
    assert!(stderr.contains("only its last"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// Stamps

/// Replaces a file's words with others of the same length and gives it back its old
/// modification time, as `cp -p` or `touch -r` would.
fn replace_keeping_size_and_mtime(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let before = std::fs::metadata(path).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from));
    std::fs::write(path, text.replace(from, to)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), before.modified().unwrap())
    );
}

#[test]
fn a_same_size_replacement_with_the_old_mtime_is_seen() {
    let tree = mini_tree();
    let root = tree.path();
    let file = root.join("playbooks/da/vrede.md");
    // `playbook index` sees it.
    run(playbook(root).arg("index"));
    replace_keeping_size_and_mtime(&file, "Hold en pause", "Drik en kaffe");
    let (code, _, stderr) = run(playbook(root).arg("index"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("updated 1 changed"), "{stderr}");
    let (code, stdout, stderr) = run(playbook(root).args(["search", "--json", "Drik kaffe"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(steps(&stdout)[0], "take-a-break", "{stdout}");
    // And so does a search, by itself.
    replace_keeping_size_and_mtime(&file, "Drik en kaffe", "Spis en bolle");
    let (code, stdout, stderr) = run(playbook(root).args(["search", "--json", "Spis bolle"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(steps(&stdout)[0], "take-a-break", "{stdout}");
    let (_, stdout, _) = run(playbook(root).args(["search", "--json", "Drik kaffe"]));
    assert!(!steps(&stdout).contains(&"take-a-break".to_string()));
}

/// The effective user id, from the owner of a file this process just made.
fn my_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::fs::metadata(probe.path()).unwrap().uid()
}

/// An unprivileged user for tests that need permissions to count (root ignores them).
const OTHER_UID: u32 = 65534;

/// Gives `tree` (and everything in it) to [`OTHER_UID`].
fn give_away(tree: &Path) {
    use std::os::unix::fs::chown;
    for entry in walkdir::WalkDir::new(tree) {
        let entry = entry.unwrap();
        chown(entry.path(), Some(OTHER_UID), Some(OTHER_UID)).unwrap();
    }
    std::fs::set_permissions(tree, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The binary, run with `--root root` by a user whom permissions bind: this user, or
/// when that is root, [`OTHER_UID`] (with a copy of the binary it can run, in `bin`).
fn playbook_bound_by_permissions(root: &Path, bin: &Path) -> assert_cmd::Command {
    if my_uid() != 0 {
        return playbook(root);
    }
    give_away(root);
    let copy: PathBuf = bin.join("playbook");
    if !copy.exists() {
        std::fs::copy(assert_cmd::cargo::cargo_bin("playbook"), &copy).unwrap();
        std::fs::set_permissions(bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = Command::new(&copy);
    std::os::unix::process::CommandExt::uid(&mut cmd, OTHER_UID);
    std::os::unix::process::CommandExt::gid(&mut cmd, OTHER_UID);
    cmd.current_dir(root)
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(root);
    assert_cmd::Command::from_std(cmd)
}

#[test]
fn a_file_made_readable_again_is_found() {
    let tree = mini_tree();
    let bin = tempfile::tempdir().unwrap();
    let root = tree.path();
    let file = root.join("playbooks/da/vrede.md");
    let search = |query: &str| {
        run(playbook_bound_by_permissions(root, bin.path()).args(["search", "--json", query]))
    };
    let (code, _, stderr) = search("chefen");
    assert_eq!(code, 0, "{stderr}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Its content changes while it cannot be read.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("Hold en pause", "Drik en kaffe")).unwrap();
    let (_, stdout, stderr) = search("Drik kaffe");
    assert!(
        !steps(&stdout).contains(&"take-a-break".to_string()),
        "{stdout}"
    );
    assert!(stderr.contains("playbooks/da/vrede.md"), "{stderr}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, stdout, stderr) = search("Drik kaffe");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(steps(&stdout)[0], "take-a-break", "{stdout}");
    assert!(!stderr.contains("skipped"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// Someone else's folders

/// The binary run in `dir` without `--root`: it finds the root itself.
fn playbook_discovering(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("playbook").unwrap();
    cmd.current_dir(dir)
        .env_remove("PLAYBOOK_ROOT")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn a_discovered_playbooks_folder_of_another_user_is_refused() {
    use std::os::unix::fs::chown;
    if my_uid() != 0 {
        // Only root can give a folder away; the rule itself is unit-tested
        // (corpus::tests::ownership_decides_trust).
        eprintln!("skipped: needs root to make a folder another user owns");
        return;
    }
    let tree = mini_tree();
    let root = tree.path();
    let work = root.join("work/call");
    std::fs::create_dir_all(&work).unwrap();
    let (code, _, stderr) = run(playbook_discovering(&work).args(["search", "chefen"]));
    assert_eq!(code, 0, "{stderr}");
    chown(root.join("playbooks"), Some(OTHER_UID), None).unwrap();
    for args in [&["search", "chefen"][..], &["check"], &["situations"]] {
        let (code, stdout, stderr) = run(playbook_discovering(&work).args(args));
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.contains(&format!("owned by another user (uid {OTHER_UID})")),
            "{stderr}"
        );
        assert!(stderr.contains("--root"), "{stderr}");
    }
    // Named on purpose, it is read.
    let (code, _, stderr) = run(playbook_discovering(&work)
        .arg("--root")
        .arg(root)
        .args(["search", "chefen"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(playbook_discovering(&work)
        .env("PLAYBOOK_ROOT", root)
        .args(["search", "chefen"]));
    assert_eq!(code, 0, "{stderr}");
    // A folder root owns is trusted (a repository installed by the administrator).
    chown(root.join("playbooks"), Some(0), None).unwrap();
    let (code, _, stderr) = run(playbook_discovering(&work).args(["search", "chefen"]));
    assert_eq!(code, 0, "{stderr}");
    // So is one's own folder, but not through another user's link to it.
    let above = root.join("work/linked");
    std::fs::create_dir_all(above.join("call")).unwrap();
    std::os::unix::fs::symlink(root.join("playbooks"), above.join("playbooks")).unwrap();
    let (code, _, stderr) = run(playbook_discovering(&above.join("call")).args(["check"]));
    assert!(code < 2, "{stderr}");
    std::os::unix::fs::lchown(above.join("playbooks"), Some(OTHER_UID), None).unwrap();
    let (code, _, stderr) = run(playbook_discovering(&above.join("call")).args(["check"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("owned by another user"), "{stderr}");
}

#[test]
fn log_misses_in_playbook_toml_stays_inside_the_root() {
    // The root two folders down, so that a log written outside it stays in the test's folder.
    let outer = tempfile::tempdir().unwrap();
    let root = &outer.path().join("a/b/root");
    crate::common::copy_tree(
        &crate::common::repo_root().join("tests/fixtures/mini"),
        root,
    );
    let absolute = outer.path().join("absolute.jsonl");
    for (value, ok) in [
        ("misses.jsonl", true),
        ("logs/misses.jsonl", true),
        ("../../misses.jsonl", false),
        ("logs/../../misses.jsonl", false),
        (absolute.to_str().unwrap(), false),
    ] {
        write(
            &root.join("playbook.toml"),
            format!("lang = \"da\"\nlog_misses = \"{value}\"\n"),
        );
        std::fs::create_dir_all(root.join("logs")).unwrap();
        let (code, _, stderr) = run(playbook(root)
            .env_remove("PLAYBOOK_LOG_MISSES")
            .args(["search", "xyzzyplugh"]));
        assert_eq!(code, 1, "{value}: {stderr}");
        if ok {
            assert!(root.join(value).exists(), "{value}: {stderr}");
            assert!(!stderr.contains("warning"), "{value}: {stderr}");
        } else {
            assert!(
                stderr.contains("playbook.toml:2: `log_misses ="),
                "{value}: {stderr}"
            );
            assert!(stderr.contains("inside"), "{value}: {stderr}");
            let (code, _, stderr) = run(playbook(root)
                .env_remove("PLAYBOOK_LOG_MISSES")
                .arg("misses"));
            assert_eq!(code, 2, "{value}: {stderr}");
            assert!(
                stderr.contains("playbook.toml:2: `log_misses ="),
                "{value}: {stderr}"
            );
        }
    }
    assert!(!outer.path().join("a/misses.jsonl").exists());
    assert!(!absolute.exists());
    // The environment variable is the agent's own choice: anywhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let log = elsewhere.path().join("m.jsonl");
    let (code, _, stderr) = run(playbook(root)
        .env("PLAYBOOK_LOG_MISSES", &log)
        .args(["search", "xyzzyplugh"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(log.exists(), "{stderr}");
}
