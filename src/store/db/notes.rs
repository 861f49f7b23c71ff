//! The user's own words about accounts: a note each, tags, and the keep list (never unblock).
//! They belong to the account id and outlive an unblock.

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::{params, OptionalExtension};

use super::{now_unix, DbError, Store};

impl Store {
    /// The note on `account`.
    pub fn note(&self, account: &str) -> Result<Option<String>, DbError> {
        self.read(|c| {
            c.query_row(
                "SELECT text FROM notes WHERE account = ?1",
                [account],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Sets the note on `account` (an empty text clears it).
    pub fn set_note(&self, account: &str, text: &str) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| {
            if text.is_empty() {
                tx.execute("DELETE FROM notes WHERE account = ?1", [account])?;
            } else {
                tx.execute(
                    "INSERT INTO notes (account, text, updated) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (account) DO UPDATE SET text = ?2, updated = ?3",
                    params![account, text, now],
                )?;
            }
            Ok(())
        })
    }

    /// Every note, by account id.
    pub fn notes(&self) -> Result<HashMap<String, String>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached("SELECT account, text FROM notes")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// Adds `add` and removes `remove` from the tags of `account`, in one transaction.
    pub fn change_tags(&self, account: &str, add: &[&str], remove: &[&str]) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| {
            for tag in remove {
                tx.execute(
                    "DELETE FROM tags WHERE account = ?1 AND tag = ?2",
                    params![account, tag],
                )?;
            }
            for tag in add {
                tx.execute(
                    "INSERT OR IGNORE INTO tags (account, tag, added) VALUES (?1, ?2, ?3)",
                    params![account, tag, now],
                )?;
            }
            Ok(())
        })
    }

    /// The tags of `account`, sorted.
    pub fn tags(&self, account: &str) -> Result<BTreeSet<String>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached("SELECT tag FROM tags WHERE account = ?1")?;
            let rows = q.query_map([account], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Every account's tags, by account id.
    pub fn all_tags(&self) -> Result<HashMap<String, BTreeSet<String>>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached("SELECT account, tag FROM tags")?;
            let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            for row in rows {
                let (account, tag) = row?;
                out.entry(account).or_default().insert(tag);
            }
            Ok(out)
        })
    }

    /// Adds `accounts` to the keep list (or, with `keep` false, removes them); returns how many
    /// changed.
    pub fn set_kept(&self, accounts: &[String], keep: bool) -> Result<usize, DbError> {
        let now = now_unix();
        self.write(|tx| {
            let mut changed = 0;
            for a in accounts {
                changed += if keep {
                    tx.execute(
                        "INSERT OR IGNORE INTO keep (account, added) VALUES (?1, ?2)",
                        params![a, now],
                    )?
                } else {
                    tx.execute("DELETE FROM keep WHERE account = ?1", [a])?
                };
            }
            Ok(changed)
        })
    }

    /// True when `account` is on the keep list.
    pub fn is_kept(&self, account: &str) -> Result<bool, DbError> {
        self.read(|c| {
            c.query_row("SELECT 1 FROM keep WHERE account = ?1", [account], |_| {
                Ok(())
            })
            .optional()
            .map(|r| r.is_some())
        })
    }

    /// Every kept account id.
    pub fn kept(&self) -> Result<HashSet<String>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached("SELECT account FROM keep")?;
            let rows = q.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }
}
