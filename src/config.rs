//! `ROOT/playbook.toml`: settings a team shares through Git, beside `playbooks/`.
//!
//! ```toml
//! log_misses = "misses.jsonl"   # where searches that found nothing are logged (opt-in)
//! lang = "da"                   # the language agents read steps in (en, fa, ro, th, da)
//! ```
//!
//! A missing file is an empty configuration. `--in`/`PLAYBOOK_LANG` and
//! `PLAYBOOK_LOG_MISSES` override it. `log_misses` must stay inside the root: the file is
//! shared through Git, and must not choose where every agent's searches write.

use crate::corpus::Repo;
use crate::files::{FileError, read_regular};
use crate::model::Lang;
use crate::tuning::MAX_CONFIG_BYTES;
use std::path::{Component, Path, PathBuf};

/// The configuration file's name, in the root.
pub const CONFIG_FILE: &str = "playbook.toml";

/// What `playbook.toml` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `log_misses = "FILE"`, resolved against the root (always inside it).
    pub log_misses: Option<PathBuf>,
    /// `lang = "da"`: the reading language.
    pub lang: Option<Lang>,
}

/// What is wrong with `playbook.toml`; each says which file (and line) and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Shown whole (with why) in one-line warnings, so the reason is in the message.
    #[error("cannot read {}: {error}", path.display())]
    Read { path: PathBuf, error: FileError },
    #[error("{}: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}:{line}: `{key}` must be {expected}", path.display())]
    WrongType {
        path: PathBuf,
        line: usize,
        key: &'static str,
        expected: &'static str,
    },
    #[error(
        "{}:{line}: `lang = \"{code}\"` is not a reading language: use en, fa, ro, th or da",
        path.display()
    )]
    UnknownLang {
        path: PathBuf,
        line: usize,
        code: String,
    },
    /// A file shared through Git must not make every agent's searches write where it says:
    /// outside the repository, that could be any file the agent may write.
    #[error(
        "{}:{line}: `log_misses = \"{value}\"` is not inside {}: it must be a relative path without `..`\n  = help: use a path such as \"misses.jsonl\" (relative to the root), or set PLAYBOOK_LOG_MISSES for a log elsewhere",
        path.display(),
        root.display()
    )]
    LogOutsideRoot {
        path: PathBuf,
        line: usize,
        value: String,
        root: PathBuf,
    },
}

/// Reads `ROOT/playbook.toml`; errors say which file and what is wrong.
pub fn read(repo: &Repo) -> Result<Config, ConfigError> {
    let path = repo.root.join(CONFIG_FILE);
    let bytes = match read_regular(&path, MAX_CONFIG_BYTES) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok(Config::default()),
        Err(error) => return Err(ConfigError::Read { path, error }),
    };
    let text = String::from_utf8_lossy(&bytes);
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Syntax {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
    let wrong_type = |key, expected| ConfigError::WrongType {
        path: path.clone(),
        line: key_line(&text, key),
        key,
        expected,
    };
    let log_misses = match table.get("log_misses") {
        None => None,
        Some(toml::Value::String(s)) if s.trim().is_empty() => None,
        Some(toml::Value::String(s)) if is_inside(Path::new(s)) => Some(repo.root.join(s)),
        Some(toml::Value::String(s)) => {
            return Err(ConfigError::LogOutsideRoot {
                line: key_line(&text, "log_misses"),
                path,
                value: s.clone(),
                root: repo.root.clone(),
            });
        }
        Some(_) => return Err(wrong_type("log_misses", "a string (a file path)")),
    };
    let lang = match table.get("lang") {
        None => None,
        Some(toml::Value::String(code)) => {
            Some(
                Lang::from_code(code).ok_or_else(|| ConfigError::UnknownLang {
                    line: key_line(&text, "lang"),
                    path: path.clone(),
                    code: code.clone(),
                })?,
            )
        }
        Some(_) => return Err(wrong_type("lang", "a language code such as \"da\"")),
    };
    Ok(Config { log_misses, lang })
}

/// Whether a relative path stays inside the folder it is relative to: no root, drive or
/// `..` (checked on the words: a link inside the root is the repository's own business).
fn is_inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The line of `key = ...` at the top level of a TOML file (1 when not found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

/// The reading language the locale asks for (`LC_ALL`, `LC_MESSAGES`, `LANG`: `da_DK.UTF-8`
/// is Danish), if it is one of the reading languages.
pub fn locale_lang() -> Option<Lang> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| lang_of_locale(&v))
}

/// `da_DK.UTF-8` → Danish; `C`, `POSIX` and unknown languages → none.
fn lang_of_locale(locale: &str) -> Option<Lang> {
    let code = locale.split(['_', '.', '@', '-']).next()?;
    Lang::from_code(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_name_reading_languages() {
        assert_eq!(lang_of_locale("da_DK.UTF-8"), Some(Lang::Da));
        assert_eq!(lang_of_locale("fa_IR"), Some(Lang::Fa));
        assert_eq!(lang_of_locale("th_TH.UTF-8"), Some(Lang::Th));
        assert_eq!(lang_of_locale("ro_RO.UTF-8@euro"), Some(Lang::Ro));
        assert_eq!(lang_of_locale("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(lang_of_locale("C.UTF-8"), None);
        assert_eq!(lang_of_locale("de_DE"), None);
    }

    #[test]
    fn the_file_sets_the_reading_language() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo {
            root: dir.path().to_path_buf(),
        };
        assert_eq!(read(&repo).unwrap(), Config::default());
        std::fs::write(dir.path().join(CONFIG_FILE), "lang = \"th\"\n").unwrap();
        assert_eq!(read(&repo).unwrap().lang, Some(Lang::Th));
        std::fs::write(dir.path().join(CONFIG_FILE), "\nlang = \"de\"\n").unwrap();
        let message = read(&repo).unwrap_err().to_string();
        assert!(
            message.contains("playbook.toml:2: `lang = \"de\"` is not a reading language"),
            "{message}"
        );
    }

    /// A FIFO as `playbook.toml` (read by every search) is refused at once, and says why.
    #[cfg(unix)]
    #[test]
    fn a_special_file_is_refused_not_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let repo = Repo {
            root: dir.path().to_path_buf(),
        };
        let message = read(&repo).unwrap_err().to_string();
        assert!(
            message.contains("not a regular file but a FIFO"),
            "{message}"
        );
    }

    #[test]
    fn the_miss_log_stays_inside_the_root() {
        for inside in ["misses.jsonl", "logs/misses.jsonl", "./misses.jsonl"] {
            assert!(is_inside(Path::new(inside)), "{inside}");
        }
        // `..` is refused even where it would come back inside: simpler to read.
        for outside in [
            "../m.jsonl",
            "logs/../m.jsonl",
            "logs/../../m.jsonl",
            "/tmp/m.jsonl",
        ] {
            assert!(!is_inside(Path::new(outside)), "{outside}");
        }
    }
}
