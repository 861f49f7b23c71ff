//! Why signing in, or using a sign-in, failed. Every message is one or two lines naming the
//! fix and never contains a token; `commands` maps each to its exit code.

use std::path::PathBuf;

use super::pkce::CallbackError;
use super::token_store::TokenError;
use crate::api::ApiError;

/// Everything the sign-in layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// X refused, or could not be reached.
    #[error("{}", .0.user_message())]
    Api(#[from] ApiError),
    /// The stored token could not be read.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A new token could not be saved.
    #[error("signed in, but cannot save the token to {}: {source}", path.display())]
    Save {
        /// The token file.
        path: PathBuf,
        /// Why writing failed.
        source: std::io::Error,
    },
    /// The authorize URL could not be built from `--auth-base` and the redirect URI.
    #[error("cannot build the authorize URL: {0}")]
    AuthorizeUrl(#[source] url::ParseError),
    /// The authorize page (of a server that approves at once) could not be reached.
    #[error("cannot reach the authorize page: {0}")]
    AuthorizePage(#[source] reqwest::Error),
    /// The authorize page answered without sending the browser back.
    #[error("the authorize page answered {0} without a redirect")]
    NoRedirect(reqwest::StatusCode),
    /// The sign-in callback was refused.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// The loopback listener could not take the callback port.
    #[error("cannot listen on 127.0.0.1:{port} for the sign-in callback ({source}); pass another --port (and register its callback URL)")]
    Listen {
        /// The port asked for.
        port: u16,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// The listener failed after it was bound.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Nobody signed in before the deadline.
    #[error("no sign-in arrived within {0} minutes; run `xblocks login` again")]
    TimedOut(u64),
    /// X refused the sign-in in the browser.
    #[error("{0}; run `xblocks login` again")]
    Refused(CallbackError),
    /// An OAuth 1.0a URL could not be built from `--api-base`.
    #[error(transparent)]
    Url(#[from] url::ParseError),
    /// An OAuth 1.0a step could not reach X.
    #[error("cannot reach {base}: {source}")]
    Unreachable {
        /// The server's base URL.
        base: String,
        /// The transport error.
        source: reqwest::Error,
    },
    /// An OAuth 1.0a answer could not be read.
    #[error("{base} answered badly: {source}")]
    BadAnswer {
        /// The server's base URL.
        base: String,
        /// Why the body could not be read.
        source: crate::api::body::BodyError,
    },
    /// An OAuth 1.0a step was refused.
    #[error("{base} answered {status}: check the consumer key and secret, and the PIN")]
    Rejected {
        /// The server's base URL.
        base: String,
        /// X's status.
        status: reqwest::StatusCode,
    },
    /// An OAuth 1.0a answer lacks a field.
    #[error("the OAuth 1.0a answer lacks `{0}`")]
    MissingField(&'static str),
}
