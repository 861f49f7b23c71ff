//! Figures for issue 13 (offline-first and frugal), each beside 0.1's behaviour in the same run:
//! - refreshing a 50,000-account list after 10 new blocks made elsewhere: requests and accounts
//!   billed by a top-up (goal ≤ 2 requests, ≤ 200 accounts) against 0.1's full re-read;
//! - time to the first frame from a database of 1,000,000 accounts with the API unreachable
//!   (goal < 300 ms) against 0.1, which drew nothing until `GET /2/users/me` answered;
//! - writes spent by 10 TUI starts + 10 `whoami` + 10 `export` (goal 0) against 0.1's probe at
//!   every TUI start and `whoami`.
//!
//! `cargo bench --bench sync` prints them; under `cargo test` a small smoke run.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use xblocks::api::price::{Caps, Prices};
use xblocks::api::{Client, ClientConfig};
use xblocks::app::{Action, Effect, Keymap, State};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};
use xblocks::store::db::Store;

const SCOPES: &[&str] = &[
    "tweet.read",
    "users.read",
    "block.read",
    "block.write",
    "mute.read",
    "mute.write",
    "offline.access",
];

fn client(base: &str, token: &str) -> Client {
    Client::new(ClientConfig {
        api_base: base.to_string(),
        credentials: Credentials::static_bearer(token.to_string(), None).into(),
        no_wait: false,
        expand_pinned: false,
    })
}

fn block_list_reads(emu: &emulator::Emulator) -> usize {
    emu.request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/blocking"))
        .count()
}

fn writes(emu: &emulator::Emulator) -> usize {
    emu.request_log()
        .iter()
        .filter(|r| r.method == "POST" || r.method == "DELETE")
        .count()
}

