//! `xblocks export` through the binary against the in-process emulator: formats, files,
//! rate-limit waits, --no-wait, injected faults.

use crate::common;
use common::{http_get, run, Env};

fn export(env: &Env, args: &[&str]) -> common::Out {
    let mut c = env.cmd();
    c.arg("export").args(args);
    run(c)
}

/// Spends the blocking-list window of the stored token with direct requests.
fn exhaust_blocking_window(env: &Env) {
    let stored = env.stored();
    let token = stored["access_token"].as_str().unwrap().to_string();
    let (id, _) = env.emu().me();
    let url = format!("{}/2/users/{id}/blocking?max_results=1", env.base);
    for _ in 0..40 {
        let (status, _, _) = http_get(env, &url, Some(&token));
        if status == 429 {
            return;
        }
    }
    panic!("the blocking window never ran out");
}

#[test]
fn export_ids_is_the_exact_list_in_order() {
    let env = Env::enterprise(2500);
    env.login();
    let out = export(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    assert_eq!(ids, env.emu().blocked_ids());
    assert!(
        out.stderr.contains("exported 2500 blocked accounts"),
        "{}",
        out.stderr
    );
    // Three pages of 1000.
    let pages = env
        .emu()
        .request_log()
        .iter()
        .filter(|r| r.path.ends_with("/blocking"))
        .count();
    assert_eq!(pages, 3);
}

#[test]
fn export_csv_has_the_header_and_quotes_fields() {
    let env = Env::start(300, |c| c.hostile = true);
    env.login();
    let out = export(&env, &["--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with(
        "id,username,name,created_at,followers,following,tweets,verified,protected,description,first_seen,note,tags,kept\n"
    ));
    let mut r = csv::Reader::from_reader(out.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 300);
    let ids: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids, env.emu().blocked_ids());
    for row in &rows {
        assert_eq!(row.len(), 14);
        assert!(row[3].ends_with('Z'), "created_at {}", &row[3]);
        assert!(row[4].parse::<u64>().is_ok());
        assert!(row[10].ends_with('Z'), "first_seen {}", &row[10]);
    }
}

