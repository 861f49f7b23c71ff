//! The visible ordering: sorting, searching in slices, cursor movement and lazy paging.

use super::action::Command;
use super::geometry::visible_offset;
use super::state::{SortKey, State};
use crate::query::Count;

/// Recomputes `view` from the sort and the query, keeping the selected account selected. A
/// query is evaluated exactly ([`crate::query`]); a long list in slices (see [`search_step`]).
pub(super) fn rebuild_view(state: &mut State) {
    let keep = state.view.get(state.cursor).copied();
    state.query_error = None;
    state.search_job = None;
    if !state.query.trim().is_empty() {
        match crate::query::parse(&state.query) {
            Ok(q) => {
                let now = super::update::unix(state.now);
                // The previous list stays on screen until the new result is complete.
                // Typing on (or deleting back) only re-checks an earlier result's matches.
                let job = crate::query::Job::after(&state.searches, q, now, &state.index);
                state.search_job = Some(job);
                search_step(state);
            }
            Err(e) => {
                state.query_error = Some(e);
                state.view.clear();
                state.cursor = 0;
                state.offset = 0;
            }
        }
        return;
    }
    let index = &state.index;
    let mut v: Vec<u32> = (0..state.accounts.len() as u32)
        .filter(|&i| !index.flag(i, crate::query::Flag::Gone))
        .collect();
    sort_view(state, &mut v);
    state.view = v;
    state.cursor = keep
        .and_then(|k| state.view.iter().position(|&v| v == k))
        .unwrap_or(0);
    keep_cursor_visible(state);
}

/// Orders `v` (indices into `accounts`) by the sort column.
fn sort_view(state: &State, v: &mut Vec<u32>) {
    let index = &state.index;
    match state.sort {
        SortKey::Loaded if !state.snapshots.sync.front.is_empty() => {
            // Accounts a sync found new come first, newest block first.
            let front = &state.snapshots.sync.front;
            let set: std::collections::HashSet<u32> = front.iter().copied().collect();
            let listed: std::collections::HashSet<u32> = v.iter().copied().collect();
            let rest: Vec<u32> = v.iter().copied().filter(|i| !set.contains(i)).collect();
            *v = front
                .iter()
                .copied()
                .filter(|i| listed.contains(i))
                .chain(rest)
                .collect();
        }
        SortKey::Loaded => {}
        SortKey::Handle => sort_by_text(v, |i| index.lower_field(i, 0)),
        SortKey::Name => sort_by_text(v, |i| index.lower_field(i, 1)),
        SortKey::Followers => {
            // Keys gathered once, then sorted without chasing pointers; ties in load order.
            let mut keyed: Vec<(std::cmp::Reverse<u64>, u32)> = v
                .iter()
                .map(|&i| (std::cmp::Reverse(index.count(i, Count::Followers)), i))
                .collect();
            keyed.sort_unstable();
            *v = keyed.into_iter().map(|(_, i)| i).collect();
        }
    }
    if state.reversed {
        v.reverse();
    }
}

/// Evaluates one more slice of the running search; once every account is evaluated the list is
/// exactly the matches, sorted.
pub(super) fn search_step(state: &mut State) {
    let Some(mut job) = state.search_job.take() else {
        return;
    };
    if job.step(&state.index, crate::query::CHUNK) {
        let mut v = Vec::with_capacity(job.count());
        // Accounts a full sync found gone are out of the list, whatever the query.
        v.extend(
            job.matches()
                .filter(|&i| !state.index.flag(i, crate::query::Flag::Gone)),
        );
        sort_view(state, &mut v);
        state.view = v;
        state.cursor = 0;
        state.offset = 0;
        let now = super::update::unix(state.now);
        let index = &state.index;
        state
            .searches
            .retain(|j| j.query != job.query && j.still_holds(index, now));
        if state.searches.len() >= crate::query::EARLIER {
            state.searches.remove(0);
        }
        state.searches.push(job);
    } else {
        state.search_job = Some(job);
    }
    keep_cursor_visible(state);
}

pub(super) fn move_by(state: &mut State, delta: isize) {
    let target = (state.cursor as isize + delta).max(0) as usize;
    move_to(state, target);
}

pub(super) fn move_to(state: &mut State, pos: usize) {
    state.cursor = pos.min(state.view.len().saturating_sub(1));
    keep_cursor_visible(state);
}

pub(super) fn keep_cursor_visible(state: &mut State) {
    let rows = state.list_rows();
    state.cursor = state.cursor.min(state.view.len().saturating_sub(1));
    state.offset = visible_offset(state.cursor, state.offset, rows, state.view.len());
}

/// Lazy paging: within one screen of the end of what is loaded, with no page in flight, no
/// search filter and a next token, ask for the next page.
pub(super) fn maybe_load(state: &mut State) -> Option<Command> {
    if state.loading || state.page_error || !state.query.is_empty() {
        return None;
    }
    let token = state.next_token.clone()?;
    let left = state.view.len().saturating_sub(state.cursor + 1);
    if left > state.list_rows() {
        return None;
    }
    state.loading = true;
    Some(Command::LoadNextPage { token: Some(token) })
}

/// Sorts indices by text, ASCII case-insensitively, ties in load order. Fast on huge lists: a
/// packed 16-byte prefix (a whole handle) is sorted as an integer, then only runs sharing a prefix
/// compare whole strings.
pub(super) fn sort_by_text<'a>(v: &mut Vec<u32>, text: impl Fn(u32) -> &'a str) {
    fn prefix(s: &str) -> u128 {
        let mut k = [0u8; 16];
        for (d, b) in k.iter_mut().zip(s.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        u128::from_be_bytes(k)
    }
    let lower = |s: &'a str| s.bytes().map(|b| b.to_ascii_lowercase());
    let mut keyed: Vec<(u128, u32)> = v.iter().map(|&i| (prefix(text(i)), i)).collect();
    keyed.sort_unstable();
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        // Texts of at most 16 bytes are their prefix: (prefix, index) already orders them.
        if end - start > 1 && keyed[start..end].iter().any(|&(_, i)| text(i).len() > 16) {
            keyed[start..end]
                .sort_by(|a, b| lower(text(a.1)).cmp(lower(text(b.1))).then(a.1.cmp(&b.1)));
        }
        start = end;
    }
    v.clear();
    v.extend(keyed.into_iter().map(|(_, i)| i));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sort_by_text_matches_a_plain_sort(words in proptest::collection::vec("[a-cA-C_é]{0,20}", 0..60)) {
            let mut fast: Vec<u32> = (0..words.len() as u32).collect();
            super::sort_by_text(&mut fast, |i| words[i as usize].as_str());
            let mut plain: Vec<u32> = (0..words.len() as u32).collect();
            plain.sort_by_key(|&i| (words[i as usize].to_ascii_lowercase(), i));
            prop_assert_eq!(fast, plain);
        }
    }
}
