//! Process exit codes, exactly as PRODUCT.md fixes them.

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
