//! `xblocks block|unblock|mute|unmute TARGET...`: resolve the targets (the database first, then
//! X in batches, the lookup's cost said first), queue the writes as one batch, run it like an
//! import (logged, undoable), one line per target. A target X does not know makes the exit
//! code 4, as for `import`. `block` skips accounts a follow joins to you unless `--force`.

use std::collections::HashMap;

use super::lookup::{self, Follows};
use super::profile_db;
use super::queue_run::{self, Outcome};
use crate::api::types::User;
use crate::api::Write;
use crate::auth::session;
use crate::cli::{GlobalArgs, TargetArgs};
use crate::exit::{Exit, ExitError};
use crate::jobs::runner::new_batch_id;
use crate::store::db::{JobState, NewJob, Store};
use crate::store::import_file::Target;
use crate::store::runner_lock::RunnerLock;
use crate::text::sanitize as inert;

/// `@handle (id)`, made inert for the terminal.
pub fn label(id: &str, handle: Option<&str>) -> String {
    match handle {
        Some(h) => format!("@{} ({})", inert(h), inert(id)),
        None => inert(id),
    }
}

/// Runs one of the four write commands; `force` lets `block` through the follow guard.
pub async fn run(
    global: GlobalArgs,
    args: TargetArgs,
    action: Write,
    force: bool,
) -> anyhow::Result<()> {
    let targets: Vec<Target> = args
        .targets
        .iter()
        .map(|t| Target::parse(t))
        .collect::<Result<_, _>>()
        .map_err(|e| ExitError::new(Exit::Usage, e))?;
    if args.for_secs.is_some() && matches!(action, Write::Unblock | Write::Unmute) {
        return Err(ExitError::new(
            Exit::Usage,
            "--for works with block and mute: the unblock or unmute is then queued for later",
        )
        .into());
    }
    let paths = global.paths();
    let store = profile_db::open(&paths).await?;
    let (st, dir, what) = (
        store.clone(),
        paths.profile_dir.clone(),
        format!("xblocks {}", action.verb()),
    );
    let _lock = profile_db::blocking(move || RunnerLock::acquire(&st, &dir, &what))
        .await
        .map_err(|e| ExitError::new(Exit::Other, e.to_string()))?;
    // The lookup's cost is said before any request (the account comes from the token or the
    // database, not from a billed `/2/users/me`).
    let (client, _, token) = session::client(&global.session())?;
    let billing = lookup::Billing::load(&paths, &store).await?;
    let guard = action == Write::Block;
    let known = resolve(&client, &store, &billing, &targets, guard).await?;
    let me = super::sync::me_id(&client, token.as_ref(), &store).await?;
    let mut not_found = 0;
    let mut other_failures = 0;
    let mut guarded = 0;
    let mut jobs = Vec::new();
    for target in &targets {
        let found = match target {
            Target::Id(id) => known.by_id.get(id),
            Target::Handle(h) => known.by_handle.get(h),
        };
        let Some(u) = found else {
            match target {
                Target::Id(id) => println!("not found: {}", inert(id)),
                Target::Handle(h) => println!("not found: @{}", inert(h)),
            }
            not_found += 1;
            continue;
        };
        let who = label(&u.id, Some(&u.username));
        if u.id == me {
            println!("skipped {who}: that is the signed-in account");
            other_failures += 1;
            continue;
        }
        if let Some(f) = known.follows.get(&u.id).filter(|_| guard && !force) {
            println!("skipped {who}: {}; --force blocks them anyway", f.words());
            guarded += 1;
            continue;
        }
        if action == Write::Unblock && known.gone.contains(&u.id) {
            println!("{who} was not blocked (the local database shows it unblocked)");
            continue;
        }
        if jobs.iter().any(|j: &NewJob| j.target == u.id) {
            continue;
        }
        jobs.push(NewJob::now(action, u.id.clone(), Some(u.username.clone())));
    }
    let mut timed: Vec<(String, Option<String>)> = Vec::new();
    let outcome = if jobs.is_empty() {
        Outcome::default()
    } else {
        let batch = new_batch_id(&format!("cli-{}", action.verb()));
        let b = batch.clone();
        store
            .call(move |st| st.enqueue(&b, &jobs))
            .await
            .map_err(profile_db::exit)?;
        queue_run::run(&client, &me, &store, Some(batch), &mut |job| {
            let who = label(&job.target, job.username.as_deref());
            match &job.state {
                JobState::Done => {
                    println!("{} {who}", job.action.past());
                    timed.push((job.target.clone(), job.username.clone()));
                }
                JobState::NotFound => println!("not found: {who}"),
                JobState::Failed(r) => println!("failed {who}: {}", inert(r)),
                other => println!("{who}: {}", other.word()),
            }
        })
        .await
        .map_err(|e| match e.code {
            // Muting stands in for blocking, never for unblocking.
            Exit::Forbidden if action == Write::Unblock => ExitError::new(
                Exit::Forbidden,
                "X allows unblock writes only on the Enterprise plan; the unblock stays queued for a plan that allows it",
            ),
            _ => e,
        })?
    };
    if let Some(secs) = args.for_secs {
        super::timed::queue_inverse(&global, action.verb(), secs, timed).await?;
    }
    not_found += outcome.tally.not_found;
    other_failures += outcome.tally.failed + outcome.tally.skipped_self;
    let total = targets.len();
    if not_found > 0 {
        return Err(ExitError::new(
            Exit::NotFound,
            format!(
                "{} of {total} targets failed ({not_found} not found at X)",
                not_found + other_failures
            ),
        )
        .into());
    }
    if other_failures > 0 {
        return Err(ExitError::new(
            Exit::Other,
            format!("{other_failures} of {total} targets failed"),
        )
        .into());
    }
    if guarded > 0 {
        return Err(ExitError::new(
            Exit::Other,
            format!(
                "{guarded} of {total} targets not blocked: a follow joins them to you; run `xblocks block --force` to block them anyway"
            ),
        )
        .into());
    }
    Ok(())
}

