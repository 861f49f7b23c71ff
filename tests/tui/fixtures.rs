//! Fixtures shared by the TUI tests.

/// The scopes xblocks asks for at sign-in.
pub const SCOPES: &[&str] = xblocks::auth::DEFAULT_SCOPES;
