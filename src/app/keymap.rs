//! Keys as data: every mode's actions with their default keys, their names in the `[keys]`
//! table of `config.toml`, a description for the help overlay and a word for the hint line.
//! The help overlay and every hint line are generated from [`DEFAULTS`]; adding a key is one
//! row there (plus what the action does, in the mode's key handler).
//!
//! User bindings add to the defaults. A key a user binds is taken from the default that had it
//! (so `quit = "j"` makes `j` quit and leaves `down` on the arrow key); a binding that leaves an
//! action with no key, two user bindings on one key, an unknown action or an unknown key name
//! are errors that name the file.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Moving keys work in the list and in every view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// Moving the cursor or scrolling: the list, the views and the help overlay.
    Move,
    /// The list.
    Main,
    /// The queue view (`Q`).
    Queue,
    /// The history view (`H`).
    History,
    /// The diff view (`D`).
    Diff,
    /// A confirm pane (writes, cancelling the queue, undo).
    Confirm,
    /// The help overlay (`?`).
    Help,
    /// The insights view (`I`).
    Insights,
    /// Reviewing one account at a time (`A`).
    Review,
    /// The confirm at the end of a review.
    ReviewSend,
    /// The column picker (`c`).
    Columns,
    /// The question when quitting with writes still queued.
    QuitAsk,
}

impl KeyMode {
    /// Heading of the mode's section in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            KeyMode::Move => "Moving (list, views, help)",
            KeyMode::Main => "List",
            KeyMode::Queue => "Queue view",
            KeyMode::History => "History view",
            KeyMode::Diff => "Diff view",
            KeyMode::Confirm => "Confirm",
            KeyMode::Help => "Help",
            KeyMode::Insights => "Insights view",
            KeyMode::Review => "Review (one account at a time)",
            KeyMode::ReviewSend => "Sending a review",
            KeyMode::Columns => "Column picker",
            KeyMode::QuitAsk => "Quit with writes queued",
        }
    }

    /// True when the moving keys also work in this mode.
    pub fn moves(self) -> bool {
        !matches!(
            self,
            KeyMode::Confirm | KeyMode::Review | KeyMode::ReviewSend | KeyMode::QuitAsk
        )
    }

    /// True when a key can mean one thing in `self` and another in `other` without clashing.
    fn apart(self, other: KeyMode) -> bool {
        self != other
            && !(self == KeyMode::Move && other.moves())
            && !(other == KeyMode::Move && self.moves())
    }
}

/// Something a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAction {
    /// Cursor down one row.
    Down,
    /// Cursor up one row.
    Up,
    /// First row.
    Top,
    /// Last loaded row.
    Bottom,
    /// One screen down.
    PageDown,
    /// One screen up.
    PageUp,
    /// Start an exact search (the query language).
    Search,
    /// Mark or unmark the selected account.
    Mark,
    /// Mark exactly the accounts the search lists (all loaded ones without a search).
    MarkAll,
    /// Put the selected (or marked) accounts on the keep list, or take them off.
    Keep,
    /// Edit the selected account's note.
    Note,
    /// Edit the selected account's tags.
    Tags,
    /// Pick the list's columns.
    Columns,
    /// Show the message log.
    Log,
    /// Clear all marks.
    ClearMarks,
    /// Unblock the marked accounts (or the selected one).
    Unblock,
    /// Block an account by handle.
    Block,
    /// Mute the marked accounts (or the selected one).
    Mute,
    /// Open the selected profile in the browser.
    Open,
    /// Copy the selected handle to the clipboard (OSC 52).
    Copy,
    /// Top up from the newest block (reload from the first page without a database).
    Refresh,
    /// Read every page, after a confirm that shows the plan (notices unblocks made elsewhere).
    FullSync,
    /// Load the selected account's pinned post (a billed lookup).
    Pinned,
    /// Cycle the sort column.
    Sort,
    /// Reverse the sort order.
    ReverseSort,
    /// Show or hide the detail pane.
    Detail,
    /// Show the help overlay.
    Help,
    /// Show the durable queue.
    Queue,
    /// Show the action log.
    History,
    /// Show what changed since the last sync.
    Diff,
    /// Show insights: counts and charts of the list.
    Insights,
    /// Review the list (or the query's matches, or the marks) one account at a time.
    Review,
    /// Read the sign-in again (after `xblocks login` in another terminal) and reload.
    Reconnect,
    /// Quit.
    Quit,
    /// Leave a view or overlay.
    Close,
    /// Pause or resume the queue.
    PauseQueue,
    /// Cancel every open job (asks first).
    CancelQueue,
    /// Type a filter.
    Filter,
    /// Undo the last batch (asks first).
    Undo,
    /// Yes: do what the confirm pane names.
    Yes,
    /// No: do nothing.
    No,
    /// Mute instead (when the plan can't unblock).
    MuteInstead,
    /// How long a block or mute lasts: the next of the confirm's durations.
    Duration,
    /// Column picker: show or hide the column under the cursor.
    Toggle,
    /// Review: nothing to do for this account, next one.
    Skip,
    /// Review: back to the previous account.
    Back,
    /// Review: stop deciding and show what will be sent.
    Finish,
    /// Quitting: send the queued writes now and quit when they are done.
    SendNow,
    /// Quitting: quit and leave the writes queued.
    KeepQueued,
}

