//! `update`: the only place the state changes. Pure: no I/O, no clock, no terminal.

use super::account::{Account, Standing};
use super::action::{Action, Command, Effect};
use super::input::{on_key, on_paste};
use super::keymap::{KeyAction, KeyMode};
use super::list::{keep_cursor_visible, maybe_load, move_by, rebuild_view, search_step};
use super::state::{
    Budget, Confirm, Message, Mode, RateWait, SortKey, State, Target, WriteConfirm,
};
use crate::api::Write;

/// Shown when X rejects the sign-in and the token file holds no newer one.
pub const STILL_SIGNED_OUT: &str = "Still signed out: run `xblocks login`, then press p.";

/// Applies one action to the state and returns the commands it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut out = Vec::new();
    let before = state.message.clone();
    apply(state, action, &mut out);
    if state.message != before {
        if let Some(m) = state.message.clone() {
            super::panes::record(state, &m);
        }
    }
    super::quit::check_idle(state, &mut out);
    out.extend(maybe_load(state).map(Effect::from));
    viewer_gate(state, &mut out);
    super::sign_in::gate(state, &mut out);
    out
}

fn apply(state: &mut State, action: Action, out: &mut Vec<Effect>) {
    match action {
        Action::Key(key) => on_key(state, key, out),
        Action::Paste(text) => on_paste(state, &text),
        Action::Scroll(rows) => move_by(state, rows as isize),
        Action::Click(column, row) => {
            if matches!(state.mode, Mode::Normal | Mode::Search) {
                if let Some(pos) = super::geometry::account_at(state, column, row) {
                    state.cursor = pos;
                    keep_cursor_visible(state);
                }
            }
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            keep_cursor_visible(state);
        }
        Action::Tick(now) => state.now = now,
        Action::SearchStep => search_step(state),
        Action::PageLoaded {
            first,
            users,
            pinned,
            next_token,
        } => {
            let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
            let carry = super::cached_start::before_page(state, first);
            on_page(state, first, users, pinned, next_token);
            super::cached_start::after_page(state, first, &ids, carry);
        }
        Action::CachedList {
            synced_at,
            accounts,
        } => super::cached_start::on_cached(state, synced_at, &accounts),
        Action::Diff(report) => super::diff_view::on_diff(state, *report),
        Action::SignedIn(user) => super::sign_in::on_signed_in(state, &user.username, out),
        Action::SignInFailed { message, offline } => {
            super::sign_in::on_failed(state, &message, offline)
        }
        Action::SignedOut => {
            if state.sign_in.pending() {
                state.sign_in = super::sign_in::SignIn::Failed { offline: false };
            }
            state.loading = false;
            state.page_error = true;
            state.message = Some(error(STILL_SIGNED_OUT));
        }
        Action::PageFailed(message) => {
            state.loading = false;
            state.page_error = true;
            let r = state.key(KeyAction::Refresh);
            state.message = Some(error(format!("{message} Press {r} to retry.")));
        }
        Action::Capability(cap) => state.capability = cap,
        Action::Done { verb, id } => on_done(state, verb, &id),
        Action::Failed { verb, id, message } => {
            state.dequeue(verb, &id);
            state.written.remove(&id);
            if let Some(i) = state.index_of(&id) {
                state.accounts.set_standing(i, Standing::before(verb));
            }
            state.message = Some(error(format!("Could not {} {id}: {message}", verb.verb())));
        }
        Action::Resolved(user) => on_resolved(state, *user),
        Action::ResolveFailed { handle, message } => {
            let handle = crate::text::sanitize(&handle);
            state.message = Some(error(format!("Could not find @{handle}: {message}")));
        }
        Action::RateWaiting {
            endpoint,
            until,
            bad_reset,
        } => {
            if bad_reset {
                state.message = Some(error(bad_reset_text(state, &endpoint, until)));
            }
            state.waits.retain(|w| w.endpoint != endpoint);
            state.waits.push(RateWait {
                endpoint,
                until,
                bad_reset,
            });
        }
        Action::NoBrowser { url } => {
            let url = crate::text::sanitize(&url);
            state.message = Some(info(format!(
                "No browser here; the profile is {url} ({} copies the handle).",
                state.keymap.key_name(KeyMode::Main, KeyAction::Copy)
            )));
        }
        Action::UndoQueued {
            verb,
            accounts,
            batch,
            kept,
        } => {
            let text = super::history::undo_queued_text(state, verb, accounts, &batch, kept);
            state.message = Some(info(text));
        }
        Action::CachedAll { accounts } => {
            state.message = Some(info(super::diff_view::cached_all_text(state, accounts)));
        }
        Action::Notice {
            text,
            error: is_error,
        } => {
            state.message = Some(Message {
                text: crate::text::sanitize(&text),
                error: is_error,
            })
        }
        Action::RateResumed { endpoint } => state.waits.retain(|w| w.endpoint != endpoint),
        Action::Budget {
            limit,
            remaining,
            reset,
        } => {
            state.budget = Some(Budget {
                limit,
                remaining,
                reset,
            })
        }
        Action::QueueSnapshot(snapshot) => {
            super::queue_view::on_snapshot(state, *snapshot);
            if matches!(state.mode, Mode::History(_)) {
                out.push(Command::LoadHistory.into());
            }
        }
        Action::History(entries) => super::history::on_loaded(state, entries),
        Action::Cancelled(jobs) => super::queue_view::on_cancelled(state, jobs),
        Action::Resumed(jobs) => on_resumed(state, jobs),
        Action::TimedFinished(job) => super::queue_view::on_timed_finished(state, *job),
        Action::SyncPlanned(plan) => super::sync_status::on_planned(state, plan),
        Action::SyncPage {
            pages,
            accounts,
            users,
        } => super::sync_status::on_page(state, pages, accounts, users),
        Action::SyncFinished {
            full,
            new,
            gone_ids,
            cost,
        } => super::sync_status::on_finished(state, full, new, &gone_ids, cost),
        Action::PinnedLoaded { id, text } => super::pinned::on_loaded(state, &id, text),
        Action::SyncFailed { message, offline } => {
            super::sync_status::on_failed(state, message, offline)
        }
        Action::SpentToday(usd) => state.snapshots.sync.spent_today = usd,
        Action::Reachable(yes) => super::sync_status::on_reachable(state, yes),
        Action::Annotations(items) => super::notes::on_loaded(state, items),
        Action::MoneyStopped(text) => {
            let text = crate::text::sanitize(&text);
            state.loading = false;
            state.snapshots.sync.money_stop = Some(text.clone());
            state.message = Some(error(text));
        }
    }
}

