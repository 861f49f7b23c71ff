//! Accounts of the block list: upserted a page at a time as syncs read them, loaded in X's order
//! (newest block first), marked gone when a full sync no longer lists them.
//!
//! Order: each sync stamps the accounts it reads with its id and their position in its stream.
//! Every sync reads from the top of the list, so "latest stamping sync first, then position"
//! is X's order, for full syncs and top-ups alike.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Row};

use super::listed::ListedSlice;
use super::{now_unix, syncs, DbError, Durability, Store, SyncId, SyncTotals};
use crate::api::types::{PublicMetrics, User};

/// One account as the database holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAccount {
    /// The user (from the typed columns: every field this client models; unmodelled fields
    /// are only in the stored JSON, see [`Store::accounts_json`]).
    pub user: User,
    /// When this profile first saw it in its list (Unix seconds).
    pub first_seen: i64,
    /// When a sync last listed it (Unix seconds).
    pub last_seen: i64,
    /// When a full sync found it gone (Unix seconds).
    pub gone_at: Option<i64>,
}

/// What one upserted page held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageCount {
    /// Accounts the database did not know (or knew as gone).
    pub new: usize,
    /// Accounts already in the list.
    pub known: usize,
}

/// New and gone accounts since the full sync before the last one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountDiff {
    /// When the full sync before the last finished (Unix seconds), if there was one.
    pub previous_at: Option<i64>,
    /// When the last full sync finished, if there was one.
    pub latest_at: Option<i64>,
    /// Listed now, first seen after the previous full sync; newest block first.
    pub new: Vec<User>,
    /// Found gone by a full sync after the previous one.
    pub gone: Vec<User>,
}

/// The typed columns, then X's stored object (for the pinned post's id, parsed only for the
/// accounts that have one: the TUI offers to load it, `P`).
pub(super) const COLUMNS: &str =
    "id, username, name, bio, location, url, image_url, created_at, followers, \
     following, posts, listed, verified, verified_type, protected, first_seen, last_seen, gone_at, \
     json";

/// The pinned post's id in X's object `json`: searched as bytes first (most accounts have none,
/// and the object is not parsed for them).
fn pinned_id(json: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Pin {
        pinned_tweet_id: Option<serde_json::Value>,
    }
    static KEY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"pinned_tweet_id\""));
    KEY.find(json)?;
    match serde_json::from_slice::<Pin>(json).ok()?.pinned_tweet_id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredAccount> {
    let user = User {
        id: r.get(0)?,
        username: r.get(1)?,
        name: r.get(2)?,
        description: opt(r.get(3)?),
        location: opt(r.get(4)?),
        url: opt(r.get(5)?),
        profile_image_url: r.get(6)?,
        created_at: r.get(7)?,
        public_metrics: Some(PublicMetrics {
            followers_count: r.get::<_, i64>(8)? as u64,
            following_count: r.get::<_, i64>(9)? as u64,
            tweet_count: r.get::<_, i64>(10)? as u64,
            listed_count: r.get::<_, i64>(11)? as u64,
        }),
        verified: Some(r.get(12)?),
        verified_type: r.get(13)?,
        protected: Some(r.get(14)?),
        pinned_tweet_id: pinned_id(r.get_ref(18)?.as_bytes()?),
        ..User::default()
    };
    Ok(StoredAccount {
        user,
        first_seen: r.get(15)?,
        last_seen: r.get(16)?,
        gone_at: r.get(17)?,
    })
}

/// Hands the listed accounts, newest block first, as list rows to `each` in slices (see
/// [`Store::load_listed_in`]). An account without a list row this build reads (one stored
/// before it had them, or damaged) is built from its columns instead.
fn stream_list_rows(
    c: &rusqlite::Connection,
    first: usize,
    slice: usize,
    each: &mut impl FnMut(ListedSlice) -> bool,
) -> rusqlite::Result<()> {
    let mut q = c.prepare_cached(
        "SELECT list, first_seen, rowid FROM accounts WHERE gone_at IS NULL \
         ORDER BY seen_sync DESC, seen_pos",
    )?;
    let mut rows = q.query([])?;
    let mut want = first.max(1);
    let mut part = ListedSlice::with_capacity(want.min(1 << 16));
    while let Some(row) = rows.next()? {
        let first_seen = row.get(1)?;
        let read = match row.get_ref(0)? {
            rusqlite::types::ValueRef::Blob(b) => part.push_encoded(b, first_seen),
            _ => false,
        };
        if !read {
            let mut by_rowid =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE rowid = ?1"))?;
            let a = by_rowid.query_row([row.get::<_, i64>(2)?], from_row)?;
            part.push_user(&a.user, a.first_seen);
        }
        if part.len() == want {
            want = slice.max(1);
            let full = std::mem::replace(&mut part, ListedSlice::with_capacity(want.min(1 << 16)));
            if !each(full) {
                return Ok(());
            }
        }
    }
    if !part.is_empty() {
        each(part);
    }
    Ok(())
}

