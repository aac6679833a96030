//! `playbook serve` in a real browser: Debian's headless Chromium driven by Node's
//! `playwright-core` (tests/browser/e2e.mjs), on a temporary copy of `playbooks/` with a
//! playbook that carries markup. Typing, copying, the keyboard, deep links, Persian and Thai,
//! markup shown as text, an edit showing up without a restart, no request leaving
//! 127.0.0.1, axe-core; screenshots at 1366×768 go to target/screenshots/.
//!
//! Needs `chromium`, `node` and `npm ci` in tests/browser (`.ci/run` installs them). With
//! `CI` set, anything missing fails the test; elsewhere it is skipped with a loud message.

use crate::common::shipped_tree;
use crate::serve_common::Server;
use std::path::{Path, PathBuf};
use std::process::Command;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// What is missing to run the browser tests, if anything.
fn missing(chromium: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "{} (apt-get install -y chromium chromium-driver)",
            chromium.display()
        ));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push("node (apt-get install -y nodejs npm)".to_string());
    }
    for module in ["playwright-core", "axe-core"] {
        if !browser_dir().join("node_modules").join(module).is_dir() {
            missing.push(format!("{module} (cd tests/browser && npm ci)"));
        }
    }
    missing
}

#[test]
fn the_page_works_in_chromium() {
    let chromium =
        PathBuf::from(std::env::var_os("CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into()));
    let missing = missing(&chromium);
    if !missing.is_empty() {
        let message = format!("browser tests cannot run: missing {}", missing.join(", "));
        if std::env::var_os("CI").is_some() {
            panic!("{message}");
        }
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!!! SKIPPED: {message}");
        eprintln!("!!! (in CI, with `CI` set, this is a failure)");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
        return;
    }
    let tree = shipped_tree();
    std::fs::copy(
        browser_dir().join("fixtures/xss-probe.md"),
        tree.path().join("playbooks/da/xss-probe.md"),
    )
    .unwrap();
    let server = Server::start(tree.path(), &[]);
    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let out = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(browser_dir())
        .env("BASE_URL", server.url(""))
        .env("ROOT", tree.path())
        .env("SCREENSHOTS", &screenshots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "browser checks failed:\n{}",
        stdout
            .lines()
            .filter(|l| l.starts_with("not ok"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(stdout.contains("# 12/12 passed"), "{stdout}");
}
