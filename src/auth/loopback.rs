//! The loopback listener of `xblocks login`: `http://127.0.0.1:PORT/callback` accepts exactly
//! one valid callback; pasted redirect URLs on stdin are accepted too (for SSH).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::pkce::{CallbackError, Flow};

/// How long `login` waits for the user.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(600);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xblocks</title><h1>Signed in to xblocks</h1><p>You can close this tab and return to the terminal.</p>";

/// Binds `127.0.0.1:port` (0 = any free port).
pub async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{port} for the sign-in callback ({e}); pass another --port (and register its callback URL)"
        )
    })
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
    listener: TcpListener,
    flow: &Flow,
    mut pasted: Option<mpsc::UnboundedReceiver<String>>,
) -> anyhow::Result<String> {
    let deadline = tokio::time::sleep(LOGIN_TIMEOUT);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => anyhow::bail!("no sign-in arrived within {} minutes; run `xblocks login` again", LOGIN_TIMEOUT.as_secs() / 60),
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                if let Some(result) = handle(stream, flow).await {
                    return result;
                }
            }
            line = recv(&mut pasted) => match line {
                None => pasted = None,
                Some(line) if line.is_empty() => {}
                Some(line) => match flow.check_callback(&line) {
                    Ok(code) => return Ok(code),
                    Err(e @ CallbackError::Refused(_)) => anyhow::bail!("{e}"),
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
async fn handle(mut stream: TcpStream, flow: &Flow) -> Option<anyhow::Result<String>> {
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
            Some(Err(anyhow::anyhow!("{e}; run `xblocks login` again")))
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
