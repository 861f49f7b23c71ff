//! Runs the open jobs of the durable queue through a [`Writer`], one at a time, recording each
//! state change before and after its request so every target's effect happens once.

use std::collections::HashSet;
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::exit::{Exit, ExitError};
use crate::store::action_log::{self, Entry};
use crate::store::queue::{Action, Job, JobState, Queue, QueueError};

/// Why one write did not succeed.
#[derive(Debug)]
pub enum WriteError {
    /// The target does not exist.
    NotFound,
    /// This job failed for good; the rest can go on.
    Failed(String),
    /// Nothing more can run now (signed out, Enterprise-only, rate limited with `--no-wait`,
    /// network down); the job stays open and the run stops with this error.
    Stop(ExitError),
}

/// Performs writes for the runner (the API client in production, a fake in tests).
pub trait Writer {
    /// Applies `action` to `target`.
    fn write(
        &self,
        action: Action,
        target: &str,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Which of `targets` are already in the state `action` leads to.
    fn in_state(
        &self,
        action: Action,
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
}

/// Progress reported after each job: (finished in this run, total of this run, the job).
pub type Progress<'a> = &'a mut (dyn FnMut(usize, usize, &Job) + Send);

/// Runs every open job (optionally only of `batch`), oldest first.
///
/// Stops early, leaving jobs open, when `stop` is set (returns exit 130) or the writer says
/// [`WriteError::Stop`]. Jobs found `in-flight` (a crash mid-request) are checked against the
/// API before anything is sent again.
pub async fn run<W: Writer>(
    queue: &mut Queue,
    writer: &W,
    me: &str,
    batch: Option<&str>,
    log: &Path,
    stop: &AtomicBool,
    progress: Progress<'_>,
) -> Result<Tally, ExitError> {
    let open: Vec<Job> = queue
        .open_jobs()
        .filter(|j| batch.is_none_or(|b| j.batch == b))
        .cloned()
        .collect();
    let total = open.len();
    let mut tally = Tally::default();
    let verified = verify_in_flight(writer, &open).await?;
    for (n, mut job) in open.into_iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            return Err(ExitError::new(
                Exit::Interrupted,
                format!(
                    "interrupted: {} jobs saved; run the same command again to resume",
                    total - n
                ),
            ));
        }
        let state = if job.target == me {
            JobState::SkippedSelf
        } else if job.state == JobState::InFlight && verified.contains(&job.target) {
            JobState::Done
        } else {
            queue.set(job.id, JobState::InFlight).map_err(queue_error)?;
            match writer.write(job.action, &job.target).await {
                Ok(()) => JobState::Done,
                Err(WriteError::NotFound) => JobState::NotFound,
                Err(WriteError::Failed(reason)) => JobState::Failed(reason),
                Err(WriteError::Stop(e)) => return Err(e),
            }
        };
        match &state {
            JobState::Done => tally.done += 1,
            JobState::NotFound => tally.not_found += 1,
            JobState::SkippedSelf => tally.skipped_self += 1,
            _ => tally.failed += 1,
        }
        queue.set(job.id, state.clone()).map_err(queue_error)?;
        job.state = state;
        log_write(log, &job);
        progress(n + 1, total, &job);
    }
    Ok(tally)
}

/// Targets of in-flight jobs that the API shows already in their wanted state.
async fn verify_in_flight<W: Writer>(
    writer: &W,
    open: &[Job],
) -> Result<HashSet<String>, ExitError> {
    let mut done = HashSet::new();
    for action in Action::ALL {
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
            Err(WriteError::Stop(e)) => return Err(e),
            Err(_) => {}
        }
    }
    Ok(done)
}

fn log_write(log: &Path, job: &Job) {
    let result = match &job.state {
        JobState::Done => "done".to_string(),
        JobState::Failed(r) => format!("failed: {r}"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(String::from))
            .unwrap_or_default(),
    };
    let entry = Entry {
        at: now_rfc3339(),
        batch: job.batch.clone(),
        target: job.target.clone(),
        username: job.username.clone(),
        action: job.action,
        result,
        request_id: None,
    };
    if let Err(e) = action_log::append(log, &entry) {
        tracing::warn!("cannot append to the action log {}: {e}", log.display());
    }
}

