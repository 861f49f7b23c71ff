//! Figures for the durable queue and the import plan (issue 6):
//! - queue overhead per job with a writer that does nothing (so only the queue's own work —
//!   fsynced state changes and the action log — is measured; the target is < 1 ms per job);
//! - the import plan for 100,000 ids against the local cache (parse the file, read the cache,
//!   resolve, plan; the target is < 1 s).
//!
//! `cargo bench --bench queue` prints them; under `cargo test` a small smoke run.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use xblocks::api::types::User;
use xblocks::commands::import::plan::{Plan, Resolved};
use xblocks::jobs::runner::{self, WriteError, Writer};
use xblocks::store::db::{Store, SyncKind, SyncTotals};
use xblocks::store::import_file;
use xblocks::store::queue::{Action, Queue};

/// A writer that changes nothing and answers at once.
struct Instant0;

impl Writer for Instant0 {
    async fn write(&self, _: Action, _: &str) -> Result<(), WriteError> {
        Ok(())
    }
    async fn in_state(&self, _: Action, _: &[String]) -> Result<HashSet<String>, WriteError> {
        Ok(HashSet::new())
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (jobs, ids) = if full { (2_000, 100_000) } else { (50, 2_000) };
    let note = if full { "" } else { " (smoke run)" };
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Queue overhead per job.
    let mut q = Queue::open(&dir.path().join("queue.jsonl")).unwrap();
    let targets: Vec<(String, Option<String>)> = (0..jobs)
        .map(|i| ((1_000_000 + i).to_string(), None))
        .collect();
    let t = Instant::now();
    q.enqueue("bench", Action::Unblock, &targets).unwrap();
    let enqueue = t.elapsed();
    let stop = AtomicBool::new(false);
    let log = dir.path().join("actions.jsonl");
    let t = Instant::now();
    let tally = rt
        .block_on(runner::run(
            &mut q,
            &Instant0,
            "1",
            None,
            &log,
            &stop,
            &mut |_, _, _| {},
        ))
        .unwrap();
    let run = t.elapsed();
    assert_eq!(tally.done, jobs);
    println!(
        "queue{note}: {jobs} jobs enqueued in {:.1} ms (one synced write); run at {:.3} ms overhead per job (2 synced state changes + 1 synced log line each)",
        enqueue.as_secs_f64() * 1e3,
        run.as_secs_f64() * 1e3 / jobs as f64
    );

    // Import plan for `ids` ids against a database of the same size.
    let users: Vec<User> = (0..ids)
        .map(|i| User {
            id: (2_000_000_000u64 + i as u64).to_string(),
            name: format!("Name {i}"),
            username: format!("user{i}"),
            ..User::default()
        })
        .collect();
    let store = Store::open(&dir.path().join("profile")).unwrap();
    let sync = store.begin_sync(SyncKind::Full).unwrap();
    for (n, page) in users.chunks(1000).enumerate() {
        store.upsert_page(sync, (n * 1000) as u64, page).unwrap();
    }
    store.finish_sync(sync, SyncTotals::default()).unwrap();
    let file: String = (0..ids)
        .map(|i| {
            format!(
                "{}\n",
                2_000_000_000u64 + i as u64 + (i % 10 == 0) as u64 * 7_000_000_000
            )
        })
        .collect();
    let t = Instant::now();
    let list = import_file::parse(file.as_bytes()).unwrap();
    let parsed = t.elapsed();
    let listed = store.listed_handles().unwrap();
    let loaded = t.elapsed();
    let (resolved, rest) = Resolved::from_known(&listed, &list.targets, &HashSet::new());
    let plan = Plan::build(&list, &resolved, "1", true);
    let total = t.elapsed();
    println!(
        "import plan{note}: {ids} ids against a database of {ids}: {:.0} ms (parse {:.0} ms, read database {:.0} ms, resolve + plan {:.0} ms); {} to unblock, {} left to look up at X",
        total.as_secs_f64() * 1e3,
        parsed.as_secs_f64() * 1e3,
        (loaded - parsed).as_secs_f64() * 1e3,
        (total - loaded).as_secs_f64() * 1e3,
        plan.writes().len(),
        rest.len()
    );
}
