//! The schema: forward-only migrations, one SQL step per `PRAGMA user_version`. A new step is
//! appended to [`MIGRATIONS`] (never edited once released) with a test that upgrades a database
//! of the step before.

use std::path::Path;

use rusqlite::Connection;

use super::DbError;

/// `PRAGMA application_id` of an xblocks database ("xblk").
pub const APPLICATION_ID: i64 = 0x7862_6c6b;

/// Migration `n` (1-based) brings `user_version` from `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: accounts, syncs, spend, jobs, log, notes, tags, keep, meta.
    r#"
    CREATE TABLE accounts (
        id          TEXT PRIMARY KEY NOT NULL,
        json        TEXT NOT NULL,              -- X's user object as returned
        username    TEXT NOT NULL,
        username_lc TEXT NOT NULL,
        name        TEXT NOT NULL,
        bio         TEXT NOT NULL DEFAULT '',
        location    TEXT NOT NULL DEFAULT '',
        url         TEXT NOT NULL DEFAULT '',
        image_url   TEXT,
        created_at  TEXT,                       -- RFC 3339 as X sent it
        followers   INTEGER NOT NULL DEFAULT 0,
        following   INTEGER NOT NULL DEFAULT 0,
        posts       INTEGER NOT NULL DEFAULT 0,
        listed      INTEGER NOT NULL DEFAULT 0,
        verified    INTEGER NOT NULL DEFAULT 0,
        verified_type TEXT,
        protected   INTEGER NOT NULL DEFAULT 0,
        first_seen  INTEGER NOT NULL,           -- Unix seconds
        last_seen   INTEGER NOT NULL,
        gone_at     INTEGER,                    -- set when a full sync no longer lists it
        first_sync  INTEGER NOT NULL,           -- sync that first listed it
        gone_sync   INTEGER,                    -- full sync that found it gone
        seen_sync   INTEGER NOT NULL,           -- sync that last listed it ...
        seen_pos    INTEGER NOT NULL            -- ... at this position (0 = newest block)
    );
    CREATE INDEX accounts_order ON accounts (seen_sync DESC, seen_pos) WHERE gone_at IS NULL;
    CREATE INDEX accounts_username ON accounts (username_lc);
    CREATE INDEX accounts_followers ON accounts (followers DESC) WHERE gone_at IS NULL;
    CREATE INDEX accounts_first_seen ON accounts (first_seen DESC) WHERE gone_at IS NULL;

    CREATE TABLE syncs (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        kind      TEXT NOT NULL CHECK (kind IN ('top-up', 'full')),
        started   INTEGER NOT NULL,
        finished  INTEGER,
        requests  INTEGER NOT NULL DEFAULT 0,
        accounts  INTEGER NOT NULL DEFAULT 0,
        cost_micros INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE spend (
        day        TEXT PRIMARY KEY NOT NULL,   -- UTC, YYYY-MM-DD
        usd_micros INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE jobs (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        batch     TEXT NOT NULL,
        action    TEXT NOT NULL CHECK (action IN ('block', 'unblock', 'mute', 'unmute')),
        target    TEXT NOT NULL,
        username  TEXT,
        state     TEXT NOT NULL,
        reason    TEXT,
        due_at    INTEGER,                      -- Unix seconds; NULL = now
        attempts  INTEGER NOT NULL DEFAULT 0,
        in_flight_at INTEGER,                   -- set while a request may have been sent
        created   INTEGER NOT NULL,
        updated   INTEGER NOT NULL
    );
    CREATE INDEX jobs_open ON jobs (due_at, id) WHERE state IN ('pending', 'in-flight');
    CREATE INDEX jobs_batch ON jobs (batch);

    CREATE TABLE log (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         TEXT NOT NULL,               -- RFC 3339 UTC
        batch      TEXT NOT NULL,
        job        INTEGER,
        target     TEXT NOT NULL,
        username   TEXT,
        action     TEXT NOT NULL,
        result     TEXT NOT NULL,
        request_id TEXT
    );
    CREATE INDEX log_batch ON log (batch);
    CREATE INDEX log_target ON log (target);

    CREATE TABLE notes (
        account TEXT PRIMARY KEY NOT NULL,
        text    TEXT NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE TABLE tags (
        account TEXT NOT NULL,
        tag     TEXT NOT NULL,
        added   INTEGER NOT NULL,
        PRIMARY KEY (account, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags (tag);
    CREATE TABLE keep (
        account TEXT PRIMARY KEY NOT NULL,
        added   INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE meta (
        key     TEXT PRIMARY KEY NOT NULL,
        value   TEXT NOT NULL,
        updated INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 2: no followers or first_seen index on accounts: the list's sorts and filters run in
    // memory over the whole list, and both indexes were rewritten for every account stored.
    r#"
    DROP INDEX IF EXISTS accounts_followers;
    DROP INDEX IF EXISTS accounts_first_seen;
    "#,
    // 3: each account's list row (what the TUI's list keeps, packed in one value: see
    // `listed.rs`), carried in the order index with `first_seen`, so loading the list walks
    // that index alone, one value per account, and never the table (`gone_at`, always NULL
    // there, is in it so that SQLite sees the index as covering the load). `after_step` fills
    // the list rows of the accounts stored before it, then builds the index, in the same
    // transaction.
    r#"
    ALTER TABLE accounts ADD COLUMN list BLOB;
    DROP INDEX accounts_order;
    "#,
];

/// Work in Rust that completes step `n` (1-based), in its transaction.
fn after_step(n: i64, tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    match n {
        3 => {
            super::accounts::fill_list_rows(tx)?;
            tx.execute_batch(
                "CREATE INDEX accounts_order ON accounts \
                 (seen_sync DESC, seen_pos, first_seen, list, gone_at) WHERE gone_at IS NULL;",
            )
        }
        _ => Ok(()),
    }
}

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads the file's identity without writing: its `user_version`, or why it is not ours.
pub fn inspect(conn: &Connection, path: &Path) -> Result<i64, DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    // One statement, so one snapshot: another process creating the database at this moment
    // (its first migration commits tables, id and version together) is seen before or after.
    let (app, version, tables): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version), \
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(err)?;
    let fresh = app == 0 && version == 0 && tables == 0;
    if !fresh && app != APPLICATION_ID {
        return Err(DbError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if version > VERSION {
        return Err(DbError::Newer {
            path: path.to_path_buf(),
            found: version,
        });
    }
    Ok(version)
}

/// Applies every step after `from`, each in its own transaction with its new `user_version`.
pub fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    migrate_to(conn, from, VERSION)
}

/// Applies the steps after `from` up to `to`.
pub fn migrate_to(conn: &mut Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate() {
        let n = i as i64 + 1;
        if n <= from || n > to {
            continue;
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have run this step while we waited for the write lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now >= n {
            continue;
        }
        tx.execute_batch(step)?;
        after_step(n, &tx)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {n};"
        ))?;
        tx.commit()?;
    }
    Ok(())
}
