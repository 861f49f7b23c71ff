//! The import plan as the `import --dry-run --json` document.

use serde::Serialize;

use super::plan::{Plan, Step};
use crate::commands::lookup::Cost;

/// One account the import would write.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Write<'a> {
    /// Numeric id.
    pub id: &'a str,
    /// Handle, when known.
    pub username: Option<&'a str>,
}

/// The counts of the plan.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Accounts the import would write.
    pub to_write: usize,
    /// Already in the wanted state.
    pub already_in_state: usize,
    /// Not found at X.
    pub not_found: usize,
    /// The signed-in account itself.
    #[serde(rename = "self")]
    pub self_account: usize,
    /// Lines that repeated an earlier one.
    pub duplicates: usize,
    /// On the keep list, left out of an unblock.
    pub kept: usize,
    /// Joined to you by a follow and skipped (the guard; none with `--force`).
    pub followed: usize,
    /// Joined to you by a follow and blocked anyway (`--force`).
    pub forced: usize,
    /// Left out by `--where`.
    pub left_out: usize,
    /// Not in the local database and not looked up (a dry run sends nothing).
    pub to_look_up: usize,
}

/// An account the guard skipped.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Followed<'a> {
    /// Numeric id.
    pub id: &'a str,
    /// Handle, when known.
    pub username: Option<&'a str>,
    /// You follow them.
    pub you_follow: bool,
    /// They follow you.
    pub follows_you: bool,
}

/// The users lookup the plan needed, as announced before it was sent.
#[derive(Debug, Serialize, PartialEq)]
pub struct Lookup {
    /// Accounts looked up at X.
    pub accounts: usize,
    /// Requests sent.
    pub requests: usize,
    /// Worst case on pay-per-use, USD.
    pub cost_usd_at_most: f64,
}

/// `import --dry-run --json`.
#[derive(Debug, Serialize, PartialEq)]
pub struct PlanDoc<'a> {
    /// `block` or `unblock`.
    pub action: &'a str,
    /// The counts.
    pub counts: Counts,
    /// What would be written, in file order.
    pub to_write: Vec<Write<'a>>,
    /// Ids already in the wanted state.
    pub already_in_state: Vec<&'a str>,
    /// Listed targets X does not know, as written in the file (`@handle` or id).
    pub not_found: Vec<String>,
    /// Accounts the guard skipped: a follow joins them to you.
    pub followed: Vec<Followed<'a>>,
    /// The `--where` query, and the ids it left out.
    #[serde(rename = "where")]
    pub query: Option<&'a str>,
    /// Ids `--where` left out.
    pub left_out: Vec<&'a str>,
    /// The users lookup of the plan (none when the database resolved every target); a dry
    /// run names it without sending it.
    pub lookup: Option<Lookup>,
    /// Listed targets the local database does not know, not looked up (a dry run), as written.
    pub to_look_up: Vec<String>,
}

/// The document for `plan`, whose writes are `verb`, after the users lookup `lookup`.
pub fn doc<'a>(plan: &'a Plan, verb: &'a str, lookup: Option<Cost>) -> PlanDoc<'a> {
    let mut d = PlanDoc {
        action: verb,
        counts: Counts {
            duplicates: plan.duplicates,
            forced: plan.forced,
            ..Counts::default()
        },
        to_write: Vec::new(),
        already_in_state: Vec::new(),
        not_found: Vec::new(),
        followed: Vec::new(),
        query: plan.query.as_deref(),
        left_out: Vec::new(),
        lookup: lookup.filter(|c| c.accounts > 0).map(|c| Lookup {
            accounts: c.accounts,
            requests: c.requests,
            cost_usd_at_most: c.at_most.dollars(),
        }),
        to_look_up: Vec::new(),
    };
    for step in &plan.steps {
        match step {
            Step::Write(id, handle) => d.to_write.push(Write {
                id,
                username: handle.as_deref(),
            }),
            Step::AlreadyInState(id) => d.already_in_state.push(id),
            Step::SelfAccount(_) => d.counts.self_account += 1,
            Step::NotFound(t) => d.not_found.push(t.to_string()),
            Step::Kept(..) => d.counts.kept += 1,
            Step::Followed(id, handle, how) => d.followed.push(Followed {
                id,
                username: handle.as_deref(),
                you_follow: how.you_follow,
                follows_you: how.follows_you,
            }),
            Step::Filtered(id) => d.left_out.push(id),
            Step::ToLookUp(t) => d.to_look_up.push(t.to_string()),
        }
    }
    d.counts.to_look_up = d.to_look_up.len();
    d.counts.followed = d.followed.len();
    d.counts.left_out = d.left_out.len();
    d.counts.to_write = d.to_write.len();
    d.counts.already_in_state = d.already_in_state.len();
    d.counts.not_found = d.not_found.len();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::import_file::Target;

    #[test]
    fn every_step_lands_in_its_list_and_count() {
        let plan = Plan {
            steps: vec![
                Step::Write("1".into(), Some("one".into())),
                Step::AlreadyInState("2".into()),
                Step::SelfAccount("3".into()),
                Step::NotFound(Target::Handle("ghost".into())),
                Step::Write("4".into(), None),
                Step::ToLookUp(Target::Handle("later".into())),
            ],
            duplicates: 2,
            ..Plan::default()
        };
        let v = serde_json::to_value(doc(&plan, "block", None)).unwrap();
        assert_eq!(v["action"], "block");
        assert_eq!(
            v["counts"],
            serde_json::json!({"to_write": 2, "already_in_state": 1, "not_found": 1, "self": 1, "duplicates": 2, "kept": 0, "followed": 0, "forced": 0, "left_out": 0, "to_look_up": 1})
        );
        assert_eq!(
            v["to_write"][1],
            serde_json::json!({"id": "4", "username": null})
        );
        assert_eq!(v["not_found"], serde_json::json!(["@ghost"]));
        assert_eq!(v["to_look_up"], serde_json::json!(["@later"]));
    }
}
