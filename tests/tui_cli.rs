//! The TUI entry points through the binary, without a terminal: clear errors and exit codes.

use assert_cmd::Command;
use predicates::str::contains;

#[test]
fn tui_without_sign_in_says_to_log_in_and_exits_77() {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--config-dir", dir.path().to_str().unwrap()])
        .env_remove("XBLOCKS_ACCESS_TOKEN")
        .assert()
        .code(77)
        .stderr(contains("xblocks login"));
}

#[test]
fn tui_without_a_terminal_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["--config-dir", dir.path().to_str().unwrap()])
        .args(["--api-base", "http://127.0.0.1:9"])
        .env("XBLOCKS_ACCESS_TOKEN", "unused")
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn demo_without_a_terminal_is_a_usage_error() {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["demo", "--users", "10"])
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn demo_with_a_bad_fault_spec_is_a_usage_error() {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(["demo", "--faults", "5xx=7"])
        .assert()
        .code(2)
        .stderr(contains("--faults"));
}
