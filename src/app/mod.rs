//! Pure application state and logic: `State`, `Action`, `Command`, and `update` (no I/O).

pub mod account;
pub mod action;
pub mod cache_view;
pub mod history;
pub mod keymap;
mod keys;
pub mod notes;
pub mod panes;
pub mod queue_view;
pub mod state;
mod update;
mod view;
pub mod views;

#[cfg(test)]
mod tests;

pub use account::{Account, Standing};
pub use action::{Action, Command};
pub use keymap::{KeyAction, Keymap};
pub use state::{Capability, Confirm, Mode, SortKey, State, Verb};
pub use update::{start, update};
