//! The TUI worker and the local cache against the in-process emulator: a full live sync is
//! stored, the next session gets the cached list before anything else, and the next full sync
//! keeps `first_seen` and reports who is gone.

use std::time::Duration;

use tokio::sync::mpsc;
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{Action, Command};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::db::{self, Store};
use xblocks::worker;

async fn next(rx: &mut mpsc::UnboundedReceiver<Action>) -> Action {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("worker answers")
        .expect("worker alive")
}

/// Pages through the whole list; returns the accounts loaded and the diff stored after it.
async fn full_sync(
    cmds: &mpsc::UnboundedSender<Command>,
    rx: &mut mpsc::UnboundedReceiver<Action>,
) -> (usize, xblocks::app::diff_view::DiffReport) {
    cmds.send(Command::LoadNextPage { token: None }).unwrap();
    let mut loaded = 0;
    loop {
        match next(rx).await {
            Action::PageLoaded {
                users, next_token, ..
            } => {
                loaded += users.len();
                if let Some(t) = next_token {
                    cmds.send(Command::LoadNextPage { token: Some(t) }).unwrap();
                }
            }
            Action::Diff(d) => return (loaded, *d),
            Action::Notice { text, error: true } => panic!("{text}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_is_stored_then_served_first_and_diffed() {
    let emu = emulator::start(Config {
        users: 30,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(&["tweet.read", "users.read", "block.read", "block.write"]);
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let spawn = |tx| {
        worker::spawn_with(
            client.clone(),
            me.clone(),
            tx,
            None,
            Some(worker::Local::new(dir.path())),
        )
    };

    // Session 1: nothing cached; paging to the end stores the sync.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cmds = spawn(tx);
    let (loaded, diff) = full_sync(&cmds, &mut rx).await;
    assert_eq!(loaded, 30);
    assert!(diff.previous_at.is_none() && diff.latest_at.is_some());
    let stored = |dir: &std::path::Path| {
        let s = Store::open(dir).unwrap();
        let at = db::rfc3339(s.last_sync().unwrap().unwrap().finished.unwrap());
        (s.load_all().unwrap(), at)
    };
    let (first, first_at) = stored(dir.path());
    assert_eq!(first.len(), 30);
    drop(cmds);

    // Two accounts are unblocked elsewhere.
    let gone: Vec<String> = emu.blocked_ids().into_iter().take(2).collect();
    for id in &gone {
        client.unblock(&me, id).await.unwrap();
    }

    // Session 2: the cached list comes first, before any page is asked for.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cmds = spawn(tx);
    loop {
        match next(&mut rx).await {
            Action::CachedList {
                synced_at,
                accounts,
            } => {
                assert_eq!(synced_at, first_at);
                let listed: Vec<(&str, &str, i64)> = accounts
                    .iter()
                    .map(|a| (a.id, a.username, a.first_seen))
                    .collect();
                let want: Vec<(&str, &str, i64)> = first
                    .iter()
                    .map(|a| (a.user.id.as_str(), a.user.username.as_str(), a.first_seen))
                    .collect();
                assert_eq!(listed, want);
                break;
            }
            // Status that needs no page: the stored capability and what today cost so far.
            Action::Capability(_) | Action::SpentToday(_) => {}
            other => panic!("expected the cached list first, got {other:?}"),
        }
    }
    let (loaded, diff) = full_sync(&cmds, &mut rx).await;
    assert_eq!(loaded, 28);
    assert!(diff.new.is_empty());
    let mut gone_ids: Vec<String> = diff.gone.iter().map(|r| r.id.to_string()).collect();
    gone_ids.sort();
    let mut want = gone.clone();
    want.sort();
    assert_eq!(gone_ids, want);
    // first_seen carried over from the first sync.
    let (second, _) = stored(dir.path());
    assert_eq!(second.len(), 28);
    for a in &second {
        let before = first.iter().find(|b| b.user.id == a.user.id).unwrap();
        assert_eq!(a.first_seen, before.first_seen);
    }
    // The diff view reads the same from disk.
    cmds.send(Command::LoadDiff).unwrap();
    loop {
        if let Action::Diff(d) = next(&mut rx).await {
            assert_eq!(*d, diff);
            break;
        }
    }
    // History entries logged by id only are named from the database, even once gone.
    let store = Store::open(dir.path()).unwrap();
    let job = store
        .enqueue(
            "tui-x",
            &[db::NewJob::now(
                xblocks::api::Write::Unblock,
                gone[0].clone(),
                None,
            )],
        )
        .unwrap()[0];
    store.finish_job(job, &db::JobState::Done, None).unwrap();
    cmds.send(Command::LoadHistory).unwrap();
    loop {
        if let Action::History(log) = next(&mut rx).await {
            let want = first.iter().find(|a| a.user.id == gone[0]).unwrap();
            assert_eq!(
                log.rows[0].username.as_ref().map(|u| u.as_str()),
                Some(want.user.username.as_str())
            );
            break;
        }
    }
    drop(cmds);
    emu.shutdown().await;
}
