//! The fault matrix: every operation (export as ids and as json, `import --unblock`, `undo`)
//! under every fault we can produce (5xx, dropped connections, latency, truncated JSON, an
//! access token expiring mid-run, the sign-in revoked mid-run, a 429 storm, SIGTERM / SIGKILL /
//! SIGHUP at a seeded random point). Each cell either completes with the exact result, or stops
//! with a documented exit code (and a one-line message when the process could say one) and then
//! the same command again completes with the exact result. Writes are counted in the
//! emulator's request log: each planned target is written exactly once over all runs.

use crate::common;
use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::Env;
use rand::{Rng, SeedableRng};
use xblocks::emulator::Config;

/// Accounts each import / undo writes.
const TARGETS: usize = 12;

#[derive(Clone, Copy, Debug)]
enum Op {
    ExportIds,
    ExportJson,
    Import,
    Undo,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    ServerErrors,
    Resets,
    Latency,
    Truncated,
    Expired,
    Revoked,
    Storm,
    Signal(i32),
}

/// How one run of the command ended.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {:?} signal {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code,
            self.signal,
            self.stdout.chars().take(2000).collect::<String>(),
            self.stderr
        )
    }
}

/// One cell: the environment, the command and what the exact result is.
struct Cell {
    env: Env,
    op: Op,
    fault: Fault,
    args: Vec<String>,
    /// Export: the list in order. Import / undo: the blocked set at the end, sorted.
    expected: Vec<String>,
    /// Import / undo: ids that must be unblocked exactly once.
    targets: Vec<String>,
    /// Request-log length when the operation started (after any setup).
    log_start: usize,
    out_file: PathBuf,
}

fn config(fault: Fault, c: &mut Config) {
    match fault {
        Fault::ServerErrors => c.faults = "5xx=0.3".parse().unwrap(),
        Fault::Resets => c.faults = "reset=0.25".parse().unwrap(),
        Fault::Latency => c.faults = "delay-ms=40".parse().unwrap(),
        Fault::Truncated => c.faults = "malformed=0.3".parse().unwrap(),
        // Latency leaves time to act between two requests of the run.
        Fault::Expired | Fault::Revoked | Fault::Signal(_) => {
            c.faults = "delay-ms=30".parse().unwrap()
        }
        Fault::Storm => c.window_secs = 2,
    }
}

impl Cell {
    fn new(op: Op, fault: Fault) -> Self {
        let users = match op {
            Op::ExportIds | Op::ExportJson => 3500,
            Op::Import | Op::Undo => 150,
        };
        let env = Env::start(users, |c| config(fault, c));
        env.login();
        let out_file = env.config_dir().join("export/blocks.json");
        std::fs::create_dir_all(out_file.parent().unwrap()).unwrap();
        let mut cell = Cell {
            op,
            fault,
            args: Vec::new(),
            expected: Vec::new(),
            targets: Vec::new(),
            log_start: 0,
            out_file,
            env,
        };
        cell.prepare();
        cell.log_start = cell.env.emu().request_log().len();
        cell
    }

    fn prepare(&mut self) {
        let emu = self.env.emu();
        let list = self.env.config_dir().join("list.txt");
        match self.op {
            Op::ExportIds => {
                self.args = vec!["export".into()];
                self.expected = emu.blocked_ids();
            }
            Op::ExportJson => {
                self.args = vec![
                    "export".into(),
                    "--format".into(),
                    "json".into(),
                    "-o".into(),
                    self.out_file.display().to_string(),
                ];
                self.expected = emu.blocked_ids();
            }
            Op::Import => {
                let blocked = emu.blocked_ids();
                self.targets = blocked[..TARGETS].to_vec();
                self.expected = sorted(blocked[TARGETS..].to_vec());
                std::fs::write(&list, self.targets.join("\n")).unwrap();
                self.args = vec![
                    "import".into(),
                    "--unblock".into(),
                    list.display().to_string(),
                ];
            }
            Op::Undo => {
                // Setup: an import blocks TARGETS new accounts; undo must unblock exactly them.
                self.expected = sorted(emu.blocked_ids());
                self.targets = emu
                    .unblocked_accounts(TARGETS)
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
                std::fs::write(&list, self.targets.join("\n")).unwrap();
                let mut c = self.env.cmd();
                c.arg("import").arg(&list);
                let setup = common::run(c);
                assert_eq!(setup.code, 0, "setup import: {}", setup.stderr);
                assert_eq!(
                    emu.blocked_ids().len(),
                    self.expected.len() + TARGETS,
                    "setup import did not block the targets"
                );
                self.args = vec!["undo".into()];
            }
        }
    }

