//! Process exit codes, exactly as PRODUCT.md fixes them, and which error ends with which.
//! Only `commands` and `main` use this: the layers below return their own error types.

use crate::api::ApiError;
use crate::auth::token_store::TokenError;
use crate::auth::AuthError;

/// Exit codes of the `xblocks` binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Any other error.
    Other = 1,
    /// Usage error (clap uses 2 too).
    Usage = 2,
    /// Rate limited and told not to wait (`--no-wait`).
    RateLimited = 3,
    /// Not found.
    NotFound = 4,
    /// Forbidden: missing scope, or writes need the Enterprise plan.
    Forbidden = 5,
    /// Stopped by money: a spending cap (`--max-cost`, `[billing] daily_cap`), X's 402 (credits
    /// depleted) or X's usage cap.
    Money = 6,
    /// Not signed in, or the token was rejected.
    NotSignedIn = 77,
    /// Interrupted; work saved and resumable.
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// An error that carries the exit code it should end the process with.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitError {
    /// The code to exit with.
    pub code: Exit,
    /// One or two lines: what happened and what to do next. Never contains a token.
    pub message: String,
}

impl ExitError {
    /// An error with the given exit code and message.
    pub fn new(code: Exit, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<&ApiError> for Exit {
    fn from(e: &ApiError) -> Self {
        match e {
            ApiError::NotSignedIn | ApiError::TokenRejected => Exit::NotSignedIn,
            ApiError::Forbidden { .. } | ApiError::EnterpriseOnly => Exit::Forbidden,
            ApiError::NotFound { .. } => Exit::NotFound,
            ApiError::RateLimited { .. } => Exit::RateLimited,
            ApiError::CreditsDepleted { .. } | ApiError::UsageCapped { .. } => Exit::Money,
            ApiError::Interrupted => Exit::Interrupted,
            ApiError::Server { .. }
            | ApiError::Network(_)
            | ApiError::Decode(_)
            | ApiError::Storage(_) => Exit::Other,
        }
    }
}

impl From<ApiError> for ExitError {
    fn from(e: ApiError) -> Self {
        ExitError::new(Exit::from(&e), e.user_message())
    }
}

impl From<&AuthError> for Exit {
    fn from(e: &AuthError) -> Self {
        match e {
            AuthError::Api(e) => e.into(),
            // A damaged token is as good as none; a refused file (a link, a FIFO, someone
            // else's) is not "signed out".
            AuthError::Token(TokenError::Damaged { .. }) => Exit::NotSignedIn,
            _ => Exit::Other,
        }
    }
}

impl From<AuthError> for ExitError {
    fn from(e: AuthError) -> Self {
        ExitError::new(Exit::from(&e), e.to_string())
    }
}

/// The exit code an error ends the process with: its own when it carries one, else 1.
pub fn code_of(err: &anyhow::Error) -> Exit {
    if let Some(e) = err.downcast_ref::<ExitError>() {
        e.code
    } else if let Some(e) = err.downcast_ref::<AuthError>() {
        e.into()
    } else {
        Exit::Other
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn api_errors_exit_as_product_md_says() {
        let code = |e: ApiError| Exit::from(&e) as u8;
        assert_eq!(code(ApiError::NotSignedIn), 77);
        assert_eq!(code(ApiError::TokenRejected), 77);
        assert_eq!(code(ApiError::EnterpriseOnly), 5);
        let forbidden = ApiError::Forbidden {
            missing_scope: Some("block.write".into()),
            detail: String::new(),
        };
        assert_eq!(code(forbidden), 5);
        assert_eq!(code(ApiError::NotFound { what: "@x".into() }), 4);
        let until = SystemTime::now();
        assert_eq!(code(ApiError::RateLimited { until }), 3);
        let depleted = ApiError::CreditsDepleted {
            account_id: None,
            detail: String::new(),
        };
        assert_eq!(code(depleted), 6);
        assert_eq!(code(ApiError::Network("x".into())), 1);
        assert_eq!(code(ApiError::Interrupted), 130);
        let e: ExitError = ApiError::NotSignedIn.into();
        assert_eq!(
            (e.code as u8, e.message.as_str()),
            (77, "not signed in: run `xblocks login`")
        );
    }

    #[test]
    fn sign_in_errors_keep_the_api_code_and_words_through_anyhow() {
        let e = anyhow::Error::new(AuthError::from(ApiError::NotSignedIn));
        assert_eq!(code_of(&e), Exit::NotSignedIn);
        assert_eq!(e.to_string(), "not signed in: run `xblocks login`");
        let damaged = AuthError::from(TokenError::Damaged {
            path: "t.json".into(),
            position: "cut short at line 1, column 2".into(),
        });
        assert_eq!(Exit::from(&damaged), Exit::NotSignedIn);
        let timed_out = anyhow::Error::new(AuthError::TimedOut(10));
        assert_eq!(code_of(&timed_out), Exit::Other);
    }
}
