//! In-process search latency (issue 5): `cargo bench --bench search`.
//!
//! Two corpora: the shipped playbooks (copied to `target/bench-corpus/shipped`) and a generated
//! 10,000-playbook corpus (`target/bench-corpus/10k`, made by `gen-corpus --count 10000` when
//! missing, reused otherwise: the generator, `xtask/src/gen_corpus.rs`, is included below and
//! run in-process). Each has its own index, built once before anything is timed.
//!
//! 1. divan times [`Engine::search`] for each of ~20 situation and free-text queries in all
//!    five languages (en, fa, ro, th, da), on both corpora.
//! 2. Then this program times 2000 queries per corpus itself (the query set, in turn, after a
//!    warm-up) and prints p50/p90/p99/max, overall and per language: divan reports medians
//!    and means, the target is a p99.
//! 3. And it splits what a search's freshness check costs at 10k when nothing changed: the
//!    walk over `playbooks/` (`list_playbook_files`), `index::open_fresh` (walk + open +
//!    compare with the manifest), and a bare open of the same index without any check.
//!
//! `PLAYBOOK_BENCH_TRANSLATIONS=N` gives the 10k corpus `N` translations per playbook
//! (`target/bench-corpus/10k-tN`).
//!
//! `PLAYBOOK_BENCH=report` skips divan (1) and prints only (2) and (3), which is what
//! `benches/run.sh` uses; `PLAYBOOK_BENCH=divan` runs only (1). divan's own options
//! (a filter, `--sample-count`...) follow `--`.
//!
//! `PLAYBOOK_BENCH=typing` times instead what `playbook serve` does for agents typing: every
//! prefix of every query of the relevance sets (`tests/fixtures/*.jsonl`, ~900 queries, as
//! the page sends a search per keystroke), at 10k, on CPU: the figure that decides how many
//! agents one server keeps under its latency target (docs/benchmarks.md, "serve").

use playbook::corpus::{Repo, list_playbook_files};
use playbook::engine::Engine;
use playbook::model::Lang;
use playbook::search::SearchRequest;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The benchmark corpus generator (`cargo run -p xtask -- gen-corpus`), run in-process.
/// (Its unit tests' `use super::*` is unused here: a bench target drops `#[test]` functions.)
#[path = "../xtask/src/gen_corpus.rs"]
#[allow(unused_imports)]
mod gen_corpus;

/// A benchmark query: a label for divan, its language, the query and its filters.
struct Q {
    name: &'static str,
    lang: &'static str,
    query: &'static str,
    situations: &'static [&'static str],
    langs: &'static [Lang],
}

const fn q(name: &'static str, lang: &'static str, query: &'static str) -> Q {
    Q {
        name,
        lang,
        query,
        situations: &[],
        langs: &[],
    }
}

/// Situation names ("abusive caller", "ขอเงินคืน") resolve through the taxonomy; free text
/// ("take a break…") goes to the analyzers only; two have typos, two use the filters.
static QUERIES: &[Q] = &[
    q("en-abusive-caller", "en", "abusive caller"),
    q("en-refund-demand", "en", "refund demand"),
    q("en-stay-calm", "en", "angry customer stay calm"),
    q(
        "en-take-a-break",
        "en",
        "take a break after a difficult call",
    ),
    q("en-apologize", "en", "apologize for our mistake"),
    q("en-typo", "en", "abusiv calller"),
    Q {
        name: "en-refund-filter-da",
        lang: "en",
        query: "refund",
        situations: &[],
        langs: &[Lang::Da],
    },
    Q {
        name: "en-situation-only",
        lang: "en",
        query: "",
        situations: &["abusive-caller"],
        langs: &[],
    },
    q("fa-toxic-customer", "fa", "مشتری سمی"),
    q("fa-apology", "fa", "عذر خواهی"),
    q("fa-stay-calm", "fa", "آرامش خود را حفظ کنید"),
    q("ro-money-back", "ro", "vrea banii înapoi"),
    q("ro-unhappy-client", "ro", "client nemulțumit"),
    q("ro-listen", "ro", "ascultați clientul"),
    q("th-angry-customer", "th", "ลูกค้าโกรธ"),
    q("th-refund", "th", "ขอเงินคืน"),
    q("th-listen", "th", "ฟังอย่างตั้งใจ"),
    q("da-manager", "da", "vil tale med chefen"),
    q("da-rude-customer", "da", "uhøflig kunde"),
    q("da-take-a-break", "da", "hold en pause"),
    q("da-typo", "da", "undskyld om nødvendit"),
];

