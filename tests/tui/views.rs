//! Snapshots of the queue, history and cache views, drawn into `TestBackend` through the public
//! API (like `tui_render.rs` does for the main panes).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use xblocks::api::types::User;
use xblocks::api::Write;
use xblocks::app::history::HistoryLog;
use xblocks::app::queue_view::{BatchProgress, JobRow, QueueSnapshot};
use xblocks::app::{self, Action, Capability, Keymap, State};
use xblocks::store::db::{Job, JobState};
use xblocks::text::SafeText;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

fn user(i: usize) -> User {
    User {
        id: (1_500_000_000_000_000_000u64 + i as u64).to_string(),
        username: format!("account_{i}"),
        name: format!("Account Number {i}"),
        ..Default::default()
    }
}

fn state(w: u16, h: u16) -> State {
    let mut s = State::new("me_myself", "default", Keymap::default(), now());
    app::update(&mut s, Action::Resize(w, h));
    app::update(&mut s, Action::Capability(Capability::Full));
    app::start(&mut s);
    app::update(
        &mut s,
        Action::PageLoaded {
            first: true,
            users: (0..30).map(user).collect(),
            pinned: Default::default(),
            next_token: None,
        },
    );
    s
}

fn key(s: &mut State, c: char) {
    app::update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
}

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    t.draw(|f| xblocks::ui::render(s, f)).unwrap();
    t
}

/// A job as the write lane hands it over (its text made safe).
fn job(id: u64, i: usize, action: Write, state: JobState) -> JobRow {
    JobRow::from(&Job {
        id,
        batch: "tui-2025-11-24T16:00:00Z-1a2b".into(),
        target: user(i).id,
        username: (i % 4 != 3).then(|| user(i).username),
        action,
        state,
        due_at: None,
        attempts: 0,
    })
}

fn snapshot(open: usize, paused: bool) -> QueueSnapshot {
    QueueSnapshot {
        open: (0..open)
            .map(|i| job(10 + i as u64, i, Write::Unblock, JobState::Pending))
            .collect(),
        open_total: open + 120,
        later: Vec::new(),
        due_later: 0,
        recent: vec![
            job(9, 20, Write::Unblock, JobState::Done),
            job(8, 21, Write::Mute, JobState::NotFound),
            job(7, 22, Write::Unblock, JobState::Cancelled),
            job(
                6,
                23,
                Write::Block,
                JobState::Failed("\x1b[31mX said no\u{202E}".into()),
            ),
        ],
        batch: Some(BatchProgress {
            id: "tui-2025-11-24T16:00:00Z-1a2b".into(),
            done: 4,
            total: open + 124,
        }),
        paused,
        running: !paused,
        held: None,
    }
}

fn with_budget(s: &mut State) {
    s.window_secs = 900;
    app::update(
        s,
        Action::Budget {
            limit: 50,
            remaining: 0,
            reset: now() + Duration::from_secs(200),
        },
    );
}

