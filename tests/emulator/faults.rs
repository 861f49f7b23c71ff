//! Fault injection over HTTP: 5xx, dropped connections, truncated JSON, latency; bad specs.

use crate::emulator_support;
use emulator_support::{client, start};
use xblocks::emulator::{Config, Faults};

async fn with_faults(spec: &str) -> (xblocks::emulator::Emulator, String) {
    start(Config {
        users: 20,
        no_limits: true,
        faults: spec.parse().unwrap(),
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn server_errors_at_full_rate() {
    let (emu, token) = with_faults("5xx=1").await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..30 {
        let r = client()
            .get(format!("{}/2/users/me", emu.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status == 500 || status == 503);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], status);
        seen.insert(status);
    }
    assert_eq!(seen.len(), 2, "both 500 and 503 occur");
}

#[tokio::test]
async fn dropped_connections_give_no_response() {
    let (emu, token) = with_faults("reset=1").await;
    let err = client()
        .get(format!("{}/2/users/me", emu.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect_err("connection closed without a response");
    assert!(!err.is_status());
    assert_eq!(emu.request_log().last().unwrap().status, 0);
}

#[tokio::test]
async fn malformed_bodies_are_cut_json() {
    let (emu, token) = with_faults("malformed=1").await;
    let r = client()
        .get(format!(
            "{}/2/users/me?user.fields=description",
            emu.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"data\""));
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

#[tokio::test]
async fn delay_and_partial_rates_still_serve() {
    let (emu, token) = with_faults("5xx=0.3,delay-ms=20").await;
    let mut ok = 0;
    let started = std::time::Instant::now();
    for _ in 0..20 {
        let r = client()
            .get(format!("{}/2/users/me", emu.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            ok += 1;
        }
    }
    assert!(ok > 0 && ok < 20, "{ok} of 20 succeeded");
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    let auth = client()
        .get(format!("{}/i/oauth2/authorize", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(auth.status(), 400, "auth pages are not faulted");
}

#[test]
fn malformed_specs_are_clear_errors() {
    for (spec, needle) in [
        ("5xx=1.5", "between 0 and 1"),
        ("teapot=0.1", "unknown fault `teapot`"),
        ("delay-ms=soon", "whole milliseconds"),
        ("reset", "needs a value"),
    ] {
        let err = spec.parse::<Faults>().unwrap_err();
        assert!(err.contains(needle), "{spec}: {err}");
    }
}
