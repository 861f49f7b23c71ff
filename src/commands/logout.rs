//! `xblocks logout`: revoke the token at X, then delete it locally (even when offline).

use reqwest::header::AUTHORIZATION;
use url::Url;

use crate::auth::oauth1::Keys;
use crate::auth::token_store::{StoredToken, TokenKind, TokenStore};
use crate::cli::GlobalArgs;

use crate::text::sanitize as inert;

/// Runs `xblocks logout`.
pub async fn run(global: GlobalArgs) -> anyhow::Result<()> {
    let store = TokenStore::new(&global.paths());
    let token = match store.load() {
        Ok(Some(t)) => Some(t),
        Ok(None) => None,
        Err(e) => {
            eprintln!("xblocks: {e}");
            None
        }
    };
    let Some(token) = token else {
        if store.delete()? {
            eprintln!("Deleted the damaged token of profile `{}`.", global.profile);
        } else {
            eprintln!(
                "Profile `{}` is not signed in; nothing to do.",
                global.profile
            );
        }
        return Ok(());
    };
    let revoked = revoke(&global.api_base, &token).await;
    store.delete()?;
    let who = token
        .username
        .as_deref()
        .map(|u| format!("@{}", inert(u)))
        .unwrap_or_else(|| "the account".into());
    match revoked {
        Ok(()) => eprintln!(
            "Revoked the token at X and signed {who} out of profile `{}`.",
            global.profile
        ),
        Err(e) => eprintln!(
            "Deleted the token locally, but could not revoke it at X ({e});\nrevoke xblocks at https://x.com/settings/connected_apps to be sure."
        ),
    }
    if std::env::var_os(crate::auth::session::ACCESS_TOKEN_ENV).is_some() {
        eprintln!("Note: XBLOCKS_ACCESS_TOKEN is still set in the environment.");
    }
    Ok(())
}

async fn revoke(api_base: &str, token: &StoredToken) -> anyhow::Result<()> {
    let http = crate::api::http_client();
    let base = api_base.trim_end_matches('/');
    match token.kind {
        TokenKind::Oauth2 => {
            let client_id = token
                .client_id
                .clone()
                .ok_or_else(|| anyhow::anyhow!("no client id stored with the token"))?;
            let mut pairs = vec![(token.access_token.as_str(), "access_token")];
            if let Some(rt) = &token.refresh_token {
                pairs.push((rt.as_str(), "refresh_token"));
            }
            for (value, hint) in pairs {
                let mut req = http.post(format!("{base}/2/oauth2/revoke"));
                let mut form = vec![("token", value), ("token_type_hint", hint)];
                match &token.client_secret {
                    Some(secret) => req = req.basic_auth(&client_id, Some(secret)),
                    None => form.push(("client_id", client_id.as_str())),
                }
                send(req.form(&form)).await?;
            }
            Ok(())
        }
        TokenKind::Oauth1 => {
            let url = Url::parse(&format!("{base}/1.1/oauth/invalidate_token"))?;
            let auth = Keys::of(token).header("POST", &url, &[]);
            send(http.post(url).header(AUTHORIZATION, auth)).await
        }
    }
}

/// Sends a revocation; anything but a 2xx is a failure, named without the URL.
async fn send(req: reqwest::RequestBuilder) -> anyhow::Result<()> {
    let resp = req
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", without_url(&e)))?;
    if !resp.status().is_success() {
        anyhow::bail!("X answered {}", resp.status());
    }
    Ok(())
}

fn without_url(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "cannot connect".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        "request failed".into()
    }
}