fn queue_error(e: QueueError) -> ExitError {
    ExitError::new(Exit::Other, e.to_string())
}

/// A new batch id: `KIND-<time>-<random>`, unique even for batches started the same second.
pub fn new_batch_id(kind: &str) -> String {
    format!("{kind}-{}-{:04x}", now_rfc3339(), rand::random::<u16>())
}

/// Now as RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A fake account: the blocked set, every write recorded, optional failures.
    #[derive(Default)]
    struct Fake {
        blocked: Mutex<HashSet<String>>,
        writes: Mutex<Vec<(Action, String)>>,
        stop_after: Option<usize>,
    }

    impl Writer for Fake {
        async fn write(&self, action: Action, target: &str) -> Result<(), WriteError> {
            let mut writes = self.writes.lock().unwrap();
            if self.stop_after == Some(writes.len()) {
                return Err(WriteError::Stop(ExitError::new(
                    Exit::NotSignedIn,
                    "signed out",
                )));
            }
            if target == "404" {
                return Err(WriteError::NotFound);
            }
            writes.push((action, target.to_string()));
            let mut b = self.blocked.lock().unwrap();
            match action {
                Action::Block => b.insert(target.to_string()),
                _ => b.remove(target),
            };
            Ok(())
        }

        async fn in_state(
            &self,
            action: Action,
            targets: &[String],
        ) -> Result<HashSet<String>, WriteError> {
            let b = self.blocked.lock().unwrap();
            Ok(targets
                .iter()
                .filter(|t| b.contains(*t) == (action == Action::Block))
                .cloned()
                .collect())
        }
    }

    fn ids(list: &[&str]) -> Vec<(String, Option<String>)> {
        list.iter().map(|i| (i.to_string(), None)).collect()
    }

    #[tokio::test]
    async fn runs_each_job_once_and_resumes_after_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let (qpath, log) = (dir.path().join("q"), dir.path().join("log"));
        let mut q = Queue::open(&qpath).unwrap();
        q.enqueue("b1", Action::Block, &ids(&["1", "2", "404", "me", "3"]))
            .unwrap();
        let fake = Fake {
            stop_after: Some(2),
            ..Fake::default()
        };
        let stop = AtomicBool::new(false);
        let err = run(&mut q, &fake, "me", None, &log, &stop, &mut |_, _, _| {})
            .await
            .unwrap_err();
        assert_eq!(err.code, Exit::NotSignedIn);
        drop(q);
        // The stopped job stays in flight; nothing happened to it, so it is sent once on resume.
        let mut q = Queue::open(&qpath).unwrap();
        let fake = Fake {
            blocked: Mutex::new(fake.blocked.into_inner().unwrap()),
            ..Fake::default()
        };
        let tally = run(&mut q, &fake, "me", None, &log, &stop, &mut |_, _, _| {})
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
            [(Action::Block, "3".to_string())]
        );
        assert_eq!(q.open_jobs().count(), 0);
        assert_eq!(action_log::read(&log).unwrap().len(), 5);
    }

    #[tokio::test]
    async fn in_flight_jobs_already_applied_are_not_sent_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = Queue::open(&dir.path().join("q")).unwrap();
        let job = q.enqueue("b", Action::Unblock, &ids(&["7"])).unwrap()[0];
        q.set(job, JobState::InFlight).unwrap();
        let fake = Fake::default(); // 7 is not blocked: the crashed unblock went through
        let stop = AtomicBool::new(false);
        let tally = run(
            &mut q,
            &fake,
            "me",
            None,
            &dir.path().join("log"),
            &stop,
            &mut |_, _, _| {},
        )
        .await
        .unwrap();
        assert_eq!(tally.done, 1);
        assert!(fake.writes.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_stop_request_saves_the_rest_with_exit_130() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = Queue::open(&dir.path().join("q")).unwrap();
        q.enqueue("b", Action::Mute, &ids(&["1", "2"])).unwrap();
        let stop = AtomicBool::new(true);
        let err = run(
            &mut q,
            &Fake::default(),
            "me",
            None,
            &dir.path().join("log"),
            &stop,
            &mut |_, _, _| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.code, Exit::Interrupted);
        assert_eq!(q.open_jobs().count(), 2);
    }
}
