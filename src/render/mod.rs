//! Rendering: results, diagnostics and playbooks for people (wrapped, coloured on a terminal)
//! or as JSON. Only renderers write what people read; every renderer writes to any `io::Write`.
//!
//! [`view`] builds what an agent sees of a step once ([`StepView`]); [`terminal`] prints it,
//! the live UI draws it, and JSON carries it. [`text`] wraps by display width and keeps
//! escape sequences from content away from the terminal.

pub mod tables;
pub mod terminal;
pub mod text;
pub mod view;

pub use terminal::{Layout, search_human, step_full};
pub use text::{printable, wrap};
pub use view::{Label, ResultsView, StepView};

use crate::diagnostic::{Diagnostic, Severity};
use crate::search::SearchResults;
use std::io::{self, Write};

/// How human output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Wrap width in terminal columns.
    pub width: usize,
    /// Rows the answer should fit in (the terminal's height, or `LINES`).
    pub height: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 80,
            height: 24,
        }
    }
}

/// ANSI styles, used only when colour is on.
#[derive(Clone, Copy)]
pub(crate) enum Paint {
    /// No paint: content that only needs to be made safe.
    Plain,
    Bold,
    Dim,
    Phrase,
    Label,
    Situation,
    Error,
    Warning,
}

impl Style {
    /// `text` made safe for a terminal ([`printable`]) and, with colour on, painted.
    pub(crate) fn paint(&self, paint: Paint, text: &str) -> String {
        let text = printable(text);
        if !self.color {
            return text.into_owned();
        }
        let code = match paint {
            Paint::Plain => return text.into_owned(),
            Paint::Bold => "1",
            Paint::Dim => "2",
            Paint::Phrase => "1;32",
            Paint::Label => "36",
            Paint::Situation => "35",
            Paint::Error => "1;31",
            Paint::Warning => "1;33",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// One step as `show --json PLAYBOOK#STEP` prints it (and `serve`'s step endpoint): the
/// record, and as `shown` the step in the reading language.
pub fn step_json(
    record: &crate::index::StepRecord,
    shown: &crate::search::Shown,
) -> serde_json::Result<serde_json::Value> {
    let mut value = serde_json::to_value(record)?;
    value["shown"] = serde_json::to_value(shown)?;
    Ok(value)
}

/// Search results as one JSON object (the contract in the README).
pub fn search_json(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, results)?;
    writeln!(out)
}

/// Diagnostics for trainers, one per problem, then a summary line.
pub fn diagnostics_human(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    style: Style,
) -> io::Result<()> {
    for d in diagnostics {
        let kind = match d.severity {
            Severity::Error => style.paint(Paint::Error, &format!("error[{}]", d.code)),
            Severity::Warning => style.paint(Paint::Warning, &format!("warning[{}]", d.code)),
        };
        writeln!(
            out,
            "{}:{}:{}: {kind}: {}",
            printable(&d.path),
            d.line,
            d.col,
            printable(&d.message)
        )?;
        if let Some(hint) = &d.hint {
            writeln!(out, "  = help: {}", printable(hint))?;
        }
    }
    Ok(())
}

/// Diagnostics as JSON: `{"errors": N, "warnings": N, "diagnostics": [...]}`.
pub fn diagnostics_json(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    files: usize,
) -> io::Result<()> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let value = serde_json::json!({
        "files": files,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
        "diagnostics": diagnostics,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

    #[test]
    fn wrap_respects_width_and_words() {
        let lines = wrap(
            "Jeg kan forstå din skuffelse, men jeg bliver nødt til at lægge på",
            20,
        );
        assert!(
            lines
                .iter()
                .all(|l| UnicodeWidthStr::width(l.as_str()) <= 20),
            "{lines:?}"
        );
        assert_eq!(
            lines.join(" "),
            "Jeg kan forstå din skuffelse, men jeg bliver nødt til at lægge på"
        );
    }

    #[test]
    fn wrap_breaks_thai_between_words_only() {
        let text = "ลูกค้าที่ไม่มีความสุขต้องการให้คุณฟังอย่างตั้งใจเมื่อพวกเขาโกรธ";
        let lines = wrap(text, 16);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), text);
        for line in &lines {
            // No line starts with a combining mark (a vowel or tone mark above or below).
            let first = line.chars().next().unwrap();
            assert!(
                !matches!(first, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'),
                "{line}"
            );
        }
    }

    /// "بالا" and "تلاش" each hold a lam-alef, which `unicode-width` counts as one column
    /// when it measures a whole string; a terminal gives the two letters two cells.
    #[test]
    fn wrap_gives_each_letter_of_a_lam_alef_its_cell() {
        let text = "بالا تلاش بالا تلاش بالا تلاش بالا تلاش";
        assert_eq!(text::display_width("بالا"), 4);
        assert_eq!(UnicodeWidthStr::width("بالا"), 3);
        for width in 4..=40 {
            for line in wrap(text, width) {
                let cells: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
                assert!(cells <= width, "{width}: {line}");
            }
        }
        assert_eq!(wrap(text, 19), ["بالا تلاش بالا تلاش", "بالا تلاش بالا تلاش"]);
    }

    /// A word wider than a line (a query typed without spaces) is broken between grapheme
    /// clusters: no line is wider, nothing is lost, no mark leaves its letter.
    #[test]
    fn wrap_breaks_a_word_wider_than_the_line() {
        let persian = "مشتریعصبانیاستومیخواهدپولشراپسبگیرد".repeat(3);
        let danish = format!("ok {} ok", "kundenråberhøjtogvilhapengenetilbage".repeat(3));
        let family = "👨\u{200D}👩\u{200D}👧".repeat(8);
        for (text, width) in [
            (persian.as_str(), 20),
            (danish.as_str(), 30),
            (family.as_str(), 13),
            ("ab", 1),
        ] {
            let lines = wrap(text, width);
            assert!(lines.len() > 1, "{lines:?}");
            for line in &lines {
                // Measured both ways terminals do: whole clusters, and character by character.
                let chars: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
                assert!(text::display_width(line) <= width, "{width}: {line}");
                assert!(chars <= width, "{width}: {line}");
                assert!(!line.starts_with(|c: char| ('\u{064B}'..='\u{0652}').contains(&c)));
            }
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
    }

    #[test]
    fn wrap_keeps_persian_in_logical_order() {
        let text = "آرامش خود را حفظ کنید";
        assert_eq!(wrap(text, 80), [text]);
    }
}
