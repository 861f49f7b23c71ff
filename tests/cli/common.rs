//! Shared test helpers: an in-process emulator on 127.0.0.1:0 and the binary pointed at it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use xblocks::cli::{GlobalArgs, Tier};
use xblocks::emulator::{self, Config, Emulator};

/// Default scopes xblocks asks for.
pub const SCOPES: &[&str] = xblocks::auth::DEFAULT_SCOPES;

/// An emulator running on its own runtime, and a temporary config dir.
pub struct Env {
    pub rt: tokio::runtime::Runtime,
    pub emu: Option<Emulator>,
    pub dir: tempfile::TempDir,
    pub base: String,
}

impl Env {
    /// Starts an emulator with `users` blocked accounts and the given tweaks.
    pub fn start(users: usize, tweak: impl FnOnce(&mut Config)) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = Config {
            users,
            ..Config::default()
        };
        tweak(&mut config);
        let emu = rt.block_on(emulator::start(config)).unwrap();
        let base = emu.base_url();
        assert!(base.starts_with("http://127.0.0.1:"));
        Self {
            rt,
            emu: Some(emu),
            dir: tempfile::tempdir().unwrap(),
            base,
        }
    }

    /// An enterprise emulator with defaults.
    pub fn enterprise(users: usize) -> Self {
        Self::start(users, |_| {})
    }

    /// A pay-per-use emulator.
    pub fn pay_per_use(users: usize) -> Self {
        Self::start(users, |c| c.tier = Tier::PayPerUse)
    }

    pub fn emu(&self) -> &Emulator {
        self.emu.as_ref().expect("emulator running")
    }

    pub fn config_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn token_path(&self) -> PathBuf {
        self.config_dir().join("profiles/default/token.json")
    }

    /// Global args as the binary would parse them.
    pub fn global(&self) -> GlobalArgs {
        xblocks::cli::Cli::parse_from([
            "xblocks",
            "--api-base",
            &self.base,
            "--auth-base",
            &self.base,
            "--config-dir",
            self.config_dir().to_str().unwrap(),
        ])
        .global
    }

    /// Signs in through the emulator's real PKCE flow (library API) and stores the token.
    pub fn login(&self) {
        self.login_with(SCOPES);
    }

    pub fn login_with(&self, scopes: &[&str]) {
        let g = self.global().session();
        self.rt
            .block_on(xblocks::auth::pkce::login_headless(
                &g,
                "xblocks-demo",
                scopes,
            ))
            .unwrap();
    }

    /// The stored token file as JSON.
    pub fn stored(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.token_path()).unwrap()).unwrap()
    }

    /// The binary, pointed at the emulator and the temp config dir, with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xblocks"));
        for var in [
            "XBLOCKS_ACCESS_TOKEN",
            "XBLOCKS_CLIENT_ID",
            "XBLOCKS_CLIENT_SECRET",
            "XBLOCKS_PROFILE",
            "XBLOCKS_CONSUMER_KEY",
            "XBLOCKS_CONSUMER_SECRET",
            "DISPLAY",
            "WAYLAND_DISPLAY",
        ] {
            c.env_remove(var);
        }
        c.env("XBLOCKS_API_BASE", &self.base)
            .env("XBLOCKS_AUTH_BASE", &self.base)
            .env("XBLOCKS_CONFIG_DIR", self.config_dir())
            .env("RUST_LOG", "debug");
        c
    }

    /// Every log file's content under the config dir.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        let dir = self.config_dir().join("logs");
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        all
    }

    /// Stops the emulator (to test offline behaviour).
    pub fn stop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.shutdown());
        }
    }
}

/// The binary pointed at `emu` (an emulator on the test's own runtime) with `token` and the
/// config dir `dir`; no stdin.
pub fn xblocks(emu: &Emulator, token: &str, dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xblocks"));
    c.env("XBLOCKS_API_BASE", emu.base_url())
        .env("XBLOCKS_AUTH_BASE", emu.base_url())
        .env("XBLOCKS_CONFIG_DIR", dir)
        .env("XBLOCKS_ACCESS_TOKEN", token)
        .stdin(std::process::Stdio::null());
    c
}

/// Runs `c` to its end off the async threads.
pub async fn output(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

/// Stdout then stderr of a finished command, as text.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Output of a finished command.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to completion.
pub fn run(mut c: Command) -> Out {
    let o = c.stdin(std::process::Stdio::null()).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Asserts no secret appears in any of the texts.
pub fn assert_no_secret(secrets: &[String], texts: &[&str]) {
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        for t in texts {
            assert!(!t.contains(s.as_str()), "a token leaked into output: {t}");
        }
    }
}

/// A plain HTTP GET without following redirects: (status, Location, body).
pub fn http_get(env: &Env, url: &str, bearer: Option<&str>) -> (u16, Option<String>, String) {
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "tests only talk to 127.0.0.1"
    );
    env.rt.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut req = client.get(url);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (status, location, resp.text().await.unwrap_or_default())
    })
}
