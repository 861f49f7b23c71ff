//! Pages the TUI loads as the user scrolls are billed reads too: each is counted as spent today
//! (the status bar and `whoami` say so), and none is asked for when it could cross
//! `[billing] daily_cap`.

use xblocks::emulator::Emulator;

use crate::fixtures::{list_reads, no_limits_world};
use crate::tmux_support::{probe, start, tmux_available, xblocks_line, xblocks_ok};

async fn world() -> (Emulator, String, tempfile::TempDir) {
    let (emu, token, dir) = no_limits_world(1500).await;
    probe(&emu.base_url(), &token, dir.path());
    (emu, token, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn scrolled_pages_count_as_spent_today() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let (emu, token, dir) = world().await;
    let line = xblocks_line(&emu.base_url(), &token, dir.path(), "; sleep 30");
    let tmux = start("lazyspend", 120, 40, &line);
    tmux.wait_for("the first page and its cost", 30, |s| {
        // $0.010 of it is the probe's `whoami` reading the account.
        s.contains("1,000+ loaded") && s.contains("$1.010 today")
    })
    .await;
    tmux.keys(&["G"]);
    tmux.wait_for("the second page and the day's total", 30, |s| {
        s.contains("1,500 loaded") && s.contains("$1.510 today")
    })
    .await;
    assert_eq!(list_reads(&emu).len(), 2);
    tmux.keys(&["q"]);
    tmux.wait_for("the TUI to end", 30, |s| !s.contains("loaded"))
        .await;
    // whoami's check of the sign-in (`/2/users/me`) is counted once a day.
    let out = xblocks_ok(&emu.base_url(), &token, dir.path(), &["whoami"]);
    assert!(out.contains("spent today (UTC): $1.510"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_could_cross_the_daily_cap_is_not_asked_for() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let (emu, token, dir) = world().await;
    std::fs::write(
        dir.path().join("config.toml"),
        "[billing]\ndaily_cap = 0.5\n",
    )
    .unwrap();
    let line = xblocks_line(&emu.base_url(), &token, dir.path(), "; sleep 30");
    let tmux = start("lazycap", 120, 40, &line);
    let screen = tmux
        .wait_for("the refusal", 30, |s| s.contains("daily_cap"))
        .await;
    assert!(screen.contains("The next page was not loaded"), "{screen}");
    assert!(screen.contains("Press r to retry"), "{screen}");
    tmux.keys(&["r"]);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(list_reads(&emu).len(), 0, "nothing was asked of X");
    tmux.keys(&["q"]);
}
