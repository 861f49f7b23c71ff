//! Hardening through the binary: profile names, foreign and loose dirs, planted links and
//! special files, size caps, secrets in errors (issue 11). Links and special files are decoys
//! made inside each test's own temp dir, never real `/dev` nodes or system files.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{run, Out};

const NOBODY: u32 = 65534;

/// A temp config dir and the binary pointed at it (an API base nobody listens on: these tests
/// must stop before any request).
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.tmp.path().join("cfg")
    }

    fn profile(&self) -> PathBuf {
        self.config().join("profiles/default")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xblocks"));
        for var in [
            "XBLOCKS_ACCESS_TOKEN",
            "XBLOCKS_PROFILE",
            "XBLOCKS_CLIENT_ID",
            "XBLOCKS_CLIENT_SECRET",
        ] {
            c.env_remove(var);
        }
        c.env("XBLOCKS_CONFIG_DIR", self.config())
            .env("XBLOCKS_API_BASE", "http://127.0.0.1:9")
            .env("XBLOCKS_AUTH_BASE", "http://127.0.0.1:9")
            .env("RUST_LOG", "debug")
            .args(args);
        c
    }

    fn xb(&self, args: &[&str]) -> Out {
        run(self.cmd(args))
    }

    /// Runs as `nobody` (the temp dir handed to it) when the tests run as root; `None` with a
    /// printed reason when that cannot be arranged.
    fn xb_unprivileged(&self, args: &[&str]) -> Option<Out> {
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: not root, so the test cannot act as another user");
            return None;
        }
        let mut c = self.cmd(args);
        std::os::unix::process::CommandExt::uid(&mut c, NOBODY);
        std::os::unix::process::CommandExt::gid(&mut c, NOBODY);
        c.env("HOME", self.tmp.path());
        Some(run(c))
    }

    /// Hands the whole temp dir to `nobody`.
    fn give_to_nobody(&self) {
        fn chown_all(p: &Path) {
            std::os::unix::fs::lchown(p, Some(NOBODY), Some(NOBODY)).unwrap();
            if p.is_dir() && !p.is_symlink() {
                for e in std::fs::read_dir(p).unwrap().flatten() {
                    chown_all(&e.path());
                }
            }
        }
        chown_all(self.tmp.path());
    }
}

