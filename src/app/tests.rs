//! `update` tests: one or more per action and per key.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{clock, Budget, TYPE_BACK_OVER};
use super::test_support::{code, key, type_text};
use super::*;
use crate::api::types::{PublicMetrics, Tweet, User};
use crate::api::Write;

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn user(i: usize) -> User {
    User {
        id: (1000 + i).to_string(),
        username: format!("user{i}"),
        name: format!("Name {i}"),
        description: Some(format!("bio number {i}")),
        public_metrics: Some(PublicMetrics {
            followers_count: (i * 7 % 13) as u64,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn page(from: usize, n: usize, next: Option<&str>, first: bool) -> Action {
    Action::PageLoaded {
        first,
        users: (from..from + n).map(user).collect(),
        pinned: HashMap::new(),
        next_token: next.map(str::to_string),
    }
}

/// A state 80×24 (19 list rows) with `n` accounts loaded and more to come when `more`.
fn loaded(n: usize, more: bool) -> State {
    let mut s = State::new("me", "default", Keymap::default(), t0());
    update(&mut s, Action::Resize(80, 24));
    assert_eq!(start(&mut s), vec![Command::LoadNextPage { token: None }]);
    let cmds = update(&mut s, page(0, n, more.then_some("p2"), true));
    assert!(cmds.is_empty() || n <= s.list_rows());
    s
}

/// X says this plan cannot write, for `reason`.
fn read_only(s: &mut State, reason: &str) {
    update(
        s,
        Action::Capability(Capability::ReadOnly {
            reason: reason.into(),
        }),
    );
}

/// The worker reports `verb` on `id` done.
fn done(s: &mut State, verb: Write, id: &str) {
    update(
        s,
        Action::Done {
            verb,
            id: id.into(),
        },
    );
}

fn selected_handle(s: &State) -> String {
    s.selected().unwrap().handle.to_string()
}

#[test]
fn page_loaded_fills_list_and_dedupes() {
    let mut s = loaded(50, true);
    assert_eq!(s.accounts.len(), 50);
    assert_eq!(s.loaded(), (50, true));
    s.loading = true;
    update(&mut s, page(40, 20, None, false));
    assert_eq!(s.accounts.len(), 60, "ids 40..50 are duplicates");
    assert_eq!(s.view.len(), 60);
    assert!(s.complete);
    assert_eq!(s.loaded(), (60, false));
}

#[test]
fn first_page_after_refresh_replaces_the_list() {
    let mut s = loaded(50, false);
    update(&mut s, key('j'));
    update(&mut s, key('r'));
    assert!(s.loading);
    update(&mut s, page(1, 10, None, true));
    assert_eq!(s.accounts.len(), 10);
    assert_eq!(
        selected_handle(&s),
        "user1",
        "cursor stays on the same account"
    );
}

#[test]
fn lazy_paging_near_the_end_only_once() {
    let mut s = loaded(100, true);
    assert!(update(&mut s, key('j')).is_empty());
    let cmds = update(&mut s, key('G'));
    assert_eq!(
        cmds,
        vec![Command::LoadNextPage {
            token: Some("p2".into())
        }]
    );
    assert!(s.loading);
    assert!(
        update(&mut s, key('k')).is_empty(),
        "no second request in flight"
    );
    update(&mut s, page(100, 100, None, false));
    assert!(
        update(&mut s, key('G')).is_empty(),
        "last page: nothing more"
    );
}

#[test]
fn page_failed_pauses_paging_and_r_retries() {
    let mut s = loaded(100, true);
    update(&mut s, key('G'));
    update(&mut s, Action::PageFailed("The server failed.".into()));
    assert!(s.message.as_ref().unwrap().error);
    assert!(s
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("Press r to retry"));
    assert!(update(&mut s, key('k')).is_empty());
    assert_eq!(
        update(&mut s, key('r')),
        vec![Command::LoadNextPage {
            token: Some("p2".into())
        }]
    );
}

#[test]
fn movement_keys() {
    let mut s = loaded(100, false);
    update(&mut s, key('j'));
    update(&mut s, code(KeyCode::Down));
    assert_eq!(s.cursor, 2);
    update(&mut s, key('k'));
    update(&mut s, code(KeyCode::Up));
    update(&mut s, code(KeyCode::Up));
    assert_eq!(s.cursor, 0);
    update(&mut s, code(KeyCode::PageDown));
    assert_eq!(s.cursor, 19);
    assert_eq!(s.offset, 1);
    update(&mut s, code(KeyCode::PageUp));
    assert_eq!(s.cursor, 0);
    update(&mut s, key('G'));
    assert_eq!(s.cursor, 99);
    assert_eq!(s.offset, 100 - 19);
    update(&mut s, key('g'));
    assert_eq!((s.cursor, s.offset), (0, 0));
}

#[test]
fn mouse_scroll_moves_the_cursor() {
    let mut s = loaded(100, false);
    update(&mut s, Action::Scroll(3));
    assert_eq!(s.cursor, 3);
    update(&mut s, Action::Scroll(-10));
    assert_eq!(s.cursor, 0);
}

#[test]
fn click_selects_the_account_under_the_pointer() {
    let mut s = loaded(100, false);
    update(&mut s, Action::Click(5, 7));
    assert_eq!(s.cursor, 5, "row 2 is the first account");
    update(&mut s, Action::Click(0, 9));
    assert_eq!(s.cursor, 5, "the border is not an account");
    update(&mut s, Action::Click(5, 23));
    assert_eq!(s.cursor, 5, "the status bar is not an account");
    update(&mut s, key('G'));
    update(&mut s, Action::Click(5, 2));
    assert_eq!(s.cursor, 100 - 19, "first visible row after scrolling");
    update(&mut s, key('?'));
    update(&mut s, Action::Click(5, 3));
    assert_eq!(s.cursor, 100 - 19, "overlays take the click");
}

#[test]
fn resize_keeps_cursor_visible() {
    let mut s = loaded(100, false);
    update(&mut s, key('G'));
    update(&mut s, Action::Resize(40, 10));
    assert!(s.cursor >= s.offset && s.cursor < s.offset + s.list_rows());
    update(&mut s, Action::Resize(0, 0));
    assert_eq!(s.list_rows(), 1);
}

#[test]
fn tick_advances_the_clock_and_countdown() {
    let mut s = loaded(1, false);
    update(
        &mut s,
        Action::RateWaiting {
            endpoint: "GET /2/users/:id/blocking".into(),
            until: t0() + Duration::from_secs(30),
            bad_reset: false,
        },
    );
    assert_eq!(s.secs_until(s.waits[0].until), 30);
    update(&mut s, Action::Tick(t0() + Duration::from_secs(20)));
    assert_eq!(s.secs_until(s.waits[0].until), 10);
    update(
        &mut s,
        Action::RateResumed {
            endpoint: "GET /2/users/:id/blocking".into(),
        },
    );
    assert!(s.waits.is_empty());
}

#[test]
fn a_bad_reset_is_told_with_the_bounded_wait_and_logged() {
    let mut s = loaded(1, false);
    update(
        &mut s,
        Action::RateWaiting {
            endpoint: "GET /2/users/:id/blocking".into(),
            until: t0() + Duration::from_secs(900),
            bad_reset: true,
        },
    );
    let m = s.message.clone().expect("a message");
    assert!(m.error);
    assert!(
        m.text.contains("X sent a bad rate-limit reset"),
        "{}",
        m.text
    );
    assert!(m.text.contains("(15:00)"), "the bounded wait: {}", m.text);
    assert!(s.waits[0].bad_reset);
    assert!(
        s.log
            .iter()
            .any(|e| e.text.contains("bad rate-limit reset")),
        "the message log keeps it"
    );
    // An ordinary wait says nothing beyond the countdown.
    let mut s = loaded(1, false);
    let before = s.message.clone();
    update(
        &mut s,
        Action::RateWaiting {
            endpoint: "GET /2/users/:id/blocking".into(),
            until: t0() + Duration::from_secs(30),
            bad_reset: false,
        },
    );
    assert_eq!(s.message, before);
}

#[test]
fn marks_and_mark_all_matches() {
    let mut s = loaded(30, false);
    update(&mut s, key(' '));
    assert_eq!(s.marks.len(), 1);
    assert_eq!(s.cursor, 1, "space moves down");
    update(&mut s, key('k'));
    update(&mut s, key(' '));
    assert!(s.marks.is_empty(), "space again unmarks");
    update(&mut s, key('/'));
    type_text(&mut s, "user2");
    let matches = s.view.len();
    assert!(matches >= 11, "user2, user20..29: {matches}");
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, key('V'));
    assert_eq!(s.marks.len(), matches);
    update(&mut s, code(KeyCode::Esc));
    assert!(s.query.is_empty());
    assert_eq!(s.view.len(), 30);
    update(&mut s, code(KeyCode::Esc));
    assert!(s.marks.is_empty());
}

#[test]
fn search_is_incremental_and_escape_restores() {
    let mut s = loaded(30, true);
    update(&mut s, key('/'));
    assert_eq!(s.mode, Mode::Search);
    update(&mut s, key('n'));
    update(&mut s, key('u'));
    update(&mut s, key('m'));
    update(&mut s, key('b'));
    update(&mut s, key('e'));
    update(&mut s, key('r'));
    update(&mut s, key(' '));
    update(&mut s, key('7'));
    assert_eq!(s.query, "number 7");
    assert_eq!(selected_handle(&s), "user7");
    assert!(
        update(&mut s, key('j')).is_empty(),
        "typing, not moving; no paging"
    );
    update(&mut s, code(KeyCode::Backspace));
    assert_eq!(s.query, "number 7");
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.view.len(), 30);
}

#[test]
fn search_over_a_large_list_runs_in_slices_and_keys_still_work() {
    let n = crate::query::CHUNK * 2 + 10;
    let mut s = loaded(n, false);
    update(&mut s, key('/'));
    update(&mut s, key('9'));
    assert!(s.searching(), "a list this long is evaluated in slices");
    update(&mut s, code(KeyCode::Down));
    assert_eq!(s.mode, Mode::Search, "keys answer during the scan");
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, key('V'));
    assert!(s.marks.is_empty(), "V waits for the complete result");
    let mut steps = 0;
    while s.searching() {
        update(&mut s, Action::SearchStep);
        steps += 1;
    }
    assert_eq!(steps, 2);
    let expected: Vec<u32> = (0..n as u32)
        .filter(|&i| {
            let a = &s.account(i);
            [a.handle.as_str(), a.name.as_str(), a.bio.as_str()]
                .iter()
                .any(|f| f.contains('9'))
        })
        .collect();
    assert!(s.view == expected, "exactly the matches");
    update(&mut s, key('V'));
    assert_eq!(s.marks.len(), expected.len());
    assert_eq!(s.marked_by.as_deref(), Some("9"));
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.searching());
    assert_eq!(s.view.len(), n);
    assert_eq!(
        s.marks.len(),
        expected.len(),
        "marks survive leaving the search"
    );
    update(&mut s, Action::SearchStep);
    assert_eq!(s.view.len(), n, "a stray step does nothing");
}

