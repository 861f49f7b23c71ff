//! `update`: the only place the state changes. Pure: no I/O, no clock, no terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::account::{is_valid_handle, Account, Standing};
use super::action::{Action, Command};
use super::keymap::KeyAction;
use super::search;
use super::state::{
    Budget, Capability, Confirm, Message, Mode, RateWait, SortKey, State, Target, Verb,
    TYPE_BACK_OVER,
};

/// Applies one action to the state and returns the commands it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Command> {
    let mut out = Vec::new();
    match action {
        Action::Key(key) => on_key(state, key, &mut out),
        Action::Scroll(rows) => move_by(state, rows as isize),
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
        } => on_page(state, first, users, pinned, next_token),
        Action::PageFailed(message) => {
            state.loading = false;
            state.page_error = true;
            state.message = Some(error(format!("{message} Press r to retry.")));
        }
        Action::Capability(cap) => state.capability = cap,
        Action::Done { verb, id } => on_done(state, verb, &id),
        Action::Failed { verb, id, message } => {
            state.pending = state.pending.saturating_sub(1);
            if let Some(i) = state.index_of(&id) {
                state.accounts[i as usize].standing = Standing::Blocked;
            }
            state.message = Some(error(format!("Could not {} {id}: {message}", verb.word())));
        }
        Action::Resolved(user) => on_resolved(state, *user),
        Action::ResolveFailed { handle, message } => {
            let handle = crate::ui::sanitize::sanitize(&handle);
            state.message = Some(error(format!("Could not find @{handle}: {message}")));
        }
        Action::RateWaiting { endpoint, until } => {
            state.waits.retain(|w| w.endpoint != endpoint);
            state.waits.push(RateWait { endpoint, until });
        }
        Action::OpenFailed { url, message } => {
            let message = crate::ui::sanitize::sanitize(&message);
            state.message = Some(error(format!(
                "Could not open a browser ({message}); the profile is {url}"
            )));
        }
        Action::Notice {
            text,
            error: is_error,
        } => {
            state.message = Some(Message {
                text: crate::ui::sanitize::sanitize(&text),
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
    }
    out.extend(maybe_load(state));
    out
}

/// Commands to run when the TUI starts: the first page.
pub fn start(state: &mut State) -> Vec<Command> {
    state.loading = true;
    vec![Command::LoadNextPage { token: None }]
}

fn info(text: impl Into<String>) -> Message {
    Message {
        text: text.into(),
        error: false,
    }
}

fn error(text: impl Into<String>) -> Message {
    Message {
        text: text.into(),
        error: true,
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
}

fn on_key(state: &mut State, key: KeyEvent, out: &mut Vec<Command>) {
    if is_ctrl_c(&key) {
        state.quit = true;
        out.push(Command::Quit);
        return;
    }
    match std::mem::take(&mut state.mode) {
        Mode::Help { scroll } => on_help_key(state, key, scroll),
        Mode::Search => on_search_key(state, key),
        Mode::Prompt(text) => on_prompt_key(state, key, text, out),
        Mode::Confirm(confirm) => on_confirm_key(state, key, confirm, out),
        Mode::Normal => {
            if let Some(action) = state.keymap.lookup(&key) {
                on_normal(state, action, out);
            }
        }
    }
}

fn on_normal(state: &mut State, action: KeyAction, out: &mut Vec<Command>) {
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
                move_by(state, 1);
            }
        }
        KeyAction::MarkAll => {
            let before = state.marks.len();
            state.marks.extend(state.view.iter().copied());
            let added = state.marks.len() - before;
            state.message = Some(info(format!(
                "Marked {added} more ({} marked). Esc clears marks.",
                state.marks.len()
            )));
        }
        KeyAction::ClearMarks => {
            if !state.query.is_empty() {
                state.query.clear();
                rebuild_view(state);
            } else if !state.marks.is_empty() {
                state.marks.clear();
                state.message = Some(info("Marks cleared."));
            } else {
                state.message = None;
            }
        }
        KeyAction::Unblock => ask(state, Verb::Unblock),
        KeyAction::Mute => ask(state, Verb::Mute),
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
                out.push(Command::Open { url });
            }
        }
        KeyAction::Copy => {
            if let Some(a) = state.selected() {
                let text = format!("@{}", a.handle);
                state.message = Some(info(format!("Copied {text} to the clipboard (OSC 52).")));
                out.push(Command::Copy { text });
            }
        }
        KeyAction::Refresh => {
            if state.loading {
                state.message = Some(info("A page is already loading."));
            } else if state.page_error && state.next_token.is_some() {
                state.page_error = false;
                state.loading = true;
                state.message = Some(info("Retrying the next page…"));
                out.push(Command::LoadNextPage {
                    token: state.next_token.clone(),
                });
            } else {
                state.page_error = false;
                state.loading = true;
                state.message = Some(info("Reloading the block list…"));
                out.push(Command::Refresh);
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
        KeyAction::Quit => {
            state.quit = true;
            out.push(Command::Quit);
        }
    }
}

