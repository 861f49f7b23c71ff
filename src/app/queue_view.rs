//! The queue view: the profile's durable queue as the write lane reports it (open jobs first,
//! then timed jobs due later with their due time, then recent finished ones), the current
//! batch's progress, an ETA from the write budget, and pause / resume / cancel.

use crossterm::event::KeyEvent;

use super::account::Standing;
use super::action::{Command, Effect};
use super::keymap::{KeyAction, KeyMode};
use super::state::{Capability, Confirm, Mode, State};
use super::update::info;
use crate::api::Write;
use crate::store::db::{Job, JobState};
use crate::text::SafeText;

/// Open jobs a snapshot carries at most (the count covers the rest).
pub const OPEN_ROWS: usize = 200;
/// Timed jobs due later a snapshot carries at most.
pub const LATER_ROWS: usize = 50;
/// Finished jobs a snapshot carries at most.
pub const RECENT_ROWS: usize = 50;

/// Progress of one batch (the writes of one confirmation, import or undo).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchProgress {
    /// Batch id.
    pub id: String,
    /// Jobs of the batch that finished (any final state).
    pub done: usize,
    /// Jobs in the batch.
    pub total: usize,
}

/// One job as the queue view shows it, its text made safe when the worker built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// Numeric id of the target account.
    pub target: SafeText,
    /// Its handle when known.
    pub username: Option<SafeText>,
    /// What it does.
    pub action: Write,
    /// Where it stands; a failure's or skip's reason is made safe too.
    pub state: JobState,
    /// Not before this time (Unix seconds); `None` runs at once.
    pub due_at: Option<i64>,
}

impl From<&Job> for JobRow {
    fn from(job: &Job) -> Self {
        let state = match &job.state {
            JobState::Failed(r) => JobState::Failed(SafeText::new(r).to_string()),
            JobState::Superseded(r) => JobState::Superseded(SafeText::new(r).to_string()),
            other => other.clone(),
        };
        Self {
            target: SafeText::new(&job.target),
            username: job.username.as_deref().map(SafeText::new),
            action: job.action,
            state,
            due_at: job.due_at,
        }
    }
}

/// A small summary of the durable queue (never the whole file for huge queues).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueSnapshot {
    /// The first [`OPEN_ROWS`] open jobs due now (not sent yet), in the order they will run.
    pub open: Vec<JobRow>,
    /// All open jobs (due now and due later).
    pub open_total: usize,
    /// The first [`LATER_ROWS`] timed jobs due later (the inverses of timed blocks and mutes),
    /// earliest first.
    pub later: Vec<JobRow>,
    /// All timed jobs due later.
    pub due_later: usize,
    /// The last [`RECENT_ROWS`] finished jobs, newest first.
    pub recent: Vec<JobRow>,
    /// The batch running now (or next).
    pub batch: Option<BatchProgress>,
    /// The user paused the queue.
    pub paused: bool,
    /// A run is in progress (the first open job is in flight or waiting for the rate limit).
    pub running: bool,
    /// Why open jobs are held (e.g. the plan is read-only); they stay queued for later.
    pub held: Option<SafeText>,
}

impl QueueSnapshot {
    /// Open jobs due now: writes not sent yet.
    pub fn unsent(&self) -> usize {
        self.open_total.saturating_sub(self.due_later)
    }

    /// Every job the snapshot carries: open, due later, recent.
    fn jobs_mut(&mut self) -> impl Iterator<Item = &mut JobRow> {
        self.open
            .iter_mut()
            .chain(self.later.iter_mut())
            .chain(self.recent.iter_mut())
    }
}

/// The queue view's own state (it lives in [`Mode::Queue`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueuePane {
    /// First row shown.
    pub scroll: usize,
}

/// Opens the queue view.
pub(super) fn open(state: &mut State) {
    state.mode = Mode::Queue(QueuePane::default());
}

/// Rows the queue view lists (open jobs, then recent ones).
pub fn row_count(state: &State) -> usize {
    state
        .snapshots
        .queue
        .as_ref()
        .map_or(0, |q| q.open.len() + q.later.len() + q.recent.len())
}

