//! Tables for trainers: `playbook translations` (the matrix, and what `--stamp` did),
//! `playbook situations`, and `playbook misses`.

use super::{Paint, Style, printable, wrap};
use crate::commands::SituationRow;
use crate::model::Lang;
use crate::taxonomy::TAXONOMY_LANGS;
use crate::translations::{Cell, Ignored, Matrix, StampReport, Status};
use std::io::{self, Write};

/// The matrix as one JSON object (documented in docs/playbook-format.md).
pub fn translations_json(out: &mut dyn Write, matrix: &Matrix) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, matrix)?;
    writeln!(out)
}

/// What `--stamp` did, as `{"stamped": [...]}`.
pub fn stamp_json(out: &mut dyn Write, reports: &[StampReport]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "stamped": reports }))?;
    writeln!(out)
}

/// Width of a language column.
const CELL: usize = 8;

/// A cell of the table: `complete/steps`, `*` when not reviewed; `none` without a file.
fn cell_text(cell: &Cell) -> String {
    if cell.path.is_none() {
        return "none".to_string();
    }
    let star = if cell.reviewed.is_none() { "*" } else { "" };
    format!("{}/{}{star}", cell.counts.complete, cell.counts.steps)
}

/// The matrix for people: one row per original, one column per reading language, then what
/// is left to do, step by step.
pub fn translations_human(out: &mut dyn Write, matrix: &Matrix, style: Style) -> io::Result<()> {
    let id_width = matrix
        .playbooks
        .iter()
        .map(|r| r.id.chars().count())
        .max()
        .unwrap_or(0)
        .max("playbook".len());
    let mut header = format!("{:id_width$}  from", "playbook");
    for lang in &matrix.languages {
        header.push_str(&format!("  {:>CELL$}", lang.code()));
    }
    writeln!(out, "{}", style.paint(Paint::Bold, &header))?;
    for row in &matrix.playbooks {
        write!(
            out,
            "{}{}  {:>4}",
            style.paint(Paint::Plain, &row.id),
            " ".repeat(id_width.saturating_sub(row.id.chars().count())),
            row.lang.code()
        )?;
        for lang in &matrix.languages {
            let (text, paint) = match row.translations.iter().find(|c| c.lang == *lang) {
                None => ("orig".to_string(), Paint::Dim),
                Some(cell) if cell.counts.is_complete() => (cell_text(cell), Paint::Plain),
                Some(cell) => (cell_text(cell), Paint::Warning),
            };
            let pad = " ".repeat(CELL.saturating_sub(text.chars().count()));
            write!(out, "  {pad}{}", style.paint(paint, &text))?;
        }
        writeln!(out)?;
    }
    let t = &matrix.totals;
    writeln!(
        out,
        "\n{} step translation(s): {} complete, {} stale, {} unstamped, {} missing; {} not reviewed",
        t.steps, t.complete, t.stale, t.unstamped, t.missing, t.not_reviewed
    )?;
    writeln!(
        out,
        "(complete steps / the original's steps; * not reviewed: an editorial translation, no `reviewed` date; orig: the original's language)"
    )?;
    to_do(out, matrix, style)
}

/// The cells that are not complete, and the translation files left out of the matrix.
fn to_do(out: &mut dyn Write, matrix: &Matrix, style: Style) -> io::Result<()> {
    let mut any = false;
    for row in &matrix.playbooks {
        for cell in row.translations.iter().filter(|c| !c.counts.is_complete()) {
            if !any {
                writeln!(out, "\n{}", style.paint(Paint::Bold, "to do:"))?;
                any = true;
            }
            let target = format!("{} → {}", row.id, cell.lang);
            let Some(path) = &cell.path else {
                writeln!(
                    out,
                    "  {target}: no translation file ({} step(s)): playbooks/{}/{}.md",
                    cell.counts.steps,
                    cell.lang,
                    printable(&row.id)
                )?;
                continue;
            };
            let c = &cell.counts;
            writeln!(
                out,
                "  {target}: {}: {} stale, {} unstamped, {} missing",
                printable(path),
                c.stale,
                c.unstamped,
                c.missing
            )?;
            for (status, word) in [
                (Status::Stale, "stale"),
                (Status::Unstamped, "unstamped"),
                (Status::Missing, "missing"),
            ] {
                let steps: Vec<String> = cell
                    .steps
                    .iter()
                    .filter(|s| s.status == status)
                    .map(|s| match s.line {
                        Some(line) => format!("{} (line {line})", s.id),
                        None => format!("{} ({}:{})", s.id, row.path, s.original_line),
                    })
                    .collect();
                if !steps.is_empty() {
                    let text = format!("{word}: {}", steps.join(", "));
                    let lines = wrap(&text, style.width.saturating_sub(6).max(20));
                    for (i, line) in lines.iter().enumerate() {
                        let indent = if i == 0 { "    " } else { "      " };
                        writeln!(out, "{indent}{}", printable(line))?;
                    }
                }
            }
        }
    }
    if any {
        writeln!(
            out,
            "  = help: `playbook check` tells what changed in a stale step; once a translation matches its original, `playbook translations --stamp PATH`"
        )?;
    }
    if !matrix.ignored.is_empty() {
        writeln!(
            out,
            "\n{}",
            style.paint(Paint::Bold, "not counted (see `playbook check`):")
        )?;
        for f in &matrix.ignored {
            let why = match f.reason {
                Ignored::UnknownOriginal => {
                    format!("no original `{}` (E0701)", f.translation_of)
                }
                Ignored::Duplicate => format!(
                    "a second translation of `{}` into {} (E0709)",
                    f.translation_of, f.lang
                ),
                Ignored::OwnLanguage => format!(
                    "a translation of `{}` into its own language (E0710)",
                    f.translation_of
                ),
            };
            writeln!(out, "  {}: {}", printable(&f.path), printable(&why))?;
        }
    }
    Ok(())
}

