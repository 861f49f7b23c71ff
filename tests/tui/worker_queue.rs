//! Queue controls through the TUI worker's durable lane against the in-process emulator: pause
//! takes effect during a rate-limit wait, cancel marks the pending jobs cancelled (logged) and
//! sends none of them, and a job interrupted in flight stays open to be checked, never lost.

use std::time::Duration;

use tokio::sync::mpsc;
use xblocks::api::Write;
use xblocks::api::{Client, ClientConfig};
use xblocks::app::queue_view::QueueSnapshot;
use xblocks::app::{Action, Command};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::db::{JobState, NewJob, Store};
use xblocks::store::paths::Paths;
use xblocks::worker::{self, durable::Durable};

fn paths(dir: &std::path::Path) -> Paths {
    Paths::resolve(Some(dir), "default")
}

/// Waits (generously) for the first action `pick` accepts.
async fn wait_for<T>(
    rx: &mut mpsc::UnboundedReceiver<Action>,
    mut pick: impl FnMut(Action) -> Option<T>,
) -> T {
    loop {
        let a = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("worker answers")
            .expect("worker alive");
        if let Some(t) = pick(a) {
            return t;
        }
    }
}

fn snapshot(a: Action) -> Option<QueueSnapshot> {
    match a {
        Action::QueueSnapshot(s) => Some(*s),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_during_a_rate_limit_wait_then_cancel_then_resume() {
    let emu = emulator::start(Config {
        users: 60,
        window_secs: 900,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(&["tweet.read", "users.read", "block.read", "block.write"]);
    let dir = tempfile::tempdir().unwrap();
    let p = paths(dir.path());
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let targets: Vec<String> = emu.blocked_ids().into_iter().take(53).collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cmds = worker::spawn(client, me, tx, Some(Durable::open(&p.profile_dir).unwrap()));
    cmds.send(Command::Write(
        targets
            .iter()
            .map(|id| (Write::Unblock, id.clone()))
            .collect(),
    ))
    .unwrap();
    // 50 writes per window: the 51st waits for the window to reset (15 minutes).
    wait_for(&mut rx, |a| match a {
        Action::RateWaiting { endpoint, .. } if endpoint.contains("DELETE") => Some(()),
        _ => None,
    })
    .await;
    cmds.send(Command::PauseQueue).unwrap();
    let paused = wait_for(&mut rx, |a| snapshot(a).filter(|s| s.paused)).await;
    // The capability probe may have spent one write of the window.
    let open = paused.open_total;
    assert!((3..=4).contains(&open), "{paused:?}");
    assert!(!paused.running);
    assert_eq!(
        paused.batch.as_ref().map(|b| (b.done, b.total)),
        Some((53 - open, 53))
    );
    assert_eq!(paused.open[0].state, JobState::InFlight, "{paused:?}");

    cmds.send(Command::CancelQueue).unwrap();
    let cancelled = wait_for(&mut rx, |a| match a {
        Action::Cancelled(jobs) => Some(jobs),
        _ => None,
    })
    .await;
    let ids: Vec<&str> = cancelled.iter().map(|(_, id)| id.as_str()).collect();
    let want: Vec<&str> = targets[54 - open..].iter().map(String::as_str).collect();
    assert_eq!(ids, want);
    let after = wait_for(&mut rx, snapshot).await;
    assert_eq!(
        after.open_total, 1,
        "the interrupted job stays open: {after:?}"
    );
    assert_eq!(after.recent[0].state, JobState::Cancelled);

    let log = Store::open(&p.profile_dir).unwrap().log_entries().unwrap();
    assert_eq!(log.iter().filter(|e| e.result == "done").count(), 53 - open);
    assert_eq!(
        log.iter().filter(|e| e.result == "cancelled").count(),
        open - 1
    );
    let unblocked = |t: &String| {
        emu.request_log()
            .iter()
            .filter(|r| r.method == "DELETE" && r.status < 300 && r.path.ends_with(t.as_str()))
            .count()
    };
    for t in &targets[..53 - open] {
        assert_eq!(unblocked(t), 1, "{t}");
    }
    for t in &targets[53 - open..] {
        assert_eq!(
            unblocked(t),
            0,
            "{t} was paused or cancelled, never written"
        );
    }

    cmds.send(Command::ResumeQueue).unwrap();
    let resumed = wait_for(&mut rx, |a| snapshot(a).filter(|s| s.running)).await;
    assert!(!resumed.paused);
    assert_eq!(resumed.open_total, 1);
    drop(cmds);
    drop(rx);
    // The database agrees: 50 done, 2 cancelled, 1 still open.
    let q = Store::open(&p.profile_dir).unwrap();
    assert_eq!(q.all_open_jobs().unwrap().len(), 1);
    assert_eq!(
        q.all_jobs()
            .unwrap()
            .iter()
            .filter(|j| j.state == JobState::Cancelled)
            .count(),
        open - 1
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_last_batch_queues_the_inverse_through_the_lane_and_restores_the_list() {
    let emu = emulator::start(Config {
        users: 20,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(&["tweet.read", "users.read", "block.read", "block.write"]);
    let dir = tempfile::tempdir().unwrap();
    let p = paths(dir.path());
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let before = {
        let mut b = emu.blocked_ids();
        b.sort();
        b
    };
    let targets: Vec<String> = before.iter().take(3).cloned().collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cmds = worker::spawn_with(
        client,
        me,
        tx,
        Some(Durable::open(&p.profile_dir).unwrap()),
        Some(xblocks::worker::Local::new(&p.profile_dir)),
    );
    cmds.send(Command::Write(
        targets
            .iter()
            .map(|id| (Write::Unblock, id.clone()))
            .collect(),
    ))
    .unwrap();
    let mut unblocked = 0;
    wait_for(&mut rx, |a| {
        if matches!(a, Action::Done { .. }) {
            unblocked += 1;
        }
        (unblocked == 3).then_some(())
    })
    .await;
    assert_eq!(emu.blocked_ids().len(), before.len() - 3);

    // The history view reads the log through the worker.
    cmds.send(Command::LoadHistory).unwrap();
    let log = wait_for(&mut rx, |a| match a {
        Action::History(e) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!(log.rows.len(), 3);

    cmds.send(Command::UndoLastBatch).unwrap();
    let (verb, accounts) = wait_for(&mut rx, |a| match a {
        Action::UndoQueued { verb, accounts, .. } => Some((verb, accounts)),
        _ => None,
    })
    .await;
    assert_eq!((verb, accounts), ("block", 3));
    let mut reblocked = 0;
    wait_for(&mut rx, |a| {
        if matches!(a, Action::Done { .. }) {
            reblocked += 1;
        }
        (reblocked == 3).then_some(())
    })
    .await;
    let mut after = emu.blocked_ids();
    after.sort();
    assert_eq!(after, before, "undo restores the list exactly");

    // The undo is logged as a batch of its own (itself undoable).
    let log = Store::open(&p.profile_dir).unwrap().log_entries().unwrap();
    assert_eq!(log.len(), 6);
    assert!(log[3..].iter().all(|e| e.batch.starts_with("undo-tui-")));
    drop(cmds);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_holds_unblocks_for_later_and_still_runs_later_mutes() {
    let emu = emulator::start(Config {
        users: 10,
        tier: xblocks::cli::Tier::PayPerUse,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(&[
        "tweet.read",
        "users.read",
        "block.read",
        "block.write",
        "mute.read",
        "mute.write",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let p = paths(dir.path());
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let ids = emu.blocked_ids();
    // An earlier session queued an unblock (older) and a mute (newer).
    {
        let q = Store::open(&p.profile_dir).unwrap();
        q.enqueue(
            "tui-a",
            &[NewJob::now(Write::Unblock, ids[0].clone(), None)],
        )
        .unwrap();
        q.enqueue("tui-b", &[NewJob::now(Write::Mute, ids[1].clone(), None)])
            .unwrap();
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _cmds = worker::spawn(client, me, tx, Some(Durable::open(&p.profile_dir).unwrap()));
    let muted = wait_for(&mut rx, |a| match a {
        Action::Done { id, .. } => Some(id),
        _ => None,
    })
    .await;
    assert_eq!(muted, ids[1], "the mute ran although the unblock is held");
    let held = wait_for(&mut rx, |a| {
        snapshot(a).filter(|s| !s.running && s.held.is_some())
    })
    .await;
    assert_eq!(held.open_total, 1, "the unblock stays queued for later");
    assert_eq!(held.open[0].target.as_str(), ids[0]);
    let deletes = emu
        .request_log()
        .iter()
        .filter(|r| r.method == "DELETE" && r.status < 300)
        .count();
    assert_eq!(deletes, 0);
    emu.shutdown().await;
}
