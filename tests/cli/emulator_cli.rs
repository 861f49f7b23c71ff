//! `xblocks emulator` through the binary: banner, paging with a pre-issued token, request
//! log lines with each request's cost, clean exit on SIGTERM; a bad `--faults` spec is a one-line error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn serves_pages_logs_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args([
            "emulator", "--token", "T0K3N", "--users", "1500", "--seed", "7",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let line = |what: &str| {
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no {what} line"))
    };
    let first = line("listening");
    let base = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"));
    let user = line("user");
    let id = user
        .rsplit_once('(')
        .and_then(|(_, r)| r.strip_suffix(')'))
        .expect(&user)
        .to_string();
    assert!(user.starts_with("user: @"));
    let mut banner = Vec::new();
    loop {
        let l = line("banner");
        let done = l == "token: T0K3N";
        banner.push(l);
        if done {
            break;
        }
    }
    assert!(banner.iter().any(|l| l.contains("xblocks-demo")));
    assert!(banner.iter().any(|l| l.contains("xblocks-demo-key")));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (count, pages) = rt.block_on(async {
        let c = reqwest::Client::new();
        let mut next: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        let mut pages = 0;
        loop {
            let mut url =
                format!("{base}/2/users/{id}/blocking?max_results=1000&user.fields=created_at");
            if let Some(t) = &next {
                url.push_str(&format!("&pagination_token={t}"));
            }
            let body: serde_json::Value = c
                .get(&url)
                .bearer_auth("T0K3N")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            pages += 1;
            for u in body["data"].as_array().unwrap() {
                assert!(seen.insert(u["id"].as_str().unwrap().to_string()));
            }
            match body["meta"]["next_token"].as_str() {
                Some(t) => next = Some(t.to_string()),
                None => break,
            }
        }
        (seen.len(), pages)
    });
    assert_eq!((count, pages), (1500, 2));
    // Each log line names what the request cost at pay-per-use prices ($0.001 per account).
    let log = line("request log");
    assert_eq!(
        log,
        format!("GET /2/users/{id}/blocking 200 user={id} cost=$1.000")
    );
    let log = line("request log");
    assert_eq!(
        log,
        format!("GET /2/users/{id}/blocking 200 user={id} cost=$0.500")
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = wait_with_timeout(&mut child, Duration::from_secs(30));
    assert_eq!(code, Some(0));
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn bad_fault_spec_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["emulator", "--faults", "5xx=lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--faults") && err.contains("between 0 and 1"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn stops_cleanly_on_sigint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["emulator", "--users", "10", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        wait_with_timeout(&mut child, Duration::from_secs(30)),
        Some(0)
    );
}

/// Starts `xblocks emulator ARGS` and returns it with its base URL; its stdout is drained.
fn spawn_emulator(args: &[&str]) -> (std::process::Child, String) {
    let mut emu = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .arg("emulator")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(emu.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("listening on ")
        .expect(&first)
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    (emu, base)
}

/// `xblocks --no-wait export --format ids` against `base` with a pre-issued token.
fn export_ids(base: &str, token: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .env_remove("XBLOCKS_PROFILE")
        .env("XBLOCKS_API_BASE", base)
        .env("XBLOCKS_CONFIG_DIR", dir.path())
        .env("XBLOCKS_ACCESS_TOKEN", token)
        .args(["--no-wait", "export", "--format", "ids"])
        .output()
        .unwrap()
}

/// With `--no-limits` a client that counts its budget down locally (xblocks does) never waits:
/// an export of 50,000 accounts completes (0.1 stopped at 16,000–27,000 when the headers said
/// `limit 15` with a reset that moved every second).
#[test]
fn no_limits_export_of_50000_completes() {
    let (mut emu, base) =
        spawn_emulator(&["--users", "50000", "--token", "nolim-tok-1", "--no-limits"]);
    let out = export_ids(&base, "nolim-tok-1");
    let _ = emu.kill();
    let _ = emu.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ids: std::collections::HashSet<&str> =
        std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(ids.len(), 50_000);
}

/// A 429 with the docs' `rate-limit-exceeded` problem type is a rate limit to xblocks, as one
/// with `about:blank` is: with `--no-wait` that is exit 3.
#[test]
fn rate_limit_exceeded_type_is_a_rate_limit_to_the_client() {
    let (mut emu, base) = spawn_emulator(&[
        "--users",
        "50",
        "--token",
        "rle-tok-1",
        "--answer",
        "blocking=rate-limit-exceeded",
    ]);
    let out = export_ids(&base, "rle-tok-1");
    let _ = emu.kill();
    let _ = emu.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
}

#[test]
fn bad_answer_spec_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["emulator", "--answer", "blocking=teapot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--answer") && err.contains("unknown answer `teapot`"),
        "{err}"
    );
}
