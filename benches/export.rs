//! Export figures against the in-process emulator: requests vs ceil(N/1000), client CPU per
//! 1,000 accounts parsed, wall time vs the time the rate limits force.
//!
//! `cargo bench --bench export` (N = 100,000, 2 s windows; `XBLOCKS_BENCH_USERS`,
//! `XBLOCKS_BENCH_WINDOW` override). Under `cargo test` it runs a small smoke version.
//!
//! Then, against one emulator with `--no-limits` and 50,000 accounts
//! (`XBLOCKS_BENCH_SDK_USERS`): `xblocks export --format ids` (the binary) side by side with X's
//! official Python SDK paginator (`users.get_blocking`, 1000 per page, the same user fields but
//! `pinned_tweet_id`, which its models cannot read;
//! `XBLOCKS_SDK_PYTHON` or `target/sdk-venv`, skipped with a message when missing), the ratio
//! (xblocks' whole run, process start and its new database included, against the SDK's paging
//! alone and against the SDK's whole run), the CPU each process used (steadier than wall time
//! on a shared machine), and the client's overhead per page against the emulator's own serving
//! time (a bare HTTP loop over the same pages, bodies read and dropped).

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
            credentials: Credentials::static_bearer(token.clone(), None).into(),
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
    rt.block_on(versus_sdk(full));
}

/// User + system CPU seconds of this process's children that have ended (Linux): each side's
/// own work, which a shared machine's load changes less than its wall time.
fn children_cpu() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(ru.ru_utime) + secs(ru.ru_stime)
}

/// xblocks' user fields without `pinned_tweet_id`: that tweet-vocabulary word makes X answer
/// without `public_metrics.post_count`, which the SDK's strict (post-vocabulary) models require.
fn sdk_fields() -> String {
    xblocks::api::client::USER_FIELDS
        .split(',')
        .filter(|f| *f != "pinned_tweet_id")
        .collect::<Vec<_>>()
        .join(",")
}

/// The Python interpreter of the SDK venv, if there is one.
fn sdk_python() -> Option<String> {
    if let Ok(p) = std::env::var("XBLOCKS_SDK_PYTHON") {
        return Some(p);
    }
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/target/sdk-venv/bin/python");
    std::path::Path::new(venv)
        .exists()
        .then(|| venv.to_string())
}

/// Seconds of a bare HTTP loop over every page (the emulator's serving time plus transfer).
async fn bare_loop(base: &str, token: &str, me: &str) -> (f64, usize) {
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!(
            "{base}/2/users/{me}/blocking?max_results=1000&user.fields={}",
            xblocks::api::client::USER_FIELDS
        );
        if let Some(n) = &next {
            url.push_str(&format!("&pagination_token={n}"));
        }
        let body = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        pages += 1;
        // The token sits in `meta`, the last member: find it without parsing the page.
        let tail = String::from_utf8_lossy(&body[body.len().saturating_sub(200)..]).to_string();
        next = tail
            .split("\"next_token\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        if next.is_none() {
            return (t.elapsed().as_secs_f64(), pages);
        }
    }
}