/// j/k/arrows/PgUp/PgDn scroll the help; any other key closes it.
fn on_help_key(state: &mut State, key: KeyEvent, scroll: usize) {
    let max = state.keymap.bindings.len().saturating_sub(1);
    let page = state.list_rows();
    let scroll = match state.keymap.lookup(&key) {
        Some(KeyAction::Down) => (scroll + 1).min(max),
        Some(KeyAction::Up) => scroll.saturating_sub(1),
        Some(KeyAction::PageDown) => (scroll + page).min(max),
        Some(KeyAction::PageUp) => scroll.saturating_sub(page),
        _ => return,
    };
    state.mode = Mode::Help { scroll };
}

fn on_search_key(state: &mut State, key: KeyEvent) {
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
            // Narrow the previous matches when they are complete; otherwise scan everything.
            let narrowing = !state.query.is_empty() && state.search_job.is_none();
            state.query.push(c);
            if narrowing {
                let candidates = std::mem::take(&mut state.view);
                start_search(state, candidates);
            } else {
                rebuild_view(state);
            }
            state.mode = Mode::Search;
        }
        _ => state.mode = Mode::Search,
    }
}

fn on_prompt_key(state: &mut State, key: KeyEvent, mut text: String, out: &mut Vec<Command>) {
    match key.code {
        KeyCode::Esc => {}
        KeyCode::Enter => {
            let handle = text.trim().trim_start_matches('@').to_string();
            if is_valid_handle(&handle) {
                state.message = Some(info(format!("Looking up @{handle}…")));
                out.push(Command::ResolveHandle { handle });
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

fn on_confirm_key(state: &mut State, key: KeyEvent, mut confirm: Confirm, out: &mut Vec<Command>) {
    let bulk = confirm.targets.len() > TYPE_BACK_OVER && !confirm.later;
    if confirm.later {
        match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
                let ids: Vec<String> = confirm.targets.into_iter().map(|t| t.id).collect();
                state.message = Some(info(format!("Saving {} ids for later…", ids.len())));
                state.marks.clear();
                out.push(Command::SaveForLater { ids });
            }
            KeyCode::Char('m' | 'M') => {
                confirm.verb = Verb::Mute;
                confirm.later = false;
                state.mode = Mode::Confirm(confirm);
            }
            KeyCode::Esc | KeyCode::Char('n' | 'N') => {
                state.message = Some(info("Nothing saved."));
            }
            _ => state.mode = Mode::Confirm(confirm),
        }
        return;
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('n' | 'N') => {
            state.message = Some(info(format!("Nothing {}.", confirm.verb.past())));
        }
        KeyCode::Char('y' | 'Y') | KeyCode::Enter
            if !bulk || confirm.typed == confirm.targets.len().to_string() =>
        {
            run_confirmed(state, confirm, out);
        }
        KeyCode::Char(c) if bulk && c.is_ascii_digit() && confirm.typed.len() < 9 => {
            confirm.typed.push(c);
            state.mode = Mode::Confirm(confirm);
        }
        KeyCode::Backspace if bulk => {
            confirm.typed.pop();
            state.mode = Mode::Confirm(confirm);
        }
        _ => state.mode = Mode::Confirm(confirm),
    }
}

fn run_confirmed(state: &mut State, confirm: Confirm, out: &mut Vec<Command>) {
    let n = confirm.targets.len();
    for t in confirm.targets {
        if let Some(i) = state.index_of(&t.id) {
            state.accounts[i as usize].standing = Standing::Pending;
        } else if let Some(acct) = t.outside {
            if let Some(i) = state.insert(*acct) {
                state.accounts[i as usize].standing = Standing::Pending;
                rebuild_view(state);
            }
        }
        out.push(match confirm.verb {
            Verb::Unblock => Command::Unblock { id: t.id },
            Verb::Block => Command::Block { id: t.id },
            Verb::Mute => Command::Mute { id: t.id },
        });
    }
    state.pending += n;
    state.marks.clear();
    let word = confirm.verb.word();
    state.message = Some(info(format!(
        "Queued: {word} {n} account{}.",
        if n == 1 { "" } else { "s" }
    )));
}

/// Opens the confirm pane for the marked accounts (or the selected one).
fn ask(state: &mut State, verb: Verb) {
    let read_only = matches!(state.capability, Capability::ReadOnly { .. });
    if verb == Verb::Block {
        if let Capability::ReadOnly { reason } = &state.capability {
            state.message = Some(error(format!(
                "Can't {}: {reason} Press m to mute instead, o to open the profile.",
                verb.word()
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
    picked.retain(|&i| {
        let s = state.accounts[i as usize].standing;
        match verb {
            Verb::Unblock => s == Standing::Blocked || s == Standing::Muted,
            Verb::Mute => s == Standing::Blocked,
            Verb::Block => s == Standing::Unblocked,
        }
    });
    if picked.is_empty() {
        state.message = Some(info(format!(
            "Nothing to {}: mark accounts with Space or select one.",
            verb.word()
        )));
        return;
    }
    let targets = picked
        .into_iter()
        .map(|i| {
            let a = &state.accounts[i as usize];
            Target {
                id: a.id.to_string(),
                handle: a.handle.clone(),
                name: a.name.clone(),
                outside: None,
            }
        })
        .collect();
    state.mode = Mode::Confirm(Confirm {
        verb,
        targets,
        typed: String::new(),
        later: read_only && verb == Verb::Unblock,
    });
}

fn on_resolved(state: &mut State, user: crate::api::types::User) {
    let now = unix(state.now);
    let acct = Account::from_user(&user, None, now);
    if let Some(i) = state.index_of(acct.id.as_str()) {
        if state.accounts[i as usize].standing != Standing::Unblocked {
            state.message = Some(info(format!("@{} is already blocked.", acct.handle)));
            return;
        }
    }
    let target = Target {
        id: acct.id.to_string(),
        handle: acct.handle.clone(),
        name: acct.name.clone(),
        outside: Some(Box::new(acct)),
    };
    state.mode = Mode::Confirm(Confirm {
        verb: Verb::Block,
        targets: vec![target],
        typed: String::new(),
        later: false,
    });
}

fn on_done(state: &mut State, verb: Verb, id: &str) {
    state.pending = state.pending.saturating_sub(1);
    if let Some(i) = state.index_of(id) {
        let a = &mut state.accounts[i as usize];
        a.standing = match verb {
            Verb::Unblock => Standing::Unblocked,
            Verb::Block => Standing::Blocked,
            Verb::Mute => Standing::Muted,
        };
        let text = if state.pending == 0 {
            format!(
                "{} @{}. All queued actions done.",
                capitalize(verb.past()),
                a.handle
            )
        } else {
            format!(
                "{} @{}; {} to go.",
                capitalize(verb.past()),
                a.handle,
                state.pending
            )
        };
        state.message = Some(info(text));
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn unix(t: std::time::SystemTime) -> i64 {
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
        if let Some(i) = state.insert(Account::from_user(u, pin, now)) {
            if plain {
                state.view.push(i);
            }
        }
    }
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

/// Recomputes `view` from the sort and the query, keeping the selected account selected.
fn rebuild_view(state: &mut State) {
    let keep = state.view.get(state.cursor).copied();
    let all: Vec<u32> = (0..state.accounts.len() as u32).collect();
    state.view = if state.query.is_empty() {
        let mut v = all;
        let accts = &state.accounts;
        match state.sort {
            SortKey::Loaded => {}
            SortKey::Handle => {
                v.sort_by_cached_key(|&i| accts[i as usize].handle.as_str().to_lowercase())
            }
            SortKey::Name => {
                v.sort_by_cached_key(|&i| accts[i as usize].name.as_str().to_lowercase())
            }
            SortKey::Followers => {
                v.sort_by_key(|&i| std::cmp::Reverse(accts[i as usize].followers))
            }
        }
        if state.reversed {
            v.reverse();
        }
        v
    } else {
        start_search(state, all);
        return;
    };
    state.search_job = None;
    state.cursor = keep
        .and_then(|k| state.view.iter().position(|&v| v == k))
        .unwrap_or(0);
    keep_cursor_visible(state);
}

/// Starts a search over `candidates`; small lists finish at once, large ones in slices.
fn start_search(state: &mut State, candidates: Vec<u32>) {
    state.search_job = Some(search::Job::new(candidates));
    state.view.clear();
    state.cursor = 0;
    state.offset = 0;
    search_step(state);
}

/// Scores one more slice of the running search; shows matches as they are found and ranks them
/// when the scan is complete.
fn search_step(state: &mut State) {
    let Some(mut job) = state.search_job.take() else {
        return;
    };
    if job.step(&state.accounts, &state.query, search::CHUNK) {
        state.view = job.ranked();
        state.cursor = 0;
        state.offset = 0;
    } else {
        state.view = job.found.iter().map(|&(i, _)| i).collect();
        state.search_job = Some(job);
    }
    keep_cursor_visible(state);
}

fn move_by(state: &mut State, delta: isize) {
    let target = (state.cursor as isize + delta).max(0) as usize;
    move_to(state, target);
}

fn move_to(state: &mut State, pos: usize) {
    state.cursor = pos.min(state.view.len().saturating_sub(1));
    keep_cursor_visible(state);
}

fn keep_cursor_visible(state: &mut State) {
    let rows = state.list_rows();
    state.cursor = state.cursor.min(state.view.len().saturating_sub(1));
    if state.cursor < state.offset {
        state.offset = state.cursor;
    } else if state.cursor >= state.offset + rows {
        state.offset = state.cursor + 1 - rows;
    }
    let max_offset = state.view.len().saturating_sub(rows);
    state.offset = state.offset.min(max_offset);
}

/// Lazy paging: within one screen of the end of what is loaded, with no page in flight, no
/// search filter and a next token, ask for the next page.
fn maybe_load(state: &mut State) -> Option<Command> {
    if state.loading || state.page_error || !state.query.is_empty() {
        return None;
    }
    let token = state.next_token.clone()?;
    let left = state.view.len().saturating_sub(state.cursor + 1);
    if left > state.list_rows() {
        return None;
    }
    state.loading = true;
    Some(Command::LoadNextPage { token: Some(token) })
}
