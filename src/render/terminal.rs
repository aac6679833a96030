//! Search results and steps for a person at a terminal: the answer fits one screen.
//!
//! The compact layout (the default) shows the first result complete — what to say, then
//! what to do, then the English line — and every other result on one line with the id that
//! `playbook show` takes. Each part gets a share of the rows the terminal has (see
//! [`allot`]), so an 80×24 terminal never scrolls the first answer away.

use super::text::{fit, printable, wrap};
use super::view::{Label, PhraseView, ResultsView, SituationName, StepView};
use super::{Paint, Style};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// How search results are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// The first result complete, the others one line each: fits the terminal.
    #[default]
    Compact,
    /// Every result in full (`--long`).
    Long,
}

/// Rows the compact layout leaves free under the answer: the shell's next prompt.
const PROMPT_ROWS: usize = 1;
/// Indent of a result's parts under its number.
const INDENT: &str = "   ";

/// Search results for a person at a terminal.
pub fn search_human(
    out: &mut dyn Write,
    view: &ResultsView,
    style: Style,
    layout: Layout,
) -> io::Result<()> {
    let mut rows = Vec::new();
    if let Some(persian) = &view.read_as {
        let text = format!("Read as Persian: {persian}");
        rows.push(style.paint(Paint::Situation, &fit(&text, style.width)));
    }
    if !view.situations.is_empty() {
        let text = format!("Situation: {}", SituationName::join(&view.situations));
        rows.push(style.paint(Paint::Situation, &fit(&text, style.width)));
    }
    if view.steps.is_empty() {
        rows.extend(no_results(view, style));
    } else {
        match layout {
            Layout::Compact => rows.extend(compact(view, style, rows.len())),
            Layout::Long => {
                for (i, step) in view.steps.iter().enumerate() {
                    rows.push(String::new());
                    rows.push(style.paint(Paint::Bold, &format!("{}.", i + 1)));
                    rows.extend(full_rows(step, style));
                }
            }
        }
    }
    for row in rows {
        writeln!(out, "{row}")?;
    }
    Ok(())
}

/// The most rows the sentence with the query takes (its words may leave a line's end empty).
const NO_RESULTS_QUERY_ROWS: usize = 3;

fn no_results(view: &ResultsView, style: Style) -> Vec<String> {
    // The query as typed can be longer than a line, with or without spaces: it is cut to
    // two lines' worth, then wrapped (made printable first, so that what is measured is
    // what is shown).
    let said = |query: &str| format!("No steps found for \"{query}\".");
    let query = fit(
        &view.query,
        (2 * style.width).saturating_sub(said("").len()),
    );
    let sentence = printable(&said(&query)).into_owned();
    let mut rows: Vec<String> = wrap(&sentence, style.width)
        .iter()
        .take(NO_RESULTS_QUERY_ROWS)
        .map(|line| style.paint(Paint::Plain, line))
        .collect();
    if !view.suggestions.is_empty() {
        let names = SituationName::join(&view.suggestions);
        let names = fit(&names, style.width.saturating_sub("Did you mean: ?".len()));
        rows.push(format!(
            "Did you mean: {}?",
            style.paint(Paint::Situation, &names)
        ));
    }
    rows.push("Run `playbook situations` to see every situation.".to_string());
    rows
}

/// The first result complete, then one row for each other result.
fn compact(view: &ResultsView, style: Style, used: usize) -> Vec<String> {
    let others = view.steps.len() - 1;
    let budget = style
        .height
        .saturating_sub(PROMPT_ROWS + used + others)
        .max(MIN_FIRST_ROWS);
    let mut rows = first_result(&view.steps[0], style, budget);
    for (i, step) in view.steps.iter().enumerate().skip(1) {
        rows.push(one_row(i + 1, step, style));
    }
    rows
}

/// The fewest rows the first result gets, however small the terminal.
const MIN_FIRST_ROWS: usize = 6;

/// `N. [lang] title   playbook#step`, cut to the width (the id always shows whole).
fn one_row(n: usize, step: &StepView, style: Style) -> String {
    let head = format!("{n}. [{}] ", step.lang);
    let id_room = style.width.saturating_sub(head.width());
    let title_room = id_room.saturating_sub(step.id.width() + 2);
    // The id is what `show` takes: it stays whole, and the title gives way to it (a long
    // id already says what the step is about).
    if title_room < MIN_TITLE_COLUMNS {
        return format!(
            "{head}{}",
            style.paint(Paint::Dim, &fit(&step.id, id_room.max(1)))
        );
    }
    format!(
        "{}{}  {}",
        head,
        style.paint(Paint::Bold, &fit(&step.title, title_room)),
        style.paint(Paint::Dim, &step.id)
    )
}

