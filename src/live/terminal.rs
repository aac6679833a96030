//! The real terminal: raw mode and the alternate screen on the way in, and put back on every
//! way out — [`Term::leave`], dropping the [`Term`] (an error, or unwinding from a panic),
//! the panic hook (so the panic message lands on the normal screen), and SIGTERM/SIGINT
//! (which stop the loop, that then leaves normally). When the terminal itself goes away
//! (SIGHUP, or a hung-up tty) there is nothing to restore: the process ends at once.

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread::ThreadId;

/// True while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that drives the UI: only its panics end the UI.
static UI_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);
static PANIC_HOOK: Once = Once::new();

/// The terminal, set up for the UI.
pub(super) struct Term {
    pub terminal: Terminal<CrosstermBackend<FrameWriter>>,
}

impl Term {
    /// Raw mode, the alternate screen, bracketed paste.
    pub fn enter() -> io::Result<Term> {
        let terminal = Terminal::new(CrosstermBackend::new(FrameWriter::default()))?;
        install_panic_hook();
        *UI_THREAD.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::thread::current().id());
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        // From here on, dropping `term` (also on `?`) puts the terminal back.
        let mut term = Term { terminal };
        execute!(
            term.terminal.backend_mut(),
            EnterAlternateScreen,
            EnableBracketedPaste
        )?;
        term.terminal.clear()?;
        Ok(term)
    }

    /// Puts the terminal back, reporting failures (dropping does the same silently).
    pub fn leave(self) -> io::Result<()> {
        let result = restore();
        drop(self);
        result
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Puts the terminal back if the UI has it; safe to call more than once.
fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let mut out = io::stdout();
    // Clearing first: some terminals (tmux after a resize) let the alternate screen's
    // content show through on the normal one.
    let screen = execute!(
        out,
        DisableBracketedPaste,
        Clear(ClearType::All),
        LeaveAlternateScreen,
        Show
    );
    raw.and(screen)
}

fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ui = *UI_THREAD.lock().unwrap_or_else(|e| e.into_inner());
            // A panic the index caught (a damaged file) is not the UI's end.
            if ui == Some(std::thread::current().id()) && !crate::index::quiet_panic() {
                let _ = restore();
            }
            previous(info);
        }));
    });
}

/// Stops the UI (by setting `stop`) on SIGTERM or SIGINT; a second one ends the process at
/// once, in case the UI is stuck. SIGHUP keeps its default: the terminal is gone, so the
/// process just ends.
pub(super) fn on_signals(stop: &Arc<AtomicBool>) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGTERM, SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(stop))?;
        signal_hook::flag::register(signal, Arc::clone(stop))?;
    }
    Ok(())
}

/// Ends the process when standard input stops being a terminal (hung up without a SIGHUP
/// reaching us, e.g. under `nohup`): crossterm would otherwise spin on the dead tty.
pub(super) fn watch_tty() -> io::Result<()> {
    use std::io::IsTerminal;
    std::thread::Builder::new()
        .name("playbook-tty-watch".to_string())
        .spawn(|| {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(500));
                if !io::stdin().is_terminal() {
                    // Nothing to restore on a terminal that is gone; no locks, no cleanup.
                    signal_hook::low_level::exit(129);
                }
            }
        })
        .map(drop)
}

/// Collects a frame and writes it to stdout in one go when flushed. Unlike a `BufWriter`,
/// dropping it (when unwinding from a panic) discards a half-drawn frame instead of
/// printing it over the restored screen.
#[derive(Default)]
pub(super) struct FrameWriter {
    buffer: Vec<u8>,
}

impl Write for FrameWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let result = out.write_all(&self.buffer).and_then(|()| out.flush());
        self.buffer.clear();
        result
    }
}