const QUERY_NAMES: [&str; 21] = [
    "en-abusive-caller",
    "en-refund-demand",
    "en-stay-calm",
    "en-take-a-break",
    "en-apologize",
    "en-typo",
    "en-refund-filter-da",
    "en-situation-only",
    "fa-toxic-customer",
    "fa-apology",
    "fa-stay-calm",
    "ro-money-back",
    "ro-unhappy-client",
    "ro-listen",
    "th-angry-customer",
    "th-refund",
    "th-listen",
    "da-manager",
    "da-rude-customer",
    "da-take-a-break",
    "da-typo",
];

/// Timed queries per corpus for the percentiles.
const TIMED_QUERIES: usize = 2000;

fn request(q: &Q) -> SearchRequest {
    SearchRequest {
        query: q.query.to_string(),
        langs: q.langs.to_vec(),
        situations: q.situations.iter().map(|s| s.to_string()).collect(),
        limit: playbook::search::DEFAULT_LIMIT,
        ..SearchRequest::default()
    }
}

fn query(name: &str) -> &'static Q {
    QUERIES
        .iter()
        .find(|q| q.name == name)
        .expect("known query")
}

// ---------------------------------------------------------------------------------------------
// Corpora
// ---------------------------------------------------------------------------------------------

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bench_dir() -> PathBuf {
    manifest_dir().join("target/bench-corpus")
}

/// `target/bench-corpus/shipped`: the shipped playbooks, copied only where they differ (so
/// unchanged files keep their times and the index stays fresh between runs).
fn shipped_root() -> PathBuf {
    let root = bench_dir().join("shipped");
    sync_tree(&manifest_dir().join("playbooks"), &root.join("playbooks"));
    root
}

fn sync_tree(from: &Path, to: &Path) {
    let mut wanted = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("readable playbooks/");
        let rel = entry.path().strip_prefix(from).unwrap().to_path_buf();
        let target = to.join(&rel);
        wanted.insert(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if std::fs::read(&target).ok() != std::fs::read(entry.path()).ok() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    let stale: Vec<PathBuf> = walkdir::WalkDir::new(to)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !wanted.contains(e.path().strip_prefix(to).unwrap()))
        .map(|e| e.path().to_path_buf())
        .collect();
    for path in stale {
        let _ = std::fs::remove_file(path);
    }
}

/// `target/bench-corpus/10k`, generated if missing. With `PLAYBOOK_BENCH_TRANSLATIONS=N`
/// (0 to 4, default 0) the corpus also has `N` translations per playbook
/// (`gen-corpus --translations N`) and lives in `10k-tN`.
fn generated_root(count: usize, name: &str) -> PathBuf {
    let translations: usize = std::env::var("PLAYBOOK_BENCH_TRANSLATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let root = if translations == 0 {
        bench_dir().join(name)
    } else {
        bench_dir().join(format!("{name}-t{translations}"))
    };
    let marker = std::fs::read_to_string(root.join(gen_corpus::MARKER)).unwrap_or_default();
    if !marker.starts_with(&format!("count = {count}\n"))
        || !marker.contains(&format!("\ntranslations = {translations}\n"))
    {
        eprintln!(
            "generating {count} playbooks ({translations} translations each) into {} ...",
            root.display()
        );
        let summary = gen_corpus::run(&gen_corpus::Options {
            count,
            out: root.clone(),
            seed: 1,
            from: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            translations,
        })
        .unwrap_or_else(|e| panic!("gen-corpus failed: {e}"));
        eprintln!("{summary}");
    }
    root
}

