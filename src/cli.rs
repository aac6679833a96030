//! Command-line arguments (clap derive), turned into a validated [`Command`] before anything runs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use playbook::commands::{
    CheckConfig, Command, Common, IndexConfig, SearchConfig, ShowConfig, SituationsConfig,
};
use playbook::model::Lang;
use playbook::render::Style;
use playbook::search::{DEFAULT_LIMIT, SearchRequest};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Search customer-service playbooks mid-call: what to do, and what to say.
///
/// Playbooks are Markdown files under `playbooks/` (Persian, Romanian, Thai, Danish);
/// queries work in any of those languages and in English.
#[derive(Debug, Parser)]
#[command(name = "playbook", version, about, long_about = None)]
pub struct Cli {
    /// The folder holding `playbooks/` (default: the nearest one above the working directory).
    #[arg(
        long = "root",
        global = true,
        env = "PLAYBOOK_ROOT",
        value_name = "DIR"
    )]
    root: Option<PathBuf>,

    /// When to use colours.
    #[arg(long = "color", global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Find the steps and phrases for a situation or any words, in any language.
    Search(SearchArgs),
    /// Validate every playbook and situations.toml, with file:line diagnostics.
    Check(CheckArgs),
    /// Build or update the search index (searches do this by themselves when needed).
    Index(IndexArgs),
    /// List every situation, its labels, and how many steps each language has for it.
    Situations(SituationsArgs),
    /// Show a whole playbook, or one step of it (PLAYBOOK#STEP).
    Show(ShowArgs),
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// Print one JSON object instead of text.
    #[arg(long = "json")]
    json: bool,

    /// Only show steps in this language (fa, ro, th, da); repeat for several.
    #[arg(long = "lang", value_name = "LANG", value_parser = parse_lang)]
    lang: Vec<Lang>,

    /// Only show steps tagged with this situation id; repeat for several.
    #[arg(long = "situation", value_name = "ID")]
    situation: Vec<String>,

    /// How many results to show.
    #[arg(long = "limit", value_name = "N", default_value_t = DEFAULT_LIMIT as u32, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,

    /// What to look for: a situation ("refund demand"), its id, or any words.
    #[arg(
        value_name = "QUERY",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    query: Vec<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Fail on warnings too.
    #[arg(long = "strict")]
    strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
struct IndexArgs {
    /// Throw the index away and build it from scratch.
    #[arg(long = "rebuild")]
    rebuild: bool,
}

#[derive(Debug, Args)]
struct SituationsArgs {
    /// Print JSON instead of a table.
    #[arg(long = "json")]
    json: bool,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// Print JSON instead of text.
    #[arg(long = "json")]
    json: bool,

    /// A playbook id, or PLAYBOOK#STEP for one step.
    #[arg(value_name = "PLAYBOOK[#STEP]")]
    target: String,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_code(s).ok_or_else(|| format!("unknown language `{s}`: use fa, ro, th or da"))
}

impl Cli {
    /// Validates the arguments into a command for the library.
    pub fn into_command(self) -> Result<Command, String> {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let width = if stdout_is_terminal {
            terminal_size::terminal_size().map_or(80, |(w, _)| w.0 as usize)
        } else {
            100
        };
        let common = Common {
            root: self.root,
            style: Style {
                color,
                width: width.clamp(20, 200),
            },
        };
        Ok(match self.command {
            CliCommand::Search(a) => {
                let query = a.query.join(" ");
                if query.trim().is_empty() && a.situation.is_empty() {
                    return Err("nothing to search for: give a query, e.g. `playbook search refund demand`, or --situation ID".to_string());
                }
                Command::Search(SearchConfig {
                    common,
                    json: a.json,
                    request: SearchRequest {
                        query,
                        langs: a.lang,
                        situations: a.situation,
                        limit: a.limit as usize,
                    },
                })
            }
            CliCommand::Check(a) => Command::Check(CheckConfig {
                common,
                json: a.format == Format::Json,
                strict: a.strict,
            }),
            CliCommand::Index(a) => Command::Index(IndexConfig {
                common,
                rebuild: a.rebuild,
            }),
            CliCommand::Situations(a) => Command::Situations(SituationsConfig {
                common,
                json: a.json,
            }),
            CliCommand::Show(a) => Command::Show(ShowConfig {
                common,
                json: a.json,
                target: a.target,
            }),
        })
    }
}
