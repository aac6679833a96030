//! The commands, run on a validated configuration: the binary only parses arguments and maps
//! the outcome to an exit code.

//!
//! One module per subcommand, each the same shape: load what it needs, compute a value,
//! hand it to [`crate::render`], and say how it went ([`Outcome`]). Only renderers write
//! what people read; `live` draws on the terminal itself.

mod check;
mod index;
mod live;
mod misses;
mod new;
mod search;
mod serve;
mod show;
mod situations;
mod translations;

pub use check::CheckConfig;
pub use index::IndexConfig;
pub use live::LiveConfig;
pub use misses::MissesConfig;
pub use new::NewConfig;
pub use search::SearchConfig;
pub use serve::ServeConfig;
pub use show::ShowConfig;
pub use situations::{SituationRow, SituationsConfig};
pub use translations::TranslationsConfig;

use crate::corpus::Repo;
use crate::error::{Error, Result};
use crate::render::Style;
use std::io::Write;
use std::path::PathBuf;

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Common {
    /// `--root`, if given.
    pub root: Option<PathBuf>,
    pub style: Style,
    /// `--in` or `PLAYBOOK_LANG`: the language the agent reads.
    pub reading: Option<crate::model::Lang>,
    /// The locale's language, if it is a reading language.
    pub locale: Option<crate::model::Lang>,
}

/// Text the binary generated from its own argument definitions (shell completions, the man
/// page), written to `out` as it is.
#[derive(Debug, Clone)]
pub struct GeneratedConfig {
    /// The subcommand's name, for messages.
    pub name: &'static str,
    pub text: Vec<u8>,
}

/// A validated command.
#[derive(Debug, Clone)]
pub enum Command {
    Search(SearchConfig),
    Check(CheckConfig),
    Index(IndexConfig),
    Situations(SituationsConfig),
    Translations(TranslationsConfig),
    Show(ShowConfig),
    New(NewConfig),
    Misses(MissesConfig),
    Generated(GeneratedConfig),
    Live(LiveConfig),
    Serve(ServeConfig),
}

impl Command {
    /// The subcommand's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Search(_) => "search",
            Command::Check(_) => "check",
            Command::Index(_) => "index",
            Command::Situations(_) => "situations",
            Command::Translations(_) => "translations",
            Command::Show(_) => "show",
            Command::New(_) => "new",
            Command::Misses(_) => "misses",
            Command::Generated(c) => c.name,
            Command::Live(_) => "live",
            Command::Serve(_) => "serve",
        }
    }
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Results found, or the check was clean (exit 0).
    Success,
    /// No results, the check found errors, or translations are not all complete (exit 1).
    Nothing,
}

/// Runs a command. Results go to `out`; notices and warnings to `err`.
pub fn run(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    match command {
        Command::Search(c) => search::run(c, out, err),
        Command::Check(c) => check::run(c, out, err),
        Command::Index(c) => index::run(c, err),
        Command::Situations(c) => situations::run(c, out),
        Command::Translations(c) => translations::run(c, out, err),
        Command::Show(c) => show::run(c, out, err),
        Command::New(c) => new::run(c, out, err),
        Command::Misses(c) => misses::run(c, out, err),
        Command::Generated(c) => {
            out.write_all(&c.text).map_err(io_err)?;
            Ok(Outcome::Success)
        }
        Command::Live(c) => live::run(c, err),
        Command::Serve(c) => serve::run(c, err),
    }
}

fn repo(common: &Common) -> Result<Repo> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Repo::discover(common.root.as_deref(), &cwd)
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// The reading language the agent chose: `--in`/`PLAYBOOK_LANG`, else `lang` in
/// `playbook.toml`. A broken `playbook.toml` never stops an agent's answer: it is read as
/// choosing nothing, and the error comes back to be reported once.
fn chosen_reading(
    common: &Common,
    repo: &Repo,
) -> (
    Option<crate::model::Lang>,
    Option<crate::config::ConfigError>,
) {
    match common.reading {
        Some(lang) => (Some(lang), None),
        None => match crate::config::read(repo) {
            Ok(config) => (config.lang, None),
            Err(why) => (None, Some(why)),
        },
    }
}

/// What opening the engine did, one line each on stderr.
fn print_notices(err: &mut dyn Write, notices: &[crate::engine::Notice]) -> Result<()> {
    for notice in notices {
        writeln!(err, "{}", crate::render::printable(&notice.to_string())).map_err(io_err)?;
    }
    Ok(())
}
