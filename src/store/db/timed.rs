//! Typed methods for timed actions, insights and the scripting commands: the mute state the
//! action log implies, a target's log since a time, and the creation time of jobs.

use std::collections::HashSet;

use rusqlite::params;

use super::{DbError, LogEntry, Store};

impl Store {
    /// Accounts whose last settled mute or unmute (done, or already in state) was a mute.
    pub fn muted_ids(&self) -> Result<HashSet<String>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT l.target FROM log l \
                 WHERE l.id = (SELECT max(m.id) FROM log m WHERE m.target = l.target \
                       AND m.action IN ('mute', 'unmute') \
                       AND m.result IN ('done', 'already-in-state')) \
                   AND l.action = 'mute'",
            )?;
            let rows = q.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Writes settled on `target` (done) by batches other than `batch`, after the first entry
    /// of `batch` on it; oldest first. A timed job whose target shows one changed meanwhile.
    pub fn later_writes(&self, target: &str, batch: &str) -> Result<Vec<LogEntry>, DbError> {
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT at, batch, target, username, result, action, request_id FROM log \
                 WHERE target = ?1 AND batch <> ?2 AND result = 'done' AND id > \
                   COALESCE((SELECT min(id) FROM log WHERE target = ?1 AND batch = ?2), \
                            (SELECT max(id) FROM log)) \
                 ORDER BY id",
            )?;
            let rows = q.query_map(params![target, batch], super::log::from_row)?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{JobState, NewJob, Store};
    use crate::api::Write;

    fn settle(s: &Store, batch: &str, w: Write, target: &str, state: JobState) {
        let ids = s.enqueue(batch, &[NewJob::now(w, target, None)]).unwrap();
        s.finish_job(ids[0], &state, None).unwrap();
    }

    #[test]
    fn muted_follows_the_last_settled_mute_or_unmute() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        settle(&s, "b1", Write::Mute, "1", JobState::Done);
        settle(&s, "b1", Write::Mute, "2", JobState::Done);
        settle(&s, "b1", Write::Mute, "3", JobState::Failed("no".into()));
        settle(&s, "b2", Write::Unmute, "2", JobState::Done);
        settle(&s, "b3", Write::Mute, "4", JobState::AlreadyInState);
        settle(&s, "b3", Write::Block, "5", JobState::Done);
        let mut m: Vec<String> = s.muted_ids().unwrap().into_iter().collect();
        m.sort();
        assert_eq!(m, ["1", "4"]);
    }

    #[test]
    fn later_writes_are_those_of_other_batches_after_the_batch_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        settle(&s, "old", Write::Mute, "7", JobState::Done);
        settle(&s, "timed", Write::Mute, "7", JobState::Done);
        assert!(s.later_writes("7", "timed").unwrap().is_empty());
        settle(&s, "other", Write::Block, "8", JobState::Done);
        settle(&s, "hand", Write::Unmute, "7", JobState::Failed("x".into()));
        assert!(
            s.later_writes("7", "timed").unwrap().is_empty(),
            "failures change nothing"
        );
        settle(&s, "hand", Write::Unmute, "7", JobState::Done);
        let later = s.later_writes("7", "timed").unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(
            (later[0].batch.as_str(), later[0].action),
            ("hand", Write::Unmute)
        );
        assert!(s.later_writes("7", "never").unwrap().is_empty());
    }
}
