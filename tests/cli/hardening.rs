//! Hardening through the binary: profile names, foreign and loose dirs, planted links and
//! special files, size caps, secrets in errors (issue 11). Links and special files are decoys
//! made inside each test's own temp dir, never real `/dev` nodes or system files.

use crate::common;
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

// ---- bounded I/O: hung, dribbling and hostile servers (raw TCP on 127.0.0.1) ----

/// What the raw server does with each connection, after reading the request head.
type Behaviour = fn(&mut std::net::TcpStream, &str);

/// A tiny HTTP server on 127.0.0.1 answering every connection with `behaviour`; it stops
/// accepting after 50 connections or when dropped.
struct RawServer {
    base: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl RawServer {
    fn start(behaviour: Behaviour) -> Self {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            let mut served = 0;
            let deadline = Instant::now() + Duration::from_secs(120);
            while served < 50 && Instant::now() < deadline {
                if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                served += 1;
                std::thread::spawn(move || {
                    conn.set_nonblocking(false).unwrap();
                    conn.set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 65_536 {
                        match conn.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    behaviour(&mut conn, &String::from_utf8_lossy(&head));
                });
            }
        });
        Self { base, stop }
    }

    /// The binary against this server with a stand-in token (nothing to sign in).
    fn cmd(&self, d: &Dir, args: &[&str]) -> Command {
        let mut c = d.cmd(args);
        c.env("XBLOCKS_API_BASE", &self.base)
            .env("XBLOCKS_ACCESS_TOKEN", "stand-in-token");
        c
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Writes `bytes` one at a time, `gap` apart, until the client goes away (at most 60 s).
fn dribble(conn: &mut std::net::TcpStream, bytes: &[u8], gap: Duration) {
    use std::io::Write;
    for b in bytes.iter().cycle().take(200) {
        if conn.write_all(&[*b]).is_err() {
            return;
        }
        std::thread::sleep(gap);
    }
}

const ME: &str = r#"{"data":{"id":"2244994945","name":"Me","username":"me_here"}}"#;

#[test]
fn hung_and_dribbling_servers_end_in_one_cannot_reach_line() {
    let silent = RawServer::start(|_, _| std::thread::sleep(Duration::from_secs(60)));
    let slow_headers = RawServer::start(|c, _| {
        dribble(
            c,
            b"HTTP/1.1 200 OK\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            Duration::from_millis(200),
        )
    });
    let slow_body = RawServer::start(|c, _| {
        use std::io::Write;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            ME.len()
        );
        let _ = c.write_all(head.as_bytes());
        dribble(c, ME.as_bytes(), Duration::from_millis(300));
    });
    let d = Dir::new();
    let runs: Vec<_> = [&silent, &slow_headers, &slow_body]
        .into_iter()
        .map(|server| {
            let mut c = server.cmd(&d, &["whoami"]);
            c.env("XBLOCKS_REQUEST_TIMEOUT", "2");
            std::thread::spawn(move || {
                let t = Instant::now();
                (run_within(c, Duration::from_secs(60)), t.elapsed())
            })
        })
        .collect();
    for (i, r) in runs.into_iter().enumerate() {
        let (out, took) = r.join().unwrap();
        assert_eq!(out.code, 1, "server {i}: {}", out.stderr);
        let line = error_line(&out);
        assert!(
            line.contains("cannot reach the X API") && line.contains("timed out"),
            "server {i}: {line}"
        );
        // Three tries of at most 2 s each, with short pauses between them.
        assert!(took < Duration::from_secs(20), "server {i} took {took:?}");
    }
}

#[test]
fn huge_and_endless_bodies_are_a_normal_error() {
    let announced = RawServer::start(|c, _| {
        use std::io::Write;
        let _ = c.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n{\"data\":",
        );
        std::thread::sleep(Duration::from_secs(5));
    });
    let endless = RawServer::start(|c, _| {
        use std::io::Write;
        let _ = c.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        // At most 64 MB, far past the cap; stops when the client hangs up.
        for _ in 0..1024 {
            if c.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let d = Dir::new();
    for server in [&announced, &endless] {
        let mut c = server.cmd(&d, &["whoami"]);
        c.env("XBLOCKS_REQUEST_TIMEOUT", "30")
            .env("RUST_BACKTRACE", "1");
        let out = run_within(c, Duration::from_secs(60));
        assert_eq!(out.code, 1, "{}", out.stderr);
        let line = error_line(&out);
        assert!(line.contains("larger than 16 MB"), "{line}");
        assert!(!out.stderr.contains("backtrace") && !out.stderr.contains("memory allocation"));
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

/// `/2/users/me` answers; the block list answers 429 with the headers in `extra`.
fn rate_limited(c: &mut std::net::TcpStream, head: &str, extra: &str) {
    use std::io::Write;
    let (status, body) = if head.starts_with("GET /2/users/me") {
        ("200 OK", ME.to_string())
    } else {
        (
            "429 Too Many Requests",
            r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#.to_string(),
        )
    };
    let _ = write!(
        c,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn absurd_rate_limit_resets_are_clamped_and_shown_with_a_countdown() {
    let year_5126 = RawServer::start(|c, head| {
        rate_limited(
            c,
            head,
            "x-rate-limit-limit: 15\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: 99999999999\r\n",
        )
    });
    let huge_retry_after =
        RawServer::start(|c, head| rate_limited(c, head, "retry-after: 99999999999\r\n"));
    let d = Dir::new();
    for server in [&year_5126, &huge_retry_after] {
        // --no-wait: the error names a wait of at most one window, not 3,100 years.
        let out = run_within(
            server.cmd(&d, &["--no-wait", "export"]),
            Duration::from_secs(30),
        );
        assert_eq!(out.code, 3, "{}", out.stderr);
        let line = error_line(&out);
        let secs: u64 = line
            .split("(in ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no countdown in {line}"));
        assert!((800..=901).contains(&secs), "{line}");

        // Waiting: the wait says X sent a bad reset, with the countdown; then it is stopped.
        let mut child = server
            .cmd(&d, &["export"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let t = Instant::now();
        while !line.contains("waiting until") && t.elapsed() < Duration::from_secs(30) {
            line.clear();
            if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            line.contains("X sent a bad reset") && line.contains(" s left"),
            "{line}"
        );
    }
    // A reset that cannot be read (and no Retry-After) is a bad reset too: a bounded minute.
    let garbage = RawServer::start(|c, head| {
        rate_limited(
            c,
            head,
            "x-rate-limit-limit: 15\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: soon\r\n",
        )
    });
    let mut child = garbage
        .cmd(&d, &["export"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let t = Instant::now();
    while !line.contains("waiting until") && t.elapsed() < Duration::from_secs(30) {
        line.clear();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        line.contains("X sent a bad reset, so the wait is bounded"),
        "{line}"
    );
    let left: u64 = line
        .split(" s left")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no countdown in {line}"));
    assert!(left <= 62, "a bounded minute: {line}");
}

// ---- process: no core dumps, no secret flags, a loopback emulator ----

#[test]
fn the_process_is_not_dumpable_and_has_no_core_limit() {
    let d = Dir::new();
    d.give_to_nobody();
    let mut c = d.cmd(&[
        "emulator",
        "--users",
        "5",
        "--token",
        "SECRET-PRE-ISSUED-TOKEN",
    ]);
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::process::CommandExt::uid(&mut c, NOBODY);
        std::os::unix::process::CommandExt::gid(&mut c, NOBODY);
    } else {
        eprintln!("not root: only the core limit is checked, not the owner of /proc/PID");
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    let limits = std::fs::read_to_string(proc_dir.join("limits")).unwrap();
    let owner = std::fs::metadata(proc_dir.join("status")).unwrap().uid();
    child.kill().unwrap();
    child.wait().unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    if unsafe { libc::geteuid() } == 0 {
        // A non-dumpable process's /proc files belong to root, not to the user running it.
        assert_eq!(owner, 0, "the process is dumpable");
    }
}

#[test]
fn app_secrets_are_never_flags() {
    let d = Dir::new();
    for args in [
        &[
            "login",
            "--no-browser",
            "--client-id",
            "c",
            "--client-secret",
            "S3CRET",
        ][..],
        &[
            "login",
            "--oauth1",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "S3CRET",
        ][..],
    ] {
        let out = d.xb(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("unexpected argument"), "{}", out.stderr);
    }
    // From the environment or config.toml instead: the oauth1 flow gets past the secret check.
    mkdir(&d.config(), 0o700);
    std::fs::write(
        d.config().join("config.toml"),
        "consumer_key = \"k\"\nconsumer_secret = \"S3CRET\"\n",
    )
    .unwrap();
    let out = run_within(
        d.cmd(&["login", "--oauth1", "--no-browser"]),
        Duration::from_secs(60),
    );
    assert!(
        !out.stderr.contains("needs your app's consumer key"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("S3CRET"), "{}", out.stderr);
}

#[test]
fn the_emulator_stays_on_loopback_and_needs_a_window() {
    let d = Dir::new();
    for args in [
        &["emulator", "--addr", "0.0.0.0:0"][..],
        &["emulator", "--addr", "[::]:0"][..],
    ] {
        let out = run_within(d.cmd(args), Duration::from_secs(20));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            error_line(&out).contains("--allow-remote"),
            "{}",
            out.stderr
        );
        assert!(!out.stdout.contains("listening"), "{}", out.stdout);
    }
    for args in [
        &["emulator", "--window-secs", "0"][..],
        &["demo", "--window-secs", "0"][..],
    ] {
        let out = run_within(d.cmd(args), Duration::from_secs(20));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("window-secs"), "{}", out.stderr);
    }
}

#[test]
fn a_planted_progress_file_link_beside_the_export_is_never_written_through() {
    let env = signed_in(10, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let decoy = dir.path().join("decoy");
    std::fs::write(&decoy, "precious\n").unwrap();
    for suffix in [".jsonl", ".json"] {
        let planted = dir.path().join(format!(".out.ids.xblocks-partial{suffix}"));
        std::os::unix::fs::symlink(&decoy, &planted).unwrap();
        let out = run(export_cmd(
            &env,
            &["-o", dir.path().join("out.ids").to_str().unwrap()],
        ));
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        assert_eq!(std::fs::read_to_string(&decoy).unwrap(), "precious\n");
        let _ = std::fs::remove_file(&planted);
        let _ = std::fs::remove_file(dir.path().join("out.ids"));
    }
}
