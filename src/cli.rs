//! Command-line arguments (clap derive), turned into a validated [`Command`] before anything runs.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use playbook::commands::TranslationsConfig;
use playbook::commands::{
    CheckConfig, Command, Common, IndexConfig, SearchConfig, ShowConfig, SituationsConfig,
};
use playbook::commands::{GeneratedConfig, LiveConfig, MissesConfig, NewConfig, ServeConfig};
use playbook::model::Lang;
use playbook::render::{Layout, Style};
use playbook::search::{DEFAULT_LIMIT, Reading, SearchRequest};
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

    /// The language you read steps in (en, fa, ro, th, da): results are shown translated
    /// into it where a translation exists (default: `lang` in playbook.toml, else the
    /// query's language, else the locale's, else English).
    #[arg(
        long = "in",
        global = true,
        env = "PLAYBOOK_LANG",
        value_name = "LANG",
        value_parser = parse_lang
    )]
    reading: Option<Lang>,

    /// No subcommand: `live` on a terminal, else the help (exit 2).
    #[command(subcommand)]
    command: Option<CliCommand>,
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
    /// Search as you type, in a full-screen terminal UI (what a bare `playbook` opens).
    Live,
    /// Serve a small web app (search as you type, copy phrases) and a JSON API, on loopback.
    Serve(ServeArgs),
    /// Validate every playbook and situations.toml, with file:line diagnostics.
    Check(CheckArgs),
    /// Build or update the search index (searches do this by themselves when needed).
    Index(IndexArgs),
    /// List every situation, its labels, and how many steps each language has for it.
    Situations(SituationsArgs),
    /// Translations per playbook and reading language: complete, stale, unstamped, missing
    /// (exit 1 unless all complete); --stamp PATH marks a translation current.
    Translations(TranslationsArgs),
    /// Show a whole playbook, or one step of it (PLAYBOOK#STEP).
    Show(ShowArgs),
    /// Write a new playbook, from a template that passes `playbook check`, to playbooks/LANG/ID.md.
    New(NewArgs),
    /// Summarise the logged searches that found nothing: most frequent first.
    Misses(MissesArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output.
    Man,
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

    /// Show every result in full (by default the first one is shown in full and the
    /// others one line each, so that the answer fits the terminal).
    #[arg(long = "long")]
    long: bool,

    /// What to look for: a situation ("refund demand"), its id, or any words. Options may
    /// come before or after it (`playbook search angry customer --limit 3`); words that
    /// begin with `-` go after `--`.
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The port to listen on (0: any free port; the first line on stderr says which).
    #[arg(long = "port", value_name = "N", default_value_t = 8765)]
    port: u16,

    /// The address to listen on. Anything but loopback lets other machines read the
    /// playbooks (a warning says so).
    #[arg(long = "bind", value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,

    /// Open the page in the default browser.
    #[arg(long = "open")]
    open: bool,
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
struct TranslationsArgs {
    /// Print JSON instead of a table.
    #[arg(long = "json")]
    json: bool,

    /// Mark every step of this translation file as translating its original step as it is
    /// now (writes `<!-- original: HASH -->` under each step heading); repeatable.
    #[arg(long = "stamp", value_name = "PATH", num_args = 1..)]
    stamp: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// Print JSON instead of text.
    #[arg(long = "json")]
    json: bool,

    /// Show the original, not its translation into the reading language.
    #[arg(long = "original")]
    original: bool,

    /// A playbook id, PLAYBOOK#STEP for one step, or PATH:LINE (as `search` prints).
    #[arg(value_name = "PLAYBOOK[#STEP]")]
    target: String,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The playbook's language (fa, ro, th, da): it goes in playbooks/LANG/.
    #[arg(long = "lang", value_name = "LANG", value_parser = parse_original_lang)]
    lang: Lang,

    /// The playbook's id (lowercase letters, digits and dashes); the file is ID.md.
    #[arg(long = "id", value_name = "ID")]
    id: String,

    /// The article's title, in its language (default: made from the id).
    #[arg(long = "title", value_name = "TITLE")]
    title: Option<String>,
}

#[derive(Debug, Args)]
struct MissesArgs {
    /// The miss log (default: $PLAYBOOK_LOG_MISSES, or `log_misses` in ROOT/playbook.toml).
    #[arg(long = "log", value_name = "FILE")]
    log: Option<PathBuf>,

    /// Print JSON instead of a table.
    #[arg(long = "json")]
    json: bool,

    /// How many distinct queries to show.
    #[arg(long = "limit", value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    shell: clap_complete::Shell,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::from_code(s).ok_or_else(|| format!("unknown language `{s}`: use en, fa, ro, th or da"))
}

/// A language originals are written in (English is a reading language: translations only).
fn parse_original_lang(s: &str) -> Result<Lang, String> {
    match parse_lang(s)? {
        lang if lang.has_originals() => Ok(lang),
        lang => Err(format!(
            "no {} originals yet: write originals in fa, ro, th or da, and translate them into {lang}",
            lang.name()
        )),
    }
}

/// The terminal's columns and rows; when the output is not a terminal, `COLUMNS` and
/// `LINES` (as shells export them), else 80×24.
fn screen_size(stdout_is_terminal: bool) -> (usize, usize) {
    if stdout_is_terminal && let Some((w, h)) = terminal_size::terminal_size() {
        return (usize::from(w.0), usize::from(h.0));
    }
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(default)
    };
    (env("COLUMNS", 80), env("LINES", 24))
}

