//! A playbook's introduction (the text before its first heading) is searched as its own
//! entry, `PLAYBOOK#introduction`, with how agents ask for it: search finds it, `show` takes
//! the id and the `PATH:LINE` search prints, and `index` counts it.

use crate::common::{mini_tree, playbook, search_json, write};
use predicates::prelude::*;
use tempfile::TempDir;

const INTRO: &str = "Det første trin i håndteringen af en vred klient er at forblive rolig.\n";

/// The mini tree, its Danish introduction with how agents ask for it.
fn tree_with_introduction_asks() -> TempDir {
    let tree = mini_tree();
    let path = tree.path().join("playbooks/da/vrede.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(INTRO));
    let asks =
        "\n**Agents ask:**\n- har kunden altid ret\n- hvad gør jeg først med en vred kunde\n";
    write(&path, text.replace(INTRO, &format!("{INTRO}{asks}")));
    tree
}

#[test]
fn search_finds_an_introduction_by_how_agents_ask_for_it() {
    let tree = tree_with_introduction_asks();
    let (json, code, stderr) = search_json(tree.path(), &["har", "kunden", "altid", "ret"]);
    assert_eq!(code, 0, "{stderr}");
    let top = &json.results[0];
    assert_eq!(
        (top.playbook.as_str(), top.step.as_str()),
        ("da-mini", "introduction")
    );
    assert_eq!(top.title, "Indledning");
    assert_eq!(top.role, "background");
    assert_eq!(top.text, INTRO.trim_end());
    assert_eq!(top.asks.len(), 2);
    assert!(top.situations.is_empty() && top.phrases.is_empty());
    assert_eq!((top.path.as_str(), top.line), ("playbooks/da/vrede.md", 11));
}

#[test]
fn an_introduction_is_shown_as_what_the_playbook_is_about() {
    let tree = tree_with_introduction_asks();
    let human = playbook(tree.path())
        .args(["search", "--", "har kunden altid ret"])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.starts_with("1. [da] Indledning\n"), "{text}");
    assert!(text.contains("   da-mini#introduction"), "{text}");
    assert!(text.contains("About:   Det første trin"), "{text}");
    assert!(!text.contains("Do:"), "{text}");
}

#[test]
fn show_takes_the_introductions_id_and_its_lines() {
    let tree = tree_with_introduction_asks();
    for target in [
        "da-mini#introduction",
        "playbooks/da/vrede.md:11",
        "playbooks/da/vrede.md:14",
    ] {
        playbook(tree.path())
            .args(["show", target])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "[da] Vrede klienter\nIndledning\nAbout:\n",
            ))
            .stdout(predicate::str::contains("forblive rolig"))
            .stdout(predicate::str::contains("- har kunden altid ret"));
    }
    // Above the introduction (the front matter): the whole playbook, as before.
    playbook(tree.path())
        .args(["show", "playbooks/da/vrede.md:2"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Vrede klienter [da]"));
    // A wrong id lists the introduction among what there is.
    playbook(tree.path())
        .args(["show", "da-mini#indledning"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "its steps are: introduction, reprimand-rude-customer",
        ));
}

#[test]
fn index_counts_introductions_apart_from_steps() {
    let tree = tree_with_introduction_asks();
    playbook(tree.path())
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stderr(predicate::str::contains("5 step(s) and 1 introduction(s)"));
}

#[test]
fn a_translated_introduction_goes_stale_when_the_original_changes() {
    let tree = crate::common::shipped_tree();
    let query = [
        "--in",
        "en",
        "--limit",
        "10",
        "--",
        "angry disappointed callers basics",
    ];
    let english_introduction = |json: &crate::common::SearchJson| {
        json.results
            .iter()
            .find(|r| r.playbook == "da-vrede-klienter" && r.step == "introduction")
            .map(|r| (r.shown.translated, r.shown.stale))
    };
    let (json, code, stderr) = search_json(tree.path(), &query);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(english_introduction(&json), Some((true, false)));

    // An editor changes the Danish original's introduction: the English one is now stale.
    let path = tree.path().join("playbooks/da/vrede-klienter.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let old = "Det første trin i håndteringen af en vred klient er at forblive rolig.";
    assert!(text.contains(old));
    write(
        &path,
        text.replace(old, "Det første trin er altid at forblive rolig."),
    );
    let (json, _, stderr) = search_json(tree.path(), &query);
    assert_eq!(english_introduction(&json), Some((true, true)), "{stderr}");
    let check = playbook(tree.path()).arg("check").output().unwrap();
    let report =
        String::from_utf8(check.stdout).unwrap() + &String::from_utf8(check.stderr).unwrap();
    assert!(
        report.contains(
            "playbooks/en/da-vrede-klienter.md:9:1: warning[W0703]: the introduction is stale"
        ),
        "{report}"
    );
}
