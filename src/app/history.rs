//! The history view: the action log, newest first, filtered by typing (handle, action, result,
//! batch), and `U` to undo the last batch (asks first; the worker queues the inverse actions).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Command, Effect};
use super::keymap::{KeyAction, KeyMode};
use super::state::{Confirm, Mode, State};
use super::update::{error, info};
use crate::api::Write;
use crate::jobs::undo;
use crate::store::db::LogEntry;
use crate::text::SafeText;

/// Most log entries the view keeps (the newest).
pub const HISTORY_MAX: usize = 5000;

/// One entry of the action log as the history view shows it, its text made safe when the
/// worker built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// When the answer came (RFC 3339 UTC).
    pub at: SafeText,
    /// The batch the write belonged to.
    pub batch: SafeText,
    /// Numeric id of the target.
    pub target: SafeText,
    /// Its handle when known.
    pub username: Option<SafeText>,
    /// What was done.
    pub action: Write,
    /// Outcome: `done`, `already-in-state`, `not-found`, `cancelled`, or `failed: …`.
    pub result: SafeText,
}

impl From<&LogEntry> for LogRow {
    fn from(e: &LogEntry) -> Self {
        Self {
            at: SafeText::new(&e.at),
            batch: SafeText::new(&e.batch),
            target: SafeText::new(&e.target),
            username: e.username.as_deref().map(SafeText::new),
            action: e.action,
            result: SafeText::new(&e.result),
        }
    }
}

/// What the status line says when an undo was queued.
pub(super) fn undo_queued_text(
    state: &State,
    verb: &str,
    accounts: u64,
    batch: &str,
    kept: u64,
) -> String {
    let kept = match kept {
        0 => String::new(),
        1 => ", 1 kept account left blocked".into(),
        n => format!(", {} kept accounts left blocked", crate::text::thousands(n)),
    };
    format!(
        "Undo queued: {verb} {} account{} (batch {}{kept}); {} shows progress.",
        crate::text::thousands(accounts),
        if accounts == 1 { "" } else { "s" },
        crate::text::sanitize(batch),
        state.keymap.key_name(KeyMode::Main, KeyAction::Queue)
    )
}

/// What `U` would undo: the last batch that changed something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOffer {
    /// The batch undone.
    pub batch: SafeText,
    /// The inverse verb ("unblock").
    pub verb: &'static str,
    /// Accounts it touches.
    pub count: usize,
}

/// The action log as the worker hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryLog {
    /// The entries, oldest first as read (the view keeps them newest first).
    pub rows: Vec<LogRow>,
    /// What `U` would undo (the keep list is applied when the undo is queued).
    pub undo: Option<UndoOffer>,
}

impl HistoryLog {
    /// The rows and the undo offer of the log `entries` (oldest first).
    pub fn from_log(entries: &[LogEntry]) -> Self {
        let undo =
            undo::plan_from(&undo::last_changing_batch(entries), &Default::default()).map(|plan| {
                UndoOffer {
                    batch: SafeText::new(&plan.batch),
                    verb: plan.verb(),
                    count: plan.jobs.len(),
                }
            });
        Self {
            rows: entries.iter().map(LogRow::from).collect(),
            undo,
        }
    }
}

/// The history view's own state (it lives in [`Mode::History`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryPane {
    /// The filter text.
    pub filter: String,
    /// Keys go into the filter.
    pub typing: bool,
    /// First row shown.
    pub scroll: usize,
}

/// Opens the history view and asks for the log.
pub(super) fn open(state: &mut State, out: &mut Vec<Effect>) {
    state.mode = Mode::History(HistoryPane::default());
    out.push(Command::LoadHistory.into());
}

/// The log arrived (oldest first): kept newest first, at most [`HISTORY_MAX`] entries.
pub(super) fn on_loaded(state: &mut State, mut log: HistoryLog) {
    let skip = log.rows.len().saturating_sub(HISTORY_MAX);
    log.rows.drain(..skip);
    log.rows.reverse();
    for e in log.rows.iter_mut().filter(|e| e.username.is_none()) {
        e.username = state
            .index_of(e.target.as_str())
            .map(|i| state.account(i).handle);
    }
    state.snapshots.history = Some(log);
}

/// True when `e` matches the filter (case-insensitive, over handle, id, action, result, batch).
pub fn matches(e: &LogRow, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    let handle = e.username.as_ref().map_or("", SafeText::as_str);
    [
        handle,
        e.target.as_str(),
        e.action.verb(),
        e.result.as_str(),
        e.batch.as_str(),
    ]
    .iter()
    .any(|s| s.to_lowercase().contains(&f))
        || format!("@{handle}").to_lowercase().contains(&f)
}

/// The rows shown: entries matching the filter, newest first.
pub fn visible<'a>(state: &'a State, pane: &HistoryPane) -> Vec<&'a LogRow> {
    state
        .snapshots
        .history
        .as_ref()
        .map_or(&[][..], |h| &h.rows)
        .iter()
        .filter(|e| matches(e, &pane.filter))
        .collect()
}