#[test]
fn v_marks_exactly_the_matches_and_the_confirm_names_the_query() {
    let mut s = loaded(40, false);
    update(&mut s, Action::Capability(Capability::Full));
    for c in "/\"number 1\" -user12".chars() {
        update(&mut s, key(c));
    }
    let want: Vec<String> = [
        "user1", "user10", "user11", "user13", "user14", "user15", "user16", "user17", "user18",
        "user19",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let got: Vec<String> = s
        .view
        .iter()
        .map(|&i| s.account(i).handle.to_string())
        .collect();
    assert_eq!(got, want);
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, key('V'));
    update(&mut s, key('u'));
    let Mode::Confirm(Confirm::Write(c)) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert_eq!(c.query.as_deref(), Some("\"number 1\" -user12"));
    let ids: Vec<String> = c.targets.iter().map(|t| t.handle.to_string()).collect();
    assert_eq!(ids, want);
}

#[test]
fn a_bad_query_lists_nothing_and_v_refuses() {
    let mut s = loaded(10, false);
    type_text(&mut s, "/followers:lots");
    assert!(s.view.is_empty());
    let e = s.query_error.clone().expect("an error");
    assert_eq!(e.column, 1);
    update(&mut s, key('V'));
    assert!(s.marks.is_empty());
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, key('V'));
    assert!(s.marks.is_empty());
    assert!(s.message.as_ref().unwrap().text.contains("followers:"));
    assert!(
        s.log.iter().any(|m| m.text.contains("Nothing marked")),
        "the log keeps it"
    );
}

