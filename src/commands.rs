//! The commands, run on a validated configuration: the binary only parses arguments and maps
//! the outcome to an exit code.

use crate::check::check;
use crate::corpus::{Repo, load_corpus, load_taxonomy};
use crate::error::{Error, Result};
use crate::index::{self, StepRecord};
use crate::model::{Lang, Playbook};
use crate::render::{self, Style};
use crate::search::{Engine, SearchRequest, SituationMatcher};
use crate::taxonomy::{TAXONOMY_LANGS, Taxonomy};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Common {
    /// `--root`, if given.
    pub root: Option<PathBuf>,
    pub style: Style,
}

#[derive(Debug, Clone)]
pub struct SearchConfig {
    pub common: Common,
    pub json: bool,
    pub request: SearchRequest,
}

#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub common: Common,
    pub json: bool,
    pub strict: bool,
}

#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub common: Common,
    pub rebuild: bool,
}

#[derive(Debug, Clone)]
pub struct SituationsConfig {
    pub common: Common,
    pub json: bool,
}

#[derive(Debug, Clone)]
pub struct ShowConfig {
    pub common: Common,
    pub json: bool,
    pub target: String,
}

/// `playbook new`: a new playbook from the template.
#[derive(Debug, Clone)]
pub struct NewConfig {
    pub common: Common,
    pub lang: Lang,
    pub id: String,
    /// The title; by default made from the id.
    pub title: Option<String>,
}

/// `playbook misses`: a summary of the searches that found nothing.
#[derive(Debug, Clone)]
pub struct MissesConfig {
    pub common: Common,
    /// The log file; by default the configured one (`PLAYBOOK_LOG_MISSES` or `playbook.toml`).
    pub log: Option<PathBuf>,
    pub json: bool,
    pub limit: usize,
}

/// Text the binary generated from its own argument definitions (shell completions, the man
/// page), written to `out` as it is.
#[derive(Debug, Clone)]
pub struct GeneratedConfig {
    /// The subcommand's name, for messages.
    pub name: &'static str,
    pub text: Vec<u8>,
}

/// `playbook live`: search as you type in a full-screen terminal UI.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub common: Common,
}

/// A validated command.
#[derive(Debug, Clone)]
pub enum Command {
    Search(SearchConfig),
    Check(CheckConfig),
    Index(IndexConfig),
    Situations(SituationsConfig),
    Show(ShowConfig),
    New(NewConfig),
    Misses(MissesConfig),
    Generated(GeneratedConfig),
    Live(LiveConfig),
}

impl Command {
    /// The subcommand's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Search(_) => "search",
            Command::Check(_) => "check",
            Command::Index(_) => "index",
            Command::Situations(_) => "situations",
            Command::Show(_) => "show",
            Command::New(_) => "new",
            Command::Misses(_) => "misses",
            Command::Generated(c) => c.name,
            Command::Live(_) => "live",
        }
    }
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Results found, or the check was clean (exit 0).
    Success,
    /// No results, or the check found errors (exit 1).
    Nothing,
}

/// Runs a command. Results go to `out`; notices and warnings to `err`.
pub fn run(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    match command {
        Command::Search(c) => search(c, out, err),
        Command::Check(c) => run_check(c, out, err),
        Command::Index(c) => run_index(c, err),
        Command::Situations(c) => situations(c, out),
        Command::Show(c) => show(c, out),
        Command::New(c) => new_playbook(c, out, err),
        Command::Misses(c) => misses(c, out, err),
        Command::Generated(c) => {
            out.write_all(&c.text).map_err(io_err)?;
            Ok(Outcome::Success)
        }
        Command::Live(c) => live(c),
    }
}

fn repo(common: &Common) -> Result<Repo> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    Repo::discover(common.root.as_deref(), &cwd)
}

/// The live UI draws on the terminal itself, not on `out`.
fn live(config: &LiveConfig) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    crate::live::run(repo, config.common.style.color)?;
    Ok(Outcome::Success)
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// The taxonomy, or an error naming its first problem.
fn required_taxonomy(repo: &Repo) -> Result<Taxonomy> {
    let (taxonomy, diagnostics) = load_taxonomy(repo);
    taxonomy.ok_or_else(|| {
        let first = diagnostics.first();
        Error::Taxonomy {
            path: repo.situations_path(),
            line: first.map_or(1, |d| d.line),
            message: first.map_or_else(|| "unusable".to_string(), |d| d.message.clone()),
        }
    })
}

/// Opens a fresh index and the engine, telling `err` what was done to the index.
pub fn open_engine(repo: &Repo, err: &mut dyn Write) -> Result<Engine> {
    let (taxonomy, matcher) = match crate::cache::load(repo) {
        Some(cached) => cached,
        None => {
            let taxonomy = required_taxonomy(repo)?;
            let matcher = SituationMatcher::new(&taxonomy);
            crate::cache::store(repo, &taxonomy, &matcher);
            (taxonomy, matcher)
        }
    };
    let index = index::open_fresh(repo)?;
    for notice in &index.notices {
        writeln!(err, "{notice}").map_err(io_err)?;
    }
    Ok(Engine::with_matcher(index, taxonomy, matcher))
}