/// One row of the default table.
struct Default {
    mode: KeyMode,
    action: KeyAction,
    name: &'static str,
    keys: &'static [&'static str],
    help: &'static str,
    hint: &'static str,
}

const fn row(
    mode: KeyMode,
    action: KeyAction,
    name: &'static str,
    keys: &'static [&'static str],
    help: &'static str,
    hint: &'static str,
) -> Default {
    Default {
        mode,
        action,
        name,
        keys,
        help,
        hint,
    }
}

use KeyAction as A;
use KeyMode as M;

/// Every binding: mode, action, name in `[keys]`, default keys, help text, hint word ("" when
/// the hint line leaves it out). Help lists them in this order, grouped by mode.
#[rustfmt::skip]
const DEFAULTS: &[Default] = &[
    row(M::Move, A::Down, "down", &["j", "Down"], "move down", "move"),
    row(M::Move, A::Up, "up", &["k", "Up"], "move up", "move"),
    row(M::Move, A::Top, "top", &["g", "Home"], "first row", ""),
    row(M::Move, A::Bottom, "bottom", &["G", "End"], "last loaded row", ""),
    row(M::Move, A::PageDown, "page_down", &["PageDown", "Ctrl-f", "Ctrl-d"], "one screen down", ""),
    row(M::Move, A::PageUp, "page_up", &["PageUp", "Ctrl-b", "Ctrl-u"], "one screen up", ""),
    row(M::Main, A::Mark, "mark", &["Space"], "mark / unmark", "mark"),
    row(M::Main, A::MarkAll, "mark_all", &["V"], "mark exactly the listed matches", ""),
    row(M::Main, A::Keep, "keep", &["K"], "keep list: never unblock (toggle)", ""),
    row(M::Main, A::Note, "note", &["n"], "edit the note", ""),
    row(M::Main, A::Tags, "tags", &["t"], "edit tags (+name -name)", ""),
    row(M::Main, A::Columns, "columns", &["c"], "pick the list's columns", ""),
    row(M::Main, A::Log, "log", &["L"], "message log (last 200, full length)", ""),
    row(M::Main, A::ClearMarks, "clear_marks", &["Esc"], "leave detail, clear search or marks", ""),
    row(M::Main, A::Unblock, "unblock", &["u"], "unblock marked or selected", "unblock"),
    row(M::Main, A::Block, "block", &["b"], "block by handle", ""),
    row(M::Main, A::Mute, "mute", &["m"], "mute instead", "mute"),
    row(M::Main, A::Search, "search", &["/"], "exact search: words, \"a phrase\", -not, key:value", "search"),
    row(M::Main, A::Open, "open", &["o"], "open profile in browser", ""),
    row(M::Main, A::Copy, "copy", &["y"], "copy handle (OSC 52)", ""),
    row(M::Main, A::Refresh, "refresh", &["r"], "top-up: new blocks since the last sync", ""),
    row(M::Main, A::FullSync, "full_sync", &["R"], "full sync: every page, after a confirm", ""),
    row(M::Main, A::Pinned, "pinned", &["P"], "load the pinned post (a billed lookup)", ""),
    row(M::Main, A::Sort, "sort", &["s"], "sort by next column", ""),
    row(M::Main, A::ReverseSort, "reverse_sort", &["S"], "reverse sort order", ""),
    row(M::Main, A::Detail, "detail", &["Enter", "Tab"], "show / hide detail", ""),
    row(M::Main, A::Queue, "queue", &["Q"], "queue: progress, ETA, pause, cancel", ""),
    row(M::Main, A::History, "history", &["H"], "history: action log, filter, undo", ""),
    row(M::Main, A::Diff, "diff", &["D"], "diff: new and gone since last sync", ""),
    row(M::Main, A::Insights, "insights", &["I"], "insights: counts and charts", ""),
    row(M::Main, A::Review, "review", &["A"], "review one at a time, then send once", ""),
    row(M::Main, A::Reconnect, "reconnect", &["p"], "use a new sign-in (after `xblocks login`)", ""),
    row(M::Main, A::Help, "help", &["?"], "this help", "help"),
    row(M::Main, A::Quit, "quit", &["q", "Ctrl-c"], "quit", "quit"),
    row(M::Queue, A::PauseQueue, "queue_pause", &["p", "Space"], "pause / resume the queue", "pause"),
    row(M::Queue, A::CancelQueue, "queue_cancel", &["c"], "cancel every open job (asks)", "cancel"),
    row(M::Queue, A::Close, "queue_close", &["Esc", "q", "Q"], "back to the list", "close"),
    row(M::History, A::Filter, "history_filter", &["/"], "filter the log", "filter"),
    row(M::History, A::Undo, "history_undo", &["U"], "undo the last batch (asks)", "undo last batch"),
    row(M::History, A::Close, "history_close", &["Esc", "q", "H"], "back to the list", "close"),
    row(M::Diff, A::Close, "diff_close", &["Esc", "q", "D"], "back to the list", "close"),
    row(M::Confirm, A::Yes, "confirm_yes", &["y", "Y", "Enter"], "yes, do it", "yes"),
    row(M::Confirm, A::MuteInstead, "confirm_mute", &["m", "M"], "mute instead (read-only plans)", "mute"),
    row(M::Confirm, A::No, "confirm_no", &["n", "N", "Esc"], "no, change nothing", "no"),
    row(M::Confirm, A::Duration, "confirm_duration", &["d", "D"], "how long: for good, 1, 7, 30 or 90 days (block, mute)", "how long"),
    row(M::Help, A::Close, "help_close", &["Esc", "q", "?"], "close the help", "close"),
    row(M::Insights, A::Close, "insights_close", &["Esc", "q", "I"], "back to the list", "close"),
    row(M::Review, A::Keep, "review_keep", &["K"], "keep (never unblocked in bulk)", "keep"),
    row(M::Review, A::Unblock, "review_unblock", &["u"], "unblock", "unblock"),
    row(M::Review, A::Mute, "review_mute", &["m"], "mute", "mute"),
    row(M::Review, A::Skip, "review_skip", &["Space", "s", "j", "Right", "Down"], "skip: nothing to do", "skip"),
    row(M::Review, A::Note, "review_note", &["n"], "write a note", "note"),
    row(M::Review, A::Back, "review_back", &["b", "k", "Left", "Up", "Backspace"], "back one account", "back"),
    row(M::Review, A::Finish, "review_finish", &["Esc", "q", "A"], "finish: show what will be sent", "finish"),
    row(M::ReviewSend, A::Yes, "review_send", &["y", "Y", "Enter"], "send every decision as one batch", "send"),
    row(M::ReviewSend, A::Back, "review_send_back", &["Esc", "b"], "back to the review", "back to the review"),
    row(M::ReviewSend, A::No, "review_discard", &["n", "N"], "discard the review, send nothing", "discard"),
    row(M::Columns, A::Toggle, "columns_toggle", &["Space"], "show or hide the column", "toggles"),
    row(M::Columns, A::Close, "columns_close", &["Esc", "Enter", "c"], "close the picker", "closes"),
    row(M::QuitAsk, A::SendNow, "quit_send", &["s", "S"], "send the queued writes, quit when done", "send now"),
    row(M::QuitAsk, A::KeepQueued, "quit_keep", &["k", "K", "q"], "quit, keep them queued", "keep queued"),
    row(M::QuitAsk, A::CancelQueue, "quit_cancel", &["c", "C"], "cancel them (logged), then quit", "cancel"),
    row(M::QuitAsk, A::Close, "quit_stay", &["Esc"], "stay", "stay"),
];

