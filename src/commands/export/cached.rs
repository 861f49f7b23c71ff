//! The export's side of the local cache: `first_seen` for each account from the last sync, the
//! new sync stored once an export is complete, and `export --cached` (offline).

use std::collections::HashMap;
use std::io::Write;

use super::format::{FormatWriter, Known};
use crate::api::types::User;
use crate::cli::ExportArgs;
use crate::exit::{Exit, ExitError};
use crate::jobs::runner::now_rfc3339;
use crate::store::atomic::AtomicFile;
use crate::store::cache::Cache;

/// One export's sync of the cache.
pub struct CacheSync {
    cache: Cache,
    now: String,
    first_seen: HashMap<String, String>,
    /// False when the cache could not be read: it is then left untouched.
    writable: bool,
}

impl CacheSync {
    /// Reads the last sync; an unreadable cache is reported and left as it is.
    pub fn start(cache: Cache) -> Self {
        let (last, writable) = match cache.latest() {
            Ok(last) => (last, true),
            Err(e) => {
                eprintln!("warning: {e}; the cache is left as it is");
                (None, false)
            }
        };
        let first_seen = last
            .map(|s| {
                s.accounts
                    .into_iter()
                    .map(|a| (a.user.id, a.first_seen))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            cache,
            now: now_rfc3339(),
            first_seen,
            writable,
        }
    }

    /// When `id` was first seen: from the last sync, else now.
    pub fn first_seen(&self, id: &str) -> Option<String> {
        Some(self.first_seen.get(id).unwrap_or(&self.now).clone())
    }

    /// Stores a complete list as the new sync.
    pub fn store(self, users: Vec<User>) {
        if !self.writable {
            return;
        }
        if let Err(e) = self.cache.store_sync(users, &self.now) {
            eprintln!("warning: the export is complete, but the local cache was not updated: {e}");
        }
    }
}

/// `export --cached`: the last full sync from the local cache, offline.
pub fn export(cache: &Cache, args: &ExportArgs) -> anyhow::Result<()> {
    let snapshot = cache
        .latest()
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))?
        .ok_or_else(|| {
            ExitError::new(
                Exit::Other,
                "there is no local cache of the block list yet; run `xblocks export` online once",
            )
        })?;
    let filter = super::filter(args)?;
    let mut written = 0;
    let mut write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut w = FormatWriter::new(args.format, out)?.with_filter(filter.clone());
        for a in &snapshot.accounts {
            w.user(&a.user, &Known::seen(Some(&a.first_seen)))?;
        }
        written = w.written();
        w.finish().map(drop)
    };
    match &args.output {
        Some(path) => {
            let cannot = |e: std::io::Error| {
                ExitError::new(Exit::Other, format!("cannot write {}: {e}", path.display()))
            };
            let mut file = AtomicFile::create(path).map_err(cannot)?;
            write(&mut file).map_err(cannot)?;
            file.commit().map_err(cannot)?;
        }
        None => write(&mut std::io::BufWriter::new(std::io::stdout()))?,
    }
    eprintln!(
        "exported {} from the local cache of {}",
        super::exported(written, snapshot.accounts.len(), args.where_.as_deref()),
        snapshot.synced_at
    );
    Ok(())
}
