//! The TUI under hostile input in a real terminal (a private tmux server) against an in-process
//! emulator on 127.0.0.1: bracketed paste is never read as keys, and a revoked session picks up
//! a new `xblocks login` from another terminal (issue 11).

use crate::tmux_support;
use std::path::Path;
use std::time::{Duration, Instant};

use tmux_support::{quote, start, status_line, tmux_available, Tmux, SESSION};
use xblocks::emulator::{self, Config, Emulator};

use crate::fixtures::SCOPES;

/// Pastes `text` as the terminal would: `paste-buffer -p` wraps it in bracketed-paste markers
/// when the application asked for them (tmux turns each newline into Enter, like a terminal).
fn paste(tmux: &Tmux, text: &str) {
    assert!(tmux.cmd(&["set-buffer", "-b", "p", text]).status.success());
    assert!(tmux
        .cmd(&["paste-buffer", "-p", "-b", "p", "-t", SESSION])
        .status
        .success());
}

/// The emulator, and the TUI on it in tmux writing its exit status to `done`.
async fn tui(name: &str, users: usize, dir: &Path) -> (Emulator, Tmux, std::path::PathBuf) {
    let emu = emulator::start(Config {
        users,
        seed: 3,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let token = emu.issue_token(SCOPES);
    let done = dir.join("exit-status");
    let script = status_line(&emu.base_url(), &token, &dir.join("config"), &done);
    let tmux = start(name, 100, 30, &script);
    tmux.wait_for("the list", 90, |s| s.contains(&format!("{users} loaded")))
        .await;
    (emu, tmux, done)
}

/// Polls `cond` until it holds; after 30 s fails naming `what`, with the screen.
async fn eventually(tmux: &Tmux, what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "{what}:\n{}", tmux.screen());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Writes on other accounts (the capability probe, a write on oneself, does not count).
fn writes(emu: &Emulator) -> Vec<String> {
    let me = emu.me().0;
    emu.request_log()
        .iter()
        .filter(|r| r.method == "DELETE" || r.method == "POST")
        .filter(|r| !r.path.ends_with(&format!("/{me}")))
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_into_search_is_text_never_keys_that_confirm_an_unblock() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the bracketed-paste test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (emu, tmux, _) = tui("paste-search", 40, dir.path()).await;
    let first = emu.blocked_ids()[0].clone();
    // The handle of the selected (first) account, as the list shows it.
    let screen = tmux.screen();
    let handle = screen
        .lines()
        .find_map(|l| l.split('@').nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no handle on screen:\n{screen}"));
    tmux.keys(&["/"]);
    // Typed as keys, this would close the search (Enter), open the unblock confirm for the
    // selected account (u) and confirm it (y): a real DELETE.
    paste(&tmux, &format!("{handle}\nuy"));
    tmux.wait_for("the pasted query", 30, |s| {
        s.contains(&format!("{handle}uy"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let screen = tmux.screen();
    assert!(!screen.contains("Unblock 1 account?"), "{screen}");
    assert!(
        writes(&emu).is_empty(),
        "a paste sent a write: {:?}",
        writes(&emu)
    );
    assert!(emu.blocked_ids().contains(&first));
    tmux.keys(&["Escape", "q"]);
    drop(tmux);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_with_q_in_the_list_does_not_quit() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the bracketed-paste test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (emu, tmux, done) = tui("paste-quit", 30, dir.path()).await;
    paste(&tmux, "quy\necho pwned\n");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!done.exists(), "the paste quit the TUI:\n{}", tmux.screen());
    let screen = tmux.screen();
    assert!(screen.contains("30 loaded"), "{screen}");
    assert!(!screen.contains("Unblock 1 account?"), "{screen}");
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    // Still answering keys: q quits now.
    tmux.keys(&["q"]);
    eventually(&tmux, "q did not quit", || done.exists()).await;
    drop(tmux);
    emu.shutdown().await;
}

/// Signs in to `emu` through its real PKCE flow, storing the token in `config` (what
/// `xblocks login` in another terminal does).
async fn login(emu: &Emulator, config: &Path) {
    use clap::Parser;
    let global = xblocks::cli::Cli::parse_from([
        "xblocks",
        "--api-base",
        &emu.base_url(),
        "--auth-base",
        &emu.base_url(),
        "--config-dir",
        config.to_str().unwrap(),
    ])
    .global;
    xblocks::auth::pkce::login_headless(&global.session(), "xblocks-demo", SCOPES)
        .await
        .expect("signs in");
}

/// GET requests of the block list answered 200 so far.
fn pages_served(emu: &Emulator) -> usize {
    emu.request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/blocking") && r.status == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_tui_uses_a_new_login_from_another_terminal() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the revoked-sign-in TUI test");
        return;
    }
    let emu = emulator::start(Config {
        users: 30,
        seed: 5,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    login(&emu, &config).await;
    let done = dir.path().join("exit-status");
    let base = emu.base_url();
    let script = format!(
        "{} --api-base {base} --auth-base {base} --config-dir {}; echo $? > {}",
        quote(env!("CARGO_BIN_EXE_xblocks")),
        quote(&config.display().to_string()),
        quote(&done.display().to_string()),
    );
    let tmux = start("revoked", 100, 30, &script);
    tmux.wait_for("the list", 90, |s| s.contains("30 loaded"))
        .await;

    // Revoked at X: the reload fails, the token file has nothing newer.
    emu.revoke_all_tokens();
    tmux.keys(&["r"]);
    tmux.wait_for("the signed-out line", 60, |s| {
        s.contains("Still signed out: run `xblocks login`, then press p")
    })
    .await;

    // `xblocks login` in another terminal; p picks the new sign-in up.
    login(&emu, &config).await;
    let before = pages_served(&emu);
    tmux.keys(&["p"]);
    tmux.wait_for("the list again", 60, |s| !s.contains("Still signed out"))
        .await;
    eventually(&tmux, "no page after p", || pages_served(&emu) != before).await;

    // Revoked again and signed in again elsewhere: the next request's 401 rereads the file by
    // itself, no key needed.
    emu.revoke_all_tokens();
    login(&emu, &config).await;
    let before = pages_served(&emu);
    tmux.keys(&["r"]);
    eventually(&tmux, "the new token was not used", || {
        pages_served(&emu) != before
    })
    .await;
    let screen = tmux.screen();
    assert!(!screen.contains("signed out"), "{screen}");
    tmux.keys(&["q"]);
    eventually(&tmux, "q did not quit", || done.exists()).await;
    drop(tmux);
    emu.shutdown().await;
}
