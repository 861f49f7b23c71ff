//! Logging to a file (`xblocks.log`), never to the terminal the TUI draws on.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use super::private::{open_append, FileError};

/// Starts logging to `xblocks.log` in `dir` (the profile's log dir); level from `RUST_LOG`
/// (default `info`). `Ok(None)` (nothing logged) when the dir or the file cannot be created
/// (e.g. a read-only config dir): an unwritable log never stops a command. A log file that is a link, a special
/// file or another user's is refused: nothing is ever appended through it.
pub fn init(dir: &Path) -> Result<Option<WorkerGuard>, FileError> {
    if super::atomic::create_dir(dir, true).is_err() {
        return Ok(None);
    }
    let file = match open_append(&dir.join("xblocks.log")) {
        Ok(f) => f,
        Err(FileError::Io { .. }) => return Ok(None),
        Err(refused) => return Err(refused),
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok();
    Ok(Some(guard))
}
