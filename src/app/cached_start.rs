//! The cached start: the worker sends the last full sync first (marked cached, the status bar
//! says `cached <time>`), the first live page replaces it (same ids dedupe, the cursor and marks
//! stay on the same accounts), and every live account keeps its `first_seen`.

use super::list::{keep_cursor_visible, rebuild_view};
use super::state::{SortKey, State};
use crate::store::db::ListedSlice;
use crate::text::SafeText;

/// What the first live page must carry over from the cached list.
#[derive(Debug, Default)]
pub(super) struct Carry {
    marked: Vec<String>,
}

/// A slice of the cached list arrived (the worker sends it in slices so no update is long):
/// shown at once unless the live list already replaced it.
pub(super) fn on_cached(state: &mut State, synced_at: String, accounts: &ListedSlice) {
    if state.started && state.snapshots.cached.is_none() {
        // The live list came first: it only takes the dates.
        remember_first_seen(state, accounts.iter().map(|a| (a.id, a.first_seen)));
        let ids: Vec<String> = accounts.ids().map(str::to_string).collect();
        after_page(state, false, &ids, Carry::default());
        return;
    }
    let plain = state.sort == SortKey::Loaded && !state.reversed && state.query.is_empty();
    state.reserve(accounts.len());
    for a in accounts.iter() {
        if let Some(i) = state.insert_listed(&a) {
            if plain {
                state.view.push(i);
            }
        }
    }
    state.started = true;
    state.snapshots.cached = Some(SafeText::new(&synced_at).to_string());
    if !plain {
        rebuild_view(state);
    }
    keep_cursor_visible(state);
}

/// Keeps the `first_seen` of these (id, Unix seconds) for the live pages.
fn remember_first_seen<'a>(state: &mut State, seen: impl Iterator<Item = (&'a str, i64)>) {
    let map = &mut state.snapshots.first_seen;
    for (id, t) in seen {
        if let Ok(n) = id.parse::<u64>() {
            map.insert(n, t);
        }
    }
}

/// Before a page is applied: a first live page is about to replace the cached list, so the
/// cached accounts' `first_seen` is kept for the live pages (gathered only now: a cached start
/// that never goes live never builds the map), and the marks it would clear are remembered.
pub(super) fn before_page(state: &mut State, first: bool) -> Carry {
    if !first || state.snapshots.cached.is_none() {
        return Carry::default();
    }
    let (accounts, index) = (&state.accounts, &state.index);
    state.snapshots.first_seen.extend(
        (0..accounts.len() as u32)
            .filter_map(|i| Some((accounts.numeric(i)?, index.first_seen(i)?))),
    );
    Carry {
        marked: state.marks.iter().map(|&i| state.accounts.id(i)).collect(),
    }
}

/// After a page is applied: its accounts get their `first_seen` from the cache, and a first
/// live page ends the cached view (marks restored on the same accounts).
pub(super) fn after_page(state: &mut State, first: bool, ids: &[String], carry: Carry) {
    let seen = &state.snapshots.first_seen;
    let found: Vec<(u32, i64)> = ids
        .iter()
        .filter_map(|id| {
            let t = seen.get(&id.parse::<u64>().ok()?)?;
            Some((state.index_of(id)?, *t))
        })
        .collect();
    for (i, t) in found {
        state.index.set_first_seen(i, Some(t));
    }
    if first {
        state.snapshots.cached = None;
        for id in carry.marked {
            if let Some(i) = state.index_of(&id) {
                state.marks.insert(i);
            }
        }
    }
}