#[test]
fn kept_accounts_are_left_out_of_an_unblock() {
    let mut s = loaded(5, false);
    update(&mut s, Action::Capability(Capability::Full));
    let cmds = update(&mut s, key('K'));
    assert_eq!(
        cmds,
        vec![Command::SetKept {
            ids: vec!["1000".into()],
            kept: true
        }]
    );
    update(&mut s, key('V'));
    update(&mut s, key('u'));
    let Mode::Confirm(Confirm::Write(c)) = &s.mode else {
        panic!()
    };
    assert_eq!(c.kept, 1);
    assert_eq!(c.targets.len(), 4);
    assert!(c.targets.iter().all(|t| t.id != "1000"));
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.marks.is_empty());
    update(&mut s, key('u'));
    assert!(matches!(s.mode, Mode::Normal), "the selected one is kept");
    assert!(s.message.as_ref().unwrap().text.contains("keep list"));
}

#[test]
fn notes_and_tags_are_edited_searched_and_stored() {
    let mut s = loaded(5, false);
    update(&mut s, key('j'));
    update(&mut s, key('n'));
    type_text(&mut s, "Paid troll");
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::SaveNote {
            id: "1001".into(),
            note: "Paid troll".into()
        }]
    );
    update(&mut s, key('t'));
    type_text(&mut s, "+Spam +x");
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::SaveTags {
            id: "1001".into(),
            tags: vec!["spam".into(), "x".into()]
        }]
    );
    for q in ["/troll", "/tag:spam", "/note:paid", "/SPAM"] {
        update(&mut s, code(KeyCode::Esc));
        for c in q.chars() {
            update(&mut s, key(c));
        }
        assert_eq!(s.view, vec![1], "{q}");
    }
}

