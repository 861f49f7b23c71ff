//! End to end: the `xblocks` binary in a pseudo-terminal (a detached tmux session with a fixed
//! size) against an in-process emulator on 127.0.0.1. Scrolls past the first page (1000 accounts),
//! unblocks the last account through the confirm pane, and checks the emulator's state.

use crate::tmux_support;
use tmux_support::{quote, start, status_line, tmux_available, xblocks_line, SESSION};

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
    let script = status_line(&emu.base_url(), &token, &dir.path().join("config"), &done);
    let tmux = start("e2e", 100, 30, &script);

    let screen = tmux
        .wait_for("the first page", 90, |s| s.contains("1,000+ loaded"))
        .await;
    assert!(screen.contains(&format!("@{me}")), "{screen}");
    assert!(
        screen.contains("FULL") || screen.contains("checking"),
        "{screen}"
    );

    // G goes to the end of what is loaded; being near the end loads the next page.
    tmux.keys(&["G"]);
    tmux.wait_for("the second page", 90, |s| s.contains("1,500 loaded"))
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
    let script = status_line(&emu.base_url(), &token, &dir.path().join("config"), &done);
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

/// Runs the binary headless against `base` with `token` and `config`; returns stdout.
fn headless(base: &str, token: &str, config: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--api-base", base, "--auth-base", base, "--config-dir"])
        .arg(config)
        .args(args)
        .env("XBLOCKS_ACCESS_TOKEN", token)
        .env_remove("XBLOCKS_PROFILE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("xblocks runs");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_then_v_then_u_unblocks_exactly_its_matches_and_never_a_kept_account() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the TUI bulk-unblock test (it needs a pseudo-terminal)");
        return;
    }
    let emu = emulator::start(Config {
        users: 400,
        seed: 11,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    tmux_support::probe(&base, &token, &config);
    headless(&base, &token, &config, &["export", "--format", "ids"]);
    // A word and a filter that select a few dozen accounts, found as a user would: try some.
    let (query, matches) = ["coffee", "art", "news", "music", "tech", "travel", "life"]
        .iter()
        .map(|w| format!("{w} followers:>50"))
        .map(|q| {
            let ids = headless(
                &base,
                &token,
                &config,
                &["export", "--cached", "--format", "ids", "--where", &q],
            );
            let ids: Vec<String> = ids.lines().map(str::to_string).collect();
            (q, ids)
        })
        .find(|(_, ids)| (8..=120).contains(&ids.len()))
        .expect("a query with a few dozen matches");
    let kept = &matches[..2];
    headless(&base, &token, &config, &["keep", &kept[0], &kept[1]]);
    let want: Vec<&String> = matches[2..].iter().collect();
    let before = emu.blocked_ids();

    let script = xblocks_line(&base, &token, &config, "");
    let tmux = start("e2e-query", 120, 40, &script);
    tmux.wait_for("the list", 90, |s| {
        (s.contains("400 loaded") || s.contains("400+ loaded")) && s.contains("FULL")
    })
    .await;
    tmux.keys(&["/"]);
    tmux.keys(&["-l", &query]);
    tmux.keys(&["Enter"]);
    let n = matches.len();
    tmux.wait_for("the matches", 30, |s| {
        s.contains(&format!("Blocked · {n} matches"))
    })
    .await;
    tmux.keys(&["V", "u"]);
    let m = want.len();
    let confirm = tmux
        .wait_for("the bulk confirm", 30, |s| {
            s.contains(&format!("Unblock {m} accounts matching"))
        })
        .await;
    assert!(
        confirm.contains("2 accounts on the keep list left out"),
        "{confirm}"
    );
    if m > 20 {
        tmux.keys(&["-l", &m.to_string()]);
    }
    tmux.keys(&["y"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while emu.blocked_ids().len() > before.len() - m {
        assert!(
            Instant::now() < deadline,
            "the unblocks did not all arrive; screen:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = emu.blocked_ids();
    let mut unblocked: Vec<&String> = before.iter().filter(|id| !after.contains(id)).collect();
    let mut want = want;
    unblocked.sort();
    want.sort();
    assert_eq!(unblocked, want, "exactly the matches, less the kept ones");
    assert!(kept.iter().all(|k| after.contains(k)), "kept stay blocked");
    tmux.keys(&["q"]);
    drop(tmux);
    emu.shutdown().await;
}
