//! HTTP routes: the router, the buffered request type, and the common entry of API endpoints
//! (authentication, rate limits, app-only and scope checks, plan check).

pub mod lists;
pub mod oauth1;
pub mod users;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;

use super::auth::{authenticate, Principal};
use super::billing::{self, Item, Refusal};
use super::faults::Answer;
use super::fields::{Selection, Vocab};
use super::limits::{Budget, Endpoint};
use super::problems::{self, Invalid};
use super::state::Shared;
use super::Tier;
use super::{oauth2, LogCost, LogUser};

/// The whole HTTP surface of the emulator.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2/users/me", get(users::me))
        .route("/2/usage/credits", get(users::usage_credits))
        .route("/2/users", get(users::by_ids))
        .route("/2/users/by", get(users::by_usernames))
        .route("/2/users/by/username/{username}", get(users::by_username))
        .route("/2/users/{id}", get(users::by_id))
        .route(
            "/2/users/{id}/blocking",
            get(lists::blocking).post(lists::block),
        )
        .route(
            "/2/users/{source}/blocking/{target}",
            delete(lists::unblock),
        )
        .route("/2/users/{id}/muting", get(lists::muting).post(lists::mute))
        .route("/2/users/{source}/muting/{target}", delete(lists::unmute))
        .route("/i/oauth2/authorize", get(oauth2::authorize))
        .route("/2/oauth2/authorize", get(oauth2::authorize))
        .route("/2/oauth2/token", post(oauth2::token))
        .route("/2/oauth2/revoke", post(oauth2::revoke))
        .route("/oauth2/token", post(oauth2::app_token))
        .route("/oauth/request_token", post(oauth1::request_token))
        .route("/oauth/authorize", get(oauth1::authorize))
        .route("/oauth/authenticate", get(oauth1::authorize))
        .route("/i/oauth/authenticate", get(oauth1::authorize))
        .route("/oauth/access_token", post(oauth1::access_token))
        .route(
            "/1.1/oauth/invalidate_token",
            post(oauth1::invalidate_token),
        )
        .fallback(|| async { problems::no_route() })
        .with_state(shared)
}

/// A request with its body read.
#[derive(Debug)]
pub struct ApiReq {
    /// Method.
    pub method: Method,
    /// Path as sent (still percent-encoded).
    pub path: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl ApiReq {
    /// Reads the request (bodies over 1 MiB are cut).
    pub async fn read(req: Request) -> Self {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let query = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: parts.method,
            path: parts.uri.path().to_string(),
            query,
            headers: parts.headers,
            body,
        }
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Form body parameters, when the body is `application/x-www-form-urlencoded`.
    pub fn form(&self) -> Vec<(String, String)> {
        let is_form = self
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Vec::new();
        }
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// First value of a query parameter.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field selection of the query. Queries that use neither vocabulary are answered in
    /// the tweet vocabulary of the captured bodies, except for xdk, the SDK generated from the
    /// post-vocabulary spec, whose strict models need `api.x.com` problem types and `post_count`.
    pub fn selection(&self, errors: &mut Vec<Invalid>) -> Selection {
        let xdk = self
            .header("user-agent")
            .is_some_and(|ua| ua.to_ascii_lowercase().contains("xdk"));
        let neutral = if xdk { Vocab::Post } else { Vocab::Tweet };
        Selection::parse(&self.query, neutral, errors)
    }

    /// 400 entries for query parameters outside `allowed`.
    pub fn unknown_params(&self, allowed: &[&str]) -> Vec<Invalid> {
        self.query
            .iter()
            .filter(|(k, _)| !allowed.contains(&k.as_str()))
            .map(|(k, v)| {
                Invalid::value(
                    k,
                    v,
                    format!(
                        "The query parameter [{k}] is not one of [{}]",
                        allowed.join(",")
                    ),
                )
            })
            .collect()
    }
}

/// A request that passed the common checks.
#[derive(Debug)]
pub struct Ctx {
    /// The calling user (`None` for app-only).
    pub user: Option<u32>,
    budget: Option<Budget>,
    oauth1: bool,
    log_user: Option<String>,
    /// What this request cost, micro-dollars (`None`: not a billed endpoint).
    cost: Option<u64>,
}

impl Ctx {
    /// Adds the rate-limit headers, `x-access-level` and the log user and cost to a response.
    pub fn finish(&self, mut resp: Response) -> Response {
        if let Some(b) = self.budget {
            b.apply(resp.headers_mut());
        }
        if self.oauth1 {
            resp.headers_mut()
                .insert("x-access-level", HeaderValue::from_static("read-write"));
        }
        if let Some(u) = &self.log_user {
            resp.extensions_mut().insert(LogUser(u.clone()));
        }
        if let Some(c) = self.cost {
            resp.extensions_mut().insert(LogCost(c));
        }
        resp
    }

