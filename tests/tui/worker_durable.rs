//! The TUI worker's durable write lane against the in-process emulator: writes confirmed
//! together become one batch in the action log, each target is written once, and jobs left in
//! flight by a dead session are checked, not re-sent, at the next start.

use std::time::Duration;

use tokio::sync::mpsc;
use xblocks::api::Write;
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{Action, Command};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::db::{NewJob, Store};
use xblocks::store::paths::Paths;
use xblocks::worker::{self, durable, durable::Durable};

fn paths(dir: &std::path::Path) -> Paths {
    Paths::resolve(Some(dir), "default")
}

async fn next_done(rx: &mut mpsc::UnboundedReceiver<Action>, n: usize) -> Vec<String> {
    let mut done = Vec::new();
    while done.len() < n {
        let a = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("worker answers")
            .expect("worker alive");
        match a {
            Action::Done {
                verb: Write::Unblock,
                id,
            } => done.push(id),
            Action::Failed { id, message, .. } => panic!("{id} failed: {message}"),
            _ => {}
        }
    }
    done
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_writes_are_one_durable_batch_and_resume_checks_in_flight_jobs() {
    let emu = emulator::start(Config {
        users: 40,
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
    let targets: Vec<String> = emu.blocked_ids().into_iter().take(4).collect();

    // A dead session left target 3 in flight (already unblocked at X) and nothing else.
    {
        let q = Store::open(&p.profile_dir).unwrap();
        let id = q
            .enqueue(
                "old",
                &[NewJob::now(Write::Unblock, targets[3].clone(), None)],
            )
            .unwrap()[0];
        q.mark_in_flight(id).unwrap();
    }
    client.unblock(&me, &targets[3]).await.unwrap();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let durable = Durable::open(&p.profile_dir).unwrap();
    assert!(
        matches!(
            Durable::open(&p.profile_dir),
            Err(durable::OpenError::Viewer(_))
        ),
        "a second session must not share the queue"
    );
    let cmds = worker::spawn(client, me.clone(), tx, Some(durable));
    assert_eq!(next_done(&mut rx, 1).await, [targets[3].clone()]);
    // One confirmation: one command, one batch.
    cmds.send(Command::Write(
        targets[..3]
            .iter()
            .map(|id| (Write::Unblock, id.clone()))
            .collect(),
    ))
    .unwrap();
    let mut done = next_done(&mut rx, 3).await;
    done.sort();
    let mut want = targets[..3].to_vec();
    want.sort();
    assert_eq!(done, want);

    let unblocks = |t: &str| {
        emu.request_log()
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.ends_with(&format!("/blocking/{t}")))
            .count()
    };
    for t in &targets {
        assert_eq!(unblocks(t), 1, "{t} written {} times", unblocks(t));
    }
    let store = Store::open(&p.profile_dir).unwrap();
    let log = store.log_entries().unwrap();
    assert_eq!(log.len(), 4);
    let last = store.last_changing_batch().unwrap();
    assert_eq!(last.len(), 3, "writes sent together share a batch: {log:?}");
    drop(cmds);
    emu.shutdown().await;
}
