//! `xblocks import FILE [--dry-run] [--unblock]`: parse the file (nothing runs if a line is
//! malformed), resolve it against X, print the plan, then queue the writes durably and run
//! them paced by the rate limits. Interrupted runs resume where they stopped.

pub mod plan;

use std::collections::HashSet;

use plan::{Plan, Resolved, Summary};

use super::profile_db;
use crate::api::types::User;
use crate::api::{Capability, Client};
use crate::auth::session;
use crate::cli::{GlobalArgs, ImportArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::api_writer::ApiWriter;
use crate::jobs::runner::{self, new_batch_id};
use crate::store::action_log;
use crate::store::db::{self, DbError};
use crate::store::import_file::{self, Target};
use crate::store::lock::ProfileLock;
use crate::store::paths::Paths;
use crate::store::queue::{Action, Queue};

/// How many parse errors are printed before "and N more".
const MAX_ERRORS_SHOWN: usize = 20;

/// Runs `xblocks import`.
pub async fn run(global: GlobalArgs, args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        ExitError::new(
            Exit::Other,
            format!("cannot read {}: {e}", args.file.display()),
        )
    })?;
    let list = import_file::parse(&bytes).map_err(|errors| {
        let file = args.file.display();
        let mut lines: Vec<String> = errors
            .iter()
            .take(MAX_ERRORS_SHOWN)
            .map(|e| format!("{file}:{}: {}", e.line, e.message))
            .collect();
        if errors.len() > MAX_ERRORS_SHOWN {
            lines.push(format!("… and {} more", errors.len() - MAX_ERRORS_SHOWN));
        }
        lines.push("nothing was changed; fix these lines and run the import again".into());
        ExitError::new(Exit::Other, lines.join("\n"))
    })?;
    let action = if args.unblock {
        Action::Unblock
    } else {
        Action::Block
    };
    let paths = Paths::resolve(&global);
    let _lock = if args.dry_run {
        None
    } else {
        Some(ProfileLock::acquire(&paths.profile_dir)?)
    };
    let s = session::connect(&global).await?;
    let resolved = resolve(&s.client, &list.targets, &paths).await?;
    let plan = Plan::build(&list, &resolved, &s.me.id, args.unblock);
    println!(
        "{}",
        Summary {
            plan: &plan,
            verb: action.verb()
        }
    );
    if args.dry_run {
        println!("dry run: nothing was changed");
        return Ok(());
    }
    let mut queue = open_queue(&paths)?;
    let queued: HashSet<String> = queue
        .open_jobs()
        .filter(|j| j.action == action)
        .map(|j| j.target.clone())
        .collect();
    let writes: Vec<_> = plan
        .writes()
        .into_iter()
        .filter(|(id, _)| !queued.contains(id))
        .collect();
    if writes.len() < plan.writes().len() {
        println!(
            "already queued by an earlier run: {}",
            plan.writes().len() - writes.len()
        );
    }
    let batch = new_batch_id("import");
    queue
        .enqueue(&batch, action, &writes)
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))?;
    if matches!(action, Action::Block | Action::Unblock) {
        if let Capability::ReadOnly { reason } = s.client.capability(&s.me.id).await? {
            return Err(ExitError::new(
                Exit::Forbidden,
                format!(
                    "{} accounts queued but not sent: {reason}. They stay queued; run the import again where block writes work, or use `xblocks mute`",
                    queue.open_jobs().count()
                ),
            )
            .into());
        }
    }
    run_queue(&s.client, &s.me.id, &mut queue, &paths).await
}

/// Runs every open job of the profile's queue, reporting progress on stderr.
pub async fn run_queue(
    client: &Client,
    me: &str,
    queue: &mut Queue,
    paths: &Paths,
) -> anyhow::Result<()> {
    let total = queue.open_jobs().count();
    if total == 0 {
        println!("nothing to do");
        return Ok(());
    }
    let stop =
        super::signals::stop_flag("stopping after the current account; the rest stays queued");
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
    };
    let log = paths.profile_dir.join("actions.jsonl");
    let mut progress = |n: usize, total: usize, job: &crate::store::queue::Job| {
        let who = job
            .username
            .as_deref()
            .map_or_else(|| job.target.clone(), |u| format!("@{u}"));
        super::signals::note(&format!(
            "[{n}/{total}] {} {who}: {}",
            job.action.verb(),
            state_word(&job.state)
        ));
    };
    let tally = runner::run(queue, &writer, me, None, &log, &stop, &mut progress).await?;
    super::signals::note(&format!(
        "done: {}, not found: {}, skipped (self): {}, failed: {}",
        tally.done, tally.not_found, tally.skipped_self, tally.failed
    ));
    if tally.failed > 0 {
        return Err(ExitError::new(
            Exit::Other,
            format!(
                "{} writes failed; see {} for the reasons",
                tally.failed,
                log.display()
            ),
        )
        .into());
    }
    Ok(())
}

fn state_word(state: &crate::store::queue::JobState) -> String {
    use crate::store::queue::JobState as S;
    match state {
        S::Done => "done".into(),
        S::NotFound => "not found".into(),
        S::SkippedSelf => "skipped (that is you)".into(),
        S::Failed(r) => format!("failed: {r}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The profile's durable queue.
pub fn open_queue(paths: &Paths) -> Result<Queue, ExitError> {
    Queue::open(&paths.profile_dir.join("queue.jsonl"))
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))
}

/// How recent the last sync must be for the plan to trust the database.
const SYNC_FRESH: i64 = 24 * 3600;

/// Resolves the targets: first from the database when its last sync is fresh (no request),
/// then the rest at X, 100 per request, noting from `connection_status` which are blocked now.
/// Accounts X does not know are left out, so the plan reports them as not found.
async fn resolve(
    client: &Client,
    targets: &[Target],
    paths: &Paths,
) -> Result<Resolved, ExitError> {
    let store = profile_db::open_existing(paths).await?;
    let log = paths.profile_dir.join("actions.jsonl");
    let owned = targets.to_vec();
    let known = profile_db::blocking(move || -> Result<_, DbError> {
        let Some(store) = store else {
            return Ok(None);
        };
        let Some(synced) = store.last_sync()?.and_then(|s| s.finished) else {
            return Ok(None);
        };
        if db::now_unix() - synced >= SYNC_FRESH {
            return Ok(None);
        }
        // Our own writes since the sync make the stored list stale for those accounts.
        let since = db::rfc3339(synced);
        let changed: HashSet<String> = action_log::read(&log)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.at >= since)
            .map(|e| e.target)
            .collect();
        let listed = store.listed_handles()?;
        Ok(Some((
            since,
            Resolved::from_known(&listed, &owned, &changed),
        )))
    })
    .await
    .map_err(profile_db::exit)?;
    let (mut r, rest) = match known {
        Some((since, (r, rest))) => {
            let n = targets.len() - rest.len();
            if n > 0 {
                println!("{n} accounts resolved from the local database (synced {since})");
            }
            (r, rest)
        }
        None => (Resolved::default(), targets.to_vec()),
    };
    let (mut ids, mut names) = (Vec::new(), Vec::new());
    for t in rest {
        match t {
            Target::Id(id) => ids.push(id),
            Target::Handle(h) => names.push(h),
        }
    }
    let mut found: Vec<User> = client.users_by_usernames(&names).await?.found;
    found.extend(client.users_by_ids(&ids).await?.found);
    for u in found {
        let blocking = u
            .connection_status
            .as_ref()
            .is_some_and(|s| s.iter().any(|w| w == "blocking"));
        r.add(u.id, u.username, blocking);
    }
    Ok(r)
}
