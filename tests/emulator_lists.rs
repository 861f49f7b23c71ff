//! Users and lists over HTTP: lookups, paging, writes.

mod emulator_support;

use emulator_support::{get, page_all, start};
use serde_json::json;
use xblocks::emulator::Config;

fn cfg(users: usize) -> Config {
    Config {
        users,
        no_limits: true,
        ..Config::default()
    }
}

#[tokio::test]
async fn me_answers_with_default_fields() {
    let (emu, token) = start(cfg(10)).await;
    let (id, username) = emu.me();
    let r = get(&emu, "/2/users/me", Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let data = r.json["data"].as_object().unwrap();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        vec!["id", "name", "username"]
    );
    assert_eq!(data["id"], json!(id));
    assert_eq!(data["username"], json!(username));
}

#[tokio::test]
async fn blocking_pages_are_complete_newest_first() {
    let (emu, token) = start(cfg(2500)).await;
    let expected = emu.blocked_ids();
    assert_eq!(expected.len(), 2500);
    let seen = page_all(&emu, &token, "blocking", 1000).await;
    assert_eq!(seen, expected);
    let seen = page_all(&emu, &token, "blocking", 97).await;
    assert_eq!(seen, expected);
}
