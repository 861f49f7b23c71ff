//! The `--json` convention through the binary: one document on stdout, errors as one JSON line
//! on stderr with the same exit code as the process.

use std::process::{Command, Output};

fn xblocks(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xblocks"))
        .args(args)
        .env("XBLOCKS_CONFIG_DIR", dir)
        .env_remove("XBLOCKS_ACCESS_TOKEN")
        .env("XBLOCKS_API_BASE", "http://127.0.0.1:9")
        .env("XBLOCKS_AUTH_BASE", "http://127.0.0.1:9")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Parses stderr as the error document and checks it against the exit code.
fn error_doc(o: &Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("stderr is not the JSON error ({e}): {stderr}"));
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 2, "exactly error and exit: {v}");
    assert!(v["error"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert_eq!(v["exit"].as_i64(), o.status.code().map(i64::from), "{v}");
    assert!(o.stdout.is_empty(), "nothing on stdout");
    v
}

#[test]
fn a_usage_error_with_json_is_the_json_error_document() {
    let dir = tempfile::tempdir().unwrap();
    let o = xblocks(dir.path(), &["export", "--no-such-flag", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = error_doc(&o);
    assert!(
        v["error"].as_str().unwrap().contains("--no-such-flag"),
        "{v}"
    );
}

#[test]
fn without_json_errors_stay_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = xblocks(dir.path(), &["export", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(serde_json::from_str::<serde_json::Value>(stderr.trim()).is_err());
}
