//! Integration tests for the trainer tools: `new`, the pre-commit hook, coverage gaps,
//! search analytics (`PLAYBOOK_LOG_MISSES`, `misses`), `completions` and `man`.

use crate::common::{mini_tree, playbook, repo_root, write};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (status.code().unwrap(), text(&stdout), text(&stderr))
}

// ---------------------------------------------------------------------------------------------
// What `check --format json` and `situations --json` print.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct CheckJson {
    errors: usize,
    diagnostics: Vec<Diag>,
}

#[derive(Debug, Deserialize)]
struct Diag {
    path: String,
    code: String,
    message: String,
}

fn check_json(root: &Path, args: &[&str]) -> (i32, CheckJson) {
    let (code, stdout, stderr) = run(playbook(root)
        .args(["check", "--format", "json"])
        .args(args));
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, report)
}

#[derive(Debug, Deserialize)]
struct SituationsJson {
    situations: Vec<SituationRow>,
}

#[derive(Debug, Deserialize)]
struct SituationRow {
    id: String,
    #[serde(default)]
    headline: bool,
    steps: BTreeMap<String, usize>,
}

fn coverage(root: &Path) -> BTreeMap<String, (bool, BTreeMap<String, usize>)> {
    let (code, stdout, _) = run(playbook(root).args(["situations", "--json"]));
    assert_eq!(code, 0);
    let json: SituationsJson = serde_json::from_str(&stdout).unwrap();
    json.situations
        .into_iter()
        .map(|s| (s.id, (s.headline, s.steps)))
        .collect()
}

