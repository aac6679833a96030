//! `playbook serve` without a browser: the real binary on a free port, spoken to over raw
//! HTTP. The Host check, the security headers, 404s, the API's contracts (the same JSON as
//! `search --json` and `show --json`), the request bounds and the non-loopback warning.

use crate::common::shipped_tree;
use crate::serve_common::Server;
use serde::Deserialize;
use std::process::Command;

/// The JSON `search --json` prints, as the README's contract defines it.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct SearchJson {
    query: String,
    situations: Vec<String>,
    query_lang: Option<String>,
    reading: String,
    results: Vec<HitJson>,
    #[serde(default)]
    suggestions: Vec<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct HitJson {
    playbook: String,
    lang: String,
    playbook_title: String,
    section: Option<String>,
    step: String,
    title: String,
    text: String,
    phrases: Vec<String>,
    phrases_added: Vec<bool>,
    gloss: String,
    situations: Vec<String>,
    path: String,
    line: usize,
    score: f64,
    matched_situations: Vec<String>,
    shown: serde_json::Value,
}

fn cli(root: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn only_its_own_host_names_are_answered() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let port = server.port;
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let r = server.request(&format!(
            "GET /api/search?q=refund HTTP/1.1\r\nHost: {ok}\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(r.status, 200, "{ok}: {}", r.body);
    }
    // DNS rebinding: a page on evil.example whose name now points to 127.0.0.1.
    for bad in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "localhost".to_string(),
        format!("localhost.evil.example:{port}"),
    ] {
        let r = server.request(&format!(
            "GET /api/search?q=refund HTTP/1.1\r\nHost: {bad}\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(r.status, 403, "{bad}");
        assert!(r.json()["error"].is_string());
        assert_eq!(r.header("access-control-allow-origin"), None);
    }
    let r = server.request("GET / HTTP/1.0\r\n\r\n");
    assert!(r.status == 403 || r.status == 400, "no Host: {}", r.status);
}

#[test]
fn every_answer_carries_the_security_headers_and_no_cors() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    for path in [
        "/",
        "/app.js",
        "/style.css",
        "/api/search?q=refund",
        "/nope",
    ] {
        let r = server.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n",
            server.port
        ));
        let csp = r.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert!(
            !r.headers
                .iter()
                .any(|(n, _)| n.starts_with("access-control-")),
            "{path}: {:?}",
            r.headers
        );
    }
}

#[test]
fn the_page_is_embedded_self_contained_and_scriptless_inline() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.body
            .contains(r#"<script src="/app.js" defer></script>"#)
    );
    assert_eq!(page.body.matches("<script").count(), 1, "no inline script");
    assert!(!page.body.contains("style="), "no inline style");
    let js = server.get("/app.js");
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        !js.body.contains("innerHTML"),
        "playbook text is drawn as text"
    );
    assert!(!js.body.contains("eval("));
    for asset in [&page.body, &js.body, &server.get("/style.css").body] {
        assert!(
            !asset.contains("http://") && !asset.contains("https://"),
            "nothing remote"
        );
    }
}

#[test]
fn unknown_paths_are_404_and_never_reach_the_file_system() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    for path in [
        "/nope",
        "/playbooks/situations.toml",
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/serve/app.js",
        "/api/step/da-vrede-klienter",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(r.json()["error"].is_string(), "{path}");
    }
}

#[test]
fn api_search_is_what_search_json_prints() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    for (query, args) in [
        ("manager+request", vec!["manager", "request"]),
        (
            "refund&lang=da&limit=5",
            vec!["--lang", "da", "--limit", "5", "refund"],
        ),
    ] {
        let api = server.get(&format!("/api/search?q={query}"));
        assert_eq!(api.status, 200, "{}", api.body);
        let mut cli_args = vec!["search", "--json"];
        cli_args.extend(args);
        let printed = cli(tree.path(), &cli_args);
        assert_eq!(api.body, printed, "byte for byte, as the CLI prints it");
        let parsed: SearchJson = serde_json::from_str(&api.body).unwrap();
        assert!(!parsed.results.is_empty());
    }
    let parsed: SearchJson =
        serde_json::from_str(&server.get("/api/search?q=manager+request").body).unwrap();
    assert_eq!(parsed.situations, ["manager-request"]);
    assert!(
        parsed
            .results
            .iter()
            .any(|h| h.step.contains("manager") && !h.phrases.is_empty())
    );
    // The views the page draws: the same search, as StepViews.
    let views = server.get("/api/views?q=manager+request&limit=3").json();
    assert_eq!(views["situations"][0]["id"], "manager-request");
    let first = &views["steps"][0];
    assert_eq!(
        first["id"],
        format!("{}#{}", parsed.results[0].playbook, parsed.results[0].step)
    );
    assert!(first["say"][0]["text"].is_string());
}

