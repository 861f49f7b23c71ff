//! `xblocks export`: the whole block list as ids, csv or json, to stdout or atomically to
//! FILE. Exports to a FILE are resumable: an interrupted or rate-limited run (`--no-wait`)
//! keeps its progress beside FILE, and the same command continues where it stopped.

pub mod cached;
pub mod format;
pub mod output;
pub mod partial;

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use super::profile_db;
use super::progress::Progress;
use crate::api::types::User;
use crate::api::{ApiError, RawPage};
use crate::auth::session::{self, Session};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::store::paths::Paths;
use crate::text::sanitize as inert;
pub use format::{FormatWriter, CSV_HEADER};
use output::Target;
use partial::Partial;

/// Runs `xblocks export`.
pub async fn run(global: GlobalArgs, args: ExportArgs) -> anyhow::Result<()> {
    let paths = Paths::resolve(&global);
    // The destination is checked (and locked) before anything is read or sent.
    let target = args.output.as_deref().map(Target::open).transpose()?;
    if args.cached {
        let store = profile_db::open_existing(&paths).await?;
        let format = args.format;
        return profile_db::blocking(move || cached::export(store, format, target)).await;
    }
    let store = profile_db::open(&paths).await?;
    let s = session::connect(&global).await?;
    let sync = profile_db::blocking(move || cached::StoreSync::start(store))
        .await
        .map_err(profile_db::exit)?;
    match target {
        Some(Target::File { path, lock }) => {
            let done = to_file(&s, args.format, &path, sync).await;
            drop(lock);
            done
        }
        Some(Target::Stream(file)) => {
            to_stream(&s, args.format, sync, std::io::BufWriter::new(file)).await
        }
        None => {
            to_stream(
                &s,
                args.format,
                sync,
                std::io::BufWriter::new(std::io::stdout()),
            )
            .await
        }
    }
}

/// What stopped a page loop early.
enum Stop {
    Interrupted,
    Failed(ApiError),
}

/// Fetches raw pages from `start` and hands each to `each`, until the end, an interrupt
/// (Ctrl-C, SIGTERM, SIGHUP) or an error.
async fn fetch(
    s: &Session,
    start: Option<String>,
    progress: &Progress,
    mut count: usize,
    mut each: impl FnMut(RawPage) -> std::io::Result<usize>,
) -> anyhow::Result<Result<usize, Stop>> {
    let mut token = start;
    let mut npages = 0usize;
    let interrupted = super::signals::interrupted();
    tokio::pin!(interrupted);
    loop {
        let page = tokio::select! {
            page = s.client.blocking_page_raw(&s.me.id, token.as_deref()) => page,
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
        count += each(page)?;
        npages += 1;
        progress.update("exporting", count, npages);
        match next {
            None => return Ok(Ok(count)),
            Some(t) => token = Some(t),
        }
    }
}

/// Writes the list as it is read: to stdout, a character device, a FIFO or `/dev/fd/N`.
async fn to_stream(
    s: &Session,
    format: ExportFormat,
    sync: cached::StoreSync,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut writer = FormatWriter::new(format, out)?;
    let progress = Progress::new(s.client.rate_events());
    let mut seen = std::collections::HashSet::new();
    let mut users = Vec::new();
    let mut pages = 0;
    let done = fetch(s, None, &progress, 0, |page| {
        pages += 1;
        let mut n = 0;
        for v in &page.users {
            // The list can shift while it is read (a block added meanwhile): never repeat an id.
            if partial::user_id_of(v).is_some_and(|id| seen.insert(id)) {
                let u = User::deserialize(v)?;
                writer.value(v, sync.first_seen(&u.id).as_deref())?;
                users.push(u);
                n += 1;
            }
        }
        Ok(n)
    })
    .await?;
    match done {
        Ok(count) => {
            writer.finish()?.flush()?;
            profile_db::blocking(move || sync.store(users, pages)).await;
            progress.finish(&format!(
                "exported {count} blocked accounts of @{}",
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
    }
}

async fn to_file(
    s: &Session,
    format: ExportFormat,
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
        fetch(s, start, &progress, already, |page| {
            pages += 1;
            partial.append(&page.users, page.next_token.clone())
        })
        .await?
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
            let users = partial
                .finish(path, format, &|id| sync.first_seen(id))
                .map_err(cannot)?;
            let count = users.len();
            profile_db::blocking(move || sync.store(users, pages)).await;
            progress.finish(&format!(
                "exported {count} blocked accounts of @{} to {}",
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
            let code = e.exit_code();
            Err(resume_hint(e.user_message(), code))
        }
    }
}
