//! Where xblocks keeps its files.

use std::path::PathBuf;

use crate::cli::GlobalArgs;

/// The directories xblocks uses for one profile.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The config dir (`--config-dir`, `XBLOCKS_CONFIG_DIR`, or the platform's).
    pub config_dir: PathBuf,
    /// The profile's own folder inside the config dir.
    pub profile_dir: PathBuf,
    /// Where the log file goes (the platform data/state dir, or the config dir when overridden).
    pub log_dir: PathBuf,
}

impl Paths {
    /// Resolves the paths from the global options.
    pub fn resolve(global: &GlobalArgs) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "xblocks");
        let (config_dir, log_dir) = match (&global.config_dir, &dirs) {
            (Some(dir), _) => (dir.clone(), dir.join("logs")),
            (None, Some(d)) => (
                d.config_dir().to_path_buf(),
                d.state_dir().unwrap_or_else(|| d.data_dir()).to_path_buf(),
            ),
            (None, None) => (PathBuf::from(".xblocks"), PathBuf::from(".xblocks/logs")),
        };
        let profile_dir = config_dir.join("profiles").join(&global.profile);
        Self {
            config_dir,
            profile_dir,
            log_dir,
        }
    }
}
