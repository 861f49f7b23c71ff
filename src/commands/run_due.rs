//! `xblocks run-due`: runs headless the queued jobs that are due — the inverses of timed blocks
//! and mutes whose time came, and any write left queued — then exits (for cron or a systemd
//! timer). A timed job whose account changed after it was queued is not sent; the action log
//! says why.

use crate::api::{ApiError, Write};
use crate::auth::session;
use crate::cli::GlobalArgs;
use crate::exit::ExitError;
use crate::store::db::{now_unix, rfc3339, DbError, Job, JobState, Store};
use crate::text::sanitize;

use super::profile_db::{self, blocking};

/// Runs `xblocks run-due`.
pub async fn run(global: GlobalArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    if profile_db::open_existing(&paths).await?.is_none() {
        println!("nothing is due");
        return Ok(());
    }
    let store = profile_db::open(&paths).await?;
    let _lock = super::import::lock(&store, &paths, "xblocks run-due").await?;
    let now = now_unix();
    let s = store.clone();
    let due = blocking(move || s.open_jobs(None, Some(now)))
        .await
        .map_err(profile_db::exit)?;
    if due.is_empty() {
        let s = store.clone();
        let next = blocking(move || s.all_open_jobs())
            .await
            .map_err(profile_db::exit)?
            .iter()
            .filter_map(|j| j.due_at)
            .min();
        match next {
            Some(t) => println!("nothing is due; the next job is due at {}", rfc3339(t)),
            None => println!("nothing is due"),
        }
        return Ok(());
    }
    let session = session::connect(&global.session()).await?;
    let me = session.me.id.clone();
    let (mut sent, mut skipped) = (0usize, 0usize);
    for job in due {
        let who = match &job.username {
            Some(u) => format!("@{} ({})", sanitize(u), sanitize(&job.target)),
            None => sanitize(&job.target),
        };
        let s = store.clone();
        let j = job.clone();
        let superseded = blocking(move || changed_meanwhile(&s, &j))
            .await
            .map_err(profile_db::exit)?;
        let state = if job.target == me {
            JobState::SkippedSelf
        } else if let Some(why) = superseded {
            tracing::info!(job = job.id, "timed {} not sent: {why}", job.action.verb());
            println!("not sent: {} {who}: {why}", job.action.verb());
            skipped += 1;
            JobState::Superseded(why)
        } else {
            let (s, id) = (store.clone(), job.id);
            blocking(move || s.mark_in_flight(id))
                .await
                .map_err(profile_db::exit)?;
            match crate::jobs::api_writer::apply(
                &session.client,
                &store,
                &me,
                job.action,
                &job.target,
            )
            .await
            {
                Ok(()) => {
                    println!("{} {who}", job.action.past());
                    sent += 1;
                    JobState::Done
                }
                Err(ApiError::NotFound { .. }) => {
                    println!("not found: {who}");
                    JobState::NotFound
                }
                Err(ApiError::Forbidden {
                    missing_scope: None,
                    detail,
                }) => {
                    println!("failed {who}: {}", sanitize(&detail));
                    JobState::Failed(detail)
                }
                // Nothing more can run now: this job and the rest stay queued for the next run.
                Err(e) => return Err(ExitError::from(e).into()),
            }
        };
        let (s, id) = (store.clone(), job.id);
        blocking(move || s.finish_job(id, &state, None))
            .await
            .map_err(profile_db::exit)?;
    }
    eprintln!("run-due: {sent} sent, {skipped} not sent because the account changed meanwhile");
    Ok(())
}

/// Why a due job of a timed action must not run, if it must not: its account was written by
/// another batch after the job was queued, or (for an unblock) a sync found it unblocked.
pub fn changed_meanwhile(store: &Store, job: &Job) -> Result<Option<String>, DbError> {
    if job.due_at.is_none() {
        return Ok(None);
    }
    let created = store.job_created(job.id)?.unwrap_or(0);
    if let Some(e) = store.later_writes(&job.target, &job.batch, created)?.last() {
        return Ok(Some(format!(
            "it was {} at {} (batch {}) after this was queued",
            e.action.past(),
            e.at,
            e.batch
        )));
    }
    if job.action == Write::Unblock {
        if let Some(gone) = store.gone_at(&job.target)?.filter(|&g| g >= created) {
            return Ok(Some(format!(
                "it was unblocked outside xblocks (a sync found it gone at {})",
                rfc3339(gone)
            )));
        }
    }
    Ok(None)
}
