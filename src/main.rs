//! The `playbook` binary: parse arguments, run the library, map the outcome to an exit code
//! (0 results or clean, 1 none or errors found, 2 usage or I/O failure).

mod cli;

use clap::Parser;
use playbook::commands::{Outcome, run};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let command = match cli.into_command() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    // Buffered: a result page is written in one go, not line by line.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut err = std::io::stderr();
    let result = run(&command, &mut out, &mut err).and_then(|o| {
        out.flush().map_err(|e| playbook::Error::Io {
            path: "<stdout>".into(),
            source: e,
        })?;
        Ok(o)
    });
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Nothing) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let what = command.name();
            let _ = writeln!(
                err,
                "error: {:#}",
                anyhow::Error::new(e).context(format!("`playbook {what}` failed"))
            );
            ExitCode::from(2)
        }
    }
}

/// A reader that closed the pipe (`playbook search x | head -1`) is not an error.
fn is_broken_pipe(e: &playbook::Error) -> bool {
    matches!(e, playbook::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}
