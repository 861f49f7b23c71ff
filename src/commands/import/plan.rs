//! The import plan: what an import would do to each listed account, computed without I/O
//! from the parsed file, the resolved handles, the current block list and the signed-in id.

use std::collections::{HashMap, HashSet};
use std::fmt;

use foldhash::{HashMapExt, HashSetExt};

use crate::api::types::User;
use crate::commands::lookup::Follows;
use crate::store::import_file::{ImportList, Target};

/// What the plan decided for one listed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Will be written: (id, handle when known).
    Write(String, Option<String>),
    /// Already in the wanted state.
    AlreadyInState(String),
    /// The signed-in account itself.
    SelfAccount(String),
    /// No such account.
    NotFound(Target),
    /// On the keep list: never unblocked (id, handle when known).
    Kept(String, Option<String>),
    /// Not blocked: you follow them or they follow you (the guard; `--force` blocks them).
    Followed(String, Option<String>, Follows),
    /// Left out by `--where`: the account does not match the query.
    Filtered(String),
    /// Not in the local database, and not looked up at X (a dry run without `--look-up`).
    ToLookUp(Target),
}

/// What X said about the listed accounts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    /// Lower-case handle → (id, handle as X spells it); [`Resolved::from_known`] leaves out
    /// the handles of a file that names only ids.
    pub by_handle: foldhash::HashMap<String, (String, String)>,
    /// Id → handle, for every id X knows.
    pub by_id: foldhash::HashMap<String, String>,
    /// Ids the signed-in account blocks now.
    pub blocked: foldhash::HashSet<String>,
    /// Ids joined to the signed-in account by a follow, either way (`connection_status`).
    pub follows: HashMap<String, Follows>,
    /// X's objects of the accounts looked up, by id (what `--where` evaluates).
    pub users: HashMap<String, User>,
}

impl Resolved {
    /// Records an account X (or the cache) knows, and whether it is blocked now.
    pub fn add(&mut self, id: String, username: String, blocked: bool) {
        if blocked {
            self.blocked.insert(id.clone());
        }
        self.by_id.insert(id.clone(), username.clone());
        self.by_handle
            .insert(username.to_ascii_lowercase(), (id, username));
    }

    /// Resolves from the stored block list, (id, handle) of each account listed, the targets it
    /// holds (all blocked as of the last sync), except accounts in `changed` (written since the
    /// sync); returns the rest, which need a lookup at X.
    pub fn from_known(
        listed: &[(String, String)],
        targets: &[Target],
        changed: &HashSet<String>,
    ) -> (Self, Vec<Target>) {
        let handles = targets.iter().any(|t| matches!(t, Target::Handle(_)));
        let by_id: foldhash::HashMap<&str, &str> = listed
            .iter()
            .map(|(id, handle)| (id.as_str(), handle.as_str()))
            .collect();
        // Lower-cased handles only when the file names some.
        let by_handle: foldhash::HashMap<String, (&str, &str)> = if handles {
            listed
                .iter()
                .map(|(id, h)| (h.to_ascii_lowercase(), (id.as_str(), h.as_str())))
                .collect()
        } else {
            Default::default()
        };
        let mut r = Self::with_capacity(targets.len(), handles);
        let mut rest = Vec::new();
        for t in targets {
            let hit = match t {
                Target::Id(id) => by_id.get(id.as_str()).map(|h| (id.as_str(), *h)),
                Target::Handle(h) => by_handle.get(h).copied(),
            };
            match hit.filter(|(id, _)| !changed.contains(*id)) {
                Some((id, handle)) if handles => r.add(id.to_string(), handle.to_string(), true),
                // A file of ids only: the plan never looks a handle up.
                Some((id, handle)) => {
                    r.blocked.insert(id.to_string());
                    r.by_id.insert(id.to_string(), handle.to_string());
                }
                None => rest.push(t.clone()),
            }
        }
        (r, rest)
    }

    /// An empty resolution with room for `n` accounts (and their handles).
    fn with_capacity(n: usize, handles: bool) -> Self {
        Self {
            by_handle: HashMapExt::with_capacity(if handles { n } else { 0 }),
            by_id: HashMapExt::with_capacity(n),
            blocked: HashSetExt::with_capacity(n),
            ..Self::default()
        }
    }
}