fn mkdir(p: &Path, mode: u32) {
    std::fs::create_dir_all(p).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

/// The one error line a command ended with.
fn error_line(out: &Out) -> &str {
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let line = out.stderr.lines().last().unwrap_or_default();
    assert!(line.starts_with("xblocks: "), "{}", out.stderr);
    line
}

/// Runs `c` with a deadline: a command that hangs (a FIFO read) is killed and fails the test.
fn run_within(mut c: Command, limit: Duration) -> Out {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the command hung for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

const TOKEN: &str = r#"{"kind":"oauth2","access_token":"DECOY-ACCESS-TOKEN-123","scopes":[]}"#;

#[test]
fn profile_names_that_are_paths_are_usage_errors() {
    let d = Dir::new();
    let outside = d.tmp.path().join("outside");
    mkdir(&outside, 0o755);
    for bad in [
        "../../outside",
        outside.to_str().unwrap(),
        "",
        ".",
        "..",
        "a/b",
        &"x".repeat(65),
    ] {
        let out = d.xb(&["--profile", bad, "whoami"]);
        assert_eq!(out.code, 2, "--profile {bad:?}: {}", out.stderr);
        assert!(out.stderr.contains("profile name"), "{}", out.stderr);
    }
    let mut c = d.cmd(&["whoami"]);
    c.env("XBLOCKS_PROFILE", "../outside");
    assert_eq!(run(c).code, 2);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    assert_eq!(mode(&outside), 0o755, "an outside dir was chmodded");
    // A good name still works (not signed in: 77).
    assert_eq!(d.xb(&["--profile", "work.2-b_c", "whoami"]).code, 77);
}

#[test]
fn loose_config_dir_is_refused_with_the_fix_and_left_unchanged() {
    let d = Dir::new();
    mkdir(&d.config(), 0o777);
    let out = d.xb(&["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains(d.config().to_str().unwrap()) && line.contains("chmod go-w"),
        "{line}"
    );
    assert_eq!(mode(&d.config()), 0o777);
    assert!(!d.config().join("profiles").exists() && !d.config().join("logs").exists());

    let log_dir = d.config().join("logs");
    mkdir(&d.config(), 0o700);
    mkdir(&log_dir, 0o770);
    let line = error_line(&d.xb(&["whoami"])).to_string();
    assert!(line.contains(log_dir.to_str().unwrap()), "{line}");
    assert_eq!(mode(&log_dir), 0o770);
}

#[test]
fn foreign_profile_dir_is_refused_and_left_unchanged() {
    let d = Dir::new();
    mkdir(&d.config().join("profiles"), 0o700);
    d.give_to_nobody();
    // Another user (root here) planted the profile dir, with a token of theirs in it.
    mkdir(&d.profile(), 0o755);
    std::fs::write(d.profile().join("token.json"), TOKEN).unwrap();
    std::fs::set_permissions(
        d.profile().join("token.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let Some(out) = d.xb_unprivileged(&["whoami"]) else {
        return;
    };
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains(d.profile().to_str().unwrap()) && line.contains("another user"),
        "{line}"
    );
    assert_eq!(mode(&d.profile()), 0o755);
    assert_eq!(mode(&d.profile().join("token.json")), 0o644);
    assert_eq!(std::fs::metadata(d.profile()).unwrap().uid(), 0);
}

#[test]
fn planted_links_are_refused_and_their_targets_untouched() {
    let d = Dir::new();
    mkdir(&d.profile(), 0o700);
    let decoy = d.tmp.path().join("decoy-system-file");
    std::fs::write(&decoy, TOKEN).unwrap();
    std::fs::set_permissions(&decoy, std::fs::Permissions::from_mode(0o644)).unwrap();

    // token.json -> decoy: 0.1 chmodded the target to 0600 and used it.
    std::os::unix::fs::symlink(&decoy, d.profile().join("token.json")).unwrap();
    let out = d.xb(&["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains("token.json") && line.contains("symbolic link"),
        "{line}"
    );
    assert_eq!(mode(&decoy), 0o644);
    assert_eq!(std::fs::read_to_string(&decoy).unwrap(), TOKEN);
    std::fs::remove_file(d.profile().join("token.json")).unwrap();

    // The log file -> decoy: 0.1 appended its log lines to the target.
    let _ = std::fs::remove_file(d.config().join("logs/xblocks.log"));
    std::os::unix::fs::symlink(&decoy, d.config().join("logs/xblocks.log")).unwrap();
    let out = d.xb(&["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(
        line.contains("xblocks.log") && line.contains("symbolic link"),
        "{line}"
    );
    assert_eq!(std::fs::read_to_string(&decoy).unwrap(), TOKEN);
    assert_eq!(mode(&decoy), 0o644);
}

#[test]
fn special_and_oversized_private_files_are_refused_at_once() {
    let d = Dir::new();
    mkdir(&d.profile(), 0o700);
    let token = d.profile().join("token.json");

    // A FIFO: 0.1 blocked forever reading it.
    mkfifo(&token);
    let out = run_within(d.cmd(&["whoami"]), Duration::from_secs(20));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error_line(&out).contains("FIFO"), "{}", out.stderr);
    std::fs::remove_file(&token).unwrap();

    // A zero device made here (0.1 read /dev/zero until memory ran out).
    let c = std::ffi::CString::new(token.to_str().unwrap()).unwrap();
    if unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 5)) } == 0 {
        let out = run_within(d.cmd(&["whoami"]), Duration::from_secs(20));
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(
            error_line(&out).contains("character device"),
            "{}",
            out.stderr
        );
        std::fs::remove_file(&token).unwrap();
    } else {
        eprintln!("skipped the device case: mknod is not permitted here");
    }

    // Over 64 KB: damaged, said so without reading it all.
    let mut big = TOKEN.trim_end_matches('}').to_string();
    big.push_str(&format!(r#","pad":"{}"}}"#, "x".repeat(70_000)));
    std::fs::write(&token, big).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = d.xb(&["whoami"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error_line(&out).contains("64 KB"), "{}", out.stderr);
    std::fs::remove_file(&token).unwrap();

    // config.toml as a FIFO: login read it forever.
    mkfifo(&d.config().join("config.toml"));
    let out = run_within(
        d.cmd(&["login", "--no-browser", "--client-id", "x"]),
        Duration::from_secs(20),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        error_line(&out).contains("config.toml") && out.stderr.contains("FIFO"),
        "{}",
        out.stderr
    );
}

#[test]
fn errors_about_a_misshaped_token_file_quote_no_value() {
    let d = Dir::new();
    mkdir(&d.profile(), 0o700);
    let token = d.profile().join("token.json");
    let secret = "SECRET-ACCESS-TOKEN-0123456789";
    for body in [
        format!(r#"{{"kind":"oauth2","access_token":"{secret}","scopes":"{secret}"}}"#),
        format!(r#"{{"kind":"oauth2","access_token":"{secret}","expires_at":"{secret}"}}"#),
        format!(r#"{{"kind":"{secret}","access_token":"{secret}"}}"#),
    ] {
        std::fs::write(&token, body).unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = d.xb(&["whoami"]);
        assert_eq!(out.code, 77, "{}", out.stderr);
        let line = error_line(&out);
        assert!(
            line.contains("token.json") && line.contains("line 1"),
            "{line}"
        );
        assert!(!out.stderr.contains("SECRET"), "{}", out.stderr);
        let log = std::fs::read_to_string(d.config().join("logs/xblocks.log")).unwrap();
        assert!(log.contains("damaged") && !log.contains("SECRET"), "{log}");
    }
}

// ---- export -o: special files, missing folders, one export per path ----

fn signed_in(users: usize, tweak: impl FnOnce(&mut xblocks::emulator::Config)) -> common::Env {
    let env = common::Env::start(users, tweak);
    env.login();
    env
}

fn export_cmd(env: &common::Env, args: &[&str]) -> Command {
    let mut c = env.cmd();
    c.arg("export").args(args);
    c
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn export_streams_into_devices_fifos_and_process_substitution() {
    use std::os::unix::fs::FileTypeExt;
    let env = signed_in(2500, |_| {});
    let ids = env.emu().blocked_ids().join("\n") + "\n";
    let nodes = tempfile::tempdir().unwrap();

    // A null device made in the test's own dir (0.1 replaced it with a regular file).
    let null = nodes.path().join("null");
    let c = std::ffi::CString::new(null.to_str().unwrap()).unwrap();
    if unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) } == 0 {
        let out = run(export_cmd(&env, &["-o", null.to_str().unwrap()]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(std::fs::metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device());
        std::fs::remove_file(&null).unwrap();
    } else {
        eprintln!("skipped the device case: mknod is not permitted here");
    }

    // A FIFO with a reader: the reader gets every id, the FIFO stays a FIFO.
    let fifo = nodes.path().join("fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run_within(
        export_cmd(&env, &["-o", fifo.to_str().unwrap()]),
        Duration::from_secs(60),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Checked before joining: had the FIFO been replaced, its reader would wait forever.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(reader.join().unwrap(), ids);
    assert_eq!(
        names(nodes.path()),
        ["fifo"],
        "progress files left beside a FIFO"
    );

    // `-o >(cat > f)`: a /dev/fd path from the shell.
    let got = nodes.path().join("got.txt");
    let mut sh = Command::new("bash");
    for (k, v) in env.cmd().get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.env("XB", env!("CARGO_BIN_EXE_xblocks"))
        .env("GOT", &got)
        .args([
            "-c",
            r#""$XB" export -o >(cat > "$GOT"); code=$?; wait $!; exit $code"#,
        ]);
    let out = run(sh);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&got).unwrap(), ids);
}

#[test]
fn export_refuses_dirs_sockets_and_missing_folders_and_creates_nothing() {
    let env = signed_in(10, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let before = env.emu().request_log().len();

    let out = run(export_cmd(&env, &["-o", dir.path().to_str().unwrap()]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        error_line(&out).contains("is a directory"),
        "{}",
        out.stderr
    );

    let missing = dir.path().join("missing/x.csv");
    let out = run(export_cmd(&env, &["-o", missing.to_str().unwrap()]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error_line(&out).contains("mkdir -p"), "{}", out.stderr);
    assert!(
        !dir.path().join("missing").exists(),
        "the folder was created"
    );

    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let out = run(export_cmd(&env, &["-o", sock.to_str().unwrap()]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error_line(&out).contains("sock"), "{}", out.stderr);

    assert_eq!(
        env.emu().request_log().len(),
        before,
        "a refused export sent requests"
    );
    assert_eq!(names(dir.path()), ["sock"]);
}

#[test]
fn two_exports_to_one_file_the_second_is_refused_at_once() {
    // Slow pages, so the first export is still running when the second starts.
    let env = signed_in(6000, |c| c.faults = "delay-ms=400".parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("same.json");
    let o = out_path.to_str().unwrap();
    let mut first = export_cmd(&env, &["--format", "json", "-o", o])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = dir.path().join(".same.json.xblocks-partial.lock");
    let start = Instant::now();
    while !lock.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no lock appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let t = Instant::now();
    let second = run_within(
        export_cmd(&env, &["--format", "json", "-o", o]),
        Duration::from_secs(30),
    );
    assert!(t.elapsed() < Duration::from_secs(5), "not refused at once");
    assert_eq!(second.code, 1, "{}", second.stderr);
    let line = error_line(&second);
    assert!(
        line.contains("another xblocks export") && line.contains(&format!("pid {}", first.id())),
        "{line}"
    );
    let status = first.wait().unwrap();
    assert!(status.success());
    let got: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    let got: Vec<&str> = got.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(got, env.emu().blocked_ids(), "duplicates or losses");
    assert_eq!(
        names(dir.path()),
        ["same.json"],
        "lock or progress files left"
    );
}
