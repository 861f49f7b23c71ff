//! A signed-in session: credentials from `XBLOCKS_ACCESS_TOKEN` or the profile's token, a
//! client, and the account they belong to.

use std::sync::Arc;

use super::oauth1::Keys;
use super::token_store::{StoredToken, TokenKind, TokenStore};
use super::{AuthError, AuthKind, Credentials, TokenSource};
use crate::api::types::User;
use crate::api::{ApiError, Capability, Client, ClientConfig};
use crate::store::db::Store;
use crate::store::paths::Paths;

/// Environment variable with an access token that overrides the stored one.
pub const ACCESS_TOKEN_ENV: &str = "XBLOCKS_ACCESS_TOKEN";

/// Which X a session talks to and whose token it uses (the global options of the command line).
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Base URL of the X API.
    pub api_base: String,
    /// Base URL of the OAuth authorize pages.
    pub auth_base: String,
    /// The profile's name.
    pub profile: String,
    /// The profile's directories.
    pub paths: Paths,
    /// Fail instead of waiting out a rate limit.
    pub no_wait: bool,
}

/// Everything a command needs to talk to X as the signed-in account.
pub struct Session {
    /// The API client (refreshes tokens itself).
    pub client: Client,
    /// The signed-in account.
    pub me: User,
    /// Profile name.
    pub profile: String,
    /// How the session authenticates.
    pub auth_kind: AuthKind,
    /// Granted scopes (empty when unknown: OAuth 1.0a, or an env token).
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("me", &self.me.id)
            .field("profile", &self.profile)
            .field("auth_kind", &self.auth_kind)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The credentials of the profile, without any request: `None` when not signed in.
pub fn load_credentials(
    config: &SessionConfig,
) -> Result<Option<(Credentials, AuthKind, Option<StoredToken>)>, AuthError> {
    if let Ok(token) = std::env::var(ACCESS_TOKEN_ENV) {
        let token = token.trim().to_string();
        if !token.is_empty() {
            return Ok(Some((
                Credentials::static_bearer(token, None),
                AuthKind::OAuth2Env,
                None,
            )));
        }
    }
    let store = TokenStore::new(&config.paths);
    let Some(token) = store.load()? else {
        return Ok(None);
    };
    let creds = match token.kind {
        TokenKind::Oauth2 => Credentials::Bearer(Arc::new(TokenSource::stored(
            token.clone(),
            store,
            &config.api_base,
        ))),
        TokenKind::Oauth1 => Credentials::OAuth1(Arc::new(Keys::of(&token))),
    };
    let kind = match token.kind {
        TokenKind::Oauth2 => AuthKind::OAuth2,
        TokenKind::Oauth1 => AuthKind::OAuth1,
    };
    Ok(Some((creds, kind, Some(token))))
}

/// A client for the profile without asking X who is signed in.
pub fn client(
    config: &SessionConfig,
) -> Result<(Client, AuthKind, Option<StoredToken>), AuthError> {
    let (creds, kind, token) = load_credentials(config)?.ok_or(ApiError::NotSignedIn)?;
    let client = Client::new(ClientConfig {
        api_base: config.api_base.clone(),
        credentials: creds.into(),
        no_wait: config.no_wait,
        expand_pinned: false,
    });
    Ok((client, kind, token))
}

/// Signs in with the stored (or env) token; the account comes from the stored token or the
/// profile database when they know it, else X is asked (`GET /2/users/me`, billed on
/// pay-per-use).
pub async fn connect(config: &SessionConfig) -> Result<Session, AuthError> {
    connect_with(config, |_| {}).await
}

/// [`connect`], handing `watch` the client's events before the first request (so a command can
/// tell about retries and rate-limit waits while X is asked who is signed in).
pub async fn connect_with(
    config: &SessionConfig,
    watch: impl FnOnce(tokio::sync::broadcast::Receiver<crate::api::RateEvent>),
) -> Result<Session, AuthError> {
    let (client, auth_kind, token) = client(config)?;
    watch(client.rate_events());
    let me = match known_account(config, token.as_ref()).await {
        Some(me) => me,
        None => client.me().await?,
    };
    Ok(Session::of(config, client, auth_kind, token, me))
}

/// Asks X who the token belongs to (one try: this is the check `whoami` makes). When X cannot
/// be reached, the account the profile knows stands in, and the second value is false.
pub async fn connect_checked(config: &SessionConfig) -> Result<(Session, bool), AuthError> {
    let (client, auth_kind, token) = client(config)?;
    let (me, reached) = match client.me_once().await {
        Ok(me) => (me, true),
        Err(e @ ApiError::Network(_)) => match known_account(config, token.as_ref()).await {
            Some(me) => (me, false),
            None => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    Ok((Session::of(config, client, auth_kind, token, me), reached))
}

impl Session {
    /// The session of `config`'s profile: `client` signed in as `me` with `token`'s scopes.
    fn of(
        config: &SessionConfig,
        client: Client,
        auth_kind: AuthKind,
        token: Option<StoredToken>,
        me: User,
    ) -> Self {
        Self {
            client,
            me,
            profile: config.profile.clone(),
            auth_kind,
            scopes: token.map(|t| t.scopes).unwrap_or_default(),
        }
    }
}

/// The account of the stored token, from the token itself or else the profile database; `None`
/// with an env token (`XBLOCKS_ACCESS_TOKEN` may belong to any account: X is asked).
async fn known_account(config: &SessionConfig, token: Option<&StoredToken>) -> Option<User> {
    let token = token?;
    let (id, username) = match (token.user_id.clone(), token.username.clone()) {
        (Some(id), Some(username)) => (id, username),
        (id, _) => {
            let dir = config.paths.profile_dir.clone();
            let remembered = tokio::task::spawn_blocking(move || {
                Store::open_existing(&dir)
                    .ok()
                    .flatten()
                    .and_then(|s| s.remembered_account().ok().flatten())
            })
            .await
            .ok()
            .flatten()?;
            // A database that remembers another account than the token's does not count.
            if id.as_ref().is_some_and(|id| *id != remembered.0) {
                return None;
            }
            remembered
        }
    };
    Some(User {
        id,
        username,
        ..User::default()
    })
}

/// At sign-in: stores where the profile signed in (its API and auth base, used by every later
/// command that names none) and who, then the one probe: asks X whether block writes work (a
/// no-op unblock of yourself) and stores the answer. A failure is only logged: the next write
/// tells.
pub async fn probe_at_sign_in(config: &SessionConfig) -> Option<Capability> {
    let dir = config.paths.profile_dir.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&dir))
        .await
        .ok()?
        .ok()?;
    let (st, api_base, auth_base) = (
        store.clone(),
        config.api_base.clone(),
        config.auth_base.clone(),
    );
    let remembered =
        tokio::task::spawn_blocking(move || st.remember_bases(&api_base, &auth_base)).await;
    if let Ok(Err(e)) = remembered {
        tracing::warn!("the API and auth base were not remembered: {e}");
    }
    let (client, _, token) = client(config).ok()?;
    let token = token?;
    let me = User {
        id: token.user_id.clone()?,
        username: token.username.clone().unwrap_or_default(),
        ..User::default()
    };
    let cap = match client.capability(&me.id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("capability probe at sign-in failed: {e}");
            return None;
        }
    };
    let learned = cap.clone();
    let stored = tokio::task::spawn_blocking(move || {
        store.remember_account(&me)?;
        store.learn_capability(&learned)
    })
    .await;
    if let Ok(Err(e)) = stored {
        tracing::warn!("the sign-in probe's answer was not stored: {e}");
    }
    Some(cap)
}
