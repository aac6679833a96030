//! playbook: an offline, multilingual knowledge base that customer-service agents search
//! during a live call, built from Markdown playbooks that trainers keep in Git.
//!
//! The pieces, in the order data flows through them: [`corpus`] finds and loads the files,
//! [`parser`] and [`taxonomy`] turn them into the [`model`], [`analysis`] tokenizes every
//! language, [`index`] keeps a tantivy index fresh, [`search`] answers queries (its first
//! candidates re-ordered by [`classifier`], which learns from the steps' own lines), and
//! [`render`] prints results for people or as JSON.

pub mod analysis;
pub mod cache;
pub mod check;
pub mod classifier;
pub mod commands;
pub mod config;
pub mod corpus;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod files;
pub mod finglish;
pub mod fixed;
pub mod fnv;
pub mod index;
pub mod kept;
pub mod live;
pub mod matcher;
pub mod misses;
pub mod model;
pub mod parser;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod summed;
pub mod taxonomy;
#[cfg(test)]
mod testing;
pub mod thesaurus;
pub mod translations;
pub mod tuning;

pub use error::{Error, Result};
