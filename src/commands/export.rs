//! `xblocks export`: the whole block list as ids, csv or json, to stdout or atomically to FILE.

use std::collections::HashMap;
use std::io::Write;

use futures::StreamExt;

use super::progress::Progress;
use crate::api::pagination::{pages, ListKind};
use crate::api::types::User;
use crate::auth::session::{self, Session};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::runner::now_rfc3339;
use crate::store::atomic::AtomicFile;
use crate::store::cache::Cache;
use crate::store::paths::Paths;

use super::text::inert;

/// The csv header, exactly as PRODUCT.md fixes it.
pub const CSV_HEADER: [&str; 11] = [
    "id",
    "username",
    "name",
    "created_at",
    "followers",
    "following",
    "tweets",
    "verified",
    "protected",
    "description",
    "first_seen",
];

/// Runs `xblocks export`.
pub async fn run(global: GlobalArgs, args: ExportArgs) -> anyhow::Result<()> {
    let cache = Cache::new(&Paths::resolve(&global).profile_dir);
    if args.cached {
        return export_cached(&cache, &args);
    }
    let s = session::connect(&global).await?;
    match &args.output {
        Some(path) => {
            let file = AtomicFile::create(path).map_err(|e| {
                ExitError::new(Exit::Other, format!("cannot write {}: {e}", path.display()))
            })?;
            let (file, count, progress) = export_to(&s, &cache, args.format, file).await?;
            file.commit().map_err(|e| {
                ExitError::new(Exit::Other, format!("cannot write {}: {e}", path.display()))
            })?;
            progress.finish(&format!(
                "exported {count} blocked accounts of @{} to {}",
                inert(&s.me.username),
                path.display()
            ));
        }
        None => {
            let out = std::io::BufWriter::new(std::io::stdout());
            let (_, count, progress) = export_to(&s, &cache, args.format, out).await?;
            progress.finish(&format!(
                "exported {count} blocked accounts of @{}",
                inert(&s.me.username)
            ));
        }
    }
    Ok(())
}

/// `export --cached`: the last full sync from the local cache, offline.
fn export_cached(cache: &Cache, args: &ExportArgs) -> anyhow::Result<()> {
    let snapshot = cache
        .latest()
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))?
        .ok_or_else(|| {
            ExitError::new(
                Exit::Other,
                "there is no local cache of the block list yet; run `xblocks export` online once",
            )
        })?;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut w = FormatWriter::new(args.format, out)?;
        for a in &snapshot.accounts {
            w.user(&a.user, Some(&a.first_seen))?;
        }
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
        "exported {} blocked accounts from the local cache of {}",
        snapshot.accounts.len(),
        snapshot.synced_at
    );
    Ok(())
}

