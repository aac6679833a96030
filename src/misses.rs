//! Search analytics, offline and opt-in: searches that found nothing (or only typo matches)
//! are appended to a log file, and `playbook misses` summarises that log for trainers.
//!
//! Logging is on when `PLAYBOOK_LOG_MISSES=FILE` is set, or when `ROOT/playbook.toml` says
//! `log_misses = "FILE"` (a relative path there is relative to ROOT). The log holds one JSON
//! object per line:
//!
//! ```json
//! {"time":"2026-11-22T21:56:03Z","query":"chargeback pls","langs":["da"],"situations":[],"results":0,"fuzzy_only":false}
//! ```
//!
//! Each line is written with a single `write` on a file opened for appending, so several
//! processes can log to the same file at once without mixing their lines. A failure to log
//! never fails the search: it is reported once, as a warning.

use crate::config::ConfigError;
use crate::corpus::Repo;
use crate::files::{FileError, append_regular};
use crate::search::{SearchRequest, SearchResults, SituationMatcher};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the log file.
pub const LOG_ENV: &str = "PLAYBOOK_LOG_MISSES";
/// The optional configuration file, in the root (beside `playbooks/`).
pub use crate::config::CONFIG_FILE;
/// Queries longer than this many characters are logged cut short (a pasted text is not a query).
pub const MAX_LOGGED_QUERY_CHARS: usize = 500;

/// One logged search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissRecord {
    /// When, as RFC 3339 in UTC (`2026-11-22T21:56:03Z`).
    pub time: String,
    pub query: String,
    /// `--lang` filters.
    #[serde(default)]
    pub langs: Vec<String>,
    /// `--situation` filters.
    #[serde(default)]
    pub situations: Vec<String>,
    /// How many results the search returned.
    #[serde(default)]
    pub results: usize,
    /// True when every result matched only through typo tolerance.
    #[serde(default)]
    pub fuzzy_only: bool,
}

impl MissRecord {
    /// The record for a search, if it is a miss: nothing found, or only typo matches.
    pub fn for_search(
        request: &SearchRequest,
        results: &SearchResults,
        now: SystemTime,
    ) -> Option<MissRecord> {
        if !is_miss(results) {
            return None;
        }
        Some(MissRecord {
            time: rfc3339_utc(now),
            query: request.query.chars().take(MAX_LOGGED_QUERY_CHARS).collect(),
            langs: request.langs.iter().map(|l| l.code().to_string()).collect(),
            situations: request.situations.clone(),
            results: results.results.len(),
            fuzzy_only: results.fuzzy_only,
        })
    }
}

/// Whether a search counts as a miss.
pub fn is_miss(results: &SearchResults) -> bool {
    results.results.is_empty() || results.fuzzy_only
}

/// Where misses are logged: `env` (the value of [`LOG_ENV`]) if set and not empty, else the
/// configuration file's `log_misses`. Errors come from a broken configuration file.
pub fn log_target(repo: &Repo, env: Option<OsString>) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(v) = env.filter(|v| !v.is_empty()) {
        return Ok(Some(PathBuf::from(v)));
    }
    Ok(crate::config::read(repo)?.log_misses)
}

/// The configured log file, from the environment or `ROOT/playbook.toml`.
pub fn configured_log(repo: &Repo) -> Result<Option<PathBuf>, ConfigError> {
    log_target(repo, std::env::var_os(LOG_ENV))
}

/// Appends one record as one line, with a single write on a file opened for appending
/// (only a regular file: a FIFO or a device as the log is refused, never waited for).
pub fn append(path: &Path, record: &MissRecord) -> Result<(), FileError> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = append_regular(path)?;
    // One buffer, one call: with O_APPEND the kernel places it at the end as a whole.
    Ok(file.write_all(&line)?)
}

/// A miss log that warns at most once when it cannot write (for long-running callers that
/// search many times).
#[derive(Debug)]
pub struct MissLog {
    path: PathBuf,
    warned: bool,
}