/// A read-only viewer (another process runs this profile's queue) never sends a write: writes
/// and queue controls are dropped, their accounts shown as before, and the user told why.
fn viewer_gate(state: &mut State, out: &mut Vec<Effect>) {
    let Some(why) = state.viewer.clone() else {
        return;
    };
    let before = out.len();
    let mut dropped: Vec<String> = Vec::new();
    out.retain(|e| match e {
        Effect::Worker(Command::Write(batch) | Command::WriteFor { writes: batch, .. }) => {
            dropped.extend(batch.iter().map(|(_, id)| id.clone()));
            false
        }
        Effect::Worker(
            Command::UndoLastBatch
            | Command::PauseQueue
            | Command::ResumeQueue
            | Command::CancelQueue
            | Command::CancelUnsent,
        ) => false,
        _ => true,
    });
    if out.len() == before {
        return;
    }
    for id in &dropped {
        state.pending_writes.retain(|(_, p)| p != id);
        state.written.remove(id);
        if let Some(i) = state.index_of(id) {
            if state.accounts.standing(i) == Standing::Pending {
                state.accounts.set_standing(i, Standing::Blocked);
            }
        }
    }
    state.message = Some(error(super::state::viewer_refusal(&why)));
}

/// Commands to run when the TUI starts: the first page.
pub fn start(state: &mut State) -> Vec<Effect> {
    if state.sign_in.pending() {
        return super::sign_in::start(state);
    }
    if state.snapshots.sync.offline_first {
        // The database's list paints at once; a top-up runs in the background.
        return vec![super::sync_status::start_sync(state, false, None).into()];
    }
    state.loading = true;
    vec![Command::LoadNextPage { token: None }.into()]
}

/// What a wait on a bad reset tells: X's answer was unusable, so the wait is bounded.
fn bad_reset_text(state: &State, endpoint: &str, until: std::time::SystemTime) -> String {
    format!(
        "X sent a bad rate-limit reset on {}, so the wait is bounded: until {} ({}); work is kept.",
        crate::text::sanitize(endpoint),
        crate::api::error::fmt_time_from(until, state.now),
        super::state::clock(state.secs_until(until))
    )
}

