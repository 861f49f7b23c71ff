//! A pinned post loaded on demand (`P`), with the money rules of every billed read: the lookup
//! is not sent when its worst case could cross `[billing] daily_cap`, and what it costs is
//! recorded as spent this UTC day.

use super::{sentence, Command};
use crate::api::price::{utc_day, Caps, Usd};
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
    let spent = store
        .call(|s| s.spent_today())
        .await
        .map(Usd::from_dollars)
        .unwrap_or_default();
    let caps = Caps {
        daily_cap,
        spent_before: spent,
        ..Caps::default()
    };
    if let Err(stop) = caps.admit(cost) {
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
        let day = utc_day(time::OffsetDateTime::now_utc());
        if let Err(e) = store.call(move |s| s.add_spend(&day, cost.dollars())).await {
            tracing::warn!("the lookup's cost was not recorded: {e}");
        }
        let mut out = actions;
        out.push(Action::SpentToday(spent.plus(cost)));
        return out;
    }
    actions
}
