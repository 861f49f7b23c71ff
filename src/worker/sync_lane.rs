//! Syncs the TUI asks for (the top-up at start, `r`, `R`), run on the read lane against the
//! profile database; each stored page goes to the list, the end (or why it stopped) to the
//! status bar. A full sync's plan is worked out first, from the database alone.

use tokio::sync::mpsc;

use super::sentence;
use crate::api::price::{Caps, Prices, Usd};
use crate::api::{ApiError, Client, Endpoint};
use crate::app::sync_status::SyncPlan;
use crate::app::Action;
use crate::store::db::Store;
use crate::sync::plan::Facts;
use crate::sync::{Plan, SyncError};

/// The plan of a sync at the prices of `[billing]`, from the database in the profile folder
/// `dir` and the read budget last reported: no request is sent.
pub(super) async fn plan(
    client: &Client,
    dir: Option<std::path::PathBuf>,
    full: bool,
    prices: &Prices,
) -> Action {
    let Some(dir) = dir else {
        return Action::Notice {
            text: "No full sync: this session has no profile folder.".into(),
            error: true,
        };
    };
    let read = tokio::task::spawn_blocking(move || {
        Store::open_existing(&dir)?
            .map(|s| Facts::read(&s))
            .transpose()
    })
    .await;
    match read {
        Ok(Ok(facts)) => {
            let facts = facts.unwrap_or_default();
            let plan = Plan::new(
                full || !facts.complete,
                facts.listed,
                facts.seen_today,
                prices,
                client.budget(Endpoint::Blocking),
                std::time::SystemTime::now(),
            );
            Action::SyncPlanned(SyncPlan { plan, facts })
        }
        Ok(Err(e)) => Action::Notice {
            text: sentence(&format!("No plan: {e}")),
            error: true,
        },
        Err(_) => Action::Notice {
            text: "No plan: the database could not be read.".into(),
            error: true,
        },
    }
}

/// Runs one sync and reports it as actions.
pub(super) async fn run(
    client: &Client,
    me: &str,
    store: &Store,
    full: bool,
    prices: Prices,
    daily_cap: Option<Usd>,
    actions: &mpsc::UnboundedSender<Action>,
) {
    let spent_before = store
        .call(|s| s.spent_today())
        .await
        .map(Usd::from_dollars)
        .unwrap_or_default();
    let mut caps = Caps {
        daily_cap,
        spent_before,
        ..Caps::default()
    };
    let tx = actions.clone();
    let mut on_page = |o: &crate::sync::Outcome, users: &[crate::api::types::User]| {
        let _ = tx.send(Action::SyncPage {
            pages: o.requests,
            accounts: o.accounts,
            users: users.to_vec(),
        });
        let _ = tx.send(Action::SpentToday(spent_before.plus(o.cost)));
    };
    // Says `offline` as soon as a connection fails, not only after the retries give up.
    let watch = tokio::spawn(watch_reachable(client.clone(), actions.clone()));
    let result = crate::sync::sync(client, me, store, full, &prices, &mut caps, &mut on_page).await;
    watch.abort();
    let action = match result {
        Ok(o) => Action::SyncFinished {
            full,
            new: o.new,
            gone_ids: if full {
                store
                    .call(|s| s.gone_in_last_full_sync())
                    .await
                    .unwrap_or_default()
            } else {
                Vec::new()
            },
            cost: o.cost,
        },
        Err(SyncError::Cap(stop, _)) => Action::SyncFailed {
            message: sentence(&format!("Sync stopped: {stop}")),
            offline: false,
        },
        Err(SyncError::Api(e, _)) if e.is_money() => {
            Action::MoneyStopped(sentence(&e.user_message()))
        }
        Err(SyncError::Api(e, _)) => Action::SyncFailed {
            offline: matches!(e, ApiError::Network(_)),
            message: sentence(&e.user_message()),
        },
        Err(SyncError::Db(e)) => Action::SyncFailed {
            message: sentence(&e.to_string()),
            offline: false,
        },
    };
    let _ = actions.send(action);
}

/// Reports each change of reachability while a sync runs.
async fn watch_reachable(client: Client, actions: mpsc::UnboundedSender<Action>) {
    let mut last = client.reachable();
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = client.reachable();
        if now != last {
            if let Some(yes) = now {
                if actions.send(Action::Reachable(yes)).is_err() {
                    return;
                }
            }
            last = now;
        }
    }
}
