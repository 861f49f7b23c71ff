//! The export's side of the profile database: `first_seen` for each account, the list stored as
//! a full sync once an export is complete, and `export --cached` (offline).

use std::collections::HashMap;
use std::io::Write;

use super::format::Known;
use super::output::Target;
use super::Output;
use crate::api::types::User;
use crate::exit::{Exit, ExitError};
use crate::store::atomic::AtomicFile;
use crate::store::db::{self, PageBatch, Store, SyncKind, SyncTotals};

/// Accounts per upserted page when a finished export is stored.
const PAGE: usize = 1000;

/// One export's sync of the database.
pub struct StoreSync {
    store: Store,
    now: String,
    first_seen: HashMap<String, String>,
    notes: Notes,
}

impl StoreSync {
    /// Reads each known account's `first_seen` from `store`.
    pub fn start(store: Store) -> Result<Self, db::DbError> {
        let first_seen = store
            .first_seen_all()?
            .into_iter()
            .map(|(id, t)| (id, db::rfc3339(t)))
            .collect();
        let notes = Notes::load(&store)?;
        Ok(Self {
            store,
            now: db::now_rfc3339(),
            first_seen,
            notes,
        })
    }

    /// What the database knows of `id` beside X's object (first seen: now when new).
    pub fn known(&self, id: &str) -> Known {
        let mut k = self.notes.known(id);
        k.first_seen = self.first_seen(id);
        k.last_seen = Some(self.now.clone());
        k
    }

    /// When `id` was first seen: from the database, else now.
    pub fn first_seen(&self, id: &str) -> Option<String> {
        Some(self.first_seen.get(id).unwrap_or(&self.now).clone())
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stores a complete list (each account with X's object) as a full sync: accounts not in
    /// it are marked gone.
    pub fn save(self, users: Vec<(User, String)>, requests: u64) {
        if let Err(e) = save_full(&self.store, users, requests) {
            eprintln!(
                "warning: the export is complete, but the local database was not updated: {e}"
            );
        }
    }
}

fn save_full(store: &Store, users: Vec<(User, String)>, requests: u64) -> Result<(), db::DbError> {
    let id = store.begin_sync(SyncKind::Full)?;
    let totals = SyncTotals {
        requests,
        accounts: users.len() as u64,
        cost_usd: 0.0,
    };
    let mut users = users.into_iter();
    let mut first_pos = 0;
    loop {
        let accounts: Vec<_> = users.by_ref().take(PAGE).collect();
        if accounts.is_empty() {
            break;
        }
        let batch = PageBatch {
            first_pos,
            totals: SyncTotals {
                accounts: first_pos + accounts.len() as u64,
                ..totals
            },
            accounts,
            spend: None,
        };
        store.store_pages(id, &batch)?;
        first_pos = batch.totals.accounts;
    }
    store.finish_sync(id, totals)?;
    Ok(())
}

/// Notes, tags and the keep list, read once per export.
pub struct Notes {
    notes: HashMap<String, String>,
    tags: HashMap<String, std::collections::BTreeSet<String>>,
    kept: std::collections::HashSet<String>,
}

impl Notes {
    /// Reads them from `store`.
    pub fn load(store: &Store) -> Result<Self, db::DbError> {
        Ok(Self {
            notes: store.notes()?,
            tags: store.all_tags()?,
            kept: store.kept()?,
        })
    }

    /// The note, tags and keep flag of `id`.
    pub fn known(&self, id: &str) -> Known {
        Known {
            note: self.notes.get(id).cloned().unwrap_or_default(),
            tags: self
                .tags
                .get(id)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default(),
            kept: self.kept.contains(id),
            ..Known::default()
        }
    }
}

/// `export --cached`: the list as the database holds it, offline.
pub fn export(store: Option<Store>, output: Output, target: Option<Target>) -> anyhow::Result<()> {
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
    let accounts = store.export_rows().map_err(fail)?;
    let notes = Notes::load(&store).map_err(fail)?;
    let mut written = 0;
    let mut write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut w = output.writer(out)?;
        for a in &accounts {
            let u: User = serde_json::from_str(&a.json)?;
            let mut known = notes.known(&a.id);
            known.first_seen = Some(db::rfc3339(a.first_seen));
            known.last_seen = Some(db::rfc3339(a.last_seen));
            w.raw(&u, &a.json, &known)?;
        }
        written = w.written();
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
    eprintln!(
        "exported {} from the local database (last sync {})",
        output.exported(written, accounts.len()),
        last.finished.map(db::rfc3339).unwrap_or_default()
    );
    Ok(())
}
