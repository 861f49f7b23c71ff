//! The profile database: one SQLite file (`xblocks.db`, 0600, WAL) per profile holding everything
//! xblocks knows. [`Store`] owns every SQL statement; the rest of the program calls its typed
//! methods (one file per table group beside this one) and never writes SQL.
//!
//! The methods block: call them from a blocking thread (`tokio::task::spawn_blocking`, or
//! [`Store::call`]), never on the UI thread or an async worker.

mod accounts;
mod export_rows;
mod frugal;
mod jobs;
mod legacy;
mod listed;
mod log;
mod meta;
mod notes;
mod schema;
mod syncs;
mod timed;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use accounts::{AccountDiff, PageBatch, PageCount, StoredAccount};
pub use export_rows::ExportRow;
pub use frugal::fill_for_bench;
pub use jobs::{Job, JobState, NewJob};
pub use listed::{Listed, ListedSlice};
pub use log::{now_rfc3339, LogEntry};
pub use meta::{Capability, MetaKey};
pub use schema::VERSION;
pub use syncs::{utc_day, SyncId, SyncKind, SyncRecord, SyncTotals};

/// The database's file name inside the profile folder.
pub const FILE_NAME: &str = "xblocks.db";

/// How long a statement waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page size of a new database file. An account row is about 1 KB: on SQLite's default 4 KB
/// pages a first sync of 50,000 accounts wrote (WAL, then checkpoint) about 25,000 pages with a
/// system call each, and the file system's work per call was most of the time it took; 16 KB
/// pages took that from about 25 µs to 14 µs per account. Files made earlier keep theirs.
const PAGE_SIZE: u32 = 16 * 1024;

/// Why the profile database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Something other than a regular file sits where the database belongs.
    #[error("{} is {what}, not the profile database; move it away (xblocks then creates a new database there)", path.display())]
    NotRegular {
        /// The database path.
        path: PathBuf,
        /// What it is (a symlink, a directory, …).
        what: &'static str,
    },
    /// The file is not an SQLite database, or is damaged.
    #[error("{} is damaged ({detail}); move it aside and run xblocks again to start a new database (the block list syncs again from X)", path.display())]
    Corrupt {
        /// The database path.
        path: PathBuf,
        /// What SQLite or the check said.
        detail: String,
    },
    /// A valid SQLite file that belongs to another program.
    #[error("{} is an SQLite database of another program, not xblocks; move it aside and run xblocks again to start a new one", path.display())]
    Foreign {
        /// The database path.
        path: PathBuf,
    },
    /// Written by a newer xblocks with a schema this build does not know.
    #[error("{} was written by a newer xblocks (schema {found}, this build knows {VERSION}); update xblocks, or move the file aside to start a new database", path.display())]
    Newer {
        /// The database path.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
    },
    /// The database (or its folder) cannot be written: reads still work.
    #[error("cannot write {}: {detail}; make the profile folder and the file writable for you", path.display())]
    ReadOnly {
        /// The database path.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// Another process holds the write lock longer than the busy timeout.
    #[error("{} is busy (another xblocks is writing to it); try again in a moment", path.display())]
    Busy {
        /// The database path.
        path: PathBuf,
    },
    /// A file of a 0.1 profile could not be imported (nothing was imported; it is left as is).
    #[error("{} {what}", path.display())]
    Legacy {
        /// The 0.1 file.
        path: PathBuf,
        /// What is wrong, and the fix.
        what: String,
    },
    /// Any other SQLite or file error.
    #[error("profile database {}: {detail}", path.display())]
    Other {
        /// The database path.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
}

impl DbError {
    /// Classifies an SQLite error on `path`.
    fn from_sqlite(path: &Path, e: rusqlite::Error) -> Self {
        let path = path.to_path_buf();
        let detail = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                Self::Corrupt { path, detail }
            }
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                Self::ReadOnly { path, detail }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy { path },
            _ => Self::Other { path, detail },
        }
    }
}

