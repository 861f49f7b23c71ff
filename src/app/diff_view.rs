//! The diff view (`D`): what is new or gone between the last two full syncs.

use crossterm::event::KeyEvent;

use super::action::{Command, Effect};
use super::keymap::{KeyAction, KeyMode};
use super::state::{Mode, State};
use crate::text::SafeText;

/// One account in the diff view, its text made safe when the worker built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// Numeric id.
    pub id: SafeText,
    /// Handle.
    pub handle: SafeText,
    /// Display name.
    pub name: SafeText,
}

impl DiffRow {
    /// The row of an account as X or the database gave it.
    pub fn new(id: &str, handle: &str, name: &str) -> Self {
        Self {
            id: SafeText::new(id),
            handle: SafeText::new(handle),
            name: SafeText::new(name),
        }
    }
}

/// What changed between the last two full syncs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffReport {
    /// When the sync before the last finished (RFC 3339, written by us), if there was one.
    pub previous_at: Option<String>,
    /// When the last sync finished, if there was one.
    pub latest_at: Option<String>,
    /// Blocked since the previous sync.
    pub new: Vec<DiffRow>,
    /// No longer blocked.
    pub gone: Vec<DiffRow>,
}

/// The diff view's own state (it lives in [`Mode::Diff`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffPane {
    /// First row shown.
    pub scroll: usize,
}

/// Opens the diff view and asks for the diff.
pub(super) fn open(state: &mut State, out: &mut Vec<Effect>) {
    state.mode = Mode::Diff(DiffPane::default());
    out.push(Command::LoadDiff.into());
}

/// The diff arrived.
pub(super) fn on_diff(state: &mut State, report: DiffReport) {
    state.snapshots.diff = Some(report);
}

/// Rows the diff view lists (both sections with their headings).
pub fn row_count(state: &State) -> usize {
    state
        .snapshots
        .diff
        .as_ref()
        .map_or(0, |d| d.new.len() + d.gone.len() + 2)
}

/// Keys of the diff view.
pub(super) fn on_key(state: &mut State, key: KeyEvent, mut pane: DiffPane) {
    let max = row_count(state).saturating_sub(1);
    let page = state.list_rows();
    match state.keymap.lookup(KeyMode::Diff, &key) {
        Some(KeyAction::Close) => return,
        action => super::snapshots::scroll(&mut pane.scroll, action, max, page),
    }
    state.mode = Mode::Diff(pane);
}
