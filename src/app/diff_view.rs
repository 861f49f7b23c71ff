//! The diff view (`D`): what is new or gone between the last two full syncs.

use crossterm::event::KeyEvent;

use super::action::Command;
use super::keymap::{KeyAction, KeyMode};
use super::state::{Mode, State};
use crate::text::SafeText;

/// One account in the diff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// Numeric id.
    pub id: String,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub name: String,
}

/// What changed between the last two full syncs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffReport {
    /// When the sync before the last finished (RFC 3339), if there was one.
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
pub(super) fn open(state: &mut State, out: &mut Vec<Command>) {
    state.mode = Mode::Diff(DiffPane::default());
    out.push(Command::LoadDiff);
}

/// The diff arrived.
pub(super) fn on_diff(state: &mut State, report: DiffReport) {
    let clean = |rows: Vec<DiffRow>| -> Vec<DiffRow> {
        rows.into_iter()
            .map(|r| DiffRow {
                id: SafeText::new(&r.id).to_string(),
                handle: SafeText::new(&r.handle).to_string(),
                name: SafeText::new(&r.name).to_string(),
            })
            .collect()
    };
    state.snapshots.diff = Some(DiffReport {
        previous_at: report.previous_at.map(|t| SafeText::new(&t).to_string()),
        latest_at: report.latest_at.map(|t| SafeText::new(&t).to_string()),
        new: clean(report.new),
        gone: clean(report.gone),
    });
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
