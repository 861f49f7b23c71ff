//! The network worker: owns the API client, takes [`Command`]s over a channel and sends results
//! back as [`Action`]s. The UI never awaits the network.
//!
//! Two lanes run side by side so a rate-limit wait on one never holds up the other: reads (pages,
//! handle lookups) and writes (block, unblock, mute, in order, paced by the client's budgets). The
//! client's [`RateEvent`]s are forwarded as `RateWaiting` / `RateResumed`.

pub mod durable;
mod files;
mod notes;
mod pinned;
mod reads;
pub mod sign_in;
mod spend;
mod sync_lane;
mod tracker;

use tokio::sync::{broadcast, mpsc};

use crate::api::price::{Prices, Usd};
use crate::api::{ApiError, Capability as ApiCapability, Client, RateEvent};
pub use crate::app::Command;
use crate::app::{Action, Capability};
pub use reads::send_stored;

/// Starts the worker for the account `me_id`; results go to `actions`. Returns the command
/// sender (dropping it stops the worker once queued work is done). With `durable`, writes go
/// through the profile's durable queue and action log (see [`durable`]).
pub fn spawn(
    client: Client,
    me_id: String,
    actions: mpsc::UnboundedSender<Action>,
    durable: Option<durable::Durable>,
) -> mpsc::UnboundedSender<Command> {
    spawn_with(client, me_id, actions, durable, None)
}

/// The profile folder the worker reads and writes, with the money rules of its reads.
#[derive(Debug, Clone)]
pub struct Local {
    /// The profile folder: its database and action log.
    pub dir: std::path::PathBuf,
    /// `[billing]` prices of what reads return.
    pub prices: Prices,
    /// `[billing] daily_cap`: a page or lookup whose worst case could cross it is not sent.
    pub daily_cap: Option<Usd>,
}

impl Local {
    /// `dir` with the default prices and no daily cap.
    pub fn new(dir: impl Into<std::path::PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            prices: Prices::default(),
            daily_cap: None,
        }
    }
}

/// [`spawn`], with the profile folder `local`: its database (the stored list sent first, live
/// pages saved as a sync and counted as spent today, diffed) and the action log for the history
/// view.
pub fn spawn_with(
    client: Client,
    me_id: String,
    actions: mpsc::UnboundedSender<Action>,
    durable: Option<durable::Durable>,
    local: Option<Local>,
) -> mpsc::UnboundedSender<Command> {
    let files_actions = actions.clone();
    let plan_client = client.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    let (read_tx, read_rx) = mpsc::unbounded_channel::<Command>();
    let (write_tx, write_rx) = mpsc::unbounded_channel::<Command>();
    let (ctl_tx, ctl_rx) = mpsc::unbounded_channel::<Command>();

    tokio::spawn(forward_rate_events(client.rate_events(), actions.clone()));
    grant_capability(&client, &actions);
    let (read_client, read_me, read_actions) = (client.clone(), me_id.clone(), actions.clone());
    let profile_dir = local.as_ref().map(|l| l.dir.clone());
    tokio::spawn(async move {
        let store = match local {
            Some(l) => open_store(l.dir.clone(), &read_actions)
                .await
                .map(|s| (s, l)),
            None => None,
        };
        reads::lane(read_client, read_me, store, read_rx, read_actions).await;
    });
    match durable {
        Some(d) => tokio::spawn(durable::lane(client, me_id, d, write_rx, ctl_rx, actions)),
        None => tokio::spawn(lane(client, me_id, write_rx, actions)),
    };
    tokio::spawn(async move {
        while let Some(cmd) = rx.recv().await {
            let lane = match cmd {
                Command::Write(_) | Command::WriteFor { .. } | Command::UndoLastBatch => &write_tx,
                Command::LoadHistory | Command::LoadDiff => {
                    files::load(cmd, profile_dir.clone(), files_actions.clone());
                    continue;
                }
                Command::PlanSync { full, prices } => {
                    // From the database alone: never behind a page load or a retry.
                    let (c, dir, tx) = (
                        plan_client.clone(),
                        profile_dir.clone(),
                        files_actions.clone(),
                    );
                    tokio::spawn(async move {
                        let _ = tx.send(sync_lane::plan(&c, dir, full, &prices).await);
                    });
                    continue;
                }
                Command::PauseQueue
                | Command::ResumeQueue
                | Command::CancelQueue
                | Command::CancelUnsent => {
                    // Without a durable queue nobody listens: the control is dropped.
                    let _ = ctl_tx.send(cmd);
                    continue;
                }
                _ => &read_tx,
            };
            if lane.send(cmd).is_err() {
                break;
            }
        }
    });
    tx
}

/// Opens the profile database off the async threads; a failure is told once and the session
/// goes on without it.
async fn open_store(
    dir: std::path::PathBuf,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<crate::store::db::Store> {
    let opened = tokio::task::spawn_blocking(move || crate::store::db::Store::open(&dir)).await;
    match opened {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            tracing::warn!("{e}");
            let _ = actions.send(Action::Notice {
                text: format!("The local database was not used: {e}"),
                error: true,
            });
            None
        }
        Err(_) => None,
    }
}

