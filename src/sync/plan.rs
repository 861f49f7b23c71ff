//! The plan of a sync, shown before any request (by `xblocks sync` and the TUI's `R` confirm
//! alike): how many requests, how many accounts at most, what that costs at most and how long
//! it takes at the read budget. Pure arithmetic and its wording.

use std::time::SystemTime;

use crate::api::eta::{clock, WINDOW_SECS};
use crate::api::price::{Caps, Prices, Usd};
use crate::api::Budget;
use crate::store::db::{DbError, Store};

/// Page sizes of a top-up, in order; the last repeats. Small first, so k new blocks cost about
/// k accounts: a page that holds only known accounts ends the top-up.
pub const TOP_UP_PAGES: [u32; 4] = [20, 100, 500, 1000];
/// Page size of a full sync (X's maximum).
pub const FULL_PAGE: u32 = 1000;
/// Documented block-list reads per 15-minute window (CONTRACT §6), the first guess.
pub const DEFAULT_READ_LIMIT: u32 = 15;

/// Size of the `n`-th (0-based) page of a sync.
pub fn page_size(full: bool, n: usize) -> u32 {
    if full {
        FULL_PAGE
    } else {
        TOP_UP_PAGES[n.min(TOP_UP_PAGES.len() - 1)]
    }
}

/// What a sync will do, at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Every page (`--full`, or no complete sync yet) rather than a top-up.
    pub full: bool,
    /// Requests the plan expects.
    pub requests: u64,
    /// Accounts those requests return at most.
    pub accounts: u64,
    /// What they cost at most (before X's same-day dedup).
    pub cost: Usd,
    /// Of those, accounts already read this UTC day: likely not billed again.
    pub likely_free: u64,
    /// Seconds until the last request can be sent at the read budget.
    pub eta_secs: u64,
}

impl Plan {
    /// The plan of a sync over a database listing `listed` accounts, `seen_today` of them read
    /// this UTC day, at `prices`, with the block-list read budget last reported (if any).
    pub fn new(
        full: bool,
        listed: u64,
        seen_today: u64,
        prices: &Prices,
        budget: Option<Budget>,
        now: SystemTime,
    ) -> Self {
        let (requests, accounts, likely_free) = if full {
            // One more page than the list needs: blocks added meanwhile.
            let pages = listed / u64::from(FULL_PAGE) + 1;
            (pages, pages * u64::from(FULL_PAGE), seen_today.min(listed))
        } else {
            // The usual top-up: a small page of news, then one page that holds only known
            // accounts.
            let (a, b) = (TOP_UP_PAGES[0], TOP_UP_PAGES[1]);
            (2, u64::from(a) + u64::from(b), 0)
        };
        let cost = prices.per_account.times(accounts);
        let eta_secs = crate::api::eta::eta_secs(
            requests as usize,
            budget.or(Some(Budget {
                limit: DEFAULT_READ_LIMIT,
                remaining: DEFAULT_READ_LIMIT,
                reset: now,
            })),
            WINDOW_SECS,
            now,
        );
        Self {
            full,
            requests,
            accounts,
            cost,
            likely_free,
            eta_secs,
        }
    }

    /// What the worst case costs once the accounts already read today are left out.
    pub fn cost_after_dedup(&self, prices: &Prices) -> Usd {
        self.cost.minus(prices.per_account.times(self.likely_free))
    }
}

/// What the database says before a sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Accounts listed now.
    pub listed: u64,
    /// Of those, read this UTC day.
    pub seen_today: u64,
    /// A full sync has finished: a top-up can build on it.
    pub complete: bool,
    /// Spent this UTC day.
    pub spent_today: Usd,
}

impl Facts {
    /// Reads the facts from `store` (blocking: call it off the async threads).
    pub fn read(store: &Store) -> Result<Self, DbError> {
        Ok(Self {
            listed: store.listed_count()?,
            seen_today: store.listed_seen_today()?,
            complete: !store.last_full_syncs(1)?.is_empty(),
            spent_today: Usd::from_dollars(store.spent_today()?),
        })
    }
}

