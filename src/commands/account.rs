//! What the profile database remembers about the signed-in account, so that no command has to
//! ask X again: who it is (id, handle, API and auth base) and the capability with when it was
//! learned (one probe at sign-in, then every write's answer).

use crate::api::types::User;
use crate::api::Capability;
use crate::cli::{GlobalArgs, Origin};
use crate::store::db::{MetaKey, Store};

/// Stores who is signed in (a base given for one run is not remembered: only `login` sets them).
pub fn remember(store: &Store, me: &User) {
    let values = [
        (MetaKey::AccountId, Some(me.id.as_str())),
        (MetaKey::AccountHandle, Some(me.username.as_str())),
    ];
    if let Err(e) = store.set_metas(&values) {
        tracing::warn!("the account was not remembered in the database: {e}");
    }
}

/// Stores where the profile signed in (`login`): later commands use these bases when no flag
/// or environment variable names one.
pub fn remember_bases(store: &Store, global: &GlobalArgs) {
    let values = [
        (MetaKey::ApiBase, Some(global.api_base.as_str())),
        (MetaKey::AuthBase, Some(global.auth_base.as_str())),
    ];
    if let Err(e) = store.set_metas(&values) {
        tracing::warn!("the API and auth base were not remembered in the database: {e}");
    }
}

/// Replaces the default API and auth base with the ones the profile signed in against; a flag
/// or an environment variable wins for its run. A database that cannot be read changes
/// nothing here (the command itself reports it).
pub fn use_remembered_bases(global: &mut GlobalArgs) {
    let paths = crate::store::paths::Paths::resolve(global);
    let (api, auth) = match Store::stored_bases(&paths.profile_dir) {
        Ok(bases) => bases,
        Err(e) => {
            tracing::debug!("no remembered bases: {e}");
            return;
        }
    };
    if let Some(api) = api.filter(|_| global.bases_from.api == Origin::Default) {
        global.api_base = api;
        global.bases_from.api = Origin::Profile;
    }
    if let Some(auth) = auth.filter(|_| global.bases_from.auth == Origin::Default) {
        global.auth_base = auth;
        global.bases_from.auth = Origin::Profile;
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

/// At sign-in: stores where the profile signed in and who, then the one probe: asks X whether
/// block writes work (a no-op unblock of yourself) and stores the answer. A failure is only
/// logged: the next write tells.
pub async fn probe_at_sign_in(global: &GlobalArgs) -> Option<Capability> {
    let paths = crate::store::paths::Paths::resolve(global);
    let store = super::profile_db::open(&paths).await.ok()?;
    {
        let (st, g) = (store.clone(), global.clone());
        super::profile_db::blocking(move || remember_bases(&st, &g)).await;
    }
    let (client, _, token) = crate::auth::session::client(global).ok()?;
    let token = token?;
    let me = User {
        id: token.user_id.clone()?,
        username: token.username.clone().unwrap_or_default(),
        ..User::default()
    };
    {
        let (st, m) = (store.clone(), me.clone());
        super::profile_db::blocking(move || remember(&st, &m)).await;
    }
    let cap = match client.capability(&me.id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("capability probe at sign-in failed: {e}");
            return None;
        }
    };
    let c = cap.clone();
    super::profile_db::blocking(move || learn(&store, &c)).await;
    Some(cap)
}
