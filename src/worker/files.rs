//! Local reads the views ask for (the action log, the cache diff), run off the async threads so
//! they never wait behind a page load or a rate-limit wait.

use std::collections::HashMap;
use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::app::diff_view::{DiffReport, DiffRow};
use crate::app::{Action, Command};
use crate::store::action_log;
use crate::store::cache::{self, Cache, CacheError, Snapshot};

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
        _ => Action::History(Vec::new()),
    };
    let Some(dir) = dir else {
        return vec![
            empty,
            notice("The profile folder is not available in this session.".into()),
        ];
    };
    match cmd {
        Command::LoadHistory => {
            let path = dir.join("actions.jsonl");
            match action_log::read(&path) {
                Ok(mut entries) => {
                    name_from_cache(&Cache::new(&dir), &mut entries);
                    vec![Action::History(entries)]
                }
                Err(e) => vec![
                    empty,
                    notice(format!(
                        "Could not read the action log {}: {e}",
                        path.display()
                    )),
                ],
            }
        }
        Command::LoadDiff => match diff_report(&Cache::new(&dir)) {
            Ok(report) => vec![Action::Diff(Box::new(report))],
            Err(e) => vec![empty, notice(e.to_string())],
        },
        _ => Vec::new(),
    }
}

/// Fills the handle of entries logged by id only (TUI writes) from the cached syncs, so the
/// history names accounts that have since left the list.
fn name_from_cache(cache: &Cache, entries: &mut [action_log::Entry]) {
    if entries.iter().all(|e| e.username.is_some()) {
        return;
    }
    let mut names: HashMap<String, String> = HashMap::new();
    for snap in [cache.previous(), cache.latest()]
        .into_iter()
        .flatten()
        .flatten()
    {
        names.extend(
            snap.accounts
                .into_iter()
                .map(|a| (a.user.id, a.user.username)),
        );
    }
    for e in entries.iter_mut().filter(|e| e.username.is_none()) {
        e.username = names.get(&e.target).cloned();
    }
}

/// New and gone accounts between the last two syncs, with their handles and names.
pub(super) fn diff_report(cache: &Cache) -> Result<DiffReport, CacheError> {
    let (prev, last) = (cache.previous()?, cache.latest()?);
    let mut report = DiffReport {
        previous_at: prev.as_ref().map(|s| s.synced_at.clone()),
        latest_at: last.as_ref().map(|s| s.synced_at.clone()),
        ..DiffReport::default()
    };
    if let (Some(prev), Some(last)) = (&prev, &last) {
        let d = cache::diff(prev, last);
        report.new = rows(last, &d.new);
        report.gone = rows(prev, &d.gone);
    }
    Ok(report)
}

fn rows(snapshot: &Snapshot, ids: &[String]) -> Vec<DiffRow> {
    let by_id: HashMap<&str, &crate::api::types::User> = snapshot
        .accounts
        .iter()
        .map(|a| (a.user.id.as_str(), &a.user))
        .collect();
    ids.iter()
        .filter_map(|id| by_id.get(id.as_str()))
        .map(|u| DiffRow {
            id: u.id.clone(),
            handle: u.username.clone(),
            name: u.name.clone(),
        })
        .collect()
}

fn notice(text: String) -> Action {
    Action::Notice { text, error: true }
}
