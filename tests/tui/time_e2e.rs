//! End to end in a real terminal (tmux) against the emulator: Ctrl-Z suspends to the shell and
//! `fg` brings the TUI back; `q` with writes still queued asks, and `k` keeps them queued; a
//! timed mute is undone by the open TUI when it comes due, and the confirm's duration queues a
//! timed unmute that `Q` shows with its due time.

use crate::tmux_support;
use std::time::Duration;

use tmux_support::{quote, start, status_line, tmux_available, xblocks_line, xblocks_ok};
use xblocks::emulator::{self, Config};

use crate::fixtures::SCOPES;

async fn wait_file(path: &std::path::Path, secs: u64) -> String {
    for _ in 0..secs * 5 {
        if let Ok(s) = std::fs::read_to_string(path) {
            if !s.trim().is_empty() {
                return s;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{} never appeared", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_z_suspends_to_the_shell_and_fg_restores_the_tui() {
    if !tmux_available() {
        println!(
            "NOTE: tmux is not installed; skipping the Ctrl-Z test (it needs a pseudo-terminal)"
        );
        return;
    }
    let emu = emulator::start(Config {
        users: 40,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("exit-status");
    // No `; echo $?` after it: an interactive shell would run that as soon as the job stops.
    let line = xblocks_line(&emu.base_url(), &token, &dir.path().join("config"), "");
    // An interactive shell with job control, as a user has.
    let tmux = start("time-ctrlz", 80, 24, "bash --norc --noprofile -i");
    tmux.keys(&["-l", "PS1='prompt$ '"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", &line]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the list", 90, |s| s.contains("40 loaded"))
        .await;
    tmux.keys(&["C-z"]);
    let shell = tmux
        .wait_for("the shell after Ctrl-Z", 30, |s| {
            s.contains("Stopped") && !s.contains("40 loaded")
        })
        .await;
    assert!(shell.contains("prompt$"), "{shell}");
    tmux.keys(&["-l", "fg"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the TUI again", 30, |s| {
        s.contains("40 loaded") && !s.contains("Stopped")
    })
    .await;
    tmux.keys(&["j"]);
    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", 30, |s| {
        s.contains("prompt$ ") && !s.contains("40 loaded")
    })
    .await;
    tmux.keys(&[
        "-l",
        &format!("echo $? > {}", quote(&done.display().to_string())),
    ]);
    tmux.keys(&["Enter"]);
    assert_eq!(
        wait_file(&done, 60).await.trim(),
        "0",
        "fg returns the TUI's exit status"
    );
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_with_writes_queued_asks_and_k_keeps_them() {
    if !tmux_available() {
        println!(
            "NOTE: tmux is not installed; skipping the quit test (it needs a pseudo-terminal)"
        );
        return;
    }
    // 80 unblocks against a write limit of 50 per 15 minutes: 30 stay queued.
    let emu = emulator::start(Config {
        users: 80,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("exit-status");
    let script = status_line(&emu.base_url(), &token, &dir.path().join("config"), &done);
    let tmux = start("time-quit", 100, 30, &script);
    tmux.wait_for("the list", 90, |s| s.contains("80 loaded"))
        .await;
    tmux.keys(&["V"]);
    tmux.keys(&["u"]);
    tmux.wait_for("the confirm", 30, |s| s.contains("Unblock 80 accounts?"))
        .await;
    tmux.keys(&["-l", "80"]);
    tmux.keys(&["y"]);
    tmux.wait_for("the write limit", 60, |s| {
        s.contains("31 to go") || s.contains("30 to go")
    })
    .await;
    tmux.keys(&["q"]);
    let ask = tmux
        .wait_for("the question", 30, |s| s.contains("Quit?"))
        .await;
    let queued: usize = ask
        .split(" unsent writes still queued")
        .next()
        .and_then(|l| l.rsplit(['│', ' ']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {ask}"));
    assert!((30..=31).contains(&queued), "{ask}");
    assert!(
        ask.contains("send them now") && ask.contains("keep them queued"),
        "{ask}"
    );
    assert!(!done.exists(), "still running while it asks");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list again", 30, |s| !s.contains("Quit?"))
        .await;
    tmux.keys(&["q"]);
    tmux.wait_for("the question again", 30, |s| s.contains("Quit?"))
        .await;
    tmux.keys(&["k"]);
    assert_eq!(wait_file(&done, 60).await.trim(), "0");
    let left = emu.blocked_ids().len();
    assert!(
        (30..=queued).contains(&left),
        "the rest stayed queued, not sent: {left} of {queued}"
    );
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_decisions_go_out_as_exactly_one_batch() {
    if !tmux_available() {
        println!(
            "NOTE: tmux is not installed; skipping the review test (it needs a pseudo-terminal)"
        );
        return;
    }
    let emu = emulator::start(Config {
        users: 12,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let order = emu.blocked_ids();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let done = dir.path().join("exit-status");
    let script = status_line(&emu.base_url(), &token, &config, &done);
    let tmux = start("time-review", 100, 30, &script);
    tmux.wait_for("the list", 90, |s| s.contains("12 loaded"))
        .await;
    tmux.keys(&["A"]);
    tmux.wait_for("the review", 30, |s| s.contains("Review · 1 of 12"))
        .await;
    // Unblock the first, mute the second, keep the third, skip the fourth, then finish.
    tmux.keys(&["u"]);
    tmux.wait_for("the second account", 30, |s| s.contains("2 of 12"))
        .await;
    tmux.keys(&["m"]);
    tmux.wait_for("the third account", 30, |s| s.contains("3 of 12"))
        .await;
    tmux.keys(&["K"]);
    tmux.wait_for("the fourth account", 30, |s| s.contains("4 of 12"))
        .await;
    tmux.keys(&["Space"]);
    tmux.wait_for("the fifth account", 30, |s| s.contains("5 of 12"))
        .await;
    assert_eq!(
        emu.blocked_ids().len(),
        12,
        "nothing is sent while deciding"
    );
    tmux.keys(&["Escape"]);
    let confirm = tmux
        .wait_for("the review's confirm", 30, |s| {
            s.contains("Send the review?")
        })
        .await;
    assert!(
        confirm.contains("1  to unblock") && confirm.contains("1  to mute"),
        "{confirm}"
    );
    tmux.keys(&["y"]);
    tmux.wait_for("the writes", 60, |s| s.contains("All queued actions done"))
        .await;
    tmux.keys(&["q"]);
    assert_eq!(wait_file(&done, 60).await.trim(), "0");
    assert!(
        !emu.blocked_ids().contains(&order[0]),
        "the first was unblocked"
    );
    assert!(emu.muted_ids().contains(&order[1]), "the second was muted");
    assert_eq!(emu.blocked_ids().len(), 11);

    // Undo takes the last batch: both writes of the review are in it, so it was one batch.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["undo", "--dry-run", "--json"])
        .env("XBLOCKS_CONFIG_DIR", &config)
        .env("XBLOCKS_API_BASE", emu.base_url())
        .env("XBLOCKS_AUTH_BASE", emu.base_url())
        .env("XBLOCKS_ACCESS_TOKEN", &token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["count"], 2, "one batch holds both writes: {plan}");
    let mut actions: Vec<&str> = plan["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(actions, ["block", "unmute"]);
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_tui_undoes_a_timed_mute_when_it_comes_due() {
    if !tmux_available() {
        println!(
            "NOTE: tmux is not installed; skipping the timed-mute test (it needs a pseudo-terminal)"
        );
        return;
    }
    let emu = emulator::start(Config {
        users: 20,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let base = emu.base_url();
    let order = emu.blocked_ids();
    let (timed, confirmed) = (order[0].clone(), order[1].clone());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let done = dir.path().join("exit-status");
    // Muted for 40 seconds from the command line: wide enough for the TUI to start first.
    let out = xblocks_ok(&base, &token, &config, &["mute", &timed, "--for", "40s"]);
    assert!(out.contains("unmute 1 account queued"), "{out}");
    let unmutes = |t: &str| {
        emu.request_log()
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.ends_with(&format!("/muting/{t}")))
            .count()
    };
    let script = status_line(&base, &token, &config, &done);
    let tmux = start("time-due", 100, 30, &script);
    tmux.wait_for("the list", 90, |s| s.contains("20 loaded"))
        .await;
    // The confirm's duration: mute the second account for 1 day.
    tmux.keys(&["j"]);
    tmux.keys(&["m"]);
    tmux.wait_for("the confirm", 30, |s| s.contains("How long: for good"))
        .await;
    tmux.keys(&["d"]);
    tmux.wait_for("one day", 30, |s| s.contains("How long: for 1 day"))
        .await;
    tmux.keys(&["y"]);
    tmux.wait_for("the mute", 60, |s| s.contains("Muted @"))
        .await;
    assert!(emu.muted_ids().contains(&confirmed));
    tmux.keys(&["Q"]);
    let queue = tmux
        .wait_for("both timed unmutes in Q", 30, |s| {
            s.contains("Timed: due later") && s.contains("in 23h") && s.contains("2 due later")
        })
        .await;
    assert_eq!(unmutes(&timed), 0, "not due yet: {queue}");
    // The open TUI sends the first unmute when it comes due, by itself.
    tmux.wait_for("the timed unmute", 90, |s| {
        s.contains("its timed mute ended")
    })
    .await;
    assert_eq!(unmutes(&timed), 1, "sent exactly once");
    assert!(!emu.muted_ids().contains(&timed));
    assert!(
        emu.muted_ids().contains(&confirmed),
        "the other waits a day"
    );
    // Nothing is left to send now: q quits at once; the day-long unmute stays queued.
    tmux.keys(&["Escape"]);
    // The view closed before `q` goes: Esc and q read together would be Alt-q.
    tmux.wait_for("the list again", 30, |s| !s.contains("Timed: due later"))
        .await;
    tmux.keys(&["q"]);
    assert_eq!(wait_file(&done, 60).await.trim(), "0");
    let q: serde_json::Value =
        serde_json::from_str(&xblocks_ok(&base, &token, &config, &["queue", "--json"])).unwrap();
    assert_eq!(q["due_later"], 1, "{q}");
    assert_eq!(q["open"][0]["action"], "unmute");
    assert_eq!(q["open"][0]["target"], confirmed.as_str());
    drop(tmux);
    emu.shutdown().await;
}