fn engine_for(root: &Path) -> Engine {
    let repo = Repo::discover(Some(root), root).unwrap();
    let start = Instant::now();
    let (engine, notices) = Engine::open(&repo).unwrap();
    if !notices.is_empty() {
        let notices: Vec<String> = notices.iter().map(ToString::to_string).collect();
        eprintln!(
            "{}: {} ({:.2} s)",
            root.display(),
            notices.join("; "),
            start.elapsed().as_secs_f64()
        );
    }
    engine
}

fn shipped() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine_for(&shipped_root()))
}

fn ten_k() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine_for(&generated_root(10_000, "10k")))
}

// ---------------------------------------------------------------------------------------------
// 1. divan
// ---------------------------------------------------------------------------------------------

#[divan::bench(args = QUERY_NAMES, max_time = 1)]
fn search_shipped(bencher: divan::Bencher, name: &str) {
    let engine = shipped();
    let req = request(query(name));
    bencher.bench_local(|| engine.search(divan::black_box(&req)).unwrap());
}

#[divan::bench(args = QUERY_NAMES, max_time = 1)]
fn search_10k(bencher: divan::Bencher, name: &str) {
    let engine = ten_k();
    let req = request(query(name));
    bencher.bench_local(|| engine.search(divan::black_box(&req)).unwrap());
}

// ---------------------------------------------------------------------------------------------
// 2. percentiles, 3. freshness check
// ---------------------------------------------------------------------------------------------

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn summary_line(label: &str, times: &mut [Duration]) -> String {
    times.sort_unstable();
    format!(
        "| {label:<22} | {:>5} | {:>8} | {:>8} | {:>8} | {:>8} |",
        times.len(),
        ms(percentile(times, 50.0)),
        ms(percentile(times, 90.0)),
        ms(percentile(times, 99.0)),
        ms(*times.last().unwrap()),
    )
}

/// Time this thread spent waiting for a CPU (run-queue delay, from `/proc/thread-self/schedstat`):
/// on a loaded machine a query's wall time includes waits for a core that have nothing to do
/// with the query, so the report also shows wall time minus that wait ("on CPU").
struct RunQueueWait(Option<std::fs::File>);

impl RunQueueWait {
    fn open() -> Self {
        RunQueueWait(std::fs::File::open("/proc/thread-self/schedstat").ok())
    }

