//! Every refusal with X's status, body and headers: 400, 401, 403 (app-only, scope, plan,
//! other user), 404, 429 and recovery after the window resets.

use crate::emulator_support;
use base64::Engine;
use emulator_support::{client, get, into_resp, start, Resp};
use serde_json::{json, Value};
use xblocks::cli::Tier;
use xblocks::emulator::Config;

fn cfg(users: usize) -> Config {
    Config {
        users,
        ..Config::default()
    }
}

fn unauthorized() -> Value {
    json!({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})
}

fn forbidden() -> Value {
    json!({"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403})
}

fn assert_401(r: &Resp) {
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json, unauthorized());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(r.header("x-rate-limit-limit").is_none());
    assert!(r.header("x-rate-limit-remaining").is_none());
}

fn assert_rate_headers(r: &Resp, limit: u32) {
    assert_eq!(
        r.header("x-rate-limit-limit"),
        Some(limit.to_string().as_str())
    );
    assert!(r
        .header("x-rate-limit-remaining")
        .unwrap()
        .parse::<u32>()
        .is_ok());
    assert!(
        r.header("x-rate-limit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1_700_000_000
    );
}

fn invalid(errors: Value) -> Value {
    json!({"errors":errors,"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})
}

#[tokio::test]
async fn unauthorized_for_missing_bad_expired_and_revoked_tokens() {
    let (emu, token) = start(cfg(5)).await;
    assert_401(&get(&emu, "/2/users/me", None).await);
    assert_401(&get(&emu, "/2/users/me", Some("not-a-token")).await);
    assert_eq!(get(&emu, "/2/users/me", Some(&token)).await.status, 200);
    emu.expire_access_tokens();
    assert_401(&get(&emu, "/2/users/me", Some(&token)).await);
    let fresh = emu.issue_token(&["tweet.read", "users.read"]);
    assert_eq!(get(&emu, "/2/users/me", Some(&fresh)).await.status, 200);
    emu.revoke_all_tokens();
    assert_401(&get(&emu, "/2/users/me", Some(&fresh)).await);
}

#[tokio::test]
async fn pre_issued_tokens_expire_after_the_ttl() {
    let emu = xblocks::emulator::start(Config {
        tokens: vec!["T1".into()],
        token_ttl_secs: 3,
        ..cfg(5)
    })
    .await
    .unwrap();
    assert_eq!(get(&emu, "/2/users/me", Some("T1")).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_401(&get(&emu, "/2/users/me", Some("T1")).await);
}

async fn app_token(emu: &xblocks::emulator::Emulator, key: &str, secret: &str) -> Resp {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    let r = client()
        .post(format!("{}/oauth2/token", emu.base_url()))
        .header("authorization", format!("Basic {basic}"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=UTF-8",
        )
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    into_resp(r).await
}

#[tokio::test]
async fn app_only_bearer_is_refused_on_user_context_endpoints() {
    let (emu, _) = start(cfg(5)).await;
    let bad = app_token(&emu, "xblocks-demo-key", "wrong").await;
    assert_eq!(bad.status, 403);
    let r = app_token(&emu, "xblocks-demo-key", "xblocks-demo-secret").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["token_type"], "bearer");
    let app = r.json["access_token"].as_str().unwrap().to_string();
    let (me, name) = emu.me();
    let body = json!({"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403});
    for path in [
        "/2/users/me".to_string(),
        format!("/2/users/{me}/blocking"),
        format!("/2/users/{me}/muting"),
    ] {
        let r = get(&emu, &path, Some(&app)).await;
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(r.json, body);
    }
    let r = get(&emu, &format!("/2/users/by/username/{name}"), Some(&app)).await;
    assert_eq!(r.status, 200);
    assert_rate_headers(&r, 300);
}

#[tokio::test]
async fn missing_scope_and_other_user_are_forbidden() {
    let (emu, full) = start(cfg(5)).await;
    let (me, _) = emu.me();
    let read_only = emu.issue_token(&["tweet.read", "users.read"]);
    let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&read_only)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json, forbidden());
    assert_rate_headers(&r, 15);
    let r = client()
        .post(format!("{}/2/users/{me}/muting", emu.base_url()))
        .bearer_auth(emu.issue_token(&["tweet.read", "users.read", "mute.read"]))
        .json(&json!({"target_user_id":"12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(into_resp(r).await.json, forbidden());
    let other = &emu.unblocked_accounts(1)[0].0;
    let r = get(&emu, &format!("/2/users/{other}/blocking"), Some(&full)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json, forbidden());
    let r = client()
        .delete(format!("{}/2/users/{other}/blocking/{me}", emu.base_url()))
        .bearer_auth(&full)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn pay_per_use_refuses_block_writes_only() {
    let (emu, token) = start(Config {
        tier: Tier::PayPerUse,
        ..cfg(5)
    })
    .await;
    let (me, _) = emu.me();
    let target = emu.unblocked_accounts(1).remove(0).0;
    let c = client();
    let base = emu.base_url();
    let check = |r: Resp| {
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.json["title"], "Client Forbidden");
        assert_eq!(r.json["reason"], "client-not-enrolled");
        assert_eq!(
            r.json["type"],
            "https://api.twitter.com/2/problems/client-forbidden"
        );
        assert!(r.json.get("errors").is_none());
        assert_rate_headers(&r, 50);
    };
    let r = c
        .post(format!("{base}/2/users/{me}/blocking"))
        .bearer_auth(&token)
        .json(&json!({"target_user_id": target}))
        .send()
        .await
        .unwrap();
    check(into_resp(r).await);
    let r = c
        .delete(format!("{base}/2/users/{me}/blocking/{me}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    check(into_resp(r).await);
    assert_eq!(emu.blocked_ids().len(), 5);
    assert_eq!(
        get(&emu, &format!("/2/users/{me}/blocking"), Some(&token))
            .await
            .status,
        200
    );
    let r = c
        .post(format!("{base}/2/users/{me}/muting"))
        .bearer_auth(&token)
        .json(&json!({"target_user_id": target}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn enterprise_answers_the_capability_probe() {
    let (emu, token) = start(cfg(5)).await;
    let (me, _) = emu.me();
    let r = client()
        .delete(format!("{}/2/users/{me}/blocking/{me}", emu.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let r = into_resp(r).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({"data":{"blocking":false}}));
    assert_eq!(emu.blocked_ids().len(), 5);
}

#[tokio::test]
async fn bad_query_values_give_the_invalid_request_envelope() {
    let (emu, token) = start(cfg(5)).await;
    let (me, _) = emu.me();
    let t = Some(token.as_str());
    let r = get(&emu, &format!("/2/users/{me}/blocking?max_results=5000"), t).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_rate_headers(&r, 15);
    assert_eq!(
        r.json,
        invalid(
            json!([{"parameters":{"max_results":["5000"]},"message":"The `max_results` query parameter value [5000] is not between 1 and 1000"}])
        )
    );
    let r = get(&emu, &format!("/2/users/{me}/blocking?max_results=0"), t).await;
    assert_eq!(r.status, 400);
    let r = get(&emu, "/2/users/abc/blocking", t).await;
    assert_eq!(
        r.json,
        invalid(
            json!([{"parameters":{"id":["abc"]},"message":"The `id` query parameter value [abc] does not match ^[0-9]{1,19}$"}])
        )
    );
    let r = get(
        &emu,
        &format!("/2/users/{me}?user.fields=bogus,created_at,worse"),
        t,
    )
    .await;
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["parameters"], json!({"user.fields":["bogus"]}));
    assert!(errors[0]["message"].as_str().unwrap().starts_with(
        "The `user.fields` query parameter value [bogus] is not one of [affiliation,"
    ));
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .ends_with(",verified_type,withheld]"));
    let r = get(&emu, "/2/users/me?expansions=bogus", t).await;
    assert_eq!(r.status, 400);
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`expansions`"));
    let r = get(&emu, "/2/users/by/username/this_is_far_too_long", t).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["errors"][0]["message"],
        "The `username` query parameter value [this_is_far_too_long] does not match ^[A-Za-z0-9_]{1,15}$"
    );
    let r = get(&emu, "/2/users?ids=", t).await;
    assert_eq!(r.status, 400);
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let r = get(&emu, &format!("/2/users?ids={}", many.join(",")), t).await;
    assert_eq!(r.status, 400);
    let r = get(
        &emu,
        &format!("/2/users/{me}/blocking?pagination_token=notarealtoken0000000"),
        t,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["errors"][0]["parameters"],
        json!({"pagination_token":["notarealtoken0000000"]})
    );
    let r = get(&emu, "/2/users/me?bogus_param=1", t).await;
    assert_eq!(r.status, 400);
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("The query parameter [bogus_param] is not one of ["));
}

#[tokio::test]
async fn write_bodies_are_validated() {
    let (emu, token) = start(cfg(5)).await;
    let (me, _) = emu.me();
    let url = format!("{}/2/users/{me}/blocking", emu.base_url());
    let post = |body: &'static str| {
        client()
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        "not json",
        "{}",
        r#"{"target_user_id":"abc"}"#,
        r#"{"target_user_id":12}"#,
        r#"{"target_user_id":"12","extra":1}"#,
        "[]",
    ] {
        let r = into_resp(post(body).await.unwrap()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json["title"], "Invalid Request", "{body}");
        assert_eq!(
            r.json["type"],
            "https://api.twitter.com/2/problems/invalid-request"
        );
    }
    let r = into_resp(post(r#"{"target_user_id":"999"}"#).await.unwrap()).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["errors"][0]["parameter"], "target_user_id");
    assert_eq!(emu.blocked_ids().len(), 5);
}

#[tokio::test]
async fn unknown_route_is_404() {
    let (emu, token) = start(cfg(5)).await;
    let r = get(&emu, "/2/nothing/here", Some(&token)).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn rate_limit_429_and_recovery_after_reset() {
    let (emu, token) = start(Config {
        window_secs: 4,
        ..cfg(5)
    })
    .await;
    let (me, _) = emu.me();
    let path = format!("/2/users/{me}/blocking");
    let mut last = None;
    for i in 0..15u32 {
        let r = get(&emu, &path, Some(&token)).await;
        assert_eq!(r.status, 200, "request {i}");
        assert_rate_headers(&r, 15);
        let remaining: u32 = r.header("x-rate-limit-remaining").unwrap().parse().unwrap();
        if let Some(prev) = last {
            // The window may roll over on a slow machine; then it starts again at 14.
            assert!(
                remaining + 1 == prev || remaining == 14,
                "{prev} -> {remaining}"
            );
        }
        last = Some(remaining);
        if remaining == 0 {
            break;
        }
    }
    let mut got_429 = false;
    for _ in 0..20 {
        let r = get(&emu, &path, Some(&token)).await;
        if r.status == 429 {
            assert_eq!(
                r.json,
                json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})
            );
            assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
            assert_rate_headers(&r, 15);
            got_429 = true;
            let other = emu.issue_token(emulator_support::SCOPES);
            let fresh = get(&emu, &path, Some(&other)).await;
            assert_eq!(fresh.status, 200, "windows are per user token");
            assert_eq!(fresh.header("x-rate-limit-remaining"), Some("14"));
            let reset: u64 = r.header("x-rate-limit-reset").unwrap().parse().unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            tokio::time::sleep(std::time::Duration::from_secs(
                reset.saturating_sub(now) + 1,
            ))
            .await;
            break;
        }
    }
    assert!(got_429);
    let r = get(&emu, &path, Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-rate-limit-remaining"), Some("14"));
    let r = get(&emu, "/2/users/me", Some(&token)).await;
    assert_rate_headers(&r, 75);
}

#[tokio::test]
async fn no_limits_never_answers_429() {
    let (emu, token) = start(Config {
        no_limits: true,
        ..cfg(5)
    })
    .await;
    let (me, _) = emu.me();
    let mut resets = std::collections::HashSet::new();
    let mut last = u64::MAX;
    for _ in 0..20 {
        let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
        assert_eq!(r.status, 200);
        // Headers consistent with no limit: a budget a local countdown never spends, and a
        // reset that stays put within the window.
        let num = |h: &str| r.header(h).unwrap().parse::<u64>().unwrap();
        assert!(num("x-rate-limit-limit") >= 1_000_000_000);
        let remaining = num("x-rate-limit-remaining");
        assert!(remaining >= 999_999_000 && remaining < last);
        last = remaining;
        resets.insert(num("x-rate-limit-reset"));
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    }
    assert_eq!(resets.len(), 1, "the reset does not move: {resets:?}");
}

#[tokio::test]
async fn api_answers_carry_transaction_id_and_api_version() {
    let (emu, token) = start(cfg(5)).await;
    let ok = get(&emu, "/2/users/me", Some(&token)).await;
    let denied = get(&emu, "/2/users/me", None).await;
    for r in [&ok, &denied] {
        let tx = r.header("x-transaction-id").expect("x-transaction-id");
        assert!(
            tx.len() == 16 && tx.bytes().all(|b| b.is_ascii_hexdigit()),
            "{tx}"
        );
        assert_eq!(r.header("api-version"), Some("2.167"));
    }
    assert_ne!(
        ok.header("x-transaction-id"),
        denied.header("x-transaction-id")
    );
}

#[tokio::test]
async fn pagination_token_min_length_applies_to_blocking_only() {
    let (emu, token) = start(cfg(5)).await;
    let (me, _) = emu.me();
    let r = get(
        &emu,
        &format!("/2/users/{me}/blocking?pagination_token=short"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["errors"][0]["message"],
        "The `pagination_token` query parameter value [short] does not meet the minimum length of 16"
    );
    let r = get(
        &emu,
        &format!("/2/users/{me}/muting?pagination_token=short"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json["errors"][0]["message"],
        "The `pagination_token` query parameter value [short] is not a valid pagination token"
    );
    // No max_results: X declares no default on /blocking; the emulator pages by 100.
    let (emu, token) = start(cfg(250)).await;
    let (me, _) = emu.me();
    let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(r.json["meta"]["result_count"], 100);
}

#[tokio::test]
async fn canned_answers_user_not_enrolled_and_rate_limit_exceeded() {
    use xblocks::emulator::Answer;
    let (emu, token) = start(Config {
        answers: vec![
            ("blocking", Answer::UserNotEnrolled),
            ("muting", Answer::RateLimitExceeded),
            ("unblock", Answer::Status(418)),
        ],
        ..cfg(5)
    })
    .await;
    let (me, _) = emu.me();
    let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json["reason"], "user-not-enrolled");
    assert_eq!(r.json["registration_url"], "https://console.x.com");
    assert_eq!(r.json["title"], "Client Forbidden");
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .starts_with("This request is billed to the authenticated user."));
    assert_rate_headers(&r, 15);
    let r = get(&emu, &format!("/2/users/{me}/muting"), Some(&token)).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json["type"],
        "https://api.x.com/2/problems/rate-limit-exceeded"
    );
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    let r = into_resp(
        client()
            .delete(format!("{}/2/users/{me}/blocking/{me}", emu.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 418);
    // Other endpoints serve as usual.
    assert_eq!(get(&emu, "/2/users/me", Some(&token)).await.status, 200);
}
