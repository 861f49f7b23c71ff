//! Where xblocks keeps its files.

use std::path::{Path, PathBuf};

use super::private::{check_dir, FileError};

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
    /// The paths of `profile` in `config_dir` (`--config-dir`), else in the platform's dirs.
    pub fn resolve(config_dir: Option<&Path>, profile: &str) -> Self {
        let dirs = directories::ProjectDirs::from("", "", "xblocks");
        let (config_dir, log_dir) = match (config_dir, &dirs) {
            (Some(dir), _) => (dir.to_path_buf(), dir.join("logs")),
            (None, Some(d)) => (
                d.config_dir().to_path_buf(),
                d.state_dir().unwrap_or_else(|| d.data_dir()).to_path_buf(),
            ),
            (None, None) => (PathBuf::from(".xblocks"), PathBuf::from(".xblocks/logs")),
        };
        let profile_dir = config_dir.join("profiles").join(profile);
        Self {
            config_dir,
            profile_dir,
            log_dir,
        }
    }

    /// Refuses, changing nothing, when the config, profiles, profile or log dir exists but is
    /// another user's or writable by group or others (anyone could plant a token or a link in
    /// it). Missing dirs are fine: xblocks creates them 0700.
    pub fn check(&self) -> Result<(), FileError> {
        for dir in [
            &self.config_dir,
            &self.config_dir.join("profiles"),
            &self.profile_dir,
            &self.log_dir,
        ] {
            check_dir(dir)?;
        }
        Ok(())
    }
}

/// Whether `name` may name a profile: `[A-Za-z0-9_.-]{1,64}`, and not `.` or `..` (a profile
/// name is a folder name inside the config dir, never a path).
pub fn valid_profile_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_folder_names_never_paths() {
        for ok in ["default", "work.2", "a-b_c", &"x".repeat(64), "..."] {
            assert!(valid_profile_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "/abs",
            "a/b",
            "a b",
            &"x".repeat(65),
            "é",
        ] {
            assert!(!valid_profile_name(bad), "{bad}");
        }
    }
}
