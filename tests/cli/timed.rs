//! Timed actions through the binary against the emulator: `mute --for 2s` is undone by
//! `run-due` once due (and not before), and a timed unblock whose account was unblocked by hand
//! meanwhile is not sent, with the reason in the log.

use crate::common;
use std::time::Duration;

use common::{run, Env};

fn xb(env: &Env, args: &[&str]) -> common::Out {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

fn requests(env: &Env, method: &str, path_end: &str) -> usize {
    env.emu()
        .request_log()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(path_end))
        .count()
}

#[test]
fn mute_for_2s_is_undone_by_run_due_after_the_due_time() {
    let env = Env::enterprise(20);
    env.login();
    let target = env.emu().blocked_ids()[3].clone();
    let out = xb(&env, &["mute", &target, "--for", "2s"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("unmute 1 account queued, due at"),
        "{}",
        out.stdout
    );
    assert_eq!(requests(&env, "POST", "/muting"), 1);

    // Not due yet: nothing is sent.
    let early = xb(&env, &["run-due"]);
    assert_eq!(early.code, 0, "{}", early.stderr);
    assert!(
        early
            .stdout
            .contains("nothing is due; the next job is due at"),
        "{}",
        early.stdout
    );
    let unmute_path = format!("/muting/{target}");
    assert_eq!(requests(&env, "DELETE", &unmute_path), 0);
    let q = xb(&env, &["queue", "--json"]);
    let q: serde_json::Value = serde_json::from_str(&q.stdout).unwrap();
    assert_eq!(q["due_later"], 1);
    assert_eq!(q["open"][0]["action"], "unmute");
    assert_eq!(q["open"][0]["target"], target.as_str());

    std::thread::sleep(Duration::from_millis(2_300));
    let due = xb(&env, &["run-due"]);
    assert_eq!(due.code, 0, "{}", due.stderr);
    assert!(due.stdout.contains("unmuted"), "{}", due.stdout);
    assert_eq!(
        requests(&env, "DELETE", &unmute_path),
        1,
        "the emulator saw exactly one unmute of the target"
    );
    let q = xb(&env, &["queue", "--json"]);
    let q: serde_json::Value = serde_json::from_str(&q.stdout).unwrap();
    assert_eq!(q["open"].as_array().unwrap().len(), 0, "{q}");
    assert_eq!(q["recent"][0]["state"], "done");
    let h = xb(&env, &["history", "--json"]);
    let h: serde_json::Value = serde_json::from_str(&h.stdout).unwrap();
    assert_eq!(h["entries"][0]["action"], "unmute");
    assert_eq!(h["entries"][0]["result"], "done");

    // Once done, it is not run again.
    let again = xb(&env, &["run-due"]);
    assert!(again.stdout.contains("nothing is due"), "{}", again.stdout);
    assert_eq!(requests(&env, "DELETE", &unmute_path), 1);
}

#[test]
fn a_timed_unblock_whose_account_was_unblocked_by_hand_does_nothing_and_says_why() {
    let env = Env::enterprise(20);
    env.login();
    let target = env.emu().blocked_ids()[5].clone();
    // Start from an unblocked account, then block it for 2 seconds; a sync sees it blocked.
    assert_eq!(xb(&env, &["unblock", &target]).code, 0);
    let out = xb(&env, &["block", &target, "--for", "2s"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("unblock 1 account queued"),
        "{}",
        out.stdout
    );
    assert_eq!(xb(&env, &["export", "--live"]).code, 0);
    // Unblocked by hand on X, and a full sync records it gone.
    let token = env.stored()["access_token"].as_str().unwrap().to_string();
    let (me, _) = env.emu().me();
    let url = format!("{}/2/users/{me}/blocking/{target}", env.base);
    assert!(url.starts_with("http://127.0.0.1:"));
    let status = env.rt.block_on(async {
        reqwest::Client::new()
            .delete(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());
    let export = xb(&env, &["export", "--live"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let unblocks_before = requests(&env, "DELETE", &format!("/blocking/{target}"));

    std::thread::sleep(Duration::from_millis(2_300));
    let due = xb(&env, &["run-due"]);
    assert_eq!(due.code, 0, "{}", due.stderr);
    assert!(
        due.stdout.contains("not sent: unblock")
            && due.stdout.contains("unblocked outside xblocks"),
        "{}",
        due.stdout
    );
    assert_eq!(
        requests(&env, "DELETE", &format!("/blocking/{target}")),
        unblocks_before,
        "no request for the superseded job"
    );
    let h = xb(&env, &["history", "--json"]);
    let h: serde_json::Value = serde_json::from_str(&h.stdout).unwrap();
    let result = h["entries"][0]["result"].as_str().unwrap();
    assert!(
        result.starts_with("superseded: it was unblocked outside xblocks"),
        "{result}"
    );
    let q = xb(&env, &["queue", "--json"]);
    let q: serde_json::Value = serde_json::from_str(&q.stdout).unwrap();
    assert_eq!(q["recent"][0]["state"], "superseded");
    assert!(q["recent"][0]["reason"].as_str().is_some());
}

#[test]
fn for_is_refused_on_unblock_and_bad_durations_are_usage_errors() {
    let env = Env::enterprise(5);
    env.login();
    let target = env.emu().blocked_ids()[0].clone();
    let o = xb(&env, &["unmute", &target, "--for", "2s"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("--for works with block and mute"),
        "{}",
        o.stderr
    );
    let o = xb(&env, &["mute", &target, "--for", "5m"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("`min` for minutes"), "{}", o.stderr);
    assert_eq!(requests(&env, "POST", "/muting"), 0, "nothing sent");
}
