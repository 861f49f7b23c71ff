//! What the client needs from a sign-in, and nothing more: a header per request, one recovery
//! after a 401, the granted scopes. `auth::Credentials` implements it; the API layer knows no
//! other sign-in type.

use futures::future::BoxFuture;
use reqwest::header::HeaderValue;
use reqwest::Method;
use url::Url;

use super::ApiError;

/// Signs the requests of a [`Client`](super::Client).
pub trait Authorize: Send + Sync {
    /// The `Authorization` header for a request, and an id of the token used (for
    /// [`recover`](Authorize::recover)).
    fn authorize<'a>(
        &'a self,
        method: &'a Method,
        url: &'a Url,
    ) -> BoxFuture<'a, Result<(HeaderValue, String), ApiError>>;

    /// After a 401 with the token `used`: refresh once (or notice another task did), else fail.
    fn recover<'a>(&'a self, used: &'a str) -> BoxFuture<'a, Result<(), ApiError>>;

    /// Rereads the stored sign-in (after `xblocks login` elsewhere); true when it changed.
    fn reload(&self) -> BoxFuture<'_, bool>;

    /// The scopes granted, when known.
    fn scopes(&self) -> Option<Vec<String>>;
}
