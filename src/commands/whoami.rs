//! `xblocks whoami [--json] [--probe]`: account, auth kind, scopes, profile, API base, the
//! capability and when it was learned, the database (accounts, last sync) and money spent today.
//! Only `--probe` asks X for the capability (one no-op write); otherwise it is the stored one.
//! X is asked once who the token belongs to (the check that the sign-in works); when X cannot
//! be reached, the account the profile knows answers, and the credit balance is left out.

use serde::Serialize;

use super::account;
use crate::api::price::Usd;
use crate::api::Capability;
use crate::cli::{GlobalArgs, Origin, WhoamiArgs};
use crate::exit::ExitError;
use crate::store::db::{self, SyncKind};
use crate::text::sanitize as inert;

/// The `whoami --json` document.
#[derive(Debug, Serialize)]
struct Report {
    id: String,
    username: String,
    profile: String,
    api_base: String,
    /// Where `api_base` came from: `flag`, `env`, `profile` (stored at `login`) or `default`.
    api_base_from: &'static str,
    auth_base: String,
    auth_base_from: &'static str,
    auth: String,
    scopes: Vec<String>,
    capability: &'static str,
    capability_reason: Option<String>,
    capability_learned_at: Option<String>,
    accounts: u64,
    last_sync: Option<SyncJson>,
    last_full_sync: Option<String>,
    spent_today_usd: f64,
    credits_usd: Option<f64>,
}

#[derive(Debug, Serialize)]
struct SyncJson {
    kind: &'static str,
    finished: String,
    requests: u64,
    accounts: u64,
    cost_usd: f64,
}

