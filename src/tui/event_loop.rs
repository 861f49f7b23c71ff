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
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                Some(Action::Click(m.column, m.row))
            }
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Paste(text) => Some(Action::Paste(text)),
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
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;
    let size = terminal.size()?;
    app::update(state, Action::Resize(size.width, size.height));
    let first = app::start(state);
    let io = Io {
        worker: &worker,
        actions: &actions_tx,
    };
    dispatch(first, terminal, &io)?;
    terminal.draw(|f| crate::ui::render(state, f))?;
    loop {
        let searching = state.searching();
        let action = tokio::select! {
            // Keys first, then worker results, then the next slice of a long search.
            biased;
            ev = events.next() => match ev {
                Some(Ok(e)) => map_event(e),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Ending::Signal),
            },
            Some(a) = actions.recv() => Some(a),
            _ = std::future::ready(()), if searching => Some(Action::SearchStep),
            _ = tick.tick() => Some(Action::Tick(SystemTime::now())),
            _ = sigterm.recv() => return Ok(Ending::Signal),
            _ = sighup.recv() => return Ok(Ending::Signal),
            _ = sigtstp.recv() => {
                super::terminal::suspend(terminal)?;
                let size = terminal.size()?;
                Some(Action::Resize(size.width, size.height))
            }
        };
        let Some(action) = action else { continue };
        let commands = app::update(state, action);
        if dispatch(commands, terminal, &io)? {
            return Ok(Ending::Quit);
        }
        terminal.draw(|f| crate::ui::render(state, f))?;
    }
}

/// Where commands go: the worker, or back into the loop.
struct Io<'a> {
    worker: &'a mpsc::UnboundedSender<Command>,
    actions: &'a mpsc::UnboundedSender<Action>,
}

/// Sends network commands to the worker and performs terminal ones; true when quitting.
fn dispatch(commands: Vec<Command>, terminal: &mut Term, io: &Io) -> anyhow::Result<bool> {
    let (worker, actions) = (io.worker, io.actions);
    for cmd in commands {
        match cmd {
            Command::Quit => return Ok(true),
            Command::Suspend => super::terminal::suspend(terminal)?,
            Command::Copy { text } => {
                let backend = terminal.backend_mut();
                backend.write_all(osc52(&text).as_bytes())?;
                backend.flush()?;
            }
            Command::Open { url } => {
                let actions = actions.clone();
                tokio::task::spawn_blocking(move || {
                    if !crate::browser::open(&url) {
                        let _ = actions.send(Action::NoBrowser { url });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_actions() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
        let k = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert!(matches!(map_event(Event::Key(k)), Some(Action::Key(_))));
        let wheel = MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 0,
            row: 0,
            modifiers: KeyModifiers::NONE,
        };
        assert!(matches!(
            map_event(Event::Mouse(wheel)),
            Some(Action::Scroll(3))
        ));
        assert!(matches!(
            map_event(Event::Resize(40, 10)),
            Some(Action::Resize(40, 10))
        ));
        let click = MouseEvent {
            kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: 7,
            row: 3,
            modifiers: KeyModifiers::NONE,
        };
        assert!(matches!(
            map_event(Event::Mouse(click)),
            Some(Action::Click(7, 3))
        ));
        assert!(map_event(Event::FocusGained).is_none());
        assert!(matches!(
            map_event(Event::Paste("q\n".into())),
            Some(Action::Paste(t)) if t == "q\n"
        ));
    }
}
