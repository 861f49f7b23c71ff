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
            watcher: Some(watcher),
        }
    }

    /// Reports `done` items after `pages` requests.
    pub fn update(&self, what: &str, done: usize, pages: usize) {
        let secs = self.started.elapsed().as_secs_f64();
        let mut line = format!("{what}: {done} accounts, {pages} pages");
        if secs >= 2.0 {
            line.push_str(&format!(", {:.0} accounts/min", done as f64 / secs * 60.0));
        }
        if self.tty {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{line}");
        }
    }

    /// Prints one line of information.
    pub fn note(&self, line: &str) {
        if self.tty {
            eprintln!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
    }

    /// Ends the live line with a summary.
    pub fn finish(mut self, line: &str) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
        if self.tty {
            eprintln!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
    }
}

async fn watch(mut events: broadcast::Receiver<RateEvent>, tty: bool) {
    loop {
        match events.recv().await {
            Ok(RateEvent::Waiting { endpoint, until }) => {
                let line = |left: u64| {
                    format!(
                        "rate limit on {endpoint}: waiting until {} ({left} s)",
                        fmt_time(until)
                    )
                };
                if tty {
                    // A countdown until the wait ends or the next event arrives.
                    loop {
                        eprint!("\r\x1b[2K{}", line(secs_until(until)));
                        let _ = std::io::stderr().flush();
                        if secs_until(until) == 0 {
                            break;
                        }
                        match tokio::time::timeout(Duration::from_secs(1), events.recv()).await {
                            Err(_) => {}
                            Ok(Ok(RateEvent::Resumed { .. })) => break,
                            Ok(Ok(RateEvent::Waiting { .. })) => {}
                            Ok(Err(broadcast::error::RecvError::Closed)) => return,
                            Ok(Err(_)) => {}
                        }
                    }
                } else {
                    eprintln!("{}", line(secs_until(until)));
                }
            }
            Ok(RateEvent::Resumed { .. }) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