#[test]
fn the_log_keeps_the_last_messages_in_full() {
    let mut s = loaded(3, false);
    for i in 0..250 {
        update(
            &mut s,
            Action::Notice {
                text: format!("notice {i} {}", "x".repeat(300)),
                error: false,
            },
        );
    }
    assert_eq!(s.log.len(), 200);
    assert!(s.log.front().unwrap().text.starts_with("notice 50 "));
    assert_eq!(s.log.back().unwrap().text.len(), "notice 249 ".len() + 300);
    update(&mut s, key('L'));
    assert_eq!(s.mode, Mode::Log { scroll: 0 });
}

#[test]
fn sort_cycles_and_reverses() {
    let mut s = loaded(30, false);
    update(&mut s, key('s'));
    assert_eq!(s.sort, SortKey::Handle);
    assert_eq!(selected_handle(&s), "user0");
    update(&mut s, key('s'));
    assert_eq!(s.sort, SortKey::Name);
    update(&mut s, key('s'));
    assert_eq!(s.sort, SortKey::Followers);
    update(&mut s, key('g'));
    let top = s.selected().unwrap().followers;
    assert!((0..s.accounts.len() as u32)
        .map(|i| s.account(i))
        .all(|a| a.followers <= top));
    update(&mut s, key('S'));
    update(&mut s, key('g'));
    let bottom = s.selected().unwrap().followers;
    assert!((0..s.accounts.len() as u32).all(|i| s.account(i).followers >= bottom));
    update(&mut s, key('s'));
    assert_eq!(s.sort, SortKey::Loaded);
}

#[test]
fn unblock_confirm_yes_queues_commands() {
    let mut s = loaded(30, false);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key('u'));
    let Mode::Confirm(Confirm::Write(c)) = &s.mode else {
        panic!("confirm expected")
    };
    assert_eq!(c.targets.len(), 2);
    let cmds = update(&mut s, key('y'));
    assert_eq!(
        cmds,
        vec![Command::Write(vec![
            (Write::Unblock, "1000".into()),
            (Write::Unblock, "1001".into())
        ])]
    );
    assert_eq!(s.pending(), 2);
    assert!(s.marks.is_empty());
    assert_eq!(s.accounts.standing(0), Standing::Pending);
    done(&mut s, Write::Unblock, "1000");
    assert_eq!(s.accounts.standing(0), Standing::Unblocked);
    update(
        &mut s,
        Action::Failed {
            verb: Write::Unblock,
            id: "1001".into(),
            message: "Server error; try again later.".into(),
        },
    );
    assert_eq!(s.accounts.standing(1), Standing::Blocked);
    assert_eq!(s.pending(), 0);
    assert!(s.message.as_ref().unwrap().error);
}

