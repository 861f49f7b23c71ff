//! What the status bar says about the local database and money: the sync state (`synced 3m
//! ago`, `syncing 12,000/50,000`, `offline`), when the last full sync was, money spent today,
//! and a money stop (X's 402 or usage cap) after which the worker sends nothing more. Also the
//! full sync `R` asks for: its plan in a confirm first, then the accounts it found gone taken
//! out of the list.

use std::time::SystemTime;

use super::action::{Command, Effect};
use super::list::{keep_cursor_visible, rebuild_view};
use super::state::{Confirm, Message, Mode, SortKey, State};
use crate::api::price::{Caps, Prices, Usd};
use crate::api::types::User;
use crate::query::Flag;

/// Where the list shown stands against X.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPhase {
    /// Nothing known yet (no database, no answer).
    #[default]
    Unknown,
    /// X could not be reached: the list is the database's.
    Offline,
    /// A sync is reading pages.
    Syncing(Progress),
    /// The database matched X at this time.
    Synced {
        /// When the last sync ended.
        at: SystemTime,
    },
}

/// How far a running sync is, against its plan when it has one (a full sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Accounts read so far.
    pub accounts: u64,
    /// Accounts the database listed before the sync (what a full sync expects to read).
    pub of_accounts: Option<u64>,
    /// Pages read so far.
    pub pages: u64,
    /// Pages of the plan.
    pub of_pages: Option<u64>,
}

/// A sync's plan as the `R` confirm shows it: the same numbers `xblocks sync --full --dry-run`
/// prints, from the database and the read budget (no request is sent to work it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPlan {
    /// Requests, accounts and cost at most, ETA.
    pub plan: crate::sync::Plan,
    /// What the database said (accounts listed, read today, spent today).
    pub facts: crate::sync::plan::Facts,
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
    /// The database holds the list (at start, or after a full sync): the TUI tops it up
    /// instead of paging from X, and live pages merge into it.
    pub offline_first: bool,
    /// Loaded accounts a full sync found gone (taken out of the list).
    pub gone_loaded: usize,
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

    /// The caps a sync the TUI starts runs under, with `spent_today` spent before it.
    pub fn caps(&self, spent_today: Usd) -> Caps {
        Caps {
            daily_cap: self.daily_cap,
            spent_before: spent_today,
            ..Caps::default()
        }
    }

    /// True while a sync reads pages.
    pub fn running(&self) -> bool {
        matches!(self.phase, SyncPhase::Syncing(_))
    }
}

/// Starts a sync: a top-up at start and on `r`, a full one once `R` is confirmed (with the
/// plan's pages and the accounts listed, so progress reads `12,000/50,000`).
pub(super) fn start_sync(state: &mut State, full: bool, plan: Option<&SyncPlan>) -> Command {
    state.snapshots.sync.phase = SyncPhase::Syncing(Progress {
        of_accounts: plan.map(|p| p.facts.listed),
        of_pages: plan.map(|p| p.plan.requests),
        ..Progress::default()
    });
    state.snapshots.sync.money_stop = None;
    state.snapshots.sync.command(full)
}

/// `R`: asks the worker for the plan of a full sync (read from the database; nothing is sent
/// to X), which comes back as [`on_planned`].
pub(super) fn ask_full(state: &mut State, out: &mut Vec<Effect>) {
    let s = &state.snapshots.sync;
    let text = if s.running() {
        "A sync is already running."
    } else {
        out.push(
            Command::PlanSync {
                full: true,
                prices: s.prices,
            }
            .into(),
        );
        "Working out the plan of a full sync (nothing is sent yet)…"
    };
    state.message = Some(Message {
        text: text.into(),
        error: false,
    });
}

/// The plan arrived: the confirm shows it (unless the user went elsewhere meanwhile).
pub(super) fn on_planned(state: &mut State, plan: SyncPlan) {
    if state.mode != Mode::Normal || state.snapshots.sync.running() {
        state.message = Some(Message {
            text: "Full sync not started: press R again to see its plan.".into(),
            error: false,
        });
        return;
    }
    state.message = None;
    state.mode = Mode::Confirm(Confirm::Sync(plan));
}

