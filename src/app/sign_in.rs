//! The sign-in of a TUI that starts without knowing the account (a fresh profile with
//! `XBLOCKS_ACCESS_TOKEN`, or a token file without the account): the screen draws at once and
//! stays responsive while the worker asks X who is signed in; a failure says what happened and
//! `r` (or `p`) asks again.

use super::action::{Command, Effect};
use super::state::{Message, State};
use super::update::{error, info};

/// Where the sign-in stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SignIn {
    /// The account is known.
    #[default]
    Done,
    /// Asking X who is signed in.
    Connecting,
    /// The question failed; nothing else is asked until the user retries.
    Failed {
        /// X could not be reached (deadlines, refused connections).
        offline: bool,
    },
}

impl SignIn {
    /// True until the account is known.
    pub fn pending(&self) -> bool {
        *self != SignIn::Done
    }
}

/// The commands of the start while the account is unknown: ask X first.
pub(super) fn start(state: &mut State) -> Vec<Effect> {
    state.sign_in = SignIn::Connecting;
    vec![Command::SignIn.into()]
}

/// X named the signed-in account: the usual start follows.
pub(super) fn on_signed_in(state: &mut State, handle: &str, out: &mut Vec<Effect>) {
    state.me = crate::text::SafeText::new(handle);
    state.sign_in = SignIn::Done;
    state.message = Some(info(format!(
        "Signed in as @{}.",
        crate::text::sanitize(handle)
    )));
    out.extend(super::update::start(state));
}

/// Asking X who is signed in failed; `message` says why.
pub(super) fn on_failed(state: &mut State, message: &str, offline: bool) {
    state.sign_in = SignIn::Failed { offline };
    state.message = Some(error(format!(
        "{} Press {} to try again, {} to quit.",
        crate::text::sanitize(message),
        state.key(super::keymap::KeyAction::Refresh),
        state.key(super::keymap::KeyAction::Quit)
    )));
}

/// `r` / `p` before the account is known: ask again, unless a question is on its way.
pub(super) fn retry(state: &mut State, out: &mut Vec<Effect>) {
    match state.sign_in {
        SignIn::Connecting => state.message = Some(info("Still connecting to X…")),
        _ => {
            state.sign_in = SignIn::Connecting;
            state.message = Some(info("Connecting to X again…"));
            out.push(Command::SignIn.into());
        }
    }
}

/// Until the account is known, no other network command can run: they are dropped, and the
/// user is told why.
pub(super) fn gate(state: &mut State, out: &mut Vec<Effect>) {
    if !state.sign_in.pending() {
        return;
    }
    let before = out.len();
    out.retain(|e| matches!(e, Effect::Terminal(_) | Effect::Worker(Command::SignIn)));
    if out.len() < before {
        state.message = Some(Message {
            text: format!(
                "Not signed in yet: that needs the account. Press {} to connect to X again.",
                state.key(super::keymap::KeyAction::Refresh)
            ),
            error: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{start, update, Action, Keymap, TerminalRequest};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::test_support::{key, type_text};

    fn signing_in() -> State {
        State::signing_in(
            "default",
            Keymap::default(),
            std::time::SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn the_start_asks_x_first_and_the_usual_start_follows_the_answer() {
        let mut s = signing_in();
        assert_eq!(start(&mut s), vec![Command::SignIn]);
        assert_eq!(s.sign_in, SignIn::Connecting);
        let user = crate::api::types::User {
            id: "7".into(),
            username: "me_here".into(),
            ..Default::default()
        };
        let out = update(&mut s, Action::SignedIn(Box::new(user)));
        assert_eq!(s.sign_in, SignIn::Done);
        assert_eq!(s.me.as_str(), "me_here");
        assert_eq!(out, vec![Command::LoadNextPage { token: None }]);
    }

    #[test]
    fn a_failure_says_how_to_retry_and_r_asks_again_once() {
        let mut s = signing_in();
        start(&mut s);
        assert!(
            update(&mut s, key('r')).is_empty(),
            "one question at a time"
        );
        update(
            &mut s,
            Action::SignInFailed {
                message: "cannot reach the X API (timed out).".into(),
                offline: true,
            },
        );
        assert_eq!(s.sign_in, SignIn::Failed { offline: true });
        let m = s.message.clone().unwrap();
        assert!(
            m.error && m.text.contains("Press r to try again, q to quit"),
            "{}",
            m.text
        );
        assert_eq!(update(&mut s, key('r')), vec![Command::SignIn]);
        assert_eq!(s.sign_in, SignIn::Connecting);
        update(
            &mut s,
            Action::SignInFailed {
                message: "x".into(),
                offline: false,
            },
        );
        assert_eq!(update(&mut s, key('p')), vec![Command::SignIn], "p too");
    }

    #[test]
    fn other_network_commands_wait_for_the_account_and_q_quits() {
        let mut s = signing_in();
        start(&mut s);
        update(
            &mut s,
            Action::SignInFailed {
                message: "cannot reach the X API.".into(),
                offline: true,
            },
        );
        // `b` then a handle would look the handle up: not before the sign-in.
        update(&mut s, key('b'));
        type_text(&mut s, "someone");
        let out = update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert!(out.is_empty(), "{out:?}");
        assert!(s
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("Not signed in yet"));
        assert_eq!(update(&mut s, key('q')), vec![TerminalRequest::Quit]);
    }
}
