//! A long-running view stays fresh: `live`'s [`App`] with a real engine, followed on a real
//! tree, sees an edit, a new playbook and a removal without a restart.

use crate::common::shipped_tree;
use playbook::corpus::Repo;
use playbook::engine::{Follower, Update};
use playbook::live::App;
use std::time::{Duration, Instant};

/// Generous: the figure that matters (well under a second) is measured by `benches/live.rs`;
/// a test must also pass on a slow, busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// Takes follower updates until the app's search for `query` satisfies `done`.
fn until(app: &mut App, follower: &Follower, query: &str, done: impl Fn(&App) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        app.follow(follower);
        app.set_query(query);
        app.refresh();
        if done(app) {
            return start.elapsed();
        }
        assert!(start.elapsed() < PATIENCE, "the view never saw the change");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn found(app: &App, step: &str) -> bool {
    app.results()
        .is_some_and(|r| r.results.iter().any(|h| h.record().step == step))
}

#[test]
fn an_open_view_sees_edits_new_playbooks_and_removals() {
    let tree = shipped_tree();
    let repo = Repo {
        root: tree.path().to_path_buf(),
    };
    let follower = Follower::start(repo).unwrap();
    let mut app = App::new(false);
    // The first engine, as `live` gets it.
    until(&mut app, &follower, "manager request", |a| {
        found(a, "respect-manager-request")
    });

    // A word no playbook has: nothing, until a trainer adds it to a step.
    let word = "quixotrafiklys";
    until(&mut app, &follower, word, |a| {
        a.results().is_some_and(|r| r.results.is_empty())
    });
    let file = tree.path().join("playbooks/da/vrede-klienter.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "Ting vil blive værre",
        &format!("Ting ({word}) vil blive værre"),
        1,
    );
    assert_ne!(edited, text, "the edit must change the file");
    std::fs::write(&file, edited).unwrap();
    until(&mut app, &follower, word, |a| {
        found(a, "dont-react-impulsively")
    });

    // A new playbook, then its removal.
    let new = tree.path().join("playbooks/da/ny.md");
    std::fs::write(
        &new,
        "+++\nid = \"da-ny\"\ntitle = \"Ny\"\nlang = \"da\"\n\n[source]\ntitle = \"Ny\"\n+++\n\n\
         ## Sig farvel venligt {#farvel}\n\n**Situations:** ending-call\n\n\
         Afslut med en zorblatfrase.\n\n**Gloss:** End kindly.\n",
    )
    .unwrap();
    until(&mut app, &follower, "zorblatfrase", |a| found(a, "farvel"));
    std::fs::remove_file(&new).unwrap();
    until(&mut app, &follower, "zorblatfrase", |a| !found(a, "farvel"));
}

#[test]
fn a_broken_edit_keeps_the_answers_the_view_had() {
    let tree = shipped_tree();
    let repo = Repo {
        root: tree.path().to_path_buf(),
    };
    let follower = Follower::start(repo).unwrap();
    let first = follower.wait(PATIENCE);
    assert!(matches!(first, Some(Update::Engine(..))), "no engine");
    let mut app = App::new(false);
    if let Some(Update::Engine(engine, notices)) = first {
        app.set_engine(
            Ok(engine),
            notices.iter().map(ToString::to_string).collect(),
        );
    }
    // situations.toml made unreadable TOML: the engine cannot be reopened, and the view
    // keeps searching the one it has.
    std::fs::write(
        tree.path().join("playbooks/situations.toml"),
        "[[situation]\n",
    )
    .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        app.follow(&follower);
        std::thread::sleep(Duration::from_millis(50));
    }
    app.set_query("manager request");
    app.refresh();
    assert!(found(&app, "respect-manager-request"));
}

/// An index the view cannot write, and stale: built in memory once, then again only when
/// something changes, not on every backstop walk (each is a full build: seconds at 1,200
/// playbooks).
#[test]
fn a_read_only_stale_index_is_built_in_memory_once_per_change() {
    let tree = shipped_tree();
    let root = tree.path();
    crate::common::playbook(root)
        .args(["index"])
        .assert()
        .success();
    let file = root.join("playbooks/da/vrede-klienter.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let Some(_read_only) = crate::common::ReadOnly::new(&root.join("index")) else {
        eprintln!("skipped: index/ cannot be made read-only here (root without mount)");
        return;
    };
    let follower = Follower::start(Repo {
        root: root.to_path_buf(),
    })
    .unwrap();
    match follower.wait(PATIENCE) {
        Some(Update::Engine(_, notices)) => {
            let said: Vec<String> = notices.iter().map(ToString::to_string).collect();
            assert!(said.iter().any(|n| n.contains("read-only")), "{said:?}");
        }
        _ => panic!("no engine"),
    }
    // Several backstop walks find nothing new: no new engine.
    let quiet = playbook::tuning::FOLLOW_BACKSTOP * 3;
    assert!(follower.wait(quiet).is_none(), "rebuilt without a change");
    std::fs::write(&file, format!("{text}\n\n")).unwrap();
    assert!(
        matches!(follower.wait(PATIENCE), Some(Update::Engine(..))),
        "the change was not seen"
    );
    assert!(follower.wait(quiet).is_none(), "rebuilt without a change");
}
