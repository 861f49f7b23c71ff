//! Checkpoints on a thread of their own while one long write (a live export's full sync) fills
//! the WAL: the writer then never stops to copy the WAL into the database and sync it (each
//! copy of 16 MB took a first sync's writer 40-80 ms). SQLite's passive checkpoints run beside
//! a writer; the writer's own automatic checkpoints are off until [`Checkpointer::finish`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{Store, BUSY_TIMEOUT};

/// WAL size (bytes) from which the checkpointer copies it into the database.
const WAL_THRESHOLD: u64 = 8 * 1024 * 1024;

/// How often the checkpointer looks at the WAL's size.
const EVERY: Duration = Duration::from_millis(25);

/// SQLite's default `wal_autocheckpoint` (pages), restored when the long write ends.
const AUTO_PAGES: i64 = 1000;

/// The running checkpointer of one long write.
pub struct Checkpointer {
    store: Store,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Store {
    /// Starts checkpointing this database on a thread of its own, for one long write; `None`
    /// (automatic checkpoints as usual) when the profile is read-only or a second connection
    /// cannot be opened.
    pub fn checkpoint_aside(&self) -> Option<Checkpointer> {
        if self.read_only {
            return None;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(self.path.as_path(), flags)
            .and_then(|c| c.busy_timeout(BUSY_TIMEOUT).map(|()| c))
            .map_err(|e| tracing::warn!("no checkpoints aside: {e}"))
            .ok()?;
        self.conn()
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| tracing::warn!("no checkpoints aside: {e}"))
            .ok()?;
        let stop = Arc::new(AtomicBool::new(false));
        let wal = {
            let mut p = self.path.as_os_str().to_owned();
            p.push("-wal");
            std::path::PathBuf::from(p)
        };
        let halt = stop.clone();
        let thread = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                while !halt.load(Ordering::Relaxed) {
                    std::thread::sleep(EVERY);
                    if std::fs::metadata(&wal).is_ok_and(|m| m.len() >= WAL_THRESHOLD) {
                        if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                            tracing::warn!("checkpoint aside: {e}");
                        }
                    }
                }
            });
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!("no checkpoints aside: {e}");
                None
            }
        };
        Some(Checkpointer {
            store: self.clone(),
            stop,
            thread,
        })
    }
}

impl Checkpointer {
    /// Stops the thread and turns the writer's automatic checkpoints back on.
    pub fn finish(self) {
        drop(self);
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Err(e) = self
            .store
            .conn()
            .pragma_update(None, "wal_autocheckpoint", AUTO_PAGES)
        {
            tracing::warn!("automatic checkpoints stay off on this connection: {e}");
        }
    }
}
