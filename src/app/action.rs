//! Everything that can change the state (`Action`) and everything `update` asks the outside world
//! to do (`Command`).

use std::collections::HashMap;
use std::time::SystemTime;

use crossterm::event::KeyEvent;

use super::state::Capability;
use crate::api::types::{Tweet, User};
use crate::api::Write;

/// An input to [`super::update`]: a terminal event, a tick, or a worker result.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press.
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): never read as keys.
    Paste(String),
    /// Mouse wheel: positive scrolls down, in rows.
    Scroll(i32),
    /// Left click at a screen cell (column, row): selects the account drawn there.
    Click(u16, u16),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// Clock tick (drives countdowns).
    Tick(SystemTime),
    /// Continue a search over a large list by one slice.
    SearchStep,
    /// A page of the block list arrived.
    PageLoaded {
        /// True for the first page (a refresh replaces what was loaded).
        first: bool,
        /// The accounts.
        users: Vec<User>,
        /// Pinned posts by id.
        pinned: HashMap<String, Tweet>,
        /// Token of the next page; `None` on the last page.
        next_token: Option<String>,
    },
    /// A page request failed; the message says what to do next.
    PageFailed(String),
    /// The capability probe answered.
    Capability(Capability),
    /// A write succeeded.
    Done {
        /// Which write.
        verb: Write,
        /// On whom.
        id: String,
    },
    /// A write failed; the message says what to do next.
    Failed {
        /// Which write.
        verb: Write,
        /// On whom.
        id: String,
        /// What happened and what to do.
        message: String,
    },
    /// A handle was looked up (block by handle).
    Resolved(Box<User>),
    /// A handle lookup failed.
    ResolveFailed {
        /// The handle asked for.
        handle: String,
        /// What happened and what to do.
        message: String,
    },
    /// The client is waiting out a rate limit.
    RateWaiting {
        /// Endpoint that waits.
        endpoint: String,
        /// When it resumes.
        until: SystemTime,
        /// X sent a reset absurdly far away or none that could be read: `until` is bounded.
        bad_reset: bool,
    },
    /// A rate-limit wait ended.
    RateResumed {
        /// Endpoint that resumed.
        endpoint: String,
    },
    /// No browser opened (none here, e.g. over SSH, or its launcher failed).
    NoBrowser {
        /// The URL that was to be opened.
        url: String,
    },
    /// The inverse of the last batch is queued.
    UndoQueued {
        /// What it does (`unblock`, `block`, …).
        verb: &'static str,
        /// Accounts it writes.
        accounts: u64,
        /// Its batch id.
        batch: String,
        /// Accounts on the keep list it leaves blocked.
        kept: u64,
    },
    /// The pages read as the user scrolled reached the end of the list and are cached as a full
    /// sync (after the `Diff` it found).
    CachedAll {
        /// Accounts in the list.
        accounts: u64,
    },
    /// A message from the terminal layer (e.g. the unblock-later file was written).
    Notice {
        /// The text.
        text: String,
        /// Shown as an error.
        error: bool,
    },
    /// Budget of the write endpoints after a write.
    Budget {
        /// Requests per window.
        limit: u32,
        /// Left in the window.
        remaining: u32,
        /// Window end.
        reset: SystemTime,
    },
    /// The durable queue changed (write lane).
    QueueSnapshot(Box<super::queue_view::QueueSnapshot>),
    /// Open jobs an earlier session left in the durable queue, due now: they run first, and
    /// count as this session's queued writes. (what, account id).
    Resumed(Vec<(Write, String)>),
    /// Open jobs were cancelled: (what, account id).
    Cancelled(Vec<(Write, String)>),
    /// A timed job came due and finished: sent, or not sent because its account changed
    /// meanwhile (state `Superseded`, with the reason).
    TimedFinished(Box<super::queue_view::JobRow>),
    /// The action log, oldest first.
    History(super::history::HistoryLog),
    /// The block list from the local database, shown until the live list arrives.
    CachedList {
        /// When that sync finished (RFC 3339).
        synced_at: String,
        /// The accounts, newest block first.
        accounts: crate::store::db::ListedSlice,
    },
    /// The diff between the last two syncs.
    Diff(Box<super::diff_view::DiffReport>),
    /// X answered 402 (credits depleted) or its usage cap: the worker sends nothing more until
    /// the user refreshes after a top-up. The text says what happened and what to do.
    MoneyStopped(String),
    /// The plan of a sync the user asked for (`R`), worked out from the database.
    SyncPlanned(super::sync_status::SyncPlan),
    /// A page of a sync was stored: its accounts (new ones join the list at the top).
    SyncPage {
        /// Pages read so far.
        pages: u64,
        /// Accounts read so far.
        accounts: u64,
        /// The page's accounts, newest block first.
        users: Vec<User>,
    },
    /// A sync ended.
    SyncFinished {
        /// It read every page.
        full: bool,
        /// Accounts that were new.
        new: u64,
        /// Ids of the accounts a full sync found gone (X no longer lists them).
        gone_ids: Vec<String>,
        /// Estimated cost.
        cost: crate::api::price::Usd,
    },
    /// A sync could not run or stopped; `offline` when X could not be reached.
    SyncFailed {
        /// What happened and what to do.
        message: String,
        /// X was unreachable.
        offline: bool,
    },
    /// X became reachable (or not) while a sync runs.
    Reachable(bool),
    /// Money spent this UTC day, from the database.
    SpentToday(crate::api::price::Usd),
    /// X rejected the sign-in and the token file holds no newer one.
    SignedOut,
    /// X named the signed-in account (answering [`Command::SignIn`]).
    SignedIn(Box<User>),
    /// Asking X who is signed in failed.
    SignInFailed {
        /// What happened (a sentence).
        message: String,
        /// X could not be reached.
        offline: bool,
    },
    /// Notes, tags and keep flags from the store.
    Annotations(Vec<Annotated>),
    /// The pinned post of an account was looked up (`None`: it has none, or it was deleted).
    PinnedLoaded {
        /// Account id.
        id: String,
        /// The post's text.
        text: Option<String>,
    },
}

