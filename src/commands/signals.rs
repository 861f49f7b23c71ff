//! Interruption of headless commands: Ctrl-C, SIGTERM and SIGHUP all mean "stop cleanly, keep
//! the work" (exit 130), and nothing printed afterwards may panic on a hung-up terminal.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// From now on an interruption also ends every rate-limit wait of the API client at once and
/// stops it sending anything more (the command then exits 130 with its work saved).
pub fn stop_requests_on_signal() {
    tokio::spawn(async {
        interrupted().await;
        crate::api::interrupt::trip();
    });
}

/// A flag set on interruption, for loops that stop between two units of work.
pub fn stop_flag(what: &'static str) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        interrupted().await;
        note(what);
        flag.store(true, Ordering::SeqCst);
    });
    stop
}

/// One line on stderr; a closed or hung-up stderr is ignored, never a panic.
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
