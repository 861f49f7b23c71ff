//! `xblocks emulator`: the X API emulator as a standalone server on a loopback address, its
//! flags turned into the emulator's settings, its tokens and keys printed, until SIGINT/SIGTERM.

use std::io::Write;

use crate::cli::EmulatorArgs;
use crate::emulator::faults::{self, Faults};
use crate::emulator::{start_on, Config, ALL_SCOPES};
use crate::exit::{Exit, ExitError};

/// The emulator's settings from the flags; a bad `--faults` spec is a clear error.
pub fn config(a: &EmulatorArgs) -> anyhow::Result<Config> {
    let faults = match &a.faults {
        Some(spec) => spec.parse().map_err(|e| anyhow::anyhow!("--faults: {e}"))?,
        None => Faults::default(),
    };
    let token_scopes = a.token_scopes.as_ref().map(|s| {
        s.split([' ', ','])
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    if let Some(unknown) = token_scopes
        .iter()
        .flatten()
        .find(|s| !ALL_SCOPES.contains(&s.as_str()))
    {
        anyhow::bail!(
            "--token-scopes: unknown scope `{unknown}` (known: {})",
            ALL_SCOPES.join(" ")
        );
    }
    let answers = a
        .answers
        .iter()
        .map(|spec| faults::parse_answer(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--answer: {e}"))?;
    if a.credits
        .is_some_and(|c| !c.is_finite() || !(0.0..=1e9).contains(&c))
    {
        anyhow::bail!("--credits: a USD amount between 0 and 1000000000, e.g. 5 or 0.25");
    }
    if a.users > 8_000_000 {
        anyhow::bail!("--users: at most 8000000 accounts");
    }
    Ok(Config {
        users: a.users,
        seed: a.seed,
        tier: a.tier,
        window_secs: a.window_secs.max(1),
        tokens: a.tokens.clone(),
        token_scopes,
        token_ttl_secs: a.token_ttl,
        faults,
        hostile: a.hostile,
        no_limits: a.no_limits,
        extra_client_id: a.client_id.clone(),
        extra_client_secret: a.client_secret.clone(),
        redirect_uris: a.redirect_uris.clone(),
        consumer_key: a.consumer_key.clone(),
        consumer_secret: a.consumer_secret.clone(),
        credits: a.credits,
        usage_cap: a.usage_cap,
        credits_body: a.credits_body,
        answers,
        ..Config::default()
    })
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// `xblocks emulator`: serves until SIGINT/SIGTERM.
pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    if !args.allow_remote {
        refuse_remote(&args.addr).await?;
    }
    let mut config = config(&args)?;
    config.log_requests = true;
    let stop = stop_signal()?;
    let emu = start_on(config.clone(), &args.addr).await?;
    let (id, username) = emu.me();
    say(&format!("listening on {}", emu.base_url()));
    say(&format!("user: @{username} ({id})"));
    say(&format!("oauth2 client: {} (public)", config.client_id));
    if let Some(extra) = &config.extra_client_id {
        let kind = if config.extra_client_secret.is_some() {
            "confidential"
        } else {
            "public"
        };
        say(&format!("oauth2 client: {extra} ({kind})"));
    }
    say(&format!("consumer key: {}", config.consumer_key));
    say(&format!("consumer secret: {}", config.consumer_secret));
    for t in &config.tokens {
        say(&format!("token: {t}"));
    }
    stop.await;
    emu.shutdown().await;
    Ok(())
}

/// Refuses an `--addr` that is not loopback: the emulator hands out tokens to anyone.
async fn refuse_remote(addr: &str) -> Result<(), ExitError> {
    let resolved: Vec<std::net::SocketAddr> = tokio::net::lookup_host(addr)
        .await
        .map_err(|e| ExitError::new(Exit::Usage, format!("--addr {addr}: {e}")))?
        .collect();
    if resolved.is_empty() || resolved.iter().any(|a| !a.ip().is_loopback()) {
        return Err(ExitError::new(
            Exit::Usage,
            format!(
                "--addr {addr} is not a loopback address: the emulator serves its tokens to anyone who can reach it; use 127.0.0.1:PORT, or add --allow-remote"
            ),
        ));
    }
    Ok(())
}

/// Registers SIGINT/SIGTERM handlers now (before the banner, so an early signal is not lost)
/// and returns a future that resolves on the first of them.
#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