impl MissLog {
    pub fn new(path: PathBuf) -> Self {
        MissLog {
            path,
            warned: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Logs the search if it is a miss. Never fails: a problem is a warning on `err`, once.
    pub fn record(
        &mut self,
        request: &SearchRequest,
        results: &SearchResults,
        err: &mut dyn Write,
    ) {
        let Some(record) = MissRecord::for_search(request, results, SystemTime::now()) else {
            return;
        };
        if let Err(e) = append(&self.path, &record) {
            self.warn(
                err,
                &format!("cannot write to {}: {e}", self.path.display()),
            );
        }
    }

    fn warn(&mut self, err: &mut dyn Write, message: &str) {
        if !self.warned {
            self.warned = true;
            let _ = writeln!(
                err,
                "warning: search not logged: {message}\n  = help: check {LOG_ENV} or `log_misses` in {CONFIG_FILE}; the search itself is unaffected"
            );
        }
    }
}

/// Logs one search if it is a miss and logging is configured. Never fails; problems (a broken
/// configuration file, an unwritable log) are one warning on `err`.
pub fn log_search(
    repo: &Repo,
    request: &SearchRequest,
    results: &SearchResults,
    err: &mut dyn Write,
) {
    if !is_miss(results) {
        return;
    }
    match configured_log(repo) {
        Ok(Some(path)) => MissLog::new(path).record(request, results, err),
        Ok(None) => {}
        Err(e) => MissLog::new(PathBuf::new()).warn(err, &e.to_string()),
    }
}

/// A time as RFC 3339 in UTC, to the second (`2026-11-22T21:56:03Z`). Times before 1970 are
/// written as 1970-01-01T00:00:00Z.
pub fn rfc3339_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The form queries are grouped by: lowercase, trimmed, runs of spaces made one.
pub fn normalize_query(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One group of misses with the same normalised query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissGroup {
    /// The normalised query.
    pub query: String,
    /// How many searches.
    pub count: usize,
    /// Of those, how many found only typo matches.
    pub fuzzy_only_searches: usize,
    /// The latest time it was searched (RFC 3339).
    pub last_seen: String,
    /// The situation the query most resembles, if any: where its answer might belong.
    pub closest_situation: Option<String>,
}

/// A summary of a miss log, most frequent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissSummary {
    /// Searches logged.
    pub searches: usize,
    /// Distinct normalised queries.
    pub distinct: usize,
    /// Lines that were not a record (for example cut short by a full disk); they are skipped.
    pub skipped_lines: usize,
    /// The groups, most frequent first, at most the limit asked for.
    pub misses: Vec<MissGroup>,
}

/// Summarises a log's text. `matcher` finds each query's closest situation.
pub fn summarize(log: &str, matcher: Option<&SituationMatcher>, limit: usize) -> MissSummary {
    let mut groups: HashMap<String, MissGroup> = HashMap::new();
    let mut searches = 0;
    let mut skipped_lines = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(record) = serde_json::from_str::<MissRecord>(line) else {
            skipped_lines += 1;
            continue;
        };
        searches += 1;
        let key = normalize_query(&record.query);
        let group = groups.entry(key.clone()).or_insert_with(|| MissGroup {
            query: key,
            count: 0,
            fuzzy_only_searches: 0,
            last_seen: String::new(),
            closest_situation: None,
        });
        group.count += 1;
        group.fuzzy_only_searches += usize::from(record.fuzzy_only);
        if record.time > group.last_seen {
            group.last_seen = record.time;
        }
    }
    let distinct = groups.len();
    let mut misses: Vec<MissGroup> = groups.into_values().collect();
    misses.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.query.cmp(&b.query))
    });
    misses.truncate(limit);
    if let Some(matcher) = matcher {
        for group in &mut misses {
            if !group.query.is_empty() {
                group.closest_situation = matcher.suggest(&group.query, 1).into_iter().next();
            }
        }
    }
    MissSummary {
        searches,
        distinct,
        skipped_lines,
        misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(at(1_234_567_890)), "2009-02-13T23:31:30Z");
        assert_eq!(rfc3339_utc(at(1_709_251_199)), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339_utc(at(4_102_444_800)), "2100-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut prev = civil_from_days(-1);
        assert_eq!(prev, (1969, 12, 31));
        for days in 0..146_097 {
            let (y, m, d) = civil_from_days(days);
            let next_day = (prev.0, prev.1, prev.2 + 1);
            let next_month = (prev.0, prev.1 + 1, 1);
            let next_year = (prev.0 + 1, 1, 1);
            assert!(
                [next_day, next_month, next_year].contains(&(y, m, d)),
                "{prev:?} -> {:?}",
                (y, m, d)
            );
            assert!(d <= 31 && (1..=12).contains(&m));
            prev = (y, m, d);
        }
        assert_eq!(prev, (2369, 12, 31));
    }

    #[test]
    fn queries_are_grouped_by_their_normal_form() {
        assert_eq!(
            normalize_query("  Vil  TALE\tmed chefen "),
            "vil tale med chefen"
        );
        assert_eq!(normalize_query("ÆBLE  Ø"), "æble ø");
        assert_eq!(normalize_query("   "), "");
    }

    fn line(time: &str, query: &str, fuzzy: bool) -> String {
        serde_json::to_string(&MissRecord {
            time: time.into(),
            query: query.into(),
            langs: vec![],
            situations: vec![],
            results: usize::from(fuzzy),
            fuzzy_only: fuzzy,
        })
        .unwrap()
    }

    #[test]
    fn summaries_put_the_most_frequent_first_and_skip_broken_lines() {
        let log = [
            line("2026-01-01T10:00:00Z", "xyzzy", false),
            line("2026-01-02T10:00:00Z", "Chargeback  please", false),
            "{\"time\": \"2026-01-0".to_string(),
            line("2026-01-03T10:00:00Z", "chargeback please ", true),
            line("2026-01-01T09:00:00Z", "chargeback PLEASE", false),
            String::new(),
            line("2026-01-05T10:00:00Z", "plugh", false),
        ]
        .join("\n");
        let s = summarize(&log, None, 10);
        assert_eq!((s.searches, s.distinct, s.skipped_lines), (5, 3, 1));
        assert_eq!(s.misses[0].query, "chargeback please");
        assert_eq!(s.misses[0].count, 3);
        assert_eq!(s.misses[0].fuzzy_only_searches, 1);
        assert_eq!(s.misses[0].last_seen, "2026-01-03T10:00:00Z");
        // Ties: the most recent first.
        assert_eq!(s.misses[1].query, "plugh");
        assert_eq!(s.misses[2].query, "xyzzy");
        let limited = summarize(&log, None, 1);
        assert_eq!(limited.misses.len(), 1);
        assert_eq!(limited.distinct, 3);
    }

    #[test]
    fn only_misses_are_recorded() {
        let request = SearchRequest {
            query: "x".repeat(MAX_LOGGED_QUERY_CHARS + 10),
            langs: vec![crate::model::Lang::Da],
            situations: vec!["refund-demand".into()],
            limit: 3,
            ..SearchRequest::default()
        };
        let mut results = SearchResults {
            query: request.query.clone(),
            situations: vec![],
            query_lang: None,
            read_as: None,
            reading: crate::model::Lang::En,
            results: vec![],
            suggestions: vec![],
            fuzzy_only: false,
        };
        let r = MissRecord::for_search(&request, &results, at(0)).unwrap();
        assert_eq!(r.query.chars().count(), MAX_LOGGED_QUERY_CHARS);
        assert_eq!(r.langs, ["da"]);
        assert_eq!(r.situations, ["refund-demand"]);
        assert_eq!((r.results, r.fuzzy_only), (0, false));
        results.fuzzy_only = true;
        assert!(MissRecord::for_search(&request, &results, at(0)).is_some());
    }

    #[test]
    fn a_log_that_cannot_be_written_warns_once() {
        let dir = tempfile::tempdir().unwrap();
        let request = SearchRequest {
            query: "nothing".into(),
            limit: 3,
            ..SearchRequest::default()
        };
        let results = SearchResults {
            query: "nothing".into(),
            situations: vec![],
            query_lang: None,
            read_as: None,
            reading: crate::model::Lang::En,
            results: vec![],
            suggestions: vec![],
            fuzzy_only: false,
        };
        // A folder cannot be opened for appending.
        let mut log = MissLog::new(dir.path().to_path_buf());
        let mut err = Vec::new();
        log.record(&request, &results, &mut err);
        log.record(&request, &results, &mut err);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(
            err.matches("warning: search not logged").count(),
            1,
            "{err}"
        );

        let file = dir.path().join("misses.jsonl");
        let mut log = MissLog::new(file.clone());
        let mut err = Vec::new();
        log.record(&request, &results, &mut err);
        log.record(&request, &results, &mut err);
        assert!(err.is_empty());
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().count(), 2);
        let record: MissRecord = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(record.query, "nothing");
    }

    #[test]
    fn the_environment_wins_over_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo {
            root: dir.path().to_path_buf(),
        };
        assert_eq!(log_target(&repo, None).unwrap(), None);
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "log_misses = \"logs/misses.jsonl\"\n[live]\nother = 1\n",
        )
        .unwrap();
        assert_eq!(
            log_target(&repo, None).unwrap(),
            Some(dir.path().join("logs/misses.jsonl"))
        );
        assert_eq!(
            log_target(&repo, Some("".into())).unwrap(),
            Some(dir.path().join("logs/misses.jsonl"))
        );
        assert_eq!(
            log_target(&repo, Some("/tmp/x.jsonl".into())).unwrap(),
            Some(PathBuf::from("/tmp/x.jsonl"))
        );
        std::fs::write(dir.path().join(CONFIG_FILE), "log_misses = 3\n").unwrap();
        assert!(
            log_target(&repo, None)
                .unwrap_err()
                .to_string()
                .contains("must be a string")
        );
        std::fs::write(dir.path().join(CONFIG_FILE), "log_misses = \n").unwrap();
        assert!(log_target(&repo, None).is_err());
    }
}