#[test]
fn api_step_is_what_show_json_prints() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    let id = "da-vrede-klienter#respect-manager-request";
    let api = server.get("/api/step/da-vrede-klienter/respect-manager-request");
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(api.body, cli(tree.path(), &["show", "--json", id]));
    let view = server
        .get("/api/view/da-vrede-klienter/respect-manager-request")
        .json();
    assert_eq!(view["id"], id);
    assert_eq!(view["lang"], "da");
    let missing = server.get("/api/step/da-vrede-klienter/no-such-step");
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("no-such-step")
    );
    assert_eq!(server.get("/api/step/no-such-playbook/x").status, 404);
    // In a reading language, as `show --json --in` prints it; the view says it is translated.
    let in_persian = server.get("/api/step/da-vrede-klienter/respect-manager-request?in=fa");
    assert_eq!(in_persian.status, 200, "{}", in_persian.body);
    assert_eq!(
        in_persian.body,
        cli(tree.path(), &["show", "--json", "--in", "fa", id])
    );
    assert_eq!(in_persian.json()["shown"]["lang"], "fa");
    let view = server
        .get("/api/view/da-vrede-klienter/respect-manager-request?in=fa")
        .json();
    assert_eq!(view["lang"], "fa");
    assert_eq!(view["origin"]["kind"], "translation", "{view}");
    assert_eq!(view["origin"]["from"], "da", "{view}");
    for bad in ["?in=xx", "?lang=fa"] {
        let r = server.get(&format!(
            "/api/view/da-vrede-klienter/respect-manager-request{bad}"
        ));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
}

#[test]
fn an_edit_replaces_the_answers_already_given() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    let ask = || server.get("/api/views?q=refund&limit=3").json();
    let before = ask();
    // Asked again: the same answer (kept, or searched again: the same either way).
    assert_eq!(ask(), before);
    let first = before["steps"][0]["id"].as_str().unwrap().to_string();
    // The file the shown text comes from (a translation's, when the step is translated).
    let location = before["steps"][0]["location"].as_str().unwrap();
    let file = tree.path().join(location.rsplit_once(':').unwrap().0);
    let text = std::fs::read_to_string(&file).unwrap();
    let title = before["steps"][0]["title"].as_str().unwrap();
    let edited = text.replacen(title, "Zorblax refund title", 1);
    assert_ne!(edited, text, "the title is in the file as written");
    std::fs::write(&file, edited).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let now = ask();
        let step = now["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == first.as_str());
        if step.is_some_and(|s| s["title"] == "Zorblax refund title") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the edit never replaced the answer given before it: {now}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn bad_requests_are_400_with_a_json_error() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    for query in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=refund&lang=xx",
        "/api/search?q=refund&limit=0",
        "/api/search?q=refund&limit=lots",
        "/api/search?q=refund&situation=no-such-situation",
        "/api/search?q=refund&color=red",
        "/api/views?q=%20",
        "/api/views?q=refund&in=klingon",
    ] {
        let r = server.get(query);
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert!(r.json()["error"].is_string(), "{query}");
    }
}

#[test]
fn requests_are_bounded() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &[]);
    let long = format!("/api/search?q={}", "a".repeat(5000));
    let r = server.get(&long);
    assert_eq!(r.status, 414, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("query"));
    let address = format!("/api/step/{}/step", "a".repeat(5000));
    let r = server.get(&address);
    assert_eq!(r.status, 414, "{}", r.body);
    assert!(
        r.json()["error"].as_str().unwrap().contains("address"),
        "{}",
        r.body
    );
    let just = format!("/api/search?q={}", "refund+".repeat(500));
    assert!(just.len() - "/api/search?".len() <= 4096);
    assert_eq!(server.get(&just).status, 200);
    let body = server.request(&format!(
        "GET /api/search?q=refund HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        server.port
    ));
    assert_eq!(body.status, 413);
    let post = server.request(&format!(
        "POST /api/search?q=refund HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.port
    ));
    assert_eq!(post.status, 405);
}

#[test]
fn a_non_loopback_bind_warns() {
    let tree = shipped_tree();
    let server = Server::start(tree.path(), &["--bind", "0.0.0.0"]);
    assert!(server.addr.starts_with("0.0.0.0:"), "{}", server.addr);
    let second = server
        .rest
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    assert!(
        second.starts_with("warning:") && second.contains("not a loopback address"),
        "{second}"
    );
    drop(server);
    let tree = shipped_tree();
    let quiet = Server::start(tree.path(), &[]);
    // On loopback, what follows the first line is the index's notices, never the warning.
    while let Ok(line) = quiet
        .rest
        .recv_timeout(std::time::Duration::from_millis(500))
    {
        assert!(!line.contains("loopback"), "{line}");
    }
}