#[test]
fn the_queue_lists_writes_until_they_finish() {
    let mut s = loaded(5, false);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key('u'));
    update(&mut s, key('y'));
    assert_eq!(s.queued_ids(Write::Unblock), vec!["1000", "1001", "1002"]);
    done(&mut s, Write::Unblock, "1001");
    update(
        &mut s,
        Action::Failed {
            verb: Write::Unblock,
            id: "1000".into(),
            message: "x".into(),
        },
    );
    assert_eq!(s.queued_ids(Write::Unblock), vec!["1002"]);
    assert!(s.queued_ids(Write::Mute).is_empty());
    assert_eq!(s.pending(), 1);
}

#[test]
fn confirm_no_cancels() {
    let mut s = loaded(3, false);
    update(&mut s, key('u'));
    assert!(update(&mut s, key('n')).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    update(&mut s, key('u'));
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
    assert_eq!(s.pending(), 0);
}

#[test]
fn bulk_confirm_needs_the_count_typed_back() {
    let mut s = loaded(30, false);
    update(&mut s, key('V'));
    update(&mut s, key('u'));
    assert!(update(&mut s, key('y')).is_empty(), "y alone is not enough");
    assert!(matches!(s.mode, Mode::Confirm(_)));
    update(&mut s, key('3'));
    update(&mut s, key('1'));
    update(&mut s, code(KeyCode::Backspace));
    assert!(update(&mut s, key('y')).is_empty(), "3 is not 30");
    update(&mut s, key('0'));
    let cmds = update(&mut s, key('y'));
    assert!(
        matches!(&cmds[..], [Effect::Worker(Command::Write(batch))] if batch.len() == 30),
        "one confirmation, one batch"
    );
    const { assert!(30 > TYPE_BACK_OVER) };
}

#[test]
fn read_only_greys_out_unblock_and_offers_mute() {
    let mut s = loaded(3, false);
    read_only(&mut s, "block writes need the Enterprise plan.");
    assert!(update(&mut s, key('u')).is_empty());
    assert!(
        matches!(&s.mode, Mode::Confirm(Confirm::Write(c)) if c.later && c.verb == Write::Unblock)
    );
    update(&mut s, key('n'));
    assert_eq!(s.mode, Mode::Normal);
    update(&mut s, key('b'));
    assert_eq!(s.mode, Mode::Normal);
    let msg = &s.message.as_ref().unwrap().text;
    assert!(msg.contains("Enterprise"), "{msg}");
    update(&mut s, key('m'));
    let cmds = update(&mut s, key('y'));
    assert_eq!(
        cmds,
        vec![Command::Write(vec![(Write::Mute, "1000".into())])]
    );
    done(&mut s, Write::Mute, "1000");
    assert_eq!(s.accounts.standing(0), Standing::Muted);
}

#[test]
fn read_only_unblock_is_queued_for_later_or_switches_to_mute() {
    let mut s = loaded(30, false);
    read_only(&mut s, "writes need Enterprise.");
    update(&mut s, key('V'));
    update(&mut s, key('u'));
    let cmds = update(&mut s, key('y'));
    assert!(
        matches!(&cmds[..], [Effect::Worker(Command::Write(batch))] if batch.len() == 30 && batch.iter().all(|(v, _)| *v == Write::Unblock))
    );
    assert_eq!(s.pending(), 30, "held in the durable queue (Q), not sent");
    let mut s = loaded(30, false);
    read_only(&mut s, "writes need Enterprise.");
    update(&mut s, key('u'));
    update(&mut s, key('m'));
    assert!(
        matches!(&s.mode, Mode::Confirm(Confirm::Write(c)) if !c.later && c.verb == Write::Mute)
    );
    assert_eq!(
        update(&mut s, key('y')),
        vec![Command::Write(vec![(Write::Mute, "1000".into())])]
    );
}

#[test]
fn block_by_handle_prompt_resolve_confirm() {
    let mut s = loaded(3, false);
    update(&mut s, key('b'));
    assert_eq!(s.mode, Mode::Prompt(String::new()));
    type_text(&mut s, "@new_guy");
    update(&mut s, code(KeyCode::Backspace));
    update(&mut s, key('y'));
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::ResolveHandle {
            handle: "new_guy".into()
        }]
    );
    let mut u = user(500);
    u.username = "new_guy".into();
    update(&mut s, Action::Resolved(Box::new(u)));
    assert!(matches!(&s.mode, Mode::Confirm(Confirm::Write(c)) if c.verb == Write::Block));
    let cmds = update(&mut s, key('y'));
    assert_eq!(
        cmds,
        vec![Command::Write(vec![(Write::Block, "1500".into())])]
    );
    assert_eq!(s.accounts.len(), 4, "the new block joins the list");
    done(&mut s, Write::Block, "1500");
    assert_eq!(s.accounts.standing(3), Standing::Blocked);
}

