//! Local files: the config dir and its per-profile paths, logging, and (later) config, cache and logs.

pub mod logging;
pub mod paths;
