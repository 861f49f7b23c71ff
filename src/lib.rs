//! xblocks: review and manage a large X (Twitter) block list from the terminal.
//!
//! Layers, top to bottom (imports point down only): `cli` (arguments) and `commands` (headless
//! subcommands, dispatch, exit codes via `exit`); `tui` (terminal and event loop); `worker`
//! (async work for the TUI); `app` (pure state and `update`) and `ui` (pure rendering of it);
//! `sync` (syncs into the database), `jobs` (the durable queue runner, undo), `query` (the
//! search language); `auth` (OAuth, tokens, sessions); `store` (config dir, config file, the
//! profile database, logs); `api` (typed X API v2 client); `text` (untrusted text made
//! displayable). `emulator` (the X API emulator) and `browser` stand alone.

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
