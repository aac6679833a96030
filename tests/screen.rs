//! One screen: `playbook search --color never QUERY` on the shipped playbooks fits the
//! terminal (80×24 and 120×40), for queries in all five languages, checked by golden files.

use crate::common::{playbook, shipped_tree};
use unicode_width::UnicodeWidthChar;

/// A query an agent would type, in each reading language.
const QUERIES: &[(&str, &str)] = &[
    ("en", "customer is swearing at me"),
    ("fa", "مشتری عصبانی است"),
    ("ro", "clientul vrea banii înapoi"),
    ("th", "ลูกค้าขอคุยกับหัวหน้า"),
    ("da", "kunden truer med en advokat"),
    // Persian typed in Latin letters: one more row says how it was read.
    ("fa_latin", "moshtari fohsh mide"),
    // Answered by a playbook's introduction: what it says is "About", not a step to take.
    ("en_introduction", "is the customer always right?"),
    // Its answer wraps Persian lines with lam-alef pairs ("بالا") at the edge.
    ("fa_lam_alef", "کنترل لحن صدا"),
];

/// The cells a terminal gives `line`: each character's own width, as the cursor advances
/// (a lam-alef, which `unicode-width` measures as one column in a whole string, takes two).
fn terminal_cells(line: &str) -> usize {
    line.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The search's human output at `columns`×`rows`, after checking that it fits.
fn screen(root: &std::path::Path, query: &str, columns: usize, rows: usize) -> String {
    let output = playbook(root)
        .env("COLUMNS", columns.to_string())
        .env("LINES", rows.to_string())
        .args(["--color", "never", "search", "--", query])
        .output()
        .unwrap();
    assert!(output.status.success(), "{query}: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() <= rows,
        "{query} at {columns}x{rows}: {} lines\n{text}",
        lines.len()
    );
    for line in &lines {
        assert!(
            terminal_cells(line) <= columns,
            "{query} at {columns}x{rows}: a line of {} columns: {line}",
            terminal_cells(line)
        );
    }
    text
}

#[test]
fn every_language_fits_80x24_and_120x40() {
    let tree = shipped_tree();
    for (lang, query) in QUERIES {
        for (columns, rows) in [(80, 24), (120, 40)] {
            let text = screen(tree.path(), query, columns, rows);
            insta::assert_snapshot!(format!("{lang}_{columns}x{rows}"), text, query);
        }
    }
}

/// A query that finds nothing is said back to the agent: typed without spaces, or very long,
/// it is cut and wrapped to the terminal, not printed as one line past its edge.
#[test]
fn a_long_query_that_finds_nothing_fits_the_terminal() {
    let tree = shipped_tree();
    let unbroken = "qwzxqwzxqwzx".repeat(30);
    let long = "zqxw vbnq ".repeat(60);
    for query in [unbroken.as_str(), long.as_str()] {
        let output = playbook(tree.path())
            .env("COLUMNS", "80")
            .env("LINES", "24")
            .args(["--color", "never", "search", "--", query])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with("No steps found for"), "{text}");
        assert!(text.lines().count() <= 5, "{text}");
        for line in text.lines() {
            assert!(
                terminal_cells(line) <= 80,
                "a line of {}: {line}",
                terminal_cells(line)
            );
        }
    }
}
