//! `xblocks note`, `xblocks tag`, `xblocks keep`: the user's own words about accounts and the
//! keep list, in the profile database. A target the database knows costs no request; others are
//! looked up at X (100 a request).

use crate::app::notes::{edit_tags, note_text};
use crate::cli::{GlobalArgs, KeepArgs, NoteArgs, TagArgs};
use crate::exit::{Exit, ExitError};
use crate::store::db::Store;
use crate::store::import_file::Target;
use crate::text::sanitize as inert;

use super::profile_db::{self, blocking};

/// An account resolved for a note, tags or the keep list.
struct Account {
    id: String,
    label: String,
}

/// Resolves targets: from the database first, then the rest at X. Unknown handles are exit 4.
async fn resolve(
    global: &GlobalArgs,
    store: &Store,
    raw: &[String],
) -> anyhow::Result<Vec<Account>> {
    let targets: Vec<Target> = raw
        .iter()
        .map(|t| Target::parse(t))
        .collect::<Result<_, _>>()
        .map_err(|e| ExitError::new(Exit::Usage, e))?;
    let s = store.clone();
    let local: Vec<Option<Account>> = blocking(move || {
        targets
            .iter()
            .map(|t| match t {
                Target::Id(id) => {
                    let known = s.accounts_by_id(std::slice::from_ref(id)).ok()?;
                    let handle = known.get(id).map(|a| a.user.username.clone());
                    Some(Account {
                        id: id.clone(),
                        label: match handle {
                            Some(h) => format!("@{} ({id})", inert(&h)),
                            None => id.clone(),
                        },
                    })
                }
                Target::Handle(h) => s.account_by_handle(h).ok().flatten().map(|a| Account {
                    label: format!("@{} ({})", inert(&a.user.username), a.user.id),
                    id: a.user.id,
                }),
            })
            .collect()
    })
    .await;
    let targets: Vec<Target> = raw.iter().filter_map(|t| Target::parse(t).ok()).collect();
    let missing: Vec<String> = targets
        .iter()
        .zip(&local)
        .filter(|(_, a)| a.is_none())
        .filter_map(|(t, _)| match t {
            Target::Handle(h) => Some(h.clone()),
            Target::Id(_) => None,
        })
        .collect();
    let mut found = std::collections::HashMap::new();
    if !missing.is_empty() {
        let s = super::progress::connect(global).await?;
        let users = s
            .client
            .users_by_usernames(&missing)
            .await
            .map_err(ExitError::from)?;
        for u in users.found {
            found.insert(u.username.to_lowercase(), u);
        }
    }
    let mut out = Vec::new();
    for (t, a) in targets.iter().zip(local) {
        match (a, t) {
            (Some(a), _) => out.push(a),
            (None, Target::Handle(h)) => match found.get(h) {
                Some(u) => out.push(Account {
                    id: u.id.clone(),
                    label: format!("@{} ({})", inert(&u.username), u.id),
                }),
                None => {
                    return Err(ExitError::new(
                        Exit::NotFound,
                        format!("not found: @{h} (X knows no such account; check the spelling)"),
                    )
                    .into())
                }
            },
            (None, Target::Id(_)) => unreachable!("ids always resolve"),
        }
    }
    Ok(out)
}

/// `xblocks note TARGET [TEXT] [--clear]`.
pub async fn note(global: GlobalArgs, args: NoteArgs) -> anyhow::Result<()> {
    let store = profile_db::open(&global.paths()).await?;
    let a = resolve(&global, &store, std::slice::from_ref(&args.target))
        .await?
        .remove(0);
    let text = note_text(&args.text.join(" "));
    let (id, st) = (a.id.clone(), store.clone());
    if args.clear || !text.is_empty() {
        let t = if args.clear {
            String::new()
        } else {
            text.clone()
        };
        blocking(move || st.set_note(&id, &t))
            .await
            .map_err(profile_db::exit)?;
        if args.clear {
            println!("note on {} cleared", a.label);
        } else {
            println!("note on {}: {}", a.label, inert(&text));
        }
        return Ok(());
    }
    match blocking(move || st.note(&id))
        .await
        .map_err(profile_db::exit)?
    {
        Some(n) => println!("{}", inert(&n)),
        None => println!("no note on {}", a.label),
    }
    Ok(())
}

/// `xblocks tag TARGET +NAME -NAME`.
pub async fn tag(global: GlobalArgs, args: TagArgs) -> anyhow::Result<()> {
    let store = profile_db::open(&global.paths()).await?;
    let a = resolve(&global, &store, std::slice::from_ref(&args.target))
        .await?
        .remove(0);
    let (id, st) = (a.id.clone(), store.clone());
    let now: Vec<String> = blocking(move || st.tags(&id))
        .await
        .map_err(profile_db::exit)?
        .into_iter()
        .collect();
    let new = edit_tags(&now, &args.edits.join(" ")).map_err(|bad| {
        ExitError::new(
            Exit::Usage,
            format!(
                "\"{bad}\" is not a tag edit: +NAME adds, -NAME removes; a tag is one word without commas"
            ),
        )
    })?;
    if !args.edits.is_empty() {
        let add: Vec<String> = new.iter().filter(|t| !now.contains(t)).cloned().collect();
        let remove: Vec<String> = now.iter().filter(|t| !new.contains(t)).cloned().collect();
        let (id, st) = (a.id.clone(), store.clone());
        blocking(move || {
            let add: Vec<&str> = add.iter().map(String::as_str).collect();
            let remove: Vec<&str> = remove.iter().map(String::as_str).collect();
            st.change_tags(&id, &add, &remove)
        })
        .await
        .map_err(profile_db::exit)?;
    }
    if new.is_empty() {
        println!("{}: no tags", a.label);
    } else {
        println!("{}: {}", a.label, inert(&new.join(" ")));
    }
    Ok(())
}

/// `xblocks keep TARGET...`, `keep --remove TARGET...`, `keep --list`.
pub async fn keep(global: GlobalArgs, args: KeepArgs) -> anyhow::Result<()> {
    let store = profile_db::open(&global.paths()).await?;
    if args.list {
        let st = store.clone();
        let listed = blocking(move || -> Result<Vec<String>, crate::store::db::DbError> {
            let mut ids: Vec<String> = st.kept()?.into_iter().collect();
            ids.sort();
            let known = st.accounts_by_id(&ids)?;
            Ok(ids
                .into_iter()
                .map(|id| match known.get(&id) {
                    Some(a) => format!("@{} ({id})", inert(&a.user.username)),
                    None => id,
                })
                .collect())
        })
        .await
        .map_err(profile_db::exit)?;
        for line in &listed {
            println!("{line}");
        }
        eprintln!(
            "{} account{} on the keep list",
            listed.len(),
            if listed.len() == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    let accounts = resolve(&global, &store, &args.targets).await?;
    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    let (st, on) = (store.clone(), !args.remove);
    blocking(move || st.set_kept(&ids, on))
        .await
        .map_err(profile_db::exit)?;
    for a in &accounts {
        if on {
            println!(
                "kept {} (bulk unblock, import --unblock and undo skip it)",
                a.label
            );
        } else {
            println!("removed {} from the keep list", a.label);
        }
    }
    Ok(())
}
