//! The event loop: terminal events, worker results and a tick merged by `tokio::select!`, each
//! turned into an `Action` for `update`; commands go to the worker or are done here (open, copy).
//! It takes any stream of terminal events and any [`Screen`], so a test drives the whole app in
//! process (keys in, frames out) without a terminal.

use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{Event, KeyEventKind, MouseEventKind};
use futures::{FutureExt, Stream, StreamExt};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use super::terminal::{osc52, Term};
use crate::app::{self, Action, Command, Effect, State, TerminalRequest};

/// What the loop draws on and hands terminal work to: the real terminal, or a test's
/// `TestBackend`.
pub trait Screen {
    /// Columns and rows.
    fn size(&self) -> io::Result<(u16, u16)>;
    /// Draws one frame of `state`.
    fn draw(&mut self, state: &State) -> io::Result<()>;
    /// Gives the terminal back to the shell until the process is continued (Ctrl-Z).
    fn suspend(&mut self) -> io::Result<()>;
    /// Puts `text` on the clipboard (OSC 52).
    fn copy(&mut self, text: &str) -> io::Result<()>;
    /// The terminal hung up (its window or connection is gone) without a signal reaching us.
    fn hung_up(&self) -> bool {
        false
    }
}

impl Screen for Term {
    fn size(&self) -> io::Result<(u16, u16)> {
        let s = Terminal::size(self)?;
        Ok((s.width, s.height))
    }
    fn draw(&mut self, state: &State) -> io::Result<()> {
        Terminal::draw(self, |f| crate::ui::render(state, f)).map(drop)
    }
    fn suspend(&mut self) -> io::Result<()> {
        super::terminal::suspend(self)
    }
    fn copy(&mut self, text: &str) -> io::Result<()> {
        let backend = self.backend_mut();
        backend.write_all(osc52(text).as_bytes())?;
        backend.flush()
    }
    fn hung_up(&self) -> bool {
        super::terminal::hung_up()
    }
}

/// A test's screen: frames land in the `TestBackend`; suspend and copy do nothing.
impl Screen for Terminal<TestBackend> {
    fn size(&self) -> io::Result<(u16, u16)> {
        let s = Terminal::size(self).unwrap_or_else(|e| match e {});
        Ok((s.width, s.height))
    }
    fn draw(&mut self, state: &State) -> io::Result<()> {
        Terminal::draw(self, |f| crate::ui::render(state, f)).unwrap_or_else(|e| match e {});
        Ok(())
    }
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}

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

/// The most actions applied before a frame is drawn, so a flood of results cannot starve input.
const DRAIN_MAX: usize = 256;

/// How often the loop looks whether the terminal hung up.
const HANG_UP_CHECK: Duration = Duration::from_millis(250);

/// Runs until the user quits, the event stream ends, or a signal arrives.
///
/// Each turn waits for one event, then drains what else is ready (keys first, then worker
/// results) and draws one frame for all of them.
pub async fn run<S, E>(
    screen: &mut S,
    events: E,
    state: &mut State,
    worker: mpsc::UnboundedSender<Command>,
    actions_tx: mpsc::UnboundedSender<Action>,
    mut actions: mpsc::UnboundedReceiver<Action>,
) -> io::Result<Ending>
where
    S: Screen,
    E: Stream<Item = io::Result<Event>>,
{
    let mut events = std::pin::pin!(events);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;
    let (w, h) = screen.size()?;
    app::update(state, Action::Resize(w, h));
    let first = app::start(state);
    let io = Io {
        worker: &worker,
        actions: &actions_tx,
    };
    dispatch(first, screen, &io)?;
    screen.draw(state)?;
    let mut checked = Instant::now();
    loop {
        // A terminal that hung up can leave a branch below always ready, so the tick never
        // wins: whatever runs, the hang-up is looked for every quarter second.
        if checked.elapsed() >= HANG_UP_CHECK {
            checked = Instant::now();
            if screen.hung_up() {
                return Ok(Ending::Signal);
            }
        }
        let searching = state.searching();
        let action = tokio::select! {
            // Signals first (a terminal that is gone can leave the event stream always ready,
            // and it must never starve SIGHUP/SIGTERM), then keys, then worker results, then
            // the next slice of a long search.
            biased;
            _ = sigterm.recv() => return Ok(Ending::Signal),
            _ = sighup.recv() => return Ok(Ending::Signal),
            _ = sigtstp.recv() => {
                screen.suspend()?;
                let (w, h) = screen.size()?;
                Some(Action::Resize(w, h))
            }
            ev = events.next() => match ev {
                Some(Ok(e)) => map_event(e),
                Some(Err(e)) => return Err(e),
                None => return Ok(Ending::Signal),
            },
            Some(a) = actions.recv() => Some(a),
            _ = std::future::ready(()), if searching => Some(Action::SearchStep),
            _ = tick.tick() => Some(Action::Tick(SystemTime::now())),
        };
        let mut pending: Vec<Action> = action.into_iter().collect();
        // Coalesce: whatever is ready now joins this frame.
        while pending.len() < DRAIN_MAX {
            if let Some(ev) = events.next().now_or_never() {
                match ev {
                    Some(Ok(e)) => pending.extend(map_event(e)),
                    Some(Err(e)) => return Err(e),
                    None => break,
                }
            } else if let Ok(a) = actions.try_recv() {
                pending.push(a);
            } else {
                break;
            }
        }
        if pending.is_empty() {
            continue;
        }
        for action in pending {
            let commands = app::update(state, action);
            if dispatch(commands, screen, &io)? {
                return Ok(Ending::Quit);
            }
        }
        screen.draw(state)?;
    }
}

/// Where effects go: the worker, or back into the loop.
struct Io<'a> {
    worker: &'a mpsc::UnboundedSender<Command>,
    actions: &'a mpsc::UnboundedSender<Action>,
}

/// Sends the worker's commands to it and carries out the terminal's requests; true when
/// quitting.
fn dispatch(effects: Vec<Effect>, screen: &mut impl Screen, io: &Io) -> io::Result<bool> {
    let (worker, actions) = (io.worker, io.actions);
    for effect in effects {
        match effect {
            Effect::Terminal(TerminalRequest::Quit) => return Ok(true),
            Effect::Terminal(TerminalRequest::Suspend) => screen.suspend()?,
            Effect::Terminal(TerminalRequest::Copy { text }) => screen.copy(&text)?,
            Effect::Terminal(TerminalRequest::Open { url }) => {
                let actions = actions.clone();
                tokio::task::spawn_blocking(move || {
                    if !crate::browser::open(&url) {
                        let _ = actions.send(Action::NoBrowser { url });
                    }
                });
            }
            Effect::Worker(command) => {
                if worker.send(command).is_err() {
                    return Err(io::Error::other(
                        "the network worker stopped; see the log file",
                    ));
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
