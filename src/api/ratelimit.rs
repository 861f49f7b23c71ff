//! Rate-limit bookkeeping: `x-rate-limit-*` headers, a budget per endpoint, wait events.

use std::collections::HashMap;
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
    },
    /// The wait is over; requests go out again.
    Resumed {
        /// Endpoint name.
        endpoint: String,
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
        reset: UNIX_EPOCH + Duration::from_secs(reset),
    })
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
}

impl Limits {
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
