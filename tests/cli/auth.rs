//! Sign-in through the binary against the in-process emulator: login (loopback and pasted),
//! OAuth 1.0a, refresh, revocation, logout, whoami, env token, file modes, no token leaks.

use crate::common;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{assert_no_secret, http_get, run, Env};

/// Spawns a command with piped stdin/stderr; returns the child and a channel of stderr lines.
fn spawn(mut c: std::process::Command) -> (Child, mpsc::Receiver<String>) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits for a stderr line containing `needle` and returns the first URL on it.
fn url_line(rx: &mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the binary printed the sign-in URL");
        if line.contains(needle) {
            let start = line.find("http").unwrap();
            return line[start..].split_whitespace().next().unwrap().to_string();
        }
    }
}

fn wait(mut child: Child) -> i32 {
    for _ in 0..600 {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("the binary did not exit");
}

fn authorize(env: &Env, url: &str) -> String {
    let (status, location, _) = http_get(env, url, None);
    assert_eq!(status, 302);
    location.unwrap()
}

#[test]
fn login_through_loopback_rejects_wrong_state_then_signs_in() {
    let env = Env::enterprise(10);
    let mut c = env.cmd();
    c.args([
        "login",
        "--no-browser",
        "--client-id",
        "xblocks-demo",
        "--port",
        "0",
    ]);
    let (child, rx) = spawn(c);
    let url = url_line(&rx, "/i/oauth2/authorize");
    let parsed = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["scope"].contains("block.write") && q["scope"].contains("offline.access"));
    let callback = authorize(&env, &url);
    assert!(callback.starts_with("http://127.0.0.1:"));
    // A callback with a forged state is refused with an error page, and the wait goes on.
    let forged = callback.replace("state=", "state=forged");
    let (status, _, _) = http_get(&env, &forged, None);
    assert_eq!(status, 400);
    // The real one is accepted.
    let (status, _, body) = http_get(&env, &callback, None);
    assert_eq!(status, 200);
    assert!(body.contains("close this tab"));
    assert_eq!(wait(child), 0);
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("Signed in as @")),
        "{rest:?}"
    );

    let t = env.stored();
    assert!(t["refresh_token"].is_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.token_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir = std::fs::metadata(env.token_path().parent().unwrap()).unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    }
    let (id, username) = env.emu().me();
    let out = run({
        let mut c = env.cmd();
        c.arg("whoami");
        c
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!("@{username} ({id})\n")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("capability: full"));
    assert!(out.stdout.contains("block.write"));
    let secrets = vec![
        t["access_token"].as_str().unwrap().to_string(),
        t["refresh_token"].as_str().unwrap().to_string(),
    ];
    assert_no_secret(
        &secrets,
        &[&out.stdout, &out.stderr, &rest.join("\n"), &env.logs()],
    );
}

#[test]
fn login_accepts_the_pasted_redirect_url() {
    let env = Env::enterprise(10);
    let mut c = env.cmd();
    c.args([
        "login",
        "--no-browser",
        "--client-id",
        "xblocks-demo",
        "--port",
        "0",
    ]);
    let (mut child, rx) = spawn(c);
    let url = url_line(&rx, "/i/oauth2/authorize");
    let callback = authorize(&env, &url);
    let stdin = child.stdin.as_mut().unwrap();
    writeln!(stdin, "http://127.0.0.1:1/callback?state=wrong&code=x").unwrap();
    writeln!(stdin, "{callback}").unwrap();
    stdin.flush().unwrap();
    assert_eq!(wait(child), 0);
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("state does not match")),
        "{rest:?}"
    );
    assert!(env.token_path().exists());
}

#[test]
fn login_without_client_id_explains_how_to_register() {
    let env = Env::enterprise(1);
    let mut c = env.cmd();
    c.args(["login", "--no-browser"]);
    let out = run(c);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("register"), "{}", out.stderr);
    assert!(out.stderr.contains("--client-id"));
    assert!(out.stderr.contains("http://127.0.0.1:8765/callback"));
}

