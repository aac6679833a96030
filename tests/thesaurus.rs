//! The thesaurus (`playbooks/thesaurus.toml`): a word no step says finds the steps that say
//! one of its group's words; `check` reports what the file has wrong at its line, and a
//! search warns and goes on without it.

use crate::common::{mini_tree, playbook, search_json, write};
use tempfile::TempDir;

/// A word no playbook of the mini tree says ("tænkepause", a breather).
const UNKNOWN: &str = "tænkepause";

fn with_thesaurus(text: &str) -> TempDir {
    let tree = mini_tree();
    write(&tree.path().join("playbooks/thesaurus.toml"), text);
    tree
}

fn first_step(tree: &TempDir, query: &str) -> Option<String> {
    let (json, _, stderr) = search_json(tree.path(), &["--", query]);
    assert!(!stderr.contains("warning"), "{stderr}");
    json.results.first().map(|r| r.step.clone())
}

#[test]
fn a_word_no_step_says_finds_the_steps_that_say_its_synonym() {
    let without = mini_tree();
    assert_ne!(
        first_step(&without, UNKNOWN).as_deref(),
        Some("take-a-break")
    );
    let tree = with_thesaurus("da = [[\"pause\", \"tænkepause\", \"slappe af\"]]\n");
    assert_eq!(first_step(&tree, UNKNOWN).as_deref(), Some("take-a-break"));
    // In any form: the Danish stem is looked up.
    assert_eq!(
        first_step(&tree, "tænkepausen").as_deref(),
        Some("take-a-break")
    );
}

#[test]
fn a_group_is_read_in_its_own_language_only() {
    // The same word in a Romanian group says nothing to a Danish step.
    let tree = with_thesaurus("ro = [[\"pause\", \"tænkepause\"]]\n");
    assert_ne!(first_step(&tree, UNKNOWN).as_deref(), Some("take-a-break"));
}

#[test]
fn check_reports_what_the_thesaurus_has_wrong_at_its_line() {
    let tree = with_thesaurus(
        "da = [\n  [\"pause\", \"tænkepause\"],\n  [\"alene\"],\n  [\"vred\", \"helt vildt sur nu\", \"sur\"],\n]\nxx = [[\"a\", \"b\"]]\n",
    );
    let output = playbook(tree.path()).arg("check").output().unwrap();
    let text =
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap();
    for expected in [
        "playbooks/thesaurus.toml:3:3: warning[W0524]",
        "playbooks/thesaurus.toml:4:12: warning[W0523]: the entry \"helt vildt sur nu\" is more than two words",
        "playbooks/thesaurus.toml:6:1: error[E0522]: `xx` is not a language: its group is left out",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    assert_eq!(output.status.code(), Some(1), "{text}");
}

#[test]
fn a_broken_thesaurus_is_a_warning_and_search_goes_on() {
    let tree = with_thesaurus("da = [[\"pause\", \"tænkepause\"]\n");
    let (json, code, stderr) = search_json(tree.path(), &["--", "hold en pause"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json.results[0].step, "take-a-break");
    assert!(
        stderr.contains("playbooks/thesaurus.toml:1:") && stderr.contains("E0521"),
        "{stderr}"
    );
    assert!(
        stderr.contains("searching without what the thesaurus cannot say"),
        "{stderr}"
    );
    // Fixed, the warning is gone and the thesaurus is used.
    write(
        &tree.path().join("playbooks/thesaurus.toml"),
        "da = [[\"pause\", \"tænkepause\"]]\n",
    );
    assert_eq!(first_step(&tree, UNKNOWN).as_deref(), Some("take-a-break"));
}
