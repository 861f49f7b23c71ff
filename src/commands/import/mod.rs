//! `xblocks import FILE [--dry-run] [--unblock]`: parse the file (nothing runs if a line is
//! malformed), resolve it against X, print the plan, then queue the writes durably and run
//! them paced by the rate limits. Interrupted runs resume where they stopped.

pub mod plan;
pub mod plan_doc;

use std::collections::HashSet;

use plan::{Plan, Resolved, Summary};

use super::profile_db;
use crate::api::types::User;
use std::time::SystemTime;

use super::progress::Progress;
use crate::api::eta::{clock, eta_secs, WINDOW_SECS};
use crate::api::{Capability, Client, Endpoint};
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
    let bytes = read_input(&args.file)?;
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
    let resolved = resolve(&s.client, &list.targets, &paths)
        .await
        .map_err(|e| match e.code {
            Exit::Interrupted => ExitError::new(
                Exit::Interrupted,
                "interrupted while planning the import: nothing was queued or changed; run the same command again",
            ),
            _ => e,
        })?;
    let mut plan = Plan::build(&list, &resolved, &s.me.id, args.unblock);
    if args.unblock {
        plan.keep(&kept_ids(&paths).await?);
    }
    if args.json {
        super::json::print(&plan_doc::doc(&plan, action.verb()))?;
        eprintln!("dry run: nothing was changed");
        return Ok(());
    }
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
    // No probe write: the grant may already tell; otherwise the first write's answer does.
    let read_only = match s.client.capability_from_grant() {
        Some(Capability::ReadOnly { reason })
            if matches!(action, Action::Block | Action::Unblock) =>
        {
            Some(reason)
        }
        _ => None,
    };
    if let Some(reason) = read_only {
        return Err(held(queue.open_jobs().count(), &reason).into());
    }
    run_queue(&s.client, &s.me.id, &mut queue, &paths)
        .await
        .map_err(|e| match e.downcast::<ExitError>() {
            Ok(e) if e.code == Exit::Forbidden => {
                held(queue.open_jobs().count(), &e.message).into()
            }
            Ok(e) => e.into(),
            Err(e) => e,
        })
}

/// Every account on the keep list (none without a database).
pub async fn kept_ids(paths: &Paths) -> Result<HashSet<String>, ExitError> {
    let Some(store) = profile_db::open_existing(paths).await? else {
        return Ok(HashSet::new());
    };
    profile_db::blocking(move || store.kept())
        .await
        .map_err(profile_db::exit)
}

/// The refusal of a plan without block writes: the jobs stay queued.
fn held(open: usize, reason: &str) -> ExitError {
    ExitError::new(
        Exit::Forbidden,
        format!(
            "{open} accounts queued but not sent: {reason}. They stay queued; run the import again where block writes work, or use `xblocks mute`"
        ),
    )
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
        super::signals::stop_flag("interrupted: nothing more is sent; the rest stays queued");
    let writer = ApiWriter {
        client: client.clone(),
        me: me.to_string(),
    };
    let log = paths.profile_dir.join("actions.jsonl");
    let (before, of) = batch_position(queue);
    let first_action = queue.open_jobs().next().map(|j| j.action);
    let endpoint = first_action.map_or(Endpoint::Block, write_endpoint);
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
    let mut progress = |n: usize, _total: usize, job: &crate::store::queue::Job| {
        let who = job
            .username
            .as_deref()
            .map_or_else(|| job.target.clone(), |u| format!("@{u}"));
        reporter.note(&format!(
            "[{}/{of}] {} {who}: {}",
            before + n,
            job.action.verb(),
            state_word(&job.state)
        ));
    };
    let tally = runner::run(queue, &writer, me, None, &log, &stop, &mut progress).await?;
    reporter.finish(&format!(
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

/// Where a run starts within the batches it belongs to: (jobs of those batches already
/// finished, all jobs of those batches), so a resumed run keeps its numbering (`[51/70]`).
fn batch_position(queue: &Queue) -> (usize, usize) {
    let batches: HashSet<&str> = queue.open_jobs().map(|j| j.batch.as_str()).collect();
    let jobs = queue.jobs().filter(|j| batches.contains(j.batch.as_str()));
    let (mut finished, mut all) = (0, 0);
    for j in jobs {
        all += 1;
        finished += usize::from(j.state.is_final());
    }
    (finished, all)
}

/// The endpoint whose budget paces `action`.
fn write_endpoint(action: Action) -> Endpoint {
    match action {
        Action::Block => Endpoint::Block,
        Action::Unblock => Endpoint::Unblock,
        Action::Mute => Endpoint::Mute,
        Action::Unmute => Endpoint::Unmute,
    }
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
    let total = ids.len() + names.len();
    let progress = Progress::new(client.rate_events());
    let mut looked_up = 0;
    let mut found: Vec<User> = Vec::new();
    for (chunk, by_name) in names
        .chunks(LOOKUP_CHUNK)
        .map(|c| (c, true))
        .chain(ids.chunks(LOOKUP_CHUNK).map(|c| (c, false)))
    {
        let lookup = if by_name {
            client.users_by_usernames(chunk).await?
        } else {
            client.users_by_ids(chunk).await?
        };
        found.extend(lookup.found);
        looked_up += chunk.len();
        progress.update_line(&format!(
            "planning: {looked_up}/{total} accounts looked up at X"
        ));
    }
    if total > 0 {
        progress.finish(&format!("planning: {total} accounts looked up at X"));
    }
    for u in found {
        let blocking = u
            .connection_status
            .as_ref()
            .is_some_and(|s| s.iter().any(|w| w == "blocking"));
        r.add(u.id, u.username, blocking);
    }
    Ok(r)
}

/// Accounts per users lookup (X's maximum).
const LOOKUP_CHUNK: usize = 100;

/// Largest import read from stdin.
const MAX_STDIN_BYTES: u64 = 1 << 30;

/// The bytes of the import file, or of stdin for `-`.
fn read_input(path: &std::path::Path) -> Result<Vec<u8>, ExitError> {
    if path.as_os_str() == "-" {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_STDIN_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ExitError::new(Exit::Other, format!("cannot read stdin: {e}")))?;
        if bytes.len() as u64 > MAX_STDIN_BYTES {
            return Err(ExitError::new(
                Exit::Other,
                "stdin holds more than 1 GB; split the list into smaller imports",
            ));
        }
        return Ok(bytes);
    }
    std::fs::read(path)
        .map_err(|e| ExitError::new(Exit::Other, format!("cannot read {}: {e}", path.display())))
}
