//! `xblocks` and `xblocks demo`: the profile's config, keymap and sign-in, the worker, then
//! the TUI (`crate::tui`) until the user quits; its ending becomes the exit code.

use std::io::{IsTerminal, Write};
use std::time::SystemTime;

use tokio::sync::mpsc;

use crate::api::{ApiError, Client, ClientConfig};
use crate::app::{Keymap, State};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::{Exit, ExitError};
use crate::store::config::{Config, Theme};
use crate::store::paths::Paths;
use crate::tui::Ending;

/// `xblocks`: the TUI on the stored account.
pub async fn run(global: GlobalArgs) -> anyhow::Result<()> {
    run_with(&global, 900, false).await
}

/// `xblocks demo`: the TUI against an in-process emulator, signed in through its PKCE flow.
pub async fn demo(global: GlobalArgs, args: DemoArgs) -> anyhow::Result<()> {
    let config = crate::emulator::Config {
        users: args.users,
        seed: args.seed,
        tier: args.tier,
        window_secs: args.window_secs,
        hostile: args.hostile,
        faults: match &args.faults {
            Some(spec) => spec
                .parse()
                .map_err(|e| ExitError::new(Exit::Usage, format!("--faults: {e}")))?,
            None => Default::default(),
        },
        ..Default::default()
    };
    need_terminal()?;
    let emulator = crate::emulator::start(config).await?;
    let dir = DemoDir::create()?;
    let mut g = global.clone();
    g.api_base = emulator.base_url();
    g.auth_base = emulator.base_url();
    g.config_dir = Some(dir.0.clone());
    let result = async {
        crate::auth::pkce::login_headless(
            &g.session(),
            "xblocks-demo",
            crate::auth::DEFAULT_SCOPES,
        )
        .await?;
        crate::auth::session::probe_at_sign_in(&g.session()).await;
        run_with(&g, args.window_secs, true).await
    }
    .await;
    drop(dir);
    emulator.shutdown().await;
    result
}

/// The demo's temporary config dir (private to the user), removed when dropped, also on panic.
struct DemoDir(std::path::PathBuf);

impl DemoDir {
    fn create() -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("xblocks-demo-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir)?;
        let dir = Self(dir);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(dir)
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        match std::fs::remove_dir_all(&self.0) {
            Ok(()) => tracing::info!("demo: removed {}", self.0.display()),
            Err(e) => tracing::warn!("demo: cannot remove {}: {e}", self.0.display()),
        }
    }
}

/// The profile's config and keymap, or the one-line problem with the file that has it.
fn load_config(paths: &Paths) -> Result<(Config, Keymap, Vec<String>), ExitError> {
    let bad = |e: String| ExitError::new(Exit::Other, e);
    let loaded = Config::load_all(paths).map_err(|e| bad(e.to_string()))?;
    let (keymap, notes) =
        Keymap::with_user_keys(loaded.sources.iter().map(|s| (s.path.as_path(), &s.keys)))
            .map_err(bad)?;
    Ok((loaded.config, keymap, notes))
}

/// What the TUI knows before any request: the account (token or database), the stored
/// capability, and how many accounts the database lists.
struct OfflineStart {
    me: Option<crate::api::types::User>,
    capability: Option<crate::api::Capability>,
    listed: u64,
    /// When the last full sync finished (Unix seconds).
    last_full: Option<i64>,
}

fn offline_start(
    paths: &Paths,
    token: Option<&crate::auth::token_store::StoredToken>,
) -> OfflineStart {
    let store = crate::store::db::Store::open_existing(&paths.profile_dir)
        .ok()
        .flatten();
    let from_token = token.and_then(|t| Some((t.user_id.clone()?, t.username.clone()?)));
    let known = from_token.or_else(|| {
        store
            .as_ref()
            .and_then(|s| s.remembered_account().ok().flatten())
    });
    OfflineStart {
        me: known.map(|(id, username)| crate::api::types::User {
            id,
            username,
            ..Default::default()
        }),
        capability: store
            .as_ref()
            .and_then(|s| s.learned_capability().ok().flatten())
            .map(|(c, _)| c),
        listed: store
            .as_ref()
            .and_then(|s| s.listed_count().ok())
            .unwrap_or(0),
        last_full: store
            .as_ref()
            .and_then(|s| s.last_full_syncs(1).ok())
            .and_then(|f| f.first().and_then(|f| f.finished)),
    }
}

/// Fails with a usage error unless stdin and stdout are a terminal.
fn need_terminal() -> Result<(), ExitError> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(ExitError::new(
        Exit::Usage,
        "the TUI needs a terminal; for scripts use `xblocks export`, `xblocks block` or `xblocks unblock`",
    ))
}

