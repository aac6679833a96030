//! Text for a terminal: wrapping by display width (Thai at word boundaries) and removing
//! what must never reach a terminal raw (escape sequences, bidi overrides).

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Wraps text to `width` columns. Lines break at spaces, and inside Thai text (which has
/// no spaces between words) at dictionary word boundaries, so that no combining mark is
/// ever split from its letter; a word wider than a whole line (a query typed without
/// spaces, a long address) is broken between grapheme clusters. Widths count terminal
/// columns, not characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    // Whether `line` has more than spaces (kept as a flag: trimming the line for every
    // piece made long paragraphs quadratic).
    let mut line_has_text = false;
    let pieces = break_opportunities(text)
        .into_iter()
        .flat_map(|piece| line_sized(piece, width));
    for (piece, piece_width) in pieces {
        let is_space = piece.trim().is_empty();
        if is_space && line.is_empty() {
            continue;
        }
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

/// `piece` with its width, or, when it is wider than `width`, in parts that each fit a line
/// (split between grapheme clusters, so a mark stays with its letter), each with its width.
fn line_sized(piece: &str, width: usize) -> Vec<(&str, usize)> {
    use unicode_segmentation::UnicodeSegmentation;
    let whole = display_width(piece);
    if whole <= width {
        return vec![(piece, whole)];
    }
    let mut parts = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (at, g) in piece.grapheme_indices(true) {
        let w = display_width(g);
        if used + w > width && at > start {
            parts.push((&piece[start..at], used));
            (start, used) = (at, 0);
        }
        used += w;
    }
    parts.push((&piece[start..], used));
    parts
}

/// Terminal columns of `text`: its length for printable ASCII (most pieces), else the sum
/// of its grapheme clusters' widths (combining marks take none, wide characters two).
///
/// Each cluster is measured on its own because measured whole, `unicode-width` counts a
/// lam-alef (the Persian "لا", as in "بالا") as one column, the way a font's ligature draws
/// it; a terminal gives each letter its own cell, so a wrapped Persian line ran a column past
/// the edge for every lam-alef in it and the terminal broke it again.
pub fn display_width(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        text.len()
    } else {
        text.graphemes(true).map(grapheme_width).sum()
    }
}

/// The cells one grapheme cluster may take: the larger of what Unicode says of the whole
/// cluster and the sum of its characters. Terminals disagree on emoji sequences (a family
/// joined by ZWJ is one glyph of two cells in some, three glyphs of two in others; a
/// variation selector widens a symbol in some only): the larger never runs past the edge.
fn grapheme_width(g: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let chars: usize = g.chars().map(|c| c.width().unwrap_or(0)).sum();
    UnicodeWidthStr::width(g).max(chars)
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

/// Whether a character must not reach a terminal as it is: C0 and C1 controls (ESC starts
/// escape sequences that clear the screen, write the clipboard or fake links; C1 `CSI`
/// does the same in one byte) and the bidi embeddings, overrides and isolates that make a
/// line read otherwise than it is written.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe`] character shown as U+FFFD, so an agent sees that
/// something was there: a playbook, a file name or a logged query can carry them.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// Cuts `text` to `width` columns, ending it with "…" when something was cut (between
/// grapheme clusters, so a Thai or Persian mark stays with its letter).
pub fn fit(text: &str, width: usize) -> Cow<'_, str> {
    use unicode_segmentation::UnicodeSegmentation;
    if display_width(text) <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let w = display_width(g);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        assert_eq!(printable("ok\x1b[2J"), "ok\u{FFFD}[2J");
        assert_eq!(printable("\u{9b}31m"), "\u{FFFD}31m");
        assert_eq!(printable("abc\u{202E}def"), "abc\u{FFFD}def");
        assert_eq!(
            printable("\x1b]52;c;aGk=\x07"),
            "\u{FFFD}]52;c;aGk=\u{FFFD}"
        );
        assert!(matches!(printable("مشتری سمی"), Cow::Borrowed(_)));
        assert!(matches!(printable("ลูกค้า\tok\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn fit_cuts_between_graphemes() {
        assert_eq!(fit("Jeg forstår din skuffelse", 10), "Jeg forst…");
        assert_eq!(fit("ที่นี่ที่นั่น", 3), "ที่นี่…");
        assert_eq!(fit("kort", 10), "kort");
    }
}
