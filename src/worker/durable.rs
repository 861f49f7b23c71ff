//! The TUI's write lane over the profile's durable queue: every write the user confirms is
//! queued (committed) before it is sent, logged with its state change in one transaction,
//! resumed at the next start if the program died mid-way, and undoable with `xblocks undo`.
//! One confirmation arrives as one [`Command::Write`] (or [`Command::WriteFor`], which adds the
//! inverse of each write, due when its duration ends) and becomes one batch. While the TUI is
//! open, a wake-up timer runs timed jobs when they come due, through the same runner as
//! `xblocks run-due` (paced by the rate limits; this lane holds the profile's runner lock).

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::mpsc;

use super::tracker::Tracker;
use super::{sentence, Command};
use crate::api::{ApiError, Client, Write};
use crate::app::{Action, Capability};
use crate::jobs::api_writer::ApiWriter;
use crate::jobs::runner::{self, new_batch_id, RunError, Selection};
use crate::jobs::timed::inverse_jobs;
use crate::jobs::undo;
use crate::store::db::{now_unix, DbError, Job, JobState, NewJob, Store};
use crate::store::runner_lock::{LockError, RunnerLock};

/// The profile's database and runner lock, held for the TUI's lifetime.
pub struct Durable {
    store: Store,
    _lock: RunnerLock,
}

/// Why this session gets no durable queue.
#[derive(Debug)]
pub enum OpenError {
    /// The database cannot be used at all (damaged, foreign, newer).
    Store(DbError),
    /// Another process runs the queue, or the profile is read-only: this session is a viewer
    /// (the text says why).
    Viewer(String),
}

impl Durable {
    /// Opens the profile's database and takes its runner lock. Call it off the async threads.
    pub fn open(profile_dir: &Path) -> Result<Self, OpenError> {
        let store = Store::open(profile_dir).map_err(OpenError::Store)?;
        if store.is_read_only() {
            return Err(OpenError::Viewer(format!(
                "{} cannot be written.",
                store.path().display()
            )));
        }
        let lock =
            RunnerLock::acquire(&store, profile_dir, "xblocks (the TUI)").map_err(|e| match e {
                LockError::Store(e) => OpenError::Store(e),
                other => OpenError::Viewer(sentence(&other.to_string())),
            })?;
        Ok(Self { store, _lock: lock })
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// The longest the lane sleeps before it looks at the wall clock again (a suspended machine's
/// monotonic clock stops; the wall clock, which due times follow, does not).
const WAKE_CHECK: Duration = Duration::from_secs(60);

/// The lane's client, account and queue: what every run needs.
struct Lane<'a> {
    client: &'a Client,
    me: &'a str,
    d: &'a Durable,
    actions: &'a mpsc::UnboundedSender<Action>,
}

/// Runs write commands through the durable queue, first resuming what an earlier run left open
/// and running what came due while the TUI was closed; then wakes up to run each timed job when
/// it comes due. Queue controls (pause, resume, cancel) arrive on `ctl` and take effect at once,
/// even during a rate-limit wait: a job interrupted in flight is checked against X before it is
/// ever resent.
pub async fn lane(
    client: Client,
    me: String,
    d: Durable,
    mut rx: mpsc::UnboundedReceiver<Command>,
    mut ctl: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    let lane = Lane {
        client: &client,
        me: &me,
        d: &d,
        actions: &actions,
    };
    let mut tracker = Tracker::default();
    // Jobs an earlier session left, due now, count as this session's queued writes.
    tracker.advance_horizon(now_unix());
    rebuild(&d.store, &mut tracker, &actions).await;
    report_resumed(&tracker, &actions);
    run_all_due(&lane, &mut ctl, &mut tracker).await;
    loop {
        let wake = tracker.next_due().map(|due| wake_in(due, now_unix()));
        let cmd = tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(c) => c,
                None => return,
            },
            Some(c) = ctl.recv() => {
                if control(c, &d, &mut tracker, &actions).await {
                    run_all_due(&lane, &mut ctl, &mut tracker).await;
                }
                continue;
            }
            () = sleep_for(wake) => {
                if tracker.next_due().is_some_and(|due| due <= now_unix()) {
                    run_all_due(&lane, &mut ctl, &mut tracker).await;
                }
                continue;
            }
        };
        let batch = match cmd {
            Command::UndoLastBatch => queue_undo(&d.store, &actions).await,
            Command::Write(writes) => queue_batch(&d.store, writes, None, &actions).await,
            Command::WriteFor { writes, secs } => {
                queue_batch(&d.store, writes, Some(secs), &actions).await
            }
            _ => None,
        };
        let Some(batch) = batch else { continue };
        rebuild(&d.store, &mut tracker, &actions).await;
        run_open(&lane, VecDeque::from([Some(batch)]), &mut ctl, &mut tracker).await;
    }
}