/// One binding: where it applies, the action, its name in `config.toml`, its keys and texts.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Where it applies.
    pub mode: KeyMode,
    /// The action.
    pub action: KeyAction,
    /// Its name in the `[keys]` table of `config.toml`.
    pub name: &'static str,
    /// Keys that trigger it (defaults first, then the user's).
    pub keys: Vec<KeyEvent>,
    /// One-line description shown in the help overlay.
    pub help: &'static str,
    /// Word shown after its key in the hint line ("" when left out).
    pub hint: &'static str,
}

/// One row of the help overlay.
#[derive(Debug, Clone, Copy)]
pub enum HelpRow<'a> {
    /// A mode's heading.
    Heading(&'static str),
    /// A binding.
    Binding(&'a Binding),
}

/// The keymap: bindings in help order.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// Every binding, in the order the help overlay lists them.
    pub bindings: Vec<Binding>,
}

impl std::default::Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|d| Binding {
                mode: d.mode,
                action: d.action,
                name: d.name,
                keys: d.keys.iter().filter_map(|k| parse_key(k)).collect(),
                help: d.help,
                hint: d.hint,
            })
            .collect();
        Self { bindings }
    }
}

/// The text of an error about a `[keys]` table, without the file (the caller names it).
fn problem(name: &str, what: impl std::fmt::Display) -> String {
    format!("[keys] {name}: {what}")
}

