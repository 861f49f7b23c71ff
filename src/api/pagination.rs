//! Block and mute lists as a stream of pages, resumable from a saved `pagination_token`.

use futures::Stream;

use super::client::{Client, Page};
use super::error::ApiError;

/// Which list to page through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `GET /2/users/:id/blocking`
    Blocking,
    /// `GET /2/users/:id/muting`
    Muting,
}

/// One page and the token that fetched it (saved to resume from exactly this page).
#[derive(Debug, Clone)]
pub struct PageAt {
    /// The token the page was fetched with (`None` = the first page).
    pub token: Option<String>,
    /// The page.
    pub page: Page,
}

/// Pages of `kind` for `user_id`, starting at `start` (`None` = the beginning). The stream
/// ends after the last page, or after the first error (the failed token is in the last
/// `PageAt` received, so the caller can resume from its `next_token`).
pub fn pages(
    client: Client,
    kind: ListKind,
    user_id: String,
    start: Option<String>,
) -> impl Stream<Item = Result<PageAt, ApiError>> {
    futures::stream::unfold(Some(start), move |state| {
        let client = client.clone();
        let user_id = user_id.clone();
        async move {
            let token = state?;
            let res = match kind {
                ListKind::Blocking => client.blocking_page(&user_id, token.as_deref()).await,
                ListKind::Muting => client.muting_page(&user_id, token.as_deref()).await,
            };
            match res {
                Ok(page) if page.next_token.is_some() && page.next_token == token => Some((
                    Err(ApiError::Decode(
                        "X returned the same pagination token twice".into(),
                    )),
                    None,
                )),
                Ok(page) => {
                    let next = page.next_token.clone().map(Some);
                    Some((Ok(PageAt { token, page }), next))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    })
}
