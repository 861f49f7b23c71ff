//! Who is calling: OAuth 2.0 bearer (user or app-only) or an OAuth 1.0a signed request.

use std::time::{SystemTime, UNIX_EPOCH};

use super::oauth1;
use super::routes::ApiReq;
use super::state::{Inner, Shared};

/// The authenticated caller of an API request.
#[derive(Debug, Clone)]
pub enum Principal {
    /// User context. `scopes` is `None` for OAuth 1.0a (app permission read-write); `token`
    /// keys the rate-limit windows (X counts per user token).
    User {
        idx: u32,
        scopes: Option<Vec<String>>,
        token: String,
    },
    /// App-only bearer token.
    App,
}

/// Which token table an OAuth 1.0a `oauth_token` is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTable {
    /// No token (request_token step).
    None,
    /// A request token (access_token step).
    Request,
    /// An access token (API calls).
    Access,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Verifies an OAuth 1.0a signed request; returns its `oauth_*` parameters.
pub fn verify_oauth1(
    s: &Shared,
    inner: &mut Inner,
    r: &ApiReq,
    table: TokenTable,
) -> Option<Vec<(String, String)>> {
    let header = r.header("authorization")?;
    let oauth = oauth1::parse_header(header)?;
    let get = |k: &str| oauth.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("oauth_consumer_key")? != s.config.consumer_key
        || get("oauth_signature_method")? != "HMAC-SHA1"
        || get("oauth_version").is_some_and(|v| v != "1.0")
    {
        return None;
    }
    let ts: i64 = get("oauth_timestamp")?.parse().ok()?;
    if (now_secs() - ts).abs() > 300 {
        return None;
    }
    let nonce = get("oauth_nonce")?.to_string();
    if nonce.is_empty() || inner.nonces.contains_key(&nonce) {
        return None;
    }
    let token_secret = match (table, get("oauth_token")) {
        (TokenTable::None, None) => String::new(),
        (TokenTable::None, Some(_)) => return None,
        (TokenTable::Request, Some(t)) => inner.request_tokens.get(t)?.secret.clone(),
        (TokenTable::Access, Some(t)) => inner.oauth1_tokens.get(t)?.0.clone(),
        (_, None) => return None,
    };
    let mut params: Vec<(String, String)> = oauth
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .cloned()
        .collect();
    params.extend(r.query.iter().cloned());
    params.extend(r.form());
    let sent = get("oauth_signature")?;
    let deduped = oauth1::without_exact_repeats(&params);
    let param_sets: &[&[(String, String)]] = if deduped.len() == params.len() {
        &[&params]
    } else {
        &[&params, &deduped]
    };
    let urls = oauth1::candidate_base_urls(r.header("host").unwrap_or(""), &r.path);
    let signed = urls.iter().any(|url| {
        param_sets.iter().any(|ps| {
            let base = oauth1::base_string(r.method.as_str(), url, ps);
            oauth1::signature(&base, &s.config.consumer_secret, &token_secret) == sent
        })
    });
    if !signed {
        return None;
    }
    if inner.nonces.len() > 50_000 {
        let cutoff = now_secs() - 600;
        inner.nonces.retain(|_, &mut t| t > cutoff);
    }
    inner.nonces.insert(nonce, ts);
    Some(oauth)
}

/// Authenticates an API request; `None` means 401.
pub fn authenticate(s: &Shared, r: &ApiReq) -> Option<Principal> {
    let header = r.header("authorization")?;
    let mut inner = s.lock();
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = rest.trim();
        if inner.app_tokens.contains(token) {
            return Some(Principal::App);
        }
        let t = inner.tokens.get(token)?;
        if SystemTime::now() >= t.expires {
            return None;
        }
        return Some(Principal::User {
            idx: t.user,
            scopes: Some(t.scopes.clone()),
            token: token.to_string(),
        });
    }
    let oauth = verify_oauth1(s, &mut inner, r, TokenTable::Access)?;
    let token = oauth.iter().find(|(k, _)| k == "oauth_token")?.1.clone();
    let idx = inner.oauth1_tokens.get(&token)?.1;
    Some(Principal::User {
        idx,
        scopes: None,
        token,
    })
}
