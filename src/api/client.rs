//! The X API v2 client: one reqwest client, auth headers, rate-limit budgets, retries, typed calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use tokio::sync::broadcast;

use super::error::ApiError;
use super::ratelimit::{Budget, Endpoint, Limits, RateEvent};
use super::types::{ListResponse, RawUser, SingleResponse, Tweet, User};
use super::Authorize;

/// `user.fields` asked for on every user-returning request (tweet vocabulary).
pub const USER_FIELDS: &str = "created_at,description,location,url,public_metrics,verified,verified_type,protected,pinned_tweet_id,profile_image_url,entities";
/// `user.fields` of lookups: [`USER_FIELDS`] plus `connection_status`, which says whether the
/// signed-in account blocks or mutes each user (how imports plan and resumed queues verify).
pub const LOOKUP_FIELDS: &str = "created_at,description,location,url,public_metrics,verified,verified_type,protected,pinned_tweet_id,profile_image_url,entities,connection_status";
/// Page size of list requests: the maximum, a tenth as many requests as the default.
pub const MAX_RESULTS: u32 = 1000;

/// How to build a [`Client`].
#[derive(Clone)]
pub struct ClientConfig {
    /// API base URL, e.g. `https://api.x.com` or the emulator's `http://127.0.0.1:PORT`.
    pub api_base: String,
    /// How requests are signed (`auth::Credentials`, shared by every clone of the client).
    pub credentials: Arc<dyn Authorize>,
    /// Fail with [`ApiError::RateLimited`] instead of waiting out a window.
    pub no_wait: bool,
    /// Ask for pinned posts (`expansions=pinned_tweet_id`); X bills each one, so off by default.
    pub expand_pinned: bool,
}

/// One page of a block or mute list.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The accounts, in the API's order.
    pub users: Vec<User>,
    /// Pinned posts by id (only when expansions were asked for).
    pub pinned: HashMap<String, Tweet>,
    /// Token of the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// One page of a list with the user objects as X sent them.
#[derive(Debug, Clone, Default)]
pub struct RawPage {
    /// The user objects, as X sent them.
    pub users: Vec<RawUser>,
    /// Token of the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// A list answer read only as far as the raw export needs.
#[derive(serde::Deserialize)]
struct RawList {
    #[serde(default)]
    data: Vec<RawUser>,
    #[serde(default)]
    meta: super::types::Meta,
}

/// Result of a user lookup by ids or usernames.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Accounts found.
    pub found: Vec<User>,
    /// Ids or usernames X did not find (or suspended ones).
    pub not_found: Vec<String>,
}

/// Whether the signed-in account can write blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    /// Block and unblock work.
    Full,
    /// Reading (and muting, if granted) only.
    ReadOnly {
        /// Why, in words for the user.
        reason: String,
    },
    /// X's answer to the probe did not say; writes may be tried and their answer settles it.
    Unknown {
        /// What X answered, in words for the user.
        reason: String,
    },
}

impl Capability {
    /// The word stored and printed: `full`, `read-only` or `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Capability::Full => "full",
            Capability::ReadOnly { .. } => "read-only",
            Capability::Unknown { .. } => "unknown",
        }
    }

    /// The reason, when there is one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Capability::Full => None,
            Capability::ReadOnly { reason } | Capability::Unknown { reason } => Some(reason),
        }
    }

    /// What the answer to a block or unblock write says about the capability, if anything.
    pub fn from_write(result: &Result<(), ApiError>) -> Option<Capability> {
        match result {
            Ok(()) | Err(ApiError::NotFound { .. }) => Some(Capability::Full),
            Err(ApiError::EnterpriseOnly) => Some(Capability::ReadOnly {
                reason: "X allows block writes only on the Enterprise plan".into(),
            }),
            _ => None,
        }
    }
}

/// The X API client. Cheap to clone; all clones share budgets, events and credentials.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    pub(super) creds: Arc<dyn Authorize>,
    pub(super) no_wait: bool,
    pub(super) expand_pinned: bool,
    pub(super) limits: Limits,
    pub(super) events: broadcast::Sender<RateEvent>,
    pub(super) access_level: Mutex<Option<String>>,
    /// A 402 or usage-cap answer: final until the user tops up, so nothing more is sent.
    pub(super) halted: Mutex<Option<ApiError>>,
    /// Whether the last attempt reached X (`None` before the first).
    pub(super) reachable: Mutex<Option<bool>>,
}

