//! `serve-load`: agents typing into `playbook serve`, as a load on loopback (docs/benchmarks.md).
//!
//! ```console
//! cargo run -p xtask --release -- serve-load http://127.0.0.1:PORT [--clients 100] [--rounds 4] \
//!     [--pace-ms 100] [--queries tests/fixtures/blind*.jsonl ...]
//! ```
//!
//! Each client is a thread with one keep-alive connection that "types" `--rounds` queries, one
//! request per keystroke (every prefix, as the page sends them), `--pace-ms` apart with ±50 %
//! jitter (0: back to back, the server saturated), waiting for each answer before the next
//! key. The whole run is cut at `--deadline` seconds. It prints requests, errors, the rate and
//! latency p50/p95/p99/max/mean, and its own CPU time.
//!
//! Why not the Python script it replaces: on the same 2 cores, its event loop served 100
//! connections late (600 requests/s asked for ~950, with answers of a few milliseconds), so
//! its figures held its own delays. Threads blocked in `read` cost nothing while they wait.
//! Why not `oha`: it requests a fixed list of URLs at a rate, not one client's keystrokes in
//! order, each waiting for the last answer.

use crate::gen_corpus::Rng;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What agents type when no `--queries` are given: the headline situations, in every
/// language (the kept answers serve many of them: see `--queries`).
const HEADLINE_QUERIES: [&str; 14] = [
    "manager request",
    "refund demand",
    "abusive caller",
    "vil tale med chefen",
    "kunden er vred",
    "client nemultumit",
    "vreau banii inapoi",
    "ลูกค้าขอเงินคืน",
    "ลูกค้าโกรธ",
    "مشتری سمی",
    "مشتری عصبانی",
    "late delivery",
    "threatens to sue",
    "customer wants compensation",
];

/// How many results each request asks for (the page's own limit).
const PAGE_LIMIT: &str = "8";

/// A request that takes this long has failed: no agent waits that long for a keystroke.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The load to put on a server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server's address, `http://127.0.0.1:PORT`.
    pub base: String,
    pub clients: usize,
    pub rounds: usize,
    /// Mean time between a client's keystrokes (0: back to back).
    pub pace: Duration,
    /// The whole run stops here, whatever is left to type.
    pub deadline: Duration,
    /// JSON lines files whose `query` fields are typed (the headline queries if empty).
    pub queries: Vec<PathBuf>,
}

/// What one client saw.
#[derive(Debug, Default)]
struct Seen {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// Runs the load; the report to print, or why it could not run. Errors in answers are in the
/// report (and make it `Err` after printing it: see `main.rs`).
pub fn run(options: &Options) -> Result<Report, String> {
    let queries = load_queries(&options.queries)?;
    let base = options.base.trim_end_matches('/').to_string();
    let seen = Mutex::new(Seen::default());
    let started = Instant::now();
    let deadline = started + options.deadline;
    std::thread::scope(|scope| {
        for client in 0..options.clients {
            let (queries, base, seen) = (&queries, &base, &seen);
            let options = &options;
            scope.spawn(move || {
                let mine = type_queries(client, options, queries, base, deadline);
                let mut all = seen.lock().unwrap_or_else(|p| p.into_inner());
                all.latencies.extend(mine.latencies);
                all.errors.extend(mine.errors);
            });
        }
    });
    let wall = started.elapsed();
    let seen = seen.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(Report::new(options, queries.len(), seen, wall))
}

/// The `query` of every line of `files`, or the headline queries.
fn load_queries(files: &[PathBuf]) -> Result<Vec<String>, String> {
    if files.is_empty() {
        return Ok(HEADLINE_QUERIES.iter().map(|q| q.to_string()).collect());
    }
    let mut queries = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: not JSON: {e}", file.display(), n + 1))?;
            let query = value["query"]
                .as_str()
                .ok_or_else(|| format!("{}:{}: no \"query\" string", file.display(), n + 1))?;
            queries.push(query.to_string());
        }
    }
    if queries.is_empty() {
        return Err("the --queries files hold no query".to_string());
    }
    Ok(queries)
}

/// Every prefix of `query` a typist sends, one per keystroke (none that is only spaces).
fn keystrokes(query: &str) -> impl Iterator<Item = &str> {
    query
        .char_indices()
        .map(move |(i, c)| &query[..i + c.len_utf8()])
        .filter(|prefix| !prefix.trim().is_empty())
}

