//! Looking up at X the accounts the profile database does not know (`import`, `block` and the
//! other write commands): how many and the worst-case cost are said before any request
//! (`[billing] price_per_lookup`, $0.010 a user on pay-per-use), `[billing] daily_cap` is checked
//! first, and what was spent is recorded for the UTC day.

use super::profile_db;
use super::progress::Progress;
use crate::api::price::{Caps, Prices, Usd};
use crate::api::types::User;
use crate::api::Client;
use crate::exit::{Exit, ExitError};
use crate::store::db::{self, Store};
use crate::store::import_file::Target;

/// Accounts per users lookup (X's maximum).
pub const CHUNK: usize = 100;

/// The lookups a command needs: targets the database does not know.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Handles, without `@`.
    pub handles: Vec<String>,
    /// Numeric ids.
    pub ids: Vec<String>,
    /// What X charges.
    pub prices: Prices,
}

impl Lookups {
    /// The lookups of `targets` (each looked up once), at `prices`.
    pub fn new(targets: &[Target], prices: Prices) -> Self {
        let mut l = Self {
            prices,
            ..Self::default()
        };
        for t in targets {
            match t {
                Target::Id(id) if !l.ids.contains(id) => l.ids.push(id.clone()),
                Target::Handle(h) if !l.handles.contains(h) => l.handles.push(h.clone()),
                _ => {}
            }
        }
        l
    }

    /// Accounts to look up.
    pub fn accounts(&self) -> usize {
        self.handles.len() + self.ids.len()
    }

    /// Requests they take.
    pub fn requests(&self) -> usize {
        self.handles.len().div_ceil(CHUNK) + self.ids.len().div_ceil(CHUNK)
    }

    /// The most they can cost (every account found, none billed yet today).
    pub fn worst(&self) -> Usd {
        self.prices.lookup(self.accounts() as u64)
    }

    /// The plan's line about them, `None` when there are none.
    pub fn line(&self) -> Option<String> {
        let n = self.accounts();
        (n > 0).then(|| {
            let r = self.requests();
            format!(
                "to look up at X: {n} account{} the local database does not know ({r} request{}, at most {} at {} a user on pay-per-use)",
                plural(n),
                plural(r),
                self.worst(),
                self.prices.per_lookup
            )
        })
    }

    /// Checks `[billing] daily_cap` for the whole lookup, then looks every account up (progress
    /// on stderr), recording what each request cost. Nothing is sent when the lookup could cross
    /// the cap.
    pub async fn run(
        &self,
        client: &Client,
        store: &Store,
        daily_cap: Option<Usd>,
    ) -> Result<Vec<User>, ExitError> {
        let total = self.accounts();
        if total == 0 {
            return Ok(Vec::new());
        }
        if let Some(cap) = daily_cap {
            let st = store.clone();
            let spent = profile_db::blocking(move || st.spent_today())
                .await
                .map_err(profile_db::exit)?;
            let caps = Caps {
                daily_cap: Some(cap),
                spent_before: Usd::from_dollars(spent),
                ..Caps::default()
            };
            if let Err(stop) = caps.admit(self.worst()) {
                return Err(ExitError::new(
                    Exit::Money,
                    format!(
                        "stopped before looking up {total} account{} at X (up to {}): [billing] daily_cap (UTC day) is {}, {} spent, {} left; nothing was sent or queued",
                        plural(total),
                        stop.worst,
                        stop.cap,
                        stop.spent,
                        stop.left()
                    ),
                ));
            }
        }
        let progress = Progress::new(client.rate_events());
        let mut found = Vec::new();
        let mut done = 0;
        let chunks = self
            .handles
            .chunks(CHUNK)
            .map(|c| (c, true))
            .chain(self.ids.chunks(CHUNK).map(|c| (c, false)));
        for (chunk, by_name) in chunks {
            let lookup = if by_name {
                client.users_by_usernames(chunk).await?
            } else {
                client.users_by_ids(chunk).await?
            };
            self.record(store, lookup.found.len()).await;
            found.extend(lookup.found);
            done += chunk.len();
            progress.update_line(&format!("planning: {done}/{total} accounts looked up at X"));
        }
        progress.finish(&format!(
            "planning: {total} account{} looked up at X",
            plural(total)
        ));
        Ok(found)
    }

    /// Records the cost of `found` accounts returned by one lookup (X bills what it returns).
    async fn record(&self, store: &Store, found: usize) {
        let cost = self.prices.lookup(found as u64);
        if cost == Usd::ZERO {
            return;
        }
        let st = store.clone();
        let day = db::utc_day(db::now_unix());
        if let Err(e) = profile_db::blocking(move || st.add_spend(&day, cost.dollars())).await {
            tracing::warn!("the lookup's cost was not recorded: {e}");
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_and_the_worst_case_before_any_request() {
        let mut targets: Vec<Target> = (0..150).map(|i| Target::Id(i.to_string())).collect();
        targets.push(Target::Handle("someone".into()));
        targets.push(Target::Id("7".into()));
        let l = Lookups::new(&targets, Prices::default());
        assert_eq!((l.accounts(), l.requests()), (151, 3));
        assert_eq!(l.worst(), Usd(1_510_000));
        assert_eq!(
            l.line().unwrap(),
            "to look up at X: 151 accounts the local database does not know (3 requests, at most $1.510 at $0.010 a user on pay-per-use)"
        );
        assert!(Lookups::new(&[], Prices::default()).line().is_none());
    }
}
