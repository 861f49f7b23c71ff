//! The whole TUI state: loaded accounts, the visible ordering, cursor, marks, modes and status.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use super::account::{numeric_id, Account, Accounts};
use super::keymap::{KeyMode, Keymap};
use crate::api::Write;
use crate::text::SafeText;

/// Bulk actions above this count ask the user to type the count back.
pub const TYPE_BACK_OVER: usize = 20;
/// Documented per-user limit of block/unblock/mute writes per window (CONTRACT §2).
pub const DEFAULT_WRITE_LIMIT: u32 = 50;

/// What the API lets this token do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Capability {
    /// Not known yet.
    #[default]
    Unknown,
    /// Block and unblock writes work (Enterprise).
    Full,
    /// Reading and muting only; the reason says why.
    ReadOnly {
        /// Why writes are refused, and what to do.
        reason: String,
    },
}

/// What a read-only viewer says when asked for a write.
pub fn viewer_refusal(why: &str) -> String {
    format!("Read-only viewer: {why} Writes are not taken here; quit the other one and start xblocks again.")
}

/// One account an action will apply to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Numeric id.
    pub id: String,
    /// Handle for display.
    pub handle: SafeText,
    /// Display name.
    pub name: SafeText,
    /// The account when it is not in the loaded list (block by handle).
    pub outside: Option<Box<crate::api::types::User>>,
}

/// A write waiting for the user's yes: the confirm pane names the accounts and the count.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteConfirm {
    /// What will be done.
    pub verb: Write,
    /// To whom.
    pub targets: Vec<Target>,
    /// What the user typed back (bulk actions only).
    pub typed: String,
    /// The plan can't do this now: confirming saves the ids for later instead.
    pub later: bool,
    /// The query whose matches these are (the targets are exactly its matches).
    pub query: Option<String>,
    /// Marked accounts left out because they are on the keep list.
    pub kept: usize,
    /// Blocks and mutes only: undo them by themselves after this many seconds (`None`: for
    /// good). The confirm cycles through [`super::duration::CHOICES`].
    pub undo_after: Option<u64>,
}

impl WriteConfirm {
    /// True when the confirm offers a duration: blocks and mutes sent now.
    pub fn timed(&self) -> bool {
        !self.later && matches!(self.verb, Write::Block | Write::Mute)
    }
}

/// A question that guards an action: the action travels inside and runs only on yes
/// (`confirm_yes`); no (`confirm_no`) changes nothing. Every confirm in the TUI is one of these.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    /// Unblock, block or mute accounts (or save unblocks for later on read-only plans).
    Write(WriteConfirm),
    /// Cancel every open job of the queue, from the queue view.
    CancelQueue {
        /// Open jobs it cancels.
        open: usize,
        /// The queue view to go back to.
        pane: super::queue_view::QueuePane,
    },
    /// Read every page of the block list (`R`): the plan shows requests, accounts, cost and ETA.
    Sync(super::sync_status::SyncPlan),
    /// Queue the inverse of the last batch, from the history view.
    Undo {
        /// The batch undone.
        batch: SafeText,
        /// The inverse verb ("unblock").
        verb: &'static str,
        /// Accounts it touches.
        count: usize,
        /// The history view to go back to.
        pane: super::history::HistoryPane,
    },
    /// Quitting with writes still queued: send, keep or cancel them? (Answered with the keys
    /// of [`KeyMode::QuitAsk`].)
    Quit(super::quit::Pending),
}

impl Confirm {
    /// The keymap mode whose keys answer this question.
    pub fn key_mode(&self) -> KeyMode {
        match self {
            Confirm::Quit(_) => KeyMode::QuitAsk,
            _ => KeyMode::Confirm,
        }
    }
}

/// Which layer takes keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    /// The list.
    #[default]
    Normal,
    /// Typing a search query.
    Search,
    /// The confirm pane.
    Confirm(Confirm),
    /// Typing a handle to block.
    Prompt(String),
    /// The help overlay, scrolled by this many rows.
    Help {
        /// First binding shown.
        scroll: usize,
    },
    /// The queue view.
    Queue(super::queue_view::QueuePane),
    /// The history view.
    History(super::history::HistoryPane),
    /// The diff view (new and gone since the last sync).
    Diff(super::diff_view::DiffPane),
    /// The insights view (charts of the loaded list).
    Insights(Box<super::insights::Insights>),
    /// Reviewing accounts one at a time.
    Review(Box<super::review::Review>),
    /// Editing the note or tags of an account.
    Edit(super::notes::Edit),
    /// The message log, scrolled by this many messages from the newest.
    Log {
        /// Messages skipped from the newest.
        scroll: usize,
    },
    /// The column picker.
    Columns {
        /// Row of the picker.
        cursor: usize,
    },
}

