//! Users and lists over HTTP: lookups, paging, writes.

use crate::emulator_support;
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

#[tokio::test]
async fn previous_token_returns_the_page_before() {
    let (emu, token) = start(cfg(30)).await;
    let (me, _) = emu.me();
    let p1 = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=10"),
        Some(&token),
    )
    .await;
    assert!(p1.json["meta"].get("previous_token").is_none());
    assert_eq!(p1.json["meta"]["result_count"], 10);
    let next = p1.json["meta"]["next_token"].as_str().unwrap();
    assert!(next.len() >= 16);
    assert!(next
        .bytes()
        .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
    let p2 = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=10&pagination_token={next}"),
        Some(&token),
    )
    .await;
    let prev = p2.json["meta"]["previous_token"].as_str().unwrap();
    let back = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=10&pagination_token={prev}"),
        Some(&token),
    )
    .await;
    assert_eq!(back.json["data"], p1.json["data"]);
    let p3 = get(
        &emu,
        &format!(
            "/2/users/{me}/blocking?max_results=10&pagination_token={}",
            p2.json["meta"]["next_token"].as_str().unwrap()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(p3.json["meta"]["result_count"], 10);
    assert!(p3.json["meta"].get("next_token").is_none());
}

#[tokio::test]
async fn empty_list_is_meta_only() {
    let (emu, token) = start(cfg(0)).await;
    let (me, _) = emu.me();
    let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({"meta":{"result_count":0}}));
}

#[tokio::test]
async fn default_page_is_100_and_muting_pages_too() {
    let (emu, token) = start(cfg(250)).await;
    let (me, _) = emu.me();
    let r = get(&emu, &format!("/2/users/{me}/blocking"), Some(&token)).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 100);
    let muted = emu.muted_ids();
    assert!(!muted.is_empty());
    assert_eq!(page_all(&emu, &token, "muting", 7).await, muted);
}

