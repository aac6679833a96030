//! Finding the repository root, walking `playbooks/`, and loading every playbook with its diagnostics.

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::files::{FileError, Stamp, kind_of, read_regular};
use crate::model::{Lang, Playbook};
use crate::parser::{MAX_PLAYBOOK_BYTES, parse_playbook, too_large};
use crate::taxonomy::{Taxonomy, parse_taxonomy};
use crate::translations::{self, FrontLines, front_lines};
use crate::tuning::MAX_TAXONOMY_BYTES;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The taxonomy's file name, inside `playbooks/`.
pub const SITUATIONS_FILE: &str = "situations.toml";

/// A playbook repository: the folder that holds `playbooks/` (and `index/`).
#[derive(Debug, Clone)]
pub struct Repo {
    pub root: PathBuf,
}

impl Repo {
    /// Uses `explicit` if given, else the nearest ancestor of `cwd` that holds `playbooks/`.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<Repo> {
        if let Some(root) = explicit {
            if !root.join("playbooks").is_dir() {
                return Err(Error::NoPlaybooks {
                    root: root.to_path_buf(),
                });
            }
            return Ok(Repo {
                root: root.to_path_buf(),
            });
        }
        let root = cwd
            .ancestors()
            .find(|dir| dir.join("playbooks").is_dir())
            .ok_or_else(|| Error::RootNotFound {
                start: cwd.to_path_buf(),
            })?;
        ensure_trusted(root)?;
        Ok(Repo {
            root: root.to_path_buf(),
        })
    }

    pub fn playbooks_dir(&self) -> PathBuf {
        self.root.join("playbooks")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    pub fn situations_path(&self) -> PathBuf {
        self.playbooks_dir().join(SITUATIONS_FILE)
    }

    /// The path of `abs` relative to the root, with `/` separators.
    pub fn rel(&self, abs: &Path) -> String {
        // Fast path, taken for every file of every search: plain string prefixes.
        if std::path::MAIN_SEPARATOR == '/'
            && let (Some(a), Some(root)) = (abs.to_str(), self.root.to_str())
            && let Some(rest) = a.strip_prefix(root)
        {
            return rest.trim_start_matches('/').to_string();
        }
        let rel = abs.strip_prefix(&self.root).unwrap_or(abs);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Refuses a root found by walking up from the working directory when it, or its
/// `playbooks/`, belongs to another user: from a folder under a shared one (`/tmp`),
/// anyone could otherwise create `playbooks/` above it and decide what the agent reads.
/// As Git's `safe.directory`; a root named with `--root` or `PLAYBOOK_ROOT` is trusted.
#[cfg(unix)]
fn ensure_trusted(root: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let sudo_uid = std::env::var("SUDO_UID").ok().and_then(|v| v.parse().ok());
    let playbooks = root.join("playbooks");
    // The folders, and `playbooks/` itself when it is a link: whoever owns a link chooses
    // what it leads to.
    let owners = [
        (root, std::fs::metadata(root)),
        (playbooks.as_path(), std::fs::metadata(&playbooks)),
        (playbooks.as_path(), std::fs::symlink_metadata(&playbooks)),
    ];
    for (dir, meta) in owners {
        let owner = meta.map_err(|e| Error::io(dir, e))?.uid();
        if !is_trusted_owner(owner, me, sudo_uid) {
            return Err(Error::UntrustedRoot {
                dir: dir.to_path_buf(),
                root: root.to_path_buf(),
                owner,
                me,
            });
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn ensure_trusted(_: &Path) -> Result<()> {
    Ok(())
}

/// Whether a folder owned by `owner` may be read as a discovered root by user `me`: it is
/// theirs, or root's (an administrator's installation; root can change anything anyway).
/// Root itself, under `sudo`, also trusts the folders of the user who ran `sudo`
/// (`SUDO_UID`), as Git does.
pub fn is_trusted_owner(owner: u32, me: u32, sudo_uid: Option<u32>) -> bool {
    owner == me || owner == 0 || (me == 0 && sudo_uid == Some(owner))
}

/// A playbook file as found on disk, with what the freshness check compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub rel_path: String,
    pub abs_path: PathBuf,
    /// Its size, times and inode when the walk saw it.
    pub stamp: Stamp,
}

/// What a walk over `playbooks/` found.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<FileStamp>,
    /// Problems met on the way (unreadable folders, links out of the tree, …).
    pub diagnostics: Vec<Diagnostic>,
}

/// Lists every `.md` playbook under `playbooks/`: hidden folders are skipped, and links are
/// followed only while they stay inside `playbooks/`. Problems become diagnostics.
pub fn list_playbook_files(repo: &Repo) -> Listing {
    let dir = repo.playbooks_dir();
    let canonical_dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    let mut found = Found::default();
    // Links are rare, so the walk does not follow them (one `stat` per playbook instead of
    // two: this is most of a search's time at 10,000 files); a link met on the way is
    // resolved by hand, and a linked folder walked with walkdir's loop detection on.
    walk(repo, &dir, &canonical_dir, false, &mut found);
    stat_all(&mut found.files);
    Listing {
        files: found.files,
        diagnostics: found.diagnostics,
    }
}

/// Reads every file's stamp, on two threads: at 10,000 playbooks these `stat` calls are
/// most of what a search costs.
fn stat_all(files: &mut [FileStamp]) {
    let stat = |chunk: &mut [FileStamp]| {
        for file in chunk.iter_mut().filter(|f| f.stamp == UNSTATED) {
            file.stamp =
                std::fs::metadata(&file.abs_path).map_or(Stamp::default(), |m| Stamp::of(&m));
        }
    };
    if files.len() < 256 {
        stat(files);
        return;
    }
    let (first, second) = files.split_at_mut(files.len() / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| stat(first));
        stat(second);
    });
}

/// The stamp of a file whose metadata is still to be read by [`stat_all`].
const UNSTATED: Stamp = Stamp {
    size: 0,
    mtime_ns: i128::MIN,
    ctime_ns: i128::MIN,
    inode: 0,
};

#[derive(Default)]
struct Found {
    files: Vec<FileStamp>,
    diagnostics: Vec<Diagnostic>,
}

fn walk(repo: &Repo, from: &Path, canonical_dir: &Path, follow_links: bool, found: &mut Found) {
    // Hidden files and folders are not walked (editors' and tools' files live there); a
    // hidden `.md` file looks like a playbook, so `check` says it is not read.
    let mut hidden = Vec::new();
    let walker = WalkDir::new(from)
        .follow_links(follow_links)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().as_encoded_bytes();
            let shown = e.depth() == 0 || name.first() != Some(&b'.');
            if !shown && !e.file_type().is_dir() && name.ends_with(b".md") {
                hidden.push(not_read(&repo.rel(e.path()), NotRead::Hidden));
            }
            shown
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                found.diagnostics.push(walk_error(repo, from, &err));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_symlink() {
            follow_link(repo, path, canonical_dir, found);
            continue;
        }
        if entry.file_type().is_dir() {
            continue;
        }
        if entry.path_is_symlink() && !is_inside(path, canonical_dir) {
            found.diagnostics.push(outside_link(&repo.rel(path)));
            continue;
        }
        if !entry.file_type().is_file() {
            found
                .diagnostics
                .push(special_file(&repo.rel(path), kind_of(entry.file_type())));
            continue;
        }
        add_file(repo, path, None, found);
    }
    found.diagnostics.append(&mut hidden);
}