/// The note, tags and keep flag of one account, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotated {
    /// Account id.
    pub id: String,
    /// Note (empty: none).
    pub note: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// On the keep list.
    pub kept: bool,
}

/// What `update` asks of the world outside the state, in order: work for the worker, or a
/// request only the terminal layer can carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// For the worker (network and database).
    Worker(Command),
    /// For the terminal layer.
    Terminal(TerminalRequest),
}

impl From<Command> for Effect {
    fn from(c: Command) -> Self {
        Effect::Worker(c)
    }
}

impl From<TerminalRequest> for Effect {
    fn from(t: TerminalRequest) -> Self {
        Effect::Terminal(t)
    }
}

/// Tests compare `update`'s effects with the command or request they expect.
#[cfg(test)]
impl PartialEq<Command> for Effect {
    fn eq(&self, other: &Command) -> bool {
        matches!(self, Effect::Worker(c) if c == other)
    }
}

#[cfg(test)]
impl PartialEq<TerminalRequest> for Effect {
    fn eq(&self, other: &TerminalRequest) -> bool {
        matches!(self, Effect::Terminal(t) if t == other)
    }
}

/// What only the terminal layer can do (the event loop carries these out itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalRequest {
    /// Open a URL in the browser.
    Open {
        /// An `https://x.com/...` URL built from a validated handle or id.
        url: String,
    },
    /// Copy text to the clipboard with OSC 52.
    Copy {
        /// The text.
        text: String,
    },
    /// Leave the TUI.
    Quit,
    /// Suspend to the shell (Ctrl-Z): restore the terminal, stop, re-enter.
    Suspend,
}

/// Work for the worker: network reads and writes (through the durable queue) and the
/// database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Load the page after `token` (the first page when `None`).
    LoadNextPage {
        /// `next_token` of the previous page.
        token: Option<String>,
    },
    /// Ask X who is signed in (the start of a session that does not know the account yet);
    /// answered with `SignedIn`, `SignInFailed` or `SignedOut`.
    SignIn,
    /// Reload from the first page.
    Refresh,
    /// Queue these writes as one batch (one confirmation), in order.
    Write(Vec<(Write, String)>),
    /// Queue these blocks or mutes and, due in `secs`, the inverse of each, as one batch (one
    /// confirmation with a duration).
    WriteFor {
        /// The writes, in order.
        writes: Vec<(Write, String)>,
        /// Seconds until each is undone.
        secs: u64,
    },
    /// Read the stored sign-in again (after `xblocks login` elsewhere), then load the page
    /// after `token` (the first page when `None`).
    Reconnect {
        /// Where loading stopped.
        token: Option<String>,
    },
    /// Look up a handle (for block by handle).
    ResolveHandle {
        /// Handle without `@`.
        handle: String,
    },
    /// Stop running the durable queue (open jobs stay queued).
    PauseQueue,
    /// Run the durable queue again.
    ResumeQueue,
    /// Mark every open job of the durable queue cancelled (logged).
    CancelQueue,
    /// Cancel the open jobs due now (logged); timed jobs due later stay queued.
    CancelUnsent,
    /// Read the action log (answered with `Action::History`).
    LoadHistory,
    /// Queue the inverse of the last batch that changed something.
    UndoLastBatch,
    /// Bring the database up to date: a top-up, or every page with `full` (answered with
    /// `SyncPage`s, then `SyncFinished` or `SyncFailed`).
    Sync {
        /// Read every page and record who is gone.
        full: bool,
        /// Prices of `[billing]`.
        prices: crate::api::price::Prices,
        /// `[billing] daily_cap`.
        daily_cap: Option<crate::api::price::Usd>,
    },
    /// Work out the plan of a sync from the database and the read budget, sending nothing to X
    /// (answered with `Action::SyncPlanned`).
    PlanSync {
        /// Every page.
        full: bool,
        /// Prices of `[billing]`.
        prices: crate::api::price::Prices,
    },
    /// Look up the pinned post of one account (a users lookup with the post expanded: billed on
    /// pay-per-use; answered with `Action::PinnedLoaded`).
    LoadPinned {
        /// Account id.
        id: String,
        /// What the lookup costs at most (`[billing]` prices).
        cost: crate::api::price::Usd,
        /// `[billing] daily_cap`: the lookup is not sent if it could cross it.
        daily_cap: Option<crate::api::price::Usd>,
    },
    /// Read the diff between the last two syncs (answered with `Action::Diff`).
    LoadDiff,
    /// Store the note of an account (empty clears it).
    SaveNote {
        /// Account id.
        id: String,
        /// The note.
        note: String,
    },
    /// Store the tags of an account (replacing its tags).
    SaveTags {
        /// Account id.
        id: String,
        /// Tag names.
        tags: Vec<String>,
    },
    /// Put accounts on the keep list or take them off.
    SetKept {
        /// Account ids.
        ids: Vec<String>,
        /// On (true) or off.
        kept: bool,
    },
}
