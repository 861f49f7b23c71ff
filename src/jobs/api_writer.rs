//! The queue runner's [`Writer`] over the X API client.

use std::collections::HashSet;

use super::runner::{WriteError, Writer};
use crate::api::{ApiError, Client, Write};

/// Writes as the signed-in account `me` through `client`.
pub struct ApiWriter {
    /// The API client (paced by its own rate-limit budgets).
    pub client: Client,
    /// Id of the signed-in account.
    pub me: String,
}

impl Writer for ApiWriter {
    async fn write(&self, action: Write, target: &str) -> Result<(), WriteError> {
        self.client
            .apply(action, &self.me, target)
            .await
            .map_err(classify)
    }

    async fn in_state(
        &self,
        action: Write,
        targets: &[String],
    ) -> Result<HashSet<String>, WriteError> {
        let lookup = self.client.users_by_ids(targets).await.map_err(classify)?;
        let (word, want) = action.relation();
        Ok(lookup
            .found
            .into_iter()
            .filter(|u| {
                let has = u
                    .connection_status
                    .as_ref()
                    .is_some_and(|s| s.iter().any(|w| w == word));
                has == want
            })
            .map(|u| u.id)
            .collect())
    }
}

/// Which API errors end one job and which stop the whole run.
fn classify(e: ApiError) -> WriteError {
    match e {
        ApiError::NotFound { .. } => WriteError::NotFound,
        ApiError::Forbidden {
            missing_scope: None,
            detail,
        } => WriteError::Failed(detail),
        ApiError::Server { status, detail } if (400..500).contains(&status) => {
            WriteError::Failed(format!("X API error {status}: {detail}"))
        }
        other => WriteError::Stop(other),
    }
}
