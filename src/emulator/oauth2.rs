//! OAuth 2.0: the authorize page (auto-approves), the token endpoint (authorization_code with
//! PKCE, refresh_token with rotation), revoke, and app-only bearer tokens (client_credentials).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::Rng;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::problems::{self, oauth_error};
use super::routes::ApiReq;
use super::state::{new_token, random_alnum, Inner, RefreshToken, Shared, ALL_SCOPES};

const BAD_CODE: &str = "Value passed for the authorization code was invalid.";
const BAD_TOKEN: &str = "Value passed for the token was invalid.";

/// A registered OAuth 2.0 client.
struct Client<'a> {
    id: &'a str,
    secret: Option<&'a str>,
}

fn clients(s: &Shared) -> Vec<Client<'_>> {
    let mut v = vec![Client {
        id: &s.config.client_id,
        secret: None,
    }];
    if let Some(id) = &s.config.extra_client_id {
        v.push(Client {
            id,
            secret: s.config.extra_client_secret.as_deref(),
        });
    }
    v
}

/// Is `uri` an allowed redirect URI? Exact registered ones, or any
/// `http://127.0.0.1:PORT/callback` when none are registered.
pub fn redirect_allowed(s: &Shared, uri: &str) -> bool {
    if !s.config.redirect_uris.is_empty() {
        return s.config.redirect_uris.iter().any(|r| r == uri);
    }
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    u.scheme() == "http"
        && u.host_str() == Some("127.0.0.1")
        && u.port().is_some()
        && u.path() == "/callback"
        && u.query().is_none()
        && u.fragment().is_none()
        && uri.starts_with("http://127.0.0.1:")
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

/// `GET /i/oauth2/authorize`: approves at once with a 302 carrying `code` and `state`.
pub async fn authorize(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let client_id = r.q("client_id").unwrap_or("");
    if !clients(&s).iter().any(|c| c.id == client_id) {
        return html(
            StatusCode::BAD_REQUEST,
            format!("<html><body><p>Something went wrong: unknown client_id [{}]. You weren't able to give access to the App.</p></body></html>", esc(client_id)),
        );
    }
    let redirect_uri = r.q("redirect_uri").unwrap_or("");
    if !redirect_allowed(&s, redirect_uri) {
        return html(
            StatusCode::BAD_REQUEST,
            "<html><body><p>Something went wrong: the redirect_uri does not match a registered callback URL.</p></body></html>".into(),
        );
    }
    let state = r.q("state").unwrap_or("");
    let refuse = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if !state.is_empty() {
            pairs.push(("state", state));
        }
        redirect(&with_query(redirect_uri, &pairs))
    };
    if r.q("response_type") != Some("code") {
        return refuse("unsupported_response_type", "response_type must be code");
    }
    if state.is_empty() || state.len() > 500 {
        return refuse("invalid_request", "Missing or invalid state");
    }
    let scopes: Vec<String> = r
        .q("scope")
        .unwrap_or("")
        .split([' ', '+'])
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    if scopes.is_empty() || scopes.iter().any(|x| !ALL_SCOPES.contains(&x.as_str())) {
        return refuse("invalid_scope", "Missing or unknown scope");
    }
    let challenge = r.q("code_challenge").unwrap_or("");
    // Leniency (CONTRACT §10): twitter-api-v2 sends `code_challenge_method=s256` (lower
    // case); X accepts it, so the method is read case-insensitively.
    let method = match r.q("code_challenge_method").unwrap_or("plain") {
        m if m.eq_ignore_ascii_case("S256") => "S256",
        m if m.eq_ignore_ascii_case("plain") => "plain",
        _ => "",
    };
    if challenge.is_empty() || method.is_empty() {
        return refuse("invalid_request", "Missing or invalid code_challenge");
    }
    let code = random_alnum(&mut rand::thread_rng(), 48);
    s.lock().codes.insert(
        code.clone(),
        super::state::AuthCode {
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            challenge: challenge.to_string(),
            method: method.to_string(),
            scopes,
            created: Instant::now(),
        },
    );
    redirect(&with_query(
        redirect_uri,
        &[("state", state), ("code", &code)],
    ))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn basic_credentials(r: &ApiReq) -> Option<(String, String)> {
    let v = r.header("authorization")?.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(v.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |x: &str| {
        percent_encoding::percent_decode_str(&x.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((dec(id), dec(secret)))
}

/// Authenticates the client of a token/revoke request; returns its id.
#[allow(clippy::result_large_err)] // the error is the finished response, sent at once
fn client_auth(s: &Shared, r: &ApiReq, form: &[(String, String)]) -> Result<String, Response> {
    let missing_header = || {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Missing valid authorization header",
        )
    };
    let all = clients(s);
    if let Some((id, secret)) = basic_credentials(r) {
        return match all.iter().find(|c| c.id == id) {
            Some(c) if c.secret.is_none_or(|cs| cs == secret) => Ok(id),
            _ => Err(missing_header()),
        };
    }
    let Some(id) = field(form, "client_id") else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter [client_id].",
        ));
    };
    match all.iter().find(|c| c.id == id) {
        Some(c) if c.secret.is_none() => Ok(id.to_string()),
        _ => Err(missing_header()),
    }
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The parameters of a token or revoke request.
///
/// Leniency (CONTRACT §10): twitter-api-v2 sends these as a JSON object with `Content-Type:
/// application/json` (its body-type detection tests `url.password` where it means the path,
/// so `/2/oauth2/*` falls into its JSON branch), and X accepts them: string (and number)
/// members are read as form fields. Every other body is read as a form.
fn all_form(r: &ApiReq) -> Vec<(String, String)> {
    let json = r
        .header("content-type")
        .is_some_and(|c| c.trim_start().starts_with("application/json"));
    if json {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(&r.body) {
            return m
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect();
        }
    }
    url::form_urlencoded::parse(&r.body).into_owned().collect()
}

/// Longest code verifier accepted. RFC 7636 says 128, but `@xdevplatform/xdk`'s
/// `generateCodeVerifier()` (default length 128) returns 171 characters (base64url of 128
/// random bytes) and X accepts its sign-in: leniency, up to 256.
const MAX_VERIFIER: usize = 256;

fn verifier_ok(verifier: &str, challenge: &str, method: &str) -> bool {
    let well_formed = (43..=MAX_VERIFIER).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let computed = match method {
        "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    well_formed && computed == challenge
}

fn token_response(
    s: &Shared,
    inner: &mut Inner,
    me: u32,
    scopes: Vec<String>,
    client_id: &str,
) -> Value {
    let access = s.issue_access(inner, me, scopes.clone());
    let mut m = Map::new();
    m.insert("token_type".into(), json!("bearer"));
    m.insert("expires_in".into(), json!(s.config.token_ttl_secs));
    m.insert("access_token".into(), json!(access));
    m.insert("scope".into(), json!(scopes.join(" ")));
    if scopes.iter().any(|x| x == "offline.access") {
        let refresh = new_token(&mut rand::thread_rng(), "rt");
        inner.refresh.insert(
            refresh.clone(),
            RefreshToken {
                user: me,
                scopes,
                client_id: client_id.to_string(),
            },
        );
        m.insert("refresh_token".into(), json!(refresh));
    }
    Value::Object(m)
}

/// `POST /2/oauth2/token`.
pub async fn token(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let form = all_form(&r);
    let client_id = match client_auth(&s, &r, &form) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let bad = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", d);
    match field(&form, "grant_type") {
        Some("authorization_code") => {
            let Some(code) = field(&form, "code") else {
                return bad("Missing required parameter [code].");
            };
            let mut inner = s.lock();
            let Some(c) = inner.codes.remove(code) else {
                return bad(BAD_CODE);
            };
            let valid = c.created.elapsed() <= Duration::from_secs(s.config.code_ttl_secs)
                && c.client_id == client_id
                && field(&form, "redirect_uri") == Some(c.redirect_uri.as_str())
                && verifier_ok(
                    field(&form, "code_verifier").unwrap_or(""),
                    &c.challenge,
                    &c.method,
                );
            if !valid {
                return bad(BAD_CODE);
            }
            let body = token_response(&s, &mut inner, s.world.me(), c.scopes, &client_id);
            problems::ok(&body)
        }
        Some("refresh_token") => {
            let Some(rt) = field(&form, "refresh_token") else {
                return bad("Missing required parameter [refresh_token].");
            };
            let mut inner = s.lock();
            match inner.refresh.remove(rt) {
                Some(t) if t.client_id == client_id => {
                    let body = token_response(&s, &mut inner, t.user, t.scopes, &client_id);
                    problems::ok(&body)
                }
                _ => bad(BAD_TOKEN),
            }
        }
        None => bad("Missing required parameter [grant_type]."),
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Value passed for the grant type was invalid.",
        ),
    }
}

/// `POST /2/oauth2/revoke`: `{"revoked":true}` (also for tokens already dead).
pub async fn revoke(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let form = all_form(&r);
    if let Err(resp) = client_auth(&s, &r, &form) {
        return resp;
    }
    let Some(token) = field(&form, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter [token].",
        );
    };
    let mut inner = s.lock();
    inner.tokens.remove(token);
    inner.refresh.remove(token);
    drop(inner);
    problems::ok(&json!({"revoked": true}))
}

