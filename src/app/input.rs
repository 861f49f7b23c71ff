//! Keys: what each key does in each mode (list, search, prompt, confirm, help). Which key means
//! which action is data in [`super::keymap`]; this file says what each action does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::account::{is_valid_handle, Standing};
use super::action::{Command, Effect, TerminalRequest};
use super::keymap::{is_ctrl_c, KeyAction, KeyMode};
use super::list::{move_by, move_to, rebuild_view};
use super::state::{Capability, Confirm, Mode, State, Target, WriteConfirm, TYPE_BACK_OVER};
use super::update::{error, info};
use crate::api::Write;

pub(super) fn on_key(state: &mut State, key: KeyEvent, out: &mut Vec<Effect>) {
    if is_ctrl_c(&key) {
        state.quit = true;
        out.push(TerminalRequest::Quit.into());
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('z' | 'Z'))
    {
        out.push(TerminalRequest::Suspend.into());
        return;
    }
    match std::mem::take(&mut state.mode) {
        Mode::Help { scroll } => on_help_key(state, key, scroll),
        Mode::Search => on_search_key(state, key),
        Mode::Prompt(text) => on_prompt_key(state, key, text, out),
        Mode::Confirm(confirm) => on_confirm_key(state, key, confirm, out),
        Mode::Queue(pane) => super::queue_view::on_key(state, key, pane, out),
        Mode::History(pane) => super::history::on_key(state, key, pane),
        Mode::Diff(pane) => super::diff_view::on_key(state, key, pane),
        Mode::Insights(insights) => super::insights::on_key(state, key, insights),
        Mode::Review(review) => super::review::on_key(state, key, review, out),
        Mode::Edit(edit) => super::notes::on_key(state, key, edit, out),
        Mode::Log { scroll } => super::panes::on_log_key(state, key, scroll),
        Mode::Columns { cursor } => super::panes::on_columns_key(state, key, cursor),
        Mode::Normal => {
            if let Some(action) = state.keymap.lookup(KeyMode::Main, &key) {
                on_normal(state, action, out);
            }
        }
    }
}

