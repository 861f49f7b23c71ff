//! A private tmux server (its own socket) as the pseudo-terminal of the end-to-end tests.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// The name of the one session each server runs.
pub const SESSION: &str = "e2e";

/// A tmux server of our own (its own socket), killed on drop.
pub struct Tmux {
    /// The `-L` socket name.
    pub socket: String,
}

impl Tmux {
    /// Runs a tmux command on this server.
    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The visible screen.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    /// Types keys (tmux `send-keys` names).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", SESSION];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success(), "send-keys {keys:?}");
    }

    /// Polls the screen until `pred` holds; panics with the last screen after `secs`.
    pub async fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// True when tmux can run here.
pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `s` quoted for `sh`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A shell command line running the xblocks binary against `base` with `token` and the config
/// dir `config`, followed by `then` (e.g. `; echo $? > FILE`).
pub fn xblocks_line(base: &str, token: &str, config: &std::path::Path, then: &str) -> String {
    format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY XBLOCKS_ACCESS_TOKEN={} {} --api-base {base} --auth-base {base} --config-dir {}{then}",
        quote(token),
        quote(env!("CARGO_BIN_EXE_xblocks")),
        quote(&config.display().to_string()),
    )
}

/// [`xblocks_line`] that writes the binary's exit status to the file `done` when it ends.
pub fn status_line(
    base: &str,
    token: &str,
    config: &std::path::Path,
    done: &std::path::Path,
) -> String {
    let then = format!("; echo $? > {}", quote(&done.display().to_string()));
    xblocks_line(base, token, config, &then)
}

/// Starts a private tmux server named `name` (made unique per process) running `script` in a
/// `cols`×`rows` session.
pub fn start(name: &str, cols: u16, rows: u16, script: &str) -> Tmux {
    let tmux = Tmux {
        socket: format!("xblocks-{name}-{}", std::process::id()),
    };
    let (cols, rows) = (cols.to_string(), rows.to_string());
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        SESSION,
        "-x",
        &cols,
        "-y",
        &rows,
        script,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux
}

/// Runs the binary headless against `base` with the profile in `config`; asserts it succeeded
/// and returns its stdout.
pub fn xblocks_ok(base: &str, token: &str, config: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--api-base", base, "--auth-base", base, "--config-dir"])
        .arg(config)
        .args(args)
        .env("XBLOCKS_ACCESS_TOKEN", token)
        .output()
        .expect("xblocks runs");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Learns the capability the way a sign-in does (`xblocks whoami --probe`: one no-op write),
/// for sessions that start from `XBLOCKS_ACCESS_TOKEN` without a `login`.
pub fn probe(base: &str, token: &str, config: &std::path::Path) {
    xblocks_ok(base, token, config, &["whoami", "--probe"]);
}
