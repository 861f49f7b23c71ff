//! The loopback listener of `xblocks login`: `http://127.0.0.1:PORT/callback` accepts exactly
//! one valid callback; pasted redirect URLs on stdin are accepted too (for SSH). It listens on
//! `[::1]:PORT` too, so a callback registered as `http://localhost:PORT/…` arrives whichever
//! address the browser resolves `localhost` to (CONTRACT §10).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::pkce::{CallbackError, Flow};
use super::AuthError;

/// How long `login` waits for the user.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(600);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xblocks</title><h1>Signed in to xblocks</h1><p>You can close this tab and return to the terminal.</p>";

/// The callback listeners: 127.0.0.1 always, ::1 on the same port when the host has IPv6.
#[derive(Debug)]
pub struct Loopback {
    v4: TcpListener,
    v6: Option<TcpListener>,
}

impl Loopback {
    /// The port both listeners share.
    pub fn port(&self) -> std::io::Result<u16> {
        Ok(self.v4.local_addr()?.port())
    }

    /// Whether `[::1]:port` is listened on too.
    pub fn has_ipv6(&self) -> bool {
        self.v6.is_some()
    }

    async fn accept(&self) -> std::io::Result<TcpStream> {
        match &self.v6 {
            Some(v6) => tokio::select! {
                a = self.v4.accept() => a.map(|(s, _)| s),
                a = v6.accept() => a.map(|(s, _)| s),
            },
            None => self.v4.accept().await.map(|(s, _)| s),
        }
    }
}

/// Binds `127.0.0.1:port` (0 = any free port) and, when it can, `[::1]` on the same port.
pub async fn bind(port: u16) -> Result<Loopback, AuthError> {
    let v4 = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| AuthError::Listen { port, source })?;
    let port = v4.local_addr()?.port();
    // No IPv6 on the host (or the port taken there) only loses `localhost` → ::1 callbacks.
    let v6 = TcpListener::bind(("::1", port)).await.ok();
    Ok(Loopback { v4, v6 })
}

/// Lines typed on stdin, read on a plain thread so a pending read never holds up exit.
pub fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line.trim().to_string()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// Waits for the one valid callback (on the listener, or pasted on `pasted`) and returns its
/// code. Wrong-state callbacks get an error page and the wait goes on.
pub async fn wait_for_code(
    listener: Loopback,
    flow: &Flow,
    mut pasted: Option<mpsc::UnboundedReceiver<String>>,
) -> Result<String, AuthError> {
    let deadline = tokio::time::sleep(LOGIN_TIMEOUT);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return Err(AuthError::TimedOut(LOGIN_TIMEOUT.as_secs() / 60)),
            accepted = listener.accept() => {
                let Ok(stream) = accepted else { continue };
                if let Some(result) = handle(stream, flow).await {
                    return result;
                }
            }
            line = recv(&mut pasted) => match line {
                None => pasted = None,
                Some(line) if line.is_empty() => {}
                Some(line) => match flow.check_callback(&line) {
                    Ok(code) => return Ok(code),
                    Err(e @ CallbackError::Refused(_)) => return Err(e.into()),
                    Err(e) => eprintln!("xblocks: {e}; paste the whole address the browser was sent to"),
                },
            },
        }
    }
}

async fn recv(rx: &mut Option<mpsc::UnboundedReceiver<String>>) -> Option<String> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Serves one connection; `Some` ends the wait (with the code, or a refusal).
async fn handle(mut stream: TcpStream, flow: &Flow) -> Option<Result<String, AuthError>> {
    let target = match tokio::time::timeout(Duration::from_secs(10), read_target(&mut stream)).await
    {
        Ok(Some(t)) => t,
        _ => return None,
    };
    let path = target.split('?').next().unwrap_or("");
    if path != "/callback" {
        respond(
            &mut stream,
            404,
            "Not found",
            "<p>Not the xblocks sign-in callback.</p>",
        )
        .await;
        return None;
    }
    match flow.check_callback(&target) {
        Ok(code) => {
            respond(&mut stream, 200, "OK", DONE_PAGE).await;
            Some(Ok(code))
        }
        Err(e @ CallbackError::Refused(_)) => {
            respond(&mut stream, 400, "Bad Request", &page(&e.to_string())).await;
            Some(Err(AuthError::Refused(e)))
        }
        Err(e) => {
            tracing::warn!("rejected a sign-in callback: {e}");
            eprintln!("xblocks: rejected a callback: {e}");
            respond(&mut stream, 400, "Bad Request", &page(&e.to_string())).await;
            None
        }
    }
}

fn page(msg: &str) -> String {
    let escaped = msg
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<!doctype html><meta charset=utf-8><title>xblocks</title><h1>Sign-in not accepted</h1><p>{escaped}</p>")
}

/// Reads the request head and returns the request target of a GET.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 16 * 1024 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET").then(|| target.to_string())
}

async fn respond(stream: &mut TcpStream, status: u16, reason: &str, body: &str) {
    let msg = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(msg.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listens_on_127_0_0_1_and_ipv6_loopback_on_one_port() {
        let l = bind(0).await.unwrap();
        let port = l.port().unwrap();
        let v4 = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let a = l.accept().await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), v4.local_addr().unwrap());
        if std::net::TcpListener::bind("[::1]:0").is_err() {
            eprintln!("SKIPPED the ::1 half: this host has no IPv6 loopback");
            return;
        }
        assert!(l.has_ipv6(), "::1 is available but not listened on");
        let v6 = TcpStream::connect(("::1", port)).await.unwrap();
        let b = l.accept().await.unwrap();
        assert_eq!(b.peer_addr().unwrap(), v6.local_addr().unwrap());
    }
}
