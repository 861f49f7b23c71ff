//! The mutable state behind one mutex: blocks, mutes, tokens, codes, nonces, rate windows.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::billing::Billing;
use super::limits::Limiter;
use super::pagination::SeqList;
use super::world::{mix, World};
use super::{Config, RequestRecord};

/// Every scope X grants (the pre-issued tokens' default).
pub const ALL_SCOPES: &[&str] = &[
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.email",
    "users.read",
    "follows.read",
    "follows.write",
    "offline.access",
    "space.read",
    "mute.read",
    "mute.write",
    "like.read",
    "like.write",
    "list.read",
    "list.write",
    "block.read",
    "block.write",
    "bookmark.read",
    "bookmark.write",
    "media.write",
    "dm.read",
    "dm.write",
];

/// A user access token (OAuth 2.0).
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub user: u32,
    pub scopes: Vec<String>,
    pub expires: SystemTime,
}

/// A refresh token (OAuth 2.0).
#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub user: u32,
    pub scopes: Vec<String>,
    pub client_id: String,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub method: String,
    pub scopes: Vec<String>,
    pub created: Instant,
}

/// An OAuth 1.0a request token.
#[derive(Debug, Clone)]
pub struct RequestToken {
    pub secret: String,
    pub callback: String,
    pub verifier: Option<String>,
}

/// Mutable state of the emulator.
#[derive(Debug)]
pub struct Inner {
    pub blocks: SeqList,
    pub mutes: SeqList,
    /// Accounts whose follows (both ways) a block dropped: X ends them on a block, and an
    /// unblock does not bring them back.
    pub unfollowed: HashSet<u32>,
    pub next_seq: u64,
    pub tokens: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    pub app_tokens: HashSet<String>,
    pub codes: HashMap<String, AuthCode>,
    pub request_tokens: HashMap<String, RequestToken>,
    /// OAuth 1.0a access token → (secret, user).
    pub oauth1_tokens: HashMap<String, (String, u32)>,
    /// Seen OAuth 1.0a nonces and their timestamps.
    pub nonces: HashMap<String, i64>,
    pub limiter: Limiter,
    pub billing: Billing,
    pub rng: StdRng,
    pub log: VecDeque<RequestRecord>,
}

/// Most log records kept for `request_log`.
pub const LOG_CAP: usize = 100_000;

/// Everything a request handler sees.
#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    pub world: World,
    /// Key of pagination-token checksums.
    pub secret: u64,
    /// Numeric client id reported in client-forbidden bodies.
    pub app_id: String,
    /// The enrolled (developer) account of 402 and usage-cap bodies: a 19-digit id > 2^53.
    pub account_id: u64,
    inner: Mutex<Inner>,
}

/// A random token: unpadded base64url of `<random>:<ms epoch>:1:1:<kind>:1`, like X's.
pub fn new_token(rng: &mut impl Rng, kind: &str) -> String {
    let random: String = (0..32)
        .map(|_| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            A[rng.gen_range(0..A.len())] as char
        })
        .collect();
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{random}:{ms}:1:1:{kind}:1"))
}

/// Random alphanumerics.
pub fn random_alnum(rng: &mut impl Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| A[rng.gen_range(0..A.len())] as char)
        .collect()
}

impl Shared {
    /// Builds the world and the initial state.
    pub fn new(config: Config) -> Self {
        let world = World::new(config.seed, config.users, config.hostile);
        let total = world.total();
        let n = world.initial_blocked() as u64;
        let blocks = SeqList::from_pairs(total, (1..=n).rev().map(|i| (n + 1 - i, i as u32)));
        let mut next_seq = n + 1;
        let muted: Vec<u32> = (0..total as u32)
            .filter(|&i| world.initially_muted(i))
            .collect();
        let mutes = SeqList::from_pairs(
            total,
            muted
                .iter()
                .rev()
                .enumerate()
                .map(|(k, &i)| (next_seq + k as u64, i)),
        );
        next_seq += muted.len() as u64;
        let expires = SystemTime::now() + Duration::from_secs(config.token_ttl_secs);
        let scopes: Vec<String> = match &config.token_scopes {
            Some(s) => s.clone(),
            None => ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
        };
        let tokens = config
            .tokens
            .iter()
            .map(|t| {
                let tok = AccessToken {
                    user: world.me(),
                    scopes: scopes.clone(),
                    expires,
                };
                (t.clone(), tok)
            })
            .collect();
        let inner = Inner {
            blocks,
            mutes,
            unfollowed: HashSet::new(),
            next_seq,
            tokens,
            refresh: HashMap::new(),
            app_tokens: HashSet::new(),
            codes: HashMap::new(),
            request_tokens: HashMap::new(),
            oauth1_tokens: HashMap::new(),
            nonces: HashMap::new(),
            limiter: Limiter::default(),
            billing: Billing::new(config.credits),
            rng: StdRng::seed_from_u64(mix(config.seed ^ 0xfa17)),
            log: VecDeque::new(),
        };
        Self {
            secret: mix(config.seed ^ 0x70c3),
            account_id: 1_000_000_000_000_000_000
                + mix(config.seed ^ 0xacc7) % 8_000_000_000_000_000_000,
            app_id: (10_000_000 + mix(config.seed) % 90_000_000).to_string(),
            world,
            config,
            inner: Mutex::new(inner),
        }
    }

    /// Locks the mutable state (short critical sections only).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues an OAuth 2.0 user access token for account `user`.
    pub fn issue_access(&self, inner: &mut Inner, user: u32, scopes: Vec<String>) -> String {
        let token = new_token(&mut rand::thread_rng(), "at");
        let expires = SystemTime::now() + Duration::from_secs(self.config.token_ttl_secs);
        inner.tokens.insert(
            token.clone(),
            AccessToken {
                user,
                scopes,
                expires,
            },
        );
        token
    }

    /// Appends a log record, keeping at most [`LOG_CAP`].
    pub fn record(&self, rec: RequestRecord) {
        let mut inner = self.lock();
        if inner.log.len() >= LOG_CAP {
            inner.log.pop_front();
        }
        inner.log.push_back(rec);
    }
}
