//! The binary's headless commands, end to end: each module drives `xblocks` (or the library's
//! public API) against the in-process emulator on 127.0.0.1, with a real profile database in a temp dir.

mod common;

mod api_client;
mod auth;
mod emulator_cli;
mod export;
mod export_cache;
mod fault_matrix;
mod hardening;
mod hostile_input;
mod import_cli;
mod json;
mod layers;
mod local_state;
mod money;
mod query_cli;
mod sdk_compat;
mod secrets;
mod targets;
mod timed;