/// How hard a commit holds on to its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// Synced to disk at commit (`synchronous=FULL`): the queue, the log, spend, notes.
    Synced,
    /// Written to the write-ahead log at commit and synced with a later synced commit or
    /// checkpoint (`synchronous=NORMAL`): a power loss may take the last such commits back
    /// (never half of one), a killed process loses nothing. For what X can tell again: the
    /// accounts read and the syncs that read them.
    Cache,
}

/// A cheap handle on one profile's open database (clones share the connection).
#[derive(Clone)]
pub struct Store {
    path: Arc<PathBuf>,
    conn: Arc<Mutex<Connection>>,
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl Store {
    /// Opens the database of the profile folder `profile_dir`, creating it (0600) and the
    /// folder when missing, and brings its schema up to date. A damaged, foreign or newer file
    /// is refused and left untouched. When the profile cannot be written, an existing database
    /// opens read-only (reads work, writes fail with [`DbError::ReadOnly`]).
    pub fn open(profile_dir: &Path) -> Result<Self, DbError> {
        let path = profile_dir.join(FILE_NAME);
        match check_file(&path)? {
            Some(_) => {}
            None => {
                if let Err(e) = create_file(profile_dir, &path) {
                    return Err(DbError::ReadOnly {
                        path,
                        detail: e.to_string(),
                    });
                }
            }
        }
        let store = match Self::open_path(&path, false) {
            Err(DbError::ReadOnly { .. }) => return Self::open_path(&path, true),
            other => other?,
        };
        super::legacy::migrate(&store, profile_dir)?;
        Ok(store)
    }

    /// Opens an existing database for reading only; `None` when the profile has none yet.
    /// Never creates or migrates anything.
    pub fn open_existing(profile_dir: &Path) -> Result<Option<Self>, DbError> {
        let path = profile_dir.join(FILE_NAME);
        let exists = check_file(&path)?.is_some();
        // A 0.1 profile is imported on first use, by a reader too.
        if super::legacy::has_files(profile_dir) {
            return Self::open(profile_dir).map(Some);
        }
        if !exists {
            return Ok(None);
        }
        Self::open_path(&path, true).map(Some)
    }

    fn open_path(path: &Path, read_only: bool) -> Result<Self, DbError> {
        let err = |e| DbError::from_sqlite(path, e);
        check_header(path)?;
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        flags |= if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        let found = match schema::inspect(&conn, path) {
            // A reader in a folder it cannot write cannot make the WAL index: nobody can write
            // there either, so the file is read as it stands.
            Err(DbError::ReadOnly { .. }) if read_only => {
                conn = open_immutable(path).map_err(err)?;
                schema::inspect(&conn, path)?
            }
            other => other?,
        };
        if !read_only {
            if found == 0 {
                // A new file: its page size is set before the first write makes it final.
                conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
                    .map_err(err)?;
            }
            let wal: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(err)?;
            if !wal.eq_ignore_ascii_case("wal") {
                return Err(DbError::ReadOnly {
                    path: path.to_path_buf(),
                    detail: format!("cannot switch to WAL mode (journal mode {wal})"),
                });
            }
            // A 32 MiB page cache (SQLite's default is 2 MiB) holds the account indexes while a
            // sync writes thousands of accounts, instead of reading their pages back each page.
            conn.execute_batch(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;",
            )
            .map_err(err)?;
            schema::migrate(&mut conn, found).map_err(err)?;
        } else if found < VERSION {
            // An older schema is only upgraded by a writer; this reader sees it as empty.
            return Err(DbError::ReadOnly {
                path: path.to_path_buf(),
                detail: format!("the database needs an upgrade (schema {found} to {VERSION})"),
            });
        }
        Ok(Self {
            path: Arc::new(path.to_path_buf()),
            conn: Arc::new(Mutex::new(conn)),
            read_only,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this handle can only read (the profile is not writable).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Runs `f` with this store on a blocking thread, so async code never waits on SQL.
    pub async fn call<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&Store) -> T + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .expect("store task panicked")
    }

    /// Runs `f` with this store on the calling worker thread when the runtime can lend it
    /// (`block_in_place` on a multi-threaded runtime: no hop to a blocking thread and back),
    /// else as [`Store::call`]. For one short statement that a loop waits on each time (the
    /// queue runner's commit per job).
    pub async fn call_inline<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&Store) -> T + Send + 'static,
        T: Send + 'static,
    {
        use tokio::runtime::{Handle, RuntimeFlavor};
        if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(|| f(self))
        } else {
            self.call(f).await
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable (SQLite rolls back an
        // unfinished transaction when its guard drops).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, e: rusqlite::Error) -> DbError {
        if self.read_only && e.sqlite_error_code() == Some(ErrorCode::ReadOnly) {
            return DbError::ReadOnly {
                path: self.path.to_path_buf(),
                detail: "the profile is read-only".into(),
            };
        }
        DbError::from_sqlite(&self.path, e)
    }

    /// Fails with [`DbError::ReadOnly`] on a read-only handle (before any statement runs).
    fn writable(&self) -> Result<(), DbError> {
        if self.read_only {
            return Err(DbError::ReadOnly {
                path: self.path.to_path_buf(),
                detail: "the profile is read-only".into(),
            });
        }
        Ok(())
    }

    /// Runs `f` in one immediate (write-locking) transaction, committed when `f` succeeds and
    /// synced to disk before this returns (`synchronous=FULL`: it survives a power loss).
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, DbError> {
        self.write_as(Durability::Synced, f)
    }

    /// Runs `f` in one immediate transaction committed with `durability`.
    fn write_as<T>(
        &self,
        durability: Durability,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, DbError> {
        self.writable()?;
        let mut conn = self.conn();
        let cache = durability == Durability::Cache;
        if cache {
            conn.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(|e| self.err(e))?;
        }
        let done = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        if cache {
            // Every other write of this connection is synced again.
            let back = conn.execute_batch("PRAGMA synchronous = FULL");
            if let (Ok(_), Err(e)) = (&done, back) {
                return Err(self.err(e));
            }
        }
        done.map_err(|e| self.err(e))
    }

    /// Runs `f` on the connection for reading.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, DbError> {
        let conn = self.conn();
        f(&conn).map_err(|e| self.err(e))
    }
}

fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let mut uri = url::Url::from_file_path(path)
        .map_err(|()| rusqlite::Error::InvalidPath(path.to_path_buf()))?;
    uri.set_query(Some("immutable=1"));
    Connection::open_with_flags(
        uri.as_str(),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
}

/// Refuses anything but a regular file at `path`; `None` when nothing is there.
fn check_file(path: &Path) -> Result<Option<std::fs::Metadata>, DbError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Ok(Some(m)),
        Ok(m) => Err(DbError::NotRegular {
            path: path.to_path_buf(),
            what: kind_of(&m.file_type()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DbError::Other {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Creates an empty database file with mode 0600 (never through a link), and its folder 0700.
fn create_file(profile_dir: &Path, path: &Path) -> std::io::Result<()> {
    super::atomic::create_dir(profile_dir, true)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Catches a truncated file before SQLite reads it: the header's page count must fit in the
/// file (checked only when no write-ahead log holds newer pages).
fn check_header(path: &Path) -> Result<(), DbError> {
    use std::io::Read;
    let corrupt = |detail: String| DbError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return Ok(()),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    if len < 100 || file.read_exact(&mut header).is_err() {
        return Err(corrupt("shorter than an SQLite header".into()));
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(corrupt("not an SQLite database".into()));
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if Path::new(&wal).exists() {
        return Ok(());
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536u64,
        n => u64::from(n),
    };
    let be32 = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let (pages, change, valid_for) = (be32(28), be32(24), be32(92));
    if pages > 0 && change == valid_for && u64::from(pages) * page_size > len {
        return Err(corrupt(format!(
            "truncated: {len} bytes of {}",
            u64::from(pages) * page_size
        )));
    }
    Ok(())
}

/// Unix seconds as RFC 3339 UTC (`2026-12-01T09:00:00Z`).
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub use crate::api::types::parse_rfc3339;

/// Now as Unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests;
