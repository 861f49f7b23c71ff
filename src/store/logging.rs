//! Logging to a file (`xblocks.log`), never to the terminal the TUI draws on.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::cli::GlobalArgs;

/// Starts logging to `xblocks.log` in the log dir; level from `RUST_LOG` (default `info`).
/// Returns `None` (and logs nothing) when the dir cannot be created.
pub fn init(global: &GlobalArgs) -> Option<WorkerGuard> {
    let dir = super::paths::Paths::resolve(global).log_dir;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "xblocks.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
