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

/// What the status line says when the whole list was read and cached: how many, and what
/// changed since the full sync before (from the diff that came with it).
pub(super) fn cached_all_text(state: &State, accounts: u64) -> String {
    if accounts == 0 {
        return "The block list is empty: nobody is blocked.".into();
    }
    let all = format!(
        "Cached all {} blocked account{}",
        crate::text::thousands(accounts),
        if accounts == 1 { "" } else { "s" }
    );
    match &state.snapshots.diff {
        Some(d) if d.previous_at.is_some() => format!(
            "{all}: {} new, {} gone since the last full sync ({} shows them).",
            crate::text::thousands(d.new.len() as u64),
            crate::text::thousands(d.gone.len() as u64),
            state.keymap.key_name(KeyMode::Main, KeyAction::Diff)
        ),
        _ => format!("{all}; the next full sync shows what changed."),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_support::state_at;
    use crate::app::{update, Action};

    fn cached(s: &mut State, accounts: u64) -> String {
        update(s, Action::CachedAll { accounts });
        s.message.clone().unwrap().text
    }

    #[test]
    fn the_cached_line_has_the_total_with_separators_and_the_diff_key() {
        let mut s = state_at(1_000);
        assert_eq!(
            cached(&mut s, 0),
            "The block list is empty: nobody is blocked."
        );
        assert_eq!(
            cached(&mut s, 1),
            "Cached all 1 blocked account; the next full sync shows what changed."
        );
        update(
            &mut s,
            Action::Diff(Box::new(DiffReport {
                previous_at: Some("2026-11-30T09:00:00Z".into()),
                latest_at: Some("2026-12-01T09:00:00Z".into()),
                new: vec![DiffRow::new("1", "a", "A"), DiffRow::new("2", "b", "B")],
                gone: Vec::new(),
            })),
        );
        assert_eq!(
            cached(&mut s, 12_345),
            "Cached all 12,345 blocked accounts: 2 new, 0 gone since the last full sync (D shows them)."
        );
    }
}
