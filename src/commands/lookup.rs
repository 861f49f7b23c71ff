//! Users lookups at X for `block` and `import` (`/2/users/by?usernames=`, `/2/users?ids=`, 100
//! a request): their cost said before the first is sent, the whole lookup admitted by
//! `[billing] daily_cap` first, and what it spent recorded per UTC day.

use std::fmt;

use super::profile_db;
use super::progress::Progress;
use crate::api::price::{utc_day, Caps, Prices, Usd};
use crate::api::types::User;
use crate::api::Client;
use crate::exit::{Exit, ExitError};
use crate::store::config::Config;
use crate::store::db::Store;
use crate::store::paths::Paths;

/// Accounts per users lookup (X's maximum).
pub const CHUNK: usize = 100;

/// What a lookup will cost at most, said before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Accounts looked up.
    pub accounts: usize,
    /// Requests (100 accounts each, ids and handles apart).
    pub requests: usize,
    /// Worst case on pay-per-use: every account returned and billed.
    pub at_most: Usd,
    /// The price of one user looked up.
    pub per_user: Usd,
}

impl Cost {
    /// The cost of looking up `ids` accounts by id and `names` by handle.
    pub fn new(ids: usize, names: usize, prices: &Prices) -> Self {
        Self {
            accounts: ids + names,
            requests: ids.div_ceil(CHUNK) + names.div_ceil(CHUNK),
            at_most: prices.lookup((ids + names) as u64),
            per_user: prices.per_lookup,
        }
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "lookup at X: {} in {}, at most {} on pay-per-use ({} a user looked up)",
            plural(self.accounts, "account", "accounts"),
            plural(self.requests, "request", "requests"),
            self.at_most,
            self.per_user
        )
    }
}

/// The prices and the day's cap of this profile, with what it spent today.
#[derive(Debug, Clone, Copy)]
pub struct Billing {
    /// `[billing]` prices.
    pub prices: Prices,
    /// `[billing] daily_cap` and today's spend.
    pub caps: Caps,
}

impl Billing {
    /// Reads `config.toml` and today's spend from the database.
    pub async fn load(paths: &Paths, store: &Store) -> Result<Self, ExitError> {
        let config = Config::load(paths).map_err(|e| ExitError::new(Exit::Other, e.to_string()))?;
        let st = store.clone();
        let spent = profile_db::blocking(move || st.spent_today())
            .await
            .map_err(profile_db::exit)?;
        Ok(Self {
            prices: config.billing.prices(),
            caps: Caps {
                daily_cap: config.billing.daily_cap(),
                spent_before: Usd::from_dollars(spent),
                ..Caps::default()
            },
        })
    }
}

/// Looks up `names` (lower-case handles) and `ids` at X; accounts X does not know are left
/// out. Nothing is sent when the worst case would cross `[billing] daily_cap` (exit 6). Each
/// request's cost (the users it returned) is recorded in the day's spend.
pub async fn users(
    client: &Client,
    store: &Store,
    billing: &Billing,
    ids: &[String],
    names: &[String],
) -> Result<Vec<User>, ExitError> {
    let cost = Cost::new(ids.len(), names.len(), &billing.prices);
    if cost.accounts == 0 {
        return Ok(Vec::new());
    }
    billing.caps.admit(cost.at_most).map_err(|stop| {
        ExitError::new(
            Exit::Money,
            format!("{stop}; nothing was sent or changed: raise the cap in config.toml or import fewer accounts at a time"),
        )
    })?;
    let progress = Progress::new(client.rate_events());
    let mut found: Vec<User> = Vec::new();
    let mut done = 0;
    for (chunk, by_name) in names
        .chunks(CHUNK)
        .map(|c| (c, true))
        .chain(ids.chunks(CHUNK).map(|c| (c, false)))
    {
        let lookup = if by_name {
            client.users_by_usernames(chunk).await?
        } else {
            client.users_by_ids(chunk).await?
        };
        let spent = billing.prices.lookup(lookup.found.len() as u64);
        found.extend(lookup.found);
        if spent > Usd::ZERO {
            let day = utc_day(time::OffsetDateTime::now_utc());
            let st = store.clone();
            if let Err(e) = st.call(move |s| s.add_spend(&day, spent.dollars())).await {
                tracing::warn!("the lookup's spend was not recorded: {e}");
            }
        }
        done += chunk.len();
        progress.update_line(&format!(
            "planning: {done}/{} looked up at X",
            crate::text::count(cost.accounts as u64, "account")
        ));
    }
    progress.finish(&format!(
        "planning: {} looked up at X",
        crate::text::count(cost.accounts as u64, "account")
    ));
    Ok(found)
}

/// How the signed-in account and an account are joined by follows (`connection_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Follows {
    /// The signed-in account follows them (`following`).
    pub you_follow: bool,
    /// They follow the signed-in account (`followed_by`).
    pub follows_you: bool,
}

impl Follows {
    /// The follows `connection_status` reports for `u`; `None` when there are none.
    pub fn of(u: &User) -> Option<Self> {
        let words = u.connection_status.as_deref().unwrap_or_default();
        let has = |w: &str| words.iter().any(|x| x == w);
        let f = Self {
            you_follow: has("following"),
            follows_you: has("followed_by"),
        };
        (f.you_follow || f.follows_you).then_some(f)
    }

    /// `you follow them`, `they follow you` or `you follow each other`.
    pub fn words(self) -> &'static str {
        match (self.you_follow, self.follows_you) {
            (true, true) => "you follow each other",
            (true, false) => "you follow them",
            _ => "they follow you",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_counts_requests_per_kind_and_every_user() {
        let c = Cost::new(150, 1, &Prices::default());
        assert_eq!((c.accounts, c.requests), (151, 3));
        assert_eq!(
            c.to_string(),
            "lookup at X: 151 accounts in 3 requests, at most $1.510 on pay-per-use ($0.010 a user looked up)"
        );
        assert_eq!(
            Cost::new(0, 1, &Prices::default()).to_string(),
            "lookup at X: 1 account in 1 request, at most $0.010 on pay-per-use ($0.010 a user looked up)"
        );
    }

    #[test]
    fn follows_come_from_connection_status() {
        let user = |words: &[&str]| User {
            connection_status: Some(words.iter().map(|w| w.to_string()).collect()),
            ..User::default()
        };
        assert_eq!(Follows::of(&user(&["blocking"])), None);
        assert_eq!(Follows::of(&User::default()), None);
        let f = Follows::of(&user(&["following", "followed_by"])).unwrap();
        assert_eq!(f.words(), "you follow each other");
        assert_eq!(
            Follows::of(&user(&["followed_by"])).unwrap().words(),
            "they follow you"
        );
    }
}
