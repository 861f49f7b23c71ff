//! Secrets: after a full cycle through the binary (login, export, a refresh, import, a revoked
//! token, logout, all at `RUST_LOG=trace`) no access or refresh token appears in any output,
//! log or file but `token.json`; private files are 0600 in a 0700 dir; `Debug` of every
//! credential type hides the secret; PKCE state and verifier are fresh random values per
//! sign-in; nothing is sent anywhere but the configured API base (a recording proxy in the
//! environment sees no request). The loopback listener's refusal of a wrong `state` and its
//! 127.0.0.1 binding are proven in `cli_auth::login_through_loopback_rejects_wrong_state_then_signs_in`
//! and `cli_auth::login_accepts_the_pasted_redirect_url`.

use crate::common;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{http_get, Env};
use xblocks::auth::oauth1::Keys;
use xblocks::auth::token_store::{StoredToken, TokenKind};
use xblocks::auth::Credentials;

/// Everything a command printed.
struct Printed {
    code: i32,
    text: String,
}

/// A local "proxy" that counts connections: with it in `HTTP(S)_PROXY`/`ALL_PROXY` and
/// `NO_PROXY=127.0.0.1`, any request to another host would reach it.
fn recording_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    (addr, hits)
}

struct Cycle {
    env: Env,
    proxy: String,
    printed: Vec<String>,
    secrets: HashSet<String>,
}