fn search(config: &SearchConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let engine = open_engine(&repo, err)?;
    let results = engine.search(&config.request)?;
    if config.json {
        render::search_json(out, &results).map_err(io_err)?;
    } else {
        render::search_human(out, &results, &engine.taxonomy, config.common.style)
            .map_err(io_err)?;
    }
    let outcome = if results.results.is_empty() {
        Outcome::Nothing
    } else {
        Outcome::Success
    };
    crate::misses::log_search(&repo, &config.request, &results, err);
    // The process ends right after a search: freeing the engine's many small allocations
    // one by one would cost more time than the search itself.
    std::mem::forget(engine);
    Ok(outcome)
}

fn run_check(config: &CheckConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let report = check(&repo);
    if config.json {
        render::diagnostics_json(out, &report.diagnostics, report.files).map_err(io_err)?;
    } else {
        render::diagnostics_human(out, &report.diagnostics, config.common.style).map_err(io_err)?;
        writeln!(
            err,
            "checked {} playbook file(s), {} step(s): {} error(s), {} warning(s)",
            report.files,
            report.steps,
            report.errors(),
            report.warnings()
        )
        .map_err(io_err)?;
    }
    Ok(if report.failed(config.strict) {
        Outcome::Nothing
    } else {
        Outcome::Success
    })
}

fn run_index(config: &IndexConfig, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let (report, notices) = index::update(&repo, config.rebuild)?;
    for notice in notices {
        writeln!(err, "{notice}").map_err(io_err)?;
    }
    writeln!(
        err,
        "index: {} playbook(s), {} step(s) in {}",
        report.playbooks,
        report.steps,
        repo.index_dir().display()
    )
    .map_err(io_err)?;
    Ok(Outcome::Success)
}

/// One situation with its step counts per language.
#[derive(Debug, Serialize)]
struct SituationRow<'a> {
    #[serde(flatten)]
    situation: &'a crate::taxonomy::Situation,
    steps: BTreeMap<&'static str, usize>,
}

