//! One queue runner per profile: the runner holds an advisory lock on the profile folder (no
//! extra file) and names itself in the database, so a second one is refused at once with the
//! holder's pid and command. Readers never take it.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::db::{DbError, MetaKey, Store};

/// Why the queue cannot be run by this process.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process runs this profile's queue.
    #[error("another xblocks is running on this profile ({}); wait for it to finish, or stop it", holder(.pid, .command))]
    Held {
        /// Its process id, when it recorded one.
        pid: Option<u32>,
        /// Its command, when it recorded one.
        command: Option<String>,
    },
    /// The folder could not be opened or locked.
    #[error("cannot lock {}: {source}; make the folder readable for you", path.display())]
    Io {
        /// The profile folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The holder could not be recorded.
    #[error(transparent)]
    Store(#[from] DbError),
}

fn holder(pid: &Option<u32>, command: &Option<String>) -> String {
    match (pid, command) {
        (Some(p), Some(c)) => format!("pid {p}, `{c}`"),
        (Some(p), None) => format!("pid {p}"),
        _ => "its pid is unknown".to_string(),
    }
}

/// Held while this process runs the profile's queue; released on drop or when it dies.
#[derive(Debug)]
pub struct RunnerLock {
    _dir: File,
    store: Store,
}

impl RunnerLock {
    /// Takes the lock of `profile_dir` for `command` (e.g. `xblocks import`), or fails at once
    /// naming the holder.
    pub fn acquire(store: &Store, profile_dir: &Path, command: &str) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            path: profile_dir.to_path_buf(),
            source,
        };
        let dir = File::open(profile_dir).map_err(io)?;
        match dir.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    pid: store
                        .meta(MetaKey::RunnerPid)
                        .ok()
                        .flatten()
                        .and_then(|p| p.parse().ok()),
                    command: store.meta(MetaKey::RunnerCommand).ok().flatten(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        if !store.is_read_only() {
            store.set_metas(&[
                (MetaKey::RunnerPid, Some(&std::process::id().to_string())),
                (MetaKey::RunnerCommand, Some(command)),
            ])?;
        }
        Ok(Self {
            _dir: dir,
            store: store.clone(),
        })
    }
}

impl Drop for RunnerLock {
    fn drop(&mut self) {
        if !self.store.is_read_only() {
            let _ = self
                .store
                .set_metas(&[(MetaKey::RunnerPid, None), (MetaKey::RunnerCommand, None)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_runner_is_refused_with_the_holder_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = RunnerLock::acquire(&store, dir.path(), "xblocks import").unwrap();
        let other = Store::open(dir.path()).unwrap();
        let err = RunnerLock::acquire(&other, dir.path(), "xblocks undo").unwrap_err();
        let line = err.to_string();
        assert!(
            line.contains(&format!("pid {}", std::process::id()))
                && line.contains("`xblocks import`"),
            "{line}"
        );
        assert!(!line.contains("--profile"), "{line}");
        drop(first);
        RunnerLock::acquire(&other, dir.path(), "xblocks undo").unwrap();
    }
}