/// Pages through the whole block list into `out`; returns it flushed, with the count. A
/// complete list is stored in the local cache, keeping each account's `first_seen`.
async fn export_to<W: Write>(
    s: &Session,
    cache: &Cache,
    format: ExportFormat,
    out: W,
) -> anyhow::Result<(W, usize, Progress)> {
    let now = now_rfc3339();
    let (last, cache_ok) = match cache.latest() {
        Ok(last) => (last, true),
        Err(e) => {
            eprintln!("warning: {e}; the cache is left as it is");
            (None, false)
        }
    };
    let first_seen: HashMap<String, String> = last
        .map(|s| {
            s.accounts
                .into_iter()
                .map(|a| (a.user.id, a.first_seen))
                .collect()
        })
        .unwrap_or_default();
    let mut synced: Vec<User> = Vec::new();
    let mut writer = FormatWriter::new(format, out)?;
    let progress = Progress::new(s.client.rate_events());
    let mut stream = std::pin::pin!(pages(
        s.client.clone(),
        ListKind::Blocking,
        s.me.id.clone(),
        None
    ));
    let (mut count, mut npages) = (0usize, 0usize);
    let interrupted = interrupted();
    tokio::pin!(interrupted);
    loop {
        let next = tokio::select! {
            next = stream.next() => next,
            _ = &mut interrupted => {
                return Err(ExitError::new(
                    Exit::Interrupted,
                    "interrupted: the export was not written (an -o FILE keeps its old content); run it again",
                )
                .into());
            }
        };
        let Some(page) = next else { break };
        let page = page.map_err(ExitError::from)?;
        for u in &page.page.users {
            writer.user(u, Some(first_seen.get(&u.id).unwrap_or(&now)))?;
        }
        synced.extend(page.page.users);
        count = synced.len();
        npages += 1;
        progress.update("exporting", count, npages);
    }
    let out = writer.finish()?;
    if cache_ok {
        if let Err(e) = cache.store_sync(synced, &now) {
            eprintln!("warning: the export is complete, but the local cache was not updated: {e}");
        }
    }
    Ok((out, count, progress))
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP, so an interrupted export ends cleanly (exit 130,
/// no temp file left beside an `-o FILE`).
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Writes users in one of the export formats.
pub struct FormatWriter<W: Write> {
    out: Out<W>,
    first: bool,
}

enum Out<W: Write> {
    Ids(W),
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

impl<W: Write> FormatWriter<W> {
    /// Starts the output (csv header, json `[`).
    pub fn new(format: ExportFormat, mut out: W) -> std::io::Result<Self> {
        let out = match format {
            ExportFormat::Ids => Out::Ids(out),
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)?;
                Out::Csv(Box::new(w))
            }
            ExportFormat::Json => {
                out.write_all(b"[")?;
                Out::Json(out)
            }
        };
        Ok(Self { out, first: true })
    }

    /// Writes one user; `first_seen` fills the csv column of that name.
    pub fn user(&mut self, u: &User, first_seen: Option<&str>) -> std::io::Result<()> {
        match &mut self.out {
            Out::Ids(out) => writeln!(out, "{}", u.id),
            Out::Csv(w) => {
                let m = u.public_metrics;
                let num = |f: fn(&crate::api::types::PublicMetrics) -> u64| {
                    m.as_ref().map(|m| f(m).to_string()).unwrap_or_default()
                };
                let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
                w.write_record([
                    u.id.as_str(),
                    u.username.as_str(),
                    u.name.as_str(),
                    u.created_at.as_deref().unwrap_or(""),
                    &num(|m| m.followers_count),
                    &num(|m| m.following_count),
                    &num(|m| m.tweet_count),
                    &flag(u.verified),
                    &flag(u.protected),
                    u.description.as_deref().unwrap_or(""),
                    first_seen.unwrap_or(""),
                ])?;
                Ok(())
            }
            Out::Json(out) => {
                out.write_all(if self.first { b"\n  " } else { b",\n  " })?;
                self.first = false;
                serde_json::to_writer(&mut *out, u)?;
                Ok(())
            }
        }
    }

    /// Ends the output (json `]`), flushes, and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        let mut out = match self.out {
            Out::Ids(w) => w,
            Out::Csv(w) => (*w).into_inner().map_err(|e| e.into_error())?,
            Out::Json(mut w) => {
                w.write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
                w
            }
        };
        out.flush()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<User> {
        let a: User = serde_json::from_str(
            r#"{"id":"12","name":"Jack, \"the\" founder","username":"jack","created_at":"2006-03-21T20:50:14.000Z",
                "description":"line one\nline two","public_metrics":{"followers_count":5,"following_count":6,"tweet_count":7,"listed_count":1},
                "verified":true,"protected":false,"most_recent_tweet_id":"99"}"#,
        )
        .unwrap();
        let b: User = serde_json::from_str(r#"{"id":"13","name":"B","username":"b"}"#).unwrap();
        vec![a, b]
    }

    fn render(format: ExportFormat, users: &[User]) -> String {
        let mut w = FormatWriter::new(format, Vec::new()).unwrap();
        for u in users {
            w.user(u, None).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn ids_one_per_line_no_header() {
        assert_eq!(render(ExportFormat::Ids, &users()), "12\n13\n");
        assert_eq!(render(ExportFormat::Ids, &[]), "");
    }

    #[test]
    fn csv_header_quoting_and_empty_fields() {
        let out = render(ExportFormat::Csv, &users());
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen"
        );
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "Jack, \"the\" founder");
        assert_eq!(&rows[0][4], "5");
        assert_eq!(&rows[0][6], "7");
        assert_eq!(&rows[0][7], "true");
        assert_eq!(&rows[0][9], "line one\nline two");
        assert_eq!(&rows[0][10], "");
        assert_eq!(&rows[1][4], "");
    }

    #[test]
    fn json_is_an_array_of_api_objects() {
        let out = render(ExportFormat::Json, &users());
        let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["public_metrics"]["tweet_count"], 7);
        assert_eq!(v[0]["most_recent_tweet_id"], "99");
        assert!(v[1].get("created_at").is_none());
        assert_eq!(render(ExportFormat::Json, &[]).trim(), "[]");
    }
}
