//! The index on disk: generations, the manifest, commits and merges.
//!
//! `index/CURRENT` names the generation folder (`index/gen-*`) that answers searches. A full
//! rebuild writes a new generation and switches `CURRENT` with an atomic rename; old
//! generations and manifests are removed once nobody can still be using them. Each commit's
//! payload names the manifest written just before it, and a sidecar (`sizes.json`) records
//! each committed segment file's stamp when its checksum was last known good, so that
//! opening checksums only what changed since (and the small files, always).
//! Every file written here goes through [`write_atomically`], which never opens an existing
//! path for writing; no link inside `index/` is ever followed (see [`open_current`]).

use super::Notice;
use super::directory::GenerationDir;
use super::error::IndexError;
use super::family;
use super::freshness::{FileEntry, diff};
use super::panics;
use super::record::{INDEX_FORMAT, schema};
use crate::analysis::register_all;
use crate::cache::Stamp;
use crate::corpus::FileStamp;
use crate::tuning::ALWAYS_CHECKSUMMED_BYTES;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy};

type Result<T, E = IndexError> = std::result::Result<T, E>;

/// Names the current generation, in `index/`.
const CURRENT_FILE: &str = "CURRENT";
/// The sidecar that records the size of every segment file after each commit.
const SIZES_FILE: &str = "sizes.json";
/// How long an update waits for another process that holds the index writer.
const WRITER_WAIT: Duration = Duration::from_secs(60);
/// Below this many playbooks, a full build uses one indexing thread and reads the files on
/// one thread: it is quick anyway, and one segment instead of two makes every later search
/// open half as many files.
const PARALLEL_BUILD_MIN_FILES: usize = 500;
/// More segments than this are merged after a commit (see [`merge_if_fragmented`]).
const MAX_SEGMENTS: usize = 3;
/// Indexes with fewer steps than this are merged whole (tens of milliseconds at most).
const WHOLE_MERGE_MAX_DOCS: u32 = 5_000;

/// What the index holds: the format, and every file it has seen with what it found there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) format: u32,
    pub(super) files: HashMap<String, FileEntry>,
}

/// The commit payload: small JSON naming the manifest file.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Payload {
    pub(super) format: u32,
    manifest: Option<String>,
    /// The playbooks left out of the index, as `path (why)`. Searches take them from the
    /// manifest; the list stays in the payload because earlier binaries with the same
    /// [`INDEX_FORMAT`] read it from here.
    #[serde(default)]
    skipped: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Atomic writes

/// Whether [`write_atomically`] makes the new file durable before it is renamed into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// fsync the file before the rename and its folder after: for what must survive a
    /// power cut (`CURRENT`).
    Synced,
    /// fsync the file before the rename, not its folder: what tantivy's own atomic writes
    /// (`meta.json`, `.managed.json`) always did; its commit syncs the folder itself.
    FileSynced,
    /// Rename only: atomic for every other process, but a crash may lose it (the manifest,
    /// which the next commit's payload names only after it is written; the sizes sidecar,
    /// whose loss costs one checksum pass).
    Unsynced,
}

/// Writes `bytes` to `path` as a whole or not at all: to a temporary file beside it
/// (`NAME.tmp-PID-N`), synced if asked, then renamed over `path`. On failure the temporary
/// file is removed and `path` is left as it was.
///
/// The temporary file must be new (a link planted under its name is never followed), and
/// the rename replaces whatever `path` was, a link included, without following it. The
/// file gets the mode any new file gets here (the umask's), so others can read the index.
pub(super) fn write_atomically(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    write_atomically_at(path, bytes, durability).map_err(|(at, e)| IndexError::io(at, e))
}

