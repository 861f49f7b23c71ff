//! Sending one request: budgets, auth headers, refresh after 401, 429 waits, retries.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::body::{read_capped, BodyError, BODY_CAP};
use super::client::Client;
use super::error::ApiError;
use super::problem::classify;
use super::ratelimit::{
    clock_skew_ms, parse_headers, sane_reset, Admit, Budget, Endpoint, RateEvent, MAX_RESET_AHEAD,
};

const MAX_ATTEMPTS: u32 = 7;
/// A request that hit a deadline is tried this often in all: each try may take the whole
/// deadline, so the usual seven would leave a command silent for minutes.
const MAX_TIMEOUTS: u32 = 3;
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Sent this long after a reported window end (already rounded up to a whole second).
const WINDOW_MARGIN: Duration = Duration::from_millis(100);
/// Up to this much random delay on every wait, so parallel clients do not start in lockstep.
const WAIT_JITTER_MS: u64 = 150;

impl Client {
    /// The `x-rate-limit-*` budget of a response, its reset on our clock.
    /// A reset absurdly far away ("X sent a bad reset") is clamped to one window from now.
    fn local_budget(&self, headers: &HeaderMap) -> Option<Budget> {
        let mut b = self.inner.limits.to_local(parse_headers(headers)?);
        let (reset, bad) = sane_reset(b.reset, SystemTime::now());
        if bad {
            tracing::warn!("X sent a bad rate-limit reset; waiting one window instead");
            self.inner.limits.note_bad_reset();
            b.reset = reset;
        }
        Some(b)
    }

    /// Sends one request with budgets, auth, refresh-on-401, 429 waits and retries.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
    ) -> Result<T, ApiError> {
        self.call_with(ep, method, path, query, body, |b| serde_json::from_slice(b))
            .await
    }

    /// [`Client::call`] with one try only: for what is worth asking only while X answers (a
    /// failed connection is not retried).
    pub(super) async fn call_once<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        method: Method,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let decode = |b: &[u8]| serde_json::from_slice(b);
        self.send(1, ep, method, path, query, None, decode).await
    }

    /// [`Client::call`] with its own decoder of 2xx bodies (a decode error is retried).
    pub(super) async fn call_with<T>(
        &self,
        ep: Endpoint,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
        decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        self.send(MAX_ATTEMPTS, ep, method, path, query, body, decode)
            .await
    }

    /// Sends the request, trying up to `tries` times.
    #[allow(clippy::too_many_arguments)]
    async fn send<T>(
        &self,
        tries: u32,
        ep: Endpoint,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
        decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        let mut url = Url::parse(&format!("{}{}", self.inner.base, path))
            .map_err(|e| ApiError::Network(format!("bad API URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut attempt = 0u32;
        let mut timeouts = 0u32;
        let mut recovered = false;
        loop {
            if let Some(stop) = self.halted() {
                return Err(stop);
            }
            self.admit(ep).await?;
            if super::interrupt::tripped() {
                return Err(ApiError::Interrupted);
            }
            let (auth, used) = self.inner.creds.authorize(&method, &url).await?;
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth);
            if let Some(b) = &body {
                req = req
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.to_string());
            }
            let failure = match req.send().await {
                Err(e) => {
                    timeouts += u32::from(e.is_timeout());
                    self.set_reachable(false);
                    ApiError::Network(describe(&e))
                }
                Ok(resp) => {
                    self.set_reachable(true);
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    tracing::debug!(endpoint = ep.name(), status = status.as_u16(), "response");
                    self.note_headers(ep, &headers);
                    match read_capped(resp, BODY_CAP).await {
                        Err(BodyError::TooLarge) => {
                            return Err(ApiError::Decode(format!(
                                "{} on {}; refused",
                                BodyError::TooLarge,
                                ep.name()
                            )))
                        }
                        Err(BodyError::Http(e)) => {
                            timeouts += u32::from(e.is_timeout());
                            ApiError::Network(describe(&e))
                        }
                        Ok(bytes) if status.is_success() => match decode(&bytes) {
                            Ok(v) => return Ok(v),
                            Err(e) => ApiError::Decode(format!("{} on {}", e, ep.name())),
                        },
                        Ok(_) if status == StatusCode::UNAUTHORIZED => {
                            if recovered {
                                return Err(ApiError::TokenRejected);
                            }
                            self.inner.creds.recover(&used).await?;
                            recovered = true;
                            continue;
                        }
                        Ok(bytes) if status == StatusCode::TOO_MANY_REQUESTS => {
                            let err =
                                classify(ep, status, &bytes, self.inner.creds.scopes().as_deref());
                            if !matches!(err, ApiError::RateLimited { .. }) {
                                if err.is_money() {
                                    self.halt(&err);
                                }
                                return Err(err);
                            }
                            let (reset, unsaid) = retry_after_429(
                                self.local_budget(&headers),
                                retry_after(&headers),
                                SystemTime::now(),
                            );
                            let (reset, absurd) = sane_reset(reset, SystemTime::now());
                            if unsaid || absurd {
                                self.inner.limits.note_bad_reset();
                            }
                            self.inner.limits.exhaust(ep, reset);
                            self.wait(ep, reset + Duration::from_secs(1)).await?;
                            continue;
                        }
                        Ok(bytes) if status.is_server_error() => {
                            classify(ep, status, &bytes, self.inner.creds.scopes().as_deref())
                        }
                        Ok(bytes) => {
                            let err =
                                classify(ep, status, &bytes, self.inner.creds.scopes().as_deref());
                            if err.is_money() {
                                self.halt(&err);
                            }
                            return Err(err);
                        }
                    }
                }
            };
            attempt += 1;
            if attempt >= tries || timeouts >= MAX_TIMEOUTS {
                return Err(failure);
            }
            tracing::warn!(endpoint = ep.name(), attempt, "retrying after: {failure}");
            let _ = self.inner.events.send(RateEvent::Retrying {
                endpoint: ep.name().to_string(),
                reason: failure.user_message(),
                next: attempt + 1,
                of: MAX_ATTEMPTS,
                at: SystemTime::now() + backoff(attempt),
            });
            let deadline = tokio::time::Instant::now() + backoff(attempt);
            if !super::interrupt::sleep_until(deadline).await {
                return Err(ApiError::Interrupted);
            }
        }
    }

    /// Waits while the endpoint's known budget is spent; reserves one request.
    async fn admit(&self, ep: Endpoint) -> Result<(), ApiError> {
        loop {
            match self.inner.limits.admit(ep, SystemTime::now()) {
                Admit::Go => return Ok(()),
                Admit::WaitUntil(reset) => self.wait(ep, reset + WINDOW_MARGIN).await?,
            }
        }
    }

    /// Sleeps until `until` plus jitter, announcing it; or fails at once with `no_wait`.
    async fn wait(&self, ep: Endpoint, until: SystemTime) -> Result<(), ApiError> {
        if self.inner.no_wait {
            return Err(ApiError::RateLimited { until });
        }
        let until = until + Duration::from_millis(rand::thread_rng().gen_range(0..WAIT_JITTER_MS));
        let endpoint = ep.name().to_string();
        tracing::info!(endpoint = %endpoint, "rate limited; waiting {} s", super::error::secs_until(until));
        let _ = self.inner.events.send(RateEvent::Waiting {
            endpoint: endpoint.clone(),
            until,
            bad_reset: self.inner.limits.take_bad_reset(),
        });
        let left = until
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        let finished = super::interrupt::sleep_until(tokio::time::Instant::now() + left).await;
        let _ = self.inner.events.send(RateEvent::Resumed { endpoint });
        if finished {
            Ok(())
        } else {
            Err(ApiError::Interrupted)
        }
    }

    /// Remembers a money answer: every later request fails with it, unsent.
    fn halt(&self, err: &ApiError) {
        tracing::warn!("{err}: no further request is sent");
        *self.inner.halted.lock().unwrap_or_else(|e| e.into_inner()) = Some(err.clone());
    }

    fn note_headers(&self, ep: Endpoint, headers: &HeaderMap) {
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok());
        if let Some(skew) = date.and_then(|d| clock_skew_ms(d, SystemTime::now())) {
            self.inner.limits.set_skew_ms(skew);
        }
        if let Some(b) = self.local_budget(headers) {
            self.inner.limits.record(ep, b);
        }
        if let Some(level) = headers.get("x-access-level").and_then(|v| v.to_str().ok()) {
            *self
                .inner
                .access_level
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(level.to_string());
        }
    }
}

