//! Hostile input (issue 6): property tests over the playbook parser, the taxonomy parser,
//! every analyzer, line wrapping and the whole query path. Whatever comes in, nothing panics,
//! diagnostics point at real lines, and a search answers with at most `limit` results.
//!
//! The long-running counterpart is the `cargo fuzz` targets in `fuzz/` (docs/fuzzing.md).

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use playbook::analysis::Analyzer;
use playbook::corpus::{Repo, load_taxonomy};
use playbook::engine::Engine;
use playbook::model::Lang;
use playbook::parser::{Parsed, parse_playbook};
use playbook::render::text::display_width;
use playbook::render::{Layout, Style, printable, search_human, search_json, wrap};
use playbook::search::SearchRequest;
use playbook::taxonomy::parse_taxonomy;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use tempfile::TempDir;
use unicode_segmentation::UnicodeSegmentation;

/// `default` cases per property, or `PROPTEST_CASES` when set (for a longer hunt:
/// `PROPTEST_CASES=20000 cargo test --release --test tests -- properties::`).
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        // A failing case is saved beside this file, in `properties.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/// Text in the four playbook languages, Markdown punctuation, and awkward characters.
const FRAGMENTS: &[&str] = &[
    // Persian (with ZWNJ, Arabic-script variants, Persian digits, guillemets)
    "آرامش خود را حفظ کنید",
    "مشتری\u{200c}ها",
    "می\u{200c}خواهم پولم را پس بگیرم",
    "«متوجه ناراحتی شما هستم.»",
    "ك ي ۱۲۳ ٣",
    "حالت تدافعی شما موجب افزایش تنش می شود.",
    // Thai (no spaces between words, combining vowels and tone marks)
    "ฟังอย่างตั้งใจ",
    "ลูกค้าที่ไม่มีความสุขต้องการให้คุณฟัง",
    "ขอโทษค่ะ",
    "ลูกค้าขอเงินคืน",
    // Danish
    "Hvis du arbejder i kundeservice",
    "uhøflige kunder",
    "Sådan håndterer du vrede klienter",
    "ÆØÅ æøå",
    // Romanian (precomposed, cedilla and decomposed comma-below forms)
    "Cum să gestionezi clienții furioși",
    "ș ț ă î â ş ţ",
    "s\u{0326}t\u{0326}a\u{0306}",
    "„cum să”",
    // Markdown and TOML punctuation
    "**bold**",
    "*",
    "_",
    "`code`",
    "[link](x)",
    "<!-- c -->",
    "<div>",
    "{#",
    "}",
    "\\",
    "|",
    "~~",
    "[^1]",
    "$x$",
    "&amp;",
    ":",
    "+++",
    "---",
    "```",
    "\"",
    "'",
    "=",
    // Emoji, marks, bidi controls, BOM, tabs, bare CR
    "😀",
    "👨\u{200d}👩\u{200d}👧",
    "\u{200f}",
    "\u{202e}",
    "\u{0301}",
    "\u{feff}",
    "\t",
    "\r",
];

/// Single characters and short sequences that often break text handling.
const SPECIAL: &[&str] = &[
    "\u{0301}",
    "\u{0308}",
    "\u{0326}",
    "\u{0327}",
    "\u{064b}",
    "\u{0670}",
    "\u{0e31}",
    "\u{0e48}",
    "\u{0e4c}",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{200e}",
    "\u{200f}",
    "\u{202a}",
    "\u{202b}",
    "\u{202e}",
    "\u{2066}",
    "\u{2069}",
    "\u{feff}",
    "\u{0640}",
    "😀",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧",
    "🇩🇰",
    "❤\u{fe0f}",
    "İ",
    "ß",
    "ẞ",
    "ﬁ",
    "\u{212b}",
    "Σ",
    "ǅ",
    "Ａ",
    "ي",
    "ك",
    "ی",
    "ک",
    "ۀ",
    "ة",
    "۱۲",
    "٣",
    "ฯ",
    "ๆ",
    "ำ",
    "\u{0E4D}\u{0E32}",
    "ท\u{0E4D}\u{0E32}",
    "æ",
    "ø",
    "å",
    "aa",
    "oe",
    "ae",
    "ș",
    "ş",
    "ț",
    "ţ",
    "ă",
    "â",
    "î",
    " ",
    "-",
    "'",
    "\u{2019}",
    "\n",
    "\t",
    "0",
    "9",
];

