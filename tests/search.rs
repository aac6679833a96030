//! `playbook search`, `show`, `situations` and `index`, run as the real binary on temporary trees.

use crate::common::{mini_tree, playbook, search_json, shipped_tree, write};
use predicates::prelude::*;
use serde::Deserialize;

#[test]
fn json_contract_holds_for_a_situation_query() {
    let tree = mini_tree();
    let (json, code, _) = search_json(tree.path(), &["--", "abusive caller"]);
    assert_eq!(code, 0);
    assert_eq!(json.query, "abusive caller");
    assert_eq!(json.situations, ["abusive-caller"]);
    let top = &json.results[0];
    assert_eq!(top.playbook, "da-mini");
    assert_eq!(top.step, "reprimand-rude-customer");
    assert_eq!(top.lang, "da");
    assert_eq!(top.playbook_title, "Vrede klienter");
    assert_eq!(
        top.section.as_deref(),
        Some("Del 3 af 3: Håndtering af vrede klienter")
    );
    assert!(top.title.starts_with("Trin 2."));
    assert!(top.text.contains("irettesæt ham"));
    assert!(top.phrases[0].contains("lægge på"));
    assert!(top.gloss.contains("hang up"));
    assert!(top.situations.contains(&"abusive-caller".to_string()));
    assert_eq!(top.path, "playbooks/da/vrede.md");
    assert_eq!(top.line, 15);
    assert!(top.score > 0.0);
}

#[test]
fn queries_in_any_language_find_steps_in_another() {
    let tree = mini_tree();
    // Thai for "customer asks for a refund" finds the Thai step; English finds it too.
    let (json, _, _) = search_json(tree.path(), &["ลูกค้าขอเงินคืน"]);
    assert_eq!(json.results[0].step, "close-the-issue");
    assert_eq!(json.situations, ["refund-demand"]);
    let (json, _, _) = search_json(tree.path(), &["refund"]);
    assert_eq!(json.results[0].step, "close-the-issue");
    // Danish for "wants to talk to the boss" finds the manager step.
    let (json, _, _) = search_json(tree.path(), &["vil", "tale", "med", "chefen"]);
    assert_eq!(json.results[0].step, "respect-manager-request");
    // The situation id itself works.
    let (json, _, _) = search_json(tree.path(), &["manager-request"]);
    assert_eq!(json.situations, ["manager-request"]);
}

/// An agent reads their own language fastest: every step is translated, so whatever
/// language the best steps were written in, the agent reads them in the query's.
#[test]
fn the_query_language_keeps_a_place_among_the_results() {
    let tree = shipped_tree();
    // Romanian for "the customer is yelling at me": steps written in other languages lead
    // (no Romanian step is about abusive callers), shown in Romanian.
    let (json, _, _) = search_json(tree.path(), &["clientul tipa la mine"]);
    assert_eq!(json.results.len(), 3);
    assert_ne!(json.results[0].lang, "ro");
    assert!(
        json.results
            .iter()
            .all(|r| r.shown.lang == "ro" && r.shown.translated),
        "{:?}",
        json.results
    );
    // With a language filter, the filter decides.
    let (json, _, _) = search_json(tree.path(), &["--lang", "da", "clientul tipa la mine"]);
    assert!(json.results.iter().all(|r| r.lang == "da"));
    // "Don't say" lists are in the playbook's language, and found as such.
    let (json, _, _) = search_json(tree.path(), &["umuligt"]);
    assert_eq!(json.results[0].step, "use-positive-words");
}

