//! Incremental fuzzy search (nucleo-matcher) over handle, name and bio of loaded accounts.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::account::Account;

/// Accounts scored per step: a search over a huge list runs in slices of this size, between
/// which keys are handled, so typing never waits for a full scan.
pub const CHUNK: usize = 10_000;

/// A search in progress over `candidates`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Job {
    /// Indices to score, in display order.
    pub candidates: Vec<u32>,
    /// How many have been scored.
    pub next: usize,
    /// Matches so far: (index, score).
    pub found: Vec<(u32, u32)>,
}

impl Job {
    /// A job over `candidates`.
    pub fn new(candidates: Vec<u32>) -> Self {
        Self {
            candidates,
            next: 0,
            found: Vec::new(),
        }
    }

    /// Scores up to `limit` more candidates; true when every candidate has been scored.
    pub fn step(&mut self, accounts: &[Account], query: &str, limit: usize) -> bool {
        let end = (self.next + limit).min(self.candidates.len());
        let slice = &self.candidates[self.next..end];
        self.found.extend(score(accounts, slice, query));
        self.next = end;
        self.next == self.candidates.len()
    }

    /// The matches, best first (ties keep the candidates' order).
    pub fn ranked(self) -> Vec<u32> {
        let mut keyed: Vec<(std::cmp::Reverse<u32>, u32, u32)> = self
            .found
            .iter()
            .enumerate()
            .map(|(pos, &(i, s))| (std::cmp::Reverse(s), pos as u32, i))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }
}

/// Indices of `candidates` whose handle, name or bio matches `query`, best first (ties keep the
/// candidates' order).
pub fn matches(accounts: &[Account], candidates: &[u32], query: &str) -> Vec<u32> {
    let mut job = Job::new(candidates.to_vec());
    job.step(accounts, query, usize::MAX);
    job.ranked()
}

/// (index, best score) of the candidates that match.
fn score(accounts: &[Account], candidates: &[u32], query: &str) -> Vec<(u32, u32)> {
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    candidates
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
        .collect()
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

    #[test]
    fn a_job_in_slices_finds_what_one_pass_finds() {
        let accts: Vec<Account> = (0..50)
            .map(|i| {
                acct(
                    &format!("user{i}"),
                    "x",
                    if i % 7 == 0 { "crypto" } else { "" },
                )
            })
            .collect();
        let all: Vec<u32> = (0..50).collect();
        let mut job = Job::new(all.clone());
        let mut steps = 0;
        while !job.step(&accts, "crypto", 8) {
            steps += 1;
        }
        assert_eq!(steps, 6);
        assert_eq!(job.ranked(), matches(&accts, &all, "crypto"));
    }
}
