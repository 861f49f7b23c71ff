//! Fixtures of the `app` unit tests: keys, a fresh state, small accounts.

use std::time::{Duration, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{update, Action, Keymap, State};
use crate::api::types::User;

/// A plain character key.
pub fn key(c: char) -> Action {
    code(KeyCode::Char(c))
}

/// Types `text` key by key.
pub fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, key(c));
    }
}

/// Any key without modifiers.
pub fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A fresh state of `@me` at `secs` after the Unix epoch, laid out for 80×24.
pub fn state_at(secs: u64) -> State {
    let mut s = State::new(
        "me",
        "default",
        Keymap::default(),
        UNIX_EPOCH + Duration::from_secs(secs),
    );
    update(&mut s, Action::Resize(80, 24));
    s
}

/// A small account: id `i`, handle `u{i}`, name `n{i}`.
pub fn user(i: u64) -> User {
    User {
        id: i.to_string(),
        username: format!("u{i}"),
        name: format!("n{i}"),
        ..User::default()
    }
}

/// The first page of the list, and its last: `users`.
pub fn only_page(users: Vec<User>) -> Action {
    Action::PageLoaded {
        first: true,
        users,
        pinned: Default::default(),
        next_token: None,
    }
}
