//! The search index: a tantivy index in `ROOT/index/`, kept fresh as a cache of `playbooks/`.
//!
//! Layout: `index/CURRENT` names the generation folder (`index/gen-*`) that answers searches.
//! A full rebuild writes a new generation and switches `CURRENT` with an atomic rename, so a
//! crash never leaves a half-built index in use. Small edits update the current generation
//! in place; tantivy commits are atomic, and the list of indexed files (the manifest) is the
//! commit's payload names it, so the index and its manifest can never disagree.

use crate::analysis::{Analyzer, register_all};
use crate::corpus::{FileStamp, Repo, list_playbook_files, load_playbook};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Lang, Playbook, Step};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bump whenever the schema, an analyzer or the stored record changes: older indexes are
/// then rebuilt automatically.
pub const INDEX_FORMAT: u32 = 18;

/// How long an update waits for another process that holds the index writer.
const WRITER_WAIT: Duration = Duration::from_secs(60);

/// What is stored for each step: everything a result needs, so rendering never re-reads files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub playbook: String,
    pub lang: Lang,
    pub playbook_title: String,
    pub section: Option<String>,
    pub step: String,
    pub title: String,
    /// The guidance, as plain text.
    pub text: String,
    pub phrases: Vec<String>,
    /// For each phrase, whether the editors wrote it (true) or the source quotes it (false).
    pub phrases_added: Vec<bool>,
    pub gloss: String,
    pub situations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dont_say: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_when: Vec<String>,
    pub path: String,
    pub line: usize,
}

impl StepRecord {
    pub fn new(playbook: &Playbook, step: &Step) -> Self {
        StepRecord {
            playbook: playbook.id.clone(),
            lang: playbook.lang,
            playbook_title: playbook.title.clone(),
            section: playbook.section_title(step).map(str::to_string),
            step: step.id.clone(),
            title: step.title.clone(),
            text: step.guidance.clone(),
            phrases: step.phrases.iter().map(|p| p.text.clone()).collect(),
            phrases_added: step.phrases.iter().map(|p| p.added).collect(),
            gloss: step.gloss.clone(),
            situations: step.situations.clone(),
            dont_say: step.dont_say.clone(),
            escalate_when: step.escalate_when.clone(),
            path: playbook.path.clone(),
            line: step.line,
        }
    }

    /// The text in the playbook's own language that the language analyzers index.
    fn source_text(&self) -> String {
        let mut parts = vec![
            self.title.as_str(),
            self.title.as_str(),
            self.playbook_title.as_str(),
        ];
        if let Some(section) = &self.section {
            parts.push(section);
        }
        parts.push(&self.text);
        parts.extend(self.phrases.iter().map(String::as_str));
        // What not to say is written in the playbook's language ("kan ikke", "umuligt"):
        // an agent typing those words is in the situation the step handles.
        parts.extend(self.dont_say.iter().map(String::as_str));
        parts.join("\n")
    }

    /// The English (editorial) text.
    fn english_text(&self) -> String {
        let mut parts = vec![self.gloss.as_str()];
        parts.extend(self.escalate_when.iter().map(String::as_str));
        parts.join("\n")
    }
}

/// The index's fields.
#[derive(Debug, Clone)]
pub struct Fields {
    pub path: Field,
    pub lang: Field,
    pub situations: Field,
    /// The step's first situation tag: trainers list the one the step is mainly for first.
    pub primary_situation: Field,
    pub record: Field,
    /// A stable key that orders steps with equal scores, so that results never depend on
    /// which segment or thread indexed a step.
    pub order: Field,
    /// One text field per analyzer, in [`Analyzer::ALL`] order.
    pub text: Vec<(Analyzer, Field)>,
}

impl Fields {
    pub fn text_field(&self, analyzer: Analyzer) -> Field {
        self.text.iter().find(|(a, _)| *a == analyzer).unwrap().1
    }
}

/// The schema, and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let path = builder.add_text_field("path", STRING);
    let lang = builder.add_text_field("lang", STRING);
    let situations = builder.add_text_field("situations", STRING);
    let primary_situation = builder.add_text_field("primary_situation", STRING);
    let record = builder.add_text_field("record", STORED);
    let order = builder.add_u64_field("order", tantivy::schema::FAST);
    let text = Analyzer::ALL
        .iter()
        .map(|&a| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(a.name())
                .set_index_option(IndexRecordOption::WithFreqs);
            (
                a,
                builder.add_text_field(
                    a.name(),
                    TextOptions::default().set_indexing_options(indexing),
                ),
            )
        })
        .collect();
    (
        builder.build(),
        Fields {
            path,
            lang,
            situations,
            primary_situation,
            record,
            order,
            text,
        },
    )
}

