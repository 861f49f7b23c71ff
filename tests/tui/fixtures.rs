//! Fixtures shared by the TUI tests.

/// The scopes xblocks asks for at sign-in.
pub const SCOPES: &[&str] = xblocks::auth::DEFAULT_SCOPES;

use xblocks::emulator::{self, Config, Emulator};

/// An emulator with `users` blocked accounts and no rate limits, a token for it, and an empty
/// config dir.
pub async fn no_limits_world(users: usize) -> (Emulator, String, tempfile::TempDir) {
    let emu = emulator::start(Config {
        users,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    (emu, token, tempfile::tempdir().unwrap())
}

/// The block-list reads the emulator served, with what each cost (micro-dollars).
pub fn list_reads(emu: &Emulator) -> Vec<Option<u64>> {
    emu.request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/blocking"))
        .map(|r| r.cost_micros)
        .collect()
}
