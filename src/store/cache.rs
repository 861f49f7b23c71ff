//! The local cache of the block list: the last two full syncs, each account's `first_seen`
//! (the API gives no block date), and the diff between syncs. Lets the TUI start instantly and
//! `export --cached` work offline.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::types::User;

/// Version of the snapshot format this build reads and writes.
pub const FORMAT: u32 = 1;

/// One blocked account as cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedUser {
    /// The user object as the API returned it.
    #[serde(flatten)]
    pub user: User,
    /// When this profile first saw the account in its block list (RFC 3339 UTC).
    pub first_seen: String,
}

/// One full sync of the block list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`FORMAT`]).
    pub format: u32,
    /// When the sync finished (RFC 3339 UTC).
    pub synced_at: String,
    /// The list, newest block first.
    pub accounts: Vec<CachedUser>,
}

/// Accounts that appeared or disappeared between two syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Ids blocked since the previous sync, in list order.
    pub new: Vec<String>,
    /// Ids no longer blocked, in the previous list's order.
    pub gone: Vec<String>,
}

/// Errors reading or writing the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file could not be read or written.
    #[error("cache {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a snapshot this build can read.
    #[error(
        "cache {path} is {what}; run `xblocks export` online (or delete the file) to rebuild it"
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
}

/// The cache folder of one profile.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache kept in `dir` (the profile's folder).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.join("cache"),
        }
    }

    fn latest_path(&self) -> PathBuf {
        self.dir.join("blocking.json")
    }

    fn previous_path(&self) -> PathBuf {
        self.dir.join("blocking.previous.json")
    }

    /// The last full sync, if any.
    pub fn latest(&self) -> Result<Option<Snapshot>, CacheError> {
        read(&self.latest_path())
    }

    /// The sync before the last one, if any.
    pub fn previous(&self) -> Result<Option<Snapshot>, CacheError> {
        read(&self.previous_path())
    }

    /// Stores a completed sync of `users` taken at `now`, carrying `first_seen` over from the
    /// last snapshot; the last snapshot becomes the previous one. Returns the stored snapshot.
    pub fn store_sync(&self, users: Vec<User>, now: &str) -> Result<Snapshot, CacheError> {
        let last = self.latest()?;
        let snapshot = merge(last.as_ref(), users, now);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CacheError::Io { path, source }
        };
        let bytes = serde_json::to_vec(&snapshot).expect("snapshots serialise");
        if last.is_some() {
            std::fs::rename(self.latest_path(), self.previous_path())
                .map_err(io(&self.previous_path()))?;
        }
        super::atomic::write_atomic(&self.latest_path(), &bytes, true)
            .map_err(io(&self.latest_path()))?;
        Ok(snapshot)
    }

    /// New and gone accounts between the previous and the last sync.
    pub fn diff(&self) -> Result<Diff, CacheError> {
        let (Some(prev), Some(last)) = (self.previous()?, self.latest()?) else {
            return Ok(Diff::default());
        };
        Ok(diff(&prev, &last))
    }
}

/// Builds a snapshot of `users`, keeping `first_seen` of accounts already in `last`.
pub fn merge(last: Option<&Snapshot>, users: Vec<User>, now: &str) -> Snapshot {
    let seen: HashMap<&str, &str> = last
        .map(|s| {
            s.accounts
                .iter()
                .map(|a| (a.user.id.as_str(), a.first_seen.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let accounts = users
        .into_iter()
        .map(|user| {
            let first_seen = seen.get(user.id.as_str()).unwrap_or(&now).to_string();
            CachedUser { user, first_seen }
        })
        .collect();
    Snapshot {
        format: FORMAT,
        synced_at: now.to_string(),
        accounts,
    }
}

/// Accounts in `new` but not `old`, and in `old` but not `new`.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Diff {
    let ids = |s: &Snapshot| -> HashSet<String> {
        s.accounts.iter().map(|a| a.user.id.clone()).collect()
    };
    let (old_ids, new_ids) = (ids(old), ids(new));
    let pick = |s: &Snapshot, other: &HashSet<String>| {
        s.accounts
            .iter()
            .filter(|a| !other.contains(&a.user.id))
            .map(|a| a.user.id.clone())
            .collect()
    };
    Diff {
        new: pick(new, &old_ids),
        gone: pick(old, &new_ids),
    }
}

fn read(path: &Path) -> Result<Option<Snapshot>, CacheError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CacheError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let unreadable = |what: String| CacheError::Unreadable {
        path: path.to_path_buf(),
        what,
    };
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version =
        serde_json::from_slice(&bytes).map_err(|e| unreadable(format!("corrupt ({e})")))?;
    if version.format != FORMAT {
        return Err(unreadable(format!(
            "in format {} and this xblocks reads format {FORMAT}",
            version.format
        )));
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| unreadable(format!("corrupt ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(ids: &[&str]) -> Vec<User> {
        ids.iter()
            .map(|id| User {
                id: id.to_string(),
                name: format!("n{id}"),
                username: format!("u{id}"),
                ..User::default()
            })
            .collect()
    }

    #[test]
    fn first_seen_carries_over_and_diff_names_new_and_gone() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        assert!(cache.latest().unwrap().is_none());
        cache
            .store_sync(users(&["3", "2", "1"]), "2026-01-01T00:00:00Z")
            .unwrap();
        let s = cache
            .store_sync(users(&["4", "3", "1"]), "2026-02-01T00:00:00Z")
            .unwrap();
        let first: Vec<&str> = s.accounts.iter().map(|a| a.first_seen.as_str()).collect();
        assert_eq!(
            first,
            [
                "2026-02-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z"
            ]
        );
        let d = cache.diff().unwrap();
        assert_eq!(d.new, ["4"]);
        assert_eq!(d.gone, ["2"]);
        assert_eq!(cache.latest().unwrap().unwrap(), s);
    }

    #[test]
    fn other_format_versions_and_corrupt_files_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        std::fs::create_dir_all(dir.path().join("cache")).unwrap();
        let path = dir.path().join("cache/blocking.json");
        std::fs::write(&path, br#"{"format":99,"synced_at":"x","accounts":[]}"#).unwrap();
        let err = cache.latest().unwrap_err().to_string();
        assert!(err.contains("format 99"), "{err}");
        std::fs::write(&path, b"{\"format\":1,").unwrap();
        let err = cache.latest().unwrap_err().to_string();
        assert!(err.contains("corrupt"), "{err}");
    }

    #[test]
    fn unknown_user_fields_round_trip() {
        let user: User =
            serde_json::from_str(r#"{"id":"1","name":"a","username":"b","parody":true}"#).unwrap();
        let s = merge(None, vec![user.clone()], "t");
        let back: Snapshot = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(back.accounts[0].user, user);
    }
}
