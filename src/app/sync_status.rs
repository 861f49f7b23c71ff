//! What the status bar says about the local database and money: the sync state (`synced 3m
//! ago`, `syncing 12/50`, `offline`), money spent today, and a money stop (X's 402 or usage cap)
//! after which the worker sends nothing more.

use std::time::SystemTime;

use super::action::Command;
use super::list::{keep_cursor_visible, rebuild_view};
use super::state::{Message, SortKey, State};
use crate::api::price::{Prices, Usd};
use crate::api::types::User;

/// Where the list shown stands against X.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPhase {
    /// Nothing known yet (no database, no answer).
    #[default]
    Unknown,
    /// X could not be reached: the list is the database's.
    Offline,
    /// A sync is reading pages: `done` of at most `of` (when known).
    Syncing {
        /// Pages read so far.
        done: u64,
        /// Pages at most, when the plan knows.
        of: Option<u64>,
    },
    /// The database matched X at this time.
    Synced {
        /// When the last sync ended.
        at: SystemTime,
    },
}

/// The sync and money part of the state.
#[derive(Debug, Clone, Default)]
pub struct SyncStatus {
    /// The sync state.
    pub phase: SyncPhase,
    /// When the last full sync ended (the only one that notices unblocks made elsewhere).
    pub last_full: Option<SystemTime>,
    /// Money spent this UTC day (from the database, plus this session's requests).
    pub spent_today: Usd,
    /// X's 402 or usage cap: why nothing more is sent (already says what to do).
    pub money_stop: Option<String>,
    /// The database held the list at start: the TUI tops it up instead of paging from X, and
    /// live pages merge into it.
    pub offline_first: bool,
    /// Accounts a sync found new, newest block first (shown above the stored list).
    pub front: Vec<u32>,
    /// `[billing]` prices, for the syncs the TUI starts.
    pub prices: Prices,
    /// `[billing] daily_cap`.
    pub daily_cap: Option<Usd>,
}

impl SyncStatus {
    /// The command for a sync (top-up, or every page with `full`).
    pub fn command(&self, full: bool) -> Command {
        Command::Sync {
            full,
            prices: self.prices,
            daily_cap: self.daily_cap,
        }
    }
}

/// Starts a sync from the database's list: a top-up at start and on `r`.
pub(super) fn start_sync(state: &mut State, full: bool) -> Command {
    state.snapshots.sync.phase = SyncPhase::Syncing { done: 0, of: None };
    state.snapshots.sync.money_stop = None;
    state.snapshots.sync.command(full)
}

/// A page of a sync was stored: accounts the list does not show yet join it at the top (after
/// those earlier pages of the sync added); the selection stays on the same account.
pub(super) fn on_page(state: &mut State, pages: u64, users: Vec<User>) {
    state.snapshots.sync.phase = SyncPhase::Syncing {
        done: pages,
        of: None,
    };
    let now = state
        .now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let added: Vec<u32> = users
        .iter()
        .filter_map(|u| state.insert_user(u, None, now))
        .collect();
    if added.is_empty() {
        return;
    }
    let at = state.snapshots.sync.front.len();
    state.snapshots.sync.front.extend(&added);
    state.started = true;
    let plain = state.sort == SortKey::Loaded && !state.reversed && state.query.is_empty();
    if plain {
        let at = at.min(state.view.len());
        state.view.splice(at..at, added.iter().copied());
        if state.cursor >= at && state.view.len() > added.len() {
            state.cursor += added.len();
        }
        keep_cursor_visible(state);
    } else {
        rebuild_view(state);
    }
}

/// A sync's connection failed (it keeps retrying) or came back.
pub(super) fn on_reachable(state: &mut State, yes: bool) {
    let s = &mut state.snapshots.sync;
    s.phase = match (yes, s.phase) {
        (false, _) => SyncPhase::Offline,
        (true, SyncPhase::Offline) => SyncPhase::Syncing { done: 0, of: None },
        (true, p) => p,
    };
}

/// A sync ended.
pub(super) fn on_finished(state: &mut State, full: bool, new: u64, gone: u64, cost: Usd) {
    let now = state.now;
    let s = &mut state.snapshots.sync;
    s.phase = SyncPhase::Synced { at: now };
    if full {
        s.last_full = Some(now);
    }
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let text = if full {
        format!(
            "Full sync done: {new} new block{}, {gone} gone (D shows them); about {cost}.",
            plural(new)
        )
    } else if new == 0 {
        format!("Up to date: no new blocks (about {cost}).")
    } else {
        format!(
            "Top-up done: {new} new block{} at the top; about {cost}.",
            plural(new)
        )
    };
    state.message = Some(Message { text, error: false });
}

/// A sync could not run; offline when X could not be reached (the list stays the database's).
pub(super) fn on_failed(state: &mut State, message: String, offline: bool) {
    state.snapshots.sync.phase = if offline {
        SyncPhase::Offline
    } else {
        SyncPhase::Unknown
    };
    let text = crate::text::sanitize(&message);
    state.message = Some(Message {
        text: if offline {
            format!("Offline: showing the local database; writes are queued for later. {text} Press r to try again.")
        } else {
            text
        },
        error: true,
    });
}

impl SyncStatus {
    /// The status bar's sync label at `now`, if there is anything to say.
    pub fn label(&self, now: SystemTime) -> Option<String> {
        match self.phase {
            SyncPhase::Unknown => None,
            SyncPhase::Offline => Some("offline".into()),
            SyncPhase::Syncing { done, of: Some(of) } => Some(format!("syncing {done}/{of}")),
            SyncPhase::Syncing { done, of: None } => Some(format!("syncing {done}")),
            SyncPhase::Synced { at } => Some(format!("synced {}", ago(at, now))),
        }
    }
}

/// `just now`, `3m ago`, `2h ago`, `4d ago`.
pub fn ago(at: SystemTime, now: SystemTime) -> String {
    let secs = now.duration_since(at).map(|d| d.as_secs()).unwrap_or(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn labels() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = SyncStatus::default();
        assert_eq!(s.label(now), None);
        s.phase = SyncPhase::Offline;
        assert_eq!(s.label(now).as_deref(), Some("offline"));
        s.phase = SyncPhase::Syncing {
            done: 12,
            of: Some(50),
        };
        assert_eq!(s.label(now).as_deref(), Some("syncing 12/50"));
        s.phase = SyncPhase::Synced {
            at: now - Duration::from_secs(180),
        };
        assert_eq!(s.label(now).as_deref(), Some("synced 3m ago"));
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - Duration::from_secs(7200), now), "2h ago");
    }
}
