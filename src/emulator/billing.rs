//! Pay-per-use money (CONTRACT §9, §10): prices per resource returned, per-UTC-day dedup of
//! billed resources, a prepaid balance (`--credits`) whose depletion answers X's 402, a usage
//! cap (`--usage-cap`) whose crossing answers X's usage-cap 429, and `GET /2/usage/credits`.
//!
//! Amounts are integer micro-dollars. Only reads are billed here: writes have no public
//! per-request price that xblocks' price model knows (block writes are Enterprise contracts), so
//! the emulator neither bills nor refuses them for money.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::Response;

use super::problems;

/// Which 402 body the emulator sends once the credits are gone (CONTRACT §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CreditsBody {
    /// The captured `CreditsDepleted` body with a bare big-integer `account_id`.
    #[default]
    Captured,
    /// The variant `Payment Required` body without `account_id`.
    Variant,
}

/// A billed item of X's price list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// "Block: Read", each account returned by `GET /2/users/:id/blocking`.
    BlockRead,
    /// "Mute: Read", each account returned by `GET /2/users/:id/muting`.
    MuteRead,
    /// "User: Read", each user returned by a users lookup (`/2/users/me` too).
    UserRead,
    /// "Posts: Read", each expanded post in `includes`.
    PostRead,
}

impl Item {
    /// Price of one resource, micro-dollars.
    pub fn price_micros(self) -> u64 {
        match self {
            Item::BlockRead | Item::MuteRead => 1_000,
            Item::UserRead => 10_000,
            Item::PostRead => 5_000,
        }
    }
}

/// The money state of one emulator.
#[derive(Debug)]
pub struct Billing {
    /// Prepaid balance in micro-dollars (may go negative: a page is served whole); `None` =
    /// no balance kept, nothing is refused for money.
    balance: Option<i64>,
    /// Billed resources so far (what `--usage-cap` counts).
    billed: u64,
    /// Spent so far, micro-dollars.
    spent: u64,
    /// UTC day (days since the epoch) of `seen`.
    day: u64,
    /// Resources billed this UTC day: (item, account index or post id).
    seen: HashSet<(Item, u64)>,
}

/// Why a billed request is refused before it is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Balance ≤ 0: X's 402.
    CreditsDepleted,
    /// The usage cap is reached: X's usage-cap 429.
    UsageCapped,
}

fn utc_day(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() / 86_400
}

/// Micro-dollars from a USD amount.
pub fn micros(usd: f64) -> i64 {
    (usd * 1e6).round() as i64
}

/// `$0.123` (three decimals: every price is a multiple of $0.001).
pub fn usd(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    format!("{sign}${}.{:03}", m / 1_000_000, (m % 1_000_000) / 1_000)
}

impl Billing {
    /// A billing state with an optional prepaid balance in USD.
    pub fn new(credits_usd: Option<f64>) -> Self {
        Self {
            balance: credits_usd.map(micros),
            billed: 0,
            spent: 0,
            day: utc_day(SystemTime::now()),
            seen: HashSet::new(),
        }
    }

    /// Whether a billed request may be served now.
    pub fn check(&self, usage_cap: Option<u64>) -> Option<Refusal> {
        if self.balance.is_some_and(|b| b <= 0) {
            return Some(Refusal::CreditsDepleted);
        }
        if usage_cap.is_some_and(|cap| self.billed >= cap) {
            return Some(Refusal::UsageCapped);
        }
        None
    }

    /// Bills the resources `keys` of `item` returned at `now`; a resource already billed this
    /// UTC day is free. Returns the cost in micro-dollars.
    pub fn charge(
        &mut self,
        item: Item,
        keys: impl IntoIterator<Item = u64>,
        now: SystemTime,
    ) -> u64 {
        let day = utc_day(now);
        if day != self.day {
            self.day = day;
            self.seen.clear();
        }
        let fresh = keys
            .into_iter()
            .filter(|&k| self.seen.insert((item, k)))
            .count() as u64;
        let cost = fresh * item.price_micros();
        self.billed += fresh;
        self.spent += cost;
        if let Some(b) = &mut self.balance {
            *b -= cost as i64;
        }
        cost
    }