/// Writes the list row of every account stored without one (the step to schema 3), from X's
/// stored object (so the profile link is the expanded one, as a sync writes it).
pub(super) fn fill_list_rows(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut q = tx.prepare(&format!(
        "SELECT {COLUMNS}, rowid FROM accounts WHERE list IS NULL AND rowid > ?1 \
         ORDER BY rowid LIMIT 10000"
    ))?;
    let mut set = tx.prepare("UPDATE accounts SET list = ?2 WHERE rowid = ?1")?;
    let mut after = i64::MIN;
    loop {
        let part: Vec<(i64, Vec<u8>)> = q
            .query_map([after], |r| {
                let stored = serde_json::from_str::<User>(r.get_ref(18)?.as_str()?);
                let user = match stored {
                    Ok(u) => u,
                    Err(_) => from_row(r)?.user,
                };
                Ok((r.get(19)?, super::listed::encode(&user)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&(last, _)) = part.last() else {
            return Ok(());
        };
        for (rowid, list) in part {
            set.execute(params![rowid, list])?;
        }
        after = last;
    }
}

/// How [`upsert`] looks for the stored account first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Probe {
    /// Reads the stored row, then writes what changed (best when most accounts are known).
    Read,
    /// Tries a plain insert, and reads only when the account is there (best when most are
    /// new, as in a first sync: one statement per account).
    Insert,
}

impl Probe {
    /// The probe for the account after one that was (`true`) or was not new: lists come in
    /// long runs of new or of known accounts.
    pub(super) fn after(new: bool) -> Self {
        if new {
            Self::Insert
        } else {
            Self::Read
        }
    }
}

/// Upserts the account of `row`, looking for it first as `probe` says: a new one gets the row's
/// `first_seen` (a known one keeps the earlier of its own and the row's). An account whose
/// stored object is unchanged only gets the new sighting (no column or index but the order's is
/// rewritten). True when it was not listed.
pub(super) fn upsert(
    tx: &rusqlite::Transaction<'_>,
    row: &Sighting<'_>,
    probe: Probe,
) -> rusqlite::Result<bool> {
    let u = row.user;
    if probe == Probe::Insert && write_row(tx, row, false)? {
        return Ok(true);
    }
    let known: Option<(bool, bool)> = tx
        .prepare_cached("SELECT gone_at IS NULL, json = ?2 FROM accounts WHERE id = ?1")?
        .query_row(params![u.id, row.json], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((listed, true)) = known {
        tx.prepare_cached(
            "UPDATE accounts SET first_seen = min(first_seen, ?2), last_seen = ?3, \
                 gone_at = NULL, gone_sync = NULL, seen_sync = ?4, seen_pos = ?5 WHERE id = ?1",
        )?
        .execute(params![
            u.id,
            row.first_seen,
            row.seen,
            row.sync.0,
            row.pos as i64
        ])?;
        return Ok(!listed);
    }
    write_row(tx, row, true)?;
    Ok(known.map(|k| k.0) != Some(true))
}

/// One account as a sync saw it: X's object (typed and as text), the sync, its position in the
/// sync's stream, when (Unix seconds), and the `first_seen` a new account gets.
pub(super) struct Sighting<'a> {
    pub user: &'a User,
    pub json: &'a str,
    pub sync: SyncId,
    pub pos: u64,
    pub seen: i64,
    pub first_seen: i64,
}

/// The insert of every column of an account, then `$conflict` (what an existing id does).
macro_rules! insert_sql {
    ($conflict:literal) => {
        concat!(
            "INSERT INTO accounts (id, json, username, username_lc, name, bio, location, url, \
                 image_url, created_at, followers, following, posts, listed, verified, \
                 verified_type, protected, first_seen, last_seen, gone_at, first_sync, \
                 gone_sync, seen_sync, seen_pos, list) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                 ?17, ?21, ?18, NULL, ?19, NULL, ?19, ?20, ?22) ",
            $conflict
        )
    };
}

/// Writes every column of `row`: a new account (false when one with its id is stored, then
/// nothing is written) or, with `replace`, over the stored one (keeping the earlier
/// `first_seen` and its first sync).
fn write_row(
    tx: &rusqlite::Transaction<'_>,
    row: &Sighting<'_>,
    replace: bool,
) -> rusqlite::Result<bool> {
    let sql = if replace {
        insert_sql!(
            "ON CONFLICT (id) DO UPDATE SET json = ?2, username = ?3, username_lc = ?4, \
                 name = ?5, bio = ?6, location = ?7, url = ?8, image_url = ?9, \
                 created_at = ?10, followers = ?11, following = ?12, posts = ?13, \
                 listed = ?14, verified = ?15, verified_type = ?16, protected = ?17, \
                 first_seen = min(first_seen, ?21), last_seen = ?18, gone_at = NULL, \
                 gone_sync = NULL, seen_sync = ?19, seen_pos = ?20, list = ?22"
        )
    } else {
        insert_sql!("ON CONFLICT (id) DO NOTHING")
    };
    let u = row.user;
    let m = u.public_metrics.unwrap_or_default();
    let n = tx.prepare_cached(sql)?.execute(params![
        u.id,
        row.json,
        u.username,
        u.username.to_ascii_lowercase(),
        u.name,
        u.description.as_deref().unwrap_or(""),
        u.location.as_deref().unwrap_or(""),
        u.url.as_deref().unwrap_or(""),
        u.profile_image_url,
        u.created_at,
        m.followers_count as i64,
        m.following_count as i64,
        m.tweet_count as i64,
        m.listed_count as i64,
        u.verified.unwrap_or(false),
        u.verified_type,
        u.protected.unwrap_or(false),
        row.seen,
        row.sync.0,
        row.pos as i64,
        row.first_seen,
        super::listed::encode(u),
    ])?;
    Ok(n > 0)
}

/// The JSON a [`User`] is stored as when X's own text is not at hand.
pub(super) fn user_json(u: &User) -> String {
    serde_json::to_string(u).expect("users serialise")
}

/// Upserts `users` (each with X's object as JSON text) from position `first_pos` on.
fn upsert_all<'a>(
    tx: &rusqlite::Transaction<'_>,
    sync: SyncId,
    first_pos: u64,
    users: impl Iterator<Item = (&'a User, &'a str)>,
) -> rusqlite::Result<PageCount> {
    let now = now_unix();
    let mut count = PageCount::default();
    let mut probe = Probe::Read;
    for (i, (user, json)) in users.enumerate() {
        let row = Sighting {
            user,
            json,
            sync,
            pos: first_pos + i as u64,
            seen: now,
            first_seen: now,
        };
        let new = upsert(tx, &row, probe)?;
        if new {
            count.new += 1;
        } else {
            count.known += 1;
        }
        probe = Probe::after(new);
    }
    Ok(count)
}

/// Pages of one sync read since the last [`Store::store_pages`], stored together.
#[derive(Debug, Clone, Default)]
pub struct PageBatch {
    /// The accounts in X's order, each with X's object as it sent it (JSON text).
    pub accounts: Vec<(User, String)>,
    /// Position of the first one in the sync's stream.
    pub first_pos: u64,
    /// The sync's totals after these pages.
    pub totals: SyncTotals,
    /// What these pages cost, added to the UTC day (`YYYY-MM-DD`) it names.
    pub spend: Option<(String, f64)>,
}

impl Store {
    /// Upserts one page of a sync: `users` in X's order, the first at position `first_pos` of
    /// the sync's stream. New accounts get `first_seen` now; known ones keep it. An account
    /// that was gone and is listed again counts as new and is no longer gone.
    pub fn upsert_page(
        &self,
        sync: SyncId,
        first_pos: u64,
        users: &[User],
    ) -> Result<PageCount, DbError> {
        let json: Vec<String> = users.iter().map(user_json).collect();
        self.write_as(Durability::Cache, |tx| {
            upsert_all(
                tx,
                sync,
                first_pos,
                users.iter().zip(json.iter().map(String::as_str)),
            )
        })
    }

    /// Stores pages of `sync` in one transaction: their accounts (as [`Store::upsert_page`]),
    /// the sync's totals and, when they cost something, the spend, which makes the
    /// transaction synced to disk before this returns (money survives a power loss; the
    /// accounts alone can be read from X again).
    pub fn store_pages(&self, sync: SyncId, batch: &PageBatch) -> Result<PageCount, DbError> {
        let spend = batch.spend.as_ref().filter(|(_, usd)| *usd != 0.0);
        let durability = if spend.is_some() {
            Durability::Synced
        } else {
            Durability::Cache
        };
        self.write_as(durability, |tx| {
            let users = batch.accounts.iter().map(|(u, j)| (u, j.as_str()));
            let count = upsert_all(tx, sync, batch.first_pos, users)?;
            syncs::set_totals(tx, sync, batch.totals)?;
            if let Some((day, usd)) = spend {
                syncs::add_spend(tx, day, *usd)?;
            }
            Ok(count)
        })
    }

    /// Every account listed now, newest block first.
    pub fn load_all(&self) -> Result<Vec<StoredAccount>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM accounts WHERE gone_at IS NULL \
                 ORDER BY seen_sync DESC, seen_pos"
            ))?;
            let rows = q.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// Every account listed now, newest block first, as the TUI's list keeps them: handed to
    /// `each` in slices as they are read (the first `first` accounts, then `slice` at a time).
    /// Stops early when `each` says false. One value per account is read, from the order index
    /// alone, so this is much cheaper than [`Store::load_all`].
    pub fn load_listed_in(
        &self,
        first: usize,
        slice: usize,
        mut each: impl FnMut(ListedSlice) -> bool,
    ) -> Result<(), DbError> {
        self.read(|c| stream_list_rows(c, first, slice, &mut each))
    }

    /// `first_seen` of every account listed now, by id.
    pub fn first_seen_all(&self) -> Result<HashMap<String, i64>, DbError> {
        self.read(|c| {
            let mut q =
                c.prepare_cached("SELECT id, first_seen FROM accounts WHERE gone_at IS NULL")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// X's objects as stored (exactly as returned, with fields this client does not model) and
    /// each one's `first_seen`, of every account listed now, newest block first.
    pub fn accounts_json(&self) -> Result<Vec<(String, i64)>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT json, first_seen FROM accounts WHERE gone_at IS NULL \
                 ORDER BY seen_sync DESC, seen_pos",
            )?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// (id, handle) of every account listed now, for resolving targets without a request.
    pub fn listed_handles(&self) -> Result<Vec<(String, String)>, DbError> {
        self.read(|c| {
            let mut q =
                c.prepare_cached("SELECT id, username FROM accounts WHERE gone_at IS NULL")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// The accounts with these ids (listed or gone), by id.
    pub fn accounts_by_id(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, StoredAccount>, DbError> {
        self.read(|c| {
            let mut q =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))?;
            let mut out = HashMap::new();
            for id in ids {
                if let Some(a) = q.query_row([id], from_row).optional()? {
                    out.insert(id.clone(), a);
                }
            }
            Ok(out)
        })
    }

    /// The account with this handle (any case), listed or gone.
    pub fn account_by_handle(&self, handle: &str) -> Result<Option<StoredAccount>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM accounts WHERE username_lc = ?1 \
                 ORDER BY gone_at IS NOT NULL, last_seen DESC LIMIT 1"
            ))?;
            q.query_row([handle.to_ascii_lowercase()], from_row)
                .optional()
        })
    }

    /// How many accounts are listed now.
    pub fn listed_count(&self) -> Result<u64, DbError> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM accounts WHERE gone_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Marks one account gone now (e.g. after this profile unblocked it); false when it was not
    /// listed.
    pub fn mark_account_gone(&self, id: &str) -> Result<bool, DbError> {
        let now = now_unix();
        self.write(|tx| {
            tx.execute(
                "UPDATE accounts SET gone_at = ?1 WHERE id = ?2 AND gone_at IS NULL",
                params![now, id],
            )
            .map(|n| n > 0)
        })
    }

    /// True when the database lists `id` as blocked now; `None` when it never saw it.
    pub fn is_listed(&self, id: &str) -> Result<Option<bool>, DbError> {
        self.read(|c| {
            c.query_row(
                "SELECT gone_at IS NULL FROM accounts WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// What changed since the full sync before the last one (the `D` view): accounts first
    /// listed after it, and accounts later full syncs found gone.
    pub fn diff_since_previous_full(&self) -> Result<AccountDiff, DbError> {
        let fulls = self.last_full_syncs(2)?;
        let mut diff = AccountDiff {
            latest_at: fulls.first().and_then(|s| s.finished),
            previous_at: fulls.get(1).and_then(|s| s.finished),
            ..AccountDiff::default()
        };
        let Some(prev) = fulls.get(1) else {
            return Ok(diff);
        };
        let pick = |sql: &str| -> Result<Vec<User>, DbError> {
            self.read(|c| {
                let mut q = c.prepare(&format!("SELECT {COLUMNS} FROM accounts WHERE {sql}"))?;
                let rows = q.query_map([prev.id.0], |r| from_row(r).map(|a| a.user))?;
                rows.collect()
            })
        };
        diff.new = pick("gone_at IS NULL AND first_sync > ?1 ORDER BY seen_sync DESC, seen_pos")?;
        diff.gone = pick("gone_sync > ?1 ORDER BY gone_at DESC, seen_pos")?;
        Ok(diff)
    }
}
