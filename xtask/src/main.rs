//! Developer tasks for the playbook repository (a workspace member, never installed).
//!
//! ```console
//! cargo run -p xtask --release -- gen-corpus --count 10000 --out target/bench-corpus/10k [--seed 1] [--translations 1]
//! ```

mod gen_corpus;

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        let Task::GenCorpus(args) = cli.task;
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
        let Task::GenCorpus(args) = Cli::try_parse_from(none.iter().chain(&["0"])).unwrap().task;
        assert_eq!(args.translations, 0);
        assert!(Cli::try_parse_from(none.iter().chain(&["5"])).is_err());
        assert!(repo_root().join("playbooks/situations.toml").is_file());
    }
}
