//! The TUI in a real terminal (a private tmux server) against raw TCP servers on 127.0.0.1 that
//! misbehave (issue 11): one that accepts and never answers, and one whose rate-limit resets
//! are absurd or missing. The TUI draws at once, keeps answering keys, and says what X did.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::tmux_support::{start, status_line, tmux_available, Tmux};

/// What the server does with one connection once the request head is read.
type Behaviour = Arc<dyn Fn(&mut TcpStream, &str) + Send + Sync>;

/// A raw HTTP server on 127.0.0.1 (free port) running `behaviour` on each connection; it
/// counts connections and stops accepting after two minutes.
struct Raw {
    base: String,
    connections: Arc<AtomicUsize>,
}

impl Raw {
    fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let behaviour = behaviour.clone();
                std::thread::spawn(move || {
                    conn.set_nonblocking(false).unwrap();
                    conn.set_read_timeout(Some(Duration::from_secs(60)))
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
        Self { base, connections }
    }
}

/// The TUI on `server` in tmux, on a fresh profile (no database: the account is unknown), with
/// request deadlines of `timeout` seconds; its exit status goes to the returned file.
fn tui(
    name: &str,
    server: &Raw,
    dir: &std::path::Path,
    timeout: u64,
) -> (Tmux, std::path::PathBuf) {
    let done = dir.join("exit-status");
    let line = status_line(&server.base, "stand-in-token", &dir.join("config"), &done);
    let tmux = start(
        name,
        120,
        40,
        &format!("XBLOCKS_REQUEST_TIMEOUT={timeout} {line}"),
    );
    (tmux, done)
}

/// Waits (generously) for `path` to exist; false after `secs`.
async fn appears(path: &std::path::Path, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !path.exists() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// The status bar: the last non-empty line of the screen.
fn status_bar(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_against_a_hung_server_draws_at_once_answers_q_and_says_cannot_reach() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the hung-server TUI test");
        return;
    }
    // Accepts, reads the request, never answers (holds the connection for a minute).
    let hung = Raw::start(Arc::new(|_, _| std::thread::sleep(Duration::from_secs(60))));
    let dir = tempfile::tempdir().unwrap();
    // Three tries of a 4 s deadline: the sign-in cannot fail before 12 s.
    let (tmux, done) = tui("hung", &hung, dir.path(), 4);
    let screen = tmux
        .wait_for("the signing-in screen", 60, |s| {
            s.contains("signing in… connecting to X")
        })
        .await;
    assert!(
        hung.connections.load(Ordering::SeqCst) <= 3,
        "drawn while X has not answered:\n{screen}"
    );
    assert!(
        screen.contains("Signing in… connecting to X (q quits)"),
        "{screen}"
    );
    // After the deadlines: the status bar says it, with how to retry.
    let screen = tmux
        .wait_for("cannot reach the X API", 90, |s| {
            status_bar(s).contains("cannot reach the X API: r retries")
        })
        .await;
    assert!(
        screen.contains("Press r to try again, q to quit"),
        "{screen}"
    );
    assert!(screen.contains("timed out"), "{screen}");
    let tried = hung.connections.load(Ordering::SeqCst);
    assert!(tried >= 1, "the sign-in asked X");
    // r asks again (a new connection), and q quits at once while that hangs.
    tmux.keys(&["r"]);
    tmux.wait_for("the retry", 30, |s| status_bar(s).contains("signing in…"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while hung.connections.load(Ordering::SeqCst) == tried {
        assert!(
            Instant::now() < deadline,
            "r sent no request:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = Instant::now();
    tmux.keys(&["q"]);
    assert!(
        appears(&done, 10).await,
        "q did not quit while signing in:\n{}",
        tmux.screen()
    );
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "q took {:?}: it waited for the request",
        asked.elapsed()
    );
    let status = std::fs::read_to_string(&done).unwrap();
    assert_eq!(status.trim(), "0", "{}", tmux.screen());
}

/// `/2/users/me` answers; the block list answers 429 with `headers` (and no usable reset).
fn rate_limited(headers: &'static str) -> Behaviour {
    Arc::new(move |conn: &mut TcpStream, head: &str| {
        let (status, body) = if head.starts_with("GET /2/users/me") {
            (
                "200 OK",
                r#"{"data":{"id":"2244994945","name":"Me","username":"me_here"}}"#,
            )
        } else {
            (
                "429 Too Many Requests",
                r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
            )
        };
        let _ = write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n{body}",
            body.len()
        );
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_rate_limit_reset_is_told_in_the_tui_with_the_bounded_wait() {
    if !tmux_available() {
        println!("NOTE: tmux is not installed; skipping the bad-reset TUI test");
        return;
    }
    // A reset in the year 5138 (clamped to one 15-min window), and a reset header that is
    // garbage with no Retry-After (a bounded guess of a minute).
    let cases = [
        (
            rate_limited("x-rate-limit-limit: 15\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: 99999999999\r\n"),
            840..=905,
        ),
        (
            rate_limited("x-rate-limit-limit: 15\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: soon\r\n"),
            30..=65,
        ),
    ];
    for (i, (behaviour, countdown)) in cases.into_iter().enumerate() {
        let server = Raw::start(behaviour);
        let dir = tempfile::tempdir().unwrap();
        let (tmux, done) = tui(&format!("reset{i}"), &server, dir.path(), 30);
        let screen = tmux
            .wait_for("the bad reset in the status bar", 60, |s| {
                status_bar(s).contains("(X sent a bad reset)")
            })
            .await;
        let bar = status_bar(&screen);
        let left = bar
            .split("rate limit: block list paused ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|c| c.split_once(':'))
            .and_then(|(m, s)| Some(m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?))
            .unwrap_or_else(|| panic!("case {i}: no countdown in {bar}"));
        assert!(countdown.contains(&left), "case {i}, a bounded wait: {bar}");
        assert!(
            screen.contains("X sent a bad rate-limit reset on GET /2/users/:id/blocking"),
            "case {i}:\n{screen}"
        );
        // The message log keeps the whole line, with the bounded wait.
        tmux.keys(&["L"]);
        let log = tmux
            .wait_for("the message log", 30, |s| {
                s.contains("so the wait is bounded: until")
            })
            .await;
        assert!(log.contains("UTC ("), "case {i}:\n{log}");
        // Escape and q apart: together they read as Alt-q.
        tmux.keys(&["Escape"]);
        // The status bar shows under the log too: the list is back once the log is gone.
        tmux.wait_for("the list again", 30, |s| {
            s.contains("Loading… rate limited") && !s.contains(" Messages (")
        })
        .await;
        tmux.keys(&["q"]);
        assert!(
            appears(&done, 30).await,
            "case {i}: q did not quit:\n{}",
            tmux.screen()
        );
    }
}
