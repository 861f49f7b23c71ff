//! `xblocks run-due`: runs headless the queued jobs that are due — the inverses of timed blocks
//! and mutes whose time came, and any write left queued — then exits (for cron or a systemd
//! timer). It runs them through the same runner as the TUI: a timed job whose account changed
//! after it was queued is not sent, and the action log says why.

use crate::cli::GlobalArgs;
use crate::store::db::{now_unix, rfc3339, JobState};
use crate::text::sanitize;

use super::profile_db::{self, blocking};
use super::targets::label;

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
    let (due, next) = blocking(move || -> Result<_, crate::store::db::DbError> {
        let due = s.open_jobs(None, Some(now))?.len();
        let next = s.all_open_jobs()?.iter().filter_map(|j| j.due_at).min();
        Ok((due, next))
    })
    .await
    .map_err(profile_db::exit)?;
    if due == 0 {
        match next {
            Some(t) => println!("nothing is due; the next job is due at {}", rfc3339(t)),
            None => println!("nothing is due"),
        }
        return Ok(());
    }
    let session = super::progress::connect(&global).await?;
    let me = session.me.id.clone();
    let outcome = super::queue_run::run(&session.client, &me, &store, None, &mut |job| {
        let who = label(&job.target, job.username.as_deref());
        let verb = job.action.verb();
        match &job.state {
            JobState::Done => println!("{} {who}", job.action.past()),
            JobState::Superseded(why) => println!("not sent: {verb} {who}: {}", sanitize(why)),
            JobState::NotFound => println!("not found: {who}"),
            JobState::SkippedSelf => println!("skipped: {verb} {who} is the signed-in account"),
            JobState::Failed(why) => println!("failed: {verb} {who}: {}", sanitize(why)),
            other => println!("{verb} {who}: {}", other.word()),
        }
    })
    .await?;
    let t = &outcome.tally;
    eprintln!(
        "run-due: {} sent, {} not sent because the account changed meanwhile",
        t.done, t.superseded
    );
    Ok(())
}
