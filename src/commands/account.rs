//! The commands' side of what the profile database remembers about the signed-in account:
//! stored best effort, since a failure only costs a later request to X.

use crate::api::types::User;
use crate::api::Capability;
use crate::cli::GlobalArgs;
use crate::store::db::Store;

/// Stores who is signed in and where.
pub fn remember(store: &Store, me: &User, global: &GlobalArgs) {
    if let Err(e) = store.remember_account(me, &global.api_base, &global.auth_base) {
        tracing::warn!("the account was not remembered in the database: {e}");
    }
}

/// Stores a capability just learned (stamped now).
pub fn learn(store: &Store, cap: &Capability) {
    if let Err(e) = store.learn_capability(cap) {
        tracing::warn!("the capability was not stored: {e}");
    }
}
