//! `playbook serve`: the playbooks in the agent's browser — a small web app and a JSON API
//! served by the binary itself, on loopback unless told otherwise.
//!
//! The page (HTML, CSS, JS) is embedded ([`assets`]); nothing is read from the file system
//! but the playbooks, and nothing is fetched from the network. Every request passes the
//! [`guard`] (Host check, size, time and concurrency bounds, security headers) before it
//! reaches an [`api`] handler. A [`Follower`] keeps the engine fresh in the background: the
//! handlers read the newest [`Snapshot`] and never wait for a refresh.
//!
//! A search runs on the runtime's own thread (one per core), not on a blocking pool: it is a
//! millisecond or two of CPU, bounded (a query's length and terms are), and CPU is what it
//! waits for anyway. Handing each search to another thread and back cost more than the
//! search's own wait (100 agents typing at 10,000 playbooks: p99 53–71 → 39–45 ms, p50
//! 7–23 → 6 ms, docs/benchmarks.md); while every core searches, new requests wait in the
//! kernel's queue instead of tokio's.

mod answers;
mod api;
mod assets;
mod guard;

use crate::corpus::Repo;
use crate::engine::{Engine, Follower, Notice, Update};
use crate::error::{Error, Result};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use guard::AllowedHosts;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on (`127.0.0.1` unless `--bind` says otherwise).
    pub bind: IpAddr,
    /// The port; 0 lets the system choose (the `listening on` line says which).
    pub port: u16,
    /// Open the default browser on the page once listening.
    pub open: bool,
}

/// How long one request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How many requests are handled at once; more wait (within their timeout).
pub const MAX_CONCURRENT: usize = 64;
/// The longest query string, and the longest path, accepted (414 beyond).
pub const MAX_QUERY: usize = 4096;

/// What the handlers answer from: an engine and the answers it already gave.
pub struct Snapshot {
    pub engine: Arc<Engine>,
    /// Recent search answers of this engine.
    pub answers: answers::Answers,
}

impl Snapshot {
    pub fn of(engine: Arc<Engine>) -> Snapshot {
        Snapshot {
            engine,
            answers: answers::Answers::default(),
        }
    }
}

/// The server's shared state.
pub struct App {
    current: RwLock<Arc<Snapshot>>,
    hosts: AllowedHosts,
    limit: tokio::sync::Semaphore,
}

impl App {
    /// The newest snapshot (a refresh in progress does not hold this lock).
    pub fn current(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, snapshot: Snapshot) {
        let fresh = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut s) => *s = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }
}

/// Serves `repo` until the process is stopped. The first line on `err` is
/// `listening on http://ADDR:PORT`.
pub fn run(repo: Repo, options: &ServeOptions, err: &mut dyn Write) -> Result<()> {
    let follower = Follower::start(repo.clone()).map_err(|e| Error::io(repo.root.clone(), e))?;
    // The first engine, before listening: the page never sees an empty server.
    let (engine, notices) = loop {
        match follower.wait(Duration::from_secs(3600)) {
            Some(Update::Engine(engine, notices)) => break (engine, notices),
            Some(Update::Failed(why)) => return Err(Error::Usage(why)),
            None => continue,
        }
    };
    let snapshot = Snapshot::of(engine);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("playbook-serve")
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server's runtime: {e}")))?;
    let address = SocketAddr::new(options.bind, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .map_err(|e| Error::Usage(format!("cannot listen on {address}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Usage(format!("cannot listen on {address}: {e}")))?;
    let url = page_url(local);
    let say = |err: &mut dyn Write, line: &str| {
        writeln!(err, "{line}").map_err(|e| Error::io("<stderr>", e))
    };
    say(err, &format!("listening on http://{local}"))?;
    if !is_loopback(options.bind) {
        say(
            err,
            &format!(
                "warning: {} is not a loopback address: anyone who can reach this machine on port {} can read the playbooks",
                options.bind,
                local.port()
            ),
        )?;
    }
    print_notices(err, &notices)?;
    let app = Arc::new(App {
        current: RwLock::new(Arc::new(snapshot)),
        hosts: AllowedHosts::new(local),
        limit: tokio::sync::Semaphore::new(MAX_CONCURRENT),
    });
    let updating = Arc::clone(&app);
    std::thread::Builder::new()
        .name("playbook-serve-follow".to_string())
        .spawn(move || keep_fresh(&follower, &updating))
        .map_err(|e| Error::io(repo.root.clone(), e))?;
    if options.open {
        say(err, &format!("opening {url}"))?;
        if let Err(e) = opener::open_browser(&url) {
            say(
                err,
                &format!("warning: cannot open a browser ({e}); open {url} yourself"),
            )?;
        }
    }
    let router = api::router(app);
    runtime
        .block_on(async { axum::serve(listener, router).await })
        .map_err(|e| Error::Usage(format!("the server stopped: {e}")))
}

/// The page's address: a loopback one when the server listens on every address.
fn page_url(local: SocketAddr) -> String {
    let host = match local.ip() {
        ip if ip.is_unspecified() => SocketAddr::new(IpAddr::from([127, 0, 0, 1]), local.port()),
        _ => local,
    };
    format!("http://{host}/")
}

/// Whether `ip` only reaches this machine.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Swaps in a new snapshot after every update of the follower, until the process ends.
fn keep_fresh(follower: &Follower, app: &App) {
    loop {
        match follower.wait(Duration::from_secs(3600)) {
            Some(Update::Engine(engine, notices)) => {
                let _ = print_notices(&mut std::io::stderr(), &notices);
                app.replace(Snapshot::of(engine));
            }
            Some(Update::Failed(why)) => {
                eprintln!(
                    "warning: the playbooks could not be reopened ({}); still serving the previous ones",
                    crate::render::printable(&why)
                );
            }
            // A timeout, or (should the follower be gone) a pause instead of a busy loop.
            None => std::thread::sleep(Duration::from_secs(1)),
        }
    }
}

fn print_notices(err: &mut dyn Write, notices: &[Notice]) -> Result<()> {
    for notice in notices {
        writeln!(err, "{}", crate::render::printable(&notice.to_string()))
            .map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok(())
}
