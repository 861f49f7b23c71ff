//! Incremental fuzzy search (nucleo-matcher) over handle, name and bio of loaded accounts.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::account::Account;

/// Indices of `candidates` whose handle, name or bio matches `query`, best first (ties keep the
/// candidates' order).
pub fn matches(accounts: &[Account], candidates: &[u32], query: &str) -> Vec<u32> {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, u32)> = candidates
        .iter()
        .filter_map(|&i| {
            let a = &accounts[i as usize];
            let mut best: Option<u32> = None;
            for (hay, weight) in [
                (a.handle.as_str(), 2),
                (a.name.as_str(), 2),
                (a.bio.as_str(), 1),
            ] {
                if hay.is_empty() {
                    continue;
                }
                if let Some(s) = pattern.score(Utf32Str::new(hay, &mut buf), &mut matcher) {
                    best = best.max(Some(s * weight));
                }
            }
            best.map(|s| (i, s))
        })
        .collect();
    scored.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
    scored.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::User;

    fn acct(handle: &str, name: &str, bio: &str) -> Account {
        let u = User {
            id: "1".into(),
            username: handle.into(),
            name: name.into(),
            description: Some(bio.into()),
            ..Default::default()
        };
        Account::from_user(&u, None, 0)
    }

    #[test]
    fn matches_handle_name_and_bio() {
        let accts = vec![
            acct("spammer99", "Crypto King", "buy now"),
            acct("alice", "Alice", "gardening"),
            acct("bob", "Bob", "crypto enthusiast"),
        ];
        let all = [0, 1, 2];
        assert_eq!(matches(&accts, &all, "crypto"), vec![0, 2]);
        assert_eq!(matches(&accts, &all, "alc"), vec![1]);
        assert_eq!(matches(&accts, &all, "garden"), vec![1]);
        assert!(matches(&accts, &all, "zzzz").is_empty());
    }
}
