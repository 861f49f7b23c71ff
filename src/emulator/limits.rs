//! Rate limits: X's numbers per endpoint (method + path template), fixed windows per user
//! token (or per app for app-only bearer), and the `x-rate-limit-*` headers.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};

use super::billing::Item;

/// An endpoint of the API: its template, limits and required OAuth 2.0 scopes.
#[derive(Debug)]
pub struct Endpoint {
    /// Short name, as `--answer` spells it.
    pub name: &'static str,
    /// Method and path template, e.g. `GET /2/users/:id/blocking`.
    pub key: &'static str,
    /// Requests per window per user token.
    pub user_limit: u32,
    /// Requests per window per app (app-only bearer); `None`: user context only.
    pub app_limit: Option<u32>,
    /// Scopes an OAuth 2.0 user token needs (all of them).
    pub scopes: &'static [&'static str],
    /// Refused outside the Enterprise plan.
    pub enterprise_only: bool,
    /// What each returned resource is billed as (pay-per-use); `None`: not billed.
    pub bill: Option<Item>,
}

const READ: &[&str] = &["tweet.read", "users.read"];

/// `GET /2/users/me`.
pub const ME: Endpoint = Endpoint {
    name: "me",
    key: "GET /2/users/me",
    user_limit: 75,
    app_limit: None,
    scopes: READ,
    bill: Some(Item::UserRead),
    enterprise_only: false,
};
/// `GET /2/users/:id`.
pub const USER: Endpoint = Endpoint {
    name: "user",
    key: "GET /2/users/:id",
    user_limit: 900,
    app_limit: Some(300),
    scopes: READ,
    bill: Some(Item::UserRead),
    enterprise_only: false,
};
/// `GET /2/users?ids=`.
pub const USERS: Endpoint = Endpoint {
    name: "users",
    key: "GET /2/users",
    user_limit: 900,
    app_limit: Some(300),
    scopes: READ,
    bill: Some(Item::UserRead),
    enterprise_only: false,
};
/// `GET /2/users/by/username/:username`.
pub const BY_USERNAME: Endpoint = Endpoint {
    name: "by-username",
    key: "GET /2/users/by/username/:username",
    user_limit: 900,
    app_limit: Some(300),
    scopes: READ,
    bill: Some(Item::UserRead),
    enterprise_only: false,
};
/// `GET /2/users/by?usernames=`.
pub const BY_USERNAMES: Endpoint = Endpoint {
    name: "by-usernames",
    key: "GET /2/users/by",
    user_limit: 900,
    app_limit: Some(300),
    scopes: READ,
    bill: Some(Item::UserRead),
    enterprise_only: false,
};
/// `GET /2/users/:id/blocking`.
pub const BLOCKING: Endpoint = Endpoint {
    name: "blocking",
    key: "GET /2/users/:id/blocking",
    user_limit: 15,
    app_limit: None,
    scopes: &["block.read", "tweet.read", "users.read"],
    bill: Some(Item::BlockRead),
    enterprise_only: false,
};
/// `POST /2/users/:id/blocking`.
pub const BLOCK: Endpoint = Endpoint {
    name: "block",
    key: "POST /2/users/:id/blocking",
    user_limit: 50,
    app_limit: None,
    scopes: &["block.write", "tweet.read", "users.read"],
    bill: None,
    enterprise_only: true,
};
/// `DELETE /2/users/:source_user_id/blocking/:target_user_id`.
pub const UNBLOCK: Endpoint = Endpoint {
    name: "unblock",
    key: "DELETE /2/users/:source_user_id/blocking/:target_user_id",
    user_limit: 50,
    app_limit: None,
    scopes: &["block.write", "tweet.read", "users.read"],
    bill: None,
    enterprise_only: true,
};
/// `GET /2/users/:id/muting`.
pub const MUTING: Endpoint = Endpoint {
    name: "muting",
    key: "GET /2/users/:id/muting",
    user_limit: 15,
    app_limit: None,
    scopes: &["mute.read", "tweet.read", "users.read"],
    bill: Some(Item::MuteRead),
    enterprise_only: false,
};
/// `POST /2/users/:id/muting`.
pub const MUTE: Endpoint = Endpoint {
    name: "mute",
    key: "POST /2/users/:id/muting",
    user_limit: 50,
    app_limit: None,
    scopes: &["mute.write", "tweet.read", "users.read"],
    bill: None,
    enterprise_only: false,
};
/// `DELETE /2/users/:source_user_id/muting/:target_user_id`.
pub const UNMUTE: Endpoint = Endpoint {
    name: "unmute",
    key: "DELETE /2/users/:source_user_id/muting/:target_user_id",
    user_limit: 50,
    app_limit: None,
    scopes: &["mute.write", "tweet.read", "users.read"],
    bill: None,
    enterprise_only: false,
};

