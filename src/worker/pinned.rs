//! A pinned post loaded on demand (`P`), with the money rules of every billed read: the lookup
//! is not sent when its worst case could cross `[billing] daily_cap`, and what it costs is
//! recorded as spent this UTC day.

use super::{sentence, spend, Command};
use crate::api::price::Usd;
use crate::api::Client;
use crate::app::Action;
use crate::store::db::Store;

/// Runs one `LoadPinned` (whose worst case is `cost`) against `store`'s spending.
pub(super) async fn load(
    client: &Client,
    me: &str,
    store: &Store,
    cmd: Command,
    cost: Usd,
    daily_cap: Option<Usd>,
) -> Vec<Action> {
    let (spent, admitted) = spend::admit(store, daily_cap, cost).await;
    if let Err(stop) = admitted {
        return vec![Action::Notice {
            text: sentence(&format!("The pinned post was not loaded: {stop}")),
            error: true,
        }];
    }
    let actions = super::run(client, me, cmd).await;
    if actions
        .iter()
        .any(|a| matches!(a, Action::PinnedLoaded { .. }))
    {
        let mut out = actions;
        out.push(spend::record(store, spent, cost).await);
        return out;
    }
    actions
}
