//! Local state: the profile database ([`db`]: accounts, syncs, spend, the durable queue, the
//! action log, notes, meta), the runner lock, config dir and per-profile paths, atomic writes,
//! config.toml, logging, import files.

pub mod archive;
pub mod atomic;
pub mod config;
pub mod db;
pub mod import_file;
pub mod legacy;
pub mod logging;
pub mod paths;
pub mod private;
pub mod runner_lock;
