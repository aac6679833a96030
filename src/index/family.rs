//! Families: an original playbook and its translations are indexed together, as one
//! document per original step carrying every translation of it. A change to any file of a
//! family re-indexes the whole family (a handful of files), so a translation is never
//! searched against an outdated original, nor an original without its new translation.

use super::error::IndexError;
use super::freshness::FileEntry;
use super::record::{Fields, documents};
use crate::corpus::{FileStamp, load_playbook};
use crate::model::Playbook;
use std::collections::{BTreeMap, BTreeSet};
use tantivy::{IndexWriter, Term};

/// Reads one file: what the manifest records of it, and the playbook when it is usable.
pub(super) fn load(stamp: &FileStamp) -> (FileEntry, Option<Playbook>) {
    let (playbook, diagnostics, _) = load_playbook(stamp);
    let skipped = match &playbook {
        Some(_) => None,
        None => Some(diagnostics.iter().find(|d| d.is_error()).map_or_else(
            || "cannot be read".to_string(),
            |d| format!("line {}: {}", d.line, d.message),
        )),
    };
    let entry = FileEntry {
        stamp: stamp.stamp,
        skipped,
        family: playbook.as_ref().map(|p| p.family().to_string()),
    };
    (entry, playbook)
}

/// Reads every file of a full build, on every core when `parallel`: parsing is a sixth of a
/// build's work, and the indexing threads can only start once every family is complete.
/// The result is in the order of `stamps`, so that a build does not depend on scheduling.
pub(super) fn load_all(
    stamps: &[FileStamp],
    parallel: bool,
) -> Vec<(&FileStamp, FileEntry, Option<Playbook>)> {
    fn load_chunk(chunk: &[FileStamp]) -> Vec<(&FileStamp, FileEntry, Option<Playbook>)> {
        chunk
            .iter()
            .map(|stamp| {
                let (entry, playbook) = load(stamp);
                (stamp, entry, playbook)
            })
            .collect()
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !parallel || threads == 1 || stamps.is_empty() {
        return load_chunk(stamps);
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = stamps
            .chunks(stamps.len().div_ceil(threads))
            .map(|chunk| scope.spawn(move || load_chunk(chunk)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Adds the documents of every family in `playbooks` (originals with their translations;
/// a translation whose original is missing adds nothing: `check` reports it).
pub(super) fn add_families(
    writer: &mut IndexWriter,
    fields: &Fields,
    playbooks: &[Playbook],
) -> Result<(), IndexError> {
    let mut families: BTreeMap<&str, Vec<&Playbook>> = BTreeMap::new();
    for p in playbooks {
        families.entry(p.family()).or_default().push(p);
    }
    for members in families.values() {
        let translations: Vec<&Playbook> = members
            .iter()
            .copied()
            .filter(|p| p.translation.is_some())
            .collect();
        for original in members.iter().filter(|p| p.translation.is_none()) {
            for doc in documents(original, &translations, fields) {
                writer
                    .add_document(doc)
                    .map_err(IndexError::tantivy("cannot add a document"))?;
            }
        }
    }
    Ok(())
}

/// Re-indexes the families that `changed` and `removed` files belong to (before and after
/// the change), updating `files` (the manifest's entries) on the way. `present` is every
/// file on disk now, to read a family's unchanged members.
pub(super) fn apply(
    writer: &mut IndexWriter,
    fields: &Fields,
    files: &mut std::collections::HashMap<String, FileEntry>,
    changed: &[&FileStamp],
    removed: &[String],
    present: &[FileStamp],
) -> Result<(), IndexError> {
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut fresh: BTreeMap<String, Option<Playbook>> = BTreeMap::new();
    for path in removed {
        if let Some(family) = files.remove(path).and_then(|e| e.family) {
            touched.insert(family);
        }
        // Documents of files indexed before families existed are found by path.
        writer.delete_term(Term::from_field_text(fields.path, path));
    }
    for stamp in changed {
        let (entry, playbook) = load(stamp);
        if let Some(old) = files.get(&stamp.rel_path).and_then(|e| e.family.clone()) {
            touched.insert(old);
        }
        touched.extend(entry.family.clone());
        writer.delete_term(Term::from_field_text(fields.path, &stamp.rel_path));
        files.insert(stamp.rel_path.clone(), entry);
        fresh.insert(stamp.rel_path.clone(), playbook);
    }
    let mut members = Vec::new();
    for stamp in present {
        let Some(entry) = files.get(&stamp.rel_path) else {
            continue;
        };
        if !entry.family.as_ref().is_some_and(|f| touched.contains(f)) {
            continue;
        }
        let playbook = match fresh.remove(&stamp.rel_path) {
            Some(parsed) => parsed,
            None => load(stamp).1,
        };
        members.extend(playbook.filter(|p| touched.contains(p.family())));
    }
    for family in &touched {
        writer.delete_term(Term::from_field_text(fields.family, family));
    }
    add_families(writer, fields, &members)
}
