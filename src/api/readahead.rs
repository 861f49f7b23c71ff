//! Read-ahead for reads of a whole block list: the request for page k+1 is in flight (and its
//! JSON parsed, on another worker) while the caller writes page k, so the client's own time per
//! page hides behind X's serving time. Only for reads that go to the end anyway (`export`):
//! a caller that may stop early would pay for a page it never used.

use tokio::task::JoinHandle;

use super::client::{Client, RawPage};
use super::error::ApiError;

type Fetch = JoinHandle<Result<RawPage, ApiError>>;

/// Raw block-list pages from a start token to the end, one request ahead of the caller.
pub struct RawPager {
    client: Client,
    user_id: String,
    ahead: Option<(Option<String>, Fetch)>,
}

impl std::fmt::Debug for RawPager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawPager")
            .field("user_id", &self.user_id)
            .field("in_flight", &self.ahead.is_some())
            .finish()
    }
}

impl RawPager {
    /// Starts reading `user_id`'s block list at `start` (`None`: the first page) at once.
    pub fn new(client: Client, user_id: String, start: Option<String>) -> Self {
        let mut p = Self {
            client,
            user_id,
            ahead: None,
        };
        p.send(start);
        p
    }

    fn send(&mut self, token: Option<String>) {
        let (client, user, t) = (self.client.clone(), self.user_id.clone(), token.clone());
        let fetch =
            tokio::spawn(async move { client.blocking_page_raw(&user, t.as_deref()).await });
        self.ahead = Some((token, fetch));
    }

    /// The next page (with the token it was asked with), or `None` after the last. The request
    /// after it is sent before this returns, unless X repeated the token it was asked with.
    pub async fn next(&mut self) -> Option<(Option<String>, Result<RawPage, ApiError>)> {
        let (asked, fetch) = self.ahead.take()?;
        let page = fetch
            .await
            .unwrap_or_else(|e| Err(ApiError::Network(format!("page request stopped: {e}"))));
        if let Ok(p) = &page {
            if p.next_token.is_some() && p.next_token != asked {
                self.send(p.next_token.clone());
            }
        }
        Some((asked, page))
    }
}

impl Drop for RawPager {
    fn drop(&mut self) {
        if let Some((_, fetch)) = self.ahead.take() {
            fetch.abort();
        }
    }
}
