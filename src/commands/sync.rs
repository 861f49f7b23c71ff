//! `xblocks sync [--full] [--max-cost USD] [--dry-run] [--json]`: the plan first (requests,
//! accounts at most, cost, ETA), then a top-up from the newest block or a full read into the
//! profile database, every request admitted by `--max-cost` and `[billing] daily_cap` first.

use std::time::SystemTime;

use serde::Serialize;

use super::progress::Progress;
use crate::api::price::{CapStop, Caps, Prices, Usd};
use crate::api::{Client, Endpoint};
use crate::cli::{GlobalArgs, SyncArgs};
use crate::exit::{Exit, ExitError};
use crate::store::config::Config;
use crate::store::db::Store;
use crate::sync::plan::Facts;
use crate::sync::{Outcome, Plan, SyncError};
use crate::text::count;

/// Runs `xblocks sync`.
pub async fn run(global: GlobalArgs, args: SyncArgs) -> anyhow::Result<()> {
    let paths = global.paths();
    let config = Config::load(&paths)?;
    let prices = config.billing.prices();
    let (client, _, token) = crate::auth::session::client(&global.session())?;
    let store = super::profile_db::open(&paths).await?;
    let facts = {
        let store = store.clone();
        super::profile_db::blocking(move || Facts::read(&store).map_err(super::profile_db::exit))
            .await?
    };
    let full = args.full || !facts.complete;
    let plan = Plan::new(
        full,
        facts.listed,
        facts.seen_today,
        &prices,
        client.budget(Endpoint::Blocking),
        SystemTime::now(),
    );
    let caps = Caps {
        max_cost: args.max_cost,
        daily_cap: config.billing.daily_cap(),
        spent_before: facts.spent_today,
        spent_run: Usd::ZERO,
    };
    if args.json && args.dry_run {
        return json(&Report::new(&plan, &prices, &caps, None, None));
    }
    if !args.json {
        for line in crate::sync::plan::lines(&plan, &prices, &caps, facts.complete) {
            println!("{line}");
        }
    }
    if args.dry_run {
        println!("dry run: nothing was sent");
        return Ok(());
    }
    let me = me_id(&client, token.as_ref(), &store).await?;
    let outcome = run_sync(&client, &me, &store, full, &prices, caps).await?;
    let credits = client.usage_credits().await.unwrap_or(None);
    if args.json {
        return json(&Report::new(&plan, &prices, &caps, Some(&outcome), credits));
    }
    for line in outcome_lines(&outcome, facts.spent_today, credits) {
        println!("{line}");
    }
    Ok(())
}

/// The signed-in account's id as the token or the database knows it (no request).
pub async fn known_me_id(
    token: Option<&crate::auth::token_store::StoredToken>,
    store: &Store,
) -> Option<String> {
    if let Some(id) = token.and_then(|t| t.user_id.clone()) {
        return Some(id);
    }
    let st = store.clone();
    super::profile_db::blocking(move || st.remembered_account().ok().flatten())
        .await
        .map(|(id, _)| id)
}

/// The signed-in account's id without a request when the token or the database knows it.
pub async fn me_id(
    client: &Client,
    token: Option<&crate::auth::token_store::StoredToken>,
    store: &Store,
) -> Result<String, ExitError> {
    if let Some(id) = known_me_id(token, store).await {
        return Ok(id);
    }
    let me = client.me().await?;
    let st = store.clone();
    let m = me.clone();
    super::profile_db::blocking(move || super::account::remember(&st, &m)).await;
    Ok(me.id)
}

