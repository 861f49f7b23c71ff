//! Runs the open jobs of the profile's durable queue through a [`Writer`], one at a time. Each
//! job is marked in flight (committed) before its request; its final state and log entry
//! commit with the next job's mark, before the next request (one synced transaction per job),
//! so every target's write happens once even across `kill -9`. A due
//! timed job whose account changed after it was queued is not sent ([`super::timed`]).

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::api::{ApiError, Write};
use crate::store::db::{DbError, Job, JobState, Store};

/// Why one write did not succeed.
#[derive(Debug)]
pub enum WriteError {
    /// The target does not exist.
    NotFound,
    /// This job failed for good; the rest can go on.
    Failed(String),
    /// Nothing more can run now (signed out, Enterprise-only, rate limited with `--no-wait`,
    /// network down); the job stays open and the run stops with this error.
    Stop(ApiError),
}

/// Why a run stopped before every job was finished.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A stop was requested (Ctrl-C, SIGTERM, SIGHUP); `left` jobs stay queued.
    #[error("interrupted: {left} jobs saved; run the same command again to resume")]
    Interrupted {
        /// Jobs still open.
        left: usize,
    },
    /// The API said nothing more can run now; the job stays open.
    #[error(transparent)]
    Stopped(#[from] ApiError),
    /// The queue could not be read or written.
    #[error(transparent)]
    Store(#[from] DbError),
}

/// Performs writes for the runner (the API client in production, a fake in tests).
pub trait Writer {
    /// Applies `action` to `target`.
    fn write(
        &self,
        action: Write,
        target: &str,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Which of `targets` are already in the state `action` leads to.
    fn in_state(
        &self,
        action: Write,
        targets: &[String],
    ) -> impl Future<Output = Result<HashSet<String>, WriteError>> + Send;
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Written by this run (or found written after a crash).
    pub done: usize,
    /// Targets that did not exist.
    pub not_found: usize,
    /// The signed-in account itself, skipped.
    pub skipped_self: usize,
    /// Failed for good.
    pub failed: usize,
    /// Timed jobs not sent because their account changed after they were queued.
    pub superseded: usize,
}

/// Progress reported after each job: (finished in this run, total of this run, the job).
pub type Progress<'a> = &'a mut (dyn FnMut(usize, usize, &Job) + Send);

/// Which open jobs a run takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only this batch.
    pub batch: Option<String>,
    /// Only jobs due by this time (Unix seconds); `None` takes every open job without a due
    /// time and those already due.
    pub due_by: Option<i64>,
}

/// Runs the selected open jobs, oldest first.
///
/// Stops early, leaving jobs open, when `stop` is set ([`RunError::Interrupted`]) or the writer
/// says [`WriteError::Stop`]. Jobs found in flight (a crash mid-request) are checked against the
/// API before anything is sent again.
pub async fn run<W: Writer>(
    store: &Store,
    writer: &W,
    me: &str,
    select: &Selection,
    stop: &AtomicBool,
    progress: Progress<'_>,
) -> Result<Tally, RunError> {
    let (batch, due) = (
        select.batch.clone(),
        select.due_by.or(Some(crate::store::db::now_unix())),
    );
    let open = store
        .call(move |s| s.open_jobs(batch.as_deref(), due))
        .await?;
    let total = open.len();
    let mut tally = Tally::default();
    let verified = verify_in_flight(writer, &open).await?;
    // Jobs finished but not yet committed: their states commit with the next job's in-flight
    // mark (one synced transaction per job), or on their own before anything else reads them.
    let mut unsaved = Unsaved::default();
    for (n, job) in open.into_iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            unsaved.commit(store, None, progress, total).await?;
            return Err(RunError::Interrupted { left: total - n });
        }
        let superseded = if job.due_at.is_some() {
            // The check reads the log: it sees every earlier job's result.
            unsaved.commit(store, None, progress, total).await?;
            let j = job.clone();
            store
                .call(move |s| super::timed::changed_meanwhile(s, &j))
                .await?
        } else {
            None
        };
        let state = if job.target == me {
            JobState::SkippedSelf
        } else if job.state == JobState::InFlight && verified.contains(&job.target) {
            JobState::Done
        } else if let Some(why) = superseded {
            tracing::info!(job = job.id, "timed {} not sent: {why}", job.action.verb());
            JobState::Superseded(why)
        } else {
            unsaved.commit(store, Some(job.id), progress, total).await?;
            match writer.write(job.action, &job.target).await {
                Ok(()) => JobState::Done,
                Err(WriteError::NotFound) => JobState::NotFound,
                Err(WriteError::Failed(reason)) => JobState::Failed(reason),
                Err(WriteError::Stop(e)) => return Err(e.into()),
            }
        };
        match &state {
            JobState::Done => tally.done += 1,
            JobState::NotFound => tally.not_found += 1,
            JobState::SkippedSelf => tally.skipped_self += 1,
            JobState::Superseded(_) => tally.superseded += 1,
            _ => tally.failed += 1,
        }
        unsaved.jobs.push((job, state));
    }
    unsaved.commit(store, None, progress, total).await?;
    Ok(tally)
}

