//! `xblocks login`: OAuth 2.0 Authorization Code + PKCE through a loopback listener, or the
//! OAuth 1.0a PIN flow with `--oauth1`.

use crate::auth::token_store::{StoredToken, TokenKind, TokenStore};
use crate::auth::{loopback, oauth1, pkce, DEFAULT_SCOPES};
use crate::cli::{GlobalArgs, LoginArgs};
use crate::exit::{Exit, ExitError};
use crate::store::config::Config;

use crate::text::sanitize as inert;

const REGISTER_HELP: &str = "no OAuth 2.0 client id: register an app at https://developer.x.com (User authentication: Native App, callback http://127.0.0.1:8765/callback),\nthen run `xblocks login --client-id ID` (or set XBLOCKS_CLIENT_ID, or client_id in config.toml)";

/// Runs `xblocks login`.
pub async fn run(global: GlobalArgs, args: LoginArgs) -> anyhow::Result<()> {
    let config = Config::load(&global.paths())?;
    confirm_replace(&global, args.force)?;
    if global.bases_from.api == crate::cli::Origin::Profile {
        eprintln!(
            "Signing in at {}, this profile's API base from its last login (--api-base changes it).",
            inert(&global.api_base)
        );
    }
    if args.oauth1 {
        return run_oauth1(global, args, config).await;
    }
    let client_id = args
        .client_id
        .clone()
        .or(config.client_id)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ExitError::new(Exit::Other, REGISTER_HELP))?;
    let scopes: Vec<String> = match &args.scopes {
        Some(s) => s.split_whitespace().map(str::to_string).collect(),
        None => DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let listener = loopback::bind(args.port).await?;
    let port = listener.port()?;
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let flow = pkce::start(
        &global.session(),
        &client_id,
        app_secret("XBLOCKS_CLIENT_SECRET", config.client_secret.clone()).as_deref(),
        &redirect,
        &scope_refs,
    )?;
    let opened = !args.no_browser && crate::browser::open(flow.url.as_str());
    let pasted = if opened {
        eprintln!(
            "Opened the browser to sign in to X. If nothing opened, visit:\n  {}",
            flow.url
        );
        None
    } else {
        eprintln!(
            "Open this address in a browser to sign in to X:\n  {}",
            flow.url
        );
        eprintln!("Waiting for the callback on {redirect}; or paste the address the browser ends up at and press Enter.");
        Some(loopback::stdin_lines())
    };
    let code = loopback::wait_for_code(listener, &flow, pasted).await?;
    let token = flow.exchange(code).await.map_err(ExitError::from)?;
    let granted = token.scopes.clone();
    let token = pkce::store_new_token(&global.session(), token).await?;
    let missing: Vec<&str> = scope_refs
        .iter()
        .copied()
        .filter(|s| !granted.iter().any(|g| g == s))
        .collect();
    eprintln!(
        "Signed in as @{} ({}) in profile `{}`.",
        inert(token.username.as_deref().unwrap_or("?")),
        inert(token.user_id.as_deref().unwrap_or("?")),
        global.profile
    );
    if !missing.is_empty() {
        eprintln!("Note: X did not grant {}.", missing.join(" "));
    }
    say_capability(crate::auth::session::probe_at_sign_in(&global.session()).await);
    Ok(())
}

/// A login replaces the profile's account only when the user says so: a terminal is asked,
/// a script passes `--force`. A damaged token file is replaced without asking.
fn confirm_replace(global: &GlobalArgs, force: bool) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if force {
        return Ok(());
    }
    let Ok(Some(old)) = TokenStore::new(&global.paths()).load() else {
        return Ok(());
    };
    let who = match (&old.username, &old.user_id) {
        (Some(name), Some(id)) => format!("@{} ({})", inert(name), inert(id)),
        (Some(name), None) => format!("@{}", inert(name)),
        (None, Some(id)) => inert(id).to_string(),
        (None, None) => "an account".to_string(),
    };
    let profile = &global.profile;
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(ExitError::new(
            Exit::Usage,
            format!("profile `{profile}` is already signed in as {who}: `xblocks login --force` replaces it, `xblocks --profile NAME login` signs in another account beside it"),
        )
        .into());
    }
    eprint!("Profile `{profile}` is signed in as {who}. Sign in again and replace it? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        return Ok(());
    }
    Err(ExitError::new(
        Exit::Usage,
        format!("nothing changed: profile `{profile}` is still signed in as {who}"),
    )
    .into())
}