/// Runs the sync with a progress line, turning its stops into exit codes.
pub async fn run_sync(
    client: &Client,
    me: &str,
    store: &Store,
    full: bool,
    prices: &Prices,
    mut caps: Caps,
) -> Result<Outcome, ExitError> {
    let progress = Progress::new(client.rate_events());
    let kind = if full { "full sync" } else { "top-up" };
    let mut on_page = |o: &Outcome, _: &[crate::api::types::User]| {
        progress.update_line(&format!(
            "{kind}: {}, {}, {} new, {} so far",
            count(o.requests, "request"),
            count(o.accounts, "account"),
            o.new,
            o.cost
        ));
    };
    match crate::sync::sync(client, me, store, full, prices, &mut caps, &mut on_page).await {
        Ok(o) => {
            progress.finish(&format!(
                "{kind}: {}, {}, {} new",
                count(o.requests, "request"),
                count(o.accounts, "account"),
                o.new
            ));
            Ok(o)
        }
        Err(SyncError::Cap(stop, o)) => {
            drop(progress);
            Err(cap_error(&stop, &o))
        }
        Err(SyncError::Api(e, o)) => {
            drop(progress);
            let mut err = ExitError::from(e);
            if o.requests > 0 {
                err.message = format!(
                    "{}\n{kind} stopped after {} ({} kept in the database, {} spent)",
                    err.message,
                    count(o.requests, "request"),
                    count(o.accounts, "account"),
                    o.cost
                );
            }
            Err(err)
        }
        Err(SyncError::Db(e)) => Err(ExitError::new(Exit::Other, e.to_string())),
    }
}

/// Exit 6 for a request a cap kept back.
pub fn cap_error(stop: &CapStop, o: &Outcome) -> ExitError {
    ExitError::new(
        Exit::Money,
        format!(
            "{stop}; nothing more was sent ({}, {} kept). Raise the cap or wait for the next UTC day",
            count(o.requests, "request"),
            count(o.accounts, "account")
        ),
    )
}

fn outcome_lines(o: &Outcome, spent_before: Usd, credits: Option<f64>) -> Vec<String> {
    let mut lines = vec![format!(
        "synced ({}): {}, {} ({} new{}), about {}{}",
        if o.full { "full" } else { "top-up" },
        count(o.requests, "request"),
        count(o.accounts, "account"),
        o.new,
        if o.full {
            format!(", {} gone", o.gone)
        } else {
            String::new()
        },
        o.cost,
        if o.likely_free > 0 {
            format!(" ({} likely not billed again today)", o.likely_free)
        } else {
            String::new()
        }
    )];
    let mut money = format!("spent today (UTC): {}", spent_before.plus(o.cost));
    if let Some(c) = credits {
        money.push_str(&format!("; X credits left: ${c:.3}"));
    }
    lines.push(money);
    lines
}

/// `sync --json`: the plan, and the outcome once it ran.
#[derive(Serialize)]
struct Report {
    kind: &'static str,
    plan: PlanJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<OutcomeJson>,
    spent_today_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    credits_usd: Option<f64>,
}

#[derive(Serialize)]
struct PlanJson {
    requests: u64,
    accounts_at_most: u64,
    cost_at_most_usd: f64,
    likely_not_billed_again: u64,
    eta_secs: u64,
}

#[derive(Serialize)]
struct OutcomeJson {
    requests: u64,
    accounts: u64,
    new: u64,
    gone: u64,
    cost_usd: f64,
    likely_not_billed_again: u64,
}

impl Report {
    fn new(
        plan: &Plan,
        _prices: &Prices,
        caps: &Caps,
        outcome: Option<&Outcome>,
        credits: Option<f64>,
    ) -> Self {
        Self {
            kind: if plan.full { "full" } else { "top-up" },
            plan: PlanJson {
                requests: plan.requests,
                accounts_at_most: plan.accounts,
                cost_at_most_usd: plan.cost.dollars(),
                likely_not_billed_again: plan.likely_free,
                eta_secs: plan.eta_secs,
            },
            result: outcome.map(|o| OutcomeJson {
                requests: o.requests,
                accounts: o.accounts,
                new: o.new,
                gone: o.gone,
                cost_usd: o.cost.dollars(),
                likely_not_billed_again: o.likely_free,
            }),
            spent_today_usd: caps
                .spent_before
                .plus(outcome.map_or(Usd::ZERO, |o| o.cost))
                .dollars(),
            credits_usd: credits,
        }
    }
}

fn json(report: &Report) -> anyhow::Result<()> {
    super::json::print(report)?;
    Ok(())
}