    fn ns(&mut self) -> u64 {
        use std::io::{Read, Seek};
        let Some(f) = &mut self.0 else { return 0 };
        let mut text = String::new();
        if f.rewind().is_err() || f.read_to_string(&mut text).is_err() {
            return 0;
        }
        text.split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Runs `f`, returning its result, its wall time and its wall time less run-queue waits.
    fn time<T>(&mut self, f: impl FnOnce() -> T) -> (T, Duration, Duration) {
        let w0 = self.ns();
        let start = Instant::now();
        let out = f();
        let wall = start.elapsed();
        let waited = Duration::from_nanos(self.ns().saturating_sub(w0));
        (out, wall, wall.saturating_sub(waited))
    }
}

fn table(title: &str, requests: &[(&Q, SearchRequest)], by_query: &[Vec<Duration>]) {
    println!("\n{title}\n");
    println!("| queries                | n     | p50      | p90      | p99      | max      |");
    println!("|------------------------|-------|----------|----------|----------|----------|");
    let mut all: Vec<Duration> = by_query.iter().flatten().copied().collect();
    println!("{}", summary_line("all", &mut all));
    for lang in ["en", "fa", "ro", "th", "da"] {
        let mut times: Vec<Duration> = requests
            .iter()
            .zip(by_query)
            .filter(|((q, _), _)| q.lang == lang)
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        println!("{}", summary_line(lang, &mut times));
    }
}

fn percentiles(corpus: &str, engine: &Engine) {
    let requests: Vec<(&Q, SearchRequest)> = QUERIES.iter().map(|q| (q, request(q))).collect();
    for (_, r) in &requests {
        for _ in 0..3 {
            engine.search(r).unwrap();
        }
    }
    let mut clock = RunQueueWait::open();
    let mut wall: Vec<Vec<Duration>> = vec![Vec::new(); requests.len()];
    let mut on_cpu: Vec<Vec<Duration>> = vec![Vec::new(); requests.len()];
    let mut hits = vec![0usize; requests.len()];
    for i in 0..TIMED_QUERIES {
        let k = i % requests.len();
        let (results, w, c) = clock.time(|| engine.search(&requests[k].1).unwrap());
        hits[k] = results.results.len();
        wall[k].push(w);
        on_cpu[k].push(c);
    }
    table(
        &format!(
            "### in-process `Engine::search`, {corpus}: {TIMED_QUERIES} queries, wall time (ms)"
        ),
        &requests,
        &wall,
    );
    table(
        &format!(
            "### in-process `Engine::search`, {corpus}: the same queries, on CPU (wall minus run-queue wait, ms)"
        ),
        &requests,
        &on_cpu,
    );
    println!("\nslowest queries (on-CPU p50 / p99 / max ms, results):");
    let mut per: Vec<(Duration, Duration, Duration, &str, usize)> = requests
        .iter()
        .zip(on_cpu.iter_mut())
        .zip(&hits)
        .map(|(((q, _), t), h)| {
            t.sort_unstable();
            (
                percentile(t, 50.0),
                percentile(t, 99.0),
                *t.last().unwrap(),
                q.name,
                *h,
            )
        })
        .collect();
    per.sort_by_key(|p| std::cmp::Reverse(p.0));
    for (p50, p99, max, name, h) in per.iter().take(6) {
        println!(
            "  {name:<22} {} / {} / {}  ({h})",
            ms(*p50),
            ms(*p99),
            ms(*max)
        );
    }
    let mut w: Vec<Duration> = wall.into_iter().flatten().collect();
    let mut c: Vec<Duration> = on_cpu.into_iter().flatten().collect();
    w.sort_unstable();
    c.sort_unstable();
    println!(
        "RESULT in_process_{corpus} wall_p50_ms={} wall_p99_ms={} cpu_p50_ms={} cpu_p99_ms={}",
        ms(percentile(&w, 50.0)),
        ms(percentile(&w, 99.0)),
        ms(percentile(&c, 50.0)),
        ms(percentile(&c, 99.0))
    );
}

/// `n` timings of `f`: wall and on-CPU, each sorted.
fn time_n<T>(n: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, Vec<Duration>) {
    let mut clock = RunQueueWait::open();
    let (mut wall, mut cpu): (Vec<Duration>, Vec<Duration>) = (0..n)
        .map(|_| {
            let (out, w, c) = clock.time(&mut f);
            std::hint::black_box(out);
            (w, c)
        })
        .unzip();
    wall.sort_unstable();
    cpu.sort_unstable();
    (wall, cpu)
}

/// `index::open_fresh` timed `n` times; every call must find the index fresh.
fn time_open_fresh(repo: &Repo, n: usize) -> (Vec<Duration>, Vec<Duration>) {
    time_n(n, || {
        let index = playbook::index::open_fresh(repo).unwrap();
        assert!(
            index
                .notices
                .iter()
                .all(|n| matches!(n, playbook::index::Notice::Skipped { .. })),
            "the index changed: {:?}",
            index.notices
        );
        // `playbook search` does not free the engine either.
        std::mem::forget(index);
    })
}

/// What the freshness check costs at 10k when nothing changed.
fn freshness(root: &Path) {
    let repo = Repo::discover(Some(root), root).unwrap();
    // Make sure the index is fresh first, so every timed call finds nothing to do.
    playbook::index::open_fresh(&repo).unwrap();
    let n = 30;
    let walk = time_n(n, || list_playbook_files(&repo).files.len());
    let fresh = time_open_fresh(&repo, n);
    let current = std::fs::read_to_string(repo.index_dir().join("CURRENT")).unwrap();
    let gen_dir = repo.index_dir().join(current.trim());
    let bare = time_n(n, || {
        let index = tantivy::Index::open_in_dir(&gen_dir).unwrap();
        playbook::analysis::register_all(&index);
        let reader: tantivy::IndexReader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let searcher = reader.searcher();
        std::mem::forget((index, reader));
        searcher.num_docs()
    });
    println!("\n### freshness check at 10k, nothing changed ({n} runs each, ms)\n");
    println!(
        "| what                                             | wall p50 | wall p90 | on-CPU p50 |"
    );
    println!(
        "|--------------------------------------------------|---------:|---------:|-----------:|"
    );
    for (label, (wall, cpu)) in [
        ("walk playbooks/ (list_playbook_files, 10k stats)", &walk),
        ("bare open of the index + reader (no check)", &bare),
        ("open_fresh (walk + open + compare)", &fresh),
    ] {
        println!(
            "| {label:<48} | {:>8} | {:>8} | {:>10} |",
            ms(percentile(wall, 50.0)),
            ms(percentile(wall, 90.0)),
            ms(percentile(cpu, 50.0)),
        );
    }
    let cost = |timed: &(Vec<Duration>, Vec<Duration>), i: usize| {
        let (f, b) = if i == 0 {
            (&timed.0, &bare.0)
        } else {
            (&timed.1, &bare.1)
        };
        ms(percentile(f, 50.0).saturating_sub(percentile(b, 50.0)))
    };
    println!(
        "RESULT freshness_check_10k wall_ms={} cpu_ms={} (open_fresh p50 - bare open p50)",
        cost(&fresh, 0),
        cost(&fresh, 1)
    );
}

/// Every prefix (ending on a character that is not a space) of the relevance sets' queries.
fn typed_prefixes() -> Vec<String> {
    let fixtures = manifest_dir().join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut prefixes = Vec::new();
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(query) = value["query"].as_str() else {
                continue;
            };
            let mut typed = String::new();
            for c in query.chars() {
                typed.push(c);
                if !c.is_whitespace() {
                    prefixes.push(typed.clone());
                }
            }
        }
    }
    prefixes
}

