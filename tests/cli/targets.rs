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
