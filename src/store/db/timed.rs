//! Typed methods for timed actions, insights and the scripting commands: the mute state the
//! action log implies, a target's log since a time, and the creation time of jobs.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension};

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

    /// Writes settled (done) on `target` by batches other than `batch` after `since`
    /// (Unix seconds), oldest first: what changed the account after a timed job was queued.
    pub fn later_writes(
        &self,
        target: &str,
        batch: &str,
        since: i64,
    ) -> Result<Vec<LogEntry>, DbError> {
        let since = super::rfc3339(since);
        self.read(|c| {
            let mut q = c.prepare_cached(
                "SELECT at, batch, target, username, result, action, request_id FROM log \
                 WHERE target = ?1 AND batch <> ?2 AND result = 'done' AND at > ?3 \
                 ORDER BY id",
            )?;
            let rows = q.query_map(params![target, batch, since], super::log::from_row)?;
            rows.collect()
        })
    }

    /// When job `id` was queued (Unix seconds).
    pub fn job_created(&self, id: u64) -> Result<Option<i64>, DbError> {
        self.read(|c| {
            c.query_row("SELECT created FROM jobs WHERE id = ?1", [id as i64], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    /// When the database found `id` gone from the block list, if it did.
    pub fn gone_at(&self, id: &str) -> Result<Option<i64>, DbError> {
        self.read(|c| {
            c.query_row("SELECT gone_at FROM accounts WHERE id = ?1", [id], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()
            .map(Option::flatten)
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
    fn later_writes_are_settled_writes_of_other_batches_since_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        // The job was queued a second before these writes (a write in the second the timed job
        // was queued is its own origin, not a later change).
        let now = super::super::now_unix() - 1;
        settle(&s, "timed", Write::Mute, "7", JobState::Done);
        assert!(s.later_writes("7", "timed", now).unwrap().is_empty());
        settle(&s, "other", Write::Block, "8", JobState::Done);
        settle(&s, "hand", Write::Unmute, "7", JobState::Failed("x".into()));
        let none = s.later_writes("7", "timed", now).unwrap();
        assert!(none.is_empty(), "failures change nothing");
        settle(&s, "hand", Write::Unmute, "7", JobState::Done);
        let later = s.later_writes("7", "timed", now).unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(
            (later[0].batch.as_str(), later[0].action),
            ("hand", Write::Unmute)
        );
        let future = s.later_writes("7", "timed", now + 3_600).unwrap();
        assert!(future.is_empty(), "nothing since then");
        let id = s
            .enqueue("q", &[NewJob::now(Write::Mute, "9", None)])
            .unwrap()[0];
        assert!(s
            .job_created(id)
            .unwrap()
            .is_some_and(|t| (t - now).abs() < 60));
        assert_eq!(s.gone_at("9").unwrap(), None);
    }
}
