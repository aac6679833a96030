//! `playbook live` as an agent uses it: the real binary in a real terminal (tmux, 80×24),
//! typed into with `send-keys` and read back with `capture-pane`. Skipped, with a note, when
//! tmux is not installed (`.ci/run` installs it).

use crate::common::{self, shipped_tree};
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

/// How long to wait for the screen to show something: generous, the machine may be busy
/// (and the first start builds the index).
const PATIENCE: Duration = Duration::from_secs(60);

/// The manager step's title as an agent typing English reads it (its English translation).
const MANAGER_STEP: &str = "Respect the customer's request if they want to speak to the";

/// A tmux server of our own (its own socket), with one 80×24 window running the binary.
struct Tmux {
    socket: String,
    /// Where the wrapper shell writes the program's exit status: tmux's own
    /// `pane_dead_status` is sometimes empty on a busy machine.
    status_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `playbook --root ROOT live` in a new tmux server, or `None` without tmux.
    fn start(root: &Path) -> Option<Tmux> {
        Tmux::start_with(root, &["live"])
    }

    /// Starts `playbook --root ROOT ARGS...` in a new tmux server, or `None` without tmux.
    fn start_with(root: &Path, args: &[&str]) -> Option<Tmux> {
        let mut command: Vec<OsString> = vec![
            env!("CARGO_BIN_EXE_playbook").into(),
            "--root".into(),
            root.into(),
        ];
        command.extend(args.iter().map(OsString::from));
        Tmux::start_command(&command, &[])
    }

