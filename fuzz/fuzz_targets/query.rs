//! Bytes into the whole query path: every analyzer, then a search over a copy of the shipped
//! playbooks (set up once), then both renderers. Never a panic, never an error, at most
//! `limit` results, each in a requested language.
//!
//! Input: byte 0 picks the `--lang` filter (low 4 bits, one per language), byte 1 the limit
//! (1..=50); the rest, as lossy UTF-8, is the query. Inputs shorter than 2 bytes are queries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use playbook::analysis::Analyzer;
use playbook::corpus::Repo;
use playbook::engine::Engine;
use playbook::model::Lang;
use playbook::render::{Layout, Style, search_human, search_json};
use playbook::search::SearchRequest;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The engine, over `$TMPDIR/playbook-fuzz-<pid>/playbooks` (a fresh copy per fuzzing process).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks");
        let root: PathBuf =
            std::env::temp_dir().join(format!("playbook-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_tree(&shipped, &root.join("playbooks"));
        let repo = Repo { root };
        let (engine, _) = Engine::open(&repo).expect("index the shipped playbooks");
        engine
    })
}

fuzz_target!(|data: &[u8]| {
    let (langs, limit, text) = match data {
        [flags, limit, rest @ ..] => {
            let langs: Vec<Lang> = Lang::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| flags & (1 << i) != 0)
                .map(|(_, l)| l)
                .collect();
            (langs, usize::from(*limit) % 50 + 1, rest)
        }
        _ => (Vec::new(), 3, data),
    };
    let query = String::from_utf8_lossy(text).into_owned();

    for analyzer in Analyzer::ALL {
        for term in analyzer.analyze(&query) {
            assert!(
                term.start <= term.end && term.end <= query.len(),
                "{analyzer:?}: {term:?}"
            );
            assert!(
                query.is_char_boundary(term.start) && query.is_char_boundary(term.end),
                "{analyzer:?}: {term:?}"
            );
        }
    }

    let engine = engine();
    let request = SearchRequest {
        query,
        langs,
        situations: Vec::new(),
        limit,
        ..SearchRequest::default()
    };
    let results = engine
        .search(&request)
        .unwrap_or_else(|e| panic!("search failed: {e}"));
    assert!(results.results.len() <= limit);
    for hit in &results.results {
        assert!(request.langs.is_empty() || request.langs.contains(&hit.record.lang));
    }
    let mut out = Vec::new();
    search_json(&mut out, &results).unwrap();
    let view = engine.view(&results);
    for layout in [Layout::Compact, Layout::Long] {
        let style = Style {
            color: true,
            width: 40,
            height: 12,
        };
        search_human(&mut out, &view, style, layout).unwrap();
    }
});
