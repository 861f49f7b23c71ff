//! The TUI's write lane over the profile's durable queue: every block, unblock and mute the
//! user confirms is queued (fsynced) before it is sent, logged in the action log, resumed at the
//! next start if the program died mid-way, and undoable with `xblocks undo`. Writes confirmed
//! together (a bulk action over marks) form one batch.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use tokio::sync::mpsc;

use super::tracker::Tracker;
use super::{sentence, Command};
use crate::api::{Client, Endpoint};
use crate::app::{Action, Capability, Verb};
use crate::exit::Exit;
use crate::jobs::api_writer::ApiWriter;
use crate::jobs::runner::{self, new_batch_id};
use crate::jobs::undo;
use crate::store::lock::ProfileLock;
use crate::store::paths::Paths;
use crate::store::queue::{Action as JobAction, Job, JobState, Queue};

/// How long the lane waits after a write command for the rest of its confirmation.
const BATCH_GATHER: std::time::Duration = std::time::Duration::from_millis(50);

/// The profile's queue, action log and lock, held for the TUI's lifetime.
pub struct Durable {
    queue: Queue,
    log: PathBuf,
    _lock: ProfileLock,
}

impl Durable {
    /// Opens the profile's queue, or says why writes will not be durable (another xblocks holds
    /// the profile, or its files cannot be used).
    pub fn open(paths: &Paths) -> Result<Self, String> {
        let lock = ProfileLock::acquire(&paths.profile_dir).map_err(|e| e.message)?;
        let queue = crate::commands::import::open_queue(paths).map_err(|e| e.message)?;
        Ok(Self {
            queue,
            log: paths.profile_dir.join("actions.jsonl"),
            _lock: lock,
        })
    }
}

fn job_action(verb: Verb) -> JobAction {
    match verb {
        Verb::Block => JobAction::Block,
        Verb::Unblock => JobAction::Unblock,
        Verb::Mute => JobAction::Mute,
    }
}

fn verb(action: JobAction) -> Option<Verb> {
    match action {
        JobAction::Block => Some(Verb::Block),
        JobAction::Unblock => Some(Verb::Unblock),
        JobAction::Mute => Some(Verb::Mute),
        JobAction::Unmute => None,
    }
}

fn write_verb(cmd: &Command) -> Option<(Verb, String)> {
    match cmd {
        Command::Block { id } => Some((Verb::Block, id.clone())),
        Command::Unblock { id } => Some((Verb::Unblock, id.clone())),
        Command::Mute { id } => Some((Verb::Mute, id.clone())),
        _ => None,
    }
}

/// Runs write commands through the durable queue, first resuming what an earlier run left open.
/// Queue controls (pause, resume, cancel) arrive on `ctl` and take effect at once, even during a
/// rate-limit wait: a job interrupted in flight is checked against X before it is ever resent.
pub async fn lane(
    client: Client,
    me: String,
    mut d: Durable,
    mut rx: mpsc::UnboundedReceiver<Command>,
    mut ctl: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    let mut tracker = Tracker::default();
    tracker.rebuild(&d.queue);
    report(&tracker, &actions);
    run_open(&client, &me, &mut d, None, &mut ctl, &mut tracker, &actions).await;
    loop {
        let first = tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(c) => c,
                None => return,
            },
            Some(c) = ctl.recv() => {
                if control(c, &mut d, &mut tracker, &actions) {
                    run_open(&client, &me, &mut d, None, &mut ctl, &mut tracker, &actions).await;
                }
                continue;
            }
        };
        // The commands of one confirmation arrive together: gather them into one batch.
        tokio::time::sleep(BATCH_GATHER).await;
        let mut cmds = vec![first];
        while let Ok(more) = rx.try_recv() {
            cmds.push(more);
        }
        if cmds.contains(&Command::UndoLastBatch) {
            if let Some(undo_batch) = queue_undo(&mut d, &actions) {
                tracker.rebuild(&d.queue);
                report(&tracker, &actions);
                run_open(
                    &client,
                    &me,
                    &mut d,
                    Some(&undo_batch),
                    &mut ctl,
                    &mut tracker,
                    &actions,
                )
                .await;
            }
            cmds.retain(|c| *c != Command::UndoLastBatch);
            if cmds.is_empty() {
                continue;
            }
        }
        let batch = new_batch_id("tui");
        for v in [Verb::Block, Verb::Unblock, Verb::Mute] {
            let targets: Vec<(String, Option<String>)> = cmds
                .iter()
                .filter_map(write_verb)
                .filter(|(cv, _)| *cv == v)
                .map(|(_, id)| (id, None))
                .collect();
            if targets.is_empty() {
                continue;
            }
            if let Err(e) = d.queue.enqueue(&batch, job_action(v), &targets) {
                for (id, _) in targets {
                    let message = sentence(&format!("not queued: {e}"));
                    let _ = actions.send(Action::Failed {
                        verb: v,
                        id,
                        message,
                    });
                }
            }
        }
        tracker.rebuild(&d.queue);
        report(&tracker, &actions);
        run_open(
            &client,
            &me,
            &mut d,
            Some(&batch),
            &mut ctl,
            &mut tracker,
            &actions,
        )
        .await;
    }
}