/// The full sync's confirm was answered: yes starts it, no sends nothing.
pub(super) fn on_confirmed(state: &mut State, plan: SyncPlan, yes: bool, out: &mut Vec<Effect>) {
    let text = if yes {
        out.push(start_sync(state, true, Some(&plan)).into());
        "Full sync started: every page is read; accounts X no longer lists leave the list."
    } else {
        "No full sync: nothing was sent."
    };
    state.message = Some(Message {
        text: text.into(),
        error: false,
    });
}

/// A page of a sync was stored: accounts the list does not show yet join it, at the top (after
/// those earlier pages of the sync added) when the list is the database's, at the end when it
/// was paged from X (which then follows X's order); the selection stays on the same account.
pub(super) fn on_page(state: &mut State, pages: u64, accounts: u64, users: Vec<User>) {
    if let SyncPhase::Syncing(p) = &mut state.snapshots.sync.phase {
        p.pages = pages;
        p.accounts = accounts;
    } else {
        state.snapshots.sync.phase = SyncPhase::Syncing(Progress {
            pages,
            accounts,
            ..Progress::default()
        });
    }
    let now = super::update::unix(state.now);
    let mut relisted = false;
    let mut added: Vec<u32> = Vec::new();
    for u in &users {
        match state.index_of(&u.id) {
            Some(i) if state.index.flag(i, Flag::Gone) => {
                // Gone at an earlier full sync, blocked again since.
                state.index.set_flag(i, Flag::Gone, false);
                state.snapshots.sync.gone_loaded -= 1;
                relisted = true;
            }
            Some(_) => {}
            None => added.extend(state.insert_user(u, None, now)),
        }
    }
    if relisted {
        rebuild_view(state);
    }
    if added.is_empty() {
        return;
    }
    state.started = true;
    let plain = state.sort == SortKey::Loaded && !state.reversed && state.query.is_empty();
    if !state.snapshots.sync.offline_first {
        // Paged from X: the list is a prefix of X's order, so what the sync adds follows it.
        if plain {
            state.view.extend(&added);
        } else {
            rebuild_view(state);
        }
        return;
    }
    let at = state.snapshots.sync.front.len();
    state.snapshots.sync.front.extend(&added);
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
        (true, SyncPhase::Offline) => SyncPhase::Syncing(Progress::default()),
        (true, p) => p,
    };
}

/// A sync ended; a full one takes the accounts it found gone (`gone_ids`) out of the list, and
/// the list is the database's from then on.
pub(super) fn on_finished(state: &mut State, full: bool, new: u64, gone_ids: &[String], cost: Usd) {
    let now = state.now;
    // The list shown is X's as of now, no longer only the database's.
    state.snapshots.cached = None;
    let s = &mut state.snapshots.sync;
    s.phase = SyncPhase::Synced { at: now };
    if full {
        s.last_full = Some(now);
        s.offline_first = true;
        // The whole list is known: no lazy page is asked for any more.
        state.complete = true;
        state.next_token = None;
        drop_gone(state, gone_ids);
    }
    let gone = gone_ids.len();
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let text = if full {
        format!(
            "Full sync done: {} new block{}, {} gone (no longer blocked; {} shows them); about {cost}.",
            crate::text::thousands(new),
            plural(new),
            crate::text::thousands(gone as u64),
            state.key(super::keymap::KeyAction::Diff)
        )
    } else if new == 0 {
        format!("Up to date: no new blocks (about {cost}).")
    } else {
        format!(
            "Top-up done: {} new block{} at the top; about {cost}.",
            crate::text::thousands(new),
            plural(new)
        )
    };
    state.message = Some(Message { text, error: false });
}

