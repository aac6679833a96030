//! Layout and drawing of the live UI into any ratatui frame.
//!
//! Widths: ratatui's buffer gives each grapheme cluster the cells its `unicode-width` width
//! says, so a Thai letter with its vowel and tone marks (`ที่`) takes one cell and a Persian
//! ZWNJ none — as terminals, which advance by each character's wcwidth, do too. But a span
//! is *placed* by the width of its whole string, and there `unicode-width` counts the
//! Persian/Arabic lam-alef pair (`لا`, as in `اطلاعات`) as one column where the cells (and
//! the terminal) have two: the next span would overwrite a letter. So every line is built by
//! [`line`], which keeps each span's string width equal to its cells, and text is measured
//! ([`cells`]), cut ([`fit`]) and wrapped ([`wrap`], Thai at dictionary word boundaries) in
//! cells, so a combining mark is never split from its letter.

use super::{App, EngineState, View};
use crate::render::view::SituationName;
use crate::render::{Label, StepView, wrap};
use crate::search::SearchResults;
use crate::taxonomy::Taxonomy;
use ratatui::Frame;
use ratatui::buffer::CellWidth;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, HighlightSpacing, List, ListItem, Paragraph};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Below this size the UI only says it needs more room.
const MIN_WIDTH: u16 = 30;
const MIN_HEIGHT: u16 = 8;

/// Styles; without colour, only bold, dim and reverse.
#[derive(Clone, Copy)]
struct Theme {
    color: bool,
}

impl Theme {
    fn paint(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }
    fn label(self) -> Style {
        self.paint(Color::Cyan)
    }
    fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    fn phrase(self) -> Style {
        self.paint(Color::Green).add_modifier(Modifier::BOLD)
    }
    fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    fn situation(self) -> Style {
        self.paint(Color::Magenta)
    }
    fn error(self) -> Style {
        self.paint(Color::Red).add_modifier(Modifier::BOLD)
    }
    fn notice(self) -> Style {
        self.paint(Color::Yellow)
    }
}

