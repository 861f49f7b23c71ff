//! OAuth 1.0a three-legged PIN flow: request_token, authorize (PIN page), access_token.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::json;

use super::ApiReq;
use crate::emulator::auth::{verify_oauth1, TokenTable};
use crate::emulator::oauth1::enc;
use crate::emulator::oauth2::redirect;
use crate::emulator::problems;
use crate::emulator::state::{random_alnum, RequestToken, Shared};

fn form_text(body: String) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    r
}

fn not_authenticated() -> Response {
    problems::json_response(
        StatusCode::UNAUTHORIZED,
        problems::JSON,
        &json!({"errors":[{"code":32,"message":"Could not authenticate you."}]}),
    )
}

fn oauth_param<'a>(oauth: &'a [(String, String)], r: &'a ApiReq, name: &str) -> Option<String> {
    oauth
        .iter()
        .chain(r.query.iter())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .or_else(|| {
            r.form()
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
        })
}

/// `POST /oauth/request_token`.
pub async fn request_token(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let mut inner = s.lock();
    let Some(oauth) = verify_oauth1(&s, &mut inner, &r, TokenTable::None) else {
        return not_authenticated();
    };
    let Some(callback) = oauth_param(&oauth, &r, "oauth_callback") else {
        return not_authenticated();
    };
    let mut rng = rand::thread_rng();
    let token = random_alnum(&mut rng, 27);
    let secret = random_alnum(&mut rng, 32);
    inner.request_tokens.insert(
        token.clone(),
        RequestToken {
            secret: secret.clone(),
            callback,
            verifier: None,
        },
    );
    form_text(format!(
        "oauth_token={token}&oauth_token_secret={secret}&oauth_callback_confirmed=true"
    ))
}

/// `GET /oauth/authorize?oauth_token=…`: approves at once; a PIN page for `oob`.
pub async fn authorize(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let token = r.q("oauth_token").unwrap_or("").to_string();
    let pin = rand::thread_rng()
        .gen_range(1_000_000u32..10_000_000)
        .to_string();
    let callback = {
        let mut inner = s.lock();
        let Some(rt) = inner.request_tokens.get_mut(&token) else {
            let mut resp = (
                StatusCode::BAD_REQUEST,
                "<html><body><p>This page is no longer valid. The request token is invalid or has expired.</p></body></html>",
            )
                .into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            return resp;
        };
        rt.verifier = Some(pin.clone());
        rt.callback.clone()
    };
    if callback == "oob" {
        let (_, me) = (s.world.id(0), s.world.username(0));
        let body = format!(
            "<html><body>\n<p>You've granted access to xblocks-demo as @{me}.</p>\n<p>Enter this PIN to complete the authorization process.</p>\n<code>\nPIN: {pin}\n</code>\n</body></html>\n"
        );
        let mut resp = (StatusCode::OK, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    let sep = if callback.contains('?') { '&' } else { '?' };
    redirect(&format!(
        "{callback}{sep}oauth_token={}&oauth_verifier={pin}",
        enc(&token)
    ))
}

/// `POST /oauth/access_token`.
pub async fn access_token(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let mut inner = s.lock();
    let Some(oauth) = verify_oauth1(&s, &mut inner, &r, TokenTable::Request) else {
        return not_authenticated();
    };
    let token = oauth_param(&oauth, &r, "oauth_token").unwrap_or_default();
    let verifier = oauth_param(&oauth, &r, "oauth_verifier");
    let expected = inner
        .request_tokens
        .get(&token)
        .and_then(|t| t.verifier.clone());
    if expected.is_none() || verifier != expected {
        return not_authenticated();
    }
    inner.request_tokens.remove(&token);
    let me = s.world.me();
    let id = s.world.id(me);
    let mut rng = rand::thread_rng();
    let access = format!("{id}-{}", random_alnum(&mut rng, 40));
    let secret = random_alnum(&mut rng, 45);
    inner
        .oauth1_tokens
        .insert(access.clone(), (secret.clone(), me));
    form_text(format!(
        "oauth_token={access}&oauth_token_secret={secret}&user_id={id}&screen_name={}",
        s.world.username(me)
    ))
}

/// `POST /1.1/oauth/invalidate_token`: signed with the access token, which then dies.
pub async fn invalidate_token(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let r = ApiReq::read(req).await;
    let mut inner = s.lock();
    let Some(oauth) = verify_oauth1(&s, &mut inner, &r, TokenTable::Access) else {
        return not_authenticated();
    };
    let token = oauth_param(&oauth, &r, "oauth_token").unwrap_or_default();
    inner.oauth1_tokens.remove(&token);
    problems::ok(&json!({ "access_token": token }))
}