/// The plan of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every distinct target's step, in file order.
    pub steps: Vec<Step>,
    /// Entries that repeated an earlier one (after resolving handles to ids).
    pub duplicates: usize,
    /// Accounts joined to you by a follow that are blocked anyway (`--force`).
    pub forced: usize,
    /// The `--where` query, as typed.
    pub query: Option<String>,
}

impl Plan {
    /// Builds the plan. Targets missing from `resolved` are not found; with `unblock`,
    /// accounts not blocked now are already in state.
    pub fn build(list: &ImportList, resolved: &Resolved, me: &str, unblock: bool) -> Self {
        // Ids are distinct in the parsed list: only handles can name an id twice.
        let handles = list.targets.iter().any(|t| matches!(t, Target::Handle(_)));
        let mut seen: foldhash::HashSet<&str> = Default::default();
        let mut plan = Plan {
            duplicates: list.duplicates,
            steps: Vec::with_capacity(list.targets.len()),
            ..Plan::default()
        };
        for target in &list.targets {
            let found = match target {
                Target::Id(id) => resolved.by_id.get(id).map(|h| (id.as_str(), h.as_str())),
                Target::Handle(h) => resolved
                    .by_handle
                    .get(h)
                    .map(|(id, h)| (id.as_str(), h.as_str())),
            };
            let Some((id, handle)) = found else {
                plan.steps.push(Step::NotFound(target.clone()));
                continue;
            };
            if handles && !seen.insert(id) {
                plan.duplicates += 1;
                continue;
            }
            let step = if id == me {
                Step::SelfAccount(id.to_string())
            } else if resolved.blocked.contains(id) != unblock {
                Step::AlreadyInState(id.to_string())
            } else {
                Step::Write(id.to_string(), Some(handle.to_string()))
            };
            plan.steps.push(step);
        }
        plan
    }

    /// The (id, handle) pairs to write, in file order.
    pub fn writes(&self) -> Vec<(String, Option<String>)> {
        self.steps
            .iter()
            .filter_map(|s| match s {
                Step::Write(id, h) => Some((id.clone(), h.clone())),
                _ => None,
            })
            .collect()
    }

    /// How many targets X does not know (or no longer has).
    pub fn not_found(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::NotFound(_)))
            .count()
    }

    /// Marks the targets of `unknown` (left for X, not looked up) as [`Step::ToLookUp`]
    /// instead of not found.
    pub fn to_look_up(&mut self, unknown: &[Target]) {
        let unknown: HashSet<&Target> = unknown.iter().collect();
        for step in &mut self.steps {
            if let Step::NotFound(t) = step {
                if unknown.contains(t) {
                    *step = Step::ToLookUp(t.clone());
                }
            }
        }
    }

    /// Turns the unblocks of kept accounts into [`Step::Kept`]; returns how many.
    pub fn keep(&mut self, kept: &HashSet<String>) -> usize {
        let mut n = 0;
        for step in &mut self.steps {
            if let Step::Write(id, h) = step {
                if kept.contains(id) {
                    *step = Step::Kept(id.clone(), h.take());
                    n += 1;
                }
            }
        }
        n
    }

    /// The guard: turns the blocks of accounts joined to you by a follow into
    /// [`Step::Followed`], unless `force`; returns how many are followed (skipped or not).
    pub fn guard(&mut self, follows: &HashMap<String, Follows>, force: bool) -> usize {
        let mut n = 0;
        for step in &mut self.steps {
            if let Step::Write(id, h) = step {
                if let Some(&f) = follows.get(id.as_str()) {
                    n += 1;
                    if !force {
                        *step = Step::Followed(id.clone(), h.take(), f);
                    }
                }
            }
        }
        self.forced = if force { n } else { 0 };
        n
    }

    /// `--where`: turns every found account `keep` rejects into [`Step::Filtered`] (before
    /// anything else is decided for it: an account the query leaves out is not written,
    /// whatever its state); returns how many.
    pub fn filter(&mut self, keep: impl Fn(&str) -> bool) -> usize {
        let mut n = 0;
        for step in &mut self.steps {
            let id = match step {
                Step::Write(id, _) | Step::AlreadyInState(id) | Step::Kept(id, _) => id,
                Step::Followed(id, ..) => id,
                Step::SelfAccount(_)
                | Step::NotFound(_)
                | Step::Filtered(_)
                | Step::ToLookUp(_) => continue,
            };
            if !keep(id) {
                *step = Step::Filtered(std::mem::take(id));
                n += 1;
            }
        }
        n
    }

    fn count(&self, f: impl Fn(&Step) -> bool) -> usize {
        self.steps.iter().filter(|s| f(s)).count()
    }
}

