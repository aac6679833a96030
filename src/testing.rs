//! Helpers for the library's unit tests.

/// A temporary copy of the shipped `playbooks/` (no index: the first engine builds one).
pub fn shipped_copy() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = dir
            .path()
            .join("playbooks")
            .join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// Calls `typed` with every prefix of each sentence, a character more each time, as an
/// agent types it, and then all over again (the second time, whatever a front-end keeps
/// between searches is there from the first).
pub fn each_keystroke_twice(sentences: &[&str], mut typed: impl FnMut(&str)) {
    for sentence in sentences {
        for _ in 0..2 {
            let mut prefix = String::new();
            for c in sentence.chars() {
                prefix.push(c);
                typed(&prefix);
            }
        }
    }
}
