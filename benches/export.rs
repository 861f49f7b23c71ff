//! Export figures against the in-process emulator: requests vs ceil(N/1000), client CPU per
//! 1,000 accounts parsed, wall time vs the time the rate limits force.
//!
//! `cargo bench --bench export` (N = 100,000, 2 s windows; `XBLOCKS_BENCH_USERS`,
//! `XBLOCKS_BENCH_WINDOW` override). Under `cargo test` it runs a small smoke version.

use std::time::{Duration, Instant};

use futures::StreamExt;
use xblocks::api::pagination::{pages, ListKind};
use xblocks::api::types::ListResponse;
use xblocks::api::{Client, ClientConfig};
use xblocks::auth::Credentials;
use xblocks::emulator::{self, Config};

/// Requests per window of `GET /2/users/:id/blocking`.
const LIMIT: u64 = 15;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// User + system CPU seconds of this process (Linux), if readable.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / 100.0))
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let users = env_or("XBLOCKS_BENCH_USERS", if full { 100_000 } else { 3_000 }) as usize;
    let window = env_or("XBLOCKS_BENCH_WINDOW", if full { 2 } else { 1 });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let t_world = Instant::now();
        let emu = emulator::start(Config {
            users,
            window_secs: window,
            ..Config::default()
        })
        .await
        .unwrap();
        println!(
            "emulator: {users} blocked accounts, {window} s windows, world built in {:.2} s",
            t_world.elapsed().as_secs_f64()
        );
        let token = emu.issue_token(xblocks::auth::DEFAULT_SCOPES);
        let (me, _) = emu.me();
        let client = Client::new(ClientConfig {
            api_base: emu.base_url(),
            credentials: Credentials::static_bearer(token.clone(), None),
            no_wait: false,
            expand_pinned: false,
        });

        let cpu0 = process_cpu();
        let t0 = Instant::now();
        let mut stream = std::pin::pin!(pages(client.clone(), ListKind::Blocking, me.clone(), None));
        let mut n = 0usize;
        let mut first = None;
        let mut page_count = 0u64;
        while let Some(p) = stream.next().await {
            let p = p.expect("export page");
            if first.is_none() {
                first = p.page.users.first().map(|u| u.id.clone());
            }
            n += p.page.users.len();
            page_count += 1;
        }
        let wall = t0.elapsed();
        let cpu = process_cpu().zip(cpu0).map(|(a, b)| a - b);
        assert_eq!(n, users, "export incomplete");
        assert_eq!(first, emu.blocked_ids().first().cloned());

        let requests = emu
            .request_log()
            .iter()
            .filter(|r| r.path.ends_with("/blocking"))
            .count() as u64;
        let floor = (users as u64).div_ceil(1000);
        println!("requests: {requests} GET /blocking (ceil(N/1000) = {floor}, extra {})", requests - floor);
        println!("pages received: {page_count}");

        let windows = floor.div_ceil(LIMIT);
        let forced = Duration::from_secs(window * windows.saturating_sub(1));
        println!(
            "wall: {:.2} s; forced by rate limits: {:.2} s ({windows} windows of {LIMIT} requests); overhead {:.2} s = {:.2} s per window",
            wall.as_secs_f64(),
            forced.as_secs_f64(),
            wall.as_secs_f64() - forced.as_secs_f64(),
            (wall.as_secs_f64() - forced.as_secs_f64()) / windows as f64
        );
        if let Some(cpu) = cpu {
            println!(
                "process CPU (client + in-process emulator): {:.1} ms per 1,000 accounts",
                cpu.as_secs_f64() * 1000.0 / (users as f64 / 1000.0)
            );
        }

        // Client-only parse cost: one full page body, decoded repeatedly.
        let url = format!(
            "{}/2/users/{me}/blocking?max_results=1000&user.fields={}",
            emu.base_url(),
            xblocks::api::client::USER_FIELDS
        );
        let body = reqwest::Client::new()
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: ListResponse = serde_json::from_slice(&body).unwrap_or_default();
        let per_page = page.data.len().max(1);
        let reps = if full { 200 } else { 5 };
        let t = Instant::now();
        for _ in 0..reps {
            let r: ListResponse = serde_json::from_slice(&body).unwrap();
            std::hint::black_box(r);
        }
        let per_1000 = t.elapsed().as_secs_f64() * 1000.0 / reps as f64 * 1000.0 / per_page as f64;
        println!(
            "client parse CPU: {per_1000:.2} ms per 1,000 accounts ({} KiB per page of {per_page})",
            body.len() / 1024
        );
        emu.shutdown().await;
    });
}