/// Column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Order the API returned (newest block first).
    #[default]
    Loaded,
    /// Handle, case-insensitive.
    Handle,
    /// Display name, case-insensitive.
    Name,
    /// Followers, most first.
    Followers,
}

impl SortKey {
    /// The next column in the cycle.
    pub fn next(self) -> Self {
        match self {
            SortKey::Loaded => SortKey::Handle,
            SortKey::Handle => SortKey::Name,
            SortKey::Name => SortKey::Followers,
            SortKey::Followers => SortKey::Loaded,
        }
    }

    /// Name shown in the list title.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Loaded => "newest block",
            SortKey::Handle => "handle",
            SortKey::Name => "name",
            SortKey::Followers => "followers",
        }
    }
}

/// A one-line message in the hint line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text (already says what to do next for errors).
    pub text: String,
    /// Shown as an error.
    pub error: bool,
}

/// A rate-limit wait the client is sitting out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateWait {
    /// The endpoint that waits.
    pub endpoint: String,
    /// When it resumes.
    pub until: SystemTime,
    /// X sent a reset absurdly far away or none that could be read: the wait is bounded.
    pub bad_reset: bool,
}

/// The latest known rate-limit budget of the write endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests per window.
    pub limit: u32,
    /// Left in this window.
    pub remaining: u32,
    /// When the window resets.
    pub reset: SystemTime,
}

/// Everything the TUI shows. Changed only by [`super::update`].
#[derive(Debug, Clone)]
pub struct State {
    /// Loaded accounts in arrival order (their text and numbers are in `index`); indices are
    /// stable for the session. [`State::account`] puts one together.
    pub accounts: Accounts,
    by_num: foldhash::HashMap<u64, u32>,
    by_str: HashMap<Box<str>, u32>,
    /// Indices into `accounts` in display order (sorted and filtered).
    pub view: Vec<u32>,
    /// Position of the selection in `view`.
    pub cursor: usize,
    /// First visible row of `view`.
    pub offset: usize,
    /// Marked accounts (indices into `accounts`).
    pub marks: HashSet<u32>,
    /// Sort column.
    pub sort: SortKey,
    /// Sort reversed.
    pub reversed: bool,
    /// Searchable columns of `accounts` (same indices): what `/` and `V` evaluate.
    pub index: crate::query::Index,
    /// Current search query as typed (empty: no filter).
    pub query: String,
    /// Why the query does not parse (the list is then empty and `V` refuses).
    pub query_error: Option<crate::query::QueryError>,
    /// A search still evaluating a large list (see [`crate::query::CHUNK`]).
    pub search_job: Option<crate::query::Job>,
    /// The last finished searches, newest last (at most [`crate::query::EARLIER`]): the next
    /// search narrows one of them when the user types on or deletes back.
    pub searches: Vec<crate::query::Job>,
    /// The query whose matches `V` marked, while the marks are exactly those.
    pub marked_by: Option<String>,
    /// The last messages, oldest first (`L` shows them).
    pub log: std::collections::VecDeque<Message>,
    /// Notes and tags by account index (the keep list is the index's `Kept` flag).
    pub notes: HashMap<u32, super::notes::Annotation>,
    /// Annotations from the store whose account is not loaded yet.
    pub pending_notes: Vec<super::action::Annotated>,
    /// Optional columns of the list, in display order.
    pub columns: Vec<super::panes::Column>,
    /// Which layer takes keys.
    pub mode: Mode,
    /// Token of the next page; `None` when the last page has been seen (or before the first).
    pub next_token: Option<String>,
    /// A page request is in flight.
    pub loading: bool,
    /// At least one page arrived.
    pub started: bool,
    /// The last page has been seen: the total is known.
    pub complete: bool,
    /// The last page request failed; automatic paging pauses until `r`.
    pub page_error: bool,
    /// `@handle` of the signed-in account.
    pub me: SafeText,
    /// Profile name.
    pub profile: String,
    /// `xblocks demo`: the status bar shows a DEMO badge instead of the (throwaway) profile.
    pub demo: bool,
    /// What the token may do.
    pub capability: Capability,
    /// Writes queued or in flight, in order: (what, account id).
    pub pending_writes: Vec<(Write, String)>,
    /// How this session's writes left their accounts (pending, or done), by account id: an
    /// account loaded later (a page, the cached list) shows that, not what the list says.
    pub written: HashMap<String, super::account::Standing>,
    /// Rate-limit waits in progress.
    pub waits: Vec<RateWait>,
    /// Budget of the write endpoints, when known.
    pub budget: Option<Budget>,
    /// Length of a rate-limit window in seconds (900 on X; shorter in the demo).
    pub window_secs: u64,
    /// Message for the hint line.
    pub message: Option<Message>,
    /// Detail pane shown (always beside the list on wide terminals).
    pub show_detail: bool,
    /// Wall clock at the last tick (render reads time only from here).
    pub now: SystemTime,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Keys.
    pub keymap: Keymap,
    /// `NO_COLOR`: no colours, only bold/reverse.
    pub no_color: bool,
    /// Set when another process runs this profile's queue: this session is a read-only viewer
    /// (why, naming the holder); it sends no write.
    pub viewer: Option<String>,
    /// Set once the user quits.
    pub quit: bool,
    /// Quit as soon as no write is left (the user chose to send or cancel them first).
    pub quit_when_idle: bool,
    /// What the queue, history and diff views show, and the cached start.
    pub snapshots: super::snapshots::Snapshots,
    /// The sign-in, when the TUI started without knowing the account.
    pub sign_in: super::sign_in::SignIn,
}