/// `first_seen` (Unix seconds) by numeric id, from the cache.
pub type FirstSeen = foldhash::HashMap<u64, i64>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::User;
    use crate::app::account::parse_rfc3339;
    use crate::app::test_support::{key, state_at};
    use crate::app::{update, Action};

    fn user(i: usize) -> User {
        User {
            id: (100 + i).to_string(),
            username: format!("u{i}"),
            name: format!("n{i}"),
            ..Default::default()
        }
    }

    fn cached(ids: &[usize]) -> Action {
        let mut accounts = ListedSlice::default();
        for &i in ids {
            accounts.push_user(&user(i), parse_rfc3339("2026-01-02T00:00:00Z").unwrap());
        }
        Action::CachedList {
            synced_at: "2026-11-20T08:30:00Z".into(),
            accounts,
        }
    }

    fn page(ids: &[usize], next: Option<&str>) -> Action {
        Action::PageLoaded {
            first: true,
            users: ids.iter().map(|&i| user(i)).collect(),
            pinned: Default::default(),
            next_token: next.map(str::to_string),
        }
    }

    fn state() -> State {
        let mut s = state_at(1_800_000_000);
        crate::app::start(&mut s);
        s
    }

    #[test]
    fn cached_list_shows_at_once_then_the_live_page_replaces_it() {
        let mut s = state();
        update(&mut s, cached(&[1, 2, 3, 4]));
        assert_eq!(s.accounts.len(), 4);
        assert_eq!(s.snapshots.cached.as_deref(), Some("2026-11-20T08:30:00Z"));
        assert!(s.loading, "the live page is still on its way");
        // The user moves to u3 and marks u2 while the cache is shown.
        update(&mut s, key('j'));
        update(&mut s, key(' '));
        assert_eq!(s.selected().unwrap().handle.as_str(), "u3");
        // Live: u9 is new, u4 is gone.
        update(&mut s, page(&[9, 1, 2, 3], None));
        assert!(s.snapshots.cached.is_none());
        let handles: Vec<String> = s
            .view
            .iter()
            .map(|&i| s.account(i).handle.to_string())
            .collect();
        assert_eq!(handles, ["u9", "u1", "u2", "u3"]);
        assert_eq!(
            s.selected().unwrap().handle.as_str(),
            "u3",
            "cursor stays on the account"
        );
        let marked: Vec<String> = s
            .marks
            .iter()
            .map(|&i| s.account(i).handle.to_string())
            .collect();
        assert_eq!(marked, ["u2"]);
        let jan = parse_rfc3339("2026-01-02T00:00:00Z").unwrap();
        let seen = |h: &str| {
            (0..s.accounts.len() as u32)
                .map(|i| s.account(i))
                .find(|a| a.handle.as_str() == h)
                .unwrap()
                .first_seen
        };
        assert_eq!(seen("u1"), jan, "first_seen comes from the cache");
        assert_eq!(seen("u9"), 1_800_000_000, "new accounts are first seen now");
    }

    #[test]
    fn cached_slices_append_until_the_live_page_replaces_them() {
        let mut s = state();
        update(&mut s, cached(&[1, 2]));
        update(&mut s, cached(&[3, 4]));
        let handles = |s: &State| -> Vec<String> {
            s.view
                .iter()
                .map(|&i| s.account(i).handle.to_string())
                .collect()
        };
        assert_eq!(handles(&s), ["u1", "u2", "u3", "u4"]);
        update(&mut s, page(&[5, 1], Some("p2")));
        // A slice still in the channel after the live page: dates only.
        update(&mut s, cached(&[6]));
        assert_eq!(handles(&s), ["u5", "u1"]);
    }

    fn found_none(s: &State, q: &str) -> bool {
        s.index
            .search(&crate::query::parse(q).unwrap(), 0)
            .is_empty()
    }

    #[test]
    fn a_stored_account_shows_and_searches_as_the_same_account_read_live() {
        let long = "Ünïcødé ".repeat(40);
        let hostile: Vec<User> = [
            r#"{"id":"1","username":"Plain","name":"Ada Lovelace","description":"Counts things"}"#,
            r#"{"id":"2","username":"  lead","name":"\u202eevil\u202c  two  spaces ","description":"line\nbreak\ttab\u001b[31mred"}"#,
            r#"{"id":"3","username":"zalgo","name":"Z̸̡̢̛̗͖̭̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌ͅ","description":"👩‍👩‍👧‍👦 family ΣΑΣ İstanbul"}"#,
            r#"{"id":"x9","username":"odd","name":"","url":"https://t.co/a","entities":{"url":{"urls":[{"expanded_url":"https://Example.COM/Path"}]}},"profile_image_url":"https://abs.twimg.com/sticky/default_profile_images/d.png","verified":true,"protected":true,"pinned_tweet_id":"4"}"#,
        ]
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .chain([User {
            id: "5".into(),
            username: "long".into(),
            name: long.clone(),
            description: Some(long.repeat(3)),
            location: Some(long),
            created_at: Some("2011-03-04T05:06:07.000Z".into()),
            ..User::default()
        }])
        .collect();
        let (mut live, mut stored) = (state(), state());
        let mut slice = ListedSlice::default();
        for (n, u) in hostile.iter().enumerate() {
            live.insert_user(u, None, 1_000 + n as i64).unwrap();
            slice.push_user(u, 1_000 + n as i64);
        }
        for a in slice.iter() {
            stored.insert_listed(&a).unwrap();
        }
        for i in 0..hostile.len() as u32 {
            assert_eq!(stored.account(i), live.account(i), "account {i}");
            for flag in [
                crate::query::Flag::Verified,
                crate::query::Flag::Protected,
                crate::query::Flag::DefaultAvatar,
                crate::query::Flag::BioEmpty,
            ] {
                assert_eq!(stored.index.flag(i, flag), live.index.flag(i, flag));
            }
        }
        assert_eq!(stored.index_of("x9"), Some(3));
        assert_eq!(stored.index_of("2"), Some(1));
        assert!(stored
            .insert_listed(&slice.iter().next().unwrap())
            .is_none());
        assert!(!found_none(&stored, "example.com"));
        for q in ["example.com", "ada", "σας", "family", "two spaces"] {
            let found = |s: &State| s.index.search(&crate::query::parse(q).unwrap(), 0);
            assert_eq!(found(&stored), found(&live), "{q}");
        }
    }

    #[test]
    fn a_cached_list_arriving_after_the_live_page_only_brings_dates() {
        let mut s = state();
        update(&mut s, page(&[1, 2], Some("p2")));
        update(&mut s, cached(&[1, 2, 3]));
        assert_eq!(s.accounts.len(), 2);
        assert!(s.snapshots.cached.is_none());
        assert_eq!(
            s.account(0).first_seen,
            parse_rfc3339("2026-01-02T00:00:00Z").unwrap()
        );
    }
}
