//! The OAuth 2.0 access token in use: refreshed shortly before expiry and after a 401, once
//! even when many tasks need it (a tokio Mutex around the refresh), rotated token saved first.

use std::time::{SystemTime, UNIX_EPOCH};

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthType, ClientId, ClientSecret, RefreshToken, RequestTokenError, TokenResponse, TokenUrl,
};
use tokio::sync::Mutex;

use super::token_store::{StoredToken, TokenStore};
use crate::api::ApiError;

/// Refresh this many seconds before the access token expires.
pub const REFRESH_MARGIN_SECS: i64 = 120;

/// The current OAuth 2.0 token of a session.
pub struct TokenSource {
    state: Mutex<StoredToken>,
    store: Option<TokenStore>,
    token_url: Option<String>,
    scopes: Option<Vec<String>>,
    http: reqwest::Client,
}

impl TokenSource {
    /// A token that is never refreshed nor saved (`XBLOCKS_ACCESS_TOKEN`).
    pub fn fixed(access_token: String, scopes: Option<Vec<String>>) -> Self {
        Self {
            state: Mutex::new(StoredToken {
                access_token,
                ..Default::default()
            }),
            store: None,
            token_url: None,
            scopes,
            http: crate::api::http_client(),
        }
    }

    /// A stored token, refreshed at `<api_base>/2/oauth2/token` and saved back to `store`.
    pub fn stored(token: StoredToken, store: TokenStore, api_base: &str) -> Self {
        let scopes = Some(token.scopes.clone()).filter(|s| !s.is_empty());
        Self {
            state: Mutex::new(token),
            store: Some(store),
            token_url: Some(format!("{}/2/oauth2/token", api_base.trim_end_matches('/'))),
            scopes,
            http: crate::api::http_client(),
        }
    }

    /// Granted scopes, when known.
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.scopes.clone()
    }

    /// A copy of the current token (for logout and whoami).
    pub async fn snapshot(&self) -> StoredToken {
        self.state.lock().await.clone()
    }

    /// The access token to send, refreshed first if it expires within the margin.
    pub async fn access_token(&self) -> Result<String, ApiError> {
        let mut state = self.state.lock().await;
        let due = state
            .expires_in()
            .is_some_and(|left| left < REFRESH_MARGIN_SECS);
        if due && state.refresh_token.is_some() && self.token_url.is_some() {
            self.refresh_or_adopt(&mut state).await?;
        }
        Ok(state.access_token.clone())
    }

    /// After a 401 for `used`: if another task already refreshed, use its token; if the token
    /// file holds a new sign-in (`xblocks login` in another terminal), use that; else refresh
    /// once, and if X refuses the refresh (`invalid_grant`), look at the file once more.
    pub async fn recover(&self, used: &str) -> Result<(), ApiError> {
        let mut state = self.state.lock().await;
        if state.access_token != used || self.adopt_newer(&mut state) {
            return Ok(());
        }
        if state.refresh_token.is_none() || self.token_url.is_none() {
            return Err(ApiError::TokenRejected);
        }
        self.refresh_or_adopt(&mut state).await
    }

    /// Rereads the token file and uses it if it holds a new sign-in of the same account; true
    /// when it did.
    pub async fn reload(&self) -> bool {
        let mut state = self.state.lock().await;
        self.adopt_newer(&mut state)
    }

    /// Replaces `state` with the stored token when the file holds another sign-in of the same
    /// account (a new login, or a refresh made by another xblocks process).
    fn adopt_newer(&self, state: &mut StoredToken) -> bool {
        let Some(Ok(Some(stored))) = self.store.as_ref().map(TokenStore::load) else {
            return false;
        };
        let changed = stored.access_token != state.access_token
            || stored.refresh_token != state.refresh_token;
        let same_account = match (&stored.user_id, &state.user_id) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if !changed || !same_account {
            if changed {
                tracing::warn!("the token file now holds another account; not used here");
            }
            return false;
        }
        tracing::info!("the token file holds a new sign-in; using it");
        *state = stored;
        true
    }

    /// Refreshes; when X refuses (`invalid_grant`), a newer stored sign-in is used instead.
    async fn refresh_or_adopt(&self, state: &mut StoredToken) -> Result<(), ApiError> {
        match self.refresh(state).await {
            Err(ApiError::TokenRejected) if self.adopt_newer(state) => Ok(()),
            other => other,
        }
    }

    async fn refresh(&self, state: &mut StoredToken) -> Result<(), ApiError> {
        let (Some(url), Some(rt), Some(client_id)) = (
            self.token_url.as_ref(),
            state.refresh_token.clone(),
            state.client_id.clone(),
        ) else {
            return Err(ApiError::TokenRejected);
        };
        // Refreshing burns the stored refresh token: never refresh what cannot be saved.
        if let Some(store) = &self.store {
            store.check_writable().map_err(|e| {
                ApiError::Storage(format!(
                    "the sign-in needs a refresh, but {} cannot be written ({e}); make its folder writable and run the command again",
                    store.path().display()
                ))
            })?;
        }
        let token_url = TokenUrl::new(url.clone())
            .map_err(|e| ApiError::Network(format!("bad token URL: {e}")))?;
        let mut client = BasicClient::new(ClientId::new(client_id)).set_token_uri(token_url);
        client = match state.client_secret.clone() {
            Some(s) => client.set_client_secret(ClientSecret::new(s)),
            None => client.set_auth_type(AuthType::RequestBody),
        };
        let resp = client
            .exchange_refresh_token(&RefreshToken::new(rt))
            .request_async(&|req| crate::api::body::oauth_request(self.http.clone(), req))
            .await
            .map_err(token_error)?;
        let next = apply_token_response(state, &resp);
        // The used refresh token is dead now: persist the rotated pair before using it.
        if let Some(store) = &self.store {
            store.save(&next).map_err(|e| {
                ApiError::Storage(format!(
                    "cannot save the refreshed sign-in to {} ({e}); make its folder writable, then run `xblocks login`",
                    store.path().display()
                ))
            })?;
        }
        tracing::info!("access token refreshed");
        *state = next;
        Ok(())
    }
}

/// Maps a token-endpoint failure: an OAuth error answer means "sign in again".
pub fn token_error<E: std::error::Error + 'static>(
    e: RequestTokenError<E, oauth2::basic::BasicErrorResponse>,
) -> ApiError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            tracing::warn!("token endpoint refused: {}", r.error());
            ApiError::TokenRejected
        }
        RequestTokenError::Request(e) => ApiError::Network(e.to_string()),
        // Only where: serde would quote the value, and the value may be a token.
        RequestTokenError::Parse(e, _) => ApiError::Decode(format!(
            "token endpoint: an answer of the wrong shape at `{}`",
            e.path()
        )),
        RequestTokenError::Other(s) => ApiError::Decode(format!("token endpoint: {s}")),
    }
}

/// `old` updated with a token-endpoint answer (a missing refresh token or scope keeps the old).
pub fn apply_token_response(old: &StoredToken, resp: &BasicTokenResponse) -> StoredToken {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    StoredToken {
        access_token: resp.access_token().secret().clone(),
        refresh_token: resp
            .refresh_token()
            .map(|r| r.secret().clone())
            .or_else(|| old.refresh_token.clone()),
        expires_at: resp.expires_in().map(|d| now + d.as_secs()),
        scopes: match resp.scopes() {
            Some(s) if !s.is_empty() => s.iter().map(|s| s.to_string()).collect(),
            _ => old.scopes.clone(),
        },
        ..old.clone()
    }
}
