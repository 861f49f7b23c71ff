//! The TUI's write lane over the profile's durable queue: every block, unblock and mute the
//! user confirms is queued (fsynced) before it is sent, logged in the action log, resumed at the
//! next start if the program died mid-way, and undoable with `xblocks undo`. Writes confirmed
//! together (a bulk action over marks) form one batch.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use tokio::sync::mpsc;

use super::{sentence, Command};
use crate::api::{Client, Endpoint};
use crate::app::{Action, Capability, Verb};
use crate::exit::Exit;
use crate::jobs::api_writer::ApiWriter;
use crate::jobs::runner::{self, new_batch_id};
use crate::store::lock::ProfileLock;
use crate::store::paths::Paths;
use crate::store::queue::{Action as JobAction, JobState, Queue};

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
pub async fn lane(
    client: Client,
    me: String,
    mut d: Durable,
    mut rx: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    run_jobs(&client, &me, &mut d, None, &actions).await;
    while let Some(first) = rx.recv().await {
        // The commands of one confirmation arrive together: gather them into one batch.
        tokio::time::sleep(BATCH_GATHER).await;
        let mut cmds = vec![first];
        while let Ok(more) = rx.try_recv() {
            cmds.push(more);
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
        run_jobs(&client, &me, &mut d, Some(&batch), &actions).await;
    }
}

/// Runs the open jobs (of `batch`, or all), reporting each as `Done` / `Failed`.
async fn run_jobs(
    client: &Client,
    me: &str,
    d: &mut Durable,
    batch: Option<&str>,
    actions: &mpsc::UnboundedSender<Action>,
) {
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
    };
    let stop = AtomicBool::new(false);
    let mut progress = |_: usize, _: usize, job: &crate::store::queue::Job| {
        let Some(v) = verb(job.action) else { return };
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
        if e.code == Exit::Forbidden {
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