impl App {
    /// Draws the whole UI into `frame` (any size; 80×24 is the smallest comfortable one).
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = wrap(
                "playbook live: make the terminal larger",
                area.width as usize,
            );
            frame.render_widget(Paragraph::new(lines_of(text, Style::new())), area);
            return;
        }
        let [top, body, footer] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_query(frame, top);
        match self.view {
            View::Step { scroll } if self.selected().is_some() => {
                self.draw_step(frame, body, scroll)
            }
            _ => {
                self.view = View::List;
                self.draw_list(frame, body);
            }
        }
        let hints = match self.view {
            View::List => "↑↓ move · Enter open · Tab language · Esc clear · Ctrl-C quit",
            View::Step { .. } => "↑↓ PgUp PgDn scroll · o original · Esc back · q quit",
        };
        let hints = fit(vec![Span::raw(hints)], footer.width as usize);
        frame.render_widget(Paragraph::new(hints.style(self.theme().dim())), footer);
    }

    fn theme(&self) -> Theme {
        Theme { color: self.color }
    }

    fn taxonomy(&self) -> Option<&Taxonomy> {
        self.engine().map(|e| e.taxonomy())
    }

    fn draw_query(&self, frame: &mut Frame, area: Rect) {
        let theme = self.theme();
        let lang = match self.reading {
            Some(l) => format!("{} ({})", l.name(), l.code()),
            None => "as typed".to_string(),
        };
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Line::from(" playbook ").style(theme.title()))
            .title(
                Line::from(vec![
                    Span::raw(" language: "),
                    Span::styled(lang, theme.label().add_modifier(Modifier::BOLD)),
                    Span::raw(" · Tab "),
                ])
                .right_aligned(),
            );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let prompt = "› ";
        let room = (inner.width as usize).saturating_sub(cells(prompt) + 1);
        let visible = tail(&self.query, room);
        let mut spans = vec![Span::styled(prompt, theme.label()), Span::raw(visible)];
        if self.query.is_empty() {
            spans.push(Span::styled(
                "what is the caller saying? any language",
                theme.dim(),
            ));
        }
        frame.render_widget(Paragraph::new(line(spans)), inner);
        if self.view == View::List {
            let x = inner.x + (cells(prompt) + cells(visible)) as u16;
            frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), inner.y));
        }
    }

    fn draw_list(&mut self, frame: &mut Frame, area: Rect) {
        let theme = self.theme();
        let mut block = Block::bordered().border_type(BorderType::Rounded);
        let width = area.width.saturating_sub(4) as usize;
        let (left, right) = self.list_titles(width);
        block = block.title(left);
        if let Some(right) = right {
            block = block.title(right.right_aligned());
        }
        if !self.notices.is_empty() {
            let notice = fit(
                vec![Span::styled(
                    format!(" {} ", self.notices.join("; ")),
                    theme.notice(),
                )],
                width,
            );
            block = block.title_bottom(notice);
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        self.page = (inner.height / 2).max(1);
        let text_width = inner.width.saturating_sub(2) as usize;
        let message: Option<Vec<Line>> = if let EngineState::Failed(why) = &self.engine {
            Some(paragraphs(
                &[
                    ("The index could not be opened:", theme.error()),
                    (why, Style::new()),
                ],
                text_width,
            ))
        } else if let Some(why) = &self.search_error {
            Some(paragraphs(
                &[("The search failed:", theme.error()), (why, Style::new())],
                text_width,
            ))
        } else if self.query.trim().is_empty() {
            Some(welcome(theme, text_width))
        } else if self.results.is_none() {
            Some(paragraphs(
                &[(
                    "Opening the index… the results appear as soon as it is ready.",
                    theme.dim(),
                )],
                text_width,
            ))
        } else {
            None
        };
        if let Some(lines) = message {
            let [_, text_area] =
                Layout::horizontal([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            frame.render_widget(Paragraph::new(lines), text_area);
            return;
        }
        let results = self.results.as_ref().expect("checked above");
        if results.results.is_empty() {
            let lines = no_results(results, self.taxonomy(), theme, text_width);
            let [_, text_area] =
                Layout::horizontal([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            frame.render_widget(Paragraph::new(lines), text_area);
            return;
        }
        let selected = self.selected();
        let taxonomy = self.taxonomy();
        let items: Vec<ListItem> = results
            .results
            .iter()
            .enumerate()
            .map(|(i, hit)| {
                let view = StepView::of_hit(hit, results.reading, taxonomy);
                result_item(&view, Some(i) == selected, theme, text_width)
            })
            .collect();
        let list = List::new(items)
            .highlight_symbol("▶ ")
            .highlight_spacing(HighlightSpacing::Always)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
        self.list.select(selected);
        frame.render_stateful_widget(list, inner, &mut self.list);
    }

    /// The results box's titles: what the query was understood as, and the position.
    fn list_titles(&self, width: usize) -> (Line<'static>, Option<Line<'static>>) {
        let theme = self.theme();
        let Some(results) = &self.results else {
            let text = match self.engine {
                EngineState::Opening => " opening the index… ",
                _ => " results ",
            };
            return (Line::from(text).style(theme.dim()), None);
        };
        let n = results.results.len();
        let count = match n {
            0 => "no steps".to_string(),
            1 => "1 step".to_string(),
            n if n >= super::LIVE_LIMIT => format!("top {n} steps"),
            n => format!("{n} steps"),
        };
        let mut spans = vec![Span::raw(" ")];
        if let Some(persian) = &results.read_as {
            spans.push(Span::styled("Read as Persian: ", theme.label()));
            spans.push(Span::styled(persian.clone(), theme.situation()));
            spans.push(Span::raw(" · "));
        }
        if !results.situations.is_empty() {
            let names: Vec<String> = results
                .situations
                .iter()
                .map(|id| situation_label(self.taxonomy(), id))
                .collect();
            spans.push(Span::styled("Situation: ", theme.label()));
            spans.push(Span::styled(names.join(", "), theme.situation()));
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::raw(count));
        if results.fuzzy_only {
            spans.push(Span::styled(" · by close spelling", theme.dim()));
        }
        spans.push(Span::raw(" "));
        let right = self
            .selected()
            .map(|i| Line::from(format!(" {}/{n} ", i + 1)).style(theme.dim()));
        let room = width.saturating_sub(right.as_ref().map_or(0, Line::width) + 1);
        (fit(spans, room), right)
    }

    fn draw_step(&mut self, frame: &mut Frame, area: Rect, scroll: u16) {
        let theme = self.theme();
        let Some(hit) = self
            .selected()
            .and_then(|i| self.results.as_ref().map(|r| &r.results[i]))
        else {
            return;
        };
        let reading = match (&self.results, self.original) {
            (Some(results), false) => results.reading,
            _ => hit.record().lang,
        };
        let view = StepView::of_hit(hit, reading, self.taxonomy());
        let width = area.width.saturating_sub(4) as usize;
        let right = Line::from(" Esc back ").style(theme.dim());
        let left = fit(
            vec![
                Span::raw(" "),
                Span::styled(format!("[{}] ", view.lang), theme.label()),
                Span::raw(one_line(&view.trail[0])),
                Span::raw(" "),
            ],
            width.saturating_sub(right.width() + 1),
        );
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(left)
            .title(right.right_aligned());
        let inner = block.inner(area);
        let [_, text_area, _] = Layout::horizontal([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(inner);
        let lines = step_lines(&view, theme, text_area.width as usize);
        let height = text_area.height;
        let max_scroll =
            u16::try_from(lines.len().saturating_sub(height as usize)).unwrap_or(u16::MAX);
        let scroll = scroll.min(max_scroll);
        let block = if max_scroll > 0 {
            let last = (scroll as usize + height as usize).min(lines.len());
            block.title_bottom(
                Line::from(format!(" lines {}–{last} of {} ", scroll + 1, lines.len()))
                    .style(theme.dim())
                    .right_aligned(),
            )
        } else {
            block
        };
        self.max_scroll = max_scroll;
        self.page = height.max(1);
        self.view = View::Step { scroll };
        frame.render_widget(block, area);
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), text_area);
    }
}

/// One result in the list: its title and where it is from, then what to say (or the
/// English line). The selected one shows its first phrase whole (up to
/// [`SELECTED_PHRASE_ROWS`] rows), so an agent can say it without opening the step; the
/// others show as much of it as one row holds, cut between words.
fn result_item(view: &StepView, selected: bool, theme: Theme, width: usize) -> ListItem<'static> {
    let trail = view.trail.get(1).unwrap_or(&view.trail[0]);
    let head = fit(
        vec![
            Span::styled(format!("[{}] ", view.lang), theme.label()),
            Span::styled(one_line(&view.title), theme.title()),
            Span::styled(format!("  {}", one_line(trail)), theme.dim()),
        ],
        width,
    );
    // Without a phrase, the English line; without that (an introduction), what it says.
    let (text, style) = match view.say.first() {
        Some(phrase) => (phrase.quoted(), theme.phrase()),
        None if !view.english.trim().is_empty() => (view.english.clone(), theme.dim()),
        None => (view.guidance_line(), theme.dim()),
    };
    let rows = if selected { SELECTED_PHRASE_ROWS } else { 1 };
    let indent = "     ";
    let mut lines = wrap(
        &one_line(&text),
        width.saturating_sub(cells(indent) + 2).max(6),
    );
    if lines.len() > rows {
        lines.truncate(rows);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    let mut item = vec![head];
    item.extend(
        lines
            .into_iter()
            .map(|l| line(vec![Span::raw(indent), Span::styled(l, style)])),
    );
    ListItem::new(item)
}

/// Rows the selected result's first phrase may take in the list.
const SELECTED_PHRASE_ROWS: usize = 3;

/// A step in full: what to say first, then what to do, the English line and the source.
fn step_lines(view: &StepView, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let width = width.max(10);
    let mut lines = Vec::new();
    if let Some(section) = view.trail.get(1) {
        lines.extend(lines_of(wrap(section, width), theme.dim()));
    }
    lines.extend(lines_of(wrap(&view.headline(), width), theme.title()));
    if let Some(note) = view.origin.note() {
        lines.extend(lines_of(wrap(&note, width), theme.notice()));
    }
    if !view.situations.is_empty() {
        let text = format!(
            "{}: {}",
            Label::Situations.text(),
            SituationName::join(&view.situations)
        );
        lines.extend(lines_of(wrap(&text, width), theme.situation()));
    }
    let inner = width.saturating_sub(4).max(6);
    let mut part = |label: Label, body: Vec<Line<'static>>| {
        if body.is_empty() {
            return;
        }
        lines.push(Line::default());
        lines.push(Line::styled(format!("{}:", label.text()), theme.label()));
        lines.extend(body);
    };
    let bullets = |items: &[String], style: Style| -> Vec<Line<'static>> {
        let mut out = Vec::new();
        for item in items {
            for (i, text) in wrap(&one_line(item), inner).into_iter().enumerate() {
                let bullet = if i == 0 { "  • " } else { "    " };
                out.push(line(vec![Span::raw(bullet), Span::styled(text, style)]));
            }
        }
        out
    };
    let quoted: Vec<String> = view.say.iter().map(|p| p.quoted()).collect();
    part(Label::Say, bullets(&quoted, theme.phrase()));
    let mut guidance = Vec::new();
    for para in &view.guidance {
        guidance.extend(indented(wrap(para, inner), "    ", Style::new()));
    }
    part(view.guidance_label, guidance);
    if !view.english.trim().is_empty() {
        part(
            Label::English,
            indented(wrap(&one_line(&view.english), inner), "    ", Style::new()),
        );
    }
    for (label, items) in view.lists() {
        part(label, bullets(items, Style::new()));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        format!("{} · playbook show {}", view.location, view.id),
        theme.dim(),
    ));
    lines
}

fn welcome(theme: Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = lines_of(
        wrap(
            "Type what the caller says, or the situation, in any language:",
            width,
        ),
        Style::new(),
    );
    lines.extend(indented(
        wrap(
            "abusive caller · vil tale med chefen · ลูกค้าขอเงินคืน · مشتری سمی",
            width.saturating_sub(2),
        ),
        "  ",
        theme.phrase(),
    ));
    lines.push(Line::default());
    for (keys, what) in [
        ("↑ ↓  Ctrl-N Ctrl-P", "choose a step"),
        ("Enter", "open it: what to say, what to do"),
        ("Tab  Shift-Tab", "language: all, fa, ro, th, da"),
        ("Esc", "clear the query, or go back"),
        ("Ctrl-W  Ctrl-U", "delete a word, the whole query"),
        ("Ctrl-C  q", "quit (q in a step's view)"),
    ] {
        lines.push(fit(
            vec![
                Span::styled(format!("{keys:<20}"), theme.label()),
                Span::raw(what),
            ],
            width,
        ));
    }
    lines
}

fn no_results(
    results: &SearchResults,
    taxonomy: Option<&Taxonomy>,
    theme: Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let mut text = vec![(
        format!("No steps found for “{}”.", results.query.trim()),
        theme.title(),
    )];
    if !results.suggestions.is_empty() {
        let names: Vec<String> = results
            .suggestions
            .iter()
            .map(|id| situation_label(taxonomy, id))
            .collect();
        text.push((
            format!("Did you mean: {}?", names.join(", ")),
            theme.situation(),
        ));
    }
    let hint = "Try other words, in any language.";
    text.push((hint.to_string(), theme.dim()));
    let borrowed: Vec<(&str, Style)> = text.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    paragraphs(&borrowed, width)
}

fn situation_label(taxonomy: Option<&Taxonomy>, id: &str) -> String {
    taxonomy
        .and_then(|t| t.get(id))
        .map_or_else(|| id.to_string(), |s| format!("{} ({id})", s.label))
}

/// Paragraphs wrapped to `width`, with a blank line between them.
fn paragraphs(texts: &[(&str, Style)], width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, (text, style)) in texts.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        lines.extend(lines_of(wrap(&one_line(text), width), *style));
    }
    lines
}

