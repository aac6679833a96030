//! Bytes into the playbook parser and the situations parser: never a panic, and every
//! diagnostic points at a real line (1 ..= lines + 1) and column (>= 1).

#![no_main]

use libfuzzer_sys::fuzz_target;
use playbook::diagnostic::Diagnostic;
use playbook::parser::parse_playbook;
use playbook::taxonomy::parse_taxonomy;

/// The first byte picks the path the file is said to have (the parser reads its folder).
const REL_PATHS: [&str; 4] = [
    "playbooks/da/fuzz.md",
    "playbooks/th/fuzz.md",
    "playbooks/fuzz.md",
    "fuzz.md",
];

fn check(bytes: &[u8], diagnostics: &[Diagnostic]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    for d in diagnostics {
        assert!(d.line >= 1 && d.col >= 1, "{d}");
        assert!(d.line <= lines + 1, "line {} of {lines}: {d}", d.line);
        let _ = d.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let (rel_path, bytes) = match data.split_first() {
        Some((&first, rest)) if first < 0x20 => (REL_PATHS[first as usize % 4], rest),
        _ => (REL_PATHS[0], data),
    };
    let parsed = parse_playbook(bytes, rel_path);
    check(bytes, &parsed.diagnostics);
    if let Some(pb) = &parsed.playbook {
        for step in &pb.steps {
            assert!(step.line >= 1);
            let _ = pb.section_title(step);
        }
    }
    let (taxonomy, diagnostics) = parse_taxonomy(data, "playbooks/situations.toml");
    check(data, &diagnostics);
    if let Some(t) = taxonomy {
        for s in &t.situations {
            let _ = t.closest_id(&s.id);
        }
    }
});
