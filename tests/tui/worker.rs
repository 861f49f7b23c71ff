//! The TUI's network worker over real HTTP against the in-process emulator on 127.0.0.1:
//! commands in, actions out, rate-limit waits forwarded.

use std::time::Duration;

use tokio::sync::mpsc;
use xblocks::api::Write;
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{Action, Capability, Command};
use xblocks::auth::Credentials;
use xblocks::cli::Tier;
use xblocks::emulator::{self, Config, Emulator};

use crate::fixtures::SCOPES;

async fn setup(config: Config) -> (Emulator, Client, String) {
    let emu = emulator::start(config).await.expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let client = Client::new(ClientConfig {
        api_base: emu.base_url(),
        credentials: Credentials::static_bearer(token, None).into(),
        no_wait: false,
        expand_pinned: true,
    });
    let (me, _) = emu.me();
    (emu, client, me)
}

/// The next action that `pick` accepts, skipping others; panics after a generous timeout.
async fn next<T>(
    rx: &mut mpsc::UnboundedReceiver<Action>,
    what: &str,
    pick: impl Fn(Action) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let a = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("worker alive");
        if let Some(t) = pick(a) {
            return t;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_writes_lookups_and_capability() {
    let (emu, client, me) = setup(Config {
        users: 1200,
        ..Default::default()
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let dir = tempfile::tempdir().unwrap();
    let durable = xblocks::worker::durable::Durable::open(dir.path()).unwrap();
    let worker = xblocks::worker::spawn(client, me, tx, Some(durable));

    worker.send(Command::LoadNextPage { token: None }).unwrap();
    let (first, users, pinned, next_token) = next(&mut rx, "page 1", |a| match a {
        Action::PageLoaded {
            first,
            users,
            pinned,
            next_token,
        } => Some((first, users, pinned, next_token)),
        _ => None,
    })
    .await;
    assert!(first);
    assert!(
        !pinned.is_empty(),
        "pinned posts are expanded for the detail pane"
    );
    assert_eq!(users.len(), 1000);
    let blocked = emu.blocked_ids();
    assert_eq!(users[0].id, blocked[0], "newest block first");
    // `P`: one account's pinned post, on demand.
    let (pinned_id, post) = users
        .iter()
        .find_map(|u| {
            let p = pinned.get(u.pinned_tweet_id.as_ref()?)?;
            Some((u.id.clone(), p.text.clone()))
        })
        .expect("some account has a pinned post");
    worker
        .send(Command::LoadPinned {
            id: pinned_id.clone(),
            cost: xblocks::api::price::Usd(15_000),
            daily_cap: None,
        })
        .unwrap();
    let (id, text) = next(&mut rx, "pinned post", |a| match a {
        Action::PinnedLoaded { id, text } => Some((id, text)),
        _ => None,
    })
    .await;
    assert_eq!((id, text), (pinned_id, Some(post)));
    worker
        .send(Command::LoadNextPage { token: next_token })
        .unwrap();
    let (first, users, next_token) = next(&mut rx, "page 2", |a| match a {
        Action::PageLoaded {
            first,
            users,
            next_token,
            ..
        } => Some((first, users, next_token)),
        _ => None,
    })
    .await;
    assert!(!first);
    assert_eq!(users.len(), 200);
    assert!(next_token.is_none());

    let target = blocked[5].clone();
    worker
        .send(Command::Write(vec![(Write::Unblock, target.clone())]))
        .unwrap();
    // No probe at start: the capability is learned from the write's answer.
    let cap = next(&mut rx, "capability", |a| match a {
        Action::Capability(c) => Some(c),
        Action::Done { .. } => panic!("done before the capability was learned"),
        _ => None,
    })
    .await;
    assert_eq!(cap, Capability::Full);
    let (verb, id) = next(&mut rx, "unblock done", |a| match a {
        Action::Done { verb, id } => Some((verb, id)),
        Action::Failed { message, .. } => panic!("unblock failed: {message}"),
        _ => None,
    })
    .await;
    assert_eq!((verb, id.as_str()), (Write::Unblock, target.as_str()));
    let stored = xblocks::store::db::Store::open(dir.path())
        .unwrap()
        .capability()
        .unwrap()
        .expect("the answer is stored");
    assert_eq!(stored.value, "full");
    let (limit, remaining) = next(&mut rx, "budget", |a| match a {
        Action::Budget {
            limit, remaining, ..
        } => Some((limit, remaining)),
        _ => None,
    })
    .await;
    assert!(remaining < limit);
    assert!(!emu.blocked_ids().contains(&target));

    worker
        .send(Command::Write(vec![(Write::Mute, target.clone())]))
        .unwrap();
    next(&mut rx, "mute done", |a| match a {
        Action::Done {
            verb: Write::Mute, ..
        } => Some(()),
        Action::Failed { message, .. } => panic!("mute failed: {message}"),
        _ => None,
    })
    .await;
    assert!(emu.muted_ids().contains(&target));

    let (other_id, other_name) = emu.unblocked_accounts(1).remove(0);
    worker
        .send(Command::ResolveHandle {
            handle: other_name.clone(),
        })
        .unwrap();
    let user = next(&mut rx, "resolved", |a| match a {
        Action::Resolved(u) => Some(u),
        Action::ResolveFailed { message, .. } => panic!("lookup failed: {message}"),
        _ => None,
    })
    .await;
    assert_eq!(user.id, other_id);
    worker
        .send(Command::Write(vec![(Write::Block, other_id.clone())]))
        .unwrap();
    next(&mut rx, "block done", |a| match a {
        Action::Done {
            verb: Write::Block, ..
        } => Some(()),
        Action::Failed { message, .. } => panic!("block failed: {message}"),
        _ => None,
    })
    .await;
    assert_eq!(emu.blocked_ids()[0], other_id, "newest block first");

    worker
        .send(Command::ResolveHandle {
            handle: "nobody_here_xyz".into(),
        })
        .unwrap();
    let message = next(&mut rx, "lookup failure", |a| match a {
        Action::ResolveFailed { message, .. } => Some(message),
        _ => None,
    })
    .await;
    assert!(message.contains("check the spelling"), "{message}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_per_use_is_read_only_and_writes_fail_with_a_reason() {
    let (emu, client, me) = setup(Config {
        users: 10,
        tier: Tier::PayPerUse,
        ..Default::default()
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let dir = tempfile::tempdir().unwrap();
    let durable = xblocks::worker::durable::Durable::open(dir.path()).unwrap();
    let worker = xblocks::worker::spawn(client, me, tx, Some(durable));
    // No probe at start: the write's answer tells the capability.
    let target = emu.blocked_ids()[0].clone();
    worker
        .send(Command::Write(vec![(Write::Unblock, target.clone())]))
        .unwrap();
    let message = next(&mut rx, "unblock failure", |a| match a {
        Action::Failed { message, .. } => Some(message),
        Action::Done { .. } => panic!("unblock must fail on pay-per-use"),
        _ => None,
    })
    .await;
    assert!(message.contains("Enterprise"), "{message}");
    assert!(emu.blocked_ids().contains(&target));
    let stored = xblocks::store::db::Store::open(dir.path())
        .unwrap()
        .capability()
        .unwrap()
        .expect("the answer is stored");
    assert_eq!(stored.value, "read-only");
    assert!(stored.learned_at > 0);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_waits_are_forwarded_with_their_end() {
    // 15 list requests per window: the 16th page waits, and the worker says so.
    let (emu, client, me) = setup(Config {
        users: 20,
        window_secs: 3,
        ..Default::default()
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = xblocks::worker::spawn(client, me, tx, None);
    for _ in 0..16 {
        worker.send(Command::Refresh).unwrap();
    }
    let (mut waiting, mut resumed, mut pages) = (None, None, 0);
    while pages < 16 || resumed.is_none() {
        match next(&mut rx, "pages and the wait", Some).await {
            Action::RateWaiting {
                endpoint,
                until,
                bad_reset,
            } => {
                assert!(!bad_reset, "the emulator sends good resets");
                assert!(until > std::time::SystemTime::now() - Duration::from_secs(5));
                waiting = Some(endpoint);
            }
            Action::RateResumed { endpoint } => resumed = Some(endpoint),
            Action::PageLoaded { .. } => pages += 1,
            Action::PageFailed(m) => panic!("page failed: {m}"),
            _ => {}
        }
    }
    let waiting = waiting.expect("the 16th page waited for the window");
    assert!(waiting.contains("blocking"), "{waiting}");
    assert_eq!(resumed.as_deref(), Some(waiting.as_str()));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_post_is_not_bought_past_the_daily_cap_and_its_cost_is_recorded() {
    use xblocks::api::price::Usd;
    let (emu, client, me) = setup(Config {
        users: 300,
        ..Default::default()
    })
    .await;
    let page = client.blocking_page(&me, None).await.unwrap();
    let id = page
        .users
        .iter()
        .find(|u| u.pinned_tweet_id.is_some())
        .expect("an account with a pinned post")
        .id
        .clone();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let dir = tempfile::tempdir().unwrap();
    let durable = xblocks::worker::durable::Durable::open(dir.path()).unwrap();
    let worker = xblocks::worker::spawn_with(
        client,
        me,
        tx,
        Some(durable),
        Some(xblocks::worker::Local::new(dir.path())),
    );
    let lookups = |emu: &Emulator| {
        emu.request_log()
            .iter()
            .filter(|r| r.path == "/2/users")
            .count()
    };
    // $0.015 at worst against a $0.010 daily cap: not sent.
    worker
        .send(Command::LoadPinned {
            id: id.clone(),
            cost: Usd(15_000),
            daily_cap: Some(Usd(10_000)),
        })
        .unwrap();
    let text = next(&mut rx, "the refusal", |a| match a {
        Action::Notice { text, error: true } if text.contains("pinned") => Some(text),
        Action::PinnedLoaded { .. } => panic!("bought past the cap"),
        _ => None,
    })
    .await;
    assert!(text.contains("daily_cap"), "{text}");
    assert_eq!(lookups(&emu), 0);
    worker
        .send(Command::LoadPinned {
            id: id.clone(),
            cost: Usd(15_000),
            daily_cap: Some(Usd(1_000_000)),
        })
        .unwrap();
    let spent = next(&mut rx, "the spend", |a| match a {
        Action::SpentToday(usd) => (usd > Usd::ZERO).then_some(usd),
        _ => None,
    })
    .await;
    assert_eq!(spent, Usd(15_000));
    assert_eq!(lookups(&emu), 1);
    let stored = xblocks::store::db::Store::open(dir.path())
        .unwrap()
        .spent_today()
        .unwrap();
    assert!((stored - 0.015).abs() < 1e-9, "{stored}");
    emu.shutdown().await;
}
