//! Running the profile's durable queue from a headless command (`import`, `undo`, `block`, …):
//! progress on stderr, Ctrl-C/SIGTERM/SIGHUP stop between jobs, errors mapped to exit codes.

use std::collections::HashSet;
use std::time::SystemTime;

use super::profile_db;
use super::progress::Progress;
use crate::api::eta::{clock, eta_secs, WINDOW_SECS};
use crate::api::{Client, Endpoint};
use crate::exit::{Exit, ExitError};
use crate::jobs::api_writer::ApiWriter;
use crate::jobs::runner::{self, RunError, Selection, Tally};
use crate::store::db::{Job, JobState, Store};

/// What a run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Its counts.
    pub tally: Tally,
}

/// The exit error of a run that stopped early.
pub fn exit(e: RunError) -> ExitError {
    match e {
        RunError::Interrupted { left } => ExitError::new(
            Exit::Interrupted,
            format!("interrupted: {left} jobs saved; run the same command again to resume"),
        ),
        RunError::Stopped(api) => api.into(),
        RunError::Store(db) => profile_db::exit(db),
    }
}

/// Runs the open jobs (of `batch`, or all due ones), calling `each` after every job.
pub async fn run(
    client: &Client,
    me: &str,
    store: &Store,
    batch: Option<String>,
    each: &mut (dyn FnMut(&Job) + Send),
) -> Result<Outcome, ExitError> {
    let stop =
        super::signals::stop_flag("interrupted: nothing more is sent; the rest stays queued");
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
        store: store.clone(),
    };
    let select = Selection {
        batch,
        due_by: None,
    };
    let tally = runner::run(store, &writer, me, &select, &stop, &mut |_, _, job| {
        each(job)
    })
    .await
    .map_err(exit)?;
    Ok(Outcome { tally })
}

/// Runs every due open job of the queue with `[n/of] verb @who: result` lines and a closing
/// tally; failures end in exit 1, targets X does not know in exit 4.
pub async fn run_reporting(client: &Client, me: &str, store: &Store) -> anyhow::Result<()> {
    let open = store
        .call(|s| s.open_jobs(None, Some(crate::store::db::now_unix())))
        .await
        .map_err(profile_db::exit)?;
    let total = open.len();
    if total == 0 {
        println!("nothing to do");
        return Ok(());
    }
    let batches: HashSet<String> = open.iter().map(|j| j.batch.clone()).collect();
    let (before, of) = store
        .call(move |s| {
            batches.iter().try_fold((0, 0), |(f, a), b| {
                s.batch_progress(b).map(|(bf, ba)| (f + bf, a + ba))
            })
        })
        .await
        .map_err(profile_db::exit)?;
    let endpoint = open
        .first()
        .map_or(Endpoint::Block, |j| j.action.endpoint());
    let eta = eta_secs(
        total,
        client.budget(endpoint),
        WINDOW_SECS,
        SystemTime::now(),
    );
    let reporter = Progress::new(client.rate_events());
    reporter.note(&format!(
        "{total} writes to send{}; ETA {} at the current rate limits",
        if before > 0 {
            format!(" (resuming after {before} of {of})")
        } else {
            String::new()
        },
        if eta == 0 {
            "now, within this window".to_string()
        } else {
            format!("about {}", clock(eta))
        }
    ));
    let mut n = 0;
    let outcome = run(client, me, store, None, &mut |job| {
        n += 1;
        let who = super::targets::label(&job.target, job.username.as_deref());
        reporter.note(&format!(
            "[{}/{of}] {} {who}: {}",
            before + n,
            job.action.verb(),
            state_word(&job.state)
        ));
    })
    .await?;
    let t = &outcome.tally;
    reporter.finish(&format!(
        "done: {}, not found: {}, skipped (self): {}, failed: {}",
        t.done, t.not_found, t.skipped_self, t.failed
    ));
    if t.failed > 0 {
        return Err(ExitError::new(
            Exit::Other,
            format!("{} writes failed; H in the TUI shows the reasons", t.failed),
        )
        .into());
    }
    if t.not_found > 0 {
        return Err(ExitError::new(
            Exit::NotFound,
            format!(
                "{} not found at X",
                crate::text::count(t.not_found as u64, "account")
            ),
        )
        .into());
    }
    Ok(())
}

fn state_word(state: &JobState) -> String {
    match state {
        JobState::Done => "done".into(),
        JobState::NotFound => "not found".into(),
        JobState::SkippedSelf => "skipped (that is you)".into(),
        JobState::Failed(r) => format!("failed: {}", crate::text::sanitize(r)),
        other => other.word().into(),
    }
}
