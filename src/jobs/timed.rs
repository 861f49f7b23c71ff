//! Timed jobs (the inverse of `mute --for 7d`, or of a timed block from the TUI's confirm): when
//! one comes due, it must not undo a change the user made meanwhile.

use crate::api::Write;
use crate::store::db::{rfc3339, DbError, Job, NewJob, Store};

/// The jobs that end a timed `write` (a block or a mute) on `targets` (id, handle if known):
/// its inverse on each, due at `due` (Unix seconds).
pub fn inverse_jobs(
    write: Write,
    targets: impl IntoIterator<Item = (String, Option<String>)>,
    due: i64,
) -> Vec<NewJob> {
    targets
        .into_iter()
        .map(|(id, username)| NewJob {
            due_at: Some(due),
            ..NewJob::now(write.inverse(), id, username)
        })
        .collect()
}

/// Why a due timed job must not run, if it must not: its account was written by another batch
/// after the job was queued, or (for an unblock) a sync found it unblocked. Jobs without a due
/// time always run.
pub fn changed_meanwhile(store: &Store, job: &Job) -> Result<Option<String>, DbError> {
    if job.due_at.is_none() {
        return Ok(None);
    }
    let created = store.job_created(job.id)?.unwrap_or(0);
    if let Some(e) = store.later_writes(&job.target, &job.batch, created)?.last() {
        return Ok(Some(format!(
            "it was {} at {} (batch {}) after this was queued",
            e.action.past(),
            e.at,
            e.batch
        )));
    }
    if job.action == Write::Unblock {
        if let Some(gone) = store.gone_at(&job.target)?.filter(|&g| g >= created) {
            return Ok(Some(format!(
                "it was unblocked outside xblocks (a sync found it gone at {})",
                rfc3339(gone)
            )));
        }
    }
    Ok(None)
}
