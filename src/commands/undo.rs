//! `xblocks undo [--dry-run]`: queue the inverse of the last batch that changed something
//! (from the action log, which every entry point writes), then run it like an import.

use super::import::lock;
use super::profile_db;
use super::queue_run;
use crate::cli::{GlobalArgs, UndoArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::undo;

/// Runs `xblocks undo`.
pub async fn run(global: GlobalArgs, args: UndoArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    let existing = profile_db::open_existing(&paths).await?;
    if args.json {
        let plan = match existing {
            Some(s) => s.call(undo::plan).await.map_err(profile_db::exit)?,
            None => None,
        };
        super::json::print(&plan_doc(plan.as_ref()))?;
        eprintln!("dry run: nothing was changed");
        return Ok(());
    }
    let Some(store) = existing else {
        println!("nothing to undo: no write is in the action log");
        return Ok(());
    };
    let store = if args.dry_run {
        store
    } else {
        profile_db::open(&paths).await?
    };
    let _lock = if args.dry_run {
        None
    } else {
        Some(lock(&store, &paths, "xblocks undo").await?)
    };
    if !args.dry_run {
        // An interrupted undo is resumed, never undone itself nor planned twice.
        let pending = store
            .call(|s| s.all_open_jobs())
            .await
            .map_err(profile_db::exit)?
            .iter()
            .filter(|j| j.batch.starts_with("undo-"))
            .count();
        if pending > 0 {
            println!("resuming an interrupted undo: {pending} accounts still queued");
            let s = super::progress::connect(&global).await?;
            return queue_run::run_reporting(&s.client, &s.me.id, &store).await;
        }
    }
    let plan = store.call(undo::plan).await.map_err(profile_db::exit)?;
    let Some(plan) = plan else {
        println!("nothing to undo: no write is in the action log");
        return Ok(());
    };
    println!(
        "undo batch {}: {} to {}{}",
        plan.batch,
        crate::text::count(plan.jobs.len() as u64, "account"),
        plan.verb(),
        if plan.kept > 0 {
            format!(" ({} on the keep list left blocked)", plan.kept)
        } else {
            String::new()
        }
    );
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(());
    }
    let p = plan.clone();
    store.call(move |s| undo::enqueue(s, &p)).await.map_err(|e| match e {
        undo::UndoError::AlreadyUndone(batch) => ExitError::new(
            Exit::Other,
            format!("batch {batch} was already undone (or its undo is queued); run `xblocks import` or `xblocks undo` again after new writes"),
        ),
        undo::UndoError::Store(e) => profile_db::exit(e),
    })?;
    let s = super::progress::connect(&global).await?;
    queue_run::run_reporting(&s.client, &s.me.id, &store).await
}

/// The `undo --dry-run --json` document: the batch undone and the writes it would queue.
fn plan_doc(plan: Option<&undo::UndoPlan>) -> serde_json::Value {
    let jobs: Vec<serde_json::Value> = plan
        .map(|p| {
            p.jobs
                .iter()
                .map(|j| {
                    serde_json::json!({"action": j.action.verb(), "target": j.target, "username": j.username})
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