/// `GET /2/usage/credits` (limit undocumented; free, user context).
pub const CREDITS: Endpoint = Endpoint {
    name: "credits",
    key: "GET /2/usage/credits",
    user_limit: 50,
    app_limit: None,
    scopes: &[],
    bill: None,
    enterprise_only: false,
};

/// Every endpoint, for names given on the command line.
pub const ALL: &[&Endpoint] = &[
    &ME,
    &USER,
    &USERS,
    &BY_USERNAME,
    &BY_USERNAMES,
    &BLOCKING,
    &BLOCK,
    &UNBLOCK,
    &MUTING,
    &MUTE,
    &UNMUTE,
    &CREDITS,
];

/// The state of one window, as the headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests allowed in the window.
    pub limit: u32,
    /// Requests left.
    pub remaining: u32,
    /// Window end, Unix epoch seconds.
    pub reset: u64,
}

impl Budget {
    /// Writes the `x-rate-limit-*` headers.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert("x-rate-limit-limit", HeaderValue::from(self.limit));
        headers.insert("x-rate-limit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-rate-limit-reset", HeaderValue::from(self.reset));
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    end: SystemTime,
    used: u32,
}

/// Fixed windows per (caller, endpoint).
#[derive(Debug, Default)]
pub struct Limiter {
    windows: HashMap<(String, &'static str), Window>,
}

fn epoch_ceil(t: SystemTime) -> u64 {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Limiter {
    /// The budget `who` has left on `endpoint`, without counting a request.
    pub fn peek(
        &self,
        who: &str,
        endpoint: &'static str,
        limit: u32,
        window: Duration,
        now: SystemTime,
    ) -> Budget {
        match self.windows.get(&(who.to_string(), endpoint)) {
            Some(w) if now < w.end => Budget {
                limit,
                remaining: limit.saturating_sub(w.used),
                reset: epoch_ceil(w.end),
            },
            _ => Budget {
                limit,
                remaining: limit,
                reset: epoch_ceil(now + window),
            },
        }
    }

    /// Counts one request of `who` on `endpoint`; `Err` (with the budget) when over the limit.
    pub fn hit(
        &mut self,
        who: &str,
        endpoint: &'static str,
        limit: u32,
        window: Duration,
        now: SystemTime,
    ) -> Result<Budget, Budget> {
        let w = self
            .windows
            .entry((who.to_string(), endpoint))
            .or_insert(Window {
                end: now + window,
                used: 0,
            });
        if now >= w.end {
            *w = Window {
                end: now + window,
                used: 0,
            };
        }
        let reset = epoch_ceil(w.end);
        if w.used >= limit {
            return Err(Budget {
                limit,
                remaining: 0,
                reset,
            });
        }
        w.used += 1;
        Ok(Budget {
            limit,
            remaining: limit - w.used,
            reset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_and_resets() {
        let mut l = Limiter::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1000);
        let w = Duration::from_secs(10);
        assert_eq!(l.hit("u", "e", 2, w, t0).unwrap().remaining, 1);
        assert_eq!(l.hit("u", "e", 2, w, t0).unwrap().remaining, 0);
        let over = l.hit("u", "e", 2, w, t0).unwrap_err();
        assert_eq!(over.reset, 1010);
        assert!(l.hit("v", "e", 2, w, t0).is_ok());
        assert!(l.hit("u", "e", 2, w, t0 + w).is_ok());
    }
}
