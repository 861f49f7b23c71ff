//! Pure application state and logic: `State`, `Action`, `Effect` (`Command` for the worker,
//! `TerminalRequest` for the event loop), and `update` (no I/O).

pub mod account;
pub mod action;
pub mod cached_start;
pub mod diff_view;
pub mod duration;
pub mod geometry;
pub mod history;
mod input;
pub mod insights;
pub mod keymap;
mod list;
pub mod notes;
pub mod panes;
pub mod pinned;
pub mod queue_view;
pub mod quit;
pub mod review;
pub mod sign_in;
pub mod snapshots;
pub mod state;
pub mod sync_status;
mod update;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use account::{Account, Standing};
pub use action::{Action, Command, Effect, TerminalRequest};
pub use keymap::{KeyAction, KeyMode, Keymap};
pub use state::{Capability, Confirm, Mode, SortKey, State, WriteConfirm};
pub use update::{start, update};
