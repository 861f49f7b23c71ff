//! `R` through the real binary in tmux: the confirm shows the plan `xblocks sync --full
//! --dry-run` prints, `n` sends nothing, `y` reads every page and the accounts unblocked
//! elsewhere leave the list; the status bar says when the last full sync was. Pages never carry
//! pinned posts: `P` buys one, for the selected account.

use xblocks::emulator::Emulator;

use crate::fixtures::{list_reads, no_limits_world};
use crate::tmux_support::{start, tmux_available, xblocks_line, xblocks_ok};

fn xblocks(emu: &Emulator, token: &str, dir: &std::path::Path, args: &[&str]) -> String {
    xblocks_ok(&emu.base_url(), token, dir, args)
}

#[tokio::test(flavor = "multi_thread")]
async fn shift_r_confirms_the_dry_run_plan_drops_the_gone_and_p_buys_one_pinned_post() {
    if !tmux_available() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let (emu, token, dir) = no_limits_world(3000).await;
    xblocks(&emu, &token, dir.path(), &["sync"]);
    let by_cli = list_reads(&emu).len();
    let stored = xblocks::store::db::Store::open(&dir.path().join("profiles/default"))
        .unwrap()
        .load_first(40)
        .unwrap();
    let handle = |i: usize| stored[i].user.username.clone();
    // The two newest blocks are undone elsewhere; an account further down has a pinned post.
    let client = xblocks::api::Client::new(xblocks::api::ClientConfig {
        api_base: emu.base_url(),
        credentials: xblocks::auth::Credentials::static_bearer(token.clone(), None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    for a in &stored[..2] {
        client.unblock(&me, &a.user.id).await.unwrap();
    }
    let pinned = (2..stored.len())
        .find(|&i| stored[i].user.pinned_tweet_id.is_some())
        .expect("an account with a pinned post near the top");

    let line = xblocks_line(&emu.base_url(), &token, dir.path(), "; sleep 30");
    let tmux = start("fullsync", 120, 40, &line);
    tmux.wait_for("the start's top-up", 30, |s| {
        s.contains("synced just now") && s.contains(&handle(0))
    })
    .await;
    let reads_at_start = list_reads(&emu).len();
    let dry = xblocks(&emu, &token, dir.path(), &["sync", "--full", "--dry-run"]);
    let plan = dry.lines().next().unwrap();
    let numbers = plan
        .strip_prefix("plan: full sync: ")
        .unwrap_or_else(|| panic!("{dry}"));

    tmux.keys(&["R"]);
    let screen = tmux
        .wait_for("the plan", 30, |s| s.contains("Full sync?"))
        .await;
    for part in numbers.split(", ").filter(|p| !p.starts_with("ETA")) {
        assert!(
            screen.contains(part),
            "{part:?} of {plan:?} not in:\n{screen}"
        );
    }
    assert!(screen.contains("ETA"), "{screen}");
    tmux.keys(&["n"]);
    tmux.wait_for("the refusal", 30, |s| s.contains("nothing was sent"))
        .await;
    assert_eq!(list_reads(&emu).len(), reads_at_start, "n sent something");

    tmux.keys(&["R"]);
    tmux.wait_for("the plan again", 30, |s| s.contains("Full sync?"))
        .await;
    tmux.keys(&["y"]);
    let done = tmux
        .wait_for("the end of the full sync", 60, |s| {
            s.contains("Full sync done")
        })
        .await;
    assert!(done.contains("2 gone"), "{done}");
    // The status bar's sync state may reach the screen a frame after the message, and the
    // message may give way to another one meanwhile: each is waited for on its own.
    let screen = tmux
        .wait_for("the status bar's full sync", 30, |s| {
            s.contains("full sync just now")
        })
        .await;
    assert!(!screen.contains(&format!("@{}", handle(0))), "{screen}");
    assert!(!screen.contains(&format!("@{}", handle(1))), "{screen}");
    assert!(screen.contains(&format!("@{}", handle(2))), "{screen}");
    assert!(screen.contains("2,998 loaded"), "{screen}");
    assert!(screen.contains("full sync just now"), "{screen}");
    let reads = list_reads(&emu);
    assert_eq!(
        reads.len() - reads_at_start,
        3,
        "every page of 3,000 accounts"
    );
    // Everything was read today already (the CLI's sync), and no page carried a post.
    assert!(
        reads[by_cli..].iter().all(|c| *c == Some(0)),
        "a read was billed: {reads:?}"
    );

    for _ in 0..pinned - 2 {
        tmux.keys(&["j"]);
    }
    tmux.wait_for("the pinned-post hint", 30, |s| {
        s.contains("Pinned post not loaded") && s.contains("P loads it")
    })
    .await;
    tmux.keys(&["P"]);
    let screen = tmux
        .wait_for("the pinned post", 30, |s| {
            s.contains("loaded (detail pane)")
        })
        .await;
    assert!(!screen.contains("Pinned post not loaded"), "{screen}");
    assert!(
        screen.contains("$3.015 today"),
        "the lookup is counted: {screen}"
    );
    let lookup = emu
        .request_log()
        .into_iter()
        .rev()
        .find(|r| r.path == "/2/users")
        .expect("one users lookup");
    assert_eq!(
        lookup.cost_micros,
        Some(15_000),
        "a user read and a post read"
    );
    tmux.keys(&["q"]);
    emu.shutdown().await;
}
