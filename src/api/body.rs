//! Response bodies read with a cap: X's largest page (1000 users) is under 2 MB, so anything
//! over [`BODY_CAP`] is refused as it arrives. Nothing is pre-allocated from `Content-Length`,
//! and an endless chunked body stops at the cap instead of exhausting memory.

/// Largest response body xblocks accepts.
pub const BODY_CAP: usize = 16 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The connection failed or timed out while the body arrived.
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    /// The body (or its announced length) is over the cap.
    #[error("the response is larger than {} MB", BODY_CAP / (1024 * 1024))]
    TooLarge,
}

/// Reads the whole body of `resp`, refusing more than `cap` bytes.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The HTTP client the `oauth2` crate calls (token exchange and refresh): the same deadlines as
/// every request, and a capped body.
pub async fn oauth_request(
    http: reqwest::Client,
    req: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, BodyError> {
    let (parts, body) = req.into_parts();
    let resp = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = oauth2::http::Response::builder().status(resp.status());
    if let Some(headers) = out.headers_mut() {
        headers.extend(resp.headers().clone());
    }
    let body = read_capped(resp, BODY_CAP).await?;
    Ok(out
        .body(body)
        .expect("a status and headers from a response build a response"))
}
