//! Rows for `export --cached` with everything the jsonl format names.

use super::{DbError, Store};

/// One listed account as stored, for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// Account id.
    pub id: String,
    /// X's object exactly as returned.
    pub json: String,
    /// First seen in the list (Unix seconds).
    pub first_seen: i64,
    /// Last listed by a sync (Unix seconds).
    pub last_seen: i64,
}

impl Store {
    /// Every account listed now, newest block first, as [`ExportRow`]s.
    pub fn export_rows(&self) -> Result<Vec<ExportRow>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT id, json, first_seen, last_seen FROM accounts WHERE gone_at IS NULL \
                 ORDER BY seen_sync DESC, seen_pos",
            )?;
            let rows = q.query_map([], |r| {
                Ok(ExportRow {
                    id: r.get(0)?,
                    json: r.get(1)?,
                    first_seen: r.get(2)?,
                    last_seen: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }
}