async fn refresh_after_new_blocks(users: usize, new: usize) {
    let emu = emulator::start(Config {
        users,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let c = client(&emu.base_url(), &token);
    let (me, _) = emu.me();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let prices = Prices::default();
    let mut caps = Caps::default();
    xblocks::sync::sync(&c, &me, &store, true, &prices, &mut caps, &mut |_, _| {})
        .await
        .unwrap();
    for (id, _) in emu.unblocked_accounts(new) {
        c.block(&me, &id).await.unwrap();
    }

    // 0.1: `r` (and every start and export) read the whole list again.
    let before = block_list_reads(&emu);
    let t = Instant::now();
    let (mut token_, mut accounts) = (None::<String>, 0usize);
    loop {
        let p = c.blocking_page(&me, token_.as_deref()).await.unwrap();
        accounts += p.users.len();
        match p.next_token {
            Some(t) => token_ = Some(t),
            None => break,
        }
    }
    let old_time = t.elapsed();
    let old_requests = block_list_reads(&emu) - before;

    // 0.2: a top-up.
    let before = block_list_reads(&emu);
    let t = Instant::now();
    let mut caps = Caps::default();
    let out = xblocks::sync::sync(&c, &me, &store, false, &prices, &mut caps, &mut |_, _| {})
        .await
        .unwrap();
    let new_time = t.elapsed();
    let new_requests = block_list_reads(&emu) - before;
    assert_eq!(out.new as usize, new, "the top-up missed new blocks");
    println!("refresh a {users}-account list after {new} new blocks made elsewhere:");
    println!(
        "  0.1 full re-read: {old_requests:>3} requests, {accounts:>6} accounts billed ({}), {:?}",
        prices.per_account.times(accounts as u64),
        old_time
    );
    println!(
        "  0.2 top-up:       {new_requests:>3} requests, {:>6} accounts billed ({}), {:?}   goal: ≤ 2 requests, ≤ 200 accounts",
        out.accounts,
        prices.per_account.times(out.accounts),
        new_time
    );
    emu.shutdown().await;
}

async fn first_frame_offline(accounts: usize) {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        xblocks::store::db::fill_for_bench(&store, accounts).unwrap();
    }
    // The API is unreachable: a port nothing listens on.
    let dead = "http://127.0.0.1:9";

    // 0.1: nothing was drawn before `GET /2/users/me` answered; it retried, then quit.
    let t = Instant::now();
    let c = client(dead, "t");
    let r = tokio::time::timeout(Duration::from_secs(30), c.me()).await;
    let old = t.elapsed();
    let old_outcome = match r {
        Ok(Err(_)) => "quit with \"cannot reach the X API\"",
        Ok(Ok(_)) => "answered (unexpected)",
        Err(_) => "still waiting after 30 s",
    };

    // 0.2: the worker sends the database's list at once; the first frame needs its first slice.
    let t = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _worker = xblocks::worker::spawn_with(
        client(dead, "t"),
        "1".into(),
        tx,
        None,
        Some(xblocks::worker::Local::new(dir.path())),
    );
    let mut state = State::new(
        "me",
        "default",
        Keymap::default(),
        std::time::SystemTime::now(),
    );
    state.size = (120, 40);
    let backend = ratatui::backend::TestBackend::new(120, 40);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    loop {
        let a = rx.recv().await.unwrap();
        let list = matches!(a, Action::CachedList { .. });
        xblocks::app::update(&mut state, a);
        if list && !state.accounts.is_empty() {
            break;
        }
    }
    terminal.draw(|f| xblocks::ui::render(&state, f)).unwrap();
    let new = t.elapsed();
    println!("time to first frame, {accounts} accounts in the database, API unreachable:");
    println!("  0.1: no frame; {old_outcome} after {old:?}");
    println!(
        "  0.2: first frame after {new:?} ({} rows loaded so far)   goal: < 300 ms",
        state.accounts.len()
    );
}

async fn writes_spent_by_starts(n: usize) {
    let emu = emulator::start(Config {
        users: 2000,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let (me, _) = emu.me();
    let dir = tempfile::tempdir().unwrap();

    // 0.1: every TUI start and every `whoami` sent the probe DELETE /2/users/:me/blocking/:me.
    let before = writes(&emu);
    let c = client(&emu.base_url(), &token);
    for _ in 0..2 * n {
        c.capability(&me).await.unwrap();
    }
    let old = writes(&emu) - before;

    // 0.2: TUI starts (the worker as `xblocks` starts it), whoami and export.
    let before = writes(&emu);
    for _ in 0..n {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let worker = xblocks::worker::spawn_with(
            client(&emu.base_url(), &token),
            me.clone(),
            tx,
            None,
            Some(xblocks::worker::Local::new(dir.path())),
        );
        // What `xblocks` asks for at start: the first page (no database yet) or a top-up.
        let mut state = State::new(
            "me",
            "default",
            Keymap::default(),
            std::time::SystemTime::now(),
        );
        state.snapshots.sync.offline_first =
            Store::open(dir.path()).unwrap().listed_count().unwrap() > 0;
        for effect in xblocks::app::start(&mut state) {
            if let Effect::Worker(cmd) = effect {
                worker.send(cmd).unwrap();
            }
        }
        // Let the start's background top-up run to its end.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while let Ok(Some(a)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            if matches!(a, Action::SyncFinished { .. } | Action::PageLoaded { .. }) {
                break;
            }
        }
        drop(worker);
    }
    let bin = env!("CARGO_BIN_EXE_xblocks");
    for args in [&["whoami"][..], &["export", "--live"][..]] {
        for _ in 0..n {
            let o = std::process::Command::new(bin)
                .args(args)
                .env("XBLOCKS_API_BASE", emu.base_url())
                .env("XBLOCKS_CONFIG_DIR", dir.path())
                .env("XBLOCKS_ACCESS_TOKEN", &token)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    let new = writes(&emu) - before;
    println!("writes spent by {n} TUI starts + {n} whoami + {n} export:");
    println!("  0.1: {old} (the capability probe at every start and whoami)");
    println!("  0.2: {new}   goal: 0");
    emu.shutdown().await;
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (users, frame, starts) = if full {
        (50_000, 1_000_000, 10)
    } else {
        (3_000, 20_000, 2)
    };
    if !full {
        println!("(smoke run)");
    }
    rt.block_on(async {
        refresh_after_new_blocks(users, 10).await;
        first_frame_offline(frame).await;
        writes_spent_by_starts(starts).await;
    });
}
