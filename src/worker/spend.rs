//! The money rules every billed read of the TUI follows: nothing is asked for when its worst
//! case could cross `[billing] daily_cap`, and what a read cost is recorded as spent this UTC
//! day (and shown in the status bar).

use crate::api::price::{utc_day, CapStop, Caps, Usd};
use crate::app::Action;
use crate::store::db::Store;

/// What was spent today before this read, and whether a read whose worst case is `worst` may
/// be sent under `daily_cap`.
pub(super) async fn admit(
    store: &Store,
    daily_cap: Option<Usd>,
    worst: Usd,
) -> (Usd, Result<(), CapStop>) {
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
    (spent, caps.admit(worst))
}

/// Records `cost` as spent this UTC day; the action tells the app today's new total.
pub(super) async fn record(store: &Store, spent_before: Usd, cost: Usd) -> Action {
    let day = utc_day(time::OffsetDateTime::now_utc());
    if let Err(e) = store.call(move |s| s.add_spend(&day, cost.dollars())).await {
        tracing::warn!("a read's cost was not recorded: {e}");
    }
    Action::SpentToday(spent_before.plus(cost))
}