/// [`write_atomically`] with a plain I/O error: for tantivy's
/// [`tantivy::directory::Directory::atomic_write`], and the taxonomy cache.
pub(crate) fn write_atomically_io(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> std::io::Result<()> {
    write_atomically_at(path, bytes, durability).map_err(|(_, e)| e)
}

/// [`write_atomically`], failing with the path that failed and the I/O error.
fn write_atomically_at(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> std::result::Result<(), (PathBuf, std::io::Error)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(
        "{name}.tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let at_tmp = |e| (tmp.clone(), e);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(at_tmp)?;
        file.write_all(bytes).map_err(at_tmp)?;
        if durability != Durability::Unsynced {
            file.sync_all().map_err(at_tmp)?;
        }
        drop(file);
        std::fs::rename(&tmp, path).map_err(|e| (path.to_path_buf(), e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    if durability == Durability::Synced
        && let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A name unique to this moment and process: `PREFIX-NANOS-PID`.
fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    )
}

// ---------------------------------------------------------------------------------------
// Opening the current generation

/// A generation opened and checked, with the reader that checked it (a search uses it:
/// opening the segments once more would be wasted work on every search).
pub(super) struct Opened {
    pub(super) index: Index,
    pub(super) payload: Payload,
    pub(super) manifest: Manifest,
    pub(super) gen_dir: PathBuf,
    pub(super) reader: IndexReader,
}

/// Opens the current generation (`None`: there is none yet); if another process switched
/// generations meanwhile (and removed the one being opened), opens the new one instead.
pub(super) fn open_current_retrying(dir: &Path) -> Result<Option<Opened>> {
    let mut attempt = 0;
    loop {
        let before = read_small(&dir.join(CURRENT_FILE)).ok();
        match open_current(dir) {
            Err(e @ IndexError::Damaged { .. }) if attempt < 3 => {
                let after = read_small(&dir.join(CURRENT_FILE)).ok();
                if before == after {
                    return Err(e);
                }
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Opens the generation `CURRENT` names, and checks that it can be searched. Every reason
/// not to trust it is [`IndexError::Damaged`], a panic inside tantivy (a damaged file it
/// does not check) included.
fn open_current(dir: &Path) -> Result<Option<Opened>> {
    panics::catch(|| open_current_unguarded(dir))
        .unwrap_or_else(|panic| Err(IndexError::damaged(format!("damaged ({panic})"))))
}

fn open_current_unguarded(dir: &Path) -> Result<Option<Opened>> {
    let Some(current) = read_current(dir)? else {
        return Ok(None);
    };
    let gen_dir = dir.join(&current);
    check_generation_folder(&gen_dir, &current)?;
    let unreadable = |e: tantivy::TantivyError| IndexError::damaged(format!("unreadable ({e})"));
    let directory = GenerationDir::open(&gen_dir)
        .map_err(|e| IndexError::damaged(format!("unreadable ({e})")))?;
    let index = Index::open(directory).map_err(unreadable)?;
    register_all(&index);
    let metas = index.load_metas().map_err(unreadable)?;
    let payload =
        load_payload(&metas).ok_or_else(|| IndexError::damaged("commit payload missing"))?;
    let manifest =
        load_manifest(&gen_dir, &payload).ok_or_else(|| IndexError::damaged("manifest missing"))?;
    verify_files(&index, &gen_dir, &metas)?;
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e: tantivy::TantivyError| IndexError::damaged(format!("damaged ({e})")))?;
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        segment
            .get_store_reader(0)
            .map_err(|e| IndexError::damaged(format!("damaged ({e})")))?;
    }
    Ok(Some(Opened {
        index,
        payload,
        manifest,
        gen_dir,
        reader,
    }))
}

/// The generation `CURRENT` names (`None`: there is none yet). `CURRENT` must be a file:
/// a link planted in its place is damage, never followed.
fn read_current(dir: &Path) -> Result<Option<String>> {
    let path = dir.join(CURRENT_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if !meta.is_file() => {
            return Err(IndexError::damaged(
                "CURRENT is not a file (a symbolic link?)",
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IndexError::damaged(format!("cannot read CURRENT: {e}"))),
    }
    let current = match read_small(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(IndexError::damaged(format!("cannot read CURRENT: {e}"))),
    };
    if !current.starts_with("gen-") || current.contains(['/', '\\']) {
        return Err(IndexError::damaged("CURRENT is damaged"));
    }
    Ok(Some(current))
}

/// A generation must be a folder of its own holding no links: one moved elsewhere and
/// linked back would have every update written wherever the link leads.
fn check_generation_folder(gen_dir: &Path, name: &str) -> Result<()> {
    let unreadable = |e: std::io::Error| IndexError::damaged(format!("{name} unreadable ({e})"));
    let meta = std::fs::symlink_metadata(gen_dir).map_err(unreadable)?;
    if !meta.is_dir() {
        return Err(IndexError::damaged(format!(
            "{name} is not a folder (a symbolic link?)"
        )));
    }
    for entry in std::fs::read_dir(gen_dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        if entry.file_type().map_err(unreadable)?.is_symlink() {
            return Err(IndexError::damaged(format!(
                "{} in {name} is a symbolic link",
                entry.file_name().to_string_lossy()
            )));
        }
    }
    Ok(())
}

/// The last commit's payload.
fn load_payload(metas: &tantivy::IndexMeta) -> Option<Payload> {
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// The manifest a commit's payload names.
fn load_manifest(gen_dir: &Path, payload: &Payload) -> Option<Manifest> {
    let name = payload.manifest.as_deref()?;
    if !name.starts_with("manifest-") || name.contains(['/', '\\']) {
        return None;
    }
    let bytes = read_small(&gen_dir.join(name)).ok()?;
    let mut manifest: Manifest = postcard::from_bytes(crate::cache::unsealed(&bytes)?).ok()?;
    manifest.format = payload.format;
    Some(manifest)
}

// ---------------------------------------------------------------------------------------
// The sizes sidecar

/// The sidecar: for the commit `opstamp`, each segment file's stamp when its checksum was
/// last known good (written by this program, or checksummed since).
#[derive(Debug, Serialize, Deserialize)]
struct Sizes {
    opstamp: u64,
    files: BTreeMap<String, Stamp>,
}

/// The files the committed segments need.
fn segment_files(metas: &tantivy::IndexMeta) -> Vec<String> {
    use tantivy::index::SegmentComponent as C;
    let mut files = Vec::new();
    for segment in &metas.segments {
        let mut components = vec![
            C::Postings,
            C::Positions,
            C::FastFields,
            C::FieldNorms,
            C::Terms,
            C::Store,
        ];
        if segment.has_deletes() {
            components.push(C::Delete);
        }
        for c in components {
            files.push(segment.relative_path(c).to_string_lossy().to_string());
        }
    }
    files
}

/// Checks the committed segment files: a file whose stamp (size, times, inode) is not the
/// one the sidecar recorded when its checksum was last good has its checksum verified (a
/// crash right after a commit, a file changed in place by anything but this program), and
/// so has every small file (cheap). A mismatch, or a file missing or not a regular file,
/// is damage. What was verified is recorded for the next search.
fn verify_files(index: &Index, gen_dir: &Path, metas: &tantivy::IndexMeta) -> Result<()> {
    let sidecar: Option<Sizes> = read_small(&gen_dir.join(SIZES_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|s: &Sizes| s.opstamp == metas.opstamp);
    let mut files = BTreeMap::new();
    let mut learned = false;
    for name in segment_files(metas) {
        let meta = std::fs::symlink_metadata(gen_dir.join(&name))
            .ok()
            .filter(std::fs::Metadata::is_file)
            .ok_or_else(|| IndexError::damaged(format!("file {name} is missing")))?;
        let stamp = Stamp::of(&meta);
        let known = sidecar.as_ref().and_then(|s| s.files.get(&name)) == Some(&stamp);
        if !known || meta.len() <= ALWAYS_CHECKSUMMED_BYTES {
            let good = index
                .directory()
                .validate_checksum(Path::new(&name))
                .map_err(|e| IndexError::damaged(format!("unreadable ({e})")))?;
            if !good {
                return Err(IndexError::damaged(format!("file {name} is damaged")));
            }
            learned |= !known;
        }
        files.insert(name, stamp);
    }
    if learned {
        save_sizes(gen_dir, metas.opstamp, files);
    }
    Ok(())
}

/// Records the committed segment files' stamps (just written, or just checksummed);
/// failing only costs a checksum pass later.
fn write_sizes(gen_dir: &Path, metas: &tantivy::IndexMeta) {
    let files = segment_files(metas)
        .into_iter()
        .filter_map(|name| {
            let meta = std::fs::symlink_metadata(gen_dir.join(&name)).ok()?;
            Some((name, Stamp::of(&meta)))
        })
        .collect();
    save_sizes(gen_dir, metas.opstamp, files);
}

fn save_sizes(gen_dir: &Path, opstamp: u64, files: BTreeMap<String, Stamp>) {
    if let Ok(bytes) = serde_json::to_vec(&Sizes { opstamp, files }) {
        let _ = write_atomically(&gen_dir.join(SIZES_FILE), &bytes, Durability::Unsynced);
    }
}

// ---------------------------------------------------------------------------------------
// Writers, commits and merges

fn build_writer(index: &Index, files: usize) -> Result<IndexWriter> {
    let threads = if files < PARALLEL_BUILD_MIN_FILES {
        1
    } else {
        2
    };
    writer_with_threads(index, threads).map_err(IndexError::tantivy("cannot open the index writer"))
}

/// A writer with up to `max_threads` indexing threads. A refresh of a few files uses one,
/// so that each edit adds one segment, not one per thread.
fn writer_with_threads(index: &Index, max_threads: usize) -> tantivy::Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, max_threads);
    let writer = index.writer_with_num_threads(threads, 40_000_000 * threads)?;
    // Merges are done explicitly (see `merge_if_fragmented`), never in a background
    // thread that a killed process could leave half done.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    Ok(writer)
}

/// Waits for the writer lock another process may hold, up to [`WRITER_WAIT`].
fn writer_waiting(index: &Index) -> Result<IndexWriter> {
    let start = Instant::now();
    loop {
        match writer_with_threads(index, 1) {
            Ok(w) => return Ok(w),
            // Only a lock another process holds is worth waiting for; one that cannot be
            // taken at all (a read-only folder) never will be.
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) if start.elapsed() < WRITER_WAIT => {
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(e) => return Err(IndexError::tantivy("cannot open the index writer")(e)),
        }
    }
}

/// Small updates add a segment each; past a handful, merge them.
///
/// Only the small segments (under a tenth of the documents each) are merged: merging
/// into the big segments of the last full build would make an edit wait for a copy of
/// the whole index (0.45 s at 10,000 playbooks) instead of a few milliseconds. A big
/// segment joins the merge once a fifth of it is deleted (replaced by edits), so that
/// space comes back.
fn merge_if_fragmented(index: &Index, writer: &mut IndexWriter) -> Result<()> {
    let metas = index
        .searchable_segment_metas()
        .map_err(IndexError::tantivy("cannot list the segments"))?;
    if metas.len() <= MAX_SEGMENTS {
        return Ok(());
    }
    let total: u32 = metas.iter().map(|m| m.max_doc()).sum();
    // A small index is merged whole: that is quick, and "small segments" mean nothing when
    // every playbook is a tenth of it.
    let whole = total < WHOLE_MERGE_MAX_DOCS;
    let worth_merging = |m: &tantivy::index::SegmentMeta| {
        whole || m.max_doc() * 10 < total || m.num_deleted_docs() * 5 >= m.max_doc()
    };
    let ids: Vec<_> = metas
        .iter()
        .filter(|m| worth_merging(m))
        .map(|m| m.id())
        .collect();
    if ids.len() > 1 {
        writer
            .merge(&ids)
            .wait()
            .map_err(IndexError::tantivy("merge failed"))?;
    }
    Ok(())
}

/// Commits what `writer` holds, with a payload naming `manifest` (written first, into
/// `gen_dir`; an index in memory has none), then merges if need be.
fn commit(
    index: &Index,
    writer: &mut IndexWriter,
    manifest: &Manifest,
    gen_dir: Option<&Path>,
) -> Result<()> {
    // The manifest is written first, under a name of its own, and the commit's payload
    // names it: a crash before the commit leaves the old payload naming the old manifest.
    let file = match gen_dir {
        Some(dir) => Some(write_manifest(dir, manifest)?),
        None => None,
    };
    let payload = serde_json::to_string(&Payload {
        format: manifest.format,
        manifest: file.clone(),
        skipped: skipped_files(manifest),
    })
    .map_err(|source| IndexError::PayloadEncode { source })?;
    let mut prepared = writer
        .prepare_commit()
        .map_err(IndexError::tantivy("cannot prepare the commit"))?;
    prepared.set_payload(&payload);
    prepared
        .commit()
        .map_err(IndexError::tantivy("commit failed"))?;
    merge_if_fragmented(index, writer)?;
    if let Some(dir) = gen_dir {
        let metas = index
            .load_metas()
            .map_err(IndexError::tantivy("cannot read the commit back"))?;
        write_sizes(dir, &metas);
        remove_stale_files(dir, file.as_deref().unwrap_or_default());
    }
    Ok(())
}

/// Writes the manifest (postcard: compact and fast to read back, which matters at 10,000
/// files) to a new file, atomically, and returns its name. It is sealed with a CRC-32: a
/// flipped bit that still decodes would read as a changed file's stamp, and the update that
/// follows leaves the replaced steps in the word statistics (a fresh index ranks a little
/// differently); a manifest that fails its check makes the index damaged, and rebuilt.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<String> {
    let name = format!("{}.bin", unique_name("manifest"));
    let body =
        postcard::to_stdvec(manifest).map_err(|source| IndexError::ManifestEncode { source })?;
    let bytes = crate::cache::sealed(&body);
    write_atomically(&dir.join(&name), &bytes, Durability::Unsynced)?;
    Ok(name)
}

/// The playbooks a manifest leaves out of the index, as `path (why)`, sorted.
pub(super) fn skipped_files(manifest: &Manifest) -> Vec<String> {
    let mut skipped: Vec<String> = manifest
        .files
        .iter()
        .filter_map(|(path, f)| f.skipped.as_ref().map(|why| format!("{path} ({why})")))
        .collect();
    skipped.sort();
    skipped
}

// ---------------------------------------------------------------------------------------
// Indexing

/// Re-indexes what changed since the manifest, under the writer lock, in generation
/// `gen_dir`; says so in `notices` when anything did.
pub(super) fn apply_changes(
    index: &Index,
    gen_dir: &Path,
    stamps: &[FileStamp],
    notices: &mut Vec<Notice>,
) -> Result<Manifest> {
    let mut writer = writer_waiting(index)?;
    // Files a killed writer left (segments never committed, a deletes file whose name the
    // next commit would take again: `FileAlreadyExists`) go before anything is written.
    // Readers opening the index meanwhile are safe: tantivy deletes under the meta lock.
    let _ = writer.garbage_collect_files().wait();
    // Another process may have updated the index while this one waited.
    let metas = index
        .load_metas()
        .map_err(IndexError::tantivy("cannot read the last commit"))?;
    let mut manifest = load_payload(&metas)
        .and_then(|p| load_manifest(gen_dir, &p))
        .unwrap_or_default();
    // Segment metas alive in this process count as in use: the commit's clean-up could not
    // delete the segments it leaves behind while these are held.
    drop(metas);
    let diff = diff(&manifest, stamps);
    if diff.is_empty() {
        return Ok(manifest);
    }
    let (_, fields) = schema();
    family::apply(
        &mut writer,
        &fields,
        &mut manifest.files,
        &diff.changed,
        &diff.removed,
        stamps,
    )?;
    manifest.format = INDEX_FORMAT;
    commit(index, &mut writer, &manifest, Some(gen_dir))?;
    // What killed rebuilds left: kept is what `CURRENT` names now (another process may
    // have switched generations while this one updated the old one).
    if let Some(dir) = gen_dir.parent()
        && let Ok(Some(current)) = read_current(dir)
    {
        remove_old_generations(dir, &current);
    }
    notices.push(Notice::Updated {
        changed: diff.changed.len(),
        removed: diff.removed.len(),
    });
    Ok(manifest)
}

/// Builds every playbook into `index`, returning the manifest.
fn build_into(index: &Index, stamps: &[FileStamp], gen_dir: Option<&Path>) -> Result<Manifest> {
    let mut writer = build_writer(index, stamps.len())?;
    let (_, fields) = schema();
    let mut manifest = Manifest {
        format: INDEX_FORMAT,
        files: HashMap::new(),
    };
    let mut playbooks = Vec::with_capacity(stamps.len());
    let parallel = stamps.len() >= PARALLEL_BUILD_MIN_FILES;
    for (stamp, entry, playbook) in family::load_all(stamps, parallel) {
        manifest.files.insert(stamp.rel_path.clone(), entry);
        playbooks.extend(playbook);
    }
    family::add_families(&mut writer, &fields, &playbooks)?;
    commit(index, &mut writer, &manifest, gen_dir)?;
    writer
        .wait_merging_threads()
        .map_err(IndexError::tantivy("cannot finish the merges"))?;
    Ok(manifest)
}

/// An index in memory, for when the index folder cannot be written.
pub(super) fn build_in_ram(stamps: &[FileStamp]) -> Result<(Index, Manifest)> {
    let (schema, _) = schema();
    let index = Index::create_in_ram(schema);
    register_all(&index);
    let manifest = build_into(&index, stamps, None)?;
    Ok((index, manifest))
}

// ---------------------------------------------------------------------------------------
// Generations

/// Builds a new generation beside the current one in `dir` and switches to it atomically.
pub(super) fn rebuild(dir: &Path, stamps: &[FileStamp]) -> Result<(Index, Manifest)> {
    let name = unique_name("gen");
    let gen_dir = dir.join(&name);
    // A new folder, never one already there (a link planted under the name included).
    std::fs::create_dir(&gen_dir).map_err(|e| IndexError::io(&gen_dir, e))?;
    let (schema, _) = schema();
    let directory = GenerationDir::open(&gen_dir).map_err(|e| {
        IndexError::tantivy("cannot create the index")(tantivy::TantivyError::from(e))
    })?;
    let index = Index::create(directory, schema, IndexSettings::default())
        .map_err(IndexError::tantivy("cannot create the index"))?;
    register_all(&index);
    let manifest = build_into(&index, stamps, Some(&gen_dir))?;
    switch_current(dir, &name)?;
    remove_old_generations(dir, &name);
    Ok((index, manifest))
}

/// One of the index's own small files: never a FIFO or a device someone put in its place
/// (that would hang every search), never more than a sane size.
fn read_small(path: &Path) -> std::result::Result<Vec<u8>, crate::files::FileError> {
    crate::files::read_regular(path, crate::tuning::MAX_INDEX_METADATA_BYTES)
}

/// Points `CURRENT` at a generation, durably.
fn switch_current(dir: &Path, name: &str) -> Result<()> {
    write_atomically(&dir.join(CURRENT_FILE), name.as_bytes(), Durability::Synced)
}

/// Whether a folder entry was last modified over a minute ago: old enough that no other
/// process can still be writing it or about to read it.
fn older_than_a_minute(entry: &std::fs::DirEntry) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > Duration::from_secs(60))
}

/// Deletes generations that are no longer current, and temporary files left by a crash
/// (`CURRENT`'s, the taxonomy cache's). A generation younger than a minute may still be
/// being built by another process, so it is left for a later run. A link is removed as a
/// link: what it points to is never touched.
fn remove_old_generations(dir: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let stale_tmp = name.contains(".tmp-");
        if !(name.starts_with("gen-") || stale_tmp) || name == current {
            continue;
        }
        if older_than_a_minute(&entry) {
            let path = entry.path();
            let folder = entry.file_type().is_ok_and(|t| t.is_dir());
            let _ = if folder {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}

/// Deletes manifests other than the current one, and temporary files left by a crash
/// (`NAME.tmp-*`, and tantivy's `.tmp*` from earlier versions), once they are a minute
/// old: a reader that opened the previous commit a moment ago may still be reading its
/// manifest.
fn remove_stale_files(dir: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let stale = name.starts_with("manifest-") || name.contains(".tmp");
        if !stale || name == current || entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if older_than_a_minute(&entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in a folder, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_manifest_with_a_flipped_bit_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |family: &str, size| FileEntry {
            stamp: crate::files::Stamp {
                size,
                mtime_ns: 1_795_921_342_708_525_513,
                ctime_ns: 1_795_921_342_708_525_513,
                inode: 28_023,
            },
            skipped: None,
            family: Some(family.to_string()),
        };
        let manifest = Manifest {
            format: INDEX_FORMAT,
            files: HashMap::from([
                (
                    "playbooks/da/vrede-klienter.md".into(),
                    entry("da-vrede-klienter", 31_337),
                ),
                (
                    "playbooks/th/unhappy-customers.md".into(),
                    entry("th-unhappy-customers", 40_960),
                ),
            ]),
        };
        let name = write_manifest(dir.path(), &manifest).unwrap();
        let payload = Payload {
            format: INDEX_FORMAT,
            manifest: Some(name.clone()),
            skipped: Vec::new(),
        };
        assert_eq!(load_manifest(dir.path(), &payload), Some(manifest.clone()));
        let intact = std::fs::read(dir.path().join(&name)).unwrap();
        // Most flips in a stamp's varints still decode, as another stamp: that file would
        // look edited, and be re-indexed by an update instead of the damage being noticed.
        for offset in 0..intact.len() {
            for bit in 0..8 {
                let mut damaged = intact.clone();
                damaged[offset] ^= 1 << bit;
                std::fs::write(dir.path().join(&name), &damaged).unwrap();
                assert_eq!(
                    load_manifest(dir.path(), &payload),
                    None,
                    "bit {bit} of byte {offset}"
                );
            }
        }
    }

    #[test]
    fn an_atomic_write_creates_or_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("CURRENT");
        for durability in [Durability::Synced, Durability::Unsynced] {
            write_atomically(&path, b"gen-1", durability).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), b"gen-1");
            write_atomically(&path, b"gen-22", durability).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), b"gen-22");
            assert_eq!(names(dir.path()), ["CURRENT"]);
        }
    }

    #[test]
    fn a_failed_atomic_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // The rename fails: a non-empty folder stands where the file would go.
        let blocked = dir.path().join("sizes.json");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("inside"), "x").unwrap();
        let error = write_atomically(&blocked, b"{}", Durability::Synced).unwrap_err();
        assert!(
            matches!(&error, IndexError::Io { path, .. } if *path == blocked),
            "{error:?}"
        );
        assert_eq!(names(dir.path()), ["sizes.json"]);
        assert_eq!(names(&blocked), ["inside"]);
        // The temporary file cannot even be created: the folder is gone.
        let missing = dir.path().join("gone/CURRENT");
        let error = write_atomically(&missing, b"gen-1", Durability::Unsynced).unwrap_err();
        assert!(
            matches!(&error, IndexError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
            "{error:?}"
        );
        assert_eq!(names(dir.path()), ["sizes.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_in_a_read_only_folder_is_a_permission_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("CURRENT");
        std::fs::write(&path, "gen-1").unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores permissions; the check only means something for other users.
        let writable = std::fs::write(dir.path().join("probe"), b"x").is_ok();
        let result = write_atomically(&path, b"gen-2", Durability::Synced);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if !writable {
            let error = result.unwrap_err();
            assert!(error.is_permission(), "{error:?}");
            assert_eq!(std::fs::read(&path).unwrap(), b"gen-1");
            assert_eq!(names(dir.path()), ["CURRENT"]);
        }
    }

    #[test]
    fn concurrent_atomic_writes_never_show_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("CURRENT");
        write_atomically(&path, &[b'a'; 4096], Durability::Unsynced).unwrap();
        std::thread::scope(|scope| {
            for byte in [b'b', b'c'] {
                let path = &path;
                scope.spawn(move || {
                    for _ in 0..50 {
                        write_atomically(path, &[byte; 4096], Durability::Unsynced).unwrap();
                    }
                });
            }
            for _ in 0..200 {
                let bytes = std::fs::read(&path).unwrap();
                assert_eq!(bytes.len(), 4096);
                assert!(bytes.iter().all(|&b| b == bytes[0]));
            }
        });
        assert_eq!(names(dir.path()), ["CURRENT"]);
    }
}