impl State {
    /// The key users press for `action` in the list (the first one the keymap binds), as
    /// messages name it.
    pub fn key(&self, action: super::keymap::KeyAction) -> String {
        self.keymap.key_name(super::keymap::KeyMode::Main, action)
    }

    /// A fresh state for the signed-in `@me` on `profile`.
    pub fn new(me: &str, profile: &str, keymap: Keymap, now: SystemTime) -> Self {
        Self {
            accounts: Accounts::default(),
            by_num: Default::default(),
            by_str: HashMap::new(),
            view: Vec::new(),
            cursor: 0,
            offset: 0,
            marks: HashSet::new(),
            sort: SortKey::default(),
            reversed: false,
            index: Default::default(),
            query: String::new(),
            query_error: None,
            search_job: None,
            searches: Vec::new(),
            marked_by: None,
            log: Default::default(),
            notes: HashMap::new(),
            pending_notes: Vec::new(),
            columns: vec![super::panes::Column::Followers],
            mode: Mode::Normal,
            next_token: None,
            loading: false,
            started: false,
            complete: false,
            page_error: false,
            me: SafeText::new(me),
            profile: profile.to_string(),
            demo: false,
            capability: Capability::Unknown,
            pending_writes: Vec::new(),
            written: HashMap::new(),
            waits: Vec::new(),
            budget: None,
            window_secs: 900,
            message: None,
            show_detail: false,
            now,
            size: (80, 24),
            keymap,
            no_color: false,
            viewer: None,
            quit: false,
            quit_when_idle: false,
            snapshots: Default::default(),
            sign_in: Default::default(),
        }
    }

    /// A fresh state on `profile` whose account X has yet to name: the start asks X first
    /// ([`super::sign_in`]).
    pub fn signing_in(profile: &str, keymap: Keymap, now: SystemTime) -> Self {
        let mut s = Self::new("", profile, keymap, now);
        s.sign_in = super::sign_in::SignIn::Connecting;
        s
    }

    /// Number of writes queued or in flight.
    pub fn pending(&self) -> usize {
        self.pending_writes.len()
    }

