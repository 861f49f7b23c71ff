//! Local files: the config dir and its per-profile paths, atomic writes, config.toml, logging.

pub mod atomic;
pub mod config;
pub mod logging;
pub mod paths;
