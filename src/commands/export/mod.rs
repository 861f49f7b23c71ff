//! `xblocks export`: the whole block list as ids, csv or json, to stdout or atomically to
//! FILE. Exports to a FILE are resumable: an interrupted or rate-limited run (`--no-wait`)
//! keeps its progress beside FILE, and the same command continues where it stopped.

pub mod cached;
pub mod format;
pub mod output;
pub mod page_store;
pub mod partial;

use std::io::Write;
use std::path::Path;

use super::profile_db;
use super::progress::Progress;
use crate::api::price::{Caps, Prices, Usd};
use crate::api::types::User;
use crate::api::{ApiError, RawPage};
use crate::auth::session::{self, Session};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::text::sanitize as inert;
pub use format::{Filter, FormatWriter, Known, CSV_HEADER};
use output::Target;
use page_store::PageStore;
use partial::Partial;

/// Runs `xblocks export`.
pub async fn run(global: GlobalArgs, args: ExportArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    // The destination is checked (and locked) before anything is read or sent.
    let filter = filter(&args)?;
    let target = args.output.as_deref().map(Target::open).transpose()?;
    let out = Output {
        format: args.format,
        filter,
        query: args.where_.clone(),
    };
    if args.cached {
        let store = profile_db::open_existing(&paths).await?;
        return profile_db::blocking(move || cached::export(store, out, target)).await;
    }
    let store = profile_db::open(&paths).await?;
    let config = crate::store::config::Config::load(&paths)?;
    let spent_before = {
        let st = store.clone();
        profile_db::blocking(move || st.spent_today())
            .await
            .map_err(profile_db::exit)?
    };
    let caps = Caps {
        max_cost: args.max_cost,
        daily_cap: config.billing.daily_cap(),
        spent_before: Usd::from_dollars(spent_before),
        spent_run: Usd::ZERO,
    };
    if !args.live {
        if let Some(fresh) = from_database(&global, &store, &config, caps).await? {
            let st = Some(store);
            profile_db::blocking(move || cached::export(st, out, target)).await?;
            if let Some(note) = fresh {
                super::signals::note(&note);
            }
            return Ok(());
        }
    }
    *SPEND.lock().unwrap_or_else(|e| e.into_inner()) = Some(Spend {
        caps,
        prices: config.billing.prices(),
    });
    let done = live(&global, out, store, target).await;
    // The database handle must close before the process ends (its WAL is checkpointed then).
    SPEND.lock().unwrap_or_else(|e| e.into_inner()).take();
    done
}

/// The export read from X (recorded as a full sync of the database as it goes).
async fn live(
    global: &GlobalArgs,
    out: Output,
    store: crate::store::db::Store,
    target: Option<Target>,
) -> anyhow::Result<()> {
    // Signing in and reading what the database knows run side by side.
    let st = store.clone();
    let (s, sync) = tokio::join!(
        crate::commands::progress::connect(global),
        profile_db::blocking(move || cached::StoreSync::start(store))
    );
    let (s, sync) = (s?, sync.map_err(profile_db::exit)?);
    // The stored list is this account's: a later start (the TUI offline, with an environment
    // token too) knows whose it is without asking X.
    let me = s.me.clone();
    profile_db::blocking(move || super::account::remember(&st, &me)).await;
    match target {
        Some(Target::File { path, lock }) => {
            let done = to_file(&s, out, &path, sync).await;
            drop(lock);
            done
        }
        Some(Target::Stream(file)) => to_stream(&s, out, sync, std::io::BufWriter::new(file)).await,
        None => to_stream(&s, out, sync, std::io::BufWriter::new(std::io::stdout())).await,
    }
}

/// What to write: the format and the `--where` filter.
pub struct Output {
    /// The format.
    pub format: ExportFormat,
    /// `--where`, parsed.
    pub filter: Option<Filter>,
    /// `--where` as typed (named in the summary).
    pub query: Option<String>,
}

impl Output {
    /// A writer of this format and filter.
    pub fn writer<W: Write>(&self, out: W) -> std::io::Result<FormatWriter<W>> {
        Ok(FormatWriter::new(self.format, out)?.with_filter(self.filter.clone()))
    }

