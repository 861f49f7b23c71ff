//! The X API v2 emulator: seeded world, routes, OAuth, rate limits and faults.
//!
//! In process: [`start`] binds 127.0.0.1:0 and returns an [`Emulator`] handle. Standalone:
//! `xblocks emulator` (`commands::emulator`). One origin serves both the API (`api.x.com`)
//! and the authorize pages (`x.com`):
//!
//! - API (CONTRACT §2–§6): `GET /2/users/me`, `/2/users/:id`, `/2/users?ids=`,
//!   `/2/users/by/username/:u`, `/2/users/by?usernames=`; `GET|POST /2/users/:id/blocking`,
//!   `DELETE /2/users/:id/blocking/:target`; the same for `muting`.
//! - OAuth 2.0 (§7): `GET /i/oauth2/authorize` (also `/2/oauth2/authorize`), `POST
//!   /2/oauth2/token`, `POST /2/oauth2/revoke`; app-only bearer: `POST /oauth2/token`.
//! - OAuth 1.0a (§8): `POST /oauth/request_token`, `GET /oauth/authorize` (PIN page),
//!   `POST /oauth/access_token`, `POST /1.1/oauth/invalidate_token`.

mod auth;
pub mod billing;
pub mod faults;
pub mod fields;
pub mod limits;
pub mod oauth1;
mod oauth2;
pub mod pagination;
pub mod problems;
mod routes;
mod serve;
mod state;
pub mod words;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Answer, Faults};
pub use state::ALL_SCOPES;

pub use billing::CreditsBody;
use state::{random_alnum, Shared};

/// API plan the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Tier {
    /// Block writes refused with 403, as real X does outside Enterprise.
    PayPerUse,
    /// Everything allowed.
    #[default]
    Enterprise,
}

/// Settings of an emulator instance.
#[derive(Clone)]
pub struct Config {
    /// Number of blocked accounts at start.
    pub users: usize,
    /// Seed of the world.
    pub seed: u64,
    /// API plan.
    pub tier: Tier,
    /// Rate-limit window length (X: 900).
    pub window_secs: u64,
    /// Pre-issued user access tokens for the seeded account.
    pub tokens: Vec<String>,
    /// Scopes of the pre-issued tokens; `None` = all scopes.
    pub token_scopes: Option<Vec<String>>,
    /// Lifetime of access tokens.
    pub token_ttl_secs: u64,
    /// Lifetime of OAuth 2.0 authorization codes (X: 30 s).
    pub code_ttl_secs: u64,
    /// Fault injection rates.
    pub faults: Faults,
    /// Mix hostile strings into names, bios, locations and posts.
    pub hostile: bool,
    /// Turn rate limits off.
    pub no_limits: bool,
    /// The built-in public OAuth 2.0 client id (`xblocks-demo`).
    pub client_id: String,
    /// An extra OAuth 2.0 client id.
    pub extra_client_id: Option<String>,
    /// Secret of the extra client (makes it confidential).
    pub extra_client_secret: Option<String>,
    /// Exact redirect URIs; empty = any `http://127.0.0.1:PORT/callback`.
    pub redirect_uris: Vec<String>,
    /// OAuth 1.0a consumer key.
    pub consumer_key: String,
    /// OAuth 1.0a consumer secret.
    pub consumer_secret: String,
    /// Print one line per request on stdout (the CLI does).
    pub log_requests: bool,
    /// Prepaid pay-per-use balance in USD; `None`: no balance kept, never a 402.
    pub credits: Option<f64>,
    /// Billed resources after which billed requests get X's usage-cap 429.
    pub usage_cap: Option<u64>,
    /// Shape of the 402 once the credits are gone.
    pub credits_body: CreditsBody,
    /// Canned answers per endpoint name (`--answer unblock=404`).
    pub answers: Vec<(&'static str, Answer)>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("users", &self.users)
            .field("seed", &self.seed)
            .field("tier", &self.tier)
            .field("window_secs", &self.window_secs)
            .field("tokens", &format_args!("[{} redacted]", self.tokens.len()))
            .field("token_scopes", &self.token_scopes)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("code_ttl_secs", &self.code_ttl_secs)
            .field("faults", &self.faults)
            .field("hostile", &self.hostile)
            .field("no_limits", &self.no_limits)
            .field("client_id", &self.client_id)
            .field("extra_client_id", &self.extra_client_id)
            .field(
                "extra_client_secret",
                &self.extra_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("redirect_uris", &self.redirect_uris)
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"[redacted]")
            .field("credits", &self.credits)
            .field("usage_cap", &self.usage_cap)
            .field("credits_body", &self.credits_body)
            .field("answers", &self.answers)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            users: 100,
            seed: 1,
            tier: Tier::Enterprise,
            window_secs: 900,
            tokens: Vec::new(),
            token_scopes: None,
            token_ttl_secs: 7200,
            code_ttl_secs: 30,
            faults: Faults::default(),
            hostile: false,
            no_limits: false,
            client_id: "xblocks-demo".into(),
            extra_client_id: None,
            extra_client_secret: None,
            redirect_uris: Vec::new(),
            consumer_key: "xblocks-demo-key".into(),
            consumer_secret: "xblocks-demo-secret".into(),
            log_requests: false,
            credits: None,
            usage_cap: None,
            credits_body: CreditsBody::Captured,
            answers: Vec::new(),
        }
    }
}

/// One served request, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Status code; 0 when the connection was dropped by fault injection.
    pub status: u16,
    /// Id of the authenticated user, if any.
    pub user: Option<String>,
    /// What the request cost in micro-dollars; `None` for endpoints that are not billed.
    pub cost_micros: Option<u64>,
}

