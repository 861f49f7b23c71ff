//! Logging to a file (`xblocks.log`), never to the terminal the TUI draws on.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::cli::GlobalArgs;

/// Starts logging to `xblocks.log` in the log dir; level from `RUST_LOG` (default `info`).
/// Returns `None` (and logs nothing) when the dir or the file cannot be created (e.g. a
/// read-only config dir): logging never stops a command.
pub fn init(global: &GlobalArgs) -> Option<WorkerGuard> {
    let dir = super::paths::Paths::resolve(global).log_dir;
    std::fs::create_dir_all(&dir).ok()?;
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = opts.open(dir.join("xblocks.log")).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