    fn seed(&self) -> u64 {
        let s = format!("{:?}/{:?}", self.op, self.fault);
        s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        })
    }

    /// Requests the operation makes without faults, roughly.
    fn expected_requests(&self) -> usize {
        match self.op {
            // The stored token names the account: no `/2/users/me` before the pages or writes.
            Op::ExportIds | Op::ExportJson => self.expected.len().div_ceil(1000),
            Op::Import => 3 + TARGETS,
            Op::Undo => TARGETS,
        }
    }

    /// Runs the command once; `act` fires once the log holds `after` requests of this run.
    fn run(&self, act: Option<(usize, &dyn Fn(u32))>) -> Run {
        let dir = self.env.config_dir();
        let (out, err) = (dir.join("run.out"), dir.join("run.err"));
        let mut c: Command = self.env.cmd();
        c.args(&self.args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        let base = self.env.emu().request_log().len();
        let mut child = c.spawn().unwrap();
        let mut pending = act;
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if let Some((after, f)) = pending {
                if self.env.emu().request_log().len() >= base + after {
                    f(child.id());
                    pending = None;
                }
            }
            assert!(Instant::now() < deadline, "the run hung");
            sleep(Duration::from_millis(2));
        };
        Run {
            code: status.code(),
            signal: status.signal(),
            stdout: String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned(),
            stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
        }
    }

    /// Successful unblocks per target since the operation started (the self no-op probe aside).
    fn unblocks(&self) -> HashMap<String, usize> {
        let me = self.env.emu().me().0;
        let mut out = HashMap::new();
        for r in &self.env.emu().request_log()[self.log_start..] {
            if r.method == "DELETE" && r.path.contains("/blocking/") && r.status == 200 {
                let target = r.path.rsplit('/').next().unwrap().to_string();
                if target != me {
                    *out.entry(target).or_insert(0) += 1;
                }
            }
        }
        out
    }

    fn check_exact(&self, last: &Run) {
        assert_eq!(last.code, Some(0), "{}", last.describe());
        assert!(!last.stderr.contains("panicked"), "{}", last.describe());
        let emu = self.env.emu();
        match self.op {
            Op::ExportIds => {
                let ids: Vec<&str> = last.stdout.lines().collect();
                assert_eq!(ids, self.expected, "export is not the exact list in order");
                assert_eq!(emu.blocked_ids(), self.expected);
            }
            Op::ExportJson => {
                let v: Vec<serde_json::Value> =
                    serde_json::from_slice(&std::fs::read(&self.out_file).unwrap()).unwrap();
                let ids: Vec<&str> = v.iter().map(|u| u["id"].as_str().unwrap()).collect();
                assert_eq!(ids, self.expected, "export is not the exact list in order");
                assert!(v.iter().all(|u| u["username"].is_string()));
                // The progress kept for resuming is gone once the file is complete.
                let left: Vec<_> = std::fs::read_dir(self.out_file.parent().unwrap())
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                assert_eq!(left, ["blocks.json"], "files left beside the export");
            }
            Op::Import | Op::Undo => {
                assert_eq!(sorted(emu.blocked_ids()), self.expected, "wrong final list");
                let w = self.unblocks();
                for t in &self.targets {
                    assert_eq!(
                        w.get(t),
                        Some(&1),
                        "target {t} unblocked {:?} times",
                        w.get(t)
                    );
                }
                assert_eq!(w.len(), self.targets.len(), "unplanned unblocks: {w:?}");
                let blocks = emu.request_log()[self.log_start..]
                    .iter()
                    .filter(|r| r.method == "POST" && r.path.ends_with("/blocking"))
                    .filter(|r| r.status == 200)
                    .count();
                assert_eq!(blocks, 0, "an unplanned block was written");
            }
        }
    }

    /// A stop must be documented: its exit code, and one clear line (when it could print).
    fn check_stop(&self, first: &Run) {
        assert!(!first.stderr.contains("panicked"), "{}", first.describe());
        match (self.fault, first.code, first.signal) {
            (Fault::Revoked, Some(77), _) => {
                assert!(
                    message(first).contains("xblocks login"),
                    "{}",
                    first.describe()
                )
            }
            (Fault::Signal(sig), None, Some(got)) => assert_eq!(got, sig, "{}", first.describe()),
            (Fault::Signal(libc::SIGTERM | libc::SIGHUP), Some(130), _) => {
                let m = message(first);
                assert!(
                    m.starts_with("xblocks: interrupted")
                        && (m.contains(" again") || m.contains("resume")),
                    "{}",
                    first.describe()
                );
            }
            _ => panic!("undocumented stop: {}", first.describe()),
        }
        if matches!(self.op, Op::ExportJson) {
            assert!(
                !self.out_file.exists(),
                "a stopped export left a partial file"
            );
        }
    }

    /// The whole cell: one run under the fault, then (if it stopped) the same command again.
    fn play(self) {
        let emu = self.env.emu();
        let mid = self.expected_requests() / 2;
        let first = match self.fault {
            Fault::Expired => {
                let r = self.run(Some((mid, &|_| emu.expire_access_tokens())));
                let log = &emu.request_log()[self.log_start..];
                assert!(
                    log.iter().any(|r| r.status == 401),
                    "no request saw the expiry"
                );
                assert!(
                    log.iter()
                        .any(|r| r.path == "/2/oauth2/token" && r.status == 200),
                    "the token was not refreshed"
                );
                r
            }
            Fault::Revoked => {
                let r = self.run(Some((mid, &|_| emu.revoke_all_tokens())));
                assert_eq!(r.code, Some(77), "{}", r.describe());
                r
            }
            Fault::Signal(sig) => {
                let mut rng = rand::rngs::StdRng::seed_from_u64(self.seed());
                let at = rng.gen_range(1..self.expected_requests());
                let r = self.run(Some((at, &|pid| unsafe {
                    libc::kill(pid as libc::pid_t, sig);
                })));
                assert_ne!(r.code, Some(0), "the signal at request {at} came too late");
                r
            }
            Fault::Storm => {
                let (stop, stormy) = (AtomicBool::new(false), AtomicBool::new(false));
                let r = std::thread::scope(|s| {
                    s.spawn(|| self.storm(&stop, &stormy));
                    let until = Instant::now() + Duration::from_secs(20);
                    while !stormy.load(SeqCst) && Instant::now() < until {
                        sleep(Duration::from_millis(5));
                    }
                    let r = self.run(None);
                    stop.store(true, SeqCst);
                    r
                });
                assert!(stormy.load(SeqCst), "the storm refused nothing");
                r
            }
            _ => self.run(None),
        };
        if first.code == Some(0) {
            self.check_exact(&first);
            eprintln!("cell {:?} x {:?}: completed exactly", self.op, self.fault);
            return;
        }
        self.check_stop(&first);
        eprintln!(
            "cell {:?} x {:?}: stopped (exit {:?}, signal {:?}), resumed exactly",
            self.op, self.fault, first.code, first.signal
        );
        if self.fault == Fault::Revoked {
            self.env.login();
        }
        let again = self.run(None);
        self.check_exact(&again);
    }

    /// Spends the window of the endpoint the operation is limited by, from another client of
    /// the same account, for three seconds (over a window boundary); `stormy` once refused.
    fn storm(&self, stop: &AtomicBool, stormy: &AtomicBool) {
        let emu = self.env.emu();
        let token = emu.issue_token(common::SCOPES);
        let me = emu.me().0;
        let base = &self.env.base;
        let end = Instant::now() + Duration::from_secs(3);
        self.env.rt.block_on(async {
            let http = reqwest::Client::new();
            while Instant::now() < end && !stop.load(SeqCst) {
                let req = match self.op {
                    Op::ExportIds | Op::ExportJson => http
                        .get(format!("{base}/2/users/{me}/blocking?max_results=1"))
                        .bearer_auth(&token),
                    Op::Import | Op::Undo => http
                        .delete(format!("{base}/2/users/{me}/blocking/{me}"))
                        .bearer_auth(&token),
                };
                if let Ok(r) = req.send().await {
                    if r.status() == 429 {
                        stormy.store(true, SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
        });
    }
}

/// The error a stopped run printed: from its `xblocks:` line to the end, one or two lines.
fn message(run: &Run) -> &str {
    let at = run
        .stderr
        .rfind("xblocks: ")
        .unwrap_or_else(|| panic!("no error message: {}", run.describe()));
    let m = run.stderr[at..].trim_end();
    assert!(m.lines().count() <= 2, "{}", run.describe());
    m
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

macro_rules! matrix {
    ($($name:ident: $op:expr, $fault:expr;)*) => {
        $(
            #[test]
            fn $name() {
                Cell::new($op, $fault).play();
            }
        )*
    };
}

use Fault::*;
use Op::*;

matrix! {
    export_ids_5xx: ExportIds, ServerErrors;
    export_ids_reset: ExportIds, Resets;
    export_ids_latency: ExportIds, Latency;
    export_ids_truncated_json: ExportIds, Truncated;
    export_ids_token_expires: ExportIds, Expired;
    export_ids_token_revoked: ExportIds, Revoked;
    export_ids_429_storm: ExportIds, Storm;
    export_ids_sigterm: ExportIds, Signal(libc::SIGTERM);
    export_ids_sigkill: ExportIds, Signal(libc::SIGKILL);
    export_ids_sighup: ExportIds, Signal(libc::SIGHUP);
    export_json_5xx: ExportJson, ServerErrors;
    export_json_reset: ExportJson, Resets;
    export_json_latency: ExportJson, Latency;
    export_json_truncated_json: ExportJson, Truncated;
    export_json_token_expires: ExportJson, Expired;
    export_json_token_revoked: ExportJson, Revoked;
    export_json_429_storm: ExportJson, Storm;
    export_json_sigterm: ExportJson, Signal(libc::SIGTERM);
    export_json_sigkill: ExportJson, Signal(libc::SIGKILL);
    export_json_sighup: ExportJson, Signal(libc::SIGHUP);
    import_5xx: Import, ServerErrors;
    import_reset: Import, Resets;
    import_latency: Import, Latency;
    import_truncated_json: Import, Truncated;
    import_token_expires: Import, Expired;
    import_token_revoked: Import, Revoked;
    import_429_storm: Import, Storm;
    import_sigterm: Import, Signal(libc::SIGTERM);
    import_sigkill: Import, Signal(libc::SIGKILL);
    import_sighup: Import, Signal(libc::SIGHUP);
    undo_5xx: Undo, ServerErrors;
    undo_reset: Undo, Resets;
    undo_latency: Undo, Latency;
    undo_truncated_json: Undo, Truncated;
    undo_token_expires: Undo, Expired;
    undo_token_revoked: Undo, Revoked;
    undo_429_storm: Undo, Storm;
    undo_sigterm: Undo, Signal(libc::SIGTERM);
    undo_sigkill: Undo, Signal(libc::SIGKILL);
    undo_sighup: Undo, Signal(libc::SIGHUP);
}
