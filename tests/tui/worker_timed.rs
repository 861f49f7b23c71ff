//! Timed actions in the TUI's write lane against the in-process emulator: a confirmation with a
//! duration queues the write and its inverse (due when the duration ends) as one batch; the open
//! lane wakes up and sends a timed job when it comes due; a timed job whose account changed
//! meanwhile is not sent, and the log says why.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use xblocks::api::{Client, ClientConfig, Write};
use xblocks::app::{Action, Command};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::db::{now_unix, JobState, NewJob, Store};
use xblocks::worker::{self, durable::Durable};

use crate::fixtures::SCOPES;

/// Waits for the next action `pick` takes, failing after `secs`.
async fn next<T>(
    rx: &mut mpsc::UnboundedReceiver<Action>,
    secs: u64,
    what: &str,
    mut pick: impl FnMut(Action) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let a = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within {secs}s"))
            .expect("worker alive");
        if let Action::Failed { id, message, .. } = &a {
            panic!("{id} failed: {message}");
        }
        if let Some(t) = pick(a) {
            return t;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_lane_runs_timed_jobs_when_due_and_skips_changed_ones() {
    let emu = emulator::start(Config {
        users: 30,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let ids = emu.blocked_ids();
    let (confirmed, due_soon, changed) = (ids[1].clone(), ids[2].clone(), ids[3].clone());

    // Before the TUI starts: two accounts muted for a few seconds (as `mute --for` leaves
    // them), and one of them unmuted by hand afterwards, in a batch of its own.
    client.mute(&me, &due_soon).await.unwrap();
    client.mute(&me, &changed).await.unwrap();
    let due_at = now_unix() + 4;
    {
        let q = Store::open(dir.path()).unwrap();
        let timed = |t: &str| NewJob {
            due_at: Some(due_at),
            ..NewJob::now(Write::Unmute, t, None)
        };
        q.enqueue("timed-1", &[timed(&due_soon), timed(&changed)])
            .unwrap();
        // The log has whole seconds: the change comes a second after the timed jobs.
        std::thread::sleep(Duration::from_millis(1_100));
        let hand = q
            .enqueue(
                "cli-1",
                &[NewJob::now(Write::Unmute, changed.clone(), None)],
            )
            .unwrap();
        client.unmute(&me, &changed).await.unwrap();
        q.finish_job(hand[0], &JobState::Done, None).unwrap();
    }
    let unmutes = |t: &str| {
        emu.request_log()
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.ends_with(&format!("/muting/{t}")))
            .count()
    };
    assert_eq!(unmutes(&due_soon), 0);
    assert_eq!(unmutes(&changed), 1, "the hand unmute");

    let (tx, mut rx) = mpsc::unbounded_channel();
    let durable = Durable::open(dir.path()).unwrap();
    let started = Instant::now();
    let cmds = worker::spawn(client, me.clone(), tx, Some(durable));

    // A confirmation with a duration: the mute now, its unmute in 7 days, one batch.
    cmds.send(Command::WriteFor {
        writes: vec![(Write::Mute, confirmed.clone())],
        secs: 7 * 86_400,
    })
    .unwrap();
    next(&mut rx, 30, "the confirmed mute", |a| match a {
        Action::Done {
            verb: Write::Mute,
            id,
        } if id == confirmed => Some(()),
        _ => None,
    })
    .await;
    assert!(emu.muted_ids().contains(&confirmed));
    let store = Store::open(dir.path()).unwrap();
    let open = store.all_open_jobs().unwrap();
    let inverse = open
        .iter()
        .find(|j| j.target == confirmed)
        .expect("the unmute is queued");
    assert_eq!(inverse.action, Write::Unmute);
    let week = now_unix() + 7 * 86_400;
    assert!(
        inverse.due_at.is_some_and(|d| (d - week).abs() <= 60),
        "due in 7 days: {inverse:?}"
    );
    let mute_entry = store
        .log_entries()
        .unwrap()
        .into_iter()
        .find(|e| e.target == confirmed)
        .unwrap();
    assert_eq!(
        mute_entry.batch, inverse.batch,
        "one batch per confirmation"
    );

    // The two jobs due in seconds: one sent when due, one left alone with the reason.
    let mut finished = Vec::new();
    while finished.len() < 2 {
        finished.push(
            next(&mut rx, 60, "the timed jobs", |a| match a {
                Action::TimedFinished(job) => Some(*job),
                _ => None,
            })
            .await,
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not before their due time"
    );
    assert!(now_unix() >= due_at);
    let of = |t: &str| {
        finished
            .iter()
            .find(|j| j.target.as_str() == t)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&due_soon).state, JobState::Done);
    assert!(
        matches!(&of(&changed).state, JobState::Superseded(why) if why.contains("unmuted") && why.contains("cli-1")),
        "{:?}",
        of(&changed).state
    );
    assert_eq!(unmutes(&due_soon), 1, "sent once, by the open lane");
    assert_eq!(
        unmutes(&changed),
        1,
        "nothing more sent for the changed one"
    );
    assert!(!emu.muted_ids().contains(&due_soon));
    let log = store.log_entries().unwrap();
    let result = |t: &str| {
        log.iter()
            .rev()
            .find(|e| e.target == t)
            .map(|e| e.result.clone())
            .unwrap()
    };
    assert_eq!(result(&due_soon), "done");
    assert!(
        result(&changed).starts_with("superseded: it was unmuted at"),
        "{}",
        result(&changed)
    );
    // The week-long unmute still waits.
    assert_eq!(store.all_open_jobs().unwrap().len(), 1);
    drop(cmds);
    emu.shutdown().await;
}
