//! Small overlays of the list: the message log (`L`) and the column picker (`c`).

use crossterm::event::KeyEvent;

use super::keymap::{KeyAction, KeyMode};
use super::state::{Message, Mode, State};

/// Messages the log keeps.
pub const LOG_LEN: usize = 200;

/// An optional column of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// Followers.
    Followers,
    /// Following.
    Following,
    /// Posts.
    Posts,
    /// Account age.
    Age,
    /// First seen in the block list.
    FirstSeen,
    /// Verified flag.
    Verified,
    /// Tags.
    Tags,
}

impl Column {
    /// Every column, in the order the picker and the list show them.
    pub const ALL: [Column; 7] = [
        Column::Followers,
        Column::Following,
        Column::Posts,
        Column::Age,
        Column::FirstSeen,
        Column::Verified,
        Column::Tags,
    ];

    /// Header text.
    pub fn label(self) -> &'static str {
        match self {
            Column::Followers => "followers",
            Column::Following => "following",
            Column::Posts => "posts",
            Column::Age => "age",
            Column::FirstSeen => "first seen",
            Column::Verified => "verified",
            Column::Tags => "tags",
        }
    }

    /// Width in cells.
    pub fn width(self) -> usize {
        match self {
            Column::Followers | Column::Following => 10,
            Column::Posts => 8,
            Column::Age => 5,
            Column::FirstSeen => 11,
            Column::Verified => 9,
            Column::Tags => 14,
        }
    }
}

/// Appends a message to the log (the oldest goes beyond [`LOG_LEN`]).
pub(super) fn record(state: &mut State, m: &Message) {
    if state.log.back() == Some(m) {
        return;
    }
    if state.log.len() == LOG_LEN {
        state.log.pop_front();
    }
    state.log.push_back(m.clone());
}

/// Keys in the log: scroll; any other key closes it.
pub(super) fn on_log_key(state: &mut State, key: KeyEvent, scroll: usize) {
    let max = state.log.len().saturating_sub(1);
    let mut s = scroll;
    match state.keymap.lookup(KeyMode::Move, &key) {
        a @ Some(
            KeyAction::Down
            | KeyAction::Up
            | KeyAction::PageDown
            | KeyAction::PageUp
            | KeyAction::Top
            | KeyAction::Bottom,
        ) => super::snapshots::scroll(&mut s, a, max, state.list_rows()),
        _ => return,
    }
    state.mode = Mode::Log { scroll: s };
}

/// Keys in the column picker: move, Space toggles, Esc/Enter closes.
pub(super) fn on_columns_key(state: &mut State, key: KeyEvent, cursor: usize) {
    let last = Column::ALL.len() - 1;
    let reopen = state.keymap.lookup(KeyMode::Main, &key) == Some(KeyAction::Columns);
    let cursor = match state.keymap.lookup(KeyMode::Columns, &key) {
        Some(KeyAction::Close) => return,
        _ if reopen => return,
        Some(KeyAction::Toggle) => {
            let c = Column::ALL[cursor];
            if let Some(pos) = state.columns.iter().position(|&x| x == c) {
                state.columns.remove(pos);
            } else {
                state.columns.push(c);
                state
                    .columns
                    .sort_by_key(|c| Column::ALL.iter().position(|x| x == c));
            }
            cursor
        }
        Some(KeyAction::Down) => (cursor + 1).min(last),
        Some(KeyAction::Up) => cursor.saturating_sub(1),
        _ => cursor,
    };
    state.mode = Mode::Columns { cursor };
}