#[test]
fn block_prompt_rejects_bad_handles_and_resolve_failures_explain() {
    let mut s = loaded(3, false);
    update(&mut s, key('b'));
    update(&mut s, key('!'));
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.message.as_ref().unwrap().error);
    update(
        &mut s,
        Action::ResolveFailed {
            handle: "ghost\x1b[2J".into(),
            message: "No such account.".into(),
        },
    );
    let text = &s.message.as_ref().unwrap().text;
    assert!(text.contains("@ghost") && !text.contains('\x1b'));
}

#[test]
fn resolved_account_already_blocked_is_reported() {
    let mut s = loaded(3, false);
    update(&mut s, Action::Resolved(Box::new(user(1))));
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.message.unwrap().text.contains("already blocked"));
}

#[test]
fn open_and_copy_emit_terminal_commands() {
    let mut s = loaded(3, false);
    assert_eq!(
        update(&mut s, key('o')),
        vec![TerminalRequest::Open {
            url: "https://x.com/user0".into()
        }]
    );
    assert_eq!(
        update(&mut s, key('y')),
        vec![TerminalRequest::Copy {
            text: "@user0".into()
        }]
    );
}

#[test]
fn open_failure_names_the_url() {
    let mut s = loaded(1, false);
    update(
        &mut s,
        Action::NoBrowser {
            url: "https://x.com/user0\x1b[2J".into(),
        },
    );
    let m = s.message.unwrap();
    assert_eq!(
        m.text,
        "No browser here; the profile is https://x.com/user0 (y copies the handle)."
    );
}

#[test]
fn help_detail_and_quit() {
    let mut s = loaded(3, false);
    update(&mut s, key('?'));
    assert_eq!(s.mode, Mode::Help { scroll: 0 });
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    update(&mut s, key('k'));
    assert_eq!(s.mode, Mode::Help { scroll: 1 });
    update(&mut s, key('x'));
    assert_eq!(s.mode, Mode::Normal);
    update(&mut s, code(KeyCode::Enter));
    assert!(s.show_detail);
    assert_eq!(update(&mut s, key('q')), vec![TerminalRequest::Quit]);
    assert!(s.quit);
    let mut s = loaded(3, false);
    update(&mut s, key('/'));
    let ctrl_c = Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut s, ctrl_c), vec![TerminalRequest::Quit]);
}

#[test]
fn budget_drives_the_eta() {
    let mut s = loaded(1, false);
    s.window_secs = 900;
    assert_eq!(s.eta_secs(10), 0, "within the documented 50 per window");
    update(
        &mut s,
        Action::Budget {
            limit: 50,
            remaining: 5,
            reset: t0() + Duration::from_secs(60),
        },
    );
    assert_eq!(
        s.budget,
        Some(Budget {
            limit: 50,
            remaining: 5,
            reset: t0() + Duration::from_secs(60)
        })
    );
    assert_eq!(s.eta_secs(5), 0);
    assert_eq!(s.eta_secs(6), 60);
    assert_eq!(s.eta_secs(105), 60 + 900);
    assert_eq!(clock(960), "16:00");
    assert_eq!(clock(3725), "1:02:05");
}

#[test]
fn pinned_posts_attach_to_their_account() {
    let mut s = State::new("me", "default", Keymap::default(), t0());
    let mut u = user(1);
    u.pinned_tweet_id = Some("77".into());
    let mut pinned = HashMap::new();
    pinned.insert(
        "77".to_string(),
        Tweet {
            id: "77".into(),
            text: "pinned\x1b]0;x\x07 text".into(),
            created_at: None,
        },
    );
    update(
        &mut s,
        Action::PageLoaded {
            first: true,
            users: vec![u],
            pinned,
            next_token: None,
        },
    );
    assert_eq!(
        s.account(0).pinned.as_ref().unwrap().as_str(),
        "pinned text"
    );
}

