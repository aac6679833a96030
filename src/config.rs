//! `ROOT/playbook.toml`: settings a team shares through Git, beside `playbooks/`.
//!
//! ```toml
//! log_misses = "misses.jsonl"   # where searches that found nothing are logged (opt-in)
//! lang = "da"                   # the language agents read steps in (en, fa, ro, th, da)
//! ```
//!
//! A missing file is an empty configuration. `--in`/`PLAYBOOK_LANG` and
//! `PLAYBOOK_LOG_MISSES` override it.

use crate::corpus::Repo;
use crate::model::Lang;
use std::path::PathBuf;

/// The configuration file's name, in the root.
pub const CONFIG_FILE: &str = "playbook.toml";

/// What `playbook.toml` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `log_misses = "FILE"`, resolved against the root.
    pub log_misses: Option<PathBuf>,
    /// `lang = "da"`: the reading language.
    pub lang: Option<Lang>,
}

/// Reads `ROOT/playbook.toml`; errors say which file and what is wrong.
pub fn read(repo: &Repo) -> Result<Config, String> {
    let path = repo.root.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{}: {}", path.display(), e.message()))?;
    let log_misses = match table.get("log_misses") {
        None => None,
        Some(toml::Value::String(s)) if s.trim().is_empty() => None,
        Some(toml::Value::String(s)) => Some(repo.root.join(s)),
        Some(_) => {
            return Err(format!(
                "{}: `log_misses` must be a string (a file path)",
                path.display()
            ));
        }
    };
    let lang = match table.get("lang") {
        None => None,
        Some(toml::Value::String(code)) => Some(Lang::from_code(code).ok_or_else(|| {
            format!(
                "{}: `lang = \"{code}\"` is not a reading language: use en, fa, ro, th or da",
                path.display()
            )
        })?),
        Some(_) => {
            return Err(format!(
                "{}: `lang` must be a language code such as \"da\"",
                path.display()
            ));
        }
    };
    Ok(Config { log_misses, lang })
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
        std::fs::write(dir.path().join(CONFIG_FILE), "lang = \"de\"\n").unwrap();
        assert!(read(&repo).unwrap_err().contains("not a reading language"));
    }
}
