//! `xblocks import FILE [--dry-run] [--unblock] [--where QUERY] [--force]`: parse the file
//! (nothing runs if a line is malformed), resolve it against the database and X (the lookup's
//! cost said first), keep only the accounts `--where` matches, skip the blocks of accounts a
//! follow joins to you (unless `--force`) and the unblocks of kept ones, print the plan, then
//! queue the writes durably and run them paced by the rate limits. Interrupted runs resume
//! where they stopped.

pub mod plan;
pub mod plan_doc;

use std::collections::HashSet;

use plan::{Plan, Resolved, Summary};

use super::export::format::{Filter, Known};
use super::lookup::{self, Cost, Follows};
use super::profile_db;
use super::queue_run;
use crate::api::{Capability, Client, Write};
use crate::auth::session;
use crate::cli::{GlobalArgs, ImportArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::runner::new_batch_id;
use crate::store::db::{self, DbError, NewJob, Store};
use crate::store::import_file::{self, Target};
use crate::store::paths::Paths;
use crate::store::runner_lock::RunnerLock;

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
    let filter = args
        .where_
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(|e| ExitError::new(Exit::Usage, format!("--where: {e}")))?;
    let action = if args.unblock {
        Write::Unblock
    } else {
        Write::Block
    };
    let paths = global.paths();
    let store = profile_db::open(&paths).await?;
    let _lock = if args.dry_run {
        None
    } else {
        Some(lock(&store, &paths, "xblocks import").await?)
    };
    // No request before the plan says what the lookups cost; a dry run sends none at all.
    let (client, _, token) = session::client(&global.session())?;
    let json = args.json;
    let say = move |line: &str| {
        if json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let look_up = !args.dry_run || args.look_up;
    let (resolved, cost, unknown) = resolve(&client, &store, &list.targets, &paths, &say, look_up)
        .await
        .map_err(|e| match e.code {
            Exit::Interrupted => ExitError::new(
                Exit::Interrupted,
                "interrupted while planning the import: nothing was queued or changed; run the same command again",
            ),
            _ => e,
        })?;
    let me = if !look_up {
        // The self check needs the account; a dry run asks X nothing to learn it.
        super::sync::known_me_id(token.as_ref(), &store).await
    } else {
        Some(super::sync::me_id(&client, token.as_ref(), &store).await?)
    };
    let mut plan = Plan::build(&list, &resolved, me.as_deref().unwrap_or(""), args.unblock);
    plan.to_look_up(&unknown);
    if let Some(filter) = filter {
        let keep = matching(&store, filter, &resolved).await?;
        plan.filter(|id| keep.contains(id));
        plan.query = args.where_.clone();
    }
    if args.unblock {
        plan.keep(&kept_ids(&paths).await?);
    } else {
        plan.guard(&resolved.follows, args.force);
    }
    if args.json {
        super::json::print(&plan_doc::doc(&plan, action.verb(), Some(cost)))?;
        eprintln!("dry run: nothing was sent or changed");
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
        if let Some(Capability::ReadOnly { reason }) = client.capability_from_grant() {
            println!(
                "warning: {reason}. Run without --dry-run, this import would queue its {} writes, send none and stop with exit 5; they would stay queued for a run where block writes work",
                plan.writes().len()
            );
        }
        if !unknown.is_empty() {
            println!("add --look-up to look them up (and see which to write, which a follow joins to you, which X does not know), still writing nothing");
        }
        println!("dry run: nothing was sent or changed");
        return Ok(());
    }
    let me = me.unwrap_or_default();
    let writes = plan.writes();
    let st = store.clone();
    let queued: HashSet<String> = store
        .call(move |s| s.all_open_jobs())
        .await
        .map_err(profile_db::exit)?
        .into_iter()
        .filter(|j| j.action == action)
        .map(|j| j.target)
        .collect();
    let jobs: Vec<NewJob> = writes
        .iter()
        .filter(|(id, _)| !queued.contains(id))
        .map(|(id, handle)| NewJob::now(action, id.clone(), handle.clone()))
        .collect();
    if jobs.len() < writes.len() {
        println!(
            "already queued by an earlier run: {}",
            writes.len() - jobs.len()
        );
    }
    let batch = new_batch_id("import");
    st.call(move |s| s.enqueue(&batch, &jobs))
        .await
        .map_err(profile_db::exit)?;
    let open = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .call(|s| s.all_open_jobs().map(|j| j.len()))
                .await
                .unwrap_or(0)
        }
    };
    // No probe write: the grant may already tell; otherwise the first write's answer does.
    let read_only = match client.capability_from_grant() {
        Some(Capability::ReadOnly { reason }) if action.needs_full() => Some(reason),
        _ => None,
    };
    if let Some(reason) = read_only {
        return Err(held(open(&store).await, &reason).into());
    }
    let missing = plan.not_found();
    match queue_run::run_reporting(&client, &me, &store).await {
        Err(e) => match e.downcast::<ExitError>() {
            Ok(e) if e.code == Exit::Forbidden => Err(held(open(&store).await, &e.message).into()),
            Ok(e) => Err(e.into()),
            Err(e) => Err(e),
        },
        // One rule with `block @nosuch`: every other target is written, then exit 4.
        Ok(()) if missing > 0 => Err(ExitError::new(
            Exit::NotFound,
            format!(
                "{} not found at X (named in the plan above)",
                crate::text::count(missing as u64, "account")
            ),
        )
        .into()),
        ok => ok,
    }
}

