//! The integration tests: one test binary (as ripgrep's `tests/tests.rs`), one module per
//! feature, so the engine is linked once rather than once per file.
//!
//! Run one feature's tests by its module path, e.g.
//! `cargo test --release --test tests -- relevance:: probe:: --nocapture`.

mod common;

mod added_titles;
mod check;
mod classifier;
mod follow;
mod gen_corpus;
mod introductions;
mod live_tmux;
mod probe;
mod properties;
mod relevance;
mod reliability;
mod screen;
mod search;
mod serve;
mod serve_browser;
mod serve_common;
mod thesaurus;
mod trainer_tools;
mod translations;
mod untrusted;
mod variants;
