//! A live export's database writes on a thread of their own, so the next page is requested while
//! the last one is stored: what each page cost (always) and, for exports to a stream, its
//! accounts as a full sync of the list. Pages that queue up while a write runs are stored
//! together, in one transaction with the sync's totals and their spend. The stored accounts go
//! back to the export to be freed there: freeing memory another thread allocated took the
//! writer about 2 µs per account, most of it waiting on that thread's allocator lock.

use tokio::sync::mpsc;

use crate::api::price::{utc_day, Usd};
use crate::api::types::User;
use crate::store::db::{DbError, PageBatch, Store, SyncId, SyncKind, SyncTotals};

/// Pages waiting for the writer before the export waits for it.
const QUEUED_PAGES: usize = 8;

/// Accounts of one page (or several), each with X's object as JSON text.
type Accounts = Vec<(User, String)>;

/// One page for the writer.
struct Page {
    /// The page's accounts not in an earlier page, with X's objects (empty: spend only).
    accounts: Accounts,
    /// What the page cost.
    cost: Usd,
}

/// What the writer did.
#[derive(Default)]
struct Written {
    /// The sync the accounts went into, if any did.
    sync: Option<SyncId>,
    totals: SyncTotals,
    /// Why the accounts stopped being stored.
    failed: Option<DbError>,
}

/// The export's writer thread.
pub struct PageStore {
    tx: mpsc::Sender<Page>,
    thread: tokio::task::JoinHandle<Written>,
    /// Accounts the writer stored, to be freed on this side.
    stored: std::sync::mpsc::Receiver<Accounts>,
    store: Store,
    accounts: bool,
}

impl PageStore {
    /// Starts the writer on `store`. With `accounts`, each page's accounts are stored too (as
    /// a full sync, finished by [`PageStore::finish`] when the export is complete).
    pub fn start(store: Store, accounts: bool) -> Self {
        let (tx, rx) = mpsc::channel(QUEUED_PAGES);
        let (back, stored) = std::sync::mpsc::channel();
        let st = store.clone();
        let thread = tokio::task::spawn_blocking(move || write_pages(&st, rx, &back, accounts));
        Self {
            tx,
            thread,
            stored,
            store,
            accounts,
        }
    }

    /// Hands one page to the writer (waits while [`QUEUED_PAGES`] pages wait already).
    pub async fn page(&self, accounts: Accounts, cost: Usd) {
        self.stored.try_iter().for_each(drop);
        // The writer only ends when this sender is dropped.
        let _ = self.tx.send(Page { accounts, cost }).await;
    }

    /// Waits until every page handed over is stored; when the export is `complete`, the sync
    /// of its accounts is finished (the accounts it did not list are marked gone). Returns why
    /// the accounts could not be stored, if they could not.
    pub async fn finish(self, complete: bool) -> Result<(), DbError> {
        let Self {
            tx,
            thread,
            store,
            accounts,
            ..
        } = self;
        drop(tx);
        let written = thread.await.expect("the export's writer panicked");
        if let Some(e) = written.failed {
            return Err(e);
        }
        match written.sync {
            Some(id) if accounts && complete => {
                let totals = written.totals;
                tokio::task::spawn_blocking(move || store.finish_sync(id, totals).map(drop))
                    .await
                    .expect("the export's writer panicked")
            }
            _ => Ok(()),
        }
    }
}

/// The writer: stores each page (or all pages waiting) until the export drops its sender.
fn write_pages(
    store: &Store,
    mut rx: mpsc::Receiver<Page>,
    back: &std::sync::mpsc::Sender<Accounts>,
    accounts: bool,
) -> Written {
    let mut w = Written::default();
    while let Some(first) = rx.blocking_recv() {
        let mut pages = vec![first];
        while let Ok(p) = rx.try_recv() {
            pages.push(p);
        }
        let cost = pages.iter().fold(Usd::ZERO, |sum, p| sum.plus(p.cost));
        let day = utc_day(time::OffsetDateTime::now_utc());
        if accounts && w.failed.is_none() {
            let mut batch = PageBatch {
                first_pos: w.totals.accounts,
                ..PageBatch::default()
            };
            for p in &mut pages {
                batch.accounts.append(&mut p.accounts);
            }
            let mut totals = w.totals;
            totals.requests += pages.len() as u64;
            totals.accounts += batch.accounts.len() as u64;
            totals.cost_usd = Usd::from_dollars(totals.cost_usd).plus(cost).dollars();
            batch.totals = totals;
            batch.spend = Some((day.clone(), cost.dollars()));
            let stored = match w.sync {
                Some(id) => Ok(id),
                None => store.begin_sync(SyncKind::Full),
            }
            .and_then(|id| {
                w.sync = Some(id);
                store.store_pages(id, &batch)
            });
            let _ = back.send(batch.accounts);
            match stored {
                Ok(_) => {
                    w.totals = totals;
                    continue;
                }
                // The spend is recorded on its own below.
                Err(e) => w.failed = Some(e),
            }
        }
        if cost != Usd::ZERO {
            if let Err(e) = store.add_spend(&day, cost.dollars()) {
                tracing::warn!("the export's spend was not recorded: {e}");
            }
        }
    }
    w
}