#[test]
fn memory_per_account_is_under_a_kilobyte() {
    let s = loaded(1000, false);
    let m = s.memory_per_account();
    assert!(m > 100 && m < 1024, "{m} bytes");
}

#[test]
fn d_opens_the_diff_and_scrolls_within_it() {
    let mut s = loaded(3, false);
    assert_eq!(update(&mut s, key('D')), vec![Command::LoadDiff]);
    let row = |i: usize| diff_view::DiffRow::new(&i.to_string(), &format!("h\u{202E}{i}"), "n");
    update(
        &mut s,
        Action::Diff(Box::new(diff_view::DiffReport {
            previous_at: Some("a".into()),
            latest_at: Some("b".into()),
            new: vec![row(1), row(2)],
            gone: vec![row(3)],
        })),
    );
    assert_eq!(
        s.snapshots.diff.as_ref().unwrap().new[0].handle.as_str(),
        "h1"
    );
    assert_eq!(diff_view::row_count(&s), 5);
    update(&mut s, key('G'));
    assert_eq!(s.mode, Mode::Diff(diff_view::DiffPane { scroll: 4 }));
    update(&mut s, key('D'));
    assert_eq!(s.mode, Mode::Normal);
}

#[test]
fn a_paste_goes_into_the_field_being_edited_and_is_never_read_as_keys() {
    let mut s = loaded(30, false);
    update(&mut s, key('/'));
    // Typed, "\n" would close the search and "u" would open the unblock confirm.
    let cmds = update(&mut s, Action::Paste("user1\nuy\x1b[2J".into()));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(s.mode, Mode::Search);
    assert_eq!(s.query, "user1uy[2J");
    assert_eq!(s.pending(), 0);

    let mut s = loaded(3, false);
    update(&mut s, key('b'));
    update(
        &mut s,
        Action::Paste("@some\r\nbody_with_a_long_name".into()),
    );
    assert_eq!(s.mode, Mode::Prompt("@somebody_with_a".into()));

    // Outside a text field a paste does nothing: no quit, no confirm.
    let mut s = loaded(3, false);
    assert!(update(&mut s, Action::Paste("quy\n".into())).is_empty());
    assert!(!s.quit);
    assert_eq!(s.mode, Mode::Normal);
    update(&mut s, key('u'));
    assert!(update(&mut s, Action::Paste("y\n".into())).is_empty());
    assert!(matches!(s.mode, Mode::Confirm(_)));
    assert_eq!(s.pending(), 0);
}

#[test]
fn signed_out_says_what_to_do_and_p_reads_the_sign_in_again() {
    let mut s = loaded(30, true);
    update(&mut s, Action::SignedOut);
    let m = s.message.clone().unwrap();
    assert!(
        m.error && m.text == super::update::STILL_SIGNED_OUT,
        "{m:?}"
    );
    assert_eq!(
        update(&mut s, key('p')),
        vec![Command::Reconnect {
            token: Some("p2".into())
        }]
    );
    assert!(s.loading);
    assert_eq!(update(&mut s, key('p')), Vec::<Effect>::new());
}

#[test]
fn m_on_an_already_muted_account_says_so() {
    let mut s = loaded(3, false);
    update(&mut s, Action::Capability(Capability::Full));
    s.accounts.set_standing(0, Standing::Muted);
    update(&mut s, key('m'));
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.message.as_ref().unwrap().text, "@user0 is already muted.");
}

