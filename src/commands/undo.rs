//! `xblocks undo [--dry-run]`: queue the inverse of the last batch that changed something
//! (from the action log), then run it like an import.

use crate::auth::session;
use crate::cli::{GlobalArgs, UndoArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::undo;
use crate::store::action_log;
use crate::store::lock::ProfileLock;
use crate::store::paths::Paths;

use super::import::{open_queue, run_queue};

/// Runs `xblocks undo`.
pub async fn run(global: GlobalArgs, args: UndoArgs) -> anyhow::Result<()> {
    let paths = Paths::resolve(&global);
    let lock = if args.dry_run {
        None
    } else {
        Some(ProfileLock::acquire(&paths.profile_dir)?)
    };
    if lock.is_some() {
        // An interrupted undo is resumed, never undone itself nor planned twice.
        let mut queue = open_queue(&paths)?;
        let pending = queue
            .open_jobs()
            .filter(|j| j.batch.starts_with("undo-"))
            .count();
        if pending > 0 {
            println!("resuming an interrupted undo: {pending} accounts still queued");
            let s = session::connect(&global).await?;
            return run_queue(&s.client, &s.me.id, &mut queue, &paths).await;
        }
    }
    let log = paths.profile_dir.join("actions.jsonl");
    let entries = action_log::read(&log)
        .map_err(|e| ExitError::new(Exit::Other, format!("cannot read {}: {e}", log.display())))?;
    if args.json {
        let mut plan = undo::plan(&entries);
        if let Some(p) = plan.as_mut() {
            p.skip_kept(&super::import::kept_ids(&paths).await?);
        }
        super::json::print(&plan_doc(plan.as_ref()))?;
        eprintln!("dry run: nothing was changed");
        return Ok(());
    }
    let Some(mut plan) = undo::plan(&entries) else {
        println!("nothing to undo: no write is in the action log");
        return Ok(());
    };
    let kept = plan.skip_kept(&super::import::kept_ids(&paths).await?);
    println!(
        "undo batch {}: {} accounts to {}{}",
        plan.batch,
        plan.jobs.len(),
        plan.verb(),
        if kept > 0 {
            format!(" ({kept} on the keep list left blocked)")
        } else {
            String::new()
        }
    );
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(());
    }
    let mut queue = open_queue(&paths)?;
    undo::enqueue(&mut queue, &plan).map_err(|e| match e {
        undo::UndoError::AlreadyUndone(batch) => ExitError::new(
            Exit::Other,
            format!("batch {batch} was already undone (or its undo is queued); run `xblocks import` or `xblocks undo` again after new writes"),
        ),
        other => ExitError::new(Exit::Other, other.to_string()),
    })?;
    let s = session::connect(&global).await?;
    run_queue(&s.client, &s.me.id, &mut queue, &paths).await
}

/// `undo --dry-run --json`: the batch undone (`null` when nothing is), the inverse writes.
fn plan_doc(plan: Option<&undo::UndoPlan>) -> serde_json::Value {
    let jobs: Vec<serde_json::Value> = plan
        .map(|p| {
            p.jobs
                .iter()
                .map(|(action, target, username)| {
                    serde_json::json!({"action": action.verb(), "target": target, "username": username})
                })
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({
        "batch": plan.map(|p| p.batch.as_str()),
        "undo_batch": plan.map(|p| p.undo_batch.as_str()),
        "count": jobs.len(),
        "writes": jobs,
    })
}
