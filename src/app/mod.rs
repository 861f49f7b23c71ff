//! Pure application state and logic: `State`, `Action`, `Command`, and `update` (no I/O).

pub mod account;
pub mod action;
pub mod keymap;
mod keys;
pub mod search;
pub mod state;
mod update;
mod view;

#[cfg(test)]
mod tests;

pub use account::{Account, Standing};
pub use action::{Action, Command};
pub use keymap::{KeyAction, Keymap};
pub use state::{Capability, Confirm, Mode, SortKey, State, Verb};
pub use update::{start, update};