/// The first screen (the default three) holds a step written in the query's language when
/// one matches well enough, and a longer list begins as the default one does.
#[test]
fn the_first_screen_keeps_an_own_language_place_whatever_the_limit() {
    let tree = shipped_tree();
    // "How do I apologise to the customer" (Thai), "the customer wants the money back"
    // (Romanian), "the customer threatens me" (Danish), "the customer is rude" (Persian).
    for (query, lang) in [
        ("ขอโทษลูกค้ายังไงดี", "th"),
        ("clientul vrea banii înapoi", "ro"),
        ("kunden truer mig", "da"),
        ("مشتری بی ادب است", "fa"),
    ] {
        let (three, _, _) = search_json(tree.path(), &["--", query]);
        let (ten, _, _) = search_json(tree.path(), &["--limit", "10", "--", query]);
        let steps = |json: &crate::common::SearchJson, n: usize| -> Vec<String> {
            json.results
                .iter()
                .take(n)
                .map(|r| format!("{}#{}", r.playbook, r.step))
                .collect()
        };
        assert_eq!(steps(&three, 3), steps(&ten, 3), "{query}");
        assert_eq!(ten.results.len(), 10, "{query}");
        assert!(
            three.results.iter().any(|r| r.lang == lang),
            "{query}: {:?}",
            steps(&three, 3)
        );
    }
}
#[test]
fn typos_are_tolerated_but_exact_ranks_first() {
    let tree = mini_tree();
    let (json, code, _) = search_json(tree.path(), &["managr", "requets"]);
    assert_eq!(code, 0);
    assert_eq!(json.results[0].step, "respect-manager-request");
    let (json, _, _) = search_json(tree.path(), &["abusve", "calr"]);
    assert_eq!(json.results[0].step, "reprimand-rude-customer");
}

/// A step marked `**Role:** last-resort` gets less of a situation the query names than the
/// same step as a first-line one, unless that situation is its main one; `--json` says its role.
#[test]
fn a_last_resort_step_yields_to_first_line_ones_of_the_situation_it_is_not_for() {
    let tree = mini_tree();
    let file = tree.path().join("playbooks/da/vrede.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let with_step = |situations: &str, role: &str| {
        format!(
            "{original}\n## Juridisk hjælp {{#get-legal-help}}\n\n**Situations:** {situations}\n\n\
             {role}Tal med en advokat, hvis intet andet virker.\n\n**Gloss:** Get legal help.\n"
        )
    };
    let score = |situations: &str, role: &str| {
        write(&file, with_step(situations, role));
        let (json, code, _) = search_json(tree.path(), &["--limit", "5", "--", "abusive caller"]);
        assert_eq!(code, 0);
        let of = |step: &str| json.results.iter().find(|r| r.step == step);
        let legal = of("get-legal-help").expect("the step is found");
        let reprimand = of("reprimand-rude-customer").expect("the first-line step is found");
        (legal.score, legal.role.clone(), reprimand.score)
    };
    let second = "agent-recovery, abusive-caller";
    let (first_line, role, reprimand) = score(second, "");
    assert_eq!(role, "first-line");
    let (last_resort, role, reprimand_again) = score(second, "**Role:** last-resort\n\n");
    assert_eq!(role, "last-resort");
    assert!(last_resort < first_line, "{last_resort} < {first_line}");
    assert_eq!(reprimand, reprimand_again, "other steps keep their scores");
    // Its main situation lifts it fully.
    let main = "abusive-caller, agent-recovery";
    let (as_first_line, _, _) = score(main, "");
    let (as_last_resort, _, _) = score(main, "**Role:** last-resort\n\n");
    assert_eq!(as_first_line, as_last_resort);
}