/// Signs in with the profile's credentials and runs the TUI until the user quits.
async fn run_with(global: &GlobalArgs, window_secs: u64, demo: bool) -> anyhow::Result<()> {
    let paths = global.paths();
    let (config, keymap, notes) = load_config(&paths)?;
    let (credentials, _, token) = crate::auth::session::load_credentials(&global.session())?
        .ok_or_else(|| ExitError::from(ApiError::NotSignedIn))?;
    need_terminal()?;
    let client = Client::new(ClientConfig {
        api_base: global.api_base.clone(),
        credentials: credentials.into(),
        no_wait: false,
        // X bills every expanded post: pinned posts load one at a time, when asked for (`P`).
        expand_pinned: false,
    });
    // The profile knows the account and the database holds the list: nothing waits for X.
    // Without the account, the first frame says "signing in…" while the worker asks X.
    let start = offline_start(&paths, token.as_ref());
    let mut state = match &start.me {
        Some(me) => State::new(&me.username, &global.profile, keymap, SystemTime::now()),
        None => State::signing_in(&global.profile, keymap, SystemTime::now()),
    };
    state.snapshots.sync.offline_first = start.listed > 0;
    state.snapshots.sync.last_full = start
        .last_full
        .map(|t| std::time::UNIX_EPOCH + std::time::Duration::from_secs(t.max(0) as u64));
    if let Ok(billing) = crate::store::config::Config::load(&paths).map(|c| c.billing) {
        state.snapshots.sync.prices = billing.prices();
        state.snapshots.sync.daily_cap = billing.daily_cap();
    }
    if let Some(cap) = start.capability {
        state.capability = crate::worker::app_capability(cap);
    }
    state.window_secs = window_secs;
    state.demo = demo;
    state.no_color =
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || config.theme == Theme::Mono;
    if !notes.is_empty() {
        state.message = Some(crate::app::state::Message {
            text: notes.join("; "),
            error: false,
        });
    }
    let (actions_tx, actions_rx) = mpsc::unbounded_channel();
    let dir = paths.profile_dir.clone();
    let opened =
        tokio::task::spawn_blocking(move || crate::worker::durable::Durable::open(&dir)).await?;
    let durable = match opened {
        Ok(d) => Some(d),
        Err(crate::worker::durable::OpenError::Store(e)) => {
            return Err(ExitError::new(Exit::Other, e.to_string()).into())
        }
        Err(crate::worker::durable::OpenError::Viewer(why)) => {
            tracing::warn!("read-only viewer: {why}");
            state.viewer = Some(why);
            None
        }
    };
    let local = Some(crate::worker::Local {
        dir: paths.profile_dir.clone(),
        prices: state.snapshots.sync.prices,
        daily_cap: state.snapshots.sync.daily_cap,
    });
    let worker = match start.me {
        Some(me) => crate::worker::spawn_with(client, me.id, actions_tx.clone(), durable, local),
        None => crate::worker::sign_in::spawn(client, actions_tx.clone(), durable, local),
    };
    tracing::info!(profile = %global.profile, "TUI started");
    let (mut terminal, guard) = crate::tui::terminal::enter()?;
    let events = crossterm::event::EventStream::new();
    let ending = crate::tui::event_loop::run(
        &mut terminal,
        events,
        &mut state,
        worker,
        actions_tx,
        actions_rx,
    )
    .await;
    drop(guard);
    // ratatui's `Terminal` shows the cursor on drop and `eprintln!`s if that fails, which panics
    // when the terminal hung up (SIGHUP); the guard already restored everything, so skip it.
    std::mem::forget(terminal);
    tracing::info!(?ending, pending = state.pending(), "TUI ended");
    // The demo's world and config dir vanish at exit: nothing stays queued there.
    let saved = if demo { None } else { queued_note(&state) };
    match ending? {
        Ending::Quit => {
            if let Some(note) = saved {
                let _ = writeln!(std::io::stderr(), "xblocks: {note}");
            }
            Ok(())
        }
        Ending::Signal => Err(ExitError::new(
            Exit::Interrupted,
            match saved {
                Some(note) => format!("interrupted; {note}"),
                None => "interrupted; nothing was pending".to_string(),
            },
        )
        .into()),
    }
}

/// What to tell about writes confirmed but not sent yet, and timed jobs due later: they wait in
/// the durable queue.
fn queued_note(state: &State) -> Option<String> {
    let n = crate::app::quit::pending_writes(state);
    let later = crate::app::quit::due_later(state);
    let unsent = (n > 0).then(|| {
        format!(
            "{n} queued write{} not sent yet stay in the queue; they resume at the next start (Q shows them)",
            if n == 1 { "" } else { "s" }
        )
    });
    let timed = (later > 0).then(|| {
        format!(
            "{later} timed job{} due later run{} at the next start or with `xblocks run-due`",
            if later == 1 { "" } else { "s" },
            if later == 1 { "s" } else { "" }
        )
    });
    match (unsent, timed) {
        (Some(u), Some(t)) => Some(format!("{u}; {t}")),
        (u, t) => u.or(t),
    }
}
