//! Emulator figures: startup time and memory with 1,000,000 blocked accounts, and the time to
//! serve a 1000-account page with every user field (targets: < 2 s, < 1 GB, < 5 ms).
//!
//! Run with `cargo bench --bench emulator`; prints figures, asserts nothing. Under `cargo test`
//! (no `--bench` argument) it runs a quick smoke pass on 20,000 accounts instead.

use std::time::{Duration, Instant};

use xblocks::emulator::{self, fields::USER_FIELDS, Config};

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

async fn time_page(c: &reqwest::Client, url: &str, token: &str, rounds: u32) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    let mut bytes = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let body = c
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let e = t.elapsed();
        best = best.min(e);
        total += e;
        bytes = body.len();
    }
    println!(
        "    best {:.2} ms, mean {:.2} ms, {} KiB",
        best.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / rounds as f64,
        bytes / 1024
    );
    (best, bytes)
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (users, rounds) = if full { (1_000_000, 30) } else { (20_000, 3) };
    let before = rss_mib();
    let t = Instant::now();
    let emu = emulator::start(Config {
        users,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let startup = t.elapsed();
    let after = rss_mib();
    println!(
        "startup with 1,000,000 blocked accounts: {:.3} s",
        startup.as_secs_f64()
    );
    println!(
        "resident memory: {:.1} MiB total ({:.1} MiB for the emulator)",
        after,
        after - before
    );

    let token = emu.issue_token(&["tweet.read", "users.read", "block.read"]);
    let (me, _) = emu.me();
    let c = reqwest::Client::new();
    let base = format!("{}/2/users/{me}/blocking?max_results=1000", emu.base_url());
    let all = format!("{base}&user.fields={}", USER_FIELDS.join(","));
    println!("1000-account page, default fields:");
    time_page(&c, &base, &token, rounds).await;
    println!("1000-account page, every user.fields:");
    time_page(&c, &all, &token, rounds).await;
    println!("1000-account page, every user.fields + pinned posts expanded:");
    let expanded =
        format!("{all}&expansions=pinned_tweet_id&tweet.fields=created_at,public_metrics,lang");
    time_page(&c, &expanded, &token, rounds).await;

    let t = Instant::now();
    let mut next: Option<String> = None;
    let mut pages = 0;
    let mut accounts = 0;
    loop {
        let url = match &next {
            Some(tok) => format!("{base}&pagination_token={tok}"),
            None => base.clone(),
        };
        let v: serde_json::Value = c
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        accounts += v["meta"]["result_count"].as_u64().unwrap_or(0);
        match v["meta"]["next_token"].as_str() {
            Some(tok) => next = Some(tok.to_string()),
            None => break,
        }
    }
    println!(
        "paged the whole list: {accounts} accounts in {pages} pages, {:.2} s",
        t.elapsed().as_secs_f64()
    );
    println!("resident memory after paging: {:.1} MiB", rss_mib());
    emu.shutdown().await;
}
