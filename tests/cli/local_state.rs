//! Local state: two xblocks processes on one profile (one works, the other is refused at once,
//! nothing is lost), and a config dir that is missing, read-only, or holds a corrupt
//! `token.json`, `queue.jsonl` or database: one clear line naming the file and the fix, the
//! documented exit code, no panic, and the file left exactly as it was.

use crate::common;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{run, Env, Out};

fn profile(env: &Env) -> PathBuf {
    env.config_dir().join("profiles/default")
}

/// The error a command ended with: its last stderr line, which must be the `xblocks:` one.
fn error_line(out: &Out) -> &str {
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let line = out.stderr.lines().last().unwrap_or_default();
    assert!(line.starts_with("xblocks: "), "{}", out.stderr);
    line
}

fn xb(env: &Env, args: &[&str]) -> Out {
    let mut c = env.cmd();
    c.args(args);
    run(c)
}

/// Successful unblocks per target in the request log.
fn unblocks(env: &Env) -> std::collections::HashMap<String, usize> {
    let mut out = std::collections::HashMap::new();
    for r in env.emu().request_log() {
        if r.method == "DELETE" && r.path.contains("/blocking/") && r.status == 200 {
            *out.entry(r.path.rsplit('/').next().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    out
}

fn writes_sent(env: &Env, from: usize) -> usize {
    env.emu().request_log()[from..]
        .iter()
        .filter(|r| r.method == "DELETE" || r.method == "POST")
        .filter(|r| r.path.contains("/blocking"))
        .count()
}

#[test]
fn two_imports_on_one_profile_one_runs_the_other_is_refused_at_once() {
    let env = Env::start(120, |c| c.faults = "delay-ms=25".parse().unwrap());
    env.login();
    let (me, _) = env.emu().me();
    let blocked = env.emu().blocked_ids();
    let (a, b) = (&blocked[..20], &blocked[20..30]);
    let (fa, fb) = (
        env.config_dir().join("a.txt"),
        env.config_dir().join("b.txt"),
    );
    std::fs::write(&fa, a.join("\n")).unwrap();
    std::fs::write(&fb, b.join("\n")).unwrap();

    let mut first = env.cmd();
    first
        .args(["import", "--unblock"])
        .arg(&fa)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut first = first.spawn().unwrap();
    // Wait until the first one is writing (it holds the lock from before its first request).
    let until = Instant::now() + Duration::from_secs(60);
    while unblocks(&env).is_empty() {
        assert!(Instant::now() < until, "the first import never wrote");
        std::thread::sleep(Duration::from_millis(5));
    }
    let from = env.emu().request_log().len();
    for args in [
        &["import", "--unblock", fb.to_str().unwrap()][..],
        &["undo"],
    ] {
        let out = xb(&env, args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        let line = error_line(&out);
        // The holder is named (pid and command); another profile is another account, so
        // --profile is no fix.
        assert!(
            line.contains("another xblocks")
                && line.contains(&format!("pid {}", first.id()))
                && line.contains("`xblocks import`")
                && !line.contains("--profile"),
            "{line}"
        );
    }
    // Reading is safe alongside: export works while the import runs.
    let out = xb(&env, &["export"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first import ended before the others were tried"
    );
    let refused_writes = env.emu().request_log()[from..]
        .iter()
        .filter(|r| r.method != "GET" && !r.path.ends_with(&format!("/blocking/{me}")))
        .filter(|r| r.path.contains("/blocking/") && b.iter().any(|t| r.path.ends_with(t)))
        .count();
    assert_eq!(refused_writes, 0, "the refused import wrote");
    assert!(first.wait().unwrap().success());

    // The refused one, run again, does its work; every target written exactly once.
    let out = xb(&env, &["import", "--unblock", fb.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let w = unblocks(&env);
    for t in a.iter().chain(b) {
        assert_eq!(w.get(t), Some(&1), "{t}");
    }
    let now = env.emu().blocked_ids();
    assert_eq!(now, blocked[30..].to_vec());
}

/// Makes `c` run as an unprivileged owner of the config dir when the tests run as root, so
/// that file modes are enforced.
fn unprivileged(env: &Env, c: &mut Command) {
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    fn chown_all(p: &Path) {
        std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap();
        if p.is_dir() {
            for e in std::fs::read_dir(p).unwrap().flatten() {
                chown_all(&e.path());
            }
        }
    }
    chown_all(env.config_dir());
    c.uid(65534).gid(65534).env("HOME", env.config_dir());
}

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
        }
    }
    out.sort();
    out
}

#[test]
fn read_only_config_dir_reads_work_and_writes_fail_with_one_clear_line() {
    let env = Env::enterprise(30);
    env.login();
    assert_eq!(xb(&env, &["export"]).code, 0);
    let list = env.config_dir().join("list.txt");
    std::fs::write(&list, env.emu().blocked_ids()[..3].join("\n")).unwrap();
    let before = snapshot(env.config_dir());
    let prof = profile(&env);
    let dirs = [
        env.config_dir().to_path_buf(),
        env.config_dir().join("profiles"),
        prof.clone(),
        env.config_dir().join("logs"),
    ];
    for (p, _) in &before {
        set_mode(p, 0o400);
    }
    for d in &dirs {
        set_mode(d, 0o500);
    }
    let ro = |args: &[&str]| {
        let mut c = env.cmd();
        c.args(args);
        unprivileged(&env, &mut c);
        run(c)
    };

    let out = ro(&["export"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().collect::<Vec<_>>(),
        env.emu().blocked_ids()
    );
    assert!(!out.stderr.contains("panicked"));
    assert_eq!(ro(&["whoami"]).code, 0);

    let from = env.emu().request_log().len();
    let out = ro(&["import", "--unblock", list.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains(prof.to_str().unwrap())
            && (line.contains("ermission denied") || line.contains("read-only")),
        "{line}"
    );
    assert!(line.contains("writable"), "no fix named: {line}");
    assert_eq!(writes_sent(&env, from), 0);

    // A refresh that could not be saved is not made (it would burn the stored refresh token):
    // one clear line naming the token file; once writable, the same command works.
    env.emu().expire_access_tokens();
    let from = env.emu().request_log().len();
    let out = ro(&["export", "--live"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains(prof.join("token.json").to_str().unwrap()) && line.contains("writable"),
        "{line}"
    );
    assert!(
        !env.emu().request_log()[from..]
            .iter()
            .any(|r| r.path == "/2/oauth2/token"),
        "the refresh token was spent"
    );

    for d in &dirs {
        set_mode(d, 0o700);
    }
    assert_eq!(snapshot(env.config_dir()), before, "a file changed");
    let out = ro(&["export"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn missing_config_dir_says_sign_in_first() {
    let env = Env::enterprise(5);
    let missing = env.config_dir().join("not/yet/there");
    for args in [&["export"][..], &["whoami"], &["undo"]] {
        let mut c = env.cmd();
        c.env("XBLOCKS_CONFIG_DIR", &missing).args(args);
        let out = run(c);
        let expected = if args == ["undo"] { 0 } else { 77 };
        assert_eq!(out.code, expected, "{args:?}: {}", out.stderr);
        if expected == 77 {
            assert!(error_line(&out).contains("xblocks login"), "{}", out.stderr);
        }
    }
    let file = env.config_dir().join("list.txt");
    std::fs::write(&file, "12\n").unwrap();
    let mut c = env.cmd();
    c.env("XBLOCKS_CONFIG_DIR", &missing)
        .args(["import"])
        .arg(&file);
    let out = run(c);
    assert_eq!(out.code, 77, "{}", out.stderr);
    assert!(error_line(&out).contains("xblocks login"));
    assert!(env.emu().request_log().is_empty());
}

#[test]
fn corrupt_token_file_is_named_with_the_fix_and_kept() {
    let env = Env::enterprise(5);
    env.login();
    let token = env.token_path();
    let bad = b"{\"kind\":\"oauth2\",\"access_token\":\"tru";
    std::fs::write(&token, bad).unwrap();
    for args in [&["export"][..], &["whoami"], &["import", "--dry-run", "x"]] {
        let out = xb(&env, args);
        if args[0] == "import" {
            // The file argument is read first: a clear error about it, not the token.
            assert_eq!(out.code, 1, "{}", out.stderr);
            continue;
        }
        assert_eq!(out.code, 77, "{args:?}: {}", out.stderr);
        let line = error_line(&out);
        assert!(
            line.contains(token.to_str().unwrap()) && line.contains("xblocks login"),
            "{line}"
        );
        assert_eq!(
            std::fs::read(&token).unwrap(),
            bad,
            "the token file was touched"
        );
    }
    // logout clears it so login can start over.
    let out = xb(&env, &["logout"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("damaged"), "{}", out.stderr);
    assert!(!token.exists());
}

/// A 0.1 `queue.jsonl` line: a job added with its state.
fn old_add(id: u64, batch: &str, target: &str, action: &str, state: &str) -> String {
    format!(
        r#"{{"op":"add","id":{id},"batch":"{batch}","target":"{target}","username":"u{target}","action":"{action}","state":"{state}"}}"#
    )
}

#[test]
fn a_corrupt_0_1_queue_is_refused_by_line_and_never_overwritten() {
    let env = Env::enterprise(40);
    env.login();
    let blocked = env.emu().blocked_ids();
    let queue = profile(&env).join("queue.jsonl");
    let bad = [
        old_add(1, "import-a", &blocked[0], "unblock", "pending"),
        old_add(2, "import-a", &blocked[1], "unblock", "pending"),
        "{\"this is\": not json".to_string(),
        old_add(3, "import-a", &blocked[2], "unblock", "pending"),
    ]
    .join("\n")
        + "\n";
    std::fs::write(&queue, &bad).unwrap();
    let list = env.config_dir().join("list.txt");
    std::fs::write(&list, blocked[4..8].join("\n")).unwrap();
    let from = env.emu().request_log().len();
    for args in [
        &["import", "--unblock", list.to_str().unwrap()][..],
        &["undo"],
        &["export", "--cached"],
    ] {
        let out = xb(&env, args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        let line = error_line(&out);
        assert!(
            line.contains(queue.to_str().unwrap()) && line.contains("line 3"),
            "{line}"
        );
        assert!(line.contains("move it aside"), "{line}");
        assert_eq!(std::fs::read_to_string(&queue).unwrap(), bad);
    }
    assert_eq!(writes_sent(&env, from), 0, "writes were sent");
    assert_eq!(env.emu().blocked_ids(), blocked);
}

#[test]
fn a_0_1_profile_is_imported_once_with_nothing_lost() {
    let env = Env::enterprise(40);
    env.login();
    let blocked = env.emu().blocked_ids();
    let dir = profile(&env);
    // The queue: jobs in every state, one changed by a later line, a torn tail.
    let queue = [
        old_add(1, "import-a", &blocked[10], "block", "done"),
        old_add(2, "import-a", &blocked[11], "block", "not-found"),
        old_add(3, "tui-b", &blocked[12], "unblock", "pending"),
        old_add(4, "tui-b", &blocked[13], "unblock", "in-flight"),
        r#"{"op":"add","id":5,"batch":"tui-b","target":"55","action":"mute","state":"failed","reason":"X said no"}"#.to_string(),
        old_add(6, "tui-b", &blocked[14], "unblock", "pending"),
        r#"{"op":"set","id":6,"state":"cancelled"}"#.to_string(),
    ]
    .join("\n")
        + "\n{\"op\":\"se";
    std::fs::write(dir.join("queue.jsonl"), queue).unwrap();
    let log = [
        r#"{"at":"2026-11-20T10:00:00Z","batch":"import-a","target":"11","username":"eleven","action":"block","result":"done"}"#,
        r#"{"at":"2026-11-20T10:00:01Z","batch":"import-a","target":"12","action":"block","result":"not-found","request_id":"r-2"}"#,
    ]
    .join("\n")
        + "\n";
    std::fs::write(dir.join("actions.jsonl"), log).unwrap();
    std::fs::create_dir_all(dir.join("cache")).unwrap();
    let snapshot = |at: &str, ids: &[&String], first: &str| {
        let accounts: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    r#"{{"id":"{id}","name":"N{id}","username":"h{id}","parody":true,"first_seen":"{first}"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"format":1,"synced_at":"{at}","accounts":[{}]}}"#,
            accounts.join(",")
        )
    };
    let (b0, b1, b2) = (&blocked[0], &blocked[1], &blocked[2]);
    std::fs::write(
        dir.join("cache/blocking.previous.json"),
        snapshot("2026-10-01T00:00:00Z", &[b1, b2], "2026-09-01T00:00:00Z"),
    )
    .unwrap();
    std::fs::write(
        dir.join("cache/blocking.json"),
        snapshot("2026-11-01T00:00:00Z", &[b0, b1], "2026-10-15T00:00:00Z"),
    )
    .unwrap();
    std::fs::write(dir.join("unblock-later.txt"), "77\n78\n").unwrap();
    std::fs::write(dir.join("lock"), "").unwrap();

    // First use: a reader (offline) sees the cached list with its dates.
    let out = xb(&env, &["export", "--cached", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    assert!(rows[0].starts_with(&format!("{b0},h{b0},")), "{}", rows[0]);
    assert!(rows[0].contains(",2026-10-15T00:00:00Z"), "{}", rows[0]);
    assert!(
        rows[1].starts_with(&format!("{b1},")) && rows[1].contains(",2026-09-01T00:00:00Z"),
        "first_seen is the earliest: {}",
        rows[1]
    );
    let out = xb(&env, &["export", "--cached", "--format", "json"]);
    assert!(
        out.stdout.contains("\"parody\": true") || out.stdout.contains("\"parody\":true"),
        "{}",
        out.stdout
    );

    // Every file was renamed; nothing is imported twice.
    for f in [
        "queue.jsonl",
        "actions.jsonl",
        "cache",
        "unblock-later.txt",
        "lock",
    ] {
        assert!(!dir.join(f).exists(), "{f} still there");
        assert!(
            dir.join(format!("{f}.migrated")).exists(),
            "{f}.migrated missing"
        );
    }
    assert_eq!(xb(&env, &["export", "--cached"]).code, 0);
    let store = xblocks::store::db::Store::open(&dir).unwrap();
    let jobs = store.all_jobs().unwrap();
    let states: Vec<(String, String)> = jobs
        .iter()
        .map(|j| (j.target.clone(), j.state.log_result()))
        .collect();
    assert_eq!(
        states,
        [
            (blocked[10].clone(), "done".to_string()),
            (blocked[11].clone(), "not-found".into()),
            (blocked[12].clone(), "pending".into()),
            (blocked[13].clone(), "in-flight".into()),
            ("55".into(), "failed: X said no".into()),
            (blocked[14].clone(), "cancelled".into()),
            ("77".into(), "pending".into()),
            ("78".into(), "pending".into()),
        ]
    );
    assert_eq!(
        jobs[0].username.as_deref(),
        Some(format!("u{}", blocked[10]).as_str())
    );
    let log = store.log_entries().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].request_id.as_deref(), Some("r-2"));
    assert_eq!(log[0].username.as_deref(), Some("eleven"));
    let diff = store.diff_since_previous_full().unwrap();
    assert_eq!(diff.gone.iter().map(|u| &u.id).collect::<Vec<_>>(), [b2]);
    assert_eq!(diff.new.iter().map(|u| &u.id).collect::<Vec<_>>(), [b0]);
    // The migrated log is the source of undo.
    let out = xb(&env, &["undo", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("undo batch import-a: 1 account to unblock"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_damaged_database_is_refused_untouched_until_moved_aside() {
    let env = Env::enterprise(30);
    env.login();
    assert_eq!(xb(&env, &["export"]).code, 0);
    let db = profile(&env).join("xblocks.db");
    let good = std::fs::read(&db).unwrap();
    assert!(good.len() > 8192);
    let cut = &good[..good.len() / 2];
    let noise: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 253) as u8).collect();
    for bad in [cut, &noise[..]] {
        std::fs::write(&db, bad).unwrap();
        for args in [&["export"][..], &["export", "--cached"]] {
            let out = xb(&env, args);
            assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
            let line = error_line(&out);
            assert!(line.contains(db.to_str().unwrap()), "{line}");
            assert!(line.contains("move it aside"), "{line}");
            assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
            assert_eq!(std::fs::read(&db).unwrap(), bad, "the database was touched");
        }
    }
    // Following the advice (move it aside, export online) rebuilds it.
    std::fs::rename(&db, profile(&env).join("xblocks.db.damaged")).unwrap();
    assert_eq!(xb(&env, &["export"]).code, 0);
    let out = xb(&env, &["export", "--cached"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 30);
}
