//! The commands' side of what the profile database remembers about the signed-in account:
//! stored best effort, since a failure only costs a later request to X. The API and auth base
//! of the last `login` replace the defaults of every later command.

use crate::api::types::User;
use crate::api::Capability;
use crate::cli::{GlobalArgs, Origin};
use crate::store::db::Store;

/// Stores who is signed in (a base given for one run is not remembered: only `login` sets them).
pub fn remember(store: &Store, me: &User) {
    if let Err(e) = store.remember_account(me) {
        tracing::warn!("the account was not remembered in the database: {e}");
    }
}

/// Stores a capability just learned (stamped now).
pub fn learn(store: &Store, cap: &Capability) {
    if let Err(e) = store.learn_capability(cap) {
        tracing::warn!("the capability was not stored: {e}");
    }
}

/// Replaces the default API and auth base with the ones the profile signed in against; a flag
/// or an environment variable wins for its run. A database that cannot be read changes
/// nothing here (the command itself reports it).
pub fn use_remembered_bases(global: &mut GlobalArgs) {
    let paths = global.paths();
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