    /// Whether what is written depends on what the database knows of each account (its
    /// notes, tags, kept mark, first sighting): `csv`, `jsonl` and `--where` read it.
    pub fn reads_known(&self) -> bool {
        self.filter.is_some() || matches!(self.format, ExportFormat::Csv | ExportFormat::Jsonl)
    }

    /// `12 blocked accounts` or `3 of 12 blocked accounts matching "QUERY"`.
    pub fn exported(&self, written: usize, total: usize) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match &self.query {
            Some(q) => format!(
                "{written} of {total} blocked account{} matching {q:?}",
                plural(total)
            ),
            None => format!("{total} blocked account{}", plural(total)),
        }
    }
}

/// Whether the export can be answered from the database: `Some` when the last sync is younger
/// than `[sync] max_age`, or after a top-up on a list a full sync completed (`Some(note)` says
/// what the top-up did); `None` when only a live read will do (no complete sync yet).
async fn from_database(
    global: &GlobalArgs,
    store: &crate::store::db::Store,
    config: &crate::store::config::Config,
    caps: Caps,
) -> anyhow::Result<Option<Option<String>>> {
    let st = store.clone();
    let (last, full) = profile_db::blocking(move || {
        Ok::<_, crate::store::db::DbError>((st.last_sync()?, st.last_full_syncs(1)?))
    })
    .await
    .map_err(profile_db::exit)?;
    if full.is_empty() {
        return Ok(None);
    }
    let max_age = config.sync.max_age().as_secs() as i64;
    let now = crate::store::db::now_unix();
    if last
        .and_then(|l| l.finished)
        .is_some_and(|f| now - f < max_age)
    {
        return Ok(Some(None));
    }
    // Stale: a top-up first (cheap: k new blocks cost about k accounts).
    let (client, _, token) = session::client(&global.session())?;
    let me = super::sync::me_id(&client, token.as_ref(), store).await?;
    let prices = config.billing.prices();
    let o = super::sync::run_sync(&client, &me, store, false, &prices, caps).await?;
    Ok(Some(Some(format!(
        "topped up first: {}, {} ({} new), about {}",
        crate::text::count(o.requests, "request"),
        crate::text::count(o.accounts, "account"),
        o.new,
        o.cost
    ))))
}

/// `--where QUERY` parsed; a bad query is a usage error (exit 2) naming the column.
pub fn filter(args: &ExportArgs) -> Result<Option<Filter>, ExitError> {
    args.where_
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(|e| ExitError::new(Exit::Usage, format!("--where: {e}")))
}

/// What stopped a page loop early.
enum Stop {
    Interrupted,
    Failed(ApiError),
    /// A page's worst case would cross `--max-cost` or `[billing] daily_cap`: not sent.
    Cap(crate::api::price::CapStop),
}

/// The caps of this export's live reads and its prices.
struct Spend {
    caps: Caps,
    prices: Prices,
}

/// This export's [`Spend`] (one export per process).
static SPEND: std::sync::Mutex<Option<Spend>> = std::sync::Mutex::new(None);

/// Admits one page of `max_results` accounts under the caps.
fn admit_page(max_results: u64) -> Result<(), crate::api::price::CapStop> {
    let spend = SPEND.lock().unwrap_or_else(|e| e.into_inner());
    match &*spend {
        Some(s) => s.caps.admit(s.prices.page(max_results)),
        None => Ok(()),
    }
}

/// Counts what a page of `accounts` cost against the caps; returns the cost.
fn spend_page(accounts: u64) -> Usd {
    let mut spend = SPEND.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = &mut *spend else {
        return Usd::ZERO;
    };
    let cost = s.prices.accounts(accounts, 0);
    s.caps.spend(cost);
    cost
}

/// What [`fetch`] hands each page to: returns how many accounts it added and those to store
/// in the database.
type EachPage<'a> = dyn FnMut(RawPage) -> std::io::Result<(usize, Vec<(User, String)>)> + 'a;

/// A request for the page after `token`, running on its own task (answer and JSON split
/// included) so it is served while the last page is written out and stored.
struct Ahead(tokio::task::JoinHandle<Result<RawPage, ApiError>>);

impl Ahead {
    fn send(s: &Session, token: Option<String>) -> Self {
        let (client, me) = (s.client.clone(), s.me.id.clone());
        Self(tokio::spawn(async move {
            client.blocking_page_raw(&me, token.as_deref()).await
        }))
    }

