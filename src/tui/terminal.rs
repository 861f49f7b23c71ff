//! Entering and restoring the terminal: raw mode, alternate screen, mouse capture, and a panic
//! hook that restores before the panic is printed.

use std::io::{self, Stdout, Write};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The terminal the TUI draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped (normal exit, error, or unwinding).
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal in TUI mode and installs the panic hook (once per process).
pub fn enter() -> io::Result<(Term, Guard)> {
    install_panic_hook();
    let guard = Guard;
    modes_on()?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// Raw mode, the alternate screen, mouse capture, bracketed paste (a paste arrives as one
/// event, never as keys), no cursor.
fn modes_on() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        cursor::Hide
    )
}

/// Ctrl-Z (or SIGTSTP): gives the terminal back to the shell as it was, stops the process, and
/// when the shell continues it (`fg`, SIGCONT) takes the terminal again and redraws everything.
pub fn suspend(terminal: &mut Term) -> io::Result<()> {
    restore();
    // SIGSTOP cannot be caught: the process stops here until SIGCONT.
    // SAFETY: raise() has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    modes_on()?;
    // A full redraw without `Terminal::clear`: that asks the terminal for the cursor position,
    // and the event reader (polling stdin) swallows the answer, so it times out.
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// True when the terminal on stdin has hung up (a closed window or a dropped connection whose
/// SIGHUP never reached us): reading it would only ever return end-of-file.
pub fn hung_up() -> bool {
    let mut fd = libc::pollfd {
        fd: 0,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout.
    let n = unsafe { libc::poll(&mut fd, 1, 0) };
    n > 0 && fd.revents & libc::POLLHUP != 0
}

/// Leaves TUI mode; safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_is_base64() {
        assert_eq!(super::osc52("@jack"), "\x1b]52;c;QGphY2s=\x07");
    }
}
