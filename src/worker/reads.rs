//! The read lane with the local cache: the cached list goes out first (the TUI starts at once),
//! pages load on demand, and once the live list has been paged to the end it is stored as a new
//! sync (keeping each account's `first_seen`), followed by the fresh diff.

use std::collections::HashSet;

use tokio::sync::mpsc;

use super::files::diff_report;
use crate::api::types::User;
use crate::api::Client;
use crate::app::{Action, Command};
use crate::jobs::runner::now_rfc3339;
use crate::store::cache::Cache;

/// Accounts per `CachedList` action: one `update` never holds the UI for long.
const CACHE_SLICE: usize = 5000;

/// Runs page loads and handle lookups in order, feeding and reading `cache` when there is one.
pub(super) async fn lane(
    client: Client,
    me: String,
    cache: Option<Cache>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    actions: mpsc::UnboundedSender<Action>,
) {
    if let Some(c) = cache.clone() {
        let tx = actions.clone();
        tokio::task::spawn_blocking(move || send_cached(&c, &tx));
    }
    let mut paged = PagedList::default();
    while let Some(cmd) = rx.recv().await {
        for action in super::run(&client, &me, cmd).await {
            let finished = match &action {
                Action::PageLoaded {
                    first,
                    users,
                    next_token,
                    ..
                } => paged.add(*first, users, next_token.is_none()),
                _ => None,
            };
            if actions.send(action).is_err() {
                return;
            }
            if let (Some(users), Some(c)) = (finished, cache.clone()) {
                let tx = actions.clone();
                tokio::task::spawn_blocking(move || store(&c, users, &tx));
            }
        }
    }
}

/// The accounts of the live list paged so far (deduplicated by id).
#[derive(Default)]
struct PagedList {
    users: Vec<User>,
    seen: HashSet<String>,
}

impl PagedList {
    /// Adds a page; returns the whole list when it was the last page.
    fn add(&mut self, first: bool, users: &[User], last: bool) -> Option<Vec<User>> {
        if first {
            self.users.clear();
            self.seen.clear();
        }
        for u in users {
            if self.seen.insert(u.id.clone()) {
                self.users.push(u.clone());
            }
        }
        if !last {
            return None;
        }
        self.seen.clear();
        Some(std::mem::take(&mut self.users))
    }
}

fn send_cached(cache: &Cache, tx: &mpsc::UnboundedSender<Action>) {
    match cache.latest() {
        Ok(Some(s)) => {
            let mut rest = s.accounts.into_iter();
            loop {
                let users: Vec<_> = rest.by_ref().take(CACHE_SLICE).collect();
                if users.is_empty() {
                    return;
                }
                let slice = Action::CachedList {
                    synced_at: s.synced_at.clone(),
                    users,
                };
                if tx.send(slice).is_err() {
                    return;
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!("{e}");
            let _ = tx.send(Action::Notice {
                text: format!("The local cache was not used: {e}"),
                error: true,
            });
        }
    }
}

fn store(cache: &Cache, users: Vec<User>, tx: &mpsc::UnboundedSender<Action>) {
    let n = users.len();
    if let Err(e) = cache.store_sync(users, &now_rfc3339()) {
        tracing::warn!("{e}");
        let _ = tx.send(Action::Notice {
            text: format!("The full list could not be cached: {e}"),
            error: true,
        });
        return;
    }
    match diff_report(cache) {
        Ok(report) => {
            let text = if report.previous_at.is_some() {
                format!(
                    "Cached all {n} blocked accounts: {} new, {} gone since the last sync (D shows them).",
                    report.new.len(),
                    report.gone.len()
                )
            } else {
                format!("Cached all {n} blocked accounts; the next full sync shows what changed.")
            };
            let _ = tx.send(Action::Diff(Box::new(report)));
            let _ = tx.send(Action::Notice { text, error: false });
        }
        Err(e) => tracing::warn!("{e}"),
    }
}