/// `POST /oauth2/token` (`grant_type=client_credentials`, Basic consumer key:secret).
pub async fn app_token(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let ok_creds = basic_credentials(&r)
        .is_some_and(|(k, v)| k == s.config.consumer_key && v == s.config.consumer_secret);
    if !ok_creds {
        return problems::json_response(
            StatusCode::FORBIDDEN,
            problems::JSON,
            &json!({"errors":[{"code":99,"label":"authenticity_token_error","message":"Unable to verify your credentials"}]}),
        );
    }
    if field(&all_form(&r), "grant_type") != Some("client_credentials") {
        return problems::json_response(
            StatusCode::BAD_REQUEST,
            problems::JSON,
            &json!({"errors":[{"code":170,"label":"forbidden_missing_parameter","message":"Missing required parameter: grant_type"}]}),
        );
    }
    let mut rng = rand::thread_rng();
    let token = format!(
        "AAAAAAAAAAAAAAAAAAAAA{}%3D{}",
        rng.gen_range(100_000_000u64..999_999_999),
        random_alnum(&mut rng, 50)
    );
    s.lock().app_tokens.insert(token.clone());
    problems::ok(&json!({"token_type":"bearer","access_token":token}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_vector() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verifier_ok(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "S256"
        ));
        assert!(!verifier_ok(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN",
            "S256"
        ));
        assert!(verifier_ok(v, v, "plain"));
        assert!(!verifier_ok("short", "short", "plain"));
    }
}
