//! A per-profile lock, so two xblocks processes never run the same queue at once.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::exit::{Exit, ExitError};

/// Held while a process owns the profile's queue; released on drop (or when the process dies).
#[derive(Debug)]
pub struct ProfileLock {
    _file: File,
}

impl ProfileLock {
    /// Takes the lock in `profile_dir`, or fails at once naming what to do.
    pub fn acquire(profile_dir: &Path) -> Result<Self, ExitError> {
        let path = profile_dir.join("lock");
        let fail = |what: String| ExitError::new(Exit::Other, what);
        let fix = format!(
            "make {} writable for you, or pass another --config-dir",
            profile_dir.display()
        );
        super::atomic::create_dir(profile_dir, true).map_err(|e| {
            fail(format!(
                "cannot create {}: {e}; {fix}",
                profile_dir.display()
            ))
        })?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(format!("cannot open {}: {e}; {fix}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(fail(
                "another xblocks is working on this profile's queue; wait for it to finish, or use --profile"
                    .into(),
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(fail(format!("cannot lock {}: {e}", path.display())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let first = ProfileLock::acquire(dir.path()).unwrap();
        let err = ProfileLock::acquire(dir.path()).unwrap_err();
        assert!(err.message.contains("another xblocks"), "{}", err.message);
        drop(first);
        ProfileLock::acquire(dir.path()).unwrap();
    }
}
