//! OAuth 2.0 Authorization Code with PKCE (S256): authorize URL, callback check, code exchange.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use url::Url;

use super::refresh::{apply_token_response, token_error};
use super::session::SessionConfig;
use super::token_store::{StoredToken, TokenKind, TokenStore};
use super::{AuthError, Credentials};
use crate::api::{ApiError, Client, ClientConfig};

/// A sign-in in progress: the URL to open and what is needed to finish it. No `Debug`: it
/// holds the PKCE verifier.
pub struct Flow {
    /// The authorize URL to open in a browser.
    pub url: Url,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    redirect_uri: String,
    client_id: String,
    client_secret: Option<String>,
    token_url: String,
}

/// Starts a sign-in: random state, S256 challenge, the authorize URL at
/// `<auth_base>/i/oauth2/authorize`.
pub fn start(
    config: &SessionConfig,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<Flow, url::ParseError> {
    let auth_url = AuthUrl::new(format!(
        "{}/i/oauth2/authorize",
        config.auth_base.trim_end_matches('/')
    ))?;
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(auth_url)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (mut url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(challenge)
        .url();
    // X documents the scope list as `%20`-separated; form encoding would write `+`.
    let query: Vec<String> = url
        .query_pairs()
        .map(|(k, v)| format!("{}={}", super::oauth1::enc(&k), super::oauth1::enc(&v)))
        .collect();
    url.set_query(Some(&query.join("&")));
    Ok(Flow {
        url,
        state,
        verifier,
        redirect_uri: redirect_uri.to_string(),
        client_id: client_id.to_string(),
        client_secret: client_secret.map(str::to_string),
        token_url: format!("{}/2/oauth2/token", config.api_base.trim_end_matches('/')),
    })
}

/// Why a callback was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// Not a callback at all (no `state`/`code`).
    #[error("this is not the sign-in callback (no code or state in it)")]
    NotACallback,
    /// The `state` does not match this sign-in (a stale tab, or a forged request).
    #[error("the callback's state does not match this sign-in; use the URL xblocks printed last")]
    WrongState,
    /// X answered with `error=…` (e.g. `access_denied`).
    #[error("X refused the sign-in: {0}")]
    Refused(String),
}

impl Flow {
    /// The `state` this sign-in expects (for tests and the loopback listener).
    pub fn state(&self) -> &str {
        self.state.secret()
    }

    /// The redirect URI registered in the authorize URL.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Checks a callback (a full redirect URL, or just its query) and returns the code.
    pub fn check_callback(&self, callback: &str) -> Result<String, CallbackError> {
        let query = match callback.find('?') {
            Some(i) => &callback[i + 1..],
            None => callback,
        };
        let query = query.split('#').next().unwrap_or("");
        let mut state = None;
        let mut code = None;
        let mut error = None;
        for (k, v) in url::form_urlencoded::parse(query.trim().as_bytes()) {
            match k.as_ref() {
                "state" => state = Some(v.into_owned()),
                "code" => code = Some(v.into_owned()),
                "error" => error = Some(v.into_owned()),
                _ => {}
            }
        }
        match (state, code, error) {
            (None, _, _) => Err(CallbackError::NotACallback),
            (Some(s), _, _) if s != *self.state.secret() => Err(CallbackError::WrongState),
            (Some(_), _, Some(e)) => Err(CallbackError::Refused(e)),
            (Some(_), Some(c), None) => Ok(c),
            (Some(_), None, None) => Err(CallbackError::NotACallback),
        }
    }

    /// Exchanges the code (with the verifier) for tokens.
    pub async fn exchange(self, code: String) -> Result<StoredToken, ApiError> {
        let token_url = TokenUrl::new(self.token_url.clone())
            .map_err(|e| ApiError::Network(format!("bad token URL: {e}")))?;
        let redirect = RedirectUrl::new(self.redirect_uri.clone())
            .map_err(|e| ApiError::Network(format!("bad redirect URI: {e}")))?;
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(token_url)
            .set_redirect_uri(redirect);
        client = match &self.client_secret {
            Some(s) => client.set_client_secret(ClientSecret::new(s.clone())),
            None => client.set_auth_type(AuthType::RequestBody),
        };
        let http = crate::api::http_client();
        let resp = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(self.verifier)
            .request_async(&|req| crate::api::body::oauth_request(http.clone(), req))
            .await
            .map_err(token_error)?;
        let base = StoredToken {
            kind: TokenKind::Oauth2,
            client_id: Some(self.client_id),
            client_secret: self.client_secret,
            ..Default::default()
        };
        Ok(apply_token_response(&base, &resp))
    }
}

/// Looks up the account a fresh token belongs to, then stores the token in the profile.
/// Returns the stored token (with `user_id` and `username`).
pub async fn store_new_token(
    config: &SessionConfig,
    mut token: StoredToken,
) -> Result<StoredToken, AuthError> {
    let creds = match token.kind {
        TokenKind::Oauth2 => Credentials::static_bearer(
            token.access_token.clone(),
            Some(token.scopes.clone()).filter(|s| !s.is_empty()),
        ),
        TokenKind::Oauth1 => {
            Credentials::OAuth1(std::sync::Arc::new(super::oauth1::Keys::of(&token)))
        }
    };
    let client = Client::new(ClientConfig {
        api_base: config.api_base.clone(),
        credentials: creds.into(),
        no_wait: config.no_wait,
        expand_pinned: false,
    });
    let me = client.me().await?;
    token.user_id = Some(me.id);
    token.username = Some(me.username);
    let store = TokenStore::new(&config.paths);
    store.save(&token).map_err(|source| AuthError::Save {
        path: store.path().to_path_buf(),
        source,
    })?;
    Ok(token)
}

/// Signs in without a browser through a server that approves at once (the emulator): GET the
/// authorize URL without following the redirect, check the state in `Location`, exchange the
/// code with the verifier, store the token in the profile.
pub async fn login_headless(
    config: &SessionConfig,
    client_id: &str,
    scopes: &[&str],
) -> Result<(), AuthError> {
    let flow = start(
        config,
        client_id,
        None,
        "http://127.0.0.1:8765/callback",
        scopes,
    )
    .map_err(AuthError::AuthorizeUrl)?;
    let resp = crate::api::http_client()
        .get(flow.url.clone())
        .send()
        .await
        .map_err(AuthError::AuthorizePage)?;
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AuthError::NoRedirect(resp.status()))?
        .to_string();
    let code = flow.check_callback(&location)?;
    let token = flow.exchange(code).await?;
    store_new_token(config, token).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SessionConfig {
        SessionConfig {
            api_base: "http://127.0.0.1:9".into(),
            auth_base: "http://127.0.0.1:9/".into(),
            profile: "default".into(),
            paths: crate::store::paths::Paths::resolve(None, "default"),
            no_wait: false,
        }
    }

    #[test]
    fn authorize_url_has_pkce_s256_state_and_scopes() {
        let flow = start(
            &config(),
            "cid",
            None,
            "http://127.0.0.1:8765/callback",
            &["tweet.read", "users.read"],
        )
        .unwrap();
        let u = &flow.url;
        assert_eq!(u.path(), "/i/oauth2/authorize");
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "cid");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:8765/callback");
        assert_eq!(q["scope"], "tweet.read users.read");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43);
        assert_eq!(q["state"], flow.state());
        assert!(u.as_str().contains("scope=tweet.read%20users.read"));
    }

    #[test]
    fn callback_state_is_checked() {
        let flow = start(&config(), "c", None, "http://127.0.0.1:1/callback", &["a"]).unwrap();
        let good = format!(
            "http://127.0.0.1:1/callback?state={}&code=abc",
            flow.state()
        );
        assert_eq!(flow.check_callback(&good).unwrap(), "abc");
        assert_eq!(
            flow.check_callback("/callback?state=nope&code=abc"),
            Err(CallbackError::WrongState)
        );
        assert_eq!(
            flow.check_callback("/favicon.ico"),
            Err(CallbackError::NotACallback)
        );
        let denied = format!("?error=access_denied&state={}", flow.state());
        assert_eq!(
            flow.check_callback(&denied),
            Err(CallbackError::Refused("access_denied".into()))
        );
    }
}
