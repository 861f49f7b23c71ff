//! The accept loop: one hyper HTTP/1 connection per socket, the fault layer (latency, 5xx,
//! dropped connections, truncated bodies), the request log, and graceful shutdown.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::billing::usd;
use super::faults::Fault;
use super::problems;
use super::state::Shared;
use super::{LogCost, LogUser, RequestRecord};

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// Serves until `shutdown` turns true, then lets open connections finish (up to 5 s).
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let svc = TowerToHyperService::new(router.clone());
                let mut stop = shutdown.clone();
                conns.spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        handle(shared.clone(), svc.clone(), req)
                    });
                    let conn = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = async { let _ = shutdown.wait_for(|s| *s).await; } => break,
        }
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        conns.abort_all();
    }
}

/// The `api-version` header value: the OpenAPI version the emulator follows (S167).
pub const API_VERSION: &str = "2.167";

fn is_api(path: &str) -> bool {
    path.starts_with("/2/") && !path.starts_with("/2/oauth2/")
}

async fn handle(
    shared: Arc<Shared>,
    svc: TowerToHyperService<Router>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    use hyper::service::Service;
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let faults = shared.config.faults;
    let fault = if is_api(&path) && faults.is_active() {
        let f = faults.roll(&mut shared.lock().rng);
        if faults.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.delay_ms)).await;
        }
        f
    } else {
        Fault::None
    };
    let mut resp = match fault {
        Fault::Drop => {
            log(&shared, method, path, 0, None, None);
            return Err(Dropped);
        }
        Fault::ServerError(code) => problems::server_error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        ),
        _ => match svc.call(req).await {
            Ok(r) => r,
            Err(e) => match e {},
        },
    };
    if fault == Fault::Malformed && resp.status() == StatusCode::OK {
        let (mut parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let cut = bytes.slice(..bytes.len() / 2);
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
        resp = Response::from_parts(parts, Body::from(cut));
    }
    if is_api(&path) {
        // X sends both on API answers (CONTRACT §10); clients may log the transaction id.
        let id: u64 = rand::random();
        if let Ok(v) = HeaderValue::from_str(&format!("{id:016x}")) {
            resp.headers_mut().insert("x-transaction-id", v);
        }
        resp.headers_mut()
            .insert("api-version", HeaderValue::from_static(API_VERSION));
    }
    let user = resp.extensions().get::<LogUser>().map(|u| u.0.clone());
    let cost = resp.extensions().get::<LogCost>().map(|c| c.0);
    log(&shared, method, path, resp.status().as_u16(), user, cost);
    Ok(resp)
}

fn log(
    shared: &Shared,
    method: String,
    path: String,
    status: u16,
    user: Option<String>,
    cost_micros: Option<u64>,
) {
    if shared.config.log_requests {
        let shown = if status == 0 {
            "dropped".to_string()
        } else {
            status.to_string()
        };
        let mut out = std::io::stdout().lock();
        let cost = cost_micros.map_or("-".to_string(), |c| usd(c as i64));
        let _ = writeln!(
            out,
            "{method} {path} {shown} user={} cost={cost}",
            user.as_deref().unwrap_or("-")
        );
        let _ = out.flush();
    }
    shared.record(RequestRecord {
        method,
        path,
        status,
        user,
        cost_micros,
    });
}
