//! The worker of a TUI that starts without knowing the account: it answers
//! [`Command::SignIn`] by asking X who is signed in (again after each failure, reading the token
//! file anew) and, once X answers, hands every command to the usual worker of
//! [`super::spawn_with`]. Nothing waits for X before the first frame.

use tokio::sync::mpsc;

use super::durable::Durable;
use super::{sentence, Command};
use crate::api::types::User;
use crate::api::{ApiError, Client};
use crate::app::Action;

/// Starts the signing-in worker; results go to `actions`. Commands other than `SignIn` that
/// arrive before the account is known are dropped (the app does not send them).
pub fn spawn(
    client: Client,
    actions: mpsc::UnboundedSender<Action>,
    durable: Option<Durable>,
    local: Option<super::Local>,
) -> mpsc::UnboundedSender<Command> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    tokio::spawn(async move {
        let me = loop {
            match rx.recv().await {
                None => return,
                Some(Command::SignIn) => {}
                Some(other) => {
                    tracing::debug!("before the sign-in, dropped {other:?}");
                    continue;
                }
            }
            if client.reload_sign_in().await {
                tracing::info!("using the new sign-in from the token file");
            }
            match client.me().await {
                Ok(me) => break me,
                Err(e) => {
                    if actions.send(failure(e)).is_err() {
                        return;
                    }
                }
            }
        };
        tracing::info!(id = %me.id, "signed in");
        if let Some(d) = &durable {
            remember(d, &me).await;
        }
        if actions
            .send(Action::SignedIn(Box::new(me.clone())))
            .is_err()
        {
            return;
        }
        let inner = super::spawn_with(client, me.id, actions, durable, local);
        while let Some(cmd) = rx.recv().await {
            if inner.send(cmd).is_err() {
                return;
            }
        }
    });
    tx
}

/// What a failed "who is signed in?" tells the app.
fn failure(e: ApiError) -> Action {
    match e {
        ApiError::TokenRejected | ApiError::NotSignedIn => Action::SignedOut,
        e => Action::SignInFailed {
            offline: matches!(e, ApiError::Network(_)),
            message: sentence(&e.user_message()),
        },
    }
}

/// Stores the account in the profile database, so the next start paints without asking X.
async fn remember(d: &Durable, me: &User) {
    let me = me.clone();
    if let Err(e) = d.store().call(move |s| s.remember_account(&me)).await {
        tracing::warn!("the account was not remembered in the database: {e}");
    }
}
