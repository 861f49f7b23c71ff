//! Quitting with writes still queued: ask whether to send them now (and quit when done), keep
//! them queued for the next start, or cancel them. Timed jobs due later are counted apart: they
//! stay queued whatever the answer, and run at the next start or with `xblocks run-due`.

use super::action::{Command, Effect, TerminalRequest};
use super::state::{Confirm, Mode, State};
use super::update::info;

/// What is still queued when the user quits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pending {
    /// Writes not sent yet (due now).
    pub unsent: usize,
    /// Timed jobs due later.
    pub later: usize,
}

/// Writes still to send now: this session's and the durable queue's open jobs due now,
/// whichever knows more.
pub fn pending_writes(state: &State) -> usize {
    let open = state.snapshots.queue.as_ref().map_or(0, |q| q.unsent());
    state.pending().max(open)
}

/// Timed jobs of the durable queue due later.
pub fn due_later(state: &State) -> usize {
    state.snapshots.queue.as_ref().map_or(0, |q| q.due_later)
}

/// `q`: quits at once when nothing is left to send (timed jobs due later stay queued), else
/// asks.
pub(super) fn request(state: &mut State, out: &mut Vec<Effect>) {
    let unsent = pending_writes(state);
    if unsent == 0 {
        state.quit = true;
        out.push(TerminalRequest::Quit.into());
    } else {
        state.mode = Mode::Confirm(Confirm::Quit(Pending {
            unsent,
            later: due_later(state),
        }));
    }
}

/// The answer to the question (the key's action in [`super::keymap::KeyMode::QuitAsk`]).
pub(super) fn on_key(
    state: &mut State,
    action: Option<super::keymap::KeyAction>,
    p: Pending,
    out: &mut Vec<Effect>,
) {
    use super::keymap::KeyAction as K;
    let n = p.unsent;
    let plural = if n == 1 { "" } else { "s" };
    match action {
        Some(K::SendNow) => {
            state.quit_when_idle = true;
            state.message = Some(info(format!(
                "Sending {} queued write{plural}; xblocks quits when they are done (Ctrl-C quits now, keeping them queued).",
                crate::text::thousands(n as u64)
            )));
            out.push(Command::ResumeQueue.into());
        }
        Some(K::KeepQueued) => {
            state.quit = true;
            out.push(TerminalRequest::Quit.into());
        }
        Some(K::CancelQueue) => {
            state.quit_when_idle = true;
            let timed = if p.later > 0 {
                " (timed jobs due later stay queued)"
            } else {
                ""
            };
            state.message = Some(info(format!(
                "Cancelling {} queued write{plural}{timed}…",
                crate::text::thousands(n as u64)
            )));
            out.push(Command::CancelUnsent.into());
        }
        Some(K::Close) => state.message = Some(info("Still here; the queue keeps running.")),
        _ => state.mode = Mode::Confirm(Confirm::Quit(p)),
    }
}

/// After every action: quits once the writes the user chose to send (or cancel) are finished.
pub(super) fn check_idle(state: &mut State, out: &mut Vec<Effect>) {
    if state.quit_when_idle && !state.quit && pending_writes(state) == 0 {
        state.quit = true;
        out.push(TerminalRequest::Quit.into());
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::api::Write;
    use crate::app::test_support::key;
    use crate::app::{update, Action, Keymap};

    fn state_with_queue() -> State {
        let mut s = State::new(
            "me",
            "default",
            Keymap::default(),
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        );
        s.pending_writes = vec![(Write::Unblock, "1".into()), (Write::Mute, "2".into())];
        s
    }

    #[test]
    fn q_quits_at_once_when_nothing_is_queued() {
        let mut s = state_with_queue();
        s.pending_writes.clear();
        assert_eq!(update(&mut s, key('q')), vec![TerminalRequest::Quit]);
        assert!(s.quit);
    }

    #[test]
    fn q_with_queued_writes_asks_and_k_keeps_them() {
        let mut s = state_with_queue();
        assert!(update(&mut s, key('q')).is_empty());
        assert_eq!(
            s.mode,
            Mode::Confirm(Confirm::Quit(Pending {
                unsent: 2,
                later: 0
            }))
        );
        assert_eq!(update(&mut s, key('k')), vec![TerminalRequest::Quit]);
        assert_eq!(s.pending_writes.len(), 2, "kept");
    }

    #[test]
    fn send_now_quits_when_the_last_write_is_done() {
        let mut s = state_with_queue();
        update(&mut s, key('q'));
        assert_eq!(update(&mut s, key('s')), vec![Command::ResumeQueue]);
        assert!(!s.quit);
        let done = |id: &str, verb| Action::Done {
            verb,
            id: id.into(),
        };
        assert!(update(&mut s, done("1", Write::Unblock)).is_empty());
        assert_eq!(
            update(&mut s, done("2", Write::Mute)),
            vec![TerminalRequest::Quit]
        );
    }

    /// A queue snapshot with `unsent` writes due now and `later` timed jobs due later.
    fn queue(unsent: usize, later: usize) -> Action {
        let job = |id: u64, due_at: Option<i64>| crate::app::queue_view::JobRow {
            target: crate::text::SafeText::new(&id.to_string()),
            username: None,
            action: Write::Unmute,
            state: crate::store::db::JobState::Pending,
            due_at,
        };
        Action::QueueSnapshot(Box::new(crate::app::queue_view::QueueSnapshot {
            open: (0..unsent as u64).map(|i| job(i, None)).collect(),
            open_total: unsent + later,
            later: (0..later as u64)
                .map(|i| job(100 + i, Some(1_800_000_000)))
                .collect(),
            due_later: later,
            ..Default::default()
        }))
    }

    #[test]
    fn timed_jobs_due_later_are_counted_apart_and_never_cancelled_by_quitting() {
        let mut s = state_with_queue();
        s.pending_writes.clear();
        // Only timed jobs due later: nothing to send now, so q quits at once.
        update(&mut s, queue(0, 2));
        assert_eq!(update(&mut s, key('q')), vec![TerminalRequest::Quit]);

        let mut s = state_with_queue();
        s.pending_writes.clear();
        update(&mut s, queue(3, 2));
        assert!(update(&mut s, key('q')).is_empty());
        assert_eq!(
            s.mode,
            Mode::Confirm(Confirm::Quit(Pending {
                unsent: 3,
                later: 2
            }))
        );
        // Cancel takes only the unsent writes; xblocks quits once they are gone.
        assert_eq!(update(&mut s, key('c')), vec![Command::CancelUnsent]);
        assert!(s
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("timed jobs due later stay"));
        assert!(update(&mut s, queue(1, 2)).is_empty());
        assert_eq!(update(&mut s, queue(0, 2)), vec![TerminalRequest::Quit]);
    }

    #[test]
    fn cancel_quits_once_cancelled_and_esc_stays() {
        let mut s = state_with_queue();
        update(&mut s, key('q'));
        assert!(update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
        )
        .is_empty());
        assert_eq!(s.mode, Mode::Normal);
        update(&mut s, key('q'));
        assert_eq!(update(&mut s, key('c')), vec![Command::CancelUnsent]);
        let cmds = update(
            &mut s,
            Action::Cancelled(vec![
                (Write::Unblock, "1".into()),
                (Write::Mute, "2".into()),
            ]),
        );
        assert_eq!(cmds, vec![TerminalRequest::Quit]);
    }
}
