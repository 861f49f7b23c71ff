//! X's official Python SDK (xdk) and requests-oauthlib, unchanged, against the emulator:
//! PKCE sign-in, users/me, paging the whole block list, post-vocabulary expansions, the
//! OAuth 1.0a PIN flow and signed requests.
//!
//! Needs a Python with `xdk` and `requests-oauthlib`, named by `XBLOCKS_SDK_PYTHON` (`.ci/run`
//! makes one in `target/sdk-venv`). Without it the test says so and checks nothing else.

use std::process::Command;

use xblocks::emulator::{start, Config};

#[tokio::test(flavor = "multi_thread")]
async fn official_sdks_page_and_sign_in_unchanged() {
    let Ok(python) = std::env::var("XBLOCKS_SDK_PYTHON") else {
        eprintln!("SKIPPED: set XBLOCKS_SDK_PYTHON to a python with xdk and requests-oauthlib");
        return;
    };
    let users = 2500;
    let emu = start(Config {
        users,
        ..Config::default()
    })
    .await
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/check_sdks.py");
    let base = emu.base_url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(base)
            .arg(users.to_string())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK checks failed:\n{stdout}\n{}",
        &stderr[..stderr.len().min(4000)]
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    emu.shutdown().await;
}
