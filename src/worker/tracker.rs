//! Keeps the queue view's summary up to date while the runner holds the queue: rebuilt from the
//! database between runs, updated from the runner's progress during one, and cut to a small
//! [`QueueSnapshot`] for the UI. Timed jobs due after the lane's horizon (the last time it ran
//! everything due) are kept apart, by due time: they are not "unsent", and the earliest one
//! sets the lane's wake-up.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::app::queue_view::{
    BatchProgress, JobRow, QueueSnapshot, LATER_ROWS, OPEN_ROWS, RECENT_ROWS,
};
use crate::store::db::{DbError, Job, Store};
use crate::text::SafeText;

/// The lane's view of its queue.
#[derive(Debug, Default)]
pub struct Tracker {
    /// Open jobs due by the horizon, in run order.
    open: VecDeque<Job>,
    /// Open jobs due after the horizon, earliest first.
    later: Vec<Job>,
    /// Finished jobs, newest first (at most [`RECENT_ROWS`]).
    recent: VecDeque<Job>,
    /// (finished, due by the horizon) jobs of each batch that still has open jobs.
    batches: HashMap<String, (usize, usize)>,
    /// Unix seconds up to which the lane has run (or tried) every due job.
    pub horizon: i64,
    /// The user paused the queue.
    pub paused: bool,
    /// A run is in progress.
    pub running: bool,
    /// Why open jobs are held, if they are.
    pub held: Option<String>,
}

impl Tracker {
    /// Rebuilds the summary from the database (keeps horizon / paused / running / held).
    pub fn rebuild(&mut self, store: &Store) -> Result<(), DbError> {
        let (later, open): (Vec<Job>, Vec<Job>) = store
            .all_open_jobs()?
            .into_iter()
            .partition(|j| j.due_at.is_some_and(|d| d > self.horizon));
        self.open = open.into();
        self.later = later;
        self.later.sort_by_key(|j| (j.due_at, j.id));
        let open_batches: BTreeSet<&str> = self
            .open
            .iter()
            .chain(&self.later)
            .map(|j| j.batch.as_str())
            .collect();
        let mut batches = HashMap::new();
        for b in open_batches {
            let (done, total) = store.batch_progress(b)?;
            let later = self.later.iter().filter(|j| j.batch == b).count();
            batches.insert(b.to_string(), (done, total - later));
        }
        self.batches = batches;
        self.recent = store.recent_jobs(RECENT_ROWS)?.into();
        Ok(())
    }

    /// Moves the horizon to `now`: timed jobs due by then count as unsent (also when the
    /// database cannot be read to rebuild, so a wake-up never finds the same job due again).
    pub fn advance_horizon(&mut self, now: i64) {
        self.horizon = self.horizon.max(now);
        let horizon = self.horizon;
        let (due, later): (Vec<Job>, Vec<Job>) = std::mem::take(&mut self.later)
            .into_iter()
            .partition(|j| j.due_at.is_some_and(|d| d <= horizon));
        self.later = later;
        for job in due {
            if let Some(e) = self.batches.get_mut(&job.batch) {
                e.1 += 1;
            }
            self.open.push_back(job);
        }
    }

    /// Moves `job` (now final) from the open jobs to the recent ones.
    pub fn finished(&mut self, job: &Job) {
        if let Some(pos) = self.open.iter().position(|j| j.id == job.id) {
            self.open.remove(pos);
        } else if let Some(pos) = self.later.iter().position(|j| j.id == job.id) {
            // Came due during the run.
            self.later.remove(pos);
            if let Some(e) = self.batches.get_mut(&job.batch) {
                e.1 += 1;
            }
        }
        if let Some(e) = self.batches.get_mut(&job.batch) {
            e.0 += 1;
        }
        self.recent.push_front(job.clone());
        self.recent.truncate(RECENT_ROWS);
    }

    /// Open jobs due by the horizon (not sent yet), in run order.
    pub fn unsent_jobs(&self) -> Vec<Job> {
        self.open.iter().cloned().collect()
    }

    /// How many open jobs are due by the horizon.
    pub fn unsent(&self) -> usize {
        self.open.len()
    }

    /// When the earliest timed job due after the horizon is due (Unix seconds).
    pub fn next_due(&self) -> Option<i64> {
        self.later.first().and_then(|j| j.due_at)
    }