/// A title cut shorter than this says nothing: the row shows only the id then.
const MIN_TITLE_COLUMNS: usize = 6;

/// The first result in `budget` rows: title, where it is from, then what to say, what to
/// do and the English line, each as much as the rows allow.
fn first_result(step: &StepView, style: Style, budget: usize) -> Vec<String> {
    let label_width = [Label::Say, step.guidance_label, Label::English]
        .iter()
        .map(|l| l.text().width() + 2)
        .max()
        .unwrap_or(0);
    let text_width = style
        .width
        .saturating_sub(INDENT.width() + label_width)
        .max(20);
    let mut rows = Vec::new();
    let title = format!("1. [{}] {}", step.lang, step.headline());
    for (i, line) in wrap(&title, style.width - INDENT.width())
        .into_iter()
        .take(2)
        .enumerate()
    {
        let indent = if i == 0 { "" } else { INDENT };
        rows.push(format!("{indent}{}", style.paint(Paint::Bold, &line)));
    }
    let mut from = step.id.clone();
    if let Some(note) = step.origin.short_note() {
        from = format!("{from} · {note}");
    } else if let Some(section) = step.trail.get(1) {
        from = format!("{from} · {section}");
    }
    rows.push(format!(
        "{INDENT}{}",
        style.paint(Paint::Dim, &fit(&from, style.width - INDENT.width()))
    ));
    let say = phrase_lines(&step.say, text_width);
    let mut guidance = wrap(&step.guidance_line(), text_width);
    let mut english = wrap(&step.english, text_width);
    let room = budget.saturating_sub(rows.len());
    let [n_say, n_do, n_en] = allot(room, [say.len(), guidance.len(), english.len()]);
    let mut say = say;
    cut(
        &mut say,
        n_say,
        &format!(" (+ more: playbook show {})", step.id),
        text_width,
    );
    cut(&mut guidance, n_do, " …", text_width);
    cut(&mut english, n_en, " …", text_width);
    let paints = [
        (Label::Say, say, Paint::Phrase),
        (step.guidance_label, guidance, Paint::Plain),
        (Label::English, english, Paint::Plain),
    ];
    for (label, lines, paint) in paints {
        for (i, line) in lines.iter().enumerate() {
            let head = if i == 0 {
                format!("{}:", label.text())
            } else {
                String::new()
            };
            rows.push(format!(
                "{INDENT}{}{}",
                style.paint(Paint::Label, &format!("{head:label_width$}")),
                style.paint(paint, line)
            ));
        }
    }
    rows
}

/// Each phrase wrapped to `width`, one after the other.
fn phrase_lines(phrases: &[PhraseView], width: usize) -> Vec<String> {
    phrases
        .iter()
        .flat_map(|p| wrap(&p.quoted(), width))
        .collect()
}

/// Keeps the first `n` lines; when some are left out, the last kept line ends with `more`
/// (or loses words until it fits).
fn cut(lines: &mut Vec<String>, n: usize, more: &str, width: usize) {
    if lines.len() <= n {
        return;
    }
    lines.truncate(n);
    if let Some(last) = lines.last_mut() {
        let keep = width.saturating_sub(more.width());
        *last = format!("{}{more}", fit(last, keep).trim_end_matches('…').trim_end());
    }
}

/// Shares `rows` among what to say, what to do and the English line (in that order of
/// need), given how many lines each would take whole.
///
/// Every part first gets a line or two, so the agent sees that it is there; then the
/// phrases get up to [`SAY_ROWS`] (what to say matters most mid-call), the guidance up to
/// [`DO_ROWS`] and the English line up to [`ENGLISH_ROWS`]; rows left over go to whatever
/// is still cut, in the same order.
pub fn allot(rows: usize, need: [usize; 3]) -> [usize; 3] {
    let mut given = [0usize; 3];
    let mut left = rows;
    for caps in [
        [2, 1, 1],
        [SAY_ROWS, DO_ROWS, ENGLISH_ROWS],
        [usize::MAX; 3],
    ] {
        for part in 0..3 {
            let want = need[part].min(caps[part]).saturating_sub(given[part]);
            let take = want.min(left);
            given[part] += take;
            left -= take;
        }
    }
    given
}

/// Rows the phrases get before the guidance has had its share.
const SAY_ROWS: usize = 8;
/// Rows the guidance gets before the English line has had its share.
const DO_ROWS: usize = 4;
/// Rows the English line gets in the second round.
const ENGLISH_ROWS: usize = 3;

/// One step in full, for `playbook show` and `search --long`.
pub fn step_full(out: &mut dyn Write, step: &StepView, style: Style) -> io::Result<()> {
    for row in full_rows(step, style) {
        writeln!(out, "{row}")?;
    }
    Ok(())
}

