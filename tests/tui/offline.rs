//! The offline-first start through the real binary in tmux: with the database filled by
//! `xblocks sync` and the API unreachable, the TUI paints the stored list within a second (no
//! wait for `GET /2/users/me`) and says `offline` in the status bar.

use crate::tmux_support;
use std::process::Command;
use std::time::{Duration, Instant};

use tmux_support::{start, tmux_available, xblocks_line};

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_start_paints_the_database_at_once_and_says_offline() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let (emu, token, dir) = crate::fixtures::no_limits_world(3000).await;
    let (base, t, d) = (emu.base_url(), token.clone(), dir.path().to_path_buf());
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_xblocks"))
            .args(["--api-base", &base, "--auth-base", &base, "--config-dir"])
            .arg(&d)
            .arg("sync")
            .env("XBLOCKS_ACCESS_TOKEN", &t)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let newest = emu.blocked_ids()[0].clone();
    let handle = {
        let c = xblocks::api::Client::new(xblocks::api::ClientConfig {
            api_base: emu.base_url(),
            credentials: xblocks::auth::Credentials::static_bearer(token.clone(), None).into(),
            no_wait: false,
            expand_pinned: false,
        });
        c.users_by_ids(&[newest]).await.unwrap().found[0]
            .username
            .clone()
    };
    emu.shutdown().await;

    // Nothing listens on port 9: X is unreachable.
    let line = xblocks_line("http://127.0.0.1:9", &token, dir.path(), "; sleep 30");
    let started = Instant::now();
    let tmux = start("offline", 120, 30, &line);
    let screen = tmux
        .wait_for("the stored list", 5, |s| s.contains(&handle))
        .await;
    let painted = started.elapsed();
    // Generous for a loaded machine: waiting on X would take its deadlines (10 s and more).
    assert!(
        painted < Duration::from_secs(4),
        "first paint took {painted:?}:\n{screen}"
    );
    // The rest of the list follows the first screen in slices (slower on a loaded machine).
    tmux.wait_for("the offline state with the whole list", 60, |s| {
        s.contains("offline") && s.contains("3,000")
    })
    .await;
    tmux.keys(&["q"]);
}