/// The W0601 gaps (headline situation, language) that `check` reports.
fn gaps(report: &CheckJson) -> Vec<(String, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == "W0601")
        .map(|d| {
            let id = d.message.split('`').nth(1).unwrap().to_string();
            let lang = d.message.rsplit('(').next().unwrap().trim_end_matches(')');
            (id, lang.to_string())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. `playbook new`
// ---------------------------------------------------------------------------------------------

#[test]
fn new_writes_a_playbook_that_passes_check_as_written() {
    let tree = mini_tree();
    let root = tree.path();
    let (code, stdout, stderr) = run(playbook(root).args([
        "new",
        "--lang",
        "ro",
        "--id",
        "ro-clienti-noi",
        "--title",
        "Clienți \"dificili\"",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "playbooks/ro/ro-clienti-noi.md\n");
    assert!(stderr.contains("playbook check"), "{stderr}");
    let file = root.join("playbooks/ro/ro-clienti-noi.md");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("+++\n"));

    // Clean: no diagnostic at all about the new file, even with --strict's eyes.
    let (code, report) = check_json(root, &[]);
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(report.errors, 0, "{report:#?}");
    let about_new: Vec<&Diag> = report
        .diagnostics
        .iter()
        .filter(|d| d.path.contains("ro-clienti-noi"))
        .collect();
    assert!(about_new.is_empty(), "{about_new:#?}");

    // A real playbook: shown, with real situations from the taxonomy, and a headline step
    // with phrases.
    let (code, stdout, stderr) = run(playbook(root).args(["show", "--json", "ro-clienti-noi"]));
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["title"], "Clienți \"dificili\"");
    assert_eq!(shown["lang"], "ro");
    let tax = coverage(root);
    let steps = shown["steps"].as_array().unwrap();
    assert!(steps.len() >= 2);
    let mut headline_with_phrases = false;
    for step in steps {
        for id in step["situations"].as_array().unwrap() {
            let (headline, _) = tax
                .get(id.as_str().unwrap())
                .unwrap_or_else(|| panic!("unknown situation {id}"));
            if *headline && !step["phrases"].as_array().unwrap().is_empty() {
                headline_with_phrases = true;
            }
        }
    }
    assert!(headline_with_phrases, "{stdout}");
}

#[test]
fn new_makes_a_title_from_the_id_and_creates_the_language_folder() {
    let tree = mini_tree();
    let root = tree.path();
    assert!(!root.join("playbooks/fa").exists());
    let (code, stdout, stderr) =
        run(playbook(root).args(["new", "--lang", "fa", "--id", "fa-new"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "playbooks/fa/fa-new.md\n");
    let (_, stdout, _) = run(playbook(root).args(["show", "--json", "fa-new"]));
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["title"], "Fa new");
    let (code, report) = check_json(root, &[]);
    assert_eq!((code, report.errors), (0, 0), "{report:#?}");
}

#[test]
fn new_never_overwrites_and_refuses_a_used_id() {
    let tree = mini_tree();
    let root = tree.path();
    let args = ["new", "--lang", "da", "--id", "da-second"];
    assert_eq!(run(playbook(root).args(args)).0, 0);
    let file = root.join("playbooks/da/da-second.md");
    std::fs::write(&file, "my edits").unwrap();

    let (code, stdout, stderr) = run(playbook(root).args(args));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my edits");

    // `da-mini` is the id of playbooks/da/vrede.md: a second one would fail `check`.
    let (code, _, stderr) = run(playbook(root).args(["new", "--lang", "th", "--id", "da-mini"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already used by playbooks/da/vrede.md"),
        "{stderr}"
    );
    assert!(!root.join("playbooks/th/da-mini.md").exists());
}

#[test]
fn new_validates_the_id_and_the_language() {
    let tree = mini_tree();
    let root = tree.path();
    for (lang, id) in [
        ("da", "Bad_Id"),
        ("da", "-dash"),
        ("da", "two--dashes"),
        ("da", "../escape"),
        ("da", ""),
        ("en", "fine-id"),
        ("xx", "fine-id"),
    ] {
        let (code, stdout, stderr) = run(playbook(root).args(["new", "--lang", lang, "--id", id]));
        assert_eq!(code, 2, "{lang} {id}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("error"), "{stderr}");
    }
    let (_, _, stderr) = run(playbook(root).args(["new", "--lang", "da", "--id", "Bad_Id"]));
    assert!(stderr.contains("bad-id"), "suggests a valid id: {stderr}");
    let files = walkdir::WalkDir::new(root.join("playbooks"))
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(files, 3, "nothing was written");
}

// ---------------------------------------------------------------------------------------------
// 3. Coverage gaps: `situations --json` and `check`'s W0601 tell the same story.
// ---------------------------------------------------------------------------------------------

#[test]
fn coverage_gaps_agree_between_situations_and_check_and_close_when_filled() {
    let tree = mini_tree();
    let root = tree.path();
    let expected_gaps = |cov: &BTreeMap<String, (bool, BTreeMap<String, usize>)>| {
        let mut gaps: Vec<(String, String)> = cov
            .iter()
            .filter(|(_, (headline, _))| *headline)
            .flat_map(|(id, (_, steps))| {
                steps
                    .iter()
                    .filter(|(_, n)| **n == 0)
                    .map(move |(lang, _)| (id.clone(), lang.clone()))
            })
            .collect();
        gaps.sort();
        gaps
    };
    let before = coverage(root);
    assert_eq!(before["abusive-caller"].1["da"], 1);
    assert_eq!(before["abusive-caller"].1["ro"], 0);
    let (_, report) = check_json(root, &[]);
    let mut reported = gaps(&report);
    reported.sort();
    assert_eq!(reported, expected_gaps(&before));
    assert!(reported.contains(&("abusive-caller".into(), "ro".into())));

    // A new Romanian playbook covers `abusive-caller` in Romanian (its headline step).
    assert_eq!(
        run(playbook(root).args(["new", "--lang", "ro", "--id", "ro-new"])).0,
        0
    );
    let after = coverage(root);
    assert_eq!(after["abusive-caller"].1["ro"], 1);
    let (code, report) = check_json(root, &[]);
    assert_eq!(code, 0);
    let mut reported = gaps(&report);
    reported.sort();
    assert_eq!(reported, expected_gaps(&after));
    assert!(!reported.contains(&("abusive-caller".into(), "ro".into())));
    assert!(reported.len() < gaps_len(&before));
}

fn gaps_len(cov: &BTreeMap<String, (bool, BTreeMap<String, usize>)>) -> usize {
    cov.values()
        .filter(|(headline, _)| *headline)
        .map(|(_, steps)| steps.values().filter(|n| **n == 0).count())
        .sum()
}

// ---------------------------------------------------------------------------------------------
// 2. The pre-commit hook (docs/pre-commit.sh) in a real Git repository.
// ---------------------------------------------------------------------------------------------

/// A Git repository holding a copy of the mini tree, with nothing committed yet.
struct GitRepo {
    dir: TempDir,
    home: TempDir,
    /// The hook's TMPDIR, to see that it cleans up.
    tmp: TempDir,
}

impl GitRepo {
    fn new() -> GitRepo {
        let dir = mini_tree();
        let repo = GitRepo {
            dir,
            home: TempDir::new().unwrap(),
            tmp: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, program: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.current_dir(self.path())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Trainer")
            .env("GIT_AUTHOR_EMAIL", "trainer@example.com")
            .env("GIT_COMMITTER_NAME", "Trainer")
            .env("GIT_COMMITTER_EMAIL", "trainer@example.com")
            .env("PLAYBOOK_BIN", playbook_bin())
            .env("NO_COLOR", "1")
            .env("TMPDIR", self.tmp.path())
            .env_remove("PLAYBOOK_ROOT")
            .env_remove("PLAYBOOK_HOOK_ROOT")
            .env_remove("PLAYBOOK_HOOK_STRICT")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE");
        cmd
    }

    fn git(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command("git").args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.git(args);
        assert_eq!(code, 0, "git {args:?}: {stderr}");
        stdout
    }

    /// Runs docs/pre-commit.sh as Git would (from the top of the work tree).
    fn hook(&self, env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = self.command("sh");
        cmd.arg(hook_script());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    }

    fn write(&self, rel: &str, text: &str) {
        write(&self.path().join(rel), text);
    }

    fn commits(&self) -> usize {
        let (code, stdout, _) = self.git(&["rev-list", "--count", "HEAD"]);
        if code == 0 {
            stdout.trim().parse().unwrap()
        } else {
            0
        }
    }
}

fn playbook_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("playbook")
}

fn hook_script() -> PathBuf {
    repo_root().join("docs/pre-commit.sh")
}

fn vrede() -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/mini/playbooks/da/vrede.md")).unwrap()
}

/// The Danish mini playbook with a misspelt situation: an error (E0301).
fn broken_vrede() -> String {
    let good = vrede();
    let broken = good.replacen(
        "**Situations:** manager-request",
        "**Situations:** manager-requets",
        1,
    );
    assert_ne!(good, broken);
    broken
}

#[test]
fn the_hook_blocks_a_broken_staged_playbook_and_passes_a_good_one() {
    let repo = GitRepo::new();
    // Nothing staged: nothing to check.
    assert_eq!(repo.hook(&[]).0, 0);

    repo.git_ok(&["add", "-A"]);
    let (code, _, stderr) = repo.hook(&[]);
    assert_eq!(code, 0, "the mini tree is clean: {stderr}");
    repo.git_ok(&["commit", "-q", "-m", "mini tree"]);

    // A broken playbook staged: blocked, with the diagnostic under its work-tree path.
    repo.write("playbooks/da/vrede.md", &broken_vrede());
    repo.git_ok(&["add", "playbooks/da/vrede.md"]);
    let (code, stdout, stderr) = repo.hook(&[]);
    assert_ne!(code, 0, "a broken playbook must block the commit");
    assert!(
        stdout.contains("playbooks/da/vrede.md:") && stdout.contains("E0301"),
        "{stdout}\n{stderr}"
    );
    assert!(stderr.contains("commit blocked"), "{stderr}");

    // Fixed in the work tree but not staged: still blocked (the commit would be broken).
    repo.write("playbooks/da/vrede.md", &vrede());
    assert_ne!(repo.hook(&[]).0, 0);

    // Staged: passes.
    repo.git_ok(&["add", "playbooks/da/vrede.md"]);
    assert_eq!(repo.hook(&[]).0, 0);

    // A good version staged and a broken one left unstaged in the work tree: passes.
    repo.write(
        "playbooks/da/vrede.md",
        &vrede().replace("Tag om muligt", "Tag gerne"),
    );
    repo.git_ok(&["add", "playbooks/da/vrede.md"]);
    repo.write("playbooks/da/vrede.md", &broken_vrede());
    let (code, _, stderr) = repo.hook(&[]);
    assert_eq!(code, 0, "{stderr}");

    // No temporary folder left behind.
    let leftovers: Vec<_> = std::fs::read_dir(repo.tmp.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_installed_hook_stops_git_commit() {
    let repo = GitRepo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let installed = hooks.join("pre-commit");
    std::fs::copy(hook_script(), &installed).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    repo.git_ok(&["add", "-A"]);
    repo.git_ok(&["commit", "-q", "-m", "mini tree"]);
    assert_eq!(repo.commits(), 1);

    repo.write("playbooks/da/vrede.md", &broken_vrede());
    repo.git_ok(&["add", "-A"]);
    let (code, _, stderr) = repo.git(&["commit", "-q", "-m", "broken"]);
    assert_ne!(code, 0, "the commit must be refused: {stderr}");
    assert!(stderr.contains("commit blocked"), "{stderr}");
    assert_eq!(repo.commits(), 1);

    // A deleted playbook and a new one from `playbook new`: fine.
    repo.write("playbooks/da/vrede.md", &vrede());
    std::fs::remove_file(repo.path().join("playbooks/th/mini.md")).unwrap();
    let out = repo
        .command(playbook_bin().to_str().unwrap())
        .args(["new", "--lang", "th", "--id", "th-new"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    repo.git_ok(&["add", "-A"]);
    let (code, _, stderr) = repo.git(&["commit", "-q", "-m", "new Thai playbook"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(repo.commits(), 2);
}

#[test]
fn the_hook_reads_its_settings() {
    let repo = GitRepo::new();
    repo.git_ok(&["add", "-A"]);
    // The mini tree has coverage warnings (W0601): --strict blocks on them.
    let (code, _, stderr) = repo.hook(&[("PLAYBOOK_HOOK_STRICT", "1")]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(repo.hook(&[("PLAYBOOK_HOOK_STRICT", "0")]).0, 0);

    // No playbook program: blocked, with a hint.
    let (code, _, stderr) = repo.hook(&[("PLAYBOOK_BIN", "/nonexistent/playbook")]);
    assert_ne!(code, 0);
    assert!(stderr.contains("PLAYBOOK_BIN"), "{stderr}");

    // The playbooks in a subfolder of the repository.
    let nested = GitRepo::new();
    let sub = nested.path().join("content");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::rename(nested.path().join("playbooks"), sub.join("playbooks")).unwrap();
    nested.write("content/playbooks/da/vrede.md", &broken_vrede());
    nested.git_ok(&["add", "-A"]);
    let (code, stdout, _) = nested.hook(&[("PLAYBOOK_HOOK_ROOT", "content")]);
    assert_ne!(code, 0);
    assert!(stdout.contains("E0301"), "{stdout}");
    nested.write("content/playbooks/da/vrede.md", &vrede());
    nested.git_ok(&["add", "-A"]);
    let (code, _, stderr) = nested.hook(&[("PLAYBOOK_HOOK_ROOT", "content/")]);
    assert_eq!(code, 0, "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// 4. Search analytics: the miss log and `playbook misses`.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MissLine {
    time: String,
    query: String,
    langs: Vec<String>,
    situations: Vec<String>,
    results: usize,
    fuzzy_only: bool,
}

fn log_lines(path: &Path) -> Vec<MissLine> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn is_rfc3339_utc(time: &str) -> bool {
    let b = time.as_bytes();
    b.len() == 20
        && time.ends_with('Z')
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && b[10] == b'T'
        && [13, 16].iter().all(|&i| b[i] == b':')
        && b.iter()
            .enumerate()
            .filter(|(i, _)| ![4, 7, 10, 13, 16, 19].contains(i))
            .all(|(_, c)| c.is_ascii_digit())
}

/// `playbook search` with the miss log set by the environment.
fn logged_search(root: &Path, log: &Path, args: &[&str]) -> (i32, String, String) {
    run(playbook(root)
        .env("PLAYBOOK_LOG_MISSES", log)
        .arg("search")
        .args(args))
}

#[test]
fn searches_that_miss_are_logged_and_others_are_not() {
    let tree = mini_tree();
    let root = tree.path();
    let log = root.join("misses.jsonl");

    // Not opted in: nothing is written anywhere.
    let (code, _, _) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .args(["search", "xyzzy"]));
    assert_eq!(code, 1);
    assert!(!log.exists());

    let (code, _, stderr) = logged_search(root, &log, &["abusive", "caller"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!log.exists(), "a search with results is not a miss");

    let (code, _, stderr) = logged_search(root, &log, &["xyzzy", "plugh"]);
    assert_eq!(code, 1);
    assert!(!stderr.contains("warning"), "{stderr}");
    let (code, _, _) = logged_search(
        root,
        &log,
        &[
            "--lang",
            "th",
            "--lang",
            "da",
            "--situation",
            "manager-request",
            "--",
            "zzzqx",
        ],
    );
    assert_eq!(code, 1);
    // A typo that only typo tolerance matches (`konsekvenserne` in the Danish playbook).
    let (code, stdout, _) = logged_search(root, &log, &["--json", "konsekvenserme"]);
    assert_eq!(code, 0);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let results = found["results"].as_array().unwrap().len();
    assert!(results > 0);

    let lines = log_lines(&log);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines.iter().all(|l| is_rfc3339_utc(&l.time)), "{lines:#?}");
    assert_eq!(lines[0].query, "xyzzy plugh");
    assert_eq!((lines[0].results, lines[0].fuzzy_only), (0, false));
    assert!(lines[0].langs.is_empty() && lines[0].situations.is_empty());
    assert_eq!(lines[1].query, "zzzqx");
    assert_eq!(lines[1].langs, ["th", "da"]);
    assert_eq!(lines[1].situations, ["manager-request"]);
    assert_eq!(lines[2].query, "konsekvenserme");
    assert_eq!((lines[2].results, lines[2].fuzzy_only), (results, true));
}

#[test]
fn the_config_file_turns_logging_on_and_the_environment_wins() {
    let tree = mini_tree();
    let root = tree.path();
    std::fs::write(
        root.join("playbook.toml"),
        "# settings\nlog_misses = \"from-config.jsonl\"\n",
    )
    .unwrap();
    let (code, _, _) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .args(["search", "xyzzy"]));
    assert_eq!(code, 1);
    assert_eq!(log_lines(&root.join("from-config.jsonl")).len(), 1);

    let env_log = root.join("from-env.jsonl");
    logged_search(root, &env_log, &["xyzzy"]);
    assert_eq!(log_lines(&env_log).len(), 1);
    assert_eq!(log_lines(&root.join("from-config.jsonl")).len(), 1);

    // `misses` finds the configured log by itself.
    let (code, stdout, stderr) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .args(["misses", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let summary: MissesJson = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary.searches, 1);
    assert!(summary.log.ends_with("from-config.jsonl"));

    // A broken config file never fails a search: one warning.
    std::fs::write(root.join("playbook.toml"), "log_misses = [\n").unwrap();
    let (code, stdout, stderr) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .args(["search", "--json", "xyzzy"]));
    assert_eq!(code, 1);
    assert!(serde_json::from_str::<serde_json::Value>(&stdout).is_ok());
    assert_eq!(
        stderr.matches("warning: search not logged").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("playbook.toml"), "{stderr}");
}

#[test]
fn a_log_that_cannot_be_written_never_fails_the_search() {
    let tree = mini_tree();
    let root = tree.path();
    // A folder, and a file in a folder that does not exist.
    for log in [
        root.join("playbooks"),
        root.join("no/such/dir/misses.jsonl"),
    ] {
        let (code, stdout, stderr) = logged_search(root, &log, &["--json", "xyzzy"]);
        assert_eq!(code, 1, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(json["results"].as_array().unwrap().is_empty());
        assert_eq!(
            stderr.matches("warning: search not logged").count(),
            1,
            "{stderr}"
        );
        assert!(!stderr.contains("error:"), "{stderr}");

        let (code, _, stderr) = logged_search(root, &log, &["abusive", "caller"]);
        assert_eq!(code, 0);
        assert!(!stderr.contains("warning"), "hits are not logged: {stderr}");
    }
}

#[test]
fn concurrent_searches_append_whole_lines() {
    let tree = mini_tree();
    let root = tree.path();
    assert_eq!(run(playbook(root).arg("index")).0, 0);
    let log = root.join("misses.jsonl");
    let children: Vec<std::process::Child> = (0..8)
        .map(|i| {
            std::process::Command::new(playbook_bin())
                .current_dir(root)
                .env_remove("PLAYBOOK_ROOT")
                .env("PLAYBOOK_LOG_MISSES", &log)
                .args(["--root", root.to_str().unwrap(), "search"])
                .arg(format!("nonexistentword{i} {}", "padding ".repeat(40)))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert_eq!(child.wait().unwrap().code(), Some(1));
    }
    let lines = log_lines(&log);
    assert_eq!(lines.len(), 8);
    let mut queries: Vec<String> = lines
        .iter()
        .map(|l| l.query.split(' ').next().unwrap().to_string())
        .collect();
    queries.sort();
    let expected: Vec<String> = (0..8).map(|i| format!("nonexistentword{i}")).collect();
    assert_eq!(queries, expected);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MissesJson {
    log: String,
    searches: usize,
    distinct: usize,
    skipped_lines: usize,
    misses: Vec<MissGroupJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MissGroupJson {
    query: String,
    count: usize,
    fuzzy_only_searches: usize,
    last_seen: String,
    closest_situation: Option<String>,
}

fn miss(time: &str, query: &str, fuzzy: bool) -> String {
    serde_json::json!({
        "time": time, "query": query, "langs": [], "situations": [],
        "results": usize::from(fuzzy), "fuzzy_only": fuzzy,
    })
    .to_string()
}

fn sample_log(root: &Path) -> PathBuf {
    let log = root.join("sample.jsonl");
    let lines = [
        miss("2026-03-01T09:00:00Z", "xyzzy", false),
        miss("2026-03-01T10:00:00Z", "Refund  NOW please", false),
        miss("2026-03-02T10:00:00Z", "refund now please", true),
        "{\"time\": \"2026-03-0".to_string(),
        miss("2026-03-01T11:00:00Z", " REFUND now   please ", false),
        miss("2026-03-03T08:00:00Z", "vil tale med chefen nu", false),
        miss("2026-03-02T08:00:00Z", "Vil tale med  chefen nu", false),
        miss("2026-03-04T08:00:00Z", "ลูกค้าขอเงินคืนด่วน", false),
    ];
    write(&log, lines.join("\n") + "\n");
    log
}

#[test]
fn misses_summarises_most_frequent_first_with_the_closest_situation() {
    let tree = mini_tree();
    let root = tree.path();
    let log = sample_log(root);
    let (code, stdout, stderr) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .args(["misses", "--json", "--log"])
        .arg(&log));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("skipped 1 line"), "{stderr}");
    let s: MissesJson = serde_json::from_str(&stdout).unwrap();
    assert_eq!((s.searches, s.distinct, s.skipped_lines), (7, 4, 1));
    let queries: Vec<&str> = s.misses.iter().map(|m| m.query.as_str()).collect();
    assert_eq!(
        queries,
        [
            "refund now please",
            "vil tale med chefen nu",
            "ลูกค้าขอเงินคืนด่วน",
            "xyzzy"
        ]
    );
    let refund = &s.misses[0];
    assert_eq!((refund.count, refund.fuzzy_only_searches), (3, 1));
    assert_eq!(refund.last_seen, "2026-03-02T10:00:00Z");
    assert_eq!(refund.closest_situation.as_deref(), Some("refund-demand"));
    assert_eq!(s.misses[1].count, 2);
    assert_eq!(s.misses[1].last_seen, "2026-03-03T08:00:00Z");
    assert_eq!(
        s.misses[1].closest_situation.as_deref(),
        Some("manager-request")
    );
    assert_eq!(
        s.misses[2].closest_situation.as_deref(),
        Some("refund-demand")
    );
    assert_eq!(s.misses[3].closest_situation, None);

    // --limit keeps the most frequent.
    let (_, stdout, _) = run(playbook(root)
        .args(["misses", "--json", "--limit", "1", "--log"])
        .arg(&log));
    let s: MissesJson = serde_json::from_str(&stdout).unwrap();
    assert_eq!(s.misses.len(), 1);
    assert_eq!(s.distinct, 4);
    assert_eq!(s.misses[0].query, "refund now please");

    // The table, for people.
    let (code, stdout, _) = run(playbook(root).args(["misses", "--log"]).arg(&log));
    assert_eq!(code, 0);
    let rows: Vec<&str> = stdout.lines().filter(|l| l.contains("2026-03-")).collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    assert!(
        rows[0].contains("refund-demand") && rows[0].ends_with("refund now please"),
        "{stdout}"
    );
    assert!(rows[0].trim_start().starts_with('3'), "{stdout}");
    assert!(stdout.contains("7 search(es)"), "{stdout}");
}

#[test]
fn misses_reads_what_searches_logged() {
    let tree = mini_tree();
    let root = tree.path();
    let log = root.join("m.jsonl");
    for q in ["xyzzy", "XYZZY ", "vil  tale med chefen  om  plugh"] {
        logged_search(root, &log, &["--lang", "th", q]);
    }
    // Without --log: the one in the environment.
    let (code, stdout, stderr) = run(playbook(root)
        .env("PLAYBOOK_LOG_MISSES", &log)
        .args(["misses", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let s: MissesJson = serde_json::from_str(&stdout).unwrap();
    assert_eq!((s.searches, s.distinct), (3, 2), "{s:#?}");
    assert_eq!(s.misses[0].query, "xyzzy");
    assert_eq!(s.misses[0].count, 2);
}

#[test]
fn misses_without_a_log() {
    let tree = mini_tree();
    let root = tree.path();
    // Nothing configured: a usage error.
    let (code, _, stderr) = run(playbook(root)
        .env_remove("PLAYBOOK_LOG_MISSES")
        .arg("misses"));
    assert_eq!(code, 2);
    assert!(stderr.contains("--log"), "{stderr}");
    // A log that does not exist yet: nothing was missed.
    let (code, stdout, stderr) = run(playbook(root)
        .args(["misses", "--json", "--log"])
        .arg(root.join("none.jsonl")));
    assert_eq!(code, 0, "{stderr}");
    let s: MissesJson = serde_json::from_str(&stdout).unwrap();
    assert_eq!((s.searches, s.misses.len()), (0, 0));
    let (code, stdout, _) = run(playbook(root)
        .args(["misses", "--log"])
        .arg(root.join("none.jsonl")));
    assert_eq!(code, 0);
    assert!(stdout.contains("no misses logged"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// 5. Shell completions and the man page.
// ---------------------------------------------------------------------------------------------

const SUBCOMMANDS: [&str; 8] = [
    "search",
    "check",
    "situations",
    "show",
    "new",
    "misses",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    let dir = TempDir::new().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, stdout, stderr) = run(playbook(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {stderr}");
        for sub in SUBCOMMANDS {
            assert!(stdout.contains(sub), "{shell} lacks {sub}");
        }
        assert!(stdout.contains("lang"), "{shell}");
    }
    // The bash script is valid bash.
    let (_, script, _) = run(playbook(dir.path()).args(["completions", "bash"]));
    let file = dir.path().join("playbook.bash");
    std::fs::write(&file, &script).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());

    let (code, stdout, stderr) = run(playbook(dir.path()).args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("bash"), "lists the shells: {stderr}");
}

#[test]
fn man_prints_a_roff_page_of_every_command() {
    let dir = TempDir::new().unwrap();
    let (code, page, stderr) = run(playbook(dir.path()).arg("man"));
    assert_eq!(code, 0, "{stderr}");
    assert!(page.contains(".TH playbook 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH ENVIRONMENT"] {
        assert!(page.contains(section), "{section}");
    }
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!(".SH \"PLAYBOOK {}\"", sub.to_uppercase())),
            "{sub}"
        );
    }
    assert!(page.contains("PLAYBOOK_LOG_MISSES"));
    assert!(page.contains("\\-\\-lang"));
    // Where groff is installed, it renders the page without a warning.
    if let Ok(mut child) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    }
}
