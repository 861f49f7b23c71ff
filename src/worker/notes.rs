//! Notes, tags and the keep list between the TUI and the profile database: read once at start,
//! stored as the user changes them.

use tokio::sync::mpsc;

use crate::app::action::Annotated;
use crate::app::{Action, Command};
use crate::store::db::{DbError, Store};

/// Every stored note, tag and keep flag, by account.
pub(super) fn load(store: &Store) -> Result<Vec<Annotated>, DbError> {
    let mut notes = store.notes()?;
    let mut tags = store.all_tags()?;
    let kept = store.kept()?;
    let mut ids: Vec<String> = notes
        .keys()
        .chain(tags.keys())
        .chain(kept.iter())
        .cloned()
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids
        .into_iter()
        .map(|id| Annotated {
            note: notes.remove(&id).unwrap_or_default(),
            tags: tags
                .remove(&id)
                .map(|t| t.into_iter().collect())
                .unwrap_or_default(),
            kept: kept.contains(&id),
            id,
        })
        .collect())
}

/// Sends the stored annotations to the TUI (a failure is told once).
pub(super) fn send(store: &Store, tx: &mpsc::UnboundedSender<Action>) {
    match load(store) {
        Ok(items) if !items.is_empty() => {
            let _ = tx.send(Action::Annotations(items));
        }
        Ok(_) => {}
        Err(e) => failed(tx, &e),
    }
}

/// Stores a note, tags or keep change; false when `cmd` is none of these.
pub(super) fn save(store: &Store, cmd: &Command, tx: &mpsc::UnboundedSender<Action>) -> bool {
    let done = match cmd {
        Command::SaveNote { id, note } => store.set_note(id, note),
        Command::SaveTags { id, tags } => store.tags(id).and_then(|now| {
            let add: Vec<&str> = tags
                .iter()
                .map(String::as_str)
                .filter(|t| !now.contains(*t))
                .collect();
            let remove: Vec<&str> = now
                .iter()
                .map(String::as_str)
                .filter(|t| !tags.iter().any(|x| x == t))
                .collect();
            store.change_tags(id, &add, &remove)
        }),
        Command::SetKept { ids, kept } => store.set_kept(ids, *kept).map(drop),
        _ => return false,
    };
    if let Err(e) = done {
        failed(tx, &e);
    }
    true
}

fn failed(tx: &mpsc::UnboundedSender<Action>, e: &DbError) {
    tracing::warn!("{e}");
    let _ = tx.send(Action::Notice {
        text: format!("Notes, tags and the keep list were not saved in the local database: {e}"),
        error: true,
    });
}

/// True for the commands [`save`] handles.
pub(super) fn is_note(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::SaveNote { .. } | Command::SaveTags { .. } | Command::SetKept { .. }
    )
}
