//! X's pay-per-use prices and the caps xblocks keeps under them: pure arithmetic, no I/O.
//!
//! Money is counted in micro-dollars ([`Usd`]) so sums and caps are exact; `[billing]` in
//! `config.toml` may change the prices (CONTRACT §9, §10: $0.001 per account a block or mute list
//! returns, $0.010 per user looked up, each resource billed once per UTC day).

use std::fmt;

use time::OffsetDateTime;

/// An amount of US dollars, in millionths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(pub u64);

impl Usd {
    /// Nothing.
    pub const ZERO: Usd = Usd(0);

    /// From dollars (negative and non-finite amounts are zero).
    pub fn from_dollars(d: f64) -> Self {
        if d.is_finite() && d > 0.0 {
            Usd((d * 1_000_000.0).round() as u64)
        } else {
            Usd(0)
        }
    }

    /// As dollars.
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }

    /// `self × n`, saturating.
    pub fn times(self, n: u64) -> Self {
        Usd(self.0.saturating_mul(n))
    }

    /// `self + other`, saturating.
    pub fn plus(self, other: Usd) -> Self {
        Usd(self.0.saturating_add(other.0))
    }

    /// `self - other`, never below zero.
    pub fn minus(self, other: Usd) -> Self {
        Usd(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for Usd {
    /// `$0.123` (three decimals; more when a fraction of a tenth of a cent would be lost).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1_000_000, self.0 % 1_000_000);
        if frac % 1000 == 0 {
            write!(f, "${whole}.{:03}", frac / 1000)
        } else {
            let digits = format!("{frac:06}");
            write!(f, "${whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Parses `--max-cost`: dollars, with or without a leading `$` (`0.50`, `$2`).
pub fn parse_usd(s: &str) -> Result<Usd, String> {
    let t = s.trim();
    let t = t.strip_prefix('$').unwrap_or(t);
    match t.parse::<f64>() {
        Ok(d) if d.is_finite() && d >= 0.0 => Ok(Usd::from_dollars(d)),
        _ => Err(format!(
            "`{}` is not an amount in US dollars (e.g. 0.50)",
            s.escape_debug()
        )),
    }
}

/// What X charges, as configured (`[billing]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    /// Per account a block or mute list returns.
    pub per_account: Usd,
    /// Per user a users lookup returns (`/2/users`, `/2/users/by`, `/2/users/me`).
    pub per_lookup: Usd,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            per_account: Usd(1_000),
            per_lookup: Usd(10_000),
        }
    }
}

/// "Posts: Read": each post X returns, an expanded pinned post too (CONTRACT §9).
pub const POST_READ: Usd = Usd(5_000);

impl Prices {
    /// What looking up one account with its pinned post expanded costs at most (one user read
    /// and one post read).
    pub fn pinned_lookup(&self) -> Usd {
        self.per_lookup.plus(POST_READ)
    }

    /// Worst case of one list page of `max_results` accounts.
    pub fn page(&self, max_results: u64) -> Usd {
        self.per_account.times(max_results)
    }

    /// Worst case of a lookup of `users` accounts.
    pub fn lookup(&self, users: u64) -> Usd {
        self.per_lookup.times(users)
    }

    /// What `accounts` returned accounts cost, of which `seen_today` were already read this UTC
    /// day (X bills a resource once per UTC day, a "soft guarantee").
    pub fn accounts(&self, accounts: u64, seen_today: u64) -> Usd {
        self.per_account.times(accounts.saturating_sub(seen_today))
    }
}

/// Which cap a request would cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapKind {
    /// `--max-cost` of this command.
    MaxCost,
    /// `[billing] daily_cap` of the UTC day.
    DailyCap,
}

/// A request that was not sent because its worst case would cross a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapStop {
    /// The cap.
    pub kind: CapKind,
    /// The cap's amount.
    pub cap: Usd,
    /// Spent against it so far.
    pub spent: Usd,
    /// What the request would have cost at worst.
    pub worst: Usd,
}

impl CapStop {
    /// Left under the cap.
    pub fn left(&self) -> Usd {
        self.cap.minus(self.spent)
    }
}

impl fmt::Display for CapStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CapKind::MaxCost => "--max-cost",
            CapKind::DailyCap => "[billing] daily_cap (UTC day)",
        };
        write!(
            f,
            "stopped before a request that could cost up to {}: {what} is {}, {} spent, {} left",
            self.worst,
            self.cap,
            self.spent,
            self.left()
        )
    }
}