/// How long to sleep until `due` (Unix seconds) seen at `now`, at most [`WAKE_CHECK`]. Whole
/// seconds from a truncated `now` never wake before the due second.
fn wake_in(due: i64, now: i64) -> Duration {
    Duration::from_secs(due.saturating_sub(now).max(0) as u64).min(WAKE_CHECK)
}

/// Sleeps for `d`, or forever without one.
async fn sleep_for(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Runs every open job due now: writes left open, and the timed jobs whose time came (the
/// runner leaves out, with the reason logged, any whose account changed meanwhile). While the
/// plan holds block writes, only batches of mutes run: a held write would be refused again.
async fn run_all_due(
    lane: &Lane<'_>,
    ctl: &mut mpsc::UnboundedReceiver<Command>,
    tracker: &mut Tracker,
) {
    tracker.advance_horizon(now_unix());
    rebuild(&lane.d.store, tracker, lane.actions).await;
    let runs = if tracker.held.is_some() {
        mute_only_batches(&tracker.unsent_jobs())
            .into_iter()
            .map(Some)
            .collect()
    } else {
        VecDeque::from([None])
    };
    run_open(lane, runs, ctl, tracker).await;
}

/// Queues one confirmation's writes as one batch, with the inverse of each block or mute due in
/// `undo_after` seconds when given; returns the batch id.
async fn queue_batch(
    store: &Store,
    writes: Vec<(Write, String)>,
    undo_after: Option<u64>,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<String> {
    let batch = new_batch_id("tui");
    let mut jobs: Vec<NewJob> = writes
        .iter()
        .map(|(v, id)| NewJob::now(*v, id.clone(), None))
        .collect();
    if let Some(secs) = undo_after {
        let due = now_unix().saturating_add(secs as i64);
        for (v, id) in writes.iter().filter(|(v, _)| *v != Write::Unblock) {
            jobs.extend(inverse_jobs(*v, [(id.clone(), None)], due));
        }
    }
    let b = batch.clone();
    match store.call(move |s| s.enqueue(&b, &jobs)).await {
        Ok(_) => Some(batch),
        Err(e) => {
            let message = sentence(&format!("not queued: {e}"));
            for (verb, id) in writes {
                let _ = actions.send(Action::Failed {
                    verb,
                    id,
                    message: message.clone(),
                });
            }
            None
        }
    }
}

/// Queues the inverse of the last batch that changed something; returns its batch id.
async fn queue_undo(store: &Store, actions: &mpsc::UnboundedSender<Action>) -> Option<String> {
    let say = |text: String, error: bool| {
        let _ = actions.send(Action::Notice { text, error });
    };
    let planned = store
        .call(|s| -> Result<_, undo::UndoError> {
            let Some(plan) = undo::plan(s)? else {
                return Ok(None);
            };
            undo::enqueue(s, &plan)?;
            Ok(Some(plan))
        })
        .await;
    match planned {
        Ok(Some(plan)) => {
            let _ = actions.send(Action::UndoQueued {
                verb: plan.verb(),
                accounts: plan.jobs.len() as u64,
                batch: plan.undo_batch.clone(),
                kept: plan.kept as u64,
            });
            Some(plan.undo_batch)
        }
        Ok(None) => {
            say(
                "Nothing to undo: no write changed anything yet.".into(),
                true,
            );
            None
        }
        Err(e) => {
            say(sentence(&e.to_string()), true);
            None
        }
    }
}

/// Rebuilds the tracker from the database (off the async threads) and reports it.
async fn rebuild(store: &Store, tracker: &mut Tracker, actions: &mpsc::UnboundedSender<Action>) {
    let mut t = std::mem::take(tracker);
    let (t, result) = store
        .call(move |s| {
            let r = t.rebuild(s);
            (t, r)
        })
        .await;
    *tracker = t;
    if let Err(e) = result {
        let _ = actions.send(Action::Notice {
            text: sentence(&format!("The queue could not be read: {e}")),
            error: true,
        });
    }
    report(tracker, actions);
}

/// Tells the app which open jobs an earlier session left that run now (timed ones not due yet
/// wait for their time and are not among them).
fn report_resumed(tracker: &Tracker, actions: &mpsc::UnboundedSender<Action>) {
    let jobs: Vec<(Write, String)> = tracker
        .unsent_jobs()
        .into_iter()
        .map(|j| (j.action, j.target))
        .collect();
    if !jobs.is_empty() {
        let _ = actions.send(Action::Resumed(jobs));
    }
}

fn report(tracker: &Tracker, actions: &mpsc::UnboundedSender<Action>) {
    let _ = actions.send(Action::QueueSnapshot(Box::new(tracker.snapshot())));
}

/// Runs the due open jobs of each of `runs` (a batch, or `None` for all) unless paused; a
/// control command interrupts the run and is applied. Returns when the runs end, are paused or
/// are cancelled.
async fn run_open(
    lane: &Lane<'_>,
    mut runs: VecDeque<Option<String>>,
    ctl: &mut mpsc::UnboundedReceiver<Command>,
    tracker: &mut Tracker,
) {
    let Lane {
        client,
        me,
        d,
        actions,
    } = *lane;
    let mut tried: HashSet<String> = HashSet::new();
    while let Some(batch) = runs.pop_front() {
        if tracker.paused || tracker.unsent() == 0 {
            return;
        }
        if let Some(b) = &batch {
            tried.insert(b.clone());
        }
        tracker.running = true;
        report(tracker, actions);
        let interrupt = tokio::select! {
            _ = run_jobs(client, me, &d.store, batch.as_deref(), tracker, actions) => None,
            Some(c) = ctl.recv() => Some(c),
        };
        tracker.running = false;
        rebuild(&d.store, tracker, actions).await;
        let Some(c) = interrupt else {
            if tracker.held.is_some() {
                // Held blocks and unblocks must not hold up mutes, which every plan allows.
                for b in mute_only_batches(&tracker.unsent_jobs()) {
                    if !tried.contains(&b) && !runs.contains(&Some(b.clone())) {
                        runs.push_back(Some(b));
                    }
                }
            }
            continue;
        };
        if !control(c, d, tracker, actions).await {
            return;
        }
        // Resumed: run everything still open.
        runs = VecDeque::from([None]);
        tried.clear();
    }
}

/// Batches whose open jobs are all mutes or unmutes, oldest first.
fn mute_only_batches(open: &[Job]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut plan_writes: HashSet<String> = HashSet::new();
    for j in open {
        if !order.contains(&j.batch) {
            order.push(j.batch.clone());
        }
        if j.action.needs_full() {
            plan_writes.insert(j.batch.clone());
        }
    }
    order.retain(|b| !plan_writes.contains(b));
    order
}

/// Applies a queue control; returns true when open jobs should run now.
async fn control(
    cmd: Command,
    d: &Durable,
    tracker: &mut Tracker,
    actions: &mpsc::UnboundedSender<Action>,
) -> bool {
    let run = match cmd {
        Command::PauseQueue => {
            tracker.paused = true;
            false
        }
        Command::ResumeQueue => {
            tracker.paused = false;
            tracker.held = None;
            true
        }
        Command::CancelQueue => {
            cancel_open(&d.store, None, actions).await;
            false
        }
        Command::CancelUnsent => {
            cancel_open(&d.store, Some(tracker.horizon), actions).await;
            false
        }
        _ => false,
    };
    rebuild(&d.store, tracker, actions).await;
    run
}

/// Marks every pending job (due by `due_by`, or all) cancelled, each with its log entry, in one
/// transaction. A job left in flight by an interrupted request may already have happened at X:
/// it stays open and is checked at the next run.
async fn cancel_open(store: &Store, due_by: Option<i64>, actions: &mpsc::UnboundedSender<Action>) {
    match store.call(move |s| s.cancel_pending(None, due_by)).await {
        Ok(cancelled) => {
            let jobs = cancelled
                .into_iter()
                .map(|j| (j.action, j.target))
                .collect();
            let _ = actions.send(Action::Cancelled(jobs));
        }
        Err(e) => {
            let _ = actions.send(Action::Notice {
                text: sentence(&format!("Nothing cancelled: {e}")),
                error: true,
            });
        }
    }
}

/// Runs the open jobs (of `batch`, or all), reporting each as `Done` / `Failed`.
async fn run_jobs(
    client: &Client,
    me: &str,
    store: &Store,
    batch: Option<&str>,
    tracker: &mut Tracker,
    actions: &mpsc::UnboundedSender<Action>,
) {
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
        store: store.clone(),
    };
    let stop = AtomicBool::new(false);
    let mut progress = |_: usize, _: usize, job: &Job| {
        tracker.finished(job);
        let _ = actions.send(Action::QueueSnapshot(Box::new(tracker.snapshot())));
        if job.action.needs_full() && job.state == JobState::Done {
            // A block write went through: the plan has them, whatever was known before.
            let _ = actions.send(Action::Capability(Capability::Full));
        }
        let budget = || {
            if let Some(b) = client.budget(job.action.endpoint()) {
                let _ = actions.send(Action::Budget {
                    limit: b.limit,
                    remaining: b.remaining,
                    reset: b.reset,
                });
            }
        };
        if job.due_at.is_some() {
            // A timed job: the app words it (done, or not sent and why).
            let _ = actions.send(Action::TimedFinished(Box::new(job.into())));
            budget();
            return;
        }
        let v = job.action;
        let id = job.target.clone();
        let action = match &job.state {
            JobState::Done => Action::Done { verb: v, id },
            JobState::NotFound => Action::Failed {
                verb: v,
                id,
                message: "X has no such account (or it is suspended).".into(),
            },
            JobState::SkippedSelf => Action::Failed {
                verb: v,
                id,
                message: "That is the signed-in account.".into(),
            },
            JobState::Failed(r) => Action::Failed {
                verb: v,
                id,
                message: sentence(r),
            },
            _ => return,
        };
        let _ = actions.send(action);
        budget();
    };
    let select = Selection {
        batch: batch.map(str::to_string),
        due_by: None,
    };
    let result = runner::run(store, &writer, me, &select, &stop, &mut progress).await;
    let Err(e) = result else { return };
    let message = match &e {
        RunError::Stopped(api) => {
            if api.is_money() {
                let _ = actions.send(Action::MoneyStopped(sentence(&api.user_message())));
            }
            if matches!(api, ApiError::TokenRejected) {
                let _ = actions.send(Action::SignedOut);
            }
            if matches!(api, ApiError::EnterpriseOnly | ApiError::Forbidden { .. }) {
                tracker.held = Some(sentence(&api.user_message()));
                let _ = actions.send(Action::Capability(Capability::ReadOnly {
                    reason: sentence(&api.user_message()),
                }));
            }
            api.user_message()
        }
        other => other.to_string(),
    };
    let open: Vec<Job> = tracker
        .unsent_jobs()
        .into_iter()
        .filter(|j| batch.is_none_or(|b| j.batch == b))
        .collect();
    for job in open {
        let _ = actions.send(Action::Failed {
            verb: job.action,
            id: job.target,
            message: sentence(&format!("{message}; kept in the queue for the next start")),
        });
    }
}