/// True when open block/unblock jobs can't run on this plan and wait for a better one.
pub fn held_read_only(state: &State) -> bool {
    matches!(state.capability, Capability::ReadOnly { .. })
        || state
            .snapshots
            .queue
            .as_ref()
            .is_some_and(|q| q.held.is_some())
}

/// Keys of the queue view.
pub(super) fn on_key(state: &mut State, key: KeyEvent, mut pane: QueuePane, out: &mut Vec<Effect>) {
    let rows = row_count(state);
    let page = state.list_rows();
    let max = rows.saturating_sub(1);
    match state.keymap.lookup(KeyMode::Queue, &key) {
        Some(KeyAction::Close) => return,
        Some(KeyAction::PauseQueue) => {
            let idle = state
                .snapshots
                .queue
                .as_ref()
                .is_some_and(|q| q.paused || (!q.running && q.unsent() > 0));
            if idle {
                state.message = Some(info("Resuming the queue…"));
                out.push(Command::ResumeQueue.into());
            } else {
                state.message = Some(info(
                    "Pausing the queue; the job in flight finishes or is checked before any resend.",
                ));
                out.push(Command::PauseQueue.into());
            }
        }
        Some(KeyAction::CancelQueue) => {
            let open = state.snapshots.queue.as_ref().map_or(0, |q| q.open_total);
            if open == 0 {
                state.message = Some(info("No open job to cancel."));
            } else {
                state.mode = Mode::Confirm(Confirm::CancelQueue { open, pane });
                return;
            }
        }
        action => super::snapshots::scroll(&mut pane.scroll, action, max, page),
    }
    state.mode = Mode::Queue(pane);
}

/// A new snapshot from the write lane.
pub(super) fn on_snapshot(state: &mut State, mut snapshot: QueueSnapshot) {
    // Jobs queued by id only: name them from the loaded list.
    for job in snapshot.jobs_mut() {
        if job.username.is_none() {
            job.username = state
                .index_of(job.target.as_str())
                .map(|i| state.account(i).handle);
        }
    }
    if !snapshot.running {
        // An interrupted run never reports the end of its write wait.
        state
            .waits
            .retain(|w| !(w.endpoint.starts_with("POST") || w.endpoint.starts_with("DELETE")));
    }
    // Unmutes (undoing a mute) have no verb of their own in the list: the snapshot says when
    // they are done.
    for job in &snapshot.recent {
        if job.action == Write::Unmute && job.state == JobState::Done {
            if let Some(i) = state.index_of(job.target.as_str()) {
                let a = state.accounts.standing(i);
                state.accounts.set_standing(i, a.after(Write::Unmute));
            }
        }
    }
    if let Mode::Queue(pane) = &mut state.mode {
        let rows = snapshot.open.len() + snapshot.later.len() + snapshot.recent.len();
        pane.scroll = pane.scroll.min(rows.saturating_sub(1));
    }
    state.snapshots.queue = Some(snapshot);
}

/// Open jobs were cancelled: they leave the session's queue and their accounts go back to where
/// they stood before.
pub(super) fn on_cancelled(state: &mut State, jobs: Vec<(Write, String)>) {
    let n = jobs.len();
    for (verb, id) in jobs {
        state.dequeue(verb, &id);
        state.written.remove(&id);
        if let Some(i) = state.index_of(&id) {
            if state.accounts.standing(i) == Standing::Pending {
                state.accounts.set_standing(i, Standing::before(verb));
            }
        }
    }
    let in_flight = state
        .snapshots
        .queue
        .as_ref()
        .is_some_and(|q| q.open.iter().any(|j| j.state == JobState::InFlight));
    let mut text = format!(
        "Cancelled {} open job{}; logged in the action log.",
        crate::text::thousands(n as u64),
        if n == 1 { "" } else { "s" }
    );
    if in_flight {
        text.push_str(" A job already sent stays until X confirms it (checked at the next run).");
    }
    state.message = Some(info(text));
}

