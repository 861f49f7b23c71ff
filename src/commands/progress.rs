//! Progress and rate-limit waits on stderr: a live line on a terminal, plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::api::error::{fmt_time, secs_until};
use crate::api::RateEvent;

/// Reports progress of a long command on stderr.
pub struct Progress {
    tty: bool,
    started: Instant,
    /// When [`Progress::update_line`] last printed.
    last_line: std::sync::Mutex<Option<Instant>>,
    watcher: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts reporting, and announces every rate-limit wait from `events`.
    pub fn new(events: broadcast::Receiver<RateEvent>) -> Self {
        let tty = std::io::stderr().is_terminal();
        let watcher = tokio::spawn(watch(events, tty));
        Self {
            tty,
            started: Instant::now(),
            last_line: std::sync::Mutex::new(None),
            watcher: Some(watcher),
        }
    }

    /// Reports `done` items after `pages` requests.
    pub fn update(&self, what: &str, done: usize, pages: usize) {
        let secs = self.started.elapsed().as_secs_f64();
        let mut line = format!(
            "{what}: {}, {}",
            crate::text::count(done as u64, "account"),
            crate::text::count(pages as u64, "page")
        );
        if secs >= 2.0 {
            line.push_str(&format!(", {:.0} accounts/min", done as f64 / secs * 60.0));
        }
        if self.tty {
            say(format_args!("\r\x1b[2K{line}"));
        } else {
            say(format_args!("{line}\n"));
        }
    }

    /// Replaces the live line with `line` (a plain line when stderr is not a terminal), at most
    /// ten times a second on a terminal and once every five seconds otherwise.
    pub fn update_line(&self, line: &str) {
        let every = Duration::from_millis(if self.tty { 100 } else { 5000 });
        let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        *last = Some(Instant::now());
        if self.tty {
            say(format_args!("\r\x1b[2K{line}"));
        } else {
            say(format_args!("{line}\n"));
        }
    }

    /// Prints one line of information.
    pub fn note(&self, line: &str) {
        if self.tty {
            say(format_args!("\r\x1b[2K{line}\n"));
        } else {
            say(format_args!("{line}\n"));
        }
    }

    /// Ends the live line with a summary.
    pub fn finish(mut self, line: &str) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        if self.tty {
            say(format_args!("\r\x1b[2K{line}\n"));
        } else {
            say(format_args!("{line}\n"));
        }
    }
}

/// Writes to stderr, ignoring errors: a terminal that hung up (SIGHUP) must not panic us.
fn say(text: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(text);
    let _ = err.flush();
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
    }
}

/// Seconds between two countdown lines when stderr is not a terminal (a log, a pipe).
const PLAIN_COUNTDOWN_SECS: u64 = 30;

async fn watch(mut events: broadcast::Receiver<RateEvent>, tty: bool) {
    loop {
        match events.recv().await {
            Ok(RateEvent::Waiting {
                endpoint,
                until,
                bad_reset,
            }) => {
                let why = if bad_reset {
                    "X sent a bad reset, so the wait is bounded: "
                } else {
                    ""
                };
                let line = |left: u64| {
                    format!(
                        "rate limit on {endpoint}: {why}waiting until {} ({left} s left; Ctrl-C stops, work is kept)",
                        fmt_time(until)
                    )
                };
                // A countdown until the wait ends or the next event arrives: redrawn every
                // second on a terminal, a line every half minute otherwise.
                let every = Duration::from_secs(if tty { 1 } else { PLAIN_COUNTDOWN_SECS });
                loop {
                    if tty {
                        say(format_args!("\r\x1b[2K{}", line(secs_until(until))));
                    } else {
                        say(format_args!("{}\n", line(secs_until(until))));
                    }
                    if secs_until(until) == 0 {
                        break;
                    }
                    match tokio::time::timeout(every, events.recv()).await {
                        Err(_) => {}
                        Ok(Ok(RateEvent::Resumed { .. })) => break,
                        Ok(Ok(RateEvent::Waiting { .. } | RateEvent::Retrying { .. })) => {}
                        Ok(Err(broadcast::error::RecvError::Closed)) => return,
                        Ok(Err(_)) => {}
                    }
                }
                if tty {
                    say(format_args!("\r\x1b[2K"));
                }
            }
            Ok(RateEvent::Retrying {
                reason,
                next,
                of,
                at,
                ..
            }) => {
                let reason = reason.split("; check").next().unwrap_or(&reason);
                say(format_args!(
                    "{}{reason}; retrying in {} s (try {next} of {of}; Ctrl-C stops)\n",
                    if tty { "\r\x1b[2K" } else { "" },
                    secs_until(at).max(1)
                ));
            }
            Ok(RateEvent::Resumed { .. }) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Asks X who is signed in like [`crate::auth::session::connect`], telling on stderr about each
/// retry and rate-limit wait on the way (offline, the retries would otherwise be silent for
/// seconds).
pub async fn connect(
    global: &crate::cli::GlobalArgs,
) -> Result<crate::auth::session::Session, crate::auth::AuthError> {
    let mut progress = None;
    let session = crate::auth::session::connect_with(&global.session(), |events| {
        progress = Some(Progress::new(events));
    })
    .await;
    drop(progress);
    session
}