/// Response extension naming the authenticated user for the log.
#[derive(Debug, Clone)]
pub(crate) struct LogUser(pub String);

/// Response extension carrying the cost of a billed request (micro-dollars) for the log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogCost(pub u64);

/// A running emulator. Dropping it stops the server too.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}

/// Starts an emulator on 127.0.0.1 with a free port.
pub async fn start(config: Config) -> std::io::Result<Emulator> {
    start_on(config, "127.0.0.1:0").await
}

/// Starts an emulator on `addr` (e.g. `127.0.0.1:0`).
pub async fn start_on(config: Config, addr: &str) -> std::io::Result<Emulator> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config));
    let router = routes::router(shared.clone());
    let (stop, rx) = watch::channel(false);
    let task = tokio::spawn(serve::serve(listener, shared.clone(), router, rx));
    Ok(Emulator {
        addr,
        shared,
        stop,
        task: Some(task),
    })
}

impl Emulator {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`: serves the API and the authorize pages.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// (id, username) of the signed-in seeded account.
    pub fn me(&self) -> (String, String) {
        let w = &self.shared.world;
        (w.id(w.me()), w.username(w.me()))
    }

    /// A fresh OAuth 2.0 user access token for the seeded account.
    pub fn issue_token(&self, scopes: &[&str]) -> String {
        let s = &self.shared;
        let mut inner = s.lock();
        let scopes = scopes.iter().map(|x| x.to_string()).collect();
        s.issue_access(&mut inner, s.world.me(), scopes)
    }

    /// A fresh OAuth 1.0a access token and secret for the seeded account.
    pub fn issue_oauth1_token(&self) -> (String, String) {
        let s = &self.shared;
        let mut rng = rand::thread_rng();
        let token = format!(
            "{}-{}",
            s.world.id(s.world.me()),
            random_alnum(&mut rng, 40)
        );
        let secret = random_alnum(&mut rng, 45);
        s.lock()
            .oauth1_tokens
            .insert(token.clone(), (secret.clone(), s.world.me()));
        (token, secret)
    }

    /// Ids of the blocked accounts, newest block first.
    pub fn blocked_ids(&self) -> Vec<String> {
        let idx = self.shared.lock().blocks.indices_desc();
        idx.into_iter().map(|i| self.shared.world.id(i)).collect()
    }

    /// Ids of the muted accounts, newest mute first.
    pub fn muted_ids(&self) -> Vec<String> {
        let idx = self.shared.lock().mutes.indices_desc();
        idx.into_iter().map(|i| self.shared.world.id(i)).collect()
    }

    /// Up to `n` (id, username) of accounts that are not blocked (nor suspended, nor you) and
    /// that no follow joins to you either way (so the follow guard lets a block through).
    pub fn unblocked_accounts(&self, n: usize) -> Vec<(String, String)> {
        let w = &self.shared.world;
        let inner = self.shared.lock();
        (1..w.total() as u32)
            .filter(|&i| !inner.blocks.contains(i) && !w.suspended(i))
            .filter(|&i| inner.unfollowed.contains(&i) || !(w.i_follow(i) || w.follows_me(i)))
            .take(n)
            .map(|i| (w.id(i), w.username(i)))
            .collect()
    }

    /// Up to `n` accounts that are not blocked and that you follow or that follow you, as
    /// `connection_status` reports them: (id, username, you follow them, they follow you).
    pub fn connected_accounts(&self, n: usize) -> Vec<(String, String, bool, bool)> {
        let w = &self.shared.world;
        let inner = self.shared.lock();
        (1..w.total() as u32)
            .filter(|&i| !inner.blocks.contains(i) && !inner.unfollowed.contains(&i))
            .map(|i| (i, w.i_follow(i), w.follows_me(i)))
            .filter(|&(_, following, followed_by)| following || followed_by)
            .take(n)
            .map(|(i, following, followed_by)| (w.id(i), w.username(i), following, followed_by))
            .collect()
    }

    /// Every request served so far (the latest 100,000).
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.iter().cloned().collect()
    }

    /// The prepaid balance left in USD (`None` without `--credits`); may be negative.
    pub fn credits_left(&self) -> Option<f64> {
        self.shared.lock().billing.balance().map(|m| m as f64 / 1e6)
    }

    /// Money billed so far in USD (pay-per-use prices, deduplicated per UTC day).
    pub fn spent_usd(&self) -> f64 {
        self.shared.lock().billing.spent() as f64 / 1e6
    }

    /// Billed resources so far (what `--usage-cap` counts).
    pub fn billed_resources(&self) -> u64 {
        self.shared.lock().billing.billed()
    }

    /// Adds `usd` to the prepaid balance, as a top-up at console.x.com would.
    pub fn top_up(&self, usd: f64) {
        self.shared.lock().billing.top_up(usd);
    }

    /// Makes every current access token expired (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        let past = SystemTime::now() - Duration::from_secs(1);
        for t in self.shared.lock().tokens.values_mut() {
            t.expires = past;
        }
    }

    /// Kills every access and refresh token (OAuth 2.0 and 1.0a).
    pub fn revoke_all_tokens(&self) {
        let mut inner = self.shared.lock();
        inner.tokens.clear();
        inner.refresh.clear();
        inner.oauth1_tokens.clear();
        inner.app_tokens.clear();
    }

    /// Stops the server and waits for open connections to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn handle_is_shareable_and_debug_redacts() {
        send_sync::<Emulator>();
        let c = Config {
            tokens: vec!["SECRET-TOKEN".into()],
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET-TOKEN") && !shown.contains("xblocks-demo-secret"));
    }
}