pub(super) fn info(text: impl Into<String>) -> Message {
    Message {
        text: text.into(),
        error: false,
    }
}

pub(super) fn error(text: impl Into<String>) -> Message {
    Message {
        text: text.into(),
        error: true,
    }
}

fn on_resolved(state: &mut State, user: crate::api::types::User) {
    let now = unix(state.now);
    let acct = Account::from_user(&user, None, now);
    if let Some(i) = state.index_of(acct.id.as_str()) {
        if state.accounts.standing(i) != Standing::Unblocked {
            state.message = Some(info(format!("@{} is already blocked.", acct.handle)));
            return;
        }
    }
    let target = Target {
        id: acct.id.to_string(),
        handle: acct.handle.clone(),
        name: acct.name.clone(),
        outside: Some(Box::new(user)),
    };
    state.mode = Mode::Confirm(Confirm::Write(WriteConfirm {
        verb: Write::Block,
        targets: vec![target],
        typed: String::new(),
        later: false,
        query: None,
        kept: 0,
        undo_after: None,
    }));
}

fn on_done(state: &mut State, verb: Write, id: &str) {
    state.dequeue(verb, id);
    let left = state.pending();
    let standing = state
        .index_of(id)
        .map(|i| state.accounts.standing(i))
        .or_else(|| state.written.get(id).copied())
        .unwrap_or_default()
        .after(verb);
    // Kept for an account loaded later (the list may not hold it yet after a resume).
    state.written.insert(id.to_string(), standing);
    let who = match state.index_of(id) {
        Some(i) => {
            state.accounts.set_standing(i, standing);
            format!("@{}", state.account(i).handle)
        }
        None => crate::text::sanitize(id),
    };
    let text = if left == 0 {
        format!(
            "{} {who}. All queued actions done.",
            capitalize(verb.past())
        )
    } else {
        format!(
            "{} {who}; {} to go.",
            capitalize(verb.past()),
            crate::text::thousands(left as u64)
        )
    };
    state.message = Some(info(text));
}

/// Jobs an earlier session left open run first: they count as queued writes of this session
/// (so "All queued actions done" waits for them) and their accounts show as pending.
fn on_resumed(state: &mut State, jobs: Vec<(Write, String)>) {
    let mut added = 0;
    for (verb, id) in jobs {
        if state
            .pending_writes
            .iter()
            .any(|(v, p)| *v == verb && *p == id)
        {
            continue;
        }
        if let Some(i) = state.index_of(&id) {
            state.accounts.set_standing(i, Standing::Pending);
        }
        state.written.insert(id.clone(), Standing::Pending);
        state.pending_writes.push((verb, id));
        added += 1;
    }
    if added > 0 {
        state.message = Some(info(format!(
            "Resuming {} queued write{} left by an earlier session; {} shows them.",
            crate::text::thousands(added as u64),
            if added == 1 { "" } else { "s" },
            state.key(KeyAction::Queue)
        )));
    }
}

/// `s` with its first letter upper-case.
pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(super) fn unix(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn on_page(
    state: &mut State,
    first: bool,
    users: Vec<crate::api::types::User>,
    pinned: std::collections::HashMap<String, crate::api::types::Tweet>,
    next_token: Option<String>,
) {
    let keep = state.selected().map(|a| a.id.to_string());
    if first {
        state.clear_accounts();
    }
    state.loading = false;
    state.started = true;
    state.page_error = false;
    state.complete = next_token.is_none();
    state.next_token = next_token;
    let now = unix(state.now);
    let plain = state.sort == SortKey::Loaded && !state.reversed && state.query.is_empty();
    for u in &users {
        let pin = u.pinned_tweet_id.as_ref().and_then(|p| pinned.get(p));
        if let Some(i) = state.insert_user(u, pin, now) {
            if plain {
                state.view.push(i);
            }
        }
    }
    super::notes::catch_up(state);
    if !plain {
        rebuild_view(state);
    }
    if first {
        if let Some(i) = keep.and_then(|id| state.index_of(&id)) {
            if let Some(pos) = state.view.iter().position(|&v| v == i) {
                state.cursor = pos;
            }
        }
        if matches!(state.message, Some(ref m) if m.text.starts_with("Reloading")) {
            state.message = None;
        }
    }
    keep_cursor_visible(state);
}