/// Jobs of a run that are finished but not yet committed, and how many were reported.
#[derive(Default)]
struct Unsaved {
    jobs: Vec<(Job, JobState)>,
    reported: usize,
}

impl Unsaved {
    /// Commits the finished jobs (and, with `next`, that job's in-flight mark) in one
    /// transaction, then reports each one as done.
    async fn commit<P: FnMut(usize, usize, &Job) + Send + ?Sized>(
        &mut self,
        store: &Store,
        next: Option<u64>,
        progress: &mut P,
        total: usize,
    ) -> Result<(), DbError> {
        if self.jobs.is_empty() && next.is_none() {
            return Ok(());
        }
        let jobs = std::mem::take(&mut self.jobs);
        let jobs = store
            .call_inline(move |s| s.settle_and_start(&jobs, next).map(|()| jobs))
            .await?;
        for (mut job, state) in jobs {
            job.state = state;
            self.reported += 1;
            progress(self.reported, total, &job);
        }
        Ok(())
    }
}

/// Targets of in-flight jobs that the API shows already in their wanted state.
async fn verify_in_flight<W: Writer>(
    writer: &W,
    open: &[Job],
) -> Result<HashSet<String>, RunError> {
    let mut done = HashSet::new();
    for action in Write::ALL {
        let targets: Vec<String> = open
            .iter()
            .filter(|j| j.state == JobState::InFlight && j.action == action)
            .map(|j| j.target.clone())
            .collect();
        if targets.is_empty() {
            continue;
        }
        match writer.in_state(action, &targets).await {
            Ok(set) => done.extend(set),
            Err(WriteError::Stop(e)) => return Err(e.into()),
            Err(_) => {}
        }
    }
    Ok(done)
}

