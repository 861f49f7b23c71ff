//! The error taxonomy of the API layer, with the words that tell the user what to do.

use std::time::{Duration, SystemTime};

/// Everything that can go wrong talking to X. Messages never contain a token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No stored token and no `XBLOCKS_ACCESS_TOKEN`.
    #[error("not signed in")]
    NotSignedIn,
    /// The token was refused (expired, revoked, malformed) and could not be refreshed.
    #[error("X rejected the token (expired or revoked)")]
    TokenRejected,
    /// 403 (or 402): a missing scope, an out-of-plan endpoint, or an action X does not permit.
    #[error("forbidden: {detail}")]
    Forbidden {
        /// The scope the token lacks, when known.
        missing_scope: Option<String>,
        /// problem+json `title` / `detail`.
        detail: String,
    },
    /// A block write on a plan other than Enterprise.
    #[error("X allows block writes only on the Enterprise plan")]
    EnterpriseOnly,
    /// No such account (or route).
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for: `@name`, an id, or the detail X gave.
        what: String,
    },
    /// Rate limited and told not to wait, or a wait that cannot help.
    #[error("rate limited until {}", fmt_time(*until))]
    RateLimited {
        /// When the window resets.
        until: SystemTime,
    },
    /// X's 402: the pay-per-use balance is used up. Final until the user tops up: nothing is
    /// retried and every later request of the client is refused without being sent.
    #[error("X API credits depleted")]
    CreditsDepleted {
        /// The enrolled account X names (a big integer, kept as its digits), when it says.
        account_id: Option<String>,
        /// problem+json `title: detail`.
        detail: String,
    },
    /// X's usage-cap 429 (`UsageCapExceeded`): waiting for the rate-limit window does not help.
    #[error("X API usage cap reached")]
    UsageCapped {
        /// The cap's period (`Monthly`…), when X says.
        period: Option<String>,
        /// problem+json `title: detail`.
        detail: String,
    },
    /// The user interrupted (Ctrl-C, SIGTERM) while the client waited or was about to send.
    #[error("interrupted")]
    Interrupted,
    /// Any other HTTP error status (400, 5xx after retries…).
    #[error("X API error {status}: {detail}")]
    Server {
        /// HTTP status.
        status: u16,
        /// problem+json `title: detail`, or a short body excerpt.
        detail: String,
    },
    /// Connection failed, reset or timed out (after retries).
    #[error("network error: {0}")]
    Network(String),
    /// A response that could not be parsed (after retries).
    #[error("unexpected response from X: {0}")]
    Decode(String),
    /// A local file the sign-in needs could not be written; the message names it and the fix.
    #[error("{0}")]
    Storage(String),
}

impl ApiError {
    /// True for answers that stay final until the user acts at console.x.com (402, usage cap).
    pub fn is_money(&self) -> bool {
        matches!(
            self,
            ApiError::CreditsDepleted { .. } | ApiError::UsageCapped { .. }
        )
    }

    /// One or two lines: what happened and what to do next.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::NotSignedIn => "not signed in: run `xblocks login`".into(),
            ApiError::TokenRejected => {
                "X rejected the sign-in (token expired or revoked): run `xblocks login`".into()
            }
            ApiError::Forbidden {
                missing_scope: Some(scope),
                ..
            } => format!(
                "the sign-in lacks the `{scope}` scope: run `xblocks login` (its default scopes include it)"
            ),
            ApiError::Forbidden {
                missing_scope: None,
                detail,
            } => format!("X refused the request: {detail}"),
            ApiError::EnterpriseOnly => {
                "X allows block writes only on the Enterprise plan; use `xblocks mute` instead".into()
            }
            ApiError::NotFound { what } => format!("not found: {what}"),
            ApiError::RateLimited { until } => format!(
                "rate limited until {} (in {} s); run again later, or without --no-wait to wait",
                fmt_time(*until),
                secs_until(*until)
            ),
            ApiError::CreditsDepleted { account_id, .. } => format!(
                "X answered 402: the API credits{} are used up; nothing more was sent and all work is kept. Top up at https://console.x.com, then run the same command again",
                account_id
                    .as_deref()
                    .map(|a| format!(" of account {a}"))
                    .unwrap_or_default()
            ),
            ApiError::UsageCapped { period, detail } => format!(
                "X's usage cap is reached ({}); waiting does not help. Nothing more was sent and all work is kept; raise the cap or top up at https://console.x.com, then run the same command again",
                period
                    .as_deref()
                    .map(|p| format!("{p} cap: {detail}"))
                    .unwrap_or_else(|| detail.clone())
            ),
            ApiError::Interrupted => {
                "interrupted: nothing more was sent; run the same command again to resume".into()
            }
            ApiError::Server { status, detail } => {
                format!("X API error {status}: {detail}; try again later")
            }
            ApiError::Network(e) => {
                format!("cannot reach the X API ({e}); check the connection and --api-base")
            }
            ApiError::Decode(e) => format!("unexpected response from X ({e}); try again later"),
            ApiError::Storage(e) => e.clone(),
        }
    }
}

/// Whole seconds from now until `t` (0 if past).
pub fn secs_until(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
        .ceil() as u64
}

/// `HH:MM:SS UTC` of a time, with the date first (`2026-12-02 01:00:00 UTC`) when it is not
/// today.
pub fn fmt_time(t: SystemTime) -> String {
    fmt_time_from(t, SystemTime::now())
}

/// [`fmt_time`] as seen at `now` (the TUI's clock).
pub fn fmt_time_from(t: SystemTime, now: SystemTime) -> String {
    let unix = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    };
    let secs = unix(t);
    let day = secs % 86_400;
    let clock = format!(
        "{:02}:{:02}:{:02} UTC",
        day / 3600,
        (day / 60) % 60,
        day % 60
    );
    if secs / 86_400 == unix(now) / 86_400 {
        return clock;
    }
    match time::OffsetDateTime::from_unix_timestamp(secs.min(i64::MAX as u64) as i64) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02} {clock}",
            d.year(),
            u8::from(d.month()),
            d.day()
        ),
        Err(_) => format!("day {} {clock}", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do() {
        assert!(ApiError::TokenRejected
            .user_message()
            .contains("xblocks login"));
        assert!(ApiError::EnterpriseOnly
            .user_message()
            .contains("xblocks mute"));
        let f = ApiError::Forbidden {
            missing_scope: Some("block.write".into()),
            detail: String::new(),
        };
        assert!(f.user_message().contains("block.write"));
    }

    #[test]
    fn formats_utc_time_with_the_date_when_not_today() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(3600 + 61);
        assert_eq!(fmt_time_from(t, t), "01:01:01 UTC");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_547_200 + 3600);
        assert_eq!(
            fmt_time_from(now + Duration::from_secs(86_400), now),
            "2025-12-02 01:00:00 UTC"
        );
        assert_eq!(fmt_time(t), "1970-01-01 01:01:01 UTC");
    }
}
