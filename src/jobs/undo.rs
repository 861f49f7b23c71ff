//! Undo: the inverse of the last batch that changed something, from the action log. Shared by
//! `xblocks undo` and the TUI's history view (which queues it through its durable lane).

use crate::store::action_log::{self, Entry};
use crate::store::queue::{Action, Queue, QueueError};

/// What undoing the last batch will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoPlan {
    /// The batch being undone.
    pub batch: String,
    /// The batch id of the inverse actions (`undo-<batch>`).
    pub undo_batch: String,
    /// Inverse actions to queue: (action, target id, handle), in log order.
    pub jobs: Vec<(Action, String, Option<String>)>,
}

impl UndoPlan {
    /// Drops the unblocks of accounts on the keep list; returns how many.
    pub fn skip_kept(&mut self, kept: &std::collections::HashSet<String>) -> usize {
        let before = self.jobs.len();
        self.jobs
            .retain(|(a, target, _)| !(*a == Action::Unblock && kept.contains(target)));
        before - self.jobs.len()
    }

    /// The inverse action of the first job (a batch usually has one kind), for messages.
    pub fn verb(&self) -> &'static str {
        self.jobs.first().map_or("undo", |(a, _, _)| a.verb())
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
    /// The queue could not be written.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// The plan for undoing the last batch of `entries` that changed something, if any.
pub fn plan(entries: &[Entry]) -> Option<UndoPlan> {
    let last = action_log::last_batch(entries);
    let batch = last.first()?.batch.clone();
    Some(UndoPlan {
        undo_batch: format!("undo-{batch}"),
        batch,
        jobs: last
            .iter()
            .map(|e| (e.action.inverse(), e.target.clone(), e.username.clone()))
            .collect(),
    })
}

/// Queues `plan` as one new batch (one synced write per action kind); refuses a batch whose
/// undo is already queued or done.
pub fn enqueue(queue: &mut Queue, plan: &UndoPlan) -> Result<(), UndoError> {
    if queue.jobs().any(|j| j.batch == plan.undo_batch) {
        return Err(UndoError::AlreadyUndone(plan.batch.clone()));
    }
    for action in Action::ALL {
        let targets: Vec<(String, Option<String>)> = plan
            .jobs
            .iter()
            .filter(|(a, _, _)| *a == action)
            .map(|(_, t, u)| (t.clone(), u.clone()))
            .collect();
        if !targets.is_empty() {
            queue.enqueue(&plan.undo_batch, action, &targets)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(batch: &str, target: &str, action: Action, result: &str) -> Entry {
        Entry {
            at: "2026-11-25T00:00:00Z".into(),
            batch: batch.into(),
            target: target.into(),
            username: Some(format!("u{target}")),
            action,
            result: result.into(),
            request_id: None,
        }
    }

    #[test]
    fn plans_the_inverse_of_the_last_changing_batch_once() {
        let log = [
            entry("a", "1", Action::Block, "done"),
            entry("b", "2", Action::Unblock, "done"),
            entry("b", "3", Action::Mute, "done"),
            entry("b", "4", Action::Unblock, "not-found"),
            entry("c", "5", Action::Unblock, "cancelled"),
        ];
        let p = plan(&log).unwrap();
        assert_eq!(p.batch, "b");
        assert_eq!(
            p.jobs,
            [
                (Action::Block, "2".into(), Some("u2".into())),
                (Action::Unmute, "3".into(), Some("u3".into()))
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        let mut q = Queue::open(&dir.path().join("q")).unwrap();
        enqueue(&mut q, &p).unwrap();
        assert_eq!(q.open_jobs().count(), 2);
        assert!(q.jobs().all(|j| j.batch == "undo-b"));
        assert!(matches!(
            enqueue(&mut q, &p),
            Err(UndoError::AlreadyUndone(b)) if b == "b"
        ));
        assert!(plan(&[]).is_none());
    }
}
