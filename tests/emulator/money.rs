//! Money in the emulator (CONTRACT §9, §10): `--credits` balance billed per resource returned
//! with per-UTC-day dedup, X's 402 in both shapes once it is gone, `GET /2/usage/credits`, the
//! usage-cap 429 while `x-rate-limit-remaining` is still > 0, and the cost in the request log.

use crate::emulator_support;
use emulator_support::{get, start};
use xblocks::emulator::{Config, CreditsBody};

fn cfg(users: usize) -> Config {
    Config {
        users,
        ..Config::default()
    }
}

#[tokio::test]
async fn credits_are_billed_per_account_deduped_and_402_when_gone() {
    let (emu, token) = start(Config {
        credits: Some(0.25),
        ..cfg(300)
    })
    .await;
    let (me, _) = emu.me();
    let balance = get(&emu, "/2/usage/credits", Some(&token)).await;
    assert_eq!(balance.status, 200, "{}", balance.text);
    assert_eq!(balance.json["data"]["total_balance"], 0.25);

    let page = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200"),
        Some(&token),
    )
    .await;
    assert_eq!(page.status, 200);
    assert_eq!(emu.spent_usd(), 0.2, "200 accounts at $0.001");
    // The same accounts again the same UTC day: billed once.
    let again = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200"),
        Some(&token),
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(emu.spent_usd(), 0.2);
    // One looked-up user: $0.010.
    let me_resp = get(&emu, "/2/users/me", Some(&token)).await;
    assert_eq!(me_resp.status, 200);
    assert!((emu.credits_left().unwrap() - 0.04).abs() < 1e-9);
    let log = emu.request_log();
    let costs: Vec<Option<u64>> = log.iter().map(|r| r.cost_micros).collect();
    assert_eq!(costs, [None, Some(200_000), Some(0), Some(10_000)]);

    // The next page (100 new accounts, $0.100) is served whole and takes the balance below 0.
    let next = page.json["meta"]["next_token"].as_str().unwrap();
    let more = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200&pagination_token={next}"),
        Some(&token),
    )
    .await;
    assert_eq!(more.status, 200);
    let credits = get(&emu, "/2/usage/credits", Some(&token)).await;
    assert_eq!(
        credits.json["data"]["total_balance"], 0.0,
        "max(0, prepaid + free)"
    );
    assert!(credits.json["data"]["prepaid_balance"].as_f64().unwrap() < 0.0);

    let refused = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(refused.status, 402);
    assert_eq!(
        refused.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let id = refused.text[14..33].to_string();
    assert!(id.bytes().all(|b| b.is_ascii_digit()) && id.parse::<u64>().unwrap() > 1 << 53);
    assert_eq!(
        refused.text,
        format!("{{\"account_id\":{id},\"title\":\"CreditsDepleted\",\"detail\":\"Your enrolled account [{id}] does not have any credits to fulfill this request.\",\"type\":\"https://api.twitter.com/2/problems/credits\"}}")
    );
    assert_eq!(
        get(&emu, "/2/users/me", Some(&token)).await.status,
        402,
        "every billed request"
    );
    assert_eq!(emu.request_log().last().unwrap().cost_micros, Some(0));
    // A top-up lets requests through again.
    emu.top_up(1.0);
    assert_eq!(get(&emu, "/2/users/me", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn variant_402_shape_and_no_balance_endpoint_without_credits() {
    let (emu, token) = start(Config {
        credits: Some(0.0),
        credits_body: CreditsBody::Variant,
        ..cfg(10)
    })
    .await;
    let r = get(&emu, "/2/users/me", Some(&token)).await;
    assert_eq!(r.status, 402);
    assert_eq!(
        r.text,
        r#"{"detail":"credits depleted","status":402,"title":"Payment Required","type":"https://api.x.com/2/problems/credits-depleted"}"#
    );
    assert!(r.header("x-rate-limit-remaining").is_some());

    let (plain, token) = start(cfg(10)).await;
    let r = get(&plain, "/2/usage/credits", Some(&token)).await;
    assert_eq!(
        (r.status, r.text.as_str()),
        (404, ""),
        "a bare 404, as X answered live"
    );
    let (me, _) = plain.me();
    let r = get(&plain, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(r.status, 200, "no --credits: never a 402");
}

#[tokio::test]
async fn usage_cap_429_arrives_with_remaining_left() {
    let (emu, token) = start(Config {
        usage_cap: Some(150),
        ..cfg(400)
    })
    .await;
    let (me, _) = emu.me();
    let first = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200"),
        Some(&token),
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(emu.billed_resources(), 200);
    let r = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("x-rate-limit-remaining"),
        Some("14"),
        "the cap is not the rate limit"
    );
    assert_eq!(r.json["title"], "UsageCapExceeded");
    assert_eq!(
        r.json["type"],
        "https://api.twitter.com/2/problems/usage-capped"
    );
    assert_eq!(r.json["product_name"], "standard-basic");
    assert_eq!(r.json["period"], "Monthly");
    assert_eq!(r.json["scope"], "Product");
    assert!(r.json["account_id"].as_str().unwrap().len() == 19);
    // Not billed endpoints still answer.
    assert_eq!(
        get(&emu, "/2/usage/credits", Some(&token)).await.status,
        404
    );
}
