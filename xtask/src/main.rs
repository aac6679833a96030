//! Developer tasks for the playbook repository (a workspace member, never installed).
//!
//! ```console
//! cargo run -p xtask --release -- gen-corpus --count 10000 --out target/bench-corpus/10k [--seed 1] [--translations 1]
//! cargo run -p xtask --release -- serve-load http://127.0.0.1:PORT [--clients 100] [--rounds 4] [--pace-ms 100] [--queries FILE...]
//! ```

mod gen_corpus;
mod serve_load;

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "xtask", about = "Developer tasks for the playbook repository")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Generate a large, valid playbook corpus from the shipped playbooks (deterministic).
    GenCorpus(GenCorpusArgs),
    /// Agents typing into `playbook serve`: concurrent clients, a request per keystroke.
    ServeLoad(ServeLoadArgs),
}

#[derive(Debug, Args)]
struct ServeLoadArgs {
    /// The server's address (`http://127.0.0.1:PORT`, as `playbook serve` prints it).
    base: String,
    /// How many agents type at once (a thread and a kept-alive connection each).
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// How many queries each agent types.
    #[arg(long, default_value_t = 4)]
    rounds: usize,
    /// Mean milliseconds between one agent's keystrokes, ±50 % (0: back to back).
    #[arg(long, default_value_t = 100)]
    pace_ms: u64,
    /// The run stops after this many seconds, whatever is left to type.
    #[arg(long, default_value_t = 120)]
    deadline_s: u64,
    /// JSON lines files whose `query` fields are typed (default: 14 headline queries).
    #[arg(long, num_args = 1..)]
    queries: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct GenCorpusArgs {
    /// How many playbooks to write.
    #[arg(long)]
    count: usize,
    /// The folder to write `playbooks/` into.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator: the same seed and sources give byte-identical output.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder holding the source `playbooks/` (default: the repository's folder).
    #[arg(long)]
    from: Option<PathBuf>,
    /// Translations per generated playbook, into other reading languages (0 to 4), each
    /// stamped with its original's fingerprints.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=4))]
    translations: u8,
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::ServeLoad(args) => serve_load(args),
        Task::GenCorpus(args) => {
            let options = gen_corpus::Options {
                count: args.count,
                out: args.out,
                seed: args.seed,
                from: args.from.unwrap_or_else(repo_root),
                translations: usize::from(args.translations),
            };
            match gen_corpus::run(&options) {
                Ok(summary) => {
                    eprintln!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("gen-corpus: error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Runs `serve-load`: the report on stdout; errors in answers make the exit status 1.
fn serve_load(args: ServeLoadArgs) -> ExitCode {
    let options = serve_load::Options {
        base: args.base,
        clients: args.clients,
        rounds: args.rounds,
        pace: Duration::from_millis(args.pace_ms),
        deadline: Duration::from_secs(args.deadline_s),
        queries: args.queries,
    };
    match serve_load::run(&options) {
        Ok(report) => {
            println!("{}", report.line());
            if report.errors().is_empty() {
                return ExitCode::SUCCESS;
            }
            eprintln!("serve-load: errors: {}", report.errors().join("; "));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("serve-load: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The repository's folder: the one above this crate's.
fn repo_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

#[cfg(test)]
mod cli_tests {
    use super::*;

    #[test]
    fn gen_corpus_arguments_and_defaults() {
        let cli =
            Cli::try_parse_from(["xtask", "gen-corpus", "--count", "3", "--out", "x"]).unwrap();
        let Task::GenCorpus(args) = cli.task else {
            panic!("not gen-corpus")
        };
        assert_eq!((args.count, args.seed, args.translations), (3, 1, 1));
        assert_eq!(args.out, PathBuf::from("x"));
        assert!(args.from.is_none());
        assert!(Cli::try_parse_from(["xtask", "gen-corpus", "--out", "x"]).is_err());
        let none = [
            "xtask",
            "gen-corpus",
            "--count",
            "3",
            "--out",
            "x",
            "--translations",
        ];
        let Task::GenCorpus(args) = Cli::try_parse_from(none.iter().chain(&["0"])).unwrap().task
        else {
            panic!("not gen-corpus")
        };
        assert_eq!(args.translations, 0);
        assert!(Cli::try_parse_from(none.iter().chain(&["5"])).is_err());
        assert!(repo_root().join("playbooks/situations.toml").is_file());
    }

    #[test]
    fn serve_load_arguments_and_defaults() {
        let cli = Cli::try_parse_from(["xtask", "serve-load", "http://127.0.0.1:1"]).unwrap();
        let Task::ServeLoad(args) = cli.task else {
            panic!("not serve-load")
        };
        assert_eq!((args.clients, args.rounds, args.pace_ms), (100, 4, 100));
        assert!(args.queries.is_empty());
        let cli = Cli::try_parse_from([
            "xtask",
            "serve-load",
            "http://x",
            "--pace-ms",
            "0",
            "--queries",
            "a",
            "b",
        ])
        .unwrap();
        let Task::ServeLoad(args) = cli.task else {
            panic!("not serve-load")
        };
        assert_eq!((args.pace_ms, args.queries.len()), (0, 2));
        assert!(Cli::try_parse_from(["xtask", "serve-load"]).is_err());
    }
}