/// How agents ask for a step (`**Agents ask:**`) is searched with its text: words only an
/// agent would use find it; `--json` carries them and `show` prints them, labelled.
#[test]
fn a_step_is_found_by_how_agents_ask_for_it() {
    let tree = mini_tree();
    let file = tree.path().join("playbooks/da/vrede.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let query = ["--", "gå en tur om blokken"];
    let (before, _, _) = search_json(tree.path(), &query);
    assert!(
        before
            .results
            .first()
            .is_none_or(|r| r.step != "take-a-break"),
        "{:?}",
        before.results.first().map(|r| &r.step)
    );
    let asks = "\n**Agents ask:**\n- slappe af efter en hård samtale\n- gå en tur om blokken?\n";
    let edited = original.replace(
        "**Gloss:** Take a break after a hard call.\n",
        &format!("**Gloss:** Take a break after a hard call.\n{asks}"),
    );
    assert_ne!(edited, original);
    write(&file, edited);
    let (after, code, stderr) = search_json(tree.path(), &query);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(after.results[0].step, "take-a-break");
    assert_eq!(
        after.results[0].asks,
        ["slappe af efter en hård samtale", "gå en tur om blokken?"]
    );
    let out = playbook(tree.path())
        .args(["show", "--color", "never", "da-mini#take-a-break"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("Agents ask"), "{shown}");
    assert!(shown.contains("gå en tur om blokken?"), "{shown}");
}

#[test]
fn lang_and_situation_filters_and_limit() {
    let tree = mini_tree();
    let (json, _, _) = search_json(tree.path(), &["--lang", "th", "--", "angry customer"]);
    assert!(!json.results.is_empty());
    assert!(json.results.iter().all(|r| r.lang == "th"));
    let (json, _, _) = search_json(
        tree.path(),
        &["--situation", "agent-recovery", "--", "pause"],
    );
    assert_eq!(json.results.len(), 1);
    assert_eq!(json.results[0].step, "take-a-break");
    let (json, code, _) = search_json(tree.path(), &["--situation", "refund-demand"]);
    assert_eq!(code, 0, "a situation filter alone lists its steps");
    assert_eq!(json.results[0].step, "close-the-issue");
    let (json, _, _) = search_json(tree.path(), &["--limit", "1", "--", "angry"]);
    assert_eq!(json.results.len(), 1);
}

#[test]
fn unknown_situation_filter_is_a_usage_error_with_a_suggestion() {
    let tree = mini_tree();
    playbook(tree.path())
        .args(["search", "--situation", "refund-demnad", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `refund-demand`"));
}

#[test]
fn no_results_exit_1_with_suggestions() {
    let tree = mini_tree();
    let (json, code, _) = search_json(tree.path(), &["xylophone"]);
    assert_eq!(code, 1);
    assert!(json.results.is_empty());
    playbook(tree.path())
        .args(["search", "zzzqqq"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("No steps found"))
        .stdout(predicate::str::contains("playbook situations"));
}

#[test]
fn empty_query_is_a_usage_error() {
    let tree = mini_tree();
    playbook(tree.path())
        .args(["search", "--", "   "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to search for"));
    playbook(tree.path()).arg("search").assert().code(2);
}

#[test]
fn hostile_queries_never_fail() {
    let tree = mini_tree();
    let long = "kunde ".repeat(4000);
    let queries = [
        "\"",
        "'",
        "title:chefen",
        "AND OR NOT",
        "(((",
        "*",
        "😡 angry 😡",
        "a\u{200C}b",
        "-- --lang",
        "\\",
        "[]{}^~",
        long.as_str(),
        "ลูกค้า مشتری kunde",
    ];
    for q in queries {
        let output = playbook(tree.path())
            .args(["search", "--json", "--", q])
            .output()
            .unwrap();
        let code = output.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "{q:?} exited {code}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let _: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    }
}

#[test]
fn an_edit_is_found_by_the_very_next_search_and_a_removed_word_is_gone() {
    let tree = mini_tree();
    let file = tree.path().join("playbooks/da/vrede.md");
    let (_, code, _) = search_json(tree.path(), &["pause"]);
    assert_eq!(code, 0);
    let (_, code, _) = search_json(tree.path(), &["kaffepause"]);
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(&file).unwrap();
    write(
        &file,
        text.replace("Tag om muligt en pause", "Tag om muligt en kaffepause"),
    );
    let (json, code, stderr) = search_json(tree.path(), &["kaffepause"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json.results[0].step, "take-a-break");
    assert!(stderr.contains("updated 1 changed"), "{stderr}");
    // The old word is gone from that step (it stays only where the file still has it).
    let (json, _, _) = search_json(tree.path(), &["--lang", "da", "--", "muligt en pause"]);
    assert!(
        json.results
            .iter()
            .all(|r| !r.text.contains("muligt en pause"))
    );
    // A new file is found, a deleted one disappears.
    let extra = tree.path().join("playbooks/da/extra.md");
    write(
        &extra,
        text.replace("da-mini", "da-extra")
            .replace("Hold en pause", "Drik en kop kaffe"),
    );
    let (json, _, _) = search_json(tree.path(), &["--limit", "10", "--", "Drik kop kaffe"]);
    assert!(json.results.iter().any(|r| r.playbook == "da-extra"));
    std::fs::remove_file(&extra).unwrap();
    let (json, _, _) = search_json(tree.path(), &["--limit", "10", "--", "Drik kop kaffe"]);
    assert!(json.results.iter().all(|r| r.playbook != "da-extra"));
}

#[test]
fn a_broken_playbook_is_skipped_with_one_warning() {
    let tree = mini_tree();
    write(
        &tree.path().join("playbooks/da/broken.md"),
        "no front matter here\n",
    );
    let (json, code, stderr) = search_json(tree.path(), &["abusive caller"]);
    assert_eq!(code, 0);
    assert_eq!(json.results[0].step, "reprimand-rude-customer");
    assert_eq!(stderr.matches("skipped").count(), 1, "{stderr}");
    assert!(stderr.contains("playbooks/da/broken.md"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_link_loop_and_an_oversized_file_are_skipped_and_named() {
    let tree = mini_tree();
    std::os::unix::fs::symlink("..", tree.path().join("playbooks/da/loop")).unwrap();
    write(
        &tree.path().join("playbooks/da/huge.md"),
        vec![b'x'; 3 * 1024 * 1024],
    );
    let (json, code, stderr) = search_json(tree.path(), &["chefen"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json.results[0].step, "respect-manager-request");
    let warning: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    assert_eq!(warning.len(), 1, "{stderr}");
    assert!(warning[0].contains("playbooks/da/loop"), "{stderr}");
    assert!(warning[0].contains("playbooks/da/huge.md"), "{stderr}");
}

#[test]
fn index_rebuild_and_search_from_anywhere_below_the_root() {
    let tree = mini_tree();
    playbook(tree.path())
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stderr(predicate::str::contains("5 step(s)"));
    assert!(tree.path().join("index/CURRENT").exists());
    // Root discovery from a subfolder, without --root.
    let mut cmd = assert_cmd::Command::cargo_bin("playbook").unwrap();
    cmd.current_dir(tree.path().join("playbooks/da"))
        .env_remove("PLAYBOOK_ROOT")
        .args(["search", "--json", "chefen"])
        .assert()
        .success();
}

#[cfg(unix)]
#[test]
fn an_unwritable_index_folder_still_answers_from_memory() {
    use std::os::unix::fs::PermissionsExt;
    let tree = mini_tree();
    let index = tree.path().join("index");
    std::fs::create_dir_all(&index).unwrap();
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permissions; the test only means something for other users.
    let writable = std::fs::write(index.join("probe"), b"x").is_ok();
    let (json, code, stderr) = search_json(tree.path(), &["chefen"]);
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0);
    assert_eq!(json.results[0].step, "respect-manager-request");
    if !writable {
        assert!(stderr.contains("searching an in-memory index"), "{stderr}");
    }
}

#[test]
fn human_output_leads_with_phrases_and_names_the_situation() {
    let tree = mini_tree();
    let output = playbook(tree.path())
        .args(["search", "abusive", "caller"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    insta::assert_snapshot!("abusive_caller_human", text);
}

#[test]
fn human_output_for_thai_and_no_results() {
    let tree = mini_tree();
    let output = playbook(tree.path())
        .args(["search", "ลูกค้าขอเงินคืน"])
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "thai_refund_human",
        String::from_utf8(output.stdout).unwrap()
    );
    let output = playbook(tree.path())
        .args(["search", "manger reqest"])
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "typo_manager_human",
        String::from_utf8(output.stdout).unwrap()
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let tree = mini_tree();
    playbook(tree.path())
        .args(["--color", "always", "search", "chefen"])
        .assert()
        .stdout(predicate::str::contains("\x1b["));
    playbook(tree.path())
        .args(["--color", "never", "search", "chefen"])
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
    // Not a terminal: auto means no colour.
    playbook(tree.path())
        .args(["search", "chefen"])
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
}

#[derive(Debug, Deserialize)]
struct SituationsJson {
    languages: Vec<String>,
    situations: Vec<SituationRow>,
}

#[derive(Debug, Deserialize)]
struct SituationRow {
    id: String,
    label: String,
    labels: std::collections::BTreeMap<String, String>,
    steps: std::collections::BTreeMap<String, usize>,
}

#[test]
fn situations_lists_labels_and_a_coverage_matrix() {
    let tree = mini_tree();
    let output = playbook(tree.path())
        .args(["situations", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: SituationsJson = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json.languages, ["fa", "ro", "th", "da"]);
    let refund = json
        .situations
        .iter()
        .find(|s| s.id == "refund-demand")
        .unwrap();
    assert_eq!(refund.label, "Refund demand");
    assert!(refund.labels.contains_key("th"));
    assert_eq!(refund.steps["th"], 1);
    assert_eq!(refund.steps["da"], 0);
    let text = playbook(tree.path())
        .arg("situations")
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("refund-demand"));
    assert!(
        text.lines()
            .any(|l| l.starts_with("manager-request") && l.contains(" -"))
    );
}

#[test]
fn show_a_playbook_and_a_step() {
    let tree = mini_tree();
    playbook(tree.path())
        .args(["show", "da-mini#take-a-break"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Hold en pause"))
        .stdout(predicate::str::contains("playbooks/da/vrede.md:37"));
    let output = playbook(tree.path())
        .args(["show", "--json", "th-mini"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["steps"].as_array().unwrap().len(), 2);
    playbook(tree.path())
        .args(["show", "da-mnii"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `da-mini`"));
    playbook(tree.path())
        .args(["show", "da-mini#nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("take-a-break"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let tree = shipped_tree();
    // Warm the index so the search below only writes results.
    playbook(tree.path()).args(["index"]).assert().success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("playbook"))
        .args(["--root"])
        .arg(tree.path())
        .args(["search", "--limit", "50", "angry"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let code = output.status.code().unwrap();
    assert!(
        code == 0,
        "exit {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The processes alive now whose command line or working folder mentions `root`, as
/// `pid: cmdline`.
#[cfg(target_os = "linux")]
fn processes_in(root: &std::path::Path) -> Vec<String> {
    let roots: Vec<std::path::PathBuf> = [root.to_path_buf(), root.canonicalize().unwrap()].into();
    let mentions = |bytes: &[u8]| {
        roots.iter().any(|r| {
            let r = r.as_os_str().as_encoded_bytes();
            bytes.windows(r.len()).any(|w| w == r)
        })
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // A process may end while it is looked at: then it is not there.
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        if mentions(&cmdline) || roots.iter().any(|r| cwd.starts_with(r)) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

/// A search is one process that ends with its answer, however large the tree: it starts
/// nothing that outlives it (searches once started a background process from 1,000
/// playbooks on).
#[cfg(target_os = "linux")]
#[test]
fn a_search_leaves_no_process_behind() {
    let tree = mini_tree();
    let root = tree.path();
    for i in 0..1_200 {
        write(
            &root.join(format!("playbooks/da/gen/gen-{i:04}.md")),
            format!(
                "+++\nid = \"da-gen-{i:04}\"\ntitle = \"Genereret {i}\"\nlang = \"da\"\n\n\
                 [source]\ntitle = \"Test\"\n+++\n\n# Del 1\n\n\
                 ## Trin 1. Zebraord {i} {{#gen-step}}\n\n**Situations:** angry-customer\n\n\
                 Sig zebraord {i} til klienten.\n\n**Say:**\n- \"Zebraord.\"\n\n\
                 **Gloss:** A generated step.\n"
            ),
        );
    }
    assert!(processes_in(root).is_empty(), "{:?}", processes_in(root));
    // The scan sees processes left in the tree: by their arguments, by their working folder.
    let mut by_args = std::process::Command::new("tail")
        .arg("-f")
        .arg(root.join("playbooks/situations.toml"))
        .current_dir("/")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut by_cwd = std::process::Command::new("sleep")
        .arg("60")
        .current_dir(root.join("playbooks"))
        .spawn()
        .unwrap();
    // A child just spawned may not have exec'd yet (its arguments and folder are still the
    // test's for a moment): scan until both show, within a generous bound.
    let pids = [by_args.id(), by_cwd.id()].map(|id| format!("{id}:"));
    let start = std::time::Instant::now();
    let mut seen = processes_in(root);
    while !pids
        .iter()
        .all(|pid| seen.iter().any(|p| p.starts_with(pid)))
        && start.elapsed() < std::time::Duration::from_secs(30)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen = processes_in(root);
    }
    for (child, pid) in [&mut by_args, &mut by_cwd].into_iter().zip(&pids) {
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(seen.iter().any(|p| p.starts_with(pid)), "{pid} {seen:?}");
    }
    assert!(processes_in(root).is_empty(), "{:?}", processes_in(root));
    for _ in 0..2 {
        let (json, code, stderr) = search_json(root, &["zebraord"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(json.results[0].playbook.starts_with("da-gen-"), "{stderr}");
        assert!(!stderr.contains("skipped"), "{stderr}");
        let left = processes_in(root);
        assert!(left.is_empty(), "still running after the search: {left:?}");
    }
}

/// Whether a character must never reach a terminal: C0 controls but newline and tab, DEL,
/// C1 controls, bidi embeddings, overrides and isolates.
fn is_terminal_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A playbook title, step heading, step text, situation label, file name and logged query
/// full of escape sequences (clear screen, OSC 52 clipboard write, OSC 8 link, C1 CSI, bidi
/// override): what `search`, `show`, `check`, `situations` and `misses` print carries none
/// of them, on stdout or stderr.
#[cfg(unix)]
#[test]
fn escapes_in_playbooks_never_reach_the_terminal() {
    let tree = mini_tree();
    let root = tree.path();
    let da = root.join("playbooks/da");
    let osc52 = "\x1b]52;c;aGVsbG8=\x07";
    let text = std::fs::read_to_string(da.join("vrede.md")).unwrap();
    let hostile = text
        .replace(
            "title = \"Vrede klienter\"",
            "title = \"Vrede \\u001b[2J klienter \\u009b31m \\u202eklienter\"",
        )
        .replace(
            "Hold en pause, når",
            &format!("Hold en pause \x1b[2J{osc52}\u{9b}1m\u{202e}, når"),
        )
        .replace(
            "Tag om muligt en pause",
            "Tag \x1b]8;;http://evil.example/\x1b\\om muligt\x1b]8;;\x1b\\ en pause",
        );
    std::fs::write(da.join("vrede.md"), &hostile).unwrap();
    // The same playbook under a hostile file name, and a broken one (named in warnings).
    let copy = hostile.replace("id = \"da-mini\"", "id = \"da-escaped\"");
    std::fs::write(da.join("esc\x1b[2J\u{9b}1m\u{202e}.md"), copy).unwrap();
    std::fs::write(da.join(format!("broken{osc52}.md")), "no front matter\n").unwrap();
    let taxonomy = root.join("playbooks/situations.toml");
    let labels = std::fs::read_to_string(&taxonomy).unwrap().replacen(
        "label = \"Angry customer\"",
        "label = \"Angry \\u001b[31mcustomer\\u009b0m \\u2066x\\u2069\"",
        1,
    );
    std::fs::write(&taxonomy, labels).unwrap();
    let log = root.join("misses.jsonl");
    let runs: Vec<Vec<&str>> = vec![
        vec!["search", "Hold en pause"],
        vec!["search", "--long", "angry customer"],
        vec!["search", "--", "\x1b[2Jxyzzy\u{9b}31m\u{202e}plugh"],
        vec!["show", "da-mini"],
        vec!["show", "da-mini#take-a-break"],
        vec!["show", "da-escaped"],
        vec!["check"],
        vec!["situations"],
        vec!["misses"],
    ];
    for args in runs {
        let output = playbook(root)
            .env("PLAYBOOK_LOG_MISSES", &log)
            .args(&args)
            .timeout(std::time::Duration::from_secs(90))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.code().is_some(), "{args:?} hung: {stderr}");
        assert!(
            !stdout.trim().is_empty(),
            "{args:?} printed nothing: {stderr}"
        );
        for (name, printed) in [("stdout", &stdout), ("stderr", &stderr)] {
            let raw: Vec<char> = printed
                .chars()
                .filter(|&c| is_terminal_control(c))
                .collect();
            assert!(
                raw.is_empty(),
                "{args:?} {name} carries {raw:?}:\n{printed}"
            );
        }
    }
    // The escapes were there to be printed: each view shows where one was.
    let output = playbook(root).args(["show", "da-mini"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains('\u{FFFD}'));
}

/// Issue 16, finding 6: one mistake in `situations.toml` must not stop every search. Each
/// kind of mistake a trainer can make, with the situations read before (the last good ones
/// answer, "chefen" still resolves to the manager request) and on a tree that never had a
/// good one (words only); stderr says so once, and `check` reports the mistake.
#[test]
fn a_mistake_in_situations_toml_keeps_searches_answering() {
    let good = std::fs::read_to_string(
        crate::common::repo_root().join("tests/fixtures/mini/playbooks/situations.toml"),
    )
    .unwrap();
    let mistakes: Vec<(&str, String)> = vec![
        ("invalid TOML", format!("{good}\n[[situation]\n")),
        (
            "a duplicate key",
            good.replacen("id = ", "id = \"x\"\nid = ", 1),
        ),
        ("a missing label", good.replacen("label = ", "labelx = ", 1)),
        ("an unknown key", format!("{good}\ncolour = \"red\"\n")),
        ("a missing file", String::new()),
    ];
    for (what, broken) in &mistakes {
        for had_a_good_one in [true, false] {
            let tree = mini_tree();
            let taxonomy = tree.path().join("playbooks/situations.toml");
            if had_a_good_one {
                let (json, code, _) = search_json(tree.path(), &["chefen"]);
                assert_eq!(code, 0);
                assert_eq!(json.situations, ["manager-request"]);
            }
            if broken.is_empty() {
                std::fs::remove_file(&taxonomy).unwrap();
            } else {
                std::fs::write(&taxonomy, broken).unwrap();
            }
            let (json, code, stderr) = search_json(tree.path(), &["chefen"]);
            assert_eq!(code, 0, "{what}, good before: {had_a_good_one}: {stderr}");
            assert_eq!(json.results[0].step, "respect-manager-request", "{what}");
            assert_eq!(
                stderr.matches("situations.toml").count(),
                1,
                "{what}: said once, naming the file: {stderr}"
            );
            if had_a_good_one {
                assert_eq!(json.situations, ["manager-request"], "{what}: {stderr}");
                assert!(stderr.contains("as they last were"), "{what}: {stderr}");
            } else {
                assert!(json.situations.is_empty(), "{what}: {stderr}");
                assert!(stderr.contains("without situations"), "{what}: {stderr}");
            }
            let check = playbook(tree.path()).arg("check").output().unwrap();
            assert_ne!(check.status.code(), Some(0), "{what}: check reports it");
        }
    }
}

#[test]
fn options_after_the_query_are_options_and_a_dash_word_needs_double_dash() {
    let tree = mini_tree();
    // As typed in a hurry: the query first, then the options.
    let (json, code, stderr) = search_json(tree.path(), &["abusive", "caller", "--limit", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json.query, "abusive caller");
    assert_eq!(json.results.len(), 1);
    // A word that begins with `-` is refused with the way to pass it, not read as an option
    // or dropped.
    playbook(tree.path())
        .args(["search", "refund", "-50%"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'-5'").and(predicate::str::contains("-- -5")));
    let (json, code, _) = search_json(tree.path(), &["--", "refund", "-50%"]);
    assert!(code == 0 || code == 1, "{code}");
    assert_eq!(json.query, "refund -50%");
}

/// Thai SARA AM typed as two marks (NIKHAHIT then SARA AA, as some keyboards and fonts make
/// it) reads as the one letter, in a query and in a playbook. It used to fail every search
/// of two or more Thai words (their spans overlapped, and pairing them panicked), after
/// rebuilding the index for nothing; and a playbook with it could not be indexed.
#[test]
fn thai_sara_am_typed_as_two_marks_is_the_same_letter() {
    let tree = mini_tree();
    let split = "\u{0E4D}\u{0E32}";
    let path = tree.path().join("playbooks/th/mini.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("สามวันทำการ"));
    write(
        &path,
        text.replace("สามวันทำการ", &format!("สามวันท{split}การ")),
    );
    let indexed = playbook(tree.path()).args(["index"]).output().unwrap();
    assert!(
        indexed.status.success(),
        "{}",
        String::from_utf8_lossy(&indexed.stderr)
    );
    let composed = search_json(tree.path(), &["--", "คืนเงิน สามวันทำการ"]);
    let typed = format!("คืนเงิน สามวันท{split}การ");
    let two_marks = search_json(tree.path(), &["--", &typed]);
    for (answer, code, stderr) in [&composed, &two_marks] {
        assert_eq!(*code, 0, "{stderr}");
        assert!(stderr.is_empty(), "a notice (the index rebuilt?): {stderr}");
        assert_eq!(answer.results[0].step, "close-the-issue");
    }
    let steps = |answer: &crate::common::SearchJson| -> Vec<String> {
        answer.results.iter().map(|r| r.step.clone()).collect()
    };
    assert_eq!(steps(&composed.0), steps(&two_marks.0));
}

/// `show` takes an id as an agent pastes or types it: with spaces around it, in capitals;
/// nothing at all is a usage error that says what to give.
#[test]
fn show_takes_an_id_pasted_with_spaces_or_in_capitals() {
    let tree = mini_tree();
    let shown = |target: &str| {
        let out = playbook(tree.path())
            .args(["show", "--color", "never", "--", target])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{target}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = shown("da-mini#take-a-break");
    assert_eq!(shown("  da-mini#take-a-break \n"), plain);
    assert_eq!(shown("DA-MINI#TAKE-A-BREAK"), plain);
    for nothing in ["", "   "] {
        playbook(tree.path())
            .args(["show", "--", nothing])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("nothing to show: name a playbook"));
    }
    // A step that is not there is still not there, in any case.
    playbook(tree.path())
        .args(["show", "--", "DA-MINI#NO-SUCH-STEP"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("its steps are"));
}

/// `PATH:LINE` names a line the file has: its last line shows the last step, a line past
/// the end (a stale reference) or line 0 is refused with the file's range, not answered with
/// the last step.
#[test]
fn show_refuses_a_line_the_file_does_not_have() {
    let tree = mini_tree();
    let path = "playbooks/da/vrede.md";
    let lines = std::fs::read_to_string(tree.path().join(path))
        .unwrap()
        .lines()
        .count();
    playbook(tree.path())
        .args(["show", "--color", "never", &format!("{path}:{lines}")])
        .assert()
        .code(0);
    for line in [0, lines + 1, 99_999] {
        playbook(tree.path())
            .args(["show", &format!("{path}:{line}")])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "line {line} of {path} not found (the file has lines 1 to {lines})"
            )));
    }
}
