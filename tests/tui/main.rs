//! The TUI: snapshots drawn into ratatui's `TestBackend`, the worker against the emulator, and the
//! real binary in tmux.

mod fixtures;
mod tmux_support;

mod cli;
mod e2e;
mod full_sync;
mod hardening;
mod in_process;
mod insights;
mod lazy_spend;
mod offline;
mod render;
mod resume_e2e;
mod screenshot;
mod time_e2e;
mod unreachable;
mod views;
mod views_e2e;
mod worker;
mod worker_cache;
mod worker_durable;
mod worker_queue;
mod worker_timed;
