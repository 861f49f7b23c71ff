//! Keeps the queue view's summary up to date while the runner holds the queue: rebuilt from the
//! database between runs, updated from the runner's progress during one, and cut to a small
//! [`QueueSnapshot`] for the UI.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::app::queue_view::{BatchProgress, QueueSnapshot, OPEN_ROWS, RECENT_ROWS};
use crate::store::db::{DbError, Job, Store};

/// The lane's view of its queue.
#[derive(Debug, Default)]
pub struct Tracker {
    /// Every open job, in run order.
    open: VecDeque<Job>,
    /// Finished jobs, newest first (at most [`RECENT_ROWS`]).
    recent: VecDeque<Job>,
    /// (done, total) of each batch that still has open jobs.
    batches: HashMap<String, (usize, usize)>,
    /// The user paused the queue.
    pub paused: bool,
    /// A run is in progress.
    pub running: bool,
    /// Why open jobs are held, if they are.
    pub held: Option<String>,
}

impl Tracker {
    /// Rebuilds the summary from the database (keeps paused / running / held).
    pub fn rebuild(&mut self, store: &Store) -> Result<(), DbError> {
        self.open = store.all_open_jobs()?.into();
        let open_batches: BTreeSet<&str> = self.open.iter().map(|j| j.batch.as_str()).collect();
        let mut batches = HashMap::new();
        for b in open_batches {
            batches.insert(b.to_string(), store.batch_progress(b)?);
        }
        self.batches = batches;
        self.recent = store.recent_jobs(RECENT_ROWS)?.into();
        Ok(())
    }

    /// Moves `job` (now final) from the open jobs to the recent ones.
    pub fn finished(&mut self, job: &Job) {
        if let Some(pos) = self.open.iter().position(|j| j.id == job.id) {
            self.open.remove(pos);
        }
        if let Some(e) = self.batches.get_mut(&job.batch) {
            e.0 += 1;
        }
        self.recent.push_front(job.clone());
        self.recent.truncate(RECENT_ROWS);
    }

    /// Every open job, in run order.
    pub fn open_jobs(&self) -> Vec<Job> {
        self.open.iter().cloned().collect()
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
            open: self.open.iter().take(OPEN_ROWS).cloned().collect(),
            open_total: self.open.len(),
            recent: self.recent.iter().cloned().collect(),
            batch,
            paused: self.paused,
            running: self.running,
            held: self.held.clone(),
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
        let mut tr = Tracker::default();
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
        assert_eq!(s.recent[0].target, "2");
        assert_eq!(s.batch.as_ref().map(|b| (b.done, b.total)), Some((1, 3)));
        // A rebuild from the database agrees with the incremental update.
        let mut fresh = Tracker::default();
        fresh.rebuild(&q).unwrap();
        assert_eq!(fresh.snapshot(), s);
    }
}