async fn forward_rate_events(
    mut events: broadcast::Receiver<RateEvent>,
    actions: mpsc::UnboundedSender<Action>,
) {
    loop {
        let action = match events.recv().await {
            Ok(RateEvent::Waiting {
                endpoint,
                until,
                bad_reset,
            }) => Action::RateWaiting {
                endpoint,
                until,
                bad_reset,
            },
            Ok(RateEvent::Resumed { endpoint }) => Action::RateResumed { endpoint },
            // The TUI says "cannot reach the X API" when the request finally fails.
            Ok(RateEvent::Retrying { .. }) => continue,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if actions.send(action).is_err() {
            return;
        }
    }
}

/// What the sign-in alone tells about the capability; no probe write is ever sent here (the
/// capability learned at sign-in comes from the database, and every write's answer updates it).
fn grant_capability(client: &Client, actions: &mpsc::UnboundedSender<Action>) {
    if let Some(cap) = client.capability_from_grant() {
        let _ = actions.send(Action::Capability(app_capability(cap)));
    }
}

/// The API's capability as the TUI shows it.
pub fn app_capability(cap: ApiCapability) -> Capability {
    match cap {
        ApiCapability::Full => Capability::Full,
        ApiCapability::ReadOnly { reason } => Capability::ReadOnly {
            reason: sentence(&reason),
        },
        ApiCapability::Unknown { .. } => Capability::Unknown,
    }
}

/// Runs the commands of one lane in order.
async fn lane(
    client: Client,
    me: String,
    mut rx: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    while let Some(cmd) = rx.recv().await {
        for action in run(&client, &me, cmd).await {
            if actions.send(action).is_err() {
                return;
            }
        }
    }
}

/// Ends `text` with a period.
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with('.') {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Runs one command against the API and describes the outcome as actions.
pub async fn run(client: &Client, me: &str, cmd: Command) -> Vec<Action> {
    match cmd {
        Command::LoadNextPage { token } => page(client, me, token).await,
        Command::Refresh => {
            // The user asks again: after a top-up, requests go out again.
            client.clear_halt();
            page(client, me, None).await
        }
        Command::Reconnect { token } => {
            if client.reload_sign_in().await {
                tracing::info!("using the new sign-in from the token file");
            }
            page(client, me, token).await
        }
        Command::LoadPinned { id, .. } => match client.pinned_post(&id).await {
            Ok(post) => vec![Action::PinnedLoaded {
                id,
                text: post.map(|p| p.text),
            }],
            Err(e) if e.is_money() => vec![Action::MoneyStopped(sentence(&e.user_message()))],
            Err(e) => vec![Action::Notice {
                text: sentence(&format!(
                    "The pinned post was not loaded: {}",
                    e.user_message()
                )),
                error: true,
            }],
        },
        Command::ResolveHandle { handle } => {
            match client
                .users_by_usernames(std::slice::from_ref(&handle))
                .await
            {
                Ok(lookup) => match lookup.found.into_iter().next() {
                    Some(user) => vec![Action::Resolved(Box::new(user))],
                    None => vec![Action::ResolveFailed {
                        handle,
                        message: "X has no such account (or it is suspended); check the spelling."
                            .into(),
                    }],
                },
                Err(e) => vec![Action::ResolveFailed {
                    handle,
                    message: sentence(&e.user_message()),
                }],
            }
        }
        // Without the durable queue no write is taken: it could not be made durable.
        Command::Write(writes) | Command::WriteFor { writes, .. } => writes
            .into_iter()
            .map(|(verb, id)| Action::Failed {
                verb,
                id,
                message: "Not sent: this session has no durable queue (read-only viewer).".into(),
            })
            .collect(),
        Command::SignIn
        | Command::PauseQueue
        | Command::ResumeQueue
        | Command::CancelQueue
        | Command::CancelUnsent
        | Command::LoadHistory
        | Command::UndoLastBatch
        | Command::LoadDiff
        | Command::Sync { .. }
        | Command::PlanSync { .. }
        | Command::SaveNote { .. }
        | Command::SaveTags { .. }
        | Command::SetKept { .. } => Vec::new(),
    }
}

async fn page(client: &Client, me: &str, token: Option<String>) -> Vec<Action> {
    let first = token.is_none();
    match client.blocking_page(me, token.as_deref()).await {
        Ok(p) => vec![Action::PageLoaded {
            first,
            users: p.users,
            pinned: p.pinned,
            next_token: p.next_token,
        }],
        Err(e) if e.is_money() => vec![Action::MoneyStopped(sentence(&e.user_message()))],
        Err(ApiError::TokenRejected) => vec![Action::SignedOut],
        Err(e) => vec![Action::PageFailed(sentence(&e.user_message()))],
    }
}
