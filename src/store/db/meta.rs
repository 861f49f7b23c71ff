//! Facts about the profile: the signed-in account, the learned capability (and when), the API
//! and auth base it was signed in against.

use rusqlite::{params, OptionalExtension};

use super::{now_unix, DbError, Store};
use crate::api::types::User;

/// The keys of the `meta` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKey {
    /// Numeric id of the signed-in account.
    AccountId,
    /// Its handle.
    AccountHandle,
    /// The learned capability (`full`, `read-only`, `unknown`).
    Capability,
    /// Why the capability is what it is (e.g. the API's words for read-only).
    CapabilityReason,
    /// The API base URL the profile signed in against.
    ApiBase,
    /// The auth base URL the profile signed in against.
    AuthBase,
    /// Process id of the process running the queue now.
    RunnerPid,
    /// Its command (`xblocks import`, `xblocks` for the TUI, …).
    RunnerCommand,
    /// The UTC day (`YYYY-MM-DD`) the signed-in account was last read at X and its cost counted.
    MeReadDay,
}

impl MetaKey {
    /// The stored key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountId => "account_id",
            Self::AccountHandle => "account_handle",
            Self::Capability => "capability",
            Self::CapabilityReason => "capability_reason",
            Self::ApiBase => "api_base",
            Self::AuthBase => "auth_base",
            Self::RunnerPid => "runner_pid",
            Self::RunnerCommand => "runner_command",
            Self::MeReadDay => "me_read_day",
        }
    }
}