/// Queues the inverse of the last batch that changed something; returns its batch id.
fn queue_undo(d: &mut Durable, actions: &mpsc::UnboundedSender<Action>) -> Option<String> {
    let say = |text: String, error: bool| {
        let _ = actions.send(Action::Notice { text, error });
    };
    let entries = match crate::store::action_log::read(&d.log) {
        Ok(e) => e,
        Err(e) => {
            say(format!("Could not read the action log: {e}"), true);
            return None;
        }
    };
    let Some(mut plan) = undo::plan(&entries) else {
        say(
            "Nothing to undo: no write changed anything yet.".into(),
            true,
        );
        return None;
    };
    let kept = d
        .log
        .parent()
        .and_then(|dir| crate::store::db::Store::open_existing(dir).ok().flatten())
        .and_then(|s| s.kept().ok())
        .unwrap_or_default();
    let skipped = plan.skip_kept(&kept);
    if let Err(e) = undo::enqueue(&mut d.queue, &plan) {
        say(sentence(&e.to_string()), true);
        return None;
    }
    say(
        format!(
            "Undo queued: {} {} account{} (batch {}){}; Q shows progress.",
            plan.verb(),
            plan.jobs.len(),
            if plan.jobs.len() == 1 { "" } else { "s" },
            plan.undo_batch,
            if skipped > 0 {
                format!(", {skipped} on the keep list left blocked")
            } else {
                String::new()
            }
        ),
        false,
    );
    Some(plan.undo_batch)
}

fn report(tracker: &Tracker, actions: &mpsc::UnboundedSender<Action>) {
    let _ = actions.send(Action::QueueSnapshot(Box::new(tracker.snapshot())));
}

/// Runs the open jobs (of `batch`, or all) unless paused; a control command interrupts the run
/// and is applied. Returns when the run ends, is paused or is cancelled.
async fn run_open(
    client: &Client,
    me: &str,
    d: &mut Durable,
    batch: Option<&str>,
    ctl: &mut mpsc::UnboundedReceiver<Command>,
    tracker: &mut Tracker,
    actions: &mpsc::UnboundedSender<Action>,
) {
    let mut runs: VecDeque<Option<String>> = VecDeque::from([batch.map(str::to_string)]);
    let mut tried: HashSet<String> = HashSet::new();
    while let Some(batch) = runs.pop_front() {
        if tracker.paused || d.queue.open_jobs().next().is_none() {
            return;
        }
        if let Some(b) = &batch {
            tried.insert(b.clone());
        }
        tracker.running = true;
        report(tracker, actions);
        let interrupt = tokio::select! {
            _ = run_jobs(client, me, d, batch.as_deref(), tracker, actions) => None,
            Some(c) = ctl.recv() => Some(c),
        };
        tracker.running = false;
        tracker.rebuild(&d.queue);
        let Some(c) = interrupt else {
            report(tracker, actions);
            if tracker.held.is_some() {
                // Held blocks and unblocks must not hold up mutes, which every plan allows.
                for b in mute_only_batches(&d.queue) {
                    if !tried.contains(&b) && !runs.contains(&Some(b.clone())) {
                        runs.push_back(Some(b));
                    }
                }
            }
            continue;
        };
        if !control(c, d, tracker, actions) {
            return;
        }
        // Resumed: run everything still open.
        runs = VecDeque::from([None]);
        tried.clear();
    }
}