/// E0007: a FIFO, socket or device where playbooks are. Never opened: a FIFO's `open`
/// would wait for a writer, and a device can be read forever.
fn special_file(rel_path: &str, kind: &str) -> Diagnostic {
    Diagnostic::error(
        rel_path,
        1,
        "E0007",
        format!("not a regular file but {kind}: never read"),
    )
    .with_hint("remove it from playbooks/: playbooks are plain files")
}

/// Why a file under `playbooks/` that looks like a playbook is not read.
#[derive(Debug, Clone, Copy)]
enum NotRead {
    Hidden,
    Readme,
}

/// W0010 for a file that is never read.
fn not_read(rel_path: &str, why: NotRead) -> Diagnostic {
    let (message, hint) = match why {
        NotRead::Hidden => (
            "a hidden file (its name starts with `.`) is never read or searched",
            "if it is a playbook, rename it without the leading dot",
        ),
        NotRead::Readme => (
            "README.md is documentation, never read or searched as a playbook",
            "if it is a playbook, give it another name",
        ),
    };
    Diagnostic::warning(rel_path, 1, "W0010", message).with_hint(hint)
}

fn is_inside(path: &Path, canonical_dir: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(canonical_dir))
}

fn outside_link(rel_path: &str) -> Diagnostic {
    Diagnostic::warning(
        rel_path,
        1,
        "W0007",
        "link points outside playbooks/: not followed",
    )
    .with_hint("copy the file into playbooks/ instead of linking to it")
}