/// The caps of one command and what it has spent against them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// `--max-cost`: the most this command may spend.
    pub max_cost: Option<Usd>,
    /// `[billing] daily_cap`: the most the UTC day may spend.
    pub daily_cap: Option<Usd>,
    /// Spent today before this command started (from the database).
    pub spent_before: Usd,
    /// Spent by this command so far.
    pub spent_run: Usd,
}

impl Caps {
    /// Whether a request whose worst case is `worst` may be sent.
    pub fn admit(&self, worst: Usd) -> Result<(), CapStop> {
        if let Some(cap) = self.max_cost {
            if self.spent_run.plus(worst) > cap {
                return Err(CapStop {
                    kind: CapKind::MaxCost,
                    cap,
                    spent: self.spent_run,
                    worst,
                });
            }
        }
        if let Some(cap) = self.daily_cap {
            let today = self.spent_before.plus(self.spent_run);
            if today.plus(worst) > cap {
                return Err(CapStop {
                    kind: CapKind::DailyCap,
                    cap,
                    spent: today,
                    worst,
                });
            }
        }
        Ok(())
    }

    /// Records what a sent request cost.
    pub fn spend(&mut self, cost: Usd) {
        self.spent_run = self.spent_run.plus(cost);
    }

    /// The largest page (1..=`max`) whose worst case still fits under every cap, if any.
    pub fn largest_page(&self, prices: &Prices, max: u64) -> Option<u64> {
        if prices.per_account == Usd::ZERO {
            return Some(max);
        }
        let mut room = u64::MAX;
        if let Some(cap) = self.max_cost {
            room = room.min(cap.minus(self.spent_run).0);
        }
        if let Some(cap) = self.daily_cap {
            room = room.min(cap.minus(self.spent_before.plus(self.spent_run)).0);
        }
        let n = (room / prices.per_account.0).min(max);
        (n > 0).then_some(n)
    }
}

/// The UTC day of a time as `YYYY-MM-DD` (the key of the spend table and of X's dedup).
pub fn utc_day(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// True when the RFC 3339 time `seen` falls on the UTC day of `now`: such an account was
/// likely billed already today and is "likely not billed again".
pub fn seen_today(seen: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(seen, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|t| utc_day(t) == utc_day(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_and_parse() {
        assert_eq!(Usd(1_000).to_string(), "$0.001");
        assert_eq!(Usd(50_000_000).to_string(), "$50.000");
        assert_eq!(Usd(1_500).to_string(), "$0.0015");
        assert_eq!(parse_usd("$0.50"), Ok(Usd(500_000)));
        assert_eq!(parse_usd("2"), Ok(Usd(2_000_000)));
        assert!(parse_usd("-1").is_err());
        assert!(parse_usd("lots").is_err());
        assert!(parse_usd("NaN").is_err());
    }

    #[test]
    fn default_prices_match_the_contract() {
        let p = Prices::default();
        assert_eq!(p.page(1000), Usd(1_000_000), "a full page is $1");
        assert_eq!(p.lookup(100), Usd(1_000_000));
        assert_eq!(p.accounts(50_000, 0).to_string(), "$50.000");
        assert_eq!(p.accounts(10, 4), Usd(6_000));
    }

    #[test]
    fn a_request_that_would_cross_a_cap_is_refused() {
        let mut caps = Caps {
            max_cost: Some(Usd(1_500_000)),
            ..Caps::default()
        };
        assert!(caps.admit(Usd(1_000_000)).is_ok());
        caps.spend(Usd(1_000_000));
        let stop = caps.admit(Usd(1_000_000)).unwrap_err();
        assert_eq!(stop.kind, CapKind::MaxCost);
        assert_eq!(stop.left(), Usd(500_000));
        assert!(
            stop.to_string().contains("$1.000 spent, $0.500 left"),
            "{stop}"
        );
        assert_eq!(
            caps.largest_page(&Prices::default(), 1000),
            Some(500),
            "a smaller page still fits"
        );
        let daily = Caps {
            daily_cap: Some(Usd(2_000_000)),
            spent_before: Usd(1_999_500),
            ..Caps::default()
        };
        assert_eq!(daily.admit(Usd(1_000)).unwrap_err().kind, CapKind::DailyCap);
        assert_eq!(daily.largest_page(&Prices::default(), 1000), None);
        assert!(Caps::default().admit(Usd(u64::MAX)).is_ok());
    }

    #[test]
    fn utc_days() {
        let now = OffsetDateTime::parse(
            "2026-12-01T23:30:00-02:00",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(utc_day(now), "2026-12-02");
        assert!(seen_today("2026-12-02T00:10:00Z", now));
        assert!(!seen_today("2026-12-01T23:59:59Z", now));
        assert!(!seen_today("garbage", now));
    }
}