#[test]
fn login_oauth1_pin_flow_signs_requests() {
    let env = Env::enterprise(5);
    let mut c = env.cmd();
    c.args([
        "login",
        "--oauth1",
        "--no-browser",
        "--consumer-key",
        "xblocks-demo-key",
    ]);
    c.env("XBLOCKS_CONSUMER_SECRET", "xblocks-demo-secret");
    let (mut child, rx) = spawn(c);
    let url = url_line(&rx, "/oauth/authorize");
    let (_, _, page) = http_get(&env, &url, None);
    let pin: String = page
        .split("PIN: ")
        .nth(1)
        .expect("the authorize page shows a PIN")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    assert!(!pin.is_empty());
    writeln!(child.stdin.as_mut().unwrap(), "{pin}").unwrap();
    assert_eq!(wait(child), 0);
    let t = env.stored();
    assert_eq!(t["kind"], "oauth1");
    let out = run({
        let mut c = env.cmd();
        c.arg("whoami");
        c
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("OAuth 1.0a"), "{}", out.stdout);
    let out = run({
        let mut c = env.cmd();
        c.args(["export", "--format", "ids"]);
        c
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 5);
}

#[test]
fn expired_token_is_refreshed_transparently_and_rotated() {
    let env = Env::enterprise(20);
    env.login();
    let before = env.stored();
    env.emu().expire_access_tokens();
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = env.stored();
    assert_ne!(before["access_token"], after["access_token"]);
    assert_ne!(before["refresh_token"], after["refresh_token"]);
    // The rotated token works for the next command too.
    env.emu().expire_access_tokens();
    let mut c = env.cmd();
    c.args(["export"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 20);
    let secrets: Vec<String> = [&before, &after]
        .iter()
        .flat_map(|t| {
            [t["access_token"].as_str(), t["refresh_token"].as_str()]
                .into_iter()
                .flatten()
                .map(str::to_string)
        })
        .collect();
    assert_no_secret(&secrets, &[&out.stdout, &out.stderr, &env.logs()]);
}

#[test]
fn revoked_token_exits_77_and_says_login() {
    let env = Env::enterprise(3);
    env.login();
    env.emu().revoke_all_tokens();
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 77, "{}", out.stderr);
    assert!(out.stderr.contains("xblocks login"), "{}", out.stderr);
}

#[test]
fn not_signed_in_exits_77() {
    let env = Env::enterprise(1);
    for args in [&["whoami"][..], &["export"], &["block", "@someone"]] {
        let mut c = env.cmd();
        c.args(args);
        let out = run(c);
        assert_eq!(out.code, 77, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("xblocks login"));
    }
}

#[test]
fn env_access_token_overrides_the_store() {
    let env = Env::enterprise(4);
    let token = env.emu().issue_token(common::SCOPES);
    let mut c = env.cmd();
    c.env("XBLOCKS_ACCESS_TOKEN", &token).arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("XBLOCKS_ACCESS_TOKEN"));
    assert!(!env.token_path().exists());
    assert_no_secret(&[token], &[&out.stdout, &out.stderr, &env.logs()]);
}

#[test]
fn whoami_on_pay_per_use_is_read_only_and_changes_nothing() {
    let env = Env::pay_per_use(30);
    env.login();
    let blocked = env.emu().blocked_ids();
    // Plain whoami never probes: nothing learned yet.
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("capability: unknown"), "{}", out.stdout);
    let writes = |env: &Env| {
        env.emu()
            .request_log()
            .iter()
            .filter(|r| r.method != "GET" && r.path.starts_with("/2/users/"))
            .count()
    };
    assert_eq!(writes(&env), 0, "whoami sent a write");
    // --probe asks X (one no-op write) and stores the answer with its time.
    let mut c = env.cmd();
    c.args(["whoami", "--probe"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("capability: read-only"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Enterprise"));
    assert_eq!(writes(&env), 1);
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert!(
        out.stdout.contains("capability: read-only"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("learned"), "{}", out.stdout);
    assert_eq!(writes(&env), 1, "the stored capability was probed again");
    assert_eq!(env.emu().blocked_ids(), blocked);
}

#[test]
fn whoami_without_block_write_scope_is_read_only() {
    let env = Env::enterprise(3);
    env.login_with(&["tweet.read", "users.read", "block.read", "offline.access"]);
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out
        .stdout
        .contains("read-only (the sign-in lacks the block.write scope)"));
}

#[test]
fn logout_revokes_then_deletes() {
    let env = Env::enterprise(3);
    env.login();
    let t = env.stored();
    let mut c = env.cmd();
    c.arg("logout");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("Revoked"), "{}", out.stderr);
    assert!(!env.token_path().exists());
    // The old token no longer works at the API.
    let me_url = format!("{}/2/users/me", env.base);
    let (status, _, _) = http_get(&env, &me_url, t["access_token"].as_str());
    assert_eq!(status, 401);
    // Logging out again is harmless.
    let mut c = env.cmd();
    c.arg("logout");
    let out = run(c);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("not signed in"));
}

#[test]
fn logout_offline_still_deletes_locally() {
    let mut env = Env::enterprise(3);
    env.login();
    env.stop();
    let mut c = env.cmd();
    c.arg("logout");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("could not revoke"), "{}", out.stderr);
    assert!(!env.token_path().exists());
}