/// Arbitrary Unicode, and strings dense in the characters above.
fn unicode_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => select(SPECIAL).prop_map(str::to_string),
        2 => select(FRAGMENTS).prop_map(str::to_string),
        2 => any::<char>().prop_map(String::from),
        2 => "[a-zA-Z]{1,8}",
    ];
    prop_oneof![
        1 => any::<String>(),
        3 => vec(piece, 0..40).prop_map(|v| v.concat()),
    ]
}

/// A short run of words: language fragments, plain ASCII words and arbitrary text.
fn inline_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        3 => select(FRAGMENTS).prop_map(str::to_string),
        2 => "[a-zA-Z0-9]{1,10}",
        1 => select(SPECIAL).prop_map(str::to_string),
        1 => "\\PC{0,8}",
    ];
    vec(word, 0..6).prop_map(|v| v.join(" "))
}

/// A step or playbook id: mostly valid, sometimes invalid, sometimes random.
fn step_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec!["stay-calm", "a", "step-2", "listen", "x1"]).prop_map(str::to_string),
        1 => select(vec!["Bad Id", "a--b", "-x", "x-", "", "ä", "#", "}", "{#x}"])
            .prop_map(str::to_string),
        1 => "\\PC{0,10}",
    ]
}

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

/// Paths the parser may be handed (it reads the language folder from them).
const REL_PATHS: &[&str] = &[
    "playbooks/da/x.md",
    "playbooks/fa/x.md",
    "playbooks/x.md",
    "x.md",
    "playbooks/zz/deep/er/x.md",
    "",
];

/// Front matter: sometimes valid, sometimes a random mix of known and unknown keys.
fn front_matter() -> impl Strategy<Value = Vec<String>> {
    let lang = select(vec!["da", "fa", "ro", "th", "de", "", "DA", " th "]);
    let valid = (step_id(), inline_text(), lang.clone()).prop_map(|(id, title, lang)| {
        vec![
            format!("id = {id:?}"),
            format!("title = \"{}\"", title.replace(['"', '\\', '\n', '\r'], "")),
            format!("lang = \"{lang}\""),
            String::new(),
            "[source]".to_string(),
            "title = \"Source\"".to_string(),
            "file = \"003.txt\"".to_string(),
        ]
    });
    let field = prop_oneof![
        step_id().prop_map(|v| format!("id = \"{v}\"")),
        inline_text().prop_map(|t| format!("title = \"{t}\"")),
        inline_text().prop_map(|t| format!("title = {t:?}")),
        lang.prop_map(|l| format!("lang = \"{l}\"")),
        Just("[source]".to_string()),
        Just("owner = \"team\"".to_string()),
        Just("reviewed = 2024-05-01".to_string()),
        Just("reviewed = \"2024\"".to_string()),
        Just("reviewed = [1, 2]".to_string()),
        Just("unknown = 1".to_string()),
        Just("id = ".to_string()),
        Just("[[source]]".to_string()),
        inline_text(),
    ];
    prop_oneof![3 => valid, 1 => vec(field, 0..10)]
}