/// A timed job came due and finished: its account's standing follows, and the message (kept
/// in the message log) says what happened, or why nothing was sent.
pub(super) fn on_timed_finished(state: &mut State, job: JobRow) {
    let loaded = state.index_of(job.target.as_str());
    let who = match job
        .username
        .or_else(|| loaded.map(|i| state.account(i).handle))
    {
        Some(h) => format!("@{h}"),
        None => format!("id {}", job.target),
    };
    let ended = format!("its timed {} ended", job.action.inverse().verb());
    let what = job.action.verb();
    state.message = Some(match &job.state {
        JobState::Done | JobState::AlreadyInState => {
            if let Some(i) = loaded {
                let a = state.accounts.standing(i);
                state.accounts.set_standing(i, a.after(job.action));
            }
            info(format!(
                "{} {who}: {ended}.",
                super::update::capitalize(job.action.past())
            ))
        }
        JobState::Superseded(why) => info(format!("Timed {what} of {who} not sent: {why}.")),
        JobState::NotFound => super::update::error(format!(
            "Timed {what} of {who} not sent: X has no such account (or it is suspended)."
        )),
        JobState::Failed(why) => {
            super::update::error(format!("Timed {what} of {who} failed: {why}"))
        }
        other => info(format!("Timed {what} of {who}: {}.", other.word())),
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::test_support::{key, only_page, state_at, user};
    use crate::app::{update, Action};

    fn job(id: u64, target: &str, state: JobState) -> Job {
        Job {
            id,
            batch: "tui-1".into(),
            target: target.into(),
            username: Some(format!("h\x1b[2J{target}")),
            action: Write::Unblock,
            state,
            due_at: None,
            attempts: 0,
        }
    }

    fn snapshot(open: usize, paused: bool) -> QueueSnapshot {
        QueueSnapshot {
            open: (0..open as u64)
                .map(|i| JobRow::from(&job(i + 2, &format!("{i}"), JobState::Pending)))
                .collect(),
            open_total: open,
            later: Vec::new(),
            due_later: 0,
            recent: vec![JobRow::from(&job(
                1,
                "9",
                JobState::Failed("bad\x07".into()),
            ))],
            batch: Some(BatchProgress {
                id: "tui-1".into(),
                done: 1,
                total: open + 1,
            }),
            paused,
            running: !paused,
            held: None,
        }
    }

    fn state() -> State {
        state_at(1_700_000_000)
    }

    /// A list of one account, `@u7` (id 7), muted.
    fn muted_u7() -> State {
        let mut s = state();
        update(
            &mut s,
            Action::PageLoaded {
                first: true,
                users: vec![crate::api::types::User {
                    id: "7".into(),
                    username: "u7".into(),
                    ..Default::default()
                }],
                pinned: Default::default(),
                next_token: None,
            },
        );
        s.accounts.set_standing(0, Standing::Muted);
        s
    }

    #[test]
    fn q_opens_the_view_and_snapshots_arrive_sanitized() {
        let mut s = state();
        update(&mut s, key('Q'));
        assert_eq!(s.mode, Mode::Queue(QueuePane::default()));
        update(&mut s, Action::QueueSnapshot(Box::new(snapshot(3, false))));
        let q = s.snapshots.queue.as_ref().unwrap();
        assert_eq!(q.open[0].username.as_ref().unwrap().as_str(), "h0");
        assert_eq!(q.recent[0].state, JobState::Failed("bad".into()));
        assert_eq!(row_count(&s), 4);
        update(&mut s, key('j'));
        update(&mut s, key('G'));
        assert_eq!(s.mode, Mode::Queue(QueuePane { scroll: 3 }));
        // A smaller snapshot pulls the scroll back inside the rows.
        update(&mut s, Action::QueueSnapshot(Box::new(snapshot(1, false))));
        assert!(matches!(&s.mode, Mode::Queue(p) if p.scroll == 1));
        update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert_eq!(s.mode, Mode::Normal);
    }

    #[test]
    fn p_pauses_and_resumes_following_the_snapshot() {
        let mut s = state();
        update(&mut s, Action::QueueSnapshot(Box::new(snapshot(2, false))));
        update(&mut s, key('Q'));
        assert_eq!(update(&mut s, key('p')), vec![Command::PauseQueue]);
        let until = s.now + Duration::from_secs(60);
        update(
            &mut s,
            Action::RateWaiting {
                endpoint: "DELETE /2/users/:id/blocking/:target".into(),
                until,
                bad_reset: false,
            },
        );
        update(&mut s, Action::QueueSnapshot(Box::new(snapshot(2, true))));
        assert!(s.waits.is_empty(), "a paused run waits for nothing");
        assert_eq!(update(&mut s, key('p')), vec![Command::ResumeQueue]);
        assert!(matches!(s.mode, Mode::Queue(_)));
    }

    #[test]
    fn cancel_asks_first_and_only_y_cancels() {
        let mut s = state();
        update(&mut s, key('Q'));
        assert!(update(&mut s, key('c')).is_empty(), "nothing open yet");
        update(&mut s, Action::QueueSnapshot(Box::new(snapshot(2, false))));
        assert!(update(&mut s, key('c')).is_empty());
        assert!(matches!(
            &s.mode,
            Mode::Confirm(Confirm::CancelQueue { open: 2, .. })
        ));
        assert!(update(&mut s, key('x')).is_empty(), "other keys wait");
        assert!(matches!(&s.mode, Mode::Confirm(_)));
        assert!(update(&mut s, key('n')).is_empty());
        assert!(matches!(&s.mode, Mode::Queue(_)));
        update(&mut s, key('c'));
        assert_eq!(update(&mut s, key('y')), vec![Command::CancelQueue]);
        assert!(matches!(&s.mode, Mode::Queue(_)));
    }

    #[test]
    fn cancelled_jobs_leave_the_session_queue_and_restore_standing() {
        let mut s = state();
        update(&mut s, only_page((1..=3).map(user).collect()));
        update(&mut s, key(' '));
        update(&mut s, key(' '));
        update(&mut s, key('u'));
        let cmds = update(&mut s, key('y'));
        assert!(matches!(&cmds[..], [Effect::Worker(Command::Write(b))] if b.len() == 2));
        assert_eq!(s.pending(), 2);
        update(
            &mut s,
            Action::Cancelled(vec![
                (Write::Unblock, "1".into()),
                (Write::Unblock, "2".into()),
            ]),
        );
        assert_eq!(s.pending(), 0);
        assert!((0..s.accounts.len() as u32)
            .map(|i| s.account(i))
            .all(|a| a.standing == Standing::Blocked));
        assert!(s.message.as_ref().unwrap().text.contains("Cancelled 2"));
    }

    #[test]
    fn a_done_unmute_puts_a_muted_account_back_to_blocked() {
        let mut s = muted_u7();
        let mut snap = snapshot(0, false);
        let mut unmute = job(3, "7", JobState::Done);
        unmute.action = Write::Unmute;
        snap.recent = vec![JobRow::from(&unmute)];
        update(&mut s, Action::QueueSnapshot(Box::new(snap)));
        assert_eq!(s.accounts.standing(0), Standing::Blocked);
    }

    #[test]
    fn a_timed_job_that_finished_says_so_or_why_it_was_not_sent() {
        let mut s = muted_u7();
        let mut unmute = job(3, "7", JobState::Done);
        unmute.action = Write::Unmute;
        unmute.username = None;
        unmute.due_at = Some(1_700_000_000);
        update(&mut s, Action::TimedFinished(Box::new((&unmute).into())));
        assert_eq!(s.accounts.standing(0), Standing::Blocked);
        let m = s.message.clone().unwrap();
        assert_eq!(m.text, "Unmuted @u7: its timed mute ended.");
        assert!(!m.error);
        unmute.state = JobState::Superseded("it was muted at 2026-01-01 (batch b) \x1b[2J".into());
        update(&mut s, Action::TimedFinished(Box::new((&unmute).into())));
        let m = s.message.clone().unwrap();
        assert!(
            m.text
                .starts_with("Timed unmute of @u7 not sent: it was muted at"),
            "{}",
            m.text
        );
        assert!(!m.text.contains('\x1b'));
        assert!(
            s.log.iter().any(|l| l.text == m.text),
            "kept in the message log"
        );
    }

    #[test]
    fn read_only_plans_hold_block_writes() {
        let mut s = state();
        assert!(!held_read_only(&s));
        let mut snap = snapshot(1, false);
        snap.held = Some(SafeText::new("Enterprise only."));
        update(&mut s, Action::QueueSnapshot(Box::new(snap)));
        assert!(held_read_only(&s));
    }
}