#[test]
fn confidential_client_signs_in_and_refreshes_with_basic_auth() {
    let env = Env::start(7, |c| {
        c.extra_client_id = Some("conf-app".into());
        c.extra_client_secret = Some("conf-secret-value".into());
    });
    let mut c = env.cmd();
    c.env("XBLOCKS_CLIENT_ID", "conf-app")
        .env("XBLOCKS_CLIENT_SECRET", "conf-secret-value")
        .args(["login", "--no-browser", "--port", "0"]);
    let (child, rx) = spawn(c);
    let url = url_line(&rx, "/i/oauth2/authorize");
    let callback = authorize(&env, &url);
    let (status, _, _) = http_get(&env, &callback, None);
    assert_eq!(status, 200);
    assert_eq!(wait(child), 0);
    assert_eq!(env.stored()["client_id"], "conf-app");
    env.emu().expire_access_tokens();
    let mut c = env.cmd();
    c.arg("export");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 7);
    assert_no_secret(
        &["conf-secret-value".to_string()],
        &[&out.stdout, &out.stderr, &env.logs()],
    );
}

#[test]
fn oauth1_logout_deletes_locally_even_without_a_revoke_endpoint() {
    let env = Env::enterprise(2);
    let (token, secret) = env.emu().issue_oauth1_token();
    let stored = serde_json::json!({
        "kind": "oauth1",
        "access_token": token,
        "token_secret": secret,
        "consumer_key": "xblocks-demo-key",
        "consumer_secret": "xblocks-demo-secret",
        "scopes": [],
    });
    std::fs::create_dir_all(env.token_path().parent().unwrap()).unwrap();
    std::fs::write(env.token_path(), stored.to_string()).unwrap();
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("OAuth 1.0a app permission: read-write"),
        "{}",
        out.stdout
    );
    let mut c = env.cmd();
    c.arg("logout");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!env.token_path().exists());
    assert_no_secret(&[token, secret], &[&out.stdout, &out.stderr, &env.logs()]);
}