/// How many accounts not found the summary names.
const MAX_NAMED: usize = 20;

/// ` (a, b, … and N more)` after a count: the first [`MAX_NAMED`] names.
fn named(f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
    if names.is_empty() {
        return Ok(());
    }
    let shown = names.len().min(MAX_NAMED);
    write!(f, " ({}", names[..shown].join(", "))?;
    if names.len() > shown {
        write!(f, ", … and {} more", names.len() - shown)?;
    }
    write!(f, ")")
}

/// The plan summary as printed before anything runs.
pub struct Summary<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// `block` or `unblock`.
    pub verb: &'a str,
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.plan;
        let (already, verb) = (
            if self.verb == "block" {
                "already blocked"
            } else {
                "not blocked"
            },
            self.verb,
        );
        writeln!(
            f,
            "to {verb}: {}",
            p.count(|s| matches!(s, Step::Write(..)))
        )?;
        writeln!(
            f,
            "{already}: {}",
            p.count(|s| matches!(s, Step::AlreadyInState(_)))
        )?;
        let missing: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::NotFound(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        write!(f, "not found: {}", missing.len())?;
        named(f, &missing)?;
        writeln!(f)?;
        let unknown: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::ToLookUp(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        if !unknown.is_empty() {
            write!(
                f,
                "not looked up (--dry-run sends nothing; --look-up asks X): {}",
                unknown.len()
            )?;
            named(f, &unknown)?;
            writeln!(f)?;
        }
        let kept = p.count(|s| matches!(s, Step::Kept(..)));
        if kept > 0 {
            writeln!(f, "kept (on the keep list, never unblocked): {kept}")?;
        }
        let followed: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Followed(id, h, how) => Some(format!(
                    "{} {}",
                    crate::commands::targets::label(id, h.as_deref()),
                    how.words()
                )),
                _ => None,
            })
            .collect();
        if !followed.is_empty() {
            write!(
                f,
                "skipped, a follow joins you (--force blocks them anyway): {}",
                followed.len()
            )?;
            named(f, &followed)?;
            writeln!(f)?;
        }
        if p.forced > 0 {
            writeln!(
                f,
                "a follow joins you, blocked anyway (--force): {}",
                p.forced
            )?;
        }
        if let Some(q) = &p.query {
            writeln!(
                f,
                "left out by --where {}: {}",
                crate::text::sanitize(q),
                p.count(|s| matches!(s, Step::Filtered(_)))
            )?;
        }
        writeln!(
            f,
            "self: {}",
            p.count(|s| matches!(s, Step::SelfAccount(_)))
        )?;
        write!(f, "duplicates: {}", p.duplicates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::import_file::parse;

    fn resolved(accounts: &[(&str, &str)], blocked: &[&str]) -> Resolved {
        Resolved {
            by_handle: accounts
                .iter()
                .map(|(id, h)| (h.to_ascii_lowercase(), (id.to_string(), h.to_string())))
                .collect(),
            by_id: accounts
                .iter()
                .map(|(id, h)| (id.to_string(), h.to_string()))
                .collect(),
            blocked: blocked.iter().map(|b| b.to_string()).collect(),
            ..Resolved::default()
        }
    }

    #[test]
    fn classifies_every_target() {
        let list = parse(b"1\n2\n@Alice\n@ghost\n99\n@alice\n5\n404\n").unwrap();
        let accounts = [("1", "one"), ("2", "two"), ("5", "Alice"), ("99", "me")];
        let plan = Plan::build(&list, &resolved(&accounts, &["2"]), "99", false);
        assert_eq!(
            plan.steps,
            [
                Step::Write("1".into(), Some("one".into())),
                Step::AlreadyInState("2".into()),
                Step::Write("5".into(), Some("Alice".into())),
                Step::NotFound(Target::Handle("ghost".into())),
                Step::SelfAccount("99".into()),
                Step::NotFound(Target::Id("404".into())),
            ]
        );
        assert_eq!(plan.duplicates, 2, "@alice twice, and 5 is @alice");
        let text = Summary {
            plan: &plan,
            verb: "block",
        }
        .to_string();
        assert!(text.contains("to block: 2"), "{text}");
        assert!(text.contains("already blocked: 1"), "{text}");
        assert!(text.contains("not found: 2 (@ghost, 404)"), "{text}");
    }

    #[test]
    fn the_cache_resolves_what_it_holds_and_leaves_the_rest() {
        let listed: Vec<(String, String)> = [("1", "One"), ("2", "two")]
            .iter()
            .map(|(id, h)| (id.to_string(), h.to_string()))
            .collect();
        let list = parse(b"1\n@one\n3\n@nobody\n@two\n").unwrap();
        let changed = HashSet::from(["2".to_string()]);
        let (r, rest) = Resolved::from_known(&listed, &list.targets, &changed);
        assert_eq!(
            rest,
            [
                Target::Id("3".into()),
                Target::Handle("nobody".into()),
                Target::Handle("two".into())
            ],
            "unknown, and written since the sync, go to X"
        );
        assert!(r.blocked.contains("1"));
        assert_eq!(r.by_handle["one"], ("1".to_string(), "One".to_string()));
        let plan = Plan::build(&list, &r, "9", false);
        assert_eq!(plan.steps[0], Step::AlreadyInState("1".into()));
        assert_eq!(plan.duplicates, 1, "@one is 1");
    }

    #[test]
    fn unblock_plans_only_blocked_accounts() {
        let list = parse(b"1\n2\n").unwrap();
        let plan = Plan::build(
            &list,
            &resolved(&[("1", "a"), ("2", "b")], &["2"]),
            "9",
            true,
        );
        assert_eq!(plan.writes(), [("2".to_string(), Some("b".to_string()))]);
    }

    #[test]
    fn the_guard_skips_followed_accounts_unless_forced_and_where_leaves_out_the_rest() {
        let list = parse(b"1\n2\n3\n4\n").unwrap();
        let r = resolved(&[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")], &["4"]);
        let follows = HashMap::from([
            (
                "1".to_string(),
                Follows {
                    you_follow: true,
                    follows_you: false,
                },
            ),
            (
                "4".to_string(),
                Follows {
                    you_follow: false,
                    follows_you: true,
                },
            ),
        ]);
        let mut plan = Plan::build(&list, &r, "9", false);
        assert_eq!(plan.guard(&follows, false), 1, "4 is blocked already");
        assert_eq!(
            plan.steps[0],
            Step::Followed("1".into(), Some("a".into()), follows["1"])
        );
        plan.query = Some("followers:<10".into());
        assert_eq!(plan.filter(|id| id != "3"), 1);
        assert_eq!(plan.writes(), [("2".to_string(), Some("b".to_string()))]);
        let text = Summary {
            plan: &plan,
            verb: "block",
        }
        .to_string();
        assert!(
            text.contains("skipped, a follow joins you (--force blocks them anyway): 1 (@a (1) you follow them)"),
            "{text}"
        );
        assert!(
            text.contains("left out by --where followers:<10: 1"),
            "{text}"
        );

        let mut forced = Plan::build(&list, &r, "9", false);
        assert_eq!(forced.guard(&follows, true), 1);
        assert_eq!(forced.writes().len(), 3);
        assert!(Summary {
            plan: &forced,
            verb: "block"
        }
        .to_string()
        .contains("a follow joins you, blocked anyway (--force): 1"));
    }
}
