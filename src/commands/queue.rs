//! `xblocks queue [--json]` and `xblocks history [--limit N] [--json]`: the durable queue (open
//! jobs with their due time, recent finished ones) and the action log, read from the local
//! database only.

use serde::Serialize;

use crate::app::duration::due_words;
use crate::cli::{GlobalArgs, HistoryArgs, QueueArgs};
use crate::store::db::{rfc3339, Job, JobState, LogEntry};
use crate::text::sanitize;

use super::profile_db::{self, blocking};

/// Finished jobs `xblocks queue` lists.
const RECENT: usize = 20;

/// One job as `queue --json` prints it.
#[derive(Debug, Serialize)]
pub struct JobDoc {
    /// Queue-wide id.
    pub id: u64,
    /// Its batch.
    pub batch: String,
    /// `block`, `unblock`, `mute` or `unmute`.
    pub action: &'static str,
    /// Numeric id of the account.
    pub target: String,
    /// Its handle, when known.
    pub username: Option<String>,
    /// `pending`, `in-flight`, `done`, `already-in-state`, `not-found`, `cancelled`, `kept`,
    /// `skipped-self`, `failed` or `superseded` (a timed job not sent: its account changed).
    pub state: &'static str,
    /// Why it failed or was not sent (states `failed` and `superseded`).
    pub reason: Option<String>,
    /// Not before this time (RFC 3339 UTC); `null` runs at once.
    pub due_at: Option<String>,
    /// Requests sent for it so far.
    pub attempts: u32,
}

impl From<&Job> for JobDoc {
    fn from(j: &Job) -> Self {
        Self {
            id: j.id,
            batch: j.batch.clone(),
            action: j.action.verb(),
            target: j.target.clone(),
            username: j.username.clone(),
            state: j.state.word(),
            reason: match &j.state {
                JobState::Failed(r) | JobState::Superseded(r) => Some(r.clone()),
                _ => None,
            },
            due_at: j.due_at.map(rfc3339),
            attempts: j.attempts,
        }
    }
}

/// The `queue --json` document.
#[derive(Debug, Serialize)]
pub struct QueueDoc {
    /// Open jobs (pending or in flight), in run order; timed ones by due time.
    pub open: Vec<JobDoc>,
    /// Open jobs whose due time is still ahead.
    pub due_later: usize,
    /// The last finished jobs, newest first.
    pub recent: Vec<JobDoc>,
}

/// Runs `xblocks queue`.
pub async fn queue(global: GlobalArgs, args: QueueArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    let (open, recent) = match profile_db::open_existing(&paths).await? {
        None => (Vec::new(), Vec::new()),
        Some(store) => blocking(move || -> Result<_, crate::store::db::DbError> {
            Ok((store.all_open_jobs()?, store.recent_jobs(RECENT)?))
        })
        .await
        .map_err(profile_db::exit)?,
    };
    let now = crate::store::db::now_unix();
    let due_later = open
        .iter()
        .filter(|j| j.due_at.is_some_and(|d| d > now))
        .count();
    if args.json {
        return Ok(super::json::print(&QueueDoc {
            open: open.iter().map(JobDoc::from).collect(),
            due_later,
            recent: recent.iter().map(JobDoc::from).collect(),
        })?);
    }
    print!("{}", queue_table(&open, &recent, now));
    Ok(())
}

fn who(username: &Option<String>, target: &str) -> String {
    match username {
        Some(u) => format!("@{} ({})", sanitize(u), sanitize(target)),
        None => sanitize(target),
    }
}

fn queue_table(open: &[Job], recent: &[Job], now: i64) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let later = open
        .iter()
        .filter(|j| j.due_at.is_some_and(|d| d > now))
        .count();
    let _ = writeln!(
        out,
        "{} open job{}{}",
        open.len(),
        if open.len() == 1 { "" } else { "s" },
        if later > 0 {
            format!(" ({later} due later)")
        } else {
            String::new()
        }
    );
    if !open.is_empty() {
        let _ = writeln!(
            out,
            "  {:>6}  {:<8} {:<36} {:<10} DUE",
            "ID", "ACTION", "ACCOUNT", "STATE"
        );
        for j in open {
            let _ = writeln!(
                out,
                "  {:>6}  {:<8} {:<36} {:<10} {}",
                j.id,
                j.action.verb(),
                who(&j.username, &j.target),
                j.state.word(),
                due_words(j.due_at, now)
            );
        }
    }
    if !recent.is_empty() {
        let _ = writeln!(out, "\nRecent");
        for j in recent {
            let state = match &j.state {
                JobState::Failed(_) | JobState::Superseded(_) => sanitize(&j.state.log_result()),
                s => s.word().to_string(),
            };
            let _ = writeln!(
                out,
                "  {:>6}  {:<8} {:<36} {state}",
                j.id,
                j.action.verb(),
                who(&j.username, &j.target)
            );
        }
    }
    out
}

/// The `history --json` document.
#[derive(Debug, Serialize)]
pub struct HistoryDoc<'a> {
    /// Entries in the log.
    pub total: usize,
    /// The last `--limit` entries, newest first.
    pub entries: Vec<&'a LogEntry>,
}

/// Runs `xblocks history`.
pub async fn history(global: GlobalArgs, args: HistoryArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    let entries = match profile_db::open_existing(&paths).await? {
        None => Vec::new(),
        Some(store) => blocking(move || store.log_entries())
            .await
            .map_err(profile_db::exit)?,
    };
    let shown: Vec<&LogEntry> = entries.iter().rev().take(args.limit).collect();
    if args.json {
        return Ok(super::json::print(&HistoryDoc {
            total: entries.len(),
            entries: shown,
        })?);
    }
    use std::fmt::Write as _;
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("No writes yet: blocks, unblocks and mutes are logged here.\n");
    }
    for e in &shown {
        let at = e.at.get(..19).unwrap_or(&e.at).replace('T', " ");
        let _ = writeln!(
            out,
            "{at}  {:<8} {:<36} {:<18} {}",
            e.action.verb(),
            who(&e.username, &e.target),
            sanitize(&e.result),
            sanitize(&e.batch)
        );
    }
    if shown.len() < entries.len() {
        let _ = writeln!(
            out,
            "… {} older entr{} (--limit N shows more)",
            entries.len() - shown.len(),
            if entries.len() - shown.len() == 1 {
                "y"
            } else {
                "ies"
            }
        );
    }
    print!("{out}");
    Ok(())
}
