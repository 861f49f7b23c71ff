//! `xblocks block|unblock|mute|unmute TARGET...`: resolve handles in batches, one line per
//! target, non-zero exit if any failed.

use std::collections::HashMap;

use crate::api::types::User;
use crate::api::ApiError;
use crate::auth::session;
use crate::cli::{GlobalArgs, TargetArgs};
use crate::exit::{Exit, ExitError};

use crate::store::import_file::Target;
use crate::store::queue::Action;
use crate::text::sanitize as inert;

/// Runs one of the four write commands.
pub async fn run(global: GlobalArgs, args: TargetArgs, action: Action) -> anyhow::Result<()> {
    let targets: Vec<Target> = args
        .targets
        .iter()
        .map(|t| Target::parse(t))
        .collect::<Result<_, _>>()
        .map_err(|e| ExitError::new(Exit::Usage, e))?;
    if args.for_secs.is_some() && matches!(action, Action::Unblock | Action::Unmute) {
        return Err(ExitError::new(
            Exit::Usage,
            "--for works with block and mute: the unblock or unmute is then queued for later",
        )
        .into());
    }
    let s = session::connect(&global).await?;
    let mut timed: Vec<(String, Option<String>)> = Vec::new();
    let names: Vec<String> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Handle(n) => Some(n.clone()),
            Target::Id(_) => None,
        })
        .collect();
    let mut by_name: HashMap<String, User> = HashMap::new();
    if !names.is_empty() {
        let found = s
            .client
            .users_by_usernames(&names)
            .await
            .map_err(ExitError::from)?;
        for u in found.found {
            by_name.insert(u.username.to_lowercase(), u);
        }
    }
    let mut failures: Vec<Exit> = Vec::new();
    for target in &targets {
        let (id, label) = match target {
            Target::Id(id) => (id.clone(), id.clone()),
            Target::Handle(n) => match by_name.get(n) {
                Some(u) => (
                    u.id.clone(),
                    format!("@{} ({})", inert(&u.username), inert(&u.id)),
                ),
                None => {
                    println!("not found: @{n}");
                    failures.push(Exit::NotFound);
                    continue;
                }
            },
        };
        if id == s.me.id {
            println!("skipped {label}: that is the signed-in account");
            failures.push(Exit::Other);
            continue;
        }
        let c = &s.client;
        let me = s.me.id.as_str();
        let result = match action {
            Action::Block => c.block(me, &id).await,
            Action::Unblock => c.unblock(me, &id).await,
            Action::Mute => c.mute(me, &id).await,
            Action::Unmute => c.unmute(me, &id).await,
        };
        match result {
            Ok(()) => {
                println!("{} {label}", action.past());
                if args.for_secs.is_some() {
                    let name = by_name
                        .values()
                        .find(|u| u.id == id)
                        .map(|u| u.username.clone());
                    timed.push((id.clone(), name));
                }
            }
            Err(
                e @ (ApiError::NotFound { .. }
                | ApiError::Forbidden {
                    missing_scope: None,
                    ..
                }),
            ) => {
                println!("failed {label}: {}", e.user_message());
                failures.push(e.exit_code());
            }
            // Errors that would fail every other target too end the command here.
            Err(e) => return Err(ExitError::from(e).into()),
        }
    }
    if let Some(secs) = args.for_secs {
        super::timed::queue_inverse(&global, action.verb(), secs, timed).await?;
    }
    match failures.first() {
        None => Ok(()),
        Some(code) => Err(ExitError::new(
            *code,
            format!("{} of {} targets failed", failures.len(), targets.len()),
        )
        .into()),
    }
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