/// FNV-1a of a step's path and id: the same for the same step in every build.
pub fn order_key(path: &str, step: &str) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in path.bytes().chain([b'#']).chain(step.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash
}

/// What a field indexes for a step in `lang`: each language's analyzers see only that
/// language's playbooks (a Romanian stem of Danish text helps nobody, and costs build
/// time); the exact Latin field sees every playbook (Latin words appear in all of them);
/// the English field sees the glosses.
fn field_text<'a>(
    analyzer: Analyzer,
    lang: Lang,
    source: &'a str,
    english: &'a str,
) -> Option<&'a str> {
    let own = match analyzer {
        Analyzer::English => return Some(english),
        Analyzer::LatinExact => return Some(source),
        Analyzer::ThaiWords | Analyzer::ThaiBigrams => Lang::Th,
        Analyzer::Persian | Analyzer::PersianStem => Lang::Fa,
        Analyzer::Romanian => Lang::Ro,
        Analyzer::Danish => Lang::Da,
    };
    (own == lang).then_some(source)
}

/// The tantivy documents for one playbook: one per step.
fn documents(playbook: &Playbook, fields: &Fields) -> Vec<TantivyDocument> {
    playbook
        .steps
        .iter()
        .map(|step| {
            let record = StepRecord::new(playbook, step);
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.path, &record.path);
            doc.add_text(fields.lang, record.lang.code());
            doc.add_u64(fields.order, order_key(&record.path, &record.step));
            for s in &record.situations {
                doc.add_text(fields.situations, s);
            }
            if let Some(first) = record.situations.first() {
                doc.add_text(fields.primary_situation, first);
            }
            let source = record.source_text();
            let english = record.english_text();
            for (analyzer, field) in &fields.text {
                if let Some(text) = field_text(*analyzer, record.lang, &source, &english) {
                    doc.add_text(*field, text);
                }
            }
            doc.add_text(
                fields.record,
                serde_json::to_string(&record).expect("record serialises"),
            );
            doc
        })
        .collect()
}

/// What the index holds: the format, and every file it has seen with what it found there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    files: HashMap<String, FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FileEntry {
    size: u64,
    mtime_ns: i128,
    /// Why the file is not in the index (its first error), if it is not.
    skipped: Option<String>,
}

impl FileEntry {
    fn same_stamp(&self, stamp: &FileStamp) -> bool {
        self.size == stamp.size && self.mtime_ns == stamp.mtime_ns
    }
}

/// An open, fresh index ready to search.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// One-line notices for stderr: rebuilt, updated, answering from memory...
    pub notices: Vec<String>,
    /// Playbooks left out because they are broken, with why.
    pub skipped: Vec<String>,
    /// Problems met while listing files (unreadable folders, links).
    pub walk_diagnostics: Vec<Diagnostic>,
}

/// What `playbook index` reports.
#[derive(Debug, Default)]
pub struct IndexReport {
    pub playbooks: usize,
    pub steps: usize,
    pub changed: usize,
    pub removed: usize,
    pub rebuilt: bool,
}

/// Opens the index of `repo`, bringing it up to date with `playbooks/` first: the tree is
/// walked and compared with the index, and what changed is re-indexed.
pub fn open_fresh(repo: &Repo) -> Result<SearchIndex> {
    let listing = list_playbook_files(repo);
    let mut notices = Vec::new();
    let (index, manifest, reader) = match open_and_update(repo, &listing.files, false, &mut notices)
    {
        Ok(opened) => opened,
        Err(reason) => {
            notices.push(format!(
                "index: cannot write {} ({reason}); searching from memory",
                repo.index_dir().display()
            ));
            let (index, manifest) = build_in_ram(&listing.files)?;
            (index, manifest, None)
        }
    };
    finish(
        index,
        reader,
        skipped_files(&manifest),
        notices,
        listing.diagnostics,
    )
}