/// One Markdown block of a playbook body, as lines.
fn block() -> impl Strategy<Value = Vec<String>> {
    // Mostly steps (level 2, usually with an id), so that labels land inside one.
    let level = prop_oneof![4 => Just(2usize), 1 => Just(1usize), 1 => 3usize..=7];
    let heading = (level, inline_text(), prop::option::weighted(0.8, step_id())).prop_map(
        |(level, text, id)| {
            let mut line = format!("{} {text}", "#".repeat(level));
            if let Some(id) = id {
                line.push_str(&format!(" {{#{id}}}"));
            }
            vec![line]
        },
    );
    let label_name = select(vec![
        "Situations",
        "Say",
        "Say (added)",
        "Gloss",
        "Don't say",
        "Don\u{2019}t say",
        "Escalate when",
        "situations",
        "Situation",
        "Glos",
        "Tags",
        "Phrases",
        "Unknown",
        "",
    ]);
    let situations = vec(
        select(vec![
            "angry-customer",
            "abusive-caller",
            "refund-demand",
            "no-such-situation",
            "`angry-customer`",
            "",
        ]),
        0..4,
    )
    .prop_map(|v| v.join(", "));
    // A whole, mostly well-formed step, so that labels and lists land where they belong.
    let step = (
        inline_text(),
        step_id(),
        situations.clone(),
        inline_text(),
        vec(inline_text(), 0..4),
        inline_text(),
    )
        .prop_map(|(title, id, situations, guidance, phrases, gloss)| {
            let mut lines = vec![
                format!("## {title} {{#{id}}}"),
                String::new(),
                format!("**Situations:** {situations}"),
                String::new(),
                guidance,
                String::new(),
                "**Say:**".to_string(),
            ];
            lines.extend(phrases.iter().map(|p| format!("- \"{p}\"")));
            lines.push(String::new());
            lines.push(format!("**Gloss:** {gloss}"));
            lines
        });
    let label = (
        label_name,
        prop_oneof![situations, inline_text()],
        0usize..4,
    )
        .prop_map(|(name, inline, style)| {
            vec![match style {
                0 => format!("**{name}:** {inline}"),
                1 => format!("**{name}:**"),
                2 => format!("**{name}**: {inline}"),
                _ => format!("__{name}:__ {inline}"),
            }]
        });
    let marker = select(vec!["-", "*", "+", "1.", "2)", "- [ ]", "- [x]", ">"]);
    let list = vec((0usize..12, marker, inline_text(), any::<bool>()), 1..10).prop_map(|items| {
        items
            .into_iter()
            .map(|(depth, marker, text, wide)| {
                let indent = if wide { "    " } else { "  " };
                format!("{}{marker} {text}", indent.repeat(depth))
            })
            .collect()
    });
    let paragraph = vec(inline_text(), 1..4);
    let other = select(vec![
        vec!["```", "code", "```"],
        vec!["```"],
        vec!["> quote", "> more"],
        vec!["| a | b |", "|---|---|", "| ک | ก |"],
        vec!["---"],
        vec!["***"],
        vec!["<!-- a comment -->"],
        vec!["<!--", "unterminated comment"],
        vec!["<div>", "html"],
        vec!["    indented code"],
        vec!["Setext", "==="],
        vec!["Setext", "---"],
        vec!["[^1]: footnote"],
        vec!["$$", "math", "$$"],
        vec!["+++"],
        vec![""],
    ])
    .prop_map(|v| v.into_iter().map(str::to_string).collect());
    prop_oneof![
        2 => step,
        2 => heading,
        3 => label,
        2 => list,
        2 => paragraph,
        1 => other,
    ]
}

/// A playbook-shaped file: BOM, front matter, blocks, mixed line endings, sometimes a bad byte.
fn markdown_file() -> impl Strategy<Value = Vec<u8>> {
    let open = prop_oneof![
        6 => Just("+++"),
        1 => select(vec!["+++ ", "---", "", "++"]),
    ];
    let close = prop_oneof![
        6 => Just("+++"),
        1 => select(vec!["+++\t", "", "---"]),
    ];
    (
        any::<bool>(),
        open,
        front_matter(),
        close,
        vec((block(), any::<bool>()), 0..20),
        0u8..3,
        vec(any::<bool>(), 1..64),
        prop::option::weighted(0.1, (any::<prop::sample::Index>(), vec(any::<u8>(), 1..4))),
    )
        .prop_map(
            |(bom, open, front, close, blocks, eol_mode, eol_bits, corrupt)| {
                let mut lines = vec![open.to_string()];
                lines.extend(front);
                lines.push(close.to_string());
                for (block, blank) in blocks {
                    if blank {
                        lines.push(String::new());
                    }
                    lines.extend(block);
                }
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                for (i, line) in lines.iter().enumerate() {
                    text.push_str(line);
                    let crlf = match eol_mode {
                        0 => false,
                        1 => true,
                        _ => eol_bits[i % eol_bits.len()],
                    };
                    text.push_str(if crlf { "\r\n" } else { "\n" });
                }
                let mut bytes = text.into_bytes();
                if let Some((at, junk)) = corrupt {
                    let at = at.index(bytes.len() + 1);
                    bytes.splice(at..at, junk);
                }
                bytes
            },
        )
}

