//! The queue runner's [`Writer`] over the X API client. Every block or unblock answer also
//! settles the capability, stored in the profile database with its time (so no command has to
//! spend a write to find it out).

use std::collections::HashSet;

use super::runner::{WriteError, Writer};
use crate::api::{ApiError, Capability, Client, Write};
use crate::store::db::Store;

/// Writes as the signed-in account `me` through `client`.
pub struct ApiWriter {
    /// The API client (paced by its own rate-limit budgets).
    pub client: Client,
    /// Id of the signed-in account.
    pub me: String,
    /// The profile database, where each answer's capability is recorded.
    pub store: Store,
}

impl Writer for ApiWriter {
    async fn write(&self, action: Write, target: &str) -> Result<(), WriteError> {
        apply(&self.client, &self.store, &self.me, action, target)
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

/// Performs `action` on `target` as `me`, and stores in `store` the capability its answer
/// settles: a block or unblock that X applied (or answered "no such account") means full, one
/// refused for the plan means read-only. A mute's answer says nothing about block writes (every
/// plan may mute), nor does an answer that never came (network, rate limit, interrupt).
pub async fn apply(
    client: &Client,
    store: &Store,
    me: &str,
    action: Write,
    target: &str,
) -> Result<(), ApiError> {
    let result = client.apply(action, me, target).await;
    if let Some(cap) = Capability::from_write(&result).filter(|_| action.needs_full()) {
        learn(store, cap).await;
    }
    result
}

/// Stores a capability a write's answer settled (stamped now); a failure is only logged.
async fn learn(store: &Store, cap: Capability) {
    let stored = store
        .call(move |s| s.set_capability(cap.word(), cap.reason()))
        .await;
    if let Err(e) = stored {
        tracing::warn!("the capability was not stored: {e}");
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