    async fn page(&mut self) -> Result<RawPage, ApiError> {
        (&mut self.0)
            .await
            .expect("the export's request task panicked")
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Fetches raw pages from `start` and hands each to `each`, until the end, an interrupt
/// (Ctrl-C, SIGTERM, SIGHUP) or an error. The next page is requested (when the caps admit it)
/// before `each` gets this one; each page's cost (and what `each` returns to store) goes to
/// `writer` while the next page is fetched.
async fn fetch(
    s: &Session,
    start: Option<String>,
    progress: &Progress,
    mut count: usize,
    writer: &PageStore,
    each: &mut EachPage<'_>,
) -> anyhow::Result<Result<usize, Stop>> {
    let admit = || admit_page(u64::from(crate::api::client::MAX_RESULTS));
    let mut token = start;
    let mut npages = 0usize;
    let interrupted = super::signals::interrupted();
    tokio::pin!(interrupted);
    if let Err(stop) = admit() {
        return Ok(Err(Stop::Cap(stop)));
    }
    let mut request = Ahead::send(s, token.clone());
    loop {
        let page = tokio::select! {
            page = request.page() => page,
            _ = &mut interrupted => return Ok(Err(Stop::Interrupted)),
        };
        let page = match page {
            Ok(p) => p,
            Err(e) => return Ok(Err(Stop::Failed(e))),
        };
        let next = page.next_token.clone();
        if next.is_some() && next == token {
            let e = ApiError::Decode("X returned the same pagination token twice".into());
            return Ok(Err(Stop::Failed(e)));
        }
        let cost = spend_page(page.users.len() as u64);
        let ahead = match &next {
            Some(t) => admit().map(|()| Ahead::send(s, Some(t.clone()))).map(Some),
            None => Ok(None),
        };
        // The page's cost is recorded even when it could not be written out.
        let (added, accounts, failed) = match each(page) {
            Ok((added, accounts)) => (added, accounts, None),
            Err(e) => (0, Vec::new(), Some(e)),
        };
        writer.page(accounts, cost).await;
        if let Some(e) = failed {
            // A page already asked for is paid for: its cost is recorded too.
            if let Ok(Some(mut ahead)) = ahead {
                if let Ok(p) = ahead.page().await {
                    writer
                        .page(Vec::new(), spend_page(p.users.len() as u64))
                        .await;
                }
            }
            return Err(e.into());
        }
        count += added;
        npages += 1;
        progress.update("exporting", count, npages);
        match ahead {
            Ok(None) => return Ok(Ok(count)),
            Ok(Some(ahead)) => request = ahead,
            Err(stop) => return Ok(Err(Stop::Cap(stop))),
        }
        token = next;
    }
}

/// Writes the list as it is read: to stdout, a character device, a FIFO or `/dev/fd/N`; the
/// accounts go into the database as they arrive (a full sync, finished when the list is).
async fn to_stream(
    s: &Session,
    output: Output,
    sync: cached::StoreSync,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut writer = output.writer(out)?;
    let progress = Progress::new(s.client.rate_events());
    let pages = PageStore::start(sync.store().clone(), true);
    let mut seen = std::collections::HashSet::new();
    // Only `--where` reads the fields this client does not model (the stored and written
    // objects are X's text), and only some formats and `--where` what the database knows.
    let decode = if output.filter.is_some() {
        crate::api::types::RawUser::decode
    } else {
        crate::api::types::RawUser::decode_typed
    };
    let with_known = output.reads_known();
    let mut each = |page: RawPage| {
        let mut fresh = Vec::with_capacity(page.users.len());
        for raw in page.users {
            let u = match decode(&raw) {
                Ok(u) => u,
                // An object without a string id is no account: skipped.
                Err(_) if raw.id().is_none() => continue,
                Err(e) => return Err(e.into()),
            };
            // The list can shift while it is read (a block added meanwhile): never repeat an id.
            if seen.insert(u.id.clone()) {
                let known = if with_known {
                    sync.known(&u.id)
                } else {
                    Known::default()
                };
                writer.raw(&u, raw.json(), &known)?;
                fresh.push((u, raw.into_json()));
            }
        }
        Ok((fresh.len(), fresh))
    };
    let done = fetch(s, None, &progress, 0, &pages, &mut each).await;
    let written = writer.written();
    let done = match done {
        Ok(Ok(count)) => writer
            .finish()
            .and_then(|mut w| w.flush())
            .map(|()| Ok(count))
            .map_err(anyhow::Error::from),
        other => other,
    };
    let complete = matches!(done, Ok(Ok(_)));
    match pages.finish(complete).await {
        Err(e) if complete => eprintln!(
            "warning: the export is complete, but the local database was not updated: {e}"
        ),
        Err(e) => tracing::warn!("the export's accounts were not stored: {e}"),
        Ok(()) => {}
    }
    match done? {
        Ok(count) => {
            progress.finish(&format!(
                "exported {} of @{}",
                output.exported(written, count),
                inert(&s.me.username)
            ));
            Ok(())
        }
        Err(Stop::Interrupted) => Err(ExitError::new(
            Exit::Interrupted,
            "interrupted: the export written so far is incomplete; use -o FILE (a regular file) for an export that can resume",
        )
        .into()),
        Err(Stop::Failed(e)) => Err(ExitError::from(e).into()),
        Err(Stop::Cap(stop)) => Err(ExitError::new(
            Exit::Money,
            format!("{stop}; the export on stdout is incomplete"),
        )
        .into()),
    }
}

async fn to_file(
    s: &Session,
    output: Output,
    path: &Path,
    sync: cached::StoreSync,
) -> anyhow::Result<()> {
    let cannot = |e: std::io::Error| {
        ExitError::new(Exit::Other, format!("cannot write {}: {e}", path.display()))
    };
    let (mut partial, resumed) = Partial::open(path, &s.me.id).map_err(cannot)?;
    let already = partial.seen.len();
    let progress = Progress::new(s.client.rate_events());
    if resumed {
        progress.note(&format!(
            "resuming the export to {} after {already} accounts",
            path.display()
        ));
    }
    let start = partial.checkpoint.next_token.clone();
    let mut pages = 0;
    let done = if resumed && start.is_none() {
        Ok(already)
    } else {
        // The accounts are stored once the file is complete (earlier runs read some of them).
        let spend = PageStore::start(sync.store().clone(), false);
        let mut each = |page: RawPage| {
            pages += 1;
            let added = partial.append(&page.users, page.next_token.clone())?;
            Ok((added, Vec::new()))
        };
        let done = fetch(s, start, &progress, already, &spend, &mut each).await;
        // Only the spend was handed over: nothing to report but what the writer logged.
        let _ = spend.finish(false).await;
        done?
    };
    let saved = partial.seen.len();
    let resume_hint = |what: String, code: Exit| -> anyhow::Error {
        ExitError::new(
            code,
            format!("{what}\n{saved} accounts saved; run the same command again to continue"),
        )
        .into()
    };
    match done {
        Ok(_) => {
            let (users, written) = partial
                .finish(path, &output, &|id| sync.known(id))
                .map_err(cannot)?;
            let count = users.len();
            profile_db::blocking(move || sync.save(users, pages)).await;
            progress.finish(&format!(
                "exported {} of @{} to {}",
                output.exported(written, count),
                inert(&s.me.username),
                path.display()
            ));
            Ok(())
        }
        Err(Stop::Interrupted) if saved == 0 => {
            partial.discard();
            Err(ExitError::new(
                Exit::Interrupted,
                "interrupted before any account was saved; run the same command again to export",
            )
            .into())
        }
        Err(Stop::Cap(stop)) => Err(resume_hint(stop.to_string(), Exit::Money)),
        Err(Stop::Interrupted) => Err(resume_hint(
            format!("interrupted: {} was not written yet", path.display()),
            Exit::Interrupted,
        )),
        Err(Stop::Failed(e)) if saved == 0 => {
            partial.discard();
            Err(ExitError::from(e).into())
        }
        Err(Stop::Failed(e @ ApiError::Server { status: 400, .. })) if resumed => {
            partial.discard();
            Err(ExitError::new(
                Exit::Other,
                format!(
                    "{}\nX no longer accepts the saved position; run the same command again to start over",
                    e.user_message()
                ),
            )
            .into())
        }
        Err(Stop::Failed(e)) => {
            let code = Exit::from(&e);
            Err(resume_hint(e.user_message(), code))
        }
    }
}
