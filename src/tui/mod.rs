//! The terminal: enter/restore, panic hook, signals, suspend, and the event loop that turns
//! terminal events and worker results into actions and draws frames. `commands::tui` sets it
//! up for `xblocks` and `xblocks demo`.

pub mod event_loop;
pub mod terminal;

pub use event_loop::{map_event, Ending, Screen};