#[test]
fn a_duration_in_the_confirm_queues_the_write_with_its_undo() {
    let mut s = loaded(5, false);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key('m'));
    let undo_after = |s: &State| match &s.mode {
        Mode::Confirm(Confirm::Write(c)) => c.undo_after,
        other => panic!("not a confirm: {other:?}"),
    };
    assert_eq!(undo_after(&s), None, "for good unless the user picks one");
    // `d` cycles 1, 7, 30, 90 days and back to for good.
    let mut seen = Vec::new();
    for _ in 0..5 {
        assert!(update(&mut s, key('d')).is_empty());
        seen.push(undo_after(&s));
    }
    assert_eq!(
        seen,
        [
            Some(86_400),
            Some(7 * 86_400),
            Some(30 * 86_400),
            Some(90 * 86_400),
            None
        ]
    );
    update(&mut s, key('d'));
    update(&mut s, key('d'));
    let cmds = update(&mut s, key('y'));
    assert_eq!(
        cmds,
        vec![Command::WriteFor {
            writes: vec![(Write::Mute, "1000".into()), (Write::Mute, "1001".into())],
            secs: 7 * 86_400,
        }],
        "one confirmation, one batch, with the duration"
    );
    assert_eq!(s.pending(), 2);
    assert_eq!(
        s.message.as_ref().unwrap().text,
        "Queued: mute 2 accounts for 7 days."
    );

    // A block by handle takes a duration too.
    update(&mut s, key('b'));
    update(&mut s, key('x'));
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, Action::Resolved(Box::new(user(600))));
    update(&mut s, key('D'));
    assert_eq!(
        update(&mut s, key('y')),
        vec![Command::WriteFor {
            writes: vec![(Write::Block, "1600".into())],
            secs: 86_400,
        }]
    );
}

#[test]
fn unblocks_take_no_duration() {
    let mut s = loaded(3, false);
    update(&mut s, key('u'));
    assert!(update(&mut s, key('d')).is_empty());
    assert!(matches!(&s.mode, Mode::Confirm(Confirm::Write(c)) if c.undo_after.is_none()));
    assert_eq!(
        update(&mut s, key('y')),
        vec![Command::Write(vec![(Write::Unblock, "1000".into())])]
    );
    // Saved for later on a read-only plan: no duration either.
    let mut s = loaded(3, false);
    read_only(&mut s, "Enterprise only.");
    update(&mut s, key('u'));
    update(&mut s, key('d'));
    assert!(
        matches!(&s.mode, Mode::Confirm(Confirm::Write(c)) if c.later && c.undo_after.is_none())
    );
}

#[test]
fn esc_leaves_the_full_screen_detail_of_a_narrow_terminal_first() {
    let mut s = loaded(30, true);
    update(&mut s, Action::Resize(80, 24));
    update(&mut s, key(' '));
    update(&mut s, code(KeyCode::Enter));
    assert!(s.show_detail, "Enter shows the detail over the whole list");
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.show_detail, "Esc goes back to the list");
    assert_eq!(s.marks.len(), 1, "the marks stay");
    update(&mut s, code(KeyCode::Esc));
    assert!(s.marks.is_empty(), "a second Esc clears them");

    update(&mut s, Action::Resize(120, 40));
    update(&mut s, code(KeyCode::Enter));
    assert!(s.show_detail, "on a wide screen Enter hides the side pane");
    update(&mut s, code(KeyCode::Esc));
    assert!(s.show_detail, "and Esc leaves it hidden");
}

#[test]
fn messages_name_the_keys_the_user_bound() {
    let table: toml::Table = "[keys]\nrefresh = \"F5\"\nqueue = \"W\"\n".parse().unwrap();
    let keys = table["keys"].as_table().unwrap().clone();
    let (map, _) = Keymap::with_user_keys([(std::path::Path::new("config.toml"), &keys)]).unwrap();
    let mut s = super::test_support::state_at(1_000);
    s.keymap = map;
    update(&mut s, Action::PageFailed("X did not answer.".into()));
    assert_eq!(
        s.message.as_ref().unwrap().text,
        "X did not answer. Press F5 to retry."
    );
    update(
        &mut s,
        Action::UndoQueued {
            verb: "block",
            accounts: 2,
            batch: "b1".into(),
            kept: 0,
        },
    );
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .ends_with("; W shows progress."),
        "{:?}",
        s.message
    );
}

#[test]
fn g_in_the_help_scrolls_to_the_last_screenful_not_past_it() {
    let mut s = super::test_support::state_at(1_000);
    update(&mut s, key('?'));
    update(&mut s, key('G'));
    let Mode::Help { scroll } = s.mode else {
        panic!("{:?}", s.mode)
    };
    let lines = s.keymap.help_rows().len() + 1;
    let shown = super::geometry::help_lines_shown(24, lines);
    assert!(shown > 10 && shown < lines, "{shown} of {lines}");
    assert_eq!(scroll, lines - shown, "the last line is at the bottom");
}
