//! Syncs of the block list (kind, start and end, requests, accounts, cost) and money spent per
//! UTC day.

use rusqlite::{params, OptionalExtension, Row};

use super::{now_unix, DbError, Durability, Store};

/// The id of one sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyncId(pub i64);

/// How much of the list a sync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// From the newest block until a page holds only known accounts.
    TopUp,
    /// Every page; afterwards, accounts not listed are marked gone.
    Full,
}

impl SyncKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::TopUp => "top-up",
            Self::Full => "full",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "full" {
            Self::Full
        } else {
            Self::TopUp
        }
    }
}

/// What a sync did, recorded when it finishes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SyncTotals {
    /// Requests sent.
    pub requests: u64,
    /// Accounts X returned.
    pub accounts: u64,
    /// Estimated cost in USD.
    pub cost_usd: f64,
}

/// One recorded sync.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRecord {
    /// Its id.
    pub id: SyncId,
    /// What it read.
    pub kind: SyncKind,
    /// When it started (Unix seconds).
    pub started: i64,
    /// When it finished; `None` while running or when it was interrupted.
    pub finished: Option<i64>,
    /// What it did (so far).
    pub totals: SyncTotals,
}

fn micros(usd: f64) -> i64 {
    (usd * 1e6).round() as i64
}

fn usd(micros: i64) -> f64 {
    micros as f64 / 1e6
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SyncRecord> {
    Ok(SyncRecord {
        id: SyncId(r.get(0)?),
        kind: SyncKind::parse(&r.get::<_, String>(1)?),
        started: r.get(2)?,
        finished: r.get(3)?,
        totals: SyncTotals {
            requests: r.get::<_, i64>(4)? as u64,
            accounts: r.get::<_, i64>(5)? as u64,
            cost_usd: usd(r.get(6)?),
        },
    })
}

/// Records what sync `id` did so far.
pub(super) fn set_totals(
    tx: &rusqlite::Transaction<'_>,
    id: SyncId,
    totals: SyncTotals,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE syncs SET requests = ?2, accounts = ?3, cost_micros = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id.0,
        totals.requests as i64,
        totals.accounts as i64,
        micros(totals.cost_usd)
    ])
    .map(drop)
}

/// Adds `usd` to what was spent on the UTC day `day`.
pub(super) fn add_spend(
    tx: &rusqlite::Transaction<'_>,
    day: &str,
    usd_spent: f64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO spend (day, usd_micros) VALUES (?1, ?2) \
         ON CONFLICT (day) DO UPDATE SET usd_micros = usd_micros + ?2",
    )?
    .execute(params![day, micros(usd_spent)])
    .map(drop)
}

const SYNC_COLUMNS: &str = "id, kind, started, finished, requests, accounts, cost_micros";