    /// The summary the UI shows.
    pub fn snapshot(&self) -> QueueSnapshot {
        let batch = self
            .open
            .front()
            .or(self.recent.front())
            .map(|j| j.batch.clone())
            .map(|id| {
                let (done, total) = self.batches.get(&id).copied().unwrap_or((0, 0));
                BatchProgress { id, done, total }
            })
            .filter(|b| b.total > 0);
        QueueSnapshot {
            open: self.open.iter().take(OPEN_ROWS).map(JobRow::from).collect(),
            open_total: self.open.len() + self.later.len(),
            later: self
                .later
                .iter()
                .take(LATER_ROWS)
                .map(JobRow::from)
                .collect(),
            due_later: self.later.len(),
            recent: self.recent.iter().map(JobRow::from).collect(),
            batch,
            paused: self.paused,
            running: self.running,
            held: self.held.as_deref().map(SafeText::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Write;
    use crate::store::db::{JobState, NewJob};

    #[test]
    fn progress_moves_jobs_from_open_to_recent_and_counts_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        let t = |ids: &[&str]| -> Vec<NewJob> {
            ids.iter()
                .map(|i| NewJob::now(Write::Unblock, *i, None))
                .collect()
        };
        let old = q.enqueue("old", &t(&["1"])).unwrap();
        q.finish_job(old[0], &JobState::Done, None).unwrap();
        let ids = q.enqueue("b", &t(&["2", "3", "4"])).unwrap();
        let mut tr = Tracker {
            horizon: crate::store::db::now_unix(),
            ..Tracker::default()
        };
        tr.rebuild(&q).unwrap();
        let s = tr.snapshot();
        assert_eq!((s.open_total, s.recent.len()), (3, 1));
        assert_eq!(
            s.batch,
            Some(BatchProgress {
                id: "b".into(),
                done: 0,
                total: 3
            })
        );
        q.finish_job(ids[0], &JobState::Done, None).unwrap();
        let job = q.job(ids[0]).unwrap().unwrap();
        tr.finished(&job);
        let s = tr.snapshot();
        assert_eq!(s.open_total, 2);
        assert_eq!(s.recent[0].target.as_str(), "2");
        assert_eq!(s.batch.as_ref().map(|b| (b.done, b.total)), Some((1, 3)));
        // A rebuild from the database agrees with the incremental update.
        let mut fresh = Tracker {
            horizon: tr.horizon,
            ..Tracker::default()
        };
        fresh.rebuild(&q).unwrap();
        assert_eq!(fresh.snapshot(), s);
    }

    #[test]
    fn timed_jobs_due_later_are_apart_and_leave_the_batch_progress_alone() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        let now = crate::store::db::now_unix();
        let timed = |due: i64| NewJob {
            due_at: Some(due),
            ..NewJob::now(Write::Unmute, "7", None)
        };
        // One confirmation: a mute now, its unmute in a week; an older timed job due sooner.
        let ids = q
            .enqueue(
                "tui",
                &[NewJob::now(Write::Mute, "7", None), timed(now + 7 * 86_400)],
            )
            .unwrap();
        q.enqueue("timed", &[timed(now + 60)]).unwrap();
        let mut tr = Tracker {
            horizon: now,
            ..Tracker::default()
        };
        tr.rebuild(&q).unwrap();
        let s = tr.snapshot();
        assert_eq!((s.open_total, s.due_later, s.unsent()), (3, 2, 1));
        assert_eq!(s.open.len(), 1);
        assert_eq!(
            s.later.iter().map(|j| j.due_at).collect::<Vec<_>>(),
            [Some(now + 60), Some(now + 7 * 86_400)],
            "earliest first"
        );
        assert_eq!(tr.next_due(), Some(now + 60));
        assert_eq!(s.batch.as_ref().map(|b| (b.done, b.total)), Some((0, 1)));
        q.finish_job(ids[0], &JobState::Done, None).unwrap();
        tr.finished(&q.job(ids[0]).unwrap().unwrap());
        let s = tr.snapshot();
        assert_eq!(s.unsent(), 0);
        assert_eq!(
            s.batch.as_ref().map(|b| (b.done, b.total)),
            Some((1, 1)),
            "the mute's batch is done; its unmute waits apart"
        );
        // Once the horizon passes a due time, that job is unsent.
        tr.horizon = now + 60;
        tr.rebuild(&q).unwrap();
        assert_eq!((tr.unsent(), tr.snapshot().due_later), (1, 1));
    }
}
