//! Rendering: results, diagnostics and playbooks for people (wrapped, coloured on a terminal)
//! or as JSON. Every renderer writes to any `io::Write`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::StepRecord;
use crate::search::{Hit, SearchResults};
use crate::taxonomy::Taxonomy;
use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// How human output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Wrap width in terminal columns.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }
}

/// ANSI styles, used only when colour is on.
#[derive(Clone, Copy)]
enum Paint {
    Bold,
    Dim,
    Phrase,
    Label,
    Situation,
    Error,
    Warning,
}

impl Style {
    fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match paint {
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

/// How many wrapped lines of guidance a result shows.
const GUIDANCE_LINES: usize = 3;

/// Search results for a person at a terminal: what to say first, then what to do.
pub fn search_human(
    out: &mut dyn Write,
    results: &SearchResults,
    taxonomy: &Taxonomy,
    style: Style,
) -> io::Result<()> {
    if !results.situations.is_empty() {
        writeln!(
            out,
            "{} {}",
            style.paint(Paint::Label, "Situation:"),
            style.paint(
                Paint::Situation,
                &situation_names(taxonomy, &results.situations)
            )
        )?;
        writeln!(out)?;
    }
    if results.results.is_empty() {
        return no_results(out, results, taxonomy, style);
    }
    for (i, hit) in results.results.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        hit_human(out, i + 1, hit, taxonomy, style)?;
    }
    Ok(())
}

/// "Label (id), Label (id)" for a list of situation ids.
fn situation_names(taxonomy: &Taxonomy, ids: &[String]) -> String {
    ids.iter()
        .map(|id| situation_name(taxonomy, id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn situation_name(taxonomy: &Taxonomy, id: &str) -> String {
    taxonomy
        .get(id)
        .map_or_else(|| id.to_string(), |s| format!("{} ({id})", s.label))
}

fn no_results(
    out: &mut dyn Write,
    results: &SearchResults,
    taxonomy: &Taxonomy,
    style: Style,
) -> io::Result<()> {
    writeln!(out, "No steps found for \"{}\".", results.query.trim())?;
    if !results.suggestions.is_empty() {
        writeln!(
            out,
            "Did you mean: {}?",
            style.paint(
                Paint::Situation,
                &situation_names(taxonomy, &results.suggestions)
            )
        )?;
    }
    writeln!(out, "Run `playbook situations` to see every situation.")
}

fn hit_human(
    out: &mut dyn Write,
    n: usize,
    hit: &Hit,
    taxonomy: &Taxonomy,
    style: Style,
) -> io::Result<()> {
    let r = &hit.record;
    let mut crumbs = vec![r.playbook_title.as_str()];
    if let Some(section) = &r.section {
        crumbs.push(section);
    }
    crumbs.push(&r.title);
    let head = format!("{n}. [{}] {}", r.lang, crumbs.join(" › "));
    for (i, line) in wrap(&head, style.width.max(20)).iter().enumerate() {
        let indent = if i == 0 { "" } else { "   " };
        writeln!(out, "{indent}{}", style.paint(Paint::Bold, line))?;
    }
    if !hit.matched_situations.is_empty() {
        writeln!(
            out,
            "   {} {}",
            style.paint(Paint::Label, "for:"),
            style.paint(
                Paint::Situation,
                &situation_names(taxonomy, &hit.matched_situations)
            )
        )?;
    }
    let indent = "   ";
    for (phrase, added) in r
        .phrases
        .iter()
        .zip(r.phrases_added.iter().chain(std::iter::repeat(&false)))
    {
        let mark = if *added { " (added)" } else { "" };
        let text = format!("“{phrase}”{mark}");
        let lines = wrap(&text, style.width.saturating_sub(10).max(20));
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { "say: " } else { "     " };
            writeln!(
                out,
                "{indent}{}{}",
                style.paint(Paint::Label, label),
                style.paint(Paint::Phrase, line)
            )?;
        }
    }
    let guidance: String = r.text.lines().collect::<Vec<_>>().join(" ");
    let mut lines = wrap(&guidance, style.width.saturating_sub(10).max(20));
    if lines.len() > GUIDANCE_LINES {
        lines.truncate(GUIDANCE_LINES);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let label = if i == 0 { "do:  " } else { "     " };
        writeln!(out, "{indent}{}{line}", style.paint(Paint::Label, label))?;
    }
    for (i, line) in wrap(&r.gloss, style.width.saturating_sub(10).max(20))
        .iter()
        .enumerate()
    {
        let label = if i == 0 { "en:  " } else { "     " };
        writeln!(
            out,
            "{indent}{}{}",
            style.paint(Paint::Label, label),
            style.paint(Paint::Dim, line)
        )?;
    }
    writeln!(
        out,
        "{indent}{}",
        style.paint(Paint::Dim, &format!("{}:{}", r.path, r.line))
    )
}

/// Search results as one JSON object (the contract in the README).
pub fn search_json(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, results)?;
    writeln!(out)
}

/// Wraps text to `width` columns. Lines break at spaces, and inside Thai text (which has
/// no spaces between words) at dictionary word boundaries, so that no combining mark is
/// ever split from its letter. Widths count terminal columns, not characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    // Whether `line` has more than spaces (kept as a flag: trimming the line for every
    // piece made long paragraphs quadratic).
    let mut line_has_text = false;
    for piece in break_opportunities(text) {
        let is_space = piece.trim().is_empty();
        if is_space && line.is_empty() {
            continue;
        }
        let piece_width = display_width(piece);
        if line_width + piece_width > width && !is_space && line_has_text {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_width = 0;
            line_has_text = false;
        }
        line.push_str(piece);
        line_width += piece_width;
        line_has_text |= !is_space;
    }
    if line_has_text {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Terminal columns of `text`: its length for printable ASCII (most pieces), else what
/// Unicode says (combining marks take none, wide characters two).
fn display_width(text: &str) -> usize {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        text.len()
    } else {
        UnicodeWidthStr::width(text)
    }
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Splits text into pieces between which a line may break (each space is its own piece).
fn break_opportunities(text: &str) -> Vec<&str> {
    // The segmenter is only built for text that has Thai in it (most lines do not).
    let segmenter = text
        .contains(is_thai)
        .then(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));
    let mut pieces = Vec::new();
    for (i, chunk) in text.split(' ').enumerate() {
        if i > 0 {
            pieces.push(" ");
        }
        match &segmenter {
            Some(segmenter) if chunk.contains(is_thai) => {
                let mut prev = 0;
                for b in segmenter.segment_str(chunk).skip(1) {
                    pieces.push(&chunk[prev..b]);
                    prev = b;
                }
            }
            _ if !chunk.is_empty() => pieces.push(chunk),
            _ => {}
        }
    }
    pieces
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
            d.path, d.line, d.col, d.message
        )?;
        if let Some(hint) = &d.hint {
            writeln!(out, "  = help: {hint}")?;
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

/// One step in full, for `playbook show`.
pub fn step_full(
    out: &mut dyn Write,
    r: &StepRecord,
    taxonomy: &Taxonomy,
    style: Style,
) -> io::Result<()> {
    let mut crumbs = vec![r.playbook_title.as_str()];
    if let Some(section) = &r.section {
        crumbs.push(section);
    }
    writeln!(
        out,
        "[{}] {} › {}",
        r.lang,
        crumbs.join(" › "),
        style.paint(Paint::Bold, &r.title)
    )?;
    let names = situation_names(taxonomy, &r.situations);
    writeln!(
        out,
        "{} {}",
        style.paint(Paint::Label, "situations:"),
        style.paint(Paint::Situation, &names)
    )?;
    let width = style.width.saturating_sub(4).max(20);
    if !r.phrases.is_empty() {
        writeln!(out, "{}", style.paint(Paint::Label, "say:"))?;
        for (phrase, added) in r
            .phrases
            .iter()
            .zip(r.phrases_added.iter().chain(std::iter::repeat(&false)))
        {
            let mark = if *added { " (added)" } else { "" };
            for (i, line) in wrap(&format!("“{phrase}”{mark}"), width).iter().enumerate() {
                let bullet = if i == 0 { "  - " } else { "    " };
                writeln!(out, "{bullet}{}", style.paint(Paint::Phrase, line))?;
            }
        }
    }
    writeln!(out, "{}", style.paint(Paint::Label, "do:"))?;
    for para in r.text.lines() {
        for line in wrap(para, width) {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(out, "{}", style.paint(Paint::Label, "en:"))?;
    for line in wrap(&r.gloss, width) {
        writeln!(out, "    {}", style.paint(Paint::Dim, &line))?;
    }
    for (label, items) in [
        ("don't say:", &r.dont_say),
        ("escalate when:", &r.escalate_when),
    ] {
        if !items.is_empty() {
            writeln!(out, "{}", style.paint(Paint::Label, label))?;
            for item in items {
                writeln!(out, "  - {item}")?;
            }
        }
    }
    writeln!(
        out,
        "{}",
        style.paint(Paint::Dim, &format!("{}:{}", r.path, r.line))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn wrap_keeps_persian_in_logical_order() {
        let text = "آرامش خود را حفظ کنید";
        assert_eq!(wrap(text, 80), [text]);
    }
}