/// What `--stamp` did, one file per line, with the steps it could not stamp.
pub fn stamp_human(out: &mut dyn Write, reports: &[StampReport], style: Style) -> io::Result<()> {
    for r in reports {
        let stamped = r.steps.len();
        let summary = if r.written {
            format!(
                "stamped {stamped} step(s): {} marker(s) added, {} updated, {} already current",
                r.added, r.updated, r.current
            )
        } else {
            format!("all {stamped} step(s) already current: not written")
        };
        writeln!(out, "{}: {summary}", style.paint(Paint::Bold, &r.path))?;
        if !r.missing.is_empty() {
            let text = format!(
                "  not translated yet, nothing to stamp: {}",
                r.missing.join(", ")
            );
            writeln!(out, "{}", style.paint(Paint::Warning, &text))?;
        }
        if !r.unknown.is_empty() {
            let text = format!(
                "  not steps of `{}`, left alone: {}",
                r.translation_of,
                r.unknown.join(", ")
            );
            writeln!(out, "{}", style.paint(Paint::Warning, &text))?;
        }
    }
    Ok(())
}

/// Every situation with its step counts per language, and its labels.
pub fn situations_human(out: &mut dyn Write, rows: &[SituationRow]) -> io::Result<()> {
    let id_width = rows
        .iter()
        .map(|r| r.situation.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    write!(out, "{:id_width$}", "id")?;
    for lang in Lang::ALL {
        write!(out, "  {:>2}", lang.code())?;
    }
    writeln!(out, "  label")?;
    for row in rows {
        let star = if row.situation.headline { "*" } else { "" };
        write!(out, "{:id_width$}", row.situation.id)?;
        for lang in Lang::ALL {
            let n = row.steps[lang.code()];
            let cell = if n == 0 {
                "-".to_string()
            } else {
                n.to_string()
            };
            write!(out, "  {cell:>2}")?;
        }
        let labels: Vec<&str> = TAXONOMY_LANGS
            .iter()
            .filter_map(|l| row.situation.label_in(l))
            .collect();
        writeln!(out, "  {}{star}", printable(&labels.join(" / ")))?;
    }
    writeln!(
        out,
        "\n(* headline situation: every step needs phrases; - marks a gap)"
    )
}

/// The summary as a table for people: query last, since Thai and Persian text does not
/// line up in columns.
pub fn misses_human(
    out: &mut dyn Write,
    summary: &crate::misses::MissSummary,
    log: &std::path::Path,
) -> io::Result<()> {
    if summary.searches == 0 {
        return writeln!(out, "no misses logged in {}", log.display());
    }
    writeln!(
        out,
        "{} search(es) found nothing or only typo matches: {} distinct quer{} in {}",
        summary.searches,
        summary.distinct,
        if summary.distinct == 1 { "y" } else { "ies" },
        log.display()
    )?;
    let situation_width = summary
        .misses
        .iter()
        .filter_map(|g| g.closest_situation.as_ref().map(String::len))
        .max()
        .unwrap_or(0)
        .max("closest situation".len());
    writeln!(
        out,
        "\n{:>5}  {:>5}  {:20}  {:situation_width$}  query",
        "count", "typos", "last seen", "closest situation"
    )?;
    for g in &summary.misses {
        // Agents typed these: anything in them is shown, nothing reaches the terminal raw.
        let query = if g.query.is_empty() {
            "(no words: situation filter only)".into()
        } else {
            printable(&g.query)
        };
        writeln!(
            out,
            "{:>5}  {:>5}  {:20}  {:situation_width$}  {query}",
            g.count,
            g.fuzzy_only_searches,
            g.last_seen,
            g.closest_situation.as_deref().unwrap_or("-"),
        )?;
    }
    if summary.misses.len() < summary.distinct {
        writeln!(
            out,
            "\n({} more: use --limit N to see them)",
            summary.distinct - summary.misses.len()
        )?;
    }
    writeln!(
        out,
        "\n(typos: searches that found only typo matches; closest situation: where an answer might belong)"
    )
}