/// A link met while walking without following links: a file inside the tree is read, a
/// folder inside the tree is walked (unless it contains the link: a loop).
fn follow_link(repo: &Repo, path: &Path, canonical_dir: &Path, found: &mut Found) {
    let rel_path = repo.rel(path);
    let target = match path.canonicalize() {
        Ok(t) => t,
        Err(e) if e.raw_os_error() == Some(LINK_LOOP_ERRNO) => {
            found.diagnostics.push(link_loop(&rel_path, false));
            return;
        }
        Err(e) => {
            found.diagnostics.push(
                Diagnostic::error(&rel_path, 1, "E0001", format!("cannot read: {e}"))
                    .with_hint("the link points to nothing: fix or remove it"),
            );
            return;
        }
    };
    if !target.starts_with(canonical_dir) {
        found.diagnostics.push(outside_link(&rel_path));
        return;
    }
    if target.is_dir() {
        let link_parent = path
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .unwrap_or_default();
        if link_parent.starts_with(&target) {
            found.diagnostics.push(link_loop(&rel_path, true));
            return;
        }
        walk(repo, path, canonical_dir, true, found);
    } else {
        let metadata = std::fs::metadata(path).ok();
        if let Some(special) = metadata.as_ref().filter(|m| !m.is_file()) {
            found
                .diagnostics
                .push(special_file(&rel_path, kind_of(special.file_type())));
            return;
        }
        add_file(repo, path, metadata, found);
    }
}

fn add_file(repo: &Repo, path: &Path, metadata: Option<std::fs::Metadata>, found: &mut Found) {
    let rel_path = repo.rel(path);
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        found.diagnostics.push(
            Diagnostic::warning(
                &rel_path,
                1,
                "W0008",
                "not a playbook: the file name is not UTF-8",
            )
            .with_hint("rename the file"),
        );
        return;
    };
    if rel_path == format!("playbooks/{SITUATIONS_FILE}")
        || rel_path == format!("playbooks/{}", crate::thesaurus::THESAURUS_FILE)
    {
        return;
    }
    if !name.ends_with(".md") {
        found.diagnostics.push(
            Diagnostic::warning(
                &rel_path,
                1,
                "W0008",
                "not a playbook: only `.md` files are read",
            )
            .with_hint("rename it to `.md` if it is a playbook, or move it out of playbooks/"),
        );
        return;
    }
    if name.eq_ignore_ascii_case("README.md") {
        found.diagnostics.push(not_read(&rel_path, NotRead::Readme));
        return;
    }
    found.files.push(FileStamp {
        rel_path,
        abs_path: path.to_path_buf(),
        stamp: metadata.map_or(UNSTATED, |m| Stamp::of(&m)),
    });
}

fn walk_error(repo: &Repo, dir: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().unwrap_or(dir);
    let rel = repo.rel(path);
    let too_many_links = err.io_error().and_then(|e| e.raw_os_error()) == Some(LINK_LOOP_ERRNO);
    if err.loop_ancestor().is_some() || too_many_links {
        link_loop(&rel, true)
    } else {
        Diagnostic::error(
            &rel,
            1,
            "E0001",
            format!("cannot read: {}", io_message(err)),
        )
        .with_hint("check the file's permissions")
    }
}

fn io_message(err: &walkdir::Error) -> String {
    err.io_error()
        .map_or_else(|| err.to_string(), |e| e.to_string())
}

/// Reads and parses one playbook file; I/O failures become diagnostics.
pub fn load_playbook(file: &FileStamp) -> (Option<Playbook>, Vec<Diagnostic>, Vec<usize>) {
    let loaded = read_playbook(file);
    (loaded.playbook, loaded.diagnostics, loaded.situation_lines)
}

/// One file as [`load_corpus`] needs it.
struct Loaded {
    playbook: Option<Playbook>,
    diagnostics: Vec<Diagnostic>,
    situation_lines: Vec<usize>,
    /// For a translation: where its `title` and `lang` are, for cross-file diagnostics.
    front_lines: Option<FrontLines>,
}

