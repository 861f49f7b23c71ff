//! OAuth 1.0a user context: HMAC-SHA1 request signing (RFC 5849 §3.4) and the PIN flow.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::distributions::Alphanumeric;
use rand::Rng;
use url::Url;

use super::token_store::StoredToken;
use super::AuthError;

/// RFC 3986 unreserved characters stay; everything else is `%XX` upper-case.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes per RFC 3986 (space is `%20`, never `+`).
pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// Consumer and token credentials. `Debug` shows no secret.
#[derive(Clone)]
pub struct Keys {
    /// Consumer (API) key.
    pub consumer_key: String,
    /// Consumer secret.
    pub consumer_secret: String,
    /// Access (or request) token; `None` for `request_token`.
    pub token: Option<String>,
    /// Its secret (empty for `request_token`).
    pub token_secret: String,
}

impl Keys {
    /// The keys of a stored OAuth 1.0a sign-in.
    pub fn of(token: &StoredToken) -> Self {
        Self {
            consumer_key: token.consumer_key.clone().unwrap_or_default(),
            consumer_secret: token.consumer_secret.clone().unwrap_or_default(),
            token: Some(token.access_token.clone()),
            token_secret: token.token_secret.clone().unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

/// The signature base URL: lower-case scheme and host, port only if non-default, path.
pub fn base_url(url: &Url) -> String {
    let mut s = format!(
        "{}://{}",
        url.scheme().to_ascii_lowercase(),
        url.host_str().unwrap_or("").to_ascii_lowercase()
    );
    if let Some(p) = url.port() {
        s.push_str(&format!(":{p}"));
    }
    s.push_str(url.path());
    s
}

/// `oauth_signature` for a request: `params` are all oauth_* (without the signature), query
/// and form parameters, decoded.
pub fn signature(
    method: &str,
    base_url: &str,
    params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let mut encoded: Vec<(String, String)> = params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    encoded.sort();
    let param_string = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let base = format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        enc(base_url),
        enc(&param_string)
    );
    let key = format!("{}&{}", enc(consumer_secret), enc(token_secret));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl Keys {
    /// The `Authorization: OAuth …` value for a request (fresh nonce and timestamp).
    pub fn header(&self, method: &str, url: &Url, form: &[(String, String)]) -> String {
        self.header_with(method, url, form, &[], &nonce(), now())
    }

    /// Like [`Keys::header`] with extra `oauth_*` parameters (`oauth_callback`, `oauth_verifier`)
    /// and a given nonce and timestamp.
    pub fn header_with(
        &self,
        method: &str,
        url: &Url,
        form: &[(String, String)],
        extra_oauth: &[(&str, &str)],
        nonce: &str,
        timestamp: u64,
    ) -> String {
        let mut oauth: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), self.consumer_key.clone()),
            ("oauth_nonce".into(), nonce.to_string()),
            ("oauth_signature_method".into(), "HMAC-SHA1".into()),
            ("oauth_timestamp".into(), timestamp.to_string()),
            ("oauth_version".into(), "1.0".into()),
        ];
        if let Some(t) = &self.token {
            oauth.push(("oauth_token".into(), t.clone()));
        }
        for (k, v) in extra_oauth {
            oauth.push((k.to_string(), v.to_string()));
        }
        let mut params = oauth.clone();
        params.extend(
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        params.extend(form.iter().cloned());
        let sig = signature(
            method,
            &base_url(url),
            &params,
            &self.consumer_secret,
            &self.token_secret,
        );
        oauth.push(("oauth_signature".into(), sig));
        let fields: Vec<String> = oauth
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", enc(k), enc(v)))
            .collect();
        format!("OAuth {}", fields.join(", "))
    }
}

fn nonce() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Result of the PIN flow's last step.
pub struct AccessToken {
    /// `oauth_token`.
    pub token: String,
    /// `oauth_token_secret`.
    pub secret: String,
    /// `user_id`, when given.
    pub user_id: Option<String>,
    /// `screen_name`, when given.
    pub screen_name: Option<String>,
}

/// Step 1: `POST /oauth/request_token` with `oauth_callback=oob`; returns (token, secret).
pub async fn request_token(
    http: &reqwest::Client,
    api_base: &str,
    consumer_key: &str,
    consumer_secret: &str,
) -> Result<(String, String), AuthError> {
    let keys = Keys {
        consumer_key: consumer_key.into(),
        consumer_secret: consumer_secret.into(),
        token: None,
        token_secret: String::new(),
    };
    let url = Url::parse(&format!(
        "{}/oauth/request_token",
        api_base.trim_end_matches('/')
    ))?;
    let auth = keys.header_with(
        "POST",
        &url,
        &[],
        &[("oauth_callback", "oob")],
        &nonce(),
        now(),
    );
    let form = post_form(http, url, auth, &[]).await?;
    let token = field(&form, "oauth_token")?;
    let secret = field(&form, "oauth_token_secret")?;
    Ok((token, secret))
}

/// The page where the user approves and reads the PIN.
pub fn authorize_url(api_base: &str, request_token: &str) -> String {
    format!(
        "{}/oauth/authorize?oauth_token={}",
        api_base.trim_end_matches('/'),
        enc(request_token)
    )
}

/// Step 3: `POST /oauth/access_token` signed with the request token and the PIN.
pub async fn access_token(
    http: &reqwest::Client,
    api_base: &str,
    keys: &Keys,
    pin: &str,
) -> Result<AccessToken, AuthError> {
    let url = Url::parse(&format!(
        "{}/oauth/access_token",
        api_base.trim_end_matches('/')
    ))?;
    let form_params = vec![("oauth_verifier".to_string(), pin.to_string())];
    let auth = keys.header("POST", &url, &form_params);
    let form = post_form(http, url, auth, &form_params).await?;
    Ok(AccessToken {
        token: field(&form, "oauth_token")?,
        secret: field(&form, "oauth_token_secret")?,
        user_id: field(&form, "user_id").ok(),
        screen_name: field(&form, "screen_name").ok(),
    })
}

async fn post_form(
    http: &reqwest::Client,
    url: Url,
    auth: String,
    form: &[(String, String)],
) -> Result<Vec<(String, String)>, AuthError> {
    let resp = http
        .post(url.clone())
        .header(reqwest::header::AUTHORIZATION, auth)
        .form(form)
        .send()
        .await
        .map_err(|source| AuthError::Unreachable {
            base: base_url(&url),
            source,
        })?;
    let status = resp.status();
    let bytes = crate::api::body::read_capped(resp, crate::api::body::BODY_CAP)
        .await
        .map_err(|source| AuthError::BadAnswer {
            base: base_url(&url),
            source,
        })?;
    let text = String::from_utf8_lossy(&bytes);
    if !status.is_success() {
        return Err(AuthError::Rejected {
            base: base_url(&url),
            status,
        });
    }
    Ok(url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

fn field(form: &[(String, String)], name: &'static str) -> Result<String, AuthError> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .ok_or(AuthError::MissingField(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CONTRACT §8 / X docs `creating-a-signature.mdx`.
    fn vector(host: &str) -> String {
        let url = Url::parse(&format!(
            "https://{host}/1.1/statuses/update.json?include_entities=true"
        ))
        .unwrap();
        let keys = Keys {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
            token: Some("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into()),
            token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
        };
        let form = vec![(
            "status".to_string(),
            "Hello Ladies + Gentlemen, a signed OAuth request!".to_string(),
        )];
        keys.header_with(
            "POST",
            &url,
            &form,
            &[],
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            1318622958,
        )
    }

    fn sig_of(header: &str) -> String {
        let start = header.find("oauth_signature=\"").unwrap() + 17;
        let rest = &header[start..];
        let raw = &rest[..rest.find('"').unwrap()];
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    #[test]
    fn contract_test_vector() {
        assert_eq!(sig_of(&vector("api.x.com")), "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
        assert_eq!(
            sig_of(&vector("api.twitter.com")),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
    }

    #[test]
    fn encoding_is_rfc3986() {
        assert_eq!(enc("a b+c~*"), "a%20b%2Bc~%2A");
        assert_eq!(enc("ü"), "%C3%BC");
    }

    #[test]
    fn base_url_keeps_only_non_default_port() {
        let u = Url::parse("HTTP://127.0.0.1:8080/2/users/me?x=1").unwrap();
        assert_eq!(base_url(&u), "http://127.0.0.1:8080/2/users/me");
        let u = Url::parse("https://API.X.com:443/a").unwrap();
        assert_eq!(base_url(&u), "https://api.x.com/a");
    }

    #[test]
    fn debug_hides_secrets() {
        let k = Keys {
            consumer_key: "ck".into(),
            consumer_secret: "SECRET1".into(),
            token: Some("SECRET2".into()),
            token_secret: "SECRET3".into(),
        };
        assert!(!format!("{k:?}").contains("SECRET"));
    }
}
