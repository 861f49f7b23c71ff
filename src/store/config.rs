//! `config.toml` in the config dir: the keys this layer reads (OAuth client id, consumer key).

use serde::Deserialize;

use super::paths::Paths;

/// The parts of `config.toml` the sign-in code reads; unknown keys are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Config {
    /// OAuth 2.0 client id of the user's X app.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth 1.0a consumer key (legacy).
    #[serde(default)]
    pub consumer_key: Option<String>,
}

impl Config {
    /// Reads `<config_dir>/config.toml`; a missing file is the default config.
    pub fn load(paths: &Paths) -> anyhow::Result<Self> {
        let path = paths.config_dir.join("config.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} is not valid TOML: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_client_id_and_ignores_other_keys() {
        let c: Config = toml::from_str("client_id = \"abc\"\ntheme = \"dark\"\n").unwrap();
        assert_eq!(c.client_id.as_deref(), Some("abc"));
    }
}
