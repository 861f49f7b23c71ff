//! The process-wide interrupt (Ctrl-C, SIGTERM, SIGHUP) as the API layer sees it: once
//! tripped, every rate-limit wait ends at once and no further request is sent.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

static TRIPPED: AtomicBool = AtomicBool::new(false);
static WAKE: Notify = Notify::const_new();

/// Marks the process interrupted and wakes every waiting request.
pub fn trip() {
    TRIPPED.store(true, Ordering::SeqCst);
    WAKE.notify_waiters();
}

/// True once [`trip`] was called.
pub fn tripped() -> bool {
    TRIPPED.load(Ordering::SeqCst)
}

/// Sleeps until `deadline`, or returns `false` at once when the process is interrupted.
pub async fn sleep_until(deadline: tokio::time::Instant) -> bool {
    let woken = WAKE.notified();
    tokio::pin!(woken);
    woken.as_mut().enable();
    if tripped() {
        return false;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(deadline) => !tripped(),
        _ = woken => false,
    }
}