/// Deadlines of every request: to connect, between two reads of the answer (a server that
/// goes silent), and for the whole request (a server that dribbles a byte a second).
/// `XBLOCKS_REQUEST_TIMEOUT` (seconds) sets the total, and caps the other two.
pub fn deadlines() -> (Duration, Duration, Duration) {
    let total = std::env::var("XBLOCKS_REQUEST_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .map_or(Duration::from_secs(90), Duration::from_secs_f64);
    (
        total.min(Duration::from_secs(10)),
        total.min(Duration::from_secs(30)),
        total,
    )
}

/// The reqwest client every xblocks request uses (rustls, deadlines, User-Agent).
pub fn http_client() -> reqwest::Client {
    let (connect, progress, total) = deadlines();
    reqwest::Client::builder()
        .user_agent(concat!("xblocks/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect)
        .read_timeout(progress)
        .timeout(total)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client with rustls builds")
}

impl Client {
    /// A client for `config`.
    pub fn new(config: ClientConfig) -> Self {
        let (events, _) = broadcast::channel(64);
        Self {
            inner: Arc::new(Inner {
                http: http_client(),
                base: config.api_base.trim_end_matches('/').to_string(),
                creds: config.credentials,
                no_wait: config.no_wait,
                expand_pinned: config.expand_pinned,
                limits: Limits::default(),
                events,
                access_level: Mutex::new(None),
                halted: Mutex::new(None),
                reachable: Mutex::new(None),
            }),
        }
    }

    /// The API base URL without a trailing slash.
    pub fn api_base(&self) -> &str {
        &self.inner.base
    }

    /// Wait events (and their ends) from every request of this client.
    pub fn rate_events(&self) -> broadcast::Receiver<RateEvent> {
        self.inner.events.subscribe()
    }

    /// What is left of an endpoint's window, once a response has reported it.
    pub fn budget(&self, endpoint: Endpoint) -> Option<Budget> {
        self.inner.limits.get(endpoint)
    }

    /// The `x-access-level` the last response reported (OAuth 1.0a: `read`, `read-write`…).
    pub fn access_level(&self) -> Option<String> {
        self.inner
            .access_level
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The money answer (402, usage cap) that stopped this client, if one did.
    pub fn halted(&self) -> Option<ApiError> {
        self.inner
            .halted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether the last attempt reached X: `Some(false)` right after a connection failed (while
    /// the request is still being retried), `None` before any attempt.
    pub fn reachable(&self) -> Option<bool> {
        *self
            .inner
            .reachable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set_reachable(&self, yes: bool) {
        *self
            .inner
            .reachable
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(yes);
    }

    /// Sends requests again after a money stop (the user says they topped up).
    pub fn clear_halt(&self) {
        *self.inner.halted.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Rereads the stored sign-in (the user ran `xblocks login` elsewhere); true when it changed.
    pub async fn reload_sign_in(&self) -> bool {
        self.inner.creds.reload().await
    }

    /// The signed-in account.
    pub async fn me(&self) -> Result<User, ApiError> {
        let q = vec![("user.fields", USER_FIELDS.to_string())];
        let r: SingleResponse = self
            .call(Endpoint::Me, Method::GET, "/2/users/me", &q, None)
            .await?;
        Self::me_of(r)
    }

    /// [`Client::me`] with one try: a failed connection is not retried.
    pub async fn me_once(&self) -> Result<User, ApiError> {
        let q = vec![("user.fields", USER_FIELDS.to_string())];
        let r: SingleResponse = self
            .call_once(Endpoint::Me, Method::GET, "/2/users/me", &q)
            .await?;
        Self::me_of(r)
    }

    fn me_of(r: SingleResponse) -> Result<User, ApiError> {
        r.data
            .ok_or_else(|| ApiError::Decode("/2/users/me answered without `data`".into()))
    }

    /// The payer's balance in USD from `GET /2/usage/credits`, or `None` when X does not answer
    /// it (it answered a bare 404 live in 2026-09: CONTRACT §10) or answers something else.
    pub async fn usage_credits(&self) -> Result<Option<f64>, ApiError> {
        // One try: offline, the balance is left out rather than waited for.
        let r: Result<serde_json::Value, ApiError> = self
            .call_once(Endpoint::UsageCredits, Method::GET, "/2/usage/credits", &[])
            .await;
        match r {
            Ok(v) => Ok(v.pointer("/data/total_balance").and_then(|b| b.as_f64())),
            Err(e @ (ApiError::Interrupted | ApiError::CreditsDepleted { .. })) => Err(e),
            Err(e) => {
                tracing::info!("no credit balance from X: {e}");
                Ok(None)
            }
        }
    }

    /// One page of the block list (`max_results=1000`), from `token` or the start.
    pub async fn blocking_page(
        &self,
        user_id: &str,
        token: Option<&str>,
    ) -> Result<Page, ApiError> {
        self.list_page(Endpoint::Blocking, "blocking", user_id, token)
            .await
    }

    /// One page of `max_results` (1–1000) accounts of the block list, from `token` or the
    /// start: a top-up begins small so that a few new blocks cost a few accounts.
    pub async fn blocking_page_sized(
        &self,
        user_id: &str,
        token: Option<&str>,
        max_results: u32,
    ) -> Result<Page, ApiError> {
        let r: ListResponse = self
            .list_sized(Endpoint::Blocking, "blocking", user_id, token, max_results)
            .await?;
        Ok(page_of(r))
    }

    /// One page of the mute list (`max_results=1000`), from `token` or the start.
    pub async fn muting_page(&self, user_id: &str, token: Option<&str>) -> Result<Page, ApiError> {
        self.list_page(Endpoint::Muting, "muting", user_id, token)
            .await
    }

    /// One page of the block list with each user object exactly as X sent it (every field,
    /// in X's order): what `export --format json` writes.
    pub async fn blocking_page_raw(
        &self,
        user_id: &str,
        token: Option<&str>,
    ) -> Result<RawPage, ApiError> {
        let r: RawList = self
            .list(Endpoint::Blocking, "blocking", user_id, token)
            .await?;
        Ok(RawPage {
            users: r.data,
            next_token: r.meta.next_token.filter(|t| !t.is_empty()),
        })
    }

    async fn list_page(
        &self,
        ep: Endpoint,
        list: &str,
        user_id: &str,
        token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let r: ListResponse = self.list(ep, list, user_id, token).await?;
        Ok(page_of(r))
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        ep: Endpoint,
        list: &str,
        user_id: &str,
        token: Option<&str>,
    ) -> Result<T, ApiError> {
        self.list_sized(ep, list, user_id, token, MAX_RESULTS).await
    }

    async fn list_sized<T: serde::de::DeserializeOwned>(
        &self,
        ep: Endpoint,
        list: &str,
        user_id: &str,
        token: Option<&str>,
        max_results: u32,
    ) -> Result<T, ApiError> {
        check_id(user_id)?;
        let mut q = vec![
            ("max_results", max_results.clamp(1, 1000).to_string()),
            ("user.fields", USER_FIELDS.to_string()),
        ];
        if self.inner.expand_pinned {
            q.push(("expansions", "pinned_tweet_id".into()));
            q.push(("tweet.fields", "created_at,text".into()));
        }
        if let Some(t) = token {
            q.push(("pagination_token", t.to_string()));
        }
        let path = format!("/2/users/{user_id}/{list}");
        self.call(ep, Method::GET, &path, &q, None).await
    }

    /// Blocks `target_id` (Enterprise only; else [`ApiError::EnterpriseOnly`]).
    pub async fn block(&self, me: &str, target_id: &str) -> Result<(), ApiError> {
        self.apply(super::Write::Block, me, target_id).await
    }

    /// Unblocks `target_id` (Enterprise only; else [`ApiError::EnterpriseOnly`]).
    pub async fn unblock(&self, me: &str, target_id: &str) -> Result<(), ApiError> {
        self.apply(super::Write::Unblock, me, target_id).await
    }

    /// Mutes `target_id`.
    pub async fn mute(&self, me: &str, target_id: &str) -> Result<(), ApiError> {
        self.apply(super::Write::Mute, me, target_id).await
    }

    /// Unmutes `target_id`.
    pub async fn unmute(&self, me: &str, target_id: &str) -> Result<(), ApiError> {
        self.apply(super::Write::Unmute, me, target_id).await
    }

    /// Performs `w` on `target` as `me`: a POST to set the relation, a DELETE to clear it.
    pub async fn apply(&self, w: super::Write, me: &str, target: &str) -> Result<(), ApiError> {
        check_id(me)?;
        check_id(target)?;
        let (list, sets) = w.relation();
        let (method, path, body) = if sets {
            (
                Method::POST,
                format!("/2/users/{me}/{list}"),
                Some(serde_json::json!({ "target_user_id": target })),
            )
        } else {
            (
                Method::DELETE,
                format!("/2/users/{me}/{list}/{target}"),
                None,
            )
        };
        // A 2xx status means X applied the write: a body cut short must not make us send it
        // again (that would spend another request of a 50-per-window budget).
        let lenient = |b: &[u8]| Ok(serde_json::from_slice(b).unwrap_or(serde_json::Value::Null));
        let r = self
            .call_with(w.endpoint(), method, &path, &[], body, lenient)
            .await?;
        if r.get("data").is_none() {
            if let Some(errors) = r.get("errors").and_then(|e| e.as_array()) {
                if let Some(first) = errors.first() {
                    let detail = first
                        .get("detail")
                        .and_then(|d| d.as_str())
                        .unwrap_or("no such account");
                    return Err(ApiError::NotFound {
                        what: format!("{target} ({detail})"),
                    });
                }
            }
        }
        Ok(())
    }

    /// Looks up accounts by username, 100 per request.
    pub async fn users_by_usernames(&self, names: &[String]) -> Result<Lookup, ApiError> {
        let mut out = Lookup::default();
        for chunk in names.chunks(100) {
            let q = vec![
                ("usernames", chunk.join(",")),
                ("user.fields", LOOKUP_FIELDS.to_string()),
            ];
            let r: ListResponse = self
                .call(
                    Endpoint::UsersByUsernames,
                    Method::GET,
                    "/2/users/by",
                    &q,
                    None,
                )
                .await?;
            merge_lookup(&mut out, chunk, r, |u| u.username.to_lowercase(), true);
        }
        Ok(out)
    }

    /// Looks up accounts by id, 100 per request.
    pub async fn users_by_ids(&self, ids: &[String]) -> Result<Lookup, ApiError> {
        let mut out = Lookup::default();
        for chunk in ids.chunks(100) {
            for id in chunk {
                check_id(id)?;
            }
            let q = vec![
                ("ids", chunk.join(",")),
                ("user.fields", LOOKUP_FIELDS.to_string()),
            ];
            let r: ListResponse = self
                .call(Endpoint::UsersByIds, Method::GET, "/2/users", &q, None)
                .await?;
            merge_lookup(&mut out, chunk, r, |u| u.id.clone(), false);
        }
        Ok(out)
    }

    /// The pinned post of one account: a users lookup with `expansions=pinned_tweet_id` (on
    /// pay-per-use one user read and one post read). `None` when it has none (or it was
    /// deleted: X then answers a partial error and no include).
    pub async fn pinned_post(&self, id: &str) -> Result<Option<Tweet>, ApiError> {
        check_id(id)?;
        let q = vec![
            ("ids", id.to_string()),
            ("user.fields", "pinned_tweet_id".to_string()),
            ("expansions", "pinned_tweet_id".to_string()),
            ("tweet.fields", "created_at,text".to_string()),
        ];
        let r: ListResponse = self
            .call(Endpoint::UsersByIds, Method::GET, "/2/users", &q, None)
            .await?;
        let Some(pin) = r.data.first().and_then(|u| u.pinned_tweet_id.clone()) else {
            return Ok(None);
        };
        Ok(r.includes.tweets.into_iter().find(|t| t.id == pin))
    }

    /// What the sign-in alone says about block writes, without any request: read-only when
    /// the block.write scope is missing or the OAuth 1.0a app may only read; `None` when only
    /// X's answer to a write can tell.
    pub fn capability_from_grant(&self) -> Option<Capability> {
        if let Some(scopes) = self.inner.creds.scopes() {
            if !scopes.iter().any(|s| s == "block.write") {
                return Some(Capability::ReadOnly {
                    reason: "the sign-in lacks the block.write scope".into(),
                });
            }
        }
        if self.access_level().as_deref() == Some("read") {
            return Some(Capability::ReadOnly {
                reason: "the app has read-only permission".into(),
            });
        }
        None
    }

    /// Whether block writes work, found without changing anything: granted scopes, the
    /// OAuth 1.0a access level, then the no-op probe `DELETE /2/users/:me/blocking/:me`. The
    /// probe spends one write of the window: only sign-in and `whoami --probe` call this.
    pub async fn capability(&self, me: &str) -> Result<Capability, ApiError> {
        if let Some(known) = self.capability_from_grant() {
            return Ok(known);
        }
        match self.unblock(me, me).await {
            Ok(()) => Ok(Capability::Full),
            Err(ApiError::EnterpriseOnly) => Ok(Capability::ReadOnly {
                reason: "X allows block writes only on the Enterprise plan".into(),
            }),
            Err(ApiError::Forbidden { detail, .. }) => Ok(Capability::ReadOnly { reason: detail }),
            // An answer the probe does not understand settles nothing.
            Err(
                e @ (ApiError::Server { .. } | ApiError::Decode(_) | ApiError::NotFound { .. }),
            ) => Ok(Capability::Unknown {
                reason: format!("X's answer to the probe was not understood ({e})"),
            }),
            Err(e) => Err(e),
        }
    }
}

/// A typed list answer as a [`Page`].
fn page_of(r: ListResponse) -> Page {
    let pinned = r
        .includes
        .tweets
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    Page {
        users: r.data,
        pinned,
        next_token: r.meta.next_token.filter(|t| !t.is_empty()),
    }
}

fn merge_lookup(
    out: &mut Lookup,
    asked: &[String],
    r: ListResponse,
    key: impl Fn(&User) -> String,
    lower: bool,
) {
    let norm = |s: &str| {
        if lower {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let found: std::collections::HashSet<String> = r.data.iter().map(&key).collect();
    for a in asked {
        if !found.contains(&norm(a)) {
            out.not_found.push(a.clone());
        }
    }
    out.found.extend(r.data);
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::NotFound {
            what: format!("`{}` is not a numeric X account id", id.escape_debug()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_vocabularies_and_unknown_fields_are_read() {
        let post = r#"{"data":[{"id":"1","name":"A","username":"a","pinned_post_id":"9",
            "public_metrics":{"followers_count":1,"following_count":2,"post_count":3,"listed_count":0,"like_count":5},
            "subscribes_to_you":false,"affiliation":{"description":"x"}}],
            "includes":{"posts":[{"id":"9","text":"hi","edit_history_post_ids":["9"]}]},
            "errors":[{"value":"8","detail":"Could not find post","title":"Not Found Error","type":"https://api.x.com/2/problems/resource-not-found"}],
            "meta":{"result_count":1,"next_token":"abc"}}"#;
        let r: ListResponse = serde_json::from_str(post).unwrap();
        assert_eq!(r.data[0].pinned_tweet_id.as_deref(), Some("9"));
        assert_eq!(r.data[0].public_metrics.unwrap().tweet_count, 3);
        assert_eq!(r.includes.tweets[0].text, "hi");
        assert_eq!(r.errors.len(), 1);
        let empty: ListResponse = serde_json::from_str(r#"{"meta":{"result_count":0}}"#).unwrap();
        assert!(empty.data.is_empty() && empty.meta.next_token.is_none());
    }

    #[test]
    fn ids_are_checked() {
        assert!(check_id("12").is_ok());
        assert!(check_id("1234567890123456789").is_ok());
        assert!(check_id("12345678901234567890").is_err());
        assert!(check_id("12a").is_err());
        assert!(check_id("").is_err());
    }

    #[test]
    fn lookup_marks_missing_names_case_insensitively() {
        let r: ListResponse = serde_json::from_str(
            r#"{"data":[{"id":"1","name":"A","username":"Alice"}],
                "errors":[{"value":"bob","detail":"Could not find user with username: [bob].","title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#,
        )
        .unwrap();
        let mut out = Lookup::default();
        merge_lookup(
            &mut out,
            &["alice".into(), "bob".into()],
            r,
            |u| u.username.to_lowercase(),
            true,
        );
        assert_eq!(out.found.len(), 1);
        assert_eq!(out.not_found, vec!["bob".to_string()]);
    }
}