fn lines_of(texts: Vec<String>, style: Style) -> Vec<Line<'static>> {
    texts
        .into_iter()
        .map(|t| line(vec![Span::styled(t, style)]))
        .collect()
}

fn indented(texts: Vec<String>, indent: &'static str, style: Style) -> Vec<Line<'static>> {
    texts
        .into_iter()
        .map(|t| line(vec![Span::raw(indent), Span::styled(t, style)]))
        .collect()
}

/// Text on one line: line breaks and tabs become spaces (control characters take no cell).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cells one grapheme cluster takes in ratatui's buffer (none for control characters,
/// which it leaves out).
fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        g.cell_width() as usize
    }
}

/// The columns `text` takes on the terminal: the sum of its grapheme clusters' cells.
fn cells(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

/// A line whose spans are placed where their cells are: a span whose string width differs
/// from its cells (a lam-alef inside) is split into one span per grapheme cluster.
fn line<'a>(spans: Vec<Span<'a>>) -> Line<'a> {
    if spans.iter().all(|s| s.content.width() == cells(&s.content)) {
        return Line::from(spans);
    }
    let mut out = Vec::new();
    for span in spans {
        if span.content.width() == cells(&span.content) {
            out.push(span);
        } else {
            out.extend(
                span.content
                    .graphemes(true)
                    .map(|g| Span::styled(g.to_string(), span.style)),
            );
        }
    }
    Line::from(out)
}