#[tokio::test]
async fn all_user_fields_and_pinned_expansion() {
    let (emu, token) = start(cfg(300)).await;
    let (me, _) = emu.me();
    let fields = xblocks::emulator::fields::USER_FIELDS.join(",");
    let r = get(
        &emu,
        &format!(
            "/2/users/{me}/blocking?max_results=300&user.fields={fields}&expansions=pinned_tweet_id&tweet.fields=created_at,public_metrics,lang,author_id"
        ),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let users = r.json["data"].as_array().unwrap();
    assert_eq!(users.len(), 300);
    for u in users {
        let created = u["created_at"].as_str().unwrap();
        assert!(
            created.ends_with(".000Z") && created.len() == 24,
            "{created}"
        );
        let m = &u["public_metrics"];
        for k in [
            "followers_count",
            "following_count",
            "tweet_count",
            "listed_count",
        ] {
            assert!(m[k].is_u64(), "{k}");
        }
        assert!(u["verified"].is_boolean() && u["protected"].is_boolean());
        assert!(["none", "blue", "business", "government"]
            .contains(&u["verified_type"].as_str().unwrap()));
        assert!(u["description"].is_string() && u["url"].is_string());
        assert_eq!(u["connection_status"], json!(["blocking"]));
        assert!(u.get("confirmed_email").is_none());
        let name = u["username"].as_str().unwrap();
        assert!(name.len() <= 15 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    }
    let with_url = users
        .iter()
        .find(|u| u["url"] != "")
        .expect("some user has a profile link");
    let link = &with_url["entities"]["url"]["urls"][0];
    assert_eq!(link["url"], with_url["url"]);
    assert_eq!(link["start"], 0);
    assert!(link["expanded_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let tagged = users
        .iter()
        .find(|u| u["description"].as_str().unwrap().contains('#'))
        .expect("some bio has a hashtag");
    assert!(tagged["entities"]["description"]["hashtags"][0]["tag"].is_string());
    let pinned: Vec<&str> = users
        .iter()
        .filter_map(|u| u["pinned_tweet_id"].as_str())
        .collect();
    assert!(!pinned.is_empty());
    let tweets = r.json["includes"]["tweets"].as_array().unwrap();
    let errors = r.json["errors"].as_array().unwrap();
    for t in tweets {
        assert!(pinned.contains(&t["id"].as_str().unwrap()));
        assert_eq!(t["edit_history_tweet_ids"], json!([t["id"]]));
        assert!(t["created_at"].is_string() && t["lang"].is_string() && t["author_id"].is_string());
    }
    let deleted = errors
        .iter()
        .find(|e| e["title"] == "Not Found Error")
        .expect("some pinned post was deleted");
    let id = deleted["value"].as_str().unwrap();
    assert_eq!(
        deleted,
        &json!({"value":id,"detail":format!("Could not find tweet with pinned_tweet_id: [{id}]."),"title":"Not Found Error","resource_type":"tweet","parameter":"pinned_tweet_id","resource_id":id,"type":"https://api.twitter.com/2/problems/resource-not-found"})
    );
    assert_eq!(tweets.len() + errors.len(), pinned.len());
    let keys: Vec<&String> = r.json.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["data", "includes", "errors", "meta"]);
}

#[tokio::test]
async fn post_vocabulary_is_answered_in_kind() {
    let (emu, token) = start(cfg(200)).await;
    let (me, _) = emu.me();
    let r = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=200&user.fields=public_metrics,subscribes_to_you&expansions=pinned_post_id&post.fields=created_at,public_metrics,note_post"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let users = r.json["data"].as_array().unwrap();
    assert!(users
        .iter()
        .all(|u| u["public_metrics"]["post_count"].is_u64()));
    assert!(users.iter().any(|u| u["pinned_post_id"].is_string()));
    assert!(users.iter().all(|u| u.get("pinned_tweet_id").is_none()));
    let posts = r.json["includes"]["posts"].as_array().unwrap();
    assert!(posts.iter().all(|p| p["edit_history_post_ids"].is_array()));
    assert!(posts
        .iter()
        .all(|p| p["public_metrics"]["repost_count"].is_u64()));
    assert!(users.iter().all(|u| u["subscribes_to_you"] == false));
    let host = r.json["errors"][0]["type"].as_str().unwrap();
    assert!(host.starts_with("https://api.x.com/2/problems/"), "{host}");
    assert!(r.json["includes"].get("tweets").is_none());
}

#[tokio::test]
async fn lookups_by_id_and_username() {
    let (emu, token) = start(cfg(50)).await;
    let others = emu.unblocked_accounts(3);
    let (id, name) = &others[0];
    let r = get(&emu, &format!("/2/users/{id}"), Some(&token)).await;
    assert_eq!(r.json["data"]["username"], json!(name));
    let r = get(
        &emu,
        &format!("/2/users/by/username/{}", name.to_uppercase()),
        Some(&token),
    )
    .await;
    assert_eq!(r.json["data"]["id"], json!(id));
    let ids = format!("{},{},1", others[1].0, others[2].0);
    let r = get(&emu, &format!("/2/users?ids={ids}"), Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        r.json["errors"],
        json!([{"value":"1","detail":"Could not find user with ids: [1].","title":"Not Found Error","resource_type":"user","parameter":"ids","resource_id":"1","type":"https://api.twitter.com/2/problems/resource-not-found"}])
    );
    let r = get(&emu, "/2/users/by/username/nobody_here", Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json,
        json!({"errors":[{"value":"nobody_here","detail":"Could not find user with username: [nobody_here].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"nobody_here","type":"https://api.twitter.com/2/problems/resource-not-found"}]})
    );
    let r = get(&emu, "/2/users/1", Some(&token)).await;
    assert_eq!(
        r.json["errors"][0]["detail"],
        "Could not find user with id: [1]."
    );
    let names = format!("{},{}", others[0].1, "zz_nobody");
    let r = get(
        &emu,
        &format!("/2/users/by?usernames={names}"),
        Some(&token),
    )
    .await;
    assert_eq!(r.json["data"][0]["id"], json!(id));
    assert_eq!(r.json["errors"][0]["parameter"], "usernames");
}

#[tokio::test]
async fn block_and_unblock_are_idempotent_and_newest_first() {
    let (emu, token) = start(cfg(20)).await;
    let (me, _) = emu.me();
    let (target, _) = emu.unblocked_accounts(1).remove(0);
    let c = emulator_support::client();
    let url = format!("{}/2/users/{me}/blocking", emu.base_url());
    for _ in 0..2 {
        let r = c
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"target_user_id": target}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap(),
            json!({"data":{"blocking":true}})
        );
    }
    assert_eq!(emu.blocked_ids()[0], target);
    assert_eq!(emu.blocked_ids().len(), 21);
    let first = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=1"),
        Some(&token),
    )
    .await;
    assert_eq!(first.json["data"][0]["id"], json!(target));
    for _ in 0..2 {
        let r = c
            .delete(format!("{url}/{target}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap(),
            json!({"data":{"blocking":false}})
        );
    }
    assert_eq!(emu.blocked_ids().len(), 20);
    let r = c
        .delete(format!("{url}/{me}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "unblocking yourself is the capability probe"
    );
    assert_eq!(emu.blocked_ids().len(), 20);
    let r = c
        .post(format!("{}/2/users/{me}/muting", emu.base_url()))
        .bearer_auth(&token)
        .json(&json!({"target_user_id": target}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"data":{"muting":true}})
    );
    assert_eq!(emu.muted_ids()[0], target);
    let r = c
        .delete(format!("{}/2/users/{me}/muting/{target}", emu.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        json!({"data":{"muting":false}})
    );
    assert!(!emu.muted_ids().contains(&target));
}

#[tokio::test]
async fn world_is_deterministic() {
    let a = xblocks::emulator::start(cfg(40)).await.unwrap();
    let b = xblocks::emulator::start(cfg(40)).await.unwrap();
    let c = xblocks::emulator::start(Config { seed: 2, ..cfg(40) })
        .await
        .unwrap();
    assert_eq!(a.blocked_ids(), b.blocked_ids());
    assert_eq!(a.me(), b.me());
    assert_ne!(a.blocked_ids(), c.blocked_ids());
    let ta = a.issue_token(emulator_support::SCOPES);
    let tb = b.issue_token(emulator_support::SCOPES);
    let (me, _) = a.me();
    let path = format!("/2/users/{me}/blocking?max_results=40&user.fields=created_at,description,location,public_metrics");
    assert_eq!(
        get(&a, &path, Some(&ta)).await.json,
        get(&b, &path, Some(&tb)).await.json
    );
}

#[tokio::test]
async fn hostile_world_carries_escapes_and_controls() {
    let (emu, token) = start(Config {
        hostile: true,
        ..cfg(400)
    })
    .await;
    let (me, _) = emu.me();
    let r = get(
        &emu,
        &format!("/2/users/{me}/blocking?max_results=400&user.fields=description,location&expansions=pinned_tweet_id"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 200);
    let text: String = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{}|{}|{}",
                u["name"].as_str().unwrap(),
                u["description"].as_str().unwrap(),
                u["location"].as_str().unwrap_or("")
            )
        })
        .collect();
    for needle in [
        "\u{1b}[2J",
        "\u{1b}]52;",
        "\u{202e}",
        "\u{200d}",
        "東京",
        "\u{9b}",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    let long_bio = r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["description"].as_str().unwrap().chars().count() == 1000);
    assert!(long_bio);
    assert!(r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["name"] == ""));
}

#[tokio::test]
async fn xdk_gets_the_post_vocabulary_by_default() {
    let (emu, token) = start(cfg(5)).await;
    let r = emulator_support::client()
        .get(format!(
            "{}/2/users/by/username/nobody_here",
            emu.base_url()
        ))
        .bearer_auth(&token)
        .header("user-agent", "xdk-python/0.10.6")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["type"],
        "https://api.x.com/2/problems/resource-not-found"
    );
    let r = emulator_support::client()
        .get(format!(
            "{}/2/users/me?user.fields=public_metrics",
            emu.base_url()
        ))
        .bearer_auth(&token)
        .header("user-agent", "xdk-python/0.10.6")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["data"]["public_metrics"]["post_count"].is_u64());
    let plain = get(&emu, "/2/users/me?user.fields=public_metrics", Some(&token)).await;
    assert!(plain.json["data"]["public_metrics"]
        .get("post_count")
        .is_none());
}

#[tokio::test]
async fn connection_status_tells_follows_apart_from_blocks() {
    let (emu, token) = start(cfg(50)).await;
    let connected = emu.connected_accounts(30);
    let others: Vec<String> = emu
        .unblocked_accounts(60)
        .into_iter()
        .map(|(id, _)| id)
        .chain(connected.iter().map(|c| c.0.clone()))
        .collect();
    let blocked: Vec<String> = emu.blocked_ids().into_iter().take(10).collect();
    let ids = [others.clone(), blocked.clone()].concat().join(",");
    let r = get(
        &emu,
        &format!("/2/users?ids={ids}&user.fields=connection_status"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let status = |id: &str| -> Vec<String> {
        let u = r.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap();
        u["connection_status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let allowed = [
        "blocking",
        "follow_request_received",
        "follow_request_sent",
        "followed_by",
        "following",
        "muting",
    ];
    let mut following = 0;
    let mut followed_by = 0;
    for id in &others {
        let s = status(id);
        assert!(s.iter().all(|w| allowed.contains(&w.as_str())), "{s:?}");
        assert!(!s.contains(&"blocking".to_string()));
        following += s.contains(&"following".to_string()) as usize;
        followed_by += s.contains(&"followed_by".to_string()) as usize;
    }
    assert!(
        following > 0 && followed_by > 0 && following < others.len(),
        "{following} {followed_by}"
    );
    for (id, _, you_follow, follows_you) in &connected {
        let s = status(id);
        assert_eq!(s.contains(&"following".to_string()), *you_follow, "{s:?}");
        assert_eq!(
            s.contains(&"followed_by".to_string()),
            *follows_you,
            "{s:?}"
        );
    }
    // A block ends the follows for good: an unblock does not bring them back.
    let (id, ..) = &connected[0];
    let (me, _) = emu.me();
    let client = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", emu.base_url());
    let r = client
        .post(url(&format!("/2/users/{me}/blocking")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "target_user_id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .delete(url(&format!("/2/users/{me}/blocking/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = get(
        &emu,
        &format!("/2/users?ids={id}&user.fields=connection_status"),
        Some(&token),
    )
    .await;
    assert!(
        after.json["data"][0].get("connection_status").is_none()
            || after.json["data"][0]["connection_status"] == serde_json::json!([]),
        "{}",
        after.text
    );
    assert!(!emu.connected_accounts(30).iter().any(|c| &c.0 == id));
    for id in &blocked {
        let s = status(id);
        assert!(s.contains(&"blocking".to_string()));
        assert!(
            !s.iter().any(|w| w.starts_with("follow")),
            "a block drops follows: {s:?}"
        );
    }
}
