//! The one-time import of a 0.1 profile's files (read by [`crate::store::legacy`]).

use rusqlite::params;

use super::accounts::{upsert, user_json, Probe, Sighting};
use super::log::insert_entry;
use super::{now_unix, DbError, Store, SyncId};
use crate::store::legacy::OldProfile;

impl Store {
    /// Imports everything a 0.1 profile held in one transaction: its two full syncs (with each
    /// account's `first_seen`), its queue with every job's state, and its action log.
    pub fn import_v01(&self, old: &OldProfile) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| {
            for s in &old.syncs {
                tx.execute(
                    "INSERT INTO syncs (kind, started, finished, requests, accounts) \
                     VALUES ('full', ?1, ?1, 0, ?2)",
                    params![s.at, s.accounts.len() as i64],
                )?;
                let id = SyncId(tx.last_insert_rowid());
                for (pos, (user, first)) in s.accounts.iter().enumerate() {
                    let json = user_json(user);
                    let row = Sighting {
                        user,
                        json: &json,
                        sync: id,
                        pos: pos as u64,
                        seen: s.at,
                        first_seen: *first,
                    };
                    upsert(tx, &row, Probe::Read)?;
                }
                tx.execute(
                    "UPDATE accounts SET gone_at = ?1, gone_sync = ?2 \
                     WHERE gone_at IS NULL AND seen_sync < ?2",
                    params![s.at, id.0],
                )?;
            }
            for j in &old.jobs {
                let reason = match &j.state {
                    super::JobState::Failed(r) => Some(r.as_str()),
                    _ => None,
                };
                tx.execute(
                    "INSERT INTO jobs (batch, action, target, username, state, reason, \
                         in_flight_at, created, updated) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
                         CASE WHEN ?5 = 'in-flight' THEN ?7 END, ?7, ?7)",
                    params![
                        j.batch,
                        j.action.verb(),
                        j.target,
                        j.username,
                        j.state.word(),
                        reason,
                        now
                    ],
                )?;
            }
            for e in &old.log {
                insert_entry(tx, e, None)?;
            }
            Ok(())
        })
    }
}
