//! Money and waits through the binary against the in-process emulator: X's 402 mid-export
//! stops with exit 6 and the rerun after a top-up resumes exactly; a usage-cap 429 is not
//! waited out; Ctrl-C during a rate-limit wait exits 130 at once and sends nothing more, and the
//! resumed run keeps its numbering; imports read X's archive, profile URLs and stdin.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xblocks::emulator::{self, Config, Emulator};

use crate::common::{output, text, xblocks, SCOPES};

fn block_list_requests(emu: &Emulator) -> usize {
    emu.request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/blocking"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_402_mid_export_exits_6_and_the_rerun_after_a_top_up_resumes_exactly() {
    // $2.50: /users/me ($0.01) and three pages of 1000 ($1 each; the third is served whole and
    // takes the balance below zero), then X answers 402.
    let emu = emulator::start(Config {
        users: 5000,
        credits: Some(2.5),
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blocks.txt");
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "--live", "-o"]).arg(&out);
    let o = output(c).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(6), "{t}");
    assert!(t.contains("console.x.com"), "{t}");
    assert!(t.contains("3000 accounts saved"), "{t}");
    assert!(!out.exists(), "an incomplete export was written");
    let refused = emu.request_log().iter().filter(|r| r.status == 402).count();
    assert_eq!(refused, 1, "the 402 was retried: no request may follow it");

    emu.top_up(10.0);
    let pages_before = block_list_requests(&emu);
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "--live", "-o"]).arg(&out);
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        block_list_requests(&emu) - pages_before,
        2,
        "the rerun re-read pages it had: {}",
        text(&o)
    );
    let mut got: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut want = emu.blocked_ids();
    assert_eq!(got.len(), want.len(), "duplicates or gaps");
    got.sort();
    want.sort();
    assert_eq!(got, want);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_usage_cap_429_is_not_waited_out() {
    let emu = emulator::start(Config {
        users: 3000,
        usage_cap: Some(1500),
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "--live"]).stdout(Stdio::null());
    let o = output(c).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(6), "{t}");
    assert!(t.contains("usage cap"), "{t}");
    assert!(!t.contains("rate limit on"), "waited for a window: {t}");
    assert!(started.elapsed() < Duration::from_secs(20), "{t}");
    let capped = emu.request_log().iter().filter(|r| r.status == 429).count();
    assert_eq!(capped, 1, "the usage cap was retried");
    emu.shutdown().await;
}

