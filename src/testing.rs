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