impl Keymap {
    /// The default keymap with the `[keys]` tables of the given `config.toml` files added, in
    /// order. Returns the keymap and notes about default keys a user binding took over, or the
    /// first problem as one line naming its file.
    pub fn with_user_keys<'a>(
        sources: impl IntoIterator<Item = (&'a Path, &'a toml::Table)>,
    ) -> Result<(Self, Vec<String>), String> {
        let mut map = Self::default();
        let mut notes = Vec::new();
        for (path, keys) in sources {
            map.add_user_keys(keys, &mut notes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok((map, notes))
    }

    /// Adds one file's `[keys]` table: each entry adds keys to its action.
    fn add_user_keys(&mut self, keys: &toml::Table, notes: &mut Vec<String>) -> Result<(), String> {
        // Bindings set by this table, and the keys they took: a second claim is a conflict.
        let mut claimed: Vec<(usize, KeyEvent)> = Vec::new();
        for (name, value) in keys {
            let Some(at) = self.bindings.iter().position(|b| b.name == name) else {
                let known: Vec<&str> = self.bindings.iter().map(|b| b.name).collect();
                return Err(problem(
                    name,
                    format!("no such action (known: {})", known.join(", ")),
                ));
            };
            let texts: Vec<&str> = match value {
                toml::Value::String(s) => vec![s.as_str()],
                toml::Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().ok_or(()))
                    .collect::<Result<_, _>>()
                    .map_err(|()| problem(name, "must be a key name or a list of them"))?,
                _ => return Err(problem(name, "must be a key name or a list of them")),
            };
            if texts.is_empty() {
                return Err(problem(name, "an empty list adds no key"));
            }
            // The user's keys come first, in their order: hints and messages name them.
            for (front, text) in texts.into_iter().enumerate() {
                let key = parse_key(text).ok_or_else(|| {
                    problem(
                        name,
                        format!(
                            "`{text}` is not a key name (a character, Ctrl-x, Alt-x, Down, Up, \
                             Left, Right, PageDown, PageUp, Home, End, Enter, Esc, Tab, Space, \
                             Backspace, F1…F12)"
                        ),
                    )
                })?;
                if is_ctrl_c(&key) && self.bindings[at].action != KeyAction::Quit {
                    return Err(problem(name, "Ctrl-c always quits"));
                }
                if let Some(&(other, _)) = claimed.iter().find(|(i, k)| {
                    *k == key && *i != at && !self.bindings[*i].mode.apart(self.bindings[at].mode)
                }) {
                    return Err(problem(
                        name,
                        format!(
                            "`{text}` is also bound to {}; one key, one action",
                            self.bindings[other].name
                        ),
                    ));
                }
                self.take_key(at, key, text, notes)?;
                claimed.push((at, key));
                let keys = &mut self.bindings[at].keys;
                keys.retain(|k| *k != key);
                keys.insert(front.min(keys.len()), key);
            }
        }
        Ok(())
    }

    /// Removes `key` from every binding that clashes with binding `at`.
    fn take_key(
        &mut self,
        at: usize,
        key: KeyEvent,
        text: &str,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let (mode, name) = (self.bindings[at].mode, self.bindings[at].name);
        for i in 0..self.bindings.len() {
            let b = &mut self.bindings[i];
            if i == at || b.mode.apart(mode) || !b.keys.contains(&key) {
                continue;
            }
            b.keys.retain(|k| *k != key);
            if b.keys.is_empty() {
                return Err(problem(
                    name,
                    format!(
                        "`{text}` is {}'s only key; give {} another key first",
                        b.name, b.name
                    ),
                ));
            }
            notes.push(format!("keys: {text} is now {name} (no longer {})", b.name));
        }
        Ok(())
    }

    /// The help overlay's rows: each mode's heading, then its bindings, in table order.
    pub fn help_rows(&self) -> Vec<HelpRow<'_>> {
        let mut rows = Vec::new();
        let mut last = None;
        for b in &self.bindings {
            if last != Some(b.mode) {
                rows.push(HelpRow::Heading(b.mode.title()));
                last = Some(b.mode);
            }
            rows.push(HelpRow::Binding(b));
        }
        rows
    }

    /// The action a key press asks for in `mode` (its own keys first, then the moving keys).
    pub fn lookup(&self, mode: KeyMode, key: &KeyEvent) -> Option<KeyAction> {
        let key = normalize(*key);
        let find = |m: KeyMode| {
            self.bindings
                .iter()
                .find(|b| b.mode == m && b.keys.contains(&key))
                .map(|b| b.action)
        };
        find(mode).or_else(|| mode.moves().then(|| find(KeyMode::Move)).flatten())
    }

    /// The binding of `action` in `mode` (or among the moving keys).
    pub fn binding(&self, mode: KeyMode, action: KeyAction) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.action == action && (b.mode == mode || b.mode == KeyMode::Move))
    }

    /// The first key of `action` in `mode`, as shown to users (e.g. `u`).
    pub fn key_name(&self, mode: KeyMode, action: KeyAction) -> String {
        self.binding(mode, action)
            .and_then(|b| b.keys.first())
            .map(key_label)
            .unwrap_or_else(|| "?".into())
    }

    /// The hint line of `mode` with every binding's own word (`Esc close`).
    pub fn mode_hint(&self, mode: KeyMode) -> String {
        self.hint(&[mode], |_, w| Some(w))
    }

    /// The hint line for `modes`: `key word` for each binding with a hint word, bindings with
    /// the same word joined (`j/k move`). `word` may replace a binding's word (or drop it with
    /// `None`).
    pub fn hint(
        &self,
        modes: &[KeyMode],
        word: impl Fn(KeyAction, &'static str) -> Option<&'static str>,
    ) -> String {
        let mut parts: Vec<(String, &str)> = Vec::new();
        for mode in modes {
            for b in self.bindings.iter().filter(|b| b.mode == *mode) {
                let Some(w) = (!b.hint.is_empty())
                    .then(|| word(b.action, b.hint))
                    .flatten()
                else {
                    continue;
                };
                let Some(key) = b.keys.first().map(key_label) else {
                    continue;
                };
                match parts.last_mut() {
                    Some((keys, last)) if *last == w => {
                        keys.push('/');
                        keys.push_str(&key);
                    }
                    _ => parts.push((key, w)),
                }
            }
        }
        parts
            .iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// True for Ctrl-C, which always quits (it is never rebound).
pub fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
}

/// Drops modifiers that do not change meaning (Shift on a printable char is in the char already).
fn normalize(key: KeyEvent) -> KeyEvent {
    let mut mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    if let KeyCode::Char(c) = key.code {
        if !c.is_ascii_alphabetic() || !mods.contains(KeyModifiers::CONTROL) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let c = if mods.contains(KeyModifiers::CONTROL) {
            c.to_ascii_lowercase()
        } else {
            c
        };
        return KeyEvent::new(KeyCode::Char(c), mods);
    }
    if key.code == KeyCode::BackTab {
        mods = KeyModifiers::NONE;
    }
    KeyEvent::new(key.code, mods)
}

/// Parses a key name: a single character, `Ctrl-x`, `Alt-x`, or a named key such as `Down`,
/// `PageUp`, `Space`, `Enter`, `Esc`, `Tab`, `Home`, `End`, `F1`.
pub fn parse_key(text: &str) -> Option<KeyEvent> {
    let (mods, rest) = if let Some(r) = text
        .strip_prefix("Ctrl-")
        .or_else(|| text.strip_prefix("C-"))
    {
        (KeyModifiers::CONTROL, r)
    } else if let Some(r) = text
        .strip_prefix("Alt-")
        .or_else(|| text.strip_prefix("M-"))
    {
        (KeyModifiers::ALT, r)
    } else {
        (KeyModifiers::NONE, text)
    };
    let code = match rest {
        "Down" => KeyCode::Down,
        "Up" => KeyCode::Up,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PageDown" => KeyCode::PageDown,
        "PageUp" => KeyCode::PageUp,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Space" => KeyCode::Char(' '),
        "Backspace" => KeyCode::Backspace,
        f if f.len() > 1 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok()?),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
        _ => return None,
    };
    Some(normalize(KeyEvent::new(code, mods)))
}