/// The value under `key` and when it was set, read inside a transaction or not.
pub(super) fn get(
    c: &rusqlite::Connection,
    key: MetaKey,
) -> rusqlite::Result<Option<(String, i64)>> {
    c.query_row(
        "SELECT value, updated FROM meta WHERE key = ?1",
        [key.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Stores `value` under `key`, stamped `now`, inside the caller's transaction.
pub(super) fn put(
    c: &rusqlite::Connection,
    key: MetaKey,
    value: &str,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO meta (key, value, updated) VALUES (?1, ?2, ?3) \
         ON CONFLICT (key) DO UPDATE SET value = ?2, updated = ?3",
        params![key.as_str(), value, now],
    )
    .map(|_| ())
}

/// A capability as stored, with when it was learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// `full`, `read-only` or `unknown`.
    pub value: String,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// When it was learned (Unix seconds).
    pub learned_at: i64,
}

impl Store {
    /// The value stored under `key`.
    pub fn meta(&self, key: MetaKey) -> Result<Option<String>, DbError> {
        self.meta_with_time(key).map(|v| v.map(|(v, _)| v))
    }

    /// The value stored under `key` and when it was set (Unix seconds).
    pub fn meta_with_time(&self, key: MetaKey) -> Result<Option<(String, i64)>, DbError> {
        self.read(|c| get(c, key))
    }

    /// Stores `value` under `key` (stamped now).
    pub fn set_meta(&self, key: MetaKey, value: &str) -> Result<(), DbError> {
        self.set_metas(&[(key, Some(value))])
    }

    /// Stores (or, with `None`, removes) several values in one transaction.
    pub fn set_metas(&self, values: &[(MetaKey, Option<&str>)]) -> Result<(), DbError> {
        let now = now_unix();
        self.write(|tx| {
            for (key, value) in values {
                match value {
                    Some(v) => put(tx, *key, v, now)?,
                    None => {
                        tx.execute("DELETE FROM meta WHERE key = ?1", [key.as_str()])?;
                    }
                };
            }
            Ok(())
        })
    }

    /// The learned capability, if any.
    pub fn capability(&self) -> Result<Option<Capability>, DbError> {
        let Some((value, learned_at)) = self.meta_with_time(MetaKey::Capability)? else {
            return Ok(None);
        };
        Ok(Some(Capability {
            value,
            reason: self.meta(MetaKey::CapabilityReason)?,
            learned_at,
        }))
    }

    /// The API and auth base the profile signed in against (`login`), read without creating,
    /// upgrading or importing anything: (`None`, `None`) when the profile has no database yet.
    pub fn stored_bases(
        profile_dir: &std::path::Path,
    ) -> Result<(Option<String>, Option<String>), DbError> {
        let path = profile_dir.join(super::FILE_NAME);
        if super::check_file(&path)?.is_none() {
            return Ok((None, None));
        }
        let store = Self::open_path(&path, true)?;
        Ok((
            store.meta(MetaKey::ApiBase)?,
            store.meta(MetaKey::AuthBase)?,
        ))
    }

    /// Records the capability just learned (and its reason) in one transaction.
    pub fn set_capability(&self, value: &str, reason: Option<&str>) -> Result<(), DbError> {
        self.set_metas(&[
            (MetaKey::Capability, Some(value)),
            (MetaKey::CapabilityReason, reason),
        ])
    }

    /// Remembers who is signed in (so no command has to ask X again).
    pub fn remember_account(&self, me: &User) -> Result<(), DbError> {
        self.set_metas(&[
            (MetaKey::AccountId, Some(me.id.as_str())),
            (MetaKey::AccountHandle, Some(me.username.as_str())),
        ])
    }

    /// Remembers where the profile signed in (`login`): later commands use these bases when
    /// no flag or environment variable names one ([`Store::stored_bases`]).
    pub fn remember_bases(&self, api_base: &str, auth_base: &str) -> Result<(), DbError> {
        self.set_metas(&[
            (MetaKey::ApiBase, Some(api_base)),
            (MetaKey::AuthBase, Some(auth_base)),
        ])
    }

    /// The signed-in account as remembered: (id, handle).
    pub fn remembered_account(&self) -> Result<Option<(String, String)>, DbError> {
        let Some(id) = self.meta(MetaKey::AccountId)? else {
            return Ok(None);
        };
        Ok(self
            .meta(MetaKey::AccountHandle)?
            .map(|handle| (id, handle)))
    }

    /// Records a capability just learned (stamped now).
    pub fn learn_capability(&self, cap: &crate::api::Capability) -> Result<(), DbError> {
        self.set_capability(cap.word(), cap.reason())
    }

    /// The learned capability and when it was learned (Unix seconds).
    pub fn learned_capability(&self) -> Result<Option<(crate::api::Capability, i64)>, DbError> {
        let Some(c) = self.capability()? else {
            return Ok(None);
        };
        let reason = c.reason.unwrap_or_default();
        let cap = match c.value.as_str() {
            "full" => crate::api::Capability::Full,
            "read-only" => crate::api::Capability::ReadOnly { reason },
            _ => crate::api::Capability::Unknown { reason },
        };
        Ok(Some((cap, c.learned_at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Capability;

    #[test]
    fn the_account_and_its_capability_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.remembered_account().unwrap(), None);
        assert_eq!(s.learned_capability().unwrap(), None);
        let me = User {
            id: "42".into(),
            username: "me".into(),
            ..User::default()
        };
        s.remember_account(&me).unwrap();
        assert_eq!(
            s.remembered_account().unwrap(),
            Some(("42".into(), "me".into()))
        );
        assert_eq!(
            Store::stored_bases(dir.path()).unwrap(),
            (None, None),
            "only a login remembers the bases"
        );
        s.remember_bases("http://127.0.0.1:9", "http://127.0.0.1:8")
            .unwrap();
        assert_eq!(
            Store::stored_bases(dir.path()).unwrap(),
            (
                Some("http://127.0.0.1:9".to_string()),
                Some("http://127.0.0.1:8".to_string())
            )
        );
        let read_only = Capability::ReadOnly {
            reason: "Enterprise only".into(),
        };
        s.learn_capability(&read_only).unwrap();
        let (cap, when) = s.learned_capability().unwrap().unwrap();
        assert_eq!(cap, read_only);
        assert!(when > 0);
        s.learn_capability(&Capability::Full).unwrap();
        assert_eq!(s.learned_capability().unwrap().unwrap().0, Capability::Full);
    }
}