    /// Balance left in micro-dollars, if one is kept.
    pub fn balance(&self) -> Option<i64> {
        self.balance
    }

    /// Spent so far, micro-dollars.
    pub fn spent(&self) -> u64 {
        self.spent
    }

    /// Billed resources so far.
    pub fn billed(&self) -> u64 {
        self.billed
    }

    /// Adds `usd` to the balance (a top-up); starts keeping one if there was none.
    pub fn top_up(&mut self, usd: f64) {
        *self.balance.get_or_insert(0) += micros(usd);
    }
}

/// X's 402 for a depleted balance, in the chosen shape (CONTRACT §10, exact captured bytes).
pub fn credits_depleted(body: CreditsBody, account_id: u64) -> Response {
    let text = match body {
        CreditsBody::Captured => format!(
            "{{\"account_id\":{account_id},\"title\":\"CreditsDepleted\",\"detail\":\"Your enrolled account [{account_id}] does not have any credits to fulfill this request.\",\"type\":\"https://api.twitter.com/2/problems/credits\"}}"
        ),
        CreditsBody::Variant => "{\"detail\":\"credits depleted\",\"status\":402,\"title\":\"Payment Required\",\"type\":\"https://api.x.com/2/problems/credits-depleted\"}".to_string(),
    };
    problems::text_response(StatusCode::PAYMENT_REQUIRED, problems::JSON, text)
}

/// X's usage-cap 429 (CONTRACT §10, live shape with `account_id` and `product_name`).
pub fn usage_capped(account_id: u64) -> Response {
    problems::problem(
        StatusCode::TOO_MANY_REQUESTS,
        &serde_json::json!({"account_id":account_id.to_string(),"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}),
    )
}

/// The `GET /2/usage/credits` body: the payer's balance in USD, `total_balance = max(0,
/// prepaid + free)` with prepaid possibly negative (shape as clients in the wild read it:
/// `{"data":{"free_balance","prepaid_balance","total_balance"}}`, numbers in USD).
pub fn credits_body(balance_micros: i64) -> serde_json::Value {
    let prepaid = balance_micros as f64 / 1e6;
    serde_json::json!({"data":{"free_balance":0,"prepaid_balance":prepaid,"total_balance":prepaid.max(0.0)}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dedups_per_utc_day_and_depletes() {
        let mut b = Billing::new(Some(0.004));
        let t = UNIX_EPOCH + Duration::from_secs(86_400 * 20_000 + 3_600);
        assert_eq!(b.charge(Item::BlockRead, [1, 2, 3], t), 3_000);
        assert_eq!(
            b.charge(Item::BlockRead, [1, 2, 3], t),
            0,
            "same UTC day: free"
        );
        assert_eq!(b.charge(Item::UserRead, [1], t), 10_000, "another item");
        assert_eq!(b.check(None), Some(Refusal::CreditsDepleted));
        assert_eq!(b.balance(), Some(-9_000));
        let next_day = t + Duration::from_secs(86_400);
        assert_eq!(b.charge(Item::BlockRead, [1], next_day), 1_000);
        assert_eq!(b.billed(), 5);
        assert_eq!(b.spent(), 14_000);
    }

    #[test]
    fn usage_cap_counts_billed_resources() {
        let mut b = Billing::new(None);
        let t = SystemTime::now();
        b.charge(Item::MuteRead, [1, 2], t);
        assert_eq!(b.check(Some(3)), None);
        b.charge(Item::MuteRead, [2, 3], t);
        assert_eq!(b.check(Some(3)), Some(Refusal::UsageCapped));
        assert_eq!(b.check(None), None, "no balance kept: never 402");
    }

    #[test]
    fn amounts_print_exactly() {
        assert_eq!(usd(0), "$0.000");
        assert_eq!(usd(1_000), "$0.001");
        assert_eq!(usd(50_000_000), "$50.000");
        assert_eq!(usd(-9_000), "-$0.009");
        assert_eq!(micros(0.001), 1_000);
    }
}
