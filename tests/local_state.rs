//! Local state: two xblocks processes on one profile (one works, the other is refused at once,
//! nothing is lost), and a config dir that is missing, read-only, or holds a corrupt
//! `token.json`, `queue.jsonl` or database: one clear line naming the file and the fix, the
//! documented exit code, no panic, and the file left exactly as it was.

mod common;

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
        assert!(
            line.contains("another xblocks") && line.contains("--profile"),
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
        line.contains(prof.to_str().unwrap()) && line.contains("ermission denied"),
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

#[test]
fn corrupt_queue_is_refused_by_line_and_never_overwritten() {
    let env = Env::enterprise(40);
    env.login();
    let blocked = env.emu().blocked_ids();
    let list = env.config_dir().join("list.txt");
    std::fs::write(&list, blocked[..4].join("\n")).unwrap();
    assert_eq!(
        xb(&env, &["import", "--unblock", list.to_str().unwrap()]).code,
        0
    );
    let queue = profile(&env).join("queue.jsonl");
    let text = std::fs::read_to_string(&queue).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");
    lines.insert(2, "{\"this is\": not json");
    let bad = format!("{}\n", lines.join("\n"));
    std::fs::write(&queue, &bad).unwrap();

    std::fs::write(&list, blocked[4..8].join("\n")).unwrap();
    let from = env.emu().request_log().len();
    for args in [
        &["import", "--unblock", list.to_str().unwrap()][..],
        &["undo"],
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
    assert_eq!(env.emu().blocked_ids(), blocked[4..].to_vec());
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