/// Builds or updates the on-disk index (`playbook index`); `rebuild` starts from scratch.
pub fn update(repo: &Repo, rebuild: bool) -> Result<(IndexReport, Vec<String>)> {
    let stamps = list_playbook_files(repo).files;
    let mut notices = Vec::new();
    let (index, manifest, reader) = open_and_update(repo, &stamps, rebuild, &mut notices)
        .map_err(|reason| Error::index(repo.index_dir(), reason))?;
    let reader = match reader {
        Some(r) => r,
        None => new_reader(&index)?,
    };
    let report = IndexReport {
        playbooks: manifest
            .files
            .values()
            .filter(|f| f.skipped.is_none())
            .count(),
        steps: reader.searcher().num_docs() as usize,
        rebuilt: rebuild || notices.iter().any(|n| n.contains("rebuilt")),
        ..IndexReport::default()
    };
    Ok((report, notices))
}

/// A reader that sees the index as it is now (searches never need it to follow later commits).
fn new_reader(index: &Index) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| Error::index("index", e))
}

fn finish(
    index: Index,
    reader: Option<IndexReader>,
    skipped: Vec<String>,
    notices: Vec<String>,
    walk_diagnostics: Vec<Diagnostic>,
) -> Result<SearchIndex> {
    let (_, fields) = schema();
    let reader = match reader {
        Some(r) => r,
        None => new_reader(&index)?,
    };
    Ok(SearchIndex {
        index,
        reader,
        fields,
        notices,
        skipped,
        walk_diagnostics,
    })
}

/// Opens the current generation (rebuilding it when missing, unreadable or outdated) and
/// applies what changed. Returns the reader already opened, when there is one. An `Err`
/// means the index folder cannot be used at all.
fn open_and_update(
    repo: &Repo,
    stamps: &[FileStamp],
    force_rebuild: bool,
    notices: &mut Vec<String>,
) -> std::result::Result<(Index, Manifest, Option<IndexReader>), String> {
    let dir = repo.index_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if !force_rebuild {
        match open_current_retrying(&dir) {
            Ok(Opened {
                index,
                payload,
                manifest: Some(manifest),
                gen_dir,
                reader,
            }) if payload.format == INDEX_FORMAT => {
                if diff(&manifest, stamps).is_empty() {
                    return Ok((index, manifest, Some(reader)));
                }
                match apply_changes(&index, &gen_dir, stamps, notices) {
                    Ok(manifest) => {
                        let reader = reader.reload().is_ok().then_some(reader);
                        return Ok((index, manifest, reader));
                    }
                    Err(e) if is_permission(&e) => return Err(e),
                    Err(e) => notices.push(format!("index: update failed ({e}); rebuilt it")),
                }
            }
            Ok(_) => notices.push("index: written by another version; rebuilt it".to_string()),
            Err(OpenError::Missing) => {
                notices.push("index: building it for the first time".to_string())
            }
            Err(OpenError::Broken(why)) => notices.push(format!("index: {why}; rebuilt it")),
        }
    }
    let (index, manifest) = rebuild(&dir, stamps).map_err(|e| {
        if is_permission(&e) {
            e
        } else {
            format!("rebuild failed: {e}")
        }
    })?;
    Ok((index, manifest, None))
}

fn is_permission(e: &str) -> bool {
    e.contains("ermission denied") || e.contains("Read-only file system")
}

/// Opens the current generation; if another process switched generations meanwhile (and
/// removed the one being opened), opens the new one instead.
fn open_current_retrying(dir: &Path) -> std::result::Result<Opened, OpenError> {
    let mut attempt = 0;
    loop {
        let before = std::fs::read_to_string(dir.join("CURRENT")).ok();
        match open_current(dir) {
            Err(OpenError::Broken(why)) if attempt < 3 => {
                let after = std::fs::read_to_string(dir.join("CURRENT")).ok();
                if before == after {
                    return Err(OpenError::Broken(why));
                }
                attempt += 1;
            }
            other => return other,
        }
    }
}

enum OpenError {
    Missing,
    Broken(String),
}

