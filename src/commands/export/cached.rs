//! The export's side of the profile database: `first_seen` for each account, the list stored as
//! a full sync once an export is complete, and `export --cached` (offline).

use std::collections::HashMap;
use std::io::Write;

use super::format::FormatWriter;
use super::output::Target;
use crate::api::types::User;
use crate::cli::ExportFormat;
use crate::exit::{Exit, ExitError};
use crate::store::atomic::AtomicFile;
use crate::store::db::{self, Store, SyncKind, SyncTotals};

/// Accounts per upserted page when a finished export is stored.
const PAGE: usize = 1000;

/// One export's sync of the database.
pub struct StoreSync {
    store: Store,
    now: String,
    first_seen: HashMap<String, String>,
}

impl StoreSync {
    /// Reads each known account's `first_seen` from `store`.
    pub fn start(store: Store) -> Result<Self, db::DbError> {
        let first_seen = store
            .load_all()?
            .into_iter()
            .map(|a| (a.user.id, db::rfc3339(a.first_seen)))
            .collect();
        Ok(Self {
            store,
            now: db::now_rfc3339(),
            first_seen,
        })
    }

    /// When `id` was first seen: from the database, else now.
    pub fn first_seen(&self, id: &str) -> Option<String> {
        Some(self.first_seen.get(id).unwrap_or(&self.now).clone())
    }

    /// Stores a complete list as a full sync (accounts not in it are marked gone).
    pub fn store(self, users: Vec<User>, requests: u64) {
        if let Err(e) = save_full(&self.store, &users, requests) {
            eprintln!(
                "warning: the export is complete, but the local database was not updated: {e}"
            );
        }
    }
}

fn save_full(store: &Store, users: &[User], requests: u64) -> Result<(), db::DbError> {
    let id = store.begin_sync(SyncKind::Full)?;
    for (n, page) in users.chunks(PAGE).enumerate() {
        store.upsert_page(id, (n * PAGE) as u64, page)?;
    }
    store.finish_sync(
        id,
        SyncTotals {
            requests,
            accounts: users.len() as u64,
            cost_usd: 0.0,
        },
    )?;
    Ok(())
}

/// `export --cached`: the list as the database holds it, offline.
pub fn export(
    store: Option<Store>,
    format: ExportFormat,
    target: Option<Target>,
) -> anyhow::Result<()> {
    let fail = |e: db::DbError| ExitError::new(Exit::Other, e.to_string());
    let last = match &store {
        Some(s) => s.last_sync().map_err(fail)?,
        None => None,
    };
    let (Some(store), Some(last)) = (store, last) else {
        return Err(ExitError::new(
            Exit::Other,
            "the local database holds no sync of the block list yet; run `xblocks export` online once",
        )
        .into());
    };
    let accounts = store.accounts_json().map_err(fail)?;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut w = FormatWriter::new(format, out)?;
        for (json, first_seen) in &accounts {
            let v: serde_json::Value = serde_json::from_str(json)?;
            w.value(&v, Some(&db::rfc3339(*first_seen)))?;
        }
        w.finish().map(drop)
    };
    match target {
        Some(Target::File { path, lock }) => {
            let cannot = |e: std::io::Error| {
                ExitError::new(Exit::Other, format!("cannot write {}: {e}", path.display()))
            };
            let mut file = AtomicFile::create(&path).map_err(cannot)?;
            write(&mut file).map_err(cannot)?;
            file.commit().map_err(cannot)?;
            drop(lock);
        }
        Some(Target::Stream(file)) => write(&mut std::io::BufWriter::new(file))?,
        None => write(&mut std::io::BufWriter::new(std::io::stdout()))?,
    }
    let n = accounts.len();
    eprintln!(
        "exported {n} blocked account{} from the local database (last sync {})",
        if n == 1 { "" } else { "s" },
        last.finished.map(db::rfc3339).unwrap_or_default()
    );
    Ok(())
}