/// Cuts styled text to `width` columns, ending it with "…" when something was cut. Cuts
/// fall between grapheme clusters, so a Thai or Persian mark always stays with its letter.
fn fit(spans: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let total: usize = spans.iter().map(|s| cells(&s.content)).sum();
    if total <= width {
        return line(spans);
    }
    let budget = width.saturating_sub(1);
    let mut used = 0;
    let mut out = Vec::new();
    let mut last_style = Style::new();
    'spans: for span in spans {
        let mut text = String::new();
        last_style = span.style;
        for g in span.content.graphemes(true) {
            let w = grapheme_width(g);
            if used + w > budget {
                if !text.is_empty() {
                    out.push(Span::styled(text, span.style));
                }
                break 'spans;
            }
            used += w;
            text.push_str(g);
        }
        out.push(Span::styled(text, span.style));
    }
    if width > 0 {
        out.push(Span::styled("…", last_style));
    }
    line(out)
}

/// The end of `text` that fits in `width` columns (the query line shows what was typed last).
fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    let mut start = text.len();
    for (i, g) in text.grapheme_indices(true).rev() {
        let w = grapheme_width(g);
        if used + w > width {
            break;
        }
        used += w;
        start = i;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Repo, load_corpus};
    use crate::engine::Engine;
    use crate::index::StepRecord;
    use crate::search::Hit;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::sync::{Arc, OnceLock};
    use unicode_width::UnicodeWidthChar;

    /// The repository's own tree, with the shipped playbooks.
    fn shipped() -> Repo {
        Repo {
            root: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// One engine on a temporary copy of the shipped playbooks, shared by the tests.
    fn engine() -> Arc<Engine> {
        static ENGINE: OnceLock<(tempfile::TempDir, Arc<Engine>)> = OnceLock::new();
        let (_, engine) = ENGINE.get_or_init(|| {
            let dir = crate::testing::shipped_copy();
            let repo = Repo {
                root: dir.path().to_path_buf(),
            };
            let (engine, _) = Engine::open(&repo).unwrap();
            (dir, Arc::new(engine))
        });
        Arc::clone(engine)
    }

    /// A shipped step, as a result (independent of ranking, so snapshots follow content only).
    fn hit(playbook: &str, step: &str) -> Hit {
        let corpus = load_corpus(&shipped());
        let p = corpus
            .playbooks
            .iter()
            .find(|p| p.id == playbook)
            .unwrap_or_else(|| panic!("no playbook {playbook}"));
        let s = p.step(step).unwrap_or_else(|| panic!("no step {step}"));
        Hit::new(StepRecord::new(p, s), Vec::new(), 1.0)
    }

    fn results(query: &str, situations: &[&str], hits: Vec<Hit>) -> SearchResults {
        SearchResults {
            query: query.to_string(),
            situations: situations.iter().map(|s| s.to_string()).collect(),
            query_lang: None,
            read_as: None,
            reading: crate::model::Lang::En,
            results: hits,
            suggestions: Vec::new(),
            fuzzy_only: false,
        }
    }

    /// An app with the shipped taxonomy, showing `results` for `query`.
    fn app_showing(query: &str, results: SearchResults) -> App {
        let mut app = App::new(false);
        app.engine = EngineState::Ready(engine());
        app.query = query.to_string();
        app.results = Some(results);
        app.stale = false;
        app.list.select(Some(0));
        app
    }

    fn render(app: &mut App) -> Terminal<TestBackend> {
        render_at(app, 80, 24)
    }

    fn render_at(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| app.draw(f)).unwrap();
        terminal
    }

    fn key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn manager_results() -> SearchResults {
        let mut top = hit("da-vrede-klienter", "respect-manager-request");
        top.matched_situations = vec!["manager-request".to_string()];
        results(
            "manager request",
            &["manager-request"],
            vec![
                top,
                hit("fa-angry-customers-eight-tips", "ask-for-help"),
                hit(
                    "ro-dissatisfied-customers",
                    "clarify-what-the-customer-wants",
                ),
                hit("th-unhappy-customers", "close-the-issue"),
            ],
        )
    }

    #[test]
    fn snapshot_welcome() {
        let mut app = App::new(false);
        app.engine = EngineState::Ready(engine());
        insta::assert_snapshot!(render(&mut app).backend());
    }

    #[test]
    fn snapshot_opening_the_index() {
        let mut app = App::new(false);
        app.set_query("manager request");
        app.refresh();
        insta::assert_snapshot!(render(&mut app).backend());
    }

    #[test]
    fn snapshot_results_list() {
        let mut app = app_showing("manager request", manager_results());
        key(&mut app, KeyCode::Down);
        insta::assert_snapshot!(render(&mut app).backend());
    }

    #[test]
    fn snapshot_step_view() {
        let mut app = app_showing("manager request", manager_results());
        key(&mut app, KeyCode::Enter);
        insta::assert_snapshot!(render(&mut app).backend());
        // Scrolling stops at the end; Esc goes back to the list.
        for _ in 0..50 {
            key(&mut app, KeyCode::Down);
            render(&mut app);
        }
        let View::Step { scroll } = app.view else {
            panic!("not in step view")
        };
        assert_eq!(scroll, app.max_scroll);
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.view, View::List);
    }

    #[test]
    fn snapshot_no_results() {
        let mut r = results("qwxz zzkk", &[], Vec::new());
        r.suggestions = vec!["manager-request".to_string()];
        let mut app = app_showing("qwxz zzkk", r);
        app.reading = Some(crate::model::Lang::Th);
        insta::assert_snapshot!(render(&mut app).backend());
    }

    #[test]
    fn snapshot_thai_result() {
        let mut app = app_showing(
            "ลูกค้าขอเงินคืน",
            results(
                "ลูกค้าขอเงินคืน",
                &["refund-demand"],
                vec![
                    hit("th-unhappy-customers", "close-the-issue"),
                    hit("th-unhappy-customers", "listen-actively"),
                    hit("th-unhappy-customers", "accept-the-blame"),
                ],
            ),
        );
        insta::assert_snapshot!("thai_list", render(&mut app).backend());
        key(&mut app, KeyCode::Enter);
        insta::assert_snapshot!("thai_step", render(&mut app).backend());
    }

    #[test]
    fn snapshot_persian_result() {
        let mut app = app_showing(
            "مشتری سمی",
            results(
                "مشتری سمی",
                &[],
                vec![
                    hit("fa-toxic-customers", "what-is-a-toxic-customer"),
                    hit("fa-toxic-customers", "stay-professional"),
                    hit("fa-angry-customers-eight-tips", "stay-calm"),
                ],
            ),
        );
        insta::assert_snapshot!("persian_list", render(&mut app).backend());
        key(&mut app, KeyCode::Enter);
        insta::assert_snapshot!("persian_step", render(&mut app).backend());
    }

    #[test]
    fn typing_searches_with_the_engine_and_enter_opens_the_manager_step() {
        let mut app = App::new(false);
        app.set_engine(Ok(engine()), Vec::new());
        for c in "manager request".chars() {
            key(&mut app, KeyCode::Char(c));
            app.refresh();
            render(&mut app);
        }
        let top = &app.results().unwrap().results[0].record();
        assert_eq!(top.step, "respect-manager-request");
        key(&mut app, KeyCode::Enter);
        let screen = render(&mut app).backend().to_string();
        // Read in English (the query's language): the translation, marked as one.
        assert!(
            screen.contains("Respect the customer's request"),
            "{screen}"
        );
        assert!(screen.contains("translated from Danish"), "{screen}");
        // `o` shows the original.
        key(&mut app, KeyCode::Char('o'));
        let screen = render(&mut app).backend().to_string();
        assert!(screen.contains("Respekter klientens anmodning"), "{screen}");
        // Tab changes the reading language: the same steps, shown in Thai.
        key(&mut app, KeyCode::Esc);
        for _ in 0..4 {
            key(&mut app, KeyCode::Tab);
        }
        assert_eq!(app.reading(), Some(crate::model::Lang::Th));
        app.refresh();
        let results = app.results().unwrap();
        assert_eq!(results.results[0].record().step, "respect-manager-request");
        assert!(
            results
                .results
                .iter()
                .all(|h| h.shown.lang == crate::model::Lang::Th)
        );
    }

    /// The text of row `y` as the terminal shows it (cells hidden by a wide one left out).
    fn row(buffer: &ratatui::buffer::Buffer, y: u16) -> String {
        let mut text = String::new();
        let mut x = 0;
        while x < buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            text.push_str(symbol);
            x += grapheme_width(symbol).max(1) as u16;
        }
        text
    }

    /// Every grapheme of the shipped playbooks takes as many cells as the sum of its
    /// characters' widths, which is how terminals (wcwidth) advance the cursor; and every
    /// span [`line`] builds is placed by a width equal to its cells.
    #[test]
    fn thai_and_persian_take_the_columns_the_terminal_gives_them() {
        let corpus = load_corpus(&shipped());
        let mut lam_alef = 0;
        for p in &corpus.playbooks {
            for s in &p.steps {
                let r = StepRecord::new(p, s);
                for text in [&r.title, &r.text, &r.gloss].into_iter().chain(&r.phrases) {
                    for g in text.graphemes(true) {
                        if g.chars().any(char::is_control) {
                            continue;
                        }
                        let chars: usize = g.chars().map(|c| c.width().unwrap_or(0)).sum();
                        assert_eq!(grapheme_width(g), chars, "{g:?} in {}#{}", p.id, s.id);
                    }
                    let text = one_line(text);
                    if text.width() != cells(&text) {
                        lam_alef += 1;
                    }
                    for span in line(vec![Span::raw(text.clone())]).spans {
                        assert_eq!(span.content.width(), cells(&span.content), "{text}");
                    }
                    for piece in wrap(&text, 40) {
                        assert!(cells(&piece) <= 40, "{piece}");
                    }
                }
            }
        }
        // The shipped Persian has lam-alef pairs: the case above is really tested.
        assert!(lam_alef > 0);
    }

    /// An introduction has no phrase and no English line: its row shows what it says.
    #[test]
    fn an_introduction_shows_what_it_says_in_the_list() {
        let query = "clientul are mereu dreptate";
        let mut app = app_showing(
            query,
            results(
                query,
                &[],
                vec![hit("ro-dissatisfied-customers", "introduction")],
            ),
        );
        let terminal = render(&mut app);
        let head = row(terminal.backend().buffer(), 4);
        assert!(head.contains("[ro] Introducere"), "{head}");
        let text = row(terminal.backend().buffer(), 5);
        assert!(text.contains("Orice loc de muncă"), "{text}");
    }

    /// A Persian title with a lam-alef (اطلاعات) keeps its last letter when the next span
    /// follows it, and the rows stay exactly as wide as the terminal.
    #[test]
    fn persian_lam_alef_titles_are_not_overwritten() {
        let mut app = app_showing(
            "مشتری سمی",
            results(
                "مشتری سمی",
                &[],
                vec![hit("fa-toxic-customers", "give-clear-information")],
            ),
        );
        let terminal = render(&mut app);
        let first = row(terminal.backend().buffer(), 4);
        assert!(first.contains("ارائه اطلاعات شفاف  چگونه"), "{first}");
        key(&mut app, KeyCode::Enter);
        let terminal = render(&mut app);
        let screen: Vec<String> = (0..24)
            .map(|y| row(terminal.backend().buffer(), y))
            .collect();
        assert!(
            screen.iter().any(|r| r.contains("│ ارائه اطلاعات شفاف ")),
            "{screen:#?}"
        );
    }

    /// Every row of a rendered screen is exactly as wide as the terminal, counting each cell
    /// by what it holds, and the right border is in the last column.
    #[test]
    fn rows_keep_their_width_with_thai_and_persian() {
        for (width, height) in [(80, 24), (100, 30), (41, 12)] {
            for mut app in [
                app_showing(
                    "ลูกค้าขอเงินคืน",
                    results(
                        "ลูกค้าขอเงินคืน",
                        &[],
                        vec![
                            hit("th-unhappy-customers", "close-the-issue"),
                            hit("th-unhappy-customers", "keep-your-cool"),
                        ],
                    ),
                ),
                app_showing(
                    "مشتری سمی",
                    results(
                        "مشتری سمی",
                        &[],
                        vec![hit("fa-toxic-customers", "stay-professional")],
                    ),
                ),
            ] {
                for _ in 0..2 {
                    let terminal = render_at(&mut app, width, height);
                    let buffer = terminal.backend().buffer();
                    for y in 0..height {
                        let mut columns = 0;
                        let mut x = 0;
                        while x < width {
                            let cell = &buffer[(x, y)];
                            let w = cell.symbol().width().max(1);
                            columns += w;
                            x += w as u16;
                        }
                        assert_eq!(columns, width as usize, "row {y} at {width}x{height}");
                        // The right border is in the last column.
                        let last = buffer[(width - 1, y)].symbol();
                        if y > 0 && y < height - 1 {
                            assert!(
                                ["│", "╮", "╯"].contains(&last),
                                "row {y}: {last:?} at {width}x{height}"
                            );
                        }
                    }
                    key(&mut app, KeyCode::Enter);
                }
            }
        }
    }

    #[test]
    fn fit_cuts_between_graphemes_with_an_ellipsis() {
        let line = fit(vec![Span::raw("ที่ดีที่สุด")], 4);
        assert_eq!(line.to_string(), "ที่ดีที่…");
        assert_eq!(line.width(), 4);
        assert_eq!(fit(vec![Span::raw("short")], 10).to_string(), "short");
        let line = fit(vec![Span::raw("ab"), Span::raw("cdef")], 4);
        assert_eq!(line.to_string(), "abc…");
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("ลูกค้า", 3), "กค้า");
    }

    #[test]
    fn resizing_keeps_the_layout_whole() {
        let mut app = app_showing("manager request", manager_results());
        for (w, h) in [(80, 24), (120, 40), (40, 10), (20, 5), (80, 24)] {
            let terminal = render_at(&mut app, w, h);
            let screen = terminal.backend().to_string();
            if w >= MIN_WIDTH && h >= MIN_HEIGHT {
                assert!(screen.contains("manager request"), "{screen}");
            } else {
                assert!(screen.contains("larger"), "{screen}");
            }
        }
    }
}