/// Checks what every parse must satisfy: diagnostics and step lines point inside the file.
fn check_parsed(bytes: &[u8], rel_path: &str, parsed: &Parsed) -> Result<(), TestCaseError> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    for d in &parsed.diagnostics {
        prop_assert!(d.line >= 1, "line 0 in {d}");
        prop_assert!(d.col >= 1, "column 0 in {d}");
        prop_assert!(d.line <= lines + 1, "line {} of {lines} in {d}", d.line);
        prop_assert_eq!(&d.path, rel_path);
        let _ = d.to_string();
    }
    for &line in &parsed.situation_lines {
        prop_assert!(
            (1..=lines + 1).contains(&line),
            "situation line {line} of {lines}"
        );
    }
    if let Some(pb) = &parsed.playbook {
        prop_assert!((1..=lines + 1).contains(&pb.id_line));
        for step in &pb.steps {
            prop_assert!(
                (1..=lines + 1).contains(&step.line),
                "step line {} of {lines}",
                step.line
            );
            let _ = pb.section_title(step);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn parser_survives_arbitrary_bytes(
        bytes in vec(any::<u8>(), 0..4096),
        rel_path in select(REL_PATHS),
    ) {
        let parsed = parse_playbook(&bytes, rel_path);
        check_parsed(&bytes, rel_path, &parsed)?;
    }

    #[test]
    fn parser_survives_arbitrary_strings(
        text in prop_oneof![
            any::<String>(),
            "[-+#*_`>\\[\\](){}|:=\"'\n\r\t a-zآ-یก-ฮæøåșț]{0,600}",
            unicode_text(),
        ],
        rel_path in select(REL_PATHS),
    ) {
        let parsed = parse_playbook(text.as_bytes(), rel_path);
        check_parsed(text.as_bytes(), rel_path, &parsed)?;
    }

    #[test]
    fn parser_survives_random_playbooks(
        bytes in markdown_file(),
        rel_path in select(REL_PATHS),
    ) {
        let parsed = parse_playbook(&bytes, rel_path);
        check_parsed(&bytes, rel_path, &parsed)?;
    }

    #[test]
    fn taxonomy_parser_survives_arbitrary_input(
        bytes in prop_oneof![
            vec(any::<u8>(), 0..2048),
            any::<String>().prop_map(String::into_bytes),
            taxonomy_file(),
        ],
    ) {
        let (taxonomy, diagnostics) = parse_taxonomy(&bytes, "playbooks/situations.toml");
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        for d in &diagnostics {
            prop_assert!(d.line >= 1 && d.col >= 1 && d.line <= lines + 1, "{d}");
        }
        if let Some(t) = taxonomy {
            for s in &t.situations {
                let _ = t.closest_id(&s.id);
            }
        }
    }
}

/// A `situations.toml`-shaped file with random tables and keys.
fn taxonomy_file() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just("[[situation]]".to_string()),
        step_id().prop_map(|id| format!("id = \"{id}\"")),
        inline_text().prop_map(|t| format!("label = {t:?}")),
        inline_text().prop_map(|t| format!("description = {t:?}")),
        Just("headline = true".to_string()),
        Just("headline = \"yes\"".to_string()),
        Just("[situation.labels]".to_string()),
        Just("[situation.synonyms]".to_string()),
        (
            select(vec!["fa", "th", "da", "ro", "en", "xx"]),
            inline_text()
        )
            .prop_map(|(l, t)| format!("{l} = {t:?}")),
        (
            select(vec!["fa", "th", "da", "ro", "en"]),
            vec(inline_text(), 0..3)
        )
            .prop_map(|(l, v)| format!("{l} = {v:?}")),
        inline_text(),
    ];
    (any::<bool>(), vec(line, 0..30)).prop_map(|(bom, lines)| {
        let mut text = if bom {
            "\u{feff}".to_string()
        } else {
            String::new()
        };
        text.push_str(&lines.join("\n"));
        text.into_bytes()
    })
}