/// Arguments clap accepts but that make no command (main prints them, exit 2).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("no command given (a bare `playbook` opens `playbook live` only on a terminal)")]
    NoCommand,
    #[error("`playbook live` needs a terminal; in scripts, use `playbook search`")]
    LiveNeedsTerminal,
    #[error(
        "nothing to search for: give a query, e.g. `playbook search refund demand`, or --situation ID"
    )]
    NothingToSearch,
    #[error(
        "invalid playbook id `{id}`: use lowercase letters, digits and single dashes, e.g. `{suggestion}`"
    )]
    InvalidId { id: String, suggestion: String },
    #[error("--title is empty")]
    EmptyTitle,
    #[error(
        "nothing to show: name a playbook (`playbook show fa-toxic-customers`), a step as `search` prints it (`fa-toxic-customers#set-limits`), or a line of a playbook (`playbooks/da/vrede-klienter.md:188`)"
    )]
    NothingToShow,
    #[error("cannot render the man page: {0}")]
    ManPage(std::io::Error),
}

impl Cli {
    /// Validates the arguments into a command for the library.
    pub fn into_command(self) -> Result<Command, UsageError> {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let (width, height) = screen_size(stdout_is_terminal);
        let common = Common {
            root: self.root,
            reading: self.reading,
            locale: playbook::config::locale_lang(),
            style: Style {
                color,
                width: width.clamp(20, 200),
                height: height.clamp(8, 500),
            },
        };
        let terminal = std::io::stdin().is_terminal() && stdout_is_terminal;
        let Some(command) = self.command else {
            if terminal {
                return Ok(Command::Live(LiveConfig { common }));
            }
            eprint!("{}", Cli::command().render_help());
            return Err(UsageError::NoCommand);
        };
        Ok(match command {
            CliCommand::Live if !terminal => {
                return Err(UsageError::LiveNeedsTerminal);
            }
            CliCommand::Live => Command::Live(LiveConfig { common }),
            CliCommand::Serve(a) => Command::Serve(ServeConfig {
                common,
                options: playbook::serve::ServeOptions {
                    bind: a.bind,
                    port: a.port,
                    open: a.open,
                },
            }),
            CliCommand::Search(a) => {
                let query = a.query.join(" ");
                if query.trim().is_empty() && a.situation.is_empty() {
                    return Err(UsageError::NothingToSearch);
                }
                Command::Search(SearchConfig {
                    common,
                    json: a.json,
                    layout: if a.long {
                        Layout::Long
                    } else {
                        Layout::Compact
                    },
                    request: SearchRequest {
                        reading: Reading::default(),
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
            CliCommand::Translations(a) => Command::Translations(TranslationsConfig {
                common,
                json: a.json,
                stamp: a.stamp,
            }),
            CliCommand::Show(a) => {
                // Copied from a terminal, an id often brings a space along.
                let target = a.target.trim();
                if target.is_empty() {
                    return Err(UsageError::NothingToShow);
                }
                Command::Show(ShowConfig {
                    common,
                    json: a.json,
                    original: a.original,
                    target: target.to_string(),
                })
            }
            CliCommand::New(a) => {
                if !playbook::parser::is_valid_id(&a.id) {
                    return Err(UsageError::InvalidId {
                        suggestion: playbook::parser::slugify(&a.id),
                        id: a.id,
                    });
                }
                if a.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
                    return Err(UsageError::EmptyTitle);
                }
                Command::New(NewConfig {
                    common,
                    lang: a.lang,
                    id: a.id,
                    title: a.title,
                })
            }
            CliCommand::Misses(a) => Command::Misses(MissesConfig {
                common,
                log: a.log,
                json: a.json,
                limit: a.limit as usize,
            }),
            CliCommand::Completions(a) => {
                let mut text = Vec::new();
                clap_complete::generate(a.shell, &mut Cli::command(), "playbook", &mut text);
                Command::Generated(GeneratedConfig {
                    name: "completions",
                    text,
                })
            }
            CliCommand::Man => {
                let text = man_page().map_err(UsageError::ManPage)?;
                Command::Generated(GeneratedConfig { name: "man", text })
            }
        })
    }
}

/// What the man page says beyond the argument definitions.
const MAN_ENVIRONMENT: &str = r#".SH "EXIT STATUS"
0: results found, the check was clean, or every translation is complete. 1: no results, the check found errors, or a translated step is stale, unstamped or missing. 2: a usage error or an I/O failure.
.SH ENVIRONMENT
.TP
\fBPLAYBOOK_ROOT\fR
The folder holding \fIplaybooks/\fR, as \fB\-\-root\fR.
.TP
\fBPLAYBOOK_LOG_MISSES\fR
A file to which every search that found nothing, or only typo matches, is appended as one JSON line (opt\-in, offline). \fBplaybook misses\fR summarises it. \fBlog_misses = "FILE"\fR in \fIROOT/playbook.toml\fR does the same.
.TP
\fBNO_COLOR\fR
When set and not empty, no colours.
.SH FILES
.TP
\fIROOT/playbooks/\fR
The playbooks (\fIplaybooks/LANG/*.md\fR) and the situation taxonomy (\fIplaybooks/situations.toml\fR).
.TP
\fIROOT/index/\fR
The search index, a cache of \fIplaybooks/\fR that every search brings up to date, rebuilt automatically.
.TP
\fIROOT/playbook.toml\fR
Optional settings (\fBlog_misses\fR).
"#;

/// The man page, generated from the argument definitions: the top-level page, then each
/// subcommand's description, synopsis and options, then the environment.
fn man_page() -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut cmd = Cli::command();
    cmd.build();
    let top = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    top.render_title(&mut page)?;
    top.render_name_section(&mut page)?;
    top.render_synopsis_section(&mut page)?;
    top.render_description_section(&mut page)?;
    top.render_options_section(&mut page)?;
    let subcommands: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    writeln!(page, ".SH COMMANDS")?;
    for sub in &subcommands {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(
            page,
            ".TP\n\\fBplaybook {}\\fR\n{}",
            roff_escape(sub.get_name()),
            roff_escape(&about)
        )?;
    }
    for sub in subcommands {
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
        writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
        // The global options are described once, above.
        let sub = sub
            .clone()
            .mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_description_section(&mut part)?;
        man.render_synopsis_section(&mut part)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut part)?;
        }
        // The subcommand's sections become subsections of its own section.
        for line in String::from_utf8_lossy(&part).lines() {
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(page, ".SS {heading}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    page.extend_from_slice(MAN_ENVIRONMENT.as_bytes());
    top.render_version_section(&mut page)?;
    Ok(page)
}

/// Text made safe for a roff text line.
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    match escaped.chars().next() {
        Some('.' | '\'') => format!("\\&{escaped}"),
        _ => escaped,
    }
}
