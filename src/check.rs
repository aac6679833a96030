//! `playbook check`: validate every playbook and the taxonomy, and summarise.

use crate::corpus::{Repo, load_corpus};
use crate::diagnostic::Diagnostic;

/// The outcome of a check.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    /// Playbook files looked at.
    pub files: usize,
    pub steps: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// Whether the check fails: on errors, or with `strict` on warnings too.
    pub fn failed(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

/// Checks everything under `playbooks/`.
pub fn check(repo: &Repo) -> CheckReport {
    let corpus = load_corpus(repo);
    CheckReport {
        files: corpus.playbooks.len() + corpus.skipped.len(),
        steps: corpus.playbooks.iter().map(|p| p.steps.len()).sum(),
        diagnostics: corpus.diagnostics,
    }
}
