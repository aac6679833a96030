//! Integration tests for translations: `playbook check`'s E07xx/W07xx diagnostics,
//! `playbook translations` (the matrix, human and JSON) and `--stamp`, on temporary copies of
//! the shipped playbooks, with the real binary.

use crate::common::{playbook, repo_root, shipped_tree, write};
use serde::Deserialize;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// What the binary prints.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckJson {
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Diag>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Diag {
    path: String,
    line: usize,
    col: usize,
    severity: String,
    code: String,
    message: String,
    #[serde(default)]
    hint: Option<String>,
}

impl CheckJson {
    /// The diagnostic with this code at this path:line (column 1); panics with the list.
    fn find(&self, code: &str, path: &str, line: usize) -> &Diag {
        self.diagnostics
            .iter()
            .find(|d| d.code == code && d.path == path && d.line == line && d.col == 1)
            .unwrap_or_else(|| panic!("expected {code} at {path}:{line}; got:\n{}", self.listing()))
    }

    fn with_code(&self, code: &str) -> Vec<&Diag> {
        self.diagnostics.iter().filter(|d| d.code == code).collect()
    }

    /// Diagnostics about translations (E07xx, W07xx).
    fn translation_codes(&self) -> Vec<&Diag> {
        self.diagnostics
            .iter()
            .filter(|d| d.code[1..].starts_with("07"))
            .collect()
    }

