//! The read lane with the profile database: the stored list goes out first (the TUI starts at
//! once), pages load on demand, and each page of a live read from the top is upserted as part of
//! a full sync (keeping each account's `first_seen`); once the list has been paged to the end the
//! sync is finished (accounts not listed are marked gone), followed by the fresh diff.

use tokio::sync::mpsc;

use super::files::diff_report;
use super::{sentence, Local};
use crate::api::price::{CapStop, Usd};
use crate::api::Client;
use crate::app::{Action, Command};
use crate::store::db::{self, Store, SyncId, SyncKind, SyncTotals};

/// Accounts a lazily loaded page asks X for (`max_results`): its worst case under the cap.
const PAGE: u32 = 1000;
/// Accounts of the first `CachedList`: more than a screen, read without the whole list.
const FIRST_SLICE: usize = 500;
/// Accounts per `CachedList` action: one `update` never holds the UI for long.
const CACHE_SLICE: usize = 5000;

/// A live read of the list from the top, recorded as a full sync.
struct Reading {
    id: SyncId,
    totals: SyncTotals,
}

/// Runs page loads and handle lookups in order, feeding and reading the profile's store when
/// there is one (then each page and lookup is admitted under the daily cap and its cost
/// recorded as spent today).
pub(super) async fn lane(
    client: Client,
    me: String,
    local: Option<(Store, Local)>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    let store = local.as_ref().map(|(s, _)| s.clone());
    if let Some(s) = store.clone() {
        let tx = actions.clone();
        tokio::task::spawn_blocking(move || {
            send_stored(&s, &tx);
            super::notes::send(&s, &tx);
        });
    }
    if let Some(s) = &store {
        if let Ok(spent) = s.call(|s| s.spent_today()).await {
            let _ = actions.send(Action::SpentToday(Usd::from_dollars(spent)));
        }
    }
    let mut reading: Option<Reading> = None;
    while let Some(cmd) = rx.recv().await {
        if let (
            Command::Sync {
                full,
                prices,
                daily_cap,
            },
            Some(s),
        ) = (&cmd, &store)
        {
            // The user asks again: after a top-up at console.x.com, requests go out again.
            client.clear_halt();
            super::sync_lane::run(&client, &me, s, *full, *prices, *daily_cap, &actions).await;
            continue;
        }
        if let (
            Command::LoadPinned {
                cost, daily_cap, ..
            },
            Some(s),
        ) = (&cmd, &store)
        {
            let (cost, daily_cap) = (*cost, *daily_cap);
            for action in super::pinned::load(&client, &me, s, cmd, cost, daily_cap).await {
                let _ = actions.send(action);
            }
            continue;
        }
        if super::notes::is_note(&cmd) {
            if let Some(s) = store.clone() {
                let tx = actions.clone();
                s.call(move |s| super::notes::save(s, &cmd, &tx)).await;
            } else {
                let _ = actions.send(Action::Notice {
                    text: "Without the local database, notes, tags and the keep list last only this session.".into(),
                    error: true,
                });
            }
            continue;
        }
        let spent_before = match (&local, worst_case(&cmd, &local)) {
            (Some((s, l)), Some(worst)) => match super::spend::admit(s, l.daily_cap, worst).await {
                (spent, Ok(())) => Some(spent),
                (_, Err(stop)) => {
                    let _ = actions.send(refused(&cmd, &stop));
                    continue;
                }
            },
            _ => None,
        };
        for action in super::run(&client, &me, cmd).await {
            let page = match &action {
                Action::PageLoaded {
                    first,
                    users,
                    next_token,
                    ..
                } => Some((*first, users.clone(), next_token.is_none())),
                _ => None,
            };
            let looked_up = matches!(action, Action::Resolved(_));
            if actions.send(action).is_err() {
                return;
            }
            let (Some((s, l)), Some(spent)) = (&local, spent_before) else {
                continue;
            };
            if looked_up {
                let cost = l.prices.lookup(1);
                let _ = actions.send(super::spend::record(s, spent, cost).await);
                continue;
            }
            let Some((first, users, last)) = page else {
                continue;
            };
            let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
            let seen_today = s.call(move |s| s.seen_today_of(&ids)).await.unwrap_or(0);
            let cost = l.prices.accounts(users.len() as u64, seen_today);
            let _ = actions.send(super::spend::record(s, spent, cost).await);
            let before = if first { None } else { reading.take() };
            if !first && before.is_none() {
                // Not part of a read from the top (e.g. one after a failed save): not recorded.
                continue;
            }
            let tx = actions.clone();
            reading = s
                .call(move |s| record_page(s, before, users, last, &tx))
                .await;
        }
    }
}

