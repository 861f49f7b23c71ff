//! Local files: the config dir and its per-profile paths, logging, import files, the durable queue, and (later) config, cache and logs.

pub mod action_log;
pub mod atomic;
pub mod cache;
pub mod import_file;
pub mod lock;
pub mod logging;
pub mod paths;
pub mod queue;
