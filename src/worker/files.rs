//! Local reads the views ask for (the action log, later the cache), run off the async threads so
//! they never wait behind a page load or a rate-limit wait.

use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::app::{Action, Command};
use crate::store::action_log;

/// Answers `cmd` from the profile folder `dir` on a blocking thread.
pub(super) fn load(cmd: Command, dir: Option<PathBuf>, actions: mpsc::UnboundedSender<Action>) {
    tokio::task::spawn_blocking(move || {
        for action in answer(cmd, dir) {
            let _ = actions.send(action);
        }
    });
}

fn answer(cmd: Command, dir: Option<PathBuf>) -> Vec<Action> {
    let Some(dir) = dir else {
        return vec![
            Action::History(Vec::new()),
            notice("The profile folder is not available in this session.".into()),
        ];
    };
    match cmd {
        Command::LoadHistory => {
            let path = dir.join("actions.jsonl");
            match action_log::read(&path) {
                Ok(entries) => vec![Action::History(entries)],
                Err(e) => vec![
                    Action::History(Vec::new()),
                    notice(format!(
                        "Could not read the action log {}: {e}",
                        path.display()
                    )),
                ],
            }
        }
        _ => Vec::new(),
    }
}

fn notice(text: String) -> Action {
    Action::Notice { text, error: true }
}
