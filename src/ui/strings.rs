//! Strings users see, in one place so the wording stays consistent.

use crate::api::Write;
use crate::app::sign_in::SignIn;
use crate::app::state::clock;
use crate::app::{Capability, KeyAction, KeyMode, Mode, SortKey, State};

/// What blocking does, from X's documentation.
pub const BLOCK_EFFECT: &str = "A blocked account can't see your posts, follow you, message you, \
add you to lists or tag you in media, and you won't see theirs. Blocking removes any follows \
between you.";
/// What unblocking does.
pub const UNBLOCK_EFFECT: &str = "Unblocked accounts can again see your posts, follow you, \
message you, add you to lists and tag you in media, and you'll see theirs. Follows removed by the \
block are not restored.";
/// What muting does.
pub const MUTE_EFFECT: &str = "Muting hides their posts from your timeline without telling them; \
they can still follow and message you. Muting works on every API plan.";
/// What unmuting does.
pub const UNMUTE_EFFECT: &str = "Unmuting shows their posts in your timeline again; the block, if \
any, stays.";

/// What a full sync (`R`) does.
pub const FULL_SYNC_EFFECT: &str = "Reads every page of the block list from X into the local \
database. Accounts X no longer lists (unblocked elsewhere) leave the list; D shows them.";

/// Shown for an account whose display name is empty (or was only control characters).
pub const NO_NAME: &str = "(no name)";

/// What saving unblocks for later does (read-only plans).
pub const LATER_EFFECT: &str =
    "This plan can't unblock through the API. Saving keeps the unblocks \
in the durable queue (Q, or `xblocks queue`); they are sent at a later start once the account has \
the Enterprise plan. Muting works now.";

/// The effect text for a verb.
pub fn effect(verb: Write) -> &'static str {
    match verb {
        Write::Unblock => UNBLOCK_EFFECT,
        Write::Block => BLOCK_EFFECT,
        Write::Mute => MUTE_EFFECT,
        Write::Unmute => UNMUTE_EFFECT,
    }
}

/// `FULL`, `READ-ONLY` or `checking…`.
pub fn capability_label(cap: &Capability) -> &'static str {
    match cap {
        Capability::Unknown => "checking…",
        Capability::Full => "FULL",
        Capability::ReadOnly { .. } => "READ-ONLY",
    }
}

/// Human name for a waiting endpoint (`GET /2/users/:id/blocking` → `loading the block list`).
pub fn endpoint_name(endpoint: &str) -> String {
    let e = endpoint.to_ascii_lowercase();
    let what = if e.contains("blocking") && (e.contains("delete") || e.contains("unblock")) {
        "unblocks"
    } else if e.contains("blocking") && (e.contains("post") || e == "block") {
        "blocks"
    } else if e.contains("blocking") {
        "block list"
    } else if e.contains("muting") || e.contains("mute") {
        "mutes"
    } else if e.ends_with("/users/me") {
        "sign-in check"
    } else if e.contains("users") || e.contains("lookup") {
        "handle lookups"
    } else {
        return crate::text::sanitize(endpoint);
    };
    what.into()
}

/// Title of the list pane.
pub fn list_title(state: &State) -> String {
    let mut t = format!(" Blocked · {}", state.sort.label());
    if state.reversed {
        t.push_str(" (reversed)");
    }
    if let Some(job) = &state.search_job {
        let pct = job.progress() * 100 / job.total().max(1);
        t = format!(" Blocked · searching {pct}%…");
    } else if state.query_error.is_some() {
        t = " Blocked · query error".into();
    } else if !state.query.is_empty() {
        t = format!(" Blocked · {}", matches(state.view.len()));
    } else if state.sort == SortKey::Loaded && state.reversed {
        t = " Blocked · oldest block first".into();
    }
    t.push(' ');
    t
}

/// `1 account`, `1,200 accounts`.
pub fn accounts(n: usize) -> String {
    format!(
        "{} account{}",
        crate::text::thousands(n as u64),
        if n == 1 { "" } else { "s" }
    )
}