/// Takes the profile's runner lock for `command`, or fails at once naming the holder.
pub async fn lock(store: &Store, paths: &Paths, command: &str) -> Result<RunnerLock, ExitError> {
    let (st, dir, what) = (
        store.clone(),
        paths.profile_dir.clone(),
        command.to_string(),
    );
    profile_db::blocking(move || RunnerLock::acquire(&st, &dir, &what))
        .await
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))
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

/// How recent the last sync must be for the plan to trust the database.
const SYNC_FRESH: i64 = 24 * 3600;

/// Resolves the targets: first from the database when its last sync is fresh (no request),
/// then the rest at X, 100 per request, after saying what that lookup costs at most; notes from
/// `connection_status` which are blocked now and which a follow joins to you. Accounts X does
/// not know are left out, so the plan reports them as not found. Without `look_up` nothing is
/// looked up. Returns the lookup's cost and, without `look_up`, the targets left for X.
async fn resolve(
    client: &Client,
    store: &Store,
    targets: &[Target],
    paths: &Paths,
    say: &dyn Fn(&str),
    look_up: bool,
) -> Result<(Resolved, Cost, Vec<Target>), ExitError> {
    let existing = profile_db::open_existing(paths).await?;
    let owned = targets.to_vec();
    let known = profile_db::blocking(move || -> Result<_, DbError> {
        let Some(store) = existing else {
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
        let changed: HashSet<String> = store.log_targets_since(&since)?.into_iter().collect();
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
                say(&format!(
                    "{n} accounts resolved from the local database (synced {since})"
                ));
            }
            (r, rest)
        }
        None => (Resolved::default(), targets.to_vec()),
    };
    let (mut ids, mut names) = (Vec::new(), Vec::new());
    for t in rest.iter().cloned() {
        match t {
            Target::Id(id) => ids.push(id),
            Target::Handle(h) => names.push(h),
        }
    }
    let billing = lookup::Billing::load(paths, store).await?;
    let cost = Cost::new(ids.len(), names.len(), &billing.prices);
    if cost.accounts > 0 {
        say(&cost.to_string());
    }
    if !look_up {
        return Ok((r, cost, rest));
    }
    for u in lookup::users(client, store, &billing, &ids, &names).await? {
        let blocking = u
            .connection_status
            .as_ref()
            .is_some_and(|s| s.iter().any(|w| w == "blocking"));
        if let Some(f) = Follows::of(&u) {
            r.follows.insert(u.id.clone(), f);
        }
        r.add(u.id.clone(), u.username.clone(), blocking);
        r.users.insert(u.id.clone(), u);
    }
    Ok((r, cost, Vec::new()))
}

/// `--where`: the ids of the resolved accounts that match. Each is evaluated against X's answer
/// to the plan's lookup when there was one, else the database's copy, with the note, tags, keep
/// flag, first-seen date and gone mark the database holds. An account the database does not
/// know has none of those: `seen:` never holds for it, `gone:` and `kept:` are no.
async fn matching(
    store: &Store,
    filter: Filter,
    resolved: &Resolved,
) -> Result<HashSet<String>, ExitError> {
    let ids: Vec<String> = resolved.by_id.keys().cloned().collect();
    let mut users = resolved.users.clone();
    let st = store.clone();
    profile_db::blocking(move || -> Result<_, DbError> {
        let stored = st.accounts_by_id(&ids)?;
        let notes = st.notes()?;
        let tags = st.all_tags()?;
        let kept = st.kept()?;
        let mut out = HashSet::new();
        for id in ids {
            let local = stored.get(&id);
            let Some(user) = users.remove(&id).or_else(|| local.map(|a| a.user.clone())) else {
                continue;
            };
            let known = Known {
                first_seen: local.map(|a| db::rfc3339(a.first_seen)),
                last_seen: None,
                note: notes.get(&id).cloned().unwrap_or_default(),
                tags: tags
                    .get(&id)
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default(),
                kept: kept.contains(&id),
                gone: local.is_some_and(|a| a.gone_at.is_some()),
            };
            if filter.matches(&user, &known) {
                out.insert(id);
            }
        }
        Ok(out)
    })
    .await
    .map_err(profile_db::exit)
}

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