    /// Bills the resources `keys` of `item` this request returns (deduplicated per UTC day).
    pub fn charge(&mut self, s: &Shared, item: Item, keys: impl IntoIterator<Item = u64>) {
        let cost = s.lock().billing.charge(item, keys, SystemTime::now());
        *self.cost.get_or_insert(0) += cost;
    }
}

/// Rate-limit headers' limit under `--no-limits`: a budget no client spends (CONTRACT §6
/// says clients trust the headers, and xblocks counts down locally between answers).
pub const NO_LIMIT: u32 = 1_000_000_000;

/// Authentication, money, rate limit, app-only, scopes and plan checks of an API endpoint.
#[allow(clippy::result_large_err)] // the error is the finished response, sent at once
pub fn begin(s: &Shared, r: &ApiReq, ep: &'static Endpoint) -> Result<Ctx, Response> {
    let Some(principal) = authenticate(s, r) else {
        return Err(problems::unauthorized());
    };
    let (user, scopes, oauth1, who) = match principal {
        Principal::User { idx, scopes, token } => {
            let oauth1 = scopes.is_none();
            (Some(idx), scopes, oauth1, format!("user:{token}"))
        }
        Principal::App => (None, None, false, "app".to_string()),
    };
    let mut ctx = Ctx {
        user,
        budget: None,
        oauth1,
        log_user: user.map(|u| s.world.id(u)),
        cost: ep.bill.map(|_| 0),
    };
    let limit = match user {
        Some(_) => Some(ep.user_limit),
        None => ep.app_limit,
    };
    let Some(limit) = limit else {
        return Err(ctx.finish(problems::unsupported_auth()));
    };
    let limit = if s.config.no_limits { NO_LIMIT } else { limit };
    let window = Duration::from_secs(s.config.window_secs.max(1));
    let now = SystemTime::now();
    if let Some(&(_, answer)) = s.config.answers.iter().find(|(n, _)| *n == ep.name) {
        return Err(canned(s, &mut ctx, &who, ep, limit, answer));
    }
    {
        let mut inner = s.lock();
        let refusal = ep
            .bill
            .and_then(|_| inner.billing.check(s.config.usage_cap));
        if let Some(refusal) = refusal {
            // X refuses for money before counting the request: `remaining` stays as it was.
            ctx.budget = Some(inner.limiter.peek(&who, ep.key, limit, window, now));
            drop(inner);
            return Err(ctx.finish(match refusal {
                Refusal::CreditsDepleted => {
                    billing::credits_depleted(s.config.credits_body, s.account_id)
                }
                Refusal::UsageCapped => billing::usage_capped(s.account_id),
            }));
        }
        match inner.limiter.hit(&who, ep.key, limit, window, now) {
            Ok(b) => ctx.budget = Some(b),
            Err(b) => {
                ctx.budget = Some(b);
                drop(inner);
                return Err(ctx.finish(problems::too_many()));
            }
        }
    }
    if let Some(scopes) = scopes {
        if !ep
            .scopes
            .iter()
            .all(|need| scopes.iter().any(|g| g == need))
        {
            return Err(ctx.finish(problems::forbidden()));
        }
    }
    if ep.enterprise_only && s.config.tier == Tier::PayPerUse {
        return Err(ctx.finish(problems::client_forbidden(&s.app_id)));
    }
    Ok(ctx)
}

/// The `--answer` of an endpoint, with the rate-limit headers it would carry.
fn canned(
    s: &Shared,
    ctx: &mut Ctx,
    who: &str,
    ep: &'static Endpoint,
    limit: u32,
    answer: Answer,
) -> Response {
    let window = Duration::from_secs(s.config.window_secs.max(1));
    let mut budget = s
        .lock()
        .limiter
        .peek(who, ep.key, limit, window, SystemTime::now());
    let resp = match answer {
        Answer::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let title = status.canonical_reason().unwrap_or("Unexpected");
            problems::problem(
                status,
                &serde_json::json!({"title":title,"detail":title,"type":"about:blank","status":code}),
            )
        }
        Answer::Html => problems::text_response(
            StatusCode::OK,
            "text/html; charset=utf-8",
            "<!doctype html><html><body><p>Please sign in to the network to continue.</p></body></html>".into(),
        ),
        Answer::UserNotEnrolled => problems::user_not_enrolled(&s.app_id),
        Answer::Credits => billing::credits_depleted(s.config.credits_body, s.account_id),
        Answer::UsageCap => billing::usage_capped(s.account_id),
        Answer::RateLimitExceeded => {
            budget.remaining = 0;
            problems::rate_limit_exceeded()
        }
    };
    ctx.budget = Some(budget);
    ctx.finish(resp)
}

/// Checks an id against `^[0-9]{1,19}$`.
pub fn valid_id(v: &str) -> bool {
    (1..=19).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a handle against `^[A-Za-z0-9_]{1,15}$`.
pub fn valid_username(v: &str) -> bool {
    (1..=15).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// How a 400 message says an id fails its pattern.
pub const ID_MISMATCH: &str = "does not match ^[0-9]{1,19}$";

/// The 400 entry of an id that fails the pattern.
pub fn bad_id(name: &str, v: &str) -> Invalid {
    Invalid::value(
        name,
        v,
        format!("The `{name}` query parameter value [{v}] {ID_MISMATCH}"),
    )
}