    /// Runs `command` (with `env` set) in the one pane of a new tmux server, or `None`
    /// without tmux.
    fn start_command(command: &[OsString], env: &[(&str, &str)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            // CI installs tmux (.ci/run): there, a missing tmux is a failure, not a skip.
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is not on PATH, and CI is set: install tmux"
            );
            eprintln!("note: tmux is not on PATH; skipping the live UI end-to-end test");
            return None;
        }
        // The server's socket and config live in a temporary folder of their own.
        let dir = tempfile::TempDir::new().unwrap();
        let socket = dir.path().join("tmux.sock").to_str().unwrap().to_string();
        // No status line (the pane gets all 24 rows); keep the pane after the program exits,
        // to read its exit status and what it left on the screen.
        let config_file = dir.path().join("tmux.conf");
        std::fs::write(
            &config_file,
            "set -g status off\nset -g remain-on-exit on\nset -g history-limit 0\n",
        )
        .unwrap();
        let status_file = dir.path().join("exit-status");
        let tmux = Tmux {
            socket,
            status_file: status_file.clone(),
            _dir: dir,
        };
        let wrapper = format!("\"$0\" \"$@\"; echo $? > '{}'", status_file.display());
        let out = Command::new("tmux")
            .args(["-S", &tmux.socket, "-f"])
            .arg(&config_file)
            .args(["new-session", "-d", "-s", "live", "-x", "80", "-y", "24"])
            .args(["-e", "LANG=C.UTF-8", "-e", "LC_ALL=C.UTF-8"])
            .args(
                env.iter()
                    .flat_map(|(k, v)| ["-e".to_string(), format!("{k}={v}")]),
            )
            .args(["--", "sh", "-c", &wrapper])
            .args(command)
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("TMUX")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux: {}", text(&out.stderr));
        Some(tmux)
    }

    /// The program's process id: the child of the wrapper shell that runs in the pane.
    fn program_pid(&self) -> String {
        let shell = text(
            &self
                .tmux(&["display-message", "-p", "-t", "live", "#{pane_pid}"])
                .stdout,
        )
        .trim()
        .to_string();
        let start = Instant::now();
        loop {
            let child = std::fs::read_dir("/proc").unwrap().flatten().find_map(|e| {
                let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
                // pid (comm) state ppid ...: the name may hold spaces, so split after ')'.
                let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
                (ppid == shell).then(|| e.file_name().to_string_lossy().to_string())
            });
            if let Some(pid) = child {
                return pid;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no program under the pane's shell {shell}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn tmux(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .args(["-S", &self.socket])
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", text(&out.stderr));
        out
    }

    /// Types text as it is (each character a key).
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "live", "-l", text]);
    }

    /// Presses keys by tmux name: Enter, Escape, C-u, Down...
    fn press(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "live", key]);
    }

    fn screen(&self) -> String {
        text(&self.tmux(&["capture-pane", "-p", "-t", "live"]).stdout)
    }

    /// Polls the screen until `ready` holds, or fails showing the last screen.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!(
                    "timed out after {PATIENCE:?} waiting for {what}; the screen:\n{screen}\n{}",
                    self.pane_status()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for_text(&self, needle: &str) -> String {
        self.wait_for(&format!("{needle:?}"), |s| s.contains(needle))
    }

    /// `dead STATUS` (or `dead signal N`) once the program has exited, `alive` before.
    fn pane_status(&self) -> String {
        let out = self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "live",
            "#{?pane_dead,dead #{pane_dead_status}#{?pane_dead_signal,signal #{pane_dead_signal},},alive}",
        ]);
        text(&out.stdout).trim().to_string()
    }

    /// Waits for the program to exit, and returns how it did.
    fn wait_for_exit(&self) -> String {
        let start = Instant::now();
        loop {
            let status = self.pane_status();
            if status.starts_with("dead")
                && let Ok(code) = std::fs::read_to_string(&self.status_file)
                && !code.trim().is_empty()
            {
                return format!("dead {}", code.trim());
            }
            if start.elapsed() > PATIENCE {
                panic!("the program did not exit ({status}):\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The column where tmux itself put the first `│` after the start of `row` (skipping
    /// the one in column 0): where *the terminal* thinks the right border is.
    fn border_column(&self, row: usize) -> usize {
        self.tmux(&["copy-mode", "-t", "live"]);
        self.tmux(&["send-keys", "-t", "live", "-X", "top-line"]);
        if row > 0 {
            let n = row.to_string();
            self.tmux(&["send-keys", "-t", "live", "-X", "-N", &n, "cursor-down"]);
        }
        self.tmux(&["send-keys", "-t", "live", "-X", "start-of-line"]);
        self.tmux(&["send-keys", "-t", "live", "-X", "jump-forward", "│"]);
        let out = self.tmux(&["display-message", "-p", "-t", "live", "#{copy_cursor_x}"]);
        self.tmux(&["send-keys", "-t", "live", "-X", "cancel"]);
        text(&out.stdout).trim().parse().unwrap()
    }

    /// Redraws the whole screen (Ctrl-L): every cell is then sent in one pass, so a
    /// grapheme the terminal sees at another width than ratatui moves what follows it.
    fn redraw_and_check_the_selected_row(&self, expect: &str, width: usize) {
        self.press("C-l");
        std::thread::sleep(Duration::from_millis(300));
        let screen = self.wait_for_text(expect);
        let row = screen
            .lines()
            .position(|l| l.contains('▶'))
            .unwrap_or_else(|| panic!("no selected row:\n{screen}"));
        assert_eq!(
            self.border_column(row),
            width - 1,
            "the selected row drifted:\n{screen}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-S", &self.socket, "kill-server"])
            .output();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn typing_manager_request_shows_the_manager_step() {
    let tree = shipped_tree();
    let Some(tmux) = Tmux::start(tree.path()) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    tmux.type_text("manager request");
    let screen = tmux.wait_for_text(MANAGER_STEP);
    assert!(screen.contains("› manager request"), "{screen}");
    assert!(
        screen.contains("Manager request (manager-request)"),
        "{screen}"
    );
    // Every row fits the 80 columns.
    for line in screen.lines() {
        assert!(UnicodeWidthStr::width(line) <= 80, "{line:?}");
    }

    // Enter opens the step: what to say first, then what to do, the gloss and the source.
    tmux.press("Enter");
    let step = tmux.wait_for_text("Say:");
    assert!(step.contains(MANAGER_STEP), "{step}");
    let say = step.find("Say:").unwrap();
    assert!(step[say..].contains("Do:"), "{step}");

    // Esc goes back to the list, Enter opens the step again, and q in a step's view quits...
    tmux.press("Escape");
    tmux.wait_for_text("1/");
    tmux.press("Enter");
    tmux.wait_for_text("Esc back");
    tmux.press("q");
    assert_eq!(tmux.wait_for_exit(), "dead 0");
    // ...and the terminal is back on the normal screen, with the UI gone.
    let after = tmux.screen();
    assert!(!after.contains('│'), "{after}");
}

#[test]
fn persian_typed_in_latin_letters_says_how_it_was_read() {
    let tree = shipped_tree();
    let Some(tmux) = Tmux::start(tree.path()) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    tmux.type_text("moshtari fohsh mide");
    let screen = tmux.wait_for_text("Read as Persian:");
    assert!(screen.contains("مشتری"), "{screen}");
    for line in screen.lines() {
        assert!(UnicodeWidthStr::width(line) <= 80, "{line:?}");
    }
    // Esc clears the query (the line goes with it). In the list, q is a letter, even first
    // ("qat kon": hang up, in Persian typed in Latin letters); Ctrl-C quits.
    tmux.press("Escape");
    let cleared = tmux.wait_for_text("what is the caller saying?");
    assert!(!cleared.contains("Read as Persian:"), "{cleared}");
    tmux.type_text("qat kon");
    tmux.wait_for_text("› qat kon");
    tmux.press("C-c");
    assert_eq!(tmux.wait_for_exit(), "dead 0");
}

#[test]
fn thai_and_persian_rows_do_not_drift_and_resizing_redraws() {
    let tree = shipped_tree();
    let Some(tmux) = Tmux::start(tree.path()) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    // Thai: letters with vowel and tone marks above and below take one column each.
    tmux.type_text("ลูกค้าขอเงินคืน");
    tmux.wait_for_text("[th] ");
    tmux.redraw_and_check_the_selected_row("[th] ", 80);

    // Persian, with lam-alef pairs (اطلاعات), which some width tables count as one column.
    tmux.press("C-u");
    tmux.type_text("ارائه اطلاعات شفاف");
    tmux.wait_for_text("ارائه اطلاعات شفاف  ");
    tmux.redraw_and_check_the_selected_row("ارائه اطلاعات شفاف  ", 80);

    // A larger terminal: the UI follows.
    tmux.tmux(&["resize-window", "-t", "live", "-x", "100", "-y", "30"]);
    let screen = tmux.wait_for("a 100-column frame", |s| {
        s.lines()
            .any(|l| l.starts_with('╭') && l.chars().count() == 100)
    });
    assert!(screen.lines().count() >= 29, "{screen}");
    tmux.redraw_and_check_the_selected_row("ارائه اطلاعات شفاف  ", 100);

    // Ctrl-C quits from anywhere.
    tmux.press("Enter");
    tmux.wait_for_text("Esc back");
    tmux.press("C-c");
    assert_eq!(tmux.wait_for_exit(), "dead 0");
    let after = tmux.screen();
    assert!(!after.contains('│'), "{after}");
}

#[test]
fn tab_through_every_reading_language_leaves_no_stray_marks() {
    let tree = shipped_tree();
    let Some(tmux) = Tmux::start(tree.path()) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    tmux.type_text("manager request");
    tmux.wait_for_text(MANAGER_STEP);
    let is_thai = |c: char| ('\u{0E00}'..='\u{0E7F}').contains(&c);
    // auto -> English -> Persian -> Romanian -> Thai -> Danish -> as typed.
    for (language, thai_expected) in [
        ("English (en)", false),
        ("Persian (fa)", false),
        ("Romanian (ro)", false),
        ("Thai (th)", true),
        ("Danish (da)", false),
        ("as typed", false),
    ] {
        tmux.press("Tab");
        let screen = tmux.wait_for_text(&format!("language: {language}"));
        // The list is redrawn whole: once Thai is gone, not one of its marks stays behind
        // (combining vowels once survived a redraw on row 12).
        let screen = if thai_expected {
            screen
        } else {
            tmux.wait_for(&format!("{language} without Thai"), |s| {
                s.contains(&format!("language: {language}")) && !s.chars().any(is_thai)
            })
        };
        assert_eq!(screen.chars().any(is_thai), thai_expected, "{screen}");
        for line in screen.lines() {
            assert!(UnicodeWidthStr::width(line) <= 80, "{language}: {line:?}");
        }
    }
}

/// Whether process `pid` still exists.
fn alive(pid: &str) -> bool {
    Command::new("kill")
        .args(["-0", pid])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn sigterm_restores_the_terminal_and_a_closed_terminal_ends_the_program() {
    let tree = shipped_tree();
    let Some(tmux) = Tmux::start(tree.path()) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    let pid = tmux.program_pid();
    let out = Command::new("kill").args(["-TERM", &pid]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(tmux.wait_for_exit(), "dead 0");
    let after = tmux.screen();
    assert!(!after.contains('│'), "{after}");

    // Closing the terminal (tmux gone: SIGHUP, the tty hung up) ends the program too.
    let tmux = Tmux::start(tree.path()).unwrap();
    tmux.wait_for_text("what is the caller saying?");
    let pid = tmux.program_pid();
    drop(tmux);
    let start = Instant::now();
    while alive(&pid) {
        assert!(
            start.elapsed() < PATIENCE,
            "playbook live (pid {pid}) still runs after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bare_playbook_opens_live_on_a_terminal_and_prints_help_otherwise() {
    let tree = shipped_tree();
    // Not a terminal: the help, on stderr, and exit 2; `live` itself refuses too.
    let out = common::playbook(tree.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Usage:"), "{stderr}");
    assert!(stderr.contains("live"), "{stderr}");
    let out = common::playbook(tree.path()).arg("live").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs a terminal"));

    // On a terminal: the live UI.
    let Some(tmux) = Tmux::start_with(tree.path(), &[]) else {
        return;
    };
    tmux.wait_for_text("what is the caller saying?");
    tmux.press("C-c");
    assert_eq!(tmux.wait_for_exit(), "dead 0");
}

#[test]
fn a_panic_restores_the_terminal() {
    let tree = shipped_tree();
    let stty = tree.path().join("stty.txt");
    // The UI panics right after its first frame (a test hook); the shell then reports the
    // exit status and the terminal's modes.
    let script = r#""$0" --root "$1" live; echo "exit status $?"; stty -a > "$2""#;
    let command: Vec<OsString> = vec![
        "sh".into(),
        "-c".into(),
        script.into(),
        env!("CARGO_BIN_EXE_playbook").into(),
        tree.path().into(),
        stty.clone().into(),
    ];
    let Some(tmux) = Tmux::start_command(&command, &[("PLAYBOOK_LIVE_PANIC_AFTER_DRAW", "1")])
    else {
        return;
    };
    assert_eq!(tmux.wait_for_exit(), "dead 0");
    let screen = tmux.screen();
    // The panic message is on the normal screen, the UI is not.
    assert!(screen.contains("panicked"), "{screen}");
    assert!(screen.contains("exit status 101"), "{screen}");
    assert!(!screen.contains('│'), "{screen}");
    // Raw mode is off again: line editing and echo are back.
    let modes = std::fs::read_to_string(&stty).unwrap();
    let modes: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(modes.contains(&mode), "{mode} not set: {modes:?}");
    }
}