pub(super) fn on_normal(state: &mut State, action: KeyAction, out: &mut Vec<Effect>) {
    let page = state.list_rows() as isize;
    match action {
        KeyAction::Down => move_by(state, 1),
        KeyAction::Up => move_by(state, -1),
        KeyAction::Top => move_to(state, 0),
        KeyAction::Bottom => move_to(state, state.view.len().saturating_sub(1)),
        KeyAction::PageDown => move_by(state, page),
        KeyAction::PageUp => move_by(state, -page),
        KeyAction::Search => {
            state.query.clear();
            rebuild_view(state);
            state.mode = Mode::Search;
        }
        KeyAction::Mark => {
            if let Some(&i) = state.view.get(state.cursor) {
                if !state.marks.remove(&i) {
                    state.marks.insert(i);
                }
                state.marked_by = None;
                move_by(state, 1);
            }
        }
        KeyAction::MarkAll => mark_all(state),
        KeyAction::ClearMarks => {
            if state.show_detail && state.size.0 < super::geometry::WIDE {
                // The detail fills a narrow screen: Esc goes back to the list first.
                state.show_detail = false;
            } else if !state.query.is_empty() {
                state.query.clear();
                rebuild_view(state);
            } else if !state.marks.is_empty() {
                state.marks.clear();
                state.marked_by = None;
                state.message = Some(info("Marks cleared."));
            } else {
                state.message = None;
            }
        }
        KeyAction::Unblock => ask(state, Write::Unblock),
        KeyAction::Mute => ask(state, Write::Mute),
        KeyAction::Block => {
            if let Capability::ReadOnly { reason } = &state.capability {
                state.message = Some(error(format!("Blocking is unavailable: {reason}")));
            } else {
                state.mode = Mode::Prompt(String::new());
            }
        }
        KeyAction::Open => {
            if let Some(a) = state.selected() {
                let url = a.profile_url();
                state.message = Some(info(format!("Opening {url} in the browser.")));
                out.push(TerminalRequest::Open { url }.into());
            }
        }
        KeyAction::Copy => {
            if let Some(a) = state.selected() {
                let text = format!("@{}", a.handle);
                state.message = Some(info(format!("Copied {text} to the clipboard (OSC 52).")));
                out.push(TerminalRequest::Copy { text }.into());
            }
        }
        KeyAction::Refresh | KeyAction::Reconnect if state.sign_in.pending() => {
            super::sign_in::retry(state, out)
        }
        KeyAction::Refresh if state.snapshots.sync.offline_first => {
            if state.snapshots.sync.running() {
                state.message = Some(info("A sync is already running."));
            } else {
                state.message = Some(info("Topping up from the newest block…"));
                out.push(super::sync_status::start_sync(state, false, None).into());
            }
        }
        KeyAction::Refresh => {
            if state.loading {
                state.message = Some(info("A page is already loading."));
            } else if state.page_error && state.next_token.is_some() {
                state.page_error = false;
                state.loading = true;
                state.message = Some(info("Retrying the next page…"));
                out.push(
                    Command::LoadNextPage {
                        token: state.next_token.clone(),
                    }
                    .into(),
                );
            } else {
                state.page_error = false;
                state.snapshots.sync.money_stop = None;
                state.loading = true;
                state.message = Some(info("Reloading the block list…"));
                out.push(Command::Refresh.into());
            }
        }
        KeyAction::FullSync => super::sync_status::ask_full(state, out),
        KeyAction::Pinned => super::pinned::load(state, out),
        KeyAction::Reconnect => {
            if state.loading {
                state.message = Some(info("A page is already loading."));
            } else {
                let token = state.next_token.clone().filter(|_| state.page_error);
                state.page_error = false;
                state.loading = true;
                state.message = Some(info("Reading the sign-in again…"));
                out.push(Command::Reconnect { token }.into());
            }
        }
        KeyAction::Sort => {
            state.sort = state.sort.next();
            state.reversed = false;
            rebuild_view(state);
            state.message = Some(info(format!("Sorted by {}.", state.sort.label())));
        }
        KeyAction::ReverseSort => {
            state.reversed = !state.reversed;
            rebuild_view(state);
        }
        KeyAction::Detail => state.show_detail = !state.show_detail,
        KeyAction::Help => state.mode = Mode::Help { scroll: 0 },
        KeyAction::Queue => super::queue_view::open(state),
        KeyAction::History => super::history::open(state, out),
        KeyAction::Diff => super::diff_view::open(state, out),
        KeyAction::Insights => super::insights::open(state),
        KeyAction::Review => super::review::open(state),
        KeyAction::Keep => super::notes::toggle_keep(state, out),
        KeyAction::Note => super::notes::open(state, super::notes::Field::Note),
        KeyAction::Tags => super::notes::open(state, super::notes::Field::Tags),
        KeyAction::Columns => state.mode = Mode::Columns { cursor: 0 },
        KeyAction::Log => state.mode = Mode::Log { scroll: 0 },
        KeyAction::Quit => super::quit::request(state, out),
        // Actions of other modes never come from the list's keys.
        _ => {}
    }
}

/// The moving keys scroll the help; any other key closes it.
pub(super) fn on_help_key(state: &mut State, key: KeyEvent, mut scroll: usize) {
    // The keys' rows and the mouse line below them; the last screenful ends the scroll.
    let lines = state.keymap.help_rows().len() + 1;
    let page = super::geometry::help_lines_shown(state.size.1, lines);
    let max = lines.saturating_sub(page);
    match state.keymap.lookup(KeyMode::Help, &key) {
        Some(KeyAction::Close) | None => return,
        action => super::snapshots::scroll(&mut scroll, action, max, page),
    }
    state.mode = Mode::Help { scroll };
}