/// The search the page sends for a typed prefix (`limit=8`).
fn keystroke(prefix: &str) -> SearchRequest {
    SearchRequest {
        query: prefix.to_string(),
        limit: 8,
        ..SearchRequest::default()
    }
}

/// On-CPU time of a search per keystroke at 10k (`PLAYBOOK_BENCH=typing`): once with an
/// engine as the CLI opens it, once with one that keeps words' scores between searches, as
/// `serve` and `live` do (typed in the same order, so each prefix finds its earlier words).
fn typing(engine: &Engine) {
    let prefixes = typed_prefixes();
    for q in prefixes.iter().step_by(7) {
        engine.search(&keystroke(q)).unwrap();
    }
    time_keystrokes("typing_10k", engine, &prefixes);
    let root = generated_root(10_000, "10k");
    let keeping = engine_for(&root).keep_between_searches();
    time_keystrokes("typing_10k_kept", &keeping, &prefixes);
}

/// Times `engine` searching every prefix, in order, and prints the slowest and a RESULT line.
fn time_keystrokes(name: &str, engine: &Engine, prefixes: &[String]) {
    let mut clock = RunQueueWait::open();
    let mut on_cpu: Vec<(Duration, &str)> = prefixes
        .iter()
        .map(|q| {
            let (_, _, c) = clock.time(|| engine.search(&keystroke(q)).unwrap());
            (c, q.as_str())
        })
        .collect();
    let total: Duration = on_cpu.iter().map(|t| t.0).sum();
    on_cpu.sort_unstable();
    let times: Vec<Duration> = on_cpu.iter().map(|t| t.0).collect();
    println!("slowest prefixes (on-CPU ms):");
    for (t, q) in on_cpu.iter().rev().take(8) {
        println!("  {} {q}", ms(*t));
    }
    println!(
        "RESULT {name} searches={} cpu_mean_ms={:.3} cpu_p50_ms={} cpu_p99_ms={} cpu_total_s={:.2}",
        times.len(),
        total.as_secs_f64() * 1000.0 / times.len() as f64,
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        total.as_secs_f64()
    );
}

fn main() {
    let mode = std::env::var("PLAYBOOK_BENCH").unwrap_or_default();
    if mode == "typing" {
        typing(ten_k());
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let listing = args.iter().any(|a| a == "--list" || a == "--test");
    if mode != "report" {
        divan::main();
    }
    if mode == "divan" || listing {
        return;
    }
    percentiles("shipped", shipped());
    percentiles("10k", ten_k());
    freshness(&generated_root(10_000, "10k"));
}
