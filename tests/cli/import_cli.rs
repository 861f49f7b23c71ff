//! `xblocks import` through the binary against the in-process emulator: plan and dry run,
//! malformed files, pacing within the write limit, and kill -9 in the middle then resume with
//! every target written exactly once.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use xblocks::emulator::{self, Config, Emulator};

use crate::common::{output, text, xblocks, SCOPES};

/// Write requests per target id: (method, target) → count, for the blocking endpoints.
fn writes(emu: &Emulator) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for r in emu.request_log() {
        let is_unblock = r.method == "DELETE" && r.path.contains("/blocking/");
        if is_unblock && r.status == 200 {
            let target = r.path.rsplit('/').next().unwrap().to_string();
            *out.entry(target).or_default() += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_plans_and_changes_nothing_and_malformed_files_run_nothing() {
    let emu = emulator::start(Config {
        users: 50,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let blocked = emu.blocked_ids();
    let others = emu.unblocked_accounts(2);
    let me = emu.me();
    let file = dir.path().join("list.txt");
    std::fs::write(
        &file,
        format!(
            "{}\n@{}\n{}\n@nobody_at_all_x\n{}\n{}\n",
            blocked[0], others[0].1, others[1].0, me.0, blocked[0]
        ),
    )
    .unwrap();

    // The database knows the block list; the other four are unknown to it. A dry run names
    // them with what looking them up would cost, and sends nothing at all.
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("sync");
    assert!(output(c).await.status.success());
    let requests = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--dry-run"]).arg(&file);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in [
        "lookup at X: 4 accounts in 2 requests, at most $0.040 on pay-per-use ($0.010 a user looked up)",
        "to block: 0",
        "already blocked: 1",
        "not looked up (--dry-run sends nothing; --look-up asks X): 4",
        "duplicates: 1",
        "dry run: nothing was sent or changed",
    ] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    assert_eq!(
        emu.request_log().len(),
        requests,
        "a dry run sent a request"
    );
    assert_eq!(emu.blocked_ids(), blocked, "dry run changed the list");
    // Asked to, a dry run looks them up (the cost first), and still writes nothing.
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--dry-run", "--look-up"]).arg(&file);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in [
        "lookup at X: 4 accounts",
        "to block: 2",
        "not found: 1 (@nobody_at_all_x)",
    ] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    assert!(
        !emu.request_log()
            .iter()
            .any(|r| r.method != "GET" && r.path.contains("/blocking")),
        "a dry run sent a write"
    );
    assert_eq!(emu.blocked_ids(), blocked, "dry run changed the list");
    // Run for real, the plan says the lookup first, then what X answered.
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("import").arg(&file);
    let o = output(c).await;
    let t = text(&o);
    // Like `block @nosuch`: the others are written, then exit 4 for the one X does not know.
    assert_eq!(o.status.code(), Some(4), "{t}");
    assert!(t.contains("1 account not found at X"), "{t}");
    for line in [
        "lookup at X: 4 accounts",
        "to block: 2",
        "already blocked: 1",
        "not found: 1 (@nobody_at_all_x)",
        "self: 1",
        "duplicates: 1",
    ] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    let look_up = t.find("lookup at X").unwrap();
    assert!(look_up < t.find("to block: 2").unwrap(), "{t}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,username\n1,a\nnot-an-id,b\n3,c\n").unwrap();
    let before = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("import").arg(&bad);
    let o = output(c).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("bad.csv:3:"), "{t}");
    assert!(t.contains("nothing was changed"), "{t}");
    assert_eq!(
        emu.request_log().len(),
        before,
        "a malformed file sent requests"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_is_paced_without_429_and_kill_9_resumes_writing_each_target_once() {
    // 60 unblocks with a write limit of 50 per (2 s) window: the run must wait for a window,
    // never be refused. Latency on every request leaves time to kill it in the middle.
    let emu = emulator::start(Config {
        users: 200,
        window_secs: 2,
        faults: "delay-ms=40".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let targets: Vec<String> = emu.blocked_ids().into_iter().take(60).collect();
    let file = dir.path().join("unblock.txt");
    std::fs::write(&file, targets.join("\n")).unwrap();

    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until some, not all, targets are written, then kill -9.
    let mut waited = 0;
    while writes(&emu).len() < 10 && waited < 600 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = writes(&emu).len();
    assert!((10..60).contains(&partial), "killed after {partial} writes");

    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"]).arg(&file);
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));

    let w = writes(&emu);
    for t in &targets {
        assert_eq!(
            w.get(t),
            Some(&1),
            "target {t} written {:?} times",
            w.get(t)
        );
    }
    let still: Vec<String> = emu.blocked_ids();
    assert!(
        targets.iter().all(|t| !still.contains(t)),
        "a target is still blocked"
    );
    let refused = emu
        .request_log()
        .iter()
        .filter(|r| r.status == 429 && r.path.contains("/blocking"))
        .count();
    assert_eq!(refused, 0, "pacing let a write be refused with 429");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_restores_the_previous_list_exactly() {
    let emu = emulator::start(Config {
        users: 80,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let mut before = emu.blocked_ids();
    before.sort();
    let others = emu.unblocked_accounts(3);

    // One import unblocks 5, a later one blocks 3 new accounts; undo reverts the later one.
    let unblock = dir.path().join("unblock.txt");
    std::fs::write(&unblock, before[..5].join("\n")).unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"]).arg(&unblock);
    assert!(output(c).await.status.success());
    let mut after_first = emu.blocked_ids();
    after_first.sort();

    let block = dir.path().join("block.txt");
    let handles: Vec<String> = others.iter().map(|(_, h)| format!("@{h}")).collect();
    std::fs::write(&block, handles.join("\n")).unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("import").arg(&block);
    assert!(output(c).await.status.success());
    assert_eq!(emu.blocked_ids().len(), after_first.len() + 3);

    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["undo", "--dry-run"]);
    let o = output(c).await;
    assert!(text(&o).contains("3 accounts to unblock"), "{}", text(&o));
    assert_eq!(emu.blocked_ids().len(), after_first.len() + 3);

    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("undo");
    let o = output(c).await;
    assert!(o.status.success(), "{}", text(&o));
    let mut now = emu.blocked_ids();
    now.sort();
    assert_eq!(now, after_first, "undo did not restore the list");

    // Undoing again undoes the undo: the 3 are blocked again.
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("undo");
    assert!(output(c).await.status.success());
    assert_eq!(emu.blocked_ids().len(), after_first.len() + 3);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_uses_a_fresh_cache_but_not_for_accounts_written_since() {
    let emu = emulator::start(Config {
        users: 300,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = emu.issue_token(SCOPES);
    let dir = tempfile::tempdir().unwrap();
    let blocked = emu.blocked_ids();

    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["export", "-o"]).arg(dir.path().join("all.txt"));
    assert!(output(c).await.status.success());

    // Unblock two through an import: the cache still lists them, the action log does not.
    let two = dir.path().join("two.txt");
    std::fs::write(&two, blocked[..2].join("\n")).unwrap();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--unblock"]).arg(&two);
    assert!(output(c).await.status.success());

    let list = dir.path().join("list.txt");
    std::fs::write(&list, blocked[..50].join("\n")).unwrap();
    let lookups = || {
        emu.request_log()
            .iter()
            .filter(|r| r.path == "/2/users")
            .count()
    };
    let lookups_before = lookups();
    // The dry run names the two it would look up, with the cost, and asks X nothing.
    let requests_before = emu.request_log().len();
    let mut c = xblocks(&emu, &token, dir.path());
    c.args(["import", "--dry-run"]).arg(&list);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("48 accounts resolved from the local database"),
        "{t}"
    );
    assert!(
        t.contains("lookup at X: 2 accounts in 1 request, at most $0.020"),
        "{t}"
    );
    assert!(t.contains("already blocked: 48"), "{t}");
    assert_eq!(
        emu.request_log().len(),
        requests_before,
        "a dry run sends nothing"
    );
    // The import itself looks up only those two.
    let mut c = xblocks(&emu, &token, dir.path());
    c.arg("import").arg(&list);
    let o = output(c).await;
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("to block: 2"), "{t}");
    assert!(t.contains("already blocked: 48"), "{t}");
    assert_eq!(
        lookups() - lookups_before,
        1,
        "only the two written since the sync are looked up"
    );
    emu.shutdown().await;
}
