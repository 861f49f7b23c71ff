//! `xblocks whoami`: account, auth kind, scopes and capability (found without changing data).

use crate::api::Capability;
use crate::auth::session;
use crate::cli::GlobalArgs;
use crate::exit::ExitError;

use crate::text::sanitize as inert;

/// Runs `xblocks whoami`.
pub async fn run(global: GlobalArgs) -> anyhow::Result<()> {
    let s = session::connect(&global).await?;
    let cap = s
        .client
        .capability(&s.me.id)
        .await
        .map_err(ExitError::from)?;
    println!("@{} ({})", inert(&s.me.username), inert(&s.me.id));
    println!("auth: {}", s.auth_kind);
    if s.scopes.is_empty() {
        match s.client.access_level() {
            Some(level) => println!("scopes: none (OAuth 1.0a app permission: {level})"),
            None => println!("scopes: unknown"),
        }
    } else {
        println!("scopes: {}", s.scopes.join(" "));
    }
    match cap {
        Capability::Full => println!("capability: full (read, block, unblock, mute)"),
        Capability::ReadOnly { reason } => println!("capability: read-only ({reason})"),
        Capability::Unknown { reason } => println!("capability: unknown ({reason})"),
    }
    Ok(())
}