fn full_rows(step: &StepView, style: Style) -> Vec<String> {
    let width = style.width.saturating_sub(4).max(20);
    let mut rows = Vec::new();
    let trail = step.trail.join(" › ");
    rows.push(format!(
        "[{}] {}",
        step.lang,
        style.paint(Paint::Dim, &fit(&trail, style.width.saturating_sub(5)))
    ));
    for line in wrap(&step.headline(), style.width) {
        rows.push(style.paint(Paint::Bold, &line));
    }
    if let Some(note) = step.origin.note() {
        rows.push(style.paint(Paint::Warning, &note));
    }
    if !step.situations.is_empty() {
        let names = SituationName::join(&step.situations);
        rows.push(format!(
            "{} {}",
            style.paint(Paint::Label, &format!("{}:", Label::Situations.text())),
            style.paint(Paint::Situation, &names)
        ));
    }
    let mut section = |label: Label, lines: Vec<(String, Paint)>| {
        if lines.is_empty() {
            return;
        }
        rows.push(style.paint(Paint::Label, &format!("{}:", label.text())));
        for (line, paint) in lines {
            rows.push(format!("    {}", style.paint(paint, &line)));
        }
    };
    let bulleted = |items: &[String], paint: Paint| -> Vec<(String, Paint)> {
        items
            .iter()
            .flat_map(|item| {
                wrap(item, width.saturating_sub(2))
                    .into_iter()
                    .enumerate()
                    .map(move |(i, l)| (format!("{}{l}", if i == 0 { "- " } else { "  " }), paint))
            })
            .collect()
    };
    let quoted: Vec<String> = step.say.iter().map(PhraseView::quoted).collect();
    section(Label::Say, bulleted(&quoted, Paint::Phrase));
    section(
        step.guidance_label,
        step.guidance
            .iter()
            .flat_map(|p| wrap(p, width))
            .map(|l| (l, Paint::Plain))
            .collect(),
    );
    section(
        Label::English,
        wrap(&step.english, width)
            .into_iter()
            .map(|l| (l, Paint::Plain))
            .collect(),
    );
    for (label, items) in step.lists() {
        section(label, bulleted(items, Paint::Plain));
    }
    rows.push(style.paint(
        Paint::Dim,
        &format!("{} · playbook show {}", step.location, step.id),
    ));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allot_gives_every_part_a_line_then_says_first() {
        assert_eq!(allot(4, [5, 5, 5]), [2, 1, 1]);
        assert_eq!(allot(12, [10, 10, 2]), [8, 3, 1]);
        assert_eq!(allot(20, [3, 10, 2]), [3, 10, 2]);
        assert_eq!(allot(0, [3, 3, 3]), [0, 0, 0]);
        assert_eq!(allot(30, [1, 0, 2]), [1, 0, 2]);
    }

    #[test]
    fn a_result_row_never_passes_the_width_and_keeps_the_id_whole() {
        use crate::model::Lang;
        let step = StepView {
            id: "fa-angry-customers-eight-tips#work-together-against-the-problem".into(),
            lang: Lang::Fa,
            trail: vec![],
            // "تلاش" has a lam-alef: two cells, which unicode-width counts as one.
            title: "با یکدیگر برای حل مشکل تلاش کنید.".into(),
            title_added: false,
            situations: vec![],
            say: vec![],
            guidance: vec![],
            guidance_label: Label::Do,
            english: String::new(),
            dont_say: vec![],
            escalate_when: vec![],
            asks: vec![],
            location: "playbooks/fa/x.md:1".into(),
            origin: crate::render::view::Origin::Original,
        };
        for width in [40, 72, 74, 80, 90, 100, 120] {
            let style = Style {
                width,
                ..Style::default()
            };
            let row = one_row(2, &step, style);
            let cells = crate::render::text::display_width(&row);
            assert!(cells <= width, "{width}: {row}");
            if width >= 74 {
                assert!(row.ends_with(&step.id), "{width}: {row}");
            }
        }
        let wide = one_row(
            2,
            &step,
            Style {
                width: 120,
                ..Style::default()
            },
        );
        assert!(wide.contains("تلاش کنید"), "{wide}");
    }

    #[test]
    fn cut_marks_what_was_left_out() {
        let mut lines = vec!["Jeg kan forstå".to_string(), "din skuffelse".to_string()];
        cut(&mut lines, 1, " …", 40);
        assert_eq!(lines, ["Jeg kan forstå …"]);
        let mut whole = vec!["ลูกค้า".to_string()];
        cut(&mut whole, 1, " …", 40);
        assert_eq!(whole, ["ลูกค้า"]);
    }
}