/// Opens the generation `CURRENT` names, and checks that it can be searched.
fn open_current(dir: &Path) -> std::result::Result<Opened, OpenError> {
    let current = match std::fs::read_to_string(dir.join("CURRENT")) {
        Ok(name) => name.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(OpenError::Missing),
        Err(e) => return Err(OpenError::Broken(format!("cannot read CURRENT: {e}"))),
    };
    if !current.starts_with("gen-") || current.contains(['/', '\\']) {
        return Err(OpenError::Broken("CURRENT is damaged".to_string()));
    }
    let gen_dir = dir.join(&current);
    let index =
        Index::open_in_dir(&gen_dir).map_err(|e| OpenError::Broken(format!("unreadable ({e})")))?;
    register_all(&index);
    let metas = index
        .load_metas()
        .map_err(|e| OpenError::Broken(format!("unreadable ({e})")))?;
    let payload = load_payload(&metas)
        .ok_or_else(|| OpenError::Broken("commit payload missing".to_string()))?;
    let manifest = Some(
        load_manifest(&gen_dir, &payload)
            .ok_or_else(|| OpenError::Broken("manifest missing".to_string()))?,
    );
    verify_files(&index, &gen_dir, &metas).map_err(OpenError::Broken)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e: tantivy::TantivyError| OpenError::Broken(format!("damaged ({e})")))?;
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        segment
            .get_store_reader(0)
            .map_err(|e| OpenError::Broken(format!("damaged ({e})")))?;
    }
    Ok(Opened {
        index,
        payload,
        manifest,
        gen_dir,
        reader,
    })
}

/// A generation opened and checked, with the reader that checked it (a search uses it:
/// opening the segments once more would be wasted work on every search).
struct Opened {
    index: Index,
    payload: Payload,
    manifest: Option<Manifest>,
    gen_dir: PathBuf,
    reader: IndexReader,
}

/// The sidecar that records the size of every segment file after each commit.
const SIZES_FILE: &str = "sizes.json";

#[derive(Debug, Serialize, Deserialize)]
struct Sizes {
    opstamp: u64,
    files: BTreeMap<String, u64>,
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

/// Checks that no segment file was deleted or truncated since the last commit: sizes are
/// compared with the sidecar (cheap); without a matching sidecar (a crash right after a
/// commit), every checksum is verified once and the sidecar written again.
fn verify_files(
    index: &Index,
    gen_dir: &Path,
    metas: &tantivy::IndexMeta,
) -> std::result::Result<(), String> {
    let expected = segment_files(metas);
    let sidecar: Option<Sizes> = std::fs::read(gen_dir.join(SIZES_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|s: &Sizes| s.opstamp == metas.opstamp);
    for name in &expected {
        let size = std::fs::metadata(gen_dir.join(name))
            .map_err(|_| format!("file {name} is missing"))?
            .len();
        if let Some(sizes) = &sidecar
            && sizes.files.get(name) != Some(&size)
        {
            return Err(format!("file {name} was truncated or changed"));
        }
    }
    if sidecar.is_none() {
        let damaged = index
            .validate_checksum()
            .map_err(|e| format!("unreadable ({e})"))?;
        if let Some(first) = damaged.iter().next() {
            return Err(format!("file {} is damaged", first.display()));
        }
        write_sizes(gen_dir, metas);
    }
    Ok(())
}

/// Records the committed segment files' sizes; failing only costs a checksum pass later.
fn write_sizes(gen_dir: &Path, metas: &tantivy::IndexMeta) {
    let files = segment_files(metas)
        .into_iter()
        .filter_map(|name| {
            let size = std::fs::metadata(gen_dir.join(&name)).ok()?.len();
            Some((name, size))
        })
        .collect();
    let sizes = Sizes {
        opstamp: metas.opstamp,
        files,
    };
    let tmp = gen_dir.join(format!("{SIZES_FILE}.tmp-{}", std::process::id()));
    if let Ok(bytes) = serde_json::to_vec(&sizes)
        && std::fs::write(&tmp, bytes).is_ok()
        && std::fs::rename(&tmp, gen_dir.join(SIZES_FILE)).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Files added or changed (to index) and removed (to delete).
#[derive(Debug, Default)]
struct Diff<'a> {
    changed: Vec<&'a FileStamp>,
    removed: Vec<String>,
}

impl Diff<'_> {
    fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

fn diff<'a>(manifest: &Manifest, stamps: &'a [FileStamp]) -> Diff<'a> {
    let mut known = 0;
    let changed = stamps
        .iter()
        .filter(|s| match manifest.files.get(&s.rel_path) {
            Some(f) => {
                known += 1;
                !f.same_stamp(s)
            }
            None => true,
        })
        .collect();
    // Only when some indexed file was not seen on disk is a set of paths worth building.
    let removed = if known == manifest.files.len() {
        Vec::new()
    } else {
        let present: std::collections::HashSet<&str> =
            stamps.iter().map(|s| s.rel_path.as_str()).collect();
        let mut removed: Vec<String> = manifest
            .files
            .keys()
            .filter(|p| !present.contains(p.as_str()))
            .cloned()
            .collect();
        removed.sort();
        removed
    };
    Diff { changed, removed }
}