/// Seconds to read the whole list through the client, one page at a time, decoding each
/// account as xblocks' `User` (what `export` does per page).
async fn page_path(client: &Client, me: &str) -> f64 {
    let t = Instant::now();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .blocking_page_raw(me, token.as_deref())
            .await
            .unwrap();
        for v in &page.users {
            std::hint::black_box(v.decode().unwrap());
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    t.elapsed().as_secs_f64()
}

/// `xblocks export` vs the official Python SDK's paginator on one `--no-limits` emulator.
async fn versus_sdk(full: bool) {
    let users = env_or("XBLOCKS_BENCH_SDK_USERS", if full { 50_000 } else { 2_000 }) as usize;
    // Runs of each side; the best is reported (the machine is shared).
    let runs = if full { 3 } else { 1 };
    let emu = emulator::start(Config {
        users,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(xblocks::auth::DEFAULT_SCOPES);
    let (me, _) = emu.me();
    let base = emu.base_url();
    println!("\nvs the official Python SDK: {users} accounts, --no-limits");

    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!(
            "load average: {} (figures are the best of {runs} runs)",
            load.join(" ")
        );
    }
    let mut bare = f64::MAX;
    let mut pages = 0;
    for _ in 0..runs {
        let (t, p) = bare_loop(&base, &token, &me).await;
        bare = bare.min(t);
        pages = p;
    }
    let client = Client::new(ClientConfig {
        api_base: base.clone(),
        credentials: Credentials::static_bearer(token.clone(), None).into(),
        no_wait: true,
        expand_pinned: false,
    });
    let mut path = f64::MAX;
    for _ in 0..runs {
        path = path.min(page_path(&client, &me).await);
    }
    println!(
        "client page path in process (request, parse, each account decoded): {:.1} ms per page",
        path * 1000.0 / pages as f64
    );
    let (mut ours, mut ours_cpu) = (f64::MAX, f64::MAX);
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let (b, t, d) = (base.clone(), token.clone(), dir.path().to_path_buf());
        let (took, cpu, out) = tokio::task::spawn_blocking(move || {
            let (t0, cpu0) = (Instant::now(), children_cpu());
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_xblocks"))
                .env_remove("XBLOCKS_PROFILE")
                .env("XBLOCKS_API_BASE", &b)
                .env("XBLOCKS_CONFIG_DIR", &d)
                .env("XBLOCKS_ACCESS_TOKEN", &t)
                .args(["--no-wait", "export", "--format", "ids"])
                .output()
                .unwrap();
            (t0.elapsed().as_secs_f64(), children_cpu() - cpu0, out)
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), users);
        ours = ours.min(took);
        ours_cpu = ours_cpu.min(cpu);
    }
    println!(
        "xblocks export (binary, whole run): {ours:.2} s = {:.1} ms per page of 1000; CPU {ours_cpu:.2} s",
        ours * 1000.0 / pages as f64
    );
    println!(
        "emulator serving (bare HTTP loop, bodies dropped): {bare:.2} s = {:.1} ms per page",
        bare * 1000.0 / pages as f64
    );
    println!(
        "client overhead: {:.1} ms per page beyond the emulator's serving time (process start included)",
        (ours - bare) * 1000.0 / pages as f64
    );
    if !full {
        println!("SKIPPED the SDK side in the smoke run (cargo bench --bench export runs it)");
        emu.shutdown().await;
        return;
    }
    let Some(python) = sdk_python() else {
        println!(
            "SKIPPED the SDK side: no target/sdk-venv (run .ci/run) and XBLOCKS_SDK_PYTHON unset"
        );
        emu.shutdown().await;
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/sdk_paginator.py");
    let (mut sdk_wall, mut sdk_paging, mut sdk_cpu) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..runs {
        let (b, t, m, py) = (base.clone(), token.clone(), me.clone(), python.clone());
        let (wall, cpu, out) = tokio::task::spawn_blocking(move || {
            let (t0, cpu0) = (Instant::now(), children_cpu());
            let out = std::process::Command::new(py)
                .args([script, &b, &t, &m, &sdk_fields()])
                .output()
                .unwrap();
            (t0.elapsed().as_secs_f64(), children_cpu() - cpu0, out)
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut f = text.split_whitespace();
        let (n, paging): (usize, f64) = match (f.next(), f.next()) {
            (Some(n), Some(s)) if out.status.success() => (n.parse().unwrap(), s.parse().unwrap()),
            _ => {
                let err = String::from_utf8_lossy(&out.stderr);
                println!(
                    "SKIPPED the SDK side: {}",
                    err.lines().last().unwrap_or("failed")
                );
                emu.shutdown().await;
                return;
            }
        };
        assert_eq!(n, users, "the SDK paged a different count");
        sdk_wall = sdk_wall.min(wall);
        sdk_paging = sdk_paging.min(paging);
        sdk_cpu = sdk_cpu.min(cpu);
    }
    println!(
        "official Python SDK paginator: {sdk_paging:.2} s paging ({sdk_wall:.2} s with interpreter start) = {:.1} ms per page; CPU {sdk_cpu:.2} s",
        sdk_paging * 1000.0 / pages as f64
    );
    println!(
        "ratio: xblocks export (whole run, process start and database included) is {:.1}x faster than the SDK's paging alone, {:.1}x counting both processes' start; target >= 5x",
        sdk_paging / ours,
        sdk_wall / ours
    );
    println!(
        "CPU: xblocks export used {:.1}x less than the SDK (whole processes)",
        sdk_cpu / ours_cpu
    );
    emu.shutdown().await;
}
