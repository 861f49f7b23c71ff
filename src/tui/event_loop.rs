//! The event loop: terminal events, worker results and a tick merged by `tokio::select!`, each
//! turned into an `Action` for `update`; commands go to the worker or are done here (open, copy).

use std::io::Write;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures::StreamExt;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use super::terminal::{osc52, Term};
use crate::app::{self, Action, Command, State};

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// SIGTERM or SIGHUP.
    Signal,
}

/// Rows one mouse-wheel notch scrolls.
const WHEEL_ROWS: i32 = 3;

/// Turns a terminal event into an action.
pub fn map_event(event: Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Scroll(WHEEL_ROWS)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-WHEEL_ROWS)),
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Runs until the user quits or a signal arrives.
pub async fn run(
    terminal: &mut Term,
    state: &mut State,
    worker: mpsc::UnboundedSender<Command>,
    actions_tx: mpsc::UnboundedSender<Action>,
    mut actions: mpsc::UnboundedReceiver<Action>,
) -> anyhow::Result<Ending> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let size = terminal.size()?;
    app::update(state, Action::Resize(size.width, size.height));
    let first = app::start(state);
    dispatch(first, terminal, &worker, &actions_tx)?;
    terminal.draw(|f| crate::ui::render(state, f))?;
    loop {
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(e)) => map_event(e),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Ending::Signal),
            },
            Some(a) = actions.recv() => Some(a),
            _ = tick.tick() => Some(Action::Tick(SystemTime::now())),
            _ = sigterm.recv() => return Ok(Ending::Signal),
            _ = sighup.recv() => return Ok(Ending::Signal),
        };
        let Some(action) = action else { continue };
        let commands = app::update(state, action);
        if dispatch(commands, terminal, &worker, &actions_tx)? {
            return Ok(Ending::Quit);
        }
        terminal.draw(|f| crate::ui::render(state, f))?;
    }
}

/// Sends network commands to the worker and performs terminal ones; true when quitting.
fn dispatch(
    commands: Vec<Command>,
    terminal: &mut Term,
    worker: &mpsc::UnboundedSender<Command>,
    actions: &mpsc::UnboundedSender<Action>,
) -> anyhow::Result<bool> {
    for cmd in commands {
        match cmd {
            Command::Quit => return Ok(true),
            Command::Copy { text } => {
                let backend = terminal.backend_mut();
                backend.write_all(osc52(&text).as_bytes())?;
                backend.flush()?;
            }
            Command::Open { url } => {
                let actions = actions.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = open::that_detached(&url) {
                        let _ = actions.send(Action::OpenFailed {
                            url,
                            message: e.to_string(),
                        });
                    }
                });
            }
            net => {
                if worker.send(net).is_err() {
                    anyhow::bail!("the network worker stopped; see the log file");
                }
            }
        }
    }
    Ok(false)
}