impl Cycle {
    fn cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.env("RUST_LOG", "trace")
            .env("HTTP_PROXY", &self.proxy)
            .env("HTTPS_PROXY", &self.proxy)
            .env("ALL_PROXY", &self.proxy)
            .env("http_proxy", &self.proxy)
            .env("https_proxy", &self.proxy)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost");
        c
    }

    fn run(&mut self, args: &[&str]) -> Printed {
        let mut c = self.cmd();
        c.args(args);
        let o = c.stdin(Stdio::null()).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        self.printed.push(text.clone());
        self.note_token();
        Printed {
            code: o.status.code().unwrap_or(-1),
            text,
        }
    }

    /// Remembers the tokens now in token.json.
    fn note_token(&mut self) {
        if let Ok(bytes) = std::fs::read(self.env.token_path()) {
            let t: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            for k in ["access_token", "refresh_token"] {
                if let Some(s) = t[k].as_str() {
                    self.secrets.insert(s.to_string());
                }
            }
        }
    }

    /// `xblocks login --no-browser`, the redirect URL pasted on stdin.
    fn login(&mut self) {
        let mut c = self.cmd();
        // A full cycle signs in again over its own account: `--force` says so.
        c.args([
            "login",
            "--no-browser",
            "--force",
            "--client-id",
            "xblocks-demo",
            "--port",
            "0",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL: {seen}");
            seen.push_str(&line);
            if let Some(i) = line.find("http") {
                if line.contains("/i/oauth2/authorize") {
                    break line[i..].split_whitespace().next().unwrap().to_string();
                }
            }
        };
        let (status, location, _) = http_get(&self.env, &url, None);
        assert_eq!(status, 302);
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", location.unwrap()).unwrap();
        drop(stdin);
        stderr.read_to_string(&mut seen).unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(child.wait().unwrap().success(), "{seen}");
        self.printed.push(format!("{out}{seen}"));
        self.note_token();
    }
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_full_cycle_leaks_no_token_and_talks_only_to_the_api_base() {
    let env = Env::enterprise(60);
    let (proxy, hits) = recording_proxy();
    let mut cy = Cycle {
        env,
        proxy,
        printed: Vec::new(),
        secrets: HashSet::new(),
    };
    cy.login();
    assert_eq!(
        cy.secrets.len(),
        2,
        "login stored an access and a refresh token"
    );
    let out_file = cy.env.config_dir().join("blocks.csv");
    let out = cy.run(&[
        "export",
        "--format",
        "csv",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.text);
    // A refresh mid-cycle rotates both tokens; the new ones must not leak either.
    cy.env.emu().expire_access_tokens();
    let out = cy.run(&["export", "--live", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(cy.secrets.len(), 4, "the refresh rotated both tokens");
    let list = cy.env.config_dir().join("unblock.txt");
    std::fs::write(&list, cy.env.emu().blocked_ids()[..5].join("\n")).unwrap();
    let out = cy.run(&["import", "--unblock", list.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(cy.run(&["whoami"]).code, 0);

    // Private files: 0600 in a 0700 dir; no secret anywhere but token.json.
    let token = cy.env.token_path();
    let profile = token.parent().unwrap().to_path_buf();
    assert_eq!(mode(&profile), 0o700);
    for name in ["token.json", "xblocks.db"] {
        assert_eq!(mode(&profile.join(name)), 0o600, "{name}");
    }
    // The profile holds its database and token only (WAL files only while a process runs).
    let mut names: Vec<String> = std::fs::read_dir(&profile)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("xblocks.db-"))
        .collect();
    names.sort();
    assert_eq!(names, ["token.json", "xblocks.db"]);
    let all = files(cy.env.config_dir());
    assert!(
        all.iter().any(|p| p.ends_with("logs/xblocks.log")),
        "{all:?}"
    );
    for f in &all {
        if *f == token {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        for s in &cy.secrets {
            assert!(!text.contains(s.as_str()), "a token is in {}", f.display());
        }
    }

    // A rejected token: the error names the problem, not the value.
    cy.env.emu().revoke_all_tokens();
    let out = cy.run(&["export", "--live"]);
    assert_eq!(out.code, 77, "{}", out.text);
    assert!(out.text.contains("xblocks login"), "{}", out.text);

    cy.login();
    let out = cy.run(&["logout"]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert!(!token.exists());
    assert_eq!(cy.secrets.len(), 6);
    for f in files(cy.env.config_dir()) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for s in &cy.secrets {
            assert!(!text.contains(s.as_str()), "a token is in {}", f.display());
        }
    }
    let printed = cy.printed.join("\n");
    for s in &cy.secrets {
        assert!(!printed.contains(s.as_str()), "a token was printed");
    }
    assert!(
        printed.contains("TRACE") || cy.env.logs().contains("TRACE"),
        "trace logging was not on"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a request left 127.0.0.1");
    let foreign = cy
        .env
        .emu()
        .request_log()
        .iter()
        // `/2/usage/credits` is X's route; it answers a bare 404 where credits are not enabled.
        .filter(|r| {
            r.status == 404 && !r.path.starts_with("/2/users") && r.path != "/2/usage/credits"
        })
        .count();
    assert_eq!(foreign, 0, "requests to unknown routes");

    // Control: a request to another host does reach the recording proxy.
    cy.login();
    let mut c = cy.cmd();
    c.env("XBLOCKS_API_BASE", "http://api.example.test")
        .arg("logout");
    let o = c.stdin(Stdio::null()).output().unwrap();
    let text = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(text.contains("could not revoke"), "{text}");
    assert!(hits.load(Ordering::SeqCst) > 0, "the proxy sees nothing");
    for s in &cy.secrets {
        assert!(!text.contains(s.as_str()), "a token was printed");
    }
}

#[test]
fn debug_output_of_credentials_hides_every_secret() {
    let secret = "SECRET-value-0123456789abcdef";
    let token = StoredToken {
        kind: TokenKind::Oauth2,
        access_token: format!("{secret}-access"),
        refresh_token: Some(format!("{secret}-refresh")),
        client_secret: Some(format!("{secret}-client")),
        token_secret: Some(format!("{secret}-token-secret")),
        consumer_secret: Some(format!("{secret}-consumer")),
        ..Default::default()
    };
    let keys = Keys {
        consumer_key: "key".into(),
        consumer_secret: format!("{secret}-cs"),
        token: Some(format!("{secret}-t")),
        token_secret: format!("{secret}-ts"),
    };
    let creds = Credentials::static_bearer(format!("{secret}-bearer"), None);
    let oauth1 = Credentials::OAuth1(Arc::new(Keys {
        consumer_key: "key".into(),
        consumer_secret: format!("{secret}-cs"),
        token: Some(format!("{secret}-t")),
        token_secret: format!("{secret}-ts"),
    }));
    let config = xblocks::emulator::Config {
        tokens: vec![format!("{secret}-emu")],
        consumer_secret: format!("{secret}-emu-cs"),
        extra_client_secret: Some(format!("{secret}-emu-client")),
        ..Default::default()
    };
    for shown in [
        format!("{token:?}"),
        format!("{token:#?}"),
        format!("{keys:?}"),
        format!("{creds:?}"),
        format!("{oauth1:?}"),
        format!("{config:?}"),
    ] {
        assert!(!shown.contains("SECRET"), "{shown}");
    }
    assert!(format!("{token:?}").contains("redacted"));

    // A session's Debug, from a real sign-in.
    let env = Env::enterprise(3);
    env.login();
    let stored = env.stored();
    let session = env
        .rt
        .block_on(xblocks::auth::session::connect(&env.global().session()))
        .unwrap();
    let shown = format!("{session:?}");
    for k in ["access_token", "refresh_token"] {
        assert!(!shown.contains(stored[k].as_str().unwrap()), "{shown}");
    }
}

#[test]
fn pkce_state_and_verifier_are_fresh_per_sign_in() {
    let env = Env::enterprise(1);
    let g = env.global().session();
    let mut states = HashSet::new();
    let mut challenges = HashSet::new();
    for _ in 0..64 {
        let flow = xblocks::auth::pkce::start(
            &g,
            "xblocks-demo",
            None,
            "http://127.0.0.1:8765/callback",
            &["users.read"],
        )
        .unwrap();
        let q: std::collections::HashMap<_, _> = flow.url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], flow.state());
        assert!(flow.state().len() >= 16, "state too short");
        assert!(q["code_challenge"].len() >= 43);
        states.insert(flow.state().to_string());
        challenges.insert(q["code_challenge"].clone());
        // A callback with any other state is refused.
        let forged = format!("state={}x&code=abc", flow.state());
        assert!(flow.check_callback(&forged).is_err());
    }
    assert_eq!(states.len(), 64, "a state repeated");
    assert_eq!(challenges.len(), 64, "a PKCE challenge repeated");
}
