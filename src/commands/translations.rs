//! `playbook translations`: every original × reading language, complete, stale, unstamped or
//! missing; `--stamp PATH` marks a translation's steps as translating the current original.

use super::{Common, Outcome, io_err, repo};
use crate::corpus::{Repo, load_corpus};
use crate::error::{Error, Result};
use crate::model::Playbook;
use crate::parser::parse_playbook;
use crate::render::tables;
use crate::translations::{StampReport, matrix, stamp};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct TranslationsConfig {
    pub common: Common,
    pub json: bool,
    /// Translation files to stamp (none: show the matrix).
    pub stamp: Vec<PathBuf>,
}

pub(super) fn run(
    config: &TranslationsConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let repo = repo(&config.common)?;
    let corpus = load_corpus(&repo);
    if !config.stamp.is_empty() {
        return stamp_files(config, &repo, &corpus.playbooks, out);
    }
    let matrix = matrix(&corpus.playbooks);
    if config.json {
        tables::translations_json(out, &matrix).map_err(io_err)?;
    } else {
        tables::translations_human(out, &matrix, config.common.style).map_err(io_err)?;
    }
    if !corpus.skipped.is_empty() {
        writeln!(
            err,
            "{} file(s) could not be read and are not counted: run `playbook check`",
            corpus.skipped.len()
        )
        .map_err(io_err)?;
    }
    Ok(if matrix.is_complete() {
        Outcome::Success
    } else {
        Outcome::Nothing
    })
}

/// One translation file, read and stamped in memory.
struct Pending {
    abs: PathBuf,
    text: String,
    report: StampReport,
}

/// Stamps every file, or none: each is read and checked first, then the changed ones are
/// written. Exit 0 when every stamped file translates every step of its original.
fn stamp_files(
    config: &TranslationsConfig,
    repo: &Repo,
    playbooks: &[Playbook],
    out: &mut dyn Write,
) -> Result<Outcome> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let mut pending: Vec<Pending> = Vec::new();
    for path in &config.stamp {
        let given = resolve(path, &cwd, &repo.root);
        // Through links to the file itself, so that writing replaces the file, not a link.
        let abs = given
            .canonicalize()
            .map_err(|e| Error::io(path.as_path(), e))?;
        if pending.iter().any(|p| p.abs == abs) {
            continue;
        }
        pending.push(prepare(&abs, repo, playbooks)?);
    }
    for p in pending.iter().filter(|p| p.report.written) {
        write_replacing(&p.abs, &p.text)?;
    }
    let reports: Vec<StampReport> = pending.into_iter().map(|p| p.report).collect();
    if config.json {
        tables::stamp_json(out, &reports).map_err(io_err)?;
    } else {
        tables::stamp_human(out, &reports, config.common.style).map_err(io_err)?;
    }
    Ok(if reports.iter().all(|r| r.missing.is_empty()) {
        Outcome::Success
    } else {
        Outcome::Nothing
    })
}

/// A path as given, relative to the working directory; failing that, to the root (the
/// paths `check` prints are relative to the root).
fn resolve(path: &Path, cwd: &Path, root: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let from_cwd = cwd.join(path);
    if from_cwd.exists() {
        return from_cwd;
    }
    let from_root = root.join(path);
    if from_root.exists() {
        from_root
    } else {
        from_cwd
    }
}

/// The path relative to the root, with `/` separators, as `check` prints it; as given
/// when it is outside the root.
fn rel_path(repo: &Repo, abs: &Path) -> String {
    match repo.root.canonicalize() {
        Ok(root) => match abs.strip_prefix(&root) {
            Ok(rest) => rest
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => abs.display().to_string(),
        },
        Err(_) => repo.rel(abs),
    }
}

fn refuse(rel: &str, why: impl std::fmt::Display, help: impl std::fmt::Display) -> Error {
    Error::Usage(format!("cannot stamp {rel}: {why}\n  = help: {help}"))
}

/// Reads one translation and stamps it in memory.
fn prepare(abs: &Path, repo: &Repo, playbooks: &[Playbook]) -> Result<Pending> {
    let rel = rel_path(repo, abs);
    let bytes =
        crate::files::read_regular(abs, crate::parser::MAX_PLAYBOOK_BYTES).map_err(|source| {
            Error::Read {
                path: abs.to_path_buf(),
                source,
            }
        })?;
    let parsed = parse_playbook(&bytes, &rel);
    let Some(translation) = parsed.playbook else {
        let first = parsed
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map_or_else(|| "it is not a playbook".to_string(), |d| d.to_string());
        return Err(refuse(
            &rel,
            "it does not parse",
            format!("fix it first (`playbook check`): {first}"),
        ));
    };
    let Some(meta) = &translation.translation else {
        return Err(refuse(
            &rel,
            "it is not a translation (its front matter has no `translation_of`)",
            "stamp translation files: `playbooks/<lang>/<original id>.md` with `translation_of = \"<original id>\"`",
        ));
    };
    let originals: Vec<&Playbook> = playbooks
        .iter()
        .filter(|p| p.translation.is_none())
        .collect();
    let Some(original) = originals.iter().find(|p| p.id == meta.of) else {
        let known: Vec<&str> = originals.iter().map(|p| p.id.as_str()).collect();
        return Err(refuse(
            &rel,
            format!("its original `{}` (translation_of) was not found", meta.of),
            format!(
                "fix `translation_of` (line {}): the originals are {}",
                meta.of_line,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ));
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| refuse(&rel, "it is not UTF-8", "save it as UTF-8"))?;
    let stamped = stamp(&text, &translation, original);
    let report = StampReport::new(&translation, &stamped);
    Ok(Pending {
        abs: abs.to_path_buf(),
        text: stamped.text,
        report,
    })
}

/// Replaces a file's contents through a hidden file beside it, so that a reader never sees
/// half a playbook; the file keeps its permissions.
fn write_replacing(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.stamping"));
    let write = || -> std::io::Result<()> {
        std::fs::write(&temp, text)?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, meta.permissions())?;
        }
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(path, e)
    })
}
