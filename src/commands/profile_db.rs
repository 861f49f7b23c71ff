//! The commands' side of the profile database: opened off the async threads, its errors mapped
//! to exit codes.

use crate::exit::{Exit, ExitError};
use crate::store::db::{DbError, Store};
use crate::store::paths::Paths;

/// The exit error for a database error (always one line naming the file and the fix).
pub fn exit(e: DbError) -> ExitError {
    ExitError::new(Exit::Other, e.to_string())
}

/// Opens (creating or upgrading) the profile's database.
pub async fn open(paths: &Paths) -> Result<Store, ExitError> {
    let dir = paths.profile_dir.clone();
    blocking(move || Store::open(&dir)).await.map_err(exit)
}

/// Opens the profile's database for reading; `None` when it has none yet.
pub async fn open_existing(paths: &Paths) -> Result<Option<Store>, ExitError> {
    let dir = paths.profile_dir.clone();
    blocking(move || Store::open_existing(&dir))
        .await
        .map_err(exit)
}

/// Runs `f` on a blocking thread (SQL never runs on the async workers).
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking task panicked")
}
