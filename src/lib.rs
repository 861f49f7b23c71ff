//! xblocks: review and manage a large X (Twitter) block list from the terminal.
//!
//! Layers (one folder each): `cli` (arguments), `commands` (headless subcommands and dispatch),
//! `app` (pure state and `update`), `ui` (pure rendering), `tui` (terminal and event loop),
//! `worker` (async network work for the TUI), `api` (typed X API v2 client), `auth` (OAuth and
//! token storage), `store` (config dir, config file, cache, logs), `emulator` (the X API emulator),
//! `text` (untrusted text made displayable: the base every other layer may use).

pub mod api;
pub mod app;
pub mod auth;
pub mod browser;
pub mod cli;
pub mod commands;
pub mod emulator;
pub mod exit;
pub mod jobs;
pub mod query;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;
pub mod ui;
pub mod worker;