/// The plan as shown before any request: what it sends, reads and costs at most, its ETA,
/// what was read today, and the money spent and left under the caps. `complete` says whether a
/// full sync has finished before (a full plan without one says so).
pub fn lines(plan: &Plan, prices: &Prices, caps: &Caps, complete: bool) -> Vec<String> {
    let eta = if plan.eta_secs == 0 {
        "now".to_string()
    } else {
        format!("about {}", clock(plan.eta_secs))
    };
    let mut lines = Vec::new();
    if plan.full && !complete {
        // Only the accounts stored so far are known: the list may be much longer.
        lines.push(format!(
            "plan: full sync (no complete sync yet): the list's length is not known, so every page is read, each of {FULL_PAGE} accounts costing at most {}",
            prices.page(u64::from(FULL_PAGE))
        ));
        lines.push(format!(
            "for the accounts stored so far: {} requests, at most {} accounts, at most {}, ETA {eta}",
            plan.requests, plan.accounts, plan.cost
        ));
    } else if plan.full {
        lines.push(format!(
            "plan: full sync: {} requests, at most {} accounts, at most {}, ETA {eta}",
            plan.requests, plan.accounts, plan.cost
        ));
    }
    if plan.full {
        if plan.likely_free > 0 {
            lines.push(format!(
                "{} accounts were read today (UTC) and are likely not billed again: about {}",
                plan.likely_free,
                plan.cost_after_dedup(prices)
            ));
        }
    } else {
        lines.push(format!(
            "plan: top-up from the newest block: {} requests, at most {} accounts, at most {} while fewer than {} blocks are new, ETA {eta}; each further page only while pages hold new blocks",
            plan.requests,
            plan.accounts,
            plan.cost,
            TOP_UP_PAGES[0]
        ));
    }
    let mut money = format!("spent today (UTC): {}", caps.spent_before);
    if let Some(cap) = caps.daily_cap {
        money.push_str(&format!(
            "; daily cap {cap} ({} left)",
            cap.minus(caps.spent_before)
        ));
    }
    if let Some(max) = caps.max_cost {
        money.push_str(&format!("; --max-cost {max}"));
    }
    lines.push(money);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_up_is_two_small_pages_and_a_full_sync_every_page() {
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let p = Prices::default();
        let top = Plan::new(false, 50_000, 0, &p, None, now);
        assert_eq!((top.requests, top.accounts), (2, 120));
        assert_eq!(top.cost, Usd(120_000));
        assert_eq!(top.eta_secs, 0);
        let full = Plan::new(true, 50_000, 20_000, &p, None, now);
        assert_eq!(full.requests, 51);
        assert_eq!(full.cost.to_string(), "$51.000");
        assert_eq!(full.likely_free, 20_000);
        assert_eq!(full.cost_after_dedup(&p).to_string(), "$31.000");
        // 51 requests at 15 per window: three more windows.
        assert_eq!(full.eta_secs, 3 * 900);
        assert_eq!(page_size(false, 0), 20);
        assert_eq!(page_size(false, 9), 1000);
        assert_eq!(page_size(true, 0), 1000);
    }

    #[test]
    fn the_plan_reads_as_printed_and_says_when_the_length_is_unknown() {
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let p = Prices::default();
        let caps = Caps {
            daily_cap: Some(Usd::from_dollars(5.0)),
            spent_before: Usd::from_dollars(1.0),
            ..Caps::default()
        };
        let known = Plan::new(true, 2_500, 0, &p, None, now);
        assert_eq!(
            lines(&known, &p, &caps, true),
            [
                "plan: full sync: 3 requests, at most 3000 accounts, at most $3.000, ETA now",
                "spent today (UTC): $1.000; daily cap $5.000 ($4.000 left)",
            ]
        );
        let first = Plan::new(true, 1_000, 1_000, &p, None, now);
        let text = lines(&first, &p, &caps, false).join("\n");
        assert!(
            text.starts_with("plan: full sync (no complete sync yet): the list's length is not known, so every page is read, each of 1000 accounts costing at most $1.000\nfor the accounts stored so far: 2 requests, at most 2000 accounts, at most $2.000, ETA now\n1000 accounts were read today"),
            "{text}"
        );
    }
}
