//! Figures for the profile database (issue 10), beside 0.1's file queue:
//! - queue overhead per job with a writer that does nothing (only the queue's own work: one
//!   synced transaction per job, holding its final state with its log entry and the next job's
//!   in-flight mark, `synchronous=FULL`), beside the two transactions per job of before; target
//!   < 0.5 ms (0.1's files: 0.22–0.40 ms);
//! - the import plan for 100,000 ids against a database of 100,000 (parse, read, resolve,
//!   plan); target < 300 ms;
//! - loading 1,000,000 accounts from the database into the TUI's list (as the TUI does: the
//!   worker reads each account's list row from the order index in slices, the app applies each
//!   slice as it comes), beside the way before (every column read into full accounts, each then
//!   applied); target < 1 s;
//! - database bytes per account.
//!
//! `cargo bench --bench queue` prints them; under `cargo test` a small smoke run.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use xblocks::api::types::{PublicMetrics, User};
use xblocks::api::Write;
use xblocks::app::{Action, Keymap, State};
use xblocks::commands::import::plan::{Plan, Resolved};
use xblocks::jobs::runner::{self, Selection, WriteError, Writer};
use xblocks::store::db::{JobState, NewJob, Store, SyncKind, SyncTotals};
use xblocks::store::import_file;

/// A writer that changes nothing and answers at once.
struct Instant0;

impl Writer for Instant0 {
    async fn write(&self, _: Write, _: &str) -> Result<(), WriteError> {
        Ok(())
    }
    async fn in_state(&self, _: Write, _: &[String]) -> Result<HashSet<String>, WriteError> {
        Ok(HashSet::new())
    }
}

fn user(i: u64) -> User {
    User {
        id: (2_000_000_000u64 + i).to_string(),
        name: format!("Name {i}"),
        username: format!("user{i}"),
        description: Some(format!("Bio of account {i}, with a few words about it.")),
        created_at: Some("2015-06-01T12:00:00.000Z".into()),
        public_metrics: Some(PublicMetrics {
            followers_count: i % 5000,
            following_count: i % 700,
            tweet_count: i % 90_000,
            listed_count: i % 30,
        }),
        verified: Some(false),
        protected: Some(false),
        profile_image_url: Some(format!(
            "https://pbs.twimg.com/profile_images/{i}/a_normal.jpg"
        )),
        ..User::default()
    }
}

/// Stores `n` accounts as one full sync.
fn fill(store: &Store, n: u64) {
    let sync = store.begin_sync(SyncKind::Full).unwrap();
    let mut pos = 0;
    while pos < n {
        let page: Vec<User> = (pos..(pos + 1000).min(n)).map(user).collect();
        store.upsert_page(sync, pos, &page).unwrap();
        pos += page.len() as u64;
    }
    store.finish_sync(sync, SyncTotals::default()).unwrap();
}

/// User + system CPU milliseconds of this process so far (Linux; 0 when unreadable): the
/// figures beside wall time on a shared machine.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

