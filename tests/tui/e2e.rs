//! End to end: the `xblocks` binary in a pseudo-terminal (a detached tmux session with a fixed
//! size) against an in-process emulator on 127.0.0.1. Scrolls past the first page (1000 accounts),
//! unblocks the last account through the confirm pane, and checks the emulator's state.

use crate::tmux_support;
use tmux_support::{quote, start, tmux_available, xblocks_line, SESSION};

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use xblocks::emulator::{self, Config};

/// Every scope the TUI uses.
use crate::fixtures::SCOPES;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrolls_past_the_first_page_and_unblocks_through_the_confirm_pane() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the TUI end-to-end test (it needs a pseudo-terminal)");
        return;
    }
    let emu = emulator::start(Config {
        users: 1500,
        seed: 7,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let (_, me) = emu.me();
    let before = emu.blocked_ids();
    assert_eq!(before.len(), 1500);
    let last = before.last().unwrap().clone();

    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("exit-status");
    // Keys come from config.toml: `e` is added to "last loaded account".
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/config.toml"),
        "[keys]\nbottom = [\"G\", \"e\"]\n",
    )
    .unwrap();
    tmux_support::probe(&emu.base_url(), &token, &dir.path().join("config"));
    let script = xblocks_line(
        &emu.base_url(),
        &token,
        &dir.path().join("config"),
        &format!("; echo $? > {}", quote(&done.display().to_string())),
    );
    let tmux = start("e2e", 100, 30, &script);

    let screen = tmux
        .wait_for("the first page", 90, |s| s.contains("1000+ loaded"))
        .await;
    assert!(screen.contains(&format!("@{me}")), "{screen}");
    assert!(
        screen.contains("FULL") || screen.contains("checking"),
        "{screen}"
    );

    // G goes to the end of what is loaded; being near the end loads the next page.
    tmux.keys(&["G"]);
    tmux.wait_for("the second page", 90, |s| s.contains("1500 loaded"))
        .await;
    tmux.wait_for("the capability", 60, |s| s.contains("FULL"))
        .await;
    tmux.keys(&["e"]);
    tmux.keys(&["u"]);
    let confirm = tmux
        .wait_for("the confirm pane", 30, |s| s.contains("Unblock 1 account?"))
        .await;
    assert!(confirm.contains("y unblock"), "{confirm}");
    tmux.keys(&["y"]);
    tmux.wait_for("the unblock", 60, |s| s.contains("Unblocked @"))
        .await;

    let after = emu.blocked_ids();
    assert_eq!(after.len(), 1499, "exactly one account unblocked");
    assert!(
        !after.contains(&last),
        "the last account (past the first page) was unblocked"
    );
    assert!(emu
        .request_log()
        .iter()
        .any(|r| r.method == "DELETE" && r.path.ends_with(&format!("/blocking/{last}"))));

    // No display here: `o` says so in plain words and shows the address.
    tmux.keys(&["o"]);
    let screen = tmux
        .wait_for("the no-browser line", 30, |s| s.contains("No browser here"))
        .await;
    assert!(screen.contains("https://x.com/"), "{screen}");
    assert!(!screen.contains("ExitStatus"), "{screen}");

    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !Path::new(&done).exists() {
        assert!(
            Instant::now() < deadline,
            "xblocks did not quit on q; screen:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = std::fs::read_to_string(&done).unwrap();
    assert_eq!(status.trim(), "0", "exit status after q");
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_restores_the_terminal_and_exits_130() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the TUI SIGTERM test (it needs a pseudo-terminal)");
        return;
    }
    let emu = emulator::start(Config {
        users: 50,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("exit-status");
    let script = xblocks_line(
        &emu.base_url(),
        &token,
        &dir.path().join("config"),
        &format!("; echo $? > {}", quote(&done.display().to_string())),
    );
    let tmux = start("e2e-term", 80, 20, &script);
    tmux.wait_for("the list", 90, |s| s.contains("50 loaded"))
        .await;
    // The pane runs `sh -c`; xblocks is its child (`env` execs it).
    let shell = String::from_utf8_lossy(
        &tmux
            .cmd(&["display-message", "-p", "-t", SESSION, "#{pane_pid}"])
            .stdout,
    )
    .trim()
    .to_string();
    let children =
        std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
    let pid = children
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        pid.parse::<u32>().is_ok(),
        "xblocks pid under shell {shell}: {children:?}"
    );
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done.exists() {
        assert!(
            Instant::now() < deadline,
            "xblocks ignored SIGTERM; screen:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = std::fs::read_to_string(&done).unwrap().trim().to_string();
    assert_eq!(status, "130");
    let screen = tmux.screen();
    assert!(
        !screen.contains("loaded"),
        "alternate screen left:\n{screen}"
    );
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_during_a_rate_limit_wait_keeps_the_unsent_unblocks_queued() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the TUI queue-saving test (it needs a pseudo-terminal)");
        return;
    }
    // 60 unblocks against a limit of 50 per (long) window: the last ones wait.
    let emu = emulator::start(Config {
        users: 60,
        window_secs: 900,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let all = emu.blocked_ids();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let err = dir.path().join("stderr");
    let done = dir.path().join("exit-status");
    let script = xblocks_line(
        &emu.base_url(),
        &token,
        &config,
        &format!(
            " 2>{}; echo $? > {}",
            quote(&err.display().to_string()),
            quote(&done.display().to_string())
        ),
    );
    tmux_support::probe(&emu.base_url(), &token, &config);
    let tmux = start("e2e-queue", 110, 24, &script);
    tmux.wait_for("the list", 90, |s| {
        s.contains("60 loaded") && s.contains("FULL")
    })
    .await;
    tmux.keys(&["V", "u"]);
    tmux.wait_for("the bulk confirm", 30, |s| s.contains("Type 60"))
        .await;
    tmux.keys(&["6", "0", "y"]);
    tmux.wait_for("the rate-limit wait on unblocks", 90, |s| {
        s.contains("rate limit: unblocks paused")
    })
    .await;
    // Writes are still queued: q asks, and k keeps them (saved for later) and quits.
    tmux.keys(&["q"]);
    tmux.wait_for("the quit question", 30, |s| s.contains("still queued"))
        .await;
    tmux.keys(&["k"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done.exists() {
        assert!(
            Instant::now() < deadline,
            "xblocks did not quit on q; screen:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(std::fs::read_to_string(&done).unwrap().trim(), "0");

    let still_blocked = emu.blocked_ids();
    assert!(
        !still_blocked.is_empty() && still_blocked.len() < 60,
        "{}",
        still_blocked.len()
    );
    // The unsent unblocks wait in the durable queue (no *-later.txt): exactly those.
    let store = xblocks::store::db::Store::open(&config.join("profiles/default")).unwrap();
    let mut queued: Vec<String> = store
        .all_open_jobs()
        .unwrap()
        .into_iter()
        .map(|j| j.target)
        .collect();
    queued.sort();
    let mut blocked_sorted = still_blocked.clone();
    blocked_sorted.sort();
    assert_eq!(
        queued, blocked_sorted,
        "exactly the unsent unblocks stay queued"
    );
    assert!(queued.iter().all(|id| all.contains(id)));
    assert!(!config.join("profiles/default/unblock-later.txt").exists());
    let note = std::fs::read_to_string(&err).unwrap();
    assert!(note.contains("stay in the queue"), "{note}");
    drop(tmux);
    emu.shutdown().await;
}