/// Below this many playbooks, a full build uses one indexing thread: it is quick anyway,
/// and one segment instead of two makes every later search open half as many files.
const PARALLEL_BUILD_MIN_FILES: usize = 500;

fn build_writer(index: &Index, files: usize) -> tantivy::Result<IndexWriter> {
    let threads = if files < PARALLEL_BUILD_MIN_FILES {
        1
    } else {
        2
    };
    writer_with_threads(index, threads)
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

/// Small updates add a segment each; past a handful, merge them.
///
/// Only the small segments (under a tenth of the documents each) are merged: merging
/// into the big segments of the last full build would make an edit wait for a copy of
/// the whole index (0.45 s at 10,000 playbooks) instead of a few milliseconds. A big
/// segment joins the merge once a fifth of it is deleted (replaced by edits), so that
/// space comes back.
fn merge_if_fragmented(index: &Index, writer: &mut IndexWriter) -> std::result::Result<(), String> {
    let metas = index
        .searchable_segment_metas()
        .map_err(|e| e.to_string())?;
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
        writer.merge(&ids).wait().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// More segments than this are merged after a commit (see [`merge_if_fragmented`]).
const MAX_SEGMENTS: usize = 3;
/// Indexes with fewer steps than this are merged whole (tens of milliseconds at most).
const WHOLE_MERGE_MAX_DOCS: u32 = 5_000;

/// Waits for the writer lock another process may hold, up to [`WRITER_WAIT`].
fn writer_waiting(index: &Index) -> std::result::Result<IndexWriter, String> {
    let start = Instant::now();
    loop {
        match writer_with_threads(index, 1) {
            Ok(w) => return Ok(w),
            Err(tantivy::TantivyError::LockFailure(..)) if start.elapsed() < WRITER_WAIT => {
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Re-indexes what changed since the manifest, under the writer lock.
fn apply_changes(
    index: &Index,
    gen_dir: &Path,
    stamps: &[FileStamp],
    notices: &mut Vec<String>,
) -> std::result::Result<Manifest, String> {
    let mut writer = writer_waiting(index)?;
    // Another process may have updated the index while this one waited.
    let metas = index.load_metas().map_err(|e| e.to_string())?;
    let mut manifest = load_payload(&metas)
        .and_then(|p| load_manifest(gen_dir, &p))
        .unwrap_or_default();
    let diff = diff(&manifest, stamps);
    if diff.is_empty() {
        return Ok(manifest);
    }
    let (_, fields) = schema();
    for path in &diff.removed {
        writer.delete_term(Term::from_field_text(fields.path, path));
        manifest.files.remove(path);
    }
    for stamp in &diff.changed {
        writer.delete_term(Term::from_field_text(fields.path, &stamp.rel_path));
        let entry = index_file(&mut writer, &fields, stamp)?;
        manifest.files.insert(stamp.rel_path.clone(), entry);
    }
    manifest.format = INDEX_FORMAT;
    commit(index, &mut writer, &manifest, Some(gen_dir))?;
    notices.push(format!(
        "index: updated {} changed and {} removed playbook file(s)",
        diff.changed.len(),
        diff.removed.len()
    ));
    Ok(manifest)
}

fn index_file(
    writer: &mut IndexWriter,
    fields: &Fields,
    stamp: &FileStamp,
) -> std::result::Result<FileEntry, String> {
    let (playbook, diagnostics, _) = load_playbook(stamp);
    let skipped = match playbook {
        Some(p) => {
            for doc in documents(&p, fields) {
                writer.add_document(doc).map_err(|e| e.to_string())?;
            }
            None
        }
        None => Some(diagnostics.iter().find(|d| d.is_error()).map_or_else(
            || "cannot be read".to_string(),
            |d| format!("line {}: {}", d.line, d.message),
        )),
    };
    Ok(FileEntry {
        size: stamp.size,
        mtime_ns: stamp.mtime_ns,
        skipped,
    })
}

fn commit(
    index: &Index,
    writer: &mut IndexWriter,
    manifest: &Manifest,
    gen_dir: Option<&Path>,
) -> std::result::Result<(), String> {
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
    .map_err(|e| e.to_string())?;
    let mut prepared = writer.prepare_commit().map_err(|e| e.to_string())?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(|e| e.to_string())?;
    merge_if_fragmented(index, writer)?;
    if let Some(dir) = gen_dir {
        let metas = index.load_metas().map_err(|e| e.to_string())?;
        write_sizes(dir, &metas);
        remove_old_manifests(dir, file.as_deref().unwrap_or_default());
    }
    Ok(())
}

/// The commit payload: small JSON naming the manifest file.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    format: u32,
    manifest: Option<String>,
    /// The playbooks left out of the index, as `path (why)`: a search reports them without
    /// reading the whole manifest.
    #[serde(default)]
    skipped: Vec<String>,
}

/// Writes the manifest (postcard: compact and fast to read back, which matters at 10,000
/// files) to a new file, atomically, and returns its name.
fn write_manifest(dir: &Path, manifest: &Manifest) -> std::result::Result<String, String> {
    let name = format!(
        "manifest-{}-{}.bin",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let bytes = postcard::to_stdvec(manifest).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, dir.join(&name)).map_err(|e| e.to_string())?;
    Ok(name)
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
    let bytes = std::fs::read(gen_dir.join(name)).ok()?;
    let mut manifest: Manifest = postcard::from_bytes(&bytes).ok()?;
    manifest.format = payload.format;
    Some(manifest)
}

/// The playbooks a manifest leaves out of the index, as `path (why)`, sorted.
fn skipped_files(manifest: &Manifest) -> Vec<String> {
    let mut skipped: Vec<String> = manifest
        .files
        .iter()
        .filter_map(|(path, f)| f.skipped.as_ref().map(|why| format!("{path} ({why})")))
        .collect();
    skipped.sort();
    skipped
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

/// Deletes manifests other than the current one, once they are a minute old (a reader
/// that opened the previous commit a moment ago may still be reading its manifest).
fn remove_old_manifests(dir: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with("manifest-") || name == current {
            continue;
        }
        let old = older_than_a_minute(&entry);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Builds every playbook into `index`, returning the manifest.
fn build_into(
    index: &Index,
    stamps: &[FileStamp],
    gen_dir: Option<&Path>,
) -> std::result::Result<Manifest, String> {
    let mut writer = build_writer(index, stamps.len()).map_err(|e| e.to_string())?;
    let (_, fields) = schema();
    let mut manifest = Manifest {
        format: INDEX_FORMAT,
        files: HashMap::new(),
    };
    for stamp in stamps {
        let entry = index_file(&mut writer, &fields, stamp)?;
        manifest.files.insert(stamp.rel_path.clone(), entry);
    }
    commit(index, &mut writer, &manifest, gen_dir)?;
    writer.wait_merging_threads().map_err(|e| e.to_string())?;
    Ok(manifest)
}

/// Builds a new generation beside the current one and switches to it atomically.
fn rebuild(dir: &Path, stamps: &[FileStamp]) -> std::result::Result<(Index, Manifest), String> {
    let name = format!(
        "gen-{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let gen_dir = dir.join(&name);
    std::fs::create_dir_all(&gen_dir).map_err(|e| e.to_string())?;
    let (schema, _) = schema();
    let index = Index::create_in_dir(&gen_dir, schema).map_err(|e| e.to_string())?;
    register_all(&index);
    let manifest = build_into(&index, stamps, Some(&gen_dir))?;
    switch_current(dir, &name).map_err(|e| e.to_string())?;
    remove_old_generations(dir, &name);
    Ok((index, manifest))
}

/// Points `CURRENT` at a generation: write a temporary file, sync it, rename it over.
fn switch_current(dir: &Path, name: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = dir.join(format!("CURRENT.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(name.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join("CURRENT"))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Deletes generations that are no longer current. A generation younger than a minute may
/// still be being built by another process, so it is left for a later run.
fn remove_old_generations(dir: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let stale_tmp = name.starts_with("CURRENT.tmp-");
        if !(name.starts_with("gen-") || stale_tmp) || name == current {
            continue;
        }
        let old = older_than_a_minute(&entry);
        if old {
            let path: PathBuf = entry.path();
            let _ = if stale_tmp {
                std::fs::remove_file(path)
            } else {
                std::fs::remove_dir_all(path)
            };
        }
    }
}

/// An index in memory, for when the index folder cannot be written.
fn build_in_ram(stamps: &[FileStamp]) -> Result<(Index, Manifest)> {
    let (schema, _) = schema();
    let index = Index::create_in_ram(schema);
    register_all(&index);
    let manifest = build_into(&index, stamps, None).map_err(|e| Error::index("(memory)", e))?;
    Ok((index, manifest))
}
