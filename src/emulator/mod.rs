//! The X API v2 emulator: seeded world, routes, OAuth, rate limits and faults.

use crate::cli::EmulatorArgs;

/// `xblocks emulator`: serves until SIGINT/SIGTERM.
pub async fn run_cli(_args: EmulatorArgs) -> anyhow::Result<()> {
    anyhow::bail!("the emulator is not available yet")
}
