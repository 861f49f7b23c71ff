//! What the profile database remembers about the signed-in account, so that no command has to
//! ask X again: who it is (id, handle, API and auth base) and the capability with when it was
//! learned (one probe at sign-in, then every write's answer).

use crate::api::types::User;
use crate::api::Capability;
use crate::cli::GlobalArgs;
use crate::store::db::{MetaKey, Store};

/// Stores who is signed in and where.
pub fn remember(store: &Store, me: &User, global: &GlobalArgs) {
    let values = [
        (MetaKey::AccountId, Some(me.id.as_str())),
        (MetaKey::AccountHandle, Some(me.username.as_str())),
        (MetaKey::ApiBase, Some(global.api_base.as_str())),
        (MetaKey::AuthBase, Some(global.auth_base.as_str())),
    ];
    if let Err(e) = store.set_metas(&values) {
        tracing::warn!("the account was not remembered in the database: {e}");
    }
}

/// The signed-in account as the database remembers it: (id, handle).
pub fn remembered(store: &Store) -> Option<(String, String)> {
    let id = store.meta(MetaKey::AccountId).ok().flatten()?;
    let handle = store.meta(MetaKey::AccountHandle).ok().flatten()?;
    Some((id, handle))
}

/// Stores a capability just learned (stamped now).
pub fn learn(store: &Store, cap: &Capability) {
    if let Err(e) = store.set_capability(cap.word(), cap.reason()) {
        tracing::warn!("the capability was not stored: {e}");
    }
}

/// The stored capability and when it was learned (Unix seconds).
pub fn stored(store: &Store) -> Option<(Capability, i64)> {
    let c = store.capability().ok().flatten()?;
    let reason = c.reason.unwrap_or_default();
    let cap = match c.value.as_str() {
        "full" => Capability::Full,
        "read-only" => Capability::ReadOnly { reason },
        _ => Capability::Unknown { reason },
    };
    Some((cap, c.learned_at))
}

/// The one probe at sign-in: asks X whether block writes work (a no-op unblock of yourself)
/// and stores the answer with the account. A failure is only logged: the next write tells.
pub async fn probe_at_sign_in(global: &GlobalArgs) -> Option<Capability> {
    let (client, _, token) = crate::auth::session::client(&global.session()).ok()?;
    let token = token?;
    let (id, handle) = (
        token.user_id.clone()?,
        token.username.clone().unwrap_or_default(),
    );
    let paths = global.paths();
    let store = super::profile_db::open(&paths).await.ok()?;
    let me = User {
        id: id.clone(),
        username: handle,
        ..User::default()
    };
    let cap = match client.capability(&id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("capability probe at sign-in failed: {e}");
            return None;
        }
    };
    let (g, c) = (global.clone(), cap.clone());
    super::profile_db::blocking(move || {
        remember(&store, &me, &g);
        learn(&store, &c);
    })
    .await;
    Some(cap)
}
