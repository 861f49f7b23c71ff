//! Undo: the inverse of the last batch that changed something, from the action log. Shared by
//! `xblocks undo` and the TUI's history view.

use crate::api::Write;
use crate::store::db::{DbError, LogEntry, NewJob, Store};

/// What undoing the last batch will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoPlan {
    /// The batch being undone.
    pub batch: String,
    /// The batch id of the inverse writes (`undo-<batch>`).
    pub undo_batch: String,
    /// Inverse writes to queue, in log order.
    pub jobs: Vec<NewJob>,
    /// Accounts on the keep list left out (an undo never unblocks them).
    pub kept: usize,
}

impl UndoPlan {
    /// The inverse write of the first job (a batch usually has one kind), for messages.
    pub fn verb(&self) -> &'static str {
        self.jobs.first().map_or("undo", |j| j.action.verb())
    }
}

/// Why nothing was queued.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    /// The inverse of this batch is already in the queue.
    #[error(
        "batch {0} was already undone (or its undo is queued); undo works again after new writes"
    )]
    AlreadyUndone(String),
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] DbError),
}

/// The entries (oldest first) of the most recent batch in `log` that changed something.
pub fn last_changing_batch(log: &[LogEntry]) -> Vec<LogEntry> {
    let Some(batch) = log
        .iter()
        .rev()
        .find(|e| e.result == "done")
        .map(|e| &e.batch)
    else {
        return Vec::new();
    };
    log.iter()
        .filter(|e| &e.batch == batch && e.result == "done")
        .cloned()
        .collect()
}

/// The entries of `last` whose change still stands: per account and relation (blocking,
/// muting), the first entry, unless a later one in the batch already put it back (a timed mute
/// whose unmute came due is the same batch: undoing it changes nothing).
fn standing_changes(last: &[LogEntry]) -> Vec<&LogEntry> {
    let mut out: Vec<&LogEntry> = Vec::new();
    for e in last {
        let key = (&e.target, e.action.relation().0);
        if !out
            .iter()
            .any(|f| (&f.target, f.action.relation().0) == key)
        {
            out.push(e);
        }
    }
    out.retain(|first| {
        let key = (&first.target, first.action.relation().0);
        let latest = last
            .iter()
            .rev()
            .find(|e| (&e.target, e.action.relation().0) == key);
        latest.is_none_or(|l| l.action != first.action.inverse())
    });
    out
}

/// The plan for undoing the batch whose changing entries are `last` (in log order), leaving out
/// unblocks of `kept` accounts.
pub fn plan_from(last: &[LogEntry], kept: &std::collections::HashSet<String>) -> Option<UndoPlan> {
    let batch = last.first()?.batch.clone();
    let mut skipped = 0;
    let jobs = standing_changes(last)
        .into_iter()
        .filter(|e| {
            let skip = e.action.inverse() == Write::Unblock && kept.contains(&e.target);
            skipped += usize::from(skip);
            !skip
        })
        .map(|e| NewJob::now(e.action.inverse(), e.target.clone(), e.username.clone()))
        .collect();
    Some(UndoPlan {
        undo_batch: format!("undo-{batch}"),
        batch,
        jobs,
        kept: skipped,
    })
}

/// The plan for undoing the last batch in `store` that changed something, if any.
pub fn plan(store: &Store) -> Result<Option<UndoPlan>, DbError> {
    Ok(plan_from(&store.last_changing_batch()?, &store.kept()?))
}

/// Queues `plan` as one new batch; refuses a batch whose undo is already queued or done.
pub fn enqueue(store: &Store, plan: &UndoPlan) -> Result<(), UndoError> {
    if store.batch_exists(&plan.undo_batch)? {
        return Err(UndoError::AlreadyUndone(plan.batch.clone()));
    }
    store.enqueue(&plan.undo_batch, &plan.jobs)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::JobState;

    #[test]
    fn plans_the_inverse_of_the_last_changing_batch_once_without_kept_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let add = |batch: &str, jobs: &[(Write, &str)], state: JobState| {
            let new: Vec<NewJob> = jobs
                .iter()
                .map(|(w, t)| NewJob::now(*w, *t, Some(format!("u{t}"))))
                .collect();
            for id in s.enqueue(batch, &new).unwrap() {
                s.finish_job(id, &state, None).unwrap();
            }
        };
        add("a", &[(Write::Block, "1")], JobState::Done);
        add(
            "b",
            &[
                (Write::Unblock, "2"),
                (Write::Mute, "3"),
                (Write::Block, "9"),
            ],
            JobState::Done,
        );
        add("b", &[(Write::Unblock, "4")], JobState::NotFound);
        add("c", &[(Write::Unblock, "5")], JobState::Cancelled);
        s.set_kept(&["9".into()], true).unwrap();
        let p = plan(&s).unwrap().unwrap();
        assert_eq!(p.batch, "b");
        assert_eq!(p.kept, 1);
        assert_eq!(
            p.jobs,
            [
                NewJob::now(Write::Block, "2", Some("u2".into())),
                NewJob::now(Write::Unmute, "3", Some("u3".into())),
            ]
        );
        enqueue(&s, &p).unwrap();
        assert_eq!(s.all_open_jobs().unwrap().len(), 2);
        assert!(matches!(
            enqueue(&s, &p),
            Err(UndoError::AlreadyUndone(b)) if b == "b"
        ));
        // A timed mute whose unmute came due (one batch): undoing it changes nothing; a mute,
        // unmute, mute again is undone by one unmute.
        add(
            "d",
            &[
                (Write::Mute, "6"),
                (Write::Mute, "7"),
                (Write::Unmute, "6"),
                (Write::Unmute, "7"),
                (Write::Mute, "7"),
            ],
            JobState::Done,
        );
        let p = plan(&s).unwrap().unwrap();
        assert_eq!(p.batch, "d");
        assert_eq!(p.jobs, [NewJob::now(Write::Unmute, "7", Some("u7".into()))]);
        let empty = tempfile::tempdir().unwrap();
        assert!(plan(&Store::open(empty.path()).unwrap()).unwrap().is_none());
    }
}