#[test]
fn profiles_keep_separate_sign_ins() {
    let env = Env::enterprise(3);
    let mut g = env.global();
    g.profile = "work".into();
    env.rt
        .block_on(xblocks::auth::pkce::login_headless(
            &g.session(),
            "xblocks-demo",
            common::SCOPES,
        ))
        .unwrap();
    assert!(env.config_dir().join("profiles/work/token.json").exists());
    let mut c = env.cmd();
    c.args(["--profile", "work", "whoami"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut c = env.cmd();
    c.env("XBLOCKS_PROFILE", "default").arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 77, "{}", out.stderr);
}

#[test]
fn token_near_expiry_is_refreshed_before_use() {
    // Tokens live 60 s, inside the client's refresh margin: the next command refreshes first.
    let env = Env::start(5, |c| c.token_ttl_secs = 60);
    env.login();
    let before = env.stored();
    let mut c = env.cmd();
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = env.stored();
    assert_ne!(before["access_token"], after["access_token"]);
    assert_ne!(before["refresh_token"], after["refresh_token"]);
    let refused = env
        .emu()
        .request_log()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert_eq!(refused, 0, "refreshed before sending, not after a 401");
}

#[test]
fn refused_authorization_fails_clearly() {
    let env = Env::enterprise(2);
    let mut c = env.cmd();
    c.args([
        "login",
        "--no-browser",
        "--client-id",
        "xblocks-demo",
        "--port",
        "0",
        "--scopes",
        "tweet.read no.such.scope",
    ]);
    let (child, rx) = spawn(c);
    let url = url_line(&rx, "/i/oauth2/authorize");
    let callback = authorize(&env, &url);
    assert!(callback.contains("error="), "{callback}");
    let (status, _, body) = http_get(&env, &callback, None);
    assert_eq!(status, 400);
    assert!(body.contains("refused"));
    assert_eq!(wait(child), 1);
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("X refused the sign-in")),
        "{rest:?}"
    );
    assert!(!env.token_path().exists());
}

/// `env.cmd()` without the base variables: only flags, the profile or the defaults name them.
fn cmd_without_bases(env: &Env) -> std::process::Command {
    let mut c = env.cmd();
    c.env_remove("XBLOCKS_API_BASE")
        .env_remove("XBLOCKS_AUTH_BASE");
    c
}