/// `1 match`, `796 matches`.
pub fn matches(n: usize) -> String {
    format!(
        "{} match{}",
        crate::text::thousands(n as u64),
        if n == 1 { "" } else { "es" }
    )
}

/// Text instead of rows when there are none to show.
pub fn list_placeholder(state: &State) -> Option<String> {
    if !state.view.is_empty() {
        return None;
    }
    Some(if state.searching() {
        "Searching…".into()
    } else if let Some(e) = &state.query_error {
        format!("{}", e)
    } else if !state.query.is_empty() {
        "No loaded account matches. Esc clears the search.".into()
    } else if let Some(text) = sign_in_placeholder(state) {
        text
    } else if state.page_error {
        format!(
            "The block list could not be loaded. Press {} to retry.",
            state.key(KeyAction::Refresh)
        )
    } else if !state.started {
        match wait_for(state, "blocking") {
            Some(secs) => format!("Loading… rate limited, resumes in {}", clock(secs)),
            None => "Loading your block list…".into(),
        }
    } else {
        format!(
            "No blocked accounts. Press {} to block someone by handle.",
            state.keymap.key_name(KeyMode::Main, KeyAction::Block)
        )
    })
}

/// The status bar's start while the account is unknown (instead of `@handle · `).
pub fn sign_in_status(state: &State, narrow: bool) -> Option<String> {
    let retry = state.keymap.key_name(KeyMode::Main, KeyAction::Refresh);
    Some(match (&state.sign_in, narrow) {
        (SignIn::Done, _) => return None,
        (SignIn::Connecting, true) => " signing in… · ".into(),
        (SignIn::Connecting, false) => " signing in… connecting to X · ".into(),
        (SignIn::Failed { offline: true }, true) => format!(" offline: {retry} retries · "),
        (SignIn::Failed { offline: true }, false) => {
            format!(" cannot reach the X API: {retry} retries · ")
        }
        (SignIn::Failed { offline: false }, _) => format!(" not signed in: {retry} retries · "),
    })
}

/// The list's text while the account is unknown.
fn sign_in_placeholder(state: &State) -> Option<String> {
    let retry = state.keymap.key_name(KeyMode::Main, KeyAction::Refresh);
    let quit = state.keymap.key_name(KeyMode::Main, KeyAction::Quit);
    Some(match state.sign_in {
        SignIn::Done => return None,
        SignIn::Connecting => format!("Signing in… connecting to X ({quit} quits)"),
        SignIn::Failed { offline: true } => {
            format!("Cannot reach the X API. Press {retry} to try again, {quit} to quit.")
        }
        SignIn::Failed { offline: false } => {
            format!("Not signed in. Press {retry} to try again, {quit} to quit.")
        }
    })
}

/// The row after the last loaded account while more pages exist.
pub fn loading_row(state: &State) -> Option<String> {
    if !crate::app::geometry::has_loading_row(state) {
        return None;
    }
    Some(if let Some(secs) = wait_for(state, "blocking") {
        format!("loading more… rate limited, resumes in {}", clock(secs))
    } else if state.loading {
        "loading more…".into()
    } else if state.page_error {
        format!(
            "next page failed: press {} to retry",
            state.key(KeyAction::Refresh)
        )
    } else {
        "more accounts: move down to load".into()
    })
}

/// Seconds left on a wait whose endpoint contains `needle` and is a read.
fn wait_for(state: &State, needle: &str) -> Option<u64> {
    state
        .waits
        .iter()
        .find(|w| {
            let e = w.endpoint.to_ascii_lowercase();
            e.contains(needle) && !e.contains("delete") && !e.contains("post")
        })
        .map(|w| state.secs_until(w.until))
}

