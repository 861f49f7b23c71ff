//! The terminal: enter/restore, panic hook, signals, the event loop.

use crate::cli::{DemoArgs, GlobalArgs};

/// `xblocks`: the TUI on the stored account.
pub async fn run(_global: GlobalArgs) -> anyhow::Result<()> {
    anyhow::bail!("the TUI is not available yet")
}

/// `xblocks demo`: the TUI against an in-process emulator.
pub async fn demo(_global: GlobalArgs, _args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("the demo is not available yet")
}
