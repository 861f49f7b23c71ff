//! Tokens per profile in `<config_dir>/profiles/<profile>/token.json` (0600, atomic writes).

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::store::atomic::write_atomic;
use crate::store::paths::Paths;
use crate::store::private::{check_file, read_private, FileError, TOKEN_CAP};

/// Why the stored token could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The file was refused (a link, a special file, someone else's) or could not be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The file is not a token; the message names where and how, never its content.
    #[error("{} is damaged ({position}); run `xblocks logout` then `xblocks login`", path.display())]
    Damaged {
        /// The token file.
        path: PathBuf,
        /// Where and what kind of error the JSON parse hit.
        position: String,
    },
}

/// Which protocol a stored token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// OAuth 2.0 bearer token.
    #[default]
    Oauth2,
    /// OAuth 1.0a token + secret.
    Oauth1,
}

/// A stored sign-in. `Debug` shows no secret.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredToken {
    /// OAuth 2.0 or 1.0a.
    #[serde(default)]
    pub kind: TokenKind,
    /// Access token (OAuth 2.0) or `oauth_token` (1.0a).
    pub access_token: String,
    /// Refresh token (OAuth 2.0 with `offline.access`); rotated on every refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Expiry of the access token, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// Granted scopes (OAuth 2.0).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// OAuth 2.0 client id that issued the token (needed to refresh and revoke).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth 2.0 client secret (confidential clients only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// OAuth 1.0a token secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
    /// OAuth 1.0a consumer key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_key: Option<String>,
    /// OAuth 1.0a consumer secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<String>,
    /// Id of the signed-in account, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Handle of the signed-in account, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("StoredToken")
            .field("kind", &self.kind)
            .field("access_token", &"<redacted>")
            .field("refresh_token", &redact(&self.refresh_token))
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("token_secret", &redact(&self.token_secret))
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &redact(&self.consumer_secret))
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .finish()
    }
}

impl StoredToken {
    /// Seconds until the access token expires (negative if past); `None` if it never does.
    pub fn expires_in(&self) -> Option<i64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs() as i64;
        self.expires_at.map(|e| e as i64 - now)
    }
}

/// Where one profile's token lives.
#[derive(Debug, Clone)]
pub struct TokenStore {
    path: PathBuf,
}

impl TokenStore {
    /// The store of the profile in `paths`.
    pub fn new(paths: &Paths) -> Self {
        Self {
            path: paths.profile_dir.join("token.json"),
        }
    }

    /// The token file path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Fails when a new token could not be saved here (e.g. a read-only profile dir): creates
    /// and removes a probe file beside the token, leaving the token itself untouched.
    pub fn check_writable(&self) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(std::path::Path::new("."));
        let probe = dir.join(format!(".token.probe.{}", std::process::id()));
        std::fs::write(&probe, b"")?;
        std::fs::remove_file(&probe)
    }

    /// The stored token, `None` if there is none. The file must be the user's regular file
    /// (never a link) of at most 64 KB; a damaged one is named with its error's position and
    /// kind, never its content (serde would quote the token).
    pub fn load(&self) -> Result<Option<StoredToken>, TokenError> {
        let Some(bytes) = read_private(&self.path, TOKEN_CAP)? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| TokenError::Damaged {
                path: self.path.clone(),
                position: json_error_position(&e),
            })
    }

    /// Saves atomically: 0600 file in a 0700 dir, temp file + fsync + rename.
    pub fn save(&self, token: &StoredToken) -> std::io::Result<()> {
        check_file(&self.path).map_err(std::io::Error::other)?;
        let json = serde_json::to_vec_pretty(token).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &json, true)
    }

    /// Deletes the token file; `false` if there was none.
    pub fn delete(&self) -> std::io::Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Where and what kind of error a JSON parse hit, without the value serde would quote.
pub fn json_error_position(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "a field of the wrong type or missing",
        serde_json::error::Category::Eof => "cut short",
    };
    format!("{kind} at line {}, column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &std::path::Path) -> Paths {
        Paths {
            config_dir: dir.to_path_buf(),
            profile_dir: dir.join("profiles/default"),
            log_dir: dir.join("logs"),
        }
    }

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(&paths(dir.path()));
        assert!(store.load().unwrap().is_none());
        let t = StoredToken {
            access_token: "SECRET-ACCESS".into(),
            refresh_token: Some("SECRET-REFRESH".into()),
            expires_at: Some(10),
            scopes: vec!["users.read".into()],
            ..Default::default()
        };
        store.save(&t).unwrap();
        assert_eq!(store.load().unwrap().unwrap(), t);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.delete().unwrap());
        assert!(!store.delete().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn loading_tightens_an_open_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(&paths(dir.path()));
        store.save(&StoredToken::default()).unwrap();
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        store.load().unwrap();
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn debug_hides_secrets() {
        let t = StoredToken {
            access_token: "SECRET-ACCESS".into(),
            refresh_token: Some("SECRET-REFRESH".into()),
            client_secret: Some("SECRET-CLIENT".into()),
            token_secret: Some("SECRET-TS".into()),
            consumer_secret: Some("SECRET-CS".into()),
            ..Default::default()
        };
        let s = format!("{t:?}");
        assert!(!s.contains("SECRET"), "{s}");
    }

    #[test]
    fn damaged_file_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(&paths(dir.path()));
        write_atomic(store.path(), b"{not json", true).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("xblocks login"));
    }

    #[test]
    fn a_misshaped_file_is_named_without_its_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(&paths(dir.path()));
        write_atomic(
            store.path(),
            br#"{"access_token": 5, "scopes": "SECRET-VALUE"}"#,
            true,
        )
        .unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(!err.contains("SECRET") && err.contains("line 1"), "{err}");
        write_atomic(
            store.path(),
            br#"{"access_token": "SECRET-VALUE", "expires_at": "x"}"#,
            true,
        )
        .unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(!err.contains("SECRET") && !err.contains("\"x\""), "{err}");
    }
}