pub(super) fn on_search_key(state: &mut State, key: KeyEvent) {
    match key.code {
        KeyCode::Esc => {
            state.query.clear();
            rebuild_view(state);
        }
        KeyCode::Enter => {
            if state.query.is_empty() {
                rebuild_view(state);
            }
        }
        KeyCode::Backspace => {
            state.query.pop();
            rebuild_view(state);
            state.mode = Mode::Search;
        }
        KeyCode::Down => {
            move_by(state, 1);
            state.mode = Mode::Search;
        }
        KeyCode::Up => {
            move_by(state, -1);
            state.mode = Mode::Search;
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() => {
            extend_query(state, &c.to_string());
        }
        _ => state.mode = Mode::Search,
    }
}

/// Appends `text` to the search and updates the matches (still in search mode).
fn extend_query(state: &mut State, text: &str) {
    state.query.push_str(text);
    rebuild_view(state);
    state.mode = Mode::Search;
}

/// Longest paste a text field takes (more is cut off).
const PASTE_MAX_CHARS: usize = 1000;

/// Bracketed paste: the text goes into the field being edited (search, the handle prompt) with
/// newlines and other controls removed, and is never read as keys; anywhere else (the list, a
/// confirm, a typed-back count) it is ignored, so a paste can never confirm or quit.
pub(super) fn on_paste(state: &mut State, text: &str) {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(PASTE_MAX_CHARS)
        .collect();
    if clean.is_empty() {
        return;
    }
    match &mut state.mode {
        Mode::Search => extend_query(state, &clean),
        Mode::Prompt(handle) => {
            let room = 16usize.saturating_sub(handle.chars().count());
            handle.extend(clean.chars().take(room));
        }
        Mode::Edit(edit) => {
            let room = super::notes::NOTE_CHARS.saturating_sub(edit.text.chars().count());
            edit.text.extend(clean.chars().take(room));
        }
        _ => {}
    }
}

pub(super) fn on_prompt_key(
    state: &mut State,
    key: KeyEvent,
    mut text: String,
    out: &mut Vec<Effect>,
) {
    match key.code {
        KeyCode::Esc => {}
        KeyCode::Enter => {
            let handle = text.trim().trim_start_matches('@').to_string();
            if is_valid_handle(&handle) {
                state.message = Some(info(format!("Looking up @{handle}…")));
                out.push(Command::ResolveHandle { handle }.into());
            } else {
                state.message = Some(error(
                    "A handle is 1–15 letters, digits or _. Press b to try again.",
                ));
            }
        }
        KeyCode::Backspace => {
            text.pop();
            state.mode = Mode::Prompt(text);
        }
        KeyCode::Char(c) if !c.is_control() && text.chars().count() < 16 => {
            text.push(c);
            state.mode = Mode::Prompt(text);
        }
        _ => state.mode = Mode::Prompt(text),
    }
}

/// Keys of a confirm pane: yes runs the guarded action, no drops it, anything else waits.
pub(super) fn on_confirm_key(
    state: &mut State,
    key: KeyEvent,
    confirm: Confirm,
    out: &mut Vec<Effect>,
) {
    let action = state.keymap.lookup(confirm.key_mode(), &key);
    match confirm {
        Confirm::Quit(p) => super::quit::on_key(state, action, p, out),
        Confirm::Write(write) => on_write_confirm_key(state, key, action, write, out),
        Confirm::Sync(plan) => match action {
            Some(KeyAction::Yes) => super::sync_status::on_confirmed(state, plan, true, out),
            Some(KeyAction::No) => super::sync_status::on_confirmed(state, plan, false, out),
            _ => state.mode = Mode::Confirm(Confirm::Sync(plan)),
        },
        Confirm::CancelQueue { open, pane } => {
            match action {
                Some(KeyAction::Yes) => {
                    state.message = Some(info(format!(
                        "Cancelling {} open job{}…",
                        crate::text::thousands(open as u64),
                        if open == 1 { "" } else { "s" }
                    )));
                    out.push(Command::CancelQueue.into());
                }
                Some(KeyAction::No) => state.message = Some(info("Nothing cancelled.")),
                _ => {
                    state.mode = Mode::Confirm(Confirm::CancelQueue { open, pane });
                    return;
                }
            }
            state.mode = Mode::Queue(pane);
        }
        Confirm::Undo {
            batch,
            verb,
            count,
            pane,
        } => {
            match action {
                Some(KeyAction::Yes) => {
                    state.message = Some(info("Queueing the undo…"));
                    out.push(Command::UndoLastBatch.into());
                }
                Some(KeyAction::No) => state.message = Some(info("Nothing undone.")),
                _ => {
                    state.mode = Mode::Confirm(Confirm::Undo {
                        batch,
                        verb,
                        count,
                        pane,
                    });
                    return;
                }
            }
            state.mode = Mode::History(pane);
        }
    }
}

fn on_write_confirm_key(
    state: &mut State,
    key: KeyEvent,
    action: Option<KeyAction>,
    mut confirm: WriteConfirm,
    out: &mut Vec<Effect>,
) {
    let bulk = confirm.targets.len() > TYPE_BACK_OVER && !confirm.later;
    if confirm.later {
        match action {
            Some(KeyAction::Yes) => {
                // Queued like any write: held in the durable queue (Q) until the plan allows it.
                run_confirmed(state, confirm, out);
            }
            Some(KeyAction::MuteInstead) => {
                confirm.verb = Write::Mute;
                confirm.later = false;
                state.mode = Mode::Confirm(Confirm::Write(confirm));
            }
            Some(KeyAction::No) => {
                state.message = Some(info("Nothing saved."));
            }
            _ => state.mode = Mode::Confirm(Confirm::Write(confirm)),
        }
        return;
    }
    match (action, key.code) {
        (Some(KeyAction::No), _) => {
            state.message = Some(info(format!("Nothing {}.", confirm.verb.past())));
        }
        (Some(KeyAction::Yes), _)
            if !bulk || confirm.typed == confirm.targets.len().to_string() =>
        {
            run_confirmed(state, confirm, out);
        }
        (Some(KeyAction::Duration), _) if confirm.timed() => {
            confirm.undo_after = super::duration::next_choice(confirm.undo_after);
            state.mode = Mode::Confirm(Confirm::Write(confirm));
        }
        (_, KeyCode::Char(c)) if bulk && c.is_ascii_digit() && confirm.typed.len() < 9 => {
            confirm.typed.push(c);
            state.mode = Mode::Confirm(Confirm::Write(confirm));
        }
        (_, KeyCode::Backspace) if bulk => {
            confirm.typed.pop();
            state.mode = Mode::Confirm(Confirm::Write(confirm));
        }
        _ => state.mode = Mode::Confirm(Confirm::Write(confirm)),
    }
}

/// `V`: marks exactly the accounts listed (the query's matches), once the search is complete.
fn mark_all(state: &mut State) {
    if let Some(e) = &state.query_error {
        state.message = Some(error(format!("Nothing marked: {e}")));
        return;
    }
    if state.searching() {
        state.message = Some(info("Nothing marked yet: the search is still running."));
        return;
    }
    let query = state.query.trim().to_string();
    let exact = state.marks.is_empty() || state.marked_by.as_deref() == Some(query.as_str());
    let before = state.marks.len();
    state.marks.extend(state.view.iter().copied());
    let added = state.marks.len() - before;
    state.marked_by = (exact && !query.is_empty()).then(|| query.clone());
    let what = if query.is_empty() {
        "listed".to_string()
    } else {
        format!("matching {query:?}")
    };
    state.message = Some(info(format!(
        "Marked {} more {what} ({} marked). {} twice clears marks.",
        crate::text::thousands(added as u64),
        crate::text::thousands(state.marks.len() as u64),
        state.key(KeyAction::ClearMarks)
    )));
}

/// Queues a confirmed write as one batch; with a duration, the batch also holds the inverse of
/// each write, due when the duration ends.
pub(super) fn run_confirmed(state: &mut State, confirm: WriteConfirm, out: &mut Vec<Effect>) {
    let n = confirm.targets.len();
    let undo_after = confirm.undo_after.filter(|_| confirm.timed());
    let mut queued = Vec::new();
    for t in confirm.targets {
        queue_write(state, confirm.verb, t, &mut queued);
    }
    out.extend(queued.into_iter().map(|c| match (c, undo_after) {
        (Effect::Worker(Command::Write(writes)), Some(secs)) => {
            Command::WriteFor { writes, secs }.into()
        }
        (e, _) => e,
    }));
    state.marks.clear();
    state.marked_by = None;
    let word = confirm.verb.verb();
    let timed = match undo_after {
        Some(_) => format!(" {}", super::duration::words(undo_after)),
        None => String::new(),
    };
    state.message = Some(info(format!(
        "Queued: {word} {n} account{}{timed}.",
        if n == 1 { "" } else { "s" }
    )));
}

/// Queues one write (its account shows as pending; writes of one key press form one batch); an unblock of an account on the keep list is never queued (false).
pub(super) fn queue_write(
    state: &mut State,
    verb: Write,
    t: Target,
    out: &mut Vec<Effect>,
) -> bool {
    if let Some(i) = state.index_of(&t.id) {
        if verb == Write::Unblock && state.index.flag(i, crate::query::Flag::Kept) {
            return false;
        }
        state.accounts.set_standing(i, Standing::Pending);
    } else if let Some(user) = t.outside {
        let now = super::update::unix(state.now);
        if let Some(i) = state.insert_user(&user, None, now) {
            state.accounts.set_standing(i, Standing::Pending);
            rebuild_view(state);
        }
    }
    state.pending_writes.push((verb, t.id.clone()));
    state.written.insert(t.id.clone(), Standing::Pending);
    // Writes queued by one key press travel as one batch.
    match out.last_mut() {
        Some(Effect::Worker(Command::Write(batch))) => batch.push((verb, t.id)),
        _ => out.push(Command::Write(vec![(verb, t.id)]).into()),
    }
    true
}

/// Opens the confirm pane for the marked accounts (or the selected one).
pub(super) fn ask(state: &mut State, verb: Write) {
    if let Some(why) = &state.viewer {
        state.message = Some(error(super::state::viewer_refusal(why)));
        return;
    }
    let read_only = matches!(state.capability, Capability::ReadOnly { .. });
    if verb == Write::Block {
        if let Capability::ReadOnly { reason } = &state.capability {
            state.message = Some(error(format!(
                "Can't {}: {reason} Press {} to mute instead, {} to open the profile.",
                verb.verb(),
                state.key(KeyAction::Mute),
                state.key(KeyAction::Open)
            )));
            return;
        }
    }
    let mut picked: Vec<u32> = if state.marks.is_empty() {
        state.view.get(state.cursor).copied().into_iter().collect()
    } else {
        let mut m: Vec<u32> = state.marks.iter().copied().collect();
        m.sort_unstable();
        m
    };
    let query = (!state.marks.is_empty())
        .then(|| state.marked_by.clone())
        .flatten();
    picked.retain(|&i| {
        let s = state.accounts.standing(i);
        match verb {
            Write::Unblock => s == Standing::Blocked || s == Standing::Muted,
            Write::Mute => s == Standing::Blocked,
            Write::Block => s == Standing::Unblocked,
            Write::Unmute => s == Standing::Muted,
        }
    });
    if verb == Write::Mute && picked.is_empty() && state.marks.is_empty() {
        if let Some(a) = state.selected().filter(|a| a.standing == Standing::Muted) {
            state.message = Some(info(format!("@{} is already muted.", a.handle)));
            return;
        }
    }
    let before = picked.len();
    if verb == Write::Unblock {
        picked.retain(|&i| !state.index.flag(i, crate::query::Flag::Kept));
    }
    let kept = before - picked.len();
    if picked.is_empty() {
        state.message = Some(info(if kept > 0 {
            format!(
                "Nothing to unblock: {kept} on the keep list ({} removes one from it).",
                state.keymap.key_name(KeyMode::Main, KeyAction::Keep)
            )
        } else {
            format!(
                "Nothing to {}: mark accounts with Space or select one.",
                verb.verb()
            )
        }));
        return;
    }
    let targets = picked
        .into_iter()
        .map(|i| {
            let a = state.account(i);
            Target {
                id: a.id.to_string(),
                handle: a.handle.clone(),
                name: a.name.clone(),
                outside: None,
            }
        })
        .collect();
    state.mode = Mode::Confirm(Confirm::Write(WriteConfirm {
        verb,
        targets,
        typed: String::new(),
        later: read_only && verb == Write::Unblock,
        query,
        kept,
        undo_after: None,
    }));
}