fn read_playbook(file: &FileStamp) -> Loaded {
    let failed = |diagnostics| Loaded {
        playbook: None,
        diagnostics,
        situation_lines: Vec::new(),
        front_lines: None,
    };
    if file.stamp.size > MAX_PLAYBOOK_BYTES {
        // Known from the file's size alone: no need to read 20 MB to refuse it.
        return failed(vec![too_large(&file.rel_path, file.stamp.size)]);
    }
    match read_regular(&file.abs_path, MAX_PLAYBOOK_BYTES) {
        Ok(bytes) => {
            let parsed = parse_playbook(&bytes, &file.rel_path);
            let front_lines = parsed
                .playbook
                .as_ref()
                .filter(|p| p.translation.is_some())
                .and_then(|_| std::str::from_utf8(&bytes).ok())
                .map(front_lines);
            Loaded {
                playbook: parsed.playbook,
                diagnostics: parsed.diagnostics,
                situation_lines: parsed.situation_lines,
                front_lines,
            }
        }
        Err(FileError::TooLarge { size, .. }) => failed(vec![too_large(&file.rel_path, size)]),
        Err(FileError::NotRegular { kind }) => failed(vec![special_file(&file.rel_path, kind)]),
        Err(FileError::Io(e)) if e.raw_os_error() == Some(LINK_LOOP_ERRNO) => {
            failed(vec![link_loop(&file.rel_path, false)])
        }
        Err(FileError::Io(e)) => failed(vec![
            Diagnostic::error(&file.rel_path, 1, "E0001", format!("cannot read: {e}"))
                .with_hint("check the file's permissions"),
        ]),
    }
}

/// E0006, for a link that leads back to itself, or (`to_folder`) to a folder holding it.
fn link_loop(rel_path: &str, to_folder: bool) -> Diagnostic {
    let message = if to_folder {
        "link loop: this link leads back to itself or to a folder that contains it"
    } else {
        "link loop: this link leads back to itself"
    };
    Diagnostic::error(rel_path, 1, "E0006", message).with_hint("remove the link")
}

/// ELOOP: too many levels of symbolic links.
const LINK_LOOP_ERRNO: i32 = 40;

/// Loads the taxonomy; a missing or broken file is an error for search, a diagnostic for check.
pub fn load_taxonomy(repo: &Repo) -> (Option<Taxonomy>, Vec<Diagnostic>) {
    let path = repo.situations_path();
    let rel = repo.rel(&path);
    match read_regular(&path, MAX_TAXONOMY_BYTES) {
        Ok(bytes) => parse_taxonomy(&bytes, &rel),
        Err(e) => {
            let hint = match &e {
                FileError::Io(io) if io.kind() != std::io::ErrorKind::NotFound => {
                    "check the file's permissions"
                }
                FileError::Io(_) => {
                    "create playbooks/situations.toml (see docs/playbook-format.md)"
                }
                FileError::NotRegular { .. } => {
                    "replace it with the plain TOML file (see docs/playbook-format.md)"
                }
                FileError::TooLarge { .. } => {
                    "far larger than any taxonomy: check what was written there"
                }
            };
            let message = format!("cannot read the situations file: {e}");
            (
                None,
                vec![Diagnostic::error(&rel, 1, "E0500", message).with_hint(hint)],
            )
        }
    }
}

/// Every playbook and the taxonomy, with all diagnostics, in a stable order.
#[derive(Debug, Default)]
pub struct Corpus {
    pub playbooks: Vec<Playbook>,
    pub taxonomy: Option<Taxonomy>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be loaded at all (their problems are in `diagnostics`).
    pub skipped: Vec<String>,
}

/// Loads and validates everything under `playbooks/`.
pub fn load_corpus(repo: &Repo) -> Corpus {
    let Listing {
        mut files,
        mut diagnostics,
        ..
    } = list_playbook_files(repo);
    files.sort_unstable_by(|a, b| a.rel_path.cmp(&b.rel_path));
    let (taxonomy, mut tax_diags) = load_taxonomy(repo);
    diagnostics.append(&mut tax_diags);
    diagnostics.append(&mut crate::thesaurus::load_thesaurus(repo).1);
    let mut playbooks = Vec::new();
    let mut skipped = Vec::new();
    let mut situation_lines = Vec::new();
    let mut front = HashMap::new();
    for file in &files {
        let mut loaded = read_playbook(file);
        diagnostics.append(&mut loaded.diagnostics);
        match loaded.playbook {
            Some(p) => {
                if let Some(lines) = loaded.front_lines {
                    front.insert(p.path.clone(), lines);
                }
                playbooks.push(p);
                situation_lines.push(loaded.situation_lines);
            }
            None => skipped.push(file.rel_path.clone()),
        }
    }
    cross_check(
        &playbooks,
        &situation_lines,
        &front,
        taxonomy.as_ref(),
        &mut diagnostics,
    );
    diagnostics
        .sort_by(|a, b| (&a.path, a.line, a.col, a.code).cmp(&(&b.path, b.line, b.col, b.code)));
    Corpus {
        playbooks,
        taxonomy,
        diagnostics,
        skipped,
    }
}