#[test]
fn export_json_to_file_is_atomic_and_complete() {
    let env = Env::enterprise(1200);
    env.login();
    let file = env.config_dir().join("out/blocks.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "old").unwrap();
    let out = export(&env, &["--format", "json", "-o", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let v: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let ids: Vec<String> = v
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, env.emu().blocked_ids());
    assert!(v[0]["public_metrics"]["followers_count"].is_u64());
    assert!(v[0]["username"].is_string());
    // Nothing else left in the dir (no temp file).
    assert_eq!(
        std::fs::read_dir(file.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn export_failure_leaves_the_old_file() {
    let env = Env::enterprise(10);
    env.login();
    env.emu().revoke_all_tokens();
    let file = env.config_dir().join("blocks.txt");
    std::fs::write(&file, "old").unwrap();
    let out = export(&env, &["-o", file.to_str().unwrap()]);
    assert_eq!(out.code, 77);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old");
}

#[test]
fn rate_limit_429_is_waited_out_and_the_export_completes_in_order() {
    let env = Env::start(1500, |c| c.window_secs = 6);
    env.login();
    exhaust_blocking_window(&env);
    let out = export(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("rate limit on GET /2/users/:id/blocking: waiting until"),
        "{}",
        out.stderr
    );
    let ids: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    assert_eq!(ids, env.emu().blocked_ids());
}

#[test]
fn spent_budget_is_waited_for_before_sending() {
    // 17 pages at 15 per 30 s window: the client must wait once for the window, not hit 429 (the
    // window is long enough that 15 pages fit in it on a machine shared by several builds).
    let env = Env::start(16_500, |c| c.window_secs = 30);
    env.login();
    let out = export(&env, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 16_500);
    assert!(out.stderr.contains("waiting until"), "{}", out.stderr);
    let log = env.emu().request_log();
    let refused = log.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0, "a request known to be refused was sent");
    let ids: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    assert_eq!(ids, env.emu().blocked_ids());
}

#[test]
fn no_wait_exits_3_when_rate_limited() {
    let env = Env::start(50, |c| c.window_secs = 60);
    env.login();
    exhaust_blocking_window(&env);
    let out = export(&env, &["--no-wait"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("rate limited until"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn faults_still_give_the_exact_list() {
    let env = Env::start(20_000, |c| {
        c.faults = "5xx=0.2,reset=0.1,malformed=0.1,delay-ms=5"
            .parse()
            .unwrap();
        c.no_limits = true;
    });
    env.login();
    let out = export(&env, &["--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut r = csv::Reader::from_reader(out.stdout.as_bytes());
    let ids: Vec<String> = r.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(ids, env.emu().blocked_ids());
    // Faults really happened and were retried.
    let log: Vec<_> = env
        .emu()
        .request_log()
        .into_iter()
        .filter(|r| r.path.ends_with("/blocking"))
        .collect();
    assert!(
        log.len() > 20 || log.iter().any(|r| r.status >= 500),
        "no fault was injected: {} requests",
        log.len()
    );
}

#[test]
fn export_against_the_standalone_emulator_binary_with_faults() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut emu = std::process::Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args([
            "emulator",
            "--users",
            "3000",
            "--token",
            "standalone-test-token-1",
            "--faults",
            "5xx=0.2,reset=0.1,malformed=0.1",
            "--no-limits",
        ])
        .env("XBLOCKS_CONFIG_DIR", dir.path().join("emu"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(emu.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("listening on ")
        .expect("first line names the address")
        .trim()
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"));
    std::thread::spawn(move || for _ in lines {});
    let run_export = |extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_xblocks"));
        c.env_remove("XBLOCKS_PROFILE")
            .env("XBLOCKS_API_BASE", &base)
            .env("XBLOCKS_CONFIG_DIR", dir.path().join("cli"))
            .env("XBLOCKS_ACCESS_TOKEN", "standalone-test-token-1")
            .arg("export")
            .args(extra);
        run(c)
    };
    let a = run_export(&[]);
    let b = run_export(&["--format", "ids"]);
    let _ = emu.kill();
    let _ = emu.wait();
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout.lines().count(), 3000);
    assert_eq!(
        a.stdout, b.stdout,
        "two faulty runs give the same exact list"
    );
    assert!(!a.stderr.contains("standalone-test-token-1"));
}

#[test]
fn hostile_text_survives_csv_exactly() {
    let env = Env::start(400, |c| c.hostile = true);
    env.login();
    let json = export(&env, &["--format", "json"]);
    let csv_out = export(&env, &["--format", "csv"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(csv_out.code, 0, "{}", csv_out.stderr);
    let users: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    let mut r = csv::Reader::from_reader(csv_out.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(users.len(), rows.len());
    let mut odd = 0;
    for (u, row) in users.iter().zip(&rows) {
        assert_eq!(u["id"].as_str().unwrap(), &row[0]);
        assert_eq!(u["name"].as_str().unwrap(), &row[2]);
        assert_eq!(u["description"].as_str().unwrap_or(""), &row[9]);
        if row[2].contains(|c: char| c == ',' || c == '"' || c.is_control() || !c.is_ascii()) {
            odd += 1;
        }
    }
    assert!(odd > 0, "the hostile world has no tricky names");
}

#[test]
fn rate_limited_file_export_resumes_where_it_stopped() {
    // 18 pages at 15 per 30 s window (wide, for a loaded machine): --no-wait stops after 15
    // pages, keeping them.
    let env = Env::start(17_500, |c| c.window_secs = 30);
    env.login();
    let file = env.config_dir().join("blocks.csv");
    let out = export(
        &env,
        &["--no-wait", "--format", "csv", "-o", file.to_str().unwrap()],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("15000 accounts saved"),
        "{}",
        out.stderr
    );
    assert!(!file.exists(), "the target appears only when complete");
    // After the window, the same command continues (waiting if it must) and completes.
    let out = export(&env, &["--format", "csv", "-o", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("resuming the export"), "{}", out.stderr);
    let mut r = csv::Reader::from_path(&file).unwrap();
    let ids: Vec<String> = r.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(ids, env.emu().blocked_ids());
    let pages = env
        .emu()
        .request_log()
        .iter()
        .filter(|r| r.path.ends_with("/blocking") && r.status == 200)
        .count();
    assert_eq!(pages, 18, "resumed instead of starting over");
    // No partial files are left.
    assert_eq!(
        std::fs::read_dir(env.config_dir())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("partial"))
            .count(),
        0
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_wait_exits_130_and_keeps_the_progress() {
    use std::io::BufRead;
    let env = Env::start(16_200, |c| c.window_secs = 120);
    env.login();
    let file = env.config_dir().join("blocks.txt");
    let mut c = env.cmd();
    c.args(["export", "-o", file.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let waiting = line.contains("waiting until");
        seen.push(line);
        if waiting {
            break;
        }
    }
    assert!(seen.last().unwrap().contains("waiting until"), "{seen:?}");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("15000 accounts saved")),
        "{rest:?}"
    );
    assert!(!file.exists());
    assert!(env
        .config_dir()
        .join(".blocks.txt.xblocks-partial.jsonl")
        .exists());
}

#[test]
fn json_export_is_the_api_objects_verbatim() {
    let env = Env::enterprise(40);
    env.login();
    let out = export(&env, &["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let exported: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // The same page straight from the API, with the same fields asked for.
    let stored = env.stored();
    let (id, _) = env.emu().me();
    let url = format!(
        "{}/2/users/{id}/blocking?max_results=1000&user.fields={}",
        env.base,
        xblocks::api::client::USER_FIELDS
    );
    let (status, _, body) = http_get(&env, &url, stored["access_token"].as_str());
    assert_eq!(status, 200);
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(exported, api["data"]);
    // Byte for byte, key order included.
    assert_eq!(
        serde_json::to_string(&exported).unwrap(),
        serde_json::to_string(&api["data"]).unwrap()
    );
    assert!(exported[0]["public_metrics"].get("like_count").is_some());
}