/// Keys of the history view.
pub(super) fn on_key(state: &mut State, key: KeyEvent, mut pane: HistoryPane) {
    if pane.typing {
        match key.code {
            KeyCode::Esc => {
                pane.filter.clear();
                pane.typing = false;
            }
            KeyCode::Enter => pane.typing = false,
            KeyCode::Backspace => {
                pane.filter.pop();
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() =>
            {
                pane.filter.push(c);
            }
            _ => {}
        }
        pane.scroll = 0;
        state.mode = Mode::History(pane);
        return;
    }
    let max = visible(state, &pane).len().saturating_sub(1);
    let page = state.list_rows();
    match state.keymap.lookup(KeyMode::History, &key) {
        Some(KeyAction::Close) if key.code == KeyCode::Esc && !pane.filter.is_empty() => {
            pane.filter.clear()
        }
        Some(KeyAction::Close) => return,
        Some(KeyAction::Filter) => {
            pane.typing = true;
            state.message = None;
        }
        Some(KeyAction::Undo) => match state
            .snapshots
            .history
            .as_ref()
            .and_then(|h| h.undo.clone())
        {
            Some(offer) => {
                state.mode = Mode::Confirm(Confirm::Undo {
                    verb: offer.verb,
                    count: offer.count,
                    batch: offer.batch,
                    pane,
                });
                return;
            }
            None if state.snapshots.history.is_none() => {
                state.message = Some(info("The action log is still loading."));
            }
            None => state.message = Some(error("Nothing to undo: no write changed anything yet.")),
        },
        action => super::snapshots::scroll(&mut pane.scroll, action, max, page),
    }
    state.mode = Mode::History(pane);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_support::{code, key, state_at, type_text};
    use crate::app::{update, Action};

    fn entry(batch: &str, target: &str, action: Write, result: &str) -> LogEntry {
        LogEntry {
            at: "2026-11-25T10:00:00Z".into(),
            batch: batch.into(),
            target: target.into(),
            username: Some(format!("user\u{202E}{target}")),
            action,
            result: result.into(),
            request_id: None,
        }
    }

    fn state() -> State {
        state_at(0)
    }

    fn log() -> HistoryLog {
        HistoryLog::from_log(&[
            entry("tui-a", "1", Write::Block, "done"),
            entry("tui-b", "2", Write::Unblock, "done"),
            entry("tui-b", "3", Write::Unblock, "not-found"),
            entry("tui-b", "4", Write::Unblock, "done"),
        ])
    }

    #[test]
    fn h_opens_and_loads_newest_first_sanitized() {
        let mut s = state();
        assert_eq!(update(&mut s, key('H')), vec![Command::LoadHistory]);
        update(&mut s, Action::History(log()));
        let rows = s.snapshots.history.as_ref().unwrap();
        assert_eq!(rows.rows[0].target.as_str(), "4");
        assert_eq!(rows.rows[0].username.as_ref().unwrap().as_str(), "user4");
        let Mode::History(pane) = s.mode.clone() else {
            panic!("history open")
        };
        assert_eq!(visible(&s, &pane).len(), 4);
        update(&mut s, key('j'));
        assert!(matches!(&s.mode, Mode::History(p) if p.scroll == 1));
        update(&mut s, code(KeyCode::Esc));
        assert_eq!(s.mode, Mode::Normal);
    }

    #[test]
    fn typing_filters_by_result_handle_action_and_batch() {
        let mut s = state();
        update(&mut s, key('H'));
        update(&mut s, Action::History(log()));
        update(&mut s, key('/'));
        type_text(&mut s, "not-f");
        let Mode::History(pane) = s.mode.clone() else {
            panic!()
        };
        assert!(pane.typing);
        assert_eq!(
            visible(&s, &pane)
                .iter()
                .map(|e| e.target.as_str())
                .collect::<Vec<_>>(),
            ["3"]
        );
        update(&mut s, code(KeyCode::Enter));
        let p = |f: &str| HistoryPane {
            filter: f.into(),
            ..Default::default()
        };
        assert_eq!(visible(&s, &p("@user1")).len(), 1);
        assert_eq!(visible(&s, &p("BLOCK")).len(), 4, "unblock contains block");
        assert_eq!(visible(&s, &p("tui-b")).len(), 3);
        // Esc clears the filter first, then closes.
        update(&mut s, code(KeyCode::Esc));
        assert!(matches!(&s.mode, Mode::History(p) if p.filter.is_empty()));
    }

    #[test]
    fn capital_u_asks_then_y_queues_the_undo_of_the_last_batch() {
        let mut s = state();
        update(&mut s, key('H'));
        assert!(update(&mut s, key('U')).is_empty(), "log not loaded yet");
        update(&mut s, Action::History(log()));
        assert!(update(&mut s, key('U')).is_empty());
        assert!(
            matches!(&s.mode, Mode::Confirm(Confirm::Undo { batch, verb: "block", count: 2, .. }) if batch.as_str() == "tui-b"),
            "{:?}",
            s.mode
        );
        assert!(update(&mut s, key('n')).is_empty());
        assert!(matches!(s.mode, Mode::History(_)));
        update(&mut s, key('U'));
        assert_eq!(update(&mut s, key('y')), vec![Command::UndoLastBatch]);
        assert!(matches!(s.mode, Mode::History(_)));
        update(
            &mut s,
            Action::UndoQueued {
                verb: "unblock",
                accounts: 1_200,
                batch: "undo-tui-b".into(),
                kept: 1,
            },
        );
        assert_eq!(
            s.message.as_ref().unwrap().text,
            "Undo queued: unblock 1,200 accounts (batch undo-tui-b, 1 kept account left blocked); Q shows progress."
        );
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let mut s = state();
        let many: Vec<LogEntry> = (0..HISTORY_MAX + 10)
            .map(|i| entry("b", &i.to_string(), Write::Mute, "done"))
            .collect();
        update(&mut s, Action::History(HistoryLog::from_log(&many)));
        let rows = &s.snapshots.history.as_ref().unwrap().rows;
        assert_eq!(rows.len(), HISTORY_MAX);
        assert_eq!(rows[0].target.as_str(), (HISTORY_MAX + 9).to_string());
    }
}