/// The UTC day of Unix time `t`, as `YYYY-MM-DD`.
pub fn utc_day(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| {
            let d = d.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

impl Store {
    /// Records the start of a sync; its pages are upserted with the returned id.
    pub fn begin_sync(&self, kind: SyncKind) -> Result<SyncId, DbError> {
        let now = now_unix();
        self.write_as(Durability::Cache, |tx| {
            tx.execute(
                "INSERT INTO syncs (kind, started) VALUES (?1, ?2)",
                params![kind.as_str(), now],
            )?;
            Ok(SyncId(tx.last_insert_rowid()))
        })
    }

    /// Records what a sync did so far (call as pages arrive, so an interrupted sync still
    /// shows its requests and cost).
    pub fn update_sync(&self, id: SyncId, totals: SyncTotals) -> Result<(), DbError> {
        self.write_as(Durability::Cache, |tx| set_totals(tx, id, totals))
    }

    /// Records the end of a sync with its totals. For a full sync, also marks gone every
    /// account it did not list (in the same transaction); returns how many went away.
    pub fn finish_sync(&self, id: SyncId, totals: SyncTotals) -> Result<usize, DbError> {
        let now = now_unix();
        self.write_as(Durability::Cache, |tx| {
            tx.execute(
                "UPDATE syncs SET finished = ?2, requests = ?3, accounts = ?4, cost_micros = ?5 \
                 WHERE id = ?1",
                params![
                    id.0,
                    now,
                    totals.requests as i64,
                    totals.accounts as i64,
                    micros(totals.cost_usd)
                ],
            )?;
            let full: bool = tx.query_row(
                "SELECT kind = 'full' FROM syncs WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )?;
            if !full {
                return Ok(0);
            }
            tx.execute(
                "UPDATE accounts SET gone_at = ?1, gone_sync = ?2 \
                 WHERE gone_at IS NULL AND seen_sync < ?2",
                params![now, id.0],
            )
        })
    }

    /// The most recent finished sync of any kind.
    pub fn last_sync(&self) -> Result<Option<SyncRecord>, DbError> {
        self.read(|c| {
            c.query_row(
                &format!(
                    "SELECT {SYNC_COLUMNS} FROM syncs WHERE finished IS NOT NULL \
                     ORDER BY id DESC LIMIT 1"
                ),
                [],
                from_row,
            )
            .optional()
        })
    }

    /// The last `n` finished full syncs, newest first.
    pub fn last_full_syncs(&self, n: usize) -> Result<Vec<SyncRecord>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {SYNC_COLUMNS} FROM syncs WHERE finished IS NOT NULL AND kind = 'full' \
                 ORDER BY id DESC LIMIT ?1"
            ))?;
            let rows = q.query_map([n as i64], from_row)?;
            rows.collect()
        })
    }

    /// Ids of the accounts the last finished full sync found gone (it no longer listed them).
    pub fn gone_in_last_full_sync(&self) -> Result<Vec<String>, DbError> {
        let Some(last) = self.last_full_syncs(1)?.into_iter().next() else {
            return Ok(Vec::new());
        };
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT id FROM accounts WHERE gone_sync = ?1 AND gone_at IS NOT NULL",
            )?;
            let rows = q.query_map([last.id.0], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Every sync, newest first, at most `limit`.
    pub fn syncs(&self, limit: usize) -> Result<Vec<SyncRecord>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {SYNC_COLUMNS} FROM syncs ORDER BY id DESC LIMIT ?1"
            ))?;
            let rows = q.query_map([limit as i64], from_row)?;
            rows.collect()
        })
    }

    /// Adds `usd` to what was spent on the UTC day `day` (`YYYY-MM-DD`).
    pub fn add_spend(&self, day: &str, usd_spent: f64) -> Result<(), DbError> {
        self.write(|tx| add_spend(tx, day, usd_spent))
    }

    /// Adds `usd` for reading the signed-in account at X (`GET /2/users/me`) on the UTC day
    /// `day`, once per day (X bills a resource read again the same day once); true when added.
    pub fn add_me_read(&self, day: &str, usd_spent: f64) -> Result<bool, DbError> {
        use super::meta::{self, MetaKey};
        self.write(|tx| {
            if meta::get(tx, MetaKey::MeReadDay)?.is_some_and(|(last, _)| last == day) {
                return Ok(false);
            }
            meta::put(tx, MetaKey::MeReadDay, day, now_unix())?;
            add_spend(tx, day, usd_spent)?;
            Ok(true)
        })
    }

    /// What was spent on the UTC day `day` (`YYYY-MM-DD`), in USD.
    pub fn spent_on(&self, day: &str) -> Result<f64, DbError> {
        self.read(|c| {
            c.query_row("SELECT usd_micros FROM spend WHERE day = ?1", [day], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .map(|m| usd(m.unwrap_or(0)))
        })
    }

    /// What was spent today (UTC), in USD.
    pub fn spent_today(&self) -> Result<f64, DbError> {
        self.spent_on(&utc_day(now_unix()))
    }
}
