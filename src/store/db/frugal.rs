//! Typed reads the money and offline-first code needs: how many listed accounts a sync already
//! read this UTC day, a first slice of the list for the first frame, and bench fixtures.

use rusqlite::params;

use super::{now_unix, DbError, Store};

/// Start of the UTC day of Unix time `t`.
fn day_start(t: i64) -> i64 {
    t - t.rem_euclid(86_400)
}

impl Store {
    /// Listed accounts a sync read this UTC day (X bills each once per UTC day: a re-read is
    /// likely free).
    pub fn listed_seen_today(&self) -> Result<u64, DbError> {
        let since = day_start(now_unix());
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM accounts WHERE gone_at IS NULL AND last_seen >= ?1",
                [since],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Of `ids`, how many a sync read this UTC day.
    pub fn seen_today_of(&self, ids: &[String]) -> Result<u64, DbError> {
        let since = day_start(now_unix());
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT count(*) FROM accounts WHERE id = ?1 AND last_seen >= ?2",
            )?;
            let mut n = 0u64;
            for id in ids {
                n += q.query_row(params![id, since], |r| r.get::<_, i64>(0))? as u64;
            }
            Ok(n)
        })
    }
}

#[doc(hidden)]
/// Fills `store` with `n` synthetic listed accounts in one full sync (benchmarks only).
pub fn fill_for_bench(store: &Store, n: usize) -> Result<(), DbError> {
    use crate::api::types::{PublicMetrics, User};
    let id = store.begin_sync(super::SyncKind::Full)?;
    let mut pos = 0u64;
    let mut totals = super::SyncTotals::default();
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let users: Vec<User> = chunk
            .iter()
            .map(|&i| User {
                id: (1_000_000_000 + i as u64).to_string(),
                username: format!("user{i}"),
                name: format!("User number {i}"),
                description: Some(format!("bio of account {i}")),
                public_metrics: Some(PublicMetrics {
                    followers_count: i as u64 % 10_000,
                    ..PublicMetrics::default()
                }),
                ..User::default()
            })
            .collect();
        store.upsert_page(id, pos, &users)?;
        pos += users.len() as u64;
        totals.requests += 1;
        totals.accounts += users.len() as u64;
    }
    store.finish_sync(id, totals)?;
    Ok(())
}

impl Store {
    /// The first `n` listed accounts, newest block first: what the first frame shows, read
    /// without loading the whole list.
    pub fn load_first(&self, n: usize) -> Result<Vec<super::StoredAccount>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {} FROM accounts WHERE gone_at IS NULL \
                 ORDER BY seen_sync DESC, seen_pos LIMIT ?1",
                super::accounts::COLUMNS
            ))?;
            let rows = q.query_map([n as i64], super::accounts::from_row)?;
            rows.collect()
        })
    }
}