    fn listing(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| {
                format!(
                    "  {}:{}: {}[{}]: {}",
                    d.path, d.line, d.severity, d.code, d.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `playbook translations --json`, as docs/playbook-format.md documents it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixJson {
    languages: Vec<String>,
    totals: Counts,
    playbooks: Vec<RowJson>,
    ignored: Vec<IgnoredJson>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Counts {
    steps: usize,
    complete: usize,
    stale: usize,
    unstamped: usize,
    missing: usize,
    not_reviewed: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowJson {
    id: String,
    lang: String,
    title: String,
    path: String,
    steps: usize,
    counts: Counts,
    translations: Vec<CellJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CellJson {
    lang: String,
    path: Option<String>,
    translator: Option<String>,
    reviewed: Option<String>,
    reviewer: Option<String>,
    counts: Counts,
    steps: Vec<StepJson>,
    extra_steps: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepJson {
    id: String,
    status: String,
    line: Option<usize>,
    original_line: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoredJson {
    path: String,
    translation_of: String,
    lang: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StampJson {
    stamped: Vec<StampReportJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StampReportJson {
    path: String,
    translation_of: String,
    lang: String,
    written: bool,
    added: usize,
    updated: usize,
    current: usize,
    steps: Vec<StampedStepJson>,
    missing: Vec<String>,
    unknown: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StampedStepJson {
    id: String,
    line: usize,
    fingerprint: String,
    action: String,
}

impl MatrixJson {
    fn cell(&self, playbook: &str, lang: &str) -> &CellJson {
        self.playbooks
            .iter()
            .find(|r| r.id == playbook)
            .unwrap_or_else(|| panic!("no row {playbook}"))
            .translations
            .iter()
            .find(|c| c.lang == lang)
            .unwrap_or_else(|| panic!("no {lang} cell for {playbook}"))
    }
}

impl CellJson {
    fn with_status(&self, status: &str) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|s| s.status == status)
            .map(|s| s.id.as_str())
            .collect()
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[&str]) -> Run {
    let output = playbook(root).args(args).output().unwrap();
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn check_json(root: &Path) -> (i32, CheckJson) {
    let r = run(root, &["check", "--format", "json"]);
    let parsed = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not the check JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, parsed)
}

fn matrix_json(root: &Path) -> (i32, MatrixJson) {
    let r = run(root, &["translations", "--json"]);
    let parsed = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "not the translations JSON ({e}): {}\n{}",
            r.stdout, r.stderr
        )
    });
    (r.code, parsed)
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"))
        + 1
}

const DA_ORIGINAL: &str = "playbooks/da/vrede-klienter.md";
const EN_DA: &str = "playbooks/en/da-vrede-klienter.md";
const TRANSLATIONS_OF_DA: [&str; 4] = [
    "playbooks/en/da-vrede-klienter.md",
    "playbooks/fa/da-vrede-klienter.md",
    "playbooks/ro/da-vrede-klienter.md",
    "playbooks/th/da-vrede-klienter.md",
];

// ---------------------------------------------------------------------------------------------
// The shipped tree.
// ---------------------------------------------------------------------------------------------

#[test]
fn shipped_translations_are_all_complete_and_check_is_clean_of_them() {
    let root = repo_root();
    let (code, m) = matrix_json(&root);
    assert_eq!(code, 0, "{:?}", m.totals);
    assert_eq!(m.languages, ["en", "fa", "ro", "th", "da"]);
    assert_eq!(
        m.totals,
        Counts {
            steps: 272,
            complete: 272,
            stale: 0,
            unstamped: 0,
            missing: 0,
            not_reviewed: 272
        }
    );
    assert_eq!(m.playbooks.len(), 5);
    assert!(m.ignored.is_empty());
    for row in &m.playbooks {
        assert_eq!(row.translations.len(), 4, "{}", row.id);
        assert!(row.translations.iter().all(|c| c.lang != row.lang));
        for cell in &row.translations {
            let path = cell.path.as_deref().expect("a file for every cell");
            assert_eq!(path, format!("playbooks/{}/{}.md", cell.lang, row.id));
            assert_eq!(cell.counts.complete, row.steps, "{path}");
            assert_eq!(cell.reviewed, None, "editorial: not reviewed");
            assert_eq!(cell.reviewer, None);
            assert!(cell.translator.is_some());
            assert!(cell.extra_steps.is_empty());
        }
    }

    let (code, report) = check_json(&root);
    assert_eq!(report.errors, 0, "{}", report.listing());
    assert_eq!(report.warnings, report.with_code("W0601").len());
    assert_eq!(code, 0);
    assert!(
        report.translation_codes().is_empty(),
        "{}",
        report.listing()
    );
    assert!(report.with_code("W0106").is_empty(), "{}", report.listing());
}

#[test]
fn the_human_table_has_a_row_per_playbook_and_a_column_per_language() {
    let r = run(&repo_root(), &["translations"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["playbook", "from", "en", "fa", "ro", "th", "da"]);
    let row = lines
        .iter()
        .find(|l| l.starts_with("da-vrede-klienter "))
        .expect("a row for da-vrede-klienter");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "da-vrede-klienter",
            "da",
            "16/16*",
            "16/16*",
            "16/16*",
            "16/16*",
            "orig"
        ]
    );
    assert!(
        r.stdout.contains(
            "272 step translation(s): 272 complete, 0 stale, 0 unstamped, 0 missing; 272 not reviewed"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("to do:"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Stale steps and stamping.
// ---------------------------------------------------------------------------------------------

#[test]
fn editing_an_original_step_makes_only_that_step_stale_and_stamp_makes_it_complete() {
    let tree = shipped_tree();
    let root = tree.path();
    let original = read(root, DA_ORIGINAL);
    let old = "Giv klienten mulighed for at forklare problemet fuldstændigt";
    assert!(original.contains(old));
    write(
        &root.join(DA_ORIGINAL),
        original.replace(old, "Giv klienten god tid til at forklare hele problemet"),
    );

    let (code, m) = matrix_json(root);
    assert_eq!(code, 1, "stale steps: exit 1");
    assert_eq!(m.totals.stale, 4);
    assert_eq!(m.totals.complete, 268);
    for lang in ["en", "fa", "ro", "th"] {
        let cell = m.cell("da-vrede-klienter", lang);
        assert_eq!(cell.with_status("stale"), ["let-customer-vent"], "{lang}");
        assert_eq!(cell.counts.complete, 15, "{lang}");
    }

    // `check` names the step, the original's path:line, and how to see what changed.
    let (code, report) = check_json(root);
    assert_eq!(code, 0, "stale is a warning:\n{}", report.listing());
    assert_eq!(report.with_code("W0703").len(), 4, "{}", report.listing());
    let original_line = line_of(&original, "{#let-customer-vent}");
    let next_line = line_of(&original, "{#dont-take-it-personally}");
    for path in TRANSLATIONS_OF_DA {
        let text = read(root, path);
        let d = report.find("W0703", path, line_of(&text, "{#let-customer-vent}"));
        assert_eq!(d.severity, "warning");
        assert!(d.message.contains("`let-customer-vent`"), "{d:?}");
        assert!(
            d.message
                .contains(&format!("{DA_ORIGINAL}:{original_line}")),
            "{d:?}"
        );
        let hint = d.hint.as_deref().unwrap();
        assert!(
            hint.contains(&format!(
                "git log -p -L{original_line},+{}:{DA_ORIGINAL}",
                next_line - original_line
            )),
            "{hint}"
        );
        assert!(
            hint.contains(&format!("git log -p -- {DA_ORIGINAL}")),
            "{hint}"
        );
        assert!(
            hint.contains(&format!("playbook translations --stamp {path}")),
            "{hint}"
        );
    }

    // Stamping the English translation makes it complete, and only it.
    let before = read(root, EN_DA);
    let r = run(root, &["translations", "--stamp", EN_DA]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "{EN_DA}: stamped 16 step(s): 0 marker(s) added, 1 updated, 15 already current"
        )),
        "{}",
        r.stdout
    );
    let after = read(root, EN_DA);
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].0.starts_with("<!-- original: "), "{changed:?}");
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(before.len(), after.len(), "only the hash changed");

    let (code, m) = matrix_json(root);
    assert_eq!(code, 1);
    assert!(m.cell("da-vrede-klienter", "en").counts.complete == 16);
    assert_eq!(m.totals.stale, 3);

    // Stamping again writes nothing.
    let r = run(root, &["translations", "--stamp", EN_DA, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stamped: StampJson = serde_json::from_str(&r.stdout).unwrap();
    let report = &stamped.stamped[0];
    assert_eq!(report.path, EN_DA);
    assert_eq!(report.translation_of, "da-vrede-klienter");
    assert_eq!(report.lang, "en");
    assert!(!report.written);
    assert_eq!((report.added, report.updated, report.current), (0, 0, 16));
    assert!(report.steps.iter().all(|s| s.action == "current"));
    assert!(report.steps.iter().all(|s| s.fingerprint.len() == 16));
    assert!(report.steps.iter().all(|s| s.line > 1 && !s.id.is_empty()));
    assert!(report.missing.is_empty() && report.unknown.is_empty());

    // The three others at once.
    let r = run(
        root,
        &[
            "translations",
            "--stamp",
            TRANSLATIONS_OF_DA[1],
            TRANSLATIONS_OF_DA[2],
            "--stamp",
            TRANSLATIONS_OF_DA[3],
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    let (code, m) = matrix_json(root);
    assert_eq!(code, 0);
    assert_eq!(m.totals.complete, 272);
    let (_, report) = check_json(root);
    assert!(
        report.translation_codes().is_empty(),
        "{}",
        report.listing()
    );
}

#[test]
fn stamp_adds_markers_to_an_unstamped_translation_and_lists_missing_steps() {
    let tree = shipped_tree();
    let root = tree.path();
    // No markers, and the last step not translated yet.
    let text = read(root, EN_DA);
    let unstamped: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("<!-- original:"))
        .collect();
    let cut = unstamped
        .find("## Step 5. Take a break")
        .expect("the last step");
    let unstamped = &unstamped[..cut];
    write(&root.join(EN_DA), unstamped);

    let (code, m) = matrix_json(root);
    assert_eq!(code, 1);
    let cell = m.cell("da-vrede-klienter", "en");
    // Its fourteen steps and its introduction.
    assert_eq!(cell.counts.unstamped, 15);
    assert_eq!(cell.with_status("missing"), ["take-a-break"]);
    let missing = cell.steps.iter().find(|s| s.id == "take-a-break").unwrap();
    assert_eq!(missing.line, None);
    assert_eq!(
        missing.original_line,
        line_of(&read(root, DA_ORIGINAL), "{#take-a-break}")
    );
    let (_, report) = check_json(root);
    assert_eq!(report.with_code("W0708").len(), 15, "{}", report.listing());
    let first = report.find(
        "W0708",
        EN_DA,
        line_of(unstamped, "{#dont-react-impulsively}"),
    );
    assert!(
        first
            .hint
            .as_deref()
            .unwrap()
            .contains(&format!("playbook translations --stamp {EN_DA}")),
        "{first:?}"
    );

    let r = run(root, &["translations", "--stamp", EN_DA]);
    assert_eq!(r.code, 1, "a step is still missing: exit 1\n{}", r.stdout);
    assert!(
        r.stdout
            .contains("stamped 15 step(s): 15 marker(s) added, 0 updated, 0 already current"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("not translated yet, nothing to stamp: take-a-break"),
        "{}",
        r.stdout
    );
    // Markers sit on the line right after each heading, and on the line above the
    // introduction; the rest is as it was.
    let stamped = read(root, EN_DA);
    let lines: Vec<&str> = stamped.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("## ") {
            assert!(lines[i + 1].starts_with("<!-- original: "), "{line}");
        }
    }
    let introduction = lines
        .iter()
        .position(|l| l.starts_with("If you work in customer service"))
        .expect("the introduction");
    assert!(lines[introduction - 1].starts_with("<!-- original: "));
    let without: String = stamped
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("<!-- original:"))
        .collect();
    assert_eq!(without, unstamped);
    let (_, m) = matrix_json(root);
    assert_eq!(m.cell("da-vrede-klienter", "en").counts.complete, 15);
}

#[test]
fn stamp_refuses_what_it_cannot_stamp_and_then_writes_nothing() {
    let tree = shipped_tree();
    let root = tree.path();
    let unstamped: String = read(root, EN_DA)
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("<!-- original:"))
        .collect();
    write(&root.join(EN_DA), &unstamped);

    // An original.
    let r = run(root, &["translations", "--stamp", EN_DA, DA_ORIGINAL]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not a translation"), "{}", r.stderr);
    assert!(r.stderr.contains(DA_ORIGINAL), "{}", r.stderr);
    assert_eq!(read(root, EN_DA), unstamped, "nothing written");

    // A translation of a playbook that does not exist.
    let orphan = "playbooks/en/da-vrede.md";
    write(
        &root.join(orphan),
        unstamped.replace(
            "translation_of = \"da-vrede-klienter\"",
            "translation_of = \"da-vrede\"",
        ),
    );
    let r = run(root, &["translations", "--stamp", orphan]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("its original `da-vrede` (translation_of) was not found"),
        "{}",
        r.stderr
    );
    assert!(!read(root, orphan).contains("<!-- original:"));

    // A file that does not exist.
    let r = run(
        root,
        &["translations", "--stamp", "playbooks/en/nothing.md"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("nothing.md"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// `check`: every translation diagnostic at its file and line.
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_original_and_unknown_step_id() {
    let tree = shipped_tree();
    let root = tree.path();
    // E0701: a typo in translation_of.
    let text = read(root, EN_DA);
    std::fs::remove_file(root.join(EN_DA)).unwrap();
    let typo = "playbooks/en/da-vrede-klientr.md";
    write(
        &root.join(typo),
        text.replace("\"da-vrede-klienter\"", "\"da-vrede-klientr\""),
    );
    // E0702 and W0704: a renamed step id in the Persian translation.
    let fa = "playbooks/fa/da-vrede-klienter.md";
    let fa_text = read(root, fa).replace("{#show-sympathy}", "{#show-simpathy}");
    write(&root.join(fa), &fa_text);

    let (code, report) = check_json(root);
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find("E0701", typo, line_of(&text, "translation_of"));
    assert_eq!(d.severity, "error");
    assert!(d.message.contains("`da-vrede-klientr`"), "{d:?}");
    assert!(
        d.hint.as_deref().unwrap().contains("\"da-vrede-klienter\""),
        "{d:?}"
    );
    // With the English file gone, the original has no English translation.
    let w = report.find("W0711", DA_ORIGINAL, 2);
    assert!(w.message.contains("English (en)"), "{w:?}");
    assert_eq!(report.with_code("W0711").len(), 1, "{}", report.listing());

    let d = report.find("E0702", fa, line_of(&fa_text, "{#show-simpathy}"));
    assert!(d.message.contains("`show-simpathy`"), "{d:?}");
    assert!(
        d.hint
            .as_deref()
            .unwrap()
            .contains("did you mean `{#show-sympathy}`?"),
        "{d:?}"
    );
    let w = report.find("W0704", fa, line_of(&fa_text, "title ="));
    assert!(w.message.contains("`show-sympathy`"), "{w:?}");
    assert_eq!(report.errors, 2, "{}", report.listing());
}

#[test]
fn wrong_folder_wrong_name_duplicate_and_own_language() {
    let tree = shipped_tree();
    let root = tree.path();
    let en = read(root, EN_DA);
    // E0706: the English translation moved into the Romanian folder (as well as W0106's
    // place: W0106 is for originals).
    std::fs::remove_file(root.join(EN_DA)).unwrap();
    let moved = "playbooks/ro/en-da-vrede-klienter.md";
    write(&root.join(moved), &en);
    // W0707 and E0709: a second Thai translation, under another name.
    let second = "playbooks/th/zz-vrede.md";
    write(
        &root.join(second),
        read(root, "playbooks/th/da-vrede-klienter.md"),
    );
    // E0710: a "translation" into Danish of a Danish original.
    let own = "playbooks/da/da-vrede-klienter.md";
    let own_text = en.replace("lang = \"en\"", "lang = \"da\"");
    write(&root.join(own), &own_text);

    let (code, report) = check_json(root);
    assert_eq!(code, 1, "{}", report.listing());
    let lang_line = line_of(&en, "lang =");
    let d = report.find("E0706", moved, lang_line);
    assert!(d.message.contains("`ro/`"), "{d:?}");
    assert!(
        d.hint.as_deref().unwrap().contains(EN_DA),
        "the hint names where it belongs: {d:?}"
    );
    assert!(report.with_code("W0106").is_empty(), "{}", report.listing());
    let d = report.find("W0707", second, line_of(&en, "translation_of"));
    assert!(
        d.hint
            .as_deref()
            .unwrap()
            .contains("playbooks/th/da-vrede-klienter.md"),
        "{d:?}"
    );
    let d = report.find("E0709", second, line_of(&en, "translation_of"));
    assert!(
        d.message
            .contains("playbooks/th/da-vrede-klienter.md is the first"),
        "{d:?}"
    );
    let d = report.find("E0710", own, line_of(&own_text, "lang ="));
    assert!(d.message.contains("own language"), "{d:?}");
    assert_eq!(report.errors, 3, "{}", report.listing());

    // The table leaves the duplicate and the own-language file out, and says so.
    let (code, m) = matrix_json(root);
    assert_eq!(code, 1);
    let reasons: Vec<(&str, &str)> = m
        .ignored
        .iter()
        .map(|f| (f.path.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(reasons, [(own, "own-language"), (second, "duplicate")]);
    assert!(
        m.ignored
            .iter()
            .all(|f| f.translation_of == "da-vrede-klienter")
    );
    assert_eq!(m.ignored[0].lang, "da");
    assert_eq!(
        m.cell("da-vrede-klienter", "en").path.as_deref(),
        Some(moved)
    );
}

#[test]
fn different_phrase_and_list_counts_and_unstamped_steps() {
    let tree = shipped_tree();
    let root = tree.path();
    let ro = "playbooks/ro/da-vrede-klienter.md";
    let text = read(root, ro);
    // Find the marker under `give-short-verbal-feedback` and drop it (W0708); add a `Say`
    // phrase to it (W0705).
    let heading = line_of(&text, "{#give-short-verbal-feedback}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[heading].starts_with("<!-- original:"));
    let say = (heading..lines.len())
        .find(|&i| lines[i] == "**Say:**")
        .expect("the step's Say list");
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited.insert(say + 1, "- Mai sunteți acolo?".to_string());
    edited.remove(heading);
    let edited = edited.join("\n") + "\n";
    write(&root.join(ro), &edited);

    let (code, report) = check_json(root);
    assert_eq!(code, 0, "{}", report.listing());
    let step_line = line_of(&edited, "{#give-short-verbal-feedback}");
    report.find("W0708", ro, step_line);
    let d = report.find("W0705", ro, step_line);
    assert!(
        d.message.contains("4 `Say` phrases, the original 3"),
        "{d:?}"
    );
    assert!(d.hint.as_deref().unwrap().contains(DA_ORIGINAL), "{d:?}");
    assert_eq!(report.translation_codes().len(), 2, "{}", report.listing());

    // A guidance list item dropped from another step.
    let fa = "playbooks/fa/da-vrede-klienter.md";
    let fa_text = read(root, fa);
    let heading = line_of(&fa_text, "{#dont-react-impulsively}");
    let item = fa_text
        .lines()
        .skip(heading)
        .find(|l| l.starts_with("- "))
        .unwrap()
        .to_string();
    let fa_edited = fa_text.replacen(&format!("{item}\n"), "", 1);
    write(&root.join(fa), &fa_edited);
    let (_, report) = check_json(root);
    let d = report.find("W0705", fa, heading);
    assert!(
        d.message.contains("1 guidance list item, the original 2"),
        "{d:?}"
    );

    // An editorial title left untranslated: the step would show the heading it shares.
    let da = "playbooks/da/fa-toxic-customers.md";
    let da_text = read(root, da);
    let title = "**Title (added):** Skriftlig kommunikation og dokumentation\n\n";
    assert!(da_text.contains(title));
    write(&root.join(da), da_text.replace(title, ""));
    let (_, report) = check_json(root);
    let step_line = line_of(&read(root, da), "{#keep-written-records}");
    let d = report.find("W0705", da, step_line);
    assert!(
        d.message.contains("no `Title (added)`, the original one"),
        "{d:?}"
    );
}

#[test]
fn situations_in_a_translation_is_an_error() {
    let tree = shipped_tree();
    let root = tree.path();
    let th = "playbooks/th/da-vrede-klienter.md";
    let text = read(root, th);
    let heading = line_of(&text, "{#let-customer-vent}");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(heading + 1, "");
    lines.insert(heading + 2, "**Situations:** angry-customer");
    let edited = lines.join("\n") + "\n";
    write(&root.join(th), &edited);
    let (code, report) = check_json(root);
    assert_eq!(code, 1, "{}", report.listing());
    let d = report.find("E0309", th, line_of(&edited, "**Situations:**"));
    assert!(d.message.contains("Situations"), "{d:?}");
    // The step is still paired and current.
    assert!(
        report.translation_codes().is_empty(),
        "{}",
        report.listing()
    );
}

#[test]
fn a_missing_translation_file_is_a_gap_once_per_language() {
    let tree = shipped_tree();
    let root = tree.path();
    std::fs::remove_file(root.join("playbooks/th/da-vrede-klienter.md")).unwrap();
    std::fs::remove_file(root.join("playbooks/fa/da-vrede-klienter.md")).unwrap();
    let (code, report) = check_json(root);
    assert_eq!(code, 0, "{}", report.listing());
    let gaps = report.with_code("W0711");
    assert_eq!(gaps.len(), 2, "{}", report.listing());
    assert!(gaps.iter().all(|d| d.path == DA_ORIGINAL && d.line == 2));
    assert!(gaps.iter().any(|d| d.message.contains("Thai (th)")));
    assert!(gaps.iter().any(|d| d.message.contains("Persian (fa)")));
    assert!(
        gaps[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("translation_of = \"da-vrede-klienter\""),
        "{:?}",
        gaps[0]
    );
    // No per-step warnings for a file that does not exist.
    assert!(report.with_code("W0704").is_empty());

    let (code, m) = matrix_json(root);
    assert_eq!(code, 1);
    let cell = m.cell("da-vrede-klienter", "th");
    assert_eq!(cell.path, None);
    assert_eq!(cell.counts.missing, 16);
    assert_eq!(cell.counts.not_reviewed, 0);
    assert!(
        cell.steps
            .iter()
            .all(|s| s.status == "missing" && s.line.is_none())
    );
    let human = run(root, &["translations"]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains(
            "da-vrede-klienter → th: no translation file (16 step(s)): playbooks/th/da-vrede-klienter.md"
        ),
        "{}",
        human.stdout
    );
}

#[test]
fn a_tree_without_translations_has_no_translation_warnings() {
    let tree = shipped_tree();
    let root = tree.path();
    for entry in walkdir::WalkDir::new(root.join("playbooks")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && std::fs::read_to_string(entry.path())
                .unwrap()
                .contains("translation_of")
        {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let (_, report) = check_json(root);
    assert_eq!(report.files, 5);
    assert!(
        report.translation_codes().is_empty(),
        "{}",
        report.listing()
    );
    // The table still shows what is left to translate.
    let (code, m) = matrix_json(root);
    assert_eq!(code, 1);
    assert_eq!(m.totals.missing, 272);
    assert!(m.playbooks.iter().all(|r| r.counts.missing == r.steps * 4));
    assert!(
        m.playbooks
            .iter()
            .all(|r| !r.title.is_empty() && r.path.ends_with(".md"))
    );
}

#[test]
fn the_command_is_in_the_man_page_and_completions() {
    let dir = tempfile::TempDir::new().unwrap();
    let man = run(dir.path(), &["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".SH \"PLAYBOOK TRANSLATIONS\""));
    assert!(man.stdout.contains("\\-\\-stamp"));
    let bash = run(dir.path(), &["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert!(bash.stdout.contains("translations"));
    assert!(bash.stdout.contains("--stamp"));
}
