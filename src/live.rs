//! `playbook live`: search as you type, in a full-screen terminal UI (ratatui + crossterm).
//!
//! The UI shows at once; the engine (index freshness check, update or rebuild) is opened in a
//! background thread and swapped in when ready, so typing never waits on the index. The
//! same thread (a [`Follower`]) watches `playbooks/` and hands over a new engine after every
//! edit, so an agent who keeps `live` open all shift sees corrections within a second. Every
//! keystroke re-runs the same [`Engine::search`] as `playbook search`, on the keys read so
//! far (keys that arrive together, as in a paste, make one search).
//!
//! [`App`] is the state and its key handling, with no terminal in it; [`App::draw`] (in
//! `ui`) lays it out into any ratatui frame, so tests render it into a `TestBackend` and the
//! benchmark measures exactly what a keystroke costs. The terminal is put back (raw mode
//! off, main screen) on every way out: return, error, panic, SIGTERM and SIGINT.

mod terminal;
mod ui;

use crate::corpus::Repo;
use crate::engine::{Engine, Follower, Update};
use crate::error::{Error, Result};
use crate::model::Lang;
use crate::search::{SearchRequest, SearchResults};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::widgets::ListState;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How many results a live search asks for (a screenful and some to scroll through).
pub const LIVE_LIMIT: usize = 30;

/// How often the loop wakes up without input: to pick up the engine, or a signal to stop.
const TICK: Duration = Duration::from_millis(50);

/// Where the engine is.
enum EngineState {
    /// Being opened (index checked, updated or rebuilt) in the background.
    Opening,
    Ready(Arc<Engine>),
    /// It could not be opened: why.
    Failed(String),
}

/// What the event loop does after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Redraw the whole screen (Ctrl-L), in case something else wrote on it.
    Redraw,
    Quit,
}

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    List,
    /// One result in full, scrolled down by `scroll` lines.
    Step {
        scroll: u16,
    },
}

/// The live UI's state: the query, the language filter, the results and the selection.
pub struct App {
    query: String,
    /// The language the agent reads results in (Tab changes it); `None`: the query's own
    /// language, else `fallback`.
    reading: Option<Lang>,
    fallback: Lang,
    /// The open step shows its original instead of the translation (`o`).
    original: bool,
    engine: EngineState,
    results: Option<SearchResults>,
    /// The last search failed: why.
    search_error: Option<String>,
    /// The query or the filter changed since the last search.
    stale: bool,
    list: ListState,
    view: View,
    /// What opening the engine reported (index rebuilt, files skipped), shown until a key.
    notices: Vec<String>,
    color: bool,
    /// Rows the last drawn body had, for PageUp/PageDown.
    page: u16,
    /// How far the last drawn step could scroll.
    max_scroll: u16,
}

impl App {
    /// A new UI with no engine yet: it searches as soon as [`App::set_engine`] gives one.
    pub fn new(color: bool) -> Self {
        App {
            query: String::new(),
            reading: None,
            fallback: Lang::En,
            original: false,
            engine: EngineState::Opening,
            results: None,
            search_error: None,
            stale: false,
            list: ListState::default(),
            view: View::List,
            notices: Vec::new(),
            color,
            page: 10,
            max_scroll: 0,
        }
    }

    /// Swaps in the engine (or why it could not be opened), with its notices. A failure
    /// to reopen after an edit keeps the engine there is: an answer from before the edit
    /// beats none mid-call.
    pub fn set_engine(
        &mut self,
        engine: std::result::Result<Arc<Engine>, String>,
        notices: Vec<String>,
    ) {
        match engine {
            Ok(engine) => self.engine = EngineState::Ready(engine),
            Err(why) if matches!(self.engine, EngineState::Ready(_)) => {
                self.notices = vec![format!("could not refresh: {why}")];
                return;
            }
            Err(why) => self.engine = EngineState::Failed(why),
        }
        self.notices = notices;
        self.stale = true;
    }

    /// Takes the follower's newest update, if any; true when the screen must be redrawn.
    pub fn follow(&mut self, follower: &Follower) -> bool {
        match follower.latest() {
            Some(Update::Engine(engine, notices)) => {
                let notices = notices.iter().map(ToString::to_string).collect();
                self.set_engine(Ok(engine), notices);
                true
            }
            Some(Update::Failed(why)) => {
                self.set_engine(Err(why), Vec::new());
                true
            }
            None => false,
        }
    }