fn db_bytes(dir: &std::path::Path) -> u64 {
    ["xblocks.db", "xblocks.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (jobs, ids, big) = if full {
        (2_000, 100_000, 1_000_000)
    } else {
        (50, 2_000, 5_000)
    };
    let note = if full { "" } else { " (smoke run)" };
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    // Queue overhead per job.
    let q = Store::open(&dir.path().join("queue")).unwrap();
    let targets: Vec<NewJob> = (0..jobs)
        .map(|i| NewJob::now(Write::Unblock, (1_000_000 + i).to_string(), None))
        .collect();
    let t = Instant::now();
    q.enqueue("bench", &targets).unwrap();
    let enqueue = t.elapsed();
    let stop = AtomicBool::new(false);
    let (t, c) = (Instant::now(), cpu_ms());
    let tally = rt
        .block_on(runner::run(
            &q,
            &Instant0,
            "1",
            &Selection::default(),
            &stop,
            &mut |_, _, _| {},
        ))
        .unwrap();
    let (run, run_cpu) = (t.elapsed(), cpu_ms() - c);
    assert_eq!(tally.done, jobs as usize);
    // The old runner beside it: two synced transactions per job (the in-flight mark, then the
    // final state with its log entry), each on a blocking thread.
    let queued = q.enqueue("old", &targets).unwrap();
    let (t, c) = (Instant::now(), cpu_ms());
    rt.block_on(async {
        for id in queued {
            q.call(move |s| s.mark_in_flight(id)).await.unwrap();
            q.call(move |s| s.finish_job(id, &JobState::Done, None))
                .await
                .unwrap();
        }
    });
    let (old, old_cpu) = (t.elapsed(), cpu_ms() - c);
    let per = |d: std::time::Duration, cpu: f64| {
        format!(
            "{:.3} ms, {:.3} ms CPU",
            d.as_secs_f64() * 1e3 / jobs as f64,
            cpu / jobs as f64
        )
    };
    println!(
        "queue{note}: {jobs} jobs enqueued in {:.1} ms (one transaction); overhead per job {} (one synced transaction: the final state with its log entry and the next job's in-flight mark); two transactions per job as before: {}; 0.1's file queue: 0.22-0.40 ms",
        enqueue.as_secs_f64() * 1e3,
        per(run, run_cpu),
        per(old, old_cpu),
    );

    // Import plan for `ids` ids against a database of the same size.
    let plan_dir = dir.path().join("plan");
    let store = Store::open(&plan_dir).unwrap();
    fill(&store, ids);
    let file: String = (0..ids)
        .map(|i| {
            format!(
                "{}\n",
                2_000_000_000u64 + i + (i % 10 == 0) as u64 * 7_000_000_000
            )
        })
        .collect();
    let (t, c) = (Instant::now(), cpu_ms());
    let list = import_file::parse(file.as_bytes()).unwrap();
    let parsed = t.elapsed();
    let listed = store.listed_handles().unwrap();
    let loaded = t.elapsed();
    let (resolved, rest) = Resolved::from_known(&listed, &list.targets, &HashSet::new());
    let plan = Plan::build(&list, &resolved, "1", true);
    let (total, plan_cpu) = (t.elapsed(), cpu_ms() - c);
    println!(
        "import plan{note}: {ids} ids against a database of {ids}: {:.0} ms, {plan_cpu:.0} ms CPU (parse {:.0} ms, read database {:.0} ms, resolve + plan {:.0} ms); {} to unblock, {} left to look up at X",
        total.as_secs_f64() * 1e3,
        parsed.as_secs_f64() * 1e3,
        (loaded - parsed).as_secs_f64() * 1e3,
        (total - loaded).as_secs_f64() * 1e3,
        plan.writes().len(),
        rest.len()
    );

    // Loading `big` accounts into the TUI's list, and the bytes each takes.
    let big_dir = dir.path().join("big");
    let store = Store::open(&big_dir).unwrap();
    let t = Instant::now();
    fill(&store, big);
    let stored = t.elapsed();
    drop(store);
    let store = Store::open(&big_dir).unwrap();
    // What the TUI does (first, in a fresh process: the first screen as a user sees it): the
    // worker reads the list rows in slices (`send_stored`) while the app applies each.
    let (t, c) = (Instant::now(), cpu_ms());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = {
        let store = store.clone();
        std::thread::spawn(move || xblocks::worker::send_stored(&store, &tx))
    };
    let mut state = State::new("me", "default", Keymap::default(), SystemTime::now());
    let mut first = None;
    while let Some(slice) = rx.blocking_recv() {
        assert!(matches!(slice, Action::CachedList { .. }));
        xblocks::app::update(&mut state, slice);
        first.get_or_insert(t.elapsed());
    }
    reader.join().unwrap();
    let (total, load_cpu) = (t.elapsed(), cpu_ms() - c);
    assert_eq!(state.accounts.len() as u64, big);
    // The split: the read alone (each account's list row), into memory; and beside it the read
    // of every column into full accounts, which the TUI used before.
    let (t, c) = (Instant::now(), cpu_ms());
    let mut n = 0;
    store
        .load_listed_in(usize::MAX, usize::MAX, |part| {
            n += part.len();
            true
        })
        .unwrap();
    assert_eq!(n as u64, big);
    let (read, read_cpu) = (t.elapsed(), cpu_ms() - c);
    drop(state);
    let (t, c) = (Instant::now(), cpu_ms());
    let all = store.load_all().unwrap();
    let (columns, columns_cpu) = (t.elapsed(), cpu_ms() - c);
    let mut state = State::new("me", "default", Keymap::default(), SystemTime::now());
    for a in &all {
        state.insert_user(&a.user, None, a.first_seen);
    }
    let (old, old_cpu) = (t.elapsed(), cpu_ms() - c);
    assert_eq!(state.accounts.len() as u64, big);
    println!(
        "load{note}: {big} accounts from the database into the TUI's list in {:.0} ms, {load_cpu:.0} ms CPU (read in slices on the worker while the app applies them; the first screen after {:.1} ms; the read alone: {:.0} ms, {read_cpu:.0} ms CPU); as before, every column read into full accounts, then each applied: {:.0} ms, {old_cpu:.0} ms CPU (the read {:.0} ms, {columns_cpu:.0} ms CPU); session 5 (that, in slices): 1.98 s, 3.49 s CPU; stored in {:.1} s; {:.0} bytes per account on disk",
        total.as_secs_f64() * 1e3,
        first.unwrap_or_default().as_secs_f64() * 1e3,
        read.as_secs_f64() * 1e3,
        old.as_secs_f64() * 1e3,
        columns.as_secs_f64() * 1e3,
        stored.as_secs_f64(),
        db_bytes(&big_dir) as f64 / big as f64
    );
}