/// Runs `xblocks whoami`.
pub async fn run(global: GlobalArgs, args: WhoamiArgs) -> anyhow::Result<()> {
    let (s, reached) = crate::auth::session::connect_checked(&global.session()).await?;
    let paths = global.paths();
    let store = super::profile_db::open(&paths).await?;
    if reached {
        record_me_read(&paths, &store).await;
    }
    {
        let (store, me) = (store.clone(), s.me.clone());
        super::profile_db::blocking(move || account::remember(&store, &me)).await;
    }
    let learned = if args.probe {
        let cap = s
            .client
            .capability(&s.me.id)
            .await
            .map_err(ExitError::from)?;
        let st = store.clone();
        let c = cap.clone();
        super::profile_db::blocking(move || account::learn(&st, &c)).await;
        Some((cap, Some(db::now_unix())))
    } else {
        let st = store.clone();
        // The grant (missing scope, read-only app) outranks what was learned before.
        let stored =
            super::profile_db::blocking(move || st.learned_capability().ok().flatten()).await;
        s.client
            .capability_from_grant()
            .map(|c| (c, None))
            .or(stored.map(|(c, t)| (c, Some(t))))
    };
    let st = store.clone();
    let (accounts, last, full, spent) = super::profile_db::blocking(move || {
        let e = super::profile_db::exit;
        Ok::<_, ExitError>((
            st.listed_count().map_err(e)?,
            st.last_sync().map_err(e)?,
            st.last_full_syncs(1).map_err(e)?.into_iter().next(),
            Usd::from_dollars(st.spent_today().map_err(e)?),
        ))
    })
    .await?;
    let credits = if reached {
        s.client.usage_credits().await.unwrap_or(None)
    } else {
        None
    };
    let scopes = if s.scopes.is_empty() {
        Vec::new()
    } else {
        s.scopes.clone()
    };
    let report = Report {
        id: s.me.id.clone(),
        username: s.me.username.clone(),
        profile: global.profile.clone(),
        api_base: global.api_base.clone(),
        api_base_from: origin_word(global.bases_from.api),
        auth_base: global.auth_base.clone(),
        auth_base_from: origin_word(global.bases_from.auth),
        auth: s.auth_kind.to_string(),
        scopes,
        capability: learned.as_ref().map_or("unknown", |(c, _)| c.word()),
        capability_reason: learned
            .as_ref()
            .and_then(|(c, _)| c.reason().map(str::to_string)),
        capability_learned_at: learned.as_ref().and_then(|(_, t)| t.map(db::rfc3339)),
        accounts,
        last_sync: last.as_ref().map(|l| SyncJson {
            kind: kind_word(l.kind),
            finished: l.finished.map(db::rfc3339).unwrap_or_default(),
            requests: l.totals.requests,
            accounts: l.totals.accounts,
            cost_usd: l.totals.cost_usd,
        }),
        last_full_sync: full.and_then(|f| f.finished).map(db::rfc3339),
        spent_today_usd: spent.dollars(),
        credits_usd: credits,
    };
    if args.json {
        super::json::print(&report)?;
        return Ok(());
    }
    println!("@{} ({})", inert(&report.username), inert(&report.id));
    println!("profile: {}", report.profile);
    println!(
        "api: {} ({})",
        inert(&report.api_base),
        origin_text(global.bases_from.api, "--api-base", "XBLOCKS_API_BASE")
    );
    if global.bases_from.auth != Origin::Default {
        println!(
            "auth base: {} ({})",
            inert(&report.auth_base),
            origin_text(global.bases_from.auth, "--auth-base", "XBLOCKS_AUTH_BASE")
        );
    }
    println!("auth: {}", report.auth);
    if report.scopes.is_empty() {
        match s.client.access_level() {
            Some(level) => println!("scopes: none (OAuth 1.0a app permission: {level})"),
            None => println!("scopes: unknown"),
        }
    } else {
        println!("scopes: {}", report.scopes.join(" "));
    }
    let when = report
        .capability_learned_at
        .as_deref()
        .map(|t| format!("; learned {}", t.replace('T', " ")))
        .unwrap_or_default();
    match learned.map(|(c, _)| c) {
        Some(Capability::Full) => println!("capability: full (read, block, unblock, mute){when}"),
        Some(Capability::ReadOnly { reason }) => {
            println!("capability: read-only ({}){when}", inert(&reason))
        }
        Some(Capability::Unknown { reason }) => {
            println!("capability: unknown ({}){when}", inert(&reason))
        }
        None => println!(
            "capability: unknown (not learned yet: the next block write tells, or `xblocks whoami --probe`)"
        ),
    }
    match &report.last_sync {
        Some(l) => println!(
            "database: {accounts} accounts; last sync {} {} ({} requests, {} accounts, ${:.3}){}",
            l.kind,
            l.finished.replace('T', " "),
            l.requests,
            l.accounts,
            l.cost_usd,
            report
                .last_full_sync
                .as_deref()
                .map(|f| format!("; last full sync {}", f.replace('T', " ")))
                .unwrap_or_else(|| "; no full sync yet".into())
        ),
        None => println!("database: {accounts} accounts; never synced (run `xblocks sync`)"),
    }
    let mut money = format!("spent today (UTC): {spent}");
    if let Some(c) = credits {
        money.push_str(&format!("; X credits left: ${c:.3}"));
    }
    println!("{money}");
    if !reached {
        println!(
            "X: not reachable now; everything above is what this profile knows (`--probe` asks X)"
        );
    }
    Ok(())
}

/// `flag`, `env`, `profile` or `default` (the JSON words).
fn origin_word(o: Origin) -> &'static str {
    match o {
        Origin::Flag => "flag",
        Origin::Env => "env",
        Origin::Profile => "profile",
        Origin::Default => "default",
    }
}

/// Where a base came from, in words.
fn origin_text(o: Origin, flag: &str, env: &str) -> String {
    match o {
        Origin::Flag => format!("from {flag}, for this run"),
        Origin::Env => format!("from {env}, for this run"),
        Origin::Profile => format!("the profile's, from `login`; {flag} changes it for a run"),
        Origin::Default => "the default".into(),
    }
}

fn kind_word(k: SyncKind) -> &'static str {
    match k {
        SyncKind::TopUp => "top-up",
        SyncKind::Full => "full",
    }
}

/// Counts what asking X who is signed in cost (`GET /2/users/me`, one user at `[billing]`'s
/// lookup price) in today's spend, once per UTC day as X bills it.
async fn record_me_read(paths: &crate::store::paths::Paths, store: &db::Store) {
    let Ok(config) = crate::store::config::Config::load(paths) else {
        return;
    };
    let usd = config.billing.prices().lookup(1);
    if usd == Usd::ZERO {
        return;
    }
    let day = crate::api::price::utc_day(time::OffsetDateTime::now_utc());
    let st = store.clone();
    let added = super::profile_db::blocking(move || st.add_me_read(&day, usd.dollars())).await;
    if let Err(e) = added {
        tracing::warn!("what reading the account cost was not recorded: {e}");
    }
}