/// The targets' accounts: from the database when it knows them, the rest looked up at X.
#[derive(Default)]
struct Known {
    by_id: HashMap<String, User>,
    by_handle: HashMap<String, User>,
    /// Ids the database shows as no longer blocked.
    gone: std::collections::HashSet<String>,
    /// Ids a follow joins to the signed-in account (`connection_status` of the lookup).
    follows: HashMap<String, Follows>,
}

/// Resolves the targets. With `guard` (a block), only accounts the database lists as blocked
/// are taken from it: a block ends follows both ways, so those need no `connection_status`;
/// every other target is looked up at X, after saying what that costs.
async fn resolve(
    client: &crate::api::Client,
    store: &Store,
    billing: &lookup::Billing,
    targets: &[Target],
    guard: bool,
) -> Result<Known, ExitError> {
    let owned = targets.to_vec();
    let (mut known, ids, names) = store
        .call(move |s| -> Result<_, crate::store::db::DbError> {
            let mut k = Known::default();
            let (mut ids, mut names) = (Vec::new(), Vec::new());
            let wanted: Vec<String> = owned
                .iter()
                .filter_map(|t| match t {
                    Target::Id(id) => Some(id.clone()),
                    Target::Handle(_) => None,
                })
                .collect();
            let by_id = s.accounts_by_id(&wanted)?;
            for t in &owned {
                let stored = match t {
                    Target::Id(id) => by_id.get(id).cloned(),
                    Target::Handle(h) => s.account_by_handle(h)?,
                };
                match (t, stored) {
                    (_, Some(a)) if guard && a.gone_at.is_some() => ids.push(a.user.id.clone()),
                    (_, Some(a)) => {
                        if a.gone_at.is_some() {
                            k.gone.insert(a.user.id.clone());
                        }
                        k.by_handle
                            .insert(a.user.username.to_ascii_lowercase(), a.user.clone());
                        k.by_id.insert(a.user.id.clone(), a.user);
                    }
                    (Target::Id(id), None) => ids.push(id.clone()),
                    (Target::Handle(h), None) => names.push(h.clone()),
                }
            }
            Ok((k, ids, names))
        })
        .await
        .map_err(profile_db::exit)?;
    let cost = lookup::Cost::new(ids.len(), names.len(), &billing.prices);
    if cost.accounts > 0 {
        eprintln!("{cost}");
    }
    for u in lookup::users(client, store, billing, &ids, &names).await? {
        if let Some(f) = Follows::of(&u) {
            known.follows.insert(u.id.clone(), f);
        }
        known
            .by_handle
            .insert(u.username.to_ascii_lowercase(), u.clone());
        known.by_id.insert(u.id.clone(), u);
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn accepted_targets_are_ids_or_valid_handles(s in "\\PC{0,25}") {
            match Target::parse(&s) {
                Ok(Target::Id(id)) => proptest::prop_assert!(id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit())),
                Ok(Target::Handle(n)) => proptest::prop_assert!(n.len() <= 15 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')),
                Err(_) => {}
            }
        }
    }

    #[test]
    fn parses_the_three_target_forms() {
        assert_eq!(Target::parse("@jack"), Ok(Target::Handle("jack".into())));
        assert_eq!(
            Target::parse("Jack_01"),
            Ok(Target::Handle("jack_01".into()))
        );
        assert_eq!(Target::parse("783214"), Ok(Target::Id("783214".into())));
        assert!(Target::parse("@").is_err());
        assert!(Target::parse("bad-name").is_err());
        assert!(Target::parse("a_very_long_handle_x").is_err());
        assert!(Target::parse("@\u{202e}evil").is_err());
    }
}