/// The hint line when there is no message: the mode's keys, from the keymap.
pub fn hints(state: &State) -> String {
    let read_only = matches!(state.capability, Capability::ReadOnly { .. });
    match &state.mode {
        Mode::Search => format!("/{}▏ Enter keeps the filter · Esc clears", state.query),
        Mode::Prompt(_) => "Enter looks the handle up · Esc cancels".into(),
        Mode::History(p) if p.typing => {
            format!("/{}▏ Enter keeps the filter · Esc clears", p.filter)
        }
        Mode::History(_) => format!("History: {}", view_keys(state, KeyMode::History)),
        Mode::Diff(_) => format!(
            "Diff: new and gone between the last two full syncs · {}",
            view_keys(state, KeyMode::Diff)
        ),
        Mode::Review(r) if r.confirming => {
            format!("Review: {}", state.keymap.mode_hint(KeyMode::ReviewSend))
        }
        Mode::Review(_) => {
            "Review: decide, and nothing is sent until the confirm at the end".into()
        }
        Mode::Insights(_) => format!(
            "Insights: counts and charts of the loaded list · {}",
            state.keymap.mode_hint(KeyMode::Insights)
        ),
        Mode::Queue(_) => format!("Queue: {}", view_keys(state, KeyMode::Queue)),
        Mode::Help { .. } => view_keys(state, KeyMode::Help),
        Mode::Confirm(c @ crate::app::Confirm::Quit(_)) => state.keymap.mode_hint(c.key_mode()),
        Mode::Confirm(crate::app::Confirm::Write(w))
            if !w.later && w.targets.len() > crate::app::state::TYPE_BACK_OVER =>
        {
            let key = |a| state.keymap.key_name(KeyMode::Confirm, a);
            format!(
                // The digits to type, without separators.
                "Type {} then {} to {} them · {} cancels",
                w.targets.len(),
                key(KeyAction::Yes),
                w.verb.verb(),
                key(KeyAction::No)
            )
        }
        Mode::Confirm(c) => {
            // The pane's own answer words, and the duration key when it has one.
            let timed = matches!(c, crate::app::Confirm::Write(w) if w.timed());
            state.keymap.hint(&[c.key_mode()], |a, w| match a {
                KeyAction::Duration => timed.then_some(w),
                _ => super::confirm::answer_word(c, a),
            })
        }
        _ => state.keymap.hint(&[KeyMode::Move, KeyMode::Main], |a, w| {
            Some(match a {
                KeyAction::Unblock if read_only => "unblock later",
                _ => w,
            })
        }),
    }
}

/// A view's keys from the keymap: its own, then scrolling (`p pause · c cancel · j/k scroll ·
/// Esc close`).
pub fn view_keys(state: &State, mode: KeyMode) -> String {
    let idle = state
        .snapshots
        .queue
        .as_ref()
        .is_some_and(|q| q.paused || (!q.running && q.unsent() > 0));
    let keys = &state.keymap;
    let own = |close: bool| {
        keys.hint(&[mode], |a, w| match a {
            KeyAction::Close => close.then_some(w),
            _ if close => None,
            KeyAction::PauseQueue if idle => Some("run"),
            _ => Some(w),
        })
    };
    let scroll = format!(
        "{}/{} scroll",
        keys.key_name(mode, KeyAction::Down),
        keys.key_name(mode, KeyAction::Up)
    );
    [own(false), scroll, own(true)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::endpoint_name;

    #[test]
    fn endpoints_are_named_for_people() {
        assert_eq!(endpoint_name("GET /2/users/:id/blocking"), "block list");
        assert_eq!(
            endpoint_name("DELETE /2/users/:id/blocking/:target"),
            "unblocks"
        );
        assert_eq!(endpoint_name("POST /2/users/:id/blocking"), "blocks");
        assert_eq!(endpoint_name("POST /2/users/:id/muting"), "mutes");
        assert_eq!(endpoint_name("GET /2/users/by"), "handle lookups");
        assert_eq!(endpoint_name("GET /2/users/me"), "sign-in check");
        assert_eq!(endpoint_name("GET /x\x1b[2J"), "GET /x");
    }
}
