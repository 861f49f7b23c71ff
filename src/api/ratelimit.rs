//! Rate-limit bookkeeping: `x-rate-limit-*` headers, a budget per endpoint, wait events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The endpoints xblocks calls; each has its own rate-limit window (method + path template).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// GET /2/users/me
    Me,
    /// GET /2/users?ids=
    UsersByIds,
    /// GET /2/users/by?usernames=
    UsersByUsernames,
    /// GET /2/users/:id/blocking
    Blocking,
    /// POST /2/users/:id/blocking
    Block,
    /// DELETE /2/users/:id/blocking/:target
    Unblock,
    /// GET /2/users/:id/muting
    Muting,
    /// POST /2/users/:id/muting
    Mute,
    /// DELETE /2/users/:id/muting/:target
    Unmute,
    /// GET /2/usage/credits
    UsageCredits,
}

impl Endpoint {
    /// `METHOD /path/template`, as shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Me => "GET /2/users/me",
            Endpoint::UsersByIds => "GET /2/users",
            Endpoint::UsersByUsernames => "GET /2/users/by",
            Endpoint::Blocking => "GET /2/users/:id/blocking",
            Endpoint::Block => "POST /2/users/:id/blocking",
            Endpoint::Unblock => "DELETE /2/users/:id/blocking/:target",
            Endpoint::Muting => "GET /2/users/:id/muting",
            Endpoint::Mute => "POST /2/users/:id/muting",
            Endpoint::Unmute => "DELETE /2/users/:id/muting/:target",
            Endpoint::UsageCredits => "GET /2/usage/credits",
        }
    }
}

/// What is left of one endpoint's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left in this window (after requests in flight).
    pub remaining: u32,
    /// When the window resets.
    pub reset: SystemTime,
}

/// Something the caller may show: a wait has begun (with its end), or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateEvent {
    /// Waiting for `endpoint`'s window to reset at `until`.
    Waiting {
        /// Endpoint name (`GET /2/users/:id/blocking`).
        endpoint: String,
        /// When the wait ends.
        until: SystemTime,
        /// X reported a reset absurdly far away (then `until` is one window from then), or
        /// none that could be read (then `until` is a bounded guess).
        bad_reset: bool,
    },
    /// The wait is over; requests go out again.
    Resumed {
        /// Endpoint name.
        endpoint: String,
    },
    /// A request failed in a way worth another try (no connection, a timeout, a 5xx); the
    /// next try goes out at `at`.
    Retrying {
        /// Endpoint name.
        endpoint: String,
        /// What went wrong, as the user is told.
        reason: String,
        /// The try that comes next (2 for the first retry).
        next: u32,
        /// Tries in all before the command gives up.
        of: u32,
        /// When the next try goes out.
        at: SystemTime,
    },
}

/// Reads `x-rate-limit-{limit,remaining,reset}`; `None` when any is missing (e.g. on 401).
pub fn parse_headers(headers: &HeaderMap) -> Option<Budget> {
    let num = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    let limit = num("x-rate-limit-limit")?;
    let remaining = num("x-rate-limit-remaining")?;
    let reset = num("x-rate-limit-reset")?;
    Some(Budget {
        limit: limit.min(u32::MAX as u64) as u32,
        remaining: remaining.min(u32::MAX as u64) as u32,
        // Capped so that no header can overflow the clock (it is clamped later anyway).
        reset: UNIX_EPOCH + Duration::from_secs(reset.min(1 << 40)),
    })
}

/// How far X's clock runs ahead of ours (negative: behind), in ms, from an HTTP `Date`
/// header. `Date` has whole seconds (truncated), so skews under a second or two are noise and
/// count as 0; `None` if the header cannot be read.
pub fn clock_skew_ms(date: &str, local: SystemTime) -> Option<i64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let server = time::PrimitiveDateTime::parse(date.trim(), format)
        .ok()?
        .assume_utc()
        .unix_timestamp() as i128
        * 1000;
    let local = local.duration_since(UNIX_EPOCH).ok()?.as_millis() as i128;
    // The server's true time lies in [server, server + 1 s).
    let low = server - local;
    let high = server + 1000 - local;
    let skew = if low > 1500 {
        low
    } else if high < -1500 {
        high
    } else {
        0
    };
    Some(skew as i64)
}

/// X's rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// A reset further away than this (an hour beyond a window) is a bad answer, not a wait.
pub const MAX_RESET_AHEAD: Duration = Duration::from_secs(15 * 60 + 3600);

/// `reset`, or one window from `now` when it is more than [`MAX_RESET_AHEAD`] away (a reset
/// 3,100 years away, or a huge `Retry-After`); whether it was clamped.
pub fn sane_reset(reset: SystemTime, now: SystemTime) -> (SystemTime, bool) {
    if reset > now + MAX_RESET_AHEAD {
        (now + WINDOW, true)
    } else {
        (reset, false)
    }
}

/// What to do before sending a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Send now (one request of the budget is reserved).
    Go,
    /// The window is spent: wait until this time first.
    WaitUntil(SystemTime),
}

/// Budgets of all endpoints, shared by every clone of the client.
#[derive(Debug, Default)]
pub struct Limits {
    budgets: Mutex<HashMap<Endpoint, Budget>>,
    skew_ms: AtomicI64,
    bad_reset: AtomicBool,
}

impl Limits {
    /// Remembers that X sent a reset absurdly far away (or none that could be read), for the
    /// next wait to say so.
    pub fn note_bad_reset(&self) {
        self.bad_reset.store(true, Ordering::Relaxed);
    }

    /// Whether a bad reset was noted since the last call.
    pub fn take_bad_reset(&self) -> bool {
        self.bad_reset.swap(false, Ordering::Relaxed)
    }