/// A new batch id: `KIND-<time>-<random>`, unique even for batches started the same second.
pub fn new_batch_id(kind: &str) -> String {
    format!(
        "{kind}-{}-{:04x}",
        crate::store::db::now_rfc3339(),
        rand::random::<u16>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::NewJob;
    use std::sync::Mutex;

    /// A fake account: the blocked set, every write recorded, optional failures.
    #[derive(Default)]
    struct Fake {
        blocked: Mutex<HashSet<String>>,
        writes: Mutex<Vec<(Write, String)>>,
        stop_after: Option<usize>,
    }

    impl Writer for Fake {
        async fn write(&self, action: Write, target: &str) -> Result<(), WriteError> {
            let mut writes = self.writes.lock().unwrap();
            if self.stop_after == Some(writes.len()) {
                return Err(WriteError::Stop(ApiError::NotSignedIn));
            }
            if target == "404" {
                return Err(WriteError::NotFound);
            }
            writes.push((action, target.to_string()));
            let mut b = self.blocked.lock().unwrap();
            match action {
                Write::Block => b.insert(target.to_string()),
                _ => b.remove(target),
            };
            Ok(())
        }

        async fn in_state(
            &self,
            action: Write,
            targets: &[String],
        ) -> Result<HashSet<String>, WriteError> {
            let b = self.blocked.lock().unwrap();
            Ok(targets
                .iter()
                .filter(|t| b.contains(*t) == (action == Write::Block))
                .cloned()
                .collect())
        }
    }

    fn jobs(action: Write, list: &[&str]) -> Vec<NewJob> {
        list.iter().map(|i| NewJob::now(action, *i, None)).collect()
    }

    fn all() -> Selection {
        Selection::default()
    }

    #[tokio::test]
    async fn runs_each_job_once_and_resumes_after_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        q.enqueue("b1", &jobs(Write::Block, &["1", "2", "404", "me", "3"]))
            .unwrap();
        let fake = Fake {
            stop_after: Some(2),
            ..Fake::default()
        };
        let stop = AtomicBool::new(false);
        let err = run(&q, &fake, "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap_err();
        assert!(matches!(err, RunError::Stopped(ApiError::NotSignedIn)));
        drop(q);
        // The stopped job stays in flight; nothing happened to it, so it is sent once on resume.
        let q = Store::open(dir.path()).unwrap();
        let fake = Fake {
            blocked: Mutex::new(fake.blocked.into_inner().unwrap()),
            ..Fake::default()
        };
        let tally = run(&q, &fake, "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!(
            tally,
            Tally {
                done: 1,
                not_found: 1,
                skipped_self: 1,
                ..Tally::default()
            }
        );
        assert_eq!(
            fake.writes.lock().unwrap().as_slice(),
            [(Write::Block, "3".to_string())]
        );
        assert!(q.all_open_jobs().unwrap().is_empty());
        assert_eq!(q.log_entries().unwrap().len(), 5);
    }

    /// Reads the queue through its own connection while each request is "sent".
    struct Witness {
        dir: std::path::PathBuf,
        seen: Mutex<Vec<Vec<(String, JobState)>>>,
    }

    impl Writer for Witness {
        async fn write(&self, _: Write, _: &str) -> Result<(), WriteError> {
            let other = Store::open(&self.dir).unwrap();
            let states = other
                .all_jobs()
                .unwrap()
                .into_iter()
                .map(|j| (j.target, j.state))
                .collect();
            self.seen.lock().unwrap().push(states);
            Ok(())
        }
        async fn in_state(&self, _: Write, _: &[String]) -> Result<HashSet<String>, WriteError> {
            Ok(HashSet::new())
        }
    }

    // Multi-threaded: the runner commits on its own thread (`Store::call_inline`).
    #[tokio::test(flavor = "multi_thread")]
    async fn each_request_goes_out_after_the_last_result_and_its_own_mark_are_committed() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        q.enqueue("b", &jobs(Write::Block, &["1", "me", "2", "3"]))
            .unwrap();
        let w = Witness {
            dir: dir.path().to_path_buf(),
            seen: Mutex::default(),
        };
        let stop = AtomicBool::new(false);
        let mut reported = Vec::new();
        run(&q, &w, "me", &all(), &stop, &mut |n, of, j| {
            reported.push((n, of, j.target.clone(), j.state.clone()))
        })
        .await
        .unwrap();
        let (p, f, d) = (JobState::Pending, JobState::InFlight, JobState::Done);
        let at = |states: &[JobState]| -> Vec<(String, JobState)> {
            ["1", "me", "2", "3"]
                .iter()
                .map(|t| t.to_string())
                .zip(states.iter().cloned())
                .collect()
        };
        assert_eq!(
            *w.seen.lock().unwrap(),
            [
                at(&[f.clone(), p.clone(), p.clone(), p.clone()]),
                at(&[d.clone(), JobState::SkippedSelf, f.clone(), p.clone()]),
                at(&[d.clone(), JobState::SkippedSelf, d.clone(), f.clone()]),
            ]
        );
        assert_eq!(q.all_open_jobs().unwrap(), []);
        assert_eq!(q.log_entries().unwrap().len(), 4);
        let order: Vec<(usize, String)> = reported.iter().map(|r| (r.0, r.2.clone())).collect();
        assert_eq!(
            order,
            [
                (1, "1".into()),
                (2, "me".into()),
                (3, "2".into()),
                (4, "3".into())
            ]
        );
        assert!(reported.iter().all(|r| r.1 == 4 && r.3.is_final()));
    }

    #[tokio::test]
    async fn in_flight_jobs_already_applied_are_not_sent_again() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        let job = q.enqueue("b", &jobs(Write::Unblock, &["7"])).unwrap()[0];
        q.mark_in_flight(job).unwrap();
        let fake = Fake::default(); // 7 is not blocked: the crashed unblock went through
        let stop = AtomicBool::new(false);
        let tally = run(&q, &fake, "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!(tally.done, 1);
        assert!(fake.writes.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_stop_request_saves_the_rest_and_due_jobs_wait() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        q.enqueue("b", &jobs(Write::Mute, &["1", "2"])).unwrap();
        let stop = AtomicBool::new(true);
        let err = run(&q, &Fake::default(), "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap_err();
        assert!(matches!(err, RunError::Interrupted { left: 2 }));
        assert_eq!(q.all_open_jobs().unwrap().len(), 2);
        let later = NewJob {
            due_at: Some(crate::store::db::now_unix() + 3600),
            ..NewJob::now(Write::Unmute, "1", None)
        };
        q.enqueue("timed", &[later]).unwrap();
        let stop = AtomicBool::new(false);
        let tally = run(&q, &Fake::default(), "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!(tally.done, 2, "the timed job is not due yet");
        assert_eq!(q.all_open_jobs().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_due_timed_job_whose_account_changed_meanwhile_is_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let q = Store::open(dir.path()).unwrap();
        let now = crate::store::db::now_unix();
        let timed = |target: &str| NewJob {
            due_at: Some(now),
            ..NewJob::now(Write::Unmute, target, None)
        };
        // One confirmation: mute 1 and 2 now, unmute them when due (here: already).
        q.enqueue(
            "tui",
            &[
                NewJob::now(Write::Mute, "1", None),
                NewJob::now(Write::Mute, "2", None),
                timed("1"),
                timed("2"),
            ],
        )
        .unwrap();
        // Account 2 is unmuted by hand in a later batch, a second after the timed jobs were
        // queued (the log has whole seconds).
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let hand = q.enqueue("cli", &jobs(Write::Unmute, &["2"])).unwrap();
        q.finish_job(hand[0], &JobState::Done, None).unwrap();
        let fake = Fake::default();
        let stop = AtomicBool::new(false);
        let tally = run(&q, &fake, "me", &all(), &stop, &mut |_, _, _| {})
            .await
            .unwrap();
        assert_eq!((tally.done, tally.superseded), (3, 1));
        assert_eq!(
            fake.writes.lock().unwrap().as_slice(),
            [
                (Write::Mute, "1".to_string()),
                (Write::Mute, "2".to_string()),
                (Write::Unmute, "1".to_string()),
            ],
            "the mutes of its own batch do not count as a change; the hand unmute does"
        );
        let last = q.log_entries().unwrap().pop().unwrap();
        assert!(
            last.result.starts_with("superseded: it was unmuted at"),
            "{}",
            last.result
        );
    }
}
