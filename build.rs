//! Links the `playbook` binary as a position-dependent executable on Linux.
//!
//! Why: a search is a short process, and at the shipped size its time is mostly process
//! start. A position-independent executable makes the dynamic loader apply ~29,000
//! relocations at every start, writing to (and so faulting in) ~550 KB of pointer tables
//! (ICU data, vtables). Linked at a fixed address, those tables are ready in the file and
//! only the pages a search reads are touched: 587 → 447 page faults, 4.7 → 4.0 ms per
//! search (docs/benchmarks.md). Shared libraries stay randomised by ASLR.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=playbook=-no-pie");
    }
}