/// When to retry after a 429: the reported reset; a few seconds when the reset is already
/// past here (our clock runs ahead of X's); else `Retry-After`; else a minute. The flag is true
/// when X gave no usable time at all (the reset header missing or garbage, no `Retry-After`):
/// "X sent a bad reset", and the minute is a guess.
fn retry_after_429(
    reported: Option<Budget>,
    retry_after: Option<Duration>,
    now: SystemTime,
) -> (SystemTime, bool) {
    match (reported, retry_after) {
        (Some(b), _) if b.reset > now => (b.reset, false),
        (Some(_), _) => (now + Duration::from_secs(2), false),
        (None, Some(d)) => (
            now.checked_add(d).unwrap_or(now + MAX_RESET_AHEAD * 2),
            false,
        ),
        (None, None) => (now + Duration::from_secs(60), true),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by X).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(1 << 40)))
}

/// Capped exponential backoff with jitter (50–100 % of the step).
fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(10))
        .min(BACKOFF_CAP);
    step.mul_f64(rand::thread_rng().gen_range(0.5..1.0))
}

/// A reqwest error in words, without the URL's query (which never holds a token anyway).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response cut off"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    match last {
        Some(s) => format!("{kind}: {s}"),
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped() {
        for a in 1..20 {
            assert!(backoff(a) <= BACKOFF_CAP);
        }
        assert!(backoff(1) >= BACKOFF_BASE);
    }

    #[test]
    fn retry_time_after_429() {
        use reqwest::header::HeaderValue;
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let mut h = HeaderMap::new();
        assert_eq!(
            retry_after_429(parse_headers(&h), None, now),
            (now + Duration::from_secs(60), true),
            "no reset at all: a bounded guess, told as a bad reset"
        );
        h.insert("x-rate-limit-limit", HeaderValue::from_static("15"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("soon"));
        assert_eq!(
            retry_after_429(parse_headers(&h), None, now),
            (now + Duration::from_secs(60), true),
            "a garbage reset is no reset"
        );
        assert_eq!(
            retry_after_429(parse_headers(&h), Some(Duration::from_secs(5)), now),
            (now + Duration::from_secs(5), false)
        );
        h.insert("x-rate-limit-limit", HeaderValue::from_static("15"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1100"));
        assert_eq!(
            retry_after_429(parse_headers(&h), None, now),
            (SystemTime::UNIX_EPOCH + Duration::from_secs(1100), false)
        );
        h.insert("x-rate-limit-reset", HeaderValue::from_static("900"));
        assert_eq!(
            retry_after_429(parse_headers(&h), None, now),
            (now + Duration::from_secs(2), false)
        );
    }
}
