//! OAuth over HTTP: PKCE success and each failure, refresh rotation, revoke, confidential
//! clients, and OAuth 1.0a (PIN flow, signatures, nonces, timestamps).

use crate::emulator_support;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use emulator_support::{client, into_resp, Resp};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use xblocks::emulator::{self, Config, Emulator};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const SCOPE: &str = "tweet.read users.read block.read offline.access";

fn challenge(v: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

async fn emu(config: Config) -> Emulator {
    emulator::start(Config { users: 5, ..config })
        .await
        .unwrap()
}

fn authorize_url(
    emu: &Emulator,
    client_id: &str,
    redirect: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut u = reqwest::Url::parse(&format!("{}/i/oauth2/authorize", emu.base_url())).unwrap();
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", SCOPE)
            .append_pair("state", "st4te")
            .append_pair("code_challenge", &challenge(VERIFIER))
            .append_pair("code_challenge_method", "S256");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string().replace('+', "%20")
}

/// GET authorize without following; returns (status, query of the Location).
async fn authorize(url: &str) -> (u16, HashMap<String, String>) {
    let r = client().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let q = loc
        .map(|l| {
            reqwest::Url::parse(&l)
                .unwrap()
                .query_pairs()
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    (status, q)
}

async fn code(emu: &Emulator) -> String {
    let (status, q) = authorize(&authorize_url(emu, "xblocks-demo", REDIRECT, &[])).await;
    assert_eq!(status, 302);
    assert_eq!(q["state"], "st4te");
    q["code"].clone()
}

async fn token_req(emu: &Emulator, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Resp {
    let mut req = client()
        .post(format!("{}/2/oauth2/token", emu.base_url()))
        .form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    into_resp(req.send().await.unwrap()).await
}

async fn exchange(
    emu: &Emulator,
    code: &str,
    verifier: &str,
    redirect: &str,
    client_id: &str,
) -> Resp {
    token_req(
        emu,
        &[
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("client_id", client_id),
        ],
        None,
    )
    .await
}

fn bad_code() -> Value {
    json!({"error":"invalid_request","error_description":"Value passed for the authorization code was invalid."})
}

fn bad_token() -> Value {
    json!({"error":"invalid_request","error_description":"Value passed for the token was invalid."})
}

async fn me_status(emu: &Emulator, token: &str) -> u16 {
    client()
        .get(format!("{}/2/users/me", emu.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn pkce_s256_success() {
    let emu = emu(Config::default()).await;
    let code = code(&emu).await;
    let r = exchange(&emu, &code, VERIFIER, REDIRECT, "xblocks-demo").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let keys: Vec<&String> = r.json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "token_type",
            "expires_in",
            "access_token",
            "scope",
            "refresh_token"
        ]
    );
    assert_eq!(r.json["token_type"], "bearer");
    assert_eq!(r.json["expires_in"], 7200);
    assert_eq!(r.json["scope"], SCOPE);
    assert_eq!(
        me_status(&emu, r.json["access_token"].as_str().unwrap()).await,
        200
    );
}

#[tokio::test]
async fn pkce_plain_success_and_no_refresh_without_offline_access() {
    let emu = emu(Config::default()).await;
    let url = authorize_url(&emu, "xblocks-demo", REDIRECT, &[])
        .replace(&challenge(VERIFIER), VERIFIER)
        .replace("S256", "plain")
        .replace("%20offline.access", "");
    let (status, q) = authorize(&url).await;
    assert_eq!(status, 302);
    let r = exchange(&emu, &q["code"], VERIFIER, REDIRECT, "xblocks-demo").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("refresh_token").is_none());
}

#[tokio::test]
async fn pkce_failures() {
    let emu = emu(Config::default()).await;
    let c = code(&emu).await;
    let wrong = "x".repeat(43);
    let r = exchange(&emu, &c, &wrong, REDIRECT, "xblocks-demo").await;
    assert_eq!((r.status, r.json), (400, bad_code()));

    let c = code(&emu).await;
    assert_eq!(
        exchange(&emu, &c, VERIFIER, REDIRECT, "xblocks-demo")
            .await
            .status,
        200
    );
    let r = exchange(&emu, &c, VERIFIER, REDIRECT, "xblocks-demo").await;
    assert_eq!((r.status, r.json), (400, bad_code()), "reused code");

    let c = code(&emu).await;
    let r = exchange(
        &emu,
        &c,
        VERIFIER,
        "http://127.0.0.1:9999/callback",
        "xblocks-demo",
    )
    .await;
    assert_eq!((r.status, r.json), (400, bad_code()), "wrong redirect_uri");

    let c = code(&emu).await;
    let r = exchange(&emu, &c, VERIFIER, REDIRECT, "someone-else").await;
    assert_eq!(r.status, 401, "unknown client");
    assert_eq!(r.json["error"], "unauthorized_client");

    let r = exchange(&emu, "made-up", VERIFIER, REDIRECT, "xblocks-demo").await;
    assert_eq!((r.status, r.json), (400, bad_code()));
}

#[tokio::test]
async fn expired_code_is_refused() {
    let emu = emu(Config {
        code_ttl_secs: 1,
        ..Config::default()
    })
    .await;
    let c = code(&emu).await;
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let r = exchange(&emu, &c, VERIFIER, REDIRECT, "xblocks-demo").await;
    assert_eq!((r.status, r.json), (400, bad_code()));
}

#[tokio::test]
async fn authorize_refusals() {
    let emu = emu(Config::default()).await;
    let (status, q) = authorize(&authorize_url(&emu, "nobody", REDIRECT, &[])).await;
    assert_eq!(status, 400, "unknown client: no redirect");
    assert!(q.is_empty());
    for bad in [
        "http://localhost:8765/callback",
        "http://127.0.0.1:8765/other",
        "https://evil.example/callback",
        "http://127.0.0.1/callback",
    ] {
        let (status, _) = authorize(&authorize_url(&emu, "xblocks-demo", bad, &[])).await;
        assert_eq!(status, 400, "{bad}");
    }
    let url = authorize_url(&emu, "xblocks-demo", REDIRECT, &[]).replace("state=st4te&", "");
    let (status, q) = authorize(&url).await;
    assert_eq!(status, 302);
    assert_eq!(q["error"], "invalid_request");
    let url =
        authorize_url(&emu, "xblocks-demo", REDIRECT, &[]).replace("block.read", "bogus.scope");
    let (_, q) = authorize(&url).await;
    assert_eq!(q["error"], "invalid_scope");
    assert_eq!(q["state"], "st4te");
    let url = authorize_url(&emu, "xblocks-demo", REDIRECT, &[]).replace("code_challenge=", "x=");
    let (_, q) = authorize(&url).await;
    assert_eq!(q["error"], "invalid_request");
}

#[tokio::test]
async fn a_registered_localhost_redirect_uri_works_and_unregistered_localhost_does_not() {
    // X's own CLI defaults to http://localhost:8080/callback (CONTRACT §10): when an app
    // registers it, X accepts it; the default any-port rule stays 127.0.0.1 only.
    let emu = emu(Config {
        redirect_uris: vec!["http://localhost:8080/callback".into()],
        ..Config::default()
    })
    .await;
    let (status, q) = authorize(&authorize_url(
        &emu,
        "xblocks-demo",
        "http://localhost:8080/callback",
        &[],
    ))
    .await;
    assert_eq!(status, 302);
    assert!(q.contains_key("code"));
    let plain = emu_default().await;
    let (status, _) = authorize(&authorize_url(
        &plain,
        "xblocks-demo",
        "http://localhost:8080/callback",
        &[],
    ))
    .await;
    assert_eq!(status, 400);
}

async fn emu_default() -> Emulator {
    emu(Config::default()).await
}

#[tokio::test]
async fn registered_redirect_uris_are_exact() {
    let emu = emu(Config {
        redirect_uris: vec!["http://127.0.0.1:7777/cb/".into()],
        ..Config::default()
    })
    .await;
    let (status, _) = authorize(&authorize_url(&emu, "xblocks-demo", REDIRECT, &[])).await;
    assert_eq!(status, 400);
    let (status, _) = authorize(&authorize_url(
        &emu,
        "xblocks-demo",
        "http://127.0.0.1:7777/cb",
        &[],
    ))
    .await;
    assert_eq!(status, 400, "trailing slash matters");
    let (status, q) = authorize(&authorize_url(
        &emu,
        "xblocks-demo",
        "http://127.0.0.1:7777/cb/",
        &[],
    ))
    .await;
    assert_eq!(status, 302);
    assert!(q.contains_key("code"));
}

#[tokio::test]
async fn refresh_rotates_and_old_refresh_token_dies() {
    let emu = emu(Config::default()).await;
    let c = code(&emu).await;
    let first = exchange(&emu, &c, VERIFIER, REDIRECT, "xblocks-demo")
        .await
        .json;
    let rt1 = first["refresh_token"].as_str().unwrap();
    emu.expire_access_tokens();
    assert_eq!(
        me_status(&emu, first["access_token"].as_str().unwrap()).await,
        401
    );
    let refresh = |rt: String| {
        let emu = &emu;
        async move {
            token_req(
                emu,
                &[
                    ("refresh_token", &rt),
                    ("grant_type", "refresh_token"),
                    ("client_id", "xblocks-demo"),
                ],
                None,
            )
            .await
        }
    };
    let second = refresh(rt1.to_string()).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.json["scope"], SCOPE, "refresh keeps the scopes");
    let rt2 = second.json["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt2, rt1);
    assert_eq!(
        me_status(&emu, second.json["access_token"].as_str().unwrap()).await,
        200
    );
    let again = refresh(rt1.to_string()).await;
    assert_eq!((again.status, again.json), (400, bad_token()));
    assert_eq!(refresh(rt2.clone()).await.status, 200);
    emu.revoke_all_tokens();
    let dead = refresh(rt2).await;
    assert_eq!((dead.status, dead.json), (400, bad_token()));
}

#[tokio::test]
async fn revoke_kills_access_and_refresh_tokens() {
    let emu = emu(Config::default()).await;
    let c = code(&emu).await;
    let t = exchange(&emu, &c, VERIFIER, REDIRECT, "xblocks-demo")
        .await
        .json;
    let access = t["access_token"].as_str().unwrap();
    let refresh = t["refresh_token"].as_str().unwrap();
    for (token, hint) in [(access, "access_token"), (refresh, "refresh_token")] {
        let r = client()
            .post(format!("{}/2/oauth2/revoke", emu.base_url()))
            .form(&[
                ("token", token),
                ("token_type_hint", hint),
                ("client_id", "xblocks-demo"),
            ])
            .send()
            .await
            .unwrap();
        let r = into_resp(r).await;
        assert_eq!((r.status, r.json), (200, json!({"revoked":true})));
    }
    assert_eq!(me_status(&emu, access).await, 401);
    let r = token_req(
        &emu,
        &[
            ("refresh_token", refresh),
            ("grant_type", "refresh_token"),
            ("client_id", "xblocks-demo"),
        ],
        None,
    )
    .await;
    assert_eq!((r.status, r.json), (400, bad_token()));
}

#[tokio::test]
async fn confidential_client_needs_basic_auth() {
    let emu = emu(Config {
        extra_client_id: Some("conf-app".into()),
        extra_client_secret: Some("s3cret".into()),
        ..Config::default()
    })
    .await;
    let (status, q) = authorize(&authorize_url(&emu, "conf-app", REDIRECT, &[])).await;
    assert_eq!(status, 302);
    let form = [
        ("code", q["code"].as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", "conf-app"),
    ];
    let r = token_req(&emu, &form, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json,
        json!({"error":"unauthorized_client","error_description":"Missing valid authorization header"})
    );
    let r = token_req(&emu, &form, Some(("conf-app", "wrong"))).await;
    assert_eq!(r.status, 401);
    let r = token_req(&emu, &form, Some(("conf-app", "s3cret"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// ---- OAuth 1.0a, with a signer written independently of the emulator's ----

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Signer<'a> {
    consumer_key: &'a str,
    consumer_secret: &'a str,
    token: Option<(&'a str, &'a str)>,
}

impl Signer<'_> {
    /// The Authorization header for `method url` with form parameters `form`.
    fn header(
        &self,
        method: &str,
        url: &str,
        form: &[(&str, &str)],
        extra: &[(&str, &str)],
        nonce: &str,
        ts: u64,
    ) -> String {
        let u = reqwest::Url::parse(url).unwrap();
        let base_url = format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap(),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ) + u.path();
        let ts = ts.to_string();
        let mut oauth: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), self.consumer_key.into()),
            ("oauth_nonce".into(), nonce.into()),
            ("oauth_signature_method".into(), "HMAC-SHA1".into()),
            ("oauth_timestamp".into(), ts),
            ("oauth_version".into(), "1.0".into()),
        ];
        if let Some((t, _)) = self.token {
            oauth.push(("oauth_token".into(), t.into()));
        }
        for (k, v) in extra {
            oauth.push((k.to_string(), v.to_string()));
        }
        let mut params: Vec<(String, String)> =
            oauth.iter().map(|(k, v)| (pct(k), pct(v))).collect();
        params.extend(u.query_pairs().map(|(k, v)| (pct(&k), pct(&v))));
        params.extend(form.iter().map(|(k, v)| (pct(k), pct(v))));
        params.sort();
        let joined: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let base = format!("{method}&{}&{}", pct(&base_url), pct(&joined.join("&")));
        let key = format!(
            "{}&{}",
            pct(self.consumer_secret),
            pct(self.token.map(|t| t.1).unwrap_or(""))
        );
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(base.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        oauth.push(("oauth_signature".into(), sig));
        let parts: Vec<String> = oauth
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", pct(k), pct(v)))
            .collect();
        format!("OAuth {}", parts.join(", "))
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn nonce() -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

fn form_pairs(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

async fn signed_get(emu: &Emulator, signer: &Signer<'_>, path: &str, nonce: &str, ts: u64) -> Resp {
    let url = format!("{}{path}", emu.base_url());
    let h = signer.header("GET", &url, &[], &[], nonce, ts);
    into_resp(
        client()
            .get(&url)
            .header("authorization", h)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn oauth1_pin_flow_then_signed_requests() {
    let emu = emu(Config::default()).await;
    let consumer = Signer {
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
        token: None,
    };
    let url = format!("{}/oauth/request_token", emu.base_url());
    let h = consumer.header(
        "POST",
        &url,
        &[],
        &[("oauth_callback", "oob")],
        &nonce(),
        now(),
    );
    let r = into_resp(
        client()
            .post(&url)
            .header("authorization", h)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rt = form_pairs(&r.text);
    assert_eq!(rt["oauth_callback_confirmed"], "true");
    let page = client()
        .get(format!(
            "{}/oauth/authorize?oauth_token={}",
            emu.base_url(),
            rt["oauth_token"]
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pin = page
        .lines()
        .find_map(|l| l.trim().strip_prefix("PIN: "))
        .expect("a PIN line")
        .to_string();
    assert!(pin.len() >= 6 && pin.bytes().all(|b| b.is_ascii_digit()));
    let with_rt = Signer {
        token: Some((&rt["oauth_token"], &rt["oauth_token_secret"])),
        ..consumer
    };
    let url = format!("{}/oauth/access_token", emu.base_url());
    let form = [("oauth_verifier", pin.as_str())];
    let h = with_rt.header("POST", &url, &form, &[], &nonce(), now());
    let r = into_resp(
        client()
            .post(&url)
            .header("authorization", h)
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let at = form_pairs(&r.text);
    let (me, name) = emu.me();
    assert_eq!(at["user_id"], me);
    assert_eq!(at["screen_name"], name);
    let user = Signer {
        token: Some((&at["oauth_token"], &at["oauth_token_secret"])),
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
    };
    let r = signed_get(
        &emu,
        &user,
        "/2/users/me?user.fields=created_at,description",
        &nonce(),
        now(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("x-access-level"), Some("read-write"));
    assert!(r.json["data"]["created_at"].is_string());
    let path = format!("/2/users/{me}/blocking?max_results=2&user.fields=created_at");
    let r = signed_get(&emu, &user, &path, &nonce(), now()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["meta"]["result_count"], 2);
    let target = emu.unblocked_accounts(1).remove(0).0;
    let url = format!("{}/2/users/{me}/blocking", emu.base_url());
    let h = user.header("POST", &url, &[], &[], &nonce(), now());
    let r = client()
        .post(&url)
        .header("authorization", h)
        .json(&json!({"target_user_id": target}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.blocked_ids()[0], target);
}

#[tokio::test]
async fn oauth1_bad_signature_replay_and_stale_timestamp_are_401() {
    let emu = emu(Config::default()).await;
    let (token, secret) = emu.issue_oauth1_token();
    let good = Signer {
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
        token: Some((&token, &secret)),
    };
    let path = "/2/users/me?user.fields=description%2Ccreated_at";
    let n = nonce();
    assert_eq!(signed_get(&emu, &good, path, &n, now()).await.status, 200);
    let replay = signed_get(&emu, &good, path, &n, now()).await;
    assert_eq!(replay.status, 401, "replayed nonce");
    assert_eq!(
        replay.json,
        json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})
    );
    assert!(replay.header("x-rate-limit-limit").is_none());
    assert_eq!(
        signed_get(&emu, &good, path, &nonce(), now() - 1000)
            .await
            .status,
        401,
        "old timestamp"
    );
    let wrong_secret = Signer {
        consumer_secret: "nope",
        ..Signer {
            token: Some((&token, &secret)),
            ..good
        }
    };
    assert_eq!(
        signed_get(&emu, &wrong_secret, path, &nonce(), now())
            .await
            .status,
        401
    );
    let wrong_token_secret = Signer {
        token: Some((&token, "nope")),
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
    };
    assert_eq!(
        signed_get(&emu, &wrong_token_secret, path, &nonce(), now())
            .await
            .status,
        401
    );
    // Signed for one query, sent with another: the query is part of the signature.
    let url = format!("{}{path}", emu.base_url());
    let h = good.header("GET", &url, &[], &[], &nonce(), now());
    let r = client()
        .get(format!("{url}&expansions=pinned_tweet_id"))
        .header("authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn oauth1_invalidate_token_kills_it() {
    let emu = emu(Config::default()).await;
    let (token, secret) = emu.issue_oauth1_token();
    let user = Signer {
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
        token: Some((&token, &secret)),
    };
    assert_eq!(
        signed_get(&emu, &user, "/2/users/me", &nonce(), now())
            .await
            .status,
        200
    );
    let url = format!("{}/1.1/oauth/invalidate_token", emu.base_url());
    let h = user.header("POST", &url, &[], &[], &nonce(), now());
    let r = into_resp(
        client()
            .post(&url)
            .header("authorization", h)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.json), (200, json!({ "access_token": token })));
    assert_eq!(
        signed_get(&emu, &user, "/2/users/me", &nonce(), now())
            .await
            .status,
        401
    );
}

// ---- Leniencies real X extends to widely used client libraries (CONTRACT §10; the README's
// table names the library behind each).

#[tokio::test]
async fn lenient_pkce_lowercase_s256_long_verifier_and_json_token_body() {
    let emu = emu(Config::default()).await;
    // @xdevplatform/xdk: a 171-character verifier; twitter-api-v2: `s256` in lower case.
    let verifier: String = "v".repeat(171);
    let url = authorize_url(&emu, "xblocks-demo", REDIRECT, &[])
        .replace(&challenge(VERIFIER), &challenge(&verifier))
        .replace("code_challenge_method=S256", "code_challenge_method=s256");
    let (status, q) = authorize(&url).await;
    assert_eq!(status, 302);
    assert!(q.contains_key("code"), "{q:?}");
    // twitter-api-v2: the token request as a JSON object.
    let r = into_resp(
        client()
            .post(format!("{}/2/oauth2/token", emu.base_url()))
            .json(
                &json!({"code": q["code"], "code_verifier": verifier, "redirect_uri": REDIRECT,
                          "grant_type": "authorization_code", "client_id": "xblocks-demo"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["access_token"].is_string());
    // Still strict where no library needs leniency: a wrong verifier fails.
    let (_, q) = authorize(&url).await;
    let r = exchange(&emu, &q["code"], &"w".repeat(171), REDIRECT, "xblocks-demo").await;
    assert_eq!((r.status, r.json), (400, bad_code()));
}

#[tokio::test]
async fn oauth1_signatures_over_x_own_url_and_repeated_oauth_token_are_accepted() {
    let emu = emu(Config::default()).await;
    let (token, secret) = emu.issue_oauth1_token();
    let signer = Signer {
        consumer_key: "xblocks-demo-key",
        consumer_secret: "xblocks-demo-secret",
        token: Some((&token, &secret)),
    };
    let send = |h: String| {
        let url = format!("{}/2/users/me", emu.base_url());
        async move {
            client()
                .get(url)
                .header("authorization", h)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Signed over https://api.x.com (twitter-api-v2 behind its agent; xdk's OAuth helpers).
    let h = signer.header(
        "GET",
        "https://api.x.com/2/users/me",
        &[],
        &[],
        &nonce(),
        now(),
    );
    assert_eq!(send(h).await, 200);
    // Any other host is still a bad signature.
    let h = signer.header(
        "GET",
        "https://example.com/2/users/me",
        &[],
        &[],
        &nonce(),
        now(),
    );
    assert_eq!(send(h).await, 401);

    // xdk's getAccessToken: oauth_token in the header and in the query, signed once.
    let consumer = Signer {
        token: None,
        ..signer
    };
    let url = format!("{}/oauth/request_token", emu.base_url());
    let h = consumer.header(
        "POST",
        &url,
        &[],
        &[("oauth_callback", "oob")],
        &nonce(),
        now(),
    );
    let r = into_resp(
        client()
            .post(&url)
            .header("authorization", h)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let rt = form_pairs(&r.text);
    let page = client()
        .get(format!(
            "{}/oauth/authorize?oauth_token={}",
            emu.base_url(),
            rt["oauth_token"]
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pin = page
        .lines()
        .find_map(|l| l.trim().strip_prefix("PIN: "))
        .unwrap()
        .to_string();
    let with_rt = Signer {
        token: Some((&rt["oauth_token"], &rt["oauth_token_secret"])),
        ..consumer
    };
    let url = format!("{}/oauth/access_token", emu.base_url());
    let h = with_rt.header(
        "POST",
        &url,
        &[("oauth_verifier", &pin)],
        &[],
        &nonce(),
        now(),
    );
    let r = into_resp(
        client()
            .post(format!(
                "{url}?oauth_token={}&oauth_verifier={pin}",
                rt["oauth_token"]
            ))
            .header("authorization", h)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(form_pairs(&r.text).contains_key("oauth_token_secret"));
}