fn situations(config: &SituationsConfig, out: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    let rows: Vec<SituationRow> = taxonomy
        .situations
        .iter()
        .map(|s| SituationRow {
            situation: s,
            steps: Lang::ALL
                .iter()
                .map(|&lang| (lang.code(), count_steps(&corpus.playbooks, &s.id, lang)))
                .collect(),
        })
        .collect();
    if config.json {
        let value =
            serde_json::json!({ "languages": Lang::ALL.map(Lang::code), "situations": rows });
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
    } else {
        situations_table(out, &rows).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}

fn count_steps(playbooks: &[Playbook], id: &str, lang: Lang) -> usize {
    playbooks
        .iter()
        .filter(|p| p.lang == lang)
        .flat_map(|p| &p.steps)
        .filter(|s| s.situations.iter().any(|t| t == id))
        .count()
}

fn situations_table(out: &mut dyn Write, rows: &[SituationRow]) -> std::io::Result<()> {
    let id_width = rows
        .iter()
        .map(|r| r.situation.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    write!(out, "{:id_width$}", "id")?;
    for lang in Lang::ALL {
        write!(out, "  {:>2}", lang.code())?;
    }
    writeln!(out, "  label")?;
    for row in rows {
        let star = if row.situation.headline { "*" } else { "" };
        write!(out, "{:id_width$}", row.situation.id)?;
        for lang in Lang::ALL {
            let n = row.steps[lang.code()];
            let cell = if n == 0 {
                "-".to_string()
            } else {
                n.to_string()
            };
            write!(out, "  {cell:>2}")?;
        }
        let labels: Vec<&str> = TAXONOMY_LANGS
            .iter()
            .filter_map(|l| row.situation.label_in(l))
            .collect();
        writeln!(out, "  {}{star}", labels.join(" / "))?;
    }
    writeln!(
        out,
        "\n(* headline situation: every step needs phrases; - marks a gap)"
    )
}

fn show(config: &ShowConfig, out: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    let (playbook_id, step_id) = match config.target.split_once('#') {
        Some((p, s)) => (p, Some(s)),
        None => (config.target.as_str(), None),
    };
    let Some(playbook) = corpus.playbooks.iter().find(|p| p.id == playbook_id) else {
        let closest = corpus
            .playbooks
            .iter()
            .map(|p| (strsim::levenshtein(&p.id, playbook_id), &p.id))
            .min();
        let hint = closest.map_or_else(String::new, |(_, id)| format!("; did you mean `{id}`?"));
        return Err(Error::NotFound {
            what: format!("playbook `{playbook_id}`"),
            hint,
        });
    };
    let steps: Vec<&crate::model::Step> = match step_id {
        Some(id) => match playbook.step(id) {
            Some(s) => vec![s],
            None => {
                let ids: Vec<&str> = playbook.steps.iter().map(|s| s.id.as_str()).collect();
                return Err(Error::NotFound {
                    what: format!("step `{id}` in playbook `{playbook_id}`"),
                    hint: format!("; its steps are: {}", ids.join(", ")),
                });
            }
        },
        None => playbook.steps.iter().collect(),
    };
    let records: Vec<StepRecord> = steps.iter().map(|s| StepRecord::new(playbook, s)).collect();
    if config.json {
        let value = if step_id.is_some() {
            serde_json::to_value(&records[0])
        } else {
            serde_json::to_value(playbook)
        }
        .map_err(|e| io_err(e.into()))?;
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
        return Ok(Outcome::Success);
    }
    let style = config.common.style;
    if step_id.is_none() {
        writeln!(
            out,
            "{} [{}] ({})",
            playbook.title, playbook.lang, playbook.path
        )
        .map_err(io_err)?;
        for line in render::wrap(&playbook.intro, style.width) {
            writeln!(out, "{line}").map_err(io_err)?;
        }
        writeln!(out).map_err(io_err)?;
    }
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            writeln!(out).map_err(io_err)?;
        }
        render::step_full(out, record, &taxonomy, style).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}

/// Writes `playbooks/LANG/ID.md` from the template, tagged with situations of this taxonomy.
fn new_playbook(config: &NewConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    use crate::scaffold::{Template, render, title_from_id};
    let id = config.id.as_str();
    if !crate::parser::is_valid_id(id) {
        return Err(Error::Usage(format!(
            "invalid playbook id `{id}`: use lowercase letters, digits and single dashes, e.g. `{}`",
            crate::parser::slugify(id)
        )));
    }
    let repo = repo(&config.common)?;
    let lang = config.lang;
    let rel = format!("playbooks/{lang}/{id}.md");
    let path = repo.root.join(&rel);
    if path.exists() {
        return Err(Error::Usage(format!(
            "{rel} already exists: edit it, or choose another id"
        )));
    }
    let taxonomy = required_taxonomy(&repo)?;
    let corpus = load_corpus(&repo);
    if let Some(other) = corpus.playbooks.iter().find(|p| p.id == id) {
        return Err(Error::Usage(format!(
            "the id `{id}` is already used by {}: every playbook needs its own id",
            other.path
        )));
    }
    let first = |headline: bool| {
        taxonomy
            .situations
            .iter()
            .find(|s| s.headline == headline)
            .or_else(|| taxonomy.situations.first())
            .map(|s| s.id.as_str())
    };
    let (Some(situation), Some(headline_situation)) = (first(false), first(true)) else {
        return Err(Error::Usage(format!(
            "{} has no situations: add some before writing playbooks",
            repo.rel(&repo.situations_path())
        )));
    };
    let title = config.title.clone().unwrap_or_else(|| title_from_id(id));
    let text = render(&Template {
        id,
        title: title.trim(),
        lang,
        situation,
        headline_situation,
    });
    let dir = path.parent().unwrap_or(&repo.root);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    writeln!(out, "{rel}").map_err(io_err)?;
    writeln!(
        err,
        "wrote {rel} from the template: replace its placeholders, then run `playbook check`"
    )
    .map_err(io_err)?;
    Ok(Outcome::Success)
}

/// Summarises the miss log: most frequent first, with the closest situation of each.
fn misses(config: &MissesConfig, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let log = match &config.log {
        Some(path) => path.clone(),
        None => crate::misses::configured_log(&repo)
            .map_err(Error::Usage)?
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no miss log configured: pass --log FILE, or set {} (or `log_misses` in {})",
                    crate::misses::LOG_ENV,
                    crate::misses::CONFIG_FILE
                ))
            })?,
    };
    let text = match std::fs::read(&log) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            writeln!(
                err,
                "note: {} does not exist yet: no search has been logged there",
                log.display()
            )
            .map_err(io_err)?;
            String::new()
        }
        Err(e) => return Err(Error::io(&log, e)),
    };
    let matcher = match crate::cache::load(&repo) {
        Some((_, matcher)) => matcher,
        None => SituationMatcher::new(&required_taxonomy(&repo)?),
    };
    let summary = crate::misses::summarize(&text, Some(&matcher), config.limit);
    if summary.skipped_lines > 0 {
        writeln!(
            err,
            "warning: skipped {} line(s) of {} that are not miss records",
            summary.skipped_lines,
            log.display()
        )
        .map_err(io_err)?;
    }
    if config.json {
        /// One flat object: {"log", "searches", "distinct", "skipped_lines", "misses"}.
        #[derive(Serialize)]
        struct MissesJson<'a> {
            log: &'a std::path::Path,
            #[serde(flatten)]
            summary: &'a crate::misses::MissSummary,
        }
        let value = MissesJson {
            log: &log,
            summary: &summary,
        };
        serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| io_err(e.into()))?;
        writeln!(out).map_err(io_err)?;
    } else {
        crate::misses::summary_human(out, &summary, &log).map_err(io_err)?;
    }
    Ok(Outcome::Success)
}