/// Checks that need more than one file: duplicate playbook ids, translations against their
/// originals, situation tags, coverage. `front` has the front-matter lines of translations.
fn cross_check(
    playbooks: &[Playbook],
    situation_lines: &[Vec<usize>],
    front: &HashMap<String, FrontLines>,
    taxonomy: Option<&Taxonomy>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut first_by_id: HashMap<&str, &str> = HashMap::new();
    // Two translations of one playbook into one language share an id: that is E0709.
    for p in playbooks.iter().filter(|p| p.translation.is_none()) {
        if let Some(first) = first_by_id.get(p.id.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    &p.path,
                    p.id_line,
                    "E0204",
                    format!("duplicate playbook id `{}` (also used by {first})", p.id),
                )
                .with_hint("every playbook needs its own id"),
            );
        } else {
            first_by_id.insert(&p.id, &p.path);
        }
    }
    // A translation in the wrong language folder is an error (E0706), not W0106.
    let translation_paths: std::collections::HashSet<&str> = playbooks
        .iter()
        .filter(|p| p.translation.is_some())
        .map(|p| p.path.as_str())
        .collect();
    diagnostics.retain(|d| !(d.code == "W0106" && translation_paths.contains(d.path.as_str())));
    diagnostics.extend(translations::diagnostics(playbooks, front));
    let Some(taxonomy) = taxonomy else { return };
    for (p, lines) in playbooks.iter().zip(situation_lines) {
        for (j, step) in p.steps.iter().enumerate() {
            let line = lines.get(j).copied().unwrap_or(step.line);
            check_step_situations(p, step, line, taxonomy, diagnostics);
        }
    }
    coverage_warnings(playbooks, taxonomy, diagnostics);
}

fn check_step_situations(
    p: &Playbook,
    step: &crate::model::Step,
    line: usize,
    taxonomy: &Taxonomy,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for tag in &step.situations {
        match taxonomy.get(tag) {
            None => {
                let mut d =
                    Diagnostic::error(&p.path, line, "E0301", format!("unknown situation `{tag}`"));
                d = match taxonomy.closest_id(tag) {
                    Some(close) => d.with_hint(format!("did you mean `{close}`?")),
                    None => d.with_hint("see `playbook situations` for the known ids"),
                };
                diagnostics.push(d);
            }
            Some(s) if s.headline && step.phrases.is_empty() => {
                diagnostics.push(
                    Diagnostic::error(
                        &p.path,
                        step.line,
                        "E0303",
                        format!("step `{}` is tagged `{tag}` but has no sample phrases", step.id),
                    )
                    .with_hint("add `**Say:**` (quoted from the source) or `**Say (added):**` (written by you) with a list of phrases"),
                );
            }
            Some(_) => {}
        }
    }
}

/// Warns when a headline situation has no step in some language: a gap agents will hit.
fn coverage_warnings(
    playbooks: &[Playbook],
    taxonomy: &Taxonomy,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if playbooks.is_empty() {
        return;
    }
    let path = format!("playbooks/{SITUATIONS_FILE}");
    for (i, s) in taxonomy
        .situations
        .iter()
        .enumerate()
        .filter(|(_, s)| s.headline)
    {
        for lang in Lang::ALL {
            let covered = playbooks
                .iter()
                .filter(|p| p.lang == lang)
                .any(|p| p.steps.iter().any(|st| st.situations.contains(&s.id)));
            if !covered {
                diagnostics.push(
                    Diagnostic::warning(
                        &path,
                        taxonomy.lines[i],
                        "W0601",
                        format!(
                            "headline situation `{}` has no step in {} ({lang})",
                            s.id,
                            lang.name()
                        ),
                    )
                    .with_hint(format!(
                        "tag a step of a playbooks/{lang}/ playbook with `{}`",
                        s.id
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_decides_trust() {
        // One's own folders and root's are trusted; another user's are not.
        assert!(is_trusted_owner(1000, 1000, None));
        assert!(is_trusted_owner(0, 1000, None));
        assert!(!is_trusted_owner(1001, 1000, None));
        // Root trusts only its own, unless run through sudo by the owner.
        assert!(is_trusted_owner(0, 0, None));
        assert!(!is_trusted_owner(1000, 0, None));
        assert!(is_trusted_owner(1000, 0, Some(1000)));
        assert!(!is_trusted_owner(1001, 0, Some(1000)));
        // SUDO_UID means nothing to a user who is not root.
        assert!(!is_trusted_owner(1001, 1000, Some(1001)));
    }
}