    /// Records how far X's clock runs ahead of ours (from [`clock_skew_ms`]).
    pub fn set_skew_ms(&self, skew: i64) {
        self.skew_ms.store(skew, Ordering::Relaxed);
    }

    /// A reported budget with its reset moved from X's clock to ours.
    pub fn to_local(&self, mut b: Budget) -> Budget {
        let skew = self.skew_ms.load(Ordering::Relaxed);
        let shift = Duration::from_millis(skew.unsigned_abs());
        b.reset = if skew >= 0 {
            b.reset.checked_sub(shift).unwrap_or(b.reset)
        } else {
            b.reset + shift
        };
        b
    }

    /// The current budget of an endpoint, if a response has reported one.
    pub fn get(&self, ep: Endpoint) -> Option<Budget> {
        let now = SystemTime::now();
        let b = *self
            .budgets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ep)?;
        Some(if b.reset <= now {
            Budget {
                remaining: b.limit,
                ..b
            }
        } else {
            b
        })
    }

    /// Reserves one request, or says until when to wait. Unknown budgets and passed resets admit.
    pub fn admit(&self, ep: Endpoint, now: SystemTime) -> Admit {
        let mut map = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&ep) {
            Some(b) if b.reset > now => {
                if b.remaining == 0 {
                    Admit::WaitUntil(b.reset)
                } else {
                    b.remaining -= 1;
                    Admit::Go
                }
            }
            Some(_) => {
                // The window has passed: the next response will report the new one.
                map.remove(&ep);
                Admit::Go
            }
            None => Admit::Go,
        }
    }

    /// Records what a response reported. A later reset always wins; within a window the lower
    /// `remaining` wins, since answers of parallel requests arrive out of order.
    pub fn record(&self, ep: Endpoint, reported: Budget) {
        let mut map = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(ep).or_insert(reported);
        if reported.reset > entry.reset {
            *entry = reported;
        } else if reported.reset == entry.reset {
            entry.remaining = entry.remaining.min(reported.remaining);
            entry.limit = reported.limit;
        }
    }

    /// Marks the window as spent until `reset` (after a 429).
    pub fn exhaust(&self, ep: Endpoint, reset: SystemTime) {
        let mut map = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let limit = map.get(&ep).map(|b| b.limit).unwrap_or(0);
        map.insert(
            ep,
            Budget {
                limit,
                remaining: 0,
                reset,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(limit: &str, remaining: &str, reset: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from_str(limit).unwrap());
        h.insert(
            "x-rate-limit-remaining",
            HeaderValue::from_str(remaining).unwrap(),
        );
        h.insert("x-rate-limit-reset", HeaderValue::from_str(reset).unwrap());
        h
    }

    #[test]
    fn clock_skew_from_the_date_header() {
        let date = "Wed, 25 Nov 2026 15:00:00 GMT";
        let at = |secs: u64, ms: u64| {
            UNIX_EPOCH + Duration::from_secs(1_795_618_800 + secs) + Duration::from_millis(ms)
        };
        // In sync (within the header's one-second resolution): no skew.
        assert_eq!(clock_skew_ms(date, at(0, 500)), Some(0));
        // Our clock 10 s behind X's.
        assert_eq!(
            clock_skew_ms(date, at(0, 0) - Duration::from_secs(10)),
            Some(10_000)
        );
        // Our clock 10 s ahead.
        assert_eq!(clock_skew_ms(date, at(10, 0)), Some(-9_000));
        assert_eq!(clock_skew_ms("yesterday", at(0, 0)), None);
        let limits = Limits::default();
        limits.set_skew_ms(10_000);
        let b = Budget {
            limit: 1,
            remaining: 0,
            reset: at(100, 0),
        };
        assert_eq!(limits.to_local(b).reset, at(90, 0));
    }

    #[test]
    fn parses_headers() {
        let b = parse_headers(&headers("15", "14", "1700000000")).unwrap();
        assert_eq!(b.limit, 15);
        assert_eq!(b.remaining, 14);
        assert_eq!(b.reset, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    }

    #[test]
    fn missing_or_bad_headers_are_no_budget() {
        assert!(parse_headers(&HeaderMap::new()).is_none());
        assert!(parse_headers(&headers("15", "x", "1")).is_none());
    }

    #[test]
    fn spent_window_makes_caller_wait_until_reset() {
        let limits = Limits::default();
        let now = SystemTime::now();
        let reset = now + Duration::from_secs(60);
        limits.record(
            Endpoint::Blocking,
            Budget {
                limit: 15,
                remaining: 2,
                reset,
            },
        );
        assert_eq!(limits.admit(Endpoint::Blocking, now), Admit::Go);
        assert_eq!(limits.admit(Endpoint::Blocking, now), Admit::Go);
        assert_eq!(
            limits.admit(Endpoint::Blocking, now),
            Admit::WaitUntil(reset)
        );
        // Other endpoints are independent.
        assert_eq!(limits.admit(Endpoint::Me, now), Admit::Go);
        // After the reset, requests go again.
        assert_eq!(
            limits.admit(Endpoint::Blocking, reset + Duration::from_secs(1)),
            Admit::Go
        );
    }

    #[test]
    fn out_of_order_answers_keep_the_lower_remaining() {
        let limits = Limits::default();
        let reset = SystemTime::now() + Duration::from_secs(60);
        let b = |remaining| Budget {
            limit: 15,
            remaining,
            reset,
        };
        limits.record(Endpoint::Blocking, b(3));
        limits.record(Endpoint::Blocking, b(5));
        assert_eq!(limits.get(Endpoint::Blocking).unwrap().remaining, 3);
        limits.exhaust(Endpoint::Blocking, reset);
        assert_eq!(limits.get(Endpoint::Blocking).unwrap().remaining, 0);
    }
}
