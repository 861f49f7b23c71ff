//! Jobs a killed session left in the durable queue, resumed by the next TUI in a real terminal
//! (tmux) against the emulator (issue 11): they update the list like new ones, and "All queued
//! actions done" waits for the last of them, with the right count on the way.

use std::time::{Duration, Instant};

use crate::fixtures::SCOPES;
use crate::tmux_support::{self, start, tmux_available, xblocks_line};
use xblocks::api::Write;
use xblocks::emulator::{self, Config};
use xblocks::store::db::{NewJob, Store};
use xblocks::store::paths::Paths;

/// More than one write window holds (50 unblocks per window).
const RESUMED: usize = 60;

/// `N` of the message `Unblocked @x; N to go.` on the screen.
fn to_go(screen: &str) -> Option<usize> {
    let before = screen
        .split(" to go.")
        .next()
        .filter(|b| b.len() < screen.len())?;
    before.rsplit(' ').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_resumed_at_start_update_the_list_and_all_done_waits_for_the_last() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the resumed-queue TUI test");
        return;
    }
    let emu = emulator::start(Config {
        users: 100,
        seed: 11,
        window_secs: 15,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let base = emu.base_url();
    // The earlier session: the list in the database, the capability learned, and 60 unblocks
    // queued when it was killed (none sent).
    let synced = std::process::Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--api-base", &base, "--auth-base", &base, "--config-dir"])
        .arg(&config)
        .arg("sync")
        .env("XBLOCKS_ACCESS_TOKEN", &token)
        .output()
        .unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    tmux_support::probe(&base, &token, &config);
    let targets: Vec<String> = emu.blocked_ids().into_iter().take(RESUMED).collect();
    let profile = Paths::resolve(Some(&config), "default").profile_dir;
    {
        let store = Store::open(&profile).unwrap();
        let jobs: Vec<NewJob> = targets
            .iter()
            .map(|id| NewJob::now(Write::Unblock, id.clone(), None))
            .collect();
        store.enqueue("tui-earlier", &jobs).unwrap();
    }
    let blocked_of_them = || {
        let now = emu.blocked_ids();
        targets.iter().filter(|t| now.contains(t)).count()
    };

    let tmux = start("resume", 120, 40, &xblocks_line(&base, &token, &config, ""));
    // Paced by the write budget (50 per window), they take a while: every "N to go" on the
    // way is at least what X still has to do, and "all done" comes only with the last one.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut counts: Vec<usize> = Vec::new();
    let done = loop {
        let s = tmux.screen();
        let left = blocked_of_them();
        if s.contains("All queued actions done") {
            assert_eq!(
                left, 0,
                "\"All queued actions done\" with {left} resumed unblocks still to send:\n{s}"
            );
            break s;
        }
        if let Some(n) = to_go(&s) {
            assert!(left <= n, "\"{n} to go\" while {left} are left:\n{s}");
            counts.push(n);
        }
        assert!(Instant::now() < deadline, "never all done:\n{s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        counts.iter().any(|&n| n >= 10),
        "the count of resumed jobs was shown on the way: {counts:?}"
    );
    assert!(counts.windows(2).all(|w| w[1] <= w[0]), "{counts:?}");
    // The unblocked accounts show as unblocked (−) in the list, as new unblocks do: the list
    // is newest first, so every row on screen is one of them.
    let rows: Vec<&str> = done
        .lines()
        .filter(|l| l.starts_with('│') && l.contains('@'))
        .collect();
    assert!(rows.len() >= 20, "{done}");
    for row in rows {
        assert!(
            row.starts_with("│−"),
            "a resumed unblock not shown as done: {row}\n{done}"
        );
    }
    let bar = done
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(!bar.contains(" queued"), "nothing left queued: {bar}");
    tmux.keys(&["q"]);
    drop(tmux);
    emu.shutdown().await;
}