/// One client: `rounds` queries, a request per keystroke, over one kept-alive connection.
fn type_queries(
    client: usize,
    options: &Options,
    queries: &[String],
    base: &str,
    deadline: Instant,
) -> Seen {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(REQUEST_TIMEOUT))
        .build()
        .into();
    let url = format!("{base}/api/views");
    let mut rng = Rng::stream(0x10AD, client);
    let mut seen = Seen::default();
    for _ in 0..options.rounds {
        let query = rng.pick(queries);
        for prefix in keystrokes(query) {
            if Instant::now() > deadline {
                return seen;
            }
            // ±50 % around the pace: typists are not metronomes.
            let per_mille = 500 + rng.below(1001) as u32;
            std::thread::sleep(options.pace * per_mille / 1000);
            let start = Instant::now();
            match ask(&agent, &url, prefix) {
                Ok(()) => seen.latencies.push(start.elapsed()),
                Err(why) => seen.errors.push(why),
            }
        }
    }
    seen
}

/// One request, its whole body read.
fn ask(agent: &ureq::Agent, url: &str, prefix: &str) -> Result<(), String> {
    let mut response = agent
        .get(url)
        .query("q", prefix)
        .query("limit", PAGE_LIMIT)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| e.to_string())?;
    response
        .body_mut()
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    match response.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("HTTP {status}")),
    }
}

/// What a run measured.
#[derive(Debug)]
pub struct Report {
    line: String,
    errors: Vec<String>,
}

impl Report {
    fn new(options: &Options, queries: usize, mut seen: Seen, wall: Duration) -> Report {
        seen.latencies.sort_unstable();
        let l = &seen.latencies;
        let pct = |p: f64| -> f64 {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .map_or(0.0, ms)
        };
        let mean = if l.is_empty() {
            0.0
        } else {
            l.iter().map(ms).sum::<f64>() / l.len() as f64
        };
        let cpu = own_cpu_seconds().map_or_else(|| "?".to_string(), |s| format!("{s:.1}s"));
        let line = format!(
            "clients={} pace={}ms queries={queries} requests={} errors={} wall={:.1}s rate={:.0}/s \
             p50={:.1}ms p95={:.1}ms p99={:.1}ms max={:.1}ms mean={mean:.1}ms client_cpu={cpu}",
            options.clients,
            options.pace.as_millis(),
            l.len(),
            seen.errors.len(),
            wall.as_secs_f64(),
            l.len() as f64 / wall.as_secs_f64().max(1e-9),
            pct(0.50),
            pct(0.95),
            pct(0.99),
            l.last().map_or(0.0, ms),
        );
        let mut errors = seen.errors;
        errors.sort();
        errors.dedup();
        Report { line, errors }
    }

    /// The one-line summary.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The distinct errors seen (none in a good run).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }
}

fn ms(d: &Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// This process's CPU time (user + system), where `/proc` tells it: the load's own share of
/// the machine, which the server did not get.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, so split after its ')').
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystrokes_are_every_prefix_but_leading_spaces() {
        let typed: Vec<&str> = keystrokes(" ลูกค้า โกรธ").collect();
        assert_eq!(typed.first(), Some(&" ล"));
        assert_eq!(typed.last(), Some(&" ลูกค้า โกรธ"));
        assert_eq!(typed.len(), " ลูกค้า โกรธ".chars().count() - 1);
        assert!(typed.contains(&" ลูกค้า "), "a space is a keystroke too");
        assert_eq!(keystrokes("مشتری").count(), 5);
    }

    #[test]
    fn queries_come_from_json_lines_or_the_headline_list() {
        assert_eq!(load_queries(&[]).unwrap().len(), HEADLINE_QUERIES.len());
        let dir = std::env::temp_dir().join(format!("serve-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.jsonl");
        std::fs::write(
            &good,
            "{\"query\": \"kunden truer\"}\n\n{\"query\": \"مشتری\"}\n",
        )
        .unwrap();
        assert_eq!(load_queries(&[good]).unwrap(), ["kunden truer", "مشتری"]);
        let bad = dir.join("bad.jsonl");
        std::fs::write(&bad, "{\"query\": \"ok\"}\n{\"q\": 1}\n").unwrap();
        let why = load_queries(std::slice::from_ref(&bad)).unwrap_err();
        assert!(why.ends_with(":2: no \"query\" string"), "{why}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
