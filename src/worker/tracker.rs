//! Keeps the queue view's summary up to date while the runner holds the queue: rebuilt from the
//! queue between runs, updated from the runner's progress during one, and cut to a small
//! [`QueueSnapshot`] for the UI.

use std::collections::{HashMap, VecDeque};

use crate::app::queue_view::{BatchProgress, QueueSnapshot, OPEN_ROWS, RECENT_ROWS};
use crate::store::queue::{Job, Queue};

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
    /// Rebuilds the summary from the queue (keeps paused / running / held).
    pub fn rebuild(&mut self, queue: &Queue) {
        self.open = queue.open_jobs().cloned().collect();
        let open_batches: std::collections::HashSet<&str> =
            self.open.iter().map(|j| j.batch.as_str()).collect();
        let mut batches: HashMap<String, (usize, usize)> = HashMap::new();
        let mut finished: Vec<&Job> = Vec::new();
        for job in queue.jobs() {
            if open_batches.contains(job.batch.as_str()) {
                let e = batches.entry(job.batch.clone()).or_default();
                e.1 += 1;
                if job.state.is_final() {
                    e.0 += 1;
                }
            }
            if job.state.is_final() {
                finished.push(job);
            }
        }
        self.batches = batches;
        self.recent = finished
            .into_iter()
            .rev()
            .take(RECENT_ROWS)
            .cloned()
            .collect();
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
    use crate::store::queue::{Action, JobState};

    #[test]
    fn progress_moves_jobs_from_open_to_recent_and_counts_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = Queue::open(&dir.path().join("q")).unwrap();
        let t = |ids: &[&str]| -> Vec<(String, Option<String>)> {
            ids.iter().map(|i| (i.to_string(), None)).collect()
        };
        let old = q.enqueue("old", Action::Block, &t(&["1"])).unwrap();
        q.set(old[0], JobState::Done).unwrap();
        let ids = q
            .enqueue("b", Action::Unblock, &t(&["2", "3", "4"]))
            .unwrap();
        let mut tr = Tracker::default();
        tr.rebuild(&q);
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
        q.set(ids[0], JobState::Done).unwrap();
        let mut job = q.jobs().find(|j| j.id == ids[0]).unwrap().clone();
        job.state = JobState::Done;
        tr.finished(&job);
        let s = tr.snapshot();
        assert_eq!(s.open_total, 2);
        assert_eq!(s.recent[0].target, "2");
        assert_eq!(s.batch.as_ref().map(|b| (b.done, b.total)), Some((1, 3)));
        // A rebuild from the queue agrees with the incremental update.
        let mut fresh = Tracker::default();
        fresh.rebuild(&q);
        assert_eq!(fresh.snapshot(), s);
    }
}
