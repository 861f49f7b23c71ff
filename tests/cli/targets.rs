//! `xblocks block|unblock|mute|unmute` through the binary against the in-process emulator.

use crate::common;
use common::{run, Env};

fn cmd(env: &Env, args: &[&str]) -> common::Out {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

#[test]
fn block_by_handle_and_id_then_unblock() {
    let env = Env::enterprise(20);
    env.login();
    let others = env.emu().unblocked_accounts(3);
    let (id0, name0) = others[0].clone();
    let (id1, _) = others[1].clone();
    let (id2, name2) = others[2].clone();
    let out = cmd(
        &env,
        &["block", &format!("@{name0}"), &id1, &name2.to_uppercase()],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout.lines().count(), 3);
    assert!(out.stdout.contains(&format!("blocked @{name0} ({id0})")));
    assert!(
        out.stderr
            .contains("lookup at X: 3 accounts in 2 requests, at most $0.030 on pay-per-use"),
        "the lookup's cost is said: {}",
        out.stderr
    );
    let blocked = env.emu().blocked_ids();
    for id in [&id0, &id1, &id2] {
        assert!(blocked.contains(id));
    }
    assert_eq!(blocked.len(), 23);
    // Blocking again is harmless.
    let out = cmd(&env, &["block", &id1]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cmd(&env, &["unblock", &id0, &format!("@{name2}")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let blocked = env.emu().blocked_ids();
    assert!(!blocked.contains(&id0) && !blocked.contains(&id2) && blocked.contains(&id1));
}

#[test]
fn unknown_handle_is_reported_and_exit_is_4_but_others_proceed() {
    let env = Env::enterprise(10);
    env.login();
    let (id, name) = env.emu().unblocked_accounts(1)[0].clone();
    let out = cmd(&env, &["block", "@nobody_here_x", &name]);
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("not found: @nobody_here_x"));
    assert!(out.stdout.contains(&format!("blocked @{name}")));
    assert!(env.emu().blocked_ids().contains(&id));
    assert!(out.stderr.contains("1 of 2 targets failed"));
}

#[test]
fn invalid_target_is_a_usage_error_before_any_request() {
    let env = Env::enterprise(5);
    env.login();
    let before = env.emu().request_log().len();
    let out = cmd(&env, &["block", "not-a-handle!"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not an @username"), "{}", out.stderr);
    assert_eq!(env.emu().request_log().len(), before);
}

#[test]
fn pay_per_use_block_exits_5_and_suggests_mute() {
    let env = Env::pay_per_use(10);
    env.login();
    let (id, name) = env.emu().unblocked_accounts(1)[0].clone();
    for verb in ["block", "unblock"] {
        let out = cmd(&env, &[verb, &format!("@{name}")]);
        assert_eq!(out.code, 5, "{}", out.stderr);
        assert!(out.stderr.contains("Enterprise"), "{}", out.stderr);
        // Muting stands in for blocking, never for unblocking.
        assert_eq!(
            out.stderr.contains("xblocks mute"),
            verb == "block",
            "{}",
            out.stderr
        );
    }
    assert!(!env.emu().blocked_ids().contains(&id));
    // Mutes work on pay-per-use.
    let out = cmd(&env, &["mute", &format!("@{name}")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("muted @{name} ({id})")));
    assert!(env.emu().muted_ids().contains(&id));
    let out = cmd(&env, &["unmute", &id]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A bare id prints the handle too.
    assert!(
        out.stdout.contains(&format!("unmuted @{name} ({id})")),
        "{}",
        out.stdout
    );
    assert!(!env.emu().muted_ids().contains(&id));
}

#[test]
fn missing_scope_exits_5_naming_it() {
    let env = Env::enterprise(5);
    env.login_with(&["tweet.read", "users.read", "block.read", "offline.access"]);
    let (_, name) = env.emu().unblocked_accounts(1)[0].clone();
    let out = cmd(&env, &["block", &name]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains("block.write"), "{}", out.stderr);
}

#[test]
fn blocking_yourself_is_refused_locally() {
    let env = Env::enterprise(5);
    env.login();
    let (id, _) = env.emu().me();
    let out = cmd(&env, &["block", &id]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("signed-in account"));
}

/// The capability `whoami --json` reports, and whether it says when it was learned.
fn whoami_capability(env: &Env) -> (String, bool) {
    let out = cmd(env, &["whoami", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    (
        v["capability"].as_str().unwrap().to_string(),
        v["capability_learned_at"].is_string(),
    )
}

/// Forgets the stored capability, as if nothing had been learned yet.
fn forget_capability(env: &Env) {
    let store =
        xblocks::store::db::Store::open(&env.config_dir().join("profiles/default")).unwrap();
    store
        .set_metas(&[
            (xblocks::store::db::MetaKey::Capability, None),
            (xblocks::store::db::MetaKey::CapabilityReason, None),
        ])
        .unwrap();
}

fn writes(env: &Env) -> usize {
    env.emu()
        .request_log()
        .iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/2/users/"))
        .count()
}

#[test]
fn every_block_write_answer_is_stored_as_the_capability_for_whoami() {
    let env = Env::enterprise(20);
    env.login();
    let fresh = env.emu().unblocked_accounts(4);
    let listed = env.emu().blocked_ids()[5].clone();
    let file = env.config_dir().join("import.txt");
    std::fs::write(&file, format!("{}\n", fresh[1].0)).unwrap();
    let steps: Vec<(&str, Vec<String>)> = vec![
        ("block", vec!["block".into(), format!("@{}", fresh[0].1)]),
        ("unblock", vec!["unblock".into(), listed.clone()]),
        ("import", vec!["import".into(), file.display().to_string()]),
        ("undo", vec!["undo".into()]),
        (
            "block --for",
            vec![
                "block".into(),
                fresh[2].0.clone(),
                "--for".into(),
                "1s".into(),
            ],
        ),
    ];
    for (what, args) in steps {
        forget_capability(&env);
        assert_eq!(whoami_capability(&env), ("unknown".into(), false), "{what}");
        let before = writes(&env);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cmd(&env, &args);
        assert_eq!(out.code, 0, "{what}: {}{}", out.stdout, out.stderr);
        assert!(writes(&env) > before, "{what} sent its write");
        assert_eq!(whoami_capability(&env), ("full".into(), true), "{what}");
    }
    // The timed unblock, run headless once due.
    forget_capability(&env);
    std::thread::sleep(std::time::Duration::from_millis(1_300));
    let out = cmd(&env, &["run-due"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("unblock"), "{}", out.stdout);
    assert_eq!(whoami_capability(&env), ("full".into(), true), "run-due");
}

#[test]
fn a_refused_block_stores_read_only_and_a_mute_does_not_change_it() {
    let env = Env::pay_per_use(20);
    env.login();
    assert_eq!(whoami_capability(&env), ("unknown".into(), false));
    let (_, name) = env.emu().unblocked_accounts(1)[0].clone();
    let out = cmd(&env, &["block", &format!("@{name}")]);
    assert_eq!(out.code, 5, "{}{}", out.stdout, out.stderr);
    assert_eq!(writes(&env), 1, "the block itself, and no probe");
    assert_eq!(whoami_capability(&env), ("read-only".into(), true));
    let plain = cmd(&env, &["whoami"]);
    assert!(
        plain.stdout.contains(
            "capability: read-only (X allows block writes only on the Enterprise plan); learned"
        ),
        "{}",
        plain.stdout
    );
    // Muting works on every plan: its answer says nothing about block writes.
    let target = env.emu().blocked_ids()[2].clone();
    let out = cmd(&env, &["mute", &target]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(whoami_capability(&env), ("read-only".into(), true));
    assert_eq!(writes(&env), 2, "whoami never probes");
}