/// Batches whose open jobs are all mutes or unmutes, oldest first.
fn mute_only_batches(queue: &Queue) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut plan_writes: HashSet<String> = HashSet::new();
    for j in queue.open_jobs() {
        if !order.contains(&j.batch) {
            order.push(j.batch.clone());
        }
        if matches!(j.action, JobAction::Block | JobAction::Unblock) {
            plan_writes.insert(j.batch.clone());
        }
    }
    order.retain(|b| !plan_writes.contains(b));
    order
}

/// Applies a queue control; returns true when open jobs should run now.
fn control(
    cmd: Command,
    d: &mut Durable,
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
            cancel_open(d, actions);
            false
        }
        _ => false,
    };
    tracker.rebuild(&d.queue);
    report(tracker, actions);
    run
}

/// Marks every pending job cancelled (synced and logged). A job left in flight by an interrupted
/// request may already have happened at X: it stays open and is checked at the next run.
fn cancel_open(d: &mut Durable, actions: &mpsc::UnboundedSender<Action>) {
    let pending: Vec<Job> = d
        .queue
        .open_jobs()
        .filter(|j| j.state == JobState::Pending)
        .cloned()
        .collect();
    let ids: Vec<u64> = pending.iter().map(|j| j.id).collect();
    if let Err(e) = d.queue.set_many(&ids, JobState::Cancelled) {
        let _ = actions.send(Action::Notice {
            text: sentence(&format!("Nothing cancelled: {e}")),
            error: true,
        });
        return;
    }
    let entries: Vec<_> = pending
        .iter()
        .map(|j| {
            let mut j = j.clone();
            j.state = JobState::Cancelled;
            runner::log_entry(&j)
        })
        .collect();
    if let Err(e) = crate::store::action_log::append_all(&d.log, &entries) {
        tracing::warn!("cannot append to the action log {}: {e}", d.log.display());
    }
    let cancelled = pending
        .into_iter()
        .filter_map(|j| verb(j.action).map(|v| (v, j.target)))
        .collect();
    let _ = actions.send(Action::Cancelled(cancelled));
}

/// Runs the open jobs (of `batch`, or all), reporting each as `Done` / `Failed`.
async fn run_jobs(
    client: &Client,
    me: &str,
    d: &mut Durable,
    batch: Option<&str>,
    tracker: &mut Tracker,
    actions: &mpsc::UnboundedSender<Action>,
) {
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
    };
    let stop = AtomicBool::new(false);
    let mut progress = |_: usize, _: usize, job: &Job| {
        tracker.finished(job);
        let _ = actions.send(Action::QueueSnapshot(Box::new(tracker.snapshot())));
        let Some(v) = verb(job.action) else { return };
        let id = job.target.clone();
        if v.needs_full() && job.state == JobState::Done {
            // A block write went through: the plan has them, whatever was known before.
            let _ = actions.send(Action::Capability(Capability::Full));
        }
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
        let endpoint = match v {
            Verb::Block => Endpoint::Block,
            Verb::Unblock => Endpoint::Unblock,
            Verb::Mute => Endpoint::Mute,
        };
        if let Some(b) = client.budget(endpoint) {
            let _ = actions.send(Action::Budget {
                limit: b.limit,
                remaining: b.remaining,
                reset: b.reset,
            });
        }
    };
    let result = runner::run(
        &mut d.queue,
        &writer,
        me,
        batch,
        &d.log,
        &stop,
        &mut progress,
    )
    .await;
    if let Err(e) = result {
        if e.code == Exit::Money {
            let _ = actions.send(Action::MoneyStopped(sentence(&e.message)));
        }
        if e.code == Exit::Forbidden {
            tracker.held = Some(sentence(&e.message));
            let _ = actions.send(Action::Capability(Capability::ReadOnly {
                reason: sentence(&e.message),
            }));
        }
        let open: Vec<_> = d
            .queue
            .open_jobs()
            .filter(|j| batch.is_none_or(|b| j.batch == b))
            .cloned()
            .collect();
        for job in open {
            let Some(v) = verb(job.action) else { continue };
            let _ = actions.send(Action::Failed {
                verb: v,
                id: job.target,
                message: sentence(&format!(
                    "{}; kept in the queue for the next start",
                    e.message
                )),
            });
        }
    }
}