    /// Ids of queued writes of one kind, in order.
    pub fn queued_ids(&self, verb: Write) -> Vec<String> {
        self.pending_writes
            .iter()
            .filter(|(v, _)| *v == verb)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Removes one queued write (it finished, one way or the other).
    pub fn dequeue(&mut self, verb: Write, id: &str) {
        if let Some(pos) = self
            .pending_writes
            .iter()
            .position(|(v, i)| *v == verb && i == id)
        {
            self.pending_writes.remove(pos);
        }
    }

    /// True while a search is still scanning (the event loop keeps sending `SearchStep`).
    pub fn searching(&self) -> bool {
        self.search_job.is_some()
    }

    /// Rows of the list body for the current terminal size.
    pub fn list_rows(&self) -> usize {
        super::geometry::list_rows(self.size.1)
    }

    /// The selected account, if any.
    pub fn selected(&self) -> Option<Account> {
        self.view.get(self.cursor).map(|&i| self.account(i))
    }

    /// Loaded account `i`, put back together for display.
    pub fn account(&self, i: u32) -> Account {
        self.accounts.view(i, &self.index)
    }

    /// Index into `accounts` of the account with this id.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        match numeric_id(id) {
            Some(n) => self.by_num.get(&n).copied(),
            None => self.by_str.get(id).copied(),
        }
    }

    /// Adds an X user unless its id is already loaded; returns its index when added. Its text
    /// goes once into the query index (capped as shown: what the list shows is what `/` finds).
    pub fn insert_user(
        &mut self,
        user: &crate::api::types::User,
        pinned: Option<&crate::api::types::Tweet>,
        first_seen: i64,
    ) -> Option<u32> {
        if self.index_of(&user.id).is_some() {
            return None;
        }
        let row = crate::query::Row::from_user(user, Some(first_seen).filter(|&t| t > 0)).capped();
        let has_pin = user.pinned_tweet_id.is_some();
        self.add_account(&user.id, row.as_ref(), pinned, has_pin)
    }

    /// [`State::insert_user`] of an account of the stored list (no pinned post loaded yet).
    pub fn insert_listed(&mut self, a: &crate::store::db::Listed<'_>) -> Option<u32> {
        let own = crate::query::OwnFlags {
            verified: a.verified,
            protected: a.protected,
            default_avatar: a.default_avatar,
        };
        let text = [a.username, a.name, a.bio, a.location, a.url];
        let first_seen = Some(a.first_seen).filter(|&t| t > 0);
        let row = crate::query::CleanRow::new(text, a.counts, a.created_at, first_seen, own);
        self.add_account(a.id, row.as_ref(), None, a.has_pin)
    }

    /// Adds account `id` with its row for the index unless its id is already loaded; returns
    /// its index when added.
    fn add_account(
        &mut self,
        id: &str,
        row: crate::query::RowRef<'_>,
        pinned: Option<&crate::api::types::Tweet>,
        has_pin: bool,
    ) -> Option<u32> {
        use std::collections::hash_map::Entry;
        let next = self.accounts.len() as u32;
        let num = numeric_id(id);
        match num {
            // One hash for the check and the insert.
            Some(n) => match self.by_num.entry(n) {
                Entry::Occupied(_) => return None,
                Entry::Vacant(v) => {
                    v.insert(next);
                }
            },
            None if self.by_str.contains_key(id) => return None,
            None => {}
        }
        self.index.push_ref(row);
        let idx = self.accounts.push_numbered(id, num, pinned, has_pin);
        if num.is_none() {
            self.by_str.insert(self.accounts.id(idx).into(), idx);
        }
        if !self.written.is_empty() {
            if let Some(&standing) = self.written.get(id) {
                self.accounts.set_standing(idx, standing);
            }
        }
        Some(idx)
    }

    /// Makes room for `n` more accounts in the id maps.
    pub fn reserve(&mut self, n: usize) {
        self.by_num.reserve(n);
    }

    /// Forgets every loaded account (refresh).
    pub fn clear_accounts(&mut self) {
        self.accounts.clear();
        self.index.clear();
        self.notes.clear();
        self.marked_by = None;
        self.by_num.clear();
        self.by_str.clear();
        self.view.clear();
        self.marks.clear();
        self.cursor = 0;
        self.offset = 0;
        self.snapshots.sync.front.clear();
        self.snapshots.sync.gone_loaded = 0;
    }

    /// Accounts loaded (those a full sync found gone are not counted), and whether more pages
    /// exist.
    pub fn loaded(&self) -> (usize, bool) {
        let n = self.accounts.len() - self.snapshots.sync.gone_loaded;
        (n, self.started && !self.complete)
    }

    /// Seconds until `t` from the last tick (0 when past).
    pub fn secs_until(&self, t: SystemTime) -> u64 {
        t.duration_since(self.now)
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
            .unwrap_or(0)
    }

    /// The last tick as Unix seconds.
    pub fn now_unix(&self) -> i64 {
        super::update::unix(self.now)
    }

    /// Estimated seconds to run `n` writes at the current budget (a full window per extra
    /// 50 writes when no write has reported a budget yet).
    pub fn eta_secs(&self, n: usize) -> u64 {
        let budget = self.budget.map(|b| crate::api::Budget {
            limit: b.limit,
            remaining: b.remaining,
            reset: b.reset,
        });
        crate::api::eta::eta_secs(n, budget, self.window_secs, self.now)
    }

    /// Approximate memory held per loaded account (accounts, index, id maps, view), in bytes.
    pub fn memory_per_account(&self) -> usize {
        if self.accounts.is_empty() {
            return 0;
        }
        let maps = self.by_num.capacity() * (8 + 4 + 1) + self.by_str.capacity() * (16 + 4 + 1);
        let all =
            self.accounts.heap_bytes() + self.index.heap_bytes() + maps + self.view.capacity() * 4;
        all / self.accounts.len()
    }
}

/// Formats seconds as `m:ss` or `h:mm:ss`.
pub fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}
