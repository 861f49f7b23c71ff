//! Local state: the profile database ([`db`]), config dir and per-profile paths, atomic writes,
//! config.toml, logging, import
//! files, the durable queue and action log, the block-list cache, and the profile lock.

pub mod action_log;
pub mod archive;
pub mod atomic;
pub mod cache;
pub mod config;
pub mod db;
pub mod import_file;
pub mod lock;
pub mod logging;
pub mod paths;
pub mod private;
pub mod queue;
