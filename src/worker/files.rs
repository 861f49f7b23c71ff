//! Local reads the views ask for (the action log, the diff since the last full sync), run off the async threads so
//! they never wait behind a page load or a rate-limit wait.

use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::app::diff_view::{DiffReport, DiffRow};
use crate::app::history::HistoryLog;
use crate::app::{Action, Command};
use crate::store::db::{self, DbError, LogEntry, Store};

/// Answers `cmd` from the profile folder `dir` on a blocking thread.
pub(super) fn load(cmd: Command, dir: Option<PathBuf>, actions: mpsc::UnboundedSender<Action>) {
    tokio::task::spawn_blocking(move || {
        for action in answer(cmd, dir) {
            let _ = actions.send(action);
        }
    });
}

fn answer(cmd: Command, dir: Option<PathBuf>) -> Vec<Action> {
    let empty = match cmd {
        Command::LoadDiff => Action::Diff(Box::default()),
        _ => Action::History(HistoryLog::default()),
    };
    let Some(dir) = dir else {
        return vec![
            empty,
            notice("The profile folder is not available in this session.".into()),
        ];
    };
    match cmd {
        Command::LoadHistory => {
            let read = Store::open_existing(&dir).and_then(|s| match s {
                Some(s) => s.log_entries().map(|e| (Some(s), e)),
                None => Ok((None, Vec::new())),
            });
            match read {
                Ok((store, mut entries)) => {
                    if let Some(store) = store {
                        name_from_store(&store, &mut entries);
                    }
                    vec![Action::History(HistoryLog::from_log(&entries))]
                }
                Err(e) => vec![empty, notice(format!("Could not read the action log: {e}"))],
            }
        }
        Command::LoadDiff => match Store::open_existing(&dir) {
            Ok(None) => vec![Action::Diff(Box::default())],
            Ok(Some(store)) => match diff_report(&store) {
                Ok(report) => vec![Action::Diff(Box::new(report))],
                Err(e) => vec![empty, notice(e.to_string())],
            },
            Err(e) => vec![empty, notice(e.to_string())],
        },
        _ => Vec::new(),
    }
}

/// Fills the handle of entries logged by id only (TUI writes) from the database, so the
/// history names accounts that have since left the list.
fn name_from_store(store: &Store, entries: &mut [LogEntry]) {
    let missing: Vec<String> = entries
        .iter()
        .filter(|e| e.username.is_none())
        .map(|e| e.target.clone())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(known) = store.accounts_by_id(&missing) else {
        return;
    };
    for e in entries.iter_mut().filter(|e| e.username.is_none()) {
        e.username = known.get(&e.target).map(|a| a.user.username.clone());
    }
}

/// New and gone accounts since the full sync before the last one, with handles and names.
pub(super) fn diff_report(store: &Store) -> Result<DiffReport, DbError> {
    let d = store.diff_since_previous_full()?;
    let rows = |users: Vec<crate::api::types::User>| {
        users
            .into_iter()
            .map(|u| DiffRow::new(&u.id, &u.username, &u.name))
            .collect()
    };
    Ok(DiffReport {
        previous_at: d.previous_at.map(db::rfc3339),
        latest_at: d.latest_at.map(db::rfc3339),
        new: rows(d.new),
        gone: rows(d.gone),
    })
}

fn notice(text: String) -> Action {
    Action::Notice { text, error: true }
}