/// Takes the accounts with these ids out of the list (and out of the marks): X no longer lists
/// them. The selection stays on the same account, or the one now in its place.
fn drop_gone(state: &mut State, ids: &[String]) {
    let mut any = false;
    for id in ids {
        let Some(i) = state.index_of(id) else {
            continue;
        };
        if !state.index.flag(i, Flag::Gone) {
            state.index.set_flag(i, Flag::Gone, true);
            state.marks.remove(&i);
            state.snapshots.sync.gone_loaded += 1;
            any = true;
        }
    }
    if !any {
        return;
    }
    let keep = state.view.get(state.cursor).copied();
    let at = state.cursor;
    let index = &state.index;
    state.view.retain(|&i| !index.flag(i, Flag::Gone));
    state.cursor = keep
        .and_then(|k| state.view.iter().position(|&v| v == k))
        .unwrap_or(at);
    keep_cursor_visible(state);
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
            format!(
                "Offline: showing the local database; writes are queued for later. {text} Press {} to try again.",
                state.key(super::keymap::KeyAction::Refresh)
            )
        } else {
            text
        },
        error: true,
    });
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
    use crate::app::test_support::{key, user};
    use crate::app::{update, Action, Keymap};
    use crate::store::db::ListedSlice;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::time::Duration;

    #[test]
    fn ages() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - Duration::from_secs(180), now), "3m ago");
        assert_eq!(ago(now - Duration::from_secs(7200), now), "2h ago");
        assert_eq!(ago(now - Duration::from_secs(2 * 86_400), now), "2d ago");
    }

    fn handles(s: &State) -> Vec<String> {
        s.view
            .iter()
            .map(|&i| s.account(i).handle.to_string())
            .collect()
    }

    /// The TUI on a database listing `ids` (newest block first); the start's top-up finished.
    fn from_database(ids: &[u64]) -> State {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = State::new("me", "default", Keymap::default(), now);
        s.snapshots.sync.offline_first = true;
        update(&mut s, Action::Resize(80, 24));
        let first = crate::app::start(&mut s);
        assert!(matches!(
            first[..],
            [Effect::Worker(Command::Sync { full: false, .. })]
        ));
        let mut accounts = ListedSlice::default();
        for &i in ids {
            accounts.push_user(&user(i), 1);
        }
        update(
            &mut s,
            Action::CachedList {
                synced_at: "2027-01-01T00:00:00Z".into(),
                accounts,
            },
        );
        update(&mut s, finished(false, &[]));
        s
    }

    fn finished(full: bool, gone: &[u64]) -> Action {
        Action::SyncFinished {
            full,
            new: 0,
            gone_ids: gone.iter().map(u64::to_string).collect(),
            cost: Usd::ZERO,
        }
    }

    fn plan(listed: u64) -> SyncPlan {
        let facts = crate::sync::plan::Facts {
            listed,
            complete: true,
            ..Default::default()
        };
        let plan = crate::sync::Plan::new(
            true,
            listed,
            0,
            &Prices::default(),
            None,
            SystemTime::UNIX_EPOCH,
        );
        SyncPlan { plan, facts }
    }

    #[test]
    fn shift_r_shows_the_plan_first_and_no_sends_nothing() {
        let mut s = from_database(&[5, 4, 3]);
        let cmds = update(&mut s, key('R'));
        assert_eq!(
            cmds,
            [Command::PlanSync {
                full: true,
                prices: Prices::default()
            }]
        );
        assert_eq!(
            s.mode,
            Mode::Normal,
            "nothing asked before the plan is known"
        );
        assert!(update(&mut s, Action::SyncPlanned(plan(3))).is_empty());
        assert_eq!(s.mode, Mode::Confirm(Confirm::Sync(plan(3))));
        assert!(update(&mut s, key('n')).is_empty(), "no sends nothing");
        assert_eq!(s.mode, Mode::Normal);
        assert!(!s.snapshots.sync.running());
        update(&mut s, key('R'));
        update(&mut s, Action::SyncPlanned(plan(3)));
        let cmds = update(&mut s, key('y'));
        assert!(
            matches!(cmds[..], [Effect::Worker(Command::Sync { full: true, .. })]),
            "{cmds:?}"
        );
        assert_eq!(
            s.snapshots.sync.phase,
            SyncPhase::Syncing(Progress {
                of_accounts: Some(3),
                of_pages: Some(1),
                ..Progress::default()
            })
        );
        // While it runs, R says so and asks for nothing.
        assert!(update(&mut s, key('R')).is_empty());
        // A plan arriving while another view is open does not pop up over it.
        let mut s = from_database(&[1]);
        update(&mut s, key('R'));
        update(&mut s, key('?'));
        update(&mut s, Action::SyncPlanned(plan(1)));
        assert!(matches!(s.mode, Mode::Help { .. }));
    }

    #[test]
    fn a_full_sync_counts_accounts_and_takes_the_gone_out_of_the_list() {
        let mut s = from_database(&[5, 4, 3, 2, 1]);
        // u4 and u3 marked.
        update(&mut s, key('j'));
        update(&mut s, key(' '));
        update(&mut s, key(' '));
        assert_eq!(s.marks.len(), 2);
        update(&mut s, key('R'));
        update(&mut s, Action::SyncPlanned(plan(5)));
        update(&mut s, key('y'));
        update(
            &mut s,
            Action::SyncPage {
                pages: 1,
                accounts: 3,
                users: vec![user(6), user(5), user(3)],
            },
        );
        let SyncPhase::Syncing(p) = s.snapshots.sync.phase else {
            panic!("{:?}", s.snapshots.sync.phase)
        };
        assert_eq!((p.accounts, p.of_accounts, p.pages), (3, Some(5), 1));
        // The cursor is on u2 (marking moves down), which goes.
        assert_eq!(s.selected().unwrap().handle.as_str(), "u2");
        update(&mut s, finished(true, &[4, 2]));
        assert_eq!(handles(&s), ["u6", "u5", "u3", "u1"]);
        assert_eq!(
            s.selected().unwrap().handle.as_str(),
            "u1",
            "the one in its place"
        );
        let marked: Vec<String> = s
            .marks
            .iter()
            .map(|&i| s.account(i).handle.to_string())
            .collect();
        assert_eq!(marked, ["u3"], "gone accounts are no longer marked");
        assert_eq!(s.loaded(), (4, false));
        assert_eq!(s.snapshots.sync.last_full, Some(s.now));
        assert!(s.message.as_ref().unwrap().text.contains("2 gone"));
        // Not in search results either, and back once a page lists them again.
        update(&mut s, key('/'));
        update(&mut s, key('u'));
        while s.searching() {
            update(&mut s, Action::SearchStep);
        }
        assert_eq!(handles(&s), ["u6", "u5", "u3", "u1"]);
        update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        update(
            &mut s,
            Action::SyncPage {
                pages: 1,
                accounts: 1,
                users: vec![user(4)],
            },
        );
        assert!(handles(&s).contains(&"u4".to_string()));
        assert_eq!(s.loaded(), (5, false));
    }

    #[test]
    fn a_sync_over_a_list_paged_from_x_adds_what_follows_it_at_the_end() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = State::new("me", "default", Keymap::default(), now);
        update(&mut s, Action::Resize(80, 24));
        crate::app::start(&mut s);
        update(
            &mut s,
            Action::PageLoaded {
                first: true,
                users: vec![user(9), user(8)],
                pinned: Default::default(),
                next_token: Some("p2".into()),
            },
        );
        update(&mut s, key('R'));
        update(&mut s, Action::SyncPlanned(plan(2)));
        update(&mut s, key('y'));
        update(
            &mut s,
            Action::SyncPage {
                pages: 1,
                accounts: 4,
                users: vec![user(9), user(8), user(7), user(6)],
            },
        );
        assert_eq!(handles(&s), ["u9", "u8", "u7", "u6"]);
        update(&mut s, finished(true, &[]));
        assert!(s.complete && s.next_token.is_none(), "nothing more to page");
        assert!(s.snapshots.sync.offline_first, "r tops up from now on");
    }
}
