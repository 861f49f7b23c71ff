//! The action log: one entry per write xblocks made or settled (time, batch, target, write,
//! result, the API's request id). The history view and undo read it.

use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use super::{DbError, Store};
use crate::api::Write;

/// One logged write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When the answer came (RFC 3339 UTC).
    pub at: String,
    /// The batch the write belonged to.
    pub batch: String,
    /// Numeric id of the target.
    pub target: String,
    /// Its handle when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What was done.
    pub action: Write,
    /// Outcome: `done`, `already-in-state`, `not-found`, `cancelled`, or `failed: …`.
    pub result: String,
    /// The API's request (transaction) id, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Now as RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub(super) fn insert_entry(
    tx: &Transaction<'_>,
    e: &LogEntry,
    job: Option<u64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO log (at, batch, job, target, username, action, result, request_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        e.at,
        e.batch,
        job.map(|j| j as i64),
        e.target,
        e.username,
        e.action.verb(),
        e.result,
        e.request_id
    ])
    .map(drop)
}

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let action: String = r.get(5)?;
    Ok(LogEntry {
        at: r.get(0)?,
        batch: r.get(1)?,
        target: r.get(2)?,
        username: r.get(3)?,
        result: r.get(4)?,
        action: Write::parse(&action).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                5,
                rusqlite::types::Type::Text,
                format!("unknown action {action}").into(),
            )
        })?,
        request_id: r.get(6)?,
    })
}

const COLUMNS: &str = "at, batch, target, username, result, action, request_id";

impl Store {
    /// Every log entry, oldest first.
    pub fn log_entries(&self) -> Result<Vec<LogEntry>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!("SELECT {COLUMNS} FROM log ORDER BY id"))?;
            let rows = q.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// The last `n` entries, oldest first.
    pub fn log_tail(&self, n: usize) -> Result<Vec<LogEntry>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM (SELECT id, {COLUMNS} FROM log ORDER BY id DESC LIMIT ?1) \
                 ORDER BY id"
            ))?;
            let rows = q.query_map([n as i64], from_row)?;
            rows.collect()
        })
    }

    /// Targets written (with any result) at or after `at` (RFC 3339).
    pub fn log_targets_since(&self, at: &str) -> Result<Vec<String>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached("SELECT DISTINCT target FROM log WHERE at >= ?1")?;
            let rows = q.query_map([at], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// The entries of the most recent batch that changed something (result `done`), in order.
    pub fn last_changing_batch(&self) -> Result<Vec<LogEntry>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM log WHERE result = 'done' AND batch = \
                     (SELECT batch FROM log WHERE result = 'done' ORDER BY id DESC LIMIT 1) \
                 ORDER BY id"
            ))?;
            let rows = q.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// The last logged result of `write` on `target`, if any.
    pub fn last_result(&self, target: &str, write: Write) -> Result<Option<LogEntry>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM log WHERE target = ?1 AND action = ?2 \
                 ORDER BY id DESC LIMIT 1"
            ))?;
            q.query_row(params![target, write.verb()], from_row)
                .optional()
        })
    }
}