#[test]
fn queue_running_with_rate_limit_wait_and_eta() {
    let mut s = state(100, 24);
    with_budget(&mut s);
    app::update(&mut s, Action::QueueSnapshot(Box::new(snapshot(6, false))));
    app::update(
        &mut s,
        Action::RateWaiting {
            endpoint: "DELETE /2/users/:id/blocking/:target_user_id".into(),
            until: now() + Duration::from_secs(200),
            bad_reset: false,
        },
    );
    key(&mut s, 'Q');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn queue_paused_and_cancel_question() {
    let mut s = state(80, 20);
    app::update(&mut s, Action::QueueSnapshot(Box::new(snapshot(3, true))));
    key(&mut s, 'Q');
    key(&mut s, 'c');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn queue_read_only_holds_unblocks_for_later() {
    let mut s = state(80, 16);
    let mut snap = snapshot(3, false);
    snap.running = false;
    snap.open_total = 3;
    snap.held = Some(SafeText::new(
        "X allows block and unblock writes only on the Enterprise plan.",
    ));
    app::update(
        &mut s,
        Action::Capability(Capability::ReadOnly {
            reason: "Enterprise only.".into(),
        }),
    );
    app::update(&mut s, Action::QueueSnapshot(Box::new(snap)));
    key(&mut s, 'Q');
    insta::assert_snapshot!(draw(&s).backend());
}

#[test]
fn queue_empty_and_tiny() {
    let mut s = state(80, 12);
    key(&mut s, 'Q');
    insta::assert_snapshot!("queue_empty", draw(&s).backend());
    let mut s = state(40, 10);
    app::update(&mut s, Action::QueueSnapshot(Box::new(snapshot(3, false))));
    key(&mut s, 'Q');
    insta::assert_snapshot!("queue_tiny_40x10", draw(&s).backend());
}

/// Two writes not sent yet and three timed unmutes due later (the inverses of timed mutes).
fn timed_snapshot(unsent: usize) -> QueueSnapshot {
    let t = 1_764_000_000;
    let timed = |id: u64, i: usize, due: i64| JobRow {
        due_at: Some(due),
        ..job(id, i, Write::Unmute, JobState::Pending)
    };
    let mut snap = snapshot(unsent, false);
    snap.later = vec![
        timed(30, 4, t + 2 * 3_600 + 300),
        timed(31, 5, t + 7 * 86_400 - 3_600),
        timed(32, 7, t + 30 * 86_400),
    ];
    snap.due_later = 3;
    snap.open_total = unsent + 3;
    snap.running = unsent > 0;
    snap.recent = vec![
        JobRow {
            due_at: Some(t - 60),
            ..job(
                9,
                6,
                Write::Unmute,
                JobState::Superseded(
                    "it was unmuted at 2025-11-24T15:00:00Z (batch cli-1) after this was queued"
                        .into(),
                ),
            )
        },
        job(8, 21, Write::Mute, JobState::Done),
    ];
    snap
}

#[test]
fn queue_shows_timed_jobs_with_their_due_time() {
    let mut s = state(100, 24);
    app::update(&mut s, Action::QueueSnapshot(Box::new(timed_snapshot(2))));
    key(&mut s, 'Q');
    insta::assert_snapshot!("queue_timed_jobs_due_later", draw(&s).backend());
    let mut s = state(80, 24);
    app::update(&mut s, Action::QueueSnapshot(Box::new(timed_snapshot(0))));
    key(&mut s, 'Q');
    insta::assert_snapshot!("queue_only_timed_jobs_80x24", draw(&s).backend());
}

#[test]
fn quit_question_counts_timed_jobs_apart() {
    let mut s = state(80, 24);
    app::update(&mut s, Action::QueueSnapshot(Box::new(timed_snapshot(2))));
    key(&mut s, 'q');
    insta::assert_snapshot!("quit_with_timed_jobs_due_later", draw(&s).backend());
}

#[test]
fn views_never_panic_at_any_size() {
    let mut base = state(80, 24);
    app::update(
        &mut base,
        Action::QueueSnapshot(Box::new(snapshot(30, false))),
    );
    let mut timed = base.clone();
    app::update(
        &mut timed,
        Action::QueueSnapshot(Box::new(timed_snapshot(2))),
    );
    app::update(&mut base, Action::History(history()));
    app::update(&mut base, Action::Diff(Box::new(diff_report())));
    for (from, view) in [
        (&base, 'Q'),
        (&base, 'H'),
        (&base, 'D'),
        (&timed, 'Q'),
        (&timed, 'q'),
    ] {
        let mut s = from.clone();
        key(&mut s, view);
        for (w, h) in (0..=130)
            .step_by(9)
            .flat_map(|w| (0..=45).step_by(5).map(move |h| (w, h)))
        {
            app::update(&mut s, Action::Resize(w, h));
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| xblocks::ui::render(&s, f)).unwrap();
        }
    }
}

fn entry(i: usize, action: Write, result: &str, batch: &str) -> xblocks::store::db::LogEntry {
    xblocks::store::db::LogEntry {
        at: format!("2025-11-24T16:{:02}:00Z", i % 60),
        batch: batch.into(),
        target: user(i).id,
        username: (i % 5 != 4).then(|| user(i).username),
        action,
        result: result.into(),
        request_id: None,
    }
}

fn history() -> HistoryLog {
    let mut log = vec![
        entry(1, Write::Block, "done", "import-2025-11-24T15:00:00Z-0001"),
        entry(
            2,
            Write::Block,
            "already-in-state",
            "import-2025-11-24T15:00:00Z-0001",
        ),
    ];
    for i in 3..9 {
        log.push(entry(
            i,
            Write::Unblock,
            "done",
            "tui-2025-11-24T16:00:00Z-1a2b",
        ));
    }
    log.push(entry(
        9,
        Write::Unblock,
        "not-found",
        "tui-2025-11-24T16:00:00Z-1a2b",
    ));
    log.push(entry(
        10,
        Write::Mute,
        "failed: \x1b]0;pwn\x07X said no\u{202E}",
        "tui-2025-11-24T16:05:00Z-ffff",
    ));
    HistoryLog::from_log(&log)
}

#[test]
fn history_newest_first_and_undo_question() {
    let mut s = state(100, 20);
    key(&mut s, 'H');
    insta::assert_snapshot!("history_loading", draw(&s).backend());
    app::update(&mut s, Action::History(history()));
    insta::assert_snapshot!("history_newest_first", draw(&s).backend());
    key(&mut s, 'U');
    insta::assert_snapshot!("history_undo_question", draw(&s).backend());
}

#[test]
fn history_filter_and_tiny() {
    let mut s = state(80, 14);
    key(&mut s, 'H');
    app::update(&mut s, Action::History(history()));
    for c in "/not".chars() {
        key(&mut s, c);
    }
    insta::assert_snapshot!("history_filter_typing", draw(&s).backend());
    let mut s = state(40, 10);
    key(&mut s, 'H');
    app::update(&mut s, Action::History(history()));
    insta::assert_snapshot!("history_tiny_40x10", draw(&s).backend());
    let mut s = state(80, 10);
    key(&mut s, 'H');
    app::update(&mut s, Action::History(HistoryLog::default()));
    insta::assert_snapshot!("history_empty", draw(&s).backend());
}

fn cached_list(n: usize) -> Action {
    let first_seen = xblocks::store::db::parse_rfc3339("2024-03-15T12:00:00Z").unwrap();
    let mut accounts = xblocks::store::db::ListedSlice::default();
    for i in 0..n {
        accounts.push_user(&user(i), first_seen);
    }
    Action::CachedList {
        synced_at: "2025-11-20T08:30:00Z".into(),
        accounts,
    }
}

#[test]
fn cached_start_says_cached_until_the_live_page() {
    let mut s = State::new("me_myself", "default", Keymap::default(), now());
    app::update(&mut s, Action::Resize(120, 24));
    app::update(&mut s, Action::Capability(Capability::Full));
    app::start(&mut s);
    app::update(&mut s, cached_list(40));
    key(&mut s, 'j');
    insta::assert_snapshot!("cached_start_with_first_seen", draw(&s).backend());
    app::update(&mut s, Action::Resize(40, 10));
    insta::assert_snapshot!("cached_start_tiny", draw(&s).backend());
}

fn diff_report() -> xblocks::app::diff_view::DiffReport {
    use xblocks::app::diff_view::{DiffReport, DiffRow};
    let row = |i: usize| {
        let name = if i == 41 {
            "\x1b[31mEvil\u{202E} name".into()
        } else {
            user(i).name
        };
        DiffRow::new(&user(i).id, &user(i).username, &name)
    };
    DiffReport {
        previous_at: Some("2025-11-20T08:30:00Z".into()),
        latest_at: Some("2025-11-24T16:00:00Z".into()),
        new: vec![row(40), row(41), row(42)],
        gone: vec![row(7), row(8)],
    }
}

#[test]
fn diff_view_new_and_gone() {
    let mut s = state(80, 16);
    key(&mut s, 'D');
    insta::assert_snapshot!("diff_loading", draw(&s).backend());
    app::update(&mut s, Action::Diff(Box::new(diff_report())));
    insta::assert_snapshot!("diff_new_and_gone", draw(&s).backend());
    let mut s = state(40, 10);
    key(&mut s, 'D');
    app::update(&mut s, Action::Diff(Box::default()));
    insta::assert_snapshot!("diff_never_synced_tiny", draw(&s).backend());
}