    /// Replaces the query (as if typed), for tests and benchmarks.
    pub fn set_query(&mut self, query: &str) {
        self.query = query.to_string();
        self.view = View::List;
        self.stale = true;
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// The language results are shown in (`None`: the query's own).
    pub fn reading(&self) -> Option<Lang> {
        self.reading
    }

    /// Shows results in `lang` (the agent's chosen reading language; `None`: each query's
    /// own, else `fallback`).
    pub fn set_reading(&mut self, lang: Option<Lang>, fallback: Lang) {
        self.reading = lang;
        self.fallback = fallback;
        self.stale = true;
    }

    /// The results shown, if a search ran for the current query.
    pub fn results(&self) -> Option<&SearchResults> {
        self.results.as_ref()
    }

    /// Runs the search if the query or the filter changed and the engine is ready.
    pub fn refresh(&mut self) {
        if !self.stale {
            return;
        }
        let EngineState::Ready(engine) = &self.engine else {
            return;
        };
        self.stale = false;
        self.search_error = None;
        self.list.select(Some(0));
        *self.list.offset_mut() = 0;
        if self.query.trim().is_empty() {
            self.results = None;
            return;
        }
        let request = SearchRequest {
            query: self.query.clone(),
            langs: Vec::new(),
            situations: Vec::new(),
            limit: LIVE_LIMIT,
            reading: match self.reading {
                Some(lang) => crate::search::Reading::In(lang),
                None => crate::search::Reading::Auto {
                    fallback: self.fallback,
                },
            },
        };
        match engine.search(&request) {
            Ok(results) => self.results = Some(results),
            Err(e) => {
                self.results = None;
                self.search_error = Some(e.to_string());
            }
        }
    }

    /// Handles one terminal event.
    pub fn handle_event(&mut self, event: Event) -> Flow {
        match event {
            Event::Key(key) => self.handle_key(key),
            Event::Paste(text) => {
                self.notices.clear();
                let text: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                self.type_text(&text);
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }

    /// Handles one key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Flow {
        if key.kind == KeyEventKind::Release {
            return Flow::Continue;
        }
        self.notices.clear();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let in_step = matches!(self.view, View::Step { .. });
        match key.code {
            KeyCode::Char('c') if ctrl => return Flow::Quit,
            KeyCode::Char('l') if ctrl => return Flow::Redraw,
            KeyCode::Up => self.move_by(-1),
            KeyCode::Char('p') if ctrl => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Char('n') if ctrl => self.move_by(1),
            KeyCode::PageUp => self.move_by(-i32::from(self.page.max(1))),
            KeyCode::PageDown => self.move_by(i32::from(self.page.max(1))),
            KeyCode::Home if in_step => self.view = View::Step { scroll: 0 },
            KeyCode::End if in_step => {
                self.view = View::Step {
                    scroll: self.max_scroll,
                }
            }
            KeyCode::Tab => self.cycle_reading(true),
            KeyCode::BackTab => self.cycle_reading(false),
            KeyCode::Char('o') if in_step && !ctrl && !alt => self.original = !self.original,
            KeyCode::Enter => self.open_selected(),
            KeyCode::Esc if in_step => self.view = View::List,
            KeyCode::Esc => self.edit(String::clear),
            KeyCode::Backspace if in_step => self.view = View::List,
            KeyCode::Backspace => self.edit(|q| {
                q.pop();
            }),
            KeyCode::Char('u') if ctrl => self.edit(String::clear),
            KeyCode::Char('w') if ctrl => self.edit(delete_word),
            // In the list, q is a letter like any other, even first: a query may start with
            // it ("question about a refund", Persian in Latin letters "qat kon").
            KeyCode::Char('q') if !ctrl && !alt && in_step => return Flow::Quit,
            KeyCode::Char(c) if !ctrl && !alt => self.type_text(&c.to_string()),
            _ => {}
        }
        Flow::Continue
    }

    /// Appends typed text to the query (going back to the list from a step).
    fn type_text(&mut self, text: &str) {
        self.view = View::List;
        self.edit(|q| q.push_str(text));
    }

    fn edit(&mut self, change: impl FnOnce(&mut String)) {
        let old = self.query.clone();
        change(&mut self.query);
        if self.query != old {
            self.stale = true;
        }
    }

    /// auto → en → fa → ro → th → da → auto (or backwards).
    fn cycle_reading(&mut self, forward: bool) {
        let order: Vec<Option<Lang>> = std::iter::once(None)
            .chain(Lang::READING.into_iter().map(Some))
            .collect();
        let i = order.iter().position(|l| *l == self.reading).unwrap_or(0);
        let n = order.len();
        self.reading = order[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.view = View::List;
        self.stale = true;
    }

    fn hit_count(&self) -> usize {
        self.results.as_ref().map_or(0, |r| r.results.len())
    }

    fn selected(&self) -> Option<usize> {
        let n = self.hit_count();
        (n > 0).then(|| self.list.selected().unwrap_or(0).min(n - 1))
    }

    fn move_by(&mut self, delta: i32) {
        match self.view {
            View::List => {
                let n = self.hit_count();
                if n == 0 {
                    return;
                }
                let current = self.selected().unwrap_or(0) as i64;
                let next = (current + i64::from(delta)).clamp(0, n as i64 - 1);
                self.list.select(Some(next as usize));
            }
            View::Step { scroll } => {
                let next = (i32::from(scroll) + delta).clamp(0, i32::from(self.max_scroll));
                self.view = View::Step {
                    scroll: next as u16,
                };
            }
        }
    }

    fn open_selected(&mut self) {
        if self.view == View::List && self.selected().is_some() && !self.stale {
            self.view = View::Step { scroll: 0 };
        }
    }

    fn engine(&self) -> Option<&Engine> {
        match &self.engine {
            EngineState::Ready(engine) => Some(engine),
            _ => None,
        }
    }
}

/// Ctrl-W: deletes the last word and the spaces after it.
fn delete_word(query: &mut String) {
    let trimmed = query.trim_end().len();
    query.truncate(trimmed);
    let start = query.rfind(char::is_whitespace).map_or(0, |i| {
        i + query[i..].chars().next().map_or(1, char::len_utf8)
    });
    query.truncate(start);
}

/// Runs the live UI on the terminal until the agent quits.
pub fn run(repo: Repo, color: bool, reading: Option<Lang>, fallback: Lang) -> Result<()> {
    let follower = Follower::start(repo).map_err(term_err)?;
    let stop = Arc::new(AtomicBool::new(false));
    terminal::on_signals(&stop).map_err(term_err)?;
    terminal::watch_tty().map_err(term_err)?;
    let mut term = terminal::Term::enter().map_err(term_err)?;
    let mut app = App::new(color);
    app.set_reading(reading, fallback);
    let mut dirty = true;
    let mut clear = false;
    // For the end-to-end test of the panic path (tests/live_tmux.rs).
    let panic_after_draw = std::env::var_os("PLAYBOOK_LIVE_PANIC_AFTER_DRAW").is_some();
    while !stop.load(Ordering::Relaxed) {
        dirty |= app.follow(&follower);
        if dirty {
            app.refresh();
            if clear {
                term.terminal.clear().map_err(term_err)?;
                clear = false;
            }
            term.terminal
                .draw(|frame| app.draw(frame))
                .map_err(term_err)?;
            dirty = false;
            if panic_after_draw {
                panic!("PLAYBOOK_LIVE_PANIC_AFTER_DRAW is set");
            }
        }
        if !event::poll(TICK).map_err(term_err)? {
            continue;
        }
        // Everything already typed is handled before the next search and draw.
        loop {
            match app.handle_event(event::read().map_err(term_err)?) {
                Flow::Quit => return term.leave().map_err(term_err),
                Flow::Redraw => clear = true,
                Flow::Continue => {}
            }
            dirty = true;
            if !event::poll(Duration::ZERO).map_err(term_err)? {
                break;
            }
        }
    }
    term.leave().map_err(term_err)
}

fn term_err(e: std::io::Error) -> Error {
    Error::io("<terminal>", e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            assert_eq!(app.handle_key(key(KeyCode::Char(c))), Flow::Continue);
        }
    }

    #[test]
    fn typing_edits_the_query_and_q_is_a_letter_in_the_list() {
        let mut app = App::new(false);
        typed(&mut app, "qat kon");
        assert_eq!(app.query(), "qat kon");
        app.handle_key(ctrl('u'));
        typed(&mut app, "a quiet caller");
        assert_eq!(app.query(), "a quiet caller");
        app.handle_key(ctrl('w'));
        assert_eq!(app.query(), "a quiet ");
        app.handle_key(key(KeyCode::Backspace));
        assert_eq!(app.query(), "a quiet");
        app.handle_key(key(KeyCode::Esc));
        assert_eq!(app.query(), "");
        typed(&mut app, "ลูกค้า");
        assert_eq!(app.query(), "ลูกค้า");
        app.handle_key(ctrl('u'));
        assert_eq!(app.query(), "");
        assert_eq!(app.handle_key(ctrl('c')), Flow::Quit);
        assert_eq!(app.handle_key(ctrl('l')), Flow::Redraw);
    }

    #[test]
    fn tab_cycles_the_reading_language() {
        let mut app = App::new(false);
        let mut seen = vec![app.reading()];
        for _ in 0..6 {
            app.handle_key(key(KeyCode::Tab));
            seen.push(app.reading());
        }
        assert_eq!(
            seen,
            [
                None,
                Some(Lang::En),
                Some(Lang::Fa),
                Some(Lang::Ro),
                Some(Lang::Th),
                Some(Lang::Da),
                None
            ]
        );
        app.handle_key(key(KeyCode::BackTab));
        assert_eq!(app.reading(), Some(Lang::Da));
    }

    #[test]
    fn ctrl_w_deletes_one_word() {
        for (before, after) in [
            ("", ""),
            ("refund", ""),
            ("vil tale", "vil "),
            ("vil tale  ", "vil "),
            ("مشتری سمی", "مشتری "),
        ] {
            let mut q = before.to_string();
            delete_word(&mut q);
            assert_eq!(q, after, "{before:?}");
        }
    }
}
