//! A title the editors wrote (`**Title (added):**`) for a step that shares a heading of the
//! source with another: shown with "(added)" in full views, in the original and in each
//! translation, and said so in `--json`; a one-line row shows the title alone.

use crate::common::{playbook, repo_root};

/// The second half of the Persian article's "using legal remedies", in the shipped tree.
const RECORDS: &str = "fa-toxic-customers#keep-written-records";

fn show(args: &[&str]) -> String {
    let out = playbook(&repo_root())
        .args(["--color", "never", "show"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn show_heads_the_step_with_the_editors_title_in_every_reading_language() {
    for (lang, title) in [
        ("fa", "ارتباط مکتوب و ثبت سوابق (added)"),
        ("en", "Written communication and record-keeping (added)"),
        ("ro", "Comunicarea în scris și ținerea evidenței (added)"),
        ("th", "การสื่อสารเป็นลายลักษณ์อักษรและการเก็บบันทึกหลักฐาน (added)"),
        ("da", "Skriftlig kommunikation og dokumentation (added)"),
    ] {
        let text = show(&["--in", lang, RECORDS]);
        assert!(text.lines().any(|l| l.trim() == title), "{lang}: {text}");
        // The heading it shares with the legal-help step is not its title.
        assert!(!text.contains("Using legal remedies"), "{lang}: {text}");
    }
    // The step it was split from keeps the source's heading, unmarked.
    let legal = show(&["--in", "en", "fa-toxic-customers#use-legal-remedies"]);
    assert!(
        legal.lines().any(|l| l.trim() == "Using legal remedies"),
        "{legal}"
    );
    assert!(!legal.contains("Using legal remedies (added)"), "{legal}");
}

#[test]
fn json_says_which_title_is_editorial() {
    let text = show(&["--json", "--in", "da", RECORDS]);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["title"], "ارتباط مکتوب و ثبت سوابق");
    assert_eq!(value["title_added"], true);
    assert_eq!(
        value["shown"]["title"],
        "Skriftlig kommunikation og dokumentation"
    );
    assert_eq!(value["shown"]["title_added"], true);
    let legal = show(&["--json", "fa-toxic-customers#use-legal-remedies"]);
    let value: serde_json::Value = serde_json::from_str(&legal).unwrap();
    assert!(value.get("title_added").is_none(), "{legal}");
}