/// The worst case of a billed read `cmd` asks for, when the profile's store counts money.
fn worst_case(cmd: &Command, local: &Option<(Store, Local)>) -> Option<Usd> {
    let (_, l) = local.as_ref()?;
    match cmd {
        Command::LoadNextPage { .. } | Command::Refresh | Command::Reconnect { .. } => {
            Some(l.prices.page(u64::from(PAGE)))
        }
        Command::ResolveHandle { .. } => Some(l.prices.lookup(1)),
        _ => None,
    }
}

/// What the app is told when the daily cap keeps `cmd` from being sent.
fn refused(cmd: &Command, stop: &CapStop) -> Action {
    match cmd {
        Command::ResolveHandle { handle } => Action::ResolveFailed {
            handle: handle.clone(),
            message: sentence(&format!("Not looked up: {stop}")),
        },
        // Paging pauses (as after a failed page) until the user asks again with `r`.
        _ => Action::PageFailed(sentence(&format!("The next page was not loaded: {stop}"))),
    }
}

/// Upserts one page of a live read; starts the sync on a first page and finishes it on the
/// last. Returns the read still going on.
fn record_page(
    s: &Store,
    reading: Option<Reading>,
    users: Vec<crate::api::types::User>,
    last: bool,
    tx: &mpsc::UnboundedSender<Action>,
) -> Option<Reading> {
    let fail = |e: db::DbError| {
        tracing::warn!("{e}");
        let _ = tx.send(Action::Notice {
            text: format!("The list was not saved in the local database: {e}"),
            error: true,
        });
        None
    };
    let mut r = match reading {
        Some(r) => r,
        None => match s.begin_sync(SyncKind::Full) {
            Ok(id) => Reading {
                id,
                totals: SyncTotals::default(),
            },
            Err(e) => return fail(e),
        },
    };
    if let Err(e) = s.upsert_page(r.id, r.totals.accounts, &users) {
        return fail(e);
    }
    r.totals.requests += 1;
    r.totals.accounts += users.len() as u64;
    if !last {
        return Some(r);
    }
    if let Err(e) = s.finish_sync(r.id, r.totals) {
        return fail(e);
    }
    match diff_report(s) {
        Ok(report) => {
            let _ = tx.send(Action::Diff(Box::new(report)));
            let _ = tx.send(Action::CachedAll {
                accounts: r.totals.accounts,
            });
        }
        Err(e) => tracing::warn!("{e}"),
    }
    None
}

/// Sends the stored list, newest block first, in slices as the database reads them: the first
/// screen at once (the first frame does not wait for the rest), then [`CACHE_SLICE`] accounts
/// per action, each applied by the app while the next is read.
pub fn send_stored(store: &Store, tx: &mpsc::UnboundedSender<Action>) {
    let streamed = store.last_sync().and_then(|last| {
        let synced_at = last
            .and_then(|s| s.finished)
            .map(db::rfc3339)
            .unwrap_or_default();
        store.load_listed_in(FIRST_SLICE, CACHE_SLICE, |accounts| {
            let slice = Action::CachedList {
                synced_at: synced_at.clone(),
                accounts,
            };
            tx.send(slice).is_ok()
        })
    });
    if let Err(e) = streamed {
        tracing::warn!("{e}");
        let _ = tx.send(Action::Notice {
            text: format!("The local database was not used: {e}"),
            error: true,
        });
    }
}