/// One line on what the sign-in probe found.
fn say_capability(cap: Option<crate::api::Capability>) {
    match cap {
        Some(crate::api::Capability::Full) => eprintln!("Capability: full (block writes work)."),
        Some(c) => eprintln!(
            "Capability: {} ({}).",
            c.word(),
            inert(c.reason().unwrap_or(""))
        ),
        None => {}
    }
}

/// An app secret from the environment, else `config.toml`; never a flag (`ps` and shell
/// history show flags).
fn app_secret(env: &str, config: Option<String>) -> Option<String> {
    std::env::var(env)
        .ok()
        .or(config)
        .filter(|s| !s.trim().is_empty())
}

async fn run_oauth1(global: GlobalArgs, args: LoginArgs, config: Config) -> anyhow::Result<()> {
    let key = args
        .consumer_key
        .clone()
        .or(config.consumer_key)
        .filter(|k| !k.trim().is_empty());
    let secret = app_secret("XBLOCKS_CONSUMER_SECRET", config.consumer_secret.clone());
    let (Some(key), Some(secret)) = (key, secret) else {
        return Err(ExitError::new(
            Exit::Other,
            "OAuth 1.0a needs your app's consumer key and secret: pass --consumer-key (or set XBLOCKS_CONSUMER_KEY) and set XBLOCKS_CONSUMER_SECRET\n(or `consumer_key` and `consumer_secret` in config.toml); a secret is never a flag, where `ps` and shell history would show it",
        )
        .into());
    };
    let http = crate::api::http_client();
    let (rt, rts) = oauth1::request_token(&http, &global.api_base, &key, &secret).await?;
    let url = oauth1::authorize_url(&global.api_base, &rt);
    let opened = !args.no_browser && crate::browser::open(&url);
    if !opened {
        eprintln!("Open this address in a browser and approve xblocks:\n  {url}");
    } else {
        eprintln!("Opened the browser to approve xblocks. If nothing opened, visit:\n  {url}");
    }
    eprintln!("Then type the PIN X shows and press Enter:");
    let mut lines = loopback::stdin_lines();
    let pin = loop {
        match lines.recv().await {
            None => anyhow::bail!("no PIN entered; run `xblocks login --oauth1` again"),
            Some(l) if l.trim().is_empty() => continue,
            Some(l) => break l.trim().to_string(),
        }
    };
    let keys = oauth1::Keys {
        consumer_key: key.clone(),
        consumer_secret: secret.clone(),
        token: Some(rt),
        token_secret: rts,
    };
    let at = oauth1::access_token(&http, &global.api_base, &keys, &pin).await?;
    let token = StoredToken {
        kind: TokenKind::Oauth1,
        access_token: at.token,
        token_secret: Some(at.secret),
        consumer_key: Some(key),
        consumer_secret: Some(secret),
        user_id: at.user_id,
        username: at.screen_name,
        ..Default::default()
    };
    let token = pkce::store_new_token(&global.session(), token).await?;
    eprintln!(
        "Signed in (OAuth 1.0a) as @{} ({}) in profile `{}`.",
        inert(token.username.as_deref().unwrap_or("?")),
        inert(token.user_id.as_deref().unwrap_or("?")),
        global.profile
    );
    say_capability(crate::auth::session::probe_at_sign_in(&global.session()).await);
    Ok(())
}
