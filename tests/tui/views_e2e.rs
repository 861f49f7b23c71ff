//! End to end through the binary in a pseudo-terminal (a detached tmux session) against the
//! in-process emulator: a full sync is cached, two unblocks appear in the queue and history
//! views, `U` undoes them, `D` shows the diff; the next session starts from the cache.

use crate::tmux_support;
use tmux_support::{start, tmux_available, xblocks_line, Tmux};

use std::time::{Duration, Instant};

use xblocks::emulator::{self, Config, Emulator};

use crate::fixtures::SCOPES;

/// Starts the TUI on `emu` with the config dir `dir` in a new tmux server; its exit status goes
/// to `dir/exit-NAME`.
fn tui(emu: &Emulator, dir: &std::path::Path, name: &str) -> Tmux {
    let token = emu.issue_token(SCOPES);
    tmux_support::probe(&emu.base_url(), &token, dir);
    let done = tmux_support::quote(&dir.join(format!("exit-{name}")).display().to_string());
    let script = xblocks_line(
        &emu.base_url(),
        &token,
        dir,
        &format!("; echo $? > {done}; sleep 60"),
    );
    let tmux = start(&format!("views-{name}"), 110, 30, &script);
    tmux
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_history_undo_diff_and_a_cached_start() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping (it needs a pseudo-terminal)");
        return;
    }
    let config = Config {
        users: 1200,
        seed: 11,
        ..Default::default()
    };
    let emu = emulator::start(config.clone()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tmux = tui(&emu, dir.path(), "a");
    tmux.wait_for("the first page", 90, |s| s.contains("1,000+ loaded"))
        .await;
    tmux.keys(&["G"]);
    tmux.wait_for("the full sync cached", 90, |s| {
        s.contains("Cached all 1,200")
    })
    .await;
    tmux.wait_for("the capability", 60, |s| s.contains("FULL"))
        .await;

    // Unblock two marked accounts, then look at the queue and the history.
    tmux.keys(&["g"]);
    tmux.keys(&["Space", "Space", "u"]);
    tmux.wait_for("the confirm pane", 30, |s| {
        s.contains("Unblock 2 accounts?")
    })
    .await;
    tmux.keys(&["y"]);
    tmux.wait_for("the unblocks", 60, |s| {
        s.contains("All queued actions done")
    })
    .await;
    assert_eq!(emu.blocked_ids().len(), 1198);
    tmux.keys(&["Q"]);
    let q = tmux
        .wait_for("the queue view", 30, |s| s.contains("Queue · 0 open"))
        .await;
    assert_eq!(q.matches("done   ").count(), 2, "{q}");
    tmux.keys(&["Escape"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    tmux.keys(&["H"]);
    tmux.wait_for("the history", 30, |s| s.contains("History · 2 writes"))
        .await;
    tmux.keys(&["U"]);
    tmux.wait_for("the undo question", 30, |s| s.contains("block 2 accounts?"))
        .await;
    tmux.keys(&["y"]);
    tmux.wait_for("the undo in the history", 60, |s| {
        s.contains("History · 4 writes")
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while emu.blocked_ids().len() != 1200 {
        assert!(Instant::now() < deadline, "undo did not re-block");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tmux.keys(&["Escape"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    tmux.keys(&["D"]);
    tmux.wait_for("the diff view", 30, |s| s.contains("Since the last sync"))
        .await;
    tmux.keys(&["Escape"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    tmux.keys(&["q"]);
    // The next session starts once this one has quit (and let go of the queue): under load a
    // hang-up before the `q` is read would leave it exiting while the next one starts.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.path().join("exit-a").exists() {
        assert!(
            Instant::now() < deadline,
            "the first session did not quit:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(tmux);
    emu.shutdown().await;

    // The next session: the same world answers slowly, so the list from the database shows first.
    let slow = emulator::start(Config {
        faults: "delay-ms=1500".parse().unwrap(),
        ..config
    })
    .await
    .unwrap();
    let tmux = tui(&slow, dir.path(), "b");
    // The database's list shows before X answers (the rest of it follows in slices).
    tmux.wait_for("the cached list", 60, |s| s.contains("cached 20"))
        .await;
    // The database answers the start; the background top-up merges into the list and never
    // replaces it with the first live page.
    tmux.wait_for("the background top-up", 90, |s| {
        s.contains("Up to date") && s.contains("1,200+ loaded")
    })
    .await;
    tmux.keys(&["q"]);
    drop(tmux);
    slow.shutdown().await;
}
