//! Timed blocks and mutes from the command line: after `block`/`mute … --for DURATION` wrote,
//! the inverse is queued with its due time in the profile database (`xblocks run-due` or the
//! TUI runs it then).

use crate::api::Write;
use crate::cli::GlobalArgs;
use crate::jobs::runner::new_batch_id;
use crate::jobs::timed::inverse_jobs;
use crate::store::db::{now_unix, rfc3339};

use super::profile_db::{self, blocking};

/// Queues the inverse of `verb` (`block` or `mute`) on `targets`, due in `secs`, as one batch.
pub async fn queue_inverse(
    global: &GlobalArgs,
    verb: &str,
    secs: u64,
    targets: Vec<(String, Option<String>)>,
) -> Result<(), crate::exit::ExitError> {
    let Some(forward) = Write::parse(verb) else {
        return Ok(());
    };
    if targets.is_empty() {
        return Ok(());
    }
    let write = forward.inverse();
    let due = now_unix().saturating_add(secs as i64);
    let jobs = inverse_jobs(forward, targets, due);
    let n = jobs.len();
    let store = profile_db::open(&global.paths()).await?;
    let batch = new_batch_id("timed");
    blocking(move || store.enqueue(&batch, &jobs))
        .await
        .map_err(profile_db::exit)?;
    println!(
        "{} {} queued, due at {} ({}); `xblocks run-due` (or the TUI) runs it then",
        write.verb(),
        if n == 1 {
            "1 account".to_string()
        } else {
            format!("{n} accounts")
        },
        rfc3339(due),
        crate::app::duration::words(Some(secs)).replacen("for ", "in ", 1)
    );
    Ok(())
}
