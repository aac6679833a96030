//! Diagnostics for trainers: `path:line:col: error[CODE]: message`, with a hint.

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a playbook or in `situations.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the repository root.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    pub severity: Severity,
    /// A stable code such as `E0301`, documented in `docs/diagnostics.md`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &str, line: usize, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_string(),
            line: line.max(1),
            col: 1,
            severity: Severity::Error,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(
        path: &str,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, code, message)
        }
    }

    pub fn at_col(mut self, col: usize) -> Self {
        self.col = col.max(1);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.path, self.line, self.col, kind, self.code, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

/// A TOML file's bytes as text (without a byte-order mark), or E0002 at the line of its
/// first byte that is not UTF-8.
pub fn utf8_text<'a>(bytes: &'a [u8], rel_path: &str) -> Result<&'a str, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.strip_prefix('\u{feff}').unwrap_or(t)),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(Diagnostic::error(rel_path, line, "E0002", "invalid UTF-8")
                .with_hint("save the file as UTF-8"))
        }
    }
}

/// Maps byte offsets in a text to 1-based lines and character columns.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The 1-based line holding `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The 1-based (line, column) of `offset`; the column counts characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let end = offset.min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_lines_and_character_columns() {
        let text = "ab\nپرس\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(x), (3, 1));
        let s = text.find('س').unwrap();
        assert_eq!(idx.line_col(s), (2, 3));
    }

    #[test]
    fn display_has_path_line_col_code_and_hint() {
        let d = Diagnostic::error("playbooks/da/a.md", 4, "E0301", "unknown situation `x`")
            .at_col(2)
            .with_hint("did you mean `y`?");
        assert_eq!(
            d.to_string(),
            "playbooks/da/a.md:4:2: error[E0301]: unknown situation `x`\n  = help: did you mean `y`?"
        );
    }

    /// Every code the sources emit has its row in `docs/diagnostics.md`: a trainer who looks
    /// a code up finds what it means and what to do.
    #[test]
    fn every_code_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let docs = std::fs::read_to_string(root.join("docs/diagnostics.md")).unwrap();
        let mut sources = vec![root.join("src")];
        let mut undocumented = Vec::new();
        while let Some(dir) = sources.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for quoted in text.split('"').skip(1).step_by(2) {
                    let is_code = quoted.len() == 5
                        && matches!(quoted.as_bytes()[0], b'E' | b'W')
                        && quoted[1..].bytes().all(|b| b.is_ascii_digit());
                    if is_code && !docs.contains(&format!("| {quoted} |")) {
                        undocumented.push(format!("{quoted} ({})", path.display()));
                    }
                }
            }
        }
        assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
    }
}