/// Spawns `c` with stderr piped; returns the child and a channel of its stderr lines.
fn spawn_lines(mut c: Command) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_in_a_rate_limit_wait_exits_130_at_once_and_the_rerun_keeps_its_numbering() {
    // 70 unblocks, 50 writes per 4 s window: the run waits after 50.
    let emu = emulator::start(Config {
        users: 200,
        window_secs: 4,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let targets: Vec<String> = emu.blocked_ids().into_iter().take(70).collect();
    let file = dir.path().join("unblock.txt");
    std::fs::write(&file, targets.join("\n")).unwrap();
    let writes = |emu: &Emulator| {
        emu.request_log()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count()
    };

    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"]).arg(&file);
    let (mut child, lines) = spawn_lines(c);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no wait announced:\n{}", seen.join("\n")));
        let waiting = line.contains("rate limit on") && line.contains("waiting until");
        seen.push(line);
        if waiting {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|l| l.contains("70 writes to send") && l.contains("ETA about")),
        "no ETA before the run:\n{}",
        seen.join("\n")
    );
    let sent = writes(&emu);
    let signalled = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "still waiting after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(130));
    assert!(took < Duration::from_secs(1), "exit took {took:?}");
    seen.extend(lines.try_iter());
    assert!(
        seen.iter().any(|l| l.contains("interrupted")),
        "{}",
        seen.join("\n")
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(writes(&emu), sent, "a write was sent after Ctrl-C");
    assert_eq!(sent, 50);

    // The rerun continues at 51 of 70 and finishes the list.
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"]).arg(&file);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("resuming after 50 of 70"), "{t}");
    assert!(
        t.contains("[51/70]") && t.contains("[70/70]"),
        "numbering restarted: {t}"
    );
    assert!(!t.contains("[1/20]"), "{t}");
    let still = emu.blocked_ids();
    assert!(targets.iter().all(|t| !still.contains(t)));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_read_the_x_archive_zip_profile_urls_and_stdin() {
    let emu = emulator::start(Config {
        users: 30,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let others = emu.unblocked_accounts(3);

    // The archive .zip with data/block.js.
    let zip_path = dir.path().join("twitter-archive.zip");
    {
        let f = std::fs::File::create(&zip_path).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("data/block.js", opts).unwrap();
        let items: Vec<String> = others
            .iter()
            .map(|(id, _)| {
                format!(
                    "{{ \"blocking\" : {{ \"accountId\" : \"{id}\", \"userLink\" : \"https://twitter.com/intent/user?user_id={id}\" }} }}"
                )
            })
            .collect();
        write!(z, "window.YTD.block.part0 = [ {} ]", items.join(",\n")).unwrap();
        z.finish().unwrap();
    }
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--dry-run"]).arg(&zip_path);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("lookup at X: 3 accounts in 1 request"),
        "the archive's three accounts: {t}"
    );

    // Profile URLs and one unknown account, from stdin.
    let urls = format!(
        "https://x.com/{}\nhttps://mobile.twitter.com/{}/\nhttps://twitter.com/intent/user?user_id={}\nhttps://x.com/nobody_here_x\n",
        others[0].1, others[1].1, others[2].0
    );
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "-"]).stdin(Stdio::piped());
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(urls.as_bytes())
        .unwrap();
    let o = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(4), "one not found: {t}");
    assert!(t.contains("to block: 3"), "{t}");
    assert!(t.contains("not found: 1 (@nobody_here_x)"), "{t}");
    emu.shutdown().await;
}

fn block_requests_since(emu: &Emulator, from: usize) -> Vec<xblocks::emulator::RequestRecord> {
    emu.request_log()
        .into_iter()
        .skip(from)
        .filter(|r| r.method == "GET" && r.path.ends_with("/blocking"))
        .collect()
}

/// Blocks `n` accounts through the API, as another client would ("made elsewhere").
async fn block_elsewhere(emu: &Emulator, token: &str, n: usize) -> Vec<String> {
    let c = xblocks::api::Client::new(xblocks::api::ClientConfig {
        api_base: emu.base_url(),
        credentials: xblocks::auth::Credentials::static_bearer(token.to_string(), None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    let (me, _) = emu.me();
    let mut ids = Vec::new();
    for (id, _) in emu.unblocked_accounts(n) {
        c.block(&me, &id).await.unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn a_top_up_after_k_new_blocks_sends_at_most_two_requests_and_full_records_who_is_gone() {
    let emu = emulator::start(Config {
        users: 3000,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();

    // The first sync has nothing to build on: it reads every page, after its plan.
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["sync", "--dry-run"]);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("plan: full sync (no complete sync yet)"), "{t}");
    assert!(t.contains("dry run: nothing was sent"), "{t}");
    assert!(
        block_requests_since(&emu, 0).is_empty(),
        "the dry run sent requests"
    );
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("sync");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));

    let k = 7;
    let added = block_elsewhere(&emu, &token, k).await;
    let from = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["sync", "--json"]);
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["kind"], "top-up");
    assert_eq!(doc["result"]["new"], k as u64);
    let reads = block_requests_since(&emu, from);
    assert!(
        reads.len() <= 2,
        "a top-up sent {} block-list requests",
        reads.len()
    );
    assert!(doc["result"]["accounts"].as_u64().unwrap() <= 200, "{doc}");

    // Unblocked elsewhere: only a full sync notices.
    let c2 = xblocks::api::Client::new(xblocks::api::ClientConfig {
        api_base: emu.base_url(),
        credentials: xblocks::auth::Credentials::static_bearer(token.clone(), None).into(),
        no_wait: false,
        expand_pinned: false,
    });
    c2.unblock(&emu.me().0, &added[0]).await.unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["sync", "--full"]);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("1 gone"), "{t}");
    // whoami shows the database and the money without sending a write.
    let writes_before = emu
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["whoami", "--json"]);
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    let who: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(who["accounts"], 3000 + k as u64 - 1);
    assert_eq!(who["last_sync"]["kind"], "full");
    assert!(who["spent_today_usd"].as_f64().unwrap() > 3.0, "{who}");
    let writes_after = emu
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(writes_before, writes_after, "whoami spent a write");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cap_stops_before_the_crossing_request() {
    let emu = emulator::start(Config {
        users: 2500,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    // $2.50: two pages of 1000 ($1 each at worst) fit, the third would cross.
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["sync", "--max-cost", "2.50"]);
    let o = output(c).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(6), "{t}");
    assert!(t.contains("$2.000 spent, $0.500 left"), "{t}");
    assert_eq!(block_requests_since(&emu, 0).len(), 2, "{t}");

    // [billing] daily_cap counts what was spent today before this command.
    std::fs::write(
        dir.path().join("config.toml"),
        "[billing]\ndaily_cap = 2.5\n",
    )
    .unwrap();
    let from = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "--live"]).stdout(Stdio::null());
    let o = output(c).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(6), "{t}");
    assert!(t.contains("daily_cap"), "{t}");
    assert!(block_requests_since(&emu, from).is_empty(), "{t}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn export_answers_from_a_fresh_database_and_cached_never_touches_the_network() {
    let emu = emulator::start(Config {
        users: 1500,
        no_limits: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("sync");
    assert!(output(c).await.status.success());
    let from = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("export");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1500);
    assert_eq!(
        emu.request_log().len(),
        from,
        "a fresh database was read again from X"
    );
    // Stale ([sync] max_age = 0): a top-up first, not a full read.
    std::fs::write(dir.path().join("config.toml"), "[sync]\nmax_age = 0\n").unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("export");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(block_requests_since(&emu, from).len() <= 2);
    let from = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "--cached"])
        .env("XBLOCKS_API_BASE", "http://127.0.0.1:9");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(emu.request_log().len(), from);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lookups_of_unknown_targets_show_their_cost_first_and_obey_the_daily_cap() {
    // Pay-per-use: a users lookup costs $0.010 a user.
    let emu = emulator::start(Config {
        users: 20,
        tier: xblocks::cli::Tier::PayPerUse,
        credits: Some(5.0),
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("sync");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    let others = emu.unblocked_accounts(3);
    let file = dir.path().join("list.txt");
    std::fs::write(
        &file,
        format!("@{}\n@{}\n{}\n", others[0].1, others[1].1, others[2].0),
    )
    .unwrap();
    let lookups = |emu: &Emulator| -> Vec<String> {
        emu.request_log()
            .iter()
            .filter(|r| r.path == "/2/users" || r.path == "/2/users/by")
            .map(|r| format!("{} {:?}", r.path, r.cost_micros))
            .collect()
    };
    let spent = |dir: &Path| {
        let mut c = xblocks(&emu, &token, dir);
        c.args(["whoami", "--json"]);
        let o = c.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["spent_today_usd"].as_f64().unwrap()
    };
    // A dry run names the lookup and its cost and sends nothing at all.
    let requests = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--dry-run"]).arg(&file);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("lookup at X: 3 accounts in 2 requests, at most $0.030 on pay-per-use ($0.010 a user looked up)"),
        "{t}"
    );
    assert_eq!(emu.request_log().len(), requests, "{t}");
    // A daily cap the lookup could cross ($0.015 left, $0.030 at worst): refused before any
    // request, nothing queued.
    let spent_before = spent(dir.path());
    assert!(
        (spent_before - 0.03).abs() < 1e-9,
        "the sync of 20 and whoami's read of the account: {spent_before}"
    );
    std::fs::write(
        dir.path().join("config.toml"),
        "[billing]\ndaily_cap = 0.045\n",
    )
    .unwrap();
    let requests = emu.request_log().len();
    for args in [
        vec!["import".to_string(), file.display().to_string()],
        vec![
            "block".to_string(),
            format!("@{}", others[0].1),
            format!("@{}", others[1].1),
            others[2].0.clone(),
        ],
    ] {
        let mut c = xblocks(&emu, &token, dir.path());
        c.args(&args);
        let o = output(c).await;
        let t = text(&o);
        assert_eq!(o.status.code(), Some(6), "{args:?}: {t}");
        assert!(t.contains("lookup at X: 3 accounts"), "{t}");
        assert!(
            t.contains("stopped before a request that could cost up to $0.030: [billing] daily_cap (UTC day) is $0.045, $0.030 spent, $0.015 left"),
            "{t}"
        );
        assert!(t.contains("nothing was sent or changed"), "{t}");
        assert_eq!(
            emu.request_log().len(),
            requests,
            "{args:?} sent a request: {t}"
        );
    }
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("queue");
    let o = output(c).await;
    assert!(
        !text(&o).contains("pending"),
        "nothing queued: {}",
        text(&o)
    );
    // Under the cap the lookup runs, and what X billed is counted for the day.
    std::fs::write(dir.path().join("config.toml"), "[billing]\ndaily_cap = 1\n").unwrap();
    let looked_up = lookups(&emu).len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["mute", &format!("@{}", others[0].1)]);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("lookup at X: 1 account in 1 request, at most $0.010"),
        "{t}"
    );
    assert_eq!(
        lookups(&emu)[looked_up..],
        ["/2/users/by Some(10000)".to_string()],
        "one lookup, billed $0.010"
    );
    let now = spent(dir.path());
    assert!(
        (now - spent_before - 0.01).abs() < 1e-9,
        "the lookup's $0.010 is counted: {now} after {spent_before}"
    );
    emu.shutdown().await;
}
