//! Helpers shared by the emulator tests: start an emulator, call it over HTTP.
#![allow(dead_code)]

use reqwest::header::HeaderMap;
use serde_json::Value;
use xblocks::emulator::{self, Config, Emulator};

/// Every scope the block/mute endpoints need.
pub const SCOPES: &[&str] = &[
    "tweet.read",
    "users.read",
    "block.read",
    "block.write",
    "mute.read",
    "mute.write",
    "offline.access",
];

/// An emulator with `users` blocked accounts and a token with [`SCOPES`].
pub async fn start(config: Config) -> (Emulator, String) {
    let emu = emulator::start(config).await.expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    (emu, token)
}

/// A client that never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A response: status, headers, body parsed as JSON (Null when not JSON).
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        json,
    }
}

/// GET `base + path` with a bearer token.
pub async fn get(emu: &Emulator, path: &str, token: Option<&str>) -> Resp {
    let mut req = client().get(format!("{}{}", emu.base_url(), path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    into_resp(req.send().await.unwrap()).await
}

/// Pages through a list endpoint; returns every id seen, in order.
pub async fn page_all(emu: &Emulator, token: &str, list: &str, max: usize) -> Vec<String> {
    let (me, _) = emu.me();
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("/2/users/{me}/{list}?max_results={max}");
        if let Some(t) = &next {
            path.push_str(&format!("&pagination_token={t}"));
        }
        let r = get(emu, &path, Some(token)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for u in r.json["data"].as_array().into_iter().flatten() {
            ids.push(u["id"].as_str().unwrap().to_string());
        }
        match r.json["meta"]["next_token"].as_str() {
            Some(t) => next = Some(t.to_string()),
            None => break,
        }
    }
    ids
}
