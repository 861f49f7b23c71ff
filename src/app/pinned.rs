//! Pinned posts, on demand only: X bills each expanded post ($0.005 on pay-per-use, on top of
//! the $0.010 users lookup that carries it), so pages never ask for them and `P` loads the
//! selected account's one after saying what it costs.

use super::action::{Command, Effect};
use super::keymap::{KeyAction, KeyMode};
use super::state::State;
use super::update::info;

/// What the detail pane says about an account's pinned post before it is loaded.
pub fn hint(state: &State) -> String {
    format!(
        "{} loads it: one users lookup, about {} on pay-per-use",
        state.keymap.key_name(KeyMode::Main, KeyAction::Pinned),
        state.snapshots.sync.prices.pinned_lookup()
    )
}

/// `P`: asks the worker for the selected account's pinned post, unless it is shown already or
/// X lists none.
pub(super) fn load(state: &mut State, out: &mut Vec<Effect>) {
    let Some(a) = state.selected() else {
        return;
    };
    let (id, handle) = (a.id.to_string(), a.handle.clone());
    let text = if a.pinned.is_some() {
        format!("The pinned post of @{handle} is in the detail pane.")
    } else if !a.has_pin {
        format!("@{handle} has no pinned post.")
    } else {
        let sync = &state.snapshots.sync;
        out.push(
            Command::LoadPinned {
                id,
                cost: sync.prices.pinned_lookup(),
                daily_cap: sync.daily_cap,
            }
            .into(),
        );
        state.show_detail = true;
        format!(
            "Loading the pinned post of @{handle} (about {})…",
            state.snapshots.sync.prices.pinned_lookup()
        )
    };
    state.message = Some(info(text));
}

/// The lookup answered: the detail pane shows the post (or that there is none).
pub(super) fn on_loaded(state: &mut State, id: &str, text: Option<String>) {
    let Some(i) = state.index_of(id) else {
        return;
    };
    state.accounts.set_pinned(i, text.as_deref());
    let handle = state.account(i).handle;
    state.message = Some(info(if text.is_some() {
        format!("Pinned post of @{handle} loaded (detail pane).")
    } else {
        format!("@{handle} has no pinned post any more (deleted or hidden).")
    }));
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::api::types::User;
    use crate::app::{start, update, Action, Command, Keymap, State};

    fn user(i: u64, pin: bool) -> User {
        User {
            id: i.to_string(),
            username: format!("u{i}"),
            pinned_tweet_id: pin.then(|| format!("{i}00")),
            ..User::default()
        }
    }

    #[test]
    fn p_loads_the_pinned_post_only_when_asked_and_says_what_it_costs() {
        let mut s = State::new(
            "me",
            "default",
            Keymap::default(),
            UNIX_EPOCH + Duration::from_secs(1),
        );
        update(&mut s, Action::Resize(120, 40));
        start(&mut s);
        update(
            &mut s,
            Action::PageLoaded {
                first: true,
                users: vec![user(1, true), user(2, false)],
                pinned: Default::default(),
                next_token: None,
            },
        );
        assert!(s.account(0).has_pin && s.account(0).pinned.is_none());
        assert_eq!(
            super::hint(&s),
            "P loads it: one users lookup, about $0.015 on pay-per-use"
        );
        let p = Action::Key(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::NONE));
        assert_eq!(
            update(&mut s, p.clone()),
            [Command::LoadPinned {
                id: "1".into(),
                cost: crate::api::price::Usd(15_000),
                daily_cap: None,
            }]
        );
        assert!(s.message.as_ref().unwrap().text.contains("$0.015"));
        update(
            &mut s,
            Action::PinnedLoaded {
                id: "1".into(),
                text: Some("hello\u{1b}[31m world".into()),
            },
        );
        assert_eq!(
            s.account(0).pinned.as_ref().unwrap().as_str(),
            "hello world"
        );
        assert!(
            update(&mut s, p.clone()).is_empty(),
            "loaded once is enough"
        );
        // An account without a pinned post: nothing to buy.
        update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        );
        assert!(update(&mut s, p).is_empty());
        assert!(s.message.as_ref().unwrap().text.contains("no pinned post"));
    }
}