#[test]
fn the_profile_remembers_the_bases_of_login_and_a_flag_or_env_wins_for_one_run() {
    let env = Env::enterprise(12);
    let mut c = cmd_without_bases(&env);
    c.args([
        "--api-base",
        &env.base,
        "--auth-base",
        &env.base,
        "login",
        "--no-browser",
        "--client-id",
        "xblocks-demo",
        "--port",
        "0",
    ]);
    let (mut child, rx) = spawn(c);
    let url = url_line(&rx, "/i/oauth2/authorize");
    assert!(
        url.starts_with(&env.base),
        "the auth base of the flag: {url}"
    );
    let callback = authorize(&env, &url);
    writeln!(child.stdin.as_mut().unwrap(), "{callback}").unwrap();
    assert_eq!(wait(child), 0);

    // No flag, no variable: whoami, sync and export use the profile's bases, and say so.
    let mut c = cmd_without_bases(&env);
    c.arg("whoami");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains(&format!("api: {} (the profile's, from `login`", env.base)),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("auth base: {} (the profile's", env.base)),
        "{}",
        out.stdout
    );
    let mut c = cmd_without_bases(&env);
    c.args(["whoami", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&run(c).stdout).unwrap();
    assert_eq!(doc["api_base"], env.base.as_str());
    assert_eq!(doc["api_base_from"], "profile");
    assert_eq!(doc["auth_base_from"], "profile");
    let mut c = cmd_without_bases(&env);
    c.arg("sync");
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut c = cmd_without_bases(&env);
    c.args(["export", "--live", "--format", "ids"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().collect::<Vec<_>>(),
        env.emu().blocked_ids(),
        "the export came from the profile's API"
    );

    // Another server named by a flag or the variable wins for that run only (its 401 shows
    // the request went there), and is not remembered.
    let other = Env::enterprise(1);
    let mut c = cmd_without_bases(&env);
    c.args(["--api-base", &other.base, "whoami"]);
    let out = run(c);
    assert_eq!(
        out.code, 77,
        "the other server refuses this token: {}",
        out.stderr
    );
    let mut c = cmd_without_bases(&env);
    c.env("XBLOCKS_API_BASE", &other.base)
        .args(["whoami", "--json"]);
    assert_eq!(run(c).code, 77);
    assert!(
        other
            .emu()
            .request_log()
            .iter()
            .filter(|r| r.path == "/2/users/me")
            .count()
            >= 2,
        "both runs asked the other server"
    );
    let mut c = cmd_without_bases(&env);
    c.args(["whoami", "--json"]);
    let out = run(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["api_base"], env.base.as_str(), "still the profile's");
    let mut c = cmd_without_bases(&env);
    c.env("XBLOCKS_API_BASE", &env.base)
        .args(["whoami", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&run(c).stdout).unwrap();
    assert_eq!(doc["api_base_from"], "env");
}

#[test]
fn login_over_a_signed_in_profile_needs_force_outside_a_terminal() {
    let env = Env::enterprise(1);
    env.login();
    let before = std::fs::read(env.token_path()).unwrap();
    let mut c = env.cmd();
    c.args(["login", "--no-browser", "--client-id", "xblocks-demo"]);
    let out = run(c);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let (_, me) = env.emu().me();
    assert!(
        out.stderr
            .contains(&format!("profile `default` is already signed in as @{me}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("xblocks login --force"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("authorize"), "no sign-in started");
    assert_eq!(
        std::fs::read(env.token_path()).unwrap(),
        before,
        "token kept"
    );
}

#[test]
fn whoami_offline_answers_from_the_profile_at_once() {
    let mut env = Env::enterprise(1);
    env.login();
    let me_reads = |env: &Env| {
        env.emu()
            .request_log()
            .iter()
            .filter(|r| r.path == "/2/users/me")
            .count()
    };
    let at_login = me_reads(&env);
    let online = run({
        let mut c = env.cmd();
        c.arg("whoami");
        c
    });
    assert_eq!(online.code, 0, "{}", online.stderr);
    assert_eq!(
        me_reads(&env),
        at_login + 1,
        "whoami checks the sign-in with X"
    );
    let export = run({
        let mut c = env.cmd();
        c.args(["export", "--live", "--format", "ids"]);
        c
    });
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert_eq!(
        me_reads(&env),
        at_login + 1,
        "the stored token names the account: export sends no billed /users/me"
    );
    env.stop();
    let out = run({
        let mut c = env.cmd();
        c.arg("whoami");
        c
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().next(),
        online.stdout.lines().next(),
        "the same account"
    );
    assert!(
        out.stdout.contains("X: not reachable now"),
        "{}",
        out.stdout
    );
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
}

#[test]
fn a_command_that_must_ask_x_offline_says_it_retries_from_the_first_failure() {
    let mut env = Env::enterprise(1);
    let token = env.emu().issue_token(common::SCOPES);
    env.stop();
    // An env token may belong to any account: X is asked who it is, with retries.
    let out = run({
        let mut c = env.cmd();
        c.env("XBLOCKS_ACCESS_TOKEN", &token)
            .args(["export", "--live", "--format", "ids"]);
        c
    });
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[0].starts_with("cannot reach the X API") && lines[0].contains("retrying in"),
        "the first line tells at once: {}",
        out.stderr
    );
    assert!(lines[0].contains("try 2 of"), "{}", out.stderr);
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("xblocks: cannot reach the X API"),
        "{last}"
    );
}

#[test]
fn whoami_counts_its_billed_account_read_once_a_day() {
    let env = Env::pay_per_use(1);
    env.login();
    let spent = || {
        let out = run({
            let mut c = env.cmd();
            c.args(["whoami", "--json"]);
            c
        });
        assert_eq!(out.code, 0, "{}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["spent_today_usd"].as_f64().unwrap()
    };
    assert!((spent() - 0.010).abs() < 1e-9, "GET /2/users/me at $0.010");
    assert!(
        (spent() - 0.010).abs() < 1e-9,
        "X bills the same account once per UTC day"
    );
}
