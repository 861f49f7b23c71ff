//! Runs a sync: pages of the block list from the newest block into the profile database, each
//! request admitted by the caps first, its cost recorded per UTC day as it arrives.

use crate::api::price::{utc_day, CapStop, Caps, Prices, Usd};
use crate::api::{ApiError, Client};
use crate::store::db::{DbError, Store, SyncKind, SyncTotals};

use super::plan::page_size;

/// How a sync went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Requests sent.
    pub requests: u64,
    /// Accounts X returned.
    pub accounts: u64,
    /// Of those, accounts the database did not list.
    pub new: u64,
    /// Accounts a full sync found gone.
    pub gone: u64,
    /// Estimated cost (accounts not read earlier this UTC day).
    pub cost: Usd,
    /// Of the accounts returned, those already read this UTC day (likely not billed again).
    pub likely_free: u64,
    /// Read every page (a full sync).
    pub full: bool,
}

/// Why a sync stopped before its end; what it read so far is in the database either way.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A request's worst case would cross a cap: it was not sent.
    #[error("{0}")]
    Cap(CapStop, Outcome),
    /// X refused or could not be reached.
    #[error("{0}")]
    Api(ApiError, Outcome),
    /// The database could not be read or written.
    #[error("{0}")]
    Db(DbError),
}

/// Progress after each page: the totals so far and the page's accounts (as upserted).
pub type OnPage<'a> = &'a mut (dyn FnMut(&Outcome, &[crate::api::types::User]) + Send);

/// Reads the block list of `me` into `store`: every page when `full`, else a top-up that stops
/// at the first page holding only known accounts (page sizes grow from small). Every request is
/// first admitted by `caps` at its worst case (the page size at `prices`).
pub async fn sync(
    client: &Client,
    me: &str,
    store: &Store,
    full: bool,
    prices: &Prices,
    caps: &mut Caps,
    on_page: OnPage<'_>,
) -> Result<Outcome, SyncError> {
    let kind = if full {
        SyncKind::Full
    } else {
        SyncKind::TopUp
    };
    let id = store
        .call(move |s| s.begin_sync(kind))
        .await
        .map_err(SyncError::Db)?;
    let mut out = Outcome {
        full,
        ..Outcome::default()
    };
    let mut token: Option<String> = None;
    let mut pos = 0u64;
    loop {
        let size = page_size(full, out.requests as usize);
        if let Err(stop) = caps.admit(prices.page(u64::from(size))) {
            return Err(SyncError::Cap(stop, out));
        }
        let page = match client.blocking_page_sized(me, token.as_deref(), size).await {
            Ok(p) => p,
            Err(e) => return Err(SyncError::Api(e, out)),
        };
        if page.next_token.is_some() && page.next_token == token {
            let e = ApiError::Decode("X returned the same pagination token twice".into());
            return Err(SyncError::Api(e, out));
        }
        let users = page.users;
        let n = users.len() as u64;
        let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
        let (count, seen_today, users) = store
            .call(move |s| {
                let seen_today = s.seen_today_of(&ids)?;
                let count = s.upsert_page(id, pos, &users)?;
                Ok::<_, DbError>((count, seen_today, users))
            })
            .await
            .map_err(SyncError::Db)?;
        let cost = prices.accounts(n, seen_today);
        caps.spend(cost);
        out.requests += 1;
        out.accounts += n;
        out.new += count.new as u64;
        out.cost = out.cost.plus(cost);
        out.likely_free += seen_today;
        pos += n;
        let totals = totals(&out);
        store
            .call(move |s| {
                s.add_spend(&utc_day(time::OffsetDateTime::now_utc()), cost.dollars())?;
                s.update_sync(id, totals)
            })
            .await
            .map_err(SyncError::Db)?;
        on_page(&out, &users);
        let only_known = count.new == 0;
        match page.next_token {
            Some(t) if full || !only_known => token = Some(t),
            _ => break,
        }
    }
    let totals = totals(&out);
    out.gone = store
        .call(move |s| s.finish_sync(id, totals))
        .await
        .map_err(SyncError::Db)? as u64;
    Ok(out)
}

fn totals(o: &Outcome) -> SyncTotals {
    SyncTotals {
        requests: o.requests,
        accounts: o.accounts,
        cost_usd: o.cost.dollars(),
    }
}