/// How a key is shown in help and hints.
pub fn key_label(key: &KeyEvent) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else if key.modifiers.contains(KeyModifiers::ALT) {
        format!("Alt-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn user(text: &str) -> Result<(Keymap, Vec<String>), String> {
        let table: toml::Table = text.parse().unwrap();
        let keys = table["keys"].as_table().unwrap().clone();
        Keymap::with_user_keys([(Path::new("/cfg/config.toml"), &keys)])
    }

    #[test]
    fn defaults_have_vim_keys_and_arrows_in_every_moving_mode() {
        let map = Keymap::default();
        for mode in [M::Main, M::Queue, M::History, M::Diff, M::Help] {
            assert_eq!(map.lookup(mode, &k('j')), Some(A::Down), "{mode:?}");
            let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
            assert_eq!(map.lookup(mode, &down), Some(A::Down));
        }
        assert_eq!(map.lookup(M::Confirm, &k('j')), None);
        assert_eq!(
            map.lookup(
                M::Main,
                &KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(A::Bottom)
        );
        assert_eq!(
            map.lookup(
                M::Main,
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(A::Quit)
        );
        assert_eq!(map.lookup(M::Queue, &k('c')), Some(A::CancelQueue));
        assert_eq!(map.lookup(M::Confirm, &k('y')), Some(A::Yes));
        assert!(map.bindings.iter().all(|b| !b.keys.is_empty()));
    }

    #[test]
    fn defaults_never_clash_and_names_are_unique() {
        let map = Keymap::default();
        for (i, a) in map.bindings.iter().enumerate() {
            for b in &map.bindings[i + 1..] {
                assert_ne!(a.name, b.name);
                if !a.mode.apart(b.mode) {
                    for key in &a.keys {
                        assert!(
                            !b.keys.contains(key),
                            "{} and {} share a key",
                            a.name,
                            b.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn user_keys_add_to_the_defaults() {
        let (map, notes) = user("[keys]\ndown = [\"x\", \"Ctrl-n\"]\n").unwrap();
        assert_eq!(map.lookup(M::Main, &k('x')), Some(A::Down));
        assert_eq!(map.lookup(M::Main, &k('j')), Some(A::Down), "j still moves");
        assert!(notes.is_empty());
    }

    #[test]
    fn a_user_key_takes_the_default_it_shadows_and_says_so() {
        let (map, notes) = user("[keys]\nquit = \"j\"\n").unwrap();
        assert_eq!(map.lookup(M::Main, &k('j')), Some(A::Quit));
        assert_eq!(
            map.lookup(M::Queue, &k('j')),
            None,
            "j quits, so it no longer scrolls"
        );
        assert_eq!(map.lookup(M::Main, &k('q')), Some(A::Quit));
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(map.lookup(M::Main, &down), Some(A::Down));
        assert_eq!(notes, ["keys: j is now quit (no longer down)"]);
        // Other modes keep their own meaning of a key.
        let (map, _) = user("[keys]\nmark = \"U\"\n").unwrap();
        assert_eq!(map.lookup(M::Main, &k('U')), Some(A::Mark));
        assert_eq!(map.lookup(M::History, &k('U')), Some(A::Undo));
    }

    #[test]
    fn problems_are_one_line_naming_the_file() {
        let bad = [
            ("[keys]\nbogus = \"x\"\n", "bogus: no such action"),
            ("[keys]\nup = \"???\"\n", "`???` is not a key name"),
            ("[keys]\nup = 3\n", "must be a key name"),
            ("[keys]\nup = []\n", "empty list"),
            ("[keys]\nquit = \"j\"\nmark = \"j\"\n", "is also bound to"),
            ("[keys]\ndown = \"?\"\n", "only key"),
            ("[keys]\ndown = \"Ctrl-c\"\n", "Ctrl-c always quits"),
        ];
        for (text, want) in bad {
            let e = user(text).unwrap_err();
            assert!(e.starts_with("/cfg/config.toml: [keys] "), "{e}");
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn the_example_config_lists_every_binding_with_its_defaults() {
        let text: String = include_str!("../../assets/config.example.toml")
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|kv| kv.contains(" = [") || kv.contains(" = \""))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let table: toml::Table = text.parse().unwrap();
        let keys = table["keys"].as_table().unwrap();
        let (map, notes) = Keymap::with_user_keys([(Path::new("example"), keys)]).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        let defaults = Keymap::default();
        for b in &defaults.bindings {
            assert!(
                keys.contains_key(b.name),
                "config.example.toml lacks keys.{}",
                b.name
            );
            let mine = &map.bindings.iter().find(|m| m.name == b.name).unwrap().keys;
            assert_eq!(
                mine, &b.keys,
                "config.example.toml: keys.{} are not the defaults",
                b.name
            );
        }
        assert_eq!(keys.len(), defaults.bindings.len());
    }

    #[test]
    fn the_hint_joins_keys_with_one_word() {
        let map = Keymap::default();
        assert_eq!(
            map.hint(&[M::Move, M::Main], |_, w| Some(w)),
            "j/k move · Space mark · u unblock · m mute · / search · ? help · q quit"
        );
        assert_eq!(
            map.hint(&[M::Queue], |a, w| (a != A::CancelQueue).then_some(w)),
            "p pause · Esc close"
        );
    }
}