// ---------------------------------------------------------------------------------------------
// Analyzers and wrapping
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn analyzers_return_terms_on_char_boundaries(text in unicode_text()) {
        for analyzer in Analyzer::ALL {
            for term in analyzer.analyze(&text) {
                prop_assert!(
                    term.start <= term.end && term.end <= text.len(),
                    "{analyzer:?}: {term:?} outside {} bytes of {text:?}", text.len()
                );
                prop_assert!(
                    text.is_char_boundary(term.start) && text.is_char_boundary(term.end),
                    "{analyzer:?}: {term:?} not on char boundaries of {text:?}"
                );
                prop_assert!(!term.text.is_empty(), "{analyzer:?}: empty term in {text:?}");
            }
        }
    }

    /// In an analyzer that makes word pairs, a later word's terms begin where an earlier
    /// word's end, or after: pairing slices the text between them (to keep a title and the
    /// text under it apart). (Thai bigrams overlap by design and make no pairs.)
    #[test]
    fn analyzers_keep_words_in_order_and_apart(text in unicode_text()) {
        for analyzer in Analyzer::ALL.into_iter().filter(|a| a.pairs_name().is_some()) {
            let terms = analyzer.analyze(&text);
            for (a, b) in terms.iter().zip(terms.iter().skip(1)) {
                if a.position != b.position {
                    prop_assert!(
                        a.position < b.position && a.end <= b.start,
                        "{analyzer:?}: {a:?} then {b:?} in {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn wrap_keeps_every_character_and_the_width(
        text in prop_oneof![
            unicode_text(),
            vec(prop_oneof![inline_text(), Just(" ".to_string()), Just("   ".to_string())], 0..12)
                .prop_map(|v| v.concat()),
        ],
        width in 0usize..120,
    ) {
        let lines = wrap(&text, width);
        let kept: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
        let given: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        prop_assert_eq!(kept, given, "wrap({:?}, {}) = {:?}", text, width, lines);
        for line in &lines {
            prop_assert!(!line.is_empty(), "empty line in {:?}", lines);
            // Measured as a terminal advances, character by character; only a single
            // grapheme cluster (which nothing may split) can be wider than the line.
            let line_width = terminal_cells(line);
            prop_assert!(
                line_width <= width || line.graphemes(true).count() == 1,
                "line {line:?} is {line_width} columns wide (limit {width}): {lines:?}"
            );
        }
        // A piece that fits a line is never broken: only one wider than a line is (as wrap
        // measures it: a cluster takes the most any terminal gives it).
        let pieces = unbreakable_pieces(&text);
        if pieces.iter().all(|p| display_width(p) <= width) {
            for piece in pieces.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
                prop_assert!(
                    lines.iter().any(|l| l.contains(piece)),
                    "{piece:?} was broken: {lines:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Terminal escapes
// ---------------------------------------------------------------------------------------------

/// Whether a character must never reach a terminal, written out independently of
/// `render::text::is_unsafe`: C0 controls but newline and tab, DEL, C1 controls, and the
/// bidi embeddings, overrides and isolates.
fn must_not_reach_a_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text dense in what a hostile playbook, file name or logged query could carry: escape
/// sequences (CSI, OSC 52 clipboard writes, OSC 8 links), C0 and C1 controls, bidi
/// controls, among letters of every script.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        2 => select(&[
            "\x1b[2J", "\x1b[31m", "\x1b]52;c;aGVsbG8=\x07", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
            "\u{9b}2J", "\u{9d}0;title\u{9c}", "\x1bc", "\x07", "\r", "\x08", "\x7f",
        ][..]).prop_map(str::to_string),
        2 => prop::char::range('\u{0}', '\u{1f}').prop_map(String::from),
        2 => prop::char::range('\u{7f}', '\u{9f}').prop_map(String::from),
        2 => prop_oneof![
            prop::char::range('\u{202A}', '\u{202E}'),
            prop::char::range('\u{2066}', '\u{2069}'),
        ].prop_map(String::from),
        3 => unicode_text(),
    ];
    vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn printable_text_carries_no_escape(text in hostile_text()) {
        let shown = printable(&text);
        prop_assert!(
            !shown.chars().any(must_not_reach_a_terminal),
            "{text:?} printed as {shown:?}"
        );
        // One character for one: what was there is still seen to be there.
        prop_assert_eq!(shown.chars().count(), text.chars().count());
        for (given, printed) in text.chars().zip(shown.chars()) {
            if !must_not_reach_a_terminal(given) {
                prop_assert_eq!(given, printed, "{:?} changed in {:?}", given, text);
            }
        }
    }

    #[test]
    fn text_without_escapes_passes_unchanged(text in unicode_text()) {
        let clean: String = text.chars().filter(|&c| !must_not_reach_a_terminal(c)).collect();
        let shown = printable(&clean);
        prop_assert!(matches!(shown, std::borrow::Cow::Borrowed(_)), "{:?} was copied", clean);
        prop_assert_eq!(shown.as_ref(), clean.as_str());
    }
}

/// Regression: found by `analyzers_return_terms_on_char_boundaries`' generator. A combining
/// mark with no letter before it (after a space, a control character, or at the start) is a
/// Latin-script "word" that diacritic folding empties, so the Romanian, Danish and English
/// analyzers emitted a term whose text was "", indexed and searched as the empty string.
#[test]
fn analyzers_never_emit_empty_terms() {
    for text in [
        "\u{0301}",
        "a \u{0301}",
        "x\u{1b}\u{0326}y",
        "\u{0326}\u{0308} kunde",
    ] {
        for analyzer in Analyzer::ALL {
            let terms = analyzer.analyze(text);
            assert!(
                terms.iter().all(|t| !t.text.is_empty()),
                "{analyzer:?} on {text:?}: {terms:?}"
            );
        }
    }
}

/// The columns a terminal gives `text`: each character's own width.
fn terminal_cells(text: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The pieces `wrap` breaks only when one is wider than a line (as its documentation
/// defines them): space-separated chunks, and inside Thai text the words of the dictionary
/// segmentation.
fn unbreakable_pieces(text: &str) -> Vec<String> {
    let segmenter = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
    let mut pieces = Vec::new();
    for chunk in text.split(' ') {
        if chunk
            .chars()
            .any(|c| ('\u{0e00}'..='\u{0e7f}').contains(&c))
        {
            let mut prev = 0;
            for b in segmenter.segment_str(chunk).skip(1) {
                pieces.push(chunk[prev..b].to_string());
                prev = b;
            }
        } else {
            pieces.push(chunk.to_string());
        }
    }
    pieces
}

// ---------------------------------------------------------------------------------------------
// The query path
// ---------------------------------------------------------------------------------------------

/// One search engine over a temporary copy of the shipped playbooks, shared by every case.
struct Fixture {
    _dir: TempDir,
    root: PathBuf,
    engine: Engine,
    situation_ids: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_fixtures(scratch);
        let dir = tempfile::Builder::new()
            .prefix("properties-engine-")
            .tempdir_in(scratch)
            .expect("temporary folder");
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
        copy_tree(&shipped, &dir.path().join("playbooks"));
        let repo = Repo {
            root: dir.path().to_path_buf(),
        };
        let (engine, _) = Engine::open(&repo).expect("the shipped playbooks index");
        let (taxonomy, diagnostics) = load_taxonomy(&repo);
        let taxonomy = taxonomy.unwrap_or_else(|| panic!("taxonomy: {diagnostics:?}"));
        let situation_ids = taxonomy.situations.iter().map(|s| s.id.clone()).collect();
        Fixture {
            root: dir.path().to_path_buf(),
            _dir: dir,
            engine,
            situation_ids,
        }
    })
}

/// A static fixture is never dropped: clear out copies that earlier runs left behind.
fn remove_stale_fixtures(scratch: &Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < an_hour_ago);
        if old
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with("properties-engine-")
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("readable playbooks");
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Query syntax other search engines give meaning to, words that do match, and junk.
const HOSTILE: &[&str] = &[
    "\"",
    "\"\"",
    "'",
    ":",
    "::",
    "title:",
    "lang:da",
    "situation:angry-customer",
    "AND",
    "OR",
    "NOT",
    "and",
    "(((",
    ")))",
    "(",
    ")",
    "*",
    "**",
    "?",
    "~",
    "~2",
    "^",
    "^10",
    "+",
    "-",
    "--",
    "\\",
    "/",
    "{",
    "}",
    "[",
    "]",
    "[a TO z]",
    "<",
    ">",
    "=",
    "!",
    "|",
    "&&",
    "||",
    "%",
    "$",
    "#",
    "@",
    "😀",
    "👨\u{200d}👩\u{200d}👧",
    "🇩🇰",
    "\u{200c}",
    "\u{200f}",
    "\u{202e}",
    "\u{0301}",
    "\u{feff}",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u{3000}",
    "\u{a0}",
    "\0",
    "vred",
    "kunde",
    "vrede kunder",
    "uhøflig",
    "refund",
    "angry customer",
    "client furios",
    "rambursare",
    "bani înapoi",
    "مشتری",
    "عصبانی",
    "بازپرداخت",
    "ลูกค้า",
    "โกรธ",
    "คืนเงิน",
    "ท\u{0E4D}\u{0E32}ยังไง",
    "angry-customer",
    "abusive-caller",
    "a",
    "i",
    "x",
    "ab",
];

/// Long text (up to 20 KB) made by repeating hostile pieces.
fn long_query() -> impl Strategy<Value = String> {
    (vec(select(HOSTILE), 1..8), 1usize..=20_000).prop_map(|(pieces, max)| {
        let unit = pieces.join(" ");
        let mut text = String::with_capacity(max + unit.len() + 1);
        while text.len() < max {
            text.push_str(&unit);
            text.push(' ');
        }
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text
    })
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(select(HOSTILE), 0..12).prop_map(|v| v.join(" ")),
        2 => vec(select(HOSTILE), 0..12).prop_map(|v| v.concat()),
        2 => any::<String>(),
        2 => unicode_text(),
        1 => "[ \t\n\r\u{a0}\u{3000}\u{200b}\u{feff}]{0,40}",
        1 => long_query(),
    ]
}

/// Runs one search and checks the answer; also renders it both ways.
fn check_search(request: &SearchRequest) -> Result<(), TestCaseError> {
    let fixture = fixture();
    let results = fixture.engine.search(request);
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "search {request:?} failed: {e}"
            )));
        }
    };
    prop_assert!(
        results.results.len() <= request.limit,
        "{} results for limit {}",
        results.results.len(),
        request.limit
    );
    for hit in &results.results {
        prop_assert!(
            request.langs.is_empty() || request.langs.contains(&hit.record().lang),
            "a {} result for --lang {:?}",
            hit.record().lang,
            request.langs
        );
        prop_assert!(hit.score.is_finite(), "score {}", hit.score);
    }
    let mut out = Vec::new();
    search_json(&mut out, &results).expect("JSON to memory");
    let json: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    prop_assert!(json.get("results").is_some_and(|r| r.is_array()));
    let view = fixture.engine.view(&results);
    for (color, width, height) in [(false, 100, 24), (true, 20, 8), (false, 1, 1)] {
        for layout in [Layout::Compact, Layout::Long] {
            let mut out = Vec::new();
            search_human(
                &mut out,
                &view,
                Style {
                    color,
                    width,
                    height,
                },
                layout,
            )
            .expect("text to memory");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn search_answers_any_query(
        query in query(),
        langs in subsequence(Lang::ALL.to_vec(), 0..=4),
        limit in 1usize..50,
        situation_picks in prop::option::weighted(0.15, vec(any::<prop::sample::Index>(), 1..3)),
    ) {
        let ids = &fixture().situation_ids;
        let situations = situation_picks
            .map(|picks| picks.iter().map(|i| ids[i.index(ids.len())].clone()).collect())
            .unwrap_or_default();
        check_search(&SearchRequest { query, langs, situations, limit, ..SearchRequest::default() })?;
    }
}

/// The queries the issue names, each checked in the library and through the real binary.
fn named_hostile_queries() -> Vec<String> {
    let mut queries: Vec<String> = [
        "\"angry customer\"",
        "\"unterminated",
        "lang:da title:refund",
        "::::",
        "refund AND angry OR NOT customer",
        "AND OR NOT",
        "(((",
        "*",
        "vred*",
        "😀",
        "😡 ลูกค้าโกรธ 🙏",
        "   ",
        "\t\n",
        "\u{200c}\u{200f}",
        "-",
        "--lang",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut long = String::new();
    while long.len() < 20 * 1024 {
        long.push_str("vred kunde مشتری عصبانی ลูกค้าโกรธ client furios refund ");
    }
    queries.push(long);
    queries
}

#[test]
fn named_hostile_queries_answer_in_the_library() {
    for query in named_hostile_queries() {
        for limit in [1, 3, 49] {
            let request = SearchRequest {
                query: query.clone(),
                limit,
                ..SearchRequest::default()
            };
            check_search(&request).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn named_hostile_queries_exit_0_1_or_2_without_a_panic() {
    let root = &fixture().root;
    for query in named_hostile_queries() {
        for json in [true, false] {
            let mut cmd = assert_cmd::Command::cargo_bin("playbook").unwrap();
            cmd.current_dir(root)
                .env_remove("PLAYBOOK_ROOT")
                .env("NO_COLOR", "1")
                .arg("--root")
                .arg(root)
                .arg("search");
            if json {
                cmd.arg("--json");
            }
            let output = cmd.arg("--").arg(&query).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            let code = output.status.code();
            let shown: String = query.chars().take(60).collect();
            // 0 results, 1 none; a query of only whitespace is a usage error (2).
            let expected: &[i32] = if query.trim().is_empty() {
                &[2]
            } else {
                &[0, 1]
            };
            assert!(
                code.is_some_and(|c| expected.contains(&c)),
                "query {shown:?} (json {json}) exited {code:?}, not {expected:?}: {stderr}"
            );
            assert!(
                !stderr.contains("panicked"),
                "query {shown:?} panicked: {stderr}"
            );
            if json && code != Some(2) {
                serde_json::from_slice::<serde_json::Value>(&output.stdout)
                    .unwrap_or_else(|e| panic!("query {shown:?}: not JSON ({e})"));
            }
        }
    }
}

/// The compiled situation matcher of the shipped taxonomy, serialised as the cache holds it.
fn cached_matcher_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let repo = Repo::discover(Some(&root), &root).expect("the repository");
        let taxonomy = load_taxonomy(&repo).0.expect("the shipped taxonomy");
        postcard::to_stdvec(&playbook::matcher::SituationMatcher::new(&taxonomy))
            .expect("the matcher serialises")
    })
}

proptest! {
    #![proptest_config(cases(256))]

    /// A damaged `index/situations.cache` (flipped bytes, cut short) is either rejected or,
    /// if it still decodes and passes `is_consistent`, answers queries without panicking.
    #[test]
    fn a_damaged_matcher_cache_never_panics(
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
        query in query(),
    ) {
        let mut bytes = cached_matcher_bytes().to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok(matcher) = postcard::from_bytes::<playbook::matcher::SituationMatcher>(&bytes)
            && matcher.is_consistent()
        {
            matcher.resolve(&query);
            matcher.suggest(&query, 3);
        }
    }
}
