//! Sign-in: OAuth 2.0 PKCE, OAuth 1.0a signing, token storage and refresh.

pub mod error;
pub mod loopback;
pub mod oauth1;
pub mod pkce;
pub mod refresh;
pub mod session;
pub mod token_store;

use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::header::HeaderValue;
use reqwest::Method;
use url::Url;

use crate::api::{ApiError, Authorize};
pub use error::AuthError;
pub use refresh::TokenSource;
pub use token_store::{StoredToken, TokenStore};

/// Default scopes of `xblocks login`.
pub const DEFAULT_SCOPES: &[&str] = &[
    "tweet.read",
    "users.read",
    "block.read",
    "block.write",
    "mute.read",
    "mute.write",
    "offline.access",
];

/// How the signed-in session authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// OAuth 2.0 user token from `xblocks login` (refreshed when it has a refresh token).
    OAuth2,
    /// OAuth 2.0 user token from `XBLOCKS_ACCESS_TOKEN` (never refreshed or stored).
    OAuth2Env,
    /// OAuth 1.0a user context (HMAC-SHA1 signed).
    OAuth1,
}

impl std::fmt::Display for AuthKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthKind::OAuth2 => "OAuth 2.0 user context (PKCE)",
            AuthKind::OAuth2Env => "OAuth 2.0 user context (XBLOCKS_ACCESS_TOKEN)",
            AuthKind::OAuth1 => "OAuth 1.0a user context",
        })
    }
}

/// How requests are authorized. Cheap to clone; clones share the token and its refresh lock.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: Bearer …`, refreshed on expiry or on 401 when possible.
    Bearer(Arc<TokenSource>),
    /// `Authorization: OAuth …` signed per request.
    OAuth1(Arc<oauth1::Keys>),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Credentials::Bearer(<redacted>)"),
            Credentials::OAuth1(_) => f.write_str("Credentials::OAuth1(<redacted>)"),
        }
    }
}

impl Credentials {
    /// A fixed bearer token (e.g. `XBLOCKS_ACCESS_TOKEN`): no refresh, not stored.
    pub fn static_bearer(token: String, scopes: Option<Vec<String>>) -> Self {
        Credentials::Bearer(Arc::new(TokenSource::fixed(token, scopes)))
    }
}

impl Authorize for Credentials {
    fn authorize<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
    ) -> BoxFuture<'a, Result<(HeaderValue, String), ApiError>> {
        Box::pin(async move {
            let (value, used) = match self {
                Credentials::Bearer(src) => {
                    let token = src.access_token().await?;
                    (format!("Bearer {token}"), token)
                }
                Credentials::OAuth1(keys) => {
                    (keys.header(method.as_str(), url, &[]), String::new())
                }
            };
            let mut hv = HeaderValue::from_str(&value).map_err(|_| {
                ApiError::Decode("the stored token holds invalid characters".into())
            })?;
            hv.set_sensitive(true);
            Ok((hv, used))
        })
    }

    fn recover<'a>(&'a self, used: &'a str) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(async move {
            match self {
                Credentials::Bearer(src) => src.recover(used).await,
                Credentials::OAuth1(_) => Err(ApiError::TokenRejected),
            }
        })
    }

    /// OAuth 1.0a keys and `XBLOCKS_ACCESS_TOKEN` are fixed for the session: never changed.
    fn reload(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            match self {
                Credentials::Bearer(src) => src.reload().await,
                Credentials::OAuth1(_) => false,
            }
        })
    }

    /// OAuth 1.0a and bare env tokens: unknown.
    fn scopes(&self) -> Option<Vec<String>> {
        match self {
            Credentials::Bearer(src) => src.scopes(),
            Credentials::OAuth1(_) => None,
        }
    }
}

impl From<Credentials> for Arc<dyn Authorize> {
    fn from(c: Credentials) -> Self {
        Arc::new(c)
    }
}
